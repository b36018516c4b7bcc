import assert from 'node:assert/strict';
import { test } from 'node:test';
import './setup.js';
import * as st from '../src/index.js';

/** Runs `bad` and checks it throws a SlimError with `code` (never a WebAssembly.RuntimeError) and that `inputs` are intact. */
function rejects(bad: () => unknown, code: st.ErrorCode, message: RegExp, inputs: st.Tensor[]): void {
  const snapshot = inputs.map((t) => t.toTypedArray());
  const live = st.memoryStats().tensors;
  try {
    bad();
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof st.SlimError, `expected SlimError, got ${(e as Error)?.constructor?.name}: ${(e as Error).message}`);
    assert.equal(e.code, code);
    assert.match(e.message, message);
  }
  inputs.forEach((t, i) => {
    assert.ok(!t.isDisposed);
    assert.deepEqual(t.toTypedArray(), snapshot[i]);
  });
  assert.equal(st.memoryStats().tensors, live, 'a failed call leaked a tensor');
}

test('a wrong shape gets SHAPE_MISMATCH naming the argument, expected and received', () => {
  const a = st.tensor([[1, 2, 3], [4, 5, 6]]);
  const b = st.tensor([1, 2]);
  rejects(() => st.add(a, b), 'SHAPE_MISMATCH', /add: shapes \[2, 3\] and \[2\] cannot be broadcast/, [a, b]);
  rejects(() => st.matmul(a, a), 'SHAPE_MISMATCH', /matmul: inner dims differ: a \[2, 3\] has 3 columns, b \[2, 3\] has 2 rows/, [a]);
  const w = st.zeros([3, 2]);
  rejects(() => st.linear(a, w), 'SHAPE_MISMATCH', /linear: x's last dim must equal weight's in-features 2, received x \[2, 3\]/, [a, w]);
  w.dispose();
  rejects(() => st.reshape(a, [4]), 'SHAPE_MISMATCH', /reshape: shape \[4\] holds 4 elements, but x \[2, 3\] has 6/, [a]);
  rejects(() => st.tidy(() => st.where(st.tensor([1, 0, 1], undefined, 'u8'), a, b)), 'SHAPE_MISMATCH', /where: shapes/, [a, b]);
  rejects(() => st.tensor([1, 2, 3], [2, 2]), 'SHAPE_MISMATCH', /tensor: shape \[2, 2\] holds 4 elements, but data has 3/, []);
  a.dispose();
  b.dispose();
});

test('a non-integer or negative dimension gets INVALID_ARGUMENT', () => {
  const a = st.arange(6);
  rejects(() => st.zeros([2, 1.5]), 'INVALID_ARGUMENT', /zeros: shape\[1\] must be a non-negative integer, received 1.5/, []);
  rejects(() => st.ones([-3]), 'INVALID_ARGUMENT', /ones: shape\[0\] must be a non-negative integer, received -3/, []);
  rejects(() => st.reshape(a, [2, -3]), 'INVALID_ARGUMENT', /reshape: shape\[1\] must be a non-negative integer, received -3/, [a]);
  rejects(() => st.uniform([2, 0.5]), 'INVALID_ARGUMENT', /uniform: shape\[1\]/, []);
  rejects(() => st.zeros('3' as unknown as number[]), 'INVALID_ARGUMENT', /zeros: shape must be an array of non-negative integers, received "3"/, []);
  a.dispose();
});

test('a NaN where a size is expected gets INVALID_ARGUMENT', () => {
  const a = st.arange(6);
  rejects(() => st.zeros([NaN]), 'INVALID_ARGUMENT', /zeros: shape\[0\] must be a non-negative integer, received NaN/, []);
  rejects(() => st.full([2, NaN], 1), 'INVALID_ARGUMENT', /full: shape\[1\]/, []);
  rejects(() => st.arange(NaN), 'INVALID_ARGUMENT', /arange: stop must be a finite number, received NaN/, []);
  rejects(() => st.slice(a, 0, 0, NaN), 'INVALID_ARGUMENT', /slice: end must be an integer, received NaN/, [a]);
  rejects(() => st.sum(a, NaN), 'INVALID_ARGUMENT', /sum: axis must be an integer in \[-1, 1\), received NaN/, [a]);
  rejects(() => st.reshape(a, [NaN, 2]), 'INVALID_ARGUMENT', /reshape: shape\[0\]/, [a]);
  a.dispose();
});

test('an allocation past the 4 GiB wasm limit gets OUT_OF_MEMORY, and the library keeps working', () => {
  const a = st.tensor([1, 2, 3]);
  rejects(() => st.zeros([65536, 16384]), 'OUT_OF_MEMORY', /zeros: a \[65536, 16384\] f32 tensor needs 4294967296 bytes, past the 4 GiB wasm32 memory limit/, [a]);
  rejects(() => st.zeros([2 ** 40]), 'OUT_OF_MEMORY', /4 GiB/, [a]);
  rejects(() => st.tidy(() => st.matmul(st.zeros([1, 65536]), st.zeros([65536, 1]), true, true)), 'OUT_OF_MEMORY', /matmul/, []);
  rejects(() => st.broadcastTo(a, [2 ** 20, 2 ** 10, 3]), 'OUT_OF_MEMORY', /broadcastTo/, [a]);
  assert.deepEqual(st.tidy(() => st.add(a, 1).toArray()), [2, 3, 4]);
  a.dispose();
});

test('wrong argument types get INVALID_ARGUMENT, not a trap', () => {
  const a = st.arange(4);
  rejects(() => st.add(a, '1' as unknown as number), 'INVALID_ARGUMENT', /add: b must be a Tensor, received string/, [a]);
  rejects(() => st.exp([1, 2] as unknown as st.Tensor), 'INVALID_ARGUMENT', /exp: x must be a Tensor, received Array/, [a]);
  rejects(() => st.matmul(a, a, 'yes' as unknown as boolean), 'INVALID_ARGUMENT', /transposeA must be a boolean/, [a]);
  rejects(() => st.sum(a, 0, 1 as unknown as boolean), 'INVALID_ARGUMENT', /keepdims must be a boolean/, [a]);
  rejects(() => st.tidy(() => st.exp(st.tensor([1], undefined, 'i32'))), 'DTYPE_MISMATCH', /exp: x must have dtype f32, received i32/, [a]);
  rejects(() => st.uniform([2], 0, NaN), 'INVALID_ARGUMENT', /uniform: high must be a finite number, received NaN/, []);
  a.dispose();
});
