// Binary networks: the b1 kernels against their references in src/binary/b1-ref.ts (exact, at the
// 64-bit word boundaries), the straight-through estimators, BinaryLinear / binarize / clipping,
// the inference form and its safetensors round trip.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import './setup.js';
import { bytesOf, runKernel } from './kernel-io.js';
import { kernels } from '../src/backend/binding.js';
import * as ref from '../src/binary/b1-ref.js';
import * as st from '../src/index.js';



// Word boundaries, and the b1_gemm_xnor chunk boundaries (8 words: 512 bits).
const K_BOUNDARIES = [1, 2, 15, 16, 17, 31, 63, 64, 65, 127, 128, 129, 191, 192, 193, 255, 256, 257, 331, 448, 511, 512, 513, 577, 784, 1024, 1025];
const kArb = fc.oneof(fc.constantFrom(...K_BOUNDARIES), fc.integer({ min: 1, max: 300 }));
const dimArb = fc.constantFrom(0, 1, 2, 3, 4, 5, 7, 9);
/** Floats with the adversarial values: ±0, ±1, tiny, large, NaN. */
const valArb = fc.oneof(fc.float({ min: -4, max: 4, noNaN: true }), fc.constantFrom(0, -0, 1, -1, 1e-30, -1e-30, 3e38, -3e38, NaN));
const f32s = (n: number) => fc.array(valArb, { minLength: n, maxLength: n }).map((a) => Float32Array.from(a));
const problem = fc.tuple(dimArb, dimArb, kArb).chain(([m, n, k]) => fc.tuple(fc.constant([m, n, k] as const), f32s(m * k), f32s(n * k), f32s(n), f32s(n)));
const b1Len = (rows: number, k: number) => rows * Math.ceil(k / 64) * 8;

test('f32_b1_pack equals the reference: sign bits (0, −0, NaN → +1), zero padding to 64 bits, and β = mean|x| in the kernel order', () => {
  fc.assert(fc.property(dimArb, kArb, fc.integer(), (m, k, seed) => {
    const x = st.tidy(() => st.normal([m, k], 0, 1.5, { seed: seed >>> 0 }).toTypedArray() as Float32Array);
    if (x.length) { x[0] = -0; x[x.length - 1] = 0; }
    const want = new Uint8Array(b1Len(m, k));
    const beta = new Float32Array(m);
    ref.f32B1PackRef(m, k, x, want, beta);
    const [bits, gotBeta] = runKernel([x], [want.length, 4 * m], ([px, pb, pbeta]) => kernels().f32_b1_pack(m, k, px!, pb!, pbeta!));
    assert.deepEqual(bits, want);
    assert.deepEqual(gotBeta, bytesOf(beta));
    for (let i = 0; i < m; i++) for (let p = k; p < Math.ceil(k / 64) * 64; p++) assert.equal(ref.b1Sign(bits!, Math.ceil(k / 64), i, p), -1, 'padding bits are 0');
  }), { numRuns: 80 });
});

