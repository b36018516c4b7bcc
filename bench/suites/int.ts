// gemm-i8, gemv-i8, gemv-q4, weight-only: our integer and 16-bit-weight kernels (packed weights, output read back) against our f32
// GEMM / GEMV and onnxruntime-web's MatMulInteger (u8 activations x s8 weight initializer, 1 thread)
// on the same sizes, in one run. Rates in GOP/s (1 MAC = 2 ops, as the f32 GFLOP/s).
import * as st from '../../src/index.js';
import { kernels, scratch } from '../../src/backend/binding.js';
import { q4PackedBytes, q4PackWeights } from '../../src/quant/qkernels-ref.js';
import { lines, measure, randomF32, type Case, type Contender, type Line, type Options } from '../harness.js';
import { ortMatMulInteger } from '../peers/ort.js';
import { dotCeiling } from '../probes.js';

/** Deterministic integers in [lo, hi]. */
function randomInts(n: number, lo: number, hi: number, seed: number): number[] {
  return Array.from(randomF32(n, seed), (v) => lo + Math.min(hi - lo, Math.floor(((v + 1) / 2) * (hi - lo + 1))));
}

/**
 * Our fastest f32 path on the same shape, as gemm-f32 / gemv-f32 time it: st.matmul with B [k, n] for
 * GEMM; for GEMV the [n, k] weight packed once (st.PackedMatrix + st.packedLinear).
 */
function f32Contender(m: number, k: number, n: number): { contender: Contender; dispose(): void } {
  const gemv = m === 1;
  const A = st.tensor(randomF32(m * k, 1), [m, k]);
  const B = st.tensor(randomF32(k * n, 2), gemv ? [n, k] : [k, n]);
  const packed = gemv ? new st.PackedMatrix(B) : null;
  const fn = packed
    ? () => { const y = st.packedLinear(A, packed); y.toTypedArray(); y.dispose(); }
    : () => { const y = st.matmul(A, B); y.toTypedArray(); y.dispose(); };
  return { contender: { name: 'slimtensor-f32', fn }, dispose: () => { A.dispose(); B.dispose(); packed?.dispose(); } };
}

// qs8 kernels on a [m, k] x [k, n] product, against the f32 path and ORT's MatMulInteger with the
// same integers: ORT gets A + 128 as u8 with zero point 128, we get A as i8 with zero point 0.
async function qs8Case(suite: string, m: number, k: number, n: number, opts: Options): Promise<Line[]> {
  const kern = kernels();
  const a = Int8Array.from(randomInts(m * k, -128, 127, 3));
  const b = Int8Array.from(randomInts(k * n, -127, 127, 4));
  const w = new Int8Array(n * k);
  for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) w[j * k + p] = b[p * n + j]!;
  const ort = await ortMatMulInteger(Uint8Array.from(a, (v) => v + 128), b, m, k, n, 128, 0);
  const f32 = f32Contender(m, k, n);
  const A = st.tensor(a, [m, k], 'i8');
  const W = st.tensor(w, [n, k], 'i8');
  const packed = st.zeros([kern.qs8_packed_weights_bytes(n, k)], 'u8');
  kern.qs8_pack_weights(n, k, W.ptr, packed.ptr);
  const out = st.zeros([m, n], 'i32');
  const run = m === 1
    ? () => { kern.qs8_gemv_i32(n, k, A.ptr, 0, packed.ptr, 0, out.ptr); return out.toTypedArray(); }
    : () => { kern.qs8_gemm_i32(m, n, k, A.ptr, 0, packed.ptr, 0, out.ptr, scratch(kern.qs8_gemm_workspace_bytes(m, n, k))); return out.toTypedArray(); };
  try {
    const want = await ort.result();
    const got = run();
    for (let i = 0; i < m * n; i++) if (got[i] !== want[i]) throw new Error(`${suite} ${m}x${k}x${n}: ours[${i}] = ${got[i]}, onnxruntime-web ${want[i]}`);
    const c: Case = {
      suite,
      name: `${m}x${k}x${n}`,
      unit: 'GOP/s',
      work: (2 * m * n * k) / 1e9,
      ours: { name: m === 1 ? 'slimtensor-qs8_gemv_i32' : 'slimtensor-qs8_gemm_i32', fn: run },
      // GEMM: every strict-SIMD int8 GEMM (ours, ORT's) is made of dot_i16x8 + add; its peak bounds both.
      peers: [f32.contender, { name: 'onnxruntime-web', fn: () => ort.run() }, ...(m > 1 ? [dotCeiling(m * n * k)] : [])],
    };
    return lines(c, await measure(c, opts));
  } finally {
    await ort.dispose();
    f32.dispose();
    [A, W, packed, out].forEach((t) => t.dispose());
  }
}

