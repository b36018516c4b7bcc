// 4-bit integer reference codecs: two values per byte, per-group scales along the last axis.
// Layout of x with shape [..., cols] viewed as [rows, cols] and group size g (even; 32, 64 or 128 in FORMATS):
//   data:       [rows, ceil(cols/g)·g/2] bytes; element c of a row is the low nibble of byte c/2 when
//               c is even, the high nibble when odd; each row is padded to whole groups with the zero
//               point's code (so padding dequantizes to 0);
//   scale:      [rows, ceil(cols/g)] f32;
//   zeroPoint:  [rows, ceil(cols/g)] (asymmetric only, each in [0, 15]; stored as one byte).
// Symmetric: q ∈ [−8, 7] in two's complement, zp 0; asymmetric: q ∈ [0, 15] with a zero point.
// Quantization is the affine rule of affine.ts (q = clamp(roundHalfEven(x/s) + zp, qmin, qmax)) and
// int4QParams uses torch's formulas with the customized range −8..7 or 0..15 (qparams.ts).
import { SlimError, invalid } from '../errors.js';
import { checkShape, numel, shapeString, type Shape } from '../tensor/shape.js';
import { dequantizeScalar, minMaxAlong, quantizeScalar } from './affine.js';
import { F32_EPS, qparamsFromMinMax } from './qparams.js';

export interface Int4Params {
  symmetric: boolean;
  groupSize: number;
  /** [rows, ceil(cols/g)] scales. */
  scale: Float32Array;
  /** [rows, ceil(cols/g)] zero points in [0, 15]; required when asymmetric, ignored (0) when symmetric. */
  zeroPoint?: Int32Array;
}

/** The [rows, cols] view of `shape` (rank 0: [1, 1]) and the padded width ceil(cols/g)·g. */
export function int4Layout(fn: string, shape: Shape, groupSize: number): { rows: number; cols: number; groups: number; padded: number } {
  const dims = checkShape(fn, 'shape', shape);
  if (!Number.isSafeInteger(groupSize) || groupSize < 2 || groupSize % 2 !== 0) invalid(fn, 'groupSize', 'an even integer ≥ 2 (32, 64 or 128)', groupSize);
  const cols = dims.length === 0 ? 1 : dims[dims.length - 1]!;
  const rows = cols === 0 ? numel(dims.slice(0, -1)) : numel(dims) / cols;
  const groups = Math.ceil(cols / groupSize);
  return { rows, cols, groups, padded: groups * groupSize };
}

/** Packs 4-bit values two per byte, element 2i in the low nibble of byte i (an odd count leaves the last high nibble 0). */
export function packInt4(q: Int8Array | Uint8Array): Uint8Array {
  const fn = 'packInt4';
  if (!(q instanceof Int8Array) && !(q instanceof Uint8Array)) invalid(fn, 'q', 'an Int8Array (−8..7) or Uint8Array (0..15)', q);
  const [lo, hi] = q instanceof Int8Array ? [-8, 7] : [0, 15];
  const out = new Uint8Array(Math.ceil(q.length / 2));
  for (let i = 0; i < q.length; i++) {
    const v = q[i]!;
    if (v < lo || v > hi) invalid(fn, `q[${i}]`, `an integer in [${lo}, ${hi}]`, v);
    out[i >> 1] |= (v & 0xf) << ((i & 1) << 2);
  }
  return out;
}

/** The first `n` 4-bit values of `packed` (low nibble first), sign-extended to Int8Array when `signed`. */
export function unpackInt4(packed: Uint8Array, n: number, signed: boolean): Int8Array | Uint8Array {
  const fn = 'unpackInt4';
  if (!(packed instanceof Uint8Array)) invalid(fn, 'packed', 'a Uint8Array', packed);
  if (!Number.isSafeInteger(n) || n < 0 || n > packed.length * 2) invalid(fn, 'n', `an integer in [0, ${packed.length * 2}]`, n);
  const out = signed ? new Int8Array(n) : new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = (packed[i >> 1]! >> ((i & 1) << 2)) & 0xf;
    out[i] = signed ? (v ^ 8) - 8 : v;
  }
  return out;
}

/** Per-group scales (and zero points) from each group's min/max by torch's formulas over −8..7 (symmetric: s = max|x|/7.5) or 0..15 (s = (max − min)/15). */
export function int4QParams(x: Float32Array, shape: Shape, opts: { groupSize: number; symmetric: boolean; eps?: number }): Int4Params {
  const fn = 'int4QParams';
  const { groupSize, symmetric, eps = F32_EPS } = opts ?? ({} as never);
  if (typeof symmetric !== 'boolean') invalid(fn, 'symmetric', 'a boolean', symmetric);
  const { rows, cols } = int4Layout(fn, shape, groupSize);
  if (!(x instanceof Float32Array)) invalid(fn, 'x', 'a Float32Array', x);
  if (rows * cols !== x.length) throw new SlimError('SHAPE_MISMATCH', `${fn}: shape ${shapeString(shape)} holds ${rows * cols} elements, but x has ${x.length}`);
  const { min, max } = minMaxAlong(x, [rows, cols], { axis: 1, groupSize });
  const range = symmetric ? { dtype: 'int8' as const, quantMin: -8, quantMax: 7 } : { dtype: 'uint8' as const, quantMin: 0, quantMax: 15 };
  const qp = qparamsFromMinMax(min, max, { ...range, symmetric, eps });
  return symmetric ? { symmetric, groupSize, scale: qp.scale } : { symmetric, groupSize, scale: qp.scale, zeroPoint: qp.zeroPoint };
}

