// Min/max observers, as torch.ao.quantization's MinMaxObserver, MovingAverageMinMaxObserver,
// PerChannelMinMaxObserver and MovingAveragePerChannelMinMaxObserver. Batch minima and maxima come
// from the library's `min`/`max` reductions (NaN propagates, and then qparams() throws, as torch's
// check_min_max_valid asserts). Running values are f32 like torch's buffers; the moving average
//   min ← min + c·(x_min − min)   (the first batch initializes; c rounded to f32, each step f32)
// rounds every operation to f32 exactly as torch's f32 tensor arithmetic does.
import { noGrad } from '../autograd/tape.js';
import { SlimError, invalid, optionsOf } from '../errors.js';
import { reshape } from '../ops/layout.js';
import { max as maxOp, min as minOp } from '../ops/reduce.js';
import { tidy } from '../tensor/scope.js';
import { checkAxis, numel, shapeString } from '../tensor/shape.js';
import { assertDType, assertTensor, type Tensor } from '../tensor/tensor.js';
import { HistogramObserver, PercentileObserver } from './hist-observers.js';
import { checkState, fromJsonArray, fromJsonNumber, Observer, toJsonNumber, type ObserverConfig, type ObserverState } from './observer-base.js';
import { qparamsFromMinMax, type QParams } from './qparams.js';

function checkInput(fn: string, x: Tensor): void {
  assertTensor(fn, 'x', x);
  assertDType(fn, 'x', x, 'f32');
}

function averagingConstant(fn: string, c: unknown): number {
  if (typeof c !== 'number' || !(c > 0 && c <= 1)) invalid(fn, 'averagingConstant', 'a number in (0, 1]', c);
  return c;
}

/** min ← min + c·(cur − min) with every step in f32 (torch's buffer update). */
const ema = (old: number, cur: number, c: number): number => Math.fround(old + Math.fround(Math.fround(c) * Math.fround(cur - old)));

/** Running min/max over every batch: torch.ao.quantization.MinMaxObserver (per-tensor). */
export class MinMaxObserver extends Observer {
  static override readonly kind: string = 'MinMaxObserver';
  min = Infinity;
  max = -Infinity;

  constructor(config: ObserverConfig = {}) {
    super(config);
    config = optionsOf('MinMaxObserver', config, 'config');
  }

  /** min ← min(min, min x), max ← max(max, max x); an empty x is ignored. */
  update(x: Tensor): void {
    checkInput(`${this.kind}.update`, x);
    if (x.size === 0) return;
    const [lo, hi] = noGrad(() => tidy(() => [minOp(x).item(), maxOp(x).item()]));
    this.fold(lo!, hi!);
  }

  protected fold(lo: number, hi: number): void {
    this.min = Math.min(this.min, lo);
    this.max = Math.max(this.max, hi);
  }

  /** qparamsFromMinMax(min, max) for the config (scale 1, zero point 0 before any data). */
  qparams(): QParams {
    return qparamsFromMinMax(this.min, this.max, this.options);
  }

  reset(): void {
    this.min = Infinity;
    this.max = -Infinity;
  }

  state(): ObserverState {
    return { ...this.header(), min: toJsonNumber(this.min), max: toJsonNumber(this.max) };
  }

  /** Restores an observer saved by state(). */
  static fromState(json: unknown): MinMaxObserver {
    return restoreMinMax(new MinMaxObserver(checkState('MinMaxObserver.fromState', json, 'MinMaxObserver').config), json as ObserverState);
  }
}

function restoreMinMax<T extends MinMaxObserver>(o: T, s: ObserverState): T {
  const fn = `${s.kind}.fromState`;
  o.min = fromJsonNumber(fn, 'state.min', s.min);
  o.max = fromJsonNumber(fn, 'state.max', s.max);
  return o;
}

/** Exponential moving average of batch min/max, c = averagingConstant (0.01): torch's MovingAverageMinMaxObserver. */
export class MovingAverageMinMaxObserver extends MinMaxObserver {
  static override readonly kind: string = 'MovingAverageMinMaxObserver';
  readonly averagingConstant: number;

  constructor(config: ObserverConfig & { averagingConstant?: number } = {}) {
    super({ ...config, averagingConstant: averagingConstant('MovingAverageMinMaxObserver', config?.averagingConstant ?? 0.01) } as ObserverConfig);
    config = optionsOf('MovingAverageMinMaxObserver', config, 'config');
    this.averagingConstant = this.options.averagingConstant as number;
  }

  protected override fold(lo: number, hi: number): void {
    if (this.min === Infinity && this.max === -Infinity) {
      this.min = lo;
      this.max = hi;
    } else {
      this.min = ema(this.min, lo, this.averagingConstant);
      this.max = ema(this.max, hi, this.averagingConstant);
    }
  }

  static override fromState(json: unknown): MovingAverageMinMaxObserver {
    const s = checkState('MovingAverageMinMaxObserver.fromState', json, 'MovingAverageMinMaxObserver');
    return restoreMinMax(new MovingAverageMinMaxObserver(s.config), s);
  }
}

/** Running min/max per slice along `axis` (default 0): torch's PerChannelMinMaxObserver; qparams carry `axis`. */
export class PerChannelMinMaxObserver extends Observer {
  static override readonly kind: string = 'PerChannelMinMaxObserver';
  /** Per-channel running values (null before any data). */
  min: Float32Array | null = null;
  max: Float32Array | null = null;
  /** The configured axis, normalized against the first batch's rank. */
  channelAxis: number | null = null;

