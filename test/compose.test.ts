// Techniques compose: distill a teacher into a student, prune the student, quantize it to int8, then
// save, reload and run the result.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import './setup.js';
import * as st from '../src/index.js';

test('distill → prune 80% → int8 PTQ → save → reload → run, with the pruned zeros kept as int8 zeros', async () => {
  const before = st.memoryStats().tensors;
  const rng = new st.Rng(5);
  const teacher = new st.Sequential(new st.Linear(16, 64, { rng }), new st.ReLU(), new st.Linear(64, 4, { rng }));
  const n = 512;
  const x = st.normal([n, 16], 0, 1, { seed: 1 });
  const y = st.noGrad(() => st.tidy(() => st.argmax(teacher.forward(x), 1)));
  const data = { x: { data: x.toTypedArray() as Float32Array, shape: [n, 16] }, y: { data: y.toTypedArray() as Int32Array, shape: [n] } };
  const student = new st.Sequential(new st.Linear(16, 24, { rng }), new st.ReLU(), new st.Linear(24, 4, { rng }));
  await st.distill({ teacher, student, data, epochs: 8, batchSize: 64, temperature: 2, alpha: 0.7, lr: 1e-2 });

  const pruner = new st.Pruner(student).magnitude(0.8, { scope: 'global' });
  const opt = new st.Adam(student.parameters(), { lr: 5e-3 });
  pruner.attach(opt);
  for (let i = 0; i < 20; i++) st.tidy(() => { opt.zeroGrad(); st.crossEntropy(student.forward(x), y).backward(); opt.step(); });
  opt.dispose();
  student.eval();
  const agreeOf = (m: st.Module) => st.tidy(() => {
    const a = st.argmax(st.noGrad(() => m.forward(x)), 1).toTypedArray();
    const b = y.toTypedArray();
    return a.reduce((s, v, i) => s + (v === b[i] ? 1 : 0), 0) / n;
  });
  const prunedAgreement = agreeOf(student);
  assert.ok(prunedAgreement > 0.7, `the pruned student agrees with the teacher on ${prunedAgreement}`);

  const prepared = st.prepare(student);
  st.tidy(() => { prepared.forward(x); });
  const q = st.convert(prepared);
  const file = st.saveQuantized(q);
  const back = st.loadQuantized(file);
  st.tidy(() => assert.deepEqual(Array.from(back.forward(x).toTypedArray()), Array.from(q.forward(x).toTypedArray())));
  assert.ok(Math.abs(agreeOf(back) - prunedAgreement) < 0.05, `int8 ${agreeOf(back)} vs pruned f32 ${prunedAgreement}`);
  // Symmetric int8 maps 0 to 0: the pruned weights stay zero in the file.
  const w0 = st.parseSafetensors(file).entries.get('0.weight')!;
  const zeros = Array.from(new Int8Array(w0.bytes.buffer, w0.bytes.byteOffset, w0.bytes.byteLength)).filter((v) => v === 0).length;
  assert.ok(zeros >= 0.8 * 16 * 24 * 0.5, `${zeros} zeros of ${16 * 24} in layer 0`);
  [q, back, pruner, teacher, student, x, y].forEach((t) => t.dispose());
  assert.equal(st.memoryStats().tensors, before);
});
