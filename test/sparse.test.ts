import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import './setup.js';
import * as st from '../src/index.js';
import { kernels, scratch } from '../src/backend/binding.js';
import { fromValues } from '../src/tensor/create.js';
import type { Tensor } from '../src/tensor/tensor.js';
import { blockStats, bsrDecodeRef, bsrEncodeRef, csrEncodeRef, csrDecodeRef, nm24EncodeRef, nm24DecodeRef, nm24Ids, nm24Indices, isNm24 } from '../src/sparse/formats.js';
import { colsTensor } from '../src/sparse/csr.js';
import {
  f32Nm24GemmRef, f32Nm24GemvRef, f32SpmmCsrRef, f32SpmvBsrRef, f32SpmvCsrRef, qs8SpmmCsrF32outRef, qs8SpmmCsrRequantRef,
} from '../src/sparse/kernels-ref.js';
import { quantizeMultiplier } from '../src/quant/requant.js';
import { f32GemvPackedBytes, f32GemvPackedRef, f32GemvPackRef } from '../src/ops/gemv-ref.js';
import { sameF32 } from './reference.js';

/** Deterministic generator: uniform [-1, 1), adversarial values now and then (±0, huge, tiny, ±Inf, NaN when asked). */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const special = [0, -0, 3e38, -3e38, 1e-40, -1e-30, 65504, 1 / 3];
  return { u, f32: (wild: boolean) => Math.fround(wild && u() < 0.1 ? special[Math.floor(u() * special.length)]! : u() * 2 - 1) };
}

/** Dense w [n, k] with about `density` of its entries nonzero (some rows left empty). */
function sparseWeight(n: number, k: number, density: number, seed: number, wild: boolean): Float32Array {
  const r = rng(seed);
  const w = new Float32Array(n * k);
  for (let j = 0; j < n; j++) {
    if (r.u() < 0.15) continue; // an empty row
    for (let c = 0; c < k; c++) if (r.u() < density) w[j * k + c] = r.f32(wild) || 0.5;
  }
  return w;
}

const vec = (len: number, seed: number, wild: boolean) => { const r = rng(seed); return Float32Array.from({ length: len }, () => r.f32(wild)); };
const inWasm = <D extends 'f32' | 'i32' | 'u8' | 'i8'>(a: ArrayLike<number>, dtype: D) => fromValues('test', a, [a.length], dtype);
const ptr = (t: Tensor | null) => t?.ptr ?? 0;

function assertSame(got: Float32Array, want: Float32Array, what: string): void {
  assert.equal(got.length, want.length);
  for (let i = 0; i < want.length; i++) if (!sameF32(got[i]!, want[i]!)) assert.fail(`${what}: [${i}] got ${got[i]} want ${want[i]}`);
}

// Tile boundaries: SpMV blocks of 4/8 entries, SpMM panels of 16 rows, 2:4 blocks of 8 inputs, GEMV 4-row groups.
const N = fc.constantFrom(0, 1, 3, 4, 5, 8, 13);
const K = fc.constantFrom(0, 1, 3, 4, 7, 8, 9, 16, 17, 31, 67);
const M = fc.constantFrom(1, 2, 15, 16, 17, 33);
const DENSITY = fc.constantFrom(0, 0.1, 0.5, 0.9, 1);
const CLAMP = fc.constantFrom([-Infinity, Infinity], [0, Infinity], [-0.5, 0.25]);

test('f32_spmv_csr and f32_spmm_csr equal their references bit for bit (u16 and i32 indices, empty rows, nnz = 0)', () => {
  const kern = kernels();
  fc.assert(fc.property(M, N, K, DENSITY, CLAMP, fc.boolean(), fc.boolean(), fc.integer(), (m, n, k, d, [lo, hi], withBias, wild, seed) => {
    const w = sparseWeight(n, k, d, seed, wild);
    const { values, cols: c16, indptr } = csrEncodeRef(w, n, k);
    const x = vec(m * k, seed + 1, wild);
    const bias = withBias ? vec(n, seed + 2, false) : null;
    for (const cols of [c16, Int32Array.from(c16)]) {
      const ib = cols instanceof Int32Array ? 4 : 2;
      const tv = inWasm(values, 'f32'), tc = colsTensor('test', cols), tp = inWasm(indptr, 'i32');
      const tx = inWasm(x, 'f32'), tb = bias && inWasm(bias, 'f32');
      const ty = inWasm(new Float32Array(m * n), 'f32');
      const want = new Float32Array(m * n);
      kern.f32_spmv_csr(n, tx.ptr, tv.ptr, tc.ptr, tp.ptr, ptr(tb), ty.ptr, lo!, hi!, ib);
      f32SpmvCsrRef(n, x, values, cols, indptr, bias, want, lo!, hi!);
      assertSame((ty.toTypedArray() as Float32Array).subarray(0, n), want.subarray(0, n), `spmv n=${n} k=${k} ib=${ib}`);
      kern.f32_spmm_csr(m, n, k, tx.ptr, tv.ptr, tc.ptr, tp.ptr, ptr(tb), ty.ptr, scratch(kern.f32_spmm_workspace_bytes(m, n, k)), lo!, hi!, ib);
      f32SpmmCsrRef(m, n, k, x, values, cols, indptr, bias, want, lo!, hi!);
      assertSame(ty.toTypedArray() as Float32Array, want, `spmm m=${m} n=${n} k=${k} ib=${ib}`);
      for (const t of [tv, tc, tp, tx, tb, ty]) t?.dispose();
    }
  }), { numRuns: 150 });
});

test('2:4 codec: decode(encode(w)) keeps the 2 largest |w| per group of 4 (tail padded), exact on 2:4 weights', () => {
  fc.assert(fc.property(N, K, DENSITY, fc.integer(), (n, k, d, seed) => {
    const w = sparseWeight(n, k, d, seed, false);
    const back = nm24DecodeRef(nm24EncodeRef(w, n, k), n, k);
    assert.ok(isNm24(back, n, k));
    for (let j = 0; j < n; j++) {
      for (let c0 = 0; c0 < k; c0 += 4) {
        const g = Array.from(w.subarray(j * k + c0, j * k + Math.min(c0 + 4, k)));
        const kept = g.filter((_, t) => back[j * k + c0 + t] !== 0).map(Math.abs);
        const dropped = g.filter((_, t) => back[j * k + c0 + t] === 0).map(Math.abs);
        for (const v of dropped) for (const u of kept) assert.ok(v <= u);
        g.forEach((v, t) => assert.ok(back[j * k + c0 + t] === 0 || back[j * k + c0 + t] === v));
      }
    }
    assert.deepEqual(nm24DecodeRef(nm24EncodeRef(back, n, k), n, k), back);
    assert.deepEqual(csrDecodeRef(csrEncodeRef(w, n, k), n, k), w);
  }), { numRuns: 100 });
});

