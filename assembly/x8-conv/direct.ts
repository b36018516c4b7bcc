// int8 direct convolution for layers with few taps per output (K = c·kh·kw small: a CNN's first
// layer), stride 1 and dilation 1, int8 output: y [n, oc, oh, ow] (NCHW, i8) =
//   requant(Σ_k w[o, k]·(x_pad[ci, oy + ky, ox + kx] − x_zp) + bias[o]),  k = (ci·kh + ky)·kw + kx,
// with gemmlowp's fixed-point requantization per output channel (qs8-gemm/requant.ts). The sum is an
// exact i32, so the result equals the requantizing GEMM on x8_im2col's columns (whose padding is the
// zero point) byte for byte. x_pad − x_zp is held as i16 in the workspace (padding 0); 8 outputs per
// step for 4 channels share each 8-pixel load. There the GEMM took 28 µs for 1→32 channels, 3×3 on
// 28×28, mostly im2col, packing and the NHWC → NCHW copy around k = 9.
import { requant_i32, rdbpot_x4, srdhm_x4 } from "../qs8-gemm/requant";
import { direct_geometry, paddedImageBytes } from "../conv-taps";

// Workspace: the padded image (i16), then one u32 offset per tap, rounded up to whole pairs
// (an odd K's last pair repeats its tap with weight 0).
export function qs8_conv2d_direct_workspace_bytes(c: i32, h: i32, w: i32, ph: i32, pw: i32, kh: i32, kw: i32): usize {
  const K = <usize>max(c, 0) * <usize>max(kh, 0) * <usize>max(kw, 0);
  return paddedImageBytes(c, h, w, ph, pw, 1) + ((K + 1) & ~1) * 4;
}

// The weight pairs of qs8_conv2d_direct: wp[o·P + q] = (w[o, 2q] & 0xFFFF) | (w[o, 2q + 1] << 16) as
// i16 halves (w[o, K] = 0 for an odd K), P = ⌈K/2⌉; wq: i8 [oc, K].
export function qs8_conv2d_direct_pack(oc: i32, K: i32, wq: usize, wp: usize): void {
  const P = (K + 1) >> 1;
  for (let o = 0; o < oc; o++) {
    for (let q = 0; q < P; q++) {
      const k = 2 * q;
      const lo = <i32>load<i8>(wq + <usize>o * <usize>K + <usize>k);
      const hi = k + 1 < K ? <i32>load<i8>(wq + <usize>o * <usize>K + <usize>k + 1) : 0;
      store<i32>(wp + ((<usize>o * <usize>P + <usize>q) << 2), (lo & 0xffff) | (hi << 16));
    }
  }
}

// 8 requantized outputs of channel o (accumulators va: pixels 0-3, vb: 4-7) as bytes at yp.
@inline
function store8(va: v128, vb: v128, m: i32, s: i32, out_zp: i32, qmin: i32, qmax: i32, yp: usize): void {
  const vm = i32x4.splat(m);
  const ra = rdbpot_x4(srdhm_x4(va, vm, m), s);
  const rb = rdbpot_x4(srdhm_x4(vb, vm, m), s);
  const v16 = i16x8.add_sat_s(i16x8.narrow_i32x4_s(ra, rb), i16x8.splat(<i16>out_zp));
  const v8 = i8x16.min_s(i8x16.max_s(i8x16.narrow_i16x8_s(v16, v16), i8x16.splat(<i8>qmin)), i8x16.splat(<i8>qmax));
  v128.store64_lane(yp, v8, 0);
}

