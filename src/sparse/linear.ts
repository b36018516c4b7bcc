// Sparse Linear layers for inference: y = x·Wᵀ + b with W stored dense, in CSR or in 2:4, chosen by
// density (SparseLinear); 2:4 by magnitude (NmLinear); CSR with int8 values (SparseInt8Linear).
import { noGrad } from '../autograd/tape.js';
import { kernels, scratch } from '../backend/binding.js';
import { SlimError, checkCount, checkInstance, invalid, optionsOf, checkPositive } from '../errors.js';
import { type Activation } from '../ops/matmul.js';
import { reshape } from '../ops/layout.js';
import { activationQParams, checkInput } from '../quant/qlinear.js';
import { minMaxAlong, quantizeAffine } from '../quant/affine.js';
import { qparamsFromMinMax } from '../quant/qparams.js';
import { quantizeMultiplier } from '../quant/requant.js';
import { fromValues } from '../tensor/create.js';
import { keep } from '../tensor/scope.js';
import { shapeString } from '../tensor/shape.js';
import { Tensor, assertDType, assertTensor, empty } from '../tensor/tensor.js';
import { BsrMatrix, CsrMatrix, Nm24Matrix, PackedMatrix, checkWeight, colsTensor, toNm24 } from './csr.js';
import { blockStats, bsrEncodeRef, checkCsr, csrEncodeRef, isNm24 } from './formats.js';

export type SparseLinearFormat = 'dense' | 'csr' | 'nm-2:4' | 'bsr-1x4';

/**
 * Densities (nnz / (n·k)) below which CSR beats our dense kernels on this machine (AMD Zen 4, Node 20,
 * 2 shared cores; `node bench/dev/sparse-kernels.mjs --sparsities …`, medians of 5-7 interleaved runs):
 * batch 1, SpMV vs f32 GEMV at 4096² crosses between density 0.35 (0.85-0.98x) and 0.3 (1.06-1.13x);
 * batch 64, SpMM vs f32 GEMM at 1024² is ≥ 1.1x from density 0.6 down, so 0.5 keeps a margin.
 */
export const CSR_MAX_DENSITY = { gemv: 0.3, gemm: 0.5 } as const;

/**
 * When 1×4 BSR runs a batch-1 layer (node bench/dev/bsr.mjs, 4096², against CSR and the packed dense GEMV):
 * its blocks must be mostly full (block sparsity 90%: 1.72x CSR at fill 1, 1.29x at 0.75, 1.03x at 0.6; on
 * unstructured sparsity 0.35-0.46x) and sparse enough to beat the packed dense GEMV (blocks kept 50%: 1.24x
 * dense; 60%: 0.89x).
 */
export const BSR_RULE = { minFill: 0.75, maxBlockDensity: 0.5 } as const;

/**
 * The format SparseLinear picks for a weight of this density (and 2:4 or 1×4-block structure: `blocks` from
 * blockStats) at this batch size.
 */
export function chooseSparseFormat(density: number, nm24: boolean, batch = 1, blocks?: { blockDensity: number; fill: number }): SparseLinearFormat {
  const fn = 'chooseSparseFormat';
  if (typeof density !== 'number' || !(density >= 0 && density <= 1)) invalid(fn, 'density', 'a fraction in [0, 1]', density);
  if (typeof nm24 !== 'boolean') invalid(fn, 'nm24', 'a boolean', nm24);
  checkCount(fn, 'batch', batch);
  if (blocks !== undefined && (blocks === null || typeof blocks !== 'object' || typeof blocks.fill !== 'number' || typeof blocks.blockDensity !== 'number')) {
    invalid(fn, 'blocks', 'blockStats(w, n, k) ({ blockDensity, fill })', blocks);
  }
  if (batch <= 1 && blocks && blocks.fill >= BSR_RULE.minFill && blocks.blockDensity < BSR_RULE.maxBlockDensity) return 'bsr-1x4';
  if (density < (batch <= 1 ? CSR_MAX_DENSITY.gemv : CSR_MAX_DENSITY.gemm)) return 'csr';
  return nm24 && batch <= 1 ? 'nm-2:4' : 'dense';
}

