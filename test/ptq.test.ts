import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import './setup.js';
import * as st from '../src/index.js';
import { quantizeMultiplier, requantizeRef } from '../src/quant/requant.js';

const f = Math.fround;
const rhe = st.roundHalfEven;
const clampI = (v: number, lo: number, hi: number) => Math.min(Math.max(v, lo), hi);
const range = (t: st.Tensor) => { const v = t.toTypedArray() as Float32Array; return [Math.min(...v), Math.max(...v)] as const; };
const qp = (lo: number, hi: number) => { const q = st.qparamsFromMinMax(lo, hi, { dtype: 'int8' }); return { s: q.scale[0]!, z: q.zeroPoint[0]! }; };
const quant = (v: number, s: number, z: number) => clampI(rhe(f(v / s)) + z, -128, 127);

/**
 * The static int8 pipeline written out from the reference codecs: torch's qparams from the observed
 * f32 ranges, int8 per-channel weights, int32 bias, exact int32 dots, gemmlowp requantization, a
 * 256-entry table for GELU, and the final dequantization; or, with quantizeOutput false, the last
 * layer's int32 sums dequantized to f32 with the f32 bias: f32(acc)·f32(s_x·s_w[j]) + b[j].
 */
function reference(model: st.Sequential, calib: st.Tensor, x: st.Tensor, quantizeOutput = true): Float32Array {
  const [l0, , l2, , l4] = model.layers as [st.Linear, st.Module, st.Linear, st.Module, st.Linear];
  // Observed ranges: input, after 0+ReLU, after 2, after GELU, after 4.
  const acts = st.noGrad(() => st.tidy(() => {
    const a1 = st.relu(l0.forward(calib));
    const a2 = l2.forward(a1);
    const a3 = st.gelu(a2);
    return [calib, a1, a2, a3, l4.forward(a3)].map(range);
  }));
  const q = acts.map(([lo, hi]) => qp(lo, hi));
  let h = Array.from(x.toTypedArray() as Float32Array, (v) => quant(v, q[0]!.s, q[0]!.z));
  const m = x.shape[0]!;
  const layer = (lin: st.Linear, qi: { s: number; z: number }, qoOrig: { s: number; z: number }, relu: boolean) => {
    let qo = qoOrig;
    const [n, k] = lin.weight.shape as [number, number];
    const w = lin.weight.toTypedArray() as Float32Array;
    const b = lin.bias!.toTypedArray() as Float32Array;
    const { min, max } = st.minMaxAlong(w, [n, k], { axis: 0 });
    const wq = st.qparamsFromMinMax(min, max, { dtype: 'int8', symmetric: true });
    const qw = st.quantizeAffine(w, [n, k], { ...wq, axis: 0 });
    // A dead layer (an all-zero range, scale = eps) gets an output scale wide enough for multipliers < 1.
    const need = qi.s * Math.max(...wq.scale);
    if (need >= qo.s * (1 - 2 ** -20)) {
      const g = (need / qo.s) * (1 + 2 ** -10);
      qo = qp((-128 - qo.z) * qo.s * g, (127 - qo.z) * qo.s * g);
      q[q.indexOf(qoOrig)] = qo;
    }
    const out: number[] = [];
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = clampI(rhe(b[j]! / (qi.s * wq.scale[j]!)), -(2 ** 31), 2 ** 31 - 1);
        for (let p = 0; p < k; p++) acc += (h[i * k + p]! - qi.z) * qw[j * k + p]!;
        const { multiplier, shift } = quantizeMultiplier((qi.s * wq.scale[j]!) / qo.s);
        out.push(requantizeRef(acc | 0, multiplier | 0, shift, qo.z, relu ? Math.max(-128, qo.z) : -128, 127));
      }
    }
    h = out;
  };
  layer(l0, q[0]!, q[1]!, true);
  layer(l2, q[1]!, q[2]!, false);
  const table = st.tidy(() => {
    const deq = st.tensor(Float32Array.from({ length: 256 }, (_, i) => f((i - 128 - q[2]!.z) * q[2]!.s)));
    return Array.from(st.gelu(deq).toTypedArray() as Float32Array, (v) => quant(v, q[3]!.s, q[3]!.z));
  });
  h = h.map((v) => table[v + 128]!);
  if (!quantizeOutput) {
    const [n, k] = l4.weight.shape as [number, number];
    const w = l4.weight.toTypedArray() as Float32Array;
    const b = l4.bias!.toTypedArray() as Float32Array;
    const { min, max } = st.minMaxAlong(w, [n, k], { axis: 0 });
    const wq = st.qparamsFromMinMax(min, max, { dtype: 'int8', symmetric: true });
    const qw = st.quantizeAffine(w, [n, k], { ...wq, axis: 0 });
    return Float32Array.from({ length: m * n }, (_, i) => {
      const j = i % n;
      let acc = 0;
      for (let p = 0; p < k; p++) acc += (h[Math.floor(i / n) * k + p]! - q[3]!.z) * qw[j * k + p]!;
      return f(f(f(acc) * f(q[3]!.s * wq.scale[j]!)) + b[j]!);
    });
  }
  layer(l4, q[3]!, q[4]!, false);
  return Float32Array.from(h, (v) => f((v - q[4]!.z) * q[4]!.s));
}

