// The conformance program: fixed computations over every kernel family and pipeline, hashed.
// Runtime-neutral (no node: imports, no runtime imports at all: it takes the library as an argument),
// so the same file runs in Node, Deno, Bun, browsers and workerd (npm run test:runtimes).
// To cover a new feature, add one Section to SECTIONS and its golden hash to test/golden.json.
import type * as Slim from '../src/index.js';

type Lib = typeof Slim;
type Output = Slim.Tensor | ArrayBufferView | number[];
/** Hashes `outputs` (in order) under the step name `name` of the running section. */
export type Recorder = (name: string, ...outputs: Output[]) => void;
/** One part of the program: deterministic inputs (seeded), outputs recorded; disposes what it keeps. */
export interface Section { name: string; run(st: Lib, record: Recorder): void }

const FNV_OFFSET = 0x811c9dc5;

/** FNV-1a over the bytes of the data, with every f32 NaN canonicalized to 0x7fc00000. */
function hashInto(h: number, data: ArrayBufferView): number {
  let bytes: Uint8Array;
  if (data instanceof Float32Array) {
    const u = new Uint32Array(data.length);
    const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
    for (let i = 0; i < data.length; i++) u[i] = data[i] !== data[i] ? 0x7fc00000 : bits[i]!;
    bytes = new Uint8Array(u.buffer);
  } else {
    bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193) >>> 0;
  return h;
}

const hex = (h: number) => h.toString(16).padStart(8, '0');

/** Combines named hashes in order: `name=hash;` for each. */
function combine(entries: Record<string, string>): string {
  let h = FNV_OFFSET;
  for (const [name, v] of Object.entries(entries)) h = hashInto(h, new TextEncoder().encode(`${name}=${v};`));
  return hex(h);
}

/** Adversarial f32 values: ±0, denormals, extremes, NaN, ±Inf, exp/log edges. */
const SPECIALS = [0, -0, 1e-40, -1e-45, 3e38, -3e38, NaN, Infinity, -Infinity, 88.7, -103, 0.5];

const f32Ops: Section = {
  name: 'f32',
  run(st, record) {
    const x = st.normal([37, 53], 0, 3, { seed: 1 });
    const y = st.uniform([53], -2, 2, { seed: 2 });
    const specials = st.tensor(SPECIALS);
    record('random', x, y);
    record('binary', st.add(x, y), st.sub(y, x), st.mul(x, y), st.div(x, y), st.maximum(x, y), st.minimum(x, 0.5));
    for (const [name, op] of [['exp', st.exp], ['log', st.log], ['tanh', st.tanh], ['sigmoid', st.sigmoid], ['gelu', st.gelu], ['erf', st.erf], ['sqrt', st.sqrt]] as const) {
      record(name, op(x), op(specials), op(st.abs(x)));
    }
    record('unary', st.neg(x), st.abs(x), st.relu(x), st.clamp(x, -1, 1), st.affine(x, 0.3, -2));
    record('compare', st.greater(x, y), st.equal(x, x), st.where(st.less(x, 0), x, y));
    record('reduce', st.sum(x), st.sum(x, 0), st.mean(x, 1, true), st.max(x, 0), st.min(x, 1), st.argmax(x, 1), st.argmin(x, 0));
    record('softmax', st.softmax(x), st.logSoftmax(x), st.softmax(st.mul(x, 30)));
    record('layout', st.transpose(st.reshape(x, [37, 1, 53])), st.slice(x, 1, 5, 40), st.concat([x, x], 0), st.gather(x, st.tensor([3, 0, 36], undefined, 'i32')), st.broadcastTo(y, [2, 53]));
    record('cast', st.cast(st.mul(x, 40), 'i8'), st.cast(st.mul(x, 40), 'u8'), st.cast(st.cast(st.mul(x, 1000), 'i32'), 'f32'));
    const w = st.normal([29, 53], 0, 0.2, { seed: 3 });
    record('matmul', st.matmul(x, w, false, true), st.matmul(x, x, true, false), st.linear(x, w, st.uniform([29], -1, 1, { seed: 4 }), 'relu'), st.linear(st.slice(x, 0, 0, 1), w));
    const big = st.normal([67, 300], 0, 1, { seed: 5 });
    record('gemm-large', st.matmul(big, big, false, true), st.matmul(st.reshape(big, [67, 20, 15]), st.normal([15, 9], 0, 1, { seed: 6 })));
  },
};

