// The distillation loop: a frozen teacher (any model: f32, quantized, pruned) labels each batch
// with soft targets, optionally cached once for the whole data set; a transfer set of unlabeled
// inputs adds soft targets only (Hinton et al. 2015); feature hints attach to named layers.
import { noGrad } from '../autograd/tape.js';
import { SlimError, checkInstance, invalid } from '../errors.js';
import { DataLoader, type Samples } from '../data/loader.js';
import { Linear } from '../nn/layers.js';
import { Module } from '../nn/module.js';
import { concat, reshape, slice } from '../ops/layout.js';
import { add, mul } from '../ops/elementwise.js';
import { Adam, type Optimizer } from '../optim/optimizer.js';
import { leafModules as leaves } from '../nn/module.js';
import { tidy } from '../tensor/scope.js';
import { Rng } from '../tensor/random.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/create.js';
import { distillationLoss, hintLoss, softTargetLoss } from './loss.js';

/** Runs a Sequential tree leaf by leaf and returns its output with the outputs of the named leaves. */
export function forwardWithFeatures(model: Module, x: Tensor, names: readonly string[]): { output: Tensor; features: Record<string, Tensor> } {
  checkInstance('forwardWithFeatures', 'model', model, Module, 'a Module');
  assertTensor('forwardWithFeatures', 'x', x);
  if (!Array.isArray(names) || names.some((n) => typeof n !== 'string')) invalid('forwardWithFeatures', 'names', 'an array of layer names', names);
  const ls = leaves(model);
  const missing = names.filter((n) => !ls.some(([name]) => name === n));
  if (missing.length) invalid('forwardWithFeatures', 'names', `layer names of the model (${ls.map(([n]) => `'${n}'`).join(', ')})`, missing);
  const features: Record<string, Tensor> = {};
  let h = x;
  for (const [name, m] of ls) {
    h = m.forward(h);
    if (names.includes(name)) features[name] = h;
  }
  return { output: h, features };
}

export interface FeatureHint {
  /** Layer names (dotted, as namedModules) whose outputs are compared. */
  student: string;
  teacher: string;
  kind?: 'mse' | 'cosine';
  /** Weight of this term in the loss (default 1). */
  weight?: number;
}

export interface DistillOptions {
  teacher: Module;
  student: Module;
  /** Labeled inputs and their class labels (first dim = samples, u8 scaled by 1/255 like DataLoader). */
  data: { x: Samples; y: Samples };
  /** A transfer set that only the teacher labels. */
  unlabeled?: Samples;
  /** Epochs over `data` (default 1), or a number of optimizer steps (then the labeled set cycles). */
  epochs?: number;
  steps?: number;
  batchSize?: number;
  /** Batch size of the transfer set per step (default batchSize). */
  unlabeledBatchSize?: number;
  temperature?: number;
  alpha?: number;
  /** Feature hints; a learnable Linear projection is added when the widths differ. */
  features?: FeatureHint[];
  /** Computes the teacher's logits once for every sample (default true when there are no feature hints). */
  cacheTeacher?: boolean;
  /** Logits already computed by `teacherLogits()` (reused across students): implies caching. */
  cachedLogits?: { data: Samples; unlabeled?: Samples };
  /** The optimizer over the student's parameters (and projections); default Adam with `lr` (1e-3). */
  optimizer?: (params: Tensor[]) => Optimizer;
  lr?: number;
  seed?: number;
  /** Reshape of each input batch for the student and the teacher, e.g. [-1, 784] and [-1, 1, 28, 28]. */
  studentShape?: number[];
  teacherShape?: number[];
  onStep?: (step: number, loss: number) => void;
  onEpoch?: (epoch: number) => void | Promise<void>;
}

export interface DistillResult {
  steps: number;
  /** Mean loss of each epoch (or of every 100 steps when training by steps). */
  losses: number[];
  /** The hint projections, owned by the caller (dispose them). */
  projections: Record<string, Linear>;
}

/** The teacher's logits for every sample, in sample order, as f32 [n, C] samples (eval, no grad, batches of 1000). */
export function teacherLogits(teacher: Module, x: Samples, shape?: number[]): Samples {
  const loader = new DataLoader(x, { batchSize: 1000 });
  const parts: Float32Array[] = [];
  try {
    for (const { x: b } of loader) {
      parts.push(noGrad(() => tidy(() => teacher.forward(shape ? reshape(b, shape) : b).toTypedArray() as Float32Array)));
      b.dispose();
    }
  } finally {
    loader.dispose();
  }
  const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  const n = sampleCount(x);
  return { data: out, shape: [n, n ? out.length / n : 0] };
}

