import { SlimError, checkFunction, invalid, optionsOf } from '../errors.js';
import { add } from '../ops/elementwise.js';
import { reshape } from '../ops/layout.js';
import { full } from '../tensor/create.js';
import { keep, tidy } from '../tensor/scope.js';
import { shapeString, sameShape } from '../tensor/shape.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';
import { RULES } from './rules.js';
import { noGrad, record } from './tape.js';

export interface BackwardOptions {
  /** Upstream gradient for a non-scalar root (default: 1 for a one-element root). */
  gradient?: Tensor;
  /** Keep the graph so backward can run through it again (default: freed). */
  retainGraph?: boolean;
}

/** Tensors reachable from root through nodes, in an order where every tensor follows its consumers. */
function reverseTopological(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const seen = new Set<Tensor>();
  const stack: [Tensor, number][] = [[root, 0]];
  seen.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    const [t, i] = top;
    const inputs = t.node?.inputs ?? [];
    if (i < inputs.length) {
      top[1]++;
      const next = inputs[i];
      if (next && t.node!.needs[i] && !seen.has(next)) {
        seen.add(next);
        stack.push([next, 0]);
      }
    } else {
      stack.pop();
      order.push(t);
    }
  }
  return order.reverse();
}

/**
 * Reverse-mode differentiation from `root`: accumulates ∂root/∂leaf into `leaf.grad` for every
 * leaf with requiresGrad. Intermediate gradients are freed as soon as they are used.
 */
export function backward(root: Tensor, options: BackwardOptions = {}): void {
  options = optionsOf('backward', options, 'options');
  assertTensor('backward', 'root', root);
  if (!root.requiresGrad) throw new SlimError('INVALID_ARGUMENT', 'backward: root does not require a gradient (no input of the ops that made it has requiresGrad)');
  const seed = options.gradient;
  if (seed === undefined && root.size !== 1) {
    throw new SlimError('SHAPE_MISMATCH', `backward: root must have exactly one element unless a gradient is given, received shape ${shapeString(root.shape)}`);
  }
  if (seed !== undefined && !sameShape(seed.shape, root.shape)) {
    throw new SlimError('SHAPE_MISMATCH', `backward: gradient must have the root's shape ${shapeString(root.shape)}, received ${shapeString(seed.shape)}`);
  }
  const order = reverseTopological(root);
  noGrad(() => {
    const grads = new Map<Tensor, Tensor>([[root, seed ?? full(root.shape, 1)]]);
    const owned = new Set<Tensor>(seed ? [] : [grads.get(root)!]);
    const put = (t: Tensor, g: Tensor) => {
      const old = grads.get(t);
      if (old === undefined) {
        grads.set(t, g);
        owned.add(g);
        return;
      }
      grads.set(t, add(old, g));
      owned.add(grads.get(t)!);
      for (const x of [old, g]) if (owned.delete(x)) x.dispose();
    };
    for (const t of order) {
      const gy = grads.get(t);
      const node = t.node;
      if (gy === undefined) continue;
      if (node === null) {
        if (t.requiresGrad) accumulate(t, owned.delete(gy) ? gy : copy(gy));
        continue;
      }
      const rule = RULES[node.op];
      if (rule === undefined) throw new SlimError('INVALID_ARGUMENT', `backward: no gradient rule for op '${node.op}'`);
      const gs = tidy(() => rule(gy, node, t));
      // A rule may pass gy (or one tensor) through to several inputs: each input gets its own.
      let gyTaken = !owned.has(gy);
      let handedOver = false;
      const given = new Set<Tensor>();
      gs.forEach((g, i) => {
        if (g === null || !node.needs[i]) return;
        const input = node.inputs[i]!;
        if (!sameShape(g.shape, input.shape)) {
          throw new SlimError('SHAPE_MISMATCH', `backward: the '${node.op}' rule gave a ${shapeString(g.shape)} gradient for input ${i} of shape ${shapeString(input.shape)}`);
        }
        if (g === gy && !gyTaken) {
          gyTaken = handedOver = true;
          owned.delete(gy);
        } else if (g === gy || given.has(g)) {
          g = copy(g);
        }
        given.add(g);
        put(input, g);
      });
      for (const g of gs) if (g !== null && g !== gy && !given.has(g)) g.dispose();
      if (!handedOver && owned.delete(gy)) gy.dispose();
      grads.delete(t);
      if (!options.retainGraph) t.node = null;
    }
    for (const g of owned) g.dispose();
  });
}

const copy = (t: Tensor): Tensor => reshape(t, t.shape);

/** Adds g (now owned by this call) into leaf.grad; the leaf owns its gradient, outside any tidy scope. */
function accumulate(leaf: Tensor, g: Tensor): void {
  if (leaf.grad === null || leaf.grad.isDisposed) {
    leaf.grad = keep(g) as Tensor<'f32'>;
    return;
  }
  const sum = keep(add(leaf.grad, g));
  g.dispose();
  leaf.grad.dispose();
  leaf.grad = sum;
}

/**
 * An op with a user-defined gradient: `forward` runs without recording; `backward(gy, y, inputs)`
 * returns one gradient per input (or null). Straight-through estimators are built with it.
 */
export function customGrad(inputs: readonly Tensor[], forward: (...xs: Tensor[]) => Tensor, grad: (gy: Tensor, y: Tensor, inputs: readonly Tensor[]) => (Tensor | null)[]): Tensor {
  if (!Array.isArray(inputs)) invalid('customGrad', 'inputs', 'an array of tensors', inputs);
  inputs.forEach((t, i) => assertTensor('customGrad', `inputs[${i}]`, t));
  checkFunction('customGrad', 'forward', forward);
  checkFunction('customGrad', 'grad', grad);
  let y = noGrad(() => forward(...inputs));
  assertTensor('customGrad', 'forward(...inputs)', y);
  if (inputs.includes(y)) y = noGrad(() => reshape(y, y.shape));
  return record('custom', inputs, y, { backward: grad });
}

/** A copy of x outside the graph: gradients stop here. */
export function detach(x: Tensor): Tensor {
  assertTensor('detach', 'x', x);
  return noGrad(() => reshape(x, x.shape));
}
