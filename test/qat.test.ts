import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import './setup.js';
import * as st from '../src/index.js';

const f = Math.fround;
const adversarial = fc.oneof(
  fc.float({ noNaN: true, noDefaultInfinity: true, min: -50, max: 50 }),
  fc.constantFrom(0, -0, 1e-40, -1e-40, 3e38, -3e38, Infinity, -Infinity, 0.05, 0.15, -0.25, 12.75),
);

type Gran = 'tensor' | 'channel' | 'group';
/** dequant(quant(x)) by the reference codec, and the STE mask: round(x/s) + zp inside [qmin, qmax]. */
function reference(x: Float32Array, rows: number, gran: Gran, group: number, scale: Float32Array, zp: number, qmin: number, qmax: number) {
  const cols = x.length / rows;
  const groups = gran === 'group' ? Math.ceil(cols / group) : 1;
  const y = new Float32Array(x.length);
  const mask = new Uint8Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const r = Math.floor(i / cols);
    const s = gran === 'tensor' ? scale[0]! : scale[r * groups + (gran === 'group' ? Math.floor((i % cols) / group) : 0)]!;
    const v = st.roundHalfEven(f(x[i]! / s)) + zp;
    mask[i] = v >= qmin && v <= qmax ? 1 : 0;
    y[i] = f((Math.min(Math.max(v, qmin), qmax) - zp) * s);
  }
  return { y, mask };
}

test('fakeQuantize equals the reference codec per tensor, per channel and per group, and its gradient is the straight-through mask', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(1, 2, 5), fc.constantFrom(1, 3, 4, 5, 33, 64), fc.constantFrom<Gran>('tensor', 'channel', 'group'),
      fc.constantFrom(4, 32), fc.constantFrom([-128, 127, 0], [-128, 127, -17], [-8, 7, 0]), fc.integer({ min: 0, max: 99 }), fc.array(adversarial, { minLength: 0, maxLength: 8 }),
      (rows, cols, gran, group, [qmin, qmax, zp], seed, specials) => {
        st.tidy(() => {
          const base = st.normal([rows, cols], 0, 2, { seed }).toTypedArray() as Float32Array;
          specials.forEach((v, i) => { if (i < base.length) base[(i * 7) % base.length] = v; });
          const groups = gran === 'tensor' ? 1 : gran === 'channel' ? rows : rows * Math.ceil(cols / group);
          const scale = Float32Array.from({ length: groups }, (_, i) => f(0.01 + 0.1 * ((i * 37 + seed) % 11)));
          const x = st.tensor(base, [rows, cols]);
          x.requiresGrad = true;
          const y = st.fakeQuantize(x, { scale, zeroPoint: zp!, qmin: qmin!, qmax: qmax!, granularity: gran, groupSize: group });
          const want = reference(base, rows, gran, group, scale, zp!, qmin!, qmax!);
          assert.deepEqual(Array.from(y.toTypedArray()), Array.from(want.y));
          st.sum(y).backward();
          assert.deepEqual(Array.from(x.grad!.toTypedArray()), Array.from(want.mask));
        });
      },
    ),
    { numRuns: 120 },
  );
});

test('LSQ: a scale tensor that requires grad gets Σ gy·((x̂ − x)/s inside, x̂/s outside)·g with g = 1/√(N·qmax)', () => {
  st.tidy(() => {
    const xs = Float32Array.from([-3, -0.26, -0.05, 0, 0.07, 0.4, 1.3, 9]);
    const x = st.tensor(xs);
    const s = st.tensor([0.1]);
    s.requiresGrad = true;
    const y = st.fakeQuantize(x, { scale: s, zeroPoint: 0, qmin: -8, qmax: 7 });
    const yv = y.toTypedArray() as Float32Array;
    const gy = Float32Array.from(xs, (_, i) => 0.5 + i);
    st.sum(st.mul(y, st.tensor(gy))).backward();
    let want = 0;
    xs.forEach((v, i) => {
      const inside = Math.round(v / 0.1) >= -8 && Math.round(v / 0.1) <= 7;
      want += gy[i]! * (inside ? (yv[i]! - v) / f(0.1) : yv[i]! / f(0.1));
    });
    want /= Math.sqrt(xs.length * 7);
    assert.ok(Math.abs(s.grad!.item() - want) < 1e-5 * Math.max(1, Math.abs(want)), `${s.grad!.item()} vs ${want}`);
  });
});

