// qparams against torch's formulas computed by hand, observers against hand-computed statistics,
// the histogram searches against naive references, and state round trips.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import './setup.js';
import * as st from '../src/index.js';
import { SlimError } from '../src/errors.js';
import { HistogramObserver, PercentileObserver } from '../src/quant/hist-observers.js';
import { Histogram, quantile } from '../src/quant/histogram.js';
import { entropyIndex, HistogramMoments, histogramSquaredError, ln } from '../src/quant/range-search.js';
import { MinMaxObserver, MovingAverageMinMaxObserver, MovingAveragePerChannelMinMaxObserver, observerFromState, PerChannelMinMaxObserver } from '../src/quant/observers.js';
import { F32_EPS, qparamsFromMinMax, type QParams, type QParamsOptions } from '../src/quant/qparams.js';

const throwsCode = (fn: () => unknown, code: string) => assert.throws(fn, (e: unknown) => e instanceof SlimError && e.code === code);
const sz = (q: QParams) => ({ scale: Array.from(q.scale), zp: Array.from(q.zeroPoint), qmin: q.qmin, qmax: q.qmax, ...(q.axis === undefined ? {} : { axis: q.axis }) });
const qp = (min: number, max: number, o: QParamsOptions) => sz(qparamsFromMinMax(min, max, o));

test('qparamsFromMinMax equals torch _calculate_qparams computed by hand', () => {
  // Scales chosen exact in binary so the hand values are exact: span / (qmax − qmin) = 1/16.
  assert.deepEqual(qp(-2, 255 / 16 - 2, { dtype: 'uint8' }), { scale: [1 / 16], zp: [32], qmin: 0, qmax: 255 }); // zp = 0 − round(−32)
  assert.deepEqual(qp(-2, 255 / 16 - 2, { dtype: 'int8' }), { scale: [1 / 16], zp: [-96], qmin: -128, qmax: 127 });
  // zp rounds half to even: min/scale = −33.5 → −34 (half-up would give −33).
  assert.deepEqual(qp(-33.5 / 16, 255 / 16 - 33.5 / 16, { dtype: 'uint8' }).zp, [34]);
  // All-positive data: the range widens to include 0 → zp at qmin.
  assert.deepEqual(qp(2, 5, { dtype: 'uint8' }), { scale: [Math.fround(5 / 255)], zp: [0], qmin: 0, qmax: 255 });
  assert.deepEqual(qp(2, 5, { dtype: 'int8' }).zp, [-128]);
  // All-negative data: zp at qmax.
  assert.deepEqual(qp(-255 / 8, -1, { dtype: 'int8' }), { scale: [1 / 8], zp: [127], qmin: -128, qmax: 127 });
  assert.deepEqual(qp(-255 / 8, -1, { dtype: 'uint8' }).zp, [255]);
  // min = max = 0: scale = eps = 2^-23, zp = qmin (affine), 0 / 128 (symmetric).
  assert.deepEqual(qp(0, 0, { dtype: 'uint8' }), { scale: [2 ** -23], zp: [0], qmin: 0, qmax: 255 });
  assert.deepEqual(qp(0, 0, { dtype: 'int8' }).zp, [-128]);
  assert.deepEqual(qp(0, 0, { dtype: 'int8', symmetric: true }), { scale: [2 ** -23], zp: [0], qmin: -128, qmax: 127 });
  assert.deepEqual(qp(0, 0, { dtype: 'uint8', symmetric: true }), { scale: [2 ** -23], zp: [128], qmin: 0, qmax: 255 });
  assert.equal(F32_EPS, 2 ** -23);
  assert.deepEqual(qp(0, 1e-10, { dtype: 'uint8' }).scale, [2 ** -23]);
  assert.deepEqual(qp(0, 1, { dtype: 'uint8', eps: 0.5 }).scale, [0.5]);
  // reduce_range: int8 −64..63, uint8 0..127 (span 127).
  assert.deepEqual(qp(-2, 127 / 16 - 2, { dtype: 'uint8', reduceRange: true }), { scale: [1 / 16], zp: [32], qmin: 0, qmax: 127 });
  assert.deepEqual(qp(-2, 127 / 16 - 2, { dtype: 'int8', reduceRange: true }), { scale: [1 / 16], zp: [-32], qmin: -64, qmax: 63 });
  // Symmetric: scale = max(−min, max) / ((qmax − qmin)/2); zp 0 for int8, 128 for uint8.
  assert.deepEqual(qp(-15.9375, 1, { dtype: 'int8', symmetric: true }), { scale: [0.125], zp: [0], qmin: -128, qmax: 127 });
  assert.deepEqual(qp(-1, 15.9375, { dtype: 'uint8', symmetric: true }), { scale: [0.125], zp: [128], qmin: 0, qmax: 255 });
  assert.deepEqual(qp(-7.9375, 3, { dtype: 'int8', symmetric: true, reduceRange: true }), { scale: [0.125], zp: [0], qmin: -64, qmax: 63 });
  assert.deepEqual(qp(-3, 2, { dtype: 'int8', symmetric: true }).scale, [Math.fround(3 / 127.5)]);
  throwsCode(() => qparamsFromMinMax(-1, 1, { dtype: 'uint8', symmetric: true, reduceRange: true }), 'INVALID_ARGUMENT'); // torch: NotImplementedError
  // Customized ranges (torch quant_min/quant_max): −127..127, and the symmetric uint8 midpoint ⌊(qmin+qmax)/2⌋.
  assert.deepEqual(qp(-12.7, 1, { dtype: 'int8', symmetric: true, quantMin: -127, quantMax: 127 }).scale, [Math.fround(Math.fround(12.7) / 127)]);
  assert.deepEqual(qp(-1, 1, { dtype: 'uint8', symmetric: true, quantMin: 0, quantMax: 15 }).zp, [7]);
  assert.deepEqual(qp(-1, 1, { dtype: 'int8', quantMin: -8, quantMax: 7, reduceRange: true }).qmin, -4);
  // Nothing observed (+∞, −∞): torch's defaults scale 1, zp 0.
  assert.deepEqual(qp(Infinity, -Infinity, { dtype: 'int8' }).scale, [1]);
  // Vectorized = elementwise.
  const mins = [-1, 0, -3.5, 2];
  const maxs = [1, 0, -0.5, 9];
  const v = qparamsFromMinMax(mins, maxs, { dtype: 'int8' });
  mins.forEach((m, i) => {
    const s = qparamsFromMinMax(m, maxs[i]!, { dtype: 'int8' });
    assert.equal(v.scale[i], s.scale[0]);
    assert.equal(v.zeroPoint[i], s.zeroPoint[0]);
  });
  throwsCode(() => qparamsFromMinMax(2, 1), 'INVALID_ARGUMENT');
  throwsCode(() => qparamsFromMinMax(NaN, 1), 'INVALID_ARGUMENT');
  throwsCode(() => qparamsFromMinMax([1, 2], [3]), 'SHAPE_MISMATCH');
  throwsCode(() => qparamsFromMinMax(0, 1, { dtype: 'int16' as 'int8' }), 'INVALID_ARGUMENT');
  throwsCode(() => qparamsFromMinMax(0, 1, { quantMin: 1, quantMax: 5 }), 'INVALID_ARGUMENT');
});

