// OCP 8-bit floating point (OFP8 rev 1.0) reference codecs, integer arithmetic on bit patterns only.
//   E4M3: 1 sign, 4 exponent (bias 7), 3 mantissa bits; no infinities; NaN = S.1111.111; max ±448;
//         min normal 2^-6, subnormals k·2^-9.
//   E5M2: 1 sign, 5 exponent (bias 15), 2 mantissa bits; IEEE-like ±Inf (S.11111.00) and NaNs;
//         max ±57344; min normal 2^-14, subnormals k·2^-16.
// Encoding from f32 rounds to nearest, ties to even. Out of range (OCP's conversion table): in
// saturating mode (the default, CUDA's satfinite) finite overflow and ±Inf become ±max normal; in
// non-saturating mode they become NaN (E4M3) or ±Inf (E5M2). A value overflows when it rounds past
// max: E4M3 464 (the tie between 448 and 480) rounds to even 448; E5M2 61440 rounds to even 2^16.
// NaN in → NaN out in both modes, written S.1111111 (as torch writes it).
import { checkNumber, invalid, optionsOf } from '../errors.js';

interface Fp8Spec {
  /** Mantissa bits. */
  readonly man: number;
  readonly bias: number;
  /** Magnitude code of the largest finite value. */
  readonly maxCode: number;
  /** Magnitude code a non-saturating overflow produces: NaN for E4M3, Inf for E5M2. */
  readonly overflowCode: number;
  readonly hasInf: boolean;
}

const E4M3: Fp8Spec = { man: 3, bias: 7, maxCode: 0x7e, overflowCode: 0x7f, hasInf: false };
const E5M2: Fp8Spec = { man: 2, bias: 15, maxCode: 0x7b, overflowCode: 0x7c, hasInf: true };

/** Largest finite magnitudes. */
export const E4M3_MAX = 448;
export const E5M2_MAX = 57344;

