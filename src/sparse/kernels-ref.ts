// Scalar references (oracles) for assembly/f32-spmm, f32-nm and qs8-spmm: same argument order as the
// exports (without the workspace), typed arrays for pointers, null for an absent bias. The f32
// references round every product and sum to f32 (Math.fround) in the kernels' fixed order, so the
// kernels must match them bit for bit; the integer references wrap like int32 and must match exactly.
import { requantizeRef } from '../quant/requant.js';
import { NM24_PAIRS } from './formats.js';

type Cols = Uint16Array | Int32Array;
const fr = Math.fround;
const clamp = (s: number, lo: number, hi: number): number => Math.min(Math.max(s, lo), hi);

/** y[j] = clamp(Σ_p values[p]·x[cols[p]] + bias[j]) over p in [indptr[j], indptr[j+1]), in f32_spmv_csr's order. */
export function f32SpmvCsrRef(n: number, x: Float32Array, values: Float32Array, cols: Cols, indptr: Int32Array, bias: Float32Array | null, y: Float32Array, vmin: number, vmax: number): void {
  for (let j = 0; j < n; j++) {
    const p1 = indptr[j + 1]!;
    const a = [0, 0, 0, 0];
    const b = [0, 0, 0, 0];
    let p = indptr[j]!;
    for (; p + 8 <= p1; p += 8) {
      for (let l = 0; l < 4; l++) {
        a[l] = fr(a[l]! + fr(values[p + l]! * x[cols[p + l]!]!));
        b[l] = fr(b[l]! + fr(values[p + 4 + l]! * x[cols[p + 4 + l]!]!));
      }
    }
    for (let l = 0; l < 4; l++) a[l] = fr(a[l]! + b[l]!);
    for (; p + 4 <= p1; p += 4) for (let l = 0; l < 4; l++) a[l] = fr(a[l]! + fr(values[p + l]! * x[cols[p + l]!]!));
    let s = fr(fr(a[0]! + a[1]!) + fr(a[2]! + a[3]!));
    let t = 0;
    for (; p < p1; p++) t = fr(t + fr(values[p]! * x[cols[p]!]!));
    s = fr(s + t);
    if (bias) s = fr(s + bias[j]!);
    y[j] = clamp(s, vmin, vmax);
  }
}

/** Y[i, j] = clamp((Σ_p values[p]·X[i, cols[p]] sequentially) + bias[j]); X [m, k], Y [m, n]. */
export function f32SpmmCsrRef(m: number, n: number, k: number, x: Float32Array, values: Float32Array, cols: Cols, indptr: Int32Array, bias: Float32Array | null, y: Float32Array, vmin: number, vmax: number): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let p = indptr[j]!; p < indptr[j + 1]!; p++) acc = fr(acc + fr(values[p]! * x[i * k + cols[p]!]!));
      y[i * n + j] = clamp(fr(acc + (bias ? bias[j]! : 0)), vmin, vmax);
    }
  }
}

/** Input offset (0..7) inside its 8-block of kept value q (0..3) of a 2:4 block with pattern id (assembly/f32-nm/nm.ts). */
export const keptOffset = (id: number, q: number): number => 4 * (q >> 1) + NM24_PAIRS[q < 2 ? id % 6 : Math.floor(id / 6)]![q & 1]!;

/** x[8b + offset] of kept value q of block b, 0 past k (the padded tail). */
function keptX(x: Float32Array, xo: number, k: number, b: number, id: number, q: number): number {
  const c = 8 * b + keptOffset(id, q);
  return c < k ? x[xo + c]! : 0;
}

/** y[j] = clamp(W x + bias) for W in the 2:4 layout (assembly/f32-nm/nm.ts), in f32_nm24_gemv's lane order. */
export function f32Nm24GemvRef(n: number, k: number, x: Float32Array, values: Float32Array, ids: Uint8Array, bias: Float32Array | null, y: Float32Array, vmin: number, vmax: number): void {
  const kb = Math.ceil(k / 8);
  for (let j = 0; j < n; j++) {
    const a = [0, 0, 0, 0];
    for (let b = 0; b < kb; b++) {
      const id = ids[j * kb + b]!;
      for (let q = 0; q < 4; q++) a[q] = fr(a[q]! + fr(values[j * kb * 4 + 4 * b + q]! * keptX(x, 0, k, b, id, q)));
    }
    let s = fr(fr(a[0]! + a[1]!) + fr(a[2]! + a[3]!));
    if (bias) s = fr(s + bias[j]!);
    y[j] = clamp(s, vmin, vmax);
  }
}

