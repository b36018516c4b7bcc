/// <reference types="node" />
// The technique registry: every file in ./techniques/ default-exports one Technique, found at run
// time, so adding a technique is adding one file. The runner measures what a technique leaves out
// (accuracy on the test split, batch-1 latency against f32). A new one, e.g. techniques/prune.ts:
//   const prune: Technique = { name: 'prune', summary: '…', order: 50, needsTraining: true,
//     async run(ctx) { const m = ctx.copy(); …; await ctx.fit(m, { epochs: ctx.epochs, label: 'prune' });
//       return { model: m, bytes, save, sparsity, dispose: () => m.dispose() }; } };
//   export default prune;
// It then appears in `demo`, as `compress --prune`, and (with `sparsity`) in the report's sparsity chart.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as st from '../index.js';
import type { OptionSpec, Options } from './args.js';
import type { Arch } from './arch.js';
import type { Split } from './data.js';
import type { Progress } from './progress.js';

export interface TechniqueContext {
  /** The trained f32 model: read it or copy it, never change it. */
  base: st.Module;
  arch: Arch;
  /** A new model of `arch` holding the base weights (to fine-tune). */
  copy(): st.Sequential;
  /** Calibration inputs, f32 [n, ...arch.inShape]. */
  calib: st.Tensor;
  /** A labeled held-out batch (f32 inputs, i32 labels) for diagnostics such as st.sensitivity; absent when there are no labels. */
  heldOut?: { x: st.Tensor; y: st.Tensor };
  /** Labeled training data; absent in `compress` without --data/--labels (techniques with `needsTraining` are then refused). */
  train?: Split;
  /** Adam on cross-entropy over `train`, with progress and Ctrl-C checks; trains `model` in place. */
  fit(model: st.Module, o: { epochs: number; lr?: number; label: string; onOptimizer?: (opt: st.Optimizer) => void }): Promise<void>;
  /** Epochs a technique that trains should use (--epochs of fine-tuning). */
  epochs: number;
  progress: Progress;
  /** The parsed command-line options (a technique's own `options` included). */
  options: Options;
}

export interface TechniqueResult {
  /** The compressed model for inference: f32 [batch, ...inShape] in, logits out. */
  model: st.Module;
  /** Bytes of the file the technique stores (what `save()` returns). */
  bytes: number;
  /** The file `compress --out` writes. */
  save(): Uint8Array;
  /** Fraction of weights that are zero, for techniques that make any (pruning). */
  sparsity?: number;
  /** Set only when the runner's own measurement does not apply (accuracy in %, latency in ms). */
  accuracy?: number;
  latencyMs?: number;
  /** Per-layer quantization sensitivity (from a prepared PTQ model), for the report. */
  sensitivity?: st.LayerSensitivity[];
  /** One short line about the settings, e.g. "groups of 32". */
  detail?: string;
  /** Frees what the technique made (the model included). */
  dispose(): void;
}

export interface Technique {
  /** The table row and the `compress --<name>` flag. */
  name: string;
  summary: string;
  /** Position in the table (lower first). */
  order: number;
  /** Uses ctx.train (QAT, distillation): `compress` then needs --data and --labels. */
  needsTraining?: boolean;
  /** Extra command-line options the technique reads from ctx.options. */
  options?: OptionSpec;
  run(ctx: TechniqueContext): Promise<TechniqueResult>;
}

const isTechnique = (t: unknown): t is Technique => {
  const o = t as Technique | null;
  return !!o && typeof o.name === 'string' && typeof o.run === 'function' && typeof o.order === 'number';
};

let cache: Technique[] | undefined;

/** Every technique in ./techniques/, by `order`. */
export async function techniques(): Promise<Technique[]> {
  if (cache) return cache;
  const dir = new URL('./techniques/', import.meta.url);
  const files = readdirSync(fileURLToPath(dir)).filter((f) => /\.(ts|js)$/.test(f) && !f.endsWith('.d.ts')).sort();
  const found: Technique[] = [];
  for (const f of files) {
    const mod = (await import(new URL(f, dir).href)) as { default?: unknown };
    if (!isTechnique(mod.default)) throw new Error(`src/cli/techniques/${f} must default-export a Technique { name, order, summary, run }`);
    found.push(mod.default);
  }
  return (cache = found.sort((a, b) => a.order - b.order || a.name.localeCompare(b.name)));
}

/** Runs `prepared.forward` over `calib` in batches of 256 (observers only). */
export function calibrate(prepared: st.PreparedModel, calib: st.Tensor): void {
  const n = calib.shape[0]!;
  for (let i = 0; i < n; i += 256) st.tidy(() => { prepared.forward(st.slice(calib, 0, i, Math.min(i + 256, n))); });
}
