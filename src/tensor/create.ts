import { f32View, i32View, i8View, kernels, u8View } from '../backend/binding.js';
import { SlimError, invalid } from '../errors.js';
import { dtypeOfArray, isDType, type AnyTypedArray, type DType } from './dtype.js';
import { checkShape, numel, shapeString, type Shape } from './shape.js';
import { empty, type NestedArray, type Tensor } from './tensor.js';

const INT_RANGE: Record<Exclude<DType, 'f32'>, [number, number]> = {
  i32: [-(2 ** 31), 2 ** 31 - 1],
  i8: [-128, 127],
  u8: [0, 255],
};

function checkDType(fn: string, dtype: unknown): DType {
  if (!isDType(dtype)) invalid(fn, 'dtype', "one of 'f32', 'i32', 'i8', 'u8'", dtype);
  return dtype;
}

/** Checks that every value fits `dtype` (integers in range for integer dtypes). */
function checkValues(fn: string, values: ArrayLike<number>, dtype: DType): void {
  if (dtype === 'f32') {
    for (let i = 0; i < values.length; i++) if (typeof values[i] !== 'number') invalid(fn, `data[${i}]`, 'a number', values[i]);
    return;
  }
  const [lo, hi] = INT_RANGE[dtype];
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) invalid(fn, `data[${i}]`, `an integer in [${lo}, ${hi}] for dtype ${dtype}`, v);
  }
}

/** @internal Copies `values` (already checked) into a new tensor. */
export function fromValues<D extends DType>(fn: string, values: ArrayLike<number>, shape: Shape, dtype: D): Tensor<D> {
  const t = empty(fn, shape, dtype);
  const ptr = t.ptr;
  switch (dtype) {
    case 'f32': f32View().set(values, ptr >>> 2); break;
    case 'i32': i32View().set(values, ptr >>> 2); break;
    case 'i8': i8View().set(values, ptr); break;
    default: u8View().set(values, ptr);
  }
  return t;
}

function inferShape(fn: string, data: NestedArray, shape: number[], flat: number[], depth: number, path: string): void {
  if (!Array.isArray(data)) {
    if (depth !== shape.length) throw new SlimError('SHAPE_MISMATCH', `${fn}: data${path} is a number where an array of length ${shape[depth]} was expected (ragged nesting)`);
    flat.push(data);
    return;
  }
  if (depth === shape.length) {
    if (flat.length > 0) throw new SlimError('SHAPE_MISMATCH', `${fn}: data${path} is an array where a number was expected (ragged nesting)`);
    shape.push(data.length);
  } else if (data.length !== shape[depth]) {
    throw new SlimError('SHAPE_MISMATCH', `${fn}: data${path} has length ${data.length}, expected ${shape[depth]} like its siblings (ragged nesting)`);
  }
  for (let i = 0; i < data.length; i++) inferShape(fn, data[i]!, shape, flat, depth + 1, `${path}[${i}]`);
  if (data.length === 0 && depth === shape.length - 1) return;
}

/**
 * A tensor from a number, nested arrays or a typed array. The dtype defaults to the typed array's
 * (Float32Array → f32, Int32Array → i32, Int8Array → i8, Uint8Array → u8), else f32; `shape`
 * defaults to the nesting (or 1-D for a typed array) and must match the number of values.
 */
export function tensor(data: NestedArray | AnyTypedArray, shape?: Shape, dtype?: DType): Tensor {
  const fn = 'tensor';
  let values: ArrayLike<number>;
  let inferred: number[];
  let dt: DType;
  if (ArrayBuffer.isView(data)) {
    if (!(data instanceof Float32Array || data instanceof Int32Array || data instanceof Int8Array || data instanceof Uint8Array)) {
      invalid(fn, 'data', 'a Float32Array, Int32Array, Int8Array or Uint8Array', data);
    }
    values = data;
    inferred = [data.length];
    dt = dtype === undefined ? dtypeOfArray(data) : checkDType(fn, dtype);
    if (dt !== dtypeOfArray(data)) checkValues(fn, data, dt);
  } else if (typeof data === 'number' || Array.isArray(data)) {
    const flat: number[] = [];
    inferred = [];
    inferShape(fn, data, inferred, flat, 0, '');
    values = flat;
    dt = dtype === undefined ? 'f32' : checkDType(fn, dtype);
    checkValues(fn, flat, dt);
  } else {
    invalid(fn, 'data', 'a number, nested arrays of numbers, or a typed array', data);
  }
  let dims = inferred;
  if (shape !== undefined) {
    dims = checkShape(fn, 'shape', shape);
    if (numel(dims) !== values.length) {
      throw new SlimError('SHAPE_MISMATCH', `${fn}: shape ${shapeString(dims)} holds ${numel(dims)} elements, but data has ${values.length}`);
    }
  }
  return fromValues(fn, values, dims, dt);
}

/** A tensor of `shape` with every element `value`. */
export const full = (shape: Shape, value: number, dtype: DType = 'f32'): Tensor => filled('full', shape, value, dtype);
/** A tensor of `shape` filled with 0. */
export const zeros = (shape: Shape, dtype: DType = 'f32'): Tensor => filled('zeros', shape, 0, dtype);
/** A tensor of `shape` filled with 1. */
export const ones = (shape: Shape, dtype: DType = 'f32'): Tensor => filled('ones', shape, 1, dtype);

function filled(fn: string, shape: Shape, value: number, dtype: DType): Tensor {
  const dt = checkDType(fn, dtype);
  checkValues(fn, [value], dt);
  const t = empty(fn, shape, dt);
  if (dt === 'f32') kernels().x32_fill(t.size, t.ptr, new Int32Array(new Float32Array([value]).buffer)[0]!);
  else if (dt === 'i32') kernels().x32_fill(t.size, t.ptr, value);
  else kernels().x8_fill(t.size, t.ptr, value & 0xff);
  return t;
}


/** [start, start + step, …) up to but excluding `stop`, like numpy.arange; `arange(n)` is 0..n-1. */
export function arange(start: number, stop?: number, step = 1, dtype: DType = 'f32'): Tensor {
  const fn = 'arange';
  if (stop === undefined) [start, stop] = [0, start];
  for (const [name, v] of [['start', start], ['stop', stop], ['step', step]] as const) {
    if (typeof v !== 'number' || !Number.isFinite(v)) invalid(fn, name, 'a finite number', v);
  }
  if (step === 0) invalid(fn, 'step', 'non-zero', step);
  const n = Math.max(0, Math.ceil((stop - start) / step));
  if (n > 2 ** 30) throw new SlimError('OUT_OF_MEMORY', `${fn}: ${n} elements exceed the 4 GiB wasm32 memory limit`);
  const values = new Array<number>(n);
  for (let i = 0; i < n; i++) values[i] = start + i * step;
  const dt = checkDType(fn, dtype);
  checkValues(fn, values, dt);
  return fromValues(fn, values, [n], dt);
}

