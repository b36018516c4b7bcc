import { kernels } from '../backend/binding.js';
import { SlimError, invalid, optionsOf } from '../errors.js';
import { zeros } from '../tensor/create.js';
import { keep } from '../tensor/scope.js';
import { sameShape, shapeString } from '../tensor/shape.js';
import { assertDType, assertTensor, type Tensor } from '../tensor/tensor.js';

/** Base of the optimizers: the parameter list, the learning rate, per-parameter state and step hooks. */
export abstract class Optimizer {
  readonly params: readonly Tensor[];
  lr: number;
  /** Learning rate at construction; schedulers scale from it. */
  readonly initialLr: number;
  /** Steps taken. */
  steps = 0;
  readonly #hooks: ((opt: Optimizer) => void)[] = [];
  protected readonly state = new Map<Tensor, Tensor[]>();

  constructor(params: Iterable<Tensor>, lr: number) {
    const name = this.constructor.name;
    if (params == null || typeof (params as Partial<Iterable<Tensor>>)[Symbol.iterator] !== 'function') invalid(name, 'params', 'an iterable of f32 tensors', params);
    this.params = [...params];
    this.params.forEach((p, i) => {
      assertTensor(name, `params[${i}]`, p);
      assertDType(name, `params[${i}]`, p, 'f32');
    });
    if (typeof lr !== 'number' || !(lr >= 0) || !Number.isFinite(lr)) invalid(name, 'lr', 'a finite number ≥ 0', lr);
    this.lr = this.initialLr = lr;
  }

  /** Applies one update to every parameter that has a gradient, then runs the step hooks. */
  step(): void {
    this.steps++;
    for (const p of this.params) {
      const g = p.grad;
      if (g === null || g.isDisposed) continue;
      if (!sameShape(g.shape, p.shape)) throw new SlimError('SHAPE_MISMATCH', `${this.constructor.name}.step: a gradient has shape ${shapeString(g.shape)}, its parameter ${shapeString(p.shape)}`);
      this.update(p, g);
    }
    for (const h of this.#hooks) h(this);
  }

  /** Runs `hook` after every step (pruning masks use this to keep pruned weights at zero). Returns an unsubscribe. */
  onStep(hook: (opt: Optimizer) => void): () => void {
    this.#hooks.push(hook);
    return () => this.#hooks.splice(this.#hooks.indexOf(hook), 1);
  }

  /** Frees every parameter's gradient. */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Per-parameter state buffers (zeros, owned by the optimizer). */
  protected buffers(p: Tensor, count: number): Tensor[] {
    let s = this.state.get(p);
    if (s === undefined) {
      s = Array.from({ length: count }, () => keep(zeros(p.shape)));
      this.state.set(p, s);
    }
    return s;
  }

  protected abstract update(p: Tensor, g: Tensor): void;

  /** Frees the optimizer state. */
  dispose(): void {
    for (const s of this.state.values()) s.forEach((t) => t.dispose());
    this.state.clear();
  }
}

export interface SGDOptions { lr: number; momentum?: number; dampening?: number; weightDecay?: number; nesterov?: boolean }

/** Stochastic gradient descent with momentum, Nesterov and L2 weight decay, as torch.optim.SGD. */
export class SGD extends Optimizer {
  readonly momentum: number;
  readonly dampening: number;
  readonly weightDecay: number;
  readonly nesterov: boolean;

  constructor(params: Iterable<Tensor>, options: SGDOptions) {
    super(params, (options = optionsOf('SGD', options)).lr);
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.weightDecay = options.weightDecay ?? 0;
    this.nesterov = options.nesterov ?? false;
    for (const key of ['momentum', 'dampening', 'weightDecay'] as const) {
      if (typeof this[key] !== 'number' || !Number.isFinite(this[key])) invalid('SGD', `options.${key}`, 'a finite number', this[key]);
    }
    if (typeof this.nesterov !== 'boolean') invalid('SGD', 'options.nesterov', 'a boolean', this.nesterov);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) invalid('SGD', 'nesterov', 'used with momentum > 0 and dampening 0', this.nesterov);
  }

  protected update(p: Tensor, g: Tensor): void {
    const first = !this.state.has(p);
    const buf = this.momentum !== 0 ? this.buffers(p, 1)[0]!.ptr : 0;
    kernels().f32_sgd_update(p.size, p.ptr, g.ptr, buf, this.lr, this.momentum, this.dampening, this.weightDecay, this.nesterov ? 1 : 0, first ? 1 : 0);
  }
}

export interface AdamOptions { lr?: number; betas?: [number, number]; eps?: number; weightDecay?: number }

/** Adam (Kingma & Ba 2015) with bias correction and L2 weight decay, as torch.optim.Adam. */
export class Adam extends Optimizer {
  readonly betas: [number, number];
  readonly eps: number;
  readonly weightDecay: number;
  protected decoupled = false;
  #beta1Pow = 1;
  #beta2Pow = 1;

  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    super(params, (options = optionsOf(new.target.name, options)).lr ?? 1e-3);
    const name = this.constructor.name;
    this.betas = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    if (!Array.isArray(this.betas) || this.betas.length !== 2) invalid(name, 'options.betas', 'a pair [β1, β2]', this.betas);
    if (typeof this.eps !== 'number' || !(this.eps >= 0) || !Number.isFinite(this.eps)) invalid(name, 'options.eps', 'a finite number ≥ 0', this.eps);
    if (typeof this.weightDecay !== 'number' || !Number.isFinite(this.weightDecay)) invalid(name, 'options.weightDecay', 'a finite number', this.weightDecay);
    this.betas.forEach((b, i) => (b >= 0 && b < 1) || invalid(this.constructor.name, `betas[${i}]`, 'in [0, 1)', b));
  }

  override step(): void {
    // β^t by repeated multiplication: IEEE products, identical in every engine.
    this.#beta1Pow *= this.betas[0];
    this.#beta2Pow *= this.betas[1];
    super.step();
  }

  protected update(p: Tensor, g: Tensor): void {
    const [m, v] = this.buffers(p, 2);
    kernels().f32_adam_update(p.size, p.ptr, g.ptr, m!.ptr, v!.ptr, this.lr, this.betas[0], this.betas[1], this.eps, this.weightDecay, this.decoupled ? 1 : 0, 1 - this.#beta1Pow, Math.sqrt(1 - this.#beta2Pow));
  }
}

/** AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay p ← p·(1 − lr·wd), default wd 0.01. */
export class AdamW extends Adam {
  constructor(params: Iterable<Tensor>, options: AdamOptions = {}) {
    super(params, { weightDecay: 0.01, ...optionsOf('AdamW', options) });
    this.decoupled = true;
  }
}
