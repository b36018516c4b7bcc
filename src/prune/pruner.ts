import { SlimError, checkInstance, invalid, optionsOf, checkPositive } from '../errors.js';
import { loadSafetensors, saveSafetensors } from '../io/safetensors.js';
import { Module } from '../nn/module.js';
import { Optimizer } from '../optim/optimizer.js';
import { Rng } from '../tensor/random.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';
import { isProducer, links, type Link } from './chain.js';
import { Mask } from './mask.js';
import { absolute, aliveIndices, blockNorms, countToPrune, nmMask, rowNorms, smallest } from './select.js';

export type Criterion = 'magnitude' | 'random' | 'l1-structured' | 'l2-structured' | 'l1-block' | 'l2-block';
export type Amount = number | { count: number };

export interface PruneOptions {
  /** A fraction of the entries (channels, for structured) not yet pruned, as torch.nn.utils.prune; or `{ count }`. */
  amount: Amount;
  /** 'layer' (default): each parameter on its own; 'global': one pool over the parameters (torch's global_unstructured). */
  scope?: 'layer' | 'global';
  /** The parameters to prune (default: every target). */
  params?: readonly string[];
  /** Per-parameter amounts; with scope 'global' these parameters are pruned on their own, outside the pool. */
  overrides?: Readonly<Record<string, number>>;
  /** Seed of the 'random' criterion (default 0). */
  seed?: number;
  /** The amount is the sparsity to reach (of each parameter, or of the pool), not a fraction of what remains. */
  target?: boolean;
  /** Block criteria: entries per block along the reduction axis (default 4; SparseLinear runs 1×4 blocks in BSR). */
  blockSize?: number;
}

export interface SparsityStats { size: number; pruned: number; sparsity: number; layers: Record<string, { size: number; pruned: number; sparsity: number }> }

export interface PrunerJSON { format: 'slimtensor-pruning'; version: 1; targets: string[]; masks: string[] }

/** The key of a mask in a state dict or safetensors file: torch's `<module>.<param>_mask`. */
export const maskKey = (param: string): string => {
  if (typeof param !== 'string') invalid('maskKey', 'param', 'a parameter name', param);
  return `${param}_mask`;
};

/**
 * The pruning state of a model: one Mask per pruned parameter (parameter name → mask). Criteria update the
 * masks and zero the pruned weights in place; attach(optimizer) keeps them zero through training.
 */
export class Pruner {
  readonly masks = new Map<string, Mask>();
  /** The parameters criteria prune (default: the weight of every Linear and Conv2d). */
  readonly targets: readonly string[];

  constructor(readonly model: Module, options: { params?: readonly string[] } = {}) {
    options = optionsOf('Pruner', options, 'options');
    checkInstance('Pruner', 'model', model, Module, 'a Module');
    const all = new Map(model.namedParameters());
    this.targets = options.params?.slice() ?? model.namedModules().filter(([, m]) => isProducer(m)).map(([p]) => (p ? `${p}.weight` : 'weight'));
    for (const name of this.targets) {
      const t = all.get(name);
      if (t === undefined) invalid('Pruner', 'params', `names of parameters of the model (${[...all.keys()].join(', ')})`, name);
      this.masks.set(name, new Mask(name, t.shape));
    }
  }

  private param(name: string): Tensor {
    const t = this.model.namedParameters().find(([n]) => n === name)?.[1];
    if (t === undefined) throw new SlimError('INVALID_ARGUMENT', `Pruner: the model has no parameter '${name}'`);
    return t;
  }

  private mask(name: string): Mask {
    let m = this.masks.get(name);
    if (m === undefined) this.masks.set(name, (m = new Mask(name, this.param(name).shape)));
    return m;
  }

