// The sparse storage formats as data (one traits row each) and their scalar codecs on typed arrays.
//   csr        values f32 [nnz] | cols u16 [nnz] when k ≤ 65536, else i32 | indptr i32 [n + 1]
//   csr-int8   values i8 [nnz]  | cols as csr | indptr i32 [n + 1] | scale f32 [n] (symmetric per output row)
//   nm-2:4     values f32 [n, ⌈k/8⌉·4] | indices u8 [n, ⌈k/8⌉]: per group of 4 inputs the 2 kept values
//              (largest |w|, the earlier input on ties, stored in input order) and their positions 0..3
//              as two 2-bit fields; one byte per 8 inputs (low nibble the first group). Inputs past k
//              are zero padding. Layout of assembly/f32-nm/nm.ts.
//   bsr-1x4    values f32 [nb, 4] | cols u16 [nb] when ⌈k/4⌉ ≤ 65536, else i32 | indptr i32 [n + 1]: CSR over
//              blocks of 4 consecutive inputs (block column c covers inputs 4c..4c+3, zero past k); a block
//              is stored when any of its 4 weights is nonzero. Layout of assembly/f32-spmm/bsr.ts.
import { checkCount, invalid } from '../errors.js';

export type SparseFormatName = 'csr' | 'csr-int8' | 'nm-2:4' | 'bsr-1x4';

export interface SparseFormatTraits {
  readonly name: SparseFormatName;
  /** Bytes of one stored nonzero (value + column index) with indexBytes-wide indices; 2:4 counts per kept value. */
  readonly bytesPerNonzero: (indexBytes: 2 | 4) => number;
  /** Stored bytes of an [n, k] matrix with nnz nonzeros (2:4: nnz is ignored, the layout fixes it). */
  readonly bytes: (n: number, k: number, nnz: number) => number;
}

/** Column indices are u16 when every column fits, else i32 (u16 moves 25% fewer bytes per nonzero). */
export const indexBytesFor = (k: number): 2 | 4 => (checkCount('indexBytesFor', 'k', k) <= 65536 ? 2 : 4);

export const SPARSE_FORMATS: Readonly<Record<SparseFormatName, SparseFormatTraits>> = {
  csr: { name: 'csr', bytesPerNonzero: (ib) => 4 + ib, bytes: (n, k, nnz) => nnz * (4 + indexBytesFor(k)) + 4 * (n + 1) },
  'csr-int8': { name: 'csr-int8', bytesPerNonzero: (ib) => 1 + ib, bytes: (n, k, nnz) => nnz * (1 + indexBytesFor(k)) + 4 * (n + 1) + 4 * n },
  'nm-2:4': { name: 'nm-2:4', bytesPerNonzero: () => 4.25, bytes: (n, k) => n * Math.ceil(k / 8) * 17 },
  // nnz counts stored blocks here; bytesPerNonzero is per stored weight of a full block.
  'bsr-1x4': { name: 'bsr-1x4', bytesPerNonzero: (ib) => 4 + ib / 4, bytes: (n, k, nb) => nb * (16 + indexBytesFor(Math.ceil(k / 4))) + 4 * (n + 1) },
};

export interface CsrArrays<V extends Float32Array | Int8Array = Float32Array> {
  values: V;
  cols: Uint16Array | Int32Array;
  indptr: Int32Array;
}

/** CSR of w [n, k] (row-major): the entries with w ≠ 0 (NaN counts as nonzero), in row then column order. */
export function csrEncodeRef(w: ArrayLike<number>, n: number, k: number): CsrArrays {
  let nnz = 0;
  for (let i = 0; i < n * k; i++) if (w[i] !== 0) nnz++;
  const values = new Float32Array(nnz);
  const cols = indexBytesFor(k) === 2 ? new Uint16Array(nnz) : new Int32Array(nnz);
  const indptr = new Int32Array(n + 1);
  let p = 0;
  for (let j = 0; j < n; j++) {
    for (let c = 0; c < k; c++) {
      const v = w[j * k + c]!;
      if (v !== 0) { values[p] = v; cols[p++] = c; }
    }
    indptr[j + 1] = p;
  }
  return { values, cols, indptr };
}

/** The dense w [n, k] of a CSR matrix. */
export function csrDecodeRef({ values, cols, indptr }: CsrArrays<Float32Array | Int8Array>, n: number, k: number): Float32Array {
  const w = new Float32Array(n * k);
  for (let j = 0; j < n; j++) for (let p = indptr[j]!; p < indptr[j + 1]!; p++) w[j * k + cols[p]!] = values[p]!;
  return w;
}

