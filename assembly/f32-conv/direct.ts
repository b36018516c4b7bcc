// Direct convolution for layers with few taps per output (K = c·kh·kw small: a CNN's first layer on
// 1-3 channels), stride 1 and dilation 1: y [n, oc, oh, ow] (NCHW) =
//   clamp(Σ_k w[o, k]·x_pad[ci, oy + ky, ox + kx] + bias[o], vmin, vmax),  k = (ci·kh + ky)·kw + kx,
// summed from +0 in ascending k, then + bias, then clamped: the order of f32_gemm on im2col's
// columns, so the bits equal conv2d's GEMM path. x_pad is each image copied into the workspace
// with ph/pw zero rows and columns (f32_conv2d_direct_workspace_bytes); a step is 8 outputs of 4
// channels (each 8-pixel load feeds 4 weight splats), then 4 outputs, then one at a time. There the
// GEMM's tiles carried little work: k = 9, 1→32 channels on 28×28, 39–58 µs against 18 µs here.

import { direct_geometry, paddedImageBytes } from "../conv-taps";

// Workspace: the padded image, then one u32 offset per tap (K of them).
export function f32_conv2d_direct_workspace_bytes(c: i32, h: i32, w: i32, ph: i32, pw: i32, kh: i32, kw: i32): usize {
  return paddedImageBytes(c, h, w, ph, pw, 2) + (<usize>max(c, 0) * <usize>max(kh, 0) * <usize>max(kw, 0) << 2);
}

// Outputs ox..ox+7 of row xr for the R = 1 or 4 channels whose weights start at wo (row stride K
// floats): per tap one splat per channel times two 4-pixel loads shared by the channels.
@inline
function step8(R: i32, K: i32, xr: usize, offs: usize, wo: usize, kstride: usize, vb: v128, vlo: v128, vhi: v128, yr: usize, ystride: usize): void {
  let a0 = f32x4.splat(0);
  let a1 = a0;
  let b0 = a0;
  let b1 = a0;
  let c0 = a0;
  let c1 = a0;
  let d0 = a0;
  let d1 = a0;
  for (let k = 0; k < K; k++) {
    const q = xr + <usize>load<u32>(offs + (<usize>k << 2));
    const vx0 = v128.load(q);
    const vx1 = v128.load(q, 16);
    const wk = wo + (<usize>k << 2);
    const va = v128.load32_splat(wk);
    a0 = f32x4.add(a0, f32x4.mul(va, vx0));
    a1 = f32x4.add(a1, f32x4.mul(va, vx1));
    if (R == 4) {
      const vb_ = v128.load32_splat(wk + kstride);
      b0 = f32x4.add(b0, f32x4.mul(vb_, vx0));
      b1 = f32x4.add(b1, f32x4.mul(vb_, vx1));
      const vc = v128.load32_splat(wk + 2 * kstride);
      c0 = f32x4.add(c0, f32x4.mul(vc, vx0));
      c1 = f32x4.add(c1, f32x4.mul(vc, vx1));
      const vd = v128.load32_splat(wk + 3 * kstride);
      d0 = f32x4.add(d0, f32x4.mul(vd, vx0));
      d1 = f32x4.add(d1, f32x4.mul(vd, vx1));
    }
  }
  // + bias (lane j of vb: channel j), then clamp.
  v128.store(yr, f32x4.min(f32x4.max(f32x4.add(a0, f32x4.splat(f32x4.extract_lane(vb, 0))), vlo), vhi));
  v128.store(yr, f32x4.min(f32x4.max(f32x4.add(a1, f32x4.splat(f32x4.extract_lane(vb, 0))), vlo), vhi), 16);
  if (R == 4) {
    const y1 = yr + ystride;
    const y2 = y1 + ystride;
    const y3 = y2 + ystride;
    v128.store(y1, f32x4.min(f32x4.max(f32x4.add(b0, f32x4.splat(f32x4.extract_lane(vb, 1))), vlo), vhi));
    v128.store(y1, f32x4.min(f32x4.max(f32x4.add(b1, f32x4.splat(f32x4.extract_lane(vb, 1))), vlo), vhi), 16);
    v128.store(y2, f32x4.min(f32x4.max(f32x4.add(c0, f32x4.splat(f32x4.extract_lane(vb, 2))), vlo), vhi));
    v128.store(y2, f32x4.min(f32x4.max(f32x4.add(c1, f32x4.splat(f32x4.extract_lane(vb, 2))), vlo), vhi), 16);
    v128.store(y3, f32x4.min(f32x4.max(f32x4.add(d0, f32x4.splat(f32x4.extract_lane(vb, 3))), vlo), vhi));
    v128.store(y3, f32x4.min(f32x4.max(f32x4.add(d1, f32x4.splat(f32x4.extract_lane(vb, 3))), vlo), vhi), 16);
  }
}