/** @internal The optional f32 [n] bias, kept as its own tensor. */
function keepBias(fn: string, bias: Tensor | null | undefined, n: number): Tensor<'f32'> | null {
  if (bias == null) return null;
  assertTensor(fn, 'bias', bias);
  assertDType(fn, 'bias', bias, 'f32');
  if (bias.rank !== 1 || bias.shape[0] !== n) throw new SlimError('SHAPE_MISMATCH', `${fn}: bias must have shape [${n}], received ${shapeString(bias.shape)}`);
  return keep(noGrad(() => reshape(bias, [n])) as Tensor<'f32'>);
}

const bounds = (fn: string, a: Activation): [number, number] => {
  if (a !== 'none' && a !== 'relu') invalid(fn, 'activation', "'none' or 'relu'", a);
  return [a === 'relu' ? 0 : -Infinity, Infinity];
};

/** A stored Linear weight in any of the formats the kernels run. */
export type StoredWeight = PackedMatrix | CsrMatrix | Nm24Matrix | BsrMatrix;

/**
 * @internal y[m, w.rows] = clamp(x[m, w.cols]·Wᵀ + b, lo, hi) on raw pointers (b = 0: no bias), no checks:
 * the one place that picks the kernel for a stored format and a batch. CSR: SpMV, or SpMM from 2 rows.
 * BSR: the SpMV row by row. 2:4: GEMV, or GEMM from 2 rows. Packed dense: the packed GEMV row by row up
 * to 3 rows; from 4, W unpacked into a temporary for the GEMM (the same bits as linear()).
 */
export function linearRaw(w: StoredWeight, m: number, x: number, y: number, b: number, lo: number, hi: number): void {
  const kern = kernels();
  const n = w.rows;
  const k = w.cols;
  if (w instanceof CsrMatrix) {
    if (m === 1) kern.f32_spmv_csr(n, x, w.values.ptr, w.indices.ptr, w.indptr.ptr, b, y, lo, hi, w.indexBytes);
    else kern.f32_spmm_csr(m, n, k, x, w.values.ptr, w.indices.ptr, w.indptr.ptr, b, y, scratch(kern.f32_spmm_workspace_bytes(m, n, k)), lo, hi, w.indexBytes);
  } else if (w instanceof BsrMatrix) {
    const ws = scratch(kern.f32_spmv_bsr_workspace_bytes(k));
    for (let i = 0; i < m; i++) kern.f32_spmv_bsr(n, k, x + 4 * i * k, w.values.ptr, w.indices.ptr, w.indptr.ptr, b, y + 4 * i * n, ws, lo, hi, w.indexBytes);
  } else if (w instanceof Nm24Matrix) {
    if (m === 1) kern.f32_nm24_gemv(n, k, x, w.values.ptr, w.ids.ptr, b, y, scratch(kern.f32_nm24_gemv_workspace_bytes(n, k)), lo, hi);
    else kern.f32_nm24_gemm(m, n, k, x, w.values.ptr, w.ids.ptr, b, y, scratch(kern.f32_nm24_gemm_workspace_bytes(m, n, k)), lo, hi);
  } else if (m < 4) {
    for (let i = 0; i < m; i++) kern.f32_gemv_packed(n, k, x + 4 * i * k, w.packed.ptr, b, y + 4 * i * n, lo, hi);
  } else {
    // The GEMM packs its B panels straight from the GEMV layout (trans_b = 2): linear()'s bits, no unpacked copy of W.
    kern.f32_gemm(m, n, k, x, k, 0, w.packed.ptr, k, 2, b, y, n, scratch(kern.f32_gemm_workspace_bytes(m, n, k)), lo, hi);
  }
}

/** @internal y = x·Wᵀ + b (then ReLU) with W stored in any format; x f32 [..., w.cols]. */
export function storedLinear(fn: string, x: Tensor, w: StoredWeight, bias: Tensor | null, activation: Activation): Tensor<'f32'> {
  const m = checkInput(fn, x, w.cols);
  const [lo, hi] = bounds(fn, activation);
  const out = empty(fn, [...x.shape.slice(0, -1), w.rows], 'f32');
  if (out.size === 0) return out;
  try {
    linearRaw(w, m, x.ptr, out.ptr, bias?.ptr ?? 0, lo, hi);
  } catch (e) {
    out.dispose();
    throw e;
  }
  return out;
}

/**
 * y = x·Wᵀ + b (then ReLU) with W packed for batch-1 inference; x f32 [..., k]. One row: the packed GEMV
 * (the same bits as linear()); 2-3 rows: the packed GEMV row by row; 4 and more: the GEMM, packing its
 * panels from the packed W (the same bits as linear()).
 */
