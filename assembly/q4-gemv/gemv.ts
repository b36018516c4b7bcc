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

// From this many x rows on, each 4-row panel is unpacked once into i16 (8·kp bytes of workspace) and
// every row's dots read it, two rows per pass sharing each weight load: unpacking per row cost 6 of its
// 14 vector instructions per 32 inputs. A 300×784 layer against our f32 GEMM (same run): batch 64,
// g32 / g128 0.87× / 0.92× → 1.00–1.05× / 1.17–1.23×; batch 256, 0.84× / 0.89× → 0.96–1.00× / 1.13–1.20×.
// What is left at g32 is the per-group epilogue (lane reduction, convert, scale: about 15 instructions
// per row and group against 32 for the group's dots).
const UNPACK_ROWS: i32 = 2;

export function q4_workspace_bytes(m: i32, k: i32, group: i32): i32 {
  const kp = q4_padded_k(max(k, 0), group);
  return <i32>q4_row_bytes(kp, group) * max(m, 1) + (group << 2) + (m >= UNPACK_ROWS ? (kp << 3) + 16 : 0);
}

// Σ over 32 inputs of row r's block (16 bytes at w) · xq (vx0..vx3: inputs 0-7, 8-15, 16-23, 24-31).
@inline
function dot32(vw: v128, vmask: v128, vx0: v128, vx1: v128, vx2: v128, vx3: v128): v128 {
  const vp01 = i32x4.add(i32x4.dot_i16x8_s(v128.and(vw, vmask), vx0), i32x4.dot_i16x8_s(v128.and(i16x8.shr_u(vw, 4), vmask), vx1));
  const vp23 = i32x4.add(i32x4.dot_i16x8_s(v128.and(i16x8.shr_u(vw, 8), vmask), vx2), i32x4.dot_i16x8_s(i16x8.shr_u(vw, 12), vx3));
  return i32x4.add(vp01, vp23);
}

// vy + the group's 4 rows: D = Σ lanes of each row's sums + corr, then f32(D)·(sw·d) (gp: the x row's
// d and corr for the group, s: the rows' 4 scales).
@inline
function group_end(vy: v128, vacc0: v128, vacc1: v128, vacc2: v128, vacc3: v128, gp: usize, s: usize): v128 {
  const vd = i32x4.add(reduce_4x4_i32(vacc0, vacc1, vacc2, vacc3), v128.load32_splat(gp, 4));
  return f32x4.add(vy, f32x4.mul(f32x4.convert_i32x4_s(vd), f32x4.mul(v128.load(s), v128.load32_splat(gp))));
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
    vy = group_end(vy, vacc0, vacc1, vacc2, vacc3, gp, s);
    s += 16;
    gp += 8;
  }
  return vy;
}

// Panel w (4 rows, kp inputs, the packed layout above) as i16 weights + 8 at u: the 8-input step
// t = 4b + s (block b, nibble s) holds rows 0..3's 8 lanes at u + (4t + r)·16.
function unpack_panel(kp: i32, w: usize, u: usize, vmask: v128): void {
  const blocks = kp >> 5;
  for (let b = 0; b < blocks; b++) {
    for (let r = 0; r < 4; r++) {
      const vw = v128.load(w + (<usize>r << 4));
      const d = u + (<usize>r << 4);
      v128.store(d, v128.and(vw, vmask));
      v128.store(d, v128.and(i16x8.shr_u(vw, 4), vmask), 64);
      v128.store(d, v128.and(i16x8.shr_u(vw, 8), vmask), 128);
      v128.store(d, i16x8.shr_u(vw, 12), 192);
    }
    w += 64;
    u += 256;
  }
}

// panel_dot over an unpacked panel (unpack_panel): the same integer sums per group, so the same bits.
function panel_dot_unpacked(kp: i32, group: i32, xr: usize, u: usize, s: usize): v128 {
  const ngroups = kp / group;
  const steps = group >> 3;
  let gp = xr + (<usize>kp << 1);
  let xp = xr;
  let vy = f32x4.splat(0);
  for (let g = 0; g < ngroups; g++) {
    let vacc0 = i32x4.splat(0);
    let vacc1 = vacc0;
    let vacc2 = vacc0;
    let vacc3 = vacc0;
    for (let t = 0; t < steps; t++) {
      const vx = v128.load(xp);
      vacc0 = i32x4.add(vacc0, i32x4.dot_i16x8_s(v128.load(u), vx));
      vacc1 = i32x4.add(vacc1, i32x4.dot_i16x8_s(v128.load(u, 16), vx));
      vacc2 = i32x4.add(vacc2, i32x4.dot_i16x8_s(v128.load(u, 32), vx));
      vacc3 = i32x4.add(vacc3, i32x4.dot_i16x8_s(v128.load(u, 48), vx));
      u += 64;
      xp += 16;
    }
    vy = group_end(vy, vacc0, vacc1, vacc2, vacc3, gp, s);
    s += 16;
    gp += 8;
  }
  return vy;
}

