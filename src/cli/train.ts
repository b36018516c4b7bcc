// Training, evaluation and batch-1 latency for the CLI: Adam on cross-entropy with progress and
// Ctrl-C checks between steps.
import * as st from '../index.js';
import type { Split } from './data.js';
import { interrupt, type Progress } from './progress.js';

export interface FitOptions {
  epochs: number;
  lr?: number;
  batchSize?: number;
  seed?: number;
  /** Progress label, e.g. "train f32". */
  label: string;
  /** Called with the optimizer before the first step (e.g. to attach pruning masks). */
  onOptimizer?: (opt: st.Optimizer) => void;
}

/** Trains `model` (its parameters in place) on `data`, reshaping batches to [-1, ...inShape]. */
export async function fit(model: st.Module, data: Split, inShape: readonly number[], o: FitOptions, progress: Progress): Promise<void> {
  const loader = new st.DataLoader(data.x, { batchSize: o.batchSize ?? 128, labels: data.y, shuffle: true, seed: o.seed ?? 0 });
  const opt = new st.Adam(model.parameters(), { lr: o.lr ?? 1e-3 });
  o.onOptimizer?.(opt);
  const perEpoch = Math.ceil(data.x.shape[0]! / (o.batchSize ?? 128));
  let last = performance.now();
  try {
    model.train();
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      progress.start(`${o.label} epoch ${epoch}/${o.epochs}`, perEpoch);
      let step = 0;
      let lossSum = 0;
      for (const { x, y } of loader) {
        try {
          lossSum += st.tidy(() => {
            opt.zeroGrad();
            const loss = st.crossEntropy(model.forward(st.reshape(x, [-1, ...inShape])), y!);
            loss.backward();
            opt.step();
            return loss.item();
          });
        } finally {
          x.dispose();
          y!.dispose();
        }
        progress.update(++step, `loss ${(lossSum / step).toFixed(4)}`);
        if (performance.now() - last > 50) {
          last = performance.now();
          await interrupt.yield();
        }
      }
      progress.end(`loss ${(lossSum / step).toFixed(4)}`);
    }
  } finally {
    opt.zeroGrad();
    opt.dispose();
    loader.dispose();
    model.eval();
  }
}

/** Top-1 accuracy (%) of `model` on `data` in eval mode, batches of 1000. */
export async function accuracy(model: st.Module, data: Split, inShape: readonly number[]): Promise<number> {
  const loader = new st.DataLoader(data.x, { batchSize: 1000, labels: data.y });
  const wasTraining = model.training;
  model.eval();
  let correct = 0;
  try {
    for (const { x, y } of loader) {
      try {
        correct += st.tidy(() => st.noGrad(() => st.sum(st.cast(st.equal(st.cast(st.argmax(model.forward(st.reshape(x, [-1, ...inShape])), 1), 'f32'), st.cast(y!, 'f32')), 'f32')).item()));
      } finally {
        x.dispose();
        y!.dispose();
      }
      await interrupt.yield();
    }
  } finally {
    loader.dispose();
    model.train(wasTraining);
  }
  return (100 * correct) / data.x.shape[0]!;
}

/**
 * Batch-1 latency of `models`, timed call by call in turn (A, B, A, B, …) so that every model sees
 * the same machine load: the median ms per model, and per model the median over rounds of
 * (time of models[0]) / (its time), i.e. how much faster it is than the first.
 */
export async function latencies(models: st.Module[], sample: st.Tensor, rounds = 400): Promise<{ ms: number[]; faster: number[] }> {
  const times = models.map(() => new Float64Array(rounds));
  const once = (m: st.Module) => st.tidy(() => st.noGrad(() => { m.forward(sample); }));
  models.forEach((m) => { m.eval(); for (let i = 0; i < 20; i++) once(m); }); // warm-up
  for (let r = 0; r < rounds; r++) {
    models.forEach((m, i) => {
      const t0 = performance.now();
      once(m);
      times[i]![r] = performance.now() - t0;
    });
    if (r % 50 === 49) await interrupt.yield();
  }
  const median = (v: ArrayLike<number>) => Float64Array.from(v).sort()[v.length >> 1]!;
  return { ms: times.map(median), faster: times.map((t) => median(t.map((v, r) => times[0]![r]! / v))) };
}
