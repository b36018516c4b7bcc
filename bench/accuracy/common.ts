// Shared pieces of the accuracy experiments: Fashion-MNIST, a training loop, evaluation, reporting.
import * as st from '../../src/index.js';
import { fashionMnist, type FashionMnist } from '../../src/node/index.js';

export interface RunOptions { quick: boolean; json: boolean }

export interface Result {
  experiment: string;
  variant: string;
  accuracy: number;
  [key: string]: unknown;
}

let cached: FashionMnist | undefined;
export async function data(): Promise<FashionMnist> {
  cached ??= await fashionMnist();
  return cached;
}

/** Test accuracy (%) of `model` in eval mode over the first `limit` test images. */
export async function evaluate(model: st.Module, limit = Infinity, reshapeTo: number[] = [-1, 784]): Promise<number> {
  const { test } = await data();
  const n = Math.min(limit, test.labels.shape[0]!);
  const loader = new st.DataLoader({ data: test.images.data.subarray(0, n * 784), shape: [n, 28, 28] }, { batchSize: 1000, labels: { data: test.labels.data.subarray(0, n), shape: [n] } });
  const wasTraining = model.training;
  model.eval();
  let correct = 0;
  try {
    for (const { x, y } of loader) {
      correct += st.tidy(() => st.noGrad(() => st.sum(st.cast(st.equal(st.cast(st.argmax(model.forward(st.reshape(x, reshapeTo)), 1), 'f32'), st.cast(y!, 'f32')), 'f32')).item()));
      x.dispose();
      y!.dispose();
    }
  } finally {
    loader.dispose();
    model.train(wasTraining);
  }
  return (100 * correct) / n;
}

export interface TrainOptions {
  epochs: number;
  /** Stop after this many steps in total (quick runs). */
  maxSteps?: number;
  lr?: number;
  batchSize?: number;
  seed?: number;
  /** Input shape per batch, e.g. [-1, 784] for an MLP or [-1, 1, 28, 28] for a CNN. */
  reshapeTo?: number[];
  /** Called after each epoch with its accuracy and seconds. */
  onEpoch?: (epoch: number, accuracy: number, seconds: number) => void;
  evalLimit?: number;
  /** Called with the optimizer before training (e.g. to attach pruning masks). */
  onOptimizer?: (opt: st.Optimizer) => void;
}

/** Adam on cross-entropy over Fashion-MNIST train; returns per-epoch accuracy and seconds. */
export async function train(model: st.Module, o: TrainOptions): Promise<{ accuracy: number[]; seconds: number[] }> {
  const { train: tr } = await data();
  const reshapeTo = o.reshapeTo ?? [-1, 784];
  const loader = new st.DataLoader(tr.images, { batchSize: o.batchSize ?? 128, labels: tr.labels, shuffle: true, seed: o.seed ?? 0 });
  const opt = new st.Adam(model.parameters(), { lr: o.lr ?? 1e-3 });
  o.onOptimizer?.(opt);
  const accuracy: number[] = [];
  const seconds: number[] = [];
  let steps = 0;
  try {
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const t0 = performance.now();
      model.train();
      for (const { x, y } of loader) {
        st.tidy(() => {
          opt.zeroGrad();
          st.crossEntropy(model.forward(st.reshape(x, reshapeTo)), y!).backward();
          opt.step();
        });
        x.dispose();
        y!.dispose();
        if (o.maxSteps !== undefined && ++steps >= o.maxSteps) break;
      }
      seconds.push((performance.now() - t0) / 1000);
      accuracy.push(await evaluate(model, o.evalLimit, reshapeTo));
      o.onEpoch?.(epoch + 1, accuracy[epoch]!, seconds[epoch]!);
      if (o.maxSteps !== undefined && steps >= o.maxSteps) break;
    }
  } finally {
    opt.dispose();
    loader.dispose();
  }
  return { accuracy, seconds };
}

/** Bytes of the model's parameters and buffers as stored (f32: 4 per element). */
export function modelBytes(model: st.Module): number {
  return Object.values(model.stateDict()).reduce((b, t) => b + t.byteLength, 0);
}

export function report(r: Result, opts: RunOptions, text: string): void {
  console.log(opts.json ? JSON.stringify(r) : text);
}
