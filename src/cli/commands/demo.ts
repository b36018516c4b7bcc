// slimtensor demo: train the demo MLP (784-300-100-10) on Fashion-MNIST when found, else on the
// built-in synthetic set, run every registered technique, print the table (and the HTML report).
import * as st from '../../index.js';
import { parseArgs, positiveInt, type OptionSpec } from '../args.js';
import { parseArch } from '../arch.js';
import { demoDataset, take, type Split } from '../data.js';
import { CliError } from '../errors.js';
import { writeAtomic } from '../files.js';
import { Progress, interrupt } from '../progress.js';
import { htmlReport } from '../report.js';
import { head } from '../samples.js';
import { table, type Row } from '../table.js';
import { techniques, type TechniqueContext } from '../technique.js';
import { accuracy, fit, latencies } from '../train.js';

export const DEMO_OPTIONS: OptionSpec = { data: 'string', synthetic: 'boolean', epochs: 'number', 'tune-epochs': 'number', only: 'string', report: 'string', json: 'boolean', quick: 'boolean' };

/** Fraction of exact zeros over the weight tensors (names ending in "weight"). */
export function weightSparsity(model: st.Module): number {
  let zeros = 0;
  let total = 0;
  for (const [name, t] of model.namedParameters()) {
    if (!name.endsWith('weight')) continue;
    const v = t.toTypedArray();
    for (let i = 0; i < v.length; i++) zeros += v[i] === 0 ? 1 : 0;
    total += v.length;
  }
  return total ? zeros / total : 0;
}

const heldOutOf = (split: Split, n: number) => {
  const part = take(split, n);
  return { x: head(part.x, n), y: st.tensor(Int32Array.from(part.y.data as ArrayLike<number>), [part.y.shape[0]!], 'i32') };
};

export async function demo(argv: string[]): Promise<void> {
  const all = await techniques();
  const spec: OptionSpec = { ...DEMO_OPTIONS, ...Object.assign({}, ...all.map((t) => t.options ?? {})) };
  const { positionals, options } = parseArgs(argv, spec, 'demo');
  if (positionals.length) throw new CliError(`demo: unexpected argument ${JSON.stringify(positionals[0])} (demo takes only options)`, 2);
  const json = options.json === true;
  const quick = options.quick === true;
  const progress = new Progress(json);
  const only = typeof options.only === 'string' ? options.only.split(',').map((s) => s.trim()) : undefined;
  const unknown = only?.filter((n) => !all.some((t) => t.name === n));
  if (unknown?.length) throw new CliError(`demo: --only names unknown technique ${unknown.join(', ')}; registered: ${all.map((t) => t.name).join(', ')}`, 2);
  const list = only ? all.filter((t) => only.includes(t.name)) : all;
  const epochs = positiveInt(options, 'epochs', quick ? 2 : 3, 'demo');
  const tuneEpochs = positiveInt(options, 'tune-epochs', 1, 'demo');
  const t0 = performance.now();

  const full = await demoDataset(options.data as string | undefined, options.synthetic === true);
  const data = quick ? { ...full, train: take(full.train, 2000), test: take(full.test, 1000) } : full;
  progress.log(`data: ${full.name}${quick ? ' (quick: 2000 train / 1000 test)' : ''}`);
  const arch = parseArch('784-300-100-10');
  st.seed(0);
  const base = arch.build(0);
  const tTrain = performance.now();
  await fit(base, data.train, arch.inShape, { epochs, label: 'train f32' }, progress);
  const trainSeconds = (performance.now() - tTrain) / 1000;
  const baseAcc = await accuracy(base, data.test, arch.inShape);
  const baseBytes = st.saveSafetensors(base.stateDict()).length;
  progress.log(`f32 ${arch.label}: ${baseAcc.toFixed(2)}% after ${epochs} epoch(s)`);

  const flat = (x: st.Samples): st.Samples => ({ data: x.data, shape: [x.shape[0]!, ...arch.inShape] });
  const calib = head(flat(data.train.x), 1024);
  const heldOut = heldOutOf({ x: flat(data.test.x), y: data.test.y }, 1000);
  const sample = head(flat(data.test.x), 1);
  const ctx: TechniqueContext = {
    base, arch, calib, heldOut, train: data.train, epochs: tuneEpochs, progress, options,
    copy: () => { const m = arch.build(0); m.loadStateDict(base.stateDict()); return m; },
    fit: (model, o) => fit(model, data.train, arch.inShape, { ...o, seed: 1 }, progress),
  };
  const rows: Row[] = [];
  const baseLatency: number[] = [];
  let sensitivity: st.LayerSensitivity[] | undefined;
  for (const t of list) {
    interrupt.check();
    progress.log(`${t.name}: ${t.summary}`);
    const s0 = performance.now();
    const r = await t.run(ctx);
    try {
      const seconds = (performance.now() - s0) / 1000;
      const acc = r.accuracy ?? (await accuracy(r.model, data.test, arch.inShape));
      const lat = await latencies([base, r.model], sample, quick ? 100 : 400);
      baseLatency.push(lat.ms[0]!);
      const latencyMs = r.latencyMs ?? lat.ms[1]!;
      const faster = r.latencyMs === undefined ? lat.faster[1]! : lat.ms[0]! / r.latencyMs;
      rows.push({ technique: t.name, detail: r.detail ?? '', accuracy: acc, delta: acc - baseAcc, bytes: r.bytes, smaller: baseBytes / r.bytes, latencyMs, faster, sparsity: r.sparsity, seconds });
      sensitivity ??= r.sensitivity;
    } finally {
      r.dispose();
    }
  }
  if (!list.length) baseLatency.push(...(await latencies([base], sample, quick ? 100 : 400)).ms);
  const bl = [...baseLatency].sort((a, b) => a - b)[baseLatency.length >> 1]!;
  rows.unshift({ technique: 'f32', detail: `${arch.label}, ${epochs} epoch(s) of Adam`, accuracy: baseAcc, delta: 0, bytes: baseBytes, smaller: 1, latencyMs: bl, faster: 1, sparsity: weightSparsity(base), seconds: trainSeconds });
  const seconds = (performance.now() - t0) / 1000;
  const result = { command: 'demo', dataset: full.name, quick, arch: arch.label, epochs, tuneEpochs, rows, sensitivity: sensitivity ?? [], seconds };
  if (typeof options.report === 'string') await writeAtomic(options.report, htmlReport(result));
  if (json) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    process.stdout.write(`\n${table(rows)}\n\n`);
    process.stdout.write(`data: ${full.name}${quick ? ' (quick subset)' : ''}; latency: median of batch-1 forwards; ×faster: median over rounds of t(f32)/t(technique), the two called in turn; total ${seconds.toFixed(1)} s\n`);
    if (typeof options.report === 'string') process.stdout.write(`report: ${options.report}\n`);
  }
  base.dispose();
  calib.dispose();
  heldOut.x.dispose();
  heldOut.y.dispose();
  sample.dispose();
}
