// slimtensor compress <model.safetensors> --arch A --calib FILE --int8|--int4|--qat|--distill --out FILE
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import * as st from '../../index.js';
import { parseArgs, positiveInt, type OptionSpec } from '../args.js';
import { parseArch } from '../arch.js';
import type { Split } from '../data.js';
import { CliError } from '../errors.js';
import { writeAtomic } from '../files.js';
import { loadF32 } from '../model.js';
import { Progress, interrupt } from '../progress.js';
import { asInputs, asLabels, head, readArray } from '../samples.js';
import { fmtBytes } from '../table.js';
import { techniques, type TechniqueContext } from '../technique.js';
import { accuracy, fit } from '../train.js';

export async function compress(argv: string[]): Promise<void> {
  const all = await techniques();
  const spec: OptionSpec = {
    arch: 'string', calib: 'string', out: 'string', data: 'string', labels: 'string', epochs: 'number', 'calib-samples': 'number', json: 'boolean',
    ...Object.fromEntries(all.map((t) => [t.name, 'boolean'])), ...Object.assign({}, ...all.map((t) => t.options ?? {})),
  };
  const { positionals, options } = parseArgs(argv, spec, 'compress');
  const usage = `usage: slimtensor compress <model.safetensors> --arch <spec|file.json> --calib <file> --${all.map((t) => t.name).join('|--')} --out <file>`;
  if (positionals.length !== 1) throw new CliError(positionals.length ? `compress: one model file expected, received ${positionals.length}: ${positionals.join(' ')}` : `compress: no model file given; ${usage}`, 2);
  for (const req of ['arch', 'calib', 'out']) if (typeof options[req] !== 'string') throw new CliError(`compress: --${req} is required; ${usage}`, 2);
  const chosen = all.filter((t) => options[t.name] === true);
  if (chosen.length !== 1) throw new CliError(`compress: choose exactly one technique (--${all.map((t) => t.name).join(', --')}), received ${chosen.length ? chosen.map((t) => `--${t.name}`).join(' ') : 'none'}`, 2);
  const technique = chosen[0]!;
  if ((options.data === undefined) !== (options.labels === undefined)) throw new CliError('compress: --data and --labels go together', 2);
  if (technique.needsTraining && options.data === undefined) throw new CliError(`compress: --${technique.name} trains the model: give labeled training data with --data <images> --labels <labels>`, 2);
  const out = resolve(options.out as string);
  if (!existsSync(dirname(out)) || !statSync(dirname(out)).isDirectory()) throw new CliError(`--out: the directory ${dirname(out)} does not exist`);
  if (existsSync(out) && statSync(out).isDirectory()) throw new CliError(`--out: ${out} is a directory`);
  const json = options.json === true;
  const progress = new Progress(json);
  const epochs = positiveInt(options, 'epochs', 1, 'compress');
  const calibN = positiveInt(options, 'calib-samples', 1024, 'compress');

  const arch = parseArch(options.arch as string);
  const loaded = await loadF32(positionals[0]!, arch);
  const calibSamples = asInputs(await readArray(options.calib as string, '--calib'), arch.inShape, '--calib');
  let train: Split | undefined;
  if (options.data !== undefined) {
    const x = asInputs(await readArray(options.data as string, '--data'), arch.inShape, '--data');
    train = { x, y: asLabels(await readArray(options.labels as string, '--labels'), x.shape[0]!, loaded.classes, '--labels') };
  }
  const calib = head(calibSamples, calibN);
  const heldOut = train ? { x: head(train.x, 1000), y: st.tensor(Int32Array.from(train.y.data.subarray(0, 1000) as ArrayLike<number>), [Math.min(1000, train.y.shape[0]!)], 'i32') } : undefined;
  const ctx: TechniqueContext = {
    base: loaded.model, arch, calib, heldOut, train, epochs, progress, options,
    copy: () => { const m = arch.build(0); m.loadStateDict(loaded.model.stateDict()); return m; },
    fit: (model, o) => fit(model, train!, arch.inShape, { ...o, seed: 1 }, progress),
  };
  const t0 = performance.now();
  progress.log(`${technique.name}: ${technique.summary}`);
  const r = await technique.run(ctx);
  try {
    interrupt.check();
    const file = r.save();
    const summary: Record<string, unknown> = { command: 'compress', technique: technique.name, detail: r.detail ?? '', input: positionals[0], out: options.out, inputBytes: loaded.bytes, bytes: file.length, smaller: loaded.bytes / file.length, seconds: (performance.now() - t0) / 1000 };
    if (train) {
      summary.trainAccuracyF32 = await accuracy(loaded.model, train, arch.inShape);
      summary.trainAccuracy = await accuracy(r.model, train, arch.inShape);
    }
    interrupt.check();
    await writeAtomic(out, file);
    if (json) process.stdout.write(`${JSON.stringify(summary)}\n`);
    else {
      const acc = train ? `; accuracy on --data ${(summary.trainAccuracyF32 as number).toFixed(2)}% → ${(summary.trainAccuracy as number).toFixed(2)}%` : '';
      process.stdout.write(`${technique.name}: ${positionals[0]} ${fmtBytes(loaded.bytes)} bytes → ${options.out} ${fmtBytes(file.length)} bytes (${(loaded.bytes / file.length).toFixed(2)}× smaller)${acc}\n`);
    }
  } finally {
    r.dispose();
    loaded.model.dispose();
    calib.dispose();
    heldOut?.x.dispose();
    heldOut?.y.dispose();
  }
}