test('2:4 pattern ids: every valid index byte maps to one of 36 ids and back; other bytes are rejected by name', () => {
  const valid = [0x4, 0x8, 0xc, 0x9, 0xd, 0xe];
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
  const ok = bytes.filter((b) => valid.includes(b & 15) && valid.includes(b >> 4));
  assert.equal(ok.length, 36);
  const ids = nm24Ids('test', ok);
  assert.deepEqual([...ids].sort((a, b) => a - b), Array.from({ length: 36 }, (_, i) => i));
  assert.deepEqual(nm24Indices(ids), ok);
  for (const b of bytes.filter((b) => !ok.includes(b))) {
    assert.throws(() => nm24Ids('test', Uint8Array.of(0x44, b)), (e: st.SlimError) => e.code === 'INVALID_ARGUMENT' && e.message.includes('indices[1]'));
  }
  // A file written by another tool with a repeated position in a group: a typed error, no layer.
  assert.throws(() => new st.Nm24Matrix(1, 8, { values: new Float32Array(4), indices: Uint8Array.of(0x05) }), (e: st.SlimError) => e.code === 'INVALID_ARGUMENT');
});

// The 2:4 kernels run panels of 4 rows over chunks of 32 blocks of 8 inputs (256 inputs); k tails pad the last block.
const NM_N = fc.constantFrom(0, 1, 3, 4, 5, 13, 63, 64, 67);
const NM_K = fc.constantFrom(0, 1, 7, 8, 9, 17, 67, 127, 128, 129, 255, 256, 257, 300, 520);

/** The kernel form (assembly/f32-nm/nm.ts) of logical 2:4 arrays, in wasm. */
function packNm24(n: number, k: number, values: Float32Array, ids: Uint8Array): [Tensor, Tensor] {
  const kern = kernels();
  const pv = st.zeros([kern.f32_nm24_packed_values_bytes(n, k) / 4]), pi = st.zeros([kern.f32_nm24_packed_ids_bytes(n, k)], 'u8');
  const tv = inWasm(values, 'f32'), ti = inWasm(ids, 'u8');
  kern.f32_nm24_pack(n, k, tv.ptr, ti.ptr, pv.ptr, pi.ptr);
  tv.dispose();
  ti.dispose();
  return [pv, pi];
}

test('f32_nm24_pack / f32_nm24_unpack: the kernel form holds every value and pattern, in 17 bytes per block', () => {
  const kern = kernels();
  fc.assert(fc.property(NM_N, NM_K, fc.integer(), (n, k, seed) => {
    const { values, indices } = nm24EncodeRef(sparseWeight(n, k, 0.5, seed, true), n, k);
    const ids = nm24Ids('test', indices);
    const [pv, pi] = packNm24(n, k, values, ids);
    const kb = Math.ceil(k / 8);
    assert.equal(pv.byteLength + pi.byteLength, n === 0 || k === 0 ? 0 : Math.ceil(n / 4) * 4 * kb * 17);
    const bv = inWasm(new Float32Array(n * kb * 4), 'f32'), bi = inWasm(new Uint8Array(n * kb), 'u8');
    kern.f32_nm24_unpack(n, k, pv.ptr, pi.ptr, bv.ptr, bi.ptr);
    assertSame(bv.toTypedArray() as Float32Array, values, `nm24 unpack values n=${n} k=${k}`);
    assert.deepEqual(bi.toTypedArray(), ids);
    for (const t of [pv, pi, bv, bi]) t.dispose();
  }), { numRuns: 60 });
});

test('f32_nm24_gemv and f32_nm24_gemm equal their references bit for bit, k tails zero-padded', () => {
  const kern = kernels();
  fc.assert(fc.property(fc.constantFrom(1, 2, 17), NM_N, NM_K, DENSITY, CLAMP, fc.boolean(), fc.boolean(), fc.integer(), (m, n, k, d, [lo, hi], withBias, wild, seed) => {
    const { values, indices } = nm24EncodeRef(sparseWeight(n, k, d, seed, wild), n, k);
    const ids = nm24Ids('test', indices);
    const x = vec(m * k, seed + 1, wild);
    const bias = withBias ? vec(n, seed + 2, false) : null;
    const [tv, ti] = packNm24(n, k, values, ids);
    const tx = inWasm(x, 'f32'), tb = bias && inWasm(bias, 'f32');
    const ty = inWasm(new Float32Array(m * n), 'f32');
    const want = new Float32Array(m * n);
    kern.f32_nm24_gemv(n, k, tx.ptr, tv.ptr, ti.ptr, ptr(tb), ty.ptr, scratch(kern.f32_nm24_gemv_workspace_bytes(n, k)), lo!, hi!);
    f32Nm24GemvRef(n, k, x, values, ids, bias, want, lo!, hi!);
    assertSame((ty.toTypedArray() as Float32Array).subarray(0, n), want.subarray(0, n), `nm24 gemv n=${n} k=${k}`);
    kern.f32_nm24_gemm(m, n, k, tx.ptr, tv.ptr, ti.ptr, ptr(tb), ty.ptr, scratch(kern.f32_nm24_gemm_workspace_bytes(m, n, k)), lo!, hi!);
    f32Nm24GemmRef(m, n, k, x, values, ids, bias, want, lo!, hi!);
    assertSame(ty.toTypedArray() as Float32Array, want, `nm24 gemm m=${m} n=${n} k=${k}`);
    for (const t of [tv, ti, tx, tb, ty]) t?.dispose();
  }), { numRuns: 150 });
});

