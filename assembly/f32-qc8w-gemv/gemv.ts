// Weight-only int8 GEMV (XNNPACK's f32_qc8w): y[j] = (Σ_p x[p]·f32(w[j,p]))·scale[j] + bias[j].
//   x: f32 [k]; w: i8 [n, k] row-major (PyTorch Linear layout, symmetric per output channel);
//   scale: f32 [n]; bias: f32 [n] or 0; y: f32 [n]; vmin/vmax clamp (ReLU: 0, +∞).
// The dot runs in 4 lanes (lane l sums p ≡ l mod 4, p in order) then lanes 0+1+2+3, then the k tail
// in order: a fixed order, so every engine gives the same bits. Weights stream as bytes: memory-bound
// sizes move 4× fewer bytes than f32. Two rows share each activation load.

import { f32_gemm, f32_gemm_workspace_bytes } from "../f32-gemm/gemm";
import { W_I8 } from "../f32-gemm/pack";

@inline
function widen_f32(vw: v128, q: i32): v128 {
  // Lanes 4q..4q+3 of 16 int8 weights as f32.
  const v16 = q < 2 ? i16x8.extend_low_i8x16_s(vw) : i16x8.extend_high_i8x16_s(vw);
  return f32x4.convert_i32x4_s((q & 1) == 0 ? i32x4.extend_low_i16x8_s(v16) : i32x4.extend_high_i16x8_s(v16));
}

@inline
function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

@inline
function finish(acc: v128, k16: i32, k: i32, x: usize, row: usize, j: i32, scale: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  let s = hsum(acc);
  for (let p = k16; p < k; p++) s += load<f32>(x + (<usize>p << 2)) * <f32>load<i8>(row + <usize>p);
  let v = s * load<f32>(scale + (<usize>j << 2));
  if (bias) v += load<f32>(bias + (<usize>j << 2));
  store<f32>(y + (<usize>j << 2), min(max(v, vmin), vmax));
}

export function f32_qc8w_gemv(n: i32, k: i32, x: usize, w: usize, scale: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  const k16 = k & ~15;
  const ld = <usize>k;
  let j = 0;
  for (; j + 2 <= n; j += 2) {
    const r0 = w + <usize>j * ld;
    const r1 = r0 + ld;
    let vacc0 = f32x4.splat(0);
    let vacc1 = f32x4.splat(0);
    for (let p = 0; p < k16; p += 16) {
      const px = x + (<usize>p << 2);
      const vw0 = v128.load(r0 + <usize>p);
      const vw1 = v128.load(r1 + <usize>p);
      const vx0 = v128.load(px);
      const vx1 = v128.load(px, 16);
      const vx2 = v128.load(px, 32);
      const vx3 = v128.load(px, 48);
      vacc0 = f32x4.add(vacc0, f32x4.mul(vx0, widen_f32(vw0, 0)));
      vacc1 = f32x4.add(vacc1, f32x4.mul(vx0, widen_f32(vw1, 0)));
      vacc0 = f32x4.add(vacc0, f32x4.mul(vx1, widen_f32(vw0, 1)));
      vacc1 = f32x4.add(vacc1, f32x4.mul(vx1, widen_f32(vw1, 1)));
      vacc0 = f32x4.add(vacc0, f32x4.mul(vx2, widen_f32(vw0, 2)));
      vacc1 = f32x4.add(vacc1, f32x4.mul(vx2, widen_f32(vw1, 2)));
      vacc0 = f32x4.add(vacc0, f32x4.mul(vx3, widen_f32(vw0, 3)));
      vacc1 = f32x4.add(vacc1, f32x4.mul(vx3, widen_f32(vw1, 3)));
    }
    finish(vacc0, k16, k, x, r0, j, scale, bias, y, vmin, vmax);
    finish(vacc1, k16, k, x, r1, j + 1, scale, bias, y, vmin, vmax);
  }
  for (; j < n; j++) {
    const r0 = w + <usize>j * ld;
    let vacc0 = f32x4.splat(0);
    for (let p = 0; p < k16; p += 16) {
      const px = x + (<usize>p << 2);
      const vw0 = v128.load(r0 + <usize>p);
      vacc0 = f32x4.add(vacc0, f32x4.mul(v128.load(px), widen_f32(vw0, 0)));
      vacc0 = f32x4.add(vacc0, f32x4.mul(v128.load(px, 16), widen_f32(vw0, 1)));
      vacc0 = f32x4.add(vacc0, f32x4.mul(v128.load(px, 32), widen_f32(vw0, 2)));
      vacc0 = f32x4.add(vacc0, f32x4.mul(v128.load(px, 48), widen_f32(vw0, 3)));
    }
    finish(vacc0, k16, k, x, r0, j, scale, bias, y, vmin, vmax);
  }
}

/** Workspace of f32_qc8w_gemm: 0 below 4 rows, else f32_gemm's. */
export function f32_qc8w_gemm_workspace_bytes(m: i32, n: i32, k: i32): i32 {
  return m < 4 ? 0 : f32_gemm_workspace_bytes(m, n, k);
}

/**
 * Batch m: x [m, k] into y [m, n]. Below 4 rows, f32_qc8w_gemv row by row; from 4, f32_gemm with the
 * int8 weights widened to f32 as its panels are packed (trans_b 3): each y[i, j] is the sequential
 * f32 sum Σ_p x[i,p]·f32(w[j,p]), then ·scale[j], + bias[j], clamped (f32Qc8wGemmRef). The weights
 * are widened once per call, not once per row.
 */
export function f32_qc8w_gemm(m: i32, n: i32, k: i32, x: usize, w: usize, scale: usize, bias: usize, y: usize, workspace: usize, vmin: f32, vmax: f32): void {
  if (m <= 0 || n <= 0) return;
  k = max(k, 0);
  const ldx = <usize>k << 2;
  const ldy = <usize>n << 2;
  if (m < 4) {
    for (let i = 0; i < m; i++) f32_qc8w_gemv(n, k, x + <usize>i * ldx, w, scale, bias, y + <usize>i * ldy, vmin, vmax);
    return;
  }
  f32_gemm(m, n, k, x, k, 0, w, k, W_I8, 0, y, n, workspace, -Infinity, Infinity);
  const vmin4 = f32x4.splat(vmin);
  const vmax4 = f32x4.splat(vmax);
  for (let i = 0; i < m; i++) {
    const row = y + <usize>i * ldy;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const o = <usize>j << 2;
      let vy = f32x4.mul(v128.load(row + o), v128.load(scale + o));
      if (bias != 0) vy = f32x4.add(vy, v128.load(bias + o));
      v128.store(row + o, f32x4.min(f32x4.max(vy, vmin4), vmax4));
    }
    for (; j < n; j++) {
      const o = <usize>j << 2;
      let v = load<f32>(row + o) * load<f32>(scale + o);
      if (bias != 0) v += load<f32>(bias + o);
      store<f32>(row + o, min(max(v, vmin), vmax));
    }
  }
}
