// The gradient-rule table: one entry per differentiable op, keyed by the name ops pass to record().
// A rule gets the upstream gradient gy (shape of the op's output), the node, and the output, and
// returns one gradient per input (null where an input needs none). Rules run under noGrad.
import * as E from '../ops/elementwise.js';
import * as L from '../ops/layout.js';
import * as C from '../ops/conv.js';
import * as M from '../ops/matmul.js';
import * as R from '../ops/reduce.js';
import { full } from '../tensor/create.js';
import type { GradNode, Tensor } from '../tensor/tensor.js';


export type GradRule = (gy: Tensor, node: GradNode, out: Tensor) => (Tensor | null)[];

/** Sums a broadcast gradient back to `shape` (NumPy broadcasting run in reverse). */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  let t = g;
  while (t.rank > shape.length) t = R.sum(t, 0);
  for (let d = 0; d < shape.length; d++) if (shape[d] === 1 && t.shape[d] !== 1) t = R.sum(t, d, true);
  return t;
}

/** Input i as an operand: the tensor, or the plain number the op was called with. */
function operand(node: GradNode, i: number): Tensor | number {
  return node.inputs[i] ?? (node.attrs.scalars as (number | null)[])[i]!;
}

/** Gradients of a binary op: each input's partial, summed back to its own shape. */
function binary(node: GradNode, ga: () => Tensor, gb: () => Tensor): (Tensor | null)[] {
  return [node.needs[0] ? sumTo(ga(), node.inputs[0]!.shape) : null, node.needs[1] ? sumTo(gb(), node.inputs[1]!.shape) : null];
}

/** gy where mask (u8) is set, else 0. */
const masked = (mask: Tensor, gy: Tensor): Tensor => E.where(mask, gy, 0);

/** The reduced-axis gradient broadcast back over x: gy with the axis restored as size 1. */
function expandReduced(gy: Tensor, node: GradNode): Tensor {
  const x = node.inputs[0]!;
  const { axis, keepdims } = node.attrs as { axis?: number; keepdims: boolean };
  if (axis === undefined || keepdims) return L.broadcastTo(L.reshape(gy, axis === undefined ? x.shape.map(() => 1) : gy.shape), x.shape);
  const ax = axis < 0 ? axis + x.rank : axis;
  return L.broadcastTo(L.reshape(gy, x.shape.map((d, i) => (i === ax ? 1 : d))), x.shape);
}

const INV_SQRT_2PI = 0.3989422804014327; // 1/√(2π)
const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π