test('qs8_spmm_csr_f32out and _requant equal their references exactly (any zero points, extreme int8)', () => {
  const kern = kernels();
  fc.assert(fc.property(M, N, K, DENSITY, fc.integer({ min: -128, max: 127 }), fc.integer({ min: -128, max: 127 }), fc.boolean(), fc.integer(), (m, n, k, d, xZp, outZp, withBias, seed) => {
    const r = rng(seed);
    const wf = sparseWeight(n, k, d, seed, false);
    const w = Int8Array.from(wf, (v) => (v === 0 ? 0 : r.u() < 0.2 ? (r.u() < 0.5 ? -128 : 127) : Math.round(v * 127) || 1));
    const { values: vf, cols, indptr } = csrEncodeRef(w, n, k);
    const values = Int8Array.from(vf);
    const x = Int8Array.from({ length: m * k }, () => Math.floor(r.u() * 256) - 128);
    const scaleW = Float32Array.from({ length: n }, () => Math.fround(r.u() * 0.1 + 1e-4));
    const biasF = withBias ? vec(n, seed + 2, false) : null;
    const biasI = withBias ? Int32Array.from({ length: n }, () => Math.floor(r.u() * 2e5) - 1e5) : null;
    const qm = Array.from({ length: n }, () => quantizeMultiplier(r.u() * 0.01 + 1e-5));
    const mult = Int32Array.from(qm, (q) => q.multiplier), shift = Int32Array.from(qm, (q) => q.shift);
    for (const c of [cols, Int32Array.from(cols)]) {
      const ib = c instanceof Int32Array ? 4 : 2;
      const tv = inWasm(values, 'i8'), tc = colsTensor('test', c), tp = inWasm(indptr, 'i32'), tx = inWasm(x, 'i8');
      const tsw = inWasm(scaleW, 'f32'), tbf = biasF && inWasm(biasF, 'f32'), tbi = biasI && inWasm(biasI, 'i32');
      const tm = inWasm(mult, 'i32'), ts = inWasm(shift, 'i32');
      const tyf = inWasm(new Float32Array(m * n), 'f32'), tyq = inWasm(new Int8Array(m * n), 'i8');
      kern.qs8_spmm_csr_f32out(m, n, k, tx.ptr, xZp, tv.ptr, tc.ptr, tp.ptr, ptr(tbf), tyf.ptr, 0.0125, tsw.ptr, ib);
      const wantF = new Float32Array(m * n);
      qs8SpmmCsrF32outRef(m, n, k, x, xZp, values, c, indptr, biasF, wantF, 0.0125, scaleW);
      assertSame(tyf.toTypedArray() as Float32Array, wantF, 'qs8 f32out');
      kern.qs8_spmm_csr_requant(m, n, k, tx.ptr, xZp, tv.ptr, tc.ptr, tp.ptr, ptr(tbi), tyq.ptr, tm.ptr, ts.ptr, outZp, -128, 127, ib);
      const wantQ = new Int8Array(m * n);
      qs8SpmmCsrRequantRef(m, n, k, x, xZp, values, c, indptr, biasI, wantQ, mult, shift, outZp, -128, 127);
      assert.deepEqual(tyq.toTypedArray(), wantQ);
      for (const t of [tv, tc, tp, tx, tsw, tbf, tbi, tm, ts, tyf, tyq]) t?.dispose();
    }
  }), { numRuns: 100 });
});

// ---- TS layers ----

const dense = (a: Float32Array, shape: number[]) => st.tensor(a, shape) as Tensor<'f32'>;
const LAYER_DIMS = fc.tuple(fc.constantFrom(1, 2, 17), fc.constantFrom(1, 7, 8, 33), fc.constantFrom(1, 4, 9), fc.boolean(), fc.integer());

test('toCsr / fromCsr and toNm24 / fromNm24 round-trip; byteLength counts values, indices and offsets', () => {
  fc.assert(fc.property(N, K, DENSITY, fc.integer(), (n, k, d, seed) => st.tidy(() => {
    const w = sparseWeight(n, k, d, seed, true);
    const W = dense(w, [n, k]);
    const csr = st.toCsr(W);
    const nnz = w.filter((v) => v !== 0).length;
    assert.equal(csr.nnz, nnz);
    assert.equal(csr.byteLength, st.SPARSE_FORMATS.csr.bytes(n, k, nnz));
    assert.deepEqual(st.fromCsr(csr).toTypedArray(), w);
    const nm = st.toNm24(W);
    assert.equal(nm.byteLength, st.SPARSE_FORMATS['nm-2:4'].bytes(Math.ceil(n / 4) * 4, k, 0)); // in memory rows pad to a panel of 4
    assert.deepEqual(st.fromNm24(nm).toTypedArray(), nm24DecodeRef(nm24EncodeRef(w, n, k), n, k));
    const t = st.toCsr(W, { threshold: 0.5 });
    assert.deepEqual(st.fromCsr(t).toTypedArray(), w.map((v) => (Math.abs(v) > 0.5 ? v : 0)));
    for (const c of [csr, nm, t]) c.dispose();
  })), { numRuns: 60 });
});

test('SparseLinear in every format equals its kernel reference, and dense linear within summation error', () => {
  fc.assert(fc.property(LAYER_DIMS, DENSITY, fc.boolean(), ([m, k, n, withBias, seed], d, relu) => st.tidy(() => {
    const w = nm24DecodeRef(nm24EncodeRef(sparseWeight(n, k, d, seed, false), n, k), n, k); // 2:4, so every format applies
    const x = vec(m * k, seed + 1, false);
    const b = withBias ? vec(n, seed + 2, false) : null;
    const W = dense(w, [n, k]), X = dense(x, [m, k]), B = b && dense(b, [n]);
    const [lo, hi] = relu ? [0, Infinity] : [-Infinity, Infinity];
    const act = relu ? 'relu' : 'none';
    const ref = st.linear(X, W, B, act).toTypedArray() as Float32Array;
    for (const format of ['dense', 'csr', 'nm-2:4'] as const) {
      const layer = new st.SparseLinear(W, B, { format });
      assert.equal(layer.format, format);
      const got = layer.forward(X, act).toTypedArray() as Float32Array;
      const want = new Float32Array(m * n);
      if (format === 'csr') {
        const a = csrEncodeRef(w, n, k);
        if (m === 1) f32SpmvCsrRef(n, x, a.values, a.cols, a.indptr, b, want, lo!, hi!);
        else f32SpmmCsrRef(m, n, k, x, a.values, a.cols, a.indptr, b, want, lo!, hi!);
      } else if (format === 'nm-2:4') {
        const a = nm24EncodeRef(w, n, k);
        const ids = nm24Ids('test', a.indices);
        if (m === 1) f32Nm24GemvRef(n, k, x, a.values, ids, b, want, lo!, hi!);
        else f32Nm24GemmRef(m, n, k, x, a.values, ids, b, want, lo!, hi!);
      } else if (m > 1 && m < 4) {
        // Dense (packed) runs 2-3 rows as batch-1 GEMVs: each row has linear()'s batch-1 bits.
        for (let i = 0; i < m; i++) want.set(st.linear(dense(x.subarray(i * k, (i + 1) * k), [1, k]), W, B, act).toTypedArray() as Float32Array, i * n);
      } else want.set(ref);
      assertSame(got, want, `${format} m=${m} k=${k} n=${n}`);
      for (let i = 0; i < m * n; i++) {
        let mag = b ? Math.abs(b[i % n]!) : 0;
        for (let p = 0; p < k; p++) mag += Math.abs(w[(i % n) * k + p]! * x[Math.floor(i / n) * k + p]!);
        assert.ok(Math.abs(got[i]! - ref[i]!) <= 2 * k * 2 ** -23 * mag + 1e-30, `${format}: ${got[i]} vs dense ${ref[i]}`);
      }
      layer.dispose();
    }
  })), { numRuns: 60 });
});

