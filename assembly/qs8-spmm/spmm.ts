// qs8 CSR SpMM: out[m, n] from x i8 [m, k] (zero point x_zp) and W [n, k] in CSR with i8 values
// (symmetric per output channel: no weight zero point); cols u16 or i32 (index_bytes 2 or 4), indptr i32 [n + 1].
//   acc[i, j] = Σ_p w_p·(x[i, c_p] − x_zp)   (i32, wrapping; exact for any realistic nnz per row)
//   f32out:  out = f32(acc)·f32(scale_x·scale_w[j]) + bias[j]              (bias f32 [n] or 0)
//   requant: out = requant_i32(acc + bias[j], multiplier[j], shift[j], …)  (bias i32 [n] or 0; out i8)
// Integer results equal the scalar reference exactly, whatever the summation order.
import { requant_i32 } from "../qs8-gemm/requant";

// Σ w_p·x[c_p] in the low 32 bits and Σ w_p in the high 32 bits, for entries p0 .. p1 − 1.
@inline
function row_sums<I>(x: usize, values: usize, cols: usize, p0: usize, p1: usize): i64 {
  let s0 = 0, s1 = 0, ws = 0;
  let p = p0;
  for (; p + 2 <= p1; p += 2) {
    const w0 = <i32>load<i8>(values + p);
    const w1 = <i32>load<i8>(values + p, 1);
    s0 += w0 * <i32>load<i8>(x + <usize>load<I>(cols + p * sizeof<I>()));
    s1 += w1 * <i32>load<i8>(x + <usize>load<I>(cols + (p + 1) * sizeof<I>()));
    ws += w0 + w1;
  }
  if (p < p1) {
    const w = <i32>load<i8>(values + p);
    s0 += w * <i32>load<i8>(x + <usize>load<I>(cols + p * sizeof<I>()));
    ws += w;
  }
  return (<i64>ws << 32) | <i64><u32>(s0 + s1);
}

@inline
function spmm<I>(
  m: i32, n: i32, k: i32, x: usize, x_zp: i32, values: usize, cols: usize, indptr: usize, bias: usize, out: usize,
  scale_x: f32, scale_w: usize, multiplier: usize, shift: usize, out_zp: i32, qmin: i32, qmax: i32, f32out: bool,
): void {
  for (let i = 0; i < m; i++) {
    const xr = x + <usize>i * <usize>k;
    let p0 = <usize>load<i32>(indptr);
    for (let j = 0; j < n; j++) {
      const o = <usize>j << 2;
      const p1 = <usize>load<i32>(indptr + o, 4);
      const sums = row_sums<I>(xr, values, cols, p0, p1);
      const acc = <i32>sums - x_zp * <i32>(sums >> 32);
      const oi = <usize>i * <usize>n + <usize>j;
      if (f32out) {
        let v = <f32>acc * (scale_x * load<f32>(scale_w + o));
        if (bias != 0) v += load<f32>(bias + o);
        store<f32>(out + (oi << 2), v);
      } else {
        const a = bias != 0 ? acc + load<i32>(bias + o) : acc;
        store<i8>(out + oi, <i8>requant_i32(a, load<i32>(multiplier + o), load<i32>(shift + o), out_zp, qmin, qmax));
      }
      p0 = p1;
    }
  }
}

export function qs8_spmm_csr_f32out(m: i32, n: i32, k: i32, x: usize, x_zp: i32, values: usize, cols: usize, indptr: usize, bias: usize, out: usize, scale_x: f32, scale_w: usize, index_bytes: i32): void {
  if (index_bytes == 2) spmm<u16>(m, n, k, x, x_zp, values, cols, indptr, bias, out, scale_x, scale_w, 0, 0, 0, 0, 0, true);
  else spmm<i32>(m, n, k, x, x_zp, values, cols, indptr, bias, out, scale_x, scale_w, 0, 0, 0, 0, 0, true);
}

export function qs8_spmm_csr_requant(
  m: i32, n: i32, k: i32, x: usize, x_zp: i32, values: usize, cols: usize, indptr: usize, bias: usize, out: usize,
  multiplier: usize, shift: usize, out_zp: i32, qmin: i32, qmax: i32, index_bytes: i32,
): void {
  if (index_bytes == 2) spmm<u16>(m, n, k, x, x_zp, values, cols, indptr, bias, out, 0, 0, multiplier, shift, out_zp, qmin, qmax, false);
  else spmm<i32>(m, n, k, x, x_zp, values, cols, indptr, bias, out, 0, 0, multiplier, shift, out_zp, qmin, qmax, false);
}
