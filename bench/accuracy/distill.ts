// distill: the CNN of `dense` teaches MLP students 784-30-10 and 784-100-10 (mean of 3 seeds).
// (a) Full labels, 10 epochs: hard labels only, KD (T, α) = (4, 0.9) and (2, 0.5).
// (b) Few labels: the first 100 images of each class (1,000) are labeled, the other 59,000 are a
//     transfer set only the teacher labels; hard labels and KD (4, 0.9) both run 4,700 steps of 128
//     labeled images (KD adds 128 transfer images per step). Target: KD ≥ hard + 5 points in (b).
// The trained teacher is kept in bench/results/teacher-cnn.safetensors for later runs.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as st from '../../src/index.js';
import { data, evaluate, report, train, type RunOptions } from './common.js';
import { cnn } from './dense.js';

const RESULTS = fileURLToPath(new URL('../results/', import.meta.url));

async function teacher(opts: RunOptions): Promise<st.Sequential> {
  st.seed(0);
  const model = cnn();
  const file = `${RESULTS}teacher-cnn${opts.quick ? '-quick' : ''}.safetensors`;
  if (existsSync(file)) {
    const { tensors } = st.loadSafetensors(readFileSync(file));
    model.loadStateDict(tensors);
    Object.values(tensors).forEach((t) => t.dispose());
  } else {
    await train(model, { epochs: opts.quick ? 1 : 8, reshapeTo: [-1, 1, 28, 28], ...(opts.quick ? { maxSteps: 150, evalLimit: 500 } : {}), onEpoch: (e, a, s) => !opts.json && console.log(`distill teacher epoch ${e}: ${a.toFixed(2)}% ${s.toFixed(0)} s`) });
    mkdirSync(RESULTS, { recursive: true });
    writeFileSync(file, st.saveSafetensors(model.stateDict()));
  }
  return model;
}

const student = (hidden: number) => new st.Sequential(new st.Linear(784, hidden), new st.ReLU(), new st.Linear(hidden, 10));

/** Rows `idx` of the training images and labels. */
function pick(images: Uint8Array, labels: Uint8Array, idx: number[]) {
  const x = new Uint8Array(idx.length * 784);
  const y = new Uint8Array(idx.length);
  idx.forEach((i, r) => { x.set(images.subarray(i * 784, i * 784 + 784), r * 784); y[r] = labels[i]!; });
  return { x: { data: x, shape: [idx.length, 784] }, y: { data: y, shape: [idx.length] } };
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

export async function distillExperiment(opts: RunOptions): Promise<void> {
  const { train: tr } = await data();
  const images = tr.images.data as Uint8Array;
  const labels = tr.labels.data as Uint8Array;
  const n = labels.length;
  const t = await teacher(opts);
  const evalLimit = opts.quick ? 2000 : Infinity;
  const teacherAcc = await evaluate(t, evalLimit, [-1, 1, 28, 28]);
  report({ experiment: 'distill', variant: 'teacher-cnn', accuracy: +teacherAcc.toFixed(2) }, opts, `distill teacher CNN: ${teacherAcc.toFixed(2)}%`);
  const seeds = opts.quick ? [0] : [0, 1, 2];
  const all = { x: { data: images, shape: [n, 784] }, y: { data: labels, shape: [n] } };
  const cachedAll = st.teacherLogits(t, all.x, [-1, 1, 28, 28]);
  // (b)'s split: the first 100 of each class labeled, the rest a transfer set.
  const seen = new Array(10).fill(0);
  const lab: number[] = [];
  const unl: number[] = [];
  for (let i = 0; i < n; i++) (seen[labels[i]!]++ < 100 ? lab : unl).push(i);
  const few = pick(images, labels, lab);
  const transfer = pick(images, labels, unl).x;
  const logitsOf = (idx: number[]) => {
    const src = cachedAll.data as Float32Array;
    const out = new Float32Array(idx.length * 10);
    idx.forEach((i, r) => out.set(src.subarray(i * 10, i * 10 + 10), r * 10));
    return { data: out, shape: [idx.length, 10] };
  };
  const fewLogits = { data: logitsOf(lab), unlabeled: logitsOf(unl) };
  const steps = opts.quick ? 200 : 4700;
  const epochs = opts.quick ? 1 : 10;
  for (const hidden of [30, 100]) {
    const rows: [string, string, (seed: number) => Promise<st.Sequential>][] = [
      ['a-full-labels', 'hard', async (seed) => { st.seed(seed); const s = student(hidden); await train(s, { epochs, seed, ...(opts.quick ? { maxSteps: 200, evalLimit } : {}) }); return s; }],
      ...([[4, 0.9], [2, 0.5]] as const).map(([T, alpha]) => ['a-full-labels', `kd-T${T}-a${alpha}`, async (seed: number) => {
        st.seed(seed);
        const s = student(hidden);
        await st.distill({ teacher: t, student: s, data: all, cachedLogits: { data: cachedAll }, epochs, ...(opts.quick ? { steps: 200 } : {}), temperature: T, alpha, seed });
        return s;
      }] as [string, string, (seed: number) => Promise<st.Sequential>]),
      ['b-few-labels', 'hard', async (seed) => {
        st.seed(seed);
        const s = student(hidden);
        // Hard labels on the 1,000 only, same step count: a distill run with α = 0 has exactly the CE gradient.
        await st.distill({ teacher: t, student: s, data: few, cachedLogits: { data: fewLogits.data }, steps, alpha: 0, seed });
        return s;
      }],
      ['b-few-labels', 'kd-T4-a0.9', async (seed) => {
        st.seed(seed);
        const s = student(hidden);
        await st.distill({ teacher: t, student: s, data: few, unlabeled: transfer, cachedLogits: fewLogits, steps, temperature: 4, alpha: 0.9, seed });
        return s;
      }],
    ];
    const hardAcc: Record<string, number> = {};
    for (const [setting, variant, run] of rows) {
      const accs: number[] = [];
      const t0 = performance.now();
      for (const seed of seeds) {
        const s = await run(seed);
        accs.push(await evaluate(s, evalLimit));
        s.dispose();
      }
      const acc = mean(accs);
      if (variant === 'hard') hardAcc[setting] = acc;
      const gain = variant === 'hard' ? '' : `  (${acc - hardAcc[setting]! >= 0 ? '+' : ''}${(acc - hardAcc[setting]!).toFixed(2)} vs hard labels)`;
      report(
        { experiment: 'distill', variant: `${setting}-mlp-784-${hidden}-10-${variant}`, accuracy: +acc.toFixed(2), baseline: +hardAcc[setting]!.toFixed(2), seeds: accs.map((a) => +a.toFixed(2)), teacher: +teacherAcc.toFixed(2) },
        opts,
        `distill ${setting} 784-${hidden}-10 ${variant.padEnd(12)} ${acc.toFixed(2)}% (seeds ${accs.map((a) => a.toFixed(2)).join(', ')})${gain}  ${((performance.now() - t0) / 1000).toFixed(0)} s`,
      );
    }
  }
  t.dispose();
}