/** Y[i, j] = clamp((Σ over kept values in storage order, sequentially) + bias[j]) for W in the 2:4 layout. */
export function f32Nm24GemmRef(m: number, n: number, k: number, x: Float32Array, values: Float32Array, ids: Uint8Array, bias: Float32Array | null, y: Float32Array, vmin: number, vmax: number): void {
  const kb = Math.ceil(k / 8);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let b = 0; b < kb; b++) {
        const id = ids[j * kb + b]!;
        for (let q = 0; q < 4; q++) acc = fr(acc + fr(values[j * kb * 4 + 4 * b + q]! * keptX(x, i * k, k, b, id, q)));
      }
      y[i * n + j] = clamp(fr(acc + (bias ? bias[j]! : 0)), vmin, vmax);
    }
  }
}

/** acc[i, j] = Σ_p values[p]·(x[i, cols[p]] − xZp), int32 wrapping. */
function qs8Acc(i: number, j: number, k: number, x: Int8Array, xZp: number, values: Int8Array, cols: Cols, indptr: Int32Array): number {
  let acc = 0;
  for (let p = indptr[j]!; p < indptr[j + 1]!; p++) acc = (acc + Math.imul(values[p]!, x[i * k + cols[p]!]! - xZp)) | 0;
  return acc;
}

/** out[i, j] = f32(acc)·f32(scaleX·scaleW[j]) + bias[j] (f32). */
export function qs8SpmmCsrF32outRef(m: number, n: number, k: number, x: Int8Array, xZp: number, values: Int8Array, cols: Cols, indptr: Int32Array, bias: Float32Array | null, out: Float32Array, scaleX: number, scaleW: Float32Array): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const v = fr(fr(qs8Acc(i, j, k, x, xZp, values, cols, indptr)) * fr(fr(scaleX) * scaleW[j]!));
      out[i * n + j] = bias ? fr(v + bias[j]!) : v;
    }
  }
}

/** out[i, j] = requant(acc + bias[j] (i32), multiplier[j], shift[j], outZp, qmin, qmax) as int8. */
export function qs8SpmmCsrRequantRef(
  m: number, n: number, k: number, x: Int8Array, xZp: number, values: Int8Array, cols: Cols, indptr: Int32Array, bias: Int32Array | null, out: Int8Array,
  multiplier: Int32Array, shift: Int32Array, outZp: number, qmin: number, qmax: number,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const acc = (qs8Acc(i, j, k, x, xZp, values, cols, indptr) + (bias ? bias[j]! : 0)) | 0;
      out[i * n + j] = requantizeRef(acc, multiplier[j]!, shift[j]!, outZp, qmin, qmax);
    }
  }
}

/** y[j] = clamp(Σ over row j's 1×4 blocks of values[b]·x[4·cols[b]..+3] + bias[j]) in f32_spmv_bsr's order: blocks alternate between two 4-lane accumulators. */
export function f32SpmvBsrRef(n: number, k: number, x: Float32Array, values: Float32Array, cols: Cols, indptr: Int32Array, bias: Float32Array | null, y: Float32Array, vmin: number, vmax: number): void {
  const xk = (c: number) => (c < k ? x[c]! : 0);
  for (let j = 0; j < n; j++) {
    const acc = [[0, 0, 0, 0], [0, 0, 0, 0]];
    for (let b = indptr[j]!; b < indptr[j + 1]!; b++) {
      const a = acc[(b - indptr[j]!) & 1]!;
      for (let l = 0; l < 4; l++) a[l] = fr(a[l]! + fr(values[4 * b + l]! * xk(4 * cols[b]! + l)));
    }
    const v = [0, 1, 2, 3].map((l) => fr(acc[0]![l]! + acc[1]![l]!));
    let s = fr(fr(v[0]! + v[1]!) + fr(v[2]! + v[3]!));
    if (bias) s = fr(s + bias[j]!);
    y[j] = clamp(s, vmin, vmax);
  }
}
