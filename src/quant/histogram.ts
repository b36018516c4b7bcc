// A bounded running histogram, the statistic of PercentileObserver and HistogramObserver.
// Histogram: `bins` equal bins over [lo, lo + bins·width], of |x| (lo = 0) or of x. When data falls
// outside, the grid is rebuilt around the occupied bins and the new data: widened by an integer
// factor k (every k adjacent old bins merge into one new bin) or just shifted (k = 1). Old edges stay
// edges, so counts move exactly (no interpolation, unlike torch's upsample-and-redistribute), and the
// bin width stays < 2·(observed range)/(bins − 2). Values are binned by ⌊(v − lo)/width⌋, clamped.
// Non-finite values are skipped. The range searches over it are in range-search.ts.
import { SlimError } from '../errors.js';

export interface HistogramState {
  lo: number;
  width: number;
  counts: number[];
}

export class Histogram {
  readonly bins: number;
  readonly abs: boolean;
  counts: Float64Array;
  lo = 0;
  width = 0;
  total = 0;

  constructor(bins: number, abs: boolean) {
    this.bins = bins;
    this.abs = abs;
    this.counts = new Float64Array(bins);
  }

  /** Left edge of bin j (j = bins: the right end). */
  edge(j: number): number {
    return this.lo + j * this.width;
  }

  private index(v: number): number {
    const j = Math.floor((v - this.lo) / this.width);
    return j < 0 ? 0 : j >= this.bins ? this.bins - 1 : j;
  }

  /** Adds the finite values of `x` (their magnitudes when `abs`). */
  add(x: ArrayLike<number>): void {
    let lo = Infinity;
    let hi = -Infinity;
    let n = 0;
    for (let i = 0; i < x.length; i++) {
      const v = this.abs ? Math.abs(x[i]!) : x[i]!;
      if (v - v !== 0) continue; // NaN or ±Inf
      if (v < lo) lo = v;
      if (v > hi) hi = v;
      n++;
    }
    if (n === 0) return;
    if (this.abs) lo = 0;
    if (this.total === 0) {
      this.lo = lo;
      this.width = (hi - lo) / this.bins;
    } else if (this.width === 0) {
      // Everything so far equals `this.lo`: restart over the joint range with that mass as one point.
      const a = Math.min(this.lo, lo);
      const b = Math.max(this.lo, hi);
      if (b > a) {
        const point = this.lo;
        this.lo = a;
        this.width = (b - a) / this.bins;
        this.counts.fill(0);
        this.counts[this.index(point)] = this.total;
      }
    } else {
      this.grow(lo, hi);
    }
    if (this.width === 0) this.counts[0]! += n;
    else {
      for (let i = 0; i < x.length; i++) {
        const v = this.abs ? Math.abs(x[i]!) : x[i]!;
        if (v - v === 0) this.counts[this.index(v)]! += 1;
      }
    }
    this.total += n;
  }

  /**
   * Re-grids to cover the occupied bins f..l and the new data [a, b]: aligned on an old edge, width × k
   * with k = ⌈(bins needed)/bins⌉ (k = 1 just shifts), old bin j → new bin ⌊(j − start)/k⌋.
   */
  private grow(a: number, b: number): void {
    if (a >= this.lo && b <= this.edge(this.bins)) return;
    const w = this.width;
    let f = 0;
    while (this.counts[f] === 0) f++;
    let l = this.bins - 1;
    while (this.counts[l] === 0) l--;
    const start = this.abs ? 0 : Math.floor((Math.min(a, this.edge(f)) - this.lo) / w);
    const end = Math.ceil((Math.max(b, this.edge(l + 1)) - this.lo) / w);
    const k = Math.max(Math.ceil((end - start) / this.bins), 1);
    const merged = new Float64Array(this.bins);
    for (let j = f; j <= l; j++) merged[Math.min(Math.max(Math.floor((j - start) / k), 0), this.bins - 1)]! += this.counts[j]!; // clamp: j − start may round past 2^53
    this.counts = merged;
    this.lo += start * w;
    this.width = w * k;
  }

  toJSON(): HistogramState {
    return { lo: this.lo, width: this.width, counts: Array.from(this.counts) };
  }

  /** Restores a histogram saved by toJSON; `fn` names the caller for errors. */
  static fromJSON(fn: string, s: HistogramState, bins: number, abs: boolean): Histogram {
    const h = new Histogram(bins, abs);
    if (s === null || typeof s !== 'object' || !Array.isArray(s.counts) || s.counts.length !== bins) {
      throw new SlimError('INVALID_ARGUMENT', `${fn}: state.histogram must be { lo, width, counts } with ${bins} counts, received ${s === null ? 'null' : typeof s}`);
    }
    if (!Number.isFinite(s.lo) || !Number.isFinite(s.width) || !(s.width >= 0)) {
      throw new SlimError('INVALID_ARGUMENT', `${fn}: state.histogram.lo and .width must be finite (width ≥ 0), received ${s.lo} and ${s.width}`);
    }
    h.lo = s.lo;
    h.width = s.width;
    for (let j = 0; j < bins; j++) {
      const c = s.counts[j];
      if (typeof c !== 'number' || !(c >= 0) || !Number.isFinite(c)) throw new SlimError('INVALID_ARGUMENT', `${fn}: state.histogram.counts[${j}] must be a finite count ≥ 0, received ${String(c)}`);
      h.counts[j] = c;
      h.total += c;
    }
    return h;
  }
}

/** The q-quantile (0 ≤ q ≤ 1) of the histogram, linear within the bin that crosses q·total (uniform density); error ≤ one bin width. */
export function quantile(h: Histogram, q: number): number {
  if (h.total === 0) return NaN;
  if (h.width === 0) return h.lo;
  const target = q * h.total;
  let cum = 0;
  for (let j = 0; j < h.bins; j++) {
    const c = h.counts[j]!;
    if (c > 0 && cum + c >= target) return h.edge(j) + (h.width * Math.max(target - cum, 0)) / c;
    cum += c;
  }
  return h.edge(h.bins);
}
