// qs8 GEMV (batch 1): out[n] = requant(Σ_p (a[p] − a_zp)·w[j,p] + bias[j]), its f32 dequantization,
// or the int32 sum.
//   a: i8 [k] activations (zero point a_zp); packed: qs8_pack_weights output (qs8-gemm/pack.ts);
//   bias: i32 [n] or 0; multiplier, shift: i32 [n]; out: i8 [n]. Requantization as in qs8-gemm/requant.ts.
// The weights stream once as bytes (1 B/MAC: memory-bound sizes move 4x less than f32), widened to i16
// in registers with v128.load8x8_s; the zero point is applied after the dot: Σ a·w − a_zp·wsum[j]
// (exact modulo 2^32, so any a_zp is valid). The 8 rows of a weight panel share each activation load;
// rows past 8·⌊n/8⌋ (row-major) go one at a time.

import { requant_i32, srdhm_x4 } from "../qs8-gemm/requant";
import { reduce_4x4_i32 } from "../i32-lanes";

const V2P30: v128 = i64x2.splat(1 << 30);
const REQUANT = 0;
const F32OUT = 1;
const I32OUT = 2;

// Σ_{p in [k0, k)} x[p]·w[p].
@inline
function dot_tail(k0: i32, k: i32, w: usize, x: usize): i32 {
  let s = 0;
  for (let p = k0; p < k; p++) s += <i32>load<i8>(w + p) * <i32>load<i8>(x + p);
  return s;
}

// The k tail (k mod 8) of rows r0..r0+3 of a panel (stored after its 8-k blocks, 8 rows x (k − k8)).
@inline
function panel_tail(k: i32, x: usize, panel: usize, r0: usize): v128 {
  const k8 = k & ~7;
  const kt = <usize>(k - k8);
  const t = panel + (<usize>k8 << 3) + r0 * kt - <usize>k8;
  let vt = i32x4.splat(dot_tail(k8, k, t, x));
  vt = i32x4.replace_lane(vt, 1, dot_tail(k8, k, t + kt, x));
  vt = i32x4.replace_lane(vt, 2, dot_tail(k8, k, t + 2 * kt, x));
  return i32x4.replace_lane(vt, 3, dot_tail(k8, k, t + 3 * kt, x));
}

@inline
function dot_row(k: i32, x: usize, w: usize): i32 {
  let vacc = i32x4.splat(0);
  const k8 = k & ~7;
  for (let p = 0; p < k8; p += 8) {
    vacc = i32x4.add(vacc, i32x4.dot_i16x8_s(v128.load8x8_s(w + p), v128.load8x8_s(x + p)));
  }
  return i32x4.extract_lane(vacc, 0) + i32x4.extract_lane(vacc, 1) + i32x4.extract_lane(vacc, 2) +
    i32x4.extract_lane(vacc, 3) + dot_tail(k8, k, w, x);
}

// RoundingDivideByPOT lane-wise with its own shift per lane, vp = 2^(31 − s) (as u32, s ∈ [0, 31]):
// sign(h)·floor((|h|·2^(31−s) + 2^30) / 2^31) = sign(h)·floor((|h| + 2^(s−1)) / 2^s), and for s = 0, |h|.
@inline
function rdbpot_lanes(vh: v128, vp: v128): v128 {
  const vsign = i32x4.shr_s(vh, 31);
  const vabs = i32x4.abs(vh);
  const vq01 = i64x2.add(i64x2.extmul_low_i32x4_u(vabs, vp), V2P30);
  const vq23 = i64x2.add(i64x2.extmul_high_i32x4_u(vabs, vp), V2P30);
  const vr = i32x4.shuffle(i64x2.shr_u(vq01, 31), i64x2.shr_u(vq23, 31), 0, 2, 4, 6);
  return i32x4.sub(v128.xor(vr, vsign), vsign);
}