test('b1_gemm_xnor equals Σ ±1·±1 exactly, and the f32 epilogues (GEMM, GEMV) and f32_b1w_gemm equal their references bit for bit', () => {
  fc.assert(fc.property(problem, fc.boolean(), ([[m, n, k], x, w, alpha, bias], withBias) => {
    const a = new Uint8Array(b1Len(m, k)), wb = new Uint8Array(b1Len(n, k)), beta = new Float32Array(m);
    ref.f32B1PackRef(m, k, x, a, beta);
    ref.f32B1PackRef(n, k, w, wb, null);
    const dots = new Int32Array(m * n);
    ref.b1GemmXnorRef(m, n, k, a, wb, dots);
    const [got] = runKernel([a, wb], [4 * m * n], ([pa, pw, po]) => kernels().b1_gemm_xnor(m, n, k, pa!, pw!, po!));
    assert.deepEqual(got, bytesOf(dots));
    for (let i = 0; i < m * n; i++) assert.ok(Math.abs(dots[i]!) <= k && (dots[i]! - k) % 2 === 0);
    const b = withBias ? bias : null;
    const lo = withBias ? -Infinity : 0;
    const y = new Float32Array(m * n);
    ref.b1GemmXnorF32Ref(m, n, k, a, wb, alpha, beta, b, y, lo, Infinity);
    const [gy] = runKernel([a, wb, alpha, beta, bias], [4 * m * n], ([pa, pw, pal, pbe, pbi, py]) => kernels().b1_gemm_xnor_f32(m, n, k, pa!, pw!, pal!, pbe!, withBias ? pbi! : 0, py!, lo, Infinity));
    assert.deepEqual(gy, bytesOf(y));
    if (m >= 1) {
      const y1 = new Float32Array(n);
      ref.b1GemvXnorF32Ref(n, k, a, wb, alpha, b, y1, beta[0]!, lo, Infinity);
      const [gv] = runKernel([a, wb, alpha, bias], [4 * n], ([pa, pw, pal, pbi, py]) => kernels().b1_gemv_xnor_f32(n, k, pa!, pw!, pal!, withBias ? pbi! : 0, py!, beta[0]!, lo, Infinity));
      assert.deepEqual(gv, bytesOf(y1));
    }
    const xs = x.map((v) => (Number.isFinite(v) && Math.abs(v) < 1e30 ? v : 0.5));
    const yb = new Float32Array(m * n);
    ref.f32B1wGemmRef(m, n, k, xs, wb, alpha, b, yb, lo, Infinity);
    const [gb] = runKernel([xs, wb, alpha, bias], [4 * m * n], ([px, pw, pal, pbi, py]) => kernels().f32_b1w_gemm(m, n, k, px!, pw!, pal!, withBias ? pbi! : 0, py!, lo, Infinity));
    assert.deepEqual(gb, bytesOf(yb));
  }), { numRuns: 120 });
});

test('b1_gemm_xnor across its column blocks (32 KiB of w rows each) and chunk tails equals the reference', () => {
  // k = 4097: 65 words, NB = 56 columns, chunks 8×8 + 1; k = 2048: NB = 128, chunks 4×8; k = 3000: NB = 80, chunks 5×8 + 7.
  for (const [m, n, k] of [[3, 57, 4097], [2, 130, 2048], [3, 85, 3000], [1, 200, 64]] as const) {
    const x = st.tidy(() => st.normal([m, k], 0, 1, { seed: k }).toTypedArray() as Float32Array);
    const w = st.tidy(() => st.normal([n, k], 0, 1, { seed: k + 1 }).toTypedArray() as Float32Array);
    const a = new Uint8Array(b1Len(m, k)), wb = new Uint8Array(b1Len(n, k));
    ref.f32B1PackRef(m, k, x, a, new Float32Array(m));
    ref.f32B1PackRef(n, k, w, wb, null);
    const dots = new Int32Array(m * n);
    ref.b1GemmXnorRef(m, n, k, a, wb, dots);
    const [got] = runKernel([a, wb], [4 * m * n], ([pa, pw, po]) => kernels().b1_gemm_xnor(m, n, k, pa!, pw!, po!));
    assert.deepEqual(got, bytesOf(dots), `${m}x${n}x${k}`);
    assert.ok(dots.some((d) => d !== dots[0]), 'the dots vary');
  }
});

