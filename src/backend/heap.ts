import { SlimError } from '../errors.js';

/** wasm32 linear memory cannot exceed 4 GiB. */
export const MAX_MEMORY_BYTES = 2 ** 32;
const ALIGN = 16;
/** A free remainder smaller than this stays with the block it was split from. */
const MIN_SPLIT = 64;
const LINEAR_CLASSES = 16;
const SUBCLASS_BITS = 3;

/** Size class: exact 16-byte steps below 256 bytes, then 8 classes per power of two. */
function classOf(size: number): number {
  if (size < LINEAR_CLASSES * ALIGN) return size >>> 4;
  const log = 31 - Math.clz32(size);
  const sub = Math.floor(size / 2 ** (log - SUBCLASS_BITS)) - (1 << SUBCLASS_BITS);
  return LINEAR_CLASSES + (log - 8) * (1 << SUBCLASS_BITS) + sub;
}

/**
 * A segregated-fit allocator over one wasm linear memory, kept on the JS side so that
 * kernels never allocate and a failed `memory.grow` is a typed OUT_OF_MEMORY, not a trap.
 * Blocks are 16-byte aligned; freed neighbours coalesce; a free block at the top lowers it.
 */
export class Heap {
  private top: number;
  private readonly start: number;
  private readonly bins: Set<number>[] = [];
  private readonly freeByStart = new Map<number, number>();
  private readonly freeByEnd = new Map<number, number>();
  private readonly sizes = new Map<number, number>();
  /** Bytes in live blocks, after rounding to 16. */
  inUse = 0;

  constructor(
    readonly base: number,
    readonly capacity: () => number,
    private readonly grow: (bytes: number) => void,
  ) {
    this.start = this.top = Math.ceil(base / ALIGN) * ALIGN;
  }

  /** Returns a 16-byte aligned pointer to `bytes` bytes (0 for a zero-byte request). */
  alloc(bytes: number): number {
    if (bytes === 0) return 0;
    const size = Math.ceil(bytes / ALIGN) * ALIGN;
    const ptr = this.takeFree(size) ?? this.bump(size, bytes);
    this.inUse += this.sizes.get(ptr)!;
    return ptr;
  }

  free(ptr: number): void {
    if (ptr === 0) return;
    const size = this.sizes.get(ptr);
    if (size === undefined) throw new SlimError('INVALID_ARGUMENT', `heap.free: ${ptr} is not a live block`);
    this.sizes.delete(ptr);
    this.inUse -= size;
    let start = ptr;
    let end = ptr + size;
    const before = this.freeByEnd.get(start);
    if (before !== undefined) {
      this.unlink(before, start - before);
      start = before;
    }
    const afterSize = this.freeByStart.get(end);
    if (afterSize !== undefined) {
      this.unlink(end, afterSize);
      end += afterSize;
    }
    if (end === this.top) this.top = start;
    else this.link(start, end - start);
  }

  /** Bytes from the base to the highest block ever needed now (live + free holes). */
  get footprint(): number {
    return this.top - this.start;
  }

  private takeFree(size: number): number | undefined {
    for (let c = classOf(size); c < this.bins.length; c++) {
      const bin = this.bins[c];
      if (bin === undefined || bin.size === 0) continue;
      for (const start of bin) {
        const have = this.freeByStart.get(start)!;
        if (have < size) continue;
        this.unlink(start, have);
        if (have - size >= MIN_SPLIT) this.link(start + size, have - size);
        else if (have > size) size = have;
        this.sizes.set(start, size);
        return start;
      }
    }
    return undefined;
  }

  private bump(size: number, requested: number): number {
    const ptr = this.top;
    const end = ptr + size;
    if (end > MAX_MEMORY_BYTES) {
      throw new SlimError('OUT_OF_MEMORY', `allocation of ${requested} bytes exceeds the 4 GiB wasm32 memory limit (${ptr} bytes already reserved)`);
    }
    if (end > this.capacity()) {
      try {
        this.grow(end);
      } catch (e) {
        throw new SlimError('OUT_OF_MEMORY', `allocation of ${requested} bytes failed: wasm memory could not grow to ${end} bytes (${(e as Error).message})`);
      }
    }
    this.top = end;
    this.sizes.set(ptr, size);
    return ptr;
  }

  private link(start: number, size: number): void {
    this.freeByStart.set(start, size);
    this.freeByEnd.set(start + size, start);
    const c = classOf(size);
    (this.bins[c] ??= new Set()).add(start);
  }

  private unlink(start: number, size: number): void {
    this.freeByStart.delete(start);
    this.freeByEnd.delete(start + size);
    this.bins[classOf(size)]!.delete(start);
  }
}
