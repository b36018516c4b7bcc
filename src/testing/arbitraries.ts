// fast-check arbitraries for tensors: shapes, dtypes, value ranges, and the adversarial values that
// break kernels (±0, denormals, range ends, f32 extremes; NaN and ±Inf only when asked for).
import fc from 'fast-check';
import { tensor } from '../tensor/create.js';
import type { DType, TypedArrayFor } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { invalid, optionsOf } from '../errors.js';

export const F32_MAX = 3.4028234663852886e38;
const MIN_SUBNORMAL = 2 ** -149;
const MAX_SUBNORMAL = 2 ** -126 - 2 ** -149;
const MIN_NORMAL = 2 ** -126;

export interface ShapeConstraints {
  /** Rank bounds (default 0..4). */
  minRank?: number;
  maxRank?: number;
  /** Each dim's bounds (default 0..8), or `dims`: the only sizes to draw (e.g. tile edges [0, 1, 3, 4, 5, 8, 13]). */
  minDim?: number;
  maxDim?: number;
  dims?: readonly number[];
  /** Elements at most (default 4096). */
  maxSize?: number;
}

export interface ValueConstraints {
  /** Value bounds (default: the finite f32 range, or the dtype's range for integers). */
  min?: number;
  max?: number;
  /** Mix in ±0, denormals, the range ends and f32 extremes inside [min, max] (default true). */
  adversarial?: boolean;
  /** Also draw NaN (f32; default false). */
  nan?: boolean;
  /** Also draw ±Infinity (f32; default false). */
  infinity?: boolean;
}

export interface TensorConstraints extends ShapeConstraints, ValueConstraints {
  /** Element type (default 'f32'). */
  dtype?: DType;
  /** A fixed shape, or an arbitrary of shapes (default arbShape of the shape constraints). */
  shape?: readonly number[] | fc.Arbitrary<number[]>;
}

/** A tensor as plain data: build it with tensor(data, shape, dtype) where it will be disposed. */
export interface TensorSpec<D extends DType = DType> { shape: number[]; dtype: D; data: TypedArrayFor<D> }

const INT_RANGE: Record<Exclude<DType, 'f32'>, [number, number]> = { i32: [-(2 ** 31), 2 ** 31 - 1], i8: [-128, 127], u8: [0, 255] };

/** Shapes within the constraints. */
export function arbShape(c: ShapeConstraints = {}): fc.Arbitrary<number[]> {
  c = optionsOf('arbShape', c, 'constraints');
  const dim = c.dims ? fc.constantFrom(...c.dims) : fc.integer({ min: c.minDim ?? 0, max: c.maxDim ?? 8 });
  const maxSize = c.maxSize ?? 4096;
  return fc.array(dim, { minLength: c.minRank ?? 0, maxLength: c.maxRank ?? 4 }).filter((s) => s.reduce((a, b) => a * b, 1) <= maxSize);
}

/** f32 values in [min, max]: uniform over the range, uniform over the bit patterns, and the adversarial set. */
export function arbF32(c: ValueConstraints = {}): fc.Arbitrary<number> {
  c = optionsOf('arbF32', c, 'constraints');
  const min = Math.fround(c.min ?? -F32_MAX);
  const max = Math.fround(c.max ?? F32_MAX);
  if (!(min <= max)) invalid('arbF32', 'constraints', 'min ≤ max', [c.min, c.max]);
  const parts: fc.WeightedArbitrary<number>[] = [
    { arbitrary: fc.integer({ min: 0, max: 2 ** 24 }).map((i) => Math.min(max, Math.max(min, Math.fround(min + ((max - min) * i) / 2 ** 24)))), weight: 4 },
    { arbitrary: fc.float({ min, max, noNaN: true, noDefaultInfinity: true }), weight: 3 },
  ];
  if (c.adversarial ?? true) {
    const specials = [0, -0, MIN_SUBNORMAL, -MIN_SUBNORMAL, MAX_SUBNORMAL, -MAX_SUBNORMAL, MIN_NORMAL, -MIN_NORMAL, 1, -1, 0.5, -0.5, F32_MAX, -F32_MAX, min, max]
      .filter((v) => v >= min && v <= max);
    parts.push({ arbitrary: fc.constantFrom(...specials), weight: 2 });
  }
  if (c.nan) parts.push({ arbitrary: fc.constant(NaN), weight: 1 });
  if (c.infinity) parts.push({ arbitrary: fc.constantFrom(Infinity, -Infinity), weight: 1 });
  return fc.oneof(...parts);
}

/** Integers of an integer dtype in [min, max], with 0, ±1 and both ends mixed in. */
export function arbInt(dtype: Exclude<DType, 'f32'>, c: ValueConstraints = {}): fc.Arbitrary<number> {
  c = optionsOf('arbInt', c, 'constraints');
  if (!Object.prototype.hasOwnProperty.call(INT_RANGE, dtype)) invalid('arbInt', 'dtype', `one of ${Object.keys(INT_RANGE).join(', ')}`, dtype);
  const [lo, hi] = INT_RANGE[dtype];
  const min = Math.max(lo, Math.ceil(c.min ?? lo));
  const max = Math.min(hi, Math.floor(c.max ?? hi));
  if (!(min <= max)) invalid('arbInt', 'constraints', `a range [min, max] that holds ${dtype} values`, [c.min, c.max]);
  const values = fc.integer({ min, max });
  if (c.adversarial === false) return values;
  return fc.oneof({ arbitrary: values, weight: 4 }, { arbitrary: fc.constantFrom(...[0, 1, -1, min, max].filter((v) => v >= min && v <= max)), weight: 1 });
}

/** Plain tensor data (shape, dtype, typed array) within the constraints. */
export function arbTensorData<D extends DType = 'f32'>(c: TensorConstraints & { dtype?: D } = {}): fc.Arbitrary<TensorSpec<D>> {
  c = optionsOf('arbTensorData', c, 'constraints');
  const dtype = (c.dtype ?? 'f32') as D;
  const value = dtype === 'f32' ? arbF32(c) : arbInt(dtype as Exclude<DType, 'f32'>, c);
  const Ctor = { f32: Float32Array, i32: Int32Array, i8: Int8Array, u8: Uint8Array }[dtype];
  const shapes: fc.Arbitrary<number[]> = c.shape === undefined ? arbShape(c) : c.shape instanceof fc.Arbitrary ? c.shape : fc.constant([...c.shape]);
  return shapes.chain((shape) => {
    const n = shape.reduce((a, b) => a * b, 1);
    return fc.array(value, { minLength: n, maxLength: n }).map((v) => ({ shape, dtype, data: Ctor.from(v) as TypedArrayFor<D> }));
  });
}

/**
 * Tensors within the constraints. Each is allocated when drawn and freed by the garbage collector's
 * safety net; in long runs prefer arbTensorData and tensor() inside tidy().
 */
export function arbTensor<D extends DType = 'f32'>(c: TensorConstraints & { dtype?: D } = {}): fc.Arbitrary<Tensor> {
  c = optionsOf('arbTensor', c, 'constraints');
  return arbTensorData(c).map((s) => tensor(s.data, s.shape, s.dtype));
}
