// 16-bit-float weight-only GEMV: y[n] = W[n,k] · x[k] + bias[n], W as u16 codes (IEEE binary16 for
// f16_gemv_f32, bfloat16 for bf16_gemv_f32) in the layout below; x, bias, y f32; bias may be 0.
// Layout (h16_pack; h16_panels_bytes = 16 + 8·⌈n/4⌉·k bytes; f32_gemm's trans_b 4 / 5 read it too):
//   a 16-byte header (i32 s, i32 finite), then panels of 4 rows (rows past n all 0): panel q = for
//   each 8-block b of the k8 = k & ~7 inputs, rows 0..3's codes w[4q+r, 8b..8b+7] (16 bytes each, 64
//   per block); then the k % 8 tail codes row by row. One contiguous stream per panel: at 4096² the
//   row-major layout's four row streams ran 0.93x the packed f32 GEMV and the panels 1.39-1.47x
//   (bench/dev/f16x.mjs). finite: no f16 code has exponent 31. s: finite f16 codes are stored as the
//   codes of W·2^s, exactly (s = min(10, 30 − the largest exponent); bf16 and non-finite f16: s = 0).
// Weights are widened in registers, exactly: a 16-byte load holds 8 weights as 4 u32 lanes
// (w[2t] | w[2t+1] << 16); lane << 16 puts the even weight in the high half, lane & 0xFFFF0000 the
// odd one, and x is split into even/odd lanes once per 8 k for the four rows that share it.
//   bf16: the high half is the f32.
//   f16, finite: ((t >>s 3) & 0x8FFFE000) is sign | (h & 0x7FFF) << 13, W·2^(s−112) as an f32, and x is
//         scaled by 2^(112−s) instead: raw·(x·2^(112−s)) is the same real number as W·x, so it rounds
//         to the same f32 whenever x·2^(112−s) is exact, i.e. for every x but a finite |x| ≥ 2^16 (one
//         pass over x checks; such an x takes the exact path below). 9 vector ops per 8 weights. With
//         s = 10 (any layer with |w| < 64) no stored code is subnormal, so no multiply meets a
//         subnormal f32 (a slow path on this CPU: 0.2% subnormal codes cost the GEMV a third).
//   exact (f16 with an exponent-31 code, where s = 0, or an x the scaled path cannot take): the same
//         widening times 2^112 (exact, IEEE) rebiases normals and normalizes subnormals; exponent 31
//         (inf/NaN) gets f32 exponent 255 (an OR, keeping the NaN payload); then times 2^−s. Same bits
//         as src/io/float16.ts f16BitsToF32Bits. About 2.4x the scaled path's time: only a file can
//         hold such codes (convert rejects weights past the f16 range), and its outputs are ±∞ / NaN.
// Each row sums in 4 lanes (lane l, per 8-block at p: acc_l += w[p+2l]·x[p+2l] + w[p+2l+1]·x[p+2l+1]),
// then (l0 + l1) + (l2 + l3), + the k % 8 tail summed in order (when there is one), + bias: the fixed
// order of f16GemvRef / bf16GemvRef (src/quant/qkernels-ref.ts), so every engine gives the same bits.

import { H16_HEADER, VSIGN_EM, h16_at, h16_finite, h16_scale, widen_high } from "./layout";
import { f32_gemm, f32_gemm_workspace_bytes } from "../f32-gemm/gemm";
import { W_BF16, W_F16 } from "../f32-gemm/pack";
import { f32_vclamp } from "../f32-vunary/vunary";

@inline
function widen_scalar(h: i32, f16: bool): f32 {
  const t = h << 16;
  if (!f16) return reinterpret<f32>(t);
  let f = reinterpret<f32>((t >> 3) & 0x8fffe000) * reinterpret<f32>(0x77800000);
  return (t & 0x7fff0000) > 0x7bff0000 ? reinterpret<f32>(reinterpret<i32>(f) | 0x7f800000) : f;
}

