// Randomized truncated SVD (Halko, Martinsson & Tropp 2011, Alg. 4.4: range finder with subspace
// iteration): f32 GEMMs on [m, l] and [n, l] panels, l = rank + oversample, and the f64 Jacobi svd()
// only on thin or small matrices, so large layers factor in seconds. Seeded: the same bits every run.
import { noGrad } from '../autograd/tape.js';
import { invalid, optionsOf } from '../errors.js';
import { f32View } from '../backend/binding.js';
import { matmul } from '../ops/matmul.js';
import { slice } from '../ops/layout.js';
import { normal } from '../tensor/random.js';
import { tidy } from '../tensor/scope.js';
import { assertDType, assertTensor, type Tensor } from '../tensor/tensor.js';
import { svd, type Svd } from './svd.js';

export interface RandomizedSvdOptions {
  /** Singular triplets wanted (at most min(m, n)). */
  rank: number;
  /** Extra sketch columns (default 10). */
  oversample?: number;
  /** Subspace iterations Q ← orth(A·orth(Aᵀ·Q)) (default 2): more for slowly decaying spectra. */
  powerIterations?: number;
  /** Seed of the Gaussian test matrix (default 0). */
  seed?: number;
}

/** An orthonormal basis of y's columns [m, l] (m ≥ l): the U of its Jacobi SVD. */
function orth(y: Tensor): Tensor<'f32'> {
  const d = svd(y);
  d.s.dispose();
  d.vt.dispose();
  return d.u;
}

/**
 * The rank leading singular triplets of a [m, n]: u [m, r], s [r] descending, vt [r, n], with the
 * sign convention of svd() (each U column's largest-|·| entry positive). Approximate: the error
 * shrinks with oversample and powerIterations (HMT 2011, §10).
 */
export function randomizedSvd(a: Tensor, options: RandomizedSvdOptions): Svd {
  const fn = 'randomizedSvd';
  assertTensor(fn, 'a', a);
  assertDType(fn, 'a', a, 'f32');
  if (a.rank !== 2) invalid(fn, 'a', 'a matrix [m, n]', a.shape);
  const [m, n] = a.shape as [number, number];
  const { rank, oversample = 10, powerIterations = 2, seed = 0 } = optionsOf(fn, options);
  if (!Number.isInteger(rank) || rank < 1 || rank > Math.min(m, n)) invalid(fn, 'options.rank', `an integer in [1, ${Math.min(m, n)}]`, rank);
  if (!Number.isInteger(oversample) || oversample < 0) invalid(fn, 'options.oversample', 'a non-negative integer', oversample);
  if (!Number.isInteger(powerIterations) || powerIterations < 0) invalid(fn, 'options.powerIterations', 'a non-negative integer', powerIterations);
  const l = Math.min(rank + oversample, m, n);
  let sweeps = 0, converged = true;
  const out = tidy(() => noGrad(() => {
    let q = orth(matmul(a, normal([n, l], 0, 1, { seed })));
    for (let i = 0; i < powerIterations; i++) q = orth(matmul(a, orth(matmul(a, q, true))));
    const d = svd(matmul(q, a, true));
    sweeps = d.sweeps;
    converged = d.converged;
    return { u: slice(matmul(q, d.u), 1, 0, rank), s: slice(d.s, 0, 0, rank), vt: slice(d.vt, 0, 0, rank) };
  }));
  // Q·U_B has unit columns but a different largest entry than U_B: re-apply the sign rule.
  const view = f32View(), up = out.u.ptr >>> 2, vp = out.vt.ptr >>> 2;
  for (let t = 0; t < rank; t++) {
    let big = 0;
    for (let i = 0; i < m; i++) if (Math.abs(view[up + i * rank + t]!) > Math.abs(big)) big = view[up + i * rank + t]!;
    if (big >= 0) continue;
    for (let i = 0; i < m; i++) view[up + i * rank + t] = -view[up + i * rank + t]!;
    for (let j = 0; j < n; j++) view[vp + t * n + j] = -view[vp + t * n + j]!;
  }
  return { u: out.u as Tensor<'f32'>, s: out.s as Tensor<'f32'>, vt: out.vt as Tensor<'f32'>, sweeps, converged };
}