// Channels o..o+R−1 (R = 1 or 4), outputs ox..ox+7 of the row at xr: per pair of taps (k, k + 1), the
// two 8-pixel loads interleave into (x_k, x_k+1) i16 pairs and one dot_i16x8 per 4 pixels takes the
// channel's (w_k, w_k+1) pair (wp: one i32 per channel and pair; an odd K's last pair has w = 0).
@inline
function step8(R: i32, P: i32, xr: usize, offs: usize, wp: usize, P_: usize, bias: usize, o: i32, mult: usize, shift: usize, out_zp: i32, qmin: i32, qmax: i32, yp: usize, ystride: usize): void {
  let a0 = i32x4.splat(0), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0, d1 = a0;
  for (let q = 0; q < P; q++) {
    const ob = offs + (<usize>q << 3);
    const vx0 = v128.load(xr + <usize>load<u32>(ob));
    const vx1 = v128.load(xr + <usize>load<u32>(ob, 4));
    const vlo = i16x8.shuffle(vx0, vx1, 0, 8, 1, 9, 2, 10, 3, 11);
    const vhi = i16x8.shuffle(vx0, vx1, 4, 12, 5, 13, 6, 14, 7, 15);
    const wq = wp + (<usize>q << 2);
    const wa = v128.load32_splat(wq);
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(vlo, wa));
    a1 = i32x4.add(a1, i32x4.dot_i16x8_s(vhi, wa));
    if (R == 4) {
      const wb = v128.load32_splat(wq + (P_ << 2));
      b0 = i32x4.add(b0, i32x4.dot_i16x8_s(vlo, wb));
      b1 = i32x4.add(b1, i32x4.dot_i16x8_s(vhi, wb));
      const wc = v128.load32_splat(wq + (P_ << 3));
      c0 = i32x4.add(c0, i32x4.dot_i16x8_s(vlo, wc));
      c1 = i32x4.add(c1, i32x4.dot_i16x8_s(vhi, wc));
      const wd = v128.load32_splat(wq + 12 * P_);
      d0 = i32x4.add(d0, i32x4.dot_i16x8_s(vlo, wd));
      d1 = i32x4.add(d1, i32x4.dot_i16x8_s(vhi, wd));
    }
  }
  const bo = bias + (<usize>o << 2);
  const mo = mult + (<usize>o << 2);
  const so = shift + (<usize>o << 2);
  let vbias = i32x4.splat(load<i32>(bo));
  store8(i32x4.add(a0, vbias), i32x4.add(a1, vbias), load<i32>(mo), load<i32>(so), out_zp, qmin, qmax, yp);
  if (R == 4) {
    vbias = i32x4.splat(load<i32>(bo, 4));
    store8(i32x4.add(b0, vbias), i32x4.add(b1, vbias), load<i32>(mo, 4), load<i32>(so, 4), out_zp, qmin, qmax, yp + ystride);
    vbias = i32x4.splat(load<i32>(bo, 8));
    store8(i32x4.add(c0, vbias), i32x4.add(c1, vbias), load<i32>(mo, 8), load<i32>(so, 8), out_zp, qmin, qmax, yp + 2 * ystride);
    vbias = i32x4.splat(load<i32>(bo, 12));
    store8(i32x4.add(d0, vbias), i32x4.add(d1, vbias), load<i32>(mo, 12), load<i32>(so, 12), out_zp, qmin, qmax, yp + 3 * ystride);
  }
}

// 4 requantized outputs of one channel from va as bytes at yp.
@inline
function store4(va: v128, m: i32, s: i32, out_zp: i32, qmin: i32, qmax: i32, yp: usize): void {
  const ra = rdbpot_x4(srdhm_x4(va, i32x4.splat(m), m), s);
  const v16 = i16x8.add_sat_s(i16x8.narrow_i32x4_s(ra, ra), i16x8.splat(<i16>out_zp));
  const v8 = i8x16.min_s(i8x16.max_s(i8x16.narrow_i16x8_s(v16, v16), i8x16.splat(<i8>qmin)), i8x16.splat(<i8>qmax));
  v128.store32_lane(yp, v8, 0);
}

// As step8 for outputs ox..ox+3 (the low halves; the row's padding keeps the loads inside).
@inline
function step4(R: i32, P: i32, xr: usize, offs: usize, wp: usize, P_: usize, bias: usize, o: i32, mult: usize, shift: usize, out_zp: i32, qmin: i32, qmax: i32, yp: usize, ystride: usize): void {
  let a0 = i32x4.splat(0), b0 = a0, c0 = a0, d0 = a0;
  for (let q = 0; q < P; q++) {
    const ob = offs + (<usize>q << 3);
    const vlo = i16x8.shuffle(v128.load64_zero(xr + <usize>load<u32>(ob)), v128.load64_zero(xr + <usize>load<u32>(ob, 4)), 0, 8, 1, 9, 2, 10, 3, 11);
    const wq = wp + (<usize>q << 2);
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(vlo, v128.load32_splat(wq)));
    if (R == 4) {
      b0 = i32x4.add(b0, i32x4.dot_i16x8_s(vlo, v128.load32_splat(wq + (P_ << 2))));
      c0 = i32x4.add(c0, i32x4.dot_i16x8_s(vlo, v128.load32_splat(wq + (P_ << 3))));
      d0 = i32x4.add(d0, i32x4.dot_i16x8_s(vlo, v128.load32_splat(wq + 12 * P_)));
    }
  }
  const bo = bias + (<usize>o << 2);
  const mo = mult + (<usize>o << 2);
  const so = shift + (<usize>o << 2);
  store4(i32x4.add(a0, i32x4.splat(load<i32>(bo))), load<i32>(mo), load<i32>(so), out_zp, qmin, qmax, yp);
  if (R == 4) {
    store4(i32x4.add(b0, i32x4.splat(load<i32>(bo, 4))), load<i32>(mo, 4), load<i32>(so, 4), out_zp, qmin, qmax, yp + ystride);
    store4(i32x4.add(c0, i32x4.splat(load<i32>(bo, 8))), load<i32>(mo, 8), load<i32>(so, 8), out_zp, qmin, qmax, yp + 2 * ystride);
    store4(i32x4.add(d0, i32x4.splat(load<i32>(bo, 12))), load<i32>(mo, 12), load<i32>(so, 12), out_zp, qmin, qmax, yp + 3 * ystride);
  }
}