/** w [n, k] pruned in 1×4 blocks along each row: each block kept whole with probability `density` (then some of its entries zeroed when `holes`). */
function blockWeight(n: number, k: number, density: number, seed: number, wild: boolean, holes = false): Float32Array {
  const r = rng(seed);
  const w = new Float32Array(n * k);
  for (let j = 0; j < n; j++) for (let c = 0; c < k; c += 4) {
    if (r.u() >= density) continue;
    for (let t = c; t < Math.min(c + 4, k); t++) w[j * k + t] = holes && r.u() < 0.3 ? 0 : r.f32(wild) || 0.5;
  }
  return w;
}

// BSR blocks alternate between two accumulators; k tails pad the last block of 4.
const BSR_K = fc.constantFrom(0, 1, 3, 4, 5, 7, 8, 9, 13, 64, 65, 127);

test('f32_spmv_bsr equals its reference bit for bit (u16 and i32 block columns, k tails, NaN/Inf), and BSR codecs round-trip', () => {
  const kern = kernels();
  fc.assert(fc.property(NM_N, BSR_K, DENSITY, CLAMP, fc.boolean(), fc.boolean(), fc.boolean(), fc.integer(), (n, k, d, [lo, hi], withBias, wild, wide, seed) => {
    const w = blockWeight(n, k, d, seed, wild, seed % 3 === 0);
    const a = bsrEncodeRef(w, n, k);
    assert.deepEqual(bsrDecodeRef(a, n, k), w);
    const cols = wide ? Int32Array.from(a.cols) : a.cols;
    const x = vec(k, seed + 1, wild);
    if (wild && k > 2) x[seed & 1] = Infinity;
    const bias = withBias ? vec(n, seed + 2, false) : null;
    const tv = inWasm(a.values, 'f32'), tc = colsTensor('test', cols), tp = inWasm(a.indptr, 'i32'), tx = inWasm(x, 'f32'), tb = bias && inWasm(bias, 'f32');
    const ty = inWasm(new Float32Array(n), 'f32');
    kern.f32_spmv_bsr(n, k, tx.ptr, tv.ptr, tc.ptr, tp.ptr, ptr(tb), ty.ptr, scratch(kern.f32_spmv_bsr_workspace_bytes(k)), lo!, hi!, wide ? 4 : 2);
    const want = new Float32Array(n);
    f32SpmvBsrRef(n, k, x, a.values, cols, a.indptr, bias, want, lo!, hi!);
    assertSame(ty.toTypedArray() as Float32Array, want, `bsr n=${n} k=${k}`);
    for (const t of [tv, tc, tp, tx, tb, ty]) t?.dispose();
  }), { numRuns: 200 });
  // blockStats: stored blocks over all blocks, nonzeros over stored weights.
  // rows of 6: [1 0 0 0 | 0 0] and [0 0 2 3 | 0 4]: 3 of 4 blocks stored, 4 nonzeros in their 12 weights.
  assert.deepEqual(blockStats(Float32Array.of(1, 0, 0, 0, 0, 0, 0, 0, 2, 3, 0, 4), 2, 6), { blockDensity: 0.75, fill: 4 / 12 });
  const code = (f: () => unknown) => { try { f(); } catch (e) { return (e as st.SlimError).code; } return 'none'; };
  assert.equal(code(() => new st.BsrMatrix(1, 8, { values: new Float32Array(4), cols: Uint16Array.of(2), indptr: Int32Array.of(0, 1) })), 'INVALID_ARGUMENT');
  assert.equal(code(() => new st.BsrMatrix(1, 8, { values: new Float32Array(3), cols: Uint16Array.of(0), indptr: Int32Array.of(0, 1) })), 'INVALID_ARGUMENT');
});

test('SparseLinear picks 1×4 BSR for block-pruned weights at batch 1 (not for unstructured or 2:4), equals its reference, and round-trips through saveSparse', () => st.tidy(() => {
  const n = 40, k = 66;
  const blocky = blockWeight(n, k, 0.1, 21, false);
  const W = dense(blocky, [n, k]);
  const layer = new st.SparseLinear(W);
  assert.equal(layer.format, 'bsr-1x4');
  assert.equal(new st.SparseLinear(W, null, { batch: 8 }).format, 'csr');
  assert.equal(new st.SparseLinear(dense(sparseWeight(n, k, 0.1, 22, false), [n, k])).format, 'csr');
  assert.equal(new st.SparseLinear(dense(nm24DecodeRef(nm24EncodeRef(vec(n * k, 23, false), n, k), n, k), [n, k])).format, 'nm-2:4');
  const B = dense(vec(n, 24, false), [n]);
  const bl = new st.SparseLinear(W, B, { format: 'bsr-1x4' });
  for (const m of [1, 3]) {
    const x = vec(m * k, 25 + m, false);
    const got = bl.forward(dense(x, [m, k]), 'relu').toTypedArray() as Float32Array;
    const a = bsrEncodeRef(blocky, n, k);
    const want = new Float32Array(m * n);
    for (let i = 0; i < m; i++) f32SpmvBsrRef(n, k, x.subarray(i * k, (i + 1) * k), a.values, a.cols, a.indptr, B.toTypedArray() as Float32Array, want.subarray(i * n, (i + 1) * n), 0, Infinity);
    assertSame(got, want, `bsr layer m=${m}`);
  }
  const before = st.memoryStats().tensors;
  const back = st.loadSparse(st.saveSparse({ l: bl })).l!;
  assert.equal((back as st.SparseLinear).format, 'bsr-1x4');
  st.tidy(() => {
    const X = dense(vec(k, 30, false), [1, k]);
    assert.deepEqual(back.forward(X).toTypedArray(), bl.forward(X).toTypedArray());
  });
  back.dispose();
  assert.equal(st.memoryStats().tensors, before);
  assert.deepEqual(st.fromBsr(st.toBsr(W)).toTypedArray(), blocky);
  layer.dispose();
  bl.dispose();
}));