/** Throws INVALID_ARGUMENT unless the three arrays have the types CsrArrays names. */
function checkArrays(fn: string, values: unknown, cols: unknown, indptr: unknown): void {
  if (!(values instanceof Float32Array || values instanceof Int8Array)) invalid(fn, 'values', 'a Float32Array (Int8Array for int8 values)', values);
  if (!(cols instanceof Uint16Array || cols instanceof Int32Array)) invalid(fn, 'cols', 'a Uint16Array or an Int32Array', cols);
  if (!(indptr instanceof Int32Array)) invalid(fn, 'indptr', 'an Int32Array', indptr);
}

/** Throws unless indptr is monotone from 0 to values.length and every column is in [0, k). */
export function checkCsr(fn: string, { values, cols, indptr }: CsrArrays<Float32Array | Int8Array>, n: number, k: number): void {
  checkArrays(fn, values, cols, indptr);
  if (indptr.length !== n + 1 || indptr[0] !== 0 || indptr[n] !== values.length || cols.length !== values.length) {
    invalid(fn, 'indptr', `${n + 1} offsets from 0 to nnz = ${values.length}`, indptr);
  }
  for (let j = 0; j < n; j++) if (indptr[j + 1]! < indptr[j]!) invalid(fn, `indptr[${j + 1}]`, `≥ indptr[${j}] = ${indptr[j]}`, indptr[j + 1]);
  for (let p = 0; p < cols.length; p++) if (!(cols[p]! >= 0 && cols[p]! < k)) invalid(fn, `cols[${p}]`, `in [0, ${k})`, cols[p]);
}

/** BSR of w [n, k] with 1×4 blocks: the blocks of 4 consecutive inputs holding any nonzero (NaN counts), in row then column order. */
export function bsrEncodeRef(w: ArrayLike<number>, n: number, k: number): CsrArrays {
  const kb = Math.ceil(k / 4);
  const stored = (j: number, c: number): boolean => {
    for (let t = 4 * c; t < Math.min(4 * c + 4, k); t++) if (w[j * k + t] !== 0) return true;
    return false;
  };
  const indptr = new Int32Array(n + 1);
  for (let j = 0; j < n; j++) {
    let count = 0;
    for (let c = 0; c < kb; c++) if (stored(j, c)) count++;
    indptr[j + 1] = indptr[j]! + count;
  }
  const nb = indptr[n]!;
  const values = new Float32Array(4 * nb);
  const cols = indexBytesFor(kb) === 2 ? new Uint16Array(nb) : new Int32Array(nb);
  let b = 0;
  for (let j = 0; j < n; j++) {
    for (let c = 0; c < kb; c++) {
      if (!stored(j, c)) continue;
      for (let t = 4 * c; t < Math.min(4 * c + 4, k); t++) values[4 * b + t - 4 * c] = w[j * k + t]!;
      cols[b++] = c;
    }
  }
  return { values, cols, indptr };
}

/** The dense w [n, k] of a 1×4 BSR matrix. */
export function bsrDecodeRef({ values, cols, indptr }: CsrArrays, n: number, k: number): Float32Array {
  const w = new Float32Array(n * k);
  for (let j = 0; j < n; j++) {
    for (let b = indptr[j]!; b < indptr[j + 1]!; b++) for (let t = 0; t < 4; t++) if (4 * cols[b]! + t < k) w[j * k + 4 * cols[b]! + t] = values[4 * b + t]!;
  }
  return w;
}

/** Throws unless the BSR arrays are consistent: indptr monotone from 0 to nb, block columns in [0, ⌈k/4⌉), 4 values per block. */
export function checkBsr(fn: string, { values, cols, indptr }: CsrArrays, n: number, k: number): void {
  checkArrays(fn, values, cols, indptr);
  const kb = Math.ceil(k / 4);
  if (indptr.length !== n + 1 || indptr[0] !== 0 || indptr[n] !== cols.length || values.length !== 4 * cols.length) {
    invalid(fn, 'indptr', `${n + 1} offsets from 0 to the block count ${cols.length}, and 4 values per block (${4 * cols.length})`, indptr);
  }
  for (let j = 0; j < n; j++) if (indptr[j + 1]! < indptr[j]!) invalid(fn, `indptr[${j + 1}]`, `≥ indptr[${j}] = ${indptr[j]}`, indptr[j + 1]);
  for (let b = 0; b < cols.length; b++) if (!(cols[b]! >= 0 && cols[b]! < kb)) invalid(fn, `cols[${b}]`, `a block column in [0, ${kb})`, cols[b]);
}

/** Stored blocks over all blocks, and nonzeros over the weights of stored blocks, of w [n, k] in 1×4 blocks. */
export function blockStats(w: ArrayLike<number>, n: number, k: number): { blockDensity: number; fill: number } {
  checkCount('blockStats', 'n', n);
  checkCount('blockStats', 'k', k);
  if (w == null || typeof (w as { length?: unknown }).length !== 'number' || w.length < n * k) invalid('blockStats', 'w', `an array of at least n·k = ${n * k} numbers`, w);
  const kb = Math.ceil(k / 4);
  let blocks = 0, nnz = 0;
  for (let j = 0; j < n; j++) {
    for (let c = 0; c < kb; c++) {
      let z = 0;
      for (let t = 4 * c; t < Math.min(4 * c + 4, k); t++) if (w[j * k + t] !== 0) z++;
      if (z) { blocks++; nnz += z; }
    }
  }
  return { blockDensity: n * kb === 0 ? 0 : blocks / (n * kb), fill: blocks === 0 ? 0 : nnz / (4 * blocks) };
}