// q4 GEMV / GEMM (int8 activations per group) against our f32 GEMV / GEMM on the same shape.
async function q4Case(m: number, k: number, n: number, group: 32 | 128, opts: Options): Promise<Line[]> {
  const kern = kernels();
  const q = Int8Array.from(randomInts(n * k, -8, 7, 5));
  const scales = Float32Array.from(randomF32((n * k) / group, 6), (v) => Math.abs(v) * 0.01 + 1e-4);
  const bytes = q4PackedBytes(n, k, group);
  const w4 = new Uint8Array(bytes.w4), ps = new Float32Array(bytes.scales / 4);
  q4PackWeights(n, k, group, q, scales, w4, ps);
  const W4 = st.tensor(w4, [w4.length], 'u8'), S = st.tensor(ps, [ps.length]);
  const x = st.tensor(randomF32(m * k, 7), [m * k]);
  const y = st.zeros([m * n]);
  const f32 = f32Contender(m, k, n);
  const run = () => {
    const ws = scratch(kern.q4_workspace_bytes(m, k, group));
    if (m === 1) kern.q4_gemv_f32(n, k, group, x.ptr, W4.ptr, S.ptr, 0, y.ptr, ws);
    else kern.q4_gemm_f32(m, n, k, group, x.ptr, W4.ptr, S.ptr, 0, y.ptr, ws);
    return y.toTypedArray();
  };
  try {
    const c: Case = {
      suite: 'gemv-q4', name: `${m}x${k}x${n}${m === 1 && group === 32 ? '' : `-g${group}`}`, unit: 'GOP/s', work: (2 * m * n * k) / 1e9,
      ours: { name: `slimtensor-q4-g${group}`, fn: run }, peers: [f32.contender],
    };
    return lines(c, await measure(c, opts));
  } finally {
    f32.dispose();
    [W4, S, x, y].forEach((t) => t.dispose());
  }
}

export async function gemmI8(opts: Options): Promise<Line[]> {
  const out: Line[] = [];
  for (const s of opts.quick ? [256] : [256, 512, 1024]) out.push(...(await qs8Case('gemm-i8', s, s, s, opts)));
  return out;
}

export async function gemvI8(opts: Options): Promise<Line[]> {
  const out: Line[] = [];
  for (const s of opts.quick ? [1024] : [1024, 4096]) out.push(...(await qs8Case('gemv-i8', 1, s, s, opts)));
  return out;
}

export async function gemvQ4(opts: Options): Promise<Line[]> {
  const out: Line[] = [];
  for (const s of opts.quick ? [1024] : [1024, 4096]) out.push(...(await q4Case(1, s, s, 32, opts)));
  // Batches: the MLP's first layer (784 → 300) at 64 rows, where our f32 GEMM is compute-bound.
  if (!opts.quick) for (const g of [32, 128] as const) out.push(...(await q4Case(64, 784, 300, g, opts)));
  return out;
}

// Weight-only layers: f32 activations times int8 (symmetric per channel), f16 or bf16 weights, against
// our f32 path on the same shape. One row: the GEMVs (a memory-bound size, what weight-only is for);
// 64 rows: the GEMM on weights widened as its panels are packed (f32_qc8w_gemm, f16_gemm_f32 / bf16_gemm_f32).
async function weightOnlyCase(kind: 'int8' | 'f16' | 'bf16', m: number, k: number, n: number, opts: Options): Promise<Line[]> {
  const kern = kernels();
  // int8 row-major; f16 / bf16 codes in the 16-bit kernels' 4-row panels (h16_pack), as HalfLinearOp holds them.
  const codes = kind === 'int8' ? null : st.castFormat(st.tensor(randomF32(n * k, 8), [n * k]), kind);
  const W = codes === null ? st.tensor(Int8Array.from(randomInts(n * k, -127, 127, 8)), [n * k], 'i8') : st.zeros([kern.h16_panels_bytes(n, k)], 'u8');
  if (codes !== null) kern.h16_pack(n, k, codes.ptr, W.ptr, kind === 'f16' ? 1 : 0);
  const scale = st.tensor(Float32Array.from(randomF32(n, 9), (v) => Math.abs(v) * 0.01 + 1e-3), [n]);
  const x = st.tensor(randomF32(m * k, 7), [m * k]);
  const y = st.zeros([m * n]);
  const f32 = f32Contender(m, k, n);
  const run = () => {
    if (kind === 'int8') kern.f32_qc8w_gemm(m, n, k, x.ptr, W.ptr, scale.ptr, 0, y.ptr, scratch(kern.f32_qc8w_gemm_workspace_bytes(m, n, k)), -Infinity, Infinity);
    else kern[kind === 'f16' ? 'f16_gemm_f32' : 'bf16_gemm_f32'](m, n, k, x.ptr, W.ptr, 0, y.ptr, scratch(kern.h16_gemm_workspace_bytes(m, n, k)), -Infinity, Infinity);
    return y.toTypedArray();
  };
  try {
    const c: Case = {
      suite: 'weight-only', name: `${m}x${k}x${n}-${kind}`, unit: 'GFLOP/s', work: (2 * m * n * k) / 1e9,
      ours: { name: `slimtensor-${kind}-weights`, fn: run }, peers: [f32.contender],
    };
    return lines(c, await measure(c, opts));
  } finally {
    f32.dispose();
    [W, scale, x, y].forEach((t) => t.dispose());
    codes?.dispose();
  }
}

export async function weightOnly(opts: Options): Promise<Line[]> {
  const out: Line[] = [];
  for (const kind of ['int8', 'f16', 'bf16'] as const) {
    for (const [m, k, n] of opts.quick ? [[64, 784, 300]] : [[1, 4096, 4096], [64, 784, 300]]) out.push(...(await weightOnlyCase(kind, m!, k!, n!, opts)));
  }
  return out;
}