// Outputs ox..ox+3 as step8, one 4-pixel load per tap.
@inline
function step4(R: i32, K: i32, xr: usize, offs: usize, wo: usize, kstride: usize, vb: v128, vlo: v128, vhi: v128, yr: usize, ystride: usize): void {
  let a0 = f32x4.splat(0);
  let b0 = a0;
  let c0 = a0;
  let d0 = a0;
  for (let k = 0; k < K; k++) {
    const vx0 = v128.load(xr + <usize>load<u32>(offs + (<usize>k << 2)));
    const wk = wo + (<usize>k << 2);
    a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(wk), vx0));
    if (R == 4) {
      b0 = f32x4.add(b0, f32x4.mul(v128.load32_splat(wk + kstride), vx0));
      c0 = f32x4.add(c0, f32x4.mul(v128.load32_splat(wk + 2 * kstride), vx0));
      d0 = f32x4.add(d0, f32x4.mul(v128.load32_splat(wk + 3 * kstride), vx0));
    }
  }
  v128.store(yr, f32x4.min(f32x4.max(f32x4.add(a0, f32x4.splat(f32x4.extract_lane(vb, 0))), vlo), vhi));
  if (R == 4) {
    v128.store(yr + ystride, f32x4.min(f32x4.max(f32x4.add(b0, f32x4.splat(f32x4.extract_lane(vb, 1))), vlo), vhi));
    v128.store(yr + 2 * ystride, f32x4.min(f32x4.max(f32x4.add(c0, f32x4.splat(f32x4.extract_lane(vb, 2))), vlo), vhi));
    v128.store(yr + 3 * ystride, f32x4.min(f32x4.max(f32x4.add(d0, f32x4.splat(f32x4.extract_lane(vb, 3))), vlo), vhi));
  }
}

export function f32_conv2d_direct(
  n: i32, c: i32, h: i32, w: i32, oc: i32, kh: i32, kw: i32, ph: i32, pw: i32,
  x: usize, wt: usize, bias: usize, y: usize, workspace: usize, vmin: f32, vmax: f32,
): void {
  const g = direct_geometry(n, c, h, w, oc, kh, kw, ph, pw, 2, workspace);
  if (g == null) return;
  const oh = g.oh, ow = g.ow, K = g.K, planeP = g.planeBytes, rowP = g.rowBytes, offs = g.offs;
  const vlo = f32x4.splat(vmin);
  const vhi = f32x4.splat(vmax);
  const ow8 = ow & ~7;
  const ow4 = ow & ~3;
  const kstride = <usize>K << 2;
  const ystride = <usize>oh * <usize>ow << 2;
  for (let b = 0; b < n; b++) {
    // The zero-padded copy of image b.
    memory.fill(workspace, 0, <usize>c * planeP);
    const xb = x + (<usize>b * <usize>c * <usize>h * <usize>w << 2);
    for (let ci = 0; ci < c; ci++) {
      for (let iy = 0; iy < h; iy++) {
        memory.copy(workspace + <usize>ci * planeP + <usize>(iy + ph) * rowP + (<usize>pw << 2), xb + ((<usize>ci * <usize>h + <usize>iy) * <usize>w << 2), <usize>w << 2);
      }
    }
    const yb = y + (<usize>b * <usize>oc * <usize>oh * <usize>ow << 2);
    let o = 0;
    for (; o < oc; o += 4) {
      const R = oc - o >= 4 ? 4 : 1;
      if (R == 1) break;
      const wo = wt + (<usize>o * <usize>K << 2);
      let vb = f32x4.splat(0);
      if (bias != 0) vb = v128.load(bias + (<usize>o << 2));
      for (let oy = 0; oy < oh; oy++) {
        const yr = yb + ((<usize>o * <usize>oh + <usize>oy) * <usize>ow << 2);
        const xr = workspace + <usize>oy * rowP;
        for (let ox = 0; ox < ow8; ox += 8) step8(4, K, xr + (<usize>ox << 2), offs, wo, kstride, vb, vlo, vhi, yr + (<usize>ox << 2), ystride);
        if (ow4 > ow8) step4(4, K, xr + (<usize>ow8 << 2), offs, wo, kstride, vb, vlo, vhi, yr + (<usize>ow8 << 2), ystride);
        for (let j = 0; j < 4; j++) tail(ow4, ow, K, xr, offs, wo + <usize>j * kstride, bias != 0 ? load<f32>(bias + (<usize>(o + j) << 2)) : 0, vmin, vmax, yr + <usize>j * ystride);
      }
    }
    for (; o < oc; o++) {
      const wo = wt + (<usize>o * <usize>K << 2);
      const b0: f32 = bias != 0 ? load<f32>(bias + (<usize>o << 2)) : 0;
      const vb = f32x4.splat(b0);
      for (let oy = 0; oy < oh; oy++) {
        const yr = yb + ((<usize>o * <usize>oh + <usize>oy) * <usize>ow << 2);
        const xr = workspace + <usize>oy * rowP;
        for (let ox = 0; ox < ow8; ox += 8) step8(1, K, xr + (<usize>ox << 2), offs, wo, kstride, vb, vlo, vhi, yr + (<usize>ox << 2), ystride);
        if (ow4 > ow8) step4(1, K, xr + (<usize>ow8 << 2), offs, wo, kstride, vb, vlo, vhi, yr + (<usize>ow8 << 2), ystride);
        tail(ow4, ow, K, xr, offs, wo, b0, vmin, vmax, yr);
      }
    }
  }
}

// Outputs [ox0, ow) of one channel's row, one at a time: the same ops on one lane (a sum from +0 in
// k order, + bias, max, min).
@inline
function tail(ox0: i32, ow: i32, K: i32, xr: usize, offs: usize, wo: usize, b: f32, vmin: f32, vmax: f32, yr: usize): void {
  for (let ox = ox0; ox < ow; ox++) {
    const xo = xr + (<usize>ox << 2);
    let vacc = f32x4.splat(0);
    for (let k = 0; k < K; k++) {
      vacc = f32x4.add(vacc, f32x4.mul(v128.load32_splat(wo + (<usize>k << 2)), v128.load32_splat(xo + <usize>load<u32>(offs + (<usize>k << 2)))));
    }
    const v = f32x4.min(f32x4.max(f32x4.add(vacc, f32x4.splat(b)), f32x4.splat(vmin)), f32x4.splat(vmax));
    store<f32>(yr + (<usize>ox << 2), f32x4.extract_lane(v, 0));
  }
}
