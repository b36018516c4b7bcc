// Observers over a bounded running histogram (histogram.ts): PercentileObserver and HistogramObserver
// (TensorRT entropy calibration, or the MSE-optimal clip). Per-tensor only. Non-finite values are
// skipped (torch's HistogramObserver drops ±Inf too); min and max are those of the finite values.
// The chosen clip [lo, hi] goes through qparamsFromMinMax, so it is widened to include 0 like any range.
import { invalid, optionsOf } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { Histogram, quantile, type HistogramState } from './histogram.js';
import { entropyIndex, HistogramMoments } from './range-search.js';
import { checkState, fromJsonNumber, Observer, toJsonNumber, type ObserverConfig, type ObserverState } from './observer-base.js';
import { qparamsFromMinMax, type QParams } from './qparams.js';

function binsOption(fn: string, bins: unknown): number {
  if (!Number.isSafeInteger(bins) || (bins as number) < 256 || (bins as number) > 65536 || (bins as number) % 2 !== 0) invalid(fn, 'bins', 'an even integer in [256, 65536]', bins);
  return bins as number;
}

abstract class HistogramBase extends Observer {
  hist: Histogram;
  min = Infinity;
  max = -Infinity;

  protected constructor(options: Record<string, unknown>, abs: boolean) {
    super(options);
    this.hist = new Histogram(options.bins as number, abs);
  }

  /** Adds the finite values of x to the histogram (|x| in the symmetric modes). */
  update(x: Tensor): void {
    const v = this.read(`${this.kind}.update`, x);
    for (let i = 0; i < v.length; i++) {
      const a = v[i]!;
      if (a - a !== 0) continue;
      if (a < this.min) this.min = a;
      if (a > this.max) this.max = a;
    }
    this.hist.add(v);
  }

  /** qparams for the clip [lo, hi] intersected with the observed range. */
  protected clipped(lo: number, hi: number): QParams {
    return qparamsFromMinMax(Math.max(this.min, lo), Math.min(this.max, hi), this.options);
  }

  /** Nothing observed, or every value equal: the plain min/max qparams (torch's defaults when empty). */
  protected trivial(): QParams | null {
    return this.hist.total === 0 || this.hist.width === 0 ? qparamsFromMinMax(this.min, this.max, this.options) : null;
  }

  reset(): void {
    this.hist = new Histogram(this.hist.bins, this.hist.abs);
    this.min = Infinity;
    this.max = -Infinity;
  }

  state(): ObserverState {
    return { ...this.header(), min: toJsonNumber(this.min), max: toJsonNumber(this.max), histogram: this.hist.toJSON() };
  }

  protected restore(s: ObserverState): this {
    const fn = `${this.kind}.fromState`;
    this.min = fromJsonNumber(fn, 'state.min', s.min);
    this.max = fromJsonNumber(fn, 'state.max', s.max);
    this.hist = Histogram.fromJSON(fn, s.histogram as HistogramState, this.hist.bins, this.hist.abs);
    return this;
  }
}

export interface PercentileConfig extends ObserverConfig {
  /** Percentile in (0, 100], default 99.99. */
  percentile?: number;
  /** Histogram bins, default 2048. */
  bins?: number;
}

/**
 * Clips at a percentile: symmetric configs at the p-th percentile T of |x| (range [−T, T] ∩ [min, max]),
 * affine ones at the (100 − p)-th and p-th percentiles of x. Percentiles are read off the 2048-bin
 * histogram by linear interpolation inside the crossing bin: within one bin width, ≤ 2·(max − min)/bins.
 */
export class PercentileObserver extends HistogramBase {
  static override readonly kind: string = 'PercentileObserver';
  readonly percentile: number;

  constructor(config: PercentileConfig = {}) {
    const fn = 'PercentileObserver';
    config = optionsOf(fn, config, 'config');
    const p = config?.percentile ?? 99.99;
    if (typeof p !== 'number' || !(p > 0 && p <= 100)) invalid(fn, 'percentile', 'a number in (0, 100]', p);
    super({ ...config, percentile: p, bins: binsOption(fn, config?.bins ?? 2048) }, config?.symmetric === true);
    this.percentile = p;
  }

  qparams(): QParams {
    const t = this.trivial();
    if (t) return t;
    const q = this.percentile / 100;
    if (this.hist.abs) {
      const T = quantile(this.hist, q);
      return this.clipped(-T, T);
    }
    return this.clipped(quantile(this.hist, 1 - q), quantile(this.hist, q));
  }

