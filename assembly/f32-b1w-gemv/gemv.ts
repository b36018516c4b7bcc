// BinaryConnect inference (f32 activations, 1-bit weights): y[j] = clamp(alpha[j]·Σ_p ±x[p] + bias[j], vmin, vmax),
//   +x[p] where bit p of row j is 1, −x[p] where it is 0 (f32_b1_pack's layout, rows padded to 64 bits).
//   x: f32 [k] ([m, k] for the GEMM); w: bits [n, ⌈k/64⌉] u64; alpha: f32 [n]; bias: f32 [n] or 0; y: f32 [n] ([m, n]).
// Two kernels, each in a fixed order that src/binary/b1-ref.ts mirrors (every engine gives the same bits):
//   from LUT_MIN_N rows up (k ≥ 1), lut.ts: per group of 8 inputs a table of its 256 signed sums,
//     built once and looked up by each weight byte; the GEMM runs it row by row.
//   below, xor.ts: sign masks xored into the activations, 4 lanes.
// Building the tables costs about what 40 rows of lookups save (bench/dev/b1-kernels.mjs, 2026-12-06:
// break-even at 32-48 rows for k = 64…784; at 1024² the table GEMV is 2.5× the sign-mask one).
import { gemv_lut } from "./lut";
import { gemm_xor, gemv_xor } from "./xor";

const LUT_MIN_N: i32 = 48;

export function f32_b1w_gemv(n: i32, k: i32, x: usize, w: usize, alpha: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  if (n >= LUT_MIN_N && k > 0) gemv_lut(n, k, x, w, alpha, bias, y, vmin, vmax);
  else gemv_xor(n, k, x, w, alpha, bias, y, vmin, vmax);
}

export function f32_b1w_gemm(m: i32, n: i32, k: i32, x: usize, w: usize, alpha: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  if (n >= LUT_MIN_N && k > 0) {
    for (let i = 0; i < m; i++) gemv_lut(n, k, x + <usize>i * <usize>k * 4, w, alpha, bias, y + <usize>i * <usize>n * 4, vmin, vmax);
  } else gemm_xor(m, n, k, x, w, alpha, bias, y, vmin, vmax);
}
