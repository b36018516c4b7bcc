// The Web Worker of the browser example: every slimtensor call runs here, off the page's thread.
// Messages in: { kind: 'train' } (the demo MLP 784-128-10), { kind: 'load', bytes }
// (f32 weights of an MLP from a safetensors file), { kind: 'data', files } (Fashion-MNIST IDX files,
// plain or .gz), { kind: 'compress', technique: 'int8' | 'int4' | 'prune90' }. Messages out:
// progress { label, fraction }, result { row, file?, fileName? }, error { message }.
import * as st from '../../src/index.js';
import { synthetic, type Split } from '../../src/cli/synthetic.js';

export interface Row { name: string; bytes: number; accuracy: number; latencyMs: number; detail: string }
type Technique = 'int8' | 'int4' | 'prune90';
export type Request = { kind: 'train' } | { kind: 'load'; name: string; bytes: Uint8Array } | { kind: 'data'; files: { name: string; bytes: Uint8Array }[] } | { kind: 'compress'; technique: Technique };

const post = (m: unknown, transfer: Transferable[] = []) => (self as unknown as Worker).postMessage(m, transfer);
const progress = (label: string, fraction: number) => post({ kind: 'progress', label, fraction });

/** The data; `epochs` of training for the demo model and for fine-tuning (3 on the small synthetic set, 1 on Fashion-MNIST). */
let data: { name: string; train: Split; test: Split; epochs: number } | null = null;
let base: st.Sequential | null = null;
const ready = (async () => {
  try {
    await st.init({ module: await WebAssembly.compileStreaming(fetch('./slimtensor.wasm')) });
  } catch {
    await st.init(); // the bytes embedded in the bundle
  }
})();

function dataset() {
  if (!data) {
    progress('generating the built-in synthetic set', 0);
    data = { name: 'synthetic (8000 train / 2000 test)', train: synthetic(8000, 1), test: synthetic(2000, 2), epochs: 3 };
  }
  return data;
}

/** Samples [from, to) as f32 [to - from, 784] (u8 scaled by 1/255 as DataLoader does). */
function inputs(s: Split, from: number, to: number): st.Tensor {
  const k = Math.fround(1 / 255);
  const px = (s.x.data as Uint8Array).subarray(from * 784, to * 784);
  return st.tensor(Float32Array.from(px, (v) => v * k), [to - from, 784]);
}

/** Adam (lr 1e-3, batch 128) for `epochs` epochs over the training split. */
async function fit(model: st.Module, label: string, epochs: number, onOptimizer?: (opt: st.Optimizer) => void): Promise<void> {
  const { train } = dataset();
  const loader = new st.DataLoader(train.x, { batchSize: 128, labels: train.y, shuffle: true, seed: 0 });
  const opt = new st.Adam(model.parameters(), { lr: 1e-3 });
  onOptimizer?.(opt);
  const steps = epochs * Math.ceil(train.x.shape[0]! / 128);
  let step = 0;
  model.train();
  for (let epoch = 0; epoch < epochs; epoch++) for (const { x, y } of loader) {
    const loss = st.tidy(() => {
      opt.zeroGrad();
      const l = st.crossEntropy(model.forward(st.reshape(x, [-1, 784])), y!);
      l.backward();
      opt.step();
      return l.item();
    });
    x.dispose();
    y!.dispose();
    if (++step % 4 === 0 || step === steps) progress(`${label}: step ${step}/${steps}, loss ${loss.toFixed(3)}`, step / steps);
  }
  model.eval();
  opt.dispose();
  loader.dispose();
}

function accuracy(model: st.Module): number {
  const { test } = dataset();
  const n = test.x.shape[0]!;
  const labels = test.y.data as Uint8Array;
  let correct = 0;
  for (let i = 0; i < n; i += 500) {
    const m = Math.min(500, n - i);
    const pred = st.tidy(() => st.noGrad(() => st.argmax(model.forward(inputs(test, i, i + m)), 1).toTypedArray()));
    for (let j = 0; j < m; j++) if (pred[j] === labels[i + j]) correct++;
  }
  return (100 * correct) / n;
}

/** Median over 25 rounds of (time of 40 batch-1 calls) / 40: browsers coarsen performance.now(). */
function latency(model: st.Module, rounds = 25, calls = 40): number {
  const x = inputs(dataset().test, 0, 1);
  const once = () => st.tidy(() => st.noGrad(() => { model.forward(x); }));
  for (let i = 0; i < 20; i++) once();
  const times = new Float64Array(rounds);
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) once();
    times[r] = (performance.now() - t0) / calls;
  }
  x.dispose();
  return times.sort()[rounds >> 1]!;
}

function measure(name: string, model: st.Module, bytes: number, detail: string): Row {
  progress(`${name}: accuracy and batch-1 latency`, 1);
  return { name, bytes, accuracy: accuracy(model), latencyMs: latency(model), detail };
}

