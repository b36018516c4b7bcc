// Dev harness: the f16 weight-only GEMVs, f16_gemv_f32 (exponent-31 weights tracked, rebias multiply per
// weight) and f16_gemv_f32_finite (x pre-scaled by 2^112 instead), against the packed f32 GEMV, same
// run; the two f16 kernels are checked bit-equal. --sub F: that fraction of subnormal weights.
//   node bench/dev/f16x.mjs [--n 300] [--k 784] [--sub 0.001]
// 2026-12-07, finite / f32 packed, with the codes row-major (4 row streams) and then in 4-row panels
// (one stream): 300x784 0.50-0.60x (general kernel 0.37x), 1024² 0.48-0.51x (0.37x); 4096² row-major
// 0.93-0.95x, panels 1.47x. With 0.1% subnormal codes the f16 kernels lose about a fifth (f32 multiplies
// with a subnormal operand take a slow path on this CPU).
import { devArena, loadDevWasm, option } from './wasm-dev.mjs';
const ex = loadDevWasm('f16x-entry.ts', 'f16x');
const SUB = Number(option("--sub") ?? 0);
const n = Number(option('--n') ?? 300), k = Number(option('--k') ?? 784), rounds = 9;
const A = devArena(ex.memory);
let s = 7; const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const X = A.alloc(k * 4), W16 = A.alloc(n * k * 2), WF = A.alloc(n * k * 4), P = A.alloc(ex.f32_gemv_packed_bytes(n, k) >>> 0), Y = A.alloc(n * 4), Y2 = A.alloc(n * 4);
{ const x = A.view(Float32Array, X, k); for (let i = 0; i < k; i++) x[i] = rnd() - 0.5;
  const h = A.view(Uint16Array, W16, n * k); for (let i = 0; i < h.length; i++) h[i] = (rnd() < SUB ? Math.floor(rnd() * 0x400) : 0x2000 + Math.floor(rnd() * 0x1800)) + (rnd() < 0.5 ? 0x8000 : 0);
  const wf = A.view(Float32Array, WF, n * k); for (let i = 0; i < wf.length; i++) wf[i] = rnd() - 0.5; }
ex.f32_gemv_pack(n, k, WF, P);
const WP = A.alloc(ex.h16_panels_bytes(n, k) >>> 0);
ex.h16_pack(n, k, W16, WP);
const cases = {
  product: () => ex.f16_gemv_f32(n, k, X, WP, 0, Y),
  finite: () => ex.f16_gemv_f32_finite(n, k, X, WP, 0, Y2),
  f32packed: () => ex.f32_gemv_packed(n, k, X, P, 0, Y2, -Infinity, Infinity),
};
cases.product();
const want = A.view(Float32Array, Y, n).slice();
for (const c of ['finite']) { cases[c](); const got = A.view(Float32Array, Y2, n); for (let i = 0; i < n; i++) if (!Object.is(got[i], want[i])) throw new Error(`${c}: y[${i}] ${got[i]} vs ${want[i]}`); }
const time = (fn) => { let reps = 1; for (;;) { const t = performance.now(); for (let i = 0; i < reps; i++) fn(); if (performance.now() - t > 10) break; reps *= 2; } const t = performance.now(); for (let i = 0; i < reps; i++) fn(); return (performance.now() - t) / reps * 1000; };
const t = Object.fromEntries(Object.keys(cases).map((c) => [c, []]));
for (let r = 0; r < rounds; r++) for (const c of Object.keys(cases)) t[c].push(time(cases[c]));
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
for (const c of Object.keys(cases)) console.log(`${n}x${k}: ${c.padEnd(10)} ${med(t[c]).toFixed(2)} us  f32packed/this ${(med(t.f32packed) / med(t[c])).toFixed(2)}x`);