const mlp = (k: number, h1: number, h2: number, n: number, seed: number) => {
  const rng = new st.Rng(seed);
  return new st.Sequential(new st.Linear(k, h1, { rng }), new st.ReLU(), new st.Linear(h1, h2, { rng }), new st.GELU(), new st.Linear(h2, n, { rng }));
};

test('PTQ static int8: the converted MLP equals the integer pipeline built from the reference codecs, bit for bit (int8 or f32 output)', () => {
  fc.assert(
    fc.property(fc.constantFrom(1, 7, 8, 9, 33), fc.constantFrom(1, 8, 13), fc.constantFrom(1, 2, 3, 9, 17), fc.integer({ min: 0, max: 1000 }), fc.boolean(), (k, h, m, seed, quantizeOutput) => {
      const model = mlp(k, h, h + 3, 5, seed);
      st.tidy(() => {
        const calib = st.normal([24, k], 0.2, 1.5, { seed });
        const prepared = st.prepare(model, { quantizeOutput });
        prepared.forward(calib);
        const qm = st.convert(prepared);
        try {
          assert.deepEqual(qm.ops.map((o) => o.kind).at(-1), quantizeOutput ? 'dequantize' : 'qlinear');
          const x = st.normal([m, k], 0, 1.2, { seed: seed + 1 });
          assert.deepEqual(Array.from(qm.forward(x).toTypedArray()), Array.from(reference(model, calib, x, quantizeOutput)));
        } finally {
          qm.dispose();
        }
      });
      model.dispose();
    }),
    { numRuns: 25 },
  );
});

test('the converted model runs batch 1 (GEMV) and batch m (GEMM) to the same bits, and stays close to f32', () => {
  const model = mlp(64, 48, 32, 10, 1);
  st.tidy(() => {
    const x = st.normal([17, 64], 0, 1, { seed: 2 });
    const prepared = st.prepare(model);
    prepared.forward(x);
    const qm = st.convert(prepared);
    const all = qm.forward(x).toTypedArray() as Float32Array;
    for (const i of [0, 5, 16]) {
      assert.deepEqual(Array.from(qm.forward(st.slice(x, 0, i, i + 1)).toTypedArray()), Array.from(all.subarray(i * 10, i * 10 + 10)));
    }
    const ref = st.noGrad(() => model.forward(x)).toTypedArray() as Float32Array;
    const [lo, hi] = [Math.min(...ref), Math.max(...ref)];
    const err = Math.max(...all.map((v, i) => Math.abs(v - ref[i]!)));
    assert.ok(err < 0.05 * (hi - lo), `max error ${err} vs output range ${hi - lo}`);
    qm.dispose();
  });
  model.dispose();
});

test('Conv2d + BatchNorm2d + ReLU fold into one int8 conv; max pooling and Flatten run on int8', () => {
  const rng = new st.Rng(4);
  const cnn = new st.Sequential(new st.Conv2d(2, 6, 3, { padding: 1, rng }), new st.BatchNorm2d(6), new st.ReLU(), new st.MaxPool2d(2), new st.Conv2d(6, 4, 3, { stride: 2, rng }), new st.ReLU(), new st.Flatten(), new st.Linear(4, 3, { rng }));
  st.tidy(() => {
    const x = st.normal([6, 2, 9, 9], 0, 1, { seed: 3 });
    st.noGrad(() => cnn.forward(x)); // training mode: BatchNorm learns running statistics
    cnn.eval();
    const prepared = st.prepare(cnn);
    prepared.forward(x);
    const qm = st.convert(prepared);
    // The last Linear writes f32 from its int32 sums (quantizeOutput false, the default).
    assert.deepEqual(qm.ops.map((o) => o.kind), ['quantize', 'qconv2d', 'qmaxpool2d', 'qconv2d', 'qlinear']);
    const got = qm.forward(x).toTypedArray() as Float32Array;
    const ref = st.noGrad(() => cnn.forward(x)).toTypedArray() as Float32Array;
    const scale = Math.max(...ref.map(Math.abs));
    got.forEach((v, i) => assert.ok(Math.abs(v - ref[i]!) < 0.08 * scale, `output ${i}: ${v} vs f32 ${ref[i]}`));
    const reloaded = st.loadQuantized(st.saveQuantized(qm));
    assert.deepEqual(Array.from(reloaded.forward(x).toTypedArray()), Array.from(got));
    qm.dispose();
    reloaded.dispose();
  });
  cnn.dispose();
});

