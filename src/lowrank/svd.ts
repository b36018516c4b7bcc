import { kernels, scratch } from '../backend/binding.js';
import { SlimError, invalid, optionsOf, checkPositive } from '../errors.js';
import { shapeString } from '../tensor/shape.js';
import { assertDType, assertTensor, empty, type Tensor } from '../tensor/tensor.js';

export interface SvdOptions {
  /** Jacobi sweeps before giving up (default 60). */
  maxSweeps?: number;
  /** Orthogonality threshold: a pair (i, j) is done when |yᵢ·yⱼ| ≤ tol·‖yᵢ‖·‖yⱼ‖ (default 1e-10, in f64). */
  tol?: number;
}

export interface Svd {
  /** [m, k], orthonormal columns; k = min(m, n). */
  u: Tensor<'f32'>;
  /** [k], descending, ≥ 0. */
  s: Tensor<'f32'>;
  /** [k, n], orthonormal rows. */
  vt: Tensor<'f32'>;
  /** Sweeps run. */
  sweeps: number;
  /** False if maxSweeps ran out before every pair was orthogonal to tol. */
  converged: boolean;
}

/**
 * Thin SVD A = U·diag(s)·Vᵀ of an f32 [m, n] matrix by one-sided Jacobi (Hestenes) in f64:
 * deterministic, bit-identical across engines. Signs: each U column's largest-|·| entry is positive.
 */
export function svd(a: Tensor, options: SvdOptions = {}): Svd {
  const fn = 'svd';
  options = optionsOf(fn, options);
  assertTensor(fn, 'a', a);
  assertDType(fn, 'a', a, 'f32');
  if (a.rank !== 2) throw new SlimError('SHAPE_MISMATCH', `${fn}: a must be a matrix [m, n], received ${shapeString(a.shape)}`);
  const maxSweeps = options.maxSweeps ?? 60;
  const tol = options.tol ?? 1e-10;
  checkPositive(fn, 'options.maxSweeps', maxSweeps);
  if (!(tol >= 0 && tol < 1)) invalid(fn, 'options.tol', 'a number in [0, 1)', tol);
  const values = a.toTypedArray();
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) invalid(fn, `a[${i}]`, 'finite', values[i]);
  const [m, n] = a.shape as [number, number];
  const k = Math.min(m, n);
  const u = empty(fn, [m, k], 'f32'), s = empty(fn, [k], 'f32'), vt = empty(fn, [k, n], 'f32');
  const kern = kernels();
  const ws = scratch(kern.f32_svd_workspace_bytes(m, n));
  const ran = kern.f32_svd_jacobi(m, n, a.ptr, u.ptr, s.ptr, vt.ptr, ws, maxSweeps, tol);
  return { u, s, vt, sweeps: Math.abs(ran), converged: ran >= 0 };
}