export const RULES: Record<string, GradRule> = {
  // z = a + b: ∂a = gy, ∂b = gy
  add: (gy, n) => binary(n, () => gy, () => gy),
  // z = a − b: ∂a = gy, ∂b = −gy
  sub: (gy, n) => binary(n, () => gy, () => E.neg(gy)),
  // z = a·b: ∂a = gy·b, ∂b = gy·a
  mul: (gy, n) => binary(n, () => E.mul(gy, operand(n, 1)), () => E.mul(gy, operand(n, 0))),
  // z = a/b: ∂a = gy/b, ∂b = −gy·z/b
  div: (gy, n, z) => binary(n, () => E.div(gy, operand(n, 1)), () => E.neg(E.div(E.mul(gy, z), operand(n, 1)))),
  // z = max(a, b): the larger input takes gy; ties split it evenly (as torch.maximum does)
  maximum: (gy, n) => binary(n, () => tieSplit(gy, operand(n, 0), operand(n, 1), E.greater), () => tieSplit(gy, operand(n, 1), operand(n, 0), E.greater)),
  minimum: (gy, n) => binary(n, () => tieSplit(gy, operand(n, 0), operand(n, 1), E.less), () => tieSplit(gy, operand(n, 1), operand(n, 0), E.less)),
  neg: (gy) => [E.neg(gy)],
  // |x|' = sign(x), 0 at 0
  abs: (gy, n) => {
    const x = n.inputs[0]!;
    return [E.where(E.greater(x, 0), gy, E.where(E.less(x, 0), E.neg(gy), 0))];
  },
  // √x' = 1/(2√x)
  sqrt: (gy, _n, z) => [E.div(gy, E.mul(z, 2))],
  exp: (gy, _n, z) => [E.mul(gy, z)],
  log: (gy, n) => [E.div(gy, n.inputs[0]!)],
  // tanh' = 1 − tanh²
  tanh: (gy, _n, z) => [E.mul(gy, E.sub(1, E.mul(z, z)))],
  // σ' = σ(1 − σ)
  sigmoid: (gy, _n, z) => [E.mul(gy, E.mul(z, E.sub(1, z)))],
  relu: (gy, n) => [masked(E.greater(n.inputs[0]!, 0), gy)],
  // gelu(x) = x·Φ(x): gelu' = Φ(x) + x·φ(x), φ(x) = e^{−x²/2}/√(2π)
  gelu: (gy, n) => {
    const x = n.inputs[0]!;
    const cdf = E.affine(E.erf(E.mul(x, Math.SQRT1_2)), 0.5, 0.5);
    const pdf = E.mul(E.exp(E.mul(E.mul(x, x), -0.5)), INV_SQRT_2PI);
    return [E.mul(gy, E.add(cdf, E.mul(x, pdf)))];
  },
  // erf' = (2/√π)·e^{−x²}
  erf: (gy, n) => {
    const x = n.inputs[0]!;
    return [E.mul(gy, E.mul(E.exp(E.neg(E.mul(x, x))), TWO_OVER_SQRT_PI))];
  },
  // 1 inside [lo, hi], 0 outside (torch.clamp)
  clamp: (gy, n) => {
    const x = n.inputs[0]!;
    const { lo, hi } = n.attrs as { lo: number; hi: number };
    return [masked(E.greaterEqual(x, lo), masked(E.lessEqual(x, hi), gy))];
  },
  affine: (gy, n) => [E.mul(gy, (n.attrs as { alpha: number }).alpha)],
  where: (gy, n) => {
    const cond = n.inputs[0]!;
    const pick = (i: number, inside: boolean) => (n.needs[i] ? sumTo(inside ? E.where(cond, gy, 0) : E.where(cond, 0, gy), n.inputs[i]!.shape) : null);
    return [null, pick(1, true), pick(2, false)];
  },
  sum: (gy, n) => [expandReduced(gy, n)],
  mean: (gy, n) => {
    const x = n.inputs[0]!;
    const { axis } = n.attrs as { axis?: number };
    const count = axis === undefined ? x.size : x.shape[axis < 0 ? axis + x.rank : axis]!;
    return [E.div(expandReduced(gy, n), count)];
  },
  // max/min: gy goes to the positions equal to the result, split evenly between ties
  max: (gy, n, z) => [extremum(gy, n, z)],
  min: (gy, n, z) => [extremum(gy, n, z)],
  // softmax: ∂x = y·(gy − Σ gy·y)
  softmax: (gy, _n, y) => [E.mul(y, E.sub(gy, R.sum(E.mul(gy, y), -1, true)))],
  // logSoftmax: ∂x = gy − softmax(x)·Σ gy
  logSoftmax: (gy, _n, y) => [E.sub(gy, E.mul(E.exp(y), R.sum(gy, -1, true)))],
  reshape: (gy, n) => [L.reshape(gy, n.inputs[0]!.shape)],
  transpose: (gy, n) => {
    const perm = (n.attrs as { perm: number[] }).perm;
    const inverse = perm.map((_, i) => perm.indexOf(i));
    return [L.transpose(gy, inverse)];
  },
  // slice: gy lands in its window, zeros elsewhere
  slice: (gy, n) => {
    const x = n.inputs[0]!;
    const { axis, start, end } = n.attrs as { axis: number; start: number; end: number };
    const pad = (len: number) => full(x.shape.map((d, i) => (i === axis ? len : d)), 0);
    return [L.concat([pad(start), gy, pad(x.shape[axis]! - end)], axis)];
  },
  concat: (gy, n) => {
    const axis = (n.attrs as { axis: number }).axis;
    let offset = 0;
    return n.inputs.map((t, i) => {
      const len = t!.shape[axis]!;
      const g = n.needs[i] ? L.slice(gy, axis, offset, offset + len) : null;
      offset += len;
      return g;
    });
  },
  broadcastTo: (gy, n) => [sumTo(gy, n.inputs[0]!.shape)],
  // gather: rows of gy are added back into the rows they were read from
  gather: (gy, n) => [L.scatterAddRows(n.inputs[0]!.shape, n.inputs[1]!, gy), null],
  matmul: (gy, n) => matmulGrads(gy, n),
  // y = act(x·Wᵀ + b): ∂x = g·W, ∂W = gᵀ·x, ∂b = Σ g, with g = gy masked by the ReLU
  linear: (gy, n, y) => {
    const [x, w] = n.inputs as [Tensor, Tensor];
    const g = (n.attrs as { activation: string }).activation === 'relu' ? masked(E.greater(y, 0), gy) : gy;
    // reshape copies: only fold leading dims when there are any to fold.
    const g2 = g.rank === 2 ? g : L.reshape(g, [-1, w.shape[0]!]);
    const gx = n.needs[0] ? M.matmul(g2, w) : null;
    return [
      gx && x.rank !== 2 ? L.reshape(gx, x.shape) : gx,
      n.needs[1] ? M.matmul(g2, x.rank === 2 ? x : L.reshape(x, [-1, w.shape[1]!]), true, false) : null,
      n.needs[2] ? R.sum(g2, 0) : null,
    ];
  },
  // y = act(conv2d(x, W, b)): the conv2d gradients of gy masked by the ReLU
  conv2d: (gy, n, y) => C.conv2dBackward((n.attrs as { activation?: string }).activation === 'relu' ? masked(E.greater(y, 0), gy) : gy, n.inputs[0]!, n.inputs[1]!, n.attrs.g as never, n.needs),
  maxPool2d: (gy, n) => [C.maxPool2dBackward(gy, n.inputs[0]!, n.attrs as never)],
  avgPool2d: (gy, n) => [C.avgPool2dBackward(gy, n.inputs[0]!, n.attrs as never)],
  // A user rule from customGrad(): it is stored on the node.
  custom: (gy, n, y) => (n.attrs as { backward: (gy: Tensor, y: Tensor, inputs: readonly Tensor[]) => (Tensor | null)[] }).backward(gy, y, n.inputs as Tensor[]),
};

