import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import './setup.js';
import * as st from '../src/index.js';

/** float64 reference: α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(s, y), mean over the batch. */
function refLoss(s: number[], t: number[], y: number[] | null, n: number, c: number, T: number, alpha: number): number {
  const logSoftmax = (v: number[]) => { const m = Math.max(...v); const z = Math.log(v.reduce((a, x) => a + Math.exp(x - m), 0)); return v.map((x) => x - m - z); };
  let total = 0;
  for (let i = 0; i < n; i++) {
    const si = s.slice(i * c, i * c + c);
    const ti = t.slice(i * c, i * c + c);
    const ls = logSoftmax(si.map((v) => v / T));
    const lt = logSoftmax(ti.map((v) => v / T));
    const kl = lt.reduce((a, l, j) => a + Math.exp(l) * (l - ls[j]!), 0) * T * T;
    if (y === null) { total += kl; continue; }
    const ce = -logSoftmax(si)[y[i]!]!;
    total += alpha * kl + (1 - alpha) * ce;
  }
  return total / n;
}

test('distillationLoss equals the float64 formula, and its gradient matches central finite differences', () => {
  fc.assert(
    fc.property(fc.constantFrom(1, 2, 5), fc.constantFrom(2, 3, 10), fc.constantFrom(1, 2, 4, 20), fc.constantFrom(0, 0.5, 0.9, 1), fc.boolean(), fc.integer({ min: 0, max: 999 }),
      (n, c, T, alpha, labeled, seed) => {
        st.tidy(() => {
          const s = st.normal([n, c], 0, 3, { seed });
          const t = st.normal([n, c], 0, 3, { seed: seed + 1 });
          const yv = Array.from({ length: n }, (_, i) => (i * 7 + seed) % c);
          const y = labeled ? st.tensor(Int32Array.from(yv)) : null;
          s.requiresGrad = true;
          const loss = st.distillationLoss(s, t, y, { temperature: T, alpha });
          const sv = Array.from(s.toTypedArray());
          const tv = Array.from(t.toTypedArray());
          const want = refLoss(sv, tv, labeled ? yv : null, n, c, T, alpha);
          assert.ok(Math.abs(loss.item() - want) <= 1e-4 * (1 + Math.abs(want)), `loss ${loss.item()} vs ${want}`);
          loss.backward();
          const g = s.grad!.toTypedArray();
          const h = 1e-4;
          for (let j = 0; j < sv.length; j++) {
            const up = sv.slice(); up[j]! += h;
            const dn = sv.slice(); dn[j]! -= h;
            const fd = (refLoss(up, tv, labeled ? yv : null, n, c, T, alpha) - refLoss(dn, tv, labeled ? yv : null, n, c, T, alpha)) / (2 * h);
            assert.ok(Math.abs(g[j]! - fd) <= 2e-3 * (1 + Math.abs(fd)), `∂/∂s[${j}]: ${g[j]} vs finite difference ${fd}`);
          }
        });
      }),
    { numRuns: 40 },
  );
});

test('distillationLoss is stable for huge logits, reduces per sample, and rejects bad options with typed errors', () => {
  st.tidy(() => {
    const s = st.tensor([[1e4, -1e4, 0], [3, 2, 1]]);
    const t = st.tensor([[-1e4, 1e4, 0], [3, 2, 1]]);
    const y = st.tensor(Int32Array.from([0, 1]));
    const per = st.distillationLoss(s, t, y, { reduction: 'none' }).toTypedArray();
    assert.equal(per.length, 2);
    assert.ok(per.every(Number.isFinite));
    assert.ok(Math.abs(st.distillationLoss(s, t, y, { reduction: 'sum' }).item() - (per[0]! + per[1]!)) < 1e-2);
    assert.ok(Math.abs(st.distillationLoss(s, s, null).item()) < 1e-6, 'KL(p ‖ p) = 0');
    assert.throws(() => st.distillationLoss(s, t, y, { temperature: 0 }), { code: 'INVALID_ARGUMENT', message: /temperature/ });
    assert.throws(() => st.distillationLoss(s, t, y, { alpha: 2 }), { code: 'INVALID_ARGUMENT', message: /alpha/ });
    assert.throws(() => st.distillationLoss(s, st.zeros([2, 4]), y), { code: 'SHAPE_MISMATCH', message: /teacherLogits/ });
  });
});

test('hintLoss: mse and cosine against their formulas; different widths ask for a projection', () => {
  st.tidy(() => {
    const a = st.tensor([[1, 2, 2], [0, 3, 4]]);
    const b = st.tensor([[2, 0, 1], [0, 3, 4]]);
    assert.ok(Math.abs(st.hintLoss(a, b).item() - (1 + 4 + 1) / 6) < 1e-6);
    const cos0 = (1 * 2 + 0 + 2 * 1) / (3 * Math.sqrt(5));
    assert.ok(Math.abs(st.hintLoss(a, b, { kind: 'cosine' }).item() - (1 - cos0) / 2) < 1e-6);
    assert.throws(() => st.hintLoss(a, st.zeros([2, 5])), { code: 'SHAPE_MISMATCH', message: /projection/ });
  });
});