export function packedLinear(x: Tensor, w: PackedMatrix, bias: Tensor | null = null, activation: Activation = 'none', fn = 'packedLinear'): Tensor<'f32'> {
  checkInstance(fn, 'w', w, PackedMatrix, 'a PackedMatrix');
  if (bias !== null) {
    assertTensor(fn, 'bias', bias);
    assertDType(fn, 'bias', bias, 'f32');
    if (bias.size !== w.rows) throw new SlimError('SHAPE_MISMATCH', `${fn}: bias must have ${w.rows} elements, received ${shapeString(bias.shape)}`);
  }
  return storedLinear(fn, x, w, bias, activation);
}

export interface SparseLinearOptions {
  /** 'auto' (default): 1×4 BSR for mostly full blocks, CSR below the measured crossover density, 2:4 if the weight is 2:4, else dense. */
  format?: 'auto' | SparseLinearFormat;
  /** The batch size the layer will mostly see (default 1), for 'auto'. */
  batch?: number;
}

/** A Linear (inference only) whose weight is stored dense, in CSR or in 2:4 — the same outputs up to summation order. */
export class SparseLinear {
  readonly outFeatures: number;
  readonly inFeatures: number;
  readonly format: SparseLinearFormat;
  /** The stored weight: dense (a PackedMatrix, packed for batch-1 inference), a CsrMatrix, an Nm24Matrix or a BsrMatrix. */
  readonly weight: StoredWeight;
  readonly bias: Tensor<'f32'> | null;

  constructor(weight: Tensor, bias?: Tensor | null, options: SparseLinearOptions = {}) {
    const fn = 'SparseLinear';
    options = optionsOf(fn, options);
    const [n, k] = checkWeight(fn, weight);
    const want = options.format ?? 'auto';
    if (!['auto', 'dense', 'csr', 'nm-2:4', 'bsr-1x4'].includes(want)) invalid(fn, 'options.format', "'auto', 'dense', 'csr', 'nm-2:4' or 'bsr-1x4'", want);
    const batch = options.batch ?? 1;
    checkPositive(fn, 'options.batch', batch);
    const w = weight.toTypedArray() as Float32Array;
    let nnz = 0;
    for (let i = 0; i < w.length; i++) if (w[i] !== 0) nnz++;
    const nm = isNm24(w, n, k);
    const format = want === 'auto' ? chooseSparseFormat(w.length === 0 ? 0 : nnz / w.length, nm, batch, blockStats(w, n, k)) : want;
    if (format === 'nm-2:4' && !nm) invalid(fn, 'weight', "2:4-sparse for format 'nm-2:4' (at most 2 nonzeros per group of 4 inputs; NmLinear prunes to 2:4)", weight);
    const bias_ = keepBias(fn, bias, n);
    this.outFeatures = n;
    this.inFeatures = k;
    this.format = format;
    this.bias = bias_;
    this.weight = format === 'csr' ? new CsrMatrix(n, k, csrEncodeRef(w, n, k)) : format === 'nm-2:4' ? toNm24(weight) : format === 'bsr-1x4' ? new BsrMatrix(n, k, bsrEncodeRef(w, n, k)) : new PackedMatrix(weight);
  }

  /** @internal A layer around stored parts (for loading). */
  static fromParts(weight: StoredWeight, bias: Tensor<'f32'> | null): SparseLinear {
    const layer = Object.create(SparseLinear.prototype) as { -readonly [K in keyof SparseLinear]: SparseLinear[K] };
    layer.format = weight instanceof CsrMatrix ? 'csr' : weight instanceof Nm24Matrix ? 'nm-2:4' : weight instanceof BsrMatrix ? 'bsr-1x4' : 'dense';
    [layer.outFeatures, layer.inFeatures] = [weight.rows, weight.cols];
    layer.weight = weight;
    layer.bias = bias;
    return layer as SparseLinear;
  }

  /** Stored bytes: the weight in its format plus the bias. */
  get byteLength(): number {
    return this.weight.byteLength + (this.bias?.byteLength ?? 0);
  }

  /** y = x·Wᵀ + b, then ReLU if asked; x f32 [..., in]. */
  forward(x: Tensor, activation: Activation = 'none'): Tensor<'f32'> {
    const fn = 'SparseLinear.forward';
    return storedLinear(fn, x, this.weight, this.bias, activation);
  }

