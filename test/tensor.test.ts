import assert from 'node:assert/strict';
import { test } from 'node:test';
import './setup.js';
import * as st from '../src/index.js';

test('tensor() from numbers, nested arrays and typed arrays; read back as arrays, typed arrays and items', () => {
  st.tidy(() => {
    const s = st.tensor(3.5);
    assert.deepEqual(s.shape, []);
    assert.equal(s.item(), 3.5);
    assert.equal(s.toArray(), 3.5);
    const m = st.tensor([[1, 2], [3, 4], [5, 6]]);
    assert.deepEqual(m.shape, [3, 2]);
    assert.equal(m.dtype, 'f32');
    assert.deepEqual(m.toArray(), [[1, 2], [3, 4], [5, 6]]);
    assert.ok(m.toTypedArray() instanceof Float32Array);
    for (const [arr, dtype] of [[new Int32Array([1, -2]), 'i32'], [new Int8Array([-128, 127]), 'i8'], [new Uint8Array([0, 255]), 'u8'], [new Float32Array([0.5, -0]), 'f32']] as const) {
      const t = st.tensor(arr);
      assert.equal(t.dtype, dtype);
      assert.deepEqual(t.toTypedArray(), arr);
      assert.equal(t.byteLength, arr.byteLength);
    }
    assert.deepEqual(st.tensor(new Uint8Array([1, 2, 3, 4]), [2, 2], 'f32').toArray(), [[1, 2], [3, 4]]);
    assert.deepEqual(st.tensor([], [0, 3]).shape, [0, 3]);
    assert.deepEqual(st.tensor([[], []]).shape, [2, 0]);
    assert.deepEqual(st.tensor([[1, 2]]).toArray(), [[1, 2]]);
  });
});

test('tensor() rejects ragged nesting, wrong sizes and out-of-range integers with a named argument', () => {
  assert.throws(() => st.tensor([[1, 2], [3]]), { code: 'SHAPE_MISMATCH', message: /tensor: data\[1\] has length 1, expected 2 like its siblings/ });
  assert.throws(() => st.tensor([[1, 2], 3]), { code: 'SHAPE_MISMATCH' });
  assert.throws(() => st.tensor([1, 2, 3], [2, 2]), { code: 'SHAPE_MISMATCH', message: /shape \[2, 2\] holds 4 elements, but data has 3/ });
  assert.throws(() => st.tensor([1, 300], undefined, 'u8'), { code: 'INVALID_ARGUMENT', message: /tensor: data\[1\] must be an integer in \[0, 255\] for dtype u8, received 300/ });
  assert.throws(() => st.tensor([1.5], undefined, 'i32'), { code: 'INVALID_ARGUMENT' });
  assert.throws(() => st.tensor([1], undefined, 'f64' as st.DType), { code: 'INVALID_ARGUMENT', message: /dtype must be one of/ });
  assert.throws(() => st.tensor(['a' as unknown as number]), { code: 'INVALID_ARGUMENT', message: /data\[0\] must be a number, received "a"/ });
  assert.throws(() => st.tensor(new Float64Array(2) as unknown as Float32Array), { code: 'INVALID_ARGUMENT', message: /Float64Array\(2\)/ });
});

test('zeros, ones, full, arange', () => {
  st.tidy(() => {
    assert.deepEqual(st.zeros([2, 3]).toArray(), [[0, 0, 0], [0, 0, 0]]);
    assert.deepEqual(Array.from(st.ones([5], 'u8').toTypedArray()), [1, 1, 1, 1, 1]);
    assert.deepEqual(Array.from(st.full([3], -7, 'i32').toTypedArray()), [-7, -7, -7]);
    assert.deepEqual(Array.from(st.full([2], -2, 'i8').toTypedArray()), [-2, -2]);
    assert.ok(Object.is(st.full([9], -0).toTypedArray()[8], -0));
    assert.deepEqual(st.arange(4).toArray(), [0, 1, 2, 3]);
    assert.deepEqual(st.arange(1, 2, 0.25).toArray(), [1, 1.25, 1.5, 1.75]);
    assert.deepEqual(st.arange(5, 0, -2, 'i32').toArray(), [5, 3, 1]);
    assert.deepEqual(st.arange(3, 1).shape, [0]);
    assert.throws(() => st.arange(0, 1, 0), { code: 'INVALID_ARGUMENT', message: /step must be non-zero/ });
    assert.throws(() => st.arange(0, NaN), { code: 'INVALID_ARGUMENT', message: /arange: stop must be a finite number, received NaN/ });
    assert.throws(() => st.full([2], 256, 'u8'), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => st.zeros([2, -1]), { code: 'INVALID_ARGUMENT', message: /zeros: shape\[1\] must be a non-negative integer, received -1/ });
    assert.throws(() => st.ones([1.5]), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => st.zeros(new Array(33).fill(1)), { code: 'INVALID_ARGUMENT', message: /at most 32 dims/ });
  });
});

test('a disposed tensor throws DISPOSED when read or used, and dispose is idempotent', () => {
  const t = st.tensor([1, 2]);
  t.dispose();
  t.dispose();
  assert.ok(t.isDisposed);
  assert.throws(() => t.toArray(), { code: 'DISPOSED', message: /tensor \[2\] f32 was disposed/ });
  assert.throws(() => t.item(), { code: 'DISPOSED' });
  assert.throws(() => st.add(t, 1), { code: 'DISPOSED', message: /add: a \(\[2\] f32\) was disposed/ });
  assert.throws(() => st.matmul(t, t), { code: 'DISPOSED' });
  assert.equal(String(t), 'Tensor([2], f32, disposed)');
});