const mlp = (st: Lib, seed: number, sizes: number[]) => {
  const rng = new st.Rng(seed);
  const layers: Slim.Module[] = [];
  for (let i = 1; i < sizes.length; i++) {
    layers.push(new st.Linear(sizes[i - 1]!, sizes[i]!, { rng }));
    if (i < sizes.length - 1) layers.push(i % 2 ? new st.ReLU() : new st.GELU());
  }
  return new st.Sequential(...layers);
};
const labels = (st: Lib, n: number, classes: number) => st.tensor(Int32Array.from({ length: n }, (_, i) => (i * 7 + 3) % classes));

/** Adam steps of an MLP (autograd through linear, ReLU, GELU, cross-entropy): losses, weights, moments' effect. */
const adam: Section = {
  name: 'adam',
  run(st, record) {
    const model = mlp(st, 7, [20, 32, 24, 5]);
    const opt = new st.Adam(model.parameters(), { lr: 1e-2 });
    const x = st.normal([16, 20], 0, 1, { seed: 8 });
    const y = labels(st, 16, 5);
    const losses: number[] = [];
    for (let s = 0; s < 5; s++) {
      st.tidy(() => {
        opt.zeroGrad();
        const loss = st.crossEntropy(model.forward(x), y);
        loss.backward();
        opt.step();
        losses.push(loss.item());
      });
    }
    record('losses', Float32Array.from(losses));
    record('weights', ...model.parameters());
    record('grads', ...model.parameters().map((p) => p.grad!));
    opt.dispose();
    model.dispose();
  },
};

/** PTQ: prepare, calibrate, convert to static int8 (MLP and a conv net with BatchNorm), other modes. */
const ptq: Section = {
  name: 'ptq',
  run(st, record) {
    const model = mlp(st, 9, [20, 32, 24, 5]);
    const calib = [0, 1, 2].map((i) => st.normal([8, 20], 0.1, 1.2, { seed: 20 + i }));
    const x = st.normal([6, 20], 0, 1, { seed: 30 });
    for (const [name, config] of [['static', {}], ['histogram', { default: { observer: 'histogram' } }], ['per-tensor', { default: { granularity: 'per-tensor' } }], ['dynamic', { default: { mode: 'dynamic' } }], ['weight-only', { default: { mode: 'weight-only' } }], ['int8-output', { default: { granularity: 'per-tensor' }, quantizeOutput: true }]] as const) {
      const prepared = st.prepare(model, config as Slim.QuantizationConfig);
      for (const c of calib) prepared.forward(c);
      const q = st.convert(prepared);
      record(name, q.forward(x), q.forward(st.slice(x, 0, 0, 1)));
      q.dispose();
      prepared.dispose();
    }
    const rng = new st.Rng(10);
    const cnn = new st.Sequential(new st.Conv2d(2, 4, 3, { padding: 1, rng }), new st.BatchNorm2d(4), new st.ReLU(), new st.MaxPool2d(2), new st.Flatten(), new st.Linear(64, 5, { rng }));
    const images = st.normal([4, 2, 8, 8], 0, 1, { seed: 31 });
    st.noGrad(() => cnn.forward(images)); // BatchNorm running statistics
    cnn.eval();
    const prepared = st.prepare(cnn);
    prepared.forward(images);
    const q = st.convert(prepared);
    record('conv-static', q.forward(images));
    q.dispose();
    prepared.dispose();
    cnn.dispose();
    model.dispose();
  },
};

/** int4 weight-only: group-wise through prepare/convert and the standalone Int4Linear. */
const int4: Section = {
  name: 'int4',
  run(st, record) {
    const model = mlp(st, 11, [96, 40, 7]);
    const x = st.normal([5, 96], 0, 1, { seed: 40 });
    for (const groupSize of [32, 64, 128] as const) {
      const prepared = st.prepare(model, { default: { dtype: 'int4', groupSize } });
      prepared.forward(x);
      const q = st.convert(prepared);
      record(`g${groupSize}`, q.forward(x), q.forward(st.slice(x, 0, 2, 3)));
      q.dispose();
      prepared.dispose();
    }
    const w = st.normal([9, 70], 0, 0.3, { seed: 41 });
    const layer = new st.Int4Linear(w, st.uniform([9], -1, 1, { seed: 42 }), { groupSize: 32 });
    record('Int4Linear', layer.forward(st.normal([3, 70], 0, 1, { seed: 43 })));
    layer.dispose();
    model.dispose();
  },
};