test('FakeQuantize: observing updates the qparams, switching it off freezes them, switching fake-quant off is the identity', () => {
  st.tidy(() => {
    const fq = new st.FakeQuantize(new st.MinMaxObserver({ dtype: 'int8' }));
    fq.forward(st.tensor([-1, 2]));
    const q1 = fq.qparams();
    fq.observerEnabled = false;
    fq.forward(st.tensor([-10, 20]));
    assert.deepEqual(fq.qparams(), q1);
    fq.fakeQuantEnabled = false;
    const x = st.tensor([0.123, 5]);
    assert.equal(fq.forward(x), x);
  });
});

test('QAT: BatchNorm folds into the weights, training lowers the loss, and convertQat gives an integer model that tracks the QAT model', () => {
  const rng = new st.Rng(11);
  const model = new st.Sequential(new st.Linear(12, 16, { rng }), new st.BatchNorm1d(16), new st.ReLU(), new st.Linear(16, 4, { rng }));
  const x = st.keep(st.normal([64, 12], 0, 1, { seed: 1 }));
  const y = st.keep(st.tensor(Int32Array.from({ length: 64 }, (_, i) => (i * 7) % 4)));
  st.noGrad(() => st.tidy(() => { model.forward(x); })); // BatchNorm statistics
  model.eval();
  const qat = st.prepareQat(model);
  // With fake quantization off, the folded model computes the eval-mode f32 model.
  qat.fakeQuantEnabled = false;
  st.tidy(() => {
    const a = st.noGrad(() => qat.forward(x)).toTypedArray() as Float32Array;
    const b = st.noGrad(() => model.forward(x)).toTypedArray() as Float32Array;
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 1e-5, `${v} vs ${b[i]}`));
  });
  qat.dispose();
  const qat2 = st.prepareQat(model);
  const opt = new st.Adam(qat2.parameters(), { lr: 1e-2 });
  const losses: number[] = [];
  for (let s = 0; s < 30; s++) {
    st.tidy(() => {
      opt.zeroGrad();
      const loss = st.crossEntropy(qat2.forward(x), y);
      loss.backward();
      opt.step();
      losses.push(loss.item());
    });
  }
  assert.ok(losses.at(-1)! < losses[0]! - 0.1, `loss ${losses[0]} → ${losses.at(-1)}`);
  const qm = st.convertQat(qat2);
  assert.deepEqual(qm.ops.map((o) => o.kind), ['quantize', 'qlinear', 'qlinear']); // the output stays f32 (the default)
  st.tidy(() => {
    const a = qm.forward(x).toTypedArray() as Float32Array;
    const b = st.noGrad(() => qat2.forward(x)).toTypedArray() as Float32Array;
    const spread = Math.max(...b) - Math.min(...b);
    a.forEach((v, i) => assert.ok(Math.abs(v - b[i]!) < 0.05 * spread, `output ${i}: ${v} vs QAT ${b[i]}`));
    const re = st.loadQuantized(st.saveQuantized(qm));
    assert.deepEqual(Array.from(re.forward(x).toTypedArray()), Array.from(a));
    re.dispose();
  });
  qm.dispose();
  qat2.dispose();
  model.dispose();
  x.dispose();
  y.dispose();
});

