import { SlimError, invalid, optionsOf } from '../errors.js';
import { exp, greater, log, mul, neg, sub, where } from '../ops/elementwise.js';
import { logSoftmax, mean, sum } from '../ops/reduce.js';
import { fromValues } from '../tensor/create.js';
import { sameShape, shapeString } from '../tensor/shape.js';
import { assertDType, assertTensor, type Tensor } from '../tensor/tensor.js';

export type Reduction = 'mean' | 'sum' | 'none';

function reduce(fn: string, perSample: Tensor, reduction: Reduction): Tensor {
  if (reduction === 'mean') return mean(perSample);
  if (reduction === 'sum') return sum(perSample);
  if (reduction === 'none') return perSample;
  invalid(fn, 'reduction', "'mean', 'sum' or 'none'", reduction);
}

/** q = (1 − ε)·onehot(target) + ε/C as an f32 [N, C] tensor, checking every label is in [0, C). */
function targetDistribution(fn: string, target: Tensor, n: number, c: number, smoothing: number): Tensor {
  assertDType(fn, 'target', target, 'i32');
  if (target.rank !== 1 || target.shape[0] !== n) throw new SlimError('SHAPE_MISMATCH', `${fn}: target must have shape [${n}], received ${shapeString(target.shape)}`);
  const labels = target.toTypedArray();
  const q = new Float32Array(n * c).fill(smoothing / c);
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (y < 0 || y >= c) throw new SlimError('INDEX_OUT_OF_RANGE', `${fn}: target[${i}] = ${y} is outside [0, ${c}) (the classes of the input)`);
    q[i * c + y]! += 1 - smoothing;
  }
  return fromValues(fn, q, [n, c], 'f32');
}

function checkInput(fn: string, x: Tensor): [number, number] {
  assertTensor(fn, 'input', x);
  assertDType(fn, 'input', x, 'f32');
  if (x.rank !== 2) throw new SlimError('SHAPE_MISMATCH', `${fn}: input must be [N, C], received ${shapeString(x.shape)}`);
  return x.shape as [number, number];
}

/**
 * −Σ_c q_c·log softmax(x)_c per sample, q = onehot(target) smoothed by ε (Szegedy et al. 2016) as
 * torch.nn.functional.cross_entropy does; `target` is i32 class indices [N] or f32 probabilities [N, C].
 */
export function crossEntropy(logits: Tensor, target: Tensor, options: { reduction?: Reduction; labelSmoothing?: number } = {}): Tensor {
  const fn = 'crossEntropy';
  options = optionsOf(fn, options);
  const [n, c] = checkInput(fn, logits);
  const eps = options.labelSmoothing ?? 0;
  if (typeof eps !== 'number' || !(eps >= 0 && eps <= 1)) invalid(fn, 'labelSmoothing', 'a number in [0, 1]', eps);
  assertTensor(fn, 'target', target);
  let q: Tensor;
  if (target.dtype === 'f32') {
    if (!sameShape(target.shape, logits.shape)) throw new SlimError('SHAPE_MISMATCH', `${fn}: probability targets must have the input's shape ${shapeString(logits.shape)}, received ${shapeString(target.shape)}`);
    q = eps === 0 ? target : sub(mul(target, 1 - eps), -eps / c);
  } else {
    q = targetDistribution(fn, target, n, c, eps);
  }
  return reduce(fn, neg(sum(mul(logSoftmax(logits), q), 1)), options.reduction ?? 'mean');
}

/** −logp[i, target_i] per sample (input is log-probabilities [N, C]). */
export function nllLoss(logProbs: Tensor, target: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  const fn = 'nllLoss';
  options = optionsOf(fn, options);
  const [n, c] = checkInput(fn, logProbs);
  assertTensor(fn, 'target', target);
  return reduce(fn, neg(sum(mul(logProbs, targetDistribution(fn, target, n, c, 0)), 1)), options.reduction ?? 'mean');
}

/** (a − b)² averaged (or summed) over all elements. */
export function mseLoss(a: Tensor, b: Tensor, options: { reduction?: Reduction } = {}): Tensor {
  const fn = 'mseLoss';
  options = optionsOf(fn, options);
  assertTensor(fn, 'input', a);
  assertTensor(fn, 'target', b);
  if (!sameShape(a.shape, b.shape)) throw new SlimError('SHAPE_MISMATCH', `${fn}: target must have the input's shape ${shapeString(a.shape)}, received ${shapeString(b.shape)}`);
  const d = sub(a, b);
  return reduce(fn, mul(d, d), options.reduction ?? 'mean');
}

/**
 * KL(target ‖ exp(input)) = Σ target·(log target − input), input being log-probabilities, with
 * 0·log 0 = 0 (torch.nn.functional.kl_div). 'batchmean' divides the sum by the batch size N.
 */
export function klDiv(input: Tensor, target: Tensor, options: { reduction?: 'batchmean' | Reduction; logTarget?: boolean } = {}): Tensor {
  const fn = 'klDiv';
  options = optionsOf(fn, options);
  assertTensor(fn, 'input', input);
  assertTensor(fn, 'target', target);
  if (!sameShape(input.shape, target.shape)) throw new SlimError('SHAPE_MISMATCH', `${fn}: target must have the input's shape ${shapeString(input.shape)}, received ${shapeString(target.shape)}`);
  const pointwise = options.logTarget
    ? mul(exp(target), sub(target, input))
    : where(greater(target, 0), mul(target, sub(log(target), input)), 0);
  const reduction = options.reduction ?? 'mean';
  if (reduction === 'batchmean') return mul(sum(pointwise), 1 / (input.rank > 0 ? input.shape[0]! : 1));
  return reduce(fn, pointwise, reduction);
}