// Two x rows (xr0, xr1) over an unpacked panel at once, each weight load feeding both: their y lanes
// go to PAIR_OUT (row 0) and PAIR_OUT + 16 (row 1). Same sums as panel_dot_unpacked per row.
const PAIR_OUT: usize = memory.data(32, 16);

function panel_dot_unpacked2(kp: i32, group: i32, xr0: usize, xr1: usize, u: usize, s: usize): void {
  const ngroups = kp / group;
  const steps = group >> 3;
  let gp0 = xr0 + (<usize>kp << 1);
  let gp1 = xr1 + (<usize>kp << 1);
  const dx = xr1 - xr0;
  let xp = xr0;
  let vy0 = f32x4.splat(0);
  let vy1 = vy0;
  for (let g = 0; g < ngroups; g++) {
    let va0 = i32x4.splat(0);
    let va1 = va0;
    let va2 = va0;
    let va3 = va0;
    let vb0 = va0;
    let vb1 = va0;
    let vb2 = va0;
    let vb3 = va0;
    for (let t = 0; t < steps; t++) {
      const vx0 = v128.load(xp);
      const vx1 = v128.load(xp + dx);
      const vw0 = v128.load(u);
      va0 = i32x4.add(va0, i32x4.dot_i16x8_s(vw0, vx0));
      vb0 = i32x4.add(vb0, i32x4.dot_i16x8_s(vw0, vx1));
      const vw1 = v128.load(u, 16);
      va1 = i32x4.add(va1, i32x4.dot_i16x8_s(vw1, vx0));
      vb1 = i32x4.add(vb1, i32x4.dot_i16x8_s(vw1, vx1));
      const vw2 = v128.load(u, 32);
      va2 = i32x4.add(va2, i32x4.dot_i16x8_s(vw2, vx0));
      vb2 = i32x4.add(vb2, i32x4.dot_i16x8_s(vw2, vx1));
      const vw3 = v128.load(u, 48);
      va3 = i32x4.add(va3, i32x4.dot_i16x8_s(vw3, vx0));
      vb3 = i32x4.add(vb3, i32x4.dot_i16x8_s(vw3, vx1));
      u += 64;
      xp += 16;
    }
    vy0 = group_end(vy0, va0, va1, va2, va3, gp0, s);
    vy1 = group_end(vy1, vb0, vb1, vb2, vb3, gp1, s);
    s += 16;
    gp0 += 8;
    gp1 += 8;
  }
  v128.store(PAIR_OUT, vy0);
  v128.store(PAIR_OUT, vy1, 16);
}

export function q4_gemm_f32(m: i32, n: i32, k: i32, group: i32, x: usize, w4: usize, scales: usize, bias: usize, y: usize, workspace: usize): void {
  if (m <= 0 || n <= 0) return;
  k = max(k, 0);
  const kp = q4_padded_k(k, group);
  const row_bytes = q4_row_bytes(kp, group);
  const tail = workspace + <usize>m * row_bytes;
  for (let i = 0; i < m; i++) q4_quantize_row(k, kp, group, x + <usize>i * (<usize>k << 2), workspace + <usize>i * row_bytes, tail);
  const vmask = i16x8.splat(15);
  const unpacked = m >= UNPACK_ROWS ? (tail + (<usize>group << 2) + 15) & ~(<usize>15) : 0;
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
    if (unpacked != 0) unpack_panel(kp, w, unpacked, vmask);
    for (let i = 0; i < m; i++) {
      const xr = workspace + <usize>i * row_bytes;
      let vy: v128;
      if (unpacked == 0) vy = panel_dot(kp, group, xr, w, s, vmask);
      else if ((i & 1) == 1) vy = v128.load(PAIR_OUT, 16); // computed with row i − 1
      else if (i + 1 < m) {
        panel_dot_unpacked2(kp, group, xr, xr + row_bytes, unpacked, s);
        vy = v128.load(PAIR_OUT);
      } else vy = panel_dot_unpacked(kp, group, xr, unpacked, s);
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
