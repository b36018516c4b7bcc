// Sparse matrices in wasm memory: CSR (f32 or int8 values) and 2:4, built from a dense [n, k] weight.
import { kernels } from '../backend/binding.js';
import { SlimError, checkCount, checkInstance, invalid, optionsOf } from '../errors.js';
import { fromValues } from '../tensor/create.js';
import { keep, tidy } from '../tensor/scope.js';
import { shapeString } from '../tensor/shape.js';
import { assertDType, assertTensor, empty, type Tensor } from '../tensor/tensor.js';
import { bsrDecodeRef, bsrEncodeRef, checkBsr, checkCsr, csrDecodeRef, csrEncodeRef, nm24DecodeRef, nm24EncodeRef, nm24Ids, nm24Indices, type CsrArrays, type Nm24Arrays } from './formats.js';

/** @internal [n, k] of a 2-D f32 weight. */
export function checkWeight(fn: string, weight: Tensor): [number, number] {
  assertTensor(fn, 'weight', weight);
  assertDType(fn, 'weight', weight, 'f32');
  if (weight.rank !== 2) throw new SlimError('SHAPE_MISMATCH', `${fn}: weight must be [out, in], received ${shapeString(weight.shape)}`);
  return weight.shape as [number, number];
}

/** Column indices as stored: u16 pairs of bytes in a u8 tensor, or i32. */
export function colsTensor(fn: string, cols: Uint16Array | Int32Array): Tensor<'u8'> | Tensor<'i32'> {
  return cols instanceof Uint16Array
    ? fromValues(fn, new Uint8Array(cols.buffer, cols.byteOffset, cols.byteLength), [cols.byteLength], 'u8')
    : fromValues(fn, cols, [cols.length], 'i32');
}

export function colsArray(t: Tensor<'u8'> | Tensor<'i32'>): Uint16Array | Int32Array {
  const a = t.toTypedArray();
  return a instanceof Uint8Array ? new Uint16Array(a.buffer, a.byteOffset, a.byteLength >> 1) : a;
}

/**
 * Rows compressed as CSR does: `values`, column `indices` and row offsets `indptr`, kept (outside tidy
 * scopes) until dispose(). CsrMatrix stores one weight per entry, BsrMatrix a block of 4 consecutive inputs.
 */
abstract class RowCompressed {
  readonly rows: number;
  readonly cols: number;
  /** 2: u16 column indices, 4: i32. */
  readonly indexBytes: 2 | 4;
  readonly values: Tensor<'f32'>;
  /** [entries·2] u8 holding little-endian u16, or [entries] i32. */
  readonly indices: Tensor<'u8'> | Tensor<'i32'>;
  readonly indptr: Tensor<'i32'>;

  /** `width`: weights per entry (1 for CSR, 4 for 1×4 blocks); `check` validates the arrays first. */
  protected constructor(fn: string, rows: number, cols: number, a: CsrArrays, width: 1 | 4, check: (fn: string, a: CsrArrays, n: number, k: number) => void) {
    checkCount(fn, 'rows', rows);
    checkCount(fn, 'cols', cols);
    if (a === null || typeof a !== 'object') invalid(fn, 'arrays', 'an object { values, cols, indptr }', a);
    check(fn, a, rows, cols);
    if (a.cols instanceof Uint16Array && Math.ceil(cols / width) > 65536) invalid(fn, 'cols', `i32 indices when ⌈cols/${width}⌉ > 65536`, a.cols);
    this.rows = rows;
    this.cols = cols;
    this.indexBytes = a.cols instanceof Uint16Array ? 2 : 4;
    this.values = keep(fromValues(fn, a.values, width === 1 ? [a.cols.length] : [a.cols.length, width], 'f32'));
    this.indices = keep(colsTensor(fn, a.cols));
    this.indptr = keep(fromValues(fn, a.indptr, [rows + 1], 'i32'));
  }

  /** Stored bytes: values, column indices and row offsets. */
  get byteLength(): number {
    return this.values.byteLength + this.indices.byteLength + this.indptr.byteLength;
  }

  toArrays(): CsrArrays {
    return { values: this.values.toTypedArray(), cols: colsArray(this.indices), indptr: this.indptr.toTypedArray() };
  }

  dispose(): void {
    this.values.dispose();
    this.indices.dispose();
    this.indptr.dispose();
  }
}

/** W [rows, cols] in CSR. */
export class CsrMatrix extends RowCompressed {
  readonly nnz: number;

