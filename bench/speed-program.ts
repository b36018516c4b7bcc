// The compressed models against their f32 originals, timed inside one runtime: the batch-1 MLP
// 784-300-100-10 and CNN of `npm run bench -- mlp-infer`, as a user deploys them (a QuantizedModel, a
// SparseModel or a binary inference model: one call each), and the MLP binarized and factorized. Runtime-neutral like test/program.ts (it takes the library and a
// clock as arguments), so `npm run bench:runtimes` runs the same file in Node, Deno, Bun, Chromium
// and workerd, and checks that every compressed model beats f32 in each of them.
import type * as Slim from '../src/index.js';
import { randomF32 } from './random.js';

type Lib = typeof Slim;

/**
 * now(): milliseconds. settle(): lets the clock catch up where it only advances between events
 * (workerd freezes time while a request computes; an awaited timer moves it to the present).
 */
export interface Clock { now(): number; settle(): Promise<void> }

export interface SpeedCase {
  /** Best time per call over the rounds, µs, of the compressed model and of its f32 original. */
  us: number;
  f32Us: number;
  /** f32 time / compressed time: the speed-up. */
  ratio: number;
}

export interface SpeedOptions {
  /** Interleaved rounds per case (default 5); each round times every variant once. */
  rounds?: number;
  /** Length of one timed block, ms (default 40: long enough for a 1 ms clock). */
  blockMs?: number;
}

/** Runs `fn` in blocks of about blockMs; returns the best µs per call over `rounds` rounds, all variants interleaved. */
async function timeAll(clock: Clock, variants: Record<string, () => void>, rounds: number, blockMs: number): Promise<Record<string, number>> {
  const reps: Record<string, number> = {};
  for (const [name, fn] of Object.entries(variants)) {
    for (let i = 0; i < 3; i++) fn(); // warm-up: the engines' optimizing tiers
    let n = 1;
    for (;;) {
      await clock.settle();
      const t0 = clock.now();
      for (let i = 0; i < n; i++) fn();
      await clock.settle();
      const ms = clock.now() - t0;
      if (ms >= blockMs / 4 || n >= 1 << 20) {
        reps[name] = Math.max(1, Math.ceil((n * blockMs) / Math.max(ms, 1e-3)));
        break;
      }
      n *= 4;
    }
  }
  const best: Record<string, number> = {};
  for (let r = 0; r < rounds; r++) {
    const names = Object.keys(variants);
    for (const name of r % 2 === 0 ? names : names.reverse()) {
      const fn = variants[name]!;
      const n = reps[name]!;
      await clock.settle();
      const t0 = clock.now();
      for (let i = 0; i < n; i++) fn();
      await clock.settle();
      const us = ((clock.now() - t0) * 1000) / n;
      best[name] = Math.min(best[name] ?? Infinity, us);
    }
  }
  return best;
}