test('tidy disposes what it created except what it returns, also on throw; keep() opts out', () => {
  const start = st.memoryStats();
  const outer = st.tensor([1, 2, 3]);
  let inner!: st.Tensor;
  const kept = st.tidy(() => {
    inner = st.add(outer, 1);
    const nested = st.tidy(() => {
      const tmp = st.mul(inner, 2);
      return { result: st.add(tmp, 1), list: [st.neg(tmp)] };
    });
    assert.deepEqual(nested.result.toArray(), [5, 7, 9]);
    st.keep(st.zeros([1]));
    return nested.list[0]!;
  });
  assert.ok(inner.isDisposed);
  assert.ok(!outer.isDisposed);
  assert.deepEqual(kept.toArray(), [-4, -6, -8]);
  assert.equal(st.memoryStats().tensors, start.tensors + 3);
  assert.throws(() => st.tidy(() => {
    st.zeros([1000]);
    throw new Error('boom');
  }), /boom/);
  assert.equal(st.memoryStats().tensors, start.tensors + 3);
  assert.throws(() => st.tidy(() => Promise.resolve(1) as unknown as number), { code: 'INVALID_ARGUMENT', message: /must be synchronous/ });
  assert.equal(st.memoryStats().tensors, start.tensors + 3);
});

test('10,000 scoped ops return memoryStats() to where it started', () => {
  const a = st.tensor(Float32Array.from({ length: 333 }, (_, i) => i / 7));
  const b = st.tensor(Float32Array.from({ length: 333 }, (_, i) => 1 - i / 9));
  const ops = [
    () => st.add(a, b), () => st.mul(a, 3), () => st.exp(a), () => st.sum(a), () => st.softmax(st.reshape(a, [9, 37])),
    () => st.matmul(st.reshape(a, [9, 37]), st.reshape(b, [9, 37]), false, true), () => st.where(st.greater(a, b), a, b),
    () => st.concat([a, b]), () => st.transpose(st.reshape(a, [3, 111])), () => st.argmax(a),
  ];
  ops.forEach((op) => st.tidy(() => void op())); // warm up: the GEMM workspace is allocated once and reused
  const before = st.memoryStats();
  for (let i = 0; i < 10_000; i++) st.tidy(() => void ops[i % ops.length]!());
  const after = st.memoryStats();
  assert.equal(after.tensors, before.tensors);
  assert.equal(after.bytes, before.bytes);
  assert.ok(Math.abs(after.heapBytes - before.heapBytes) <= 1024, `heap ${before.heapBytes} → ${after.heapBytes}`);
  assert.equal(after.memoryBytes, before.memoryBytes);
  a.dispose();
  b.dispose();
});

test('memory stays bounded over an allocate/dispose loop of varied sizes', () => {
  const sizes = [1, 17, 4096, 100_000, 3, 65_537, 250_000, 12];
  const round = (i: number) => {
    const live = sizes.map((n, j) => st.zeros([n + ((i * 31 + j) % 64)]));
    live.forEach((t, j) => (i + j) % 3 !== 0 && t.dispose());
    live.forEach((t) => t.dispose());
  };
  for (let i = 0; i < 500; i++) round(i);
  const settled = st.memoryStats();
  for (let i = 500; i < 3000; i++) round(i);
  const after = st.memoryStats();
  assert.equal(after.memoryBytes, settled.memoryBytes, 'wasm memory kept growing although every allocation was freed');
  assert.equal(after.heapBytes, settled.heapBytes);
  const liveBytes = sizes.reduce((p, n) => p + (n + 64) * 4, 0);
  assert.ok(after.memoryBytes < 4 * liveBytes + (1 << 20), `memory ${after.memoryBytes} for a live set of ${liveBytes}`);
});

test('views survive memory growth: tensors keep their values after the memory grows', () => {
  st.tidy(() => {
    const small = st.tensor([1, 2, 3]);
    const before = st.memoryStats().memoryBytes;
    const big = st.zeros([64 * 1024 * 1024 / 4]);
    assert.ok(st.memoryStats().memoryBytes > before);
    assert.deepEqual(small.toArray(), [1, 2, 3]);
    assert.equal(st.sum(big).item(), 0);
    assert.deepEqual(st.add(small, 1).toArray(), [2, 3, 4]);
  });
});

test('the finalizer frees a tensor the program dropped', { skip: typeof globalThis.gc !== 'function' && 'needs --expose-gc' }, async () => {
  const settle = async () => {
    for (let i = 0; i < 5; i++) {
      globalThis.gc!();
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  await settle();
  const before = st.memoryStats();
  (() => void st.zeros([1000]))();
  assert.equal(st.memoryStats().tensors, before.tensors + 1);
  await settle();
  assert.equal(st.memoryStats().tensors, before.tensors);
  assert.equal(st.memoryStats().bytes, before.bytes);
  // Tensors born inside tidy() get the finalizer when they leave it: returned from the outermost
  // scope, passed up through a nested one, or kept.
  (() => {
    void st.tidy(() => st.zeros([10]));
    void st.tidy(() => st.tidy(() => [st.ones([20]), st.zeros([1])])[0]);
    st.tidy(() => void st.keep(st.zeros([30])));
  })();
  assert.equal(st.memoryStats().tensors, before.tensors + 3);
  await settle();
  assert.equal(st.memoryStats().tensors, before.tensors);
  assert.equal(st.memoryStats().bytes, before.bytes);
});