// Σ over the 8 weights in vw of w·x; vxe, vxo: x at the even / odd positions. scaled (f16 only): x is
// x·2^(112−s) and the codes' widened bits stay 2^(112−s) too small (no rebias multiply). full (f16):
// the exact widening, times vinv = 2^−s (the panel's code scale, undone exactly).
@inline
function dot8(vw: v128, vxe: v128, vxo: v128, f16: bool, full: bool, scaled: bool, vinv: v128): v128 {
  if (scaled) return f32x4.add(f32x4.mul(v128.and(i32x4.shr_s(i32x4.shl(vw, 16), 3), VSIGN_EM), vxe), f32x4.mul(v128.and(i32x4.shr_s(vw, 3), VSIGN_EM), vxo));
  if (full) return f32x4.add(f32x4.mul(f32x4.mul(widen_high(i32x4.shl(vw, 16), true, true), vinv), vxe), f32x4.mul(f32x4.mul(widen_high(vw, true, true), vinv), vxo));
  return f32x4.add(f32x4.mul(widen_high(i32x4.shl(vw, 16), f16, false), vxe), f32x4.mul(widen_high(vw, f16, false), vxo));
}

// No finite x[0..count) with |x| ≥ 2^16 (so x·2^(112−s) is exact for all of them, s ≥ 0); count % 4 == 0.
function x_scalable(count: i32, x: usize): bool {
  let vbad = i32x4.splat(0);
  const vabs = i32x4.splat(0x7fffffff);
  for (let p = 0; p < count; p += 4) {
    const va = v128.and(v128.load(x + (<usize>p << 2)), vabs);
    vbad = v128.or(vbad, v128.and(i32x4.gt_s(va, i32x4.splat(0x477fffff)), i32x4.lt_s(va, i32x4.splat(0x7f800000))));
  }
  return !v128.any_true(vbad);
}

// Bytes of W [n, k] in the panel layout, its 16-byte header included.
export function h16_panels_bytes(n: i32, k: i32): usize {
  return H16_HEADER + ((<usize>((max(n, 0) + 3) >> 2) * <usize>max(k, 0)) << 3);
}

// f16 code c (finite) times 2^s, exactly (the caller keeps every exponent + s ≤ 30): a normal code's
// exponent grows by s; a subnormal one, m·2^−24, is renormalized where m·2^s reaches 2^−14.
function f16_code_scaled(c: i32, s: i32): i32 {
  const sign = c & 0x8000;
  const e = (c >> 10) & 31;
  const m = c & 0x3ff;
  if (e != 0) return c + (s << 10);
  if (m == 0) return c;
  const p = 31 - clz(m); // m = 1.f·2^p
  const e2 = p + s - 9;
  if (e2 <= 0) return sign | (m << s);
  return sign | (e2 << 10) | ((m << (10 - p)) & 0x3ff);
}

// The inverse of f16_code_scaled.
function f16_code_unscaled(c: i32, s: i32): i32 {
  const sign = c & 0x8000;
  const e = (c >> 10) & 31;
  const m = c & 0x3ff;
  if (e == 0) return sign | (m >> s);
  if (e > s) return c - (s << 10);
  return sign | ((0x400 | m) >> (1 + s - e));
}