test('quantizeOutput false (the default): the last int8 layer (Linear or Conv2d, per channel or per tensor) writes f32, what follows runs in f32; same bits at batch 1, after a reload, and closer to f32', () => {
  const rng = new st.Rng(6);
  const nets: [string, st.Sequential, number[]][] = [
    ['mlp', new st.Sequential(new st.Linear(24, 16, { rng }), new st.ReLU(), new st.Linear(16, 7, { rng })), [24]],
    ['mlp-sigmoid', new st.Sequential(new st.Linear(24, 16, { rng }), new st.ReLU(), new st.Linear(16, 7, { rng }), new st.Sigmoid()), [24]],
    ['cnn', new st.Sequential(new st.Conv2d(2, 4, 3, { padding: 1, rng }), new st.ReLU(), new st.MaxPool2d(2), new st.Conv2d(4, 3, 3, { rng }), new st.ReLU(), new st.Flatten()), [2, 8, 8]],
  ];
  const kinds: Record<string, string[]> = {
    mlp: ['quantize', 'qlinear', 'qlinear'],
    'mlp-sigmoid': ['quantize', 'qlinear', 'qlinear', 'act'],
    cnn: ['quantize', 'qconv2d', 'qmaxpool2d', 'qconv2d'],
  };
  for (const [name, net, sample] of nets) {
    for (const granularity of ['per-channel', 'per-tensor'] as const) {
      st.tidy(() => {
        const x = st.normal([9, ...sample], 0, 1, { seed: 8 });
        const ref = st.noGrad(() => net.forward(x)).toTypedArray() as Float32Array;
        const err: Record<string, number> = {};
        for (const quantizeOutput of [true, false]) {
          const prepared = st.prepare(net, { default: { granularity }, quantizeOutput });
          prepared.forward(x);
          const qm = st.convert(prepared);
          const got = qm.forward(x).toTypedArray() as Float32Array;
          err[String(quantizeOutput)] = got.reduce((e, v, i) => e + (v - ref[i]!) ** 2, 0);
          if (!quantizeOutput) {
            assert.deepEqual(qm.ops.map((o) => o.kind), kinds[name], name);
            const last = [...qm.ops].reverse().find((o) => o.kind === 'qlinear' || o.kind === 'qconv2d')!;
            assert.equal(last.outDomain, 'f32');
            assert.match(String((qm.info.layers as Record<string, string>)[last.name]), /-f32-output$/);
            const per = got.length / 9;
            assert.deepEqual(Array.from(qm.forward(st.slice(x, 0, 4, 5)).toTypedArray()), Array.from(got.subarray(4 * per, 5 * per)), `${name} batch 1`);
            const bytes = st.saveQuantized(qm);
            const file = st.parseSafetensors(bytes);
            assert.equal(file.entries.get(`${last.name}.bias`)!.dtype, 'F32');
            assert.equal(file.entries.has(`${last.name}.output_scale`), false);
            const back = st.loadQuantized(bytes);
            assert.deepEqual(Array.from(back.forward(x).toTypedArray()), Array.from(got), `${name} reloaded`);
            assert.deepEqual(st.saveQuantized(back), bytes);
            assert.equal(back.byteLength, qm.byteLength);
            back.dispose();
          }
          qm.dispose();
        }
        // Summed over the batch: the f32 output drops the last requantization's rounding.
        assert.ok(err.false! <= err.true!, `${name} ${granularity}: squared error ${err.false} (f32 output) vs ${err.true} (int8 output)`);
      });
    }
    net.dispose();
  }
});

test('config by name beats config by type beats the default; int4, dynamic and f32 layers mix with int8 ones', () => {
  const model = mlp(40, 32, 16, 4, 5);
  st.tidy(() => {
    const x = st.normal([8, 40], 0, 1, { seed: 1 });
    const prepared = st.prepare(model, { default: { dtype: 'f32' }, byType: { Linear: { dtype: 'int8' } }, byName: { '0': { dtype: 'int4', groupSize: 32 }, '4': { dtype: 'int8', mode: 'dynamic' } } });
    prepared.forward(x);
    const qm = st.convert(prepared);
    assert.deepEqual(qm.ops.map((o) => `${o.name}:${o.kind}`), ['0:int4', '2.quantize_input:quantize', '2:qlinear', '3:lut', '4.dequantize_input:dequantize', '4:dynamic']);
    assert.deepEqual(qm.info.layers, { 0: 'int4-g32', 2: 'int8-static-per-channel', 4: 'int8-dynamic' });
    const y = qm.forward(x).toTypedArray();
    const re = st.loadQuantized(st.saveQuantized(qm));
    assert.deepEqual(Array.from(re.forward(x).toTypedArray()), Array.from(y));
    qm.dispose();
    re.dispose();
  });
  model.dispose();
});

