import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import './setup.js';
import * as st from '../src/index.js';
import { f32SvdJacobiRef } from '../src/lowrank/svd-ref.js';

/** Eigenvalues of the symmetric g [k, k] by cyclic two-sided Jacobi in f64, descending: the independent σ² reference. */
function symEig(g: Float64Array, k: number): number[] {
  const a = g.slice();
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < k; p++) for (let q = p + 1; q < k; q++) off += a[p * k + q]! ** 2;
    if (off < 1e-300) break;
    for (let p = 0; p < k; p++) for (let q = p + 1; q < k; q++) {
      const apq = a[p * k + q]!;
      if (apq === 0) continue;
      const theta = (a[q * k + q]! - a[p * k + p]!) / (2 * apq);
      const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
      const c = 1 / Math.sqrt(t * t + 1), s = t * c;
      for (let r = 0; r < k; r++) {
        const arp = a[r * k + p]!, arq = a[r * k + q]!;
        a[r * k + p] = c * arp - s * arq;
        a[r * k + q] = s * arp + c * arq;
      }
      for (let r = 0; r < k; r++) {
        const apr = a[p * k + r]!, aqr = a[q * k + r]!;
        a[p * k + r] = c * apr - s * aqr;
        a[q * k + r] = s * apr + c * aqr;
      }
    }
  }
  return Array.from({ length: k }, (_, i) => a[i * k + i]!).sort((x, y) => y - x);
}

/** Singular values of a [m, n] from the eigenvalues of its smaller Gram matrix, in f64. */
function sigmaRef(a: Float32Array, m: number, n: number): number[] {
  const k = Math.min(m, n), g = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
    let acc = 0;
    for (let p = 0; p < Math.max(m, n); p++) acc += m >= n ? a[p * n + i]! * a[p * n + j]! : a[i * n + p]! * a[j * n + p]!;
    g[i * k + j] = acc;
  }
  return symEig(g, k).map((l) => Math.sqrt(Math.max(l, 0)));
}

interface Errors { recon: number; orthU: number; orthV: number; sigma: number }

/** ‖A − UΣVᵀ‖_F/‖A‖_F, max|UᵀU − I|, max|VᵀV − I|, max|σ − σ_ref|/σ_max, in f64. */
function errors(a: Float32Array, m: number, n: number, d: st.Svd): Errors {
  const k = Math.min(m, n), u = d.u.toTypedArray(), s = d.s.toTypedArray(), vt = d.vt.toTypedArray();
  let num = 0, den = 0;
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let x = 0;
    for (let t = 0; t < k; t++) x += u[i * k + t]! * s[t]! * vt[t * n + j]!;
    num += (x - a[i * n + j]!) ** 2;
    den += a[i * n + j]! ** 2;
  }
  let orthU = 0, orthV = 0;
  for (let p = 0; p < k; p++) for (let q = 0; q < k; q++) {
    let du = 0, dv = 0;
    for (let i = 0; i < m; i++) du += u[i * k + p]! * u[i * k + q]!;
    for (let j = 0; j < n; j++) dv += vt[p * n + j]! * vt[q * n + j]!;
    orthU = Math.max(orthU, Math.abs(du - (p === q ? 1 : 0)));
    orthV = Math.max(orthV, Math.abs(dv - (p === q ? 1 : 0)));
  }
  const ref = sigmaRef(a, m, n);
  const smax = Math.max(ref[0] ?? 0, Number.MIN_VALUE);
  const sigma = Math.max(0, ...ref.map((r, i) => Math.abs(r - s[i]!) / smax));
  return { recon: den === 0 ? Math.sqrt(num) : Math.sqrt(num / den), orthU, orthV, sigma };
}

/** A random orthogonal [n, n] in f64 (Gram–Schmidt of Gaussian columns from a seeded stream). */
function orthogonal(n: number, seed: number): Float64Array {
  const g = st.tidy(() => st.normal([n, n], 0, 1, { seed }).toTypedArray());
  const q = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const v = Array.from({ length: n }, (_, i) => g[i * n + j]!);
    for (let pass = 0; pass < 2; pass++) for (let e = 0; e < j; e++) {
      let h = 0;
      for (let i = 0; i < n; i++) h += q[i * n + e]! * v[i]!;
      for (let i = 0; i < n; i++) v[i]! -= h * q[i * n + e]!;
    }
    const nrm = Math.hypot(...v);
    for (let i = 0; i < n; i++) q[i * n + j] = v[i]! / nrm;
  }
  return q;
}

