import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import './setup.js';
import * as st from '../src/index.js';
import { shapeArb, size, tensorArb } from './reference.js';

const stridesOf = (shape: number[]) => shape.map((_, i) => size(shape.slice(i + 1)));

function refTranspose(data: ArrayLike<number>, shape: number[], perm: number[]): number[] {
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = stridesOf(shape);
  const out: number[] = [];
  const idx = outShape.map(() => 0);
  for (let i = 0; i < size(outShape); i++) {
    out.push(data[idx.reduce((acc, v, d) => acc + v * inStrides[perm[d]!]!, 0)]!);
    for (let d = outShape.length - 1; d >= 0; d--) {
      if (++idx[d]! < outShape[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

const dtypeArb = fc.constantFrom('f32', 'i32', 'i8', 'u8') as fc.Arbitrary<st.DType>;
const intData = (n: number, dtype: st.DType) => Array.from({ length: n }, (_, i) => (dtype === 'u8' ? i % 251 : dtype === 'i8' ? (i % 251) - 125 : i * 7 - 3));

test('transpose with any permutation matches the reference for every dtype', () => {
  fc.assert(
    fc.property(shapeArb(5, 3000), dtypeArb, fc.integer(), (shape, dtype, seed) => {
      st.tidy(() => {
        const perm = shape.map((_, i) => i).sort((a, b) => ((a * 7919 + seed) % 13) - ((b * 7919 + seed) % 13));
        const data = intData(size(shape), dtype);
        const out = st.transpose(st.tensor(data, shape, dtype), perm);
        assert.deepEqual(out.shape, perm.map((p) => shape[p]));
        assert.equal(out.dtype, dtype);
        assert.deepEqual(Array.from(out.toTypedArray()), refTranspose(data, shape, perm));
      });
    }),
    { numRuns: 150 },
  );
  st.tidy(() => {
    assert.deepEqual(st.transpose(st.tensor([[1, 2, 3], [4, 5, 6]])).toArray(), [[1, 4], [2, 5], [3, 6]]);
    assert.throws(() => st.transpose(st.zeros([2, 3]), [0, 0]), { code: 'INVALID_ARGUMENT', message: /transpose: perm must be a permutation of 0..1, received \[0, 0\]/ });
  });
});

test('reshape keeps the data and infers one -1', () => {
  fc.assert(
    fc.property(tensorArb(shapeArb(4, 2000)), ({ shape, data }) => {
      st.tidy(() => {
        const x = st.tensor(data, shape);
        const flat = st.reshape(x, [-1]);
        assert.deepEqual(flat.shape, [size(shape)]);
        assert.deepEqual(flat.toTypedArray(), data);
        const back = st.reshape(flat, shape);
        assert.deepEqual(back.shape, shape);
      });
    }),
  );
  st.tidy(() => {
    const x = st.arange(12);
    assert.deepEqual(st.reshape(x, [3, -1]).shape, [3, 4]);
    assert.throws(() => st.reshape(x, [5, -1]), { code: 'SHAPE_MISMATCH', message: /cannot infer the -1 in \[5, -1\] for 12 elements/ });
    assert.throws(() => st.reshape(x, [-1, -1]), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => st.reshape(x, [5, 2]), { code: 'SHAPE_MISMATCH', message: /shape \[5, 2\] holds 10 elements, but x \[12\] has 12/ });
    assert.throws(() => st.reshape(x, [2.5, 2]), { code: 'INVALID_ARGUMENT', message: /shape\[0\] must be a non-negative integer, received 2.5/ });
  });
});

test('slice then concat along any axis gives back the tensor', () => {
  fc.assert(
    fc.property(shapeArb(4, 3000).filter((s) => s.length > 0), dtypeArb, fc.nat(), fc.nat(), (shape, dtype, axisSeed, cutSeed) => {
      st.tidy(() => {
        const axis = axisSeed % shape.length;
        const cut = cutSeed % (shape[axis]! + 1);
        const data = intData(size(shape), dtype);
        const x = st.tensor(data, shape, dtype);
        const a = st.slice(x, axis, 0, cut);
        const b = st.slice(x, axis, cut);
        assert.equal(a.shape[axis], cut);
        assert.equal(b.shape[axis], shape[axis]! - cut);
        const joined = st.concat([a, b], axis);
        assert.deepEqual(joined.shape, shape);
        assert.deepEqual(Array.from(joined.toTypedArray()), data);
      });
    }),
    { numRuns: 150 },
  );
  st.tidy(() => {
    const x = st.tensor([[1, 2, 3], [4, 5, 6]]);
    assert.deepEqual(st.slice(x, 1, -2).toArray(), [[2, 3], [5, 6]]);
    assert.deepEqual(st.slice(x, 0, 5).shape, [0, 3]);
    assert.deepEqual(st.concat([x, x, x], 0).shape, [6, 3]);
    assert.throws(() => st.concat([x, st.zeros([2, 2])], 0), { code: 'SHAPE_MISMATCH', message: /xs\[1\] has shape \[2, 2\], expected \[\*, 3\]/ });
    assert.throws(() => st.concat([x, st.zeros([2, 3], 'i32')], 0), { code: 'DTYPE_MISMATCH' });
    assert.throws(() => st.slice(x, 0, NaN), { code: 'INVALID_ARGUMENT', message: /slice: start must be an integer, received NaN/ });
  });
});

test('gather picks rows and rejects out-of-range indices without a trap', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 40 }), fc.constantFrom(1, 3, 4, 16, 17), fc.array(fc.nat(), { maxLength: 50 }), (rows, width, picks) => {
      st.tidy(() => {
        const table = st.reshape(st.arange(rows * width), [rows, width]);
        const idx = picks.map((p) => p % rows);
        const out = st.gather(table, st.tensor(idx, [idx.length], 'i32'));
        assert.deepEqual(out.shape, [idx.length, width]);
        assert.deepEqual(Array.from(out.toTypedArray()), idx.flatMap((r) => Array.from({ length: width }, (_, j) => r * width + j)));
      });
    }),
  );
  st.tidy(() => {
    const table = st.ones([4, 2]);
    const before = st.memoryStats().tensors;
    assert.throws(() => st.gather(table, st.tensor([0, 4], undefined, 'i32')), { code: 'INDEX_OUT_OF_RANGE', message: /indices\[1\] = 4 is outside \[0, 4\)/ });
    assert.throws(() => st.gather(table, st.tensor([-1], undefined, 'i32')), { code: 'INDEX_OUT_OF_RANGE' });
    assert.equal(st.memoryStats().tensors, before + 2);
    assert.throws(() => st.gather(table, st.tensor([0])), { code: 'DTYPE_MISMATCH' });
  });
});

