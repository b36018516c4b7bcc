// 16-bit-float weight-only GEMV: y[n] = W[n,k] · x[k] + bias[n], W stored as u16 [n, k] row-major
// (IEEE binary16 for f16_gemv_f32, bfloat16 for bf16_gemv_f32); x, bias, y f32; bias may be 0.
// Weights are widened in registers, exactly: a 16-byte load holds 8 weights as 4 u32 lanes
// (w[2t] | w[2t+1] << 16); lane << 16 puts the even weight in the high half, lane & 0xFFFF0000 the
// odd one, and x is split into even/odd lanes once per 8 k for the four rows that share it.
//   bf16: the high half is the f32.
//   f16:  ((t >>s 3) & 0x8FFFE000) is sign | (h & 0x7FFF) << 13; times 2^112 (exact, IEEE) rebiases
//         normals and normalizes subnormals. Exponent 31 (inf/NaN) needs f32 exponent 255 (an OR,
//         keeping the NaN payload): rare in weights, so the loop only tracks max(h << 1), returns
//         NaN for a block of rows that holds one, and any NaN block is recomputed with the full
//         conversion. Same bits as src/io/float16.ts f16BitsToF32Bits.
//   f16, finite weights (f16_gemv_f32_finite: the caller has checked that no weight has exponent 31):
//         the 2^112 moves from the weights to x. raw·(x·2^112) is the same real number as
//         (raw·2^112)·x, so it rounds to the same f32 whenever x·2^112 is exact, i.e. for every x
//         but a finite |x| ≥ 2^16 (one pass over x checks; such an x takes the path above). Per 8
//         weights: 9 vector ops instead of 13 (no rebias multiplies, no exponent-31 tracking): 1.4x
//         at 300x784 and 1024x1024 (bench/dev/f16x.mjs).
// Each row sums in 4 lanes (lane l, per 8-block at p: acc_l += w[p+2l]·x[p+2l] + w[p+2l+1]·x[p+2l+1]),
// then (l0 + l1) + (l2 + l3), + the k % 8 tail summed in order (when there is one), + bias: the fixed
// order of f16GemvRef / bf16GemvRef (src/quant/qkernels-ref.ts), so every engine gives the same bits.

import { lane_sum } from "../f32-lanes";

const V2P112: v128 = i32x4.splat(0x77800000);
const VSIGN_EM: v128 = i32x4.splat(0x8fffe000);
const VABS: v128 = i32x4.splat(0x7fff0000);
const VMAXFINITE: v128 = i32x4.splat(0x7bff0000);
const VEXP: v128 = i32x4.splat(0x7f800000);
const VHIGH: v128 = i32x4.splat(0xffff0000);

// f32 lanes of the 16-bit floats held in the high halves of vt (low halves ignored); f16 without
// `full`: exact except for exponent 31.
@inline
export function widen_high(vt: v128, f16: bool, full: bool): v128 {
  if (!f16) return v128.and(vt, VHIGH);
  const vf = f32x4.mul(v128.and(i32x4.shr_s(vt, 3), VSIGN_EM), V2P112);
  if (!full) return vf;
  return v128.or(vf, v128.and(i32x4.gt_s(v128.and(vt, VABS), VMAXFINITE), VEXP));
}

@inline
function widen_scalar(h: i32, f16: bool): f32 {
  const t = h << 16;
  if (!f16) return reinterpret<f32>(t);
  let f = reinterpret<f32>((t >> 3) & 0x8fffe000) * reinterpret<f32>(0x77800000);
  return (t & 0x7fff0000) > 0x7bff0000 ? reinterpret<f32>(reinterpret<i32>(f) | 0x7f800000) : f;
}

// Σ over the 8 weights in vw of w·x; vxe, vxo: x at the even / odd positions. scaled (f16 only):
// x is x·2^112 and the weights stay 2^112 too small (no rebias multiply).
@inline
function dot8(vw: v128, vxe: v128, vxo: v128, f16: bool, full: bool, scaled: bool): v128 {
  if (scaled) return f32x4.add(f32x4.mul(v128.and(i32x4.shr_s(i32x4.shl(vw, 16), 3), VSIGN_EM), vxe), f32x4.mul(v128.and(i32x4.shr_s(vw, 3), VSIGN_EM), vxo));
  return f32x4.add(f32x4.mul(widen_high(i32x4.shl(vw, 16), f16, full), vxe), f32x4.mul(widen_high(vw, f16, full), vxo));
}

