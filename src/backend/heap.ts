import { SlimError } from '../errors.js';

/** wasm32 linear memory cannot exceed 4 GiB. */
export const MAX_MEMORY_BYTES = 2 ** 32;
const ALIGN = 16;
/** A free remainder smaller than this stays with the block it was split from. */
const MIN_SPLIT = 64;
const LINEAR_CLASSES = 16;
const SUBCLASS_BITS = 3;
/** Classes for every size below 4 GiB: 16 linear, then 8 per power of two from 2^8 to 2^31. */
const CLASSES = LINEAR_CLASSES + (32 - 8) * (1 << SUBCLASS_BITS);
/** Entries of a class that a fitting search looks at before it moves to the next class up. */
const FIT_SCAN = 8;

/**
 * A map between 16-byte aligned addresses (or sizes) below 4 GiB: open addressing with linear
 * probing and backward-shift deletion over typed arrays. The allocator's few lookups per block
 * cost a handful of nanoseconds this way, several times less than a JS Map under steady churn.
 * @internal (exported for its tests)
 */
export class AddressMap {
  /** Key/16 + 1 per slot, 0 when empty. */
  private keys = new Int32Array(64);
  private values = new Float64Array(64);
  private mask = 63;
  size = 0;

  private slot(key: number): number {
    return Math.imul(key, 0x9e3779b1) >>> 0 & this.mask;
  }

  get(addr: number): number | undefined {
    const key = addr / ALIGN + 1;
    for (let i = this.slot(key); ; i = (i + 1) & this.mask) {
      const k = this.keys[i]!;
      if (k === key) return this.values[i]!;
      if (k === 0) return undefined;
    }
  }

  set(addr: number, value: number): void {
    if (2 * (this.size + 1) > this.keys.length) this.resize(2 * this.keys.length);
    const key = addr / ALIGN + 1;
    let i = this.slot(key);
    for (; this.keys[i] !== 0; i = (i + 1) & this.mask) {
      if (this.keys[i] === key) {
        this.values[i] = value;
        return;
      }
    }
    this.keys[i] = key;
    this.values[i] = value;
    this.size++;
  }

  delete(addr: number): void {
    const key = addr / ALIGN + 1;
    let i = this.slot(key);
    for (; this.keys[i] !== key; i = (i + 1) & this.mask) if (this.keys[i] === 0) return;
    this.size--;
    // Backward shift: pull later entries of the probe run into the hole so lookups never stop early.
    for (let j = (i + 1) & this.mask; this.keys[j] !== 0; j = (j + 1) & this.mask) {
      const home = this.slot(this.keys[j]!);
      if (((j - home) & this.mask) >= ((j - i) & this.mask)) {
        this.keys[i] = this.keys[j]!;
        this.values[i] = this.values[j]!;
        i = j;
      }
    }
    this.keys[i] = 0;
  }

  private resize(slots: number): void {
    const { keys, values } = this;
    this.keys = new Int32Array(slots);
    this.values = new Float64Array(slots);
    this.mask = slots - 1;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k === 0) continue;
      let j = this.slot(k);
      while (this.keys[j] !== 0) j = (j + 1) & this.mask;
      this.keys[j] = k;
      this.values[j] = values[i]!;
    }
  }
}

/** Size class: exact 16-byte steps below 256 bytes, then 8 classes per power of two. */
function classOf(size: number): number {
  if (size < LINEAR_CLASSES * ALIGN) return size >>> 4;
  const log = 31 - Math.clz32(size);
  const sub = (size >>> (log - SUBCLASS_BITS)) - (1 << SUBCLASS_BITS);
  return LINEAR_CLASSES + (log - 8) * (1 << SUBCLASS_BITS) + sub;
}

