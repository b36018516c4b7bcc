// A pruned MLP for inference with its Linears in their fastest stored format (dense, CSR or 2:4,
// chosen by density and batch), ReLU fused: what makes a pruned model smaller and faster for real.
import { SlimError, checkInstance, invalid, optionsOf } from '../errors.js';
import { Flatten, GELU, Linear, ReLU, Sigmoid, Tanh } from '../nn/layers.js';
import { leafModules, Module } from '../nn/module.js';
import { gelu, relu, sigmoid, tanh } from '../ops/elementwise.js';
import { reshape } from '../ops/layout.js';
import { noGrad } from '../autograd/tape.js';
import { Tensor, empty } from '../tensor/tensor.js';
import { keep } from '../tensor/scope.js';
import { numel } from '../tensor/shape.js';
import { parseSafetensors } from '../io/safetensors.js';
import { loadSparse, saveSparse, type SparseLayer } from './io.js';
import { NmLinear, SparseInt8Linear, SparseLinear, linearRaw, type SparseLinearOptions } from './linear.js';

type Step = { kind: 'linear'; name: string; relu: boolean } | { kind: 'act'; fn: 'relu' | 'gelu' | 'tanh' | 'sigmoid' } | { kind: 'flatten' };

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

  constructor(readonly steps: readonly Step[], readonly layers: Readonly<Record<string, SparseLayer>>) {
    super();
    const fn = 'SparseModel';
    if (layers === null || typeof layers !== 'object' || ![Object.prototype, null].includes(Object.getPrototypeOf(layers))) invalid(fn, 'layers', 'an object of sparse layers by name', layers);
    for (const [name, l] of Object.entries(layers)) {
      if (!(l instanceof SparseLinear || l instanceof NmLinear || l instanceof SparseInt8Linear)) invalid(fn, `layers.${name}`, 'a SparseLinear, NmLinear or SparseInt8Linear', l);
    }
    if (!Array.isArray(steps)) invalid(fn, 'steps', 'an array of steps (sparsify builds them)', steps);
    steps.forEach((s, i) => {
      const ok = s !== null && typeof s === 'object' && (s.kind === 'flatten' || (s.kind === 'act' && s.fn in ACTS) || (s.kind === 'linear' && Object.prototype.hasOwnProperty.call(layers, s.name) && typeof s.relu === 'boolean'));
      if (!ok) invalid(fn, `steps[${i}]`, "{ kind: 'linear', name (a key of layers), relu } or { kind: 'act', fn } or { kind: 'flatten' }", s);
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
        else if (s.kind === 'act') h = ACTS[s.fn](h);
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
  }
}

/**
 * The inference form of a (pruned) Sequential of Linears, activations and Flatten: each Linear becomes
 * a SparseLinear in the format its density and `batch` call for, a following ReLU fused into it.
 * The model is not changed; its weights are copied.
 */
export function sparsify(model: Module, options?: SparseLinearOptions): SparseModel {
  checkInstance('sparsify', 'model', model, Module, 'a Module');
  options = optionsOf('sparsify', options);
  const ls = leafModules(model);
  const steps: Step[] = [];
  const layers: Record<string, SparseLayer> = {};
  try {
    for (let i = 0; i < ls.length; i++) {
      const [name, m] = ls[i]!;
      if (m instanceof Linear) {
        const fuse = ls[i + 1]?.[1] instanceof ReLU;
        layers[name] = new SparseLinear(m.weight, m.bias, options);
        steps.push({ kind: 'linear', name, relu: fuse });
        if (fuse) i++;
      } else if (m instanceof ReLU || m instanceof GELU || m instanceof Tanh || m instanceof Sigmoid) {
        steps.push({ kind: 'act', fn: m instanceof ReLU ? 'relu' : m instanceof GELU ? 'gelu' : m instanceof Tanh ? 'tanh' : 'sigmoid' });
      } else if (m instanceof Flatten) steps.push({ kind: 'flatten' });
      else if (m.constructor.name !== 'Dropout') {
        throw new SlimError('INVALID_ARGUMENT', `sparsify: layer '${name}' is a ${m.constructor.name}; sparsify takes Linear, ReLU, GELU, Tanh, Sigmoid, Flatten and Dropout layers`);
      }
    }
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
    if (s.kind === 'linear' && !layers[s.name]) {
      Object.values(layers).forEach((l) => l.dispose());
      throw new SlimError('INVALID_FORMAT', `loadSparseModel: the plan names layer '${s.name}', which the file does not hold`);
    }
  }
  return new SparseModel(plan, layers);
}
