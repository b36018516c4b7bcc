// Pruning schedules: iterative (a fraction of what remains per round) and gradual polynomial (Zhu & Gupta 2017).
import { checkFunction, checkInstance, invalid, checkPositive } from '../errors.js';
import type { Optimizer } from '../optim/optimizer.js';
import { Pruner, type Criterion, type PruneOptions } from './pruner.js';

export interface PolynomialSchedule {
  /** s_i (default 0). */
  initialSparsity?: number;
  /** s_f. */
  finalSparsity: number;
  /** t0: the first optimizer step that prunes. */
  beginStep: number;
  /** t0 + nΔt: the last pruning step (s_t = s_f from there on). */
  endStep: number;
  /** Δt: prune every `frequency` steps (default 100). */
  frequency?: number;
  /** 3 in Zhu & Gupta. */
  exponent?: number;
}

function checkSchedule(fn: string, s: PolynomialSchedule): Required<PolynomialSchedule> {
  const r = { initialSparsity: 0, frequency: 100, exponent: 3, ...s };
  for (const k of ['initialSparsity', 'finalSparsity'] as const) if (!(r[k] >= 0 && r[k] <= 1)) invalid(fn, k, 'a fraction in [0, 1]', r[k]);
  if (!Number.isInteger(r.beginStep) || r.beginStep < 0) invalid(fn, 'beginStep', 'an integer ≥ 0', r.beginStep);
  if (!Number.isInteger(r.endStep) || r.endStep <= r.beginStep) invalid(fn, 'endStep', `an integer > beginStep (${r.beginStep})`, r.endStep);
  checkPositive(fn, 'frequency', r.frequency);
  return r;
}

/**
 * Zhu & Gupta's sparsity at step t: s_t = s_f + (s_i − s_f)(1 − (t − t0)/(nΔt))^3 with nΔt = endStep − beginStep,
 * s_i before t0 and s_f after the end.
 */
export function polynomialSparsity(step: number, schedule: PolynomialSchedule): number {
  const s = checkSchedule('polynomialSparsity', schedule);
  const p = Math.min(1, Math.max(0, (step - s.beginStep) / (s.endStep - s.beginStep)));
  if (p === 0) return s.initialSparsity;
  return s.finalSparsity + (s.initialSparsity - s.finalSparsity) * (1 - p) ** s.exponent;
}

export interface GradualOptions extends PolynomialSchedule {
  criterion?: Criterion;
  scope?: 'layer' | 'global';
  /** Per-parameter multipliers of the sparsity (e.g. { '4.weight': 0.5 }: the output layer at half the rate). */
  scale?: Readonly<Record<string, number>>;
  params?: readonly string[];
}

/**
 * Gradual pruning as an optimizer step hook: at t0, t0 + Δt, …, endStep the targets are pruned (by magnitude by
 * default) to the schedule's sparsity s_t (times `scale` per parameter). attach() also attaches the pruner's masks.
 */
export class GradualPruning {
  readonly schedule: Required<PolynomialSchedule>;

  constructor(readonly pruner: Pruner, readonly options: GradualOptions) {
    this.schedule = checkSchedule('GradualPruning', options);
  }

  /** Whether the schedule prunes after optimizer step `step`. */
  prunesAt(step: number): boolean {
    const s = this.schedule;
    return step >= s.beginStep && step <= s.endStep && ((step - s.beginStep) % s.frequency === 0 || step === s.endStep);
  }

  /** Prunes to the schedule's sparsity at `step` (no-op between pruning steps). */
  update(step: number): void {
    if (!this.prunesAt(step)) return;
    const s = polynomialSparsity(step, this.schedule);
    const scale = this.options.scale ?? {};
    const overrides = Object.fromEntries(Object.entries(scale).map(([k, f]) => [k, s * f]));
    const opts: PruneOptions = { amount: s, target: true, scope: this.options.scope ?? 'layer', overrides };
    if (this.options.params) opts.params = this.options.params;
    this.pruner.prune(this.options.criterion ?? 'magnitude', opts);
  }

  attach(optimizer: Optimizer): () => void {
    const detach = this.pruner.attach(optimizer);
    const off = optimizer.onStep((o) => this.update(o.steps));
    return () => {
      off();
      detach();
    };
  }
}

export interface IterativeOptions extends Omit<PruneOptions, 'amount' | 'target'> {
  pruner: Pruner;
  rounds: number;
  /** The fraction of the remaining entries pruned each round. */
  rate: number;
  criterion?: Criterion;
  /** Runs after each round's pruning (fine-tuning with the pruner attached). */
  fineTune?: (round: number, pruner: Pruner) => void | Promise<void>;
}

/** Iterative pruning: `rounds` times, prune `rate` of what remains, then fine-tune. Returns the sparsity after each round. */
export async function iterativePruning(o: IterativeOptions): Promise<{ round: number; sparsity: number }[]> {
  if (o === null || typeof o !== 'object') invalid('iterativePruning', 'options', 'an object { pruner, rounds, rate, … }', o);
  checkInstance('iterativePruning', 'options.pruner', o.pruner, Pruner, 'a Pruner');
  if (o.fineTune !== undefined) checkFunction('iterativePruning', 'options.fineTune', o.fineTune);
  checkPositive('iterativePruning', 'rounds', o.rounds);
  const { pruner, rounds, rate, criterion, fineTune, ...rest } = o;
  const out: { round: number; sparsity: number }[] = [];
  for (let r = 1; r <= rounds; r++) {
    pruner.prune(criterion ?? 'magnitude', { ...rest, amount: rate });
    await fineTune?.(r, pruner);
    out.push({ round: r, sparsity: pruner.stats().sparsity });
  }
  return out;
}
