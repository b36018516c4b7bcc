// Dev harness: f32 GEMV weight layouts (bench/dev/gemv-entry.ts) against the product's f32_gemv and one
// read of the weights, same run, medians of interleaved rounds.
//   node bench/dev/gemv-layouts.mjs [--n 4096] [--rounds 9]
import { devArena, loadDevWasm, option } from './wasm-dev.mjs';

const ex = loadDevWasm('gemv-entry.ts', 'gemv');
const n = Number(option('--n') ?? 4096), k = Number(option('--k') ?? n), rounds = Number(option('--rounds') ?? 9);
const A = devArena(ex.memory);
let s = 1;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
const W = A.alloc(n * k * 4), X = A.alloc(k * 4), Y = A.alloc(n * 4), Y2 = A.alloc(n * 4);
const P8 = A.alloc(n * k * 4), P4 = A.alloc(n * k * 4), C8 = A.alloc(n * k * 4), P6 = A.alloc(n * k * 4 + 65536), S6 = A.alloc(n * k * 4 + 65536);
{ const w = A.view(Float32Array, W, n * k); for (let i = 0; i < w.length; i++) w[i] = rnd(); const x = A.view(Float32Array, X, k); for (let i = 0; i < k; i++) x[i] = rnd(); }
ex.pack_rows(n, k, 8, W, P8); ex.pack_rows(n, k, 4, W, P4); ex.pack_cols8(n, k, W, C8); ex.pack_rows(n - (n % 6), k, 6, W, P6); ex.pack_s(n - (n % 6), k, 6, W, S6);
const time = (fn) => { const reps = []; for (let r = 0; r < 7; r++) { const t = performance.now(); fn(); reps.push(performance.now() - t); } return reps.sort((a, b) => a - b)[3]; };
const cases = {
  product: () => ex.f32_gemv(n, k, X, W, 0, Y, -Infinity, Infinity),
  rows8: () => ex.gemv_rows8(n, k, X, P8, Y2),
  rows4: () => ex.gemv_rows4(n, k, X, P4, Y2),
  rows4u: () => ex.gemv_rows4u(n, k, X, P4, Y2),
  rows6: () => ex.gemv_rows6(n, k, X, P6, Y2),
  cols8: () => ex.gemv_cols8(n, k, X, C8, Y2),
  s6: () => ex.gemv_s6(n, k, X, S6, Y2),
  read: () => ex.read_peak(W, n * k * 4),
};
const ref = (cases.product(), A.view(Float32Array, Y, n).slice());
for (const c of ['rows8', 'rows4', 'rows4u', 'rows6', 'cols8', 's6']) { cases[c](); const y = A.view(Float32Array, Y2, n); let err = 0; for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(y[i] - ref[i])); console.log(c, 'max |diff|', err.toExponential(1)); }
const t = Object.fromEntries(Object.keys(cases).map((c) => [c, []]));
for (let r = 0; r < rounds; r++) for (const c of Object.keys(cases)) t[c].push(time(cases[c]));
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
for (const c of Object.keys(cases)) console.log(`${n}: ${c.padEnd(8)} ${med(t[c]).toFixed(3)} ms  ${(2 * n * k / med(t[c]) / 1e6).toFixed(1)} GFLOP/s  product/this ${(med(t.product) / med(t[c])).toFixed(2)}x`);
