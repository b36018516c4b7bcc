// BinaryLinear (BinaryConnect or XNOR-Net, trained through latent f32 weights), the latent-weight
// clipping that BinaryConnect applies after every optimizer step, and binarize(Sequential).
import { noGrad } from '../autograd/tape.js';
import { kernels } from '../backend/binding.js';
import { SlimError, invalid, optionsOf } from '../errors.js';
import { Linear, ReLU, linearParams, type InitOptions } from '../nn/layers.js';
import { Module, Sequential } from '../nn/module.js';
import { BatchNorm1d } from '../nn/norm.js';
import { abs, add, mul } from '../ops/elementwise.js';
import { linear } from '../ops/matmul.js';
import { mean } from '../ops/reduce.js';
import { shapeString } from '../tensor/shape.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';
import { binarizeWeight, signSte, type BinaryScale } from './ste.js';

/** 'binaryconnect': binary weights, f32 activations; 'xnor': binary weights and binary activations. */
export type BinaryMode = 'binaryconnect' | 'xnor';

export interface BinaryLinearOptions extends InitOptions {
  mode?: BinaryMode;
  /** α per output row (default), per tensor, or none. */
  scale?: BinaryScale;
  bias?: boolean;
}

function checkMode(fn: string, mode: unknown): BinaryMode {
  if (mode !== 'binaryconnect' && mode !== 'xnor') invalid(fn, 'mode', "'binaryconnect' or 'xnor'", mode);
  return mode;
}

/**
 * A Linear whose weight is binarized in the forward pass: y = x·(α·sign(W))ᵀ + b ('binaryconnect'),
 * or y = β·(sign(x)·(α·sign(W))ᵀ) + b ('xnor', β = mean|x| per row, a constant of the input).
 * `weight` holds the latent f32 weights the optimizer updates; clip them with clipLatentWeights.
 */
export class BinaryLinear extends Module {
  readonly mode: BinaryMode;
  readonly scale: BinaryScale;

  /** Linear's layout and init (a Module of its own, so code that handles f32 Linears never takes it for one). */
  constructor(inFeatures: number, outFeatures: number, options: BinaryLinearOptions = {}) {
    super();
    const fn = 'BinaryLinear';
    options = optionsOf(fn, options);
    this.mode = checkMode(fn, options.mode ?? 'binaryconnect');
    this.scale = options.scale ?? 'channel';
    if (!['channel', 'tensor', 'none'].includes(this.scale)) invalid(fn, 'scale', "'channel', 'tensor' or 'none'", this.scale);
    const { weight, bias } = linearParams(fn, inFeatures, outFeatures, options);
    this.registerParameter('weight', weight);
    if (bias) this.registerParameter('bias', bias);
  }

  /** The latent f32 weights [out, in]. */
  get weight(): Tensor { return this.param('weight')!; }
  get bias(): Tensor | null { return this.param('bias'); }
  get inFeatures(): number { return this.weight.shape[1]!; }
  get outFeatures(): number { return this.weight.shape[0]!; }

  forward(x: Tensor): Tensor {
    const fn = 'BinaryLinear.forward';
    assertTensor(fn, 'x', x);
    if (x.rank < 1 || x.shape[x.rank - 1] !== this.inFeatures) throw new SlimError('SHAPE_MISMATCH', `${fn}: x's last dim must equal in-features ${this.inFeatures}, received ${shapeString(x.shape)}`);
    const w = binarizeWeight(this.weight, this.scale);
    if (this.mode === 'binaryconnect') return linear(x, w, this.bias);
    const beta = noGrad(() => mean(abs(x), x.rank - 1, true));
    const y = mul(linear(signSte(x), w), beta);
    return this.bias ? add(y, this.bias) : y;
  }
}

/** Clips the latent weights of every BinaryLinear in `model` to [−1, 1] in place (BinaryConnect, after each step): `opt.onStep(() => clipLatentWeights(model))`. */
export function clipLatentWeights(model: Module): void {
  if (!(model instanceof Module)) invalid('clipLatentWeights', 'model', 'a Module', model);
  const kern = kernels();
  for (const [, m] of model.namedModules()) if (m instanceof BinaryLinear) kern.f32_vclamp(m.weight.size, m.weight.ptr, m.weight.ptr, -1, 1);
}

export interface BinarizeOptions {
  mode?: BinaryMode;
  scale?: BinaryScale;
  /** Keep the first and the last Linear in f32 (default false). */
  keepFirstLast?: boolean;
  /** Insert a BatchNorm1d after every Linear but a kept last one (unless one follows already). Default false. */
  batchNorm?: boolean;
}

const copyInto = (dst: Module, src: Module) => noGrad(() => dst.loadStateDict(src.stateDict()));

/**
 * A new Sequential in which every Linear (nested Sequentials too) becomes a BinaryLinear whose latent
 * weights start from the Linear's, clipped to [−1, 1]. Kept Linears and BatchNorm1d layers are copied;
 * other modules (ReLU, Flatten, …) are shared with `model`, which is left unchanged. In 'xnor' mode a
 * ReLU directly before a binary layer is dropped: the layer's sign(x) is the non-linearity.
 */
export function binarize(model: Sequential, options: BinarizeOptions = {}): Sequential {
  const fn = 'binarize';
  options = optionsOf(fn, options);
  if (!(model instanceof Sequential)) invalid(fn, 'model', 'a Sequential', model);
  const mode = checkMode(fn, options.mode ?? 'binaryconnect');
  const linears = model.namedModules().filter(([, m]) => m instanceof Linear).map(([, m]) => m);
  const kept = new Set(options.keepFirstLast ? [linears[0], linears[linears.length - 1]] : []);
  const convert = (seq: Sequential): Sequential => {
    const out: Module[] = [];
    seq.layers.forEach((m, i) => {
      if (m instanceof Sequential) out.push(convert(m));
      else if (m instanceof Linear && !kept.has(m)) {
        const b = new BinaryLinear(m.inFeatures, m.outFeatures, { mode, scale: options.scale, bias: m.bias !== null });
        copyInto(b, m);
        clipLatentWeights(b);
        out.push(b);
        if (options.batchNorm && !(seq.layers[i + 1] instanceof BatchNorm1d)) out.push(new BatchNorm1d(m.outFeatures));
      } else if (m instanceof Linear) {
        const l = new Linear(m.inFeatures, m.outFeatures, { bias: m.bias !== null });
        copyInto(l, m);
        out.push(l);
        const last = m === linears[linears.length - 1];
        if (options.batchNorm && !last && !(seq.layers[i + 1] instanceof BatchNorm1d)) out.push(new BatchNorm1d(m.outFeatures));
      } else if (m instanceof BatchNorm1d) {
        const bn = new BatchNorm1d(m.numFeatures, { eps: m.eps, momentum: m.momentum });
        copyInto(bn, m);
        out.push(bn);
      } else out.push(m);
    });
    if (mode === 'xnor') {
      for (let i = out.length - 2; i >= 0; i--) if (out[i] instanceof ReLU && out[i + 1] instanceof BinaryLinear) out.splice(i, 1);
    }
    return new Sequential(...out);
  };
  return convert(model);
}