/** P·diag(sigma)·Qᵀ rounded to f32: [m, n] with prescribed singular values (P, Q orthogonal). */
function withSingularValues(m: number, n: number, sigma: number[], seed: number): Float32Array {
  const p = orthogonal(m, seed), q = orthogonal(n, seed + 1), a = new Float32Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let x = 0;
    for (let t = 0; t < sigma.length; t++) x += p[i * m + t]! * sigma[t]! * q[j * n + t]!;
    a[i * n + j] = x;
  }
  return a;
}

function runSvd(a: Float32Array, m: number, n: number): { d: st.Svd; e: Errors } {
  const t = st.tensor(a, [m, n]);
  const d = svd(t);
  t.dispose();
  return { d, e: errors(a, m, n, d) };
}
const { svd } = st;

function randomMatrix(m: number, n: number, seed: number): Float32Array {
  return st.tidy(() => st.normal([m, n], 0, 1, { seed }).toTypedArray());
}

const FAMILIES: [string, number, number, () => Float32Array][] = [
  ['random 24x17', 24, 17, () => randomMatrix(24, 17, 1)],
  ['rank 3 of 20x30', 20, 30, () => withSingularValues(20, 30, [3, 2, 1], 2)],
  ['ill-conditioned 16x16, σ 1e-6..1', 16, 16, () => withSingularValues(16, 16, Array.from({ length: 16 }, (_, i) => 10 ** (-6 * i / 15)), 3)],
  ['tall 64x5', 64, 5, () => randomMatrix(64, 5, 4)],
  ['wide 5x64', 5, 64, () => randomMatrix(5, 64, 5)],
  ['1x37', 1, 37, () => randomMatrix(1, 37, 6)],
  ['37x1', 37, 1, () => randomMatrix(37, 1, 7)],
  ['zero 6x9', 6, 9, () => new Float32Array(54)],
  ['zero 9x6', 9, 6, () => new Float32Array(54)],
  // Odd sizes complete the basis up to the last e_q (fast-check found U's last column in the padding).
  ['zero 13x13', 13, 13, () => new Float32Array(169)],
  ['rank 1 of 13x13 (equal columns)', 13, 13, () => { const a = randomMatrix(13, 13, 859421573); for (let i = 0; i < 169; i++) a[i] = a[i - (i % 13)]!; return a; }],
];

test('svd: reconstruction, orthogonality and singular values against the f64 Gram eigenvalues, on each family', () => {
  for (const [name, m, n, make] of FAMILIES) {
    const { d, e } = runSvd(make(), m, n);
    if (process.env.SVD_ERRORS) console.log(name, d.sweeps, JSON.stringify(e));
    assert.ok(d.converged, `${name}: did not converge in ${d.sweeps} sweeps`);
    assert.ok(e.recon <= 5e-7, `${name}: ‖A − UΣVᵀ‖/‖A‖ = ${e.recon}`);
    assert.ok(e.orthU <= 5e-7 && e.orthV <= 5e-7, `${name}: ‖UᵀU − I‖ = ${e.orthU}, ‖VᵀV − I‖ = ${e.orthV}`);
    assert.ok(e.sigma <= 2e-7, `${name}: max |σ − σ_ref|/σ_max = ${e.sigma}`);
    const s = d.s.toTypedArray();
    for (let i = 1; i < s.length; i++) assert.ok(s[i - 1]! >= s[i]! && s[i]! >= 0, `${name}: s not descending at ${i}`);
    d.u.dispose(); d.s.dispose(); d.vt.dispose();
  }
});

test('svd: the ill-conditioned σ come out to the expected magnitude and a rank-3 matrix has 3 nonzero σ', () => {
  const sigma = Array.from({ length: 16 }, (_, i) => 10 ** (-6 * i / 15));
  const ill = runSvd(withSingularValues(16, 16, sigma, 3), 16, 16).d.s.toTypedArray();
  // Rounding A to f32 moves each σ by at most ‖ΔA‖₂ (Weyl): about 1e-7 here, so the small ones are close in absolute terms only.
  ill.forEach((s, i) => assert.ok(Math.abs(s - sigma[i]!) <= 3e-7, `σ${i} = ${s}, prescribed ${sigma[i]}`));
  const r3 = runSvd(withSingularValues(20, 30, [3, 2, 1], 2), 20, 30).d.s.toTypedArray();
  assert.ok(Math.abs(r3[2]! - 1) < 1e-6 && r3[3]! < 1e-6, `σ2 = ${r3[2]}, σ3 = ${r3[3]}`);
});