function tieSplit(gy: Tensor, mine: Tensor | number, other: Tensor | number, beats: typeof E.greater): Tensor {
  const win = E.where(beats(mine, other), gy, 0);
  const tie = E.where(E.equal(mine, other), E.mul(gy, 0.5), 0);
  return E.add(win, tie);
}

function extremum(gy: Tensor, n: GradNode, z: Tensor): Tensor {
  const x = n.inputs[0]!;
  const zb = expandReduced(z, n);
  const hits = E.where(E.equal(x, zb), 1, 0);
  const count = expandReduced(n.attrs.axis === undefined ? R.sum(hits) : R.sum(hits, n.attrs.axis as number, n.attrs.keepdims as boolean), n);
  return E.div(E.mul(hits, expandReduced(gy, n)), count);
}

/** C = op(A)·op(B): ∂A and ∂B in the stored layouts, summed over the batch for a broadcast 2-D operand. */
function matmulGrads(gy: Tensor, n: GradNode): (Tensor | null)[] {
  const [a, b] = n.inputs as [Tensor, Tensor];
  const { transposeA: ta, transposeB: tb } = n.attrs as { transposeA: boolean; transposeB: boolean };
  const batchSum = (g: Tensor, t: Tensor) => (t.rank === 2 && g.rank === 3 ? R.sum(g, 0) : g);
  const ga = !n.needs[0] ? null : batchSum(ta ? M.matmul(b, gy, tb, true) : M.matmul(gy, b, false, !tb), a);
  const gb = !n.needs[1] ? null : batchSum(tb ? M.matmul(gy, a, true, ta) : M.matmul(a, gy, !ta, false), b);
  return [ga, gb];
}
