// lowrank: the MLP 784-300-100-10 of `dense` (Adam 1e-3, 10 epochs, seed 0), its hidden Linears
// (784→300, 300→100) factored by truncated SVD to 25% and 50% of their weights, each with and without
// 2 epochs of fine-tuning (Adam 1e-3), and through randomizedSvd (2 power iterations) without.
// Accuracy on the 10,000 test images, parameters, safetensors bytes, and the batch-1 latency ratio
// dense/low-rank (medians of interleaved forward passes, same run).
import * as st from '../../src/index.js';
import { evaluate, report, train, type RunOptions } from './common.js';
import { mlp } from './dense.js';

/** Median seconds of one forward pass of x [1, 784] under noGrad, for each model; the models alternate in blocks. */
function latencies(models: st.Module[], quick: boolean): number[] {
  const x = st.normal([1, 784], 0.3, 0.3, { seed: 1 });
  const times = models.map(() => [] as number[]);
  const pass = (m: st.Module) => st.tidy(() => st.noGrad(() => m.forward(x)));
  for (const m of models) for (let i = 0; i < 200; i++) pass(m);
  for (let round = 0; round < (quick ? 4 : 20); round++) {
    models.forEach((m, j) => {
      for (let i = 0; i < 100; i++) {
        const t0 = performance.now();
        pass(m);
        times[j]!.push(performance.now() - t0);
      }
    });
  }
  x.dispose();
  return times.map((t) => t.sort((a, b) => a - b)[t.length >> 1]! / 1000);
}

export async function lowrank(opts: RunOptions): Promise<void> {
  const evalLimit = opts.quick ? 2000 : Infinity;
  st.seed(0);
  const dense = mlp();
  await train(dense, { epochs: opts.quick ? 1 : 10, ...(opts.quick ? { maxSteps: 300, evalLimit: 1000 } : {}) });
  dense.eval();
  const baseline = await evaluate(dense, evalLimit);
  const bytes = (m: st.Module) => st.saveSafetensors(m.stateDict()).length;
  const line = (variant: string, accuracy: number, m: st.Module, latencyRatio: number, extra: Record<string, unknown>, text: string) => report(
    { experiment: 'lowrank', variant, accuracy: +accuracy.toFixed(2), baseline: +baseline.toFixed(2), bytes: bytes(m), params: m.numParameters(), latencyRatio: +latencyRatio.toFixed(3), ...extra },
    opts,
    `lowrank ${variant.padEnd(16)} ${accuracy.toFixed(2)}%  Δ ${(accuracy - baseline).toFixed(2)}  ${String(m.numParameters()).padStart(7)} params  ${String(bytes(m)).padStart(8)} bytes  batch-1 ${latencyRatio.toFixed(2)}× dense${text}`,
  );
  line('dense', baseline, dense, 1, {}, opts.quick ? '  (quick run: not comparable)' : '');
  const variants: [number, number, boolean][] = [[0.25, 0, false], [0.25, 2, false], [0.5, 0, false], [0.5, 2, false], [0.25, 0, true], [0.5, 0, true]];
  for (const [fraction, epochs, randomized] of variants) {
    const copy = mlp();
    copy.loadStateDict(dense.stateDict());
    const t0 = performance.now();
    const model = st.lowRankModel(copy, { layers: ['0', '2'], paramsFraction: fraction, ...(randomized ? { randomized: true as const } : {}) });
    const factorSeconds = (performance.now() - t0) / 1000;
    const ranks = [(model.layers[0] as st.Sequential).layers[0] as st.Linear, (model.layers[2] as st.Sequential).layers[0] as st.Linear].map((l) => l.outFeatures);
    if (epochs > 0) await train(model, { epochs: opts.quick ? 1 : epochs, lr: 1e-3, ...(opts.quick ? { maxSteps: 100, evalLimit: 1000 } : {}) });
    model.eval();
    const accuracy = await evaluate(model, evalLimit);
    const [tDense, tLow] = latencies([dense, model], opts.quick);
    const variant = `params${fraction * 100}${randomized ? '-rsvd' : ''}${epochs ? `+ft${epochs}` : ''}`;
    line(variant, accuracy, model, tDense! / tLow!, { ranks, factorSeconds: +factorSeconds.toFixed(2), latencyMs: +(tLow! * 1000).toFixed(4), denseLatencyMs: +(tDense! * 1000).toFixed(4) },
      `  ranks ${ranks.join(', ')}  (SVD ${factorSeconds.toFixed(1)} s; median ${(tLow! * 1e6).toFixed(1)} µs vs ${(tDense! * 1e6).toFixed(1)} µs)`);
    model.dispose();
  }
  dense.dispose();
}