test('f32_svd_jacobi equals its TS reference bit for bit; signs follow the largest-|u| rule (fast-check)', () => {
  const dim = fc.constantFrom(1, 2, 3, 4, 5, 7, 8, 9, 13);
  const values = fc.constantFrom('normal', 'zeros', 'repeated', 'scaled', 'sparse');
  fc.assert(
    fc.property(dim, dim, values, fc.integer({ min: 0, max: 2 ** 30 }), (m, n, kind, seed) => {
      const a = randomMatrix(m, n, seed);
      if (kind === 'zeros') a.fill(0);
      if (kind === 'repeated') for (let i = 0; i < m; i++) for (let j = 1; j < n; j++) a[i * n + j] = a[i * n]!;
      if (kind === 'scaled') for (let i = 0; i < a.length; i++) a[i] = a[i]! * 10 ** ((i % 7) * 6 - 18);
      if (kind === 'sparse') for (let i = 0; i < a.length; i++) if (i % 3) a[i] = 0;
      const k = Math.min(m, n);
      const u = new Float32Array(m * k), s = new Float32Array(k), vt = new Float32Array(k * n);
      const ran = f32SvdJacobiRef(m, n, a, u, s, vt, 60, 1e-10);
      const { d, e } = runSvd(a, m, n);
      assert.equal(d.sweeps, Math.abs(ran));
      assert.deepEqual(d.u.toTypedArray(), u);
      assert.deepEqual(d.s.toTypedArray(), s);
      assert.deepEqual(d.vt.toTypedArray(), vt);
      assert.ok(e.orthU <= 1e-6 && e.orthV <= 1e-6 && (kind === 'scaled' || e.recon <= 1e-6), JSON.stringify(e));
      // The rule runs on the f64 vectors: two entries that differ there can round to one f32 magnitude
      // (fast-check found ±0.6973167 in one column), so some entry of the largest f32 magnitude is positive.
      for (let t = 0; t < k; t++) {
        const col = Array.from({ length: m }, (_, i) => u[i * k + t]!);
        const big = Math.max(...col.map(Math.abs));
        assert.ok(col.some((x) => x === big && x > 0), `column ${t}: no positive entry of the largest magnitude in ${col}`);
      }
      d.u.dispose(); d.s.dispose(); d.vt.dispose();
    }),
    { numRuns: 300 },
  );
});

test('svd rejects a non-matrix, a non-f32 tensor and non-finite values', () => {
  st.tidy(() => {
    assert.throws(() => svd(st.zeros([2, 2, 2])), { code: 'SHAPE_MISMATCH' });
    assert.throws(() => svd(st.zeros([2, 2], 'i32')), { code: 'DTYPE_MISMATCH' });
    assert.throws(() => svd(st.tensor([[1, NaN]])), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => svd(st.zeros([2, 2]), { maxSweeps: 0 }), { code: 'INVALID_ARGUMENT' });
  });
});

function maxRelDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0, den = 0;
  for (let i = 0; i < a.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / den;
}

test('lowRank(Linear) at full rank reproduces the layer; truncation keeps the best rank-r error (Eckart–Young)', () => {
  const layer = new st.Linear(23, 11, { rng: new st.Rng(1) });
  const x = st.normal([5, 23], 0, 1, { seed: 2 });
  const full = st.lowRank(layer, { rank: 11 });
  const [a, b] = full.layers as st.Linear[];
  assert.deepEqual([a!.weight.shape, b!.weight.shape, a!.bias, b!.bias!.shape], [[11, 23], [11, 11], null, [11]]);
  st.tidy(() => assert.ok(maxRelDiff(full.forward(x).toTypedArray(), layer.forward(x).toTypedArray()) < 1e-5));
  // Rank 4: ‖W − BA‖²_F = Σ_{i≥4} σᵢ².
  const r4 = st.lowRank(layer, { rank: 4 });
  const s = svd(layer.weight);
  const tail = Array.from(s.s.toTypedArray()).slice(4).reduce((acc, v) => acc + v * v, 0);
  const approx = st.tidy(() => st.matmul((r4.layers[1] as st.Linear).weight, (r4.layers[0] as st.Linear).weight).toTypedArray());
  const w = layer.weight.toTypedArray();
  const err = approx.reduce((acc, v, i) => acc + (v - w[i]!) ** 2, 0);
  assert.ok(Math.abs(err - tail) <= 1e-5 * tail, `‖W − BA‖² = ${err}, Σ tail σ² = ${tail}`);
  assert.equal(r4.numParameters(), 4 * 23 + 11 * 4 + 11);
  for (const t of [x, s.u, s.s, s.vt]) t.dispose();
  for (const m of [layer, full, r4]) m.dispose();
});