test('a dynamic int8 model runs its layers on raw pointers: the same bits as Int8Linear + ReLU at batch 1 and 8, and a non-finite x is a typed error that leaves nothing behind', () => {
  const model = mlp(40, 32, 16, 4, 7);
  const prepared = st.prepare(model, { default: { mode: 'dynamic' } });
  st.tidy(() => { prepared.forward(st.normal([4, 40], 0, 1, { seed: 2 })); });
  const qm = st.convert(prepared);
  // Linear+ReLU fuse into one op; the GELU stays an f32 op.
  assert.deepEqual(qm.ops.map((o) => o.kind), ['dynamic', 'dynamic', 'act', 'dynamic']);
  const layers = [qm.ops[0], qm.ops[1], qm.ops[3]].map((op) => (op as unknown as { layer: st.Int8Linear }).layer);
  st.tidy(() => {
    for (const m of [1, 8]) {
      const x = st.normal([m, 40], 0, 1, { seed: 3 + m });
      const h = layers[2]!.forward(st.gelu(layers[1]!.forward(st.relu(layers[0]!.forward(x)))));
      assert.deepEqual(Array.from(qm.forward(x).toTypedArray()), Array.from(h.toTypedArray()), `batch ${m}`);
    }
    const x = st.tensor(Array.from({ length: 80 }, (_, i) => (i === 7 ? NaN : i / 80)), [2, 40]);
    const { tensors, bytes } = st.memoryStats();
    assert.throws(() => qm.forward(x), { code: 'INVALID_ARGUMENT', message: /QuantizedModel\.forward: x must be finite/ });
    assert.deepEqual([st.memoryStats().tensors, st.memoryStats().bytes], [tensors, bytes]);
  });
  qm.dispose();
  model.dispose();
});

test('a saved int8 model holds I8 weights, I32 bias, F32 scales and the config; int4 holds packed U8, F16 scales and F16 biases; the MLP shrinks ≥ 3.9× (int8) and ≥ 7× (int4)', () => {
  const model = mlp(784, 300, 100, 10, 2);
  st.tidy(() => {
    const x = st.normal([16, 784], 0, 1, { seed: 9 });
    const f32Bytes = st.saveSafetensors(model.stateDict()).length;
    for (const [config, ratio] of [[{}, 3.9], [{ default: { dtype: 'int4', groupSize: 128 } }, 7], [{ default: { dtype: 'int4', groupSize: 32 } }, 7]] as const) {
      const prepared = st.prepare(model, config);
      prepared.forward(x);
      const qm = st.convert(prepared);
      const bytes = st.saveQuantized(qm);
      const file = st.parseSafetensors(bytes);
      const meta = JSON.parse(file.metadata.slimtensor!);
      assert.equal(meta.format, 'slimtensor.quantized');
      if (config.default) {
        assert.equal(file.entries.get('0.weight')!.dtype, 'U8');
        assert.deepEqual(file.entries.get('0.weight')!.shape, [(300 * 784) / 2]);
        assert.equal(file.entries.get('0.weight_scale')!.dtype, 'F16');
        assert.equal(file.entries.get('0.bias')!.dtype, 'F16');
      } else {
        assert.equal(file.entries.get('0.weight')!.dtype, 'I8');
        assert.equal(file.entries.get('0.bias')!.dtype, 'I32');
        assert.equal(file.entries.get('0.weight_scale')!.dtype, 'F32');
        assert.equal(file.entries.get('0.output_zero_point')!.dtype, 'I32');
      }
      assert.ok(f32Bytes / bytes.length >= ratio, `f32 ${f32Bytes} bytes vs ${bytes.length}: ${(f32Bytes / bytes.length).toFixed(2)}× < ${ratio}×`);
      // Without the file header too: 4.5 bits per weight at group 32 (f16 scales) plus f16 biases.
      assert.ok((4 * model.numParameters()) / qm.byteLength >= (config.default ? 7 : 3.9), `${qm.byteLength} stored bytes`);
      qm.dispose();
    }
  });
  model.dispose();
});