export interface Fp8Options {
  /** true (default): overflow and ±Inf saturate to ±max; false: NaN (E4M3) or ±Inf (E5M2). */
  saturate?: boolean;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** Rounds the kept bits `h` up when the dropped bits `rest` are past `half`, or equal to it with `h` odd. */
const roundBits = (h: number, rest: number, half: number): number => (rest > half || (rest === half && (h & 1) === 1) ? h + 1 : h);

function encode(spec: Fp8Spec, x: number, saturate: boolean): number {
  const s = (x >>> 24) & 0x80;
  const a = x & 0x7fffffff;
  if (a > 0x7f800000) return s | 0x7f;
  if (a === 0x7f800000) return s | (saturate ? spec.maxCode : spec.overflowCode);
  const e = a >>> 23;
  const drop = 23 - spec.man;
  let r: number;
  if (e - 127 + spec.bias >= 1) {
    // Normal result: the exponent rebiased next to the top mantissa bits; a carry bumps the exponent.
    r = roundBits(((e - 127 + spec.bias) << spec.man) | ((a & 0x7fffff) >>> drop), a & ((1 << drop) - 1), 1 << (drop - 1));
  } else {
    // Subnormal result, in units of 2^(1 − bias − man): the significand shifted right by `shift` ≥ drop + 1.
    const sig = e === 0 ? a : (a & 0x7fffff) | 0x800000;
    const shift = 151 - spec.bias - spec.man - Math.max(e, 1);
    r = shift > 24 ? 0 : roundBits(sig >>> shift, sig & ((1 << shift) - 1), 1 << (shift - 1));
  }
  return s | (r > spec.maxCode ? (saturate ? spec.maxCode : spec.overflowCode) : r);
}

function decode(spec: Fp8Spec, c: number): number {
  const s = (c & 0x80) << 24;
  const exp = (c & 0x7f) >>> spec.man;
  let m = c & ((1 << spec.man) - 1);
  const top = (1 << (7 - spec.man)) - 1;
  if (exp === top && (spec.hasInf || m === (1 << spec.man) - 1)) {
    if (spec.hasInf && m === 0) return (s | 0x7f800000) >>> 0;
    return (s | 0x7fc00000 | (m << (23 - spec.man))) >>> 0;
  }
  if (exp !== 0) return (s | ((exp - spec.bias + 127) << 23) | (m << (23 - spec.man))) >>> 0;
  if (m === 0) return s >>> 0;
  let e = 128 - spec.bias; // m·2^(1 − bias − man): move the leading 1 up to bit `man`
  while ((m & (1 << spec.man)) === 0) {
    m <<= 1;
    e--;
  }
  return (s | (e << 23) | ((m & ((1 << spec.man) - 1)) << (23 - spec.man))) >>> 0;
}

/** E4M3 code of the f32 with bit pattern `x` (RNE; saturating unless `saturate` is false). */
export const f32BitsToE4M3 = (x: number, saturate = true): number => encode(E4M3, x >>> 0, saturate);
/** E5M2 code of the f32 with bit pattern `x` (RNE; saturating unless `saturate` is false). */
export const f32BitsToE5M2 = (x: number, saturate = true): number => encode(E5M2, x >>> 0, saturate);
/** f32 bit pattern of the E4M3 code `c` (exact). */
export const e4m3ToF32Bits = (c: number): number => decode(E4M3, c & 0xff);
/** f32 bit pattern of the E5M2 code `c` (exact). */
export const e5m2ToF32Bits = (c: number): number => decode(E5M2, c & 0xff);

function bitsOf(x: number): number {
  f32[0] = x;
  return u32[0]!;
}
function valueOf(bits: number): number {
  u32[0] = bits;
  return f32[0]!;
}

/** E4M3 code of `x` rounded to f32 then to E4M3 (OCP OFP8: RNE, |x| > 448 → ±448 or NaN, NaN → NaN). */
export const f32ToE4M3 = (x: number, opts?: Fp8Options): number => encode(E4M3, bitsOf(checkNumber('f32ToE4M3', 'x', x)), saturateOf('f32ToE4M3', opts));
/** The value of the E4M3 code `c` (exact; S.1111.111 is NaN). */
export const e4m3ToF32 = (c: number): number => valueOf(decode(E4M3, checkNumber('e4m3ToF32', 'c', c) & 0xff));
/** E5M2 code of `x` rounded to f32 then to E5M2 (OCP OFP8: RNE, |x| > 57344 → ±57344 or ±Inf, NaN → NaN). */
export const f32ToE5M2 = (x: number, opts?: Fp8Options): number => encode(E5M2, bitsOf(checkNumber('f32ToE5M2', 'x', x)), saturateOf('f32ToE5M2', opts));
/** The value of the E5M2 code `c` (exact; IEEE-like ±Inf and NaNs). */
export const e5m2ToF32 = (c: number): number => valueOf(decode(E5M2, checkNumber('e5m2ToF32', 'c', c) & 0xff));

function saturateOf(fn: string, opts: Fp8Options | undefined): boolean {
  const saturate = optionsOf(fn, opts, 'opts').saturate ?? true;
  if (typeof saturate !== 'boolean') invalid(fn, 'opts.saturate', 'a boolean', saturate);
  return saturate;
}

function encodeArray(fn: string, spec: Fp8Spec, x: Float32Array, opts: Fp8Options | undefined): Uint8Array {
  if (!(x instanceof Float32Array)) invalid(fn, 'x', 'a Float32Array', x);
  const bits = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const saturate = saturateOf(fn, opts);
  const out = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = encode(spec, bits[i]!, saturate);
  return out;
}

function decodeArray(fn: string, spec: Fp8Spec, q: Uint8Array): Float32Array {
  if (!(q instanceof Uint8Array)) invalid(fn, 'q', 'a Uint8Array of codes', q);
  const out = new Float32Array(q.length);
  const bits = new Uint32Array(out.buffer);
  for (let i = 0; i < q.length; i++) bits[i] = decode(spec, q[i]!);
  return out;
}

/** Elementwise f32ToE4M3 over an array. */
export const encodeE4M3 = (x: Float32Array, opts?: Fp8Options): Uint8Array => encodeArray('encodeE4M3', E4M3, x, opts);
/** Elementwise e4m3ToF32 over an array. */
export const decodeE4M3 = (q: Uint8Array): Float32Array => decodeArray('decodeE4M3', E4M3, q);
/** Elementwise f32ToE5M2 over an array. */
export const encodeE5M2 = (x: Float32Array, opts?: Fp8Options): Uint8Array => encodeArray('encodeE5M2', E5M2, x, opts);
/** Elementwise e5m2ToF32 over an array. */
export const decodeE5M2 = (q: Uint8Array): Float32Array => decodeArray('decodeE5M2', E5M2, q);