test('broadcastTo and cast', () => {
  st.tidy(() => {
    assert.deepEqual(st.broadcastTo(st.tensor([1, 2]), [2, 2]).toArray(), [[1, 2], [1, 2]]);
    assert.throws(() => st.broadcastTo(st.zeros([3]), [2, 2]), { code: 'SHAPE_MISMATCH' });
    assert.throws(() => st.broadcastTo(st.zeros([2, 2]), [2]), { code: 'SHAPE_MISMATCH' });
    const x = st.tensor([-1.9, -0.5, 0.5, 127.9, 300, -300, NaN, Infinity]);
    assert.deepEqual(Array.from(st.cast(x, 'i8').toTypedArray()), [-1, 0, 0, 127, 127, -128, 0, 127]);
    assert.deepEqual(Array.from(st.cast(x, 'u8').toTypedArray()), [0, 0, 0, 127, 255, 0, 0, 255]);
    assert.deepEqual(Array.from(st.cast(x, 'i32').toTypedArray()), [-1, 0, 0, 127, 300, -300, 0, 2147483647]);
    const bytes = st.tensor(Uint8Array.from({ length: 19 }, (_, i) => i * 13));
    assert.deepEqual(Array.from(st.cast(bytes, 'f32').toTypedArray()), Array.from({ length: 19 }, (_, i) => i * 13));
    assert.deepEqual(Array.from(st.cast(st.tensor([-128, 5, 127], undefined, 'i8'), 'f32').toTypedArray()), [-128, 5, 127]);
    assert.deepEqual(Array.from(st.cast(st.tensor([-(2 ** 31), 16777217], undefined, 'i32'), 'f32').toTypedArray()), [-(2 ** 31), 16777216]);
    assert.throws(() => st.cast(bytes, 'i8'), { code: 'DTYPE_MISMATCH', message: /go through f32/ });
  });
});

test('batched 2-D transposes (the 4×4-block kernel, and the 16×16 one for bytes) match the reference around block edges', () => {
  const d = fc.constantFrom(4, 5, 7, 8, 9, 13, 15, 16, 17, 31, 32, 33, 48, 49);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 3 }), d, d, fc.constantFrom('f32', 'i32', 'i8', 'u8') as fc.Arbitrary<st.DType>, (b, r, c, dtype) => {
      st.tidy(() => {
        const shape = b === 0 ? [r, c] : [b, r, c];
        const perm = b === 0 ? [1, 0] : [0, 2, 1];
        const data = intData(size(shape), dtype);
        assert.deepEqual(Array.from(st.transpose(st.tensor(data, shape, dtype), perm).toTypedArray()), refTranspose(data, shape, perm));
      });
    }),
    { numRuns: 200 },
  );
});