// The packed GEMV's panels are 4 rows; k runs in blocks of 8 with a k % 8 tail.
const PK_N = fc.constantFrom(0, 1, 3, 4, 5, 7, 8, 9, 13);
const PK_K = fc.constantFrom(0, 1, 7, 8, 9, 15, 16, 17, 63, 64, 65, 300);

test('f32_gemv_pack / _unpack / f32_gemv_packed equal their references, and the packed GEMV equals f32_gemv bit for bit', () => {
  const kern = kernels();
  fc.assert(fc.property(PK_N, PK_K, CLAMP, fc.boolean(), fc.boolean(), fc.integer(), (n, k, [lo, hi], withBias, wild, seed) => {
    const w = vec(n * k, seed, wild);
    if (wild && w.length > 2) { w[seed & 1] = NaN; w[w.length - 1] = -Infinity; }
    const x = vec(k, seed + 1, wild);
    const bias = withBias ? vec(n, seed + 2, wild) : null;
    const tw = inWasm(w, 'f32'), tx = inWasm(x, 'f32'), tb = bias && inWasm(bias, 'f32');
    const bytes = kern.f32_gemv_packed_bytes(n, k);
    assert.equal(bytes, f32GemvPackedBytes(n, k));
    const tp = inWasm(new Float32Array(bytes / 4), 'f32');
    kern.f32_gemv_pack(n, k, tw.ptr, tp.ptr);
    const want = new Float32Array(bytes / 4);
    f32GemvPackRef(n, k, w, want);
    assertSame(tp.toTypedArray() as Float32Array, want, `pack n=${n} k=${k}`);
    const back = inWasm(new Float32Array(n * k), 'f32');
    kern.f32_gemv_unpack(n, k, tp.ptr, back.ptr);
    assertSame(back.toTypedArray() as Float32Array, w, `unpack n=${n} k=${k}`);
    const ty = inWasm(new Float32Array(n), 'f32'), ty2 = inWasm(new Float32Array(n), 'f32');
    kern.f32_gemv_packed(n, k, tx.ptr, tp.ptr, ptr(tb), ty.ptr, lo!, hi!);
    const yref = new Float32Array(n);
    f32GemvPackedRef(n, k, x, want, bias, yref, lo!, hi!);
    assertSame(ty.toTypedArray() as Float32Array, yref, `packed gemv n=${n} k=${k}`);
    kern.f32_gemv(n, k, tx.ptr, tw.ptr, ptr(tb), ty2.ptr, lo!, hi!);
    assertSame(ty2.toTypedArray() as Float32Array, yref, `f32_gemv n=${n} k=${k}`);
    for (const t of [tw, tx, tb, tp, back, ty, ty2]) t?.dispose();
  }), { numRuns: 200 });
});

test('PackedMatrix + packedLinear: linear()\'s bits at batch 1 and ≥ 4, batch-1 bits per row at 2-3; round trip; typed errors; no leaks', () => {
  const before = st.memoryStats();
  fc.assert(fc.property(fc.constantFrom(1, 2, 3, 4, 9), fc.constantFrom(1, 5, 8, 13), fc.constantFrom(1, 8, 17, 40), fc.boolean(), fc.boolean(), fc.integer(), (m, n, k, withBias, relu, seed) => st.tidy(() => {
    const W = dense(vec(n * k, seed, false), [n, k]), X = dense(vec(m * k, seed + 1, false), [m, k]);
    const B = withBias ? dense(vec(n, seed + 2, false), [n]) : null;
    const act = relu ? 'relu' : 'none';
    const pm = new st.PackedMatrix(W);
    try {
      assert.deepEqual(pm.toTensor().toTypedArray(), W.toTypedArray());
      const got = st.packedLinear(X, pm, B, act).toTypedArray() as Float32Array;
      const want = m === 2 || m === 3
        ? Float32Array.from({ length: m * n }, (_, i) => st.linear(st.slice(X, 0, Math.floor(i / n), Math.floor(i / n) + 1), W, B, act).toTypedArray()[i % n] as number)
        : st.linear(X, W, B, act).toTypedArray() as Float32Array;
      assertSame(got, want, `packedLinear m=${m} n=${n} k=${k}`);
    } finally {
      pm.dispose();
    }
  })), { numRuns: 60 });
  st.tidy(() => {
    const pm = new st.PackedMatrix(st.ones([3, 5]));
    const code = (f: () => unknown) => { try { f(); } catch (e) { return (e as st.SlimError).code; } return 'none'; };
    assert.equal(code(() => st.packedLinear(st.ones([2, 4]), pm)), 'SHAPE_MISMATCH');
    assert.equal(code(() => st.packedLinear(st.ones([1, 5]), pm, st.ones([4]))), 'SHAPE_MISMATCH');
    assert.equal(code(() => st.packedLinear(st.ones([1, 5]), pm, null, 'gelu' as 'relu')), 'INVALID_ARGUMENT');
    assert.equal(code(() => new st.PackedMatrix(st.ones([5]))), 'SHAPE_MISMATCH');
    assert.equal(code(() => new st.PackedMatrix(st.zeros([2, 2], 'i32'))), 'DTYPE_MISMATCH');
    assert.deepEqual(st.packedLinear(st.ones([1, 5]), pm).toArray(), [[5, 5, 5]]);
    pm.dispose();
    assert.equal(code(() => st.packedLinear(st.ones([1, 5]), pm)), 'DISPOSED');
  });
  assert.deepEqual(st.memoryStats(), before);
});