// packed = the header and panel layout of w [n, k] (u16 codes, row-major; f16 != 0: IEEE binary16, else
// bfloat16); rows past n zero. Header: i32 s (the codes' scale), i32 finite (f16: no code has exponent 31).
// For finite f16 codes s = min(10, 30 − the largest exponent): stored times 2^s, no subnormal code is left
// when s = 10 (|w| < 64), so the scaled GEMV never multiplies a subnormal f32 (a slow path on this CPU:
// Linear-initialized 1024² weights hold ~0.2% f16 subnormals, which cost the GEMV about a third).
export function h16_pack(n: i32, k: i32, w: usize, packed: usize, f16: i32): void {
  memory.fill(packed, 0, h16_panels_bytes(n, k));
  if (n <= 0 || k <= 0) return;
  const count = <usize>n * <usize>k;
  let finite = f16 != 0;
  let emax = 0;
  if (f16 != 0) {
    for (let i: usize = 0; i < count; i++) {
      const e = (<i32>load<u16>(w + (i << 1)) >> 10) & 31;
      if (e == 31) finite = false;
      emax = max(emax, e);
    }
  }
  const s = finite ? min(10, 30 - emax) : 0;
  store<i32>(packed, s);
  store<i32>(packed, finite ? 1 : 0, 4);
  move_codes(n, k, w, packed + H16_HEADER, s, true);
}

// w [n, k] row-major from the panel layout (the inverse of h16_pack).
export function h16_unpack(n: i32, k: i32, packed: usize, w: usize): void {
  if (n <= 0 || k <= 0) return;
  move_codes(n, k, w, packed + H16_HEADER, h16_scale(packed), false);
}

// Codes between row-major w and the panels: into them times 2^s (to_panels), or out of them times 2^−s.
@inline
function move_codes(n: i32, k: i32, w: usize, panels: usize, s: i32, to_panels: bool): void {
  const k8 = k & ~7;
  const ld = <usize>k << 1;
  for (let j = 0; j < n; j++) {
    const row = w + <usize>j * ld;
    if (s == 0) {
      for (let p = 0; p < k8; p += 8) {
        const a = h16_at(panels, k, j, p), b = row + (<usize>p << 1);
        if (to_panels) v128.store(a, v128.load(b));
        else v128.store(b, v128.load(a));
      }
      for (let p = k8; p < k; p++) {
        const a = h16_at(panels, k, j, p), b = row + (<usize>p << 1);
        if (to_panels) store<u16>(a, load<u16>(b));
        else store<u16>(b, load<u16>(a));
      }
    } else {
      for (let p = 0; p < k; p++) {
        const a = h16_at(panels, k, j, p), b = row + (<usize>p << 1);
        if (to_panels) store<u16>(a, <u16>f16_code_scaled(<i32>load<u16>(b), s));
        else store<u16>(b, <u16>f16_code_unscaled(<i32>load<u16>(a), s));
      }
    }
  }
}

// Σ of count codes at w times x[0..count), in order; inv = 2^−s undoes the codes' scale (exactly).
@inline
function dot_tail(count: i32, w: usize, x: usize, f16: bool, inv: f32): f32 {
  let s: f32 = 0;
  for (let p = 0; p < count; p++) s += widen_scalar(<i32>load<u16>(w + (<usize>p << 1)), f16) * inv * load<f32>(x + (<usize>p << 2));
  return s;
}

// [Σ v0, Σ v1, Σ v2, Σ v3] (f32 lanes), each as (l0 + l1) + (l2 + l3).
@inline
function reduce_4x4(v0: v128, v1: v128, v2: v128, v3: v128): v128 {
  const v01 = f32x4.add(i32x4.shuffle(v0, v1, 0, 4, 2, 6), i32x4.shuffle(v0, v1, 1, 5, 3, 7));
  const v23 = f32x4.add(i32x4.shuffle(v2, v3, 0, 4, 2, 6), i32x4.shuffle(v2, v3, 1, 5, 3, 7));
  return f32x4.add(i32x4.shuffle(v01, v23, 0, 1, 4, 5), i32x4.shuffle(v01, v23, 2, 3, 6, 7));
}