test('MinMaxObserver and MovingAverageMinMaxObserver follow the hand-computed sequences', () => {
  const batches = [[-1, 2], [-3, 4, 0], [1, 1]];
  const mm = new MinMaxObserver({ dtype: 'int8' });
  assert.deepEqual(sz(mm.qparams()), qp(Infinity, -Infinity, { dtype: 'int8' }));
  for (const b of batches) st.tidy(() => mm.update(st.tensor(b)));
  assert.deepEqual([mm.min, mm.max], [-3, 4]);
  assert.deepEqual(sz(mm.qparams()), qp(-3, 4, { dtype: 'int8' }));
  const ma = new MovingAverageMinMaxObserver({ averagingConstant: 0.5, dtype: 'uint8' });
  const seen: number[][] = [];
  for (const b of batches) {
    st.tidy(() => ma.update(st.tensor(b)));
    seen.push([ma.min, ma.max]);
  }
  assert.deepEqual(seen, [[-1, 2], [-2, 3], [-0.5, 2]]); // min ← min + ½(x_min − min)
  // The default c = 0.01 in f32 steps, as torch's buffers: min ← f32(min + f32(f32(c)·f32(x_min − min))).
  const d = new MovingAverageMinMaxObserver();
  st.tidy(() => d.update(st.tensor([0.1, 0.7])));
  st.tidy(() => d.update(st.tensor([-0.3, 0.2])));
  const F = Math.fround;
  assert.equal(d.min, F(F(0.1) + F(F(0.01) * F(F(-0.3) - F(0.1)))));
  assert.equal(d.max, F(F(0.7) + F(F(0.01) * F(F(0.2) - F(0.7)))));
  st.tidy(() => d.update(st.zeros([0])));
  assert.equal(d.min, F(F(0.1) + F(F(0.01) * F(F(-0.3) - F(0.1))))); // empty batches are ignored
  assert.deepEqual(sz(d.qparams()), qp(d.min, d.max, { dtype: 'uint8' }));
});