/**
 * x: i8 [n, c, h, w] with zero point x_zp; wq: i8 [oc, c·kh·kw] and wpairs its qs8_conv2d_direct_pack
 * form; bias, multiplier, shift: i32 [oc];
 * y: i8 [n, oc, oh, ow]. Nothing is done for bad sizes or an empty output.
 */
export function qs8_conv2d_direct(
  n: i32, c: i32, h: i32, w: i32, oc: i32, kh: i32, kw: i32, ph: i32, pw: i32,
  x: usize, x_zp: i32, wq: usize, wpairs: usize, bias: usize, y: usize, multiplier: usize, shift: usize,
  out_zp: i32, qmin: i32, qmax: i32, workspace: usize,
): void {
  const g = direct_geometry(n, c, h, w, oc, kh, kw, ph, pw, 1, workspace);
  if (g == null) return;
  const oh = g.oh, ow = g.ow, K = g.K, planeP = g.planeBytes, rowP = g.rowBytes, offs = g.offs;
  if (K & 1) store<u32>(offs + (<usize>K << 2), load<u32>(offs + (<usize>(K - 1) << 2)));
  const P = (K + 1) >> 1;
  const P_ = <usize>P;
  const ow8 = ow & ~7;
  const ow4 = ow & ~3;
  const K_ = <usize>K;
  const ystride = <usize>oh * <usize>ow;
  for (let b = 0; b < n; b++) {
    // x − x_zp of image b as i16, zero-padded.
    memory.fill(workspace, 0, <usize>c * planeP);
    const xb = x + <usize>b * <usize>c * <usize>h * <usize>w;
    for (let ci = 0; ci < c; ci++) {
      for (let iy = 0; iy < h; iy++) {
        const src = xb + (<usize>ci * <usize>h + <usize>iy) * <usize>w;
        const dst = workspace + <usize>ci * planeP + <usize>(iy + ph) * rowP + (<usize>pw << 1);
        for (let ix = 0; ix < w; ix++) store<i16>(dst + (<usize>ix << 1), <i16>(<i32>load<i8>(src + <usize>ix) - x_zp));
      }
    }
    const yb = y + <usize>b * <usize>oc * ystride;
    for (let o = 0; o < oc; o++) {
      const R = o + 4 <= oc && (o & 3) == 0 ? 4 : 1;
      const wo = wq + <usize>o * K_;
      for (let oy = 0; oy < oh; oy++) {
        const yr = yb + <usize>o * ystride + <usize>oy * <usize>ow;
        const xr = workspace + <usize>oy * rowP;
        const wpo = wpairs + (<usize>o * P_ << 2);
        for (let ox = 0; ox < ow8; ox += 8) step8(R, P, xr + (<usize>ox << 1), offs, wpo, P_, bias, o, multiplier, shift, out_zp, qmin, qmax, yr + <usize>ox, ystride);
        if (ow4 > ow8) step4(R, P, xr + (<usize>ow8 << 1), offs, wpo, P_, bias, o, multiplier, shift, out_zp, qmin, qmax, yr + <usize>ow8, ystride);
        // The row's last outputs, one at a time, for the R channels.
        for (let r = 0; r < R; r++) {
          const wr = wo + <usize>r * K_;
          const oo = <usize>(o + r) << 2;
          for (let ox = ow4; ox < ow; ox++) {
            const xo = xr + (<usize>ox << 1);
            let acc = load<i32>(bias + oo);
            for (let k = 0; k < K; k++) acc += <i32>load<i8>(wr + <usize>k) * <i32>load<i16>(xo + <usize>load<u32>(offs + (<usize>k << 2)));
            store<i8>(yr + <usize>r * ystride + <usize>ox, <i8>requant_i32(acc, load<i32>(multiplier + oo), load<i32>(shift + oo), out_zp, qmin, qmax));
          }
        }
      }
      if (R == 4) o += 3;
    }
  }
}
