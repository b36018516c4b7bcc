// gemm-f32 and gemv-f32: our packed GEMM / GEMV against tfjs-backend-wasm and onnxruntime-web
// (both single-threaded, SIMD, the weight created once), and against plain JS loops.
import * as st from '../../src/index.js';
import { measure, lines, randomF32, type Case, type Line, type Options } from '../harness.js';
import { mulAddCeiling, readCeiling } from '../probes.js';
import { ortMatmul } from '../peers/ort.js';
import { tfjsMatmul, type PeerCase } from '../peers/tfjs.js';

/** C = A·B with i-k-j loops over Float32Arrays: what a user writes without a library. */
export function jsMatmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p]!;
      const row = p * n;
      const ci = i * n;
      for (let j = 0; j < n; j++) c[ci + j]! += av * b[row + j]!;
    }
  }
  return c;
}

async function matmulCase(suite: string, name: string, m: number, k: number, n: number, opts: Options): Promise<Line[]> {
  const a = randomF32(m * k, 1);
  const b = randomF32(k * n, 2);
  // Ours keeps the weight the way each path wants it: [k, n] for GEMM, [n, k] (PyTorch layout) for GEMV.
  const gemv = m === 1;
  const A = st.tensor(a, [m, k]);
  const B = gemv ? st.transpose(st.tensor(b, [k, n])) : st.tensor(b, [k, n]);
  const packed = gemv ? new st.PackedMatrix(B) : null;
  const peers: PeerCase[] = [await tfjsMatmul(a, b, m, k, n), await ortMatmul(a, b, m, k, n)];
  const c: Case = {
    suite,
    name,
    unit: 'GFLOP/s',
    work: (2 * m * n * k) / 1e9,
    // GEMV: the weight packed once (st.PackedMatrix), as the peers get theirs as a constant they pre-pack;
    // st.matmul on the row-major [n, k] weight is reported as a peer.
    ours: gemv
      ? { name: 'slimtensor-packed', fn: () => { const y = st.packedLinear(A, packed!); y.toTypedArray(); y.dispose(); } }
      : { name: 'slimtensor', fn: () => { const y = st.matmul(A, B, false, gemv); y.toTypedArray(); y.dispose(); } },
    peers: [
      ...(gemv ? [{ name: 'slimtensor-matmul', fn: () => { const y = st.matmul(A, B, false, true); y.toTypedArray(); y.dispose(); } }] : []),
      { name: 'tfjs-backend-wasm', fn: () => peers[0]!.run() },
      { name: 'onnxruntime-web', fn: () => peers[1]!.run() },
      { name: 'js-loops', fn: () => jsMatmul(a, b, m, k, n), slow: true },
      // GEMV: reading the weights once is the floor under every engine's time; GEMM: the mul+add peak.
      ...(gemv ? [readCeiling(n * k * 4)] : [mulAddCeiling(m * n * k)]),
    ],
  };
  try {
    return lines(c, await measure(c, opts));
  } finally {
    for (const p of peers) await p.dispose();
    A.dispose();
    B.dispose();
    packed?.dispose();
  }
}

export async function gemmF32(opts: Options): Promise<Line[]> {
  const out: Line[] = [];
  for (const s of opts.quick ? [64, 256] : [64, 128, 256, 512, 1024]) out.push(...(await matmulCase('gemm-f32', `${s}x${s}x${s}`, s, s, s, opts)));
  return out;
}

export async function gemvF32(opts: Options): Promise<Line[]> {
  const out: Line[] = [];
  for (const s of opts.quick ? [1024] : [1024, 4096]) out.push(...(await matmulCase('gemv-f32', `1x${s}x${s}`, 1, s, s, opts)));
  return out;
}