test('per-channel observers: axis 0, 1 and −1, plain and moving average', () => {
  const x = [[1, -2, 3], [4, 5, -6]];
  const y = [[0, 7, 1], [-9, 1, 1]];
  const a0 = new PerChannelMinMaxObserver({ dtype: 'int8', symmetric: true });
  const a1 = new PerChannelMinMaxObserver({ axis: 1, dtype: 'uint8' });
  const am = new PerChannelMinMaxObserver({ axis: -1, dtype: 'uint8' });
  const ma = new MovingAveragePerChannelMinMaxObserver({ axis: 1, averagingConstant: 0.5 });
  for (const b of [x, y]) st.tidy(() => [a0, a1, am, ma].forEach((o) => o.update(st.tensor(b))));
  assert.deepEqual([Array.from(a0.min!), Array.from(a0.max!)], [[-2, -9], [7, 5]]);
  assert.deepEqual([Array.from(a1.min!), Array.from(a1.max!)], [[-9, -2, -6], [4, 7, 3]]);
  assert.deepEqual([Array.from(am.min!), Array.from(am.max!)], [[-9, -2, -6], [4, 7, 3]]);
  assert.deepEqual([Array.from(ma.min!), Array.from(ma.max!)], [[(1 + -9) / 2, (-2 + 1) / 2, (-6 + 1) / 2], [(4 + 0) / 2, (5 + 7) / 2, (3 + 1) / 2]]);
  assert.deepEqual(sz(a0.qparams()), { ...sz(qparamsFromMinMax([-2, -9], [7, 5], { dtype: 'int8', symmetric: true })), axis: 0 });
  assert.deepEqual(sz(a1.qparams()), { ...sz(qparamsFromMinMax([-9, -2, -6], [4, 7, 3], { dtype: 'uint8' })), axis: 1 });
  assert.equal(am.qparams().axis, 1);
  // A 3-d batch on axis 1: channel c covers x[:, c, :].
  const o3 = new PerChannelMinMaxObserver({ axis: 1 });
  const data = Array.from({ length: 24 }, (_, i) => ((i * 7) % 11) - 5);
  st.tidy(() => o3.update(st.tensor(Float32Array.from(data), [2, 3, 4])));
  for (let c = 0; c < 3; c++) {
    const vals = data.filter((_, i) => Math.floor(i / 4) % 3 === c);
    assert.equal(o3.min![c], Math.min(...vals));
    assert.equal(o3.max![c], Math.max(...vals));
  }
  throwsCode(() => st.tidy(() => a1.update(st.zeros([2, 4]))), 'SHAPE_MISMATCH');
  throwsCode(() => st.tidy(() => a1.update(st.zeros([]))), 'SHAPE_MISMATCH');
  throwsCode(() => st.tidy(() => a1.update(st.zeros([3]))), 'INVALID_ARGUMENT'); // axis 1 of a rank-1 batch
});

