import { record } from '../autograd/tape.js';
import { args, i32View, kernels } from '../backend/binding.js';
import { SlimError, invalid } from '../errors.js';
import { DTYPES, isDType, type DType } from '../tensor/dtype.js';
import { checkAxis, checkShape, numel, shapeString, stridesOf, type Shape } from '../tensor/shape.js';
import { assertDType, assertTensor, empty, type Tensor } from '../tensor/tensor.js';
import { broadcastShapes, broadcastStrides, collapse } from './broadcast.js';

/** @internal Strided copy of `shape` elements from src (strides ss) to dst (strides ds), any dtype of ≥ 1 byte. */
export function copyNd(dtype: DType, shape: Shape, ss: number[], ds: number[], src: number, dst: number): void {
  if (numel(shape) === 0) return;
  const c = collapse(shape, [ss, ds]);
  const nd = c.shape.length;
  const shift = DTYPES[dtype].shift;
  if ((shift === 2 || shift === 0) && isBatchedTranspose(c.shape, c.strides[0]!, c.strides[1]!)) {
    const [rows, cols] = c.shape.slice(-2) as [number, number];
    (shift === 2 ? kernels().x32_transpose : kernels().x8_transpose)(nd === 3 ? c.shape[0]! : 1, rows, cols, src, dst);
    return;
  }
  const p = args([...c.shape, ...c.strides[0]!, ...c.strides[1]!]);
  const k = kernels();
  (DTYPES[dtype].shift === 2 ? k.x32_copy_nd : k.x8_copy_nd)(nd, p, p + 4 * nd, p + 8 * nd, src, dst);
}

/** [batch?, rows, cols] read from a contiguous [batch?, cols, rows] into a contiguous destination. */
function isBatchedTranspose(shape: number[], ss: number[], ds: number[]): boolean {
  const nd = shape.length;
  if (nd !== 2 && nd !== 3) return false;
  const [rows, cols] = shape.slice(-2) as [number, number];
  const contiguousDst = ds[nd - 1] === 1 && ds[nd - 2] === cols && (nd === 2 || ds[0] === rows * cols);
  const transposedSrc = ss[nd - 2] === 1 && ss[nd - 1] === rows && (nd === 2 || ss[0] === rows * cols);
  return contiguousDst && transposedSrc && rows >= 4 && cols >= 4;
}

/** A copy of x with a new shape of the same size; one dim may be -1 (inferred). */
export function reshape(x: Tensor, shape: Shape): Tensor {
  const fn = 'reshape';
  assertTensor(fn, 'x', x);
  if (!Array.isArray(shape)) invalid(fn, 'shape', 'an array of integers', shape);
  const holes = shape.filter((d) => d === -1).length;
  if (holes > 1) invalid(fn, 'shape', 'at most one -1', shape);
  let dims = shape.slice();
  if (holes === 1) {
    const known = numel(checkShape(fn, 'shape', shape.filter((d) => d !== -1)));
    if (known === 0 || x.size % known !== 0) {
      throw new SlimError('SHAPE_MISMATCH', `${fn}: cannot infer the -1 in ${shapeString(shape)} for ${x.size} elements`);
    }
    dims = shape.map((d) => (d === -1 ? x.size / known : d));
  }
  dims = checkShape(fn, 'shape', dims);
  if (numel(dims) !== x.size) {
    throw new SlimError('SHAPE_MISMATCH', `${fn}: shape ${shapeString(dims)} holds ${numel(dims)} elements, but x ${shapeString(x.shape)} has ${x.size}`);
  }
  const out = empty(fn, dims, x.dtype);
  copyNd(x.dtype, [x.size], [1], [1], x.ptr, out.ptr);
  return record(fn, [x], out);
}

