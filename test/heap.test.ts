// The allocator alone, over a simulated memory: no overlap, 16-byte alignment, coalescing, bounded footprint.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { AddressMap, Heap, MAX_MEMORY_BYTES } from '../src/backend/heap.js';

function simulated(base = 1068) {
  let capacity = 65536;
  let grows = 0;
  const heap = new Heap(base, () => capacity, (end) => {
    grows++;
    capacity = Math.ceil(end / 65536) * 65536;
  });
  return { heap, capacity: () => capacity, grows: () => grows };
}

/** One random step: allocate `bytes` (checked aligned, above the base, overlapping no live block) or free the live block `pick` selects. */
function step(heap: Heap, live: Map<number, number>, isAlloc: boolean, bytes: number, pick: number): void {
  if (isAlloc || live.size === 0) {
    const p = heap.alloc(bytes);
    assert.equal(p % 16, 0);
    assert.ok(p >= 1068);
    for (const [q, n] of live) assert.ok(p + bytes <= q || q + n <= p, `block ${p}+${bytes} overlaps ${q}+${n}`);
    live.set(p, bytes);
  } else {
    const keys = [...live.keys()];
    const p = keys[pick % keys.length]!;
    heap.free(p);
    live.delete(p);
  }
}

test('random alloc/free sequences never overlap, stay aligned, and coalesce back to empty', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 200_000 })), fc.nat()), { maxLength: 300 }), (ops) => {
      const { heap } = simulated();
      const live = new Map<number, number>();
      for (const [isAlloc, bytes, pick] of ops) step(heap, live, isAlloc, bytes, pick);
      for (const p of live.keys()) heap.free(p);
      assert.equal(heap.inUse, 0);
      assert.equal(heap.footprint, 0, 'freeing everything must return the top to the base');
    }),
    { numRuns: 300 },
  );
});

test('a steady alloc/free pattern reuses memory instead of growing', () => {
  const { heap, grows } = simulated();
  const pattern = [512, 4096 * 4, 100_000, 48, 784 * 128 * 4, 16];
  const run = () => pattern.map((n) => heap.alloc(n)).reverse().forEach((p) => heap.free(p));
  run();
  const g = grows();
  const footprint = heap.footprint;
  for (let i = 0; i < 5000; i++) {
    const kept = heap.alloc(64 + (i % 7) * 16);
    run();
    heap.free(kept);
  }
  assert.equal(grows(), g);
  assert.ok(heap.footprint <= footprint + 1024);
});

test('zero bytes give the null pointer; double free and foreign pointers are refused; 4 GiB is the ceiling', () => {
  const { heap } = simulated();
  assert.equal(heap.alloc(0), 0);
  heap.free(0);
  const p = heap.alloc(10);
  heap.free(p);
  assert.throws(() => heap.free(p), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => heap.free(12345), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => heap.alloc(MAX_MEMORY_BYTES), { code: 'OUT_OF_MEMORY', message: /4 GiB/ });
  const failing = new Heap(0, () => 65536, () => { throw new RangeError('WebAssembly.Memory.grow(): Maximum memory size exceeded'); });
  assert.throws(() => failing.alloc(1 << 20), { code: 'OUT_OF_MEMORY', message: /could not grow/ });
  assert.equal(failing.inUse, 0);
  assert.equal(failing.alloc(100) % 16, 0, 'a failed grow must leave the heap usable');
});

test('the address map agrees with a Map through any set/delete sequence, across resizes and probe runs', () => {
  // Few distinct keys in a small range collide often, so deletions must shift probe runs back correctly.
  const key = fc.oneof(fc.integer({ min: 0, max: 40 }).map((i) => i * 16), fc.integer({ min: 0, max: 2 ** 28 - 1 }).map((i) => i * 16));
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), key, fc.nat(2 ** 32)), { maxLength: 400 }), (ops) => {
      const map = new AddressMap();
      const model = new Map<number, number>();
      for (const [isSet, k, v] of ops) {
        if (isSet) {
          map.set(k, v);
          model.set(k, v);
        } else {
          map.delete(k);
          model.delete(k);
        }
        assert.equal(map.size, model.size);
      }
      for (const [k, v] of model) assert.equal(map.get(k), v);
      for (let i = 0; i <= 40; i++) assert.equal(map.get(i * 16), model.get(i * 16));
    }),
    { numRuns: 300 },
  );
});

test('long churn in a few size classes stays correct and bounded (stale class entries are swept)', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 700 }), fc.nat()), { minLength: 500, maxLength: 3000 }), (ops) => {
      const { heap } = simulated();
      const live = new Map<number, number>();
      let peak = 0;
      for (const [isAlloc, bytes, pick] of ops) {
        step(heap, live, isAlloc, bytes, pick);
        peak = Math.max(peak, [...live.values()].reduce((s, n) => s + Math.ceil(n / 16) * 16, 0));
      }
      // Segregated fit wastes at most a class step per live block plus the holes between them.
      assert.ok(heap.footprint <= 4 * peak + 64 * 1024, `footprint ${heap.footprint} for a peak of ${peak} live bytes`);
      for (const p of live.keys()) heap.free(p);
      assert.equal(heap.footprint, 0);
    }),
    { numRuns: 40 },
  );
});