  dispose(): void {
    this.weight.dispose();
    this.bias?.dispose();
  }
}

/** A Linear whose weight is pruned to 2:4 by magnitude (per group of 4 inputs the 2 largest |w| stay). */
export class NmLinear {
  readonly outFeatures: number;
  readonly inFeatures: number;
  readonly weight: Nm24Matrix;
  readonly bias: Tensor<'f32'> | null;

  constructor(weight: Tensor | Nm24Matrix, bias?: Tensor | null) {
    const fn = 'NmLinear';
    this.weight = weight instanceof Nm24Matrix ? weight : toNm24(weight);
    this.outFeatures = this.weight.rows;
    this.inFeatures = this.weight.cols;
    try {
      this.bias = keepBias(fn, bias, this.outFeatures);
    } catch (e) {
      if (!(weight instanceof Nm24Matrix)) this.weight.dispose();
      throw e;
    }
  }

  get byteLength(): number {
    return this.weight.byteLength + (this.bias?.byteLength ?? 0);
  }

  /** y = x·Ŵᵀ + b (then ReLU) with Ŵ the 2:4-pruned weight. */
  forward(x: Tensor, activation: Activation = 'none'): Tensor<'f32'> {
    return storedLinear('NmLinear.forward', x, this.weight, this.bias, activation);
  }

  dispose(): void {
    this.weight.dispose();
    this.bias?.dispose();
  }
}

/** Parts of a SparseInt8Linear: CSR of int8 codes, per-row f32 scales. */
export interface SparseInt8Parts {
  rows: number;
  cols: number;
  values: Int8Array;
  indices: Uint16Array | Int32Array;
  indptr: Int32Array;
  scale: Float32Array;
}

/**
 * CSR with int8 values (symmetric per output row, scale_j = max|W_j|/127.5 as Int8Linear) and dynamic
 * int8 activations: y = f32(Σ q_w·(q_x − zp_x))·f32(scale_x·scale_w[j]) + b[j]. Weights that round to 0 are dropped.
 */
export class SparseInt8Linear {
  readonly outFeatures: number;
  readonly inFeatures: number;
  readonly nnz: number;
  readonly indexBytes: 2 | 4;
  readonly values: Tensor<'i8'>;
  readonly indices: Tensor<'u8'> | Tensor<'i32'>;
  readonly indptr: Tensor<'i32'>;
  readonly weightScale: Tensor<'f32'>;
  readonly bias: Tensor<'f32'> | null;

  constructor(weight: Tensor | SparseInt8Parts, bias?: Tensor | null) {
    const fn = 'SparseInt8Linear';
    if (!(weight instanceof Tensor) && (weight === null || typeof weight !== 'object' || !(weight.values instanceof Int8Array) || !(weight.scale instanceof Float32Array))) {
      invalid(fn, 'weight', 'an f32 Tensor or { rows, cols, values: Int8Array, indices, indptr, scale: Float32Array }', weight);
    }
    const p = weight instanceof Tensor ? quantizeSparse(fn, weight) : weight;
    if (!(weight instanceof Tensor)) checkCsr(fn, { values: p.values, cols: p.indices, indptr: p.indptr }, p.rows, p.cols);
    this.outFeatures = p.rows;
    this.inFeatures = p.cols;
    this.nnz = p.values.length;
    this.indexBytes = p.indices instanceof Uint16Array ? 2 : 4;
    this.bias = keepBias(fn, bias, p.rows);
    this.values = keep(fromValues(fn, p.values, [this.nnz], 'i8'));
    this.indices = keep(colsTensor(fn, p.indices));
    this.indptr = keep(fromValues(fn, p.indptr, [p.rows + 1], 'i32'));
    this.weightScale = keep(fromValues(fn, p.scale, [p.rows], 'f32'));
  }

  get byteLength(): number {
    return this.values.byteLength + this.indices.byteLength + this.indptr.byteLength + this.weightScale.byteLength + (this.bias?.byteLength ?? 0);
  }

