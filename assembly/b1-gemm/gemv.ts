// XNOR-popcount GEMV (batch 1): y f32 [n] = clamp((f32(dot_j)·alpha[j])·beta + bias[j], vmin, vmax),
//   dot_j = k − 2·popcount(a XOR w_j), a: bits [kw] u64, w: bits [n, kw] u64 (f32_b1_pack's layout).
//   beta is a scalar (the one row's activation scale; 1 for none), bias 0 means none.
// The GEMM's one-row pass (the row's words in locals, every w row under them) writes the i32 dots
// into y, then the shared epilogue turns them into f32 in place.
import { b1_gemm_xnor } from "./gemm";
import { epilogueRow } from "./epilogue";

export function b1_gemv_xnor_f32(n: i32, k: i32, a: usize, w: usize, alpha: usize, bias: usize, y: usize, beta: f32, vmin: f32, vmax: f32): void {
  b1_gemm_xnor(1, n, k, a, w, y);
  epilogueRow(n, y, alpha, true, beta, bias, vmin, vmax);
}