// Σ_p w[r,p]·x[p] for the 4 rows of the panel at w, each summed in lanes then pairwise, + the scalar
// tail. bf16: !f16. scaled (f16, no weight with exponent 31, x checked by x_scalable): x times vscale =
// 2^(112−s) per block. full (f16): the exact widening, times vinv = 2^−s. inv: 2^−s for the tail.
@inline
function rows4(k: i32, x: usize, w: usize, f16: bool, full: bool, scaled: bool, vscale: v128, vinv: v128, inv: f32): v128 {
  const k8 = k & ~7;
  let vacc0 = f32x4.splat(0);
  let vacc1 = vacc0;
  let vacc2 = vacc0;
  let vacc3 = vacc0;
  const wt = w + (<usize>k8 << 3);
  for (let xp = x; w < wt; xp += 32) {
    const vx0123 = v128.load(xp);
    const vx4567 = v128.load(xp, 16);
    let vxe = i32x4.shuffle(vx0123, vx4567, 0, 2, 4, 6);
    let vxo = i32x4.shuffle(vx0123, vx4567, 1, 3, 5, 7);
    if (scaled) {
      vxe = f32x4.mul(vxe, vscale);
      vxo = f32x4.mul(vxo, vscale);
    }
    const vw0 = v128.load(w);
    const vw1 = v128.load(w, 16);
    const vw2 = v128.load(w, 32);
    const vw3 = v128.load(w, 48);
    vacc0 = f32x4.add(vacc0, dot8(vw0, vxe, vxo, f16, full, scaled, vinv));
    vacc1 = f32x4.add(vacc1, dot8(vw1, vxe, vxo, f16, full, scaled, vinv));
    vacc2 = f32x4.add(vacc2, dot8(vw2, vxe, vxo, f16, full, scaled, vinv));
    vacc3 = f32x4.add(vacc3, dot8(vw3, vxe, vxo, f16, full, scaled, vinv));
    w += 64;
  }
  let vy = reduce_4x4(vacc0, vacc1, vacc2, vacc3);
  const tail = k - k8;
  if (tail != 0) {
    const xt = x + (<usize>k8 << 2);
    const tb = <usize>tail << 1;
    let vt = f32x4.splat(dot_tail(tail, wt, xt, f16, inv));
    vt = f32x4.replace_lane(vt, 1, dot_tail(tail, wt + tb, xt, f16, inv));
    vt = f32x4.replace_lane(vt, 2, dot_tail(tail, wt + 2 * tb, xt, f16, inv));
    vt = f32x4.replace_lane(vt, 3, dot_tail(tail, wt + 3 * tb, xt, f16, inv));
    vy = f32x4.add(vy, vt);
  }
  return vy;
}

const LAST: usize = memory.data(16, 16);

// kind: F16 or BF16. The header (h16_pack) says whether every f16 code is finite and the codes' scale s.
const F16: i32 = 0;
const BF16: i32 = 2;

function gemv16(n: i32, k: i32, x: usize, packed: usize, bias: usize, y: usize, kind: i32): void {
  if (n <= 0) return;
  k = max(k, 0);
  const panel_bytes = <usize>k << 3;
  const s = h16_scale(packed);
  const finite = kind == F16 && h16_finite(packed);
  const scaled = finite && x_scalable(k & ~7, x);
  // 2^(112−s) and 2^−s, exact f32 powers of two (0 ≤ s ≤ 10).
  const vscale = i32x4.splat((239 - s) << 23);
  const inv = reinterpret<f32>((127 - s) << 23);
  const vinv = f32x4.splat(inv);
  let w = packed + H16_HEADER;
  for (let j = 0; j < n; j += 4) {
    let vy: v128;
    if (kind == BF16) vy = rows4_bf16(k, x, w);
    else if (scaled) vy = rows4_scaled(k, x, w, vscale, inv);
    else vy = rows4_exact(k, x, w, vinv, inv);
    w += panel_bytes;
    const yo = <usize>j << 2;
    if (j + 4 <= n) {
      if (bias != 0) vy = f32x4.add(vy, v128.load(bias + yo));
      v128.store(y + yo, vy);
    } else {
      // The last panel's rows past n are padding: store only the real ones.
      v128.store(LAST, vy);
      for (let r = j; r < n; r++) {
        let t = load<f32>(LAST + (<usize>(r - j) << 2));
        if (bias != 0) t += load<f32>(bias + (<usize>r << 2));
        store<f32>(y + (<usize>r << 2), t);
      }
    }
  }
}

