import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import './setup.js';
import * as st from '../src/index.js';
import { roundHalfEven } from '../src/quant/qparams.js';

const mlp = (seed: number, sizes = [12, 10, 8, 3]) => {
  st.seed(seed);
  const layers: st.Module[] = [];
  for (let i = 1; i < sizes.length; i++) layers.push(new st.Linear(sizes[i - 1]!, sizes[i]!), ...(i < sizes.length - 1 ? [new st.ReLU()] : []));
  return new st.Sequential(...layers);
};
const values = (m: st.Module, name: string) => new Map(m.namedParameters()).get(name)!.toTypedArray() as Float32Array;
const maskOf = (p: st.Pruner, name: string) => p.masks.get(name)!.values();

/** A toy 3-class problem: the label is the argmax of three fixed projections of x. */
function toyData(n: number, seed: number, features = 12): { x: st.Tensor; y: st.Tensor } {
  const x = st.normal([n, features], 0, 1, { seed });
  const proj = st.normal([features, 3], 0, 1, { seed: 999 });
  const y = st.tidy(() => st.argmax(st.matmul(x, proj), 1));
  proj.dispose();
  return { x, y };
}

function step(model: st.Module, opt: st.Optimizer, x: st.Tensor, y: st.Tensor): void {
  st.tidy(() => {
    opt.zeroGrad();
    st.crossEntropy(model.forward(x), y).backward();
    opt.step();
  });
}

const accuracy = (model: st.Module, x: st.Tensor, y: st.Tensor) =>
  st.tidy(() => st.noGrad(() => st.mean(st.cast(st.equal(st.cast(st.argmax(model.forward(x), 1), 'f32'), st.cast(y, 'f32')), 'f32')).item()));

test('pruned counts follow torch: round-half-to-even(amount·n) of what remains, the smallest |w| first (ties: lower index)', () => {
  assert.equal(st.countToPrune('t', 0.5, 5), 2);
  assert.equal(st.countToPrune('t', 0.5, 7), 4);
  assert.equal(st.countToPrune('t', 0.25, 10), 2);
  assert.equal(st.countToPrune('t', 0.3, 10), 3);
  assert.equal(st.countToPrune('t', { count: 4 }, 10), 4);
  assert.throws(() => st.countToPrune('t', 1.5, 10), /fraction in \[0, 1\]/);
  fc.assert(
    fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 0, max: 2 ** 30 }), fc.boolean(), (amount, seed, global) => {
      const m = mlp(seed);
      const p = new st.Pruner(m);
      const names = p.targets;
      const before = names.map((n) => values(m, n));
      p.magnitude(amount, { scope: global ? 'global' : 'layer' });
      const groups = global ? [names.map((_, i) => i)] : names.map((_, i) => [i]);
      for (const g of groups) {
        // Reference: sort (|w|, flat index over the concatenation) and prune the first round(amount·n).
        const flat = g.flatMap((i) => Array.from(before[i]!, (v) => Math.abs(v)));
        const masks = g.flatMap((i) => Array.from(maskOf(p, names[i]!)));
        const order = flat.map((_, i) => i).sort((a, b) => flat[a]! - flat[b]! || a - b);
        const k = st.roundHalfEven(amount * flat.length); // Python 3's round()
        assert.equal(masks.filter((v) => v === 0).length, k);
        order.forEach((idx, rank) => assert.equal(masks[idx], rank < k ? 0 : 1));
      }
      for (const n of names) values(m, n).forEach((v, i) => maskOf(p, n)[i] === 0 && assert.ok(Object.is(v, 0)));
      p.dispose();
      m.dispose();
    }),
    { numRuns: 25 },
  );
  // Iterative: the amount applies to what remains (torch's PruningContainer): 20 then round(0.2·80) = 16.
  const m = new st.Sequential(new st.Linear(10, 10));
  const p = new st.Pruner(m).magnitude(0.2).magnitude(0.2);
  assert.equal(p.stats().pruned, 36);
  p.magnitude(0.5, { target: true });
  assert.equal(p.stats().pruned, 50, 'target: reach 50% of the whole tensor');
  p.dispose();
  m.dispose();
});

