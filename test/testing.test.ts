// slimtensor/testing: the arbitraries keep their constraints and reach the adversarial values; the
// property helpers pass a PTQ model and real quantizers, and reject broken ones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import './setup.js';
import * as st from '../src/index.js';
import { arbF32, arbShape, arbTensor, arbTensorData, assertModelAgreement, assertQuantizerError, compareModels } from '../src/testing/index.js';

test('arbTensorData: shapes, dtypes and ranges as asked; NaN and ±Inf only on request; ±0 and denormals drawn', () => {
  fc.assert(fc.property(arbTensorData({ maxRank: 3, maxDim: 6, min: -2, max: 3 }), ({ shape, dtype, data }) => {
    assert.equal(dtype, 'f32');
    assert.ok(shape.length <= 3 && shape.every((d) => d >= 0 && d <= 6));
    assert.equal(data.length, shape.reduce((a, b) => a * b, 1));
    for (const v of data) assert.ok(v >= -2 && v <= 3, `${v}`);
  }), { numRuns: 200, seed: 1 });
  fc.assert(fc.property(arbTensorData({ dtype: 'i8', shape: [3, 5] }), ({ shape, data }) => {
    assert.deepEqual(shape, [3, 5]);
    assert.ok(data instanceof Int8Array && data.length === 15);
  }), { seed: 2 });
  const drawn = fc.sample(arbF32({ min: -1, max: 1 }), { numRuns: 2000, seed: 3 });
  assert.ok(drawn.some((v) => Object.is(v, -0)) && drawn.some((v) => v !== 0 && Math.abs(v) < 2 ** -126), 'draws -0 and denormals');
  assert.ok(drawn.every((v) => v >= -1 && v <= 1));
  const wild = fc.sample(arbF32({ nan: true, infinity: true }), { numRuns: 2000, seed: 4 });
  assert.ok(wild.some(Number.isNaN) && wild.includes(Infinity) && wild.includes(-Infinity) && wild.includes(-3.4028234663852886e38));
  assert.ok(fc.sample(arbF32(), { numRuns: 2000, seed: 5 }).every(Number.isFinite));
  assert.ok(fc.sample(arbShape({ dims: [0, 1, 7, 8, 9], maxSize: 100 }), { numRuns: 300, seed: 6 }).every((s) => s.every((d) => [0, 1, 7, 8, 9].includes(d)) && s.reduce((a, b) => a * b, 1) <= 100));
  const t = fc.sample(arbTensor({ dtype: 'u8', shape: [4], min: 10, max: 20 }), { numRuns: 1, seed: 7 })[0]!;
  assert.ok(t instanceof st.Tensor && t.dtype === 'u8' && [...t.toTypedArray()].every((v) => v >= 10 && v <= 20));
  t.dispose();
});

/** An MLP trained on a synthetic 10-class task, its static int8 PTQ conversion, and the logits' spread. */
function trainedAndQuantized() {
  const rng = new st.Rng(5);
  const model = new st.Sequential(new st.Linear(20, 64, { rng }), new st.ReLU(), new st.Linear(64, 32, { rng }), new st.ReLU(), new st.Linear(32, 10, { rng }));
  const x = st.keep(st.uniform([256, 20], -3, 3, { seed: 7 }));
  const y = st.keep(st.tidy(() => st.argmax(st.matmul(x, st.normal([10, 20], 0, 1, { seed: 6 }), false, true), 1)));
  const opt = new st.Adam(model.parameters(), { lr: 1e-2 });
  for (let i = 0; i < 40; i++) st.tidy(() => { opt.zeroGrad(); st.crossEntropy(model.forward(x), y).backward(); opt.step(); });
  opt.dispose();
  model.eval();
  const prepared = st.prepare(model);
  st.tidy(() => { prepared.forward(x); });
  const q = st.convert(prepared);
  const spread = st.tidy(() => { const o = model.forward(x); return st.max(o).item() - st.min(o).item(); });
  return { model, q, spread, dispose: () => { q.dispose(); prepared.dispose(); model.dispose(); x.dispose(); y.dispose(); } };
}

test('assertModelAgreement: a static int8 PTQ model stays within 15% of the logit spread of its f32 original and agrees on ≥ 97% of top-1 decisions', () => {
  const { model, q, spread, dispose } = trainedAndQuantized();
  const inputs = arbTensorData({ shape: [16, 20], min: -3, max: 3 });
  compareModels(model, q, fc.sample(inputs, { numRuns: 1, seed: 9 })); // the quantized model's own buffers, once
  const before = st.memoryStats().tensors;
  const report = assertModelAgreement(model, q, { inputs, maxAbsError: 0.15 * spread, minTop1Agreement: 0.97, numRuns: 40 });
  assert.equal(st.memoryStats().tensors, before, 'the helpers free what they create');
  assert.equal(report.samples, 40);
  assert.equal(report.rows, 640);
  assert.ok(report.maxAbsError > 0, 'int8 is not exact');
  // The same helper rejects a tighter bound, a model that disagrees, and a model that differs by a constant.
  assert.throws(() => assertModelAgreement(model, q, { inputs, maxAbsError: 1e-3, numRuns: 10 }), /max abs error/);
  const shuffled = (x: st.Tensor) => st.tidy(() => st.concat([st.slice(model.forward(x), 1, 1, 10), st.slice(model.forward(x), 1, 0, 1)], 1));
  assert.throws(() => assertModelAgreement(model, shuffled, { inputs, minTop1Agreement: 0.5, numRuns: 10 }), /top-1 agreement/);
  const offset = compareModels(model, (x) => st.add(model.forward(x), 0.25), fc.sample(inputs, { numRuns: 3, seed: 1 }));
  assert.ok(Math.abs(offset.maxAbsError - 0.25) < 1e-5 && offset.top1Agreement === 1, JSON.stringify(offset));
  console.log(`PTQ vs f32: ${JSON.stringify(report)}, logit spread ${spread}`);
  dispose();
});

test('assertQuantizerError: fakeQuantize and the affine codecs keep |x̂ − x| ≤ scale/2 inside the range; a floor quantizer fails', () => {
  for (const spec of [{ scale: 0.05, zeroPoint: 3, qmin: -128, qmax: 127 }, { scale: 0.37, zeroPoint: 0, qmin: -8, qmax: 7 }, { scale: 1 / 255, zeroPoint: 0, qmin: 0, qmax: 255 }]) {
    assertQuantizerError((x) => st.tidy(() => st.fakeQuantize(st.tensor(x), { ...spec, scale: Float32Array.of(spec.scale) }).toTypedArray()), spec);
  }
  const params = { dtype: 'int8' as const, scale: Float32Array.of(0.02), zeroPoint: Int32Array.of(-5) };
  assertQuantizerError((x) => st.dequantizeAffine(st.quantizeAffine(x, [x.length], params), [x.length], params), { scale: 0.02, zeroPoint: -5, qmin: -128, qmax: 127 });
  const floor = (x: Float32Array) => x.map((v) => Math.min(127, Math.max(-128, Math.floor(v / 0.1))) * 0.1);
  assert.throws(() => assertQuantizerError(floor, { scale: 0.1, qmin: -128, qmax: 127 }), /scale\/2/);
  const unclamped = (x: Float32Array) => x.map((v) => Math.round(v / 0.1) * 0.1);
  assert.throws(() => assertQuantizerError(unclamped, { scale: 0.1, qmin: -128, qmax: 127 }), /outside/);
});
