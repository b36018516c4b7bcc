// A pruned MLP or CNN for inference with its Linears and Conv2ds in their fastest stored format (dense,
// CSR, 1×4 BSR or 2:4, chosen by structure, density and batch), BatchNorm folded, ReLU fused: what
// makes a pruned model smaller and faster for real.
import { SlimError, checkInstance, invalid, optionsOf } from '../errors.js';
import type { Conv2d } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { gelu, relu, sigmoid, tanh } from '../ops/elementwise.js';
import { reshape } from '../ops/layout.js';
import { avgPool2d, conv2dLowered, conv2dLoweredT, maxPool2d } from '../ops/conv.js';
import { kernels } from '../backend/binding.js';
import { CsrMatrix, PackedMatrix } from './csr.js';
import { fromValues } from '../tensor/create.js';
import { fold, pairOf, poolSpec, units, type PoolSpec } from '../quant/graph.js';
import { noGrad } from '../autograd/tape.js';
import { Tensor, empty } from '../tensor/tensor.js';
import { keep } from '../tensor/scope.js';
import { numel } from '../tensor/shape.js';
import { parseSafetensors } from '../io/safetensors.js';
import { loadSparse, saveSparse, type SparseLayer } from './io.js';
import { NmLinear, SparseInt8Linear, SparseLinear, linearRaw, type SparseLinearOptions } from './linear.js';

type Pair = [number, number];
type Step =
  | { kind: 'linear'; name: string; relu: boolean }
  /** A Conv2d: its weight [OC, C·KH·KW] is the layer `name`, lowered by im2col. */
  | { kind: 'conv'; name: string; relu: boolean; kernel: Pair; stride: Pair; padding: Pair; dilation: Pair }
  | { kind: 'act'; fn: 'relu' | 'gelu' | 'tanh' | 'sigmoid' }
  | ({ kind: 'pool' } & PoolSpec)
  | { kind: 'flatten' };

const isPair = (v: unknown, min: number): v is Pair => Array.isArray(v) && v.length === 2 && v.every((x) => Number.isSafeInteger(x) && x >= min);

/** A step of the plan, as sparsify writes it (files are checked against this before they run). */
function validStep(s: unknown, layers: Readonly<Record<string, SparseLayer>>): s is Step {
  if (s === null || typeof s !== 'object') return false;
  const t = s as Record<string, unknown>;
  const named = typeof t.name === 'string' && Object.prototype.hasOwnProperty.call(layers, t.name) && typeof t.relu === 'boolean';
  switch (t.kind) {
    case 'flatten': return true;
    case 'act': return typeof t.fn === 'string' && t.fn in ACTS;
    case 'linear': return named;
    case 'conv': {
      const l = named ? layers[t.name as string] : undefined;
      return (l instanceof SparseLinear || l instanceof NmLinear) && isPair(t.kernel, 1) && isPair(t.stride, 1) && isPair(t.padding, 0) && isPair(t.dilation, 1) && l.inFeatures % (t.kernel[0] * t.kernel[1]) === 0;
    }
    case 'pool': return (t.pool === 'max' || t.pool === 'avg') && isPair(t.kernel, 1) && isPair(t.stride, 1) && isPair(t.padding, 0) && typeof t.countIncludePad === 'boolean';
    default: return false;
  }
}

const ACTS = { relu, gelu, tanh, sigmoid } as const;
const PLAN_KEY = 'slimtensor.sparse';

/** The model as a plan over SparseLinear layers; f32 [batch, ...] in, f32 out. */
export class SparseModel extends Module {
  /** Linears only (activations fused or none, Flatten a no-op): the layers in order, else null. */
  readonly #chain: { layer: SparseLinear | NmLinear; relu: boolean }[] | null;
  /** Widest hidden layer of the chain (each activation buffer holds batch × this). */
  readonly #width: number;
  /** Two activation buffers for the chain, grown on demand and kept until dispose(). */
  #buffers: Tensor<'f32'> | null = null;
  /** Row-major copies of dense convolution weights for the direct kernel, made on first use. */
  readonly #rowMajorCopies = new Map<string, Tensor<'f32'>>();

