import { SlimError, describe, invalid } from '../errors.js';

/** Highest rank a tensor may have (the n-d kernels keep one index per dim). */
export const MAX_RANK = 32;

export type Shape = readonly number[];

/** Checks that `shape` is a list of non-negative integer dims and returns a frozen copy. */
export function checkShape(fn: string, arg: string, shape: unknown): number[] {
  if (!Array.isArray(shape)) invalid(fn, arg, 'an array of non-negative integers', shape);
  if (shape.length > MAX_RANK) invalid(fn, arg, `at most ${MAX_RANK} dims`, `${shape.length} dims`);
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) {
      invalid(fn, `${arg}[${i}]`, 'a non-negative integer', d);
    }
  }
  return shape.slice();
}

export function numel(shape: Shape): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Row-major element strides of a contiguous tensor. */
export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i]!;
  }
  return s;
}

/** Normalizes a possibly negative axis into [0, rank). */
export function checkAxis(fn: string, axis: unknown, rank: number, arg = 'axis'): number {
  if (typeof axis !== 'number' || !Number.isInteger(axis) || axis < -rank || axis >= Math.max(rank, 1)) {
    throw new SlimError('INVALID_ARGUMENT', `${fn}: ${arg} must be an integer in [${-rank}, ${rank}), received ${describe(axis)}`);
  }
  return axis < 0 ? axis + rank : axis;
}

export function shapeString(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
