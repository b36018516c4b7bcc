import { backward, detach, type BackwardOptions } from '../autograd/backward.js';
import { f32View, heap, i32View, i8View, u8View } from '../backend/binding.js';
import { SlimError } from '../errors.js';
import { elementBytes, DTYPES, type DType, type TypedArrayFor } from './dtype.js';
import { track, untrack } from './scope.js';
import { checkShape, numel, shapeString, type Shape } from './shape.js';

export type NestedArray = number | NestedArray[];

/** @internal An edge of the autograd graph: the op that made a tensor and what its rule needs. */
export interface GradNode {
  readonly op: string;
  /** Inputs in op order (null where an input was a plain number, then in attrs). */
  readonly inputs: readonly (Tensor | null)[];
  /** Which inputs need a gradient. */
  readonly needs: readonly boolean[];
  /** Op attributes and scalar operands the rule needs (axis, perm, numbers…). */
  readonly attrs: Readonly<Record<string, unknown>>;
}

interface Held { ptr: number; bytes: number }
let liveTensors = 0;
let liveBytes = 0;

function release(held: Held): void {
  heap().free(held.ptr);
  liveTensors--;
  liveBytes -= held.bytes;
}

/** Frees a tensor the program dropped without dispose(); dispose() stays the way to bound memory. */
// Absent where the engine hides it (workerd before its enable_weak_ref date): then only dispose/tidy free.
const finalizer = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<Held>(release) : null;

/** A dense, row-major tensor whose elements live in wasm memory until dispose(). */
export class Tensor<D extends DType = DType> {
  readonly shape: Shape;
  readonly dtype: D;
  /** Number of elements. */
  readonly size: number;
  readonly #held: Held;
  #disposed = false;
  /** Registered with the finalizer: from creation outside tidy(), or once it leaves its last scope. */
  #watched = false;
  #requiresGrad = false;
  /** Accumulated gradient of a leaf after backward(); owned by this tensor (disposed with it or when replaced). */
  grad: Tensor<'f32'> | null = null;
  /** @internal The op that produced this tensor while gradients were recorded. */
  node: GradNode | null = null;

  /** @internal Use the creation functions (tensor, zeros, …) instead. */
  constructor(shape: Shape, dtype: D, ptr: number, bytes: number) {
    this.shape = Object.freeze(shape.slice());
    this.dtype = dtype;
    this.size = numel(shape);
    this.#held = { ptr, bytes };
    liveTensors++;
    liveBytes += bytes;
    // A tidy() scope frees what it tracks, so only a tensor outside every scope needs the finalizer
    // now (registering and unregistering cost more than the heap's alloc and free together).
    if (!track(this)) this.watch();
  }

