#!/usr/bin/env node
/// <reference types="node" />
// The slimtensor command line: demo, compress, eval, inspect. Errors are one line on stderr with a
// non-zero exit (2 for usage); Ctrl-C stops after the current step, writes nothing, exits 130.
import * as st from '../index.js';
import { compress } from './commands/compress.js';
import { demo } from './commands/demo.js';
import { evaluate } from './commands/eval.js';
import { inspect } from './commands/inspect.js';
import { CliError, Interrupted, oneLine } from './errors.js';
import { interrupt } from './progress.js';
import { techniques } from './technique.js';

async function help(): Promise<string> {
  const list = (await techniques()).map((t) => `  --${t.name.padEnd(10)} ${t.summary}${t.needsTraining ? ' [needs --data/--labels]' : ''}`).join('\n');
  return `slimtensor: compress a neural network and show the result

  slimtensor demo [--data DIR] [--synthetic] [--epochs N] [--tune-epochs N] [--only a,b] [--report FILE.html] [--json] [--quick]
      Trains the MLP 784-300-100-10 on Fashion-MNIST (--data DIR, $FASHION_MNIST_DIR or
      /usr/share/datasets/fashion-mnist) or else on a built-in synthetic set, runs every technique,
      prints accuracy, size and batch-1 latency against f32.
  slimtensor compress <model.safetensors> --arch <784-300-100-10|arch.json> --calib <file> --<technique> --out <file>
      [--data <images> --labels <labels>] [--epochs N] [--calib-samples N] [--json]
  slimtensor eval <model.safetensors> [--arch ...] --data <images> --labels <labels> [--json]
  slimtensor inspect <file.safetensors> [--json]

Techniques:
${list}

Arrays (--calib, --data, --labels): IDX files (plain or .gz), .npy, or a safetensors file holding one tensor;
u8 inputs are scaled by 1/255. --arch: an MLP spec (Linear layers with ReLU between) or a JSON file
{ "input": [1, 28, 28], "layers": [{ "type": "conv2d", "in": 1, "out": 8, "kernel": 3 }, { "type": "relu" }, ...] }
(types: linear, conv2d, relu, gelu, tanh, sigmoid, flatten, dropout, maxpool, avgpool, batchnorm1d, batchnorm2d).
`;
}

const COMMANDS: Record<string, (argv: string[]) => Promise<void>> = { demo, compress, eval: evaluate, inspect };

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(await help());
    return 0;
  }
  const run = COMMANDS[command];
  if (!run) throw new CliError(`unknown command ${JSON.stringify(command)}; commands: ${Object.keys(COMMANDS).join(', ')} (see \`slimtensor help\`)`, 2);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(await help());
    return 0;
  }
  await st.init();
  await run(rest);
  return 0;
}

process.on('SIGINT', () => {
  if (interrupt.stop) process.exit(130); // a second Ctrl-C: now
  interrupt.stop = true;
});

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    if (e instanceof Interrupted) {
      process.stderr.write('slimtensor: interrupted; nothing was written\n');
      process.exitCode = 130;
    } else if (e instanceof CliError) {
      process.stderr.write(`slimtensor: ${e.message}\n`);
      process.exitCode = e.exitCode;
    } else if (e instanceof st.SlimError) {
      process.stderr.write(`slimtensor: ${e.code}: ${oneLine(e.message)}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`slimtensor: internal error: ${oneLine(String((e as Error)?.message ?? e))}${process.env.SLIMTENSOR_DEBUG ? `\n${(e as Error)?.stack}` : ' (SLIMTENSOR_DEBUG=1 shows the stack)'}\n`);
      process.exitCode = 70;
    }
  },
);