// Outputs j..j+3 from their dot products Σ a·w (lanes).
@inline
function finish4(
  vdot: v128, j: i32, a_zp: i32, packed: usize, bias: usize, out: usize, multiplier: usize, shift: usize,
  out_zp: i32, qmin: i32, qmax: i32, scale_a: f32, scale_w: usize, mode: i32,
): void {
  const o = <usize>j << 2;
  const vacc = i32x4.sub(vdot, i32x4.mul(v128.load(packed + o), i32x4.splat(a_zp)));
  if (mode == REQUANT) {
    const vh = srdhm_x4(bias != 0 ? i32x4.add(vacc, v128.load(bias + o)) : vacc, v128.load(multiplier + o), i32.MIN_VALUE);
    let vp = i32x4.splat(1 << (31 - load<i32>(shift + o)));
    vp = i32x4.replace_lane(vp, 1, 1 << (31 - load<i32>(shift + o, 4)));
    vp = i32x4.replace_lane(vp, 2, 1 << (31 - load<i32>(shift + o, 8)));
    vp = i32x4.replace_lane(vp, 3, 1 << (31 - load<i32>(shift + o, 12)));
    const vout32 = rdbpot_lanes(vh, vp);
    const vout16 = i16x8.add_sat_s(i16x8.narrow_i32x4_s(vout32, vout32), i16x8.splat(<i16>out_zp));
    const vout = i8x16.min_s(i8x16.max_s(i8x16.narrow_i16x8_s(vout16, vout16), i8x16.splat(<i8>qmin)), i8x16.splat(<i8>qmax));
    v128.store32_lane(out + <usize>j, vout, 0);
  } else if (mode == F32OUT) {
    let vy = f32x4.mul(f32x4.convert_i32x4_s(vacc), f32x4.mul(f32x4.splat(scale_a), v128.load(scale_w + o)));
    if (bias != 0) vy = f32x4.add(vy, v128.load(bias + o));
    v128.store(out + o, vy);
  } else {
    v128.store(out + o, bias != 0 ? i32x4.add(vacc, v128.load(bias + o)) : vacc);
  }
}