  /** @internal Puts the tensor under the finalizer's safety net (once; keep() and tidy() call it when it leaves its scopes). */
  watch(): void {
    if (this.#watched || this.#disposed || finalizer === null) return;
    finalizer.register(this, this.#held, this);
    this.#watched = true;
  }

  get rank(): number { return this.shape.length; }

  /** Whether gradients flow to this tensor; set it on leaves (parameters). Only f32 tensors can. */
  get requiresGrad(): boolean { return this.#requiresGrad; }
  set requiresGrad(value: boolean) {
    if (value && this.dtype !== 'f32') throw new SlimError('DTYPE_MISMATCH', `requiresGrad: only f32 tensors can require gradients, received ${this.dtype}`);
    this.#requiresGrad = value;
  }
  get byteLength(): number { return this.#held.bytes; }
  get isDisposed(): boolean { return this.#disposed; }

  /** @internal Byte offset of the data in wasm memory; throws DISPOSED after dispose(). */
  get ptr(): number {
    if (this.#disposed) throw new SlimError('DISPOSED', `tensor ${shapeString(this.shape)} ${this.dtype} was disposed and cannot be read or used`);
    return this.#held.ptr;
  }

  /** Back-propagates from this one-element tensor into the .grad of every leaf that requires it. */
  backward(options?: BackwardOptions): void {
    backward(this, options);
  }

  /** A copy outside the autograd graph. */
  detach(): Tensor<D> {
    return detach(this) as Tensor<D>;
  }

  /** Frees the wasm memory now. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.node = null;
    this.grad?.dispose();
    this.grad = null;
    if (this.#watched) finalizer!.unregister(this);
    untrack(this);
    release(this.#held);
  }

  /** A copy of the elements in a typed array of the dtype. */
  toTypedArray(): TypedArrayFor<D> {
    const ptr = this.ptr;
    const n = this.size;
    switch (this.dtype) {
      case 'f32': return f32View().slice(ptr >>> 2, (ptr >>> 2) + n) as TypedArrayFor<D>;
      case 'i32': return i32View().slice(ptr >>> 2, (ptr >>> 2) + n) as TypedArrayFor<D>;
      case 'i8': return i8View().slice(ptr, ptr + n) as TypedArrayFor<D>;
      default: return u8View().slice(ptr, ptr + n) as TypedArrayFor<D>;
    }
  }

  /** The elements as nested JS arrays (a number for a rank-0 tensor). */
  toArray(): NestedArray {
    const flat = this.toTypedArray();
    if (this.rank === 0) return flat[0]!;
    let pos = 0;
    const build = (dim: number): NestedArray[] => {
      const len = this.shape[dim]!;
      const out = new Array<NestedArray>(len);
      for (let i = 0; i < len; i++) out[i] = dim === this.rank - 1 ? flat[pos++]! : build(dim + 1);
      return out;
    };
    return build(0);
  }

  /** The single element of a one-element tensor. */
  item(): number {
    this.ptr;
    if (this.size !== 1) throw new SlimError('SHAPE_MISMATCH', `item: the tensor must have exactly 1 element, received shape ${shapeString(this.shape)} (${this.size} elements)`);
    return this.toTypedArray()[0]!;
  }

  toString(): string {
    return `Tensor(${shapeString(this.shape)}, ${this.dtype}${this.#disposed ? ', disposed' : ''})`;
  }
}

/** @internal Allocates an uninitialized tensor; `fn` names the public function for errors. */
export function empty<D extends DType>(fn: string, shape: Shape, dtype: D): Tensor<D> {
  const dims = checkShape(fn, 'shape', shape);
  const n = numel(dims);
  const bytes = elementBytes(dtype, n);
  if (!Number.isSafeInteger(bytes) || bytes >= 2 ** 32) {
    throw new SlimError('OUT_OF_MEMORY', `${fn}: a ${shapeString(dims)} ${dtype} tensor needs ${bytes} bytes, past the 4 GiB wasm32 memory limit`);
  }
  return new Tensor(dims, dtype, heap().alloc(bytes), bytes);
}

export interface MemoryStats {
  /** Tensors allocated and not yet disposed (or finalized). */
  tensors: number;
  /** Bytes of tensor data those hold. */
  bytes: number;
  /** Bytes of wasm linear memory in use by the allocator (tensors, scratch, 16-byte rounding). */
  heapBytes: number;
  /** Size of the wasm memory: it grows on demand and never shrinks. */
  memoryBytes: number;
}

/** Counts of live tensors and bytes, for leak tests: compare before and after a scope. */
export function memoryStats(): MemoryStats {
  const h = heap();
  return { tensors: liveTensors, bytes: liveBytes, heapBytes: h.inUse, memoryBytes: h.capacity() };
}

export function assertTensor(fn: string, arg: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) {
    throw new SlimError('INVALID_ARGUMENT', `${fn}: ${arg} must be a Tensor, received ${x === null ? 'null' : typeof x === 'object' ? (x as object).constructor?.name ?? 'object' : typeof x}`);
  }
  if (x.isDisposed) throw new SlimError('DISPOSED', `${fn}: ${arg} (${shapeString(x.shape)} ${x.dtype}) was disposed`);
}

export function assertDType(fn: string, arg: string, x: Tensor, ...allowed: DType[]): void {
  if (!allowed.includes(x.dtype)) {
    throw new SlimError('DTYPE_MISMATCH', `${fn}: ${arg} must have dtype ${allowed.join(' or ')}, received ${x.dtype}`);
  }
}

export { DTYPES };