test('masked weights stay exactly zero through Adam (L2 decay), AdamW and SGD (momentum, Nesterov, decay)', () => {
  const { x, y } = toyData(64, 1);
  const before = st.memoryStats().tensors;
  for (const make of [
    (ps: st.Tensor[]) => new st.Adam(ps, { lr: 1e-2, weightDecay: 0.1 }),
    (ps: st.Tensor[]) => new st.AdamW(ps, { lr: 1e-2, weightDecay: 0.5 }),
    (ps: st.Tensor[]) => new st.SGD(ps, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 0.1 }),
  ]) {
    const m = mlp(3);
    const opt = make(m.parameters());
    for (let i = 0; i < 5; i++) step(m, opt, x, y); // momentum and moments are non-zero before pruning
    const p = new st.Pruner(m).magnitude(0.6, { scope: 'global' });
    const detach = p.attach(opt);
    for (let i = 0; i < 60; i++) {
      step(m, opt, x, y);
      for (const n of p.targets) {
        const w = values(m, n);
        const mask = maskOf(p, n);
        assert.ok(mask.every((v, j) => v === 1 || Object.is(w[j], 0)), `${opt.constructor.name} step ${i}: ${n} pruned entries are +0`);
        assert.ok(mask.some((v, j) => v === 1 && w[j] !== 0));
      }
    }
    // The gradients of pruned entries are zeroed before the update.
    st.tidy(() => { opt.zeroGrad(); st.crossEntropy(m.forward(x), y).backward(); });
    p.maskGradients();
    const g = new Map(m.namedParameters()).get('0.weight')!.grad!.toTypedArray();
    maskOf(p, '0.weight').forEach((v, j) => v === 0 && assert.equal(g[j], 0));
    detach();
    step(m, opt, x, y);
    assert.ok(values(m, '0.weight').some((v, j) => maskOf(p, '0.weight')[j] === 0 && v !== 0), 'detached: pruned weights train again');
    opt.dispose();
    p.dispose();
    m.dispose();
  }
  assert.equal(st.memoryStats().tensors, before, 'no tensor leaks');
  x.dispose();
  y.dispose();
});

test('removeMasks bakes the zeros into the weights and drops the masks', () => {
  const { x, y } = toyData(32, 2);
  const m = mlp(4);
  const p = new st.Pruner(m).magnitude(0.7);
  const w = values(m, '2.weight');
  const mask = maskOf(p, '2.weight');
  p.removeMasks();
  assert.equal(p.masks.size, 0);
  assert.deepEqual(values(m, '2.weight'), w);
  assert.ok(mask.every((v, j) => v === 1 || w[j] === 0));
  const opt = new st.SGD(m.parameters(), { lr: 0.1 });
  p.attach(opt); // nothing left to mask
  step(m, opt, x, y);
  assert.ok(values(m, '2.weight').some((v, j) => mask[j] === 0 && v !== 0));
  opt.dispose();
  m.dispose();
  x.dispose();
  y.dispose();
});

test('masks round-trip through safetensors (torch keys <param>_mask, U8) and JSON', () => {
  const m = mlp(5);
  const p = new st.Pruner(m).magnitude(0.5, { scope: 'global' }).structured(0.25, { params: ['0.weight'], norm: 2 });
  const bytes = p.save();
  const parsed = st.parseSafetensors(bytes);
  assert.deepEqual([...parsed.entries.keys()].sort(), ['0.bias_mask', '0.weight_mask', '2.weight_mask', '4.weight_mask']);
  assert.ok([...parsed.entries.values()].every((e) => e.dtype === 'U8'));
  assert.deepEqual(JSON.parse(parsed.metadata.pruning!), p.toJSON());
  const m2 = mlp(6);
  const q = st.Pruner.load(m2, bytes);
  for (const n of p.masks.keys()) {
    assert.deepEqual(maskOf(q, n), maskOf(p, n));
    values(m2, n).forEach((v, j) => maskOf(q, n)[j] === 0 && assert.equal(v, 0));
  }
  assert.deepEqual(q.stats(), p.stats());
  for (const o of [p, q, m, m2]) o.dispose();
});

