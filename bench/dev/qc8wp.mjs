// Dev harness: the weight-only int8 GEMV over 4-row panels (bench/dev/qc8wp-entry.ts) against the
// product's row-major f32_qc8w_gemv and the packed f32 GEMV, same run; checked bit-equal.
//   node bench/dev/qc8wp.mjs [--n 1024] [--k 1024]   (k % 16 == 0, n % 4 == 0)
// 2026-12-07, panels / product: 300x784 1.04x, 1024² 1.05x, 4096² 1.08x (the product 1.35x the packed
// f32 GEMV there, the panels 1.47x). Unlike the f16 GEMV (0.93x -> 1.47x from the same change), this one
// is bound by its widening (4 converts and 6 extends per 16 weights), not by the weight streams: kept
// row-major.
import { devArena, loadDevWasm, option } from './wasm-dev.mjs';
const ex = loadDevWasm('qc8wp-entry.ts', 'qc8wp');
const n = Number(option('--n') ?? 1024), k = Number(option('--k') ?? 1024), rounds = 9;
const A = devArena(ex.memory);
let s = 7; const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const X = A.alloc(k * 4), W8 = A.alloc(n * k), WP = A.alloc(n * k), SC = A.alloc(n * 4), WF = A.alloc(n * k * 4), P = A.alloc(ex.f32_gemv_packed_bytes(n, k) >>> 0), Y = A.alloc(n * 4), Y2 = A.alloc(n * 4);
{ const x = A.view(Float32Array, X, k); for (let i = 0; i < k; i++) x[i] = rnd() - 0.5;
  const w = A.view(Int8Array, W8, n * k); for (let i = 0; i < w.length; i++) w[i] = Math.floor(rnd() * 255) - 127;
  const wf = A.view(Float32Array, WF, n * k); for (let i = 0; i < wf.length; i++) wf[i] = rnd() - 0.5;
  A.view(Float32Array, SC, n).fill(0.01); }
ex.f32_gemv_pack(n, k, WF, P);
ex.qc8w_pack_panels(n, k, W8, WP);
const cases = {
  product: () => ex.f32_qc8w_gemv(n, k, X, W8, SC, 0, Y, -Infinity, Infinity),
  panels: () => ex.qc8w_gemv_panels(n, k, X, WP, SC, Y2),
  f32packed: () => ex.f32_gemv_packed(n, k, X, P, 0, Y2, -Infinity, Infinity),
};
cases.product(); const want = A.view(Float32Array, Y, n).slice();
cases.panels(); { const got = A.view(Float32Array, Y2, n); for (let i = 0; i < n; i++) if (!Object.is(got[i], want[i])) throw new Error(`panels: y[${i}] ${got[i]} vs ${want[i]}`); }
const time = (fn) => { let reps = 1; for (;;) { const t = performance.now(); for (let i = 0; i < reps; i++) fn(); if (performance.now() - t > 10) break; reps *= 2; } const t = performance.now(); for (let i = 0; i < reps; i++) fn(); return (performance.now() - t) / reps * 1000; };
const t = Object.fromEntries(Object.keys(cases).map((c) => [c, []]));
for (let r = 0; r < rounds; r++) for (const c of Object.keys(cases)) t[c].push(time(cases[c]));
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
for (const c of Object.keys(cases)) console.log(`${n}x${k}: ${c.padEnd(10)} ${med(t[c]).toFixed(2)} us  f32packed/this ${(med(t.f32packed) / med(t[c])).toFixed(2)}x`);