/**
 * A segregated-fit allocator over one wasm linear memory, kept on the JS side so that
 * kernels never allocate and a failed `memory.grow` is a typed OUT_OF_MEMORY, not a trap.
 * Blocks are 16-byte aligned; freed neighbours coalesce; a free block at the top lowers it.
 *
 * Batch-1 inference allocates and frees a few small blocks per layer, so both must cost
 * little: each class is a stack of block starts whose stale entries (blocks since merged or
 * taken) are skipped when met and swept when they outnumber the live ones, and a bitmap of the
 * non-empty classes finds the next class up without walking the empty ones.
 */
export class Heap {
  private top: number;
  private readonly start: number;
  private readonly bins: number[][] = Array.from({ length: CLASSES }, () => []);
  /** Free blocks per class (a class's stack may hold more entries: stale ones). */
  private readonly counts = new Int32Array(CLASSES);
  /** Bit c set when class c has a free block. */
  private readonly nonEmpty = new Uint32Array(Math.ceil(CLASSES / 32));
  private readonly freeByStart = new AddressMap();
  private readonly freeByEnd = new AddressMap();
  private readonly sizes = new AddressMap();
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

  /** The size of `start`, an entry of class c's stack, if it is a free block of that class now, else −1. */
  private entrySize(start: number, c: number): number {
    const have = this.freeByStart.get(start);
    return have !== undefined && classOf(have) === c ? have : -1;
  }

  private takeFree(size: number): number | undefined {
    const c = classOf(size);
    // Class c spans sizes up to 1/8 above its floor: look at its newest few entries for one that fits.
    if (this.counts[c]! > 0) {
      const bin = this.bins[c]!;
      for (let i = bin.length - 1, seen = 0; i >= 0 && seen < FIT_SCAN; i--, seen++) {
        const s = bin[i]!;
        const have = this.entrySize(s, c);
        if (have < 0) {
          bin[i] = bin[bin.length - 1]!;
          bin.pop();
          continue;
        }
        if (have >= size) return this.take(s, have, size);
      }
    }
    // Every block of a higher class fits: the lowest non-empty one, its newest live entry.
    const d = this.nextNonEmpty(c + 1);
    if (d < 0) return undefined;
    const bin = this.bins[d]!;
    for (;;) {
      const s = bin.pop()!;
      const have = this.entrySize(s, d);
      if (have >= 0) return this.take(s, have, size);
    }
  }

  /** Takes free block s (`have` bytes) for a request of `size` bytes, splitting off a large enough remainder. */
  private take(s: number, have: number, size: number): number {
    this.unlink(s, have);
    if (have - size >= MIN_SPLIT) this.link(s + size, have - size);
    else size = have;
    this.sizes.set(s, size);
    return s;
  }

  /** The lowest class ≥ c with a free block, or −1. */
  private nextNonEmpty(c: number): number {
    for (let w = c >>> 5; w < this.nonEmpty.length; w++) {
      const bits = w === c >>> 5 ? this.nonEmpty[w]! & (~0 << (c & 31)) : this.nonEmpty[w]!;
      if (bits !== 0) return (w << 5) + 31 - Math.clz32(bits & -bits);
    }
    return -1;
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
    this.bins[c]!.push(start);
    if (this.counts[c]!++ === 0) this.nonEmpty[c >>> 5]! |= 1 << (c & 31);
  }

  private unlink(start: number, size: number): void {
    this.freeByStart.delete(start);
    this.freeByEnd.delete(start + size);
    const c = classOf(size);
    const bin = this.bins[c]!;
    if (--this.counts[c]! === 0) {
      this.nonEmpty[c >>> 5]! &= ~(1 << (c & 31));
      if (bin.length > 32) bin.length = 0;
    } else if (bin.length > 2 * this.counts[c]! + 32) {
      // Sweep the stale entries (and duplicates: a start freed, merged away and freed again).
      const kept = new Set<number>();
      for (const s of bin) if (this.entrySize(s, c) >= 0) kept.add(s);
      this.bins[c] = [...kept];
    }
  }
}
