// Distillation losses: soft targets (Hinton et al. 2015) and feature hints (Romero et al. 2015).
import { SlimError, invalid, optionsOf } from '../errors.js';
import { add, div, mul, sqrt, sub } from '../ops/elementwise.js';
import { logSoftmax, mean, sum } from '../ops/reduce.js';
import { reshape } from '../ops/layout.js';
import { crossEntropy, klDiv, mseLoss, type Reduction } from '../nn/loss.js';
import { sameShape, shapeString } from '../tensor/shape.js';
import { assertDType, assertTensor, type Tensor } from '../tensor/tensor.js';

export interface DistillationOptions {
  /** Softmax temperature T > 0 (default 4). */
  temperature?: number;
  /** Weight α ∈ [0, 1] of the soft term (default 0.9). */
  alpha?: number;
  /** 'batchmean' (default: sums over classes, mean over the batch), 'sum' or 'none' (per sample [N]). */
  reduction?: 'batchmean' | 'sum' | 'none';
}

function options(fn: string, o: DistillationOptions): { t: number; alpha: number; reduction: 'batchmean' | 'sum' | 'none' } {
  if (o === null || typeof o !== 'object') invalid(fn, 'options', 'an object', o);
  const t = o.temperature ?? 4;
  const alpha = o.alpha ?? 0.9;
  const reduction = o.reduction ?? 'batchmean';
  if (typeof t !== 'number' || !(t > 0) || !Number.isFinite(t)) invalid(fn, 'options.temperature', 'a finite number > 0', t);
  if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) invalid(fn, 'options.alpha', 'a number in [0, 1]', alpha);
  if (reduction !== 'batchmean' && reduction !== 'sum' && reduction !== 'none') invalid(fn, 'options.reduction', "'batchmean', 'sum' or 'none'", reduction);
  return { t, alpha, reduction };
}

/** T²·KL(softmax(t/T) ‖ softmax(s/T)) per sample [N], from log-softmaxes (stable for any logits). */
function softTerm(fn: string, student: Tensor, teacher: Tensor, t: number): Tensor {
  assertTensor(fn, 'studentLogits', student);
  assertTensor(fn, 'teacherLogits', teacher);
  assertDType(fn, 'studentLogits', student, 'f32');
  assertDType(fn, 'teacherLogits', teacher, 'f32');
  if (student.rank !== 2) throw new SlimError('SHAPE_MISMATCH', `${fn}: studentLogits must be [N, C], received ${shapeString(student.shape)}`);
  if (!sameShape(student.shape, teacher.shape)) throw new SlimError('SHAPE_MISMATCH', `${fn}: teacherLogits must have the student's shape ${shapeString(student.shape)}, received ${shapeString(teacher.shape)}`);
  const ls = logSoftmax(mul(student, 1 / t));
  const lt = logSoftmax(mul(teacher, 1 / t));
  return mul(sum(klDiv(ls, lt, { logTarget: true, reduction: 'none' }), 1), t * t);
}

function reduce(perSample: Tensor, reduction: 'batchmean' | 'sum' | 'none'): Tensor {
  return reduction === 'none' ? perSample : reduction === 'sum' ? sum(perSample) : mean(perSample);
}

/**
 * α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(s, y) (Hinton et al. 2015), batch-mean by default.
 * `labels` (i32 [N]) may be null for a transfer set that only the teacher labels: then the soft term alone (α is ignored).
 */
export function distillationLoss(studentLogits: Tensor, teacherLogits: Tensor, labels: Tensor | null, opts: DistillationOptions = {}): Tensor {
  const fn = 'distillationLoss';
  opts = optionsOf(fn, opts, 'opts');
  const { t, alpha, reduction } = options(fn, opts);
  const soft = softTerm(fn, studentLogits, teacherLogits, t);
  if (labels === null) return reduce(soft, reduction);
  const hard = crossEntropy(studentLogits, labels, { reduction: 'none' });
  return reduce(add(mul(soft, alpha), mul(hard, 1 - alpha)), reduction);
}

/** The soft term alone, T²·KL(softmax(t/T) ‖ softmax(s/T)), batch-mean by default. */
export function softTargetLoss(studentLogits: Tensor, teacherLogits: Tensor, opts: Omit<DistillationOptions, 'alpha'> = {}): Tensor {
  opts = optionsOf('softTargetLoss', opts, 'opts');
  const { t, reduction } = options('softTargetLoss', { ...opts, alpha: 1 });
  return reduce(softTerm('softTargetLoss', studentLogits, teacherLogits, t), reduction);
}

/**
 * Feature (hint) distillation between a student's and a teacher's activations, each flattened to
 * [N, D]: 'mse' = mean (s − t)², 'cosine' = mean over samples of 1 − cos(s, t) (ε = 1e-8 in the norms).
 */
export function hintLoss(student: Tensor, teacher: Tensor, opts: { kind?: 'mse' | 'cosine'; reduction?: Reduction } = {}): Tensor {
  const fn = 'hintLoss';
  opts = optionsOf(fn, opts, 'opts');
  assertTensor(fn, 'student', student);
  assertTensor(fn, 'teacher', teacher);
  const kind = opts.kind ?? 'mse';
  if (kind !== 'mse' && kind !== 'cosine') invalid(fn, 'options.kind', "'mse' or 'cosine'", kind);
  if (student.rank < 1 || teacher.rank < 1 || student.shape[0] !== teacher.shape[0]) {
    throw new SlimError('SHAPE_MISMATCH', `${fn}: student and teacher features must share the batch dim, received ${shapeString(student.shape)} and ${shapeString(teacher.shape)}`);
  }
  const n = student.shape[0]!;
  const s = reshape(student, [n, -1]);
  const t = reshape(teacher, [n, -1]);
  if (s.shape[1] !== t.shape[1]) {
    throw new SlimError('SHAPE_MISMATCH', `${fn}: features have ${s.shape[1]} and ${t.shape[1]} values per sample: put a projection (a Linear) between them`);
  }
  if (kind === 'mse') return mseLoss(s, t, { reduction: opts.reduction ?? 'mean' });
  const dot = sum(mul(s, t), 1);
  const norms = mul(sqrt(add(sum(mul(s, s), 1), 1e-8)), sqrt(add(sum(mul(t, t), 1), 1e-8)));
  const per = sub(1, div(dot, norms));
  const r = opts.reduction ?? 'mean';
  return r === 'none' ? per : r === 'sum' ? sum(per) : mean(per);
}
