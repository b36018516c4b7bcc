// lottery: lottery tickets on the MLP 784-300-100-10 (Frankle & Carbin 2019): per round prune 20% / 20% / 10%
// (hidden, hidden, output) of the remaining weights by magnitude until ~7% remain, rewinding survivors to
// init or to iteration 500; the control re-initializes randomly under the same masks. Targets: the ticket at
// ~10.7% remaining ≥ 87.5% and ≥ 1.5 points above random re-initialization.
import * as st from '../../src/index.js';
import { evaluate, modelBytes, report, train, type RunOptions } from './common.js';
import { mlp } from './dense.js';
import { csrBytes, CSR_LABEL } from './prune.js';

const RATES = { '0.weight': 0.2, '2.weight': 0.2, '4.weight': 0.1 };

export async function lottery(opts: RunOptions): Promise<void> {
  const rounds = opts.quick ? 3 : 12;
  const epochs = opts.quick ? 1 : 5; // 38 trainings × 5 epochs ≈ 190 MLP epochs: ~15 min at 4.5 s/epoch
  const steps = opts.quick ? { maxSteps: 120 } : {};
  const evalLimit = opts.quick ? 2000 : Infinity;
  const iteration = opts.quick ? 50 : 500;
  const log = (s: string) => !opts.json && console.log(s);
  log(`lottery: ${rounds} rounds, ${opts.quick ? `${steps.maxSteps} steps` : `${epochs} epochs`} per round (Adam 1e-3, batch 128); ${CSR_LABEL}`);
  const trainRound = async ({ model, round, attach }: st.LotteryContext) => {
    // evalLimit 1: the per-epoch accuracy of train() is unused here; evaluate() runs once per round.
    await train(model, { epochs, ...steps, evalLimit: 1, seed: round, onOptimizer: (opt) => attach(opt) });
  };
  const copyMasks = (p: st.Pruner) => Object.fromEntries(Object.entries(p.entries()).map(([k, t]) => [k, st.keep(st.cast(t, 'u8'))]));
  /** masks[v][r]: the masks variant v trained under in round r (r ≥ 1). */
  const masks: Record<string, Record<string, st.Tensor>[]> = {};
  let denseAccuracy = 0;
  for (const [variant, rewind] of [['rewind-init', 'init'], [`rewind-iter${iteration}`, { iteration }]] as const) {
    st.seed(0);
    const model = mlp();
    const byRound: Record<string, st.Tensor>[] = (masks[variant] = []);
    const t0 = performance.now();
    const ticket = await st.lotteryTicket({
      model, rounds, ratePerRound: 0.2, layerRates: RATES, rewind, train: trainRound,
      evaluate: (m) => evaluate(m, evalLimit),
      onRound: ({ round, pruner }) => { if (round.round < rounds) byRound[round.round + 1] = copyMasks(pruner); },
    });
    const baseline = ticket.report[0]!.accuracy!;
    if (variant === 'rewind-init') denseAccuracy = baseline;
    for (const r of ticket.report) {
      const bytes = r.round === 0 ? modelBytes(model) : csrBytes(model, byRound[r.round]!);
      report(
        { experiment: 'lottery', variant, round: r.round, accuracy: +r.accuracy!.toFixed(2), baseline: +baseline.toFixed(2), bytes, sparsity: +(1 - r.remaining).toFixed(4), remaining: +r.remaining.toFixed(4) },
        opts,
        `lottery ${variant} round ${r.round}: ${(100 * r.remaining).toFixed(2)}% remaining, ${r.accuracy!.toFixed(2)}% (dense ${baseline.toFixed(2)}%), ${bytes} bytes${r.round ? ' (CSR, computed)' : ' (dense f32)'}${opts.quick ? ', quick run: not comparable' : ''}`,
      );
    }
    log(`lottery ${variant}: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    Object.values(ticket.weights).forEach((w) => w.dispose());
    ticket.pruner.dispose();
    model.dispose();
  }
  // Control: round r's masks of the rewind-init ticket on a fresh random initialization.
  const t0 = performance.now();
  const ref = masks['rewind-init']!;
  for (let r = 1; r <= rounds; r++) {
    st.seed(1000 + r);
    const shape = mlp();
    const accuracy = await st.randomReinit({ create: () => (st.seed(1000 + r), mlp()), masks: ref[r]!, train: (ctx) => trainRound({ ...ctx, round: r }), evaluate: (m) => evaluate(m, evalLimit) });
    const bytes = csrBytes(shape, ref[r]!);
    shape.dispose();
    const kept = Object.values(ref[r]!).reduce((n, t) => n + (t.toTypedArray() as Uint8Array).reduce((a, b) => a + b, 0), 0);
    const remaining = kept / Object.values(ref[r]!).reduce((n, t) => n + t.size, 0);
    report(
      { experiment: 'lottery', variant: 'random-reinit', round: r, accuracy: +accuracy.toFixed(2), baseline: +denseAccuracy.toFixed(2), bytes, sparsity: +(1 - remaining).toFixed(4), remaining: +remaining.toFixed(4) },
      opts,
      `lottery random-reinit round ${r}: ${(100 * remaining).toFixed(2)}% remaining, ${accuracy.toFixed(2)}%, ${bytes} bytes (CSR, computed)${opts.quick ? ', quick run: not comparable' : ''}`,
    );
  }
  log(`lottery random-reinit: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  for (const list of Object.values(masks)) for (const m of list) if (m) Object.values(m).forEach((t) => t.dispose());
}
