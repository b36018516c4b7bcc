// Affine (uniform) int8/uint8 reference codecs, torch's quantize_per_tensor / _per_channel plus groups:
//   q = clamp(roundHalfEven(x / scale) + zeroPoint, qmin, qmax),   x̂ = (q − zeroPoint)·scale.
// x / scale and (q − zp)·scale are rounded to f32, as an f32 kernel computes them (f32x4.div then
// f32x4.nearest matches bit for bit). NaN quantizes to the zero point; ±Inf clamps.
// Granularity comes from the params:
//   per-tensor:  no axis, 1 scale;
//   per-channel: `axis`, shape[axis] scales;
//   per-group:   `groupSize` g (with `axis`, default the last): one scale per g consecutive elements
//                along axis, ceil(shape[axis]/g) per line (the last group may be short), laid out as
//                `shape` with shape[axis] replaced by that count, row-major ([rows, groups] for the last axis).
import { SlimError, invalid, optionsOf, checkPositive } from '../errors.js';
import { checkAxis, checkShape, numel, shapeString, type Shape } from '../tensor/shape.js';
import { dtypeRange, roundHalfEven, type QDType } from './qparams.js';

export interface AffineParams {
  dtype: QDType;
  scale: Float32Array;
  zeroPoint: Int32Array;
  axis?: number;
  groupSize?: number;
  /** Clamp range; default the dtype's full range (QParams carry the observer's, e.g. reduced). */
  qmin?: number;
  qmax?: number;
}

/** Where each element's (scale, zero point) lives: x viewed as [outer, n, inner] around the axis. */
export interface ParamLayout {
  outer: number;
  n: number;
  inner: number;
  /** Elements per group along the axis (n for per-channel, all for per-tensor). */
  g: number;
  groups: number;
  mode: 'tensor' | 'channel' | 'group';
  /** Number of (scale, zero point) pairs. */
  count: number;
}

/** The parameter layout for `shape` and a granularity ({} per-tensor, { axis } per-channel, { axis?, groupSize } per-group). */
export function paramLayout(fn: string, shape: Shape, gran: { axis?: number; groupSize?: number }): ParamLayout {
  const dims = checkShape(fn, 'shape', shape);
  const size = numel(dims);
  const { axis, groupSize } = gran;
  if (axis === undefined && groupSize === undefined) return { outer: 1, n: size, inner: 1, g: size, groups: 1, mode: 'tensor', count: 1 };
  if (dims.length === 0) throw new SlimError('SHAPE_MISMATCH', `${fn}: per-channel or per-group parameters need rank ≥ 1, received shape []`);
  const ax = checkAxis(fn, axis ?? -1, dims.length, 'params.axis');
  const outer = numel(dims.slice(0, ax));
  const n = dims[ax]!;
  const inner = numel(dims.slice(ax + 1));
  if (groupSize === undefined) return { outer, n, inner, g: 1, groups: n, mode: 'channel', count: n };
  checkPositive(fn, 'params.groupSize', groupSize);
  const groups = Math.ceil(n / groupSize);
  return { outer, n, inner, g: groupSize, groups, mode: 'group', count: outer * groups * inner };
}

/** Index of element i's (scale, zero point) under `l`. */
export function paramIndex(l: ParamLayout, i: number): number {
  if (l.mode === 'tensor') return 0;
  const a = Math.floor(i / l.inner) % l.n;
  if (l.mode === 'channel') return a;
  const o = Math.floor(i / (l.n * l.inner));
  return (o * l.groups + Math.floor(a / l.g)) * l.inner + (i % l.inner);
}

/** q = clamp(roundHalfEven(fround(x / scale)) + zp, qmin, qmax); NaN → zp. */
export function quantizeScalar(x: number, scale: number, zeroPoint: number, qmin: number, qmax: number): number {
  const v = roundHalfEven(Math.fround(x / scale)) + zeroPoint;
  return v >= qmax ? qmax : v <= qmin ? qmin : v === v ? v : zeroPoint;
}

/** x̂ = fround((q − zp)·scale). */
export const dequantizeScalar = (q: number, scale: number, zeroPoint: number): number => Math.fround((q - zeroPoint) * scale);

interface Checked {
  layout: ParamLayout;
  qmin: number;
  qmax: number;
}

