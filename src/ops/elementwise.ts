import { record } from '../autograd/tape.js';
import { args, kernels } from '../backend/binding.js';
import { checkNumber, invalid } from '../errors.js';
import { fromValues } from '../tensor/create.js';
import { sameShape } from '../tensor/shape.js';
import { assertDType, assertTensor, empty, type Tensor } from '../tensor/tensor.js';
import { broadcastShapes, broadcastStrides, collapse } from './broadcast.js';
import { broadcastTo } from './layout.js';

export type Operand = Tensor | number;

/**
 * Resolves operands (a number becomes a temporary 0-d f32 tensor), checks they are live f32
 * tensors, and returns them with a release() that disposes the temporaries.
 */
function operands(fn: string, named: [string, Operand][]): { ts: Tensor[]; release: () => void } {
  const temps: Tensor[] = [];
  const release = () => temps.forEach((t) => t.dispose());
  try {
    const ts = named.map(([arg, x]) => {
      if (typeof x === 'number') {
        const t = fromValues(fn, [x], [], 'f32');
        temps.push(t);
        return t;
      }
      assertTensor(fn, arg, x);
      assertDType(fn, arg, x, 'f32');
      return x;
    });
    return { ts, release };
  } catch (e) {
    release();
    throw e;
  }
}

const tensorOrNull = (x: Operand): Tensor | null => (typeof x === 'number' ? null : x);
const scalarOrNull = (x: Operand): number | null => (typeof x === 'number' ? x : null);

type BinaryName = 'f32_vadd_nd' | 'f32_vsub_nd' | 'f32_vmul_nd' | 'f32_vdiv_nd' | 'f32_vmax_nd' | 'f32_vmin_nd';

function binary(fn: string, kernel: BinaryName, a: Operand, b: Operand): Tensor<'f32'> {
  const { ts: [x, y], release } = operands(fn, [['a', a], ['b', b]]);
  try {
    const shape = broadcastShapes(fn, x!.shape, y!.shape);
    const c = collapse(shape, [broadcastStrides(x!.shape, shape), broadcastStrides(y!.shape, shape)]);
    const out = empty(fn, shape, 'f32');
    if (out.size > 0) {
      const nd = c.shape.length;
      const p = args([...c.shape, ...c.strides[0]!, ...c.strides[1]!]);
      kernels()[kernel](nd, p, p + 4 * nd, p + 8 * nd, x!.ptr, y!.ptr, out.ptr);
    }
    return record(fn, [tensorOrNull(a), tensorOrNull(b)], out, { scalars: [scalarOrNull(a), scalarOrNull(b)] });
  } finally {
    release();
  }
}

/** a + b, with NumPy broadcasting. */
export const add = (a: Operand, b: Operand): Tensor<'f32'> => binary('add', 'f32_vadd_nd', a, b);
/** a − b, with NumPy broadcasting. */
export const sub = (a: Operand, b: Operand): Tensor<'f32'> => binary('sub', 'f32_vsub_nd', a, b);
/** a · b elementwise, with NumPy broadcasting. */
export const mul = (a: Operand, b: Operand): Tensor<'f32'> => binary('mul', 'f32_vmul_nd', a, b);
/** a / b (IEEE: x/0 = ±Inf, 0/0 = NaN), with NumPy broadcasting. */
export const div = (a: Operand, b: Operand): Tensor<'f32'> => binary('div', 'f32_vdiv_nd', a, b);
/** Elementwise max; NaN propagates, −0 < +0 (numpy.maximum). */
export const maximum = (a: Operand, b: Operand): Tensor<'f32'> => binary('maximum', 'f32_vmax_nd', a, b);
/** Elementwise min; NaN propagates, −0 < +0 (numpy.minimum). */
export const minimum = (a: Operand, b: Operand): Tensor<'f32'> => binary('minimum', 'f32_vmin_nd', a, b);

type UnaryName = 'f32_vneg' | 'f32_vabs' | 'f32_vsqrt' | 'f32_vexp' | 'f32_vlog' | 'f32_vtanh' | 'f32_vsigmoid' | 'f32_vrelu' | 'f32_vgelu' | 'f32_verf';

function unary(fn: string, kernel: UnaryName, x: Tensor): Tensor<'f32'> {
  assertTensor(fn, 'x', x);
  assertDType(fn, 'x', x, 'f32');
  const out = empty(fn, x.shape, 'f32');
  kernels()[kernel](x.size, x.ptr, out.ptr);
  return record(fn, [x], out);
}

/** −x */
export const neg = (x: Tensor): Tensor<'f32'> => unary('neg', 'f32_vneg', x);
/** |x| */
export const abs = (x: Tensor): Tensor<'f32'> => unary('abs', 'f32_vabs', x);
/** √x (correctly rounded; NaN for x < 0). */
export const sqrt = (x: Tensor): Tensor<'f32'> => unary('sqrt', 'f32_vsqrt', x);
/** eˣ, computed in wasm (≤ 2 ulp), identical in every engine. */
export const exp = (x: Tensor): Tensor<'f32'> => unary('exp', 'f32_vexp', x);
/** Natural log (≤ 2 ulp); log(0) = −Inf, log(x < 0) = NaN. */
export const log = (x: Tensor): Tensor<'f32'> => unary('log', 'f32_vlog', x);
/** tanh(x), computed in wasm. */
export const tanh = (x: Tensor): Tensor<'f32'> => unary('tanh', 'f32_vtanh', x);
/** 1 / (1 + e⁻ˣ), computed in wasm. */
export const sigmoid = (x: Tensor): Tensor<'f32'> => unary('sigmoid', 'f32_vsigmoid', x);
/** max(x, 0); NaN stays NaN. */
export const relu = (x: Tensor): Tensor<'f32'> => unary('relu', 'f32_vrelu', x);
/** GELU, erf form: x·Φ(x) = ½x(1 + erf(x/√2)) (Hendrycks & Gimpel 2016). */
export const gelu = (x: Tensor): Tensor<'f32'> => unary('gelu', 'f32_vgelu', x);
/** The error function erf(x). */
export const erf = (x: Tensor): Tensor<'f32'> => unary('erf', 'f32_verf', x);