/** A Sequential of Linear (ReLU between) from f32 safetensors keys `N.weight` / `N.bias`. */
function mlpFrom(bytes: Uint8Array): st.Sequential {
  const { tensors, metadata } = st.loadSafetensors(bytes);
  if (metadata.slimtensor) throw new Error('this file is already compressed by slimtensor; pick an f32 safetensors file');
  const ids = Object.keys(tensors).filter((k) => k.endsWith('.weight')).map((k) => Number(k.slice(0, -7))).sort((a, b) => a - b);
  if (!ids.length || ids.some((i) => !Number.isInteger(i))) throw new Error(`expected an MLP as nn.Sequential (keys 0.weight, 2.weight, …), found ${Object.keys(tensors).join(', ')}`);
  const layers: st.Module[] = [];
  const state: Record<string, st.Tensor> = {};
  ids.forEach((id, i) => {
    const w = tensors[`${id}.weight`]!;
    if (w.shape.length !== 2) throw new Error(`${id}.weight has shape [${w.shape.join(', ')}]; expected [out, in]`);
    if (i > 0) layers.push(new st.ReLU());
    layers.push(new st.Linear(w.shape[1]!, w.shape[0]!, { bias: `${id}.bias` in tensors }));
    const at = layers.length - 1;
    state[`${at}.weight`] = w;
    if (`${id}.bias` in tensors) state[`${at}.bias`] = tensors[`${id}.bias`]!;
  });
  const model = new st.Sequential(...layers);
  model.loadStateDict(state);
  Object.values(tensors).forEach((t) => t.dispose());
  const first = model.stateDict()['0.weight']!;
  if (first.shape[1] !== 784) throw new Error(`the model takes ${first.shape[1]} inputs; the data has 784 (28×28)`);
  model.eval();
  return model;
}

async function readFashion(files: { name: string; bytes: Uint8Array }[]) {
  const find = async (part: string) => {
    const f = files.find((x) => x.name.includes(part));
    if (!f) throw new Error(`missing ${part}-ubyte(.gz) among ${files.map((x) => x.name).join(', ')}`);
    return st.parseIdx(st.isGzip(f.bytes) ? await st.gunzip(f.bytes) : f.bytes);
  };
  const [tx, ty, vx, vy] = await Promise.all(['train-images-idx3', 'train-labels-idx1', 't10k-images-idx3', 't10k-labels-idx1'].map(find));
  return { name: `Fashion-MNIST (${tx!.shape[0]} train / ${vx!.shape[0]} test)`, train: { x: tx!, y: ty! }, test: { x: vx!, y: vy! }, epochs: 1 };
}

async function compress(technique: Technique): Promise<{ row: Row; file: Uint8Array; fileName: string }> {
  if (!base) throw new Error('train or load a model first');
  const calib = () => inputs(dataset().train, 0, Math.min(1000, dataset().train.x.shape[0]!));
  if (technique === 'int8' || technique === 'int4') {
    const prepared = st.prepare(base, technique === 'int4' ? { byType: { Linear: { dtype: 'int4', groupSize: 32 } } } : {});
    const x = calib();
    for (let i = 0; i < x.shape[0]!; i += 250) {
      st.tidy(() => { prepared.forward(st.slice(x, 0, i, Math.min(i + 250, x.shape[0]!))); });
      progress(`${technique}: calibrating on training samples`, Math.min(1, (i + 250) / x.shape[0]!));
    }
    x.dispose();
    const q = st.convert(prepared);
    const file = st.saveQuantized(q);
    const detail = technique === 'int8' ? 'static int8 PTQ: per-channel weights, calibrated activations' : 'int4 weight-only, groups of 32, f16 scales';
    const row = measure(technique, q, file.length, detail);
    q.dispose();
    return { row, file, fileName: `model.${technique}.safetensors` };
  }
  const copy = new st.Sequential(...base.layers.map((m) => (m instanceof st.Linear ? new st.Linear(m.inFeatures, m.outFeatures, { bias: m.bias !== null }) : new st.ReLU())));
  copy.loadStateDict(base.stateDict());
  const pruner = new st.Pruner(copy);
  pruner.magnitude(0.9, { scope: 'global' });
  await fit(copy, 'prune 90%: fine-tuning with the masks', dataset().epochs, (opt) => pruner.attach(opt));
  const sparse = st.sparsify(copy);
  const file = sparse.save();
  const row = measure('prune 90%', sparse, file.length, `${(100 * pruner.stats().sparsity).toFixed(1)}% zeros, layers ${Object.values(sparse.formats()).join('/')}`);
  pruner.dispose();
  copy.dispose();
  sparse.dispose();
  return { row, file, fileName: 'model.pruned90.safetensors' };
}

self.onmessage = async (e: MessageEvent<Request>) => {
  const m = e.data;
  try {
    await ready;
    if (m.kind === 'data') {
      data = await readFashion(m.files);
      post({ kind: 'data', name: data.name });
    } else if (m.kind === 'train' || m.kind === 'load') {
      base?.dispose();
      if (m.kind === 'train') {
        base = new st.Sequential(new st.Linear(784, 128, { rng: new st.Rng(1) }), new st.ReLU(), new st.Linear(128, 10, { rng: new st.Rng(2) }));
        await fit(base, `training 784-128-10 on ${dataset().name}`, dataset().epochs);
      } else base = mlpFrom(m.bytes);
      const f32 = st.saveSafetensors(base.stateDict());
      const row = measure('f32', base, f32.length, m.kind === 'train' ? `784-128-10, ${dataset().epochs === 1 ? "1 epoch" : `${dataset().epochs} epochs`} of Adam on ${dataset().name}` : `loaded from ${m.name}`);
      post({ kind: 'result', row, file: f32, fileName: 'model.f32.safetensors' }, [f32.buffer]);
    } else {
      const r = await compress(m.technique);
      post({ kind: 'result', ...r }, [r.file.buffer]);
    }
  } catch (err) {
    post({ kind: 'error', message: String((err as Error)?.message ?? err) });
  }
};
