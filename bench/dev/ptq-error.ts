// Dev: where the int8 static PTQ error of the accuracy MLP (784-300-100-10, 88.00%) comes from. A
// fake-quantization simulation (f32 matmuls; weights and activations rounded to their int8 grids one
// quantization point at a time), scored on the 10,000 test images against the f32 model: accuracy,
// predictions flipped, output SQNR. It approximates the integer kernels (f32 rounding instead of
// fixed-point requantization); bench/accuracy gives the real figures.
//   FASHION_MNIST_DIR=… node --import tsx bench/dev/ptq-error.ts
// Sections: weights per layer; activation points (1, 2: hidden, 3: logits); the whole model with and
// without the logits rounded (quantizeOutput), per observer, on 2,048 and 60,000 calibration images;
// empirical bias correction and cross-layer equalization (Nagel et al. 2019) on top.
import * as st from '../../src/index.js';
import { testSet, trainedMlp, trainImages } from './ptq-mlp.js';

type Q = { scale: number; zeroPoint: number } | null;
const model = await trainedMlp();
const dims = [784, 300, 100, 10];
const sd = model.stateDict();
const W0 = ['0', '2', '4'].map((k) => (sd[`${k}.weight`]!.toTypedArray() as Float32Array).slice());
const B0 = ['0', '2', '4'].map((k) => (sd[`${k}.bias`]!.toTypedArray() as Float32Array).slice());
const test = await testSet();
const NT = test.y.length;
const rhe = st.roundHalfEven;

/** Symmetric int8 weights, scale max|w|/127.5 per row or per tensor (convert's rule), dequantized. */
function fqW(w: Float32Array, n: number, k: number, perChannel: boolean): Float32Array {
  const out = new Float32Array(w.length);
  const gmax = w.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  for (let j = 0; j < n; j++) {
    const row = w.subarray(j * k, (j + 1) * k);
    const s = Math.fround((perChannel ? row.reduce((m, v) => Math.max(m, Math.abs(v)), 0) : gmax) / 127.5);
    for (let p = 0; p < k; p++) out[j * k + p] = Math.min(Math.max(rhe(row[p]! / s), -128), 127) * s;
  }
  return out;
}
function fqA(x: Float32Array, q: Q): Float32Array {
  if (q) for (let i = 0; i < x.length; i++) x[i] = (Math.min(Math.max(rhe(x[i]! / q.scale) + q.zeroPoint, -128), 127) - q.zeroPoint) * q.scale;
  return x;
}
const lin = (x: Float32Array, m: number, w: Float32Array, b: Float32Array, l: number) =>
  st.tidy(() => st.linear(st.tensor(x, [m, dims[l]!]), st.tensor(w, [dims[l + 1]!, dims[l]!]), st.tensor(b, [dims[l + 1]!])).toTypedArray() as Float32Array);
/** Pre-activation outputs of the three layers and the model output; acts[0] quantizes the input, acts[l+1] layer l's output. */
function forward(x: Float32Array, m: number, W: Float32Array[], B: Float32Array[], acts: Q[]): Float32Array[] {
  let h = fqA(x.slice(), acts[0] ?? null);
  const pre: Float32Array[] = [];
  for (let l = 0; l < 3; l++) {
    const z = lin(h, m, W[l]!, B[l]!, l);
    pre.push(z);
    h = fqA(l < 2 ? z.map((v) => (v > 0 ? v : 0)) : z.slice(), acts[l + 1] ?? null);
  }
  return [...pre, h];
}
const none: Q[] = [null, null, null, null];
const argmax = (y: Float32Array, i: number) => { let b = 0; for (let c = 1; c < 10; c++) if (y[i * 10 + c]! > y[i * 10 + b]!) b = c; return b; };
const ref = forward(test.x, NT, W0, B0, none)[3]!;
function score(W: Float32Array[], B: Float32Array[], acts: Q[]): string {
  const y = forward(test.x, NT, W, B, acts)[3]!;
  let hit = 0, flips = 0, se = 0, sig = 0;
  for (let i = 0; i < NT; i++) { const p = argmax(y, i); hit += p === test.y[i] ? 1 : 0; flips += p !== argmax(ref, i) ? 1 : 0; }
  for (let i = 0; i < y.length; i++) { se += (y[i]! - ref[i]!) ** 2; sig += ref[i]! ** 2; }
  return `${(hit / 100).toFixed(2)}%  ${String(flips).padStart(3)} flipped  ${(10 * Math.log10(sig / se)).toFixed(1).padStart(4)} dB`;
}
const row = (label: string, text: string) => console.log(`${label.padEnd(60)} ${text}`);

/** Activation qparams from real observers over the first n training images. */
async function observe(W: Float32Array[], B: Float32Array[], observer: st.LayerQuantConfig['observer'], n: number): Promise<Q[]> {
  const m = new st.Sequential(new st.Linear(784, 300), new st.ReLU(), new st.Linear(300, 100), new st.ReLU(), new st.Linear(100, 10));
  m.loadStateDict(Object.fromEntries(['0', '2', '4'].flatMap((k, l) => [[`${k}.weight`, st.tensor(W[l]!, [dims[l + 1]!, dims[l]!])], [`${k}.bias`, st.tensor(B[l]!)]])));
  const prepared = st.prepare(m, { default: { observer } });
  const x = await trainImages(n);
  for (let i = 0; i < n; i += 256) st.tidy(() => { prepared.forward(st.tensor(x.subarray(i * 784, Math.min(i + 256, n) * 784), [Math.min(256, n - i), 784])); });
  const obs = [prepared.inputObserver, ...prepared.units.flatMap((u) => (u.observer ? [u.observer] : []))];
  m.dispose();
  return obs.map((o) => ({ scale: o.qparams().scale[0]!, zeroPoint: o.qparams().zeroPoint[0]! }));
}
const fmt = (a: Q[]) => a.map((q) => `${q!.scale.toPrecision(3)}/${q!.zeroPoint}`).join(' ');

