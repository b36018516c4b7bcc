import { record } from '../autograd/tape.js';
import { kernels, scratch } from '../backend/binding.js';
import { SlimError, invalid } from '../errors.js';
import { numel, shapeString } from '../tensor/shape.js';
import { assertDType, assertTensor, empty, type Tensor } from '../tensor/tensor.js';

/** @internal C[m,n] = clamp(op(A)·op(B) + bias, lo, hi) through the packed GEMM, or the GEMV when one row meets a [n,k] B. */
export function gemm(m: number, n: number, k: number, a: number, transA: boolean, b: number, transB: boolean, bias: number, c: number, lo: number, hi: number): void {
  const kern = kernels();
  if (m === 1 && transB) {
    kern.f32_gemv(n, k, a, b, bias, c, lo, hi);
    return;
  }
  const ws = scratch(kern.f32_gemm_workspace_bytes(m, n, k));
  kern.f32_gemm(m, n, k, a, transA ? m : k, transA ? 1 : 0, b, transB ? k : n, transB ? 1 : 0, bias, c, n, ws, lo, hi);
}

/**
 * Matrix product of 2-D or batched 3-D tensors: op(a)·op(b), where op transposes the last two
 * dims when asked (A·B, A·Bᵀ, Aᵀ·B, Aᵀ·Bᵀ). A 2-D operand broadcasts over the other's batch.
 */
export function matmul(a: Tensor, b: Tensor, transposeA = false, transposeB = false): Tensor<'f32'> {
  const fn = 'matmul';
  assertTensor(fn, 'a', a);
  assertTensor(fn, 'b', b);
  assertDType(fn, 'a', a, 'f32');
  assertDType(fn, 'b', b, 'f32');
  if (typeof transposeA !== 'boolean') invalid(fn, 'transposeA', 'a boolean', transposeA);
  if (typeof transposeB !== 'boolean') invalid(fn, 'transposeB', 'a boolean', transposeB);
  if (a.rank !== 2 && a.rank !== 3) throw new SlimError('SHAPE_MISMATCH', `${fn}: a must be 2-D or 3-D, received shape ${shapeString(a.shape)}`);
  if (b.rank !== 2 && b.rank !== 3) throw new SlimError('SHAPE_MISMATCH', `${fn}: b must be 2-D or 3-D, received shape ${shapeString(b.shape)}`);
  const ar = a.shape[a.rank - 2]!, ac = a.shape[a.rank - 1]!;
  const br = b.shape[b.rank - 2]!, bc = b.shape[b.rank - 1]!;
  const m = transposeA ? ac : ar, k = transposeA ? ar : ac;
  const kb = transposeB ? bc : br, n = transposeB ? br : bc;
  if (k !== kb) {
    throw new SlimError('SHAPE_MISMATCH', `${fn}: inner dims differ: a ${shapeString(a.shape)}${transposeA ? 'ᵀ' : ''} has ${k} columns, b ${shapeString(b.shape)}${transposeB ? 'ᵀ' : ''} has ${kb} rows`);
  }
  const batchA = a.rank === 3 ? a.shape[0]! : 1;
  const batchB = b.rank === 3 ? b.shape[0]! : 1;
  if (a.rank === 3 && b.rank === 3 && batchA !== batchB) {
    throw new SlimError('SHAPE_MISMATCH', `${fn}: batch sizes differ: a ${shapeString(a.shape)} vs b ${shapeString(b.shape)}`);
  }
  const batch = a.rank === 3 ? batchA : batchB;
  const out = empty(fn, a.rank === 3 || b.rank === 3 ? [batch, m, n] : [m, n], 'f32');
  if (out.size > 0 && a.rank === 3 && b.rank === 2 && !transposeA) {
    // A row-major 3-D a times a shared 2-D b is one tall GEMM.
    gemm(batch * m, n, k, a.ptr, false, b.ptr, transposeB, 0, out.ptr, -Infinity, Infinity);
  } else if (out.size > 0) {
    for (let i = 0; i < batch; i++) {
      const pa = a.ptr + (a.rank === 3 ? i * m * k * 4 : 0);
      const pb = b.ptr + (b.rank === 3 ? i * k * n * 4 : 0);
      gemm(m, n, k, pa, transposeA, pb, transposeB, 0, out.ptr + i * m * n * 4, -Infinity, Infinity);
    }
  }
  return record(fn, [a, b], out, { transposeA, transposeB });
}

export type Activation = 'none' | 'relu';

/**
 * y = x·Wᵀ + bias with W [out, in] (PyTorch's Linear layout), over x's last dim, in one fused
 * kernel call (bias and an optional ReLU in the epilogue). One row uses the GEMV path.
 */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null, activation: Activation = 'none'): Tensor<'f32'> {
  const fn = 'linear';
  assertTensor(fn, 'x', x);
  assertTensor(fn, 'weight', weight);
  assertDType(fn, 'x', x, 'f32');
  assertDType(fn, 'weight', weight, 'f32');
  if (weight.rank !== 2) throw new SlimError('SHAPE_MISMATCH', `${fn}: weight must be 2-D [out, in], received shape ${shapeString(weight.shape)}`);
  const [outF, inF] = weight.shape as [number, number];
  if (x.rank === 0 || x.shape[x.rank - 1] !== inF) {
    throw new SlimError('SHAPE_MISMATCH', `${fn}: x's last dim must equal weight's in-features ${inF}, received x ${shapeString(x.shape)}`);
  }
  if (bias != null) {
    assertTensor(fn, 'bias', bias);
    assertDType(fn, 'bias', bias, 'f32');
    if (bias.rank !== 1 || bias.shape[0] !== outF) throw new SlimError('SHAPE_MISMATCH', `${fn}: bias must have shape [${outF}], received ${shapeString(bias.shape)}`);
  }
  if (activation !== 'none' && activation !== 'relu') invalid(fn, 'activation', "'none' or 'relu'", activation);
  const rows = numel(x.shape.slice(0, -1));
  const out = empty(fn, [...x.shape.slice(0, -1), outF], 'f32');
  if (out.size > 0) gemm(rows, outF, inF, x.ptr, false, weight.ptr, true, bias == null ? 0 : bias.ptr, out.ptr, activation === 'relu' ? 0 : -Infinity, Infinity);
  return record(fn, [x, weight, bias ?? null], out, { activation });
}
