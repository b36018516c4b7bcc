// A short lottery-ticket run (Frankle & Carbin 2019): from a fresh initialization, --rounds (3) of
// train → prune --rate (0.5) of each hidden layer's remaining weights (half that in the output layer)
// → rewind to init; the ticket is then trained once more under its masks and stored and run sparse
// (st.sparsify). The paper prunes 20% per round over more rounds; a demo has time for three.
import * as st from '../../index.js';
import { CliError } from '../errors.js';
import type { Technique } from '../technique.js';

const lottery: Technique = {
  name: 'lottery',
  summary: 'lottery ticket: rounds of train, prune, rewind to init; the ticket retrained under its masks (--rounds 3, --rate 0.5)',
  order: 60,
  needsTraining: true,
  options: { rounds: 'number', rate: 'number' },
  async run(ctx) {
    const rounds = Number(ctx.options.rounds ?? 3);
    if (!Number.isSafeInteger(rounds) || rounds < 1) throw new CliError(`--rounds must be a positive integer, received ${String(ctx.options.rounds)}`, 2);
    const rate = Number(ctx.options.rate ?? 0.5);
    if (!(rate > 0 && rate < 1)) throw new CliError(`--rate must be in (0, 1), received ${String(ctx.options.rate)}`, 2);
    const model = ctx.arch.build(11); // a fresh initialization: the ticket rewinds to it
    const weights = st.leafModules(model).filter(([, m]) => m instanceof st.Linear || m instanceof st.Conv2d).map(([n]) => `${n}.weight`);
    const layerRates = weights.length > 1 ? { [weights.at(-1)!]: rate / 2 } : {};
    let ticket: st.LotteryTicket | null = null;
    try {
      ticket = await st.lotteryTicket({
        model, rounds, ratePerRound: rate, layerRates, rewind: 'init',
        train: (l) => ctx.fit(l.model, { epochs: ctx.epochs, label: `lottery round ${l.round}`, onOptimizer: (opt) => l.attach(opt) }),
      });
      model.loadStateDict(ticket.weights, { strict: false });
      const pruner = ticket.pruner;
      await ctx.fit(model, { epochs: ctx.epochs, label: 'lottery ticket', onOptimizer: (opt) => pruner.attach(opt) });
      model.eval();
      const sparse = st.sparsify(model);
      const remaining = 1 - pruner.stats().sparsity;
      return {
        model: sparse, bytes: sparse.save().length, save: () => sparse.save(), sparsity: 1 - remaining,
        detail: `${rounds} rounds of ${Math.round(rate * 100)}%, ${(100 * remaining).toFixed(1)}% of weights remain, rewound to init`, dispose: () => sparse.dispose(),
      };
    } finally {
      if (ticket) {
        ticket.pruner.dispose();
        Object.values(ticket.weights).forEach((t) => t.dispose());
      }
      model.dispose();
    }
  },
};
export default lottery;