test('f32_b1w_gemv/gemm on the table path (n ≥ 48) equal the reference bit for bit, at the group (8) and block (128) edges of k', () => {
  const finite = fc.oneof(fc.float({ min: -4, max: 4, noNaN: true }), fc.constantFrom(0, -0, 1, -1, 1e-30, -1e-30, 1e-40, 3e30, -3e30));
  const shape = fc.tuple(fc.constantFrom(1, 2, 5), fc.constantFrom(47, 48, 49, 64, 101), fc.oneof(fc.constantFrom(1, 7, 8, 9, 127, 128, 129, 135, 136, 137, 255, 256, 257, 300), fc.integer({ min: 1, max: 400 })));
  fc.assert(fc.property(shape.chain(([m, n, k]) => fc.tuple(fc.constant([m, n, k] as const), fc.array(finite, { minLength: m * k, maxLength: m * k }), fc.integer(), fc.boolean())), ([[m, n, k], xs, seed, withBias]) => {
    const x = Float32Array.from(xs);
    const wf = st.tidy(() => st.normal([n, k], 0, 1, { seed: seed >>> 0 }).toTypedArray() as Float32Array);
    const wb = new Uint8Array(b1Len(n, k));
    ref.f32B1PackRef(n, k, wf, wb, null);
    const alpha = Float32Array.from({ length: n }, (_, j) => 0.01 * (j + 1));
    const bias = Float32Array.from({ length: n }, (_, j) => j - 20);
    const b = withBias ? bias : null;
    const want = new Float32Array(m * n);
    ref.f32B1wGemmRef(m, n, k, x, wb, alpha, b, want, -Infinity, Infinity);
    const [got] = runKernel([x, wb, alpha, bias], [4 * m * n], ([px, pw, pal, pbi, py]) => kernels().f32_b1w_gemm(m, n, k, px!, pw!, pal!, withBias ? pbi! : 0, py!, -Infinity, Infinity));
    assert.deepEqual(got, bytesOf(want));
    const [gv] = runKernel([x, wb, alpha, bias], [4 * n], ([px, pw, pal, pbi, py]) => kernels().f32_b1w_gemv(n, k, px!, pw!, pal!, withBias ? pbi! : 0, py!, -Infinity, Infinity));
    assert.deepEqual(gv, bytesOf(want.subarray(0, n)));
    // The table order is a different rounding of the same sum: close to the plain ±x sum in f64.
    for (let j = 0; j < n; j++) {
      let s = 0, mag = 0;
      for (let p = 0; p < k; p++) { const v = ref.b1Sign(wb, Math.ceil(k / 64), j, p) * x[p]!; s += v; mag += Math.abs(v); }
      const exact = s * alpha[j]! + (b ? b[j]! : 0);
      assert.ok(Math.abs(want[j]! - exact) <= 1e-5 * (mag * alpha[j]! + Math.abs(exact)) + 1e-30, `row ${j}: ${want[j]} vs ${exact}`);
    }
  }), { numRuns: 60 });
});

test('b1 format: padded and compact byte counts, and compact ⇄ padded round trips', () => {
  assert.equal(st.BINARY_FORMATS.b1.bits, 1);
  assert.equal(st.b1Bytes(300, 784), 300 * 13 * 8);
  assert.equal(st.b1Bytes(300, 784, 'compact'), 29400);
  assert.equal(st.b1Bytes(10, 100, 'compact'), 125);
  assert.equal(kernels().b1_packed_bytes(300, 784), st.b1Bytes(300, 784));
  fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), kArb, fc.integer(), (n, k, seed) => {
    const x = st.tidy(() => st.normal([n, k], 0, 1, { seed: seed >>> 0 }).toTypedArray() as Float32Array);
    const padded = new Uint8Array(b1Len(n, k));
    ref.f32B1PackRef(n, k, x, padded, null);
    const compact = st.b1Compact(padded, n, k);
    assert.equal(compact.length, st.b1Bytes(n, k, 'compact'));
    assert.deepEqual(st.b1Padded(compact, n, k), padded);
  }), { numRuns: 40 });
});

test('signSte and binarizeWeight: sign(0) = +1, STE gradients 1{|x| ≤ 1}, and XNOR-Net’s α·1{|w| ≤ 1} + 1/n', () => {
  st.tidy(() => {
    const x = st.tensor([-2, -1, -0.5, -0, 0, 0.5, 1, 3]);
    x.requiresGrad = true;
    const y = st.signSte(x);
    assert.deepEqual(Array.from(y.toTypedArray()), [-1, -1, -1, 1, 1, 1, 1, 1]);
    st.sum(st.mul(y, st.tensor([1, 2, 3, 4, 5, 6, 7, 8]))).backward();
    assert.deepEqual(Array.from(x.grad!.toTypedArray()), [0, 2, 3, 4, 5, 6, 7, 0]);
    const w = st.tensor([[0.5, -1.5, 0.25, 0], [-0.2, 0.2, 2, -0.6]]);
    w.requiresGrad = true;
    const wb = st.binarizeWeight(w);
    const a0 = (0.5 + 1.5 + 0.25 + 0) / 4, a1 = (0.2 + 0.2 + 2 + 0.6) / 4;
    assert.deepEqual(Array.from(wb.toTypedArray()), [a0, -a0, a0, a0, -a1, a1, a1, -a1].map(Math.fround));
    st.sum(wb).backward();
    const g = (a: number, inside: boolean) => Math.fround(Math.fround(a) + 0.25) * (inside ? 1 : 0) || 0.25;
    assert.deepEqual(Array.from(w.grad!.toTypedArray()), [g(a0, true), 0.25, g(a0, true), g(a0, true), g(a1, true), g(a1, true), 0.25, g(a1, true)]);
    const w2 = st.tensor([[0.5, -2]]);
    w2.requiresGrad = true;
    st.sum(st.binarizeWeight(w2, 'none')).backward();
    assert.deepEqual(Array.from(w2.grad!.toTypedArray()), [1, 0]);
  });
});