  /** From CSR arrays (checked: indptr monotone from 0 to nnz, columns in [0, cols)). */
  constructor(rows: number, cols: number, a: CsrArrays) {
    super('CsrMatrix', rows, cols, a, 1, checkCsr);
    this.nnz = a.values.length;
  }

  get density(): number {
    return this.rows * this.cols === 0 ? 0 : this.nnz / (this.rows * this.cols);
  }
}

/** W [rows, cols] in BSR with 1×4 blocks along the inputs (CsrArrays over block columns, 4 values per block). */
export class BsrMatrix extends RowCompressed {
  /** Stored blocks. */
  readonly blocks: number;

  /** From BSR arrays (checked: indptr monotone from 0 to the block count, block columns in [0, ⌈cols/4⌉)). */
  constructor(rows: number, cols: number, a: CsrArrays) {
    super('BsrMatrix', rows, cols, a, 4, checkBsr);
    this.blocks = a.cols.length;
  }
}

/** A 2-D f32 weight in BSR with 1×4 blocks (every block of 4 consecutive inputs with a nonzero is stored). */
export function toBsr(weight: Tensor): BsrMatrix {
  const [n, k] = checkWeight('toBsr', weight);
  return new BsrMatrix(n, k, bsrEncodeRef(weight.toTypedArray() as Float32Array, n, k));
}

/** The dense f32 [rows, cols] tensor of a BSR matrix. */
export function fromBsr(m: BsrMatrix): Tensor<'f32'> {
  checkInstance('fromBsr', 'm', m, BsrMatrix, 'a BsrMatrix');
  return fromValues('fromBsr', bsrDecodeRef(m.toArrays(), m.rows, m.cols), [m.rows, m.cols], 'f32');
}

/**
 * A dense f32 W [rows, cols] packed once for batch-1 inference: panels of 4 rows interleaved per 4 inputs
 * (assembly/f32-gemm/gemv-packed.ts), one contiguous stream per 4 outputs. The GEMV over it gives the
 * same bits as linear() at batch 1, 1.2x faster at 1024² and 1.3-1.4x at 4096². Kept until dispose().
 */
export class PackedMatrix {
  readonly rows: number;
  readonly cols: number;
  /** The packed weight: ⌈rows/4⌉·4·cols f32 (rows past `rows` are zero). */
  readonly packed: Tensor<'f32'>;

  constructor(weight: Tensor) {
    const fn = 'PackedMatrix';
    const [n, k] = checkWeight(fn, weight);
    this.rows = n;
    this.cols = k;
    const kern = kernels();
    const packed = empty(fn, [kern.f32_gemv_packed_bytes(n, k) / 4], 'f32');
    kern.f32_gemv_pack(n, k, weight.ptr, packed.ptr);
    this.packed = keep(packed);
  }

  /** Bytes held in wasm memory (the padding rows of the last panel included). */
  get byteLength(): number {
    return this.packed.byteLength;
  }

  /** The dense f32 [rows, cols] weight, as a new tensor. */
  toTensor(): Tensor<'f32'> {
    const out = empty('PackedMatrix.toTensor', [this.rows, this.cols], 'f32');
    kernels().f32_gemv_unpack(this.rows, this.cols, this.packed.ptr, out.ptr);
    return out;
  }

  dispose(): void {
    this.packed.dispose();
  }
}

/** CSR of a 2-D f32 weight, keeping the entries with |w| > threshold (default 0: every nonzero). */
export function toCsr(weight: Tensor, options: { threshold?: number } = {}): CsrMatrix {
  const fn = 'toCsr';
  options = optionsOf(fn, options);
  const [n, k] = checkWeight(fn, weight);
  const t = options.threshold ?? 0;
  if (typeof t !== 'number' || !(t >= 0)) invalid(fn, 'options.threshold', 'a number ≥ 0', t);
  const w = weight.toTypedArray() as Float32Array;
  if (t > 0) for (let i = 0; i < w.length; i++) if (Math.abs(w[i]!) <= t) w[i] = 0;
  return new CsrMatrix(n, k, csrEncodeRef(w, n, k));
}

/** The dense f32 [rows, cols] tensor of a CSR matrix. */
export function fromCsr(csr: CsrMatrix): Tensor<'f32'> {
  checkInstance('fromCsr', 'csr', csr, CsrMatrix, 'a CsrMatrix');
  return fromValues('fromCsr', csrDecodeRef(csr.toArrays(), csr.rows, csr.cols), [csr.rows, csr.cols], 'f32');
}

