// slimtensor eval <model> [--arch A] --data <images> --labels <labels>: accuracy and batch-1 latency.
import { parseArgs } from '../args.js';
import { CliError } from '../errors.js';
import { loadAny } from '../model.js';
import { asInputs, asLabels, head, readArray } from '../samples.js';
import { fmtBytes, fmtLatency } from '../table.js';
import { accuracy, latencies } from '../train.js';

export async function evaluate(argv: string[]): Promise<void> {
  const { positionals, options } = parseArgs(argv, { arch: 'string', data: 'string', labels: 'string', json: 'boolean' }, 'eval');
  if (positionals.length !== 1) throw new CliError('eval: usage: slimtensor eval <model.safetensors> [--arch <spec|file.json>] --data <images> --labels <labels>', 2);
  for (const req of ['data', 'labels']) if (typeof options[req] !== 'string') throw new CliError(`eval: --${req} is required`, 2);
  const loaded = await loadAny(positionals[0]!, options.arch as string | undefined);
  try {
    const x = asInputs(await readArray(options.data as string, '--data'), loaded.inShape, '--data');
    const data = { x, y: asLabels(await readArray(options.labels as string, '--labels'), x.shape[0]!, loaded.classes, '--labels') };
    const acc = await accuracy(loaded.model, data, loaded.inShape);
    const sample = head(x, 1);
    const { ms: [ms] } = await latencies([loaded.model], sample);
    sample.dispose();
    const result = { command: 'eval', model: positionals[0], kind: loaded.kind, bytes: loaded.bytes, samples: x.shape[0], accuracy: acc, latencyMs: ms! };
    if (options.json === true) process.stdout.write(`${JSON.stringify(result)}\n`);
    else process.stdout.write(`${positionals[0]} (${loaded.kind}, ${fmtBytes(loaded.bytes)} bytes): accuracy ${acc.toFixed(2)}% on ${x.shape[0]} samples; batch-1 latency ${fmtLatency(ms!)} (median)\n`);
  } finally {
    loaded.model.dispose();
  }
}