test('int4 biases: rounded to f16 by convert and stored as F16; an F32 bias (older files, or one past the f16 range) loads and saves as it is', () => {
  const model = mlp(40, 16, 8, 3, 12);
  st.tidy(() => {
    const x = st.normal([6, 40], 0, 1, { seed: 13 });
    const prepared = st.prepare(model, { default: { dtype: 'int4' } });
    prepared.forward(x);
    const qm = st.convert(prepared);
    const bytes = st.saveQuantized(qm);
    const file = st.parseSafetensors(bytes);
    const f16 = new Uint16Array(file.entries.get('0.bias')!.bytes.slice().buffer);
    const b = (model.layers[0] as st.Linear).bias!.toTypedArray() as Float32Array;
    f16.forEach((h, j) => assert.equal(st.f16BitsToF32(h), st.f16BitsToF32(st.f32ToF16Bits(b[j]!))));
    const y = qm.forward(x).toTypedArray();
    // The same values as F32 (a file written before F16 biases): the same outputs; saved again, F16.
    const legacy = st.serializeSafetensors([...file.entries].map(([name, e]) => [name, name.endsWith('.bias') ? { dtype: 'F32', shape: e.shape, bytes: new Uint8Array(Float32Array.from(new Uint16Array(e.bytes.slice().buffer), st.f16BitsToF32).buffer) } : e]), file.metadata);
    const old = st.loadQuantized(legacy);
    assert.deepEqual(Array.from(old.forward(x).toTypedArray()), Array.from(y));
    assert.deepEqual(st.saveQuantized(old), bytes);
    old.dispose();
    qm.dispose();
    // A bias past the f16 range stays f32, and the file keeps it exactly.
    const big = new st.Sequential(new st.Linear(40, 3, { rng: new st.Rng(14) }));
    st.assign((big.layers[0] as st.Linear).bias!, st.tensor([1e5, -3.3e-3, 0.1]));
    const p2 = st.prepare(big, { default: { dtype: 'int4' } });
    p2.forward(x);
    const q2 = st.convert(p2);
    const bytes2 = st.saveQuantized(q2);
    assert.equal(st.parseSafetensors(bytes2).entries.get('0.bias')!.dtype, 'F32');
    const back = st.loadQuantized(bytes2);
    assert.deepEqual(Array.from(back.forward(x).toTypedArray()), Array.from(q2.forward(x).toTypedArray()));
    assert.equal(back.byteLength, q2.byteLength);
    back.dispose();
    q2.dispose();
    big.dispose();
  });
  model.dispose();
});

test('bad input: typed errors, and nothing is left allocated', () => {
  const model = mlp(8, 8, 8, 2, 3);
  const before = st.memoryStats();
  st.tidy(() => {
    const prepared = st.prepare(model);
    assert.throws(() => st.convert(prepared), { code: 'INVALID_ARGUMENT', message: /calibration batch/ });
    assert.throws(() => st.prepare(model, { default: { symmetric: false } }), { code: 'INVALID_ARGUMENT', message: /symmetric/ });
    assert.throws(() => st.prepare(model, { byName: { '0': { bits: 3 } as never } }), { code: 'INVALID_ARGUMENT', message: /config.byName\['0'\].bits/ });
    assert.throws(() => st.prepare(model, { quantizeOutput: 'no' as never }), { code: 'INVALID_ARGUMENT', message: /config.quantizeOutput must be a boolean/ });
    assert.throws(() => st.prepareQat(model, { quantiseOutput: false } as never), { code: 'INVALID_ARGUMENT', message: /config.quantiseOutput must be one of default, byType, byName, quantizeOutput/ });
    const conv = new st.Sequential(new st.Conv2d(1, 2, 3));
    assert.throws(() => st.prepare(conv, { default: { dtype: 'int4' } }), { code: 'INVALID_ARGUMENT', message: /Conv2d/ });
    conv.dispose();
    prepared.forward(st.ones([2, 8]));
    assert.throws(() => prepared.forward(st.ones([2, 9])), { code: 'SHAPE_MISMATCH' });
    const qm = st.convert(prepared);
    assert.throws(() => qm.forward(st.ones([1, 7])), { code: 'SHAPE_MISMATCH', message: /\[batch, 8\]/ });
    assert.throws(() => qm.forward(st.ones([1, 8], 'i32')), { code: 'DTYPE_MISMATCH' });
    const bytes = st.saveQuantized(qm);
    assert.throws(() => st.loadQuantized(st.saveSafetensors({ a: st.ones([1]) })), { code: 'INVALID_FORMAT', message: /not a slimtensor quantized model/ });
    const file = st.parseSafetensors(bytes);
    const broken = st.serializeSafetensors([...file.entries].filter(([name]) => name !== '2.weight'), file.metadata);
    assert.throws(() => st.loadQuantized(broken), { code: 'INVALID_FORMAT', message: /missing tensor '2.weight'/ });
    // Output qparams no int8 layer can requantize to: refused before any of the layer's tensors exist.
    const tiny = st.serializeSafetensors([...file.entries].map(([name, e]) => [name, name === '2.output_scale' ? { ...e, bytes: new Uint8Array(Float32Array.of(1e-30).buffer) } : e]), file.metadata);
    assert.throws(() => st.loadQuantized(tiny), { message: /requantization multiplier/ });
    qm.dispose();
  });
  const after = st.memoryStats();
  assert.equal(after.tensors, before.tensors);
  assert.equal(after.bytes, before.bytes);
  model.dispose();
});