@inline
function gemv(
  n: i32, k: i32, a: usize, a_zp: i32, packed: usize, bias: usize, out: usize, multiplier: usize, shift: usize,
  out_zp: i32, qmin: i32, qmax: i32, scale_a: f32, scale_w: usize, mode: i32,
): void {
  if (n <= 0) return;
  k = max(k, 0);
  const w = packed + (<usize>n << 2);
  const ld = <usize>k;
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    // One 8-row panel, one pointer: per 8-k block, row r's 8 bytes at wp + r·8. Two blocks per trip;
    // the exit test between them (k/8 may be odd) also stops Binaryen from regrouping the sums. wp
    // steps per block so the widening loads use 8 offsets only (see qs8-gemm/gemm-8x4c2.ts).
    let vacc0 = i32x4.splat(0);
    let vacc1 = vacc0;
    let vacc2 = vacc0;
    let vacc3 = vacc0;
    let vacc4 = vacc0;
    let vacc5 = vacc0;
    let vacc6 = vacc0;
    let vacc7 = vacc0;
    const panel = w + <usize>j * ld;
    let wp = panel;
    let xp = a;
    let nblocks = k >> 3;
    if (nblocks > 0) {
      while (true) {
        const vx0 = v128.load8x8_s(xp);
        vacc0 = i32x4.add(vacc0, i32x4.dot_i16x8_s(v128.load8x8_s(wp), vx0));
        vacc1 = i32x4.add(vacc1, i32x4.dot_i16x8_s(v128.load8x8_s(wp, 8), vx0));
        vacc2 = i32x4.add(vacc2, i32x4.dot_i16x8_s(v128.load8x8_s(wp, 16), vx0));
        vacc3 = i32x4.add(vacc3, i32x4.dot_i16x8_s(v128.load8x8_s(wp, 24), vx0));
        vacc4 = i32x4.add(vacc4, i32x4.dot_i16x8_s(v128.load8x8_s(wp, 32), vx0));
        vacc5 = i32x4.add(vacc5, i32x4.dot_i16x8_s(v128.load8x8_s(wp, 40), vx0));
        vacc6 = i32x4.add(vacc6, i32x4.dot_i16x8_s(v128.load8x8_s(wp, 48), vx0));
        vacc7 = i32x4.add(vacc7, i32x4.dot_i16x8_s(v128.load8x8_s(wp, 56), vx0));
        wp += 64;
        if (--nblocks == 0) break;
        const vx1 = v128.load8x8_s(xp, 8);
        vacc0 = i32x4.add(vacc0, i32x4.dot_i16x8_s(v128.load8x8_s(wp), vx1));
        vacc1 = i32x4.add(vacc1, i32x4.dot_i16x8_s(v128.load8x8_s(wp, 8), vx1));
        vacc2 = i32x4.add(vacc2, i32x4.dot_i16x8_s(v128.load8x8_s(wp, 16), vx1));
        vacc3 = i32x4.add(vacc3, i32x4.dot_i16x8_s(v128.load8x8_s(wp, 24), vx1));
        vacc4 = i32x4.add(vacc4, i32x4.dot_i16x8_s(v128.load8x8_s(wp, 32), vx1));
        vacc5 = i32x4.add(vacc5, i32x4.dot_i16x8_s(v128.load8x8_s(wp, 40), vx1));
        vacc6 = i32x4.add(vacc6, i32x4.dot_i16x8_s(v128.load8x8_s(wp, 48), vx1));
        vacc7 = i32x4.add(vacc7, i32x4.dot_i16x8_s(v128.load8x8_s(wp, 56), vx1));
        wp += 64;
        xp += 16;
        if (--nblocks == 0) break;
      }
    }
    let vlo = reduce_4x4_i32(vacc0, vacc1, vacc2, vacc3);
    let vhi = reduce_4x4_i32(vacc4, vacc5, vacc6, vacc7);
    if ((k & 7) != 0) {
      vlo = i32x4.add(vlo, panel_tail(k, a, panel, 0));
      vhi = i32x4.add(vhi, panel_tail(k, a, panel, 4));
    }
    finish4(vlo, j, a_zp, packed, bias, out, multiplier, shift, out_zp, qmin, qmax, scale_a, scale_w, mode);
    finish4(vhi, j + 4, a_zp, packed, bias, out, multiplier, shift, out_zp, qmin, qmax, scale_a, scale_w, mode);
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    const acc = dot_row(k, a, w + <usize>j * ld) - a_zp * load<i32>(packed + o);
    if (mode == REQUANT) {
      const m = load<i32>(multiplier + o);
      const s = load<i32>(shift + o);
      store<i8>(out + <usize>j, <i8>requant_i32(bias != 0 ? acc + load<i32>(bias + o) : acc, m, s, out_zp, qmin, qmax));
    } else if (mode == F32OUT) {
      let y = <f32>acc * (scale_a * load<f32>(scale_w + o));
      if (bias != 0) y += load<f32>(bias + o);
      store<f32>(out + o, y);
    } else {
      store<i32>(out + o, bias != 0 ? acc + load<i32>(bias + o) : acc);
    }
  }
}

export function qs8_gemv_requant(
  n: i32, k: i32, a: usize, a_zp: i32, packed: usize, bias: usize, out: usize,
  multiplier: usize, shift: usize, out_zp: i32, qmin: i32, qmax: i32,
): void {
  gemv(n, k, a, a_zp, packed, bias, out, multiplier, shift, out_zp, qmin, qmax, 0, 0, REQUANT);
}

/** out[n] (f32) = f32(acc_j)·f32(scale_a·scale_w[j]) + bias[j]; bias: f32 [n] or 0. Bit-exact IEEE f32. */
export function qs8_gemv_f32out(
  n: i32, k: i32, a: usize, a_zp: i32, packed: usize, bias: usize, out: usize, scale_a: f32, scale_w: usize,
): void {
  gemv(n, k, a, a_zp, packed, bias, out, 0, 0, 0, 0, 0, scale_a, scale_w, F32OUT);
}

/** int32 output: out[n] = Σ_p (a[p] − a_zp)·w[j,p] + bias[j] (mod 2^32). */
export function qs8_gemv_i32(n: i32, k: i32, a: usize, a_zp: i32, packed: usize, bias: usize, out: usize): void {
  gemv(n, k, a, a_zp, packed, bias, out, 0, 0, 0, 0, 0, 0, 0, I32OUT);
}