/** f16 / bf16 weight layers through prepare/convert and a file, and weights past f16's range (Inf codes). */
const half: Section = {
  name: 'half',
  run(st, record) {
    const model = mlp(st, 12, [70, 33, 6]);
    const x = st.normal([4, 70], 0, 1, { seed: 44 });
    const batch = st.normal([9, 70], 0, 1, { seed: 45 }); // 9 rows: the GEMM on the widened weights for both
    // A Linear whose weights reach f16's extremes: near its largest finite value (65504) in two rows,
    // f16 subnormals (below 6.1e-5) in row 30. (The kernels' ±Inf path is tested in test/qlinear.test.ts:
    // an infinite weight leaves calibration nothing finite to observe.)
    const big = new st.Sequential(new st.Linear(70, 33, { rng: new st.Rng(13) }));
    const w0 = (big.layers[0] as Slim.Linear).weight.toTypedArray() as Float32Array;
    w0[20 * 70 + 3] = 65000;
    w0[21 * 70 + 69] = -60000;
    for (let p = 0; p < 70; p++) w0[30 * 70 + p] = (p - 35) * 1.7e-6;
    big.loadStateDict({ ...big.stateDict(), '0.weight': st.tensor(w0, [33, 70]) });
    for (const dtype of ['f16', 'bf16'] as const) {
      for (const [name, m] of [['mlp', model], ['big', big]] as const) {
        const prepared = st.prepare(m, { default: { dtype } });
        prepared.forward(x);
        const q = st.convert(prepared);
        const bytes = st.saveQuantized(q);
        const re = st.loadQuantized(bytes);
        record(`${dtype}-${name}`, q.forward(x), re.forward(st.slice(x, 0, 1, 2)), bytes, q.forward(batch));
        [q, re].forEach((t) => t.dispose());
        prepared.dispose();
      }
    }
    model.dispose();
    big.dispose();
  },
};

/** QAT: fake quantization (forward and straight-through gradients), Adam steps, convertQat. */
const qat: Section = {
  name: 'qat',
  run(st, record) {
    const x = st.normal([7, 33], 0, 2, { seed: 50 });
    x.requiresGrad = true;
    const fq = st.fakeQuantize(x, { scale: Float32Array.of(0.05), zeroPoint: 3, qmin: -128, qmax: 127 });
    st.sum(st.mul(fq, fq)).backward();
    const fqGroup = st.fakeQuantize(x, { scale: Float32Array.from({ length: 14 }, (_, i) => 0.1 + i / 64), zeroPoint: 0, qmin: -8, qmax: 7, granularity: 'group', groupSize: 32 });
    record('fakeQuantize', fq, x.grad!, fqGroup, st.fakeQuantize(st.tensor(SPECIALS), { scale: Float32Array.of(0.5), zeroPoint: 0, qmin: -128, qmax: 127 }));
    const rng = new st.Rng(12);
    const model = new st.Sequential(new st.Linear(12, 16, { rng }), new st.BatchNorm1d(16), new st.ReLU(), new st.Linear(16, 4, { rng }));
    const input = st.normal([32, 12], 0, 1, { seed: 51 });
    const y = labels(st, 32, 4);
    st.noGrad(() => model.forward(input));
    model.eval();
    const qatModel = st.prepareQat(model);
    const opt = new st.Adam(qatModel.parameters(), { lr: 1e-2 });
    const losses: number[] = [];
    for (let s = 0; s < 4; s++) {
      st.tidy(() => {
        opt.zeroGrad();
        const loss = st.crossEntropy(qatModel.forward(input), y);
        loss.backward();
        opt.step();
        losses.push(loss.item());
      });
    }
    const q = st.convertQat(qatModel);
    record('train', Float32Array.from(losses), st.noGrad(() => qatModel.forward(input)), q.forward(input));
    q.dispose();
    opt.dispose();
    qatModel.dispose();
    model.dispose();
  },
};

/** Distillation loss: soft + hard terms, their gradients, the soft term alone, per-sample, hints. */
const distill: Section = {
  name: 'distill',
  run(st, record) {
    const s = st.normal([9, 6], 0, 2, { seed: 60 });
    s.requiresGrad = true;
    const t = st.normal([9, 6], 0, 3, { seed: 61 });
    const y = labels(st, 9, 6);
    const loss = st.distillationLoss(s, t, y, { temperature: 4, alpha: 0.9 });
    loss.backward();
    record('loss', loss, s.grad!);
    record('variants', st.distillationLoss(s, t, null, { temperature: 2 }), st.distillationLoss(s, t, y, { temperature: 1, alpha: 0.3, reduction: 'none' }), st.softTargetLoss(s, st.mul(t, 40), { temperature: 8 }));
    record('hint', st.hintLoss(s, t), st.hintLoss(s, t, { kind: 'cosine' }));
  },
};

