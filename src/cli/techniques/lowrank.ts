// Low-rank factorization: every Linear but the last becomes two (in→r→out) holding --params-fraction
// (default 0.25) of its weights, from the SVD of the trained weight; then fine-tuned.
import * as st from '../../index.js';
import { specOf } from '../arch.js';
import { CliError } from '../errors.js';
import type { Technique } from '../technique.js';

const lowrank: Technique = {
  name: 'lowrank',
  summary: 'low-rank factorization of the hidden Linears by SVD, fine-tuned (--params-fraction 0.25)',
  order: 70,
  needsTraining: true,
  options: { 'params-fraction': 'number' },
  async run(ctx) {
    const fraction = Number(ctx.options['params-fraction'] ?? 0.25);
    if (!(fraction > 0 && fraction < 1)) throw new CliError(`--params-fraction must be in (0, 1), received ${String(ctx.options['params-fraction'])}`, 2);
    const copy = ctx.copy();
    const linears = st.leafModules(copy).filter(([, m]) => m instanceof st.Linear).map(([n]) => n);
    if (linears.length < 2) {
      copy.dispose();
      throw new CliError('lowrank: the model needs a Linear before its output layer to factor', 1);
    }
    const model = st.lowRankModel(copy, { layers: linears.slice(0, -1), paramsFraction: fraction });
    try {
      await ctx.fit(model, { epochs: ctx.epochs, label: 'lowrank fine-tune' });
    } catch (e) {
      model.dispose();
      throw e;
    }
    model.eval();
    const { spec, flat } = specOf(model, ctx.arch.inShape);
    const save = () => st.saveSafetensors(flat.stateDict(), { slimtensor_arch: JSON.stringify(spec) });
    const ranks = st.leafModules(model).filter(([, m]) => m instanceof st.Linear).map(([, m]) => (m as st.Linear).outFeatures);
    return { model, bytes: save().length, save, detail: `${Math.round(fraction * 100)}% of the hidden weights, widths ${ranks.join('/')}`, dispose: () => model.dispose() };
  },
};
export default lowrank;