  /** y = Ŵx + b in f32 with x quantized per call (per tensor, affine, from its min/max). */
  forward(x: Tensor): Tensor<'f32'> {
    const fn = 'SparseInt8Linear.forward';
    const m = checkInput(fn, x, this.inFeatures);
    const n = this.outFeatures;
    const out = empty(fn, [...x.shape.slice(0, -1), n], 'f32');
    if (out.size === 0) return out;
    const { scale, zeroPoint } = activationQParams(fn, x);
    const kern = kernels();
    const xq = empty(fn, x.shape, 'i8');
    kern.f32_qs8_vcvt(x.size, x.ptr, xq.ptr, scale, zeroPoint);
    kern.qs8_spmm_csr_f32out(m, n, this.inFeatures, xq.ptr, zeroPoint, this.values.ptr, this.indices.ptr, this.indptr.ptr, this.bias?.ptr ?? 0, out.ptr, scale, this.weightScale.ptr, this.indexBytes);
    xq.dispose();
    return out;
  }

  /**
   * Static int8 in and out: out = requant(Σ q_w·(q_x − xZp) + round(b/(xScale·scale_w[j]))) with the
   * gemmlowp multiplier of xScale·scale_w[j]/outScale (which must be < 1); xq i8 [..., in].
   */
  forwardInt8(xq: Tensor, xScale: number, xZp: number, outScale: number, outZp: number): Tensor<'i8'> {
    const fn = 'SparseInt8Linear.forwardInt8';
    assertTensor(fn, 'xq', xq);
    assertDType(fn, 'xq', xq, 'i8');
    if (xq.rank === 0 || xq.shape[xq.rank - 1] !== this.inFeatures) throw new SlimError('SHAPE_MISMATCH', `${fn}: xq's last dim must equal the layer's in-features ${this.inFeatures}, received xq ${shapeString(xq.shape)}`);
    const m = xq.size / this.inFeatures;
    if (!Number.isInteger(xZp) || xZp < -128 || xZp > 127) invalid(fn, 'xZp', 'an integer in [-128, 127]', xZp);
    if (!Number.isInteger(outZp) || outZp < -128 || outZp > 127) invalid(fn, 'outZp', 'an integer in [-128, 127]', outZp);
    const n = this.outFeatures;
    const ws = this.weightScale.toTypedArray();
    const mult = new Int32Array(n);
    const shift = new Int32Array(n);
    for (let j = 0; j < n; j++) {
      const real = (xScale * ws[j]!) / outScale;
      if (!(real >= 0 && real < 1)) invalid(fn, 'outScale', `> xScale·scale_w[j] (multiplier in [0, 1)) for every row, row ${j} gives`, real);
      ({ multiplier: mult[j], shift: shift[j] } = quantizeMultiplier(real));
    }
    const b = this.bias?.toTypedArray();
    const kern = kernels();
    const out = empty(fn, [...xq.shape.slice(0, -1), n], 'i8');
    if (out.size === 0) return out;
    const tm = fromValues(fn, mult, [n], 'i32');
    const ts = fromValues(fn, shift, [n], 'i32');
    const tb = b ? fromValues(fn, Int32Array.from(b, (v, j) => Math.round(v / (xScale * ws[j]!)) | 0), [n], 'i32') : null;
    kern.qs8_spmm_csr_requant(m, n, this.inFeatures, xq.ptr, xZp, this.values.ptr, this.indices.ptr, this.indptr.ptr, tb?.ptr ?? 0, out.ptr, tm.ptr, ts.ptr, outZp, -128, 127, this.indexBytes);
    tm.dispose();
    ts.dispose();
    tb?.dispose();
    return out;
  }

  dispose(): void {
    this.values.dispose();
    this.indices.dispose();
    this.indptr.dispose();
    this.weightScale.dispose();
    this.bias?.dispose();
  }
}

/** Per-row symmetric int8 codes of a 2-D f32 weight, in CSR (codes that are 0 are not stored). */
function quantizeSparse(fn: string, weight: Tensor): SparseInt8Parts {
  const [n, k] = checkWeight(fn, weight);
  const w = weight.toTypedArray() as Float32Array;
  const { min, max } = minMaxAlong(w, [n, k], { axis: 0 });
  const qp = qparamsFromMinMax(min, max, { dtype: 'int8', symmetric: true });
  const q = quantizeAffine(w, [n, k], { ...qp, axis: 0 }) as Int8Array;
  const { values, cols, indptr } = csrEncodeRef(q, n, k);
  return { rows: n, cols: k, values: Int8Array.from(values), indices: cols, indptr, scale: Float32Array.from(qp.scale) };
}