test('f32 layers of a converted model (packed, on raw pointers) give the f32 model\'s bits; the file holds the plain weight', () => {
  const model = mlp(37, 48, 20, 6, 11);
  st.tidy(() => {
    const prepared = st.prepare(model, { default: { dtype: 'f32' } });
    prepared.forward(st.normal([8, 37], 0, 1, { seed: 1 }));
    const qm = st.convert(prepared);
    assert.ok(qm.ops.some((op) => op.kind === 'f32'));
    model.eval();
    for (const batch of [1, 4, 9]) {
      const x = st.normal([batch, 37], 0, 1, { seed: 10 + batch });
      assert.deepEqual(Array.from(qm.forward(x).toTypedArray()), Array.from(st.noGrad(() => model.forward(x)).toTypedArray()), `batch ${batch}`);
    }
    const file = st.saveQuantized(qm);
    const entries = st.parseSafetensors(file).entries;
    const w0 = entries.get('0.weight')!;
    assert.deepEqual([w0.dtype, ...w0.shape], ['F32', 48, 37]);
    assert.deepEqual(new Float32Array(w0.bytes.slice().buffer), (model.layers[0] as st.Linear).weight.toTypedArray());
    const back = st.loadQuantized(file);
    const x = st.normal([3, 37], 0, 1, { seed: 99 });
    assert.deepEqual(Array.from(back.forward(x).toTypedArray()), Array.from(qm.forward(x).toTypedArray()));
    assert.equal(qm.byteLength, 4 * (48 * 37 + 48 + 20 * 48 + 20 + 6 * 20 + 6));
    back.dispose();
    qm.dispose();
  });
  model.dispose();
});

test('sensitivity ranks layers; mixedPrecision meets a size budget and picks f32 where it can', () => {
  const model = mlp(64, 32, 32, 10, 4);
  st.tidy(() => {
    const x = st.normal([32, 64], 0, 1, { seed: 5 });
    const y = st.tensor(Int32Array.from({ length: 32 }, (_, i) => i % 10));
    const prepared = st.prepare(model);
    prepared.forward(x);
    const sens = st.sensitivity(prepared, { x, y });
    assert.equal(sens.length, 6);
    for (const s of sens) assert.ok(s.bytes < s.bytesF32 && s.mse >= 0 && s.accuracyDrop !== undefined);
    const f32Total = 4 * (64 * 32 + 32 + 32 * 32 + 32 + 32 * 10 + 10);
    const loose = st.mixedPrecision(prepared, { x }, { budgetBytes: f32Total });
    assert.deepEqual(loose.choice, { 0: 'f32', 2: 'f32', 4: 'f32' });
    const tight = st.mixedPrecision(prepared, { x }, { budgetBytes: 3000 });
    assert.ok(tight.bytes <= 3000, `${tight.bytes} bytes`);
    assert.throws(() => st.mixedPrecision(prepared, { x }, { budgetBytes: 10 }), { code: 'INVALID_ARGUMENT', message: /at least/ });
    // The returned config reproduces the model, quantizeOutput included.
    const unq = st.prepare(model, { quantizeOutput: true });
    unq.forward(x);
    const mixed = st.mixedPrecision(unq, { x }, { budgetBytes: 3000 });
    assert.equal(mixed.config.quantizeOutput, true);
    const again = st.prepare(model, mixed.config);
    again.forward(x);
    const rebuilt = st.convert(again);
    assert.deepEqual(Array.from(rebuilt.forward(x).toTypedArray()), Array.from(mixed.model.forward(x).toTypedArray()));
    rebuilt.dispose();
    mixed.model.dispose();
    loose.model.dispose();
    tight.model.dispose();
  });
  model.dispose();
});