function mlp(hidden: readonly [number, number] = [16, 12]): st.Sequential {
  return new st.Sequential(new st.Linear(20, hidden[0]), new st.ReLU(), new st.Linear(hidden[0], hidden[1]), new st.ReLU(), new st.Linear(hidden[1], 4));
}

test('binarize: layers, keepFirstLast, BatchNorm insertion, xnor drops the ReLUs before binary layers, original unchanged, nothing leaked', () => {
  st.seed(3);
  const tensors = st.memoryStats().tensors;
  const base = mlp();
  const before = (base.layers[0] as st.Linear).weight.toTypedArray();
  const bc = st.binarize(base, { batchNorm: true });
  assert.deepEqual(bc.layers.map((m) => m.constructor.name), ['BinaryLinear', 'BatchNorm1d', 'ReLU', 'BinaryLinear', 'BatchNorm1d', 'ReLU', 'BinaryLinear', 'BatchNorm1d']);
  assert.deepEqual((bc.layers[0] as st.BinaryLinear).weight.toTypedArray(), before.map((v) => Math.min(Math.max(v, -1), 1)));
  const keep = st.binarize(base, { keepFirstLast: true, mode: 'xnor', batchNorm: true });
  assert.deepEqual(keep.layers.map((m) => m.constructor.name), ['Linear', 'BatchNorm1d', 'BinaryLinear', 'BatchNorm1d', 'ReLU', 'Linear']);
  assert.equal((keep.layers[2] as st.BinaryLinear).mode, 'xnor');
  assert.deepEqual((base.layers[0] as st.Linear).weight.toTypedArray(), before);
  assert.throws(() => st.binarize(base, { mode: 'ternary' as never }), (e: st.SlimError) => e.code === 'INVALID_ARGUMENT');
  const xnor = st.binarize(base, { mode: 'xnor' });
  const inference = st.toInference(xnor.eval());
  for (const m of [bc, keep, base, xnor, inference]) m.dispose();
  assert.equal(st.memoryStats().tensors, tensors, 'binarize and toInference leave no tensor behind');
});

test('training a binarized model with clipLatentWeights keeps latent weights in [−1, 1] and lowers the loss', () => {
  st.seed(5);
  const model = st.binarize(mlp(), { batchNorm: true });
  const opt = new st.Adam(model.parameters(), { lr: 0.05 });
  opt.onStep(() => st.clipLatentWeights(model));
  const x = st.keep(st.normal([64, 20], 0, 1, { seed: 1 }));
  const y = st.keep(st.tensor(Int32Array.from({ length: 64 }, (_, i) => i % 4), [64]));
  const losses: number[] = [];
  for (let s = 0; s < 30; s++) st.tidy(() => {
    opt.zeroGrad();
    const loss = st.crossEntropy(model.forward(x), y);
    losses.push(loss.item());
    loss.backward();
    opt.step();
  });
  assert.ok(losses[losses.length - 1]! < losses[0]! * 0.8, `loss ${losses[0]} → ${losses[losses.length - 1]}`);
  for (const [, m] of model.namedModules()) if (m instanceof st.BinaryLinear) for (const v of m.weight.toTypedArray()) assert.ok(v >= -1 && v <= 1);
  opt.dispose(); model.dispose(); x.dispose(); y.dispose();
});