// No finite x[0..count) with |x| ≥ 2^16 (so x·2^112 is exact for all of them); count % 4 == 0.
function x_scalable(count: i32, x: usize): bool {
  let vbad = i32x4.splat(0);
  const vabs = i32x4.splat(0x7fffffff);
  for (let p = 0; p < count; p += 4) {
    const va = v128.and(v128.load(x + (<usize>p << 2)), vabs);
    vbad = v128.or(vbad, v128.and(i32x4.gt_s(va, i32x4.splat(0x477fffff)), i32x4.lt_s(va, i32x4.splat(0x7f800000))));
  }
  return !v128.any_true(vbad);
}

// Largest (h << 1) & 0xFFFF seen: ≥ 0xF800 iff some weight has exponent 31.
@inline
function track(vmax: v128, vw: v128): v128 {
  return i16x8.max_u(vmax, i16x8.shl(vw, 1));
}
@inline
function has_inf_nan(vmax: v128): bool {
  return v128.any_true(i16x8.gt_u(vmax, i16x8.splat(<i16>0xf7ff)));
}

@inline
function dot_tail(k0: i32, k: i32, w: usize, x: usize, f16: bool): f32 {
  let s: f32 = 0;
  for (let p = k0; p < k; p++) s += widen_scalar(<i32>load<u16>(w + (<usize>p << 1)), f16) * load<f32>(x + (<usize>p << 2));
  return s;
}

// [Σ v0, Σ v1, Σ v2, Σ v3] (f32 lanes), each as (l0 + l1) + (l2 + l3).
@inline
function reduce_4x4(v0: v128, v1: v128, v2: v128, v3: v128): v128 {
  const v01 = f32x4.add(i32x4.shuffle(v0, v1, 0, 4, 2, 6), i32x4.shuffle(v0, v1, 1, 5, 3, 7));
  const v23 = f32x4.add(i32x4.shuffle(v2, v3, 0, 4, 2, 6), i32x4.shuffle(v2, v3, 1, 5, 3, 7));
  return f32x4.add(i32x4.shuffle(v01, v23, 0, 1, 4, 5), i32x4.shuffle(v01, v23, 2, 3, 6, 7));
}

// Σ_p w[r,p]·x[p] for the 4 rows at w0, w0 + ld, ... (ld bytes), each summed in lanes then pairwise,
// + the scalar tail. f16 && !full: fast conversion, all NaN if a weight has exponent 31. scaled (f16,
// no weight with exponent 31, x checked by x_scalable): x times 2^112 per block, no tracking.
@inline
function rows4(k: i32, x: usize, w0: usize, ld: usize, f16: bool, full: bool, scaled: bool): v128 {
  const k8 = k & ~7;
  const w1 = w0 + ld;
  const w2 = w1 + ld;
  const w3 = w2 + ld;
  let vacc0 = f32x4.splat(0);
  let vacc1 = vacc0;
  let vacc2 = vacc0;
  let vacc3 = vacc0;
  let vmax = i16x8.splat(0);
  for (let p = 0; p < k8; p += 8) {
    const vx0123 = v128.load(x + (<usize>p << 2));
    const vx4567 = v128.load(x + (<usize>p << 2), 16);
    let vxe = i32x4.shuffle(vx0123, vx4567, 0, 2, 4, 6);
    let vxo = i32x4.shuffle(vx0123, vx4567, 1, 3, 5, 7);
    if (scaled) {
      vxe = f32x4.mul(vxe, V2P112);
      vxo = f32x4.mul(vxo, V2P112);
    }
    const o = <usize>p << 1;
    const vw0 = v128.load(w0 + o);
    const vw1 = v128.load(w1 + o);
    const vw2 = v128.load(w2 + o);
    const vw3 = v128.load(w3 + o);
    if (f16 && !full && !scaled) vmax = track(track(vmax, vw0), vw1);
    if (f16 && !full && !scaled) vmax = track(track(vmax, vw2), vw3);
    vacc0 = f32x4.add(vacc0, dot8(vw0, vxe, vxo, f16, full, scaled));
    vacc1 = f32x4.add(vacc1, dot8(vw1, vxe, vxo, f16, full, scaled));
    vacc2 = f32x4.add(vacc2, dot8(vw2, vxe, vxo, f16, full, scaled));
    vacc3 = f32x4.add(vacc3, dot8(vw3, vxe, vxo, f16, full, scaled));
  }
  if (f16 && !full && !scaled && has_inf_nan(vmax)) return f32x4.splat(NaN);
  let vy = reduce_4x4(vacc0, vacc1, vacc2, vacc3);
  if (k8 != k) {
    let vt = f32x4.splat(dot_tail(k8, k, w0, x, f16));
    vt = f32x4.replace_lane(vt, 1, dot_tail(k8, k, w1, x, f16));
    vt = f32x4.replace_lane(vt, 2, dot_tail(k8, k, w2, x, f16));
    vt = f32x4.replace_lane(vt, 3, dot_tail(k8, k, w3, x, f16));
    vy = f32x4.add(vy, vt);
  }
  return vy;
}

