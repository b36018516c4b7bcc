// gemm-b1: the XNOR-popcount GEMM (b1_gemm_xnor on packed ±1 operands) against our f32 GEMM
// (st.matmul) on the same shapes, in multiply-accumulates per second, measured in the same run;
// then whole layers: BinaryInferenceLinear ('xnor': sign packing + β + GEMM/GEMV with the f32
// epilogue; 'binaryconnect': f32_b1w) against st.linear with the f32 weight, batch 256 and batch 1.
import * as st from '../../src/index.js';
import { kernels } from '../../src/backend/binding.js';
import { lines, measure, randomF32, type Case, type Line, type Options } from '../harness.js';

function packed(rows: number, k: number, seed: number): st.Tensor {
  return st.tidy(() => {
    const x = st.tensor(randomF32(rows * k, seed), [rows, k]);
    const out = st.zeros([st.b1Bytes(rows, k)], 'u8');
    kernels().f32_b1_pack(rows, k, x.ptr, out.ptr, 0);
    return out;
  });
}

async function kernelCase(s: number, opts: Options): Promise<Line[]> {
  const [m, n, k] = [s, s, s];
  const a = st.keep(packed(m, k, 1)), w = st.keep(packed(n, k, 2)), out = st.keep(st.zeros([m, n], 'i32'));
  const A = st.tensor(randomF32(m * k, 1), [m, k]), B = st.tensor(randomF32(k * n, 2), [k, n]);
  const c: Case = {
    suite: 'gemm-b1', name: `${s}x${s}x${s}`, unit: 'G MAC/s', work: (m * n * k) / 1e9,
    ours: { name: 'b1_gemm_xnor', fn: () => kernels().b1_gemm_xnor(m, n, k, a.ptr, w.ptr, out.ptr) },
    peers: [{ name: 'slimtensor-f32-gemm', fn: () => { const y = st.matmul(A, B); y.toTypedArray(); y.dispose(); } }],
  };
  try {
    return lines(c, await measure(c, opts));
  } finally {
    [a, w, out, A, B].forEach((t) => t.dispose());
  }
}

async function layerCase(mode: st.BinaryMode, m: number, n: number, k: number, opts: Options): Promise<Line[]> {
  st.seed(0);
  const f32 = new st.Linear(k, n);
  const layer = new st.BinaryLinear(k, n, { mode });
  const inf = st.BinaryInferenceLinear.from(layer);
  const x = st.keep(st.tensor(randomF32(m * k, 3), [m, k]));
  const c: Case = {
    suite: 'gemm-b1', name: `${mode}-layer-${m}x${k}x${n}`, unit: 'G MAC/s', work: (m * n * k) / 1e9,
    ours: { name: `BinaryInferenceLinear-${mode}`, fn: () => st.tidy(() => { inf.forward(x).toTypedArray(); }) },
    peers: [{ name: 'slimtensor-f32-linear', fn: () => st.tidy(() => { f32.forward(x).toTypedArray(); }) }],
  };
  try {
    return lines(c, await measure(c, opts));
  } finally {
    [f32, layer, inf].forEach((l) => l.dispose());
    x.dispose();
  }
}

export async function gemmB1(opts: Options): Promise<Line[]> {
  const out: Line[] = [];
  for (const s of opts.quick ? [256, 512] : [256, 512, 1024]) out.push(...(await kernelCase(s, opts)));
  for (const [m, n, k] of opts.quick ? [[256, 1024, 1024], [1, 1024, 1024]] : [[256, 1024, 1024], [1, 1024, 1024], [1, 4096, 4096]]) {
    out.push(...(await layerCase('xnor', m!, n!, k!, opts)));
    out.push(...(await layerCase('binaryconnect', m!, n!, k!, opts)));
  }
  return out;
}