test('toInference (BN folded) matches the trained model in eval, saveBinary/loadBinary reloads identical outputs, both modes', () => {
  // The wide BinaryConnect MLP (64 and 50 outputs) puts two layers on the table-lookup GEMV (n ≥ 48).
  for (const [mode, hidden] of [['binaryconnect', [16, 12]], ['binaryconnect', [64, 50]], ['xnor', [16, 12]]] as const) {
    st.seed(7);
    const model = st.binarize(mlp(hidden), { mode, batchNorm: true, keepFirstLast: mode === 'xnor' });
    const opt = new st.Adam(model.parameters(), { lr: 0.02 });
    opt.onStep(() => st.clipLatentWeights(model));
    for (let s = 0; s < 5; s++) st.tidy(() => {
      opt.zeroGrad();
      st.sum(st.mul(model.forward(st.normal([32, 20], 0, 1, { seed: s })), 0.1)).backward();
      opt.step();
    });
    model.eval();
    const inf = st.toInference(model);
    assert.ok(inf.layers.some((m) => m instanceof st.BinaryInferenceLinear));
    // A ReLU after a binary layer is fused into its epilogue: the bits of the layer and a separate ReLU,
    // and a file of the unfused model loads fused.
    if (mode === 'binaryconnect') {
      assert.ok(inf.layers.some((m) => m instanceof st.BinaryInferenceLinear && m.relu));
      assert.ok(!inf.layers.some((m, j) => m instanceof st.ReLU && inf.layers[j - 1] instanceof st.BinaryInferenceLinear));
      const unfused = new st.Sequential(...inf.layers.flatMap((m) => {
        if (!(m instanceof st.BinaryInferenceLinear)) return [m];
        const plain = new st.BinaryInferenceLinear([m.outFeatures, m.inFeatures], m.bits.toTypedArray() as Uint8Array, m.alpha.toTypedArray() as Float32Array, (m.bias?.toTypedArray() as Float32Array | undefined) ?? null, m.mode);
        return m.relu ? [plain, new st.ReLU()] : [plain];
      }));
      st.tidy(() => {
        const x = st.normal([5, 20], 0, 1, { seed: 77 });
        assert.deepEqual(unfused.forward(x).toTypedArray(), inf.forward(x).toTypedArray());
        const file = st.saveBinary(unfused);
        assert.deepEqual(file, st.saveBinary(inf), 'the same file');
        const back = st.loadBinary(file);
        assert.ok(back.layers.some((m) => m instanceof st.BinaryInferenceLinear && m.relu));
        assert.deepEqual(back.forward(x).toTypedArray(), inf.forward(x).toTypedArray());
        back.dispose();
      });
      unfused.layers.forEach((m) => { if (!inf.layers.includes(m)) m.dispose(); });
    }
    st.tidy(() => {
      for (const batch of [1, 3, 17]) {
        const x = st.normal([batch, 20], 0, 1, { seed: 100 + batch });
        const want = st.noGrad(() => model.forward(x)).toTypedArray();
        const got = inf.forward(x).toTypedArray();
        const scale = Math.max(...Array.from(want, Math.abs), 1);
        for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i]! - want[i]!) <= 1e-3 * scale, `${mode} [${i}] ${got[i]} vs ${want[i]}`);
        const file = st.saveBinary(inf);
        const back = st.loadBinary(file);
        assert.deepEqual(back.forward(x).toTypedArray(), got);
        assert.deepEqual(st.saveBinary(back), file);
        back.dispose();
      }
    });
    const file = st.saveBinary(inf);
    const meta = st.parseSafetensors(file);
    const bits = [...meta.entries].filter(([name]) => name.endsWith('weight_bits'));
    assert.ok(bits.every(([, e]) => e.dtype === 'U8'));
    if (mode === 'binaryconnect') assert.deepEqual(bits.map(([, e]) => e.bytes.length), [st.b1Bytes(hidden[0], 20, 'compact'), st.b1Bytes(hidden[1], hidden[0], 'compact'), st.b1Bytes(4, hidden[1], 'compact')]);
    for (const meta of [{}, { 'slimtensor-binary': '{"layers":[null]}' }, { 'slimtensor-binary': 'not json' }, { 'slimtensor-binary': '{"layers":[{"type":"BinaryInferenceLinear","in":8,"out":2,"mode":"xnor","bias":false}]}' }] as Record<string, string>[]) {
      assert.throws(() => st.loadBinary(st.serializeSafetensors([], meta)), (e: st.SlimError) => e.code === 'INVALID_FORMAT');
    }
    opt.dispose(); inf.dispose(); model.dispose();
  }
});
