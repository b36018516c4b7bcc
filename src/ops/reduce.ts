import { record } from '../autograd/tape.js';
import { kernels } from '../backend/binding.js';
import { SlimError } from '../errors.js';
import { checkAxis, numel, shapeString } from '../tensor/shape.js';
import { assertDType, assertTensor, empty, type Tensor } from '../tensor/tensor.js';

/** x viewed as [outer, n, inner] around `axis` (all axes: [1, size, 1]) and the result shape. */
function around(fn: string, x: Tensor, axis: number | undefined, keepdims: boolean) {
  assertTensor(fn, 'x', x);
  assertDType(fn, 'x', x, 'f32');
  if (typeof keepdims !== 'boolean') throw new SlimError('INVALID_ARGUMENT', `${fn}: keepdims must be a boolean, received ${String(keepdims)}`);
  if (axis === undefined) {
    return { outer: 1, n: x.size, inner: 1, shape: keepdims ? x.shape.map(() => 1) : [] };
  }
  const ax = checkAxis(fn, axis, x.rank);
  const shape = x.shape.slice();
  if (keepdims) shape[ax] = 1;
  else shape.splice(ax, 1);
  return { outer: numel(x.shape.slice(0, ax)), n: x.shape[ax]!, inner: numel(x.shape.slice(ax + 1)), shape };
}

type Kind = 'sum' | 'mean' | 'max' | 'min';

function reduce(fn: Kind, x: Tensor, axis: number | undefined, keepdims: boolean): Tensor<'f32'> {
  const r = around(fn, x, axis, keepdims);
  if (r.n === 0 && (fn === 'max' || fn === 'min') && r.outer * r.inner > 0) {
    throw new SlimError('SHAPE_MISMATCH', `${fn}: cannot reduce an empty axis (x ${shapeString(x.shape)}, axis ${axis ?? 'all'}): ${fn} has no identity`);
  }
  const out = empty(fn, r.shape, 'f32');
  if (out.size === 0) return record(fn, [x], out, { axis, keepdims });
  const k = kernels();
  if (r.n === 0) k.x32_fill(out.size, out.ptr, fn === 'sum' ? 0 : 0x7fc00000);
  else if (fn === 'sum' || fn === 'mean') k.f32_rsum(r.outer, r.n, r.inner, x.ptr, out.ptr, fn === 'mean' ? r.n : 1);
  else k[fn === 'max' ? 'f32_rmax' : 'f32_rmin'](r.outer, r.n, r.inner, x.ptr, out.ptr);
  return record(fn, [x], out, { axis, keepdims });
}

/** Σ over `axis` (default: all elements). */
export const sum = (x: Tensor, axis?: number, keepdims = false): Tensor<'f32'> => reduce('sum', x, axis, keepdims);
/** Σ / n over `axis` (default: all); NaN for an empty axis. */
export const mean = (x: Tensor, axis?: number, keepdims = false): Tensor<'f32'> => reduce('mean', x, axis, keepdims);
/** Max over `axis` (default: all); NaN propagates. */
export const max = (x: Tensor, axis?: number, keepdims = false): Tensor<'f32'> => reduce('max', x, axis, keepdims);
/** Min over `axis` (default: all); NaN propagates. */
export const min = (x: Tensor, axis?: number, keepdims = false): Tensor<'f32'> => reduce('min', x, axis, keepdims);

function argReduce(fn: 'argmax' | 'argmin', x: Tensor, axis: number | undefined, keepdims: boolean): Tensor<'i32'> {
  const r = around(fn, x, axis, keepdims);
  if (r.n === 0) throw new SlimError('SHAPE_MISMATCH', `${fn}: cannot reduce an empty axis (x ${shapeString(x.shape)}, axis ${axis ?? 'all'})`);
  const out = empty(fn, r.shape, 'i32');
  kernels().f32_rargmax(r.outer, r.n, r.inner, x.ptr, out.ptr, fn === 'argmin' ? 1 : 0);
  return out;
}

/** i32 index of the first maximum over `axis` (default: flattened); the first NaN wins, as in NumPy. */
export const argmax = (x: Tensor, axis?: number, keepdims = false): Tensor<'i32'> => argReduce('argmax', x, axis, keepdims);
/** i32 index of the first minimum over `axis` (default: flattened); the first NaN wins. */
export const argmin = (x: Tensor, axis?: number, keepdims = false): Tensor<'i32'> => argReduce('argmin', x, axis, keepdims);

function rowwise(fn: string, kernel: 'f32_softmax' | 'f32_logsoftmax', x: Tensor): Tensor<'f32'> {
  assertTensor(fn, 'x', x);
  assertDType(fn, 'x', x, 'f32');
  if (x.rank === 0) throw new SlimError('SHAPE_MISMATCH', `${fn}: x must have rank ≥ 1 (it works over the last axis), received a 0-d tensor`);
  const n = x.shape[x.rank - 1]!;
  const out = empty(fn, x.shape, 'f32');
  if (out.size > 0) kernels()[kernel](x.size / n, n, x.ptr, out.ptr);
  return record(fn, [x], out);
}

/** exp(x − max) / Σ exp(x − max) over the last axis. */
export const softmax = (x: Tensor): Tensor<'f32'> => rowwise('softmax', 'f32_softmax', x);
/** (x − max) − log Σ exp(x − max) over the last axis. */
export const logSoftmax = (x: Tensor): Tensor<'f32'> => rowwise('logSoftmax', 'f32_logsoftmax', x);
