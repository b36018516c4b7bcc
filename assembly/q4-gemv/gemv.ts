// q4 GEMV / GEMM with int8 activations: y[i,j] = Σ_g (f32(D_ijg)·(sw[j,g]·d_ig)) + bias[j], with
//   D_ijg = Σ_{p in g} (nib[j,p] − 8)·xq[i,p] (exact int32) and xq, d from quantize.ts (per call).
// f32 steps in this order, each rounded: s = sw·d, t = f32(D)·s, acc += t over g = 0.., y = acc + bias
// (bit-identical to q4GemmF32Ref in src/quant/qkernels-ref.ts).
//   x: f32 [m, k], zero-padded (in the workspace) to kp = k rounded up to whole groups;
//   bias: f32 [n] or 0; y: f32 [m, n]; contract: group % 32 == 0 (32, 64, 128).
//   w4, scales: q4PackWeights layout for kp inputs, rows in panels of 4 (n rounded up to 4; padding 0):
//   w4: panel q, block b (inputs 32b..32b+31): 4 rows x 16 bytes at (q·kp/32 + b)·64 + r·16, u16 lane t
//       of a row holding nibble s (bits 4s..4s+3) = q[32b + 8s + t] + 8;
//   scales: panel q, group g: 4 f32 (rows 4q..4q+3) at (q·kp/group + g)·16.
//   workspace: q4_workspace_bytes(m, k, group).
// One and/shift per 8 weights unpacks them straight into i16 lanes for i32x4.dot_i16x8_s against xq.

import { q4_padded_k, q4_quantize_row, q4_row_bytes } from "./quantize";
import { reduce_4x4_i32 } from "../i32-lanes";

export function q4_workspace_bytes(m: i32, k: i32, group: i32): i32 {
  return <i32>q4_row_bytes(q4_padded_k(max(k, 0), group), group) * max(m, 1) + (group << 2);
}

// Σ over 32 inputs of row r's block (16 bytes at w) · xq (vx0..vx3: inputs 0-7, 8-15, 16-23, 24-31).
@inline
function dot32(vw: v128, vmask: v128, vx0: v128, vx1: v128, vx2: v128, vx3: v128): v128 {
  const vp01 = i32x4.add(i32x4.dot_i16x8_s(v128.and(vw, vmask), vx0), i32x4.dot_i16x8_s(v128.and(i16x8.shr_u(vw, 4), vmask), vx1));
  const vp23 = i32x4.add(i32x4.dot_i16x8_s(v128.and(i16x8.shr_u(vw, 8), vmask), vx2), i32x4.dot_i16x8_s(i16x8.shr_u(vw, 12), vx3));
  return i32x4.add(vp01, vp23);
}

// y lanes (4 rows of one panel) for one quantized x row xr. Not inlined: V8 allocates registers
// better in a small function (inlined into the loops, it spilled the accumulators).
function panel_dot(kp: i32, group: i32, xr: usize, w: usize, s: usize, vmask: v128): v128 {
  const ngroups = kp / group;
  const blocks = group >> 5;
  let gp = xr + (<usize>kp << 1);
  let xp = xr;
  let vy = f32x4.splat(0);
  for (let g = 0; g < ngroups; g++) {
    // The group's first 32-input block starts the sums, the others add to them.
    let vx0 = v128.load(xp);
    let vx1 = v128.load(xp, 16);
    let vx2 = v128.load(xp, 32);
    let vx3 = v128.load(xp, 48);
    let vacc0 = dot32(v128.load(w), vmask, vx0, vx1, vx2, vx3);
    let vacc1 = dot32(v128.load(w, 16), vmask, vx0, vx1, vx2, vx3);
    let vacc2 = dot32(v128.load(w, 32), vmask, vx0, vx1, vx2, vx3);
    let vacc3 = dot32(v128.load(w, 48), vmask, vx0, vx1, vx2, vx3);
    w += 64;
    xp += 64;
    for (let b = 1; b < blocks; b++) {
      vx0 = v128.load(xp);
      vx1 = v128.load(xp, 16);
      vx2 = v128.load(xp, 32);
      vx3 = v128.load(xp, 48);
      vacc0 = i32x4.add(vacc0, dot32(v128.load(w), vmask, vx0, vx1, vx2, vx3));
      vacc1 = i32x4.add(vacc1, dot32(v128.load(w, 16), vmask, vx0, vx1, vx2, vx3));
      vacc2 = i32x4.add(vacc2, dot32(v128.load(w, 32), vmask, vx0, vx1, vx2, vx3));
      vacc3 = i32x4.add(vacc3, dot32(v128.load(w, 48), vmask, vx0, vx1, vx2, vx3));
      w += 64;
      xp += 64;
    }
    const vd = i32x4.add(reduce_4x4_i32(vacc0, vacc1, vacc2, vacc3), v128.load32_splat(gp, 4));
    const vs = f32x4.mul(v128.load(s), v128.load32_splat(gp));
    vy = f32x4.add(vy, f32x4.mul(f32x4.convert_i32x4_s(vd), vs));
    s += 16;
    gp += 8;
  }
  return vy;
}

export function q4_gemm_f32(m: i32, n: i32, k: i32, group: i32, x: usize, w4: usize, scales: usize, bias: usize, y: usize, workspace: usize): void {
  if (m <= 0 || n <= 0) return;
  k = max(k, 0);
  const kp = q4_padded_k(k, group);
  const row_bytes = q4_row_bytes(kp, group);
  const tail = workspace + <usize>m * row_bytes;
  for (let i = 0; i < m; i++) q4_quantize_row(k, kp, group, x + <usize>i * (<usize>k << 2), workspace + <usize>i * row_bytes, tail);
  const vmask = i16x8.splat(15);
  const panel_w = <usize>kp << 1;
  const panel_s = <usize>(kp / group) << 4;
  const yld = <usize>n << 2;
  for (let j = 0; j < n; j += 4) {
    const w = w4 + (<usize>j >> 2) * panel_w;
    const s = scales + (<usize>j >> 2) * panel_s;
    const o = <usize>j << 2;
    const nr = min(4, n - j);
    let vb = f32x4.splat(0);
    if (bias != 0) {
      if (nr == 4) {
        vb = v128.load(bias + o);
      } else {
        vb = v128.load32_lane(bias + o, vb, 0);
        if (nr > 1) vb = v128.load32_lane(bias + o, vb, 1, 4);
        if (nr > 2) vb = v128.load32_lane(bias + o, vb, 2, 8);
      }
    }
    for (let i = 0; i < m; i++) {
      let vy = panel_dot(kp, group, workspace + <usize>i * row_bytes, w, s, vmask);
      if (bias != 0) vy = f32x4.add(vy, vb);
      const yo = y + <usize>i * yld + o;
      if (nr == 4) {
        v128.store(yo, vy);
      } else {
        v128.store32_lane(yo, vy, 0);
        if (nr > 1) v128.store32_lane(yo, vy, 1, 4);
        if (nr > 2) v128.store32_lane(yo, vy, 2, 8);
      }
    }
  }
}

export function q4_gemv_f32(n: i32, k: i32, group: i32, x: usize, w4: usize, scales: usize, bias: usize, y: usize, workspace: usize): void {
  q4_gemm_f32(1, n, k, group, x, w4, scales, bias, y, workspace);
}