  /** Prunes by `criterion`, then zeroes the pruned weights. */
  prune(criterion: Criterion, options: PruneOptions): this {
    const fn = `Pruner.prune`;
    options = optionsOf(fn, options);
    const names = options.params?.slice() ?? [...this.targets];
    for (const n of names) if (!this.targets.includes(n)) invalid(fn, 'params', `target parameters (${this.targets.join(', ')})`, n);
    const overrides = options.overrides ?? {};
    for (const n of Object.keys(overrides)) if (!names.includes(n)) invalid(fn, 'overrides', `keys among the pruned parameters (${names.join(', ')})`, n);
    const rng = criterion === 'random' ? new Rng(options.seed ?? 0) : null;
    const amountOf = (n: string): Amount => overrides[n] ?? options.amount;
    if (criterion === 'l1-structured' || criterion === 'l2-structured') {
      if (options.scope === 'global') invalid(fn, 'scope', "'layer' for structured criteria", options.scope);
      const byWeight = new Map(links(this.model).map((l) => [l.producer.name ? `${l.producer.name}.weight` : 'weight', l]));
      for (const n of names) {
        const link = byWeight.get(n);
        if (link === undefined) invalid(fn, 'params', 'weights of Linear or Conv2d layers for structured criteria', n);
        this.pruneChannels(link, criterion === 'l1-structured' ? 1 : 2, amountOf(n), options.target ?? false);
      }
    } else if (criterion === 'l1-block' || criterion === 'l2-block') {
      const size = options.blockSize ?? 4;
      checkPositive(fn, 'blockSize', size);
      const p = criterion === 'l1-block' ? 1 : 2;
      const pool = options.scope === 'global' ? names.filter((n) => !(n in overrides)) : [];
      for (const n of names) if (!pool.includes(n)) this.pruneBlocks([n], amountOf(n), options.target ?? false, size, p);
      if (pool.length) this.pruneBlocks(pool, options.amount, options.target ?? false, size, p);
    } else if (criterion === 'magnitude' || criterion === 'random') {
      const pool = options.scope === 'global' ? names.filter((n) => !(n in overrides)) : [];
      for (const n of names) if (!pool.includes(n)) this.pruneSmallest([n], amountOf(n), options.target ?? false, rng);
      if (pool.length) this.pruneSmallest(pool, options.amount, options.target ?? false, rng);
    } else invalid(fn, 'criterion', "'magnitude', 'random', 'l1-structured', 'l2-structured', 'l1-block' or 'l2-block'", criterion);
    this.apply();
    return this;
  }

  /** L1 magnitude, unstructured: per layer (torch l1_unstructured) or global (torch global_unstructured). */
  magnitude(amount: Amount, options: Omit<PruneOptions, 'amount'> = {}): this {
    return this.prune('magnitude', { ...optionsOf('Pruner.magnitude', options), amount });
  }

  /** Random unstructured pruning from a seeded stream (the control for magnitude). */
  random(amount: Amount, options: Omit<PruneOptions, 'amount'> = {}): this {
    return this.prune('random', { ...optionsOf('Pruner.random', options), amount });
  }

  /** Whole output neurons/filters with the smallest L1 or L2 norm (torch ln_structured, dim 0); also masks their bias and BatchNorm entries. */
  structured(amount: Amount, options: Omit<PruneOptions, 'amount' | 'scope'> & { norm?: 1 | 2 } = {}): this {
    options = optionsOf('Pruner.structured', options);
    return this.prune(options.norm === 2 ? 'l2-structured' : 'l1-structured', { ...options, amount });
  }

  /**
   * Blocks of `blockSize` (default 4) consecutive inputs of an output row with the smallest L1 (default) or L2
   * norm, per layer or global; `amount` counts blocks. 1×4 blocks run in BSR (SparseLinear 'bsr-1x4'), about
   * twice as fast as CSR at the same sparsity, where unstructured sparsity gains nothing from blocks.
   */
  block(amount: Amount, options: Omit<PruneOptions, 'amount'> & { norm?: 1 | 2 } = {}): this {
    options = optionsOf('Pruner.block', options);
    return this.prune(options.norm === 2 ? 'l2-block' : 'l1-block', { ...options, amount });
  }

  /** N:M semi-structured: in each group of m consecutive inputs of every output row keep the n largest |w| (2:4, 4:8). */
  nm(n: number, m: number, options: { params?: readonly string[] } = {}): this {
    options = optionsOf('Pruner.nm', options);
    checkPositive('Pruner.nm', 'm', m);
    if (!Number.isInteger(n) || n < 0 || n > m) invalid('Pruner.nm', 'n', `an integer in [0, ${m}]`, n);
    for (const name of options.params ?? this.targets) {
      const mask = this.mask(name);
      const w = this.param(name);
      mask.set(nmMask(w.toTypedArray() as Float32Array, mask.values(), w.size / w.shape[0]!, n, m));
    }
    this.apply();
    return this;
  }

