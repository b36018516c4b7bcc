// Dev harness: the f16 weight-only GEMV (f16_gemv_f32 over h16_pack's panels) against the packed f32
// GEMV, same run. --sub F: that fraction of subnormal f16 codes (Linear-initialized weights hold about
// 0.2% at 1024 inputs); --big: one weight of 32768, so the codes stay unscaled (s = 0) and the subnormal
// ones stay subnormal; --exact: the GEMV an f16 layer holding ±Inf or NaN runs (47.6-48.3 µs at 300x784
// against the tracked one it replaced, 33.2-33.7).
//   node bench/dev/f16x.mjs [--n 300] [--k 784] [--sub 0.002] [--big | --exact]
// 2026-12-07, f16 / f32 packed. Before these panels (row-major codes, exponent-31 tracking and a rebias
// multiply per weight): 300x784 0.37x, 1024² 0.37x, 4096² 0.83-0.89x. x scaled by 2^112 instead (no
// tracking): 0.50-0.60x, 0.48-0.51x, 0.93-0.95x; in 4-row panels (one stream): 4096² 1.39-1.47x. With
// 0.1% subnormal codes it lost about a fifth (an f32 multiply with a subnormal operand takes a slow
// path on this CPU), hence the codes' scale 2^s (h16_pack), which leaves no subnormal code.
import { devArena, flag, loadDevWasm, option } from './wasm-dev.mjs';
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
if (flag('--big')) A.view(Uint16Array, W16, 1)[0] = 0x7800; // 32768: the codes' scale must stay 2^0
ex.h16_pack(n, k, W16, WP, flag('--exact') ? 0 : 1); // 0: header "not finite", the exact GEMV
const cases = {
  f16: () => ex.f16_gemv_f32(n, k, X, WP, 0, Y),
  f32packed: () => ex.f32_gemv_packed(n, k, X, P, 0, Y2, -Infinity, Infinity),
};
const time = (fn) => { let reps = 1; for (;;) { const t = performance.now(); for (let i = 0; i < reps; i++) fn(); if (performance.now() - t > 10) break; reps *= 2; } const t = performance.now(); for (let i = 0; i < reps; i++) fn(); return (performance.now() - t) / reps * 1000; };
const t = Object.fromEntries(Object.keys(cases).map((c) => [c, []]));
for (let r = 0; r < rounds; r++) for (const c of Object.keys(cases)) t[c].push(time(cases[c]));
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
for (const c of Object.keys(cases)) console.log(`${n}x${k}: ${c.padEnd(10)} ${med(t[c]).toFixed(2)} us  f32packed/this ${(med(t.f32packed) / med(t[c])).toFixed(2)}x`);