test('QAT leaves the last layer\'s output unquantized by default, as convert does; quantizeOutput: true adds the int8 output grid', () => {
  const rng = new st.Rng(5);
  const model = new st.Sequential(new st.Linear(12, 16, { rng }), new st.ReLU(), new st.Linear(16, 4, { rng }));
  const qat = st.prepareQat(model);
  assert.deepEqual(qat.units.map((u) => u.outFq !== null), [true, false]);
  const withOut = st.prepareQat(model, { quantizeOutput: true });
  assert.deepEqual(withOut.units.map((u) => u.outFq !== null), [true, true]);
  st.tidy(() => {
    const x = st.normal([32, 12], 0, 1, { seed: 4 });
    const want = st.noGrad(() => qat.forward(x)).toTypedArray() as Float32Array;
    const qm = st.convertQat(qat);
    assert.deepEqual(qm.ops.map((o) => o.kind), ['quantize', 'qlinear', 'qlinear']);
    assert.equal(qm.ops.at(-1)!.outDomain, 'f32');
    // No output grid on either side: only integer vs f32 arithmetic in the hidden layer separates them.
    const got = qm.forward(x).toTypedArray() as Float32Array;
    const spread = Math.max(...want) - Math.min(...want);
    got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 1e-3 * spread, `output ${i}: ${v} vs QAT ${want[i]}`));
    qm.dispose();
    st.noGrad(() => withOut.forward(x));
    const qm2 = st.convertQat(withOut);
    assert.deepEqual(qm2.ops.map((o) => o.kind), ['quantize', 'qlinear', 'qlinear', 'dequantize']);
    qm2.dispose();
  });
  withOut.dispose();
  qat.dispose();
  model.dispose();
});

test('QAT int4 (weight-only, group-wise) converts to int4 layers whose outputs track the QAT forward', () => {
  const rng = new st.Rng(3);
  const model = new st.Sequential(new st.Linear(64, 8, { rng }), new st.ReLU(), new st.Linear(8, 3, { rng }));
  const qat = st.prepareQat(model, { default: { dtype: 'int4', groupSize: 32 } });
  st.tidy(() => {
    const x = st.normal([5, 64], 0, 1, { seed: 2 });
    const want = st.noGrad(() => qat.forward(x)).toTypedArray() as Float32Array;
    const qm = st.convertQat(qat);
    assert.deepEqual(qm.ops.map((o) => o.kind), ['int4', 'int4']);
    const got = qm.forward(x).toTypedArray() as Float32Array;
    // The int4 kernel quantizes x to int8 per group (d = max|x_g|/127): an error ≤ Σ|ŵ|·d/2 that QAT does not simulate.
    const spread = Math.max(...want.map(Math.abs));
    got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) < 0.02 * spread, `${v} vs ${want[i]}`));
    qm.dispose();
  });
  model.dispose();
});

test('LSQ: learnScale makes each activation scale a parameter the optimizer sees from the start, and training moves it', () => {
  const rng = new st.Rng(8);
  const model = new st.Sequential(new st.Linear(6, 8, { rng }), new st.ReLU(), new st.Linear(8, 3, { rng }));
  const qat = st.prepareQat(model, {}, { learnScale: true });
  const scales = qat.namedParameters().filter(([n]) => n.endsWith('.scale'));
  assert.ok(scales.length >= 2, `learned scales: ${scales.map(([n]) => n)}`);
  const opt = new st.Adam(qat.parameters(), { lr: 1e-2 });
  const x = st.keep(st.normal([32, 6], 0, 1, { seed: 1 }));
  const y = st.keep(st.tensor(Int32Array.from({ length: 32 }, (_, i) => i % 3)));
  st.tidy(() => { qat.forward(x); });
  const initial = scales.map(([, t]) => t.item());
  for (let s = 0; s < 20; s++) st.tidy(() => { opt.zeroGrad(); st.crossEntropy(qat.forward(x), y).backward(); opt.step(); });
  const after = scales.map(([, t]) => t.item());
  assert.ok(after.some((v, i) => v !== initial[i]), `scales ${initial} → ${after}`);
  const qm = st.convertQat(qat);
  const fq = qat.namedModules().find(([, m]) => m instanceof st.FakeQuantize && (m as st.FakeQuantize).learnScale)![1] as st.FakeQuantize;
  assert.equal(fq.qparams().scale[0], Math.fround(Math.max(scales[0]![1].item(), 2 ** -23)));
  qm.dispose();
  opt.dispose();
  qat.dispose();
  model.dispose();
  x.dispose();
  y.dispose();
});