test('histogram: growth merges bins exactly, keeps every count and the resolution', () => {
  fc.assert(fc.property(fc.array(fc.array(fc.float({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 200 }), { minLength: 1, maxLength: 6 }), fc.boolean(), (batches, abs) => {
    const h = new Histogram(256, abs);
    let n = 0;
    let lo = Infinity;
    let hi = -Infinity;
    for (const b of batches) {
      h.add(Float32Array.from([...b, NaN, Infinity]));
      n += b.length;
      for (const v of b) [lo, hi] = [Math.min(lo, abs ? Math.abs(v) : v), Math.max(hi, abs ? Math.abs(v) : v)];
    }
    assert.equal(h.total, n);
    assert.equal(h.counts.reduce((p, c) => p + c, 0), n);
    if (abs) assert.equal(h.lo, 0);
    if (h.width > 0) {
      const tol = 1e-12 * Math.max(Math.abs(lo), Math.abs(hi)) + 1e-9;
      assert.ok(h.lo <= lo + tol && h.edge(h.bins) >= hi - tol, `[${h.lo}, ${h.edge(h.bins)}] must cover [${lo}, ${hi}]`);
      assert.ok(h.width <= ((2 * (hi - (abs ? 0 : lo))) / (h.bins - 2)) * (1 + 1e-9), `bin width ${h.width} ≤ 2·range/(bins − 2)`);
    }
  }), { numRuns: 200 });
});

test('ln is accurate to ~1 ulp without Math.log', () => {
  for (const x of [1, 2, 0.5, Math.E, 10, 1e-300, 5e-324, 1.7976931348623157e308, 1 + 2 ** -52, 0.7071067811865476, 1.4142135623730951]) {
    assert.ok(Math.abs(ln(x) - Math.log(x)) <= 2.5e-16 * Math.max(1, Math.abs(Math.log(x))), `ln(${x})`);
  }
  fc.assert(fc.property(fc.double({ min: 5e-324, max: 1e308, noNaN: true }), (x) => Math.abs(ln(x) - Math.log(x)) <= 2.5e-16 * Math.max(1, Math.abs(Math.log(x)))));
});

/** TensorRT's entropy search written out literally (Math.log is fine in a test oracle). */
function naiveKl(counts: number[], i: number, levels: number): number {
  const O = counts.slice(i).reduce((a, b) => a + b, 0);
  const P = counts.slice(0, i);
  P[i - 1]! += O;
  const level = (j: number) => Math.floor((j * levels) / i); // np.digitize(range(i), linspace(0, i, levels + 1)) − 1
  const sum = new Array<number>(levels).fill(0);
  const nonzero = new Array<number>(levels).fill(0);
  for (let j = 0; j < i; j++) {
    sum[level(j)]! += counts[j]!;
    nonzero[level(j)]! += counts[j]! > 0 ? 1 : 0;
  }
  const Q = counts.slice(0, i).map((c, j) => (c > 0 ? sum[level(j)]! / nonzero[level(j)]! : 0));
  const sp = P.reduce((a, b) => a + b, 0);
  const sq = Q.reduce((a, b) => a + b, 0);
  let kl = 0;
  for (let j = 0; j < i; j++) {
    if (P[j]! === 0) continue;
    if (Q[j]! === 0) return Infinity;
    kl += (P[j]! / sp) * Math.log(P[j]! / sp / (Q[j]! / sq));
  }
  return kl;
}

test('entropyIndex equals the literal TensorRT KL search', () => {
  fc.assert(fc.property(fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1000 })), { minLength: 256, maxLength: 256 }), fc.constantFrom(16, 32, 64), fc.boolean(), (counts, levels, smooth) => {
    if (counts.every((c) => c === 0)) return;
    const h = new Histogram(256, true);
    h.counts.set(counts);
    h.total = counts.reduce((a, b) => a + b, 0);
    h.width = 1;
    const got = entropyIndex(h, levels, smooth);
    const ref = smooth ? [counts[1]!, ...counts.slice(1)] : counts;
    let best = 256;
    let bestKl = Infinity;
    const kls: number[] = [];
    for (let i = levels; i <= 256; i++) {
      kls[i] = naiveKl(ref, i, levels);
      if (kls[i]! <= bestKl) [best, bestKl] = [i, kls[i]!];
    }
    assert.ok(got === best || Math.abs(kls[got]! - bestKl) <= 1e-12 * Math.max(1, bestKl), `entropyIndex ${got} (KL ${kls[got]}) vs ${best} (KL ${bestKl})`);
  }), { numRuns: 100 });
});

test('expected squared error: the moment form equals the per-bin integrals, which equal a fine numerical integral', () => {
  fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 256, maxLength: 256 }), fc.double({ min: -3, max: 0, noNaN: true }), fc.double({ min: 0.05, max: 2, noNaN: true }), fc.integer({ min: -128, max: 0 }), fc.integer({ min: 1, max: 127 }), (counts, lo, s, nmin, nmax) => {
    const h = new Histogram(256, false);
    h.counts.set(counts);
    h.total = counts.reduce((a, b) => a + b, 0);
    h.lo = lo;
    h.width = 6 / 256;
    const direct = histogramSquaredError(h, s, nmin, nmax);
    const fast = new HistogramMoments(h).squaredError(s, nmin, nmax);
    assert.ok(Math.abs(fast - direct) <= 1e-8 * direct + 1e-12, `${fast} vs ${direct}`);
    let fine = 0; // midpoint rule, 64 points per bin
    for (let j = 0; j < 256; j++) {
      for (let k = 0; k < 64; k++) {
        const x = h.edge(j) + ((k + 0.5) / 64) * h.width;
        const n = Math.min(Math.max(Math.round(x / s), nmin), nmax);
        fine += (counts[j]! / 64) * (x - n * s) ** 2;
      }
    }
    assert.ok(Math.abs(fine - direct) <= 2e-3 * direct + 1e-9, `${fine} vs ${direct}`);
  }), { numRuns: 30 });
});

