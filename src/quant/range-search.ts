// Range searches over a Histogram: TensorRT's KL-divergence threshold and the expected squared
// quantization error of a grid. Plain IEEE f64 arithmetic only; logs come from `ln` (no Math.log),
// so every engine picks the same threshold.
import type { Histogram } from './histogram.js';

const ln2Hi = 6.93147180369123816490e-1; // fdlibm's split of ln 2: the low 21 bits of ln2Hi are 0, so e·ln2Hi is exact
const ln2Lo = 1.90821492927058770002e-10;
const view = new DataView(new ArrayBuffer(8));

/** Natural log of a finite x > 0 from + − × ÷ only: x = m·2^e, m ∈ [√½, √2), ln m = 2·atanh((m−1)/(m+1)) by its series; |error| ≲ 1 ulp. */
export function ln(x: number): number {
  let e = 0;
  if (x < 2.2250738585072014e-308) {
    x *= 18014398509481984; // 2^54: subnormals become normal
    e = -54;
  }
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  e += (hi >>> 20) - 1023;
  view.setUint32(0, (hi & 0x000fffff) | 0x3ff00000);
  let m = view.getFloat64(0);
  if (m > 1.4142135623730951) {
    m *= 0.5;
    e++;
  }
  const s = (m - 1) / (m + 1);
  const z = s * s;
  // 2·Σ s^(2k+1)/(2k+1) for k ≤ 11: |s| ≤ 0.1716, z^12/25 < 1e-19.
  let p = 1 / 23 + z / 25;
  for (let k = 10; k >= 0; k--) p = 1 / (2 * k + 1) + z * p;
  return e * ln2Hi + (e * ln2Lo + 2 * s * p);
}

/**
 * TensorRT's entropy calibration on an |x| histogram (Migacz, "8-bit Inference with TensorRT", 2017):
 * for each i ∈ [levels, bins], P = counts[0:i] with the outliers Σ counts[i:] added to P[i−1];
 * Q = counts[0:i] merged into `levels` equal runs (bin j → level ⌊j·levels/i⌋), each run's sum
 * spread evenly over its non-empty bins; returns the index i minimizing KL(P‖Q) (the largest on ties;
 * KL = ∞ when P[i−1] > 0 = Q[i−1]). The threshold is edge(i). Per candidate O(levels) via prefix sums:
 * KL = (A + P ln P − Σ_L S_L ln(S_L/c_L) − O ln Q[i−1]) / N + ln(N − O) − ln N with A = Σ_{j<i−1} h ln h.
 * `smoothZeroBin` first sets counts[0] = counts[1] (NVIDIA pytorch-quantization's adjustment), so a
 * spike of exact zeros (ReLU outputs) does not dominate the divergence.
 */
export function entropyIndex(h: Histogram, levels: number, smoothZeroBin = false): number {
  const B = h.bins;
  const counts = h.counts.slice();
  if (smoothZeroBin) counts[0] = counts[1]!;
  const cum = new Float64Array(B + 1);
  const nz = new Float64Array(B + 1);
  const hlnh = new Float64Array(B + 1);
  for (let j = 0; j < B; j++) {
    const c = counts[j]!;
    cum[j + 1] = cum[j]! + c;
    nz[j + 1] = nz[j]! + (c > 0 ? 1 : 0);
    hlnh[j + 1] = hlnh[j]! + (c > 0 ? c * ln(c) : 0);
  }
  const N = cum[B]!;
  let best = B;
  let bestKl = Infinity;
  for (let i = levels; i <= B; i++) {
    const O = N - cum[i]!;
    const last = counts[i - 1]!;
    if (O > 0 && last === 0) continue; // Q[i−1] = 0 < P[i−1]
    let sumQ = 0;
    let lastQ = 0;
    for (let L = 0; L < levels; L++) {
      const a = Math.floor((L * i + levels - 1) / levels);
      const b = Math.floor(((L + 1) * i + levels - 1) / levels);
      const S = cum[b]! - cum[a]!;
      if (S > 0) {
        const q = S / (nz[b]! - nz[a]!);
        sumQ += S * ln(q);
        if (L === levels - 1) lastQ = q;
      }
    }
    const P = last + O;
    const plnp = hlnh[i - 1]! + (P > 0 ? P * ln(P) : 0);
    const kl = (plnp - sumQ - (O > 0 ? O * ln(lastQ) : 0)) / N + (O > 0 ? ln(N - O) - ln(N) : 0);
    if (kl <= bestKl) {
      bestKl = kl;
      best = i;
    }
  }
  return best;
}