test('chooseRank: rank is capped, energy keeps the fewest σ holding the fraction, paramsFraction = floor(f·out·in/(out+in))', () => {
  const s = [4, 2, 1, 1];
  assert.equal(st.chooseRank(s, 4, 9, { rank: 7 }), 4);
  assert.equal(st.chooseRank(s, 4, 9, { energy: 16 / 22 }), 1);
  assert.equal(st.chooseRank(s, 4, 9, { energy: 0.9 }), 2);
  assert.equal(st.chooseRank(s, 4, 9, { energy: 21.5 / 22 }), 4);
  assert.equal(st.rankForParams(300, 784, 0.25), 54);
  assert.equal(st.rankForParams(100, 300, 0.5), 37);
  assert.equal(st.chooseRank([0, 0], 2, 2, { energy: 0.5 }), 1);
  assert.throws(() => st.chooseRank(s, 4, 9, { rank: 0 }), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => st.chooseRank(s, 4, 9, { energy: 1.5 }), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => st.chooseRank(s, 4, 9, { rank: 2, energy: 0.5 } as never), { code: 'INVALID_ARGUMENT' });
});

test('lowRank(Conv2d): a KH×KW conv with r filters then a 1×1 conv; full rank reproduces the conv', () => {
  const conv = new st.Conv2d(3, 5, 3, { padding: 1, stride: 2, rng: new st.Rng(3) });
  const x = st.normal([2, 3, 9, 9], 0, 1, { seed: 4 });
  const full = st.lowRank(conv, { rank: 5 });
  const [a, b] = full.layers as st.Conv2d[];
  assert.deepEqual([a!.weight.shape, b!.weight.shape, a!.options, b!.options], [[5, 3, 3, 3], [5, 5, 1, 1], conv.options, { stride: 1, padding: 0, dilation: 1 }]);
  st.tidy(() => assert.ok(maxRelDiff(full.forward(x).toTypedArray(), conv.forward(x).toTypedArray()) < 1e-5));
  const r2 = st.lowRank(conv, { paramsFraction: 0.5 });
  assert.equal((r2.layers[0] as st.Conv2d).weight.shape[0], Math.floor((0.5 * 5 * 27) / 32));
  x.dispose();
  for (const m of [conv, full, r2]) m.dispose();
});

test('lowRankModel factors the named Linears of a Sequential, keeps the other layers and disposes the replaced ones', () => {
  st.seed(5);
  const model = new st.Sequential(new st.Linear(40, 30), new st.ReLU(), new st.Sequential(new st.Linear(30, 20), new st.ReLU()), new st.Linear(20, 3));
  const [l0, relu, inner, head] = model.layers as [st.Linear, st.ReLU, st.Sequential, st.Linear];
  const l2 = inner.layers[0] as st.Linear;
  assert.throws(() => st.lowRankModel(model, { layers: ['1'], rank: 2 }), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => st.lowRankModel(model, { paramsFraction: 0 }), { code: 'INVALID_ARGUMENT' });
  model.eval();
  const out = st.lowRankModel(model, { layers: ['0', '2.0'], paramsFraction: 0.25 });
  assert.equal(out.layers[1], relu);
  assert.equal(out.layers[3], head);
  assert.ok(l0.weight.isDisposed && l2.weight.isDisposed && !head.weight.isDisposed);
  assert.equal(out.training, false);
  const r0 = st.rankForParams(30, 40, 0.25), r2 = st.rankForParams(20, 30, 0.25);
  assert.deepEqual(out.namedParameters().map(([name, t]) => `${name} ${t.shape}`), [
    `0.0.weight ${r0},40`, `0.1.weight 30,${r0}`, '0.1.bias 30',
    `2.0.0.weight ${r2},30`, `2.0.1.weight 20,${r2}`, '2.0.1.bias 20', '3.weight 3,20', '3.bias 3',
  ]);
  assert.equal(out.numParameters(), r0 * 70 + 30 + r2 * 50 + 20 + 63);
  out.dispose();
});

