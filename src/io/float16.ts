// Reference codecs between f32 and the 16-bit floats of model files: IEEE binary16 (f16: 1 sign,
// 5 exponent, 10 mantissa bits) and bfloat16 (bf16: the top 16 bits of an f32). Integer arithmetic
// on bit patterns only, so every engine gives the same bits; the float/bits reinterpretation goes
// through a Float32Array/Uint32Array pair. Encoding rounds to nearest, ties to even; values past the
// largest finite result become ±Inf; a NaN stays a NaN and keeps the top bits of its payload.
import { checkNumber } from '../errors.js';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Rounds the kept bits `h` up when the dropped bits `rest` are past `half`, or equal to it with `h` odd. */
const roundHalfEven = (h: number, rest: number, half: number): number => (rest > half || (rest === half && (h & 1) === 1) ? h + 1 : h);

/** f32 bit pattern (u32) of the f16 with bits `h` (low 16 bits used): exact, NaN payloads kept. */
export function f16BitsToF32Bits(h: number): number {
  const sign = (h & 0x8000) << 16;
  const exp = (h >>> 10) & 0x1f;
  let mant = h & 0x3ff;
  if (exp === 0x1f) return (sign | 0x7f800000 | (mant << 13)) >>> 0;
  if (exp !== 0) return (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
  if (mant === 0) return sign >>> 0;
  // Subnormal, mant · 2^-24: move the leading 1 up to bit 10, lowering the f32 exponent from 2^-14's.
  let e = 113;
  while ((mant & 0x400) === 0) {
    mant <<= 1;
    e--;
  }
  return (sign | (e << 23) | ((mant & 0x3ff) << 13)) >>> 0;
}

/** f16 bits of the f32 with bit pattern `x`, rounded to nearest even. */
export function f32BitsToF16Bits(x: number): number {
  const sign = (x >>> 16) & 0x8000;
  const exp = (x >>> 23) & 0xff;
  const mant = x & 0x7fffff;
  if (exp === 0xff) return mant === 0 ? sign | 0x7c00 : sign | 0x7c00 | (mant >>> 13 || 1);
  if (exp >= 143) return sign | 0x7c00; // |x| ≥ 2^16
  if (exp >= 113) return sign | roundHalfEven(((exp - 112) << 10) | (mant >>> 13), mant & 0x1fff, 0x1000); // a carry out of the mantissa bumps the exponent, up to Inf
  if (exp < 102) return sign; // |x| < 2^-25: at most half the smallest subnormal
  // Subnormal result: (mant | 2^23) · 2^(exp-150) in units of 2^-24 is m >> (126 - exp), shift 14..24.
  const m = mant | 0x800000;
  const shift = 126 - exp;
  return sign | roundHalfEven(m >>> shift, m & ((1 << shift) - 1), 1 << (shift - 1));
}

/** f32 bit pattern (u32) of the bf16 with bits `h` (low 16 bits used): exact. */
export const bf16BitsToF32Bits = (h: number): number => ((h & 0xffff) << 16) >>> 0;

/** bf16 bits of the f32 with bit pattern `x`, rounded to nearest even. */
export function f32BitsToBf16Bits(x: number): number {
  x >>>= 0;
  if ((x & 0x7fffffff) > 0x7f800000) return (x >>> 16) | ((x & 0x7f0000) === 0 ? 1 : 0);
  return (x + 0x7fff + ((x >>> 16) & 1)) >>> 16; // < 2^32 for every non-NaN x
}

/** f16 bits of `x` rounded to f32 and then to f16 (nearest even; overflow → ±Inf; NaN → NaN). */
export function f32ToF16Bits(x: number): number {
  f32[0] = checkNumber('f32ToF16Bits', 'x', x);
  return f32BitsToF16Bits(u32[0]!);
}

/** The value of the f16 with bits `h` (exact). */
export function f16BitsToF32(h: number): number {
  u32[0] = f16BitsToF32Bits(checkNumber('f16BitsToF32', 'h', h));
  return f32[0]!;
}

/** bf16 bits of `x` rounded to f32 and then to bf16 (nearest even; overflow → ±Inf; NaN → NaN). */
export function f32ToBf16Bits(x: number): number {
  f32[0] = checkNumber('f32ToBf16Bits', 'x', x);
  return f32BitsToBf16Bits(u32[0]!);
}

/** The value of the bf16 with bits `h` (exact). */
export function bf16BitsToF32(h: number): number {
  u32[0] = bf16BitsToF32Bits(checkNumber('bf16BitsToF32', 'h', h));
  return f32[0]!;
}
