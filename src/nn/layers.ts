import { invalid, optionsOf, checkPositive } from '../errors.js';
import { gelu, mul, relu, sigmoid, tanh, where, greaterEqual } from '../ops/elementwise.js';
import { gather, reshape } from '../ops/layout.js';
import { linear } from '../ops/matmul.js';
import { avgPool2d, conv2d, maxPool2d, type Conv2dOptions, type Pair, type Pool2dOptions } from '../ops/conv.js';
import { normal, uniform, Rng } from '../tensor/random.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';
import { fanInUniform, kaimingUniform } from './init.js';
import { Module } from './module.js';

export interface InitOptions {
  /** Generator for the initial weights (default: the library's default stream, see seed()). */
  rng?: Rng;
}

/**
 * @internal A Linear's parameters, checked and drawn as PyTorch does: weight [out, in] Kaiming-uniform
 * (a = √5), then, unless options.bias is false, a fan-in uniform bias (Linear and BinaryLinear).
 */
export function linearParams(fn: string, inFeatures: number, outFeatures: number, options: InitOptions & { bias?: boolean }): { weight: Tensor; bias: Tensor | null } {
  checkPositive(fn, 'inFeatures', inFeatures);
  checkPositive(fn, 'outFeatures', outFeatures);
  const weight = kaimingUniform([outFeatures, inFeatures], inFeatures, Math.sqrt(5), options.rng);
  return { weight, bias: options.bias !== false ? fanInUniform([outFeatures], inFeatures, options.rng) : null };
}

/** y = x·Wᵀ + b with W [out, in]; PyTorch's layout and default init. */
export class Linear extends Module {
  constructor(inFeatures: number, outFeatures: number, options: InitOptions & { bias?: boolean } = {}) {
    super();
    options = optionsOf('Linear', options, 'options');
    const { weight, bias } = linearParams('Linear', inFeatures, outFeatures, options);
    this.registerParameter('weight', weight);
    if (bias) this.registerParameter('bias', bias);
  }

  /** [out, in]. */
  get weight(): Tensor { return this.param('weight')!; }
  get bias(): Tensor | null { return this.param('bias'); }
  get inFeatures(): number { return this.weight.shape[1]!; }
  get outFeatures(): number { return this.weight.shape[0]!; }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }

  /** @internal Linear then ReLU as one linear(…, 'relu') (unless either forward is overridden). */
  override forwardThen(x: Tensor, next: Module): Tensor | null {
    if (!(next instanceof ReLU) || next.forward !== ReLU.prototype.forward || this.forward !== Linear.prototype.forward) return null;
    return linear(x, this.weight, this.bias, 'relu');
  }
}

export class ReLU extends Module { forward(x: Tensor): Tensor { return relu(x); } }
export class GELU extends Module { forward(x: Tensor): Tensor { return gelu(x); } }
export class Tanh extends Module { forward(x: Tensor): Tensor { return tanh(x); } }
export class Sigmoid extends Module { forward(x: Tensor): Tensor { return sigmoid(x); } }

/** Flattens dims from `startDim` on: [N, C, H, W] → [N, C·H·W]. */
export class Flatten extends Module {
  constructor(readonly startDim = 1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return reshape(x, [...x.shape.slice(0, this.startDim), -1]);
  }
}

/** Zeroes each element with probability p in training and scales the rest by 1/(1 − p); a seeded stream. */
export class Dropout extends Module {
  readonly rng: Rng;

  constructor(readonly p = 0.5, options: { seed?: number; rng?: Rng } = {}) {
    super();
    options = optionsOf('Dropout', options, 'options');
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) invalid('Dropout', 'p', 'a probability in [0, 1)', p);
    this.rng = options.rng ?? new Rng(options.seed ?? 0);
  }

  forward(x: Tensor): Tensor {
    assertTensor('Dropout.forward', 'x', x);
    if (!this.training || this.p === 0) return x;
    const keepMask = greaterEqual(uniform(x.shape, 0, 1, { rng: this.rng }), this.p);
    return where(keepMask, mul(x, 1 / (1 - this.p)), 0);
  }
}

