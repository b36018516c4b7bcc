// BinaryConnect (Courbariaux et al. 2015): every Linear binarized (sign with a straight-through
// estimator, α = mean|W| per output row, BatchNorm after each hidden layer), trained from the f32
// weights for 3×--epochs with latent weights clipped to [−1, 1], then stored at 1 bit per weight
// (st.toInference folds the BatchNorms; st.saveBinary) and run by the ±x kernels.
import * as st from '../../index.js';
import type { Technique } from '../technique.js';

const binary: Technique = {
  name: 'binary',
  summary: 'BinaryConnect: 1-bit weights with per-row scales, trained with a straight-through estimator (st.binarize)',
  order: 80,
  needsTraining: true,
  async run(ctx) {
    const copy = ctx.copy();
    const model = st.binarize(copy, { mode: 'binaryconnect', batchNorm: true });
    copy.dispose();
    let inference: st.Sequential;
    try {
      const epochs = 3 * ctx.epochs;
      await ctx.fit(model, { epochs, label: 'binary', onOptimizer: (opt) => opt.onStep(() => st.clipLatentWeights(model)) });
      model.eval();
      inference = st.toInference(model);
    } finally {
      model.dispose();
    }
    const save = () => st.saveBinary(inference);
    return { model: inference, bytes: save().length, save, detail: `all Linears 1-bit, ${3 * ctx.epochs} epochs`, dispose: () => inference.dispose() };
  },
};
export default binary;