// One instance of rows4 per conversion.
function rows4_bf16(k: i32, x: usize, w: usize): v128 {
  const v1 = f32x4.splat(1);
  return rows4(k, x, w, false, false, false, v1, v1, 1);
}

function rows4_exact(k: i32, x: usize, w: usize, vinv: v128, inv: f32): v128 {
  return rows4(k, x, w, true, true, false, vinv, vinv, inv);
}

function rows4_scaled(k: i32, x: usize, w: usize, vscale: v128, inv: f32): v128 {
  return rows4(k, x, w, true, false, true, vscale, vscale, inv);
}

// The two read the panels h16_pack made (f16 / bf16 codes); f16 with every code finite runs the
// scaled path (the header says so), else the exact one.
export function f16_gemv_f32(n: i32, k: i32, x: usize, w16: usize, bias: usize, y: usize): void {
  gemv16(n, k, x, w16, bias, y, F16);
}

export function bf16_gemv_f32(n: i32, k: i32, x: usize, w16: usize, bias: usize, y: usize): void {
  gemv16(n, k, x, w16, bias, y, BF16);
}

// From this many rows of x the batched entry points below run f32_gemm on the widened codes instead
// of the GEMV row by row. At 300×784 (bench/dev/qc8w.mjs, one noisy run), GEMM time / rows time: f16
// (finite codes, the scaled GEMV) 1.20 at 4 rows, 1.43 at 6, 0.80 at 8; bf16 1.34 at 4, 1.64 at 6, 0.93
// at 8. (f16 codes holding ±Inf or NaN run the slower exact GEMV.)
const GEMM_ROWS: i32 = 8;

// Workspace of f16_gemm_f32 / bf16_gemm_f32: 0 below GEMM_ROWS rows, else f32_gemm's.
export function h16_gemm_workspace_bytes(m: i32, n: i32, k: i32): i32 {
  return m < GEMM_ROWS ? 0 : f32_gemm_workspace_bytes(m, n, k);
}

// y [m, n] = clamp(x [m, k] · Wᵀ + bias, vmin, vmax), W in h16_pack's panels: below GEMM_ROWS rows the
// GEMV per row (its bits), else f32_gemm widening the codes as it packs (trans_b 4 / 5, gemm16Ref's bits).
@inline
function gemm16(m: i32, n: i32, k: i32, x: usize, w: usize, bias: usize, y: usize, workspace: usize, vmin: f32, vmax: f32, kind: i32): void {
  if (m <= 0 || n <= 0) return;
  k = max(k, 0);
  if (m < GEMM_ROWS) {
    for (let i = 0; i < m; i++) gemv16(n, k, x + <usize>i * (<usize>k << 2), w, bias, y + <usize>i * (<usize>n << 2), kind);
    if (vmin != -Infinity || vmax != Infinity) f32_vclamp(m * n, y, y, vmin, vmax);
    return;
  }
  f32_gemm(m, n, k, x, k, 0, w, 0, kind == BF16 ? W_BF16 : W_F16, bias, y, n, workspace, vmin, vmax);
}

export function f16_gemm_f32(m: i32, n: i32, k: i32, x: usize, w16: usize, bias: usize, y: usize, workspace: usize, vmin: f32, vmax: f32): void {
  gemm16(m, n, k, x, w16, bias, y, workspace, vmin, vmax, F16);
}

export function bf16_gemm_f32(m: i32, n: i32, k: i32, x: usize, w16: usize, bias: usize, y: usize, workspace: usize, vmin: f32, vmax: f32): void {
  gemm16(m, n, k, x, w16, bias, y, workspace, vmin, vmax, BF16);
}