/** A toy 4-class problem in 8 dims: the teacher is a fixed random MLP, its argmax the labels. */
function toy(n: number, seed: number) {
  const teacher = new st.Sequential(new st.Linear(8, 16, { rng: new st.Rng(seed) }), new st.ReLU(), new st.Linear(16, 4, { rng: new st.Rng(seed + 1) }));
  const x = st.normal([n, 8], 0, 1, { seed: seed + 2 });
  const y = st.noGrad(() => st.tidy(() => st.argmax(teacher.forward(x), 1)));
  const data = { x: { data: x.toTypedArray() as Float32Array, shape: [n, 8] }, y: { data: y.toTypedArray() as Int32Array, shape: [n] } };
  x.dispose();
  y.dispose();
  return { teacher, data };
}

test('distill: the student learns the teacher; cached and live teacher logits train to the same bits; a transfer set and a quantized teacher work', async () => {
  const { teacher, data } = toy(256, 1);
  const train = async (cacheTeacher: boolean, extra: Partial<st.DistillOptions> = {}) => {
    const student = new st.Sequential(new st.Linear(8, 12, { rng: new st.Rng(9) }), new st.ReLU(), new st.Linear(12, 4, { rng: new st.Rng(10) }));
    const r = await st.distill({ teacher, student, data, epochs: 6, batchSize: 32, temperature: 2, alpha: 0.7, lr: 1e-2, cacheTeacher, ...extra });
    const w = Array.from(student.parameters()[0]!.toTypedArray());
    student.dispose();
    return { r, w };
  };
  const cached = await train(true);
  const live = await train(false);
  assert.deepEqual(cached.w, live.w);
  assert.ok(cached.r.losses.at(-1)! < cached.r.losses[0]! * 0.9, `losses ${cached.r.losses}`);
  const unlabeled = { data: st.normal([128, 8], 0, 1, { seed: 42 }).toTypedArray() as Float32Array, shape: [128, 8] };
  const withTransfer = await train(true, { unlabeled, steps: 40 });
  assert.equal(withTransfer.r.steps, 40);
  // Any model can teach, a quantized one included.
  const prepared = st.prepare(teacher);
  st.tidy(() => { prepared.forward(st.normal([64, 8], 0, 1, { seed: 3 })); });
  const q = st.convert(prepared);
  const fromInt8 = await train(true, { teacher: q });
  assert.ok(fromInt8.r.losses.at(-1)! < fromInt8.r.losses[0]!);
  q.dispose();
  teacher.dispose();
});

test('distill with feature hints on named layers adds a learnable projection when widths differ', async () => {
  const { teacher, data } = toy(128, 5);
  const student = new st.Sequential(new st.Linear(8, 6, { rng: new st.Rng(2) }), new st.ReLU(), new st.Linear(6, 4, { rng: new st.Rng(3) }));
  const before = st.memoryStats().tensors;
  const r = await st.distill({ teacher, student, data, epochs: 3, batchSize: 32, features: [{ student: '1', teacher: '1', kind: 'cosine', weight: 0.5 }] });
  assert.deepEqual(Object.keys(r.projections), ['1->1']);
  assert.deepEqual(r.projections['1->1']!.weight.shape, [16, 6]);
  for (const p of Object.values(r.projections)) p.dispose();
  assert.equal(st.memoryStats().tensors, before, 'the loop leaves no tensors behind');
  assert.throws(() => st.forwardWithFeatures(student, st.zeros([1, 8]), ['9']), { code: 'INVALID_ARGUMENT', message: /layer names/ });
  await assert.rejects(st.distill({ teacher, student, data, cacheTeacher: true, features: [{ student: '1', teacher: '1' }] }), { code: 'INVALID_ARGUMENT' });
  student.dispose();
  teacher.dispose();
});

test('self-distillation: the deep head teaches an early exit on the same body', () => {
  const { teacher, data } = toy(256, 7);
  const body = new st.Sequential(new st.Linear(8, 16, { rng: new st.Rng(1) }), new st.ReLU(), new st.Linear(16, 16, { rng: new st.Rng(2) }), new st.ReLU(), new st.Linear(16, 4, { rng: new st.Rng(3) }));
  const model = new st.EarlyExit(body, '1', new st.Linear(16, 4, { rng: new st.Rng(4) }));
  const opt = new st.Adam(model.parameters(), { lr: 1e-2 });
  const x = st.tensor(data.x.data, [256, 8]);
  const y = st.tensor(data.y.data);
  const losses: number[] = [];
  for (let i = 0; i < 60; i++) {
    st.tidy(() => {
      opt.zeroGrad();
      const { early, final } = model.forwardBoth(x);
      const loss = st.selfDistillationLoss(early, final, y, { temperature: 3, alpha: 0.5 });
      loss.backward();
      opt.step();
      losses.push(loss.item());
    });
  }
  assert.ok(losses.at(-1)! < losses[0]! * 0.6, `${losses[0]} → ${losses.at(-1)}`);
  st.tidy(() => {
    assert.deepEqual(Array.from(model.forward(x).toTypedArray()), Array.from(model.forwardBoth(x).final.toTypedArray()));
    const exit = model.exitModel();
    assert.deepEqual(Array.from(exit.forward(x).toTypedArray()), Array.from(model.forwardBoth(x).early.toTypedArray()));
  });
  opt.dispose();
  x.dispose();
  y.dispose();
  model.dispose();
  teacher.dispose();
});
