// Self-distillation (Zhang et al. 2019, "Be Your Own Teacher"): a model's deep head teaches an early
// exit attached to one of its own layers, so the early exit can serve alone as a smaller model.
import { detach } from '../autograd/backward.js';
import { invalid, optionsOf } from '../errors.js';
import { Module, Sequential } from '../nn/module.js';
import { add, mul } from '../ops/elementwise.js';
import { crossEntropy } from '../nn/loss.js';
import { leafModules as leaves } from '../nn/module.js';
import type { Tensor } from '../tensor/tensor.js';
import { softTargetLoss, type DistillationOptions } from './loss.js';

/** A Sequential body with an extra head on the output of the layer `after` (a dotted leaf name). */
export class EarlyExit extends Module {
  readonly #prefix: [string, Module][];
  readonly #rest: [string, Module][];

  constructor(readonly body: Module, readonly after: string, readonly head: Module) {
    super();
    const ls = leaves(body);
    const at = ls.findIndex(([n]) => n === after);
    if (at < 0) invalid('EarlyExit', 'after', `a layer name of the body (${ls.map(([n]) => `'${n}'`).join(', ')})`, after);
    this.#prefix = ls.slice(0, at + 1);
    this.#rest = ls.slice(at + 1);
    this.registerModule('body', body);
    this.registerModule('exit', head);
  }

  /** Both heads' outputs from one pass: the early exit's and the final one's. */
  forwardBoth(x: Tensor): { early: Tensor; final: Tensor } {
    let h = x;
    for (const [, m] of this.#prefix) h = m.forward(h);
    const early = this.head.forward(h);
    for (const [, m] of this.#rest) h = m.forward(h);
    return { early, final: h };
  }

  /** The final head's output. */
  forward(x: Tensor): Tensor {
    return this.body.forward(x);
  }

  /** The early-exit path alone (sharing this model's layers): what deploys when the exit suffices. */
  exitModel(): Sequential {
    return new Sequential(...this.#prefix.map(([, m]) => m), this.head);
  }
}

/**
 * CE(final, y) + (1 − α)·CE(early, y) + α·T²·KL(softmax(final/T) ‖ softmax(early/T)), the final
 * logits detached (the deep head is the teacher; it learns from the labels alone).
 */
export function selfDistillationLoss(early: Tensor, final: Tensor, labels: Tensor, options?: Omit<DistillationOptions, 'reduction'>): Tensor {
  const opts = optionsOf('selfDistillationLoss', options);
  const alpha = opts.alpha ?? 0.5;
  if (typeof alpha !== 'number' || !(alpha >= 0 && alpha <= 1)) invalid('selfDistillationLoss', 'options.alpha', 'a number in [0, 1]', alpha);
  const soft = softTargetLoss(early, detach(final), { temperature: opts.temperature ?? 3 });
  return add(add(crossEntropy(final, labels), mul(crossEntropy(early, labels), 1 - alpha)), mul(soft, alpha));
}