test('the factored layers train: one backward pass reaches both factors and the bias', () => {
  const layer = new st.Linear(12, 6, { rng: new st.Rng(8) });
  const model = st.lowRankModel(new st.Sequential(layer, new st.ReLU()), { rank: 3 });
  st.tidy(() => st.mseLoss(model.forward(st.normal([4, 12], 0, 1, { seed: 9 })), st.zeros([4, 6])).backward());
  const grads = model.namedParameters().map(([name, p]) => [name, p.grad !== null && p.grad.toTypedArray().some((g) => g !== 0)]);
  assert.deepEqual(grads, [['0.0.weight', true], ['0.1.weight', true], ['0.1.bias', true]]);
  model.dispose();
});

test('randomizedSvd: the leading triplets of a decaying spectrum match svd(), seeded and deterministic', () => {
  const sigma = Array.from({ length: 40 }, (_, i) => 0.7 ** i);
  const a = st.tensor(withSingularValues(60, 40, sigma, 11), [60, 40]);
  const exact = svd(a);
  const r1 = st.randomizedSvd(a, { rank: 5 }), r2 = st.randomizedSvd(a, { rank: 5 });
  assert.deepEqual([r1.u.shape, r1.s.shape, r1.vt.shape], [[60, 5], [5], [5, 40]]);
  assert.deepEqual(r1.u.toTypedArray(), r2.u.toTypedArray());
  const s = r1.s.toTypedArray(), se = exact.s.toTypedArray();
  s.forEach((v, i) => assert.ok(Math.abs(v - se[i]!) <= 1e-5 * se[0]!, `σ${i}: ${v} vs ${se[i]}`));
  const u = r1.u.toTypedArray(), ue = exact.u.toTypedArray();
  for (let i = 0; i < 60; i++) for (let t = 0; t < 5; t++) assert.ok(Math.abs(u[i * 5 + t]! - ue[i * 40 + t]!) < 1e-4, `u[${i},${t}]`);
  const vt = r1.vt.toTypedArray();
  for (let p = 0; p < 5; p++) for (let q = 0; q < 5; q++) {
    let du = 0, dv = 0;
    for (let i = 0; i < 60; i++) du += u[i * 5 + p]! * u[i * 5 + q]!;
    for (let j = 0; j < 40; j++) dv += vt[p * 40 + j]! * vt[q * 40 + j]!;
    assert.ok(Math.abs(du - +(p === q)) < 1e-6 && Math.abs(dv - +(p === q)) < 1e-6, `UᵀU, VᵀV at [${p},${q}]: ${du}, ${dv}`);
  }
  assert.throws(() => st.randomizedSvd(a, { rank: 41 }), { code: 'INVALID_ARGUMENT' });
  // lowRank through it: the same layers as the exact path, to f32 GEMM rounding.
  const layer = new st.Linear(40, 60, { rng: new st.Rng(12) });
  st.assign(layer.weight, a);
  const viaR = st.lowRank(layer, { rank: 5, randomized: { powerIterations: 3 } }), viaJ = st.lowRank(layer, { rank: 5 });
  const wr = (viaR.layers[1] as st.Linear).weight.toTypedArray(), wj = (viaJ.layers[1] as st.Linear).weight.toTypedArray();
  assert.ok(maxRelDiff(wr, wj) < 1e-4, `B factors differ by ${maxRelDiff(wr, wj)}`);
  assert.throws(() => st.lowRank(layer, { energy: 0.9, randomized: true }), { code: 'INVALID_ARGUMENT' });
  for (const t of [a, exact.u, exact.s, exact.vt, r1.u, r1.s, r1.vt, r2.u, r2.s, r2.vt]) t.dispose();
  for (const m of [layer, viaR, viaJ]) m.dispose();
});