/** A lookup table: rows of weight [num, dim] picked by i32 indices; init N(0, 1) like PyTorch. */
export class Embedding extends Module {
  readonly weight: Tensor<'f32'>;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number, options: InitOptions = {}) {
    super();
    options = optionsOf('Embedding', options, 'options');
    checkPositive('Embedding', 'numEmbeddings', numEmbeddings);
    checkPositive('Embedding', 'embeddingDim', embeddingDim);
    this.weight = this.registerParameter('weight', normal([numEmbeddings, embeddingDim], 0, 1, options.rng ? { rng: options.rng } : {}));
  }

  forward(indices: Tensor): Tensor {
    assertTensor('Embedding.forward', 'indices', indices);
    return gather(this.weight, indices);
  }
}

/** 2-D convolution with weight [OC, C, KH, KW] and bias [OC]; PyTorch's layout and default init (groups = 1). */
export class Conv2d extends Module {
  readonly options: Required<Omit<Conv2dOptions, 'activation'>>;

  constructor(inChannels: number, outChannels: number, kernelSize: Pair, options: Omit<Conv2dOptions, 'activation'> & InitOptions & { bias?: boolean } = {}) {
    super();
    options = optionsOf('Conv2d', options, 'options');
    checkPositive('Conv2d', 'inChannels', inChannels);
    checkPositive('Conv2d', 'outChannels', outChannels);
    if (typeof kernelSize !== 'number' && !(Array.isArray(kernelSize) && kernelSize.length === 2)) invalid('Conv2d', 'kernelSize', 'a number or a pair [kh, kw]', kernelSize);
    const [kh, kw] = typeof kernelSize === 'number' ? [kernelSize, kernelSize] : kernelSize;
    const fanIn = inChannels * checkPositive('Conv2d', 'kernelSize', kh) * checkPositive('Conv2d', 'kernelSize', kw);
    this.options = { stride: options.stride ?? 1, padding: options.padding ?? 0, dilation: options.dilation ?? 1 };
    this.registerParameter('weight', kaimingUniform([outChannels, inChannels, kh, kw], fanIn, Math.sqrt(5), options.rng));
    if (options.bias !== false) this.registerParameter('bias', fanInUniform([outChannels], fanIn, options.rng));
  }

  get weight(): Tensor { return this.param('weight')!; }
  get bias(): Tensor | null { return this.param('bias'); }

  forward(x: Tensor): Tensor {
    return conv2d(x, this.weight, this.bias, this.options);
  }

  /** @internal Conv2d then ReLU as one conv2d(…, { activation: 'relu' }) (unless either forward is overridden). */
  override forwardThen(x: Tensor, next: Module): Tensor | null {
    if (!(next instanceof ReLU) || next.forward !== ReLU.prototype.forward || this.forward !== Conv2d.prototype.forward) return null;
    return conv2d(x, this.weight, this.bias, { ...this.options, activation: 'relu' });
  }
}

/** Max pooling over kernel windows (stride defaults to the kernel). */
export class MaxPool2d extends Module {
  constructor(readonly kernelSize: Pair, readonly options: Pool2dOptions = {}) {
    super();
    optionsOf('MaxPool2d', options, 'options');
  }

  forward(x: Tensor): Tensor { return maxPool2d(x, this.kernelSize, this.options); }
}

/** Average pooling over kernel windows (stride defaults to the kernel; padding counted, as PyTorch's default). */
export class AvgPool2d extends Module {
  constructor(readonly kernelSize: Pair, readonly options: Pool2dOptions & { countIncludePad?: boolean } = {}) {
    super();
    optionsOf('AvgPool2d', options, 'options');
  }

  forward(x: Tensor): Tensor { return avgPool2d(x, this.kernelSize, this.options); }
}