/** Permutes the dims (default: reversed), materializing the result row-major. */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const fn = 'transpose';
  assertTensor(fn, 'x', x);
  const rank = x.rank;
  const p = perm ?? x.shape.map((_, i) => rank - 1 - i);
  if (!Array.isArray(p) || p.length !== rank || [...p].sort((a, b) => a - b).some((v, i) => v !== i)) {
    invalid(fn, 'perm', `a permutation of 0..${rank - 1}`, perm);
  }
  const shape = p.map((d) => x.shape[d]!);
  const own = stridesOf(x.shape);
  const out = empty(fn, shape, x.dtype);
  copyNd(x.dtype, shape, p.map((d) => own[d]!), stridesOf(shape), x.ptr, out.ptr);
  return record(fn, [x], out, { perm: p });
}

/** Elements start ≤ i < end along `axis` (negative start/end count from the end, clamped like Python). */
export function slice(x: Tensor, axis: number, start: number, end?: number): Tensor {
  const fn = 'slice';
  assertTensor(fn, 'x', x);
  const ax = checkAxis(fn, axis, x.rank);
  const len = x.shape[ax]!;
  const norm = (v: unknown, name: string): number => {
    if (typeof v !== 'number' || !Number.isInteger(v)) invalid(fn, name, 'an integer', v);
    return Math.min(Math.max(v < 0 ? v + len : v, 0), len);
  };
  const s = norm(start, 'start');
  const e = Math.max(s, end === undefined ? len : norm(end, 'end'));
  const shape = x.shape.slice();
  shape[ax] = e - s;
  const own = stridesOf(x.shape);
  const out = empty(fn, shape, x.dtype);
  copyNd(x.dtype, shape, own, stridesOf(shape), x.ptr + ((s * own[ax]!) << DTYPES[x.dtype].shift), out.ptr);
  return record(fn, [x], out, { axis: ax, start: s, end: e });
}

/** Joins tensors of one dtype whose shapes differ only along `axis`. */
export function concat(xs: readonly Tensor[], axis = 0): Tensor {
  const fn = 'concat';
  if (!Array.isArray(xs as unknown) || xs.length === 0) invalid(fn, 'xs', 'a non-empty array of tensors', xs);
  xs.forEach((t, i) => assertTensor(fn, `xs[${i}]`, t));
  const first = xs[0]!;
  const ax = checkAxis(fn, axis, first.rank);
  let total = 0;
  xs.forEach((t, i) => {
    if (t.dtype !== first.dtype) throw new SlimError('DTYPE_MISMATCH', `${fn}: xs[${i}] has dtype ${t.dtype}, expected ${first.dtype} like xs[0]`);
    if (t.rank !== first.rank || t.shape.some((d, j) => j !== ax && d !== first.shape[j])) {
      throw new SlimError('SHAPE_MISMATCH', `${fn}: xs[${i}] has shape ${shapeString(t.shape)}, expected ${shapeString(first.shape.map((d, j) => (j === ax ? NaN : d))).replace('NaN', '*')} like xs[0]`);
    }
    total += t.shape[ax]!;
  });
  const shape = first.shape.slice();
  shape[ax] = total;
  const out = empty(fn, shape, first.dtype);
  const dst = stridesOf(shape);
  let offset = 0;
  for (const t of xs) {
    copyNd(t.dtype, t.shape, stridesOf(t.shape), dst, t.ptr, out.ptr + ((offset * dst[ax]!) << DTYPES[t.dtype].shift));
    offset += t.shape[ax]!;
  }
  return record(fn, xs, out, { axis: ax });
}

/** Rows of `table` (axis 0) picked by i32 `indices`: out shape is indices.shape + table.shape[1:] (an embedding lookup). */
export function gather(table: Tensor, indices: Tensor): Tensor {
  const fn = 'gather';
  assertTensor(fn, 'table', table);
  assertTensor(fn, 'indices', indices);
  assertDType(fn, 'indices', indices, 'i32');
  if (table.rank === 0) invalid(fn, 'table', 'a tensor of rank ≥ 1', 'a 0-d tensor');
  const rowElems = numel(table.shape.slice(1));
  const out = empty(fn, [...indices.shape, ...table.shape.slice(1)], table.dtype);
  const bad = kernels().x8_gather_rows(indices.size, rowElems << DTYPES[table.dtype].shift, table.shape[0]!, table.ptr, indices.ptr, out.ptr);
  if (bad >= 0) {
    const value = i32View()[(indices.ptr >>> 2) + bad];
    out.dispose();
    throw new SlimError('INDEX_OUT_OF_RANGE', `${fn}: indices[${bad}] = ${value} is outside [0, ${table.shape[0]}) (the rows of table)`);
  }
  return record(fn, [table, indices], out);
}

