// The inference form of a binary model: BinaryInferenceLinear stores 1-bit weights (the b1 layout)
// and α, and runs the packed kernels: f32_b1w_gemm for BinaryConnect, f32_b1_pack + b1_gemm_xnor_f32
// (b1_gemv_xnor_f32 at batch 1) for XNOR-Net. toInference folds a BatchNorm1d that follows into α and b.
import { noGrad } from '../autograd/tape.js';
import { f32View, kernels } from '../backend/binding.js';
import { SlimError, invalid, optionsOf } from '../errors.js';
import { Dropout, Flatten, GELU, Linear, ReLU, Sigmoid, Tanh } from '../nn/layers.js';
import { Module, Sequential } from '../nn/module.js';
import { BatchNorm1d } from '../nn/norm.js';
import { abs } from '../ops/elementwise.js';
import { mean } from '../ops/reduce.js';
import { fromValues } from '../tensor/create.js';
import { tidy } from '../tensor/scope.js';
import { numel, shapeString } from '../tensor/shape.js';
import { assertDType, assertTensor, empty, type Tensor } from '../tensor/tensor.js';
import { b1Bytes } from './format.js';
import { BinaryLinear, type BinaryMode } from './layers.js';

/**
 * y = α·(sign(W)·x) + b with 1-bit W ('binaryconnect'), or y = (dot(sign x, sign W)·α)·β + b ('xnor');
 * then max(y, 0) when `relu` (fused into the kernel's epilogue: the bits of a separate ReLU).
 */
export class BinaryInferenceLinear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly mode: BinaryMode;
  readonly relu: boolean;

  /** bits: the padded b1 rows [out, ⌈in/64⌉·8]; alpha [out]; bias [out] or null. */
  constructor(shape: readonly [number, number], bits: Uint8Array, alpha: Float32Array, bias: Float32Array | null, mode: BinaryMode, options: { relu?: boolean } = {}) {
    super();
    const fn = 'BinaryInferenceLinear';
    options = optionsOf(fn, options);
    if (!Array.isArray(shape) || shape.length !== 2) invalid(fn, 'shape', '[out, in] positive integers', shape);
    const [n, k] = shape;
    if (!(Number.isInteger(n) && Number.isInteger(k) && n > 0 && k > 0)) invalid(fn, 'shape', '[out, in] positive integers', shape);
    if (mode !== 'binaryconnect' && mode !== 'xnor') invalid(fn, 'mode', "'binaryconnect' or 'xnor'", mode);
    const relu = options.relu ?? false;
    if (typeof relu !== 'boolean') invalid(fn, 'options.relu', 'a boolean', relu);
    if (!(bits instanceof Uint8Array) || bits.length !== b1Bytes(n, k)) throw new SlimError('SHAPE_MISMATCH', `${fn}: bits must hold ${b1Bytes(n, k)} bytes for [${n}, ${k}], received ${bits?.length}`);
    if (!(alpha instanceof Float32Array) || alpha.length !== n) throw new SlimError('SHAPE_MISMATCH', `${fn}: alpha must be a Float32Array of ${n}, received ${alpha?.length}`);
    if (bias !== null && (!(bias instanceof Float32Array) || bias.length !== n)) throw new SlimError('SHAPE_MISMATCH', `${fn}: bias must be null or a Float32Array of ${n}, received ${bias?.length}`);
    this.outFeatures = n;
    this.inFeatures = k;
    this.mode = mode;
    this.relu = relu;
    this.registerBuffer('weight_bits', fromValues(fn, bits, [n, bits.length / n], 'u8'));
    this.registerBuffer('alpha', fromValues(fn, alpha, [n], 'f32'));
    if (bias) this.registerBuffer('bias', fromValues(fn, bias, [n], 'f32'));
  }

  get bits(): Tensor { return this.buffer('weight_bits')!; }
  get alpha(): Tensor { return this.buffer('alpha')!; }
  get bias(): Tensor | null { return this.buffer('bias'); }

  /**
   * From a trained BinaryLinear: sign bits of its latent weights, α as it trains, a following
   * BatchNorm1d (eval statistics) folded in, and a following ReLU fused when `relu`.
   */
  static from(layer: BinaryLinear, bn: BatchNorm1d | null = null, options: { relu?: boolean } = {}): BinaryInferenceLinear {
    const fn = 'BinaryInferenceLinear.from';
    options = optionsOf(fn, options);
    if (!(layer instanceof BinaryLinear)) invalid(fn, 'layer', 'a BinaryLinear', layer);
    const n = layer.outFeatures;
    const k = layer.inFeatures;
    const w = layer.weight;
    const { bits, alpha } = noGrad(() => tidy(() => {
      const b = empty(fn, [n, b1Bytes(n, k) / n], 'u8');
      kernels().f32_b1_pack(n, k, w.ptr, b.ptr, 0);
      const a = layer.scale === 'none' ? new Float32Array(n).fill(1)
        : (layer.scale === 'channel' ? mean(abs(w), 1) : mean(mean(abs(w), 1), 0)).toTypedArray() as Float32Array;
      return { bits: b.toTypedArray() as Uint8Array, alpha: a.length === n ? a : new Float32Array(n).fill(a[0]!) };
    }));
    let bias = layer.bias ? (layer.bias.toTypedArray() as Float32Array) : null;
    if (bn) {
      // BN(y) = (y − μ)·s + β with s = γ/√(σ² + ε): α' = α·s, b' = (b − μ)·s + β (float64, rounded once).
      if (bn.numFeatures !== n) throw new SlimError('SHAPE_MISMATCH', `${fn}: the BatchNorm1d has ${bn.numFeatures} features, the layer ${n} outputs`);
      const [g, beta, mu, v] = [bn.weight, bn.bias, bn.runningMean, bn.runningVar].map((t) => t.toTypedArray() as Float32Array);
      const folded = new Float32Array(n);
      for (let j = 0; j < n; j++) {
        const s = g![j]! / Math.sqrt(v![j]! + bn.eps);
        alpha[j] = alpha[j]! * s;
        folded[j] = ((bias ? bias[j]! : 0) - mu![j]!) * s + beta![j]!;
      }
      bias = folded;
    }
    return new BinaryInferenceLinear([n, k], bits, alpha, bias, layer.mode, options);
  }

  forward(x: Tensor): Tensor {
    const fn = 'BinaryInferenceLinear.forward';
    assertTensor(fn, 'x', x);
    assertDType(fn, 'x', x, 'f32');
    const k = this.inFeatures;
    const n = this.outFeatures;
    if (x.rank === 0 || x.shape[x.rank - 1] !== k) throw new SlimError('SHAPE_MISMATCH', `${fn}: x's last dim must equal in-features ${k}, received ${shapeString(x.shape)}`);
    const m = numel(x.shape.slice(0, -1));
    const y = empty(fn, [...x.shape.slice(0, -1), n], 'f32');
    if (m === 0) return y;
    const kern = kernels();
    const bias = this.bias?.ptr ?? 0;
    const lo = this.relu ? 0 : -Infinity;
    if (this.mode === 'binaryconnect') {
      kern.f32_b1w_gemm(m, n, k, x.ptr, this.bits.ptr, this.alpha.ptr, bias, y.ptr, lo, Infinity);
      return y;
    }
    tidy(() => {
      const packed = empty(fn, [m, b1Bytes(1, k)], 'u8');
      const beta = empty(fn, [m], 'f32');
      kern.f32_b1_pack(m, k, x.ptr, packed.ptr, beta.ptr);
      if (m === 1) kern.b1_gemv_xnor_f32(n, k, packed.ptr, this.bits.ptr, this.alpha.ptr, bias, y.ptr, f32View()[beta.ptr >>> 2]!, lo, Infinity);
      else kern.b1_gemm_xnor_f32(m, n, k, packed.ptr, this.bits.ptr, this.alpha.ptr, beta.ptr, bias, y.ptr, lo, Infinity);
    });
    return y;
  }
}