const laplace = (n: number, seed: number) => Float32Array.from(st.tidy(() => st.uniform([n], 0, 1, { seed }).toTypedArray()), (u) => (u < 0.5 ? Math.log(2 * u + 1e-12) : -Math.log(2 - 2 * u + 1e-12)));

test('HistogramObserver: entropy clips heavy tails below the max; MSE picks the analytical optimal clip', () => {
  const lap = laplace(200_000, 7);
  const amax = lap.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const ent = new HistogramObserver({ dtype: 'int8', symmetric: true });
  const mse = new HistogramObserver({ dtype: 'int8', symmetric: true, method: 'mse' });
  st.tidy(() => [ent, mse].forEach((o) => o.update(st.tensor(lap))));
  const T = (o: HistogramObserver) => o.qparams().scale[0]! * 127.5;
  assert.ok(T(ent) < 0.95 * amax && T(ent) > 5, `entropy T ${T(ent)} vs max ${amax}`);
  // ACIQ (Banner et al. 2019): the MSE-optimal 8-bit clip for Laplace(b = 1) is ≈ 9.89.
  assert.ok(T(mse) > 8 && T(mse) < 11 && T(mse) < amax, `mse T ${T(mse)} vs max ${amax}`);
  // Gaussian, 4 bits (−8..7): ACIQ's optimum ≈ 2.55σ, far below the ≈ 4.4σ max of 2·10^5 samples.
  const g = new HistogramObserver({ dtype: 'int8', symmetric: true, quantMin: -8, quantMax: 7, method: 'mse' });
  st.tidy(() => g.update(st.normal([200_000], 0, 1, { seed: 3 })));
  const tg = g.qparams().scale[0]! * 7.5;
  assert.ok(tg > 2.3 && tg < 2.9, `gaussian 4-bit mse T ${tg}`);
  // Uniform data has nothing to clip: the affine MSE range is essentially [min, max].
  const u = new HistogramObserver({ dtype: 'uint8', method: 'mse' });
  st.tidy(() => u.update(st.uniform([50_000], -1, 3, { seed: 5 })));
  const q = u.qparams();
  assert.ok((q.qmax - q.zeroPoint[0]!) * q.scale[0]! > 2.9 && (q.zeroPoint[0]! - q.qmin) * q.scale[0]! > 0.97, 'uniform: no clipping');
  // ReLU outputs with smoothZeroBin: the spike of zeros no longer drags the threshold down.
  const relu = lap.map((v) => Math.max(v, 0));
  const [plain, smooth, byDefault] = [false, true, undefined].map((smoothZeroBin) => {
    const o = new HistogramObserver({ dtype: 'uint8', ...(smoothZeroBin === undefined ? {} : { smoothZeroBin }) });
    st.tidy(() => o.update(st.tensor(relu)));
    return o.qparams().scale[0]! * 255;
  });
  assert.ok(smooth! > plain! && smooth! > 7, `relu: smoothed ${smooth} vs plain ${plain}`);
  // Smoothing is the default, as in NVIDIA's pytorch-quantization (which always smooths).
  assert.equal(byDefault, smooth);
});

test('PercentileObserver reads percentiles within a bin width', () => {
  const x = Float32Array.from({ length: 10_001 }, (_, i) => i - 5000); // −5000..5000
  const tails = new PercentileObserver({ percentile: 99, dtype: 'uint8' });
  const sym = new PercentileObserver({ percentile: 90, dtype: 'int8', symmetric: true });
  st.tidy(() => [tails, sym].forEach((o) => o.update(st.tensor(x))));
  const w = 10_000 / 2048;
  const t = tails.qparams();
  const lo = (t.qmin - t.zeroPoint[0]!) * t.scale[0]!;
  const hi = (t.qmax - t.zeroPoint[0]!) * t.scale[0]!;
  assert.ok(Math.abs(lo + 4900) <= w + t.scale[0]! && Math.abs(hi - 4900) <= w + t.scale[0]!, `tails [${lo}, ${hi}]`);
  assert.ok(Math.abs(sym.qparams().scale[0]! * 127.5 - 4500) <= w / 2 + 1, `|x| 90th percentile ${sym.qparams().scale[0]! * 127.5}`);
  const h = new Histogram(2048, false);
  h.add(x);
  for (const q of [0, 0.01, 0.5, 0.9, 1]) assert.ok(Math.abs(quantile(h, q) - (q * 10_000 - 5000)) <= 2 * w, `quantile ${q}`);
});