/**
 * W [rows, cols] in 2:4, in the kernels' form (assembly/f32-nm/nm.ts: chunks of 32 blocks of 8 inputs,
 * panels of 4 rows, one stream of values and one of pattern ids); tensors kept until dispose().
 */
export class Nm24Matrix {
  readonly rows: number;
  readonly cols: number;
  /** The kept values, 4 per block of 8 inputs, in the kernel form (⌈rows/4⌉·4 rows; padding rows zero). */
  readonly values: Tensor<'f32'>;
  /**
   * Per block, which 2 of each 4 inputs are kept: the kernels' pattern id (36 cases), in the kernel form.
   * Files and toArrays() carry the 2-bit positions instead (Nm24Arrays.indices).
   */
  readonly ids: Tensor<'u8'>;

  constructor(rows: number, cols: number, a: Nm24Arrays) {
    const fn = 'Nm24Matrix';
    checkCount(fn, 'rows', rows);
    checkCount(fn, 'cols', cols);
    if (a === null || typeof a !== 'object' || !(a.values instanceof Float32Array) || !(a.indices instanceof Uint8Array)) {
      invalid(fn, 'arrays', 'an object { values: Float32Array, indices: Uint8Array }', a);
    }
    const kb = Math.ceil(cols / 8);
    if (a.values.length !== rows * kb * 4 || a.indices.length !== rows * kb) invalid(fn, 'arrays', `${rows * kb * 4} values and ${rows * kb} index bytes`, a.values);
    const ids = nm24Ids(fn, a.indices);
    this.rows = rows;
    this.cols = cols;
    // The kernel form pads rows to a panel of 4 (f32_nm24_packed_*_bytes, sized here in JS numbers).
    const padded = rows === 0 || kb === 0 ? 0 : Math.ceil(rows / 4) * 4;
    const values = empty(fn, [padded * kb * 4], 'f32');
    let packedIds: Tensor<'u8'> | null = null;
    try {
      packedIds = empty(fn, [padded * kb], 'u8');
      const pi = packedIds;
      tidy(() => {
        const v = fromValues(fn, a.values, [a.values.length], 'f32');
        const i = fromValues(fn, ids, [ids.length], 'u8');
        kernels().f32_nm24_pack(rows, cols, v.ptr, i.ptr, values.ptr, pi.ptr);
      });
    } catch (e) {
      values.dispose();
      packedIds?.dispose();
      throw e;
    }
    this.values = keep(values);
    this.ids = keep(packedIds);
  }

  /** Bytes held in wasm memory: 17 per block of 8 inputs (16 of values, 1 of pattern), the rows padding `rows` to 4 included. */
  get byteLength(): number {
    return this.values.byteLength + this.ids.byteLength;
  }

  /** The values and the 2-bit index bytes, as files store them. */
  toArrays(): Nm24Arrays {
    const n = this.rows;
    const kb = Math.ceil(this.cols / 8);
    return tidy(() => {
      const v = empty('Nm24Matrix.toArrays', [n * kb * 4], 'f32');
      const i = empty('Nm24Matrix.toArrays', [n * kb], 'u8');
      kernels().f32_nm24_unpack(n, this.cols, this.values.ptr, this.ids.ptr, v.ptr, i.ptr);
      return { values: v.toTypedArray() as Float32Array, indices: nm24Indices(i.toTypedArray() as Uint8Array) };
    });
  }

  dispose(): void {
    this.values.dispose();
    this.ids.dispose();
  }
}

/** 2:4 of a 2-D f32 weight: per group of 4 inputs the 2 largest |w| are kept (magnitude pruning if denser). */
export function toNm24(weight: Tensor): Nm24Matrix {
  const [n, k] = checkWeight('toNm24', weight);
  return new Nm24Matrix(n, k, nm24EncodeRef(weight.toTypedArray() as Float32Array, n, k));
}

/** The dense f32 [rows, cols] tensor of a 2:4 matrix. */
export function fromNm24(m: Nm24Matrix): Tensor<'f32'> {
  checkInstance('fromNm24', 'm', m, Nm24Matrix, 'an Nm24Matrix');
  return fromValues('fromNm24', nm24DecodeRef(m.toArrays(), m.rows, m.cols), [m.rows, m.cols], 'f32');
}