  constructor(config: ObserverConfig & { axis?: number; averagingConstant?: number } = {}) {
    config = optionsOf('PerChannelMinMaxObserver', config, 'config');
    const axis = config?.axis ?? 0;
    if (!Number.isSafeInteger(axis)) invalid((new.target as typeof Observer).kind, 'axis', 'an integer', axis);
    super({ ...config, axis } as ObserverConfig);
  }

  /** Per channel c: min[c] ← min(min[c], min over x[..., c, ...]), likewise max. */
  update(x: Tensor): void {
    const fn = `${this.kind}.update`;
    checkInput(fn, x);
    if (x.rank === 0) throw new SlimError('SHAPE_MISMATCH', `${fn}: x must have rank ≥ 1 for a per-channel observer, received shape []`);
    const ax = checkAxis(fn, this.options.axis, x.rank, 'config.axis');
    if (x.size === 0) return;
    const c = x.shape[ax]!;
    if (this.min && (this.min.length !== c || ax !== this.channelAxis)) {
      throw new SlimError('SHAPE_MISMATCH', `${fn}: x ${shapeString(x.shape)} has ${c} channels on axis ${ax}, but the observer has seen ${this.min.length} on axis ${this.channelAxis}`);
    }
    const outer = numel(x.shape.slice(0, ax));
    const inner = numel(x.shape.slice(ax + 1));
    const [lo, hi] = noGrad(() =>
      tidy(() => {
        const r = reshape(x, [outer, c, inner]);
        return [minOp(minOp(r, 2), 0).toTypedArray() as Float32Array, maxOp(maxOp(r, 2), 0).toTypedArray() as Float32Array];
      }),
    );
    this.channelAxis = ax;
    if (!this.min || !this.max) [this.min, this.max] = [lo!, hi!];
    else this.fold(this.min, this.max, lo!, hi!);
  }

  protected fold(min: Float32Array, max: Float32Array, lo: Float32Array, hi: Float32Array): void {
    for (let i = 0; i < min.length; i++) {
      min[i] = Math.min(min[i]!, lo[i]!);
      max[i] = Math.max(max[i]!, hi[i]!);
    }
  }

  /** qparamsFromMinMax per channel, with `axis`; scale [1], zero point [0] before any data (torch). */
  qparams(): QParams {
    if (!this.min || !this.max) return qparamsFromMinMax(Infinity, -Infinity, this.options);
    return { ...qparamsFromMinMax(this.min, this.max, this.options), axis: this.channelAxis! };
  }

  reset(): void {
    this.min = this.max = null;
    this.channelAxis = null;
  }

  state(): ObserverState {
    const arr = (a: Float32Array | null) => (a ? Array.from(a, toJsonNumber) : null);
    return { ...this.header(), channelAxis: this.channelAxis, min: arr(this.min), max: arr(this.max) };
  }

  static fromState(json: unknown): PerChannelMinMaxObserver {
    const s = checkState('PerChannelMinMaxObserver.fromState', json, 'PerChannelMinMaxObserver');
    return restorePerChannel(new PerChannelMinMaxObserver(s.config), s);
  }
}

function restorePerChannel<T extends PerChannelMinMaxObserver>(o: T, s: ObserverState): T {
  const fn = `${s.kind}.fromState`;
  if (s.min === null && s.max === null) return o;
  const min = fromJsonArray(fn, 'state.min', s.min);
  o.min = Float32Array.from(min);
  o.max = Float32Array.from(fromJsonArray(fn, 'state.max', s.max, min.length));
  if (!Number.isSafeInteger(s.channelAxis) || (s.channelAxis as number) < 0) invalid(fn, 'state.channelAxis', 'a non-negative integer', s.channelAxis);
  o.channelAxis = s.channelAxis as number;
  return o;
}

/** Per-channel moving averages of min/max (c = 0.01): torch's MovingAveragePerChannelMinMaxObserver. */
export class MovingAveragePerChannelMinMaxObserver extends PerChannelMinMaxObserver {
  static override readonly kind: string = 'MovingAveragePerChannelMinMaxObserver';
  readonly averagingConstant: number;

  constructor(config: ObserverConfig & { axis?: number; averagingConstant?: number } = {}) {
    super({ ...config, averagingConstant: averagingConstant('MovingAveragePerChannelMinMaxObserver', config?.averagingConstant ?? 0.01) });
    config = optionsOf('MovingAveragePerChannelMinMaxObserver', config, 'config');
    this.averagingConstant = this.options.averagingConstant as number;
  }

  protected override fold(min: Float32Array, max: Float32Array, lo: Float32Array, hi: Float32Array): void {
    for (let i = 0; i < min.length; i++) {
      min[i] = ema(min[i]!, lo[i]!, this.averagingConstant);
      max[i] = ema(max[i]!, hi[i]!, this.averagingConstant);
    }
  }

  static override fromState(json: unknown): MovingAveragePerChannelMinMaxObserver {
    const s = checkState('MovingAveragePerChannelMinMaxObserver.fromState', json, 'MovingAveragePerChannelMinMaxObserver');
    return restorePerChannel(new MovingAveragePerChannelMinMaxObserver(s.config), s);
  }
}

const KINDS = {
  MinMaxObserver,
  MovingAverageMinMaxObserver,
  PerChannelMinMaxObserver,
  MovingAveragePerChannelMinMaxObserver,
  PercentileObserver,
  HistogramObserver,
} as const;

/** Restores any observer from its state(), dispatching on `state.kind`. */
export function observerFromState(json: unknown): Observer {
  const kind = (json as ObserverState | null)?.kind;
  if (typeof kind !== 'string' || !Object.prototype.hasOwnProperty.call(KINDS, kind)) {
    invalid('observerFromState', 'state.kind', `one of ${Object.keys(KINDS).join(', ')}`, kind);
  }
  return KINDS[kind as keyof typeof KINDS].fromState(json);
}
