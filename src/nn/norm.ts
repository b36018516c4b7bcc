import { noGrad } from '../autograd/tape.js';
import { SlimError, invalid, optionsOf, checkPositive } from '../errors.js';
import { add, affine, div, mul, sqrt, sub } from '../ops/elementwise.js';
import { assign, reshape } from '../ops/layout.js';
import { mean } from '../ops/reduce.js';
import { full, ones, zeros } from '../tensor/create.js';
import { checkShape, shapeString } from '../tensor/shape.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';
import { Module } from './module.js';

/**
 * Batch normalization (Ioffe & Szegedy 2015) over the channel dim 1 of [N, C] or [N, C, L] (1d) or
 * [N, C, H, W] (2d): y = (x − μ)/√(σ² + eps)·γ + β, batch statistics in training (running averages
 * updated with `momentum`, unbiased variance), running statistics in eval.
 */
class BatchNorm extends Module {
  readonly weight: Tensor<'f32'>;
  readonly bias: Tensor<'f32'>;
  readonly runningMean: Tensor<'f32'>;
  readonly runningVar: Tensor<'f32'>;
  readonly numBatchesTracked: Tensor;

  constructor(readonly numFeatures: number, readonly ranks: readonly number[], readonly eps = 1e-5, readonly momentum = 0.1) {
    super();
    checkPositive(this.constructor.name, 'numFeatures', numFeatures);
    if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps)) invalid(this.constructor.name, 'options.eps', 'a finite number > 0', eps);
    if (typeof momentum !== 'number' || !(momentum >= 0 && momentum <= 1)) invalid(this.constructor.name, 'options.momentum', 'a number in [0, 1]', momentum);
    this.weight = this.registerParameter('weight', ones([numFeatures]) as Tensor<'f32'>);
    this.bias = this.registerParameter('bias', zeros([numFeatures]) as Tensor<'f32'>);
    this.runningMean = this.registerBuffer('running_mean', zeros([numFeatures]) as Tensor<'f32'>);
    this.runningVar = this.registerBuffer('running_var', ones([numFeatures]) as Tensor<'f32'>);
    this.numBatchesTracked = this.registerBuffer('num_batches_tracked', zeros([], 'i32'));
  }

  forward(x: Tensor): Tensor {
    const fn = `${this.constructor.name}.forward`;
    assertTensor(fn, 'x', x);
    if (!this.ranks.includes(x.rank) || x.shape[1] !== this.numFeatures) {
      throw new SlimError('SHAPE_MISMATCH', `${fn}: x must have rank ${this.ranks.join(' or ')} with ${this.numFeatures} channels in dim 1, received ${shapeString(x.shape)}`);
    }
    // View as [N, C, S] so the statistics reduce over dims 0 and 2.
    const x3 = reshape(x, [x.shape[0]!, this.numFeatures, -1]);
    const perChannel = (t: Tensor) => reshape(t, [1, this.numFeatures, 1]);
    let m: Tensor, v: Tensor;
    if (this.training) {
      const count = x3.shape[0]! * x3.shape[2]!;
      if (count < 2) throw new SlimError('SHAPE_MISMATCH', `${fn}: training needs more than 1 value per channel, received ${shapeString(x.shape)}`);
      m = mean(mean(x3, 2, true), 0, true);
      const d = sub(x3, m);
      v = mean(mean(mul(d, d), 2, true), 0, true);
      noGrad(() => {
        const mom = this.momentum;
        assign(this.runningMean, add(affine(this.runningMean, 1 - mom), mul(reshape(m, [-1]), mom)));
        assign(this.runningVar, add(affine(this.runningVar, 1 - mom), mul(reshape(v, [-1]), (mom * count) / (count - 1))));
        assign(this.numBatchesTracked, full([], (this.numBatchesTracked.item() + 1) | 0, 'i32'));
      });
    } else {
      m = perChannel(this.runningMean);
      v = perChannel(this.runningVar);
    }
    const y = add(mul(div(sub(x3, m), sqrt(add(v, this.eps))), perChannel(this.weight)), perChannel(this.bias));
    return reshape(y, x.shape);
  }
}

/** BatchNorm over [N, C] or [N, C, L]. */
export class BatchNorm1d extends BatchNorm {
  constructor(numFeatures: number, options: { eps?: number; momentum?: number } = {}) {
    super(numFeatures, [2, 3], (options = optionsOf('BatchNorm1d', options)).eps, options.momentum);
  }
}

/** BatchNorm over [N, C, H, W]. */
export class BatchNorm2d extends BatchNorm {
  constructor(numFeatures: number, options: { eps?: number; momentum?: number } = {}) {
    super(numFeatures, [4], (options = optionsOf('BatchNorm2d', options)).eps, options.momentum);
  }
}

/** Layer normalization (Ba et al. 2016) over the trailing `normalizedShape` dims, with affine γ, β. */
export class LayerNorm extends Module {
  readonly weight: Tensor<'f32'> | null;
  readonly bias: Tensor<'f32'> | null;
  readonly normalizedShape: readonly number[];

  constructor(normalizedShape: number | readonly number[], readonly eps = 1e-5, elementwiseAffine = true) {
    super();
    this.normalizedShape = checkShape('LayerNorm', 'normalizedShape', typeof normalizedShape === 'number' ? [normalizedShape] : normalizedShape);
    if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps)) invalid('LayerNorm', 'eps', 'a finite number > 0', eps);
    if (typeof elementwiseAffine !== 'boolean') invalid('LayerNorm', 'elementwiseAffine', 'a boolean', elementwiseAffine);
    this.weight = elementwiseAffine ? this.registerParameter('weight', ones(this.normalizedShape) as Tensor<'f32'>) : null;
    this.bias = elementwiseAffine ? this.registerParameter('bias', zeros(this.normalizedShape) as Tensor<'f32'>) : null;
  }

  forward(x: Tensor): Tensor {
    const fn = 'LayerNorm.forward';
    assertTensor(fn, 'x', x);
    const k = this.normalizedShape.length;
    if (x.rank < k || x.shape.slice(-k).some((d, i) => d !== this.normalizedShape[i])) {
      throw new SlimError('SHAPE_MISMATCH', `${fn}: x must end with dims ${shapeString(this.normalizedShape)}, received ${shapeString(x.shape)}`);
    }
    const x2 = reshape(x, [-1, this.normalizedShape.reduce((p, d) => p * d, 1)]);
    const m = mean(x2, 1, true);
    const d = sub(x2, m);
    const v = mean(mul(d, d), 1, true);
    let y = reshape(div(d, sqrt(add(v, this.eps))), x.shape);
    if (this.weight && this.bias) y = add(mul(y, this.weight), this.bias);
    return y;
  }
}
