import { SlimError, checkInstance, invalid, optionsOf } from '../errors.js';
import { assign } from '../ops/layout.js';
import { keep } from '../tensor/scope.js';
import { shapeString } from '../tensor/shape.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';

export type StateDict = Record<string, Tensor>;

/**
 * Base of every layer: named parameters, buffers and children with PyTorch's dotted names
 * (`0.weight`), train/eval mode, and strict state dicts. Modules own their tensors: dispose() frees them.
 */
export abstract class Module {
  training = true;
  readonly #params = new Map<string, Tensor>();
  readonly #buffers = new Map<string, Tensor>();
  readonly #children = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;

  /**
   * @internal `next.forward(this.forward(x))` in one fused step when this pair has one (Linear or
   * Conv2d then ReLU: the ReLU runs in the GEMM's epilogue, same bits and gradients), else null.
   * Sequential uses it.
   */
  forwardThen(_x: Tensor, _next: Module): Tensor | null {
    return null;
  }

  /** Registers a trainable tensor: it requires grad and leaves every tidy scope (the module owns it). */
  protected registerParameter<T extends Tensor>(name: string, t: T): T {
    checkName('registerParameter', name);
    assertTensor('registerParameter', 't', t);
    t.requiresGrad = true;
    this.#params.set(name, keep(t));
    return t;
  }

  /** Registers non-trainable state that is saved with the model (e.g. BatchNorm's running mean). */
  protected registerBuffer<T extends Tensor>(name: string, t: T): T {
    checkName('registerBuffer', name);
    assertTensor('registerBuffer', 't', t);
    this.#buffers.set(name, keep(t));
    return t;
  }

  /** The registered parameter `name` (null if absent). */
  protected param(name: string): Tensor | null {
    return this.#params.get(name) ?? null;
  }

  protected buffer(name: string): Tensor | null {
    return this.#buffers.get(name) ?? null;
  }

  protected registerModule<M extends Module>(name: string, m: M): M {
    checkName('registerModule', name);
    checkInstance('registerModule', 'm', m, Module, 'a Module');
    if ((m as Module) === this) invalid('registerModule', 'm', 'a module other than this one', m);
    this.#children.set(name, m);
    return m;
  }