function checkParams(fn: string, shape: Shape, size: number, p: AffineParams): Checked {
  if (p === null || typeof p !== 'object') invalid(fn, 'params', 'an object { dtype, scale, zeroPoint, axis?, groupSize? }', p);
  if (p.dtype !== 'int8' && p.dtype !== 'uint8') invalid(fn, 'params.dtype', "'int8' or 'uint8'", p.dtype);
  const layout = paramLayout(fn, shape, p);
  if (numel(shape) !== size) {
    throw new SlimError('SHAPE_MISMATCH', `${fn}: shape ${shapeString(shape)} holds ${numel(shape)} elements, but the data has ${size}`);
  }
  const [lo, hi] = dtypeRange(p.dtype);
  const qmin = p.qmin ?? lo;
  const qmax = p.qmax ?? hi;
  if (!Number.isSafeInteger(qmin) || qmin < lo || qmin > hi) invalid(fn, 'params.qmin', `an integer in [${lo}, ${hi}]`, qmin);
  if (!Number.isSafeInteger(qmax) || qmax < qmin || qmax > hi) invalid(fn, 'params.qmax', `an integer in [qmin, ${hi}]`, qmax);
  if (!(p.scale instanceof Float32Array)) invalid(fn, 'params.scale', 'a Float32Array', p.scale);
  if (!(p.zeroPoint instanceof Int32Array)) invalid(fn, 'params.zeroPoint', 'an Int32Array', p.zeroPoint);
  for (const [name, arr] of [['scale', p.scale], ['zeroPoint', p.zeroPoint]] as const) {
    if (arr.length !== layout.count) {
      throw new SlimError('SHAPE_MISMATCH', `${fn}: params.${name} must have ${layout.count} entries for a ${layout.mode} layout of ${shapeString(shape)}, received ${arr.length}`);
    }
  }
  for (let k = 0; k < layout.count; k++) {
    const s = p.scale[k]!;
    if (!(s > 0) || !Number.isFinite(s)) invalid(fn, `params.scale[${k}]`, 'a finite number > 0', s);
    const z = p.zeroPoint[k]!;
    if (z < qmin || z > qmax) invalid(fn, `params.zeroPoint[${k}]`, `an integer in [${qmin}, ${qmax}]`, z);
  }
  return { layout, qmin, qmax };
}

/** Affine quantization of `x` (row-major `shape`) to int8/uint8 with per-tensor, per-channel or per-group params. */
export function quantizeAffine(x: Float32Array, shape: Shape, params: AffineParams): Int8Array | Uint8Array {
  const fn = 'quantizeAffine';
  if (!(x instanceof Float32Array)) invalid(fn, 'x', 'a Float32Array', x);
  const { layout, qmin, qmax } = checkParams(fn, shape, x.length, params);
  const out = params.dtype === 'int8' ? new Int8Array(x.length) : new Uint8Array(x.length);
  const { scale, zeroPoint } = params;
  for (let i = 0; i < x.length; i++) {
    const k = paramIndex(layout, i);
    out[i] = quantizeScalar(x[i]!, scale[k]!, zeroPoint[k]!, qmin, qmax);
  }
  return out;
}

/** x̂ = (q − zeroPoint)·scale elementwise, with the params of quantizeAffine. */
export function dequantizeAffine(q: Int8Array | Uint8Array, shape: Shape, params: AffineParams): Float32Array {
  const fn = 'dequantizeAffine';
  const want = params?.dtype === 'int8' ? Int8Array : Uint8Array;
  if (!(q instanceof want)) {
    throw new SlimError('DTYPE_MISMATCH', `${fn}: q must be a${params?.dtype === 'int8' ? 'n Int8Array' : ' Uint8Array'} for params.dtype ${String(params?.dtype)}, received ${q?.constructor?.name ?? typeof q}`);
  }
  const { layout } = checkParams(fn, shape, q.length, params);
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) {
    const k = paramIndex(layout, i);
    out[i] = dequantizeScalar(q[i]!, params.scale[k]!, params.zeroPoint[k]!);
  }
  return out;
}

/** Min and max of every parameter slot (per-tensor, per-channel or per-group, as quantizeAffine lays them out); NaN propagates. */
export function minMaxAlong(x: Float32Array, shape: Shape, gran: { axis?: number; groupSize?: number } = {}): { min: Float32Array; max: Float32Array } {
  const fn = 'minMaxAlong';
  gran = optionsOf(fn, gran, 'granularity');
  if (!(x instanceof Float32Array)) invalid(fn, 'x', 'a Float32Array', x);
  const layout = paramLayout(fn, shape, gran);
  if (numel(shape) !== x.length) throw new SlimError('SHAPE_MISMATCH', `${fn}: shape ${shapeString(shape)} holds ${numel(shape)} elements, but x has ${x.length}`);
  const min = new Float32Array(layout.count).fill(Infinity);
  const max = new Float32Array(layout.count).fill(-Infinity);
  for (let i = 0; i < x.length; i++) {
    const k = paramIndex(layout, i);
    const v = x[i]!;
    if (v !== v || min[k] !== min[k]) {
      min[k] = max[k] = NaN;
      continue;
    }
    if (v < min[k]!) min[k] = v;
    if (v > max[k]!) max[k] = v;
  }
  return { min, max };
}