test('packedLinear at batch ≥ 4 past the GEMM\'s column block (NC = 1024) and k block (KC = 256) has linear()\'s bits', () => {
  const before = st.memoryStats().tensors;
  st.tidy(() => {
    for (const [m, n, k] of [[5, 1030, 12], [4, 21, 517], [6, 1037, 263], [4, 17, 300], [7, 9, 259]] as const) {
      const W = dense(vec(n * k, n, false), [n, k]), X = dense(vec(m * k, k, false), [m, k]), B = dense(vec(n, 3, false), [n]);
      const pm = new st.PackedMatrix(W);
      assertSame(st.packedLinear(X, pm, B, 'relu').toTypedArray() as Float32Array, st.linear(X, W, B, 'relu').toTypedArray() as Float32Array, `packedLinear m=${m} n=${n} k=${k}`);
      pm.dispose();
    }
  });
  assert.equal(st.memoryStats().tensors, before);
});

test('SparseLinear auto: CSR below the crossover density, 2:4 for 2:4 weights at batch 1, dense otherwise', () => {
  st.tidy(() => {
    const n = 16, k = 64;
    const W = (d: number) => dense(sparseWeight(n, k, d, 7, false), [n, k]);
    assert.equal(st.chooseSparseFormat(0.01, false), 'csr');
    assert.equal(st.chooseSparseFormat(0.5, true), 'nm-2:4');
    assert.equal(st.chooseSparseFormat(0.5, true, 64), 'dense');
    assert.equal(st.chooseSparseFormat(0.9, false), 'dense');
    assert.equal(st.chooseSparseFormat(0.4, false), 'dense');
    assert.equal(st.chooseSparseFormat(0.4, false, 64), 'csr');
    assert.equal(new st.SparseLinear(W(0.02)).format, 'csr');
    assert.equal(new st.SparseLinear(W(1)).format, 'dense');
    const nm = dense(nm24DecodeRef(nm24EncodeRef(vec(n * k, 3, false), n, k), n, k), [n, k]); // density 0.5
    assert.equal(new st.SparseLinear(nm).format, 'nm-2:4');
    assert.equal(new st.SparseLinear(nm, null, { batch: 64 }).format, 'dense');
    assert.equal(new st.SparseLinear(st.zeros([n, k])).format, 'csr');
  });
});

test('NmLinear equals SparseLinear on its 2:4-pruned weight; 2:4 stores 17 bytes per 8 inputs', () => st.tidy(() => {
  const n = 9, k = 37;
  const W = dense(vec(n * k, 5, false), [n, k]);
  const X = dense(vec(3 * k, 6, false), [3, k]);
  const layer = new st.NmLinear(W);
  const pruned = new st.SparseLinear(st.fromNm24(layer.weight), null, { format: 'nm-2:4' });
  assert.deepEqual(layer.forward(X).toTypedArray(), pruned.forward(X).toTypedArray());
  assert.equal(layer.byteLength, Math.ceil(n / 4) * 4 * Math.ceil(k / 8) * 17); // rows padded to a panel of 4
  layer.dispose();
  pruned.dispose();
}));

test('SparseInt8Linear equals Int8Linear (same codes, exact int32 sums) and its requantized path equals the reference', () => {
  fc.assert(fc.property(LAYER_DIMS, DENSITY, ([m, k, n, withBias, seed], d) => st.tidy(() => {
    const w = sparseWeight(n, k, d, seed, false);
    const W = dense(w, [n, k]), X = dense(vec(m * k, seed + 1, false), [m, k]);
    const B = withBias ? dense(vec(n, seed + 2, false), [n]) : null;
    const sparse = new st.SparseInt8Linear(W, B);
    const ref = new st.Int8Linear(W, B);
    assertSame(sparse.forward(X).toTypedArray() as Float32Array, ref.forward(X).toTypedArray() as Float32Array, 'f32 out');
    // Static int8: x codes in, int8 codes out.
    const r = rng(seed);
    const xq = Int8Array.from({ length: m * k }, () => Math.floor(r.u() * 256) - 128);
    const xScale = 0.02, xZp = 3, outScale = 0.5, outZp = -7;
    const got = sparse.forwardInt8(st.tensor(xq, [m, k]), xScale, xZp, outScale, outZp).toTypedArray();
    const ws = sparse.weightScale.toTypedArray();
    const qm = Array.from(ws, (s) => quantizeMultiplier(xScale * s / outScale));
    const bias = B ? Int32Array.from(B.toTypedArray() as Float32Array, (v, j) => Math.round(v / (xScale * ws[j]!)) | 0) : null;
    const want = new Int8Array(m * n);
    const cols = sparse.indexBytes === 2 ? new Uint16Array(sparse.indices.toTypedArray().buffer) : sparse.indices.toTypedArray() as Int32Array;
    qs8SpmmCsrRequantRef(m, n, k, xq, xZp, sparse.values.toTypedArray() as Int8Array, cols, sparse.indptr.toTypedArray() as Int32Array, bias, want,
      Int32Array.from(qm, (q) => q.multiplier), Int32Array.from(qm, (q) => q.shift), outZp, -128, 127);
    assert.deepEqual(got, want);
    assert.equal(sparse.byteLength, st.SPARSE_FORMATS['csr-int8'].bytes(n, k, sparse.nnz) + (B ? 4 * n : 0));
    sparse.dispose();
    ref.dispose();
  })), { numRuns: 40 });
});