test('weight-only int8 (f32_qc8w_gemv, and f32_gemm on the widened weights from 4 rows) equals its scalar reference bit for bit at tile boundaries and on adversarial inputs', async () => {
  const { f32Qc8wGemmRef } = await import('../src/quant/qc8w-ref.js');
  const { kernels } = await import('../src/backend/binding.js');
  fc.assert(
    fc.property(fc.constantFrom(1, 2, 3, 5, 7, 8, 9, 17), fc.constantFrom(0, 1, 3, 4, 15, 16, 17, 31, 33, 64, 257), fc.constantFrom(1, 2, 3, 4, 5, 9), fc.boolean(), fc.boolean(), fc.integer({ min: 0, max: 999 }),
      fc.array(fc.constantFrom(0, -0, 1e-40, -3e-39, 1e30, -1e30, Infinity, NaN), { maxLength: 4 }),
      (n, k, m, withBias, relu, seed, specials) => {
        st.tidy(() => {
          const rng = new st.Rng(seed);
          const x = Float32Array.from({ length: m * k }, () => f((rng.uint32() / 2 ** 32 - 0.5) * 4));
          specials.forEach((v, i) => { if (x.length) x[(i * 5) % x.length] = v; });
          const w = Int8Array.from({ length: n * k }, () => (rng.uint32() & 0xff) - 128);
          const scale = Float32Array.from({ length: n }, (_, j) => f(0.01 * (j + 1)));
          const bias = withBias ? Float32Array.from({ length: n }, (_, j) => f(j - 1.5)) : null;
          const [lo, hi] = relu ? [0, Infinity] : [-Infinity, Infinity];
          const tx = st.tensor(x, [m, Math.max(k, 0)]);
          const tw = st.tensor(w, [n * k]);
          const ts = st.tensor(scale);
          const tb = bias ? st.tensor(bias) : null;
          const ty = st.zeros([m, n]);
          const ws = st.zeros([Math.ceil(kernels().f32_qc8w_gemm_workspace_bytes(m, n, k) / 4)]);
          kernels().f32_qc8w_gemm(m, n, k, tx.ptr, tw.ptr, ts.ptr, tb?.ptr ?? 0, ty.ptr, ws.ptr, lo, hi);
          const want = new Float32Array(m * n);
          f32Qc8wGemmRef(m, n, k, x, w, scale, bias, want, lo, hi);
          assert.deepEqual(Array.from(ty.toTypedArray()).map((v) => (Number.isNaN(v) ? 'NaN' : v)), Array.from(want).map((v) => (Number.isNaN(v) ? 'NaN' : v)));
        });
      }),
    { numRuns: 200 },
  );
  // Through PTQ: mode 'weight-only' stays within the int8 weight error of f32, and round-trips through a file.
  // 3 rows run the GEMV, 12 the GEMM.
  const model = mlp(48, 32, 16, 4, 7);
  for (const rows of [3, 12]) st.tidy(() => {
    const x = st.normal([rows, 48], 0, 1, { seed: 4 });
    const prepared = st.prepare(model, { default: { mode: 'weight-only' } });
    prepared.forward(x);
    const qm = st.convert(prepared);
    assert.deepEqual(qm.ops.map((o) => o.kind), ['int8-weight-only', 'int8-weight-only', 'act', 'int8-weight-only']);
    const got = qm.forward(x).toTypedArray() as Float32Array;
    const ref = st.noGrad(() => model.forward(x)).toTypedArray() as Float32Array;
    got.forEach((v, i) => assert.ok(Math.abs(v - ref[i]!) < 0.02, `${v} vs ${ref[i]}`));
    const re = st.loadQuantized(st.saveQuantized(qm));
    assert.deepEqual(Array.from(re.forward(x).toTypedArray()), Array.from(got));
    qm.dispose();
    re.dispose();
  });
  model.dispose();
});

