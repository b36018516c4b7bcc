// Dev harness: batched weight-only layers (f32 activations; int8, f16 or bf16 weights) against the f32
// GEMM, same run: the GEMV row by row (the batched path before) and f32_gemm on weights widened as its
// panels are packed (trans_b 3, 4, 5).
//   node bench/dev/qc8w.mjs [--m 64] [--n 300] [--k 784]
// 2026-12-07, 300x784, rows / GEMM vs our f32 GEMM: at 2 rows int8 1.41x / 0.88x (f32_gemm on the int8
// weights), f16 1.12x / 0.66x, bf16 2.20x / 0.82x; at 3 rows 0.92x / 0.87x, 0.73x / 0.65x, 1.44x / 0.79x:
// below 4 rows the GEMVs stay.
import { devArena, loadDevWasm, option } from './wasm-dev.mjs';
const ex = loadDevWasm('qc8w-entry.ts', 'qc8w');
const m = Number(option('--m') ?? 64), n = Number(option('--n') ?? 300), k = Number(option('--k') ?? 784), rounds = 9;
const A = devArena(ex.memory);
let s = 7; const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const X = A.alloc(m * k * 4), W8 = A.alloc(n * k), W16 = A.alloc(n * k * 2), SC = A.alloc(n * 4), WF = A.alloc(n * k * 4), Y = A.alloc(m * n * 4);
const WS = A.alloc(Math.max(ex.f32_gemm_workspace_bytes(m, n, k), ex.f32_qc8w_gemm_workspace_bytes(m, n, k)) >>> 0);
// i8Gemm: f32_gemm on the int8 weights without the scale epilogue (the GEMM path below the 4-row threshold).
{ const x = A.view(Float32Array, X, m * k); for (let i = 0; i < x.length; i++) x[i] = rnd() - 0.5;
  const w = A.view(Int8Array, W8, n * k); for (let i = 0; i < w.length; i++) w[i] = Math.floor(rnd() * 255) - 127;
  const wf = A.view(Float32Array, WF, n * k); for (let i = 0; i < wf.length; i++) wf[i] = rnd() - 0.5;
  const h = A.view(Uint16Array, W16, n * k); for (let i = 0; i < h.length; i++) h[i] = 0x3000 + Math.floor(rnd() * 0x1000) + (rnd() < 0.5 ? 0x8000 : 0);
  A.view(Float32Array, SC, n).fill(0.01); }
// The 16-bit kernels read the codes in 4-row panels (h16_pack).
const H16 = A.alloc(ex.h16_panels_bytes(n, k) >>> 0);
ex.h16_pack(n, k, W16, H16, 1);
const rows = (gemv) => () => { for (let i = 0; i < m; i++) gemv(i); };
const cases = {
  f32gemm: () => ex.f32_gemm(m, n, k, X, k, 0, WF, k, 1, 0, Y, n, WS, -Infinity, Infinity),
  qc8wRows: rows((i) => ex.f32_qc8w_gemv(n, k, X + 4 * i * k, W8, SC, 0, Y + 4 * i * n, -Infinity, Infinity)),
  qc8wGemm: () => ex.f32_qc8w_gemm(m, n, k, X, W8, SC, 0, Y, WS, -Infinity, Infinity),
  i8Gemm: () => ex.f32_gemm(m, n, k, X, k, 0, W8, k, 3, 0, Y, n, WS, -Infinity, Infinity),
  f16Rows: rows((i) => ex.f16_gemv_f32(n, k, X + 4 * i * k, H16, 0, Y + 4 * i * n)),
  f16Gemm: () => ex.f32_gemm(m, n, k, X, k, 0, H16, 0, 4, 0, Y, n, WS, -Infinity, Infinity),
  bf16Rows: rows((i) => ex.bf16_gemv_f32(n, k, X + 4 * i * k, H16, 0, Y + 4 * i * n)),
  bf16Gemm: () => ex.f32_gemm(m, n, k, X, k, 0, H16, 0, 5, 0, Y, n, WS, -Infinity, Infinity),
};
const time = (fn) => { const reps = []; for (let r = 0; r < 5; r++) { const t = performance.now(); fn(); reps.push(performance.now() - t); } return reps.sort((a, b) => a - b)[2]; };
const t = Object.fromEntries(Object.keys(cases).map((c) => [c, []]));
for (let r = 0; r < rounds; r++) for (const c of Object.keys(cases)) t[c].push(time(cases[c]));
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
for (const c of Object.keys(cases)) console.log(`${m}x${n}x${k}: ${c.padEnd(9)} ${(med(t[c]) * 1000).toFixed(1).padStart(8)} us  ${(2 * m * n * k / med(t[c]) / 1e6).toFixed(1).padStart(5)} GFLOP/s  vs f32 GEMM ${(med(t.f32gemm) / med(t[c])).toFixed(2)}x`);
