import { checkInstance, checkNumber, invalid, checkPositive } from '../errors.js';
import { kernels } from '../backend/binding.js';
import { mul } from '../ops/elementwise.js';
import { sum } from '../ops/reduce.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';
import { Optimizer } from './optimizer.js';

/**
 * cos(π·t) for t in [0, 1] from its Taylor series, with only IEEE +, −, ×, ÷ so every engine gives
 * the same bits (engine Math.cos may differ). Error < 1e-15.
 */
export function cosPi(t: number): number {
  checkNumber('cosPi', 't', t);
  const flip = t > 0.5;
  const y = Math.PI * (flip ? 1 - t : t);
  const y2 = y * y;
  let term = 1;
  let acc = 1;
  for (let k = 1; k <= 12; k++) {
    term *= -y2 / ((2 * k - 1) * (2 * k));
    acc += term;
  }
  return flip ? -acc : acc;
}

/** Base of the schedulers: call step() once per epoch (or per iteration) after optimizer.step(). */
export abstract class LRScheduler {
  /** Completed scheduler steps. */
  t = 0;

  constructor(readonly optimizer: Optimizer) {
    checkInstance(new.target.name, 'optimizer', optimizer, Optimizer, 'an Optimizer');
  }

  /** Sets the optimizer's lr for t = 0; subclasses call it once their fields are set. */
  protected start(): void {
    this.optimizer.lr = this.lrAt(0);
  }

  step(): void {
    this.t++;
    this.optimizer.lr = this.lrAt(this.t);
  }

  protected abstract lrAt(t: number): number;
}

/** lr = lr₀·γ^⌊t / stepSize⌋ (torch.optim.lr_scheduler.StepLR). */
export class StepLR extends LRScheduler {
  constructor(optimizer: Optimizer, readonly stepSize: number, readonly gamma = 0.1) {
    super(optimizer);
    checkPositive('StepLR', 'stepSize', stepSize);
    if (typeof gamma !== 'number' || !(gamma >= 0) || !Number.isFinite(gamma)) invalid('StepLR', 'gamma', 'a finite number ≥ 0', gamma);
    this.start();
  }

  protected lrAt(t: number): number {
    let lr = this.optimizer.initialLr;
    for (let k = Math.floor(t / this.stepSize); k > 0; k--) lr *= this.gamma;
    return lr;
  }
}

/** lr = η_min + (lr₀ − η_min)·(1 + cos(π·t/T))/2, then η_min past T (Loshchilov & Hutter 2017, no restarts). */
export class CosineAnnealingLR extends LRScheduler {
  constructor(optimizer: Optimizer, readonly tMax: number, readonly etaMin = 0) {
    super(optimizer);
    checkPositive('CosineAnnealingLR', 'tMax', tMax);
    if (typeof etaMin !== 'number' || !(etaMin >= 0) || !Number.isFinite(etaMin)) invalid('CosineAnnealingLR', 'etaMin', 'a finite number ≥ 0', etaMin);
    this.start();
  }

  protected lrAt(t: number): number {
    const base = this.optimizer.initialLr;
    const eta = this.etaMin;
    if (t >= this.tMax) return eta;
    return eta + ((base - eta) * (1 + cosPi(t / this.tMax))) / 2;
  }
}

/** Linear warmup: lr = lr₀·(f + (1 − f)·min(t, W)/W), from factor f at t = 0 to lr₀ at t = W (torch LinearLR). */
export class LinearWarmup extends LRScheduler {
  constructor(optimizer: Optimizer, readonly warmupSteps: number, readonly startFactor = 1 / 3) {
    super(optimizer);
    checkPositive('LinearWarmup', 'warmupSteps', warmupSteps);
    if (typeof startFactor !== 'number' || !(startFactor >= 0 && startFactor <= 1)) invalid('LinearWarmup', 'startFactor', 'a number in [0, 1]', startFactor);
    this.start();
  }

  protected lrAt(t: number): number {
    const f = this.startFactor;
    const w = this.warmupSteps;
    return this.optimizer.initialLr * (f + ((1 - f) * Math.min(t, w)) / w);
  }
}

/**
 * Scales all gradients so their joint L2 norm is at most maxNorm (torch.nn.utils.clip_grad_norm_,
 * coefficient maxNorm/(norm + 1e-6)); returns the norm before clipping.
 */
export function clipGradNorm(params: Iterable<Tensor>, maxNorm: number): number {
  if (typeof maxNorm !== 'number' || !(maxNorm > 0)) invalid('clipGradNorm', 'maxNorm', 'a positive number', maxNorm);
  if (params == null || typeof (params as Partial<Iterable<Tensor>>)[Symbol.iterator] !== 'function') invalid('clipGradNorm', 'params', 'an iterable of tensors', params);
  const list = [...params];
  list.forEach((p, i) => assertTensor('clipGradNorm', `params[${i}]`, p));
  const grads = list.map((p) => p.grad).filter((g): g is Tensor<'f32'> => g !== null && !g.isDisposed);
  let sq = 0;
  for (const g of grads) {
    const s = sum(mul(g, g));
    sq += s.item();
    s.dispose();
  }
  const norm = Math.sqrt(sq);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (const g of grads) kernels().f32_vaffine(g.size, g.ptr, g.ptr, coef, 0);
  return norm;
}
