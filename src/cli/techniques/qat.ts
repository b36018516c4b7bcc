// Quantization-aware training: fine-tune a copy of the model with fake int8 quantization
// (straight-through gradients) for --epochs at lr 1e-4, then convert to the integer model.
import * as st from '../../index.js';
import type { Technique } from '../technique.js';

const qat: Technique = {
  name: 'qat',
  summary: 'int8 quantization-aware training (st.prepareQat, fine-tune, st.convertQat)',
  order: 30,
  needsTraining: true,
  async run(ctx) {
    const copy = ctx.copy();
    const q = st.prepareQat(copy, {});
    try {
      await ctx.fit(q, { epochs: ctx.epochs, lr: 1e-4, label: 'qat fine-tune' });
      const model = st.convertQat(q);
      return { model, bytes: st.saveQuantized(model).length, save: () => st.saveQuantized(model), detail: `${ctx.epochs} epoch(s) at lr 1e-4`, dispose: () => model.dispose() };
    } finally {
      q.dispose(); // its learned scales; the wrapped copy is ours to free
      copy.dispose();
    }
  },
};
export default qat;