/** min(max(x, lo), hi) elementwise; NaN stays NaN. */
export function clamp(x: Tensor, lo: number, hi: number): Tensor<'f32'> {
  const fn = 'clamp';
  assertTensor(fn, 'x', x);
  assertDType(fn, 'x', x, 'f32');
  if (typeof lo !== 'number' || Number.isNaN(lo)) invalid(fn, 'lo', 'a number', lo);
  if (typeof hi !== 'number' || Number.isNaN(hi)) invalid(fn, 'hi', 'a number', hi);
  if (lo > hi) invalid(fn, 'lo', `≤ hi (${hi})`, lo);
  const out = empty(fn, x.shape, 'f32');
  kernels().f32_vclamp(x.size, x.ptr, out.ptr, lo, hi);
  return record(fn, [x], out, { lo, hi });
}

/** x·alpha + beta elementwise, in one pass. */
export function affine(x: Tensor, alpha: number, beta = 0): Tensor<'f32'> {
  const fn = 'affine';
  assertTensor(fn, 'x', x);
  assertDType(fn, 'x', x, 'f32');
  checkNumber(fn, 'alpha', alpha);
  checkNumber(fn, 'beta', beta);
  const out = empty(fn, x.shape, 'f32');
  kernels().f32_vaffine(x.size, x.ptr, out.ptr, alpha, beta);
  return record(fn, [x], out, { alpha, beta });
}

type CompareName = 'f32_veq' | 'f32_vne' | 'f32_vlt' | 'f32_vle' | 'f32_vgt' | 'f32_vge';

/** Runs `body` on tensors broadcast (materialized) to one shape, disposing the copies. */
function withBroadcast<T>(fn: string, inputs: Tensor[], body: (ts: Tensor[], shape: number[]) => T): T {
  const copies: Tensor[] = [];
  try {
    let shape: number[] = [];
    for (const t of inputs) shape = broadcastShapes(fn, shape, t.shape);
    const ts = inputs.map((t) => {
      if (sameShape(t.shape, shape)) return t;
      const b = broadcastTo(t, shape);
      copies.push(b);
      return b;
    });
    return body(ts, shape);
  } finally {
    for (const t of copies) t.dispose();
  }
}

function compare(fn: string, kernel: CompareName, a: Operand, b: Operand): Tensor<'u8'> {
  const { ts, release } = operands(fn, [['a', a], ['b', b]]);
  try {
    return withBroadcast(fn, ts, ([ta, tb], shape) => {
      const out = empty(fn, shape, 'u8');
      kernels()[kernel](out.size, ta!.ptr, tb!.ptr, out.ptr);
      return out;
    });
  } finally {
    release();
  }
}

/** a == b as a u8 mask (1 or 0); NaN == NaN is 0. Broadcasts. */
export const equal = (a: Operand, b: Operand): Tensor<'u8'> => compare('equal', 'f32_veq', a, b);
/** a != b as a u8 mask; NaN != x is 1. Broadcasts. */
export const notEqual = (a: Operand, b: Operand): Tensor<'u8'> => compare('notEqual', 'f32_vne', a, b);
/** a < b as a u8 mask. Broadcasts. */
export const less = (a: Operand, b: Operand): Tensor<'u8'> => compare('less', 'f32_vlt', a, b);
/** a ≤ b as a u8 mask. Broadcasts. */
export const lessEqual = (a: Operand, b: Operand): Tensor<'u8'> => compare('lessEqual', 'f32_vle', a, b);
/** a > b as a u8 mask. Broadcasts. */
export const greater = (a: Operand, b: Operand): Tensor<'u8'> => compare('greater', 'f32_vgt', a, b);
/** a ≥ b as a u8 mask. Broadcasts. */
export const greaterEqual = (a: Operand, b: Operand): Tensor<'u8'> => compare('greaterEqual', 'f32_vge', a, b);

/** cond ? a : b elementwise; cond is a u8 mask (non-zero is true). All three broadcast. */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor<'f32'> {
  const fn = 'where';
  assertTensor(fn, 'cond', cond);
  assertDType(fn, 'cond', cond, 'u8');
  const { ts, release } = operands(fn, [['a', a], ['b', b]]);
  try {
    return withBroadcast(fn, [cond, ...ts], ([tc, ta, tb], shape) => {
      const out = empty(fn, shape, 'f32');
      kernels().f32_vwhere(out.size, tc!.ptr, ta!.ptr, tb!.ptr, out.ptr);
      return record(fn, [cond, tensorOrNull(a), tensorOrNull(b)], out, { scalars: [null, scalarOrNull(a), scalarOrNull(b)] });
    });
  } finally {
    release();
  }
}