  /** Unstructured: prune the smallest scores (|w|, or random) among the entries still alive in `names` together. */
  private pruneSmallest(names: string[], amount: Amount, target: boolean, rng: Rng | null): void {
    const values = names.map((n) => this.param(n).toTypedArray() as Float32Array);
    const alive = names.map((n) => this.mask(n).values());
    const size = values.reduce((s, v) => s + v.length, 0);
    const scores = new Float64Array(size);
    const flatAlive = new Uint8Array(size);
    let off = 0;
    values.forEach((v, i) => {
      scores.set(rng ? Float64Array.from(v, () => rng.uint32()) : absolute(v), off);
      flatAlive.set(alive[i]!, off);
      off += v.length;
    });
    const candidates = aliveIndices(flatAlive);
    const k = target ? Math.max(0, countToPrune('Pruner.prune', amount, size) - (size - candidates.length)) : countToPrune('Pruner.prune', amount, candidates.length);
    for (const i of smallest(scores, candidates, k)) flatAlive[i] = 0;
    off = 0;
    names.forEach((n, i) => {
      this.mask(n).set(flatAlive.subarray(off, off + values[i]!.length));
      off += values[i]!.length;
    });
  }

  /** Blocks along the reduction axis: prune the blocks with the smallest norms among those still alive in `names` together. */
  private pruneBlocks(names: string[], amount: Amount, target: boolean, size: number, p: 1 | 2): void {
    const parts = names.map((n) => {
      const w = this.param(n);
      const k = w.rank > 1 ? w.size / w.shape[0]! : w.size;
      const alive = this.mask(n).values();
      return { n, k, alive, norms: blockNorms(w.toTypedArray() as Float32Array, alive, k, size, p) };
    });
    const total = parts.reduce((s, q) => s + q.norms.length, 0);
    const scores = new Float64Array(total);
    const flatAlive = new Uint8Array(total);
    let off = 0;
    for (const q of parts) {
      scores.set(q.norms, off);
      const per = Math.ceil(q.k / size);
      for (let b = 0; b < q.norms.length; b++) {
        const r = Math.floor(b / per), c0 = r * q.k + (b % per) * size;
        for (let i = c0; i < r * q.k + Math.min(((b % per) + 1) * size, q.k); i++) if (q.alive[i]) { flatAlive[off + b] = 1; break; }
      }
      off += q.norms.length;
    }
    const candidates = aliveIndices(flatAlive);
    const k = target ? Math.max(0, countToPrune('Pruner.prune', amount, total) - (total - candidates.length)) : countToPrune('Pruner.prune', amount, candidates.length);
    const dead = smallest(scores, candidates, k);
    off = 0;
    let d = 0;
    const sorted = Int32Array.from(dead).sort();
    for (const q of parts) {
      const per = Math.ceil(q.k / size);
      for (; d < sorted.length && sorted[d]! < off + q.norms.length; d++) {
        const b = sorted[d]! - off, r = Math.floor(b / per);
        q.alive.fill(0, r * q.k + (b % per) * size, r * q.k + Math.min(((b % per) + 1) * size, q.k));
      }
      this.mask(q.n).set(q.alive);
      off += q.norms.length;
    }
  }

  /** Structured: prune whole output channels of a producer, with their bias and BatchNorm entries. */
  private pruneChannels(link: Link, p: 1 | 2, amount: Amount, target: boolean): void {
    const w = link.producer.module.weight;
    const name = link.producer.name ? `${link.producer.name}.weight` : 'weight';
    const rows = w.shape[0]!;
    const rowSize = w.size / rows;
    const mask = this.mask(name);
    const m = mask.values();
    const aliveRows = new Uint8Array(rows);
    for (let r = 0; r < rows; r++) for (let i = r * rowSize; i < (r + 1) * rowSize && !aliveRows[r]; i++) aliveRows[r] = m[i]!;
    const candidates = aliveIndices(aliveRows);
    const k = target ? Math.max(0, countToPrune('Pruner.prune', amount, rows) - (rows - candidates.length)) : countToPrune('Pruner.prune', amount, candidates.length);
    const dead = smallest(rowNorms(w.toTypedArray() as Float32Array, rows, rowSize, p), candidates, k);
    if (dead.length === 0) return;
    for (const r of dead) m.fill(0, r * rowSize, (r + 1) * rowSize);
    mask.set(m);
    const prefix = (leaf: { name: string }) => (leaf.name ? `${leaf.name}.` : '');
    const extra = [...(link.producer.module.bias ? [`${prefix(link.producer)}bias`] : []), ...(link.bn ? [`${prefix(link.bn)}weight`, `${prefix(link.bn)}bias`] : [])];
    for (const n of extra) {
      const v = this.mask(n).values();
      for (const r of dead) v[r] = 0;
      this.mask(n).set(v);
    }
  }