  /** Replaces a registered parameter or buffer tensor (disposing the old one), e.g. after pruning. */
  protected replaceTensor(name: string, t: Tensor): void {
    assertTensor('replaceTensor', 't', t);
    const map = this.#params.has(name) ? this.#params : this.#buffers.has(name) ? this.#buffers : null;
    if (map === null) throw new SlimError('INVALID_ARGUMENT', `replaceTensor: ${this.constructor.name} has no parameter or buffer '${name}'`);
    const old = map.get(name)!;
    if (map === this.#params) t.requiresGrad = true;
    map.set(name, keep(t));
    if (old !== t) old.dispose();
  }

  namedChildren(): [string, Module][] {
    return [...this.#children];
  }

  /** Every module in the tree with its dotted path ('' for this one). */
  namedModules(prefix = ''): [string, Module][] {
    checkPrefix('namedModules', prefix);
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.#children) out.push(...child.namedModules(prefix ? `${prefix}.${name}` : name));
    return out;
  }

  namedParameters(prefix = ''): [string, Tensor][] {
    checkPrefix('namedParameters', prefix);
    return this.collect(prefix, (m) => m.#params);
  }

  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  namedBuffers(prefix = ''): [string, Tensor][] {
    checkPrefix('namedBuffers', prefix);
    return this.collect(prefix, (m) => m.#buffers);
  }

  private collect(prefix: string, pick: (m: Module) => Map<string, Tensor>): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [path, m] of this.namedModules(prefix)) for (const [name, t] of pick(m)) out.push([path ? `${path}.${name}` : name, t]);
    return out;
  }

  /** Training mode (dropout active, BatchNorm uses batch statistics) for this module and its children. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  eval(): this {
    return this.train(false);
  }

  /** Parameters and buffers by dotted name. The tensors are the module's own: copy them to keep a snapshot. */
  stateDict(): StateDict {
    return Object.fromEntries([...this.namedParameters(), ...this.namedBuffers()]);
  }

  /**
   * Copies values into the module's tensors. Strict by default: a missing or unexpected key, or a
   * wrong shape or dtype, throws listing every problem, and nothing is copied.
   */
  loadStateDict(state: StateDict | Map<string, Tensor>, options: { strict?: boolean } = {}): void {
    const strict = optionsOf('loadStateDict', options).strict ?? true;
    if (typeof strict !== 'boolean') invalid('loadStateDict', 'options.strict', 'a boolean', strict);
    if (state === null || typeof state !== 'object') invalid('loadStateDict', 'state', 'a state dict (an object or a Map of tensors by name)', state);
    const given = state instanceof Map ? state : new Map(Object.entries(state));
    const own = new Map([...this.namedParameters(), ...this.namedBuffers()]);
    const problems: string[] = [];
    for (const [name, t] of own) {
      const src = given.get(name);
      if (src === undefined) {
        if (strict) problems.push(`missing key '${name}' (expected ${shapeString(t.shape)} ${t.dtype})`);
      } else if (src.dtype !== t.dtype || src.rank !== t.rank || src.shape.some((d, i) => d !== t.shape[i])) {
        problems.push(`'${name}': expected ${shapeString(t.shape)} ${t.dtype}, received ${shapeString(src.shape)} ${src.dtype}`);
      }
    }
    if (strict) for (const name of given.keys()) if (!own.has(name)) problems.push(`unexpected key '${name}'`);
    if (problems.length) {
      const code = problems.some((p) => p.includes('expected [') && !p.startsWith('missing')) ? 'SHAPE_MISMATCH' : 'INVALID_ARGUMENT';
      throw new SlimError(code, `loadStateDict: ${problems.length} problem${problems.length > 1 ? 's' : ''} in the state dict for ${this.constructor.name}: ${problems.join('; ')}`);
    }
    for (const [name, t] of own) {
      const src = given.get(name);
      if (src !== undefined) assign(t, src);
    }
  }

  /** Zeroes (frees) the gradients of every parameter. */
  zeroGrad(): void {
    for (const p of this.parameters()) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Number of trainable elements. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Frees every parameter and buffer. */
  dispose(): void {
    for (const t of [...this.parameters(), ...this.namedBuffers().map(([, b]) => b)]) t.dispose();
  }
}

/** Runs modules in order: `new Sequential(new Linear(784, 300), new ReLU(), …)`; children are named 0, 1, … */
export class Sequential extends Module {
  readonly layers: readonly Module[];

  constructor(...layers: Module[]) {
    super();
    layers.forEach((m, i) => {
      if (!(m instanceof Module)) invalid('Sequential', `layers[${i}]`, 'a Module', m);
      this.registerModule(String(i), m);
    });
    this.layers = layers;
  }

  /** Runs the layers in order, fusing the pairs that have a fused step (Linear or Conv2d then ReLU). */
  forward(x: Tensor): Tensor {
    const layers = this.layers;
    let y = x;
    for (let i = 0; i < layers.length; i++) {
      const next = layers[i + 1];
      const fused = next === undefined ? null : layers[i]!.forwardThen(y, next);
      if (fused === null) y = layers[i]!.forward(y);
      else {
        y = fused;
        i++;
      }
    }
    return y;
  }
}

/** A registered name: a non-empty string without '.' (the separator of dotted paths). */
function checkName(fn: string, name: unknown): asserts name is string {
  if (typeof name !== 'string' || name === '' || name.includes('.')) invalid(fn, 'name', "a non-empty string without '.'", name);
}

/** The dotted-name prefix of the tree walks: a string. */
function checkPrefix(fn: string, prefix: unknown): asserts prefix is string {
  if (typeof prefix !== 'string') invalid(fn, 'prefix', 'a string', prefix);
}

/** The leaves of nested Sequentials with their dotted names, in the order forward() runs them. */
export function leafModules(model: Module, prefix = ''): [string, Module][] {
  checkInstance('leafModules', 'model', model, Module, 'a Module');
  checkPrefix('leafModules', prefix);
  if (!(model instanceof Sequential)) return [[prefix, model]];
  return model.namedChildren().flatMap(([name, child]) => leafModules(child, prefix ? `${prefix}.${name}` : name));
}
