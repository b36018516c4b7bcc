// ptq and qat: the MLP 784-300-100-10 of `dense`, trained once (Adam 1e-3, 10 epochs, seed 0), then
// quantized every way #4 names; accuracy on the 10,000 test images and the saved file's bytes.
// Targets: int8 static drop ≤ 0.2 points, int4 weight-only (g32) ≤ 1.0, int4 after QAT ≤ 0.5;
// int8 ≥ 3.9× and int4 ≥ 7× smaller than the f32 file. Each int8 static variant runs with the default
// (the logits come out of the last layer's int32 sums in f32) and with quantizeOutput: true
// ("+int8-output", torch.ao's pipeline: the logits rounded to int8, then dequantized). Calibration:
// the first 2,048 training images.
import * as st from '../../src/index.js';
import { data, evaluate, report, train, type RunOptions } from './common.js';
import { mlp } from './dense.js';

let trained: { model: st.Sequential; accuracy: number; bytes: number; quick: boolean } | null = null;

async function baseline(opts: RunOptions) {
  if (trained && trained.quick === opts.quick) return trained;
  st.seed(0);
  const model = mlp();
  await train(model, { epochs: opts.quick ? 1 : 10, ...(opts.quick ? { maxSteps: 300, evalLimit: 1000 } : {}) });
  const accuracy = await evaluate(model, opts.quick ? 2000 : Infinity);
  trained = { model, accuracy, bytes: st.saveSafetensors(model.stateDict()).length, quick: opts.quick };
  return trained;
}

/** The first `n` training images as f32 [n, 784] in [0, 1], for calibration. */
async function calibration(n: number): Promise<st.Tensor> {
  const { train: tr } = await data();
  return st.tidy(() => st.mul(st.cast(st.tensor(tr.images.data.subarray(0, n * 784) as Uint8Array, [n, 784], 'u8'), 'f32'), 1 / 255));
}

function line(experiment: string, variant: string, accuracy: number, base: { accuracy: number; bytes: number }, bytes: number, opts: RunOptions, extra = ''): void {
  const drop = base.accuracy - accuracy;
  report(
    { experiment, variant, accuracy: +accuracy.toFixed(2), baseline: +base.accuracy.toFixed(2), bytes },
    opts,
    `${experiment} ${variant.padEnd(46)} ${accuracy.toFixed(2)}%  Δ ${(-drop).toFixed(2)}  ${String(bytes).padStart(8)} bytes  ${(base.bytes / bytes).toFixed(2)}× smaller${extra}`,
  );
}

async function evalQuantized(qm: st.QuantizedModel, opts: RunOptions): Promise<{ accuracy: number; bytes: number }> {
  const accuracy = await evaluate(qm, opts.quick ? 2000 : Infinity);
  return { accuracy, bytes: st.saveQuantized(qm).length };
}

export async function ptq(opts: RunOptions): Promise<void> {
  const base = await baseline(opts);
  line('ptq', 'fp32', base.accuracy, base, base.bytes, opts);
  const calib = st.keep(await calibration(opts.quick ? 512 : 2048));
  const variants: [string, st.QuantizationConfig][] = [];
  for (const granularity of ['per-tensor', 'per-channel'] as const) {
    for (const observer of ['minmax', 'histogram', 'percentile'] as const) {
      variants.push([`int8-static-${granularity}-${observer}`, { default: { granularity, observer } }]);
      // torch.ao's pipeline: the logits rounded to an int8 grid before the final dequantize.
      variants.push([`int8-static-${granularity}-${observer}+int8-output`, { default: { granularity, observer }, quantizeOutput: true }]);
    }
  }
  variants.push(['int8-dynamic', { default: { mode: 'dynamic' } }]);
  variants.push(['int4-weight-only-g32', { default: { dtype: 'int4', groupSize: 32 } }]);
  variants.push(['int4-weight-only-g128', { default: { dtype: 'int4', groupSize: 128 } }]);
  for (const [name, config] of variants) {
    const prepared = st.prepare(base.model, config);
    for (let i = 0; i < calib.shape[0]!; i += 256) st.tidy(() => { prepared.forward(st.slice(calib, 0, i, i + 256)); });
    const qm = st.convert(prepared);
    const r = await evalQuantized(qm, opts);
    line('ptq', name, r.accuracy, base, r.bytes, opts);
    qm.dispose();
  }
  calib.dispose();
}

export async function qat(opts: RunOptions): Promise<void> {
  const base = await baseline(opts);
  line('qat', 'fp32', base.accuracy, base, base.bytes, opts);
  const epochs = opts.quick ? 1 : 2;
  for (const [name, config] of [['int8-qat', {}], ['int4-qat-g32', { default: { dtype: 'int4', groupSize: 32 } }]] as [string, st.QuantizationConfig][]) {
    // Fine-tune a copy of the trained f32 model with fake quantization, then convert.
    const model = mlp();
    model.loadStateDict(base.model.stateDict());
    const q = st.prepareQat(model, config);
    const t0 = performance.now();
    await train(q, { epochs, lr: 1e-4, seed: 1, ...(opts.quick ? { maxSteps: 100, evalLimit: 1000 } : {}) });
    const seconds = (performance.now() - t0) / 1000;
    const qm = st.convertQat(q);
    const r = await evalQuantized(qm, opts);
    line('qat', name, r.accuracy, base, r.bytes, opts, `  (${epochs} epoch(s) of QAT at lr 1e-4, ${seconds.toFixed(0)} s)`);
    qm.dispose();
    q.dispose();
    model.dispose();
  }
}