test('N:M keeps exactly the n largest |w| in each group of m consecutive inputs (2:4, 4:8, short tails)', () => {
  fc.assert(
    fc.property(fc.constantFrom([2, 4], [4, 8], [1, 4]), fc.constantFrom(1, 3, 7), fc.constantFrom(4, 8, 12, 16, 20, 36), fc.integer({ min: 0, max: 1e6 }), ([n, mm], rows, k, seed) => {
      st.seed(seed);
      const model = new st.Sequential(new st.Linear(k, rows));
      const w = values(model, '0.weight');
      const p = new st.Pruner(model).nm(n, mm);
      const mask = maskOf(p, '0.weight');
      for (let r = 0; r < rows; r++) for (let g = 0; g < k; g += mm) {
        const idx = Array.from({ length: Math.min(mm, k - g) }, (_, i) => r * k + g + i);
        const kept = idx.filter((i) => mask[i] === 1);
        assert.equal(kept.length, Math.min(n, idx.length));
        const minKept = Math.min(...kept.map((i) => Math.abs(w[i]!)));
        idx.filter((i) => mask[i] === 0).forEach((i) => assert.ok(Math.abs(w[i]!) <= minKept));
      }
      p.dispose();
      model.dispose();
    }),
    { numRuns: 40 },
  );
  // Conv2d: groups run along the flattened C·KH·KW reduction axis of each filter.
  const c = new st.Sequential(new st.Conv2d(2, 3, 2));
  const p = new st.Pruner(c).nm(2, 4);
  assert.equal(p.stats().pruned, 12);
  p.dispose();
  c.dispose();
});

test('block pruning removes whole 1×b blocks along the inputs by L1/L2 norm, counts blocks as torch counts entries, per layer or global', () => {
  fc.assert(
    fc.property(fc.constantFrom(1, 3, 5), fc.constantFrom(4, 7, 8, 13, 16), fc.constantFrom(2, 4), fc.constantFrom(0, 0.3, 0.5, 0.9), fc.constantFrom(1, 2) as fc.Arbitrary<1 | 2>, fc.integer({ min: 0, max: 1e6 }), (rows, k, size, amount, norm, seed) => {
      st.seed(seed);
      const model = new st.Sequential(new st.Linear(k, rows));
      const w = values(model, '0.weight');
      const p = new st.Pruner(model).block(amount, { blockSize: size, norm });
      const mask = maskOf(p, '0.weight');
      const per = Math.ceil(k / size);
      const blocks = Array.from({ length: rows * per }, (_, b) => {
        const r = Math.floor(b / per), c0 = (b % per) * size;
        const idx = Array.from({ length: Math.min(size, k - c0) }, (_, t) => r * k + c0 + t);
        const nrm = norm === 1 ? idx.reduce((s, i) => s + Math.abs(w[i]!), 0) : Math.sqrt(idx.reduce((s, i) => s + w[i]! ** 2, 0));
        return { idx, nrm, kept: mask[idx[0]!] === 1 };
      });
      for (const b of blocks) assert.ok(b.idx.every((i) => mask[i] === (b.kept ? 1 : 0)), 'a block is kept or pruned whole');
      const dead = blocks.filter((b) => !b.kept);
      assert.equal(dead.length, roundHalfEven(amount * blocks.length));
      const maxDead = Math.max(-Infinity, ...dead.map((b) => b.nrm));
      for (const b of blocks.filter((q) => q.kept)) assert.ok(b.nrm >= maxDead - 1e-6);
      p.dispose();
      model.dispose();
    }),
    { numRuns: 60 },
  );
  // Counts: round-half-to-even of amount · blocks, of what remains; global pools blocks of every layer.
  st.seed(1);
  const m = new st.Sequential(new st.Linear(16, 8), new st.ReLU(), new st.Linear(8, 4));
  const p = new st.Pruner(m).block(0.5);
  assert.equal(p.stats().layers['0.weight']!.pruned, 4 * 16);
  assert.equal(p.stats().layers['2.weight']!.pruned, 4 * 4);
  p.block(0.5);
  assert.equal(p.stats().layers['0.weight']!.pruned, 4 * 24);
  p.dispose();
  const g = new st.Pruner(m).block(0.75, { scope: 'global' });
  assert.equal(g.stats().pruned, 4 * Math.round(0.75 * 40));
  assert.throws(() => g.block(0.5, { blockSize: 0 }), { code: 'INVALID_ARGUMENT', message: /blockSize/ });
  g.dispose();
  m.dispose();
});