@inline
function row1(k: i32, x: usize, w0: usize, f16: bool, full: bool): f32 {
  const k8 = k & ~7;
  let vacc = f32x4.splat(0);
  let vmax = i16x8.splat(0);
  for (let p = 0; p < k8; p += 8) {
    const vx0123 = v128.load(x + (<usize>p << 2));
    const vx4567 = v128.load(x + (<usize>p << 2), 16);
    const vw = v128.load(w0 + (<usize>p << 1));
    if (f16 && !full) vmax = track(vmax, vw);
    vacc = f32x4.add(vacc, dot8(vw, i32x4.shuffle(vx0123, vx4567, 0, 2, 4, 6), i32x4.shuffle(vx0123, vx4567, 1, 3, 5, 7), f16, full, false));
  }
  if (f16 && !full && has_inf_nan(vmax)) return NaN;
  const s = lane_sum(vacc);
  // As rows4: the tail only when there is one (adding an empty tail's 0 would turn −0 into +0).
  return k8 == k ? s : s + dot_tail(k8, k, w0, x, f16);
}

// finite (f16): no weight has exponent 31 (the caller checked).
@inline
function gemv16(n: i32, k: i32, x: usize, w: usize, bias: usize, y: usize, f16: bool, finite: bool): void {
  if (n <= 0) return;
  k = max(k, 0);
  const ld = <usize>k << 1;
  const scaled = f16 && finite && n >= 4 && x_scalable(k & ~7, x);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    let vy: v128;
    if (scaled) vy = rows4_scaled(k, x, w + <usize>j * ld, ld);
    else {
      vy = rows4(k, x, w + <usize>j * ld, ld, f16, false, false);
      if (f16 && v128.any_true(f32x4.ne(vy, vy))) vy = rows4_exact(k, x, w + <usize>j * ld, ld);
    }
    const yo = <usize>j << 2;
    if (bias != 0) vy = f32x4.add(vy, v128.load(bias + yo));
    v128.store(y + yo, vy);
  }
  for (; j < n; j++) {
    let s = row1(k, x, w + <usize>j * ld, f16, false);
    if (f16 && s != s) s = row1_exact(k, x, w + <usize>j * ld);
    if (bias != 0) s += load<f32>(bias + (<usize>j << 2));
    store<f32>(y + (<usize>j << 2), s);
  }
}

function rows4_exact(k: i32, x: usize, w0: usize, ld: usize): v128 {
  return rows4(k, x, w0, ld, true, true, false);
}

function rows4_scaled(k: i32, x: usize, w0: usize, ld: usize): v128 {
  return rows4(k, x, w0, ld, true, false, true);
}

function row1_exact(k: i32, x: usize, w0: usize): f32 {
  return row1(k, x, w0, true, true);
}

export function f16_gemv_f32(n: i32, k: i32, x: usize, w16: usize, bias: usize, y: usize): void {
  gemv16(n, k, x, w16, bias, y, true, false);
}

// f16_gemv_f32 for weights with no exponent-31 code (no ±Inf or NaN; the caller checks once, e.g.
// when the layer is built): the same bits, faster (the scaled path above).
export function f16_gemv_f32_finite(n: i32, k: i32, x: usize, w16: usize, bias: usize, y: usize): void {
  gemv16(n, k, x, w16, bias, y, true, true);
}

export function bf16_gemv_f32(n: i32, k: i32, x: usize, w16: usize, bias: usize, y: usize): void {
  gemv16(n, k, x, w16, bias, y, false, false);
}
