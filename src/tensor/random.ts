import { heap, kernels } from '../backend/binding.js';
import { invalid, optionsOf } from '../errors.js';
import type { Shape } from './shape.js';
import { empty, type Tensor } from './tensor.js';

const freeState = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<number>((ptr) => heap().free(ptr)) : null;

/**
 * A seeded PCG32 stream (XSH-RR) whose state lives in wasm memory: the same seed gives the same
 * bits in every runtime. Used for init, dropout and shuffling.
 */
export class Rng {
  readonly #state: number;

  constructor(seed = 0) {
    if (!Number.isSafeInteger(seed) || seed < 0) invalid('Rng', 'seed', 'a non-negative safe integer', seed);
    this.#state = heap().alloc(16);
    freeState?.register(this, this.#state);
    kernels().rng_seed(this.#state, seed % 2 ** 32, Math.floor(seed / 2 ** 32));
  }

  /** @internal Pointer to the 16-byte generator state. */
  get statePtr(): number { return this.#state; }

  /** A uniform 32-bit unsigned integer. */
  uint32(): number { return kernels().rng_u32(this.#state) >>> 0; }

  /** A uniform integer in [0, n), without modulo bias; n ≤ 2^32. */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) invalid('Rng.int', 'n', 'an integer in [1, 2^32]', n);
    const limit = 2 ** 32 - (2 ** 32 % n);
    let x: number;
    do x = this.uint32(); while (x >= limit);
    return x % n;
  }

  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[] | Int32Array | Uint32Array): typeof items {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i]!;
      items[i] = items[j]!;
      items[j] = t as never;
    }
    return items;
  }
}

let defaultRng: Rng | null = null;

/** Re-seeds the default generator that random ops use when given no `rng` or `seed`. */
export function seed(s: number): void {
  defaultRng = new Rng(s);
}

export interface RandomOptions {
  /** Draw from this generator (advancing it). */
  rng?: Rng;
  /** Draw from a fresh generator with this seed. */
  seed?: number;
}

function pick(opts: RandomOptions): Rng {
  if (opts.rng !== undefined) {
    if (!(opts.rng instanceof Rng)) invalid('random', 'rng', 'an Rng', opts.rng);
    return opts.rng;
  }
  if (opts.seed !== undefined) return new Rng(opts.seed);
  return (defaultRng ??= new Rng(0));
}

function checkFinite(fn: string, arg: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) invalid(fn, arg, 'a finite number', v);
  return v;
}

/** f32 samples uniform in [low, high). */
export function uniform(shape: Shape, low = 0, high = 1, opts: RandomOptions = {}): Tensor<'f32'> {
  opts = optionsOf('uniform', opts, 'opts');
  checkFinite('uniform', 'low', low);
  checkFinite('uniform', 'high', high);
  const rng = pick(opts);
  const t = empty('uniform', shape, 'f32');
  kernels().f32_rand_uniform(t.size, rng.statePtr, t.ptr, low, high);
  return t;
}

/** f32 samples from N(mean, std²), by Marsaglia's polar method. */
export function normal(shape: Shape, mean = 0, std = 1, opts: RandomOptions = {}): Tensor<'f32'> {
  opts = optionsOf('normal', opts, 'opts');
  checkFinite('normal', 'mean', mean);
  if (checkFinite('normal', 'std', std) < 0) invalid('normal', 'std', 'non-negative', std);
  const rng = pick(opts);
  const t = empty('normal', shape, 'f32');
  kernels().f32_rand_normal(t.size, rng.statePtr, t.ptr, mean, std);
  return t;
}
