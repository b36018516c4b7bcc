// spmv, spmm, nm-gemv: our sparse layers (CSR f32, 1×4 BSR, 2:4) against our own fastest dense f32 kernel on the
// same shape in the same run (the packed GEMV of the dense W at batch 1, linear(x, W)'s GEMM above).
// The unit is dense-equivalent GFLOP/s (2·m·n·k per call), so ratio = dense time / sparse time.
import * as st from '../../src/index.js';
import { lines, measure, randomF32, type Case, type Line, type Options } from '../harness.js';

const SPARSITIES = [0.5, 0.8, 0.9, 0.95, 0.98];

/** W [n, k] with each entry kept with probability 1 − sparsity (uniform, unstructured). */
function prunedWeight(n: number, k: number, sparsity: number, seed: number): Float32Array {
  const w = randomF32(n * k, seed);
  const keep = randomF32(n * k, seed + 1);
  for (let i = 0; i < w.length; i++) if ((keep[i]! + 1) / 2 < sparsity) w[i] = 0;
  return w;
}

/** The 2 largest |w| of each group of 4 inputs (2:4 by magnitude). */
function nm24Weight(n: number, k: number, seed: number): Float32Array {
  const w = randomF32(n * k, seed);
  for (let g = 0; g < w.length; g += 4) {
    const order = [0, 1, 2, 3].sort((a, b) => Math.abs(w[g + b]!) - Math.abs(w[g + a]!));
    w[g + order[2]!] = 0;
    w[g + order[3]!] = 0;
  }
  return w;
}

async function sparseCase(suite: string, name: string, m: number, n: number, k: number, w: Float32Array, format: 'csr' | 'nm-2:4' | 'bsr-1x4', opts: Options): Promise<Line[]> {
  const W = st.keep(st.tensor(w, [n, k]));
  const x = st.keep(st.tensor(randomF32(m * k, 9), [m, k]));
  const layer = new st.SparseLinear(W, null, { format });
  // Our fastest dense path: the packed GEMV at batch 1, the GEMM otherwise.
  const packed = m === 1 ? new st.PackedMatrix(W) : null;
  const c: Case = {
    suite, name, unit: 'GFLOP/s', work: (2 * m * n * k) / 1e9,
    ours: { name: `slimtensor-${format}`, fn: () => st.tidy(() => { layer.forward(x); }) },
    peers: [{ name: 'slimtensor-dense-f32', fn: () => st.tidy(() => (packed ? st.packedLinear(x, packed) : st.linear(x, W))) }],
  };
  const out = lines(c, await measure(c, opts));
  layer.dispose();
  packed?.dispose();
  W.dispose();
  x.dispose();
  return out;
}

/** W [n, k] pruned in whole 1×4 blocks along the inputs: each block kept with probability 1 − sparsity. */
function blockPrunedWeight(n: number, k: number, sparsity: number, seed: number): Float32Array {
  const w = randomF32(n * k, seed);
  const keep = randomF32(n * (k / 4), seed + 1);
  for (let b = 0; b < keep.length; b++) if ((keep[b]! + 1) / 2 < sparsity) w.fill(0, 4 * b, 4 * b + 4);
  return w;
}

export async function spmv(opts: Options): Promise<Line[]> {
  const out: Line[] = [];
  for (const s of SPARSITIES) out.push(...(await sparseCase('spmv', `4096x4096-sparsity${s}`, 1, 4096, 4096, prunedWeight(4096, 4096, s, 1), 'csr', opts)));
  // Weights pruned in 1×4 blocks (Pruner.block), run in BSR as SparseLinear picks them.
  for (const s of [0.9, 0.95]) out.push(...(await sparseCase('spmv', `4096x4096-block1x4-${s}-bsr`, 1, 4096, 4096, blockPrunedWeight(4096, 4096, s, 3), 'bsr-1x4', opts)));
  return out;
}

export async function spmm(opts: Options): Promise<Line[]> {
  const out: Line[] = [];
  for (const s of SPARSITIES) out.push(...(await sparseCase('spmm', `64x1024x1024-sparsity${s}`, 64, 1024, 1024, prunedWeight(1024, 1024, s, 2), 'csr', opts)));
  return out;
}

export async function nmGemv(opts: Options): Promise<Line[]> {
  const out: Line[] = [];
  for (const size of [1024, 4096]) out.push(...(await sparseCase('nm-gemv', `${size}x${size}-2:4`, 1, size, size, nm24Weight(size, size, 3), 'nm-2:4', opts)));
  out.push(...(await sparseCase('nm-gemv', '64x1024x1024-2:4-gemm', 64, 1024, 1024, nm24Weight(1024, 1024, 4), 'nm-2:4', opts)));
  return out;
}
