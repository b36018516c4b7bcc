// dense: the MLP 784-300-100-10 (target ≥ 87.5% in 10 epochs) and the CNN conv32-conv64-fc128
// (target ≥ 90.5% in ≤ 8 epochs) on Fashion-MNIST, Adam 1e-3, batch 128, seed 0.
import * as st from '../../src/index.js';
import { modelBytes, report, train, type RunOptions } from './common.js';

export function mlp(): st.Sequential {
  return new st.Sequential(new st.Linear(784, 300), new st.ReLU(), new st.Linear(300, 100), new st.ReLU(), new st.Linear(100, 10));
}

async function run(variant: string, model: st.Module, epochs: number, reshapeTo: number[], target: number, opts: RunOptions): Promise<void> {
  const quick = opts.quick ? { maxSteps: 300, evalLimit: 2000 } : {};
  const r = await train(model, {
    epochs: opts.quick ? 1 : epochs,
    reshapeTo,
    ...quick,
    onEpoch: (e, acc, s) => !opts.json && console.log(`dense ${variant} epoch ${e}: test accuracy ${acc.toFixed(2)}%  ${s.toFixed(1)} s`),
  });
  const accuracy = r.accuracy[r.accuracy.length - 1]!;
  const epochSeconds = r.seconds.reduce((a, b) => a + b, 0) / r.seconds.length;
  report(
    { experiment: 'dense', variant, accuracy: +accuracy.toFixed(2), epochs: r.accuracy.length, epochSeconds: +epochSeconds.toFixed(2), params: model.numParameters(), bytes: modelBytes(model) },
    opts,
    `dense ${variant}: ${accuracy.toFixed(2)}% after ${r.accuracy.length} epoch(s) (target ≥ ${target}%${opts.quick ? ', quick run: not comparable' : ''}), ${epochSeconds.toFixed(1)} s/epoch, ${model.numParameters()} params, ${modelBytes(model)} bytes`,
  );
  model.dispose();
}

export async function dense(opts: RunOptions): Promise<void> {
  st.seed(0);
  await run('mlp-784-300-100-10', mlp(), 10, [-1, 784], 87.5, opts);
  st.seed(0);
  await run('cnn-c32-c64-fc128', cnn(), 8, [-1, 1, 28, 28], 90.5, opts);
}

/** conv 3×3 32 → ReLU → maxpool 2 → conv 3×3 64 → ReLU → maxpool 2 → fc 128 → ReLU → fc 10 (the distillation teacher). */
export function cnn(): st.Sequential {
  return new st.Sequential(
    new st.Conv2d(1, 32, 3, { padding: 1 }), new st.ReLU(), new st.MaxPool2d(2),
    new st.Conv2d(32, 64, 3, { padding: 1 }), new st.ReLU(), new st.MaxPool2d(2),
    new st.Flatten(), new st.Linear(64 * 7 * 7, 128), new st.ReLU(), new st.Linear(128, 10),
  );
}