  #rowMajor(name: string, w: PackedMatrix): number {
    let t = this.#rowMajorCopies.get(name);
    if (!t) {
      t = keep(w.toTensor());
      this.#rowMajorCopies.set(name, t);
    }
    return t.ptr;
  }

  constructor(readonly steps: readonly Step[], readonly layers: Readonly<Record<string, SparseLayer>>) {
    super();
    const fn = 'SparseModel';
    if (layers === null || typeof layers !== 'object' || ![Object.prototype, null].includes(Object.getPrototypeOf(layers))) invalid(fn, 'layers', 'an object of sparse layers by name', layers);
    for (const [name, l] of Object.entries(layers)) {
      if (!(l instanceof SparseLinear || l instanceof NmLinear || l instanceof SparseInt8Linear)) invalid(fn, `layers.${name}`, 'a SparseLinear, NmLinear or SparseInt8Linear', l);
    }
    if (!Array.isArray(steps)) invalid(fn, 'steps', 'an array of steps (sparsify builds them)', steps);
    steps.forEach((s, i) => {
      if (!validStep(s, layers)) invalid(fn, `steps[${i}]`, "a step as sparsify builds it: { kind: 'linear' | 'conv', name (a key of layers), relu, … }, { kind: 'act', fn }, { kind: 'pool', … } or { kind: 'flatten' }", s);
    });
    this.training = false;
    const chain: { layer: SparseLinear | NmLinear; relu: boolean }[] = [];
    for (const s of steps) {
      if (s.kind === 'flatten') continue;
      const l = s.kind === 'linear' ? layers[s.name] : undefined;
      if (!(l instanceof SparseLinear || l instanceof NmLinear) || s.kind !== 'linear') {
        chain.length = 0;
        break;
      }
      chain.push({ layer: l, relu: s.relu });
    }
    this.#chain = chain.length ? chain : null;
    this.#width = Math.max(0, ...chain.slice(0, -1).map((c) => c.layer.outFeatures));
  }

  /**
   * A chain of Linears (the usual pruned MLP) runs straight on raw buffers: the kernels write each
   * layer's output into one of two kept buffers, the last into the returned tensor (no tensor per
   * layer: at batch 1 that bookkeeping cost more than the kernels). Anything else runs op by op.
   */
  forward(x: Tensor): Tensor {
    const chain = this.#chain;
    const flat = x instanceof Tensor && x.dtype === 'f32' && (x.rank === 2 || (x.rank > 2 && this.steps[0]?.kind === 'flatten'));
    if (chain === null || !flat || numel(x.shape.slice(1)) !== chain[0]!.layer.inFeatures) return this.#forwardOps(x);
    const fn = 'SparseModel.forward';
    const m = x.shape[0]!;
    const last = chain[chain.length - 1]!.layer;
    const out = empty(fn, [m, last.outFeatures], 'f32');
    if (out.size === 0) return out;
    try {
      const width = this.#width;
      const need = 2 * m * width;
      if (need > 0 && (this.#buffers === null || this.#buffers.size < need)) {
        this.#buffers?.dispose();
        this.#buffers = null;
        this.#buffers = keep(empty(fn, [need], 'f32'));
      }
      const a = this.#buffers?.ptr ?? 0;
      const b = a + 4 * m * width;
      let src = x.ptr;
      chain.forEach(({ layer, relu }, i) => {
        const dst = i === chain.length - 1 ? out.ptr : i & 1 ? b : a;
        linearRaw(layer.weight, m, src, dst, layer.bias?.ptr ?? 0, relu ? 0 : -Infinity, Infinity);
        src = dst;
      });
    } catch (e) {
      out.dispose();
      throw e;
    }
    return out;
  }

  #forwardOps(x: Tensor): Tensor {
    return noGrad(() => {
      let h = x;
      for (const s of this.steps) {
        const prev = h;
        if (s.kind === 'linear') h = (this.layers[s.name] as SparseLinear).forward(h, s.relu ? 'relu' : 'none');
        else if (s.kind === 'conv') {
          const l = this.layers[s.name] as SparseLinear | NmLinear;
          const lo = s.relu ? 0 : -Infinity;
          const w = l.weight;
          const fn = 'SparseModel.forward';
          // CSR reads K-major columns row by row and writes NCHW: no packing, no transposes (same bits).
          // A dense first layer (few taps) runs conv2d's direct kernel on a row-major copy kept from
          // its first call (conv2d's bits); other layers go through im2col.
          const b = l.bias?.ptr ?? 0;
          h = w instanceof CsrMatrix
            ? conv2dLoweredT(fn, h, l.outFeatures, l.inFeatures, s.kernel, s, (pixels, colsT, out) => kernels().f32_spmm_csr_t(pixels, w.rows, colsT, w.values.ptr, w.indices.ptr, w.indptr.ptr, b, out, lo, Infinity, w.indexBytes))
            : conv2dLowered(fn, h, l.outFeatures, l.inFeatures, s.kernel, s, (rows, cols, out) => linearRaw(w, rows, cols, out, b, lo, Infinity),
              w instanceof PackedMatrix ? { weight: () => this.#rowMajor(s.name, w), bias: b, lo } : undefined);
        } else if (s.kind === 'act') h = ACTS[s.fn](h);
        else if (s.kind === 'pool') h = s.pool === 'max' ? maxPool2d(h, s.kernel, { stride: s.stride, padding: s.padding }) : avgPool2d(h, s.kernel, { stride: s.stride, padding: s.padding, countIncludePad: s.countIncludePad });
        else h = reshape(h, [h.shape[0]!, -1]);
        if (prev !== x) prev.dispose();
      }
      return h;
    });
  }

  /** Stored bytes of the layers (weights in their formats, biases). */
  get byteLength(): number {
    return Object.values(this.layers).reduce((s, l) => s + l.byteLength, 0);
  }

  /** The layers' formats by name ('dense', 'csr', 'nm-2:4', 'bsr-1x4'). */
  formats(): Record<string, string> {
    return Object.fromEntries(Object.entries(this.layers).map(([n, l]) => [n, (l as SparseLinear).format]));
  }

  /** A safetensors file: each layer in its stored format (saveSparse) and the plan in the metadata. */
  save(): Uint8Array<ArrayBuffer> {
    return saveSparse(this.layers as Record<string, SparseLayer>, { [PLAN_KEY]: JSON.stringify(this.steps) });
  }

  override dispose(): void {
    for (const l of Object.values(this.layers)) l.dispose();
    this.#buffers?.dispose();
    this.#buffers = null;
    for (const t of this.#rowMajorCopies.values()) t.dispose();
    this.#rowMajorCopies.clear();
  }
}

/**
 * The inference form of a (pruned) Sequential of Linears, Conv2ds, BatchNorms (folded into the layer
 * before them), activations, pooling, Flatten and Dropout (dropped): each Linear or Conv2d becomes a
 * SparseLinear in the format its structure, density and `batch` call for (a Conv2d's weight
 * [OC, C·KH·KW] multiplies one im2col row per output pixel, so its format is chosen for a batch of at
 * least 64), a following ReLU fused into it. The model is not changed; its weights are copied.
 */
export function sparsify(model: Module, options?: SparseLinearOptions): SparseModel {
  const fn = 'sparsify';
  checkInstance(fn, 'model', model, Module, 'a Module');
  options = optionsOf(fn, options);
  const plan = units(fn, model);
  const steps: Step[] = [];
  const layers: Record<string, SparseLayer> = {};
  try {
    for (const u of plan) noGrad(() => {
      if (u.kind === 'linear' || u.kind === 'conv') {
        // Without a BatchNorm the layer's own tensors (no bias stays no bias); with one, folded.
        const f = u.bn ? fold(u) : null;
        const n = u.layer.weight.shape[0]!;
        const w = f ? fromValues(fn, f.weight, [n, f.weight.length / n], 'f32') : u.kind === 'conv' ? reshape(u.layer.weight, [n, -1]) : u.layer.weight;
        const b = f ? fromValues(fn, f.bias, [n], 'f32') : u.layer.bias;
        try {
          const opts = u.kind === 'conv' ? { ...options, batch: Math.max(options.batch ?? 1, 64) } : options;
          layers[u.name] = new SparseLinear(w, b, opts);
        } finally {
          if (w !== u.layer.weight) w.dispose();
          if (b !== u.layer.bias) b?.dispose();
        }
        if (u.kind === 'linear') steps.push({ kind: 'linear', name: u.name, relu: u.relu });
        else {
          const o = (u.layer as Conv2d).options;
          const [, , kh, kw] = u.layer.weight.shape as number[];
          steps.push({ kind: 'conv', name: u.name, relu: u.relu, kernel: [kh!, kw!], stride: pairOf(o.stride), padding: pairOf(o.padding), dilation: pairOf(o.dilation) });
        }
      } else if (u.kind === 'act') steps.push({ kind: 'act', fn: u.fn });
      else if (u.kind === 'maxpool' || u.kind === 'avgpool') steps.push({ kind: 'pool', ...poolSpec(u.module, u.kind === 'avgpool') });
      else if (u.kind === 'flatten' && u.module.startDim === 1) steps.push({ kind: 'flatten' });
      else {
        const what = u.kind === 'flatten' ? `a Flatten from dim ${u.module.startDim}` : `a ${u.type}`;
        throw new SlimError('INVALID_ARGUMENT', `${fn}: layer '${u.name}' is ${what}; sparsify takes Linear, Conv2d, BatchNorm after them, ReLU, GELU, Tanh, Sigmoid, MaxPool2d, AvgPool2d, Flatten (from dim 1) and Dropout layers`);
      }
    });
  } catch (e) {
    Object.values(layers).forEach((l) => l.dispose());
    throw e;
  }
  return new SparseModel(steps, layers);
}

/** Reads a SparseModel.save() file. */
export function loadSparseModel(bytes: Uint8Array): SparseModel {
  let plan: Step[];
  try {
    plan = JSON.parse(parseSafetensors(bytes).metadata[PLAN_KEY] ?? 'null') as Step[];
  } catch (e) {
    if (e instanceof SlimError) throw e;
    throw new SlimError('INVALID_FORMAT', `loadSparseModel: __metadata__["${PLAN_KEY}"] is not valid JSON`);
  }
  if (!Array.isArray(plan)) throw new SlimError('INVALID_FORMAT', `loadSparseModel: no __metadata__["${PLAN_KEY}"]: not a sparse model file`);
  const layers = loadSparse(bytes);
  for (const s of plan) {
    if ((s.kind === 'linear' || s.kind === 'conv') && !layers[s.name]) {
      Object.values(layers).forEach((l) => l.dispose());
      throw new SlimError('INVALID_FORMAT', `loadSparseModel: the plan names layer '${s.name}', which the file does not hold`);
    }
  }
  return new SparseModel(plan, layers);
}