  /** Zeroes every masked entry of the parameters, in place. */
  apply(): void {
    const params = new Map(this.model.namedParameters());
    for (const [n, m] of this.masks) m.apply(params.get(n)!);
  }

  /** Zeroes the masked entries of the gradients (so optimizer state never sees them). */
  maskGradients(): void {
    const params = new Map(this.model.namedParameters());
    for (const [n, m] of this.masks) {
      const g = params.get(n)!.grad;
      if (g && !g.isDisposed) m.apply(g);
    }
  }

  /**
   * Keeps pruned weights exactly zero while `optimizer` trains: gradients are masked before each step and
   * weights after it (so momentum, Adam moments and weight decay cannot revive them). Returns a detach function.
   */
  attach(optimizer: Optimizer): () => void {
    checkInstance('Pruner.attach', 'optimizer', optimizer, Optimizer, 'an Optimizer');
    const own = Object.prototype.hasOwnProperty.call(optimizer, 'step');
    const step = optimizer.step;
    const wrapped = () => {
      this.maskGradients();
      step.call(optimizer);
    };
    optimizer.step = wrapped;
    const off = optimizer.onStep(() => this.apply());
    return () => {
      off();
      if (optimizer.step === wrapped) {
        if (own) optimizer.step = step;
        else delete (optimizer as { step?: unknown }).step;
      }
    };
  }

  /** Pruned/total entries of the target parameters, overall and per parameter. */
  stats(): SparsityStats {
    const layers: SparsityStats['layers'] = {};
    let size = 0, pruned = 0;
    for (const n of this.targets) {
      const m = this.masks.get(n);
      const s = m?.size ?? this.param(n).size;
      const z = m?.pruned() ?? 0;
      layers[n] = { size: s, pruned: z, sparsity: z / s };
      size += s;
      pruned += z;
    }
    return { size, pruned, sparsity: size ? pruned / size : 0, layers };
  }

  /** Bakes the masks into the weights (they are already zero) and drops them: the model trains freely again. */
  removeMasks(): void {
    this.apply();
    for (const m of this.masks.values()) m.dispose();
    this.masks.clear();
  }

  /** The masks as u8 tensors under torch's keys (`0.weight_mask`); the tensors are the pruner's own. */
  entries(): Record<string, Tensor<'u8'>> {
    return Object.fromEntries([...this.masks].map(([n, m]) => [maskKey(n), m.tensor]));
  }

  toJSON(): PrunerJSON {
    return { format: 'slimtensor-pruning', version: 1, targets: [...this.targets], masks: [...this.masks.keys()] };
  }

  /** Copies masks from entries keyed like entries() (unknown keys throw), then zeroes the pruned weights. */
  loadEntries(entries: Readonly<Record<string, Tensor>>): void {
    if (entries === null || typeof entries !== 'object') invalid('Pruner.loadEntries', 'entries', "an object of u8 mask tensors by '<param>_mask'", entries);
    for (const [key, t] of Object.entries(entries)) {
      assertTensor('Pruner.loadEntries', key, t);
      if (!key.endsWith('_mask') || t.dtype !== 'u8') invalid('Pruner.loadEntries', key, "a u8 tensor under '<param>_mask'", t.dtype);
      const mask = this.mask(key.slice(0, -5));
      if (t.size !== mask.size) throw new SlimError('SHAPE_MISMATCH', `Pruner.loadEntries: '${key}' has ${t.size} entries, the parameter ${mask.size}`);
      mask.set(t.toTypedArray() as Uint8Array);
    }
    this.apply();
  }

  /** A safetensors file: the masks (U8) and the JSON description in the metadata under 'pruning'. */
  save(): Uint8Array {
    return saveSafetensors(this.entries(), { pruning: JSON.stringify(this.toJSON()) });
  }

  /** A Pruner for `model` from save()'s bytes (masks applied to the model's weights). */
  static load(model: Module, bytes: Uint8Array): Pruner {
    const { tensors, metadata } = loadSafetensors(bytes);
    try {
      const json = JSON.parse(metadata.pruning ?? 'null') as PrunerJSON | null;
      if (json?.format !== 'slimtensor-pruning') throw new SlimError('INVALID_FORMAT', "Pruner.load: the file has no 'pruning' metadata of format slimtensor-pruning");
      const p = new Pruner(model, { params: json.targets });
      p.loadEntries(tensors);
      return p;
    } finally {
      for (const t of Object.values(tensors)) t.dispose();
    }
  }

  dispose(): void {
    for (const m of this.masks.values()) m.dispose();
    this.masks.clear();
  }
}