test('structured removal: a smaller dense model with the masked model outputs (Linear, BatchNorm1d, Conv2d → Flatten → Linear)', () => {
  const x1 = st.normal([16, 12], 0, 1, { seed: 7 });
  st.seed(8);
  const a = new st.Sequential(new st.Linear(12, 20), new st.BatchNorm1d(20), new st.ReLU(), new st.Linear(20, 16), new st.GELU(), new st.Linear(16, 5));
  const x2 = st.normal([4, 2, 8, 8], 0, 1, { seed: 9 });
  st.seed(10);
  const b = new st.Sequential(
    new st.Conv2d(2, 8, 3, { padding: 1 }), new st.BatchNorm2d(8), new st.ReLU(), new st.MaxPool2d(2),
    new st.Conv2d(8, 6, 3, { padding: 1 }), new st.ReLU(), new st.AvgPool2d(2),
    new st.Flatten(), new st.Linear(6 * 2 * 2, 10), new st.Tanh(), new st.Linear(10, 4),
  );
  for (const [model, x, norm] of [[a, x1, 1], [b, x2, 2]] as const) {
    st.tidy(() => { model.train(); model.forward(x); model.forward(x); }); // non-trivial BatchNorm running statistics
    model.eval();
    const p = new st.Pruner(model);
    p.structured(0.5, { norm, params: p.targets.slice(0, -1) });
    const small = st.removePrunedChannels(model);
    assert.ok(small.numParameters() < model.numParameters() * 0.65, `${small.numParameters()} vs ${model.numParameters()}`);
    const shapes = small.namedParameters().filter(([n]) => n.endsWith('weight')).map(([, t]) => t.shape.slice(0, 2));
    assert.deepEqual(shapes, model === a ? [[10, 12], [10], [8, 10], [5, 8]] : [[4, 2], [4], [3, 4], [5, 12], [4, 5]]);
    const [want, got] = st.tidy(() => st.noGrad(() => [model.forward(x).toTypedArray(), small.forward(x).toTypedArray()]));
    assert.equal(got.length, want.length);
    want.forEach((v, i) => assert.ok(Math.abs(v - got[i]!) <= 1e-5 * (1 + Math.abs(v)), `output ${i}: ${got[i]} vs ${v}`));
    small.dispose();
    p.dispose();
  }
  a.dispose();
  b.dispose();
  x1.dispose();
  x2.dispose();
});