/** Copies src's elements into dst in place (same shape and dtype); dst keeps its identity and graph role. */
export function assign(dst: Tensor, src: Tensor): void {
  const fn = 'assign';
  assertTensor(fn, 'dst', dst);
  assertTensor(fn, 'src', src);
  if (dst.dtype !== src.dtype) throw new SlimError('DTYPE_MISMATCH', `${fn}: src has dtype ${src.dtype}, expected ${dst.dtype} like dst`);
  if (dst.rank !== src.rank || dst.shape.some((d, i) => d !== src.shape[i])) {
    throw new SlimError('SHAPE_MISMATCH', `${fn}: src has shape ${shapeString(src.shape)}, expected ${shapeString(dst.shape)} like dst`);
  }
  copyNd(dst.dtype, [dst.size], [1], [1], src.ptr, dst.ptr);
}

/** @internal out = zeros(shape) with out[indices[i], :] += rows[i, :]: the adjoint of gather (its gradient). */
export function scatterAddRows(shape: Shape, indices: Tensor, rows: Tensor): Tensor<'f32'> {
  const out = empty('scatterAddRows', shape, 'f32');
  const k = kernels();
  k.x32_fill(out.size, out.ptr, 0);
  k.f32_scatter_add_rows(indices.size, numel(shape.slice(1)), indices.ptr, rows.ptr, out.ptr);
  return out;
}

/** A materialized copy of x broadcast to `shape` (NumPy rules). */
export function broadcastTo(x: Tensor, shape: Shape): Tensor {
  const fn = 'broadcastTo';
  assertTensor(fn, 'x', x);
  const dims = checkShape(fn, 'shape', shape);
  const joined = broadcastShapes(fn, x.shape, dims);
  if (joined.length !== dims.length || joined.some((d, i) => d !== dims[i])) {
    throw new SlimError('SHAPE_MISMATCH', `${fn}: x ${shapeString(x.shape)} cannot be broadcast to ${shapeString(dims)}`);
  }
  const out = empty(fn, dims, x.dtype);
  copyNd(x.dtype, dims, broadcastStrides(x.shape, dims), stridesOf(dims), x.ptr, out.ptr);
  return record(fn, [x], out);
}

/** Converts to `dtype`: integers to f32 exactly (i32 rounds past 2^24); f32 to integers truncates toward 0 and saturates, NaN → 0. */
export function cast(x: Tensor, dtype: DType): Tensor {
  const fn = 'cast';
  assertTensor(fn, 'x', x);
  if (!isDType(dtype)) invalid(fn, 'dtype', "one of 'f32', 'i32', 'i8', 'u8'", dtype);
  if (x.dtype !== dtype && x.dtype !== 'f32' && dtype !== 'f32') {
    throw new SlimError('DTYPE_MISMATCH', `${fn}: converting ${x.dtype} to ${dtype} is not supported; go through f32 (received x of dtype ${x.dtype})`);
  }
  const out = empty(fn, x.shape, dtype);
  const k = kernels();
  if (x.dtype === dtype) copyNd(dtype, [x.size], [1], [1], x.ptr, out.ptr);
  else if (dtype === 'f32') ({ u8: k.u8_f32_vcvt, i8: k.i8_f32_vcvt, i32: k.i32_f32_vcvt } as const)[x.dtype as 'u8'](x.size, x.ptr, out.ptr);
  else ({ u8: k.f32_u8_vcvt, i8: k.f32_i8_vcvt, i32: k.f32_i32_vcvt } as const)[dtype as 'u8'](x.size, x.ptr, out.ptr);
  return out;
}

