import { SlimError } from '../errors.js';
import { shapeString, stridesOf, type Shape } from '../tensor/shape.js';

/** NumPy broadcasting: align right; each pair of dims must be equal or one of them 1. */
export function broadcastShapes(fn: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new SlimError('SHAPE_MISMATCH', `${fn}: shapes ${shapeString(a)} and ${shapeString(b)} cannot be broadcast together (dim ${i} of the result: ${da} vs ${db})`);
    }
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Element strides that read a contiguous `shape` as if it had the broadcast shape `out` (0 where broadcast). */
export function broadcastStrides(shape: Shape, out: Shape): number[] {
  const own = stridesOf(shape);
  const offset = out.length - shape.length;
  return out.map((_, i) => (i < offset || shape[i - offset] === 1 ? 0 : own[i - offset]!));
}

/**
 * Drops size-1 dims and merges neighbours that every operand walks contiguously, so n-d kernels
 * loop over as few, as long, dims as possible. Always returns at least one dim.
 */
export function collapse(shape: Shape, strides: number[][]): { shape: number[]; strides: number[][] } {
  const dims: number[] = [];
  const out: number[][] = strides.map(() => []);
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    const last = dims.length - 1;
    if (last >= 0 && strides.every((s, k) => out[k]![last] === s[i]! * shape[i]!)) {
      dims[last]! *= shape[i]!;
      strides.forEach((s, k) => (out[k]![last] = s[i]!));
    } else {
      dims.push(shape[i]!);
      strides.forEach((s, k) => out[k]!.push(s[i]!));
    }
  }
  if (dims.length === 0) return { shape: [1], strides: strides.map(() => [1]) };
  return { shape: dims, strides: out };
}
