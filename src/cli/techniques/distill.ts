// Knowledge distillation into a smaller MLP (input → --student-hidden → classes), trained on the
// teacher's soft targets (default T = 2, α = 0.5) for 3×--epochs; stored as an f32 safetensors file.
import * as st from '../../index.js';
import { mlpSpec } from '../arch.js';
import { CliError } from '../errors.js';
import { interrupt } from '../progress.js';
import type { Technique } from '../technique.js';

const distill: Technique = {
  name: 'distill',
  summary: 'distillation into a smaller MLP (st.distill; --student-hidden 100, --temperature 2, --alpha 0.5)',
  order: 40,
  needsTraining: true,
  options: { 'student-hidden': 'number', temperature: 'number', alpha: 'number' },
  async run(ctx) {
    const hidden = ctx.options['student-hidden'] ?? 100;
    if (typeof hidden !== 'number' || !Number.isSafeInteger(hidden) || hidden < 1) throw new CliError(`--student-hidden must be a positive integer, received ${String(hidden)}`, 2);
    const temperature = Number(ctx.options.temperature ?? 2);
    const alpha = Number(ctx.options.alpha ?? 0.5);
    if (!(temperature > 0) || !(alpha >= 0 && alpha <= 1)) throw new CliError(`--temperature must be > 0 and --alpha in [0, 1], received ${temperature} and ${alpha}`, 2);
    const inputs = ctx.arch.inShape.reduce((a, b) => a * b, 1);
    const classes = ctx.arch.outShape.reduce((a, b) => a * b, 1);
    const spec = mlpSpec([inputs, hidden, classes]);
    const rng = new st.Rng(7);
    const student = new st.Sequential(new st.Linear(inputs, hidden, { rng }), new st.ReLU(), new st.Linear(hidden, classes, { rng }));
    const epochs = 3 * ctx.epochs;
    const n = ctx.train!.x.shape[0]!;
    const perEpoch = Math.ceil(n / 128);
    try {
      ctx.progress.start(`distill ${inputs}→${hidden}→${classes}`, perEpoch * epochs);
      await st.distill({
        teacher: ctx.base, student, data: ctx.train!, epochs, temperature, alpha, seed: 0,
        teacherShape: [-1, ...ctx.arch.inShape], studentShape: [-1, inputs],
        onStep: (step, loss) => { interrupt.check(); ctx.progress.update(step, `loss ${loss.toFixed(4)}`); },
        onEpoch: () => interrupt.yield(),
      });
      ctx.progress.end(`${epochs} epochs`);
    } catch (e) {
      student.dispose();
      throw e;
    }
    student.eval();
    // The student takes the teacher's input shape: flatten first.
    const model = new st.Sequential(new st.Flatten(), student);
    const save = () => st.saveSafetensors(student.stateDict(), { slimtensor_arch: JSON.stringify(spec) });
    return { model, bytes: save().length, save, detail: `student ${inputs}-${hidden}-${classes}, ${epochs} epochs, T ${temperature}, α ${alpha}`, dispose: () => model.dispose() };
  },
};
export default distill;