function checkParams(fn: string, shape: Shape, params: Int4Params) {
  if (params === null || typeof params !== 'object') invalid(fn, 'params', 'an object { symmetric, groupSize, scale, zeroPoint? }', params);
  if (typeof params.symmetric !== 'boolean') invalid(fn, 'params.symmetric', 'a boolean', params.symmetric);
  const l = int4Layout(fn, shape, params.groupSize);
  const count = l.rows * l.groups;
  if (!(params.scale instanceof Float32Array)) invalid(fn, 'params.scale', 'a Float32Array', params.scale);
  if (params.scale.length !== count) throw new SlimError('SHAPE_MISMATCH', `${fn}: params.scale must have rows·groups = ${count} entries, received ${params.scale.length}`);
  for (let k = 0; k < count; k++) if (!(params.scale[k]! > 0) || !Number.isFinite(params.scale[k]!)) invalid(fn, `params.scale[${k}]`, 'a finite number > 0', params.scale[k]);
  let zp: Int32Array | null = null;
  if (!params.symmetric) {
    if (!(params.zeroPoint instanceof Int32Array)) invalid(fn, 'params.zeroPoint', 'an Int32Array (asymmetric int4)', params.zeroPoint);
    if (params.zeroPoint.length !== count) throw new SlimError('SHAPE_MISMATCH', `${fn}: params.zeroPoint must have ${count} entries, received ${params.zeroPoint.length}`);
    for (let k = 0; k < count; k++) if (params.zeroPoint[k]! < 0 || params.zeroPoint[k]! > 15) invalid(fn, `params.zeroPoint[${k}]`, 'an integer in [0, 15]', params.zeroPoint[k]);
    zp = params.zeroPoint;
  }
  const [qmin, qmax] = params.symmetric ? [-8, 7] : [0, 15];
  return { ...l, zp, qmin, qmax };
}

/** Packed int4 codes of `x`: q = clamp(roundHalfEven(x/s) + zp, qmin, qmax) per group, rows padded with zp (layout above). */
export function quantizeInt4(x: Float32Array, shape: Shape, params: Int4Params): Uint8Array {
  const fn = 'quantizeInt4';
  if (!(x instanceof Float32Array)) invalid(fn, 'x', 'a Float32Array', x);
  const { rows, cols, groups, padded, zp, qmin, qmax } = checkParams(fn, shape, params);
  if (rows * cols !== x.length) throw new SlimError('SHAPE_MISMATCH', `${fn}: shape ${shapeString(shape)} holds ${rows * cols} elements, but x has ${x.length}`);
  const g = params.groupSize;
  const out = new Uint8Array((rows * padded) / 2);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < padded; c++) {
      const k = r * groups + Math.floor(c / g);
      const z = zp ? zp[k]! : 0;
      const q = c < cols ? quantizeScalar(x[r * cols + c]!, params.scale[k]!, z, qmin, qmax) : z;
      out[(r * padded + c) >> 1] |= (q & 0xf) << ((c & 1) << 2);
    }
  }
  return out;
}

/** x̂ = (q − zp)·s for the `shape` elements of packed int4 codes (padding dropped). */
export function dequantizeInt4(packed: Uint8Array, shape: Shape, params: Int4Params): Float32Array {
  const fn = 'dequantizeInt4';
  if (!(packed instanceof Uint8Array)) invalid(fn, 'packed', 'a Uint8Array', packed);
  const { rows, cols, groups, padded, zp } = checkParams(fn, shape, params);
  if (packed.length !== (rows * padded) / 2) {
    throw new SlimError('SHAPE_MISMATCH', `${fn}: packed must hold rows·ceil(cols/g)·g/2 = ${(rows * padded) / 2} bytes for shape ${shapeString(shape)}, received ${packed.length}`);
  }
  const g = params.groupSize;
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const k = r * groups + Math.floor(c / g);
      const v = (packed[(r * padded + c) >> 1]! >> ((c & 1) << 2)) & 0xf;
      out[r * cols + c] = dequantizeScalar(params.symmetric ? (v ^ 8) - 8 : v, params.scale[k]!, zp ? zp[k]! : 0);
    }
  }
  return out;
}
