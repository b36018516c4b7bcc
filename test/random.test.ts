import assert from 'node:assert/strict';
import { test } from 'node:test';
import './setup.js';
import * as st from '../src/index.js';

test('the same seed gives the same bits; golden values pin the stream across runtimes', () => {
  st.tidy(() => {
    const a = st.uniform([1000], -1, 1, { seed: 42 }).toTypedArray();
    const b = st.uniform([1000], -1, 1, { seed: 42 }).toTypedArray();
    assert.deepEqual(a, b);
    assert.notDeepEqual(st.uniform([1000], -1, 1, { seed: 43 }).toTypedArray(), a);
    for (const seed of [0, 7, 2 ** 32 + 5, Number.MAX_SAFE_INTEGER]) {
      const rng = new st.Rng(seed);
      const ref = pcg32(BigInt(seed));
      for (let i = 0; i < 500; i++) assert.equal(rng.uint32(), ref(), `seed ${seed}, draw ${i}`);
    }
  });
});

/** O'Neill's pcg32_srandom_r(seed, STREAM) + pcg32_random_r, in BigInt: the reference for Rng. */
function pcg32(seed: bigint): () => number {
  const M = (1n << 64n) - 1n;
  const MULT = 6364136223846793005n;
  const inc = ((0xda3e39cb94b95bdbn << 1n) | 1n) & M;
  let state = 0n;
  const next = () => {
    const old = state;
    state = (old * MULT + inc) & M;
    const xorshifted = Number((((old >> 18n) ^ old) >> 27n) & 0xffffffffn);
    const rot = Number(old >> 59n);
    return ((xorshifted >>> rot) | (xorshifted << ((32 - rot) & 31))) >>> 0;
  };
  next();
  state = (state + seed) & M;
  next();
  return next;
}

test('uniform and normal have the right moments; an Rng continues its stream', () => {
  st.tidy(() => {
    const u = st.uniform([200_000], 2, 4, { seed: 1 });
    assert.ok(Math.abs(st.mean(u).item() - 3) < 0.01);
    assert.ok(st.min(u).item() >= 2 && st.max(u).item() < 4);
    const z = st.normal([200_000], 1, 3, { seed: 2 });
    const m = st.mean(z).item();
    const sd = Math.sqrt(st.mean(st.mul(st.sub(z, m), st.sub(z, m))).item());
    assert.ok(Math.abs(m - 1) < 0.03, `mean ${m}`);
    assert.ok(Math.abs(sd - 3) < 0.03, `std ${sd}`);
    const rng = new st.Rng(5);
    const first = st.uniform([10], 0, 1, { rng }).toTypedArray();
    const second = st.uniform([10], 0, 1, { rng }).toTypedArray();
    assert.notDeepEqual(first, second);
    assert.deepEqual(st.uniform([20], 0, 1, { seed: 5 }).toTypedArray(), Float32Array.from([...first, ...second]));
  });
});

test('Rng.int is in range and unbiased enough; shuffle is a seeded permutation', () => {
  const rng = new st.Rng(3);
  const counts = new Array(6).fill(0);
  for (let i = 0; i < 60_000; i++) counts[rng.int(6)]++;
  counts.forEach((c) => assert.ok(Math.abs(c - 10_000) < 400, `count ${c}`));
  const p = new st.Rng(9).shuffle(Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual([...p].sort((a, b) => a - b), Array.from({ length: 100 }, (_, i) => i));
  assert.deepEqual(new st.Rng(9).shuffle(Array.from({ length: 100 }, (_, i) => i)), p);
  assert.throws(() => rng.int(0), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => new st.Rng(-1), { code: 'INVALID_ARGUMENT' });
  st.seed(11);
  const a = st.tidy(() => st.uniform([3]).toTypedArray());
  st.seed(11);
  assert.deepEqual(st.tidy(() => st.uniform([3]).toTypedArray()), a);
});