/** ∫ over [a, b] of density·(x − Q(x))² for the grid x̂ = n·s, n ∈ [nmin, nmax] (round to nearest; clamped outside). */
export function binSquaredError(a: number, b: number, density: number, s: number, nmin: number, nmax: number): number {
  const cell = (x: number) => Math.min(Math.max(Math.floor(x / s + 0.5), nmin), nmax);
  let err = 0;
  for (let n = cell(a), last = cell(b); n <= last; n++) {
    const l = n === nmin ? a : Math.max(a, (n - 0.5) * s);
    const r = n === nmax ? b : Math.min(b, (n + 0.5) * s);
    if (r > l) {
      const p = r - n * s;
      const q = l - n * s;
      err += ((r - l) * (p * p + p * q + q * q)) / 3; // (p³ − q³)/3 without the cancellation
    }
  }
  return err * density;
}

/** Expected squared quantization error of the histogram's mass (uniform within each bin) on the grid of (scale s, levels nmin..nmax). */
export function histogramSquaredError(h: Histogram, s: number, nmin: number, nmax: number): number {
  let err = 0;
  if (h.width === 0) {
    const n = Math.min(Math.max(Math.floor(h.lo / s + 0.5), nmin), nmax);
    return h.total * (h.lo - n * s) * (h.lo - n * s);
  }
  for (let j = 0; j < h.bins; j++) {
    const c = h.counts[j]!;
    if (c > 0) err += binSquaredError(h.edge(j), h.edge(j + 1), c / h.width, s, nmin, nmax);
  }
  return err;
}

/**
 * Prefix moments of the histogram's piecewise-uniform density, so that the expected squared error of
 * a grid costs O(levels) instead of O(bins): per cell [(n−½)s, (n+½)s] (the end cells unbounded),
 * ∫(x − ns)²ρ = M2 − 2ns·M1 + (ns)²·M0 from interval moments. Equals histogramSquaredError up to
 * rounding (relative ≲ 1e-8: the raw moments cancel by up to (qmax − qmin)² in the narrowest cells).
 */
export class HistogramMoments {
  private readonly h: Histogram;
  private readonly c0: Float64Array;
  private readonly c1: Float64Array;
  private readonly c2: Float64Array;

  constructor(h: Histogram) {
    this.h = h;
    const B = h.bins;
    const w = h.width;
    this.c0 = new Float64Array(B + 1);
    this.c1 = new Float64Array(B + 1);
    this.c2 = new Float64Array(B + 1);
    for (let j = 0; j < B; j++) {
      const c = h.counts[j]!;
      const mid = h.lo + (j + 0.5) * w;
      this.c0[j + 1] = this.c0[j]! + c;
      this.c1[j + 1] = this.c1[j]! + c * mid;
      this.c2[j + 1] = this.c2[j]! + c * (mid * mid + (w * w) / 12);
    }
  }

  /** [∫ρ, ∫xρ, ∫x²ρ] over (−∞, t], into out. */
  private at(t: number, out: Float64Array): void {
    const h = this.h;
    const u = (t - h.lo) / h.width;
    if (!(u > 0)) {
      out[0] = out[1] = out[2] = 0;
      return;
    }
    const j = u >= h.bins ? h.bins : Math.floor(u);
    out[0] = this.c0[j]!;
    out[1] = this.c1[j]!;
    out[2] = this.c2[j]!;
    if (j < h.bins) {
      const e = h.edge(j);
      const d = h.counts[j]! / h.width; // density in bin j
      out[0]! += d * (t - e);
      out[1]! += (d * (t - e) * (t + e)) / 2;
      out[2]! += (d * (t - e) * (t * t + t * e + e * e)) / 3;
    }
  }

  /** Expected squared error of the mass on the grid x̂ = n·s, n ∈ [nmin, nmax], rounding to nearest. */
  squaredError(s: number, nmin: number, nmax: number): number {
    const h = this.h;
    const lo = h.lo;
    const hi = h.edge(h.bins);
    const a = new Float64Array(3);
    const b = new Float64Array(3);
    let err = 0;
    // Only cells that meet [lo, hi]: n from the cell of lo to the cell of hi.
    const first = Math.min(Math.max(Math.floor(lo / s + 0.5), nmin), nmax);
    const last = Math.min(Math.max(Math.floor(hi / s + 0.5), nmin), nmax);
    // a = moments up to the left end of cell `first`, which is at or below lo: zero.
    for (let n = first; n <= last; n++) {
      const right = n === nmax ? hi : Math.min((n + 0.5) * s, hi);
      this.at(right, b);
      const v = n * s;
      const m0 = b[0]! - a[0]!;
      if (m0 > 0) err += b[2]! - a[2]! - 2 * v * (b[1]! - a[1]!) + v * v * m0;
      a.set(b);
    }
    return Math.max(err, 0);
  }
}
