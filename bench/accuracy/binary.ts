// binary: the MLP 784-300-100-10 of `dense` binarized and trained from scratch on Fashion-MNIST (10
// epochs, Adam lr 1e-3 with cosine annealing to 0 per epoch, batch 128, seed 0, latent weights
// clipped to [−1, 1] after every step), BatchNorm1d after every Linear but a kept last one; then
// converted to the 1-bit inference form (BatchNorm folded into α and the bias) and evaluated there.
// Target (all three layers BinaryConnect): ≥ 86.5% with weights ≥ 30× smaller than f32 (packed bits + α).
import * as st from '../../src/index.js';
import { evaluate, modelBytes, report, train, type RunOptions } from './common.js';
import { mlp } from './dense.js';

interface Variant { name: string; options: st.BinarizeOptions | null }

const VARIANTS: Variant[] = [
  { name: 'fp32', options: null },
  { name: 'binaryconnect-all', options: { mode: 'binaryconnect', batchNorm: true } },
  { name: 'binaryconnect-keep-first-last', options: { mode: 'binaryconnect', batchNorm: true, keepFirstLast: true } },
  { name: 'xnor-keep-first-last', options: { mode: 'xnor', batchNorm: true, keepFirstLast: true } },
];

/** The shared Adam loop with BinaryConnect's two additions: latent weights clipped after every step, cosine annealing per epoch. */
async function fit(model: st.Module, opts: RunOptions, log: (e: number, acc: number, s: number) => void): Promise<void> {
  const epochs = opts.quick ? 1 : 10;
  let sched: st.CosineAnnealingLR | null = null;
  await train(model, {
    epochs,
    ...(opts.quick ? { maxSteps: 300, evalLimit: 2000 } : {}),
    onOptimizer: (opt) => {
      opt.onStep(() => st.clipLatentWeights(model));
      sched = new st.CosineAnnealingLR(opt, epochs);
    },
    onEpoch: (e, acc, s) => {
      sched!.step();
      log(e, acc, s);
    },
  });
}

/** Bytes of the inference form: binary weights (compact bits + α), everything else (biases, f32 layers, BN), the file. */
function bytesOf(inf: st.Sequential): { binaryWeights: number; f32Weights: number; other: number; file: number } {
  let binaryWeights = 0, f32Weights = 0, other = 0;
  for (const m of inf.layers) {
    if (m instanceof st.BinaryInferenceLinear) {
      binaryWeights += st.b1Bytes(m.outFeatures, m.inFeatures, 'compact') + m.alpha.byteLength;
      other += m.bias?.byteLength ?? 0;
    } else if (m instanceof st.Linear) {
      f32Weights += m.weight.byteLength;
      other += m.bias?.byteLength ?? 0;
    } else other += modelBytes(m);
  }
  return { binaryWeights, f32Weights, other, file: st.saveBinary(inf).length };
}

export async function binary(opts: RunOptions): Promise<void> {
  let baseline = NaN;
  const f32WeightBytes = 4 * (784 * 300 + 300 * 100 + 100 * 10);
  for (const v of VARIANTS) {
    st.seed(0);
    const base = mlp();
    const model = v.options ? st.binarize(base, v.options) : base;
    const log = (e: number, acc: number, s: number) => !opts.json && console.log(`binary ${v.name} epoch ${e}: ${acc.toFixed(2)}%  ${s.toFixed(1)} s`);
    await fit(model, opts, log);
    const limit = opts.quick ? 2000 : Infinity;
    if (!v.options) {
      baseline = await evaluate(model, limit);
      const file = st.saveSafetensors(model.stateDict()).length;
      report({ experiment: 'binary', variant: v.name, accuracy: +baseline.toFixed(2), baseline: +baseline.toFixed(2), bytes: file, weightBytes: f32WeightBytes },
        opts, `binary ${v.name.padEnd(30)} ${baseline.toFixed(2)}%  weights ${f32WeightBytes} bytes, file ${file} bytes`);
      model.dispose();
      continue;
    }
    const trainForm = await evaluate(model, limit);
    const inf = st.toInference(model);
    const accuracy = await evaluate(inf, limit);
    const b = bytesOf(inf);
    const weights = b.binaryWeights + b.f32Weights;
    report(
      { experiment: 'binary', variant: v.name, accuracy: +accuracy.toFixed(2), baseline: +baseline.toFixed(2), bytes: b.file, trainFormAccuracy: +trainForm.toFixed(2), weightBytes: weights, binaryWeightBytes: b.binaryWeights, f32WeightBytes: b.f32Weights, otherBytes: b.other, weightRatio: +(f32WeightBytes / weights).toFixed(2) },
      opts,
      `binary ${v.name.padEnd(30)} ${accuracy.toFixed(2)}% (1-bit inference form; training form ${trainForm.toFixed(2)}%; f32 ${baseline.toFixed(2)}%)  weights ${weights} bytes = ${(f32WeightBytes / weights).toFixed(2)}× smaller (packed bits + α ${b.binaryWeights}, f32 ${b.f32Weights}), biases/BN ${b.other}, file ${b.file}${opts.quick ? '  [quick run: not comparable]' : ''}`,
    );
    inf.dispose();
    model.dispose();
    base.dispose();
  }
}