export interface Nm24Arrays {
  values: Float32Array;
  indices: Uint8Array;
}

/** 2:4 of w [n, k]: per group of 4 inputs the two largest |w| (ties: earlier input), the rest pruned. */
export function nm24EncodeRef(w: ArrayLike<number>, n: number, k: number): Nm24Arrays {
  const kb = Math.ceil(k / 8);
  const values = new Float32Array(n * kb * 4);
  const indices = new Uint8Array(n * kb);
  const g = [0, 0, 0, 0];
  for (let j = 0; j < n; j++) {
    for (let grp = 0; grp < 2 * kb; grp++) {
      for (let t = 0; t < 4; t++) { const c = 4 * grp + t; g[t] = c < k ? w[j * k + c]! : 0; }
      // The two positions to keep: by |w| descending (NaN first), then by position.
      const order = [0, 1, 2, 3].sort((a, b) => mag(g[b]!) - mag(g[a]!) || a - b);
      const lo = Math.min(order[0]!, order[1]!);
      const hi = Math.max(order[0]!, order[1]!);
      const o = j * kb * 4 + 2 * grp;
      values[o] = g[lo]!;
      values[o + 1] = g[hi]!;
      indices[j * kb + (grp >> 1)]! |= (lo | (hi << 2)) << (4 * (grp & 1));
    }
  }
  return { values, indices };
}

const mag = (v: number): number => (Number.isNaN(v) ? Infinity : Math.abs(v));

/** The position pairs a group of 4 inputs can keep, in the order the kernels number them (assembly/f32-nm/nm.ts). */
export const NM24_PAIRS: readonly (readonly [number, number])[] = [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]];
const PAIR_OF_NIBBLE = new Int8Array(16).fill(-1);
NM24_PAIRS.forEach(([lo, hi], p) => { PAIR_OF_NIBBLE[lo | (hi << 2)] = p; });

/**
 * The kernels' pattern ids (p0 + 6·p1 per block) of 2:4 index bytes. Each group's two positions must be
 * distinct and ascending, as nm24EncodeRef writes them; otherwise INVALID_ARGUMENT names the byte.
 */
export function nm24Ids(fn: string, indices: Uint8Array): Uint8Array {
  const ids = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const p0 = PAIR_OF_NIBBLE[indices[i]! & 15]!;
    const p1 = PAIR_OF_NIBBLE[indices[i]! >> 4]!;
    if (p0 < 0 || p1 < 0) invalid(fn, `indices[${i}]`, 'per group of 4 inputs two distinct 2-bit positions, the lower one first', `0x${indices[i]!.toString(16).padStart(2, '0')}`);
    ids[i] = p0 + 6 * p1;
  }
  return ids;
}

/** The 2:4 index bytes of pattern ids (the inverse of nm24Ids). */
export function nm24Indices(ids: Uint8Array): Uint8Array {
  const indices = new Uint8Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    const [a, b] = NM24_PAIRS[ids[i]! % 6]!;
    const [c, d] = NM24_PAIRS[Math.floor(ids[i]! / 6)]!;
    indices[i] = a | (b << 2) | (c << 4) | (d << 6);
  }
  return indices;
}

/** The dense w [n, k] of a 2:4 matrix. */
export function nm24DecodeRef({ values, indices }: Nm24Arrays, n: number, k: number): Float32Array {
  const kb = Math.ceil(k / 8);
  const w = new Float32Array(n * k);
  for (let j = 0; j < n; j++) {
    for (let b = 0; b < kb; b++) {
      const idx = indices[j * kb + b]!;
      for (let q = 0; q < 4; q++) {
        const c = 8 * b + ((q & 2) << 1) + ((idx >> (2 * q)) & 3);
        if (c < k) w[j * k + c] = values[j * kb * 4 + 4 * b + q]!;
      }
    }
  }
  return w;
}

/** Whether every group of 4 inputs of w [n, k] (tail zero-padded) has at most 2 nonzeros. */
export function isNm24(w: ArrayLike<number>, n: number, k: number): boolean {
  for (let j = 0; j < n; j++) {
    for (let c0 = 0; c0 < k; c0 += 4) {
      let nz = 0;
      for (let c = c0; c < Math.min(c0 + 4, k); c++) if (w[j * k + c] !== 0) nz++;
      if (nz > 2) return false;
    }
  }
  return true;
}