test('dtype f16 / bf16 (Linear, f32 activations): the weights rounded to nearest even, outputs equal the kernels\' references (the GEMV below 8 rows, the GEMM from there), half the bytes, files round-trip, a file\'s ±Inf / NaN f16 codes run exactly', async () => {
  const { f16GemvRef, bf16GemvRef, gemm16Ref } = await import('../src/quant/qkernels-ref.js');
  const model = mlp(48, 32, 16, 4, 9);
  for (const [dtype, rows] of [['f16', 3], ['bf16', 3], ['f16', 5], ['f16', 12], ['bf16', 12]] as const) {
    st.tidy(() => {
      const x = st.normal([rows, 48], 0, 1, { seed: 5 });
      const prepared = st.prepare(model, { default: { dtype } });
      prepared.forward(x);
      const qm = st.convert(prepared);
      assert.deepEqual(qm.ops.map((o) => o.kind), [dtype, dtype, 'act', dtype]);
      const got = qm.forward(x).toTypedArray() as Float32Array;
      // The reference: each Linear's weight as castFormat's codes, the kernels' order, ReLU where the model has it.
      const linears = model.layers.filter((l): l is st.Linear => l instanceof st.Linear);
      let h = x.toTypedArray() as Float32Array;
      linears.forEach((l, li) => {
        const [n, k] = l.weight.shape as [number, number];
        const codes = st.castFormat(l.weight, dtype).toTypedArray() as Uint8Array;
        const w16 = new Uint16Array(codes.buffer, codes.byteOffset, n * k);
        const out = new Float32Array(rows * n);
        const bias = l.bias!.toTypedArray() as Float32Array;
        if (rows >= 8) gemm16Ref(dtype, rows, n, k, h, w16, bias, out, -Infinity, Infinity);
        else for (let i = 0; i < rows; i++) (dtype === 'f16' ? f16GemvRef : bf16GemvRef)(n, k, h.subarray(i * k, i * k + k), w16, bias, out.subarray(i * n, i * n + n));
        // The MLP: Linear, ReLU (fused), Linear, GELU (an f32 op), Linear.
        h = li === 0 ? out.map((v) => (v > 0 ? v : 0)) : li === 1 ? (st.gelu(st.tensor(out, [rows, n])).toTypedArray() as Float32Array) : out;
      });
      assert.deepEqual(Array.from(got), Array.from(h));
      const ref = st.noGrad(() => model.forward(x)).toTypedArray() as Float32Array;
      const tol = dtype === 'f16' ? 2e-3 : 2e-2;
      got.forEach((v, i) => assert.ok(Math.abs(v - ref[i]!) < tol * (1 + Math.abs(ref[i]!)), `${dtype}: ${v} vs ${ref[i]}`));
      const params = 48 * 32 + 32 * 16 + 16 * 4;
      assert.equal(qm.byteLength, 2 * params + 4 * (32 + 16 + 4));
      const bytes = st.saveQuantized(qm);
      const e = st.parseSafetensors(bytes).entries.get('0.weight')!;
      assert.deepEqual([e.dtype, e.shape], [dtype.toUpperCase(), [32, 48]]);
      const re = st.loadQuantized(bytes);
      assert.deepEqual(Array.from(re.forward(x).toTypedArray()), Array.from(got));
      qm.dispose();
      re.dispose();
    });
  }
  // convert never writes a ±Inf or NaN f16 code, but a file may hold them: the layer then runs the exact
  // GEMV (and the GEMM from 8 rows) and still gives the references' bits.
  st.tidy(() => {
    const m = new st.Sequential(new st.Linear(20, 6));
    const p = st.prepare(m, { default: { dtype: 'f16' } });
    p.forward(st.normal([9, 20], 0, 1, { seed: 7 }));
    const q = st.convert(p);
    const file = st.parseSafetensors(st.saveQuantized(q));
    q.dispose();
    p.dispose();
    const w16 = new Uint16Array(file.entries.get('0.weight')!.bytes.slice().buffer);
    w16[7] = 0x7c00; // +Inf
    w16[30] = 0xfe00; // NaN
    const bias = new Float32Array(file.entries.get('0.bias')!.bytes.slice().buffer);
    const patched = st.serializeSafetensors([...file.entries].map(([name, e]) => [name, name === '0.weight' ? { ...e, bytes: new Uint8Array(w16.buffer) } : e]), file.metadata);
    const re = st.loadQuantized(patched);
    const bits = (a: Float32Array) => Array.from(new Uint32Array(Float32Array.from(a).buffer), (b, i) => (Number.isNaN(a[i]) ? 'NaN' : b));
    for (const rows of [1, 9]) {
      const x = st.normal([rows, 20], 0, 1, { seed: 8 + rows });
      const xs = x.toTypedArray() as Float32Array;
      const want = new Float32Array(rows * 6);
      if (rows >= 8) gemm16Ref('f16', rows, 6, 20, xs, w16, bias, want, -Infinity, Infinity);
      else f16GemvRef(6, 20, xs, w16, bias, want);
      const got = re.forward(x).toTypedArray() as Float32Array;
      assert.deepEqual(bits(got), bits(want), `rows ${rows}`);
      assert.ok(got.some((v) => !Number.isFinite(v)), 'the Inf and NaN weights reach the outputs');
    }
    re.dispose();
    m.dispose();
  });
  // A finite weight past f16's range is an error naming it (bf16 takes it).
  st.tidy(() => {
    const m = new st.Sequential(new st.Linear(4, 2));
    m.loadStateDict({ ...m.stateDict(), '0.weight': st.tensor([[1, 2, 3, 7e4], [0, 0, 0, 0]]) });
    const x = st.normal([2, 4], 0, 1, { seed: 6 });
    const p16 = st.prepare(m, { default: { dtype: 'f16' } });
    p16.forward(x);
    assert.throws(() => st.convert(p16), (e: unknown) => e instanceof st.SlimError && e.code === 'INVALID_ARGUMENT' && /f16.*65504.*70000/.test(e.message));
    const pb = st.prepare(m, { default: { dtype: 'bf16' } });
    pb.forward(x);
    const qb = st.convert(pb);
    assert.ok(Number.isFinite(qb.forward(x).toTypedArray()[0]));
    qb.dispose();
    m.dispose();
  });
  // A Conv2d cannot take them.
  const cnn = new st.Sequential(new st.Conv2d(1, 2, 3), new st.Flatten(), new st.Linear(8, 2));
  assert.throws(() => st.prepare(cnn, { default: { dtype: 'f16' } }), (e: unknown) => e instanceof st.SlimError && /Conv2d.*f16/.test(e.message));
  cnn.dispose();
  model.dispose();
});