/** fp16, bf16 and fp8 codes: the wasm casts (saturating or not), back to f32, and the scalar codecs. */
const formats: Section = {
  name: 'formats',
  run(st, record) {
    const x = st.concat([st.normal([300], 0, 100, { seed: 70 }), st.normal([100], 0, 1e-3, { seed: 71 }), st.tensor(SPECIALS), st.tensor([464, 61440, 65520, 448, 57344, 1 / 1024, 6e-8, 1e-38])], 0);
    for (const format of ['f16', 'bf16', 'fp8-e4m3', 'fp8-e5m2'] as const) {
      const codes = st.castFormat(x, format);
      record(format, codes, st.castFormatToF32(codes, format), st.castFormat(x, format, { saturate: false }));
    }
    const values = x.toTypedArray() as Float32Array;
    record('scalar-16', values.map((v) => st.f16BitsToF32(st.f32ToF16Bits(v))), Int32Array.from(values, (v) => st.f32ToF16Bits(v)), Int32Array.from(values, (v) => st.f32ToBf16Bits(v)), values.map((v) => st.bf16BitsToF32(st.f32ToBf16Bits(v))));
    record('scalar-fp8', Int32Array.from(values, (v) => st.f32ToE4M3(v)), Int32Array.from(values, (v) => st.f32ToE5M2(v)), Float32Array.from({ length: 256 }, (_, c) => st.e4m3ToF32(c)), Float32Array.from({ length: 256 }, (_, c) => st.e5m2ToF32(c)));
  },
};

/** Quantized model files: the bytes saveQuantized writes and the outputs of the reloaded model. */
const files: Section = {
  name: 'files',
  run(st, record) {
    const model = mlp(st, 13, [64, 24, 6]);
    const x = st.normal([4, 64], 0, 1, { seed: 80 });
    for (const [name, config] of [['int8', {}], ['int4', { byName: { '0': { dtype: 'int4', groupSize: 32 } } }]] as const) {
      const prepared = st.prepare(model, config as Slim.QuantizationConfig);
      prepared.forward(x);
      const q = st.convert(prepared);
      const bytes = st.saveQuantized(q);
      const back = st.loadQuantized(bytes);
      record(name, bytes, back.forward(x), st.saveQuantized(back));
      back.dispose();
      q.dispose();
      prepared.dispose();
    }
    model.dispose();
  },
};

/** Pruning and the sparse kernels: masks by every criterion, CSR and 2:4 layers, int8 CSR, the sparse file. */
const prune: Section = {
  name: 'prune',
  run(st, record) {
    const model = mlp(st, 17, [96, 48, 10]);
    const pruner = new st.Pruner(model).magnitude(0.9, { scope: 'global' });
    const x = st.normal([5, 96], 0, 1, { seed: 90 });
    const sm = st.sparsify(model);
    record('magnitude', ...Object.values(pruner.entries()), sm.forward(x), st.slice(x, 0, 0, 1), sm.forward(st.slice(x, 0, 0, 1)));
    const back = st.loadSparseModel(sm.save());
    record('file', sm.save(), back.forward(x));
    back.dispose();
    const other = mlp(st, 18, [64, 32, 8]);
    const p2 = new st.Pruner(other).nm(2, 4);
    const nm = new st.SparseLinear((other.layers[0] as Slim.Linear).weight, (other.layers[0] as Slim.Linear).bias, { format: 'nm-2:4' });
    const x2 = st.normal([3, 64], 0, 1, { seed: 91 });
    record('nm', ...Object.values(p2.entries()), nm.forward(x2), nm.forward(st.slice(x2, 0, 0, 1), 'relu'));
    const q = new st.SparseInt8Linear((model.layers[0] as Slim.Linear).weight, (model.layers[0] as Slim.Linear).bias);
    record('csr-int8', q.forward(x));
    const p3 = new st.Pruner(other).structured(0.5, { norm: 2 });
    const smaller = st.removePrunedChannels(other);
    record('structured', ...Object.values(p3.entries()), smaller.forward(x2));
    // A pruned CNN, sparsified: CSR convolutions through the K-major lowering (odd widths, padding,
    // stride 2), a dense one, pools, a BatchNorm folded.
    const rng = new st.Rng(19);
    const cnn = new st.Sequential(
      new st.Conv2d(3, 8, 3, { padding: 1, rng }), new st.BatchNorm2d(8), new st.ReLU(), new st.MaxPool2d(2),
      new st.Conv2d(8, 12, 3, { stride: 2, padding: 1, rng }), new st.ReLU(), new st.AvgPool2d(2), new st.Flatten(), new st.Linear(12, 4, { rng }),
    ).eval();
    const p4 = new st.Pruner(cnn).magnitude(0.8, { scope: 'layer' });
    const xc = st.normal([2, 3, 13, 11], 0, 1, { seed: 92 });
    const scnn = st.sparsify(cnn);
    const dense = st.sparsify(cnn, { format: 'dense' });
    record('cnn', scnn.forward(xc), dense.forward(xc), scnn.save());
    [sm, nm, q, pruner, p2, p3, p4, smaller, model, other, scnn, dense, cnn].forEach((t) => t.dispose());
  },
};

