// gemmlowp / TFLite fixed-point requantization (double rounding, the TFLite default), as the scalar
// reference for assembly/qs8-gemm/requant.ts: out = clamp(RDBPOT(SRDHM(acc, multiplier), shift) + zp).
// A real multiplier r ∈ (0, 1) is stored as multiplier · 2^(−31 − shift) with multiplier ∈ [2^30, 2^31)
// and a right shift ∈ [0, 31] (gemmlowp's "smaller than one" convention: no left shifts).

import { invalid } from '../errors.js';

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const TWO_31 = 2147483648;

/** Fixed-point form of a real multiplier: real ≈ multiplier · 2^(−31 − shift). */
export interface QuantizedMultiplier {
  multiplier: number;
  shift: number;
}

/**
 * The kernels' (multiplier, shift) for `real` ∈ [0, 1): frexp by exact doublings (IEEE ops only, no
 * Math.log/pow), multiplier = round(frac · 2^31) (ties up, as std::round), frac ∈ [0.5, 1).
 * Reals below 2^−32 give (0, 0); a real that rounds up to 1 saturates to (2^31 − 1, 0).
 */
export function quantizeMultiplier(real: number): QuantizedMultiplier {
  if (!(real >= 0 && real < 1)) invalid('quantizeMultiplier', 'real', 'a number in [0, 1)', real);
  if (real === 0) return { multiplier: 0, shift: 0 };
  let frac = real;
  let shift = 0;
  while (frac < 0.5) {
    frac *= 2;
    shift++;
    if (shift > 31) return { multiplier: 0, shift: 0 };
  }
  let multiplier = Math.round(frac * TWO_31);
  if (multiplier === TWO_31) {
    if (shift === 0) return { multiplier: INT_MAX, shift: 0 };
    multiplier = TWO_31 / 2;
    shift--;
  }
  return { multiplier, shift };
}

/** gemmlowp SaturatingRoundingDoublingHighMul: (a·b + nudge) / 2^31 truncated, nudge = 2^30 or 1 − 2^30 by sign. */
export function srdhm(a: number, b: number): number {
  if (a === INT_MIN && b === INT_MIN) return INT_MAX;
  const ab = BigInt(a) * BigInt(b);
  const nudge = ab >= 0n ? 1n << 30n : 1n - (1n << 30n);
  return Number((ab + nudge) / (1n << 31n));
}

/** gemmlowp RoundingDivideByPOT: x / 2^exponent rounded to nearest, ties away from zero; exponent ∈ [0, 31]. */
export function roundingDivideByPOT(x: number, exponent: number): number {
  const mask = exponent === 31 ? INT_MAX : (1 << exponent) - 1;
  const remainder = x & mask;
  const threshold = (mask >> 1) + (x < 0 ? 1 : 0);
  return (x >> exponent) + (remainder > threshold ? 1 : 0);
}

/** clamp(RoundingDivideByPOT(SRDHM(acc, multiplier), shift) + zp, qmin, qmax); acc, multiplier int32. */
export function requantizeRef(acc: number, multiplier: number, shift: number, zp: number, qmin: number, qmax: number): number {
  const v = roundingDivideByPOT(srdhm(acc, multiplier), shift) + zp;
  return Math.min(Math.max(v, qmin), qmax);
}
