// Static int8 PTQ: per-channel int8 weights, activations calibrated by min/max observers.
import * as st from '../../index.js';
import { calibrate, type Technique } from '../technique.js';

const int8: Technique = {
  name: 'int8',
  summary: 'static int8 post-training quantization (st.prepare, calibrate, st.convert)',
  order: 10,
  async run(ctx) {
    const prepared = st.prepare(ctx.base, {});
    calibrate(prepared, ctx.calib);
    const model = st.convert(prepared);
    const sensitivity = ctx.heldOut ? st.sensitivity(prepared, ctx.heldOut) : undefined;
    return { model, bytes: st.saveQuantized(model).length, save: () => st.saveQuantized(model), sensitivity, detail: 'per-channel weights, min/max activations', dispose: () => model.dispose() };
  },
};
export default int8;