test('Zhu & Gupta: s_t = s_f + (s_i − s_f)(1 − (t − t0)/(nΔt))³, applied at t0, t0 + Δt, …; per-layer scale', () => {
  const s = { initialSparsity: 0.1, finalSparsity: 0.9, beginStep: 10, endStep: 50, frequency: 10 };
  assert.equal(st.polynomialSparsity(0, s), 0.1);
  assert.equal(st.polynomialSparsity(10, s), 0.1);
  assert.equal(st.polynomialSparsity(30, s), 0.9 + (0.1 - 0.9) * 0.5 ** 3);
  assert.equal(st.polynomialSparsity(20, s), 0.9 + (0.1 - 0.9) * 0.75 ** 3);
  assert.equal(st.polynomialSparsity(50, s), 0.9);
  assert.equal(st.polynomialSparsity(500, s), 0.9);
  const { x, y } = toyData(32, 11);
  const m = mlp(12);
  const pruner = new st.Pruner(m);
  const gradual = new st.GradualPruning(pruner, { ...s, scale: { '4.weight': 0.5 } });
  const opt = new st.Adam(m.parameters(), { lr: 1e-2 });
  gradual.attach(opt);
  const sizes = Object.fromEntries(m.namedParameters().map(([n, t]) => [n, t.size]));
  for (let t = 1; t <= 60; t++) {
    step(m, opt, x, y);
    const last = t < 10 ? null : Math.min(50, 10 + Math.floor((t - 10) / 10) * 10);
    const st_ = last === null ? 0 : st.polynomialSparsity(last, s);
    const stats = pruner.stats().layers;
    for (const n of ['0.weight', '2.weight']) assert.equal(stats[n]!.pruned, last === null ? 0 : st.countToPrune('t', st_, sizes[n]!), `step ${t} ${n}`);
    assert.equal(stats['4.weight']!.pruned, last === null ? 0 : st.countToPrune('t', st_ * 0.5, sizes['4.weight']!));
  }
  opt.dispose();
  pruner.dispose();
  m.dispose();
  x.dispose();
  y.dispose();
});

async function lottery(resume?: Uint8Array, stopAfter?: number, rewind: 'init' | { iteration: number } = { iteration: 3 }) {
  const data = toyData(128, 20);
  const test_ = toyData(256, 21);
  const m = mlp(13, [12, 32, 16, 3]);
  let saved: Uint8Array | undefined;
  const seen: number[] = [];
  const t = await st.lotteryTicket({
    model: m, rounds: 3, ratePerRound: 0.5, layerRates: { '4.weight': 0.25 }, rewind,
    ...(resume ? { resume } : {}),
    train: ({ model, round, attach }) => {
      const opt = new st.Adam(model.parameters(), { lr: 2e-2 });
      attach(opt);
      st.seed(100 + round);
      for (let i = 0; i < 40; i++) step(model, opt, data.x, data.y);
      opt.dispose();
    },
    evaluate: (model) => accuracy(model, test_.x, test_.y),
    onRound: ({ round, save }) => {
      seen.push(round.round);
      if (round.round === stopAfter) {
        saved = save();
        throw new Error('interrupted');
      }
    },
  }).catch((e: Error) => { if (e.message !== 'interrupted') throw e; return null; });
  for (const d of [data, test_]) { d.x.dispose(); d.y.dispose(); }
  return { t, m, saved, seen };
}

test('lottery ticket: masks shrink per round (output layer at its own rate), survivors rewind to the snapshot', async () => {
  const { t, m } = await lottery(undefined, undefined, 'init');
  const init = mlp(13, [12, 32, 16, 3]);
  assert.deepEqual(t!.report.map((r) => r.round), [0, 1, 2, 3]);
  const s = t!.pruner.stats().layers;
  assert.equal(s['0.weight']!.pruned, 384 - 48); // 384 → 192 → 96 → 48
  assert.equal(s['4.weight']!.pruned, 48 - 20); // 48 → 36 → 27 → 20
  for (const [n, w] of Object.entries(t!.weights)) {
    const mask = t!.pruner.masks.get(n)?.values();
    const w0 = values(init, n);
    w.toTypedArray().forEach((v, i) => assert.equal(v, mask && mask[i] === 0 ? 0 : w0[i]));
  }
  assert.ok(t!.report.every((r) => r.accuracy! > 0.5), JSON.stringify(t!.report));
  assert.ok(t!.report[3]!.remaining < 0.15);
  const control = await st.randomReinit({
    create: () => mlp(77, [12, 32, 16, 3]), masks: t!.pruner.entries(),
    train: ({ model, attach }) => { const d = toyData(128, 20); const opt = new st.Adam(model.parameters(), { lr: 2e-2 }); attach(opt); for (let i = 0; i < 40; i++) step(model, opt, d.x, d.y); opt.dispose(); d.x.dispose(); d.y.dispose(); },
    evaluate: (model) => { const d = toyData(256, 21); const a = accuracy(model, d.x, d.y); d.x.dispose(); d.y.dispose(); return a; },
  });
  assert.ok(control > 0 && control <= 1);
  Object.values(t!.weights).forEach((w) => w.dispose());
  t!.pruner.dispose();
  m.dispose();
  init.dispose();
});