test('saveSparse / loadSparse: every layer reloads to identical outputs, and the file is smaller than dense', () => st.tidy(() => {
  const n = 64, k = 96;
  const w = sparseWeight(n, k, 0.1, 11, false);
  const W = dense(w, [n, k]), B = dense(vec(n, 12, false), [n]), X = dense(vec(5 * k, 13, false), [5, k]);
  const X1 = dense(vec(k, 14, false), [1, k]);
  const layers = {
    csr: new st.SparseLinear(W, B, { format: 'csr' }),
    dense: new st.SparseLinear(W, B, { format: 'dense' }),
    nm: new st.NmLinear(W, B),
    nmAsSparse: new st.SparseLinear(st.fromNm24(st.toNm24(W)), null, { format: 'nm-2:4' }),
    int8: new st.SparseInt8Linear(W, B),
  };
  const before = st.memoryStats().tensors;
  const bytes = st.saveSparse(layers);
  const loaded = st.loadSparse(bytes);
  assert.deepEqual(Object.keys(loaded).sort(), Object.keys(layers).sort());
  for (const [name, l] of Object.entries(layers)) {
    const back = loaded[name]!;
    assert.equal(back.constructor, l.constructor);
    assert.equal(back.byteLength, l.byteLength);
    st.tidy(() => { for (const x of [X, X1]) assert.deepEqual(back.forward(x).toTypedArray(), l.forward(x).toTypedArray(), name); });
  }
  for (const l of Object.values(loaded)) l.dispose();
  assert.equal(st.memoryStats().tensors, before, 'loading leaves no stray tensors');
  const denseFile = st.saveSafetensors({ weight: W, bias: B }).byteLength;
  const csrFile = st.saveSparse({ l: layers.csr }).byteLength;
  const int8File = st.saveSparse({ l: layers.int8 }).byteLength;
  assert.ok(csrFile < 0.75 * denseFile, `csr file ${csrFile} vs dense ${denseFile}`);
  assert.ok(int8File < csrFile, `int8 csr file ${int8File} vs csr ${csrFile}`);
  for (const l of Object.values(layers)) l.dispose();
}));

test('sparse layers: typed errors name the argument', () => st.tidy(() => {
  const W = dense(vec(8 * 8, 1, false), [8, 8]);
  const code = (f: () => unknown, c: string) => assert.throws(f, (e: unknown) => e instanceof st.SlimError && e.code === c);
  code(() => new st.SparseLinear(W, null, { format: 'nm-2:4' }), 'INVALID_ARGUMENT');
  code(() => new st.SparseLinear(W, null, { format: 'coo' as 'csr' }), 'INVALID_ARGUMENT');
  code(() => new st.SparseLinear(st.zeros([8])), 'SHAPE_MISMATCH');
  code(() => new st.SparseLinear(W, st.zeros([3])), 'SHAPE_MISMATCH');
  const l = new st.SparseLinear(W, null, { format: 'csr' });
  code(() => l.forward(st.zeros([2, 7])), 'SHAPE_MISMATCH');
  code(() => l.forward(W, 'gelu' as 'relu'), 'INVALID_ARGUMENT');
  code(() => new st.CsrMatrix(2, 4, { values: new Float32Array(1), cols: new Uint16Array([4]), indptr: new Int32Array([0, 1, 1]) }), 'INVALID_ARGUMENT');
  code(() => st.toCsr(W, { threshold: -1 }), 'INVALID_ARGUMENT');
  code(() => st.loadSparse(st.saveSafetensors({ 'l.values': W }, { l: JSON.stringify({ format: 'csr', shape: [8, 8] }) })), 'INVALID_FORMAT');
  l.dispose();
}));

test('sparsify: a 90%-pruned MLP runs in CSR with ReLU fused, matches the masked dense model, and its file is ≥ 5× smaller', () => {
  const rng = new st.Rng(3);
  const model = new st.Sequential(new st.Linear(200, 120, { rng }), new st.ReLU(), new st.Linear(120, 60, { rng }), new st.ReLU(), new st.Linear(60, 10, { rng }));
  const pruner = new st.Pruner(model).magnitude(0.9, { scope: 'global' });
  const before = st.memoryStats().tensors;
  const sm = st.sparsify(model);
  assert.equal(sm.formats()['0'], 'csr'); // the small output layer keeps more weights under global pruning: it may stay dense
  assert.equal(sm.formats()['2'], 'csr');
  st.tidy(() => {
    const x = st.normal([3, 200], 0, 1, { seed: 2 });
    const want = st.noGrad(() => model.forward(x)).toTypedArray() as Float32Array;
    const got = sm.forward(x).toTypedArray() as Float32Array;
    got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= 1e-5 * (1 + Math.abs(want[i]!)), `${v} vs ${want[i]}`));
    const file = sm.save();
    const dense = st.saveSafetensors(model.stateDict()).length;
    assert.ok(dense / file.length >= 5, `dense ${dense} bytes vs sparse ${file.length}`);
    const back = st.loadSparseModel(file);
    assert.deepEqual(Array.from(back.forward(x).toTypedArray()), Array.from(got));
    back.dispose();
    assert.throws(() => st.loadSparseModel(st.saveSafetensors({ a: st.zeros([1]) })), { code: 'INVALID_FORMAT', message: /not a sparse model file/ });
  });
  sm.dispose();
  assert.equal(st.memoryStats().tensors, before);
  pruner.dispose();
  model.dispose();
});

