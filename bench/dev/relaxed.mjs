// Dev harness: the relaxed-SIMD qs8 GEMV (bench/dev/relaxed-entry.ts) against the product's strict qs8 GEMV
// and the packed f32 GEMV, and whether its sums are exact. Needs a V8 with relaxed SIMD:
//   node --experimental-wasm-relaxed-simd bench/dev/relaxed.mjs [--n 300] [--k 784]   (add --liftoff-only or --no-liftoff to pin a tier)
import { devArena, loadDevWasm, option } from './wasm-dev.mjs';

const ex = loadDevWasm('relaxed-entry.ts', 'relaxed', ['--enable', 'relaxed-simd']);
const n = Number(option('--n') ?? 300), k = Number(option('--k') ?? 784), rounds = 15;
const nn = Math.ceil(n / 12) * 12, kk = Math.ceil(k / 16) * 16;
const A = devArena(ex.memory);
let s = 7;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const W8 = A.alloc(nn * kk), X7 = A.alloc(kk), P8 = A.alloc(ex.qs8_packed_weights_bytes(nn, kk)), PR6 = A.alloc(nn * kk), PR4 = A.alloc(nn * kk);
const Y = A.alloc(nn * 4), Y6 = A.alloc(nn * 4), Y4 = A.alloc(nn * 4);
const WF = A.alloc(nn * kk * 4), XF = A.alloc(kk * 4), PF = A.alloc(ex.f32_gemv_packed_bytes(nn, kk) >>> 0), YF = A.alloc(nn * 4);
const w8 = A.view(Int8Array, W8, nn * kk), x7 = A.view(Int8Array, X7, kk);
for (let i = 0; i < w8.length; i++) w8[i] = Math.floor(rnd() * 256) - 128;
for (let i = 0; i < kk; i++) x7[i] = Math.floor(rnd() * 128);
{ const wf = A.view(Float32Array, WF, nn * kk); for (let i = 0; i < wf.length; i++) wf[i] = rnd() - 0.5; }
ex.qs8_pack_weights(nn, kk, W8, P8); ex.packr(nn, kk, 6, W8, PR6); ex.packr(nn, kk, 4, W8, PR4); ex.f32_gemv_pack(nn, kk, WF, PF);
const cases = {
  f32packed: () => ex.f32_gemv_packed(nn, kk, XF, PF, 0, YF, -Infinity, Infinity),
  qs8: () => ex.qs8_gemv_i32(nn, kk, X7, 0, P8, 0, Y),
  relaxed6: () => ex.gemvr6(nn, kk, X7, PR6, Y6),
  relaxed4: () => ex.gemvr4(nn, kk, X7, PR4, Y4),
};
// Exactness on the first calls (the tier V8 starts with) and again after the timing (optimized code).
const exact = (when) => {
  const want = new Int32Array(nn);
  const w = A.view(Int8Array, W8, nn * kk), x = A.view(Int8Array, X7, kk);
  for (let j = 0; j < nn; j++) { let t = 0; for (let p = 0; p < kk; p++) t += w[j * kk + p] * x[p]; want[j] = t; }
  for (const [name, Yp] of [['qs8', Y], ['relaxed6', Y6], ['relaxed4', Y4]]) {
    const got = A.view(Int32Array, Yp, nn);
    let bad = 0;
    for (let j = 0; j < nn; j++) if (got[j] !== want[j]) bad++;
    console.log(`${when}: ${name} rows differing from the exact sum: ${bad} of ${nn}`);
  }
};
for (const c of Object.keys(cases)) cases[c]();
exact('first call');
const reps = Math.max(1, Math.round(2e7 / (nn * kk)));
const time = (fn) => { const t = performance.now(); for (let i = 0; i < reps; i++) fn(); return (performance.now() - t) / reps; };
const t = Object.fromEntries(Object.keys(cases).map((c) => [c, []]));
for (let r = 0; r < rounds; r++) for (const c of Object.keys(cases)) t[c].push(time(cases[c]));
exact('after timing');
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
for (const c of Object.keys(cases)) console.log(`${nn}x${kk}: ${c.padEnd(10)} ${(med(t[c]) * 1000).toFixed(2)} us  vs f32 packed ${(med(t.f32packed) / med(t[c])).toFixed(2)}x`);