/** Modules the inference form and the file format know, besides the linear layers. */
export const PLAIN_MODULES = { ReLU, GELU, Tanh, Sigmoid } as const;

/**
 * The inference form of a (binarized) Sequential, in eval mode: each BinaryLinear becomes a
 * BinaryInferenceLinear (with a following BatchNorm1d folded into α and the bias, and a ReLU after
 * that fused into its epilogue), Dropout is dropped, Linear and BatchNorm1d are copied,
 * ReLU/GELU/Tanh/Sigmoid/Flatten are new instances. `model` is unchanged.
 */
export function toInference(model: Sequential): Sequential {
  const fn = 'toInference';
  if (!(model instanceof Sequential)) invalid(fn, 'model', 'a Sequential', model);
  const flat: Module[] = [];
  const walk = (s: Sequential): void => s.layers.forEach((m) => (m instanceof Sequential ? walk(m) : flat.push(m)));
  walk(model);
  const out: Module[] = [];
  for (let i = 0; i < flat.length; i++) {
    const m = flat[i]!;
    if (m instanceof BinaryLinear) {
      const bn = flat[i + 1] instanceof BatchNorm1d ? (flat[++i] as BatchNorm1d) : null;
      const relu = flat[i + 1] instanceof ReLU;
      if (relu) i++;
      out.push(BinaryInferenceLinear.from(m, bn, { relu }));
    } else if (m instanceof Linear) {
      const l = new Linear(m.inFeatures, m.outFeatures, { bias: m.bias !== null });
      noGrad(() => l.loadStateDict(m.stateDict()));
      out.push(l);
    } else if (m instanceof BatchNorm1d) {
      const bn = new BatchNorm1d(m.numFeatures, { eps: m.eps, momentum: m.momentum });
      noGrad(() => bn.loadStateDict(m.stateDict()));
      out.push(bn);
    } else if (m instanceof Flatten) out.push(new Flatten(m.startDim));
    else if (m instanceof Dropout) continue;
    else {
      const name = Object.keys(PLAIN_MODULES).find((t) => m instanceof PLAIN_MODULES[t as keyof typeof PLAIN_MODULES]);
      if (name === undefined) throw new SlimError('INVALID_ARGUMENT', `${fn}: layer ${i} is a ${m.constructor.name}; the inference form knows BinaryLinear, Linear, BatchNorm1d, Flatten, Dropout, ReLU, GELU, Tanh and Sigmoid`);
      out.push(new PLAIN_MODULES[name as keyof typeof PLAIN_MODULES]());
    }
  }
  return new Sequential(...out).eval();
}