/** An endless stream of batches: a new seeded permutation every pass. */
interface Step { x: Tensor; y?: Tensor; extra: Tensor[] }
function* cycle(loaders: DataLoader<Samples | undefined>[]): Generator<Step, never> {
  for (;;) {
    const its = loaders.map((l) => l[Symbol.iterator]());
    for (;;) {
      const rs = its.map((it) => it.next());
      if (rs[0]!.done) break;
      const [first, ...rest] = rs.map((r) => r.value!);
      yield { x: first!.x, y: first!.y, extra: rest.map((r) => r.x) };
    }
  }
}

const sampleCount = (s: Samples) => (s as { shape: readonly number[] }).shape[0]!;

/**
 * Trains `student` to match `teacher`: loss = α·T²·KL(teacher ‖ student) + (1 − α)·CE on labeled
 * batches, plus α·T²·KL on a transfer-set batch each step, plus the feature hints. The teacher runs
 * in eval mode without gradients; the student in train mode.
 */
export async function distill(o: DistillOptions): Promise<DistillResult> {
  const fn = 'distill';
  if (o === null || typeof o !== 'object') invalid(fn, 'options', 'an object', o);
  if (!(o.teacher instanceof Module)) invalid(fn, 'options.teacher', 'a Module', o.teacher);
  if (!(o.student instanceof Module)) invalid(fn, 'options.student', 'a Module', o.student);
  if (!o.data || !o.data.x || !o.data.y) invalid(fn, 'options.data', '{ x, y } samples', o.data);
  const batchSize = o.batchSize ?? 128;
  const seed = o.seed ?? 0;
  const features = o.features ?? [];
  const cache = o.cachedLogits !== undefined || (o.cacheTeacher ?? features.length === 0);
  if (cache && features.length) throw new SlimError('INVALID_ARGUMENT', `${fn}: options.cacheTeacher caches logits only; feature hints need the teacher's activations every step`);
  const n = sampleCount(o.data.x);
  const totalSteps = o.steps ?? Math.ceil(n / batchSize) * (o.epochs ?? 1);
  if (!Number.isSafeInteger(totalSteps) || totalSteps < 1) invalid(fn, 'options.steps', 'a positive integer (or epochs ≥ 1)', totalSteps);
  const teacherWasTraining = o.teacher.training;
  o.teacher.eval();
  const opts = { temperature: o.temperature ?? 4, alpha: o.alpha ?? 0.9 };
  const studentShape = o.studentShape;
  const teacherShape = o.teacherShape;
  const loaders: DataLoader<Samples | undefined>[] = [];
  const projections: Record<string, Linear> = {};
  let opt: Optimizer | null = null;
  try {
    // Labeled x, y (and the cached teacher logits in the same permutation: same seed, same count).
    loaders.push(new DataLoader(o.data.x, { batchSize, labels: o.data.y, shuffle: true, seed }));
    if (cache) loaders.push(new DataLoader(o.cachedLogits?.data ?? teacherLogits(o.teacher, o.data.x, teacherShape), { batchSize, shuffle: true, seed, scale: 1 }));
    const unl = o.unlabeled;
    const unlLoaders: DataLoader<Samples | undefined>[] = [];
    if (unl) {
      const ub = o.unlabeledBatchSize ?? batchSize;
      unlLoaders.push(new DataLoader(unl, { batchSize: ub, shuffle: true, seed: seed + 1 }));
      if (cache) unlLoaders.push(new DataLoader(o.cachedLogits?.unlabeled ?? teacherLogits(o.teacher, unl, teacherShape), { batchSize: ub, shuffle: true, seed: seed + 1, scale: 1 }));
      loaders.push(...unlLoaders);
    }
    const labeled = cycle(loaders.slice(0, cache ? 2 : 1));
    const transfer = unl ? cycle(unlLoaders) : null;
    const sx = (x: Tensor) => (studentShape ? reshape(x, studentShape) : x);
    const tx = (x: Tensor) => (teacherShape ? reshape(x, teacherShape) : x);
    if (features.length) makeProjections(o, features, sx, tx, new Rng(seed), projections);
    const params = [...o.student.parameters(), ...Object.values(projections).flatMap((p) => p.parameters())];
    opt = (o.optimizer ?? ((p) => new Adam(p, { lr: o.lr ?? 1e-3 })))(params);
    const losses: number[] = [];
    let acc = 0;
    let count = 0;
    const perEpoch = Math.ceil(n / batchSize);
    for (let step = 1; step <= totalSteps; step++) {
      const b: Step = labeled.next().value;
      const u: Step | undefined = transfer?.next().value;
      o.student.train();
      const loss = tidy(() => {
        opt!.zeroGrad();
        const xs = u ? concat([sx(b.x), sx(u.x)], 0) : sx(b.x);
        const names = features.map((h) => h.student);
        const { output: s, features: sf } = forwardWithFeatures(o.student, xs, names);
        let t: Tensor;
        let tf: Record<string, Tensor> = {};
        if (cache) t = u ? concat([b.extra[0]!, u.extra[0]!], 0) : b.extra[0]!;
        else {
          const r = noGrad(() => forwardWithFeatures(o.teacher, u ? concat([tx(b.x), tx(u.x)], 0) : tx(b.x), features.map((h) => h.teacher)));
          t = r.output;
          tf = r.features;
        }
        const m = b.x.shape[0]!;
        const all = s.shape[0]!;
        // Labeled rows: the full loss; transfer rows: α times the soft term; averaged over all rows.
        let total = distillationLoss(u ? slice(s, 0, 0, m) : s, u ? slice(t, 0, 0, m) : t, b.y!, opts);
        if (u) {
          const soft = softTargetLoss(slice(s, 0, m, all), slice(t, 0, m, all), { temperature: opts.temperature });
          total = add(mul(total, m / all), mul(soft, (opts.alpha * (all - m)) / all));
        }
        for (const h of features) {
          let f = reshape(sf[h.student]!, [sf[h.student]!.shape[0]!, -1]);
          const target = reshape(tf[h.teacher]!, [tf[h.teacher]!.shape[0]!, -1]);
          const proj = projections[`${h.student}->${h.teacher}`];
          if (proj) f = proj.forward(f);
          total = add(total, mul(hintLoss(f, target, { kind: h.kind ?? 'mse' }), h.weight ?? 1));
        }
        total.backward();
        opt!.step();
        return total.item();
      });
      b.x.dispose();
      b.y?.dispose();
      b.extra.forEach((e) => e.dispose());
      if (u) { u.x.dispose(); u.extra.forEach((e) => e.dispose()); }
      acc += loss;
      count++;
      o.onStep?.(step, loss);
      const boundary = o.steps === undefined ? step % perEpoch === 0 : step % 100 === 0;
      if (boundary || step === totalSteps) {
        losses.push(acc / count);
        acc = 0;
        count = 0;
        if (o.steps === undefined && step % perEpoch === 0) await o.onEpoch?.(step / perEpoch);
      }
    }
    return { steps: totalSteps, losses, projections };
  } finally {
    opt?.zeroGrad(); // the last step's gradients are not the caller's business: free them
    opt?.dispose();
    loaders.forEach((l) => l.dispose());
    o.teacher.train(teacherWasTraining);
  }
}

/** A Linear from each hint's student width to its teacher width where they differ (probed on one batch). */
function makeProjections(o: DistillOptions, hints: FeatureHint[], sx: (x: Tensor) => Tensor, tx: (x: Tensor) => Tensor, rng: Rng, out: Record<string, Linear>): void {
  const { data, shape } = o.data.x as { data: ArrayLike<number>; shape: readonly number[] };
  const per = shape.slice(1).reduce((a, b) => a * b, 1);
  const scale = data instanceof Uint8Array ? 1 / 255 : 1;
  noGrad(() => tidy(() => {
      const probe = tensor(Float32Array.from({ length: per }, (_, i) => (data[i] ?? 0) * scale), [1, ...shape.slice(1)]);
      const sf = forwardWithFeatures(o.student, sx(probe), hints.map((h) => h.student)).features;
      const tf = forwardWithFeatures(o.teacher, tx(probe), hints.map((h) => h.teacher)).features;
      for (const h of hints) {
        const [ws, wt] = [sf[h.student]!.size, tf[h.teacher]!.size];
        if (ws !== wt) out[`${h.student}->${h.teacher}`] = new Linear(ws, wt, { rng });
      }
  }));
}