test('sparsify a pruned CNN: Conv2d (BatchNorm folded, ReLU fused) in CSR through im2col, pools, Flatten; dense format keeps conv2d\'s bits; files round-trip', () => {
  const make = (bn: boolean) => {
    const rng = new st.Rng(7);
    return new st.Sequential(
      new st.Conv2d(2, 8, 3, { padding: 1, rng }), ...(bn ? [new st.BatchNorm2d(8)] : []), new st.ReLU(), new st.MaxPool2d(2),
      new st.Conv2d(8, 12, 3, { rng }), new st.ReLU(), new st.AvgPool2d(2, { stride: 1 }), new st.Dropout(0.5),
      new st.Flatten(), new st.Linear(12 * 2 * 2, 16, { rng }), new st.ReLU(), new st.Linear(16, 5, { rng }),
    );
  };
  const bits = (t: st.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.toTypedArray() as Float32Array).buffer));
  const before = st.memoryStats().tensors;
  // BatchNorm far from the identity: per-channel statistics and affine parameters, then eval.
  const model = make(true);
  const ch = (f: (c: number) => number) => st.tensor(Float32Array.from({ length: 8 }, (_, c) => f(c)));
  st.tidy(() => model.loadStateDict({ ...model.stateDict(), '1.running_mean': ch((c) => 0.3 - 0.1 * c), '1.running_var': ch((c) => 0.5 + c), '1.weight': ch((c) => 2 - 0.3 * c), '1.bias': ch((c) => 0.2 * c - 0.5) }));
  model.eval();
  // 80% of every layer (global pruning at this size would zero whole layers and hide the BatchNorm).
  const pruner = new st.Pruner(model).magnitude(0.8, { scope: 'layer' });
  pruner.removeMasks();
  const sm = st.sparsify(model);
  assert.deepEqual(sm.steps.map((s) => s.kind), ['conv', 'pool', 'conv', 'pool', 'flatten', 'linear', 'linear']);
  assert.deepEqual([sm.formats()['0'], sm.formats()['4']], ['csr', 'csr']);
  st.tidy(() => {
    const x = st.normal([3, 2, 10, 10], 0, 1, { seed: 21 });
    const want = st.noGrad(() => model.forward(x)).toTypedArray() as Float32Array;
    const got = sm.forward(x).toTypedArray() as Float32Array;
    got.forEach((v, i) => assert.ok(Math.abs(v - want[i]!) <= 1e-4 * (1 + Math.abs(want[i]!)), `at ${i}: ${v} vs ${want[i]}`));
    const back = st.loadSparseModel(sm.save());
    assert.deepEqual(bits(back.forward(x)), bits(st.tensor(got, [3, 5])));
    back.dispose();
    // Wrong channels: a typed error, nothing leaked.
    assert.throws(() => sm.forward(st.zeros([1, 3, 10, 10])), (e: unknown) => e instanceof st.SlimError && e.code === 'SHAPE_MISMATCH');
  });
  sm.dispose();
  // Without BatchNorm, stored dense: conv2d's GEMM over the packed weight, so the model's bits (at
  // batch 1 and ≥ 4, where packedLinear and linear() take the same kernel).
  const plain = make(false).eval();
  const dense = st.sparsify(plain, { format: 'dense' });
  st.tidy(() => {
    for (const n of [1, 4]) {
      const x = st.normal([n, 2, 10, 10], 0, 1, { seed: 22 });
      assert.deepEqual(bits(dense.forward(x)), bits(st.noGrad(() => plain.forward(x))));
    }
  });
  dense.dispose();
  // Layers sparsify does not take.
  for (const m of [new st.Sequential(new st.Conv2d(1, 2, 3), new st.LayerNorm([2, 2, 2])), new st.Sequential(new st.Flatten(2))]) {
    assert.throws(() => st.sparsify(m), (e: unknown) => e instanceof st.SlimError && e.code === 'INVALID_ARGUMENT' && /sparsify: layer '\d' is a/.test(e.message));
    m.dispose();
  }
  assert.equal(st.memoryStats().tensors, before + model.parameters().length + model.namedBuffers().length + plain.parameters().length);
  pruner.dispose();
  model.dispose();
  plain.dispose();
});

test('the K-major conv lowering: f32_im2col_t is f32_im2col transposed and f32_spmm_csr_t is f32_spmm_csr transposed, bit for bit', () => {
  const kern = kernels();
  // im2col: padding, stride, dilation, rows shorter than 4, one image.
  fc.assert(fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }),
    fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 2 }), fc.integer(), (c, h, w, kh, kw, sh, sw, p, d, seed) => {
      const oh = Math.floor((h + 2 * p - d * (kh - 1) - 1) / sh) + 1, ow = Math.floor((w + 2 * p - d * (kw - 1) - 1) / sw) + 1;
      if (oh < 1 || ow < 1) return;
      const K = c * kh * kw, M = oh * ow;
      const x = inWasm(vec(c * h * w, seed, true), 'f32');
      const cols = inWasm(new Float32Array(M * K), 'f32'), colsT = inWasm(new Float32Array(K * M + 4), 'f32');
      kern.f32_im2col(1, c, h, w, kh, kw, sh, sw, p, p, d, d, x.ptr, cols.ptr);
      kern.f32_im2col_t(c, h, w, kh, kw, sh, sw, p, p, d, d, x.ptr, colsT.ptr);
      const a = cols.toTypedArray() as Float32Array, b = colsT.toTypedArray() as Float32Array;
      const want = new Float32Array(K * M);
      for (let r = 0; r < M; r++) for (let q = 0; q < K; q++) want[q * M + r] = a[r * K + q]!;
      assertSame(b.subarray(0, K * M), want, `im2col_t c=${c} ${h}×${w} k=${kh}×${kw} s=${sh},${sw} p=${p} d=${d}`);
      assert.equal(b[K * M], 0, 'nothing written past colsT');
      for (const t of [x, cols, colsT]) t.dispose();
    }), { numRuns: 200 });
  // spmm_t: m off multiples of 16 and 4, u16 and i32 indices, clamps, bias.
  fc.assert(fc.property(M, N, K, DENSITY, CLAMP, fc.boolean(), fc.boolean(), fc.integer(), (m, n, k, dens, [lo, hi], withBias, wild, seed) => {
    const w = sparseWeight(n, k, dens, seed, wild);
    const { values, cols: c16, indptr } = csrEncodeRef(w, n, k);
    const x = vec(m * k, seed + 1, wild);
    const xt = new Float32Array(k * m);
    for (let i = 0; i < m; i++) for (let c = 0; c < k; c++) xt[c * m + i] = x[i * k + c]!;
    const bias = withBias ? vec(n, seed + 2, false) : null;
    for (const cols of [c16, Int32Array.from(c16)]) {
      const ib = cols instanceof Int32Array ? 4 : 2;
      const tv = inWasm(values, 'f32'), tc = colsTensor('test', cols), tp = inWasm(indptr, 'i32'), tb = bias && inWasm(bias, 'f32');
      const tx = inWasm(x, 'f32'), txt = inWasm(xt, 'f32');
      const ty = inWasm(new Float32Array(m * n), 'f32'), tyt = inWasm(new Float32Array(n * m), 'f32');
      kern.f32_spmm_csr(m, n, k, tx.ptr, tv.ptr, tc.ptr, tp.ptr, ptr(tb), ty.ptr, scratch(kern.f32_spmm_workspace_bytes(m, n, k)), lo!, hi!, ib);
      kern.f32_spmm_csr_t(m, n, txt.ptr, tv.ptr, tc.ptr, tp.ptr, ptr(tb), tyt.ptr, lo!, hi!, ib);
      const y = ty.toTypedArray() as Float32Array, yt = tyt.toTypedArray() as Float32Array;
      const want = new Float32Array(n * m);
      for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) want[j * m + i] = y[i * n + j]!;
      assertSame(yt, want, `spmm_t m=${m} n=${n} k=${k} ib=${ib}`);
      for (const t of [tv, tc, tp, tb, tx, txt, ty, tyt]) t?.dispose();
    }
  }), { numRuns: 150 });
});
