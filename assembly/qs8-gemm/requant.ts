// gemmlowp / TFLite fixed-point requantization, double rounding (the TFLite default, not
// TFLITE_SINGLE_ROUNDING), exact for every i32 input:
//   SaturatingRoundingDoublingHighMul(a, m) = a == m == INT_MIN ? INT_MAX : floor((a·m + 2^30) / 2^31)
//   RoundingDivideByPOT(h, s)               = h / 2^s rounded to nearest, ties away from zero; s in [0, 31]
//   out = clamp(RoundingDivideByPOT(SRDHM(acc, m), s) + out_zp, qmin, qmax)
// gemmlowp writes SRDHM as a truncating division with a nudge of 2^30 or 1 − 2^30 by sign: both cases
// equal the floor form above. src/quant/requant.ts holds the scalar reference.

const V2P30: v128 = i64x2.splat(1 << 30);
const VMIN: v128 = i32x4.splat(i32.MIN_VALUE);

/** SRDHM(a, m) lane-wise, multipliers vm; m: their common value, or INT_MIN when they differ. */
// a·m ∈ [−2^62 + 2^31, 2^62], so floor((a·m + 2^30) / 2^31) ∈ [−2^31 + 1, 2^31]: bits 31..62 of the
// i64 sum are the result, and only the saturating case 2^31 (a = m = INT_MIN) wraps to INT_MIN, so
// flipping INT_MIN lanes to INT_MAX is exact whatever the multipliers; it is skipped when m ≠ INT_MIN.
@inline
export function srdhm_x4(vacc: v128, vm: v128, m: i32): v128 {
  const vp01 = i64x2.add(i64x2.extmul_low_i32x4_s(vacc, vm), V2P30);
  const vp23 = i64x2.add(i64x2.extmul_high_i32x4_s(vacc, vm), V2P30);
  let vh = i32x4.shuffle(i64x2.shr_u(vp01, 31), i64x2.shr_u(vp23, 31), 0, 2, 4, 6);
  if (m == i32.MIN_VALUE) vh = v128.xor(vh, i32x4.eq(vh, VMIN));
  return vh;
}

/** RoundingDivideByPOT(h, s) lane-wise with one shift s ∈ [0, 31] for all lanes. */
// sign(h)·((|h| + 2^(s−1)) >> s): |h| ≤ 2^31 − 1 (SRDHM never returns INT_MIN), so the sum fits in u32.
@inline
export function rdbpot_x4(vh: v128, s: i32): v128 {
  const vsign = i32x4.shr_s(vh, 31);
  const vr = i32x4.shr_u(i32x4.add(i32x4.abs(vh), i32x4.splat((1 << s) >>> 1)), s);
  return i32x4.sub(v128.xor(vr, vsign), vsign);
}

/** Scalar requantization of one accumulator; the result is in [qmin, qmax]. */
@inline
export function requant_i32(acc: i32, m: i32, s: i32, out_zp: i32, qmin: i32, qmax: i32): i32 {
  let h = <i32>((<i64>acc * <i64>m + (1 << 30)) >> 31);
  if (acc == i32.MIN_VALUE && m == i32.MIN_VALUE) h = i32.MAX_VALUE;
  const mask = (1 << s) - 1;
  const r = (h >> s) + i32((h & mask) > (mask >> 1) + (h >>> 31));
  return <i32>min<i64>(max<i64>(<i64>r + <i64>out_zp, <i64>qmin), <i64>qmax);
}
