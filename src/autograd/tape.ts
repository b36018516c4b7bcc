import { checkFunction } from '../errors.js';
import type { GradNode, Tensor } from '../tensor/tensor.js';

let enabled = true;

/** Runs `fn` without recording gradients (inference, optimizer updates, teacher forward passes). */
export function noGrad<T>(fn: () => T): T {
  checkFunction('noGrad', 'fn', fn);
  const was = enabled;
  enabled = false;
  try {
    return fn();
  } finally {
    enabled = was;
  }
}

export const isGradEnabled = (): boolean => enabled;

/**
 * @internal Called by every differentiable op after its forward pass: when recording and some input
 * requires a gradient, links `out` to its inputs under `op` (a key of the rule table in rules.ts).
 */
export function record<T extends Tensor>(op: string, inputs: readonly (Tensor | null)[], out: T, attrs: Record<string, unknown> = {}): T {
  if (!enabled) return out;
  const needs = inputs.map((t) => t !== null && t.requiresGrad);
  if (!needs.includes(true)) return out;
  out.node = { op, inputs, needs, attrs } satisfies GradNode;
  out.requiresGrad = true;
  return out;
}
