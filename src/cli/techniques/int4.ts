// int4 weight-only: Linear weights in groups of --group-size (32, 64, 128) with f16 scales, f32 activations.
import * as st from '../../index.js';
import { CliError } from '../errors.js';
import { calibrate, type Technique } from '../technique.js';

const int4: Technique = {
  name: 'int4',
  summary: 'int4 weight-only quantization of Linear layers (config dtype int4; --group-size 32|64|128)',
  order: 20,
  options: { 'group-size': 'number' },
  async run(ctx) {
    const groupSize = ctx.options['group-size'] ?? 32;
    if (groupSize !== 32 && groupSize !== 64 && groupSize !== 128) throw new CliError(`--group-size must be 32, 64 or 128, received ${String(groupSize)}`, 2);
    const prepared = st.prepare(ctx.base, { byType: { Linear: { dtype: 'int4', groupSize } } });
    calibrate(prepared, ctx.calib);
    const model = st.convert(prepared);
    return { model, bytes: st.saveQuantized(model).length, save: () => st.saveQuantized(model), detail: `groups of ${groupSize}`, dispose: () => model.dispose() };
  },
};
export default int4;