test('a lottery run resumed from a saved round equals the uninterrupted run', async () => {
  const live = st.memoryStats().tensors;
  const full = await lottery();
  const cut = await lottery(undefined, 1);
  assert.equal(cut.t, null);
  assert.deepEqual(cut.seen, [0, 1]);
  cut.m.dispose();
  const resumed = await lottery(cut.saved);
  assert.deepEqual(resumed.seen, [2, 3]);
  assert.deepEqual(resumed.t!.report, full.t!.report);
  for (const [n, w] of Object.entries(full.t!.weights)) assert.deepEqual(resumed.t!.weights[n]!.toTypedArray(), w.toTypedArray());
  for (const n of full.t!.pruner.masks.keys()) assert.deepEqual(maskOf(resumed.t!.pruner, n), maskOf(full.t!.pruner, n));
  for (const r of [full, resumed]) {
    Object.values(r.t!.weights).forEach((w) => w.dispose());
    r.t!.pruner.dispose();
    r.m.dispose();
  }
  assert.equal(st.memoryStats().tensors, live, 'an interrupted run frees its snapshot and masks');
});

test('random pruning is seeded; structured counts channels as torch ln_structured', () => {
  const m = mlp(14);
  const a = new st.Pruner(m).random(0.5, { seed: 3 });
  const b = new st.Pruner(m).random(0.5, { seed: 3 });
  const c = new st.Pruner(m).random(0.5, { seed: 4 });
  assert.deepEqual(maskOf(a, '0.weight'), maskOf(b, '0.weight'));
  assert.notDeepEqual(maskOf(a, '0.weight'), maskOf(c, '0.weight'));
  assert.equal(a.stats().layers['0.weight']!.pruned, 60);
  const n = mlp(15);
  const p = new st.Pruner(n).structured(0.3, { params: ['0.weight'] }); // round(0.3·10) = 3 rows of 12
  const rows = Array.from({ length: 10 }, (_, r) => maskOf(p, '0.weight').subarray(r * 12, r * 12 + 12));
  assert.equal(rows.filter((r) => r.every((v) => v === 0)).length, 3);
  assert.ok(rows.every((r) => r.every((v) => v === r[0])));
  assert.equal(maskOf(p, '0.bias').filter((v) => v === 0).length, 3);
  p.structured(0.5, { params: ['0.weight'] }); // of the 7 remaining: round(3.5) = 4
  assert.equal(maskOf(p, '0.bias').filter((v) => v === 0).length, 7);
  for (const o of [a, b, c, p, m, n]) o.dispose();
});

test('iterative pruning: each round prunes a fraction of what remains, then fine-tunes with the masks attached', async () => {
  const { x, y } = toyData(64, 30);
  const m = mlp(31);
  const pruner = new st.Pruner(m);
  const seen: number[] = [];
  const out = await st.iterativePruning({
    pruner, rounds: 3, rate: 0.5, scope: 'global',
    fineTune: (round, p) => {
      seen.push(round);
      const opt = new st.Adam(m.parameters(), { lr: 1e-2 });
      const detach = p.attach(opt);
      for (let i = 0; i < 10; i++) step(m, opt, x, y);
      detach();
      opt.dispose();
    },
  });
  const n = pruner.stats().size;
  let left = n;
  const want = [1, 2, 3].map(() => (left -= st.roundHalfEven(0.5 * left), (n - left) / n));
  assert.deepEqual(seen, [1, 2, 3]);
  assert.deepEqual(out.map((r) => r.sparsity), want);
  pruner.dispose();
  m.dispose();
  x.dispose();
  y.dispose();
});