  static fromState(json: unknown): PercentileObserver {
    const s = checkState('PercentileObserver.fromState', json, 'PercentileObserver');
    return new PercentileObserver(s.config).restore(s);
  }
}

export interface HistogramConfig extends ObserverConfig {
  /** 'entropy' (default): TensorRT's KL calibration on |x|; 'mse': the clip minimizing the expected squared error. */
  method?: 'entropy' | 'mse';
  /** Histogram bins, default 2048. */
  bins?: number;
  /**
   * 'entropy' only: counts[0] ← counts[1] before the search, as NVIDIA's pytorch-quantization always does, so the
   * spike of exact zeros of a ReLU output does not drag the threshold down. Default true.
   */
  smoothZeroBin?: boolean;
}

/**
 * Range search over a 2048-bin histogram. 'entropy': the threshold T = edge(i) of entropyIndex over
 * |x| with `levels` = (qmax − qmin + 1)/2 (128 for int8), or qmax − qmin + 1 for uint8 affine data
 * that is all ≥ 0; the range is [−T, T] ∩ [min, max]. 'mse': every clip T = edge(k), k = 1..bins
 * (symmetric, on |x|, grid 0..min(qmax − zp, zp − qmin)) or [k/bins·min, k/bins·max] (affine, on x),
 * each with its own qparamsFromMinMax grid, scored by the expected squared error with uniform density
 * per bin (HistogramMoments); the smallest error wins, the wider clip on ties.
 */
export class HistogramObserver extends HistogramBase {
  static override readonly kind: string = 'HistogramObserver';
  readonly method: 'entropy' | 'mse';
  readonly smoothZeroBin: boolean;

  constructor(config: HistogramConfig = {}) {
    const fn = 'HistogramObserver';
    config = optionsOf(fn, config, 'config');
    const method = config?.method ?? 'entropy';
    if (method !== 'entropy' && method !== 'mse') invalid(fn, 'method', "'entropy' or 'mse'", method);
    const smoothZeroBin = config?.smoothZeroBin ?? true;
    if (typeof smoothZeroBin !== 'boolean') invalid(fn, 'smoothZeroBin', 'a boolean', smoothZeroBin);
    super({ ...config, method, smoothZeroBin, bins: binsOption(fn, config?.bins ?? 2048) }, method === 'entropy' || config?.symmetric === true);
    this.method = method;
    this.smoothZeroBin = smoothZeroBin;
  }

  qparams(): QParams {
    const t = this.trivial();
    if (t) return t;
    const [lo, hi] = this.method === 'entropy' ? this.entropyRange() : this.mseRange();
    return this.clipped(lo, hi);
  }

  /** The KL-optimal symmetric clip [−T, T]. */
  entropyRange(): [number, number] {
    const { qmin, qmax, symmetric } = this.config;
    const levels = !symmetric && this.min >= 0 ? qmax - qmin + 1 : Math.floor((qmax - qmin + 1) / 2);
    const T = Math.min(this.hist.edge(entropyIndex(this.hist, levels, this.smoothZeroBin)), Math.max(-this.min, this.max));
    return [-T, T];
  }

  /** The clip with the least expected squared quantization error. */
  mseRange(): [number, number] {
    const h = this.hist;
    const amax = Math.max(-this.min, this.max);
    const lo0 = Math.min(this.min, 0);
    const hi0 = Math.max(this.max, 0);
    const moments = new HistogramMoments(h);
    let best: [number, number] = [this.min, this.max];
    let bestErr = Infinity;
    for (let k = 1; k <= h.bins; k++) {
      const [lo, hi] = h.abs ? [-Math.min(h.edge(k), amax), Math.min(h.edge(k), amax)] : [(lo0 * k) / h.bins, (hi0 * k) / h.bins];
      const qp = this.clipped(lo, hi);
      const s = qp.scale[0]!;
      const z = qp.zeroPoint[0]!;
      const err = h.abs ? moments.squaredError(s, 0, Math.min(qp.qmax - z, z - qp.qmin)) : moments.squaredError(s, qp.qmin - z, qp.qmax - z);
      if (err <= bestErr) {
        bestErr = err;
        best = [lo, hi];
      }
      if (h.abs && h.edge(k) >= amax) break;
    }
    return best;
  }

  static fromState(json: unknown): HistogramObserver {
    const s = checkState('HistogramObserver.fromState', json, 'HistogramObserver');
    return new HistogramObserver(s.config).restore(s);
  }
}
