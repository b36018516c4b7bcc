import { checkCount, invalid } from '../errors.js';

/**
 * Element types. Each has one row in DTYPES; packed layouts (int4, 1-bit, sparse)
 * added later get a row with `bits` < 8 and their own block rules, not a new code path.
 */
export type DType = 'f32' | 'i32' | 'i8' | 'u8';

export interface DTypeTraits {
  readonly name: DType;
  /** Bits per stored element. */
  readonly bits: number;
  /** Log2 of bytes per element, for pointer arithmetic (valid when bits ≥ 8). */
  readonly shift: number;
  readonly float: boolean;
  readonly signed: boolean;
}

export const DTYPES: Readonly<Record<DType, DTypeTraits>> = {
  f32: { name: 'f32', bits: 32, shift: 2, float: true, signed: true },
  i32: { name: 'i32', bits: 32, shift: 2, float: false, signed: true },
  i8: { name: 'i8', bits: 8, shift: 0, float: false, signed: true },
  u8: { name: 'u8', bits: 8, shift: 0, float: false, signed: false },
};

/** The JS typed array that holds each dtype's elements. */
export type TypedArrayFor<D extends DType> = D extends 'f32'
  ? Float32Array
  : D extends 'i32'
    ? Int32Array
    : D extends 'i8'
      ? Int8Array
      : Uint8Array;

export type AnyTypedArray = Float32Array | Int32Array | Int8Array | Uint8Array;

/** Bytes needed to store `n` elements of `dtype` (packed types round up to whole bytes). */
export function byteLength(dtype: DType, n: number): number {
  if (!isDType(dtype)) invalid('byteLength', 'dtype', `one of ${Object.keys(DTYPES).join(', ')}`, dtype);
  return elementBytes(dtype, checkCount('byteLength', 'n', n));
}

/** @internal byteLength without the checks (tensor allocation). */
export function elementBytes(dtype: DType, n: number): number {
  return Math.ceil((n * DTYPES[dtype].bits) / 8);
}

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(DTYPES, x);
}

export function dtypeOfArray(a: AnyTypedArray): DType {
  if (a instanceof Float32Array) return 'f32';
  if (a instanceof Int32Array) return 'i32';
  if (a instanceof Int8Array) return 'i8';
  return 'u8';
}