test('every observer round-trips its state through JSON and keeps observing identically', () => {
  const make = () => [
    new MinMaxObserver({ dtype: 'int8', symmetric: true }),
    new MovingAverageMinMaxObserver({ averagingConstant: 0.1 }),
    new PerChannelMinMaxObserver({ axis: 1, dtype: 'int8' }),
    new MovingAveragePerChannelMinMaxObserver({ axis: -1, reduceRange: true }),
    new PercentileObserver({ percentile: 99.9, symmetric: true, dtype: 'int8' }),
    new HistogramObserver({ method: 'entropy', dtype: 'int8', symmetric: true }),
    new HistogramObserver({ method: 'mse', dtype: 'uint8', bins: 512 }),
  ];
  const batch = (seed: number, scale: number) => st.tidy(() => st.mul(st.normal([64, 8], 0.5, 1, { seed }), scale));
  const obs = make();
  for (const o of [...obs, ...make()]) assert.deepEqual(sz(observerFromState(JSON.parse(JSON.stringify(o.state()))).qparams()), sz(o.qparams())); // before any data
  for (const [seed, scale] of [[1, 1], [2, 3], [3, 0.5]] as const) {
    const b = batch(seed, scale);
    obs.forEach((o) => o.update(b));
    b.dispose();
  }
  const before = st.memoryStats().tensors;
  const copies = obs.map((o) => observerFromState(JSON.parse(JSON.stringify(o.state()))));
  copies.forEach((c, i) => {
    assert.equal(c.constructor, obs[i]!.constructor);
    assert.deepEqual(sz(c.qparams()), sz(obs[i]!.qparams()), obs[i]!.kind);
    assert.deepEqual(c.state(), obs[i]!.state());
  });
  const b = batch(4, 10); // a wider batch: the histograms grow
  obs.forEach((o, i) => {
    o.update(b);
    copies[i]!.update(b);
    assert.deepEqual(sz(copies[i]!.qparams()), sz(o.qparams()), o.kind);
  });
  b.dispose();
  assert.equal(st.memoryStats().tensors, before, 'observers leave no tensors behind');
  assert.deepEqual(MinMaxObserver.fromState(obs[0]!.state()).state(), obs[0]!.state());
  obs[0]!.reset();
  assert.deepEqual(sz(obs[0]!.qparams()).scale, [1]);
});

test('observers: typed errors', () => {
  throwsCode(() => new MinMaxObserver({ dtype: 'int4' as 'int8' }), 'INVALID_ARGUMENT');
  throwsCode(() => new MinMaxObserver({ dtype: 'uint8', symmetric: true, reduceRange: true }), 'INVALID_ARGUMENT');
  throwsCode(() => new MovingAverageMinMaxObserver({ averagingConstant: 0 }), 'INVALID_ARGUMENT');
  throwsCode(() => new HistogramObserver({ bins: 100 }), 'INVALID_ARGUMENT');
  throwsCode(() => new HistogramObserver({ method: 'kl' as 'mse' }), 'INVALID_ARGUMENT');
  throwsCode(() => new PercentileObserver({ percentile: 101 }), 'INVALID_ARGUMENT');
  throwsCode(() => new PerChannelMinMaxObserver({ axis: 0.5 }), 'INVALID_ARGUMENT');
  throwsCode(() => st.tidy(() => new MinMaxObserver().update(st.tensor([1, 2], [2], 'i32'))), 'DTYPE_MISMATCH');
  throwsCode(() => new MinMaxObserver().update([1, 2] as never), 'INVALID_ARGUMENT');
  throwsCode(() => MinMaxObserver.fromState({ kind: 'HistogramObserver', version: 1, config: {} }), 'INVALID_ARGUMENT');
  throwsCode(() => observerFromState({ kind: 'Nope' }), 'INVALID_ARGUMENT');
  throwsCode(() => HistogramObserver.fromState({ ...new HistogramObserver().state(), histogram: { lo: 0, width: 1, counts: [1] } }), 'INVALID_ARGUMENT');
  const nan = new MinMaxObserver();
  st.tidy(() => nan.update(st.tensor([1, NaN])));
  throwsCode(() => nan.qparams(), 'INVALID_ARGUMENT'); // torch: "min nan should be less than max nan"
});
