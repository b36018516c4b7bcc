// Global magnitude pruning to --sparsity (default 0.9) of every Linear weight, fine-tuned with the
// masks attached, then stored and run sparse (st.sparsify: CSR where it pays, ReLU fused).
import * as st from '../../index.js';
import { CliError } from '../errors.js';
import type { Technique } from '../technique.js';

const prune: Technique = {
  name: 'prune',
  summary: 'global magnitude pruning, fine-tuned with masks, stored and run sparse (--sparsity 0.9)',
  order: 50,
  needsTraining: true,
  options: { sparsity: 'number' },
  async run(ctx) {
    const sparsity = Number(ctx.options.sparsity ?? 0.9);
    if (!(sparsity > 0 && sparsity < 1)) throw new CliError(`--sparsity must be in (0, 1), received ${String(ctx.options.sparsity)}`, 2);
    const copy = ctx.copy();
    const pruner = new st.Pruner(copy);
    try {
      pruner.magnitude(sparsity, { scope: 'global' });
      await ctx.fit(copy, { epochs: ctx.epochs, label: `prune ${Math.round(sparsity * 100)}% fine-tune`, onOptimizer: (opt) => pruner.attach(opt) });
      copy.eval();
      const model = st.sparsify(copy);
      const stats = pruner.stats();
      return { model, bytes: model.save().length, save: () => model.save(), sparsity: stats.sparsity, detail: `${(100 * stats.sparsity).toFixed(1)}% of weights zero, layers ${Object.values(model.formats()).join('/')}`, dispose: () => model.dispose() };
    } finally {
      pruner.dispose();
      copy.dispose();
    }
  },
};
export default prune;