/** Times every compressed variant against its f32 model; the library must be initialized. */
export async function speedProgram(st: Lib, clock: Clock, options: SpeedOptions = {}): Promise<Record<string, SpeedCase>> {
  const rounds = options.rounds ?? 5;
  const blockMs = options.blockMs ?? 40;
  const owned: { dispose(): void }[] = [];
  const own = <T extends { dispose(): void }>(x: T): T => (owned.push(x), x);
  try {
    // The MLP, and its compressed forms (as bench/suites/quant.ts builds them).
    st.seed(0);
    const mlp = own(new st.Sequential(new st.Linear(784, 300), new st.ReLU(), new st.Linear(300, 100), new st.ReLU(), new st.Linear(100, 10)).eval());
    const x = own(st.keep(st.tensor(randomF32(784, 3), [1, 784])));
    const calibration = own(st.keep(st.tensor(randomF32(256 * 784, 5), [256, 784])));
    const converted = (config?: Slim.QuantizationConfig) => {
      const prepared = st.prepare(mlp, config);
      st.tidy(() => { prepared.forward(calibration); });
      const q = own(st.convert(prepared));
      prepared.dispose();
      return q;
    };
    const copy = () => {
      const m = own(new st.Sequential(new st.Linear(784, 300), new st.ReLU(), new st.Linear(300, 100), new st.ReLU(), new st.Linear(100, 10)).eval());
      m.loadStateDict(mlp.stateDict());
      return m;
    };
    const structuredFrom = copy();
    new st.Pruner(structuredFrom, { params: ['0.weight', '2.weight'] }).structured(0.5, { norm: 2 }).dispose();
    const sparseFrom = copy();
    new st.Pruner(sparseFrom).magnitude(0.9, { scope: 'global' }).dispose();
    const run = (m: { forward(x: Slim.Tensor): Slim.Tensor }, input: Slim.Tensor) => () => st.tidy(() => { st.noGrad(() => m.forward(input)).toTypedArray(); });
    const mlpVariants = {
      'mlp-f32': run(own(st.sparsify(mlp)), x),
      'mlp-int8-static': run(converted(), x),
      'mlp-int8-dynamic': run(converted({ default: { mode: 'dynamic' } }), x),
      'mlp-int4-g32': run(converted({ default: { dtype: 'int4', groupSize: 32 } }), x),
      'mlp-structured50': run(own(st.sparsify(own(st.removePrunedChannels(structuredFrom)))), x),
      'mlp-sparse90': run(own(st.sparsify(sparseFrom)), x),
      // Binary weights (every Linear: BinaryConnect keeps f32 activations, XNOR binarizes them too) and
      // low-rank factors holding a quarter of the parameters (run, like the f32 model, by st.sparsify).
      'mlp-binaryconnect': run(own(st.toInference(own(st.binarize(mlp, { mode: 'binaryconnect' })).eval())), x),
      'mlp-xnor': run(own(st.toInference(own(st.binarize(mlp, { mode: 'xnor' })).eval())), x),
      'mlp-lowrank25': run(own(st.sparsify(own(st.lowRankModel(copy(), { paramsFraction: 0.25 })))), x),
    };

    // The accuracy runs' CNN, static int8 and 90% pruned per layer.
    st.seed(0);
    const cnnLayers = () => [
      new st.Conv2d(1, 32, 3, { padding: 1 }), new st.ReLU(), new st.MaxPool2d(2),
      new st.Conv2d(32, 64, 3, { padding: 1 }), new st.ReLU(), new st.MaxPool2d(2),
      new st.Flatten(), new st.Linear(64 * 7 * 7, 128), new st.ReLU(), new st.Linear(128, 10),
    ];
    const cnn = own(new st.Sequential(...cnnLayers()).eval());
    const image = own(st.keep(st.tensor(randomF32(784, 7), [1, 1, 28, 28])));
    const images = own(st.keep(st.tensor(randomF32(64 * 784, 8), [64, 1, 28, 28])));
    const prepared = st.prepare(cnn);
    st.tidy(() => { prepared.forward(images); });
    const cnnInt8 = own(st.convert(prepared));
    prepared.dispose();
    const pruned = own(new st.Sequential(...cnnLayers()).eval());
    pruned.loadStateDict(cnn.stateDict());
    new st.Pruner(pruned).magnitude(0.9, { scope: 'layer' }).removeMasks();
    const cnnVariants = {
      'cnn-f32': run(cnn, image),
      'cnn-int8-static': run(cnnInt8, image),
      'cnn-sparse90': run(own(st.sparsify(pruned)), image),
    };

    const times = { ...(await timeAll(clock, mlpVariants, rounds, blockMs)), ...(await timeAll(clock, cnnVariants, rounds, blockMs)) };
    const out: Record<string, SpeedCase> = {};
    for (const [name, us] of Object.entries(times)) {
      if (name.endsWith('-f32')) continue;
      const f32Us = times[`${name.split('-')[0]}-f32`]!;
      out[name] = { us: round(us), f32Us: round(f32Us), ratio: round(f32Us / us) };
    }
    return out;
  } finally {
    for (const o of owned.reverse()) o.dispose();
  }
}

const round = (v: number) => Math.round(v * 1000) / 1000;