console.log('f32 model'.padEnd(60), score(W0, B0, none));
const wq = (W: Float32Array[], perChannel: boolean) => W.map((w, l) => fqW(w, dims[l + 1]!, dims[l]!, perChannel));
for (const perChannel of [false, true]) {
  const g = perChannel ? 'per-channel' : 'per-tensor';
  const q = wq(W0, perChannel);
  row(`weights ${g}, all layers`, score(q, B0, none));
  for (let l = 0; l < 3; l++) row(`weights ${g}, layer ${l} only`, score(W0.map((w, i) => (i === l ? q[l]! : w)), B0, none));
}
const smooth = { plain: () => new st.HistogramObserver({ dtype: 'int8', smoothZeroBin: false }), smoothed: () => new st.HistogramObserver({ dtype: 'int8', smoothZeroBin: true }) };
const observers: [string, st.LayerQuantConfig['observer']][] = [['minmax', 'minmax'], ['entropy, zero bin as is', smooth.plain], ['entropy, zero bin smoothed', smooth.smoothed], ['percentile 99.99', 'percentile'], ['histogram-mse', 'histogram-mse']];
for (const [name, o] of observers) {
  const a = await observe(W0, B0, o, 2048);
  row(`activations ${name}: ${fmt(a)}`, '');
  for (let p = 1; p < 4; p++) row(`  point ${p} only${p === 3 ? ' (logits)' : ''}`, score(W0, B0, a.map((q, i) => (i === p || i === 0 ? q : null))));
}
for (const n of [2048, 60000]) {
  for (const [name, o] of observers) {
    const a = await observe(W0, B0, o, n);
    const noOut = a.map((q, i) => (i === 3 ? null : q));
    for (const perChannel of [false, true]) {
      const q = wq(W0, perChannel);
      row(`${n} images, ${name}, ${perChannel ? 'per-channel' : 'per-tensor'}`, `int8 logits ${score(q, B0, a)} | f32 logits ${score(q, B0, noOut)}`);
    }
  }
}

/** Empirical bias correction (Nagel et al. 2019 §4.2): layer by layer, b ← b − mean over the calibration set of (ŷ − y), pre-activation. */
async function biasCorrected(W: Float32Array[], Wq: Float32Array[], B: Float32Array[], acts: Q[]): Promise<Float32Array[]> {
  const n = 2048;
  const x = await trainImages(n);
  const Bc = B.map((b) => b.slice());
  const fp = forward(x, n, W, B, none);
  for (let l = 0; l < 3; l++) {
    const q = forward(x, n, Wq, Bc, acts)[l]!;
    const c = dims[l + 1]!;
    for (let j = 0; j < c; j++) {
      let d = 0;
      for (let i = 0; i < n; i++) d += q[i * c + j]! - fp[l]![i * c + j]!;
      Bc[l]![j] -= d / n;
    }
  }
  return Bc;
}
/** Cross-layer equalization of Linear→ReLU→Linear (Nagel et al. 2019 §4.1): per hidden unit, row range of W_l and column range of W_{l+1} both become √(r1·r2); 20 sweeps. */
function equalized(W: Float32Array[], B: Float32Array[]): [Float32Array[], Float32Array[]] {
  const Wc = W.map((w) => w.slice());
  const Bc = B.map((b) => b.slice());
  for (let sweep = 0; sweep < 20; sweep++) {
    for (let l = 0; l < 2; l++) {
      const [k, n, o] = [dims[l]!, dims[l + 1]!, dims[l + 2]!];
      for (let i = 0; i < n; i++) {
        let r1 = 0, r2 = 0;
        for (let p = 0; p < k; p++) r1 = Math.max(r1, Math.abs(Wc[l]![i * k + p]!));
        for (let j = 0; j < o; j++) r2 = Math.max(r2, Math.abs(Wc[l + 1]![j * n + i]!));
        if (r1 === 0 || r2 === 0) continue;
        const s = Math.sqrt(r1 * r2) / r2;
        for (let p = 0; p < k; p++) Wc[l]![i * k + p] /= s;
        Bc[l]![i] /= s;
        for (let j = 0; j < o; j++) Wc[l + 1]![j * n + i] *= s;
      }
    }
  }
  return [Wc, Bc];
}
const [We, Be] = equalized(W0, B0);
row('cross-layer equalized f32 model', score(We, Be, none));
for (const [name, o] of observers.filter(([n]) => n !== 'entropy, zero bin as is' && n !== 'histogram-mse')) {
  for (const [cle, W, B] of [['', W0, B0], [' + CLE', We, Be]] as const) {
    const a = await observe(W, B, o, 2048);
    for (const perChannel of [false, true]) {
      const q = wq(W, perChannel);
      for (const out of [true, false]) {
        const acts = out ? a : a.map((v, i) => (i === 3 ? null : v));
        row(`${name}${cle}, ${perChannel ? 'per-channel' : 'per-tensor'}, ${out ? 'int8' : 'f32'} logits`, `${score(q, B, acts)} | + bias correction ${score(q, await biasCorrected(W, q, B, acts), acts)}`);
      }
    }
  }
}
