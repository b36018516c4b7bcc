// qs8 CSR SpMM: out[m, n] from x i8 [m, k] (zero point x_zp) and W [n, k] in CSR with i8 values
// (symmetric per output channel: no weight zero point); cols u16 or i32 (index_bytes 2 or 4), indptr i32 [n + 1].
//   acc[i, j] = Σ_p w_p·(x[i, c_p] − x_zp)   (i32, wrapping; exact for any realistic nnz per row)
//   f32out:  out = f32(acc)·f32(scale_x·scale_w[j]) + bias[j]              (bias f32 [n] or 0)
//   requant: out = requant_i32(acc + bias[j], multiplier[j], shift[j], …)  (bias i32 [n] or 0; out i8)
// Integer results equal the scalar reference exactly, whatever the summation order.
import { requant_i32 } from "../qs8-gemm/requant";

@inline
function xc(x: usize, c: usize): i32 {
  return <i32>load<i8>(x + c);
}

// Σ w_p·x[c_p] in the low 32 bits and Σ w_p in the high 32 bits, for entries p0 .. p1 − 1: four
// entries at a time as i32 lanes (x gathered with scalar loads), the rest one by one.
@inline
function row_sums<I>(x: usize, values: usize, cols: usize, p0: usize, p1: usize): i64 {
  let vacc = i32x4.splat(0);
  let vws = vacc;
  let vp = values + p0;
  let cp = cols + p0 * sizeof<I>();
  const vend = values + p1;
  for (; vp + 4 <= vend; vp += 4, cp += 4 * sizeof<I>()) {
    const vw = i32x4.extend_low_i16x8_s(i16x8.extend_low_i8x16_s(v128.load32_zero(vp)));
    let vx = i32x4.splat(xc(x, <usize>load<I>(cp)));
    vx = i32x4.replace_lane(vx, 1, xc(x, <usize>load<I>(cp, 1 * sizeof<I>())));
    vx = i32x4.replace_lane(vx, 2, xc(x, <usize>load<I>(cp, 2 * sizeof<I>())));
    vx = i32x4.replace_lane(vx, 3, xc(x, <usize>load<I>(cp, 3 * sizeof<I>())));
    vacc = i32x4.add(vacc, i32x4.mul(vw, vx));
    vws = i32x4.add(vws, vw);
  }
  let s = i32x4.extract_lane(vacc, 0) + i32x4.extract_lane(vacc, 1) + i32x4.extract_lane(vacc, 2) + i32x4.extract_lane(vacc, 3);
  let ws = i32x4.extract_lane(vws, 0) + i32x4.extract_lane(vws, 1) + i32x4.extract_lane(vws, 2) + i32x4.extract_lane(vws, 3);
  for (; vp < vend; vp++, cp += sizeof<I>()) {
    const w = <i32>load<i8>(vp);
    s += w * xc(x, <usize>load<I>(cp));
    ws += w;
  }
  return (<i64>ws << 32) | <i64><u32>s;
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