/** Low-rank: the Jacobi SVD (f64 in wasm) and a factored MLP's outputs. */
const lowrank: Section = {
  name: 'lowrank',
  run(st, record) {
    const a = st.normal([23, 17], 0, 1, { seed: 100 });
    const { u, s, vt } = st.svd(a);
    record('svd', u, s, vt);
    const model = mlp(st, 19, [40, 30, 5]);
    const x = st.normal([4, 40], 0, 1, { seed: 101 });
    const factored = st.lowRankModel(model, { layers: ['0'], paramsFraction: 0.5 });
    record('model', factored.forward(x));
    factored.dispose();
  },
};

/** Binary networks: sign STE and its gradient, BinaryConnect and XNOR training steps, the packed 1-bit kernels and files. */
const binary: Section = {
  name: 'binary',
  run(st, record) {
    const w = st.normal([12, 70], 0, 0.7, { seed: 110 });
    w.requiresGrad = true;
    const y = st.binarizeWeight(w, 'channel');
    st.sum(st.mul(y, st.normal([12, 70], 0, 1, { seed: 111 }))).backward();
    record('ste', y, w.grad!, st.signSte(st.tensor([0, -0, 1e-40, -2, 3, NaN])));
    // 56 hidden units: the BinaryConnect GEMV of the first layer takes the table path (n ≥ 48).
    const base = mlp(st, 21, [70, 56, 6]);
    const x = st.normal([9, 70], 0, 1, { seed: 112 });
    const labelsT = labels(st, 9, 6);
    for (const mode of ['binaryconnect', 'xnor'] as const) {
      const model = st.binarize(base, { mode, batchNorm: true, keepFirstLast: mode === 'xnor' });
      const opt = new st.Adam(model.parameters(), { lr: 1e-2 });
      opt.onStep(() => st.clipLatentWeights(model));
      for (let i = 0; i < 3; i++) st.tidy(() => { opt.zeroGrad(); st.crossEntropy(model.forward(x), labelsT).backward(); opt.step(); });
      model.eval();
      const inf = st.toInference(model);
      const bytes = st.saveBinary(inf);
      const back = st.loadBinary(bytes);
      record(mode, model.forward(x), inf.forward(x), inf.forward(st.slice(x, 0, 0, 1)), bytes, back.forward(x));
      [back, inf, model].forEach((m) => m.dispose());
      opt.dispose();
    }
    base.dispose();
  },
};

/** The program, in order. Other features append their sections here. */
export const SECTIONS: readonly Section[] = [f32Ops, adam, ptq, int4, half, qat, distill, formats, files, prune, lowrank, binary];

export interface SectionResult { hash: string; steps: Record<string, string> }
export interface ConformanceResult { hash: string; sections: Record<string, SectionResult> }

/** Runs the sections (all by default) in order; a hash per step, per section, and over the sections. */
export function conformanceProgram(st: Lib, sections: readonly Section[] = SECTIONS): ConformanceResult {
  const out: Record<string, SectionResult> = {};
  for (const section of sections) {
    const steps: Record<string, string> = {};
    st.tidy(() => section.run(st, (name, ...outputs) => {
      let h = FNV_OFFSET;
      for (const o of outputs) h = hashInto(h, Array.isArray(o) ? Float64Array.from(o) : ArrayBuffer.isView(o) ? o : o.toTypedArray());
      steps[name] = hex(h);
    }));
    out[section.name] = { hash: combine(steps), steps };
  }
  return { hash: combine(Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.hash]))), sections: out };
}
