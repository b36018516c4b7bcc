/**
 * The wasm module's exports, bound once by binding.ts. Pointers are byte offsets into `memory`;
 * argument order is sizes, inputs, output, scalar params (../../assembly/index.ts).
 */
type Ptr = number;
type Unary = (n: number, x: Ptr, y: Ptr) => void;
type BinaryNd = (ndim: number, shape: Ptr, as: Ptr, bs: Ptr, a: Ptr, b: Ptr, out: Ptr) => void;
type Compare = (n: number, a: Ptr, b: Ptr, out: Ptr) => void;
type CopyNd = (ndim: number, shape: Ptr, ss: Ptr, ds: Ptr, src: Ptr, dst: Ptr) => void;
type Reduce = (outer: number, n: number, inner: number, x: Ptr, out: Ptr) => void;

export interface Kernels {
  readonly memory: WebAssembly.Memory;
  heap_base(): number;
  // f32-vbinary
  f32_vadd_nd: BinaryNd; f32_vsub_nd: BinaryNd; f32_vmul_nd: BinaryNd;
  f32_vdiv_nd: BinaryNd; f32_vmax_nd: BinaryNd; f32_vmin_nd: BinaryNd;
  // f32-vunary, f32-math
  f32_vneg: Unary; f32_vabs: Unary; f32_vsqrt: Unary; f32_vrelu: Unary;
  f32_vexp: Unary; f32_vlog: Unary; f32_vtanh: Unary; f32_vsigmoid: Unary; f32_vgelu: Unary; f32_verf: Unary;
  f32_vclamp(n: number, x: Ptr, y: Ptr, lo: number, hi: number): void;
  f32_vaffine(n: number, x: Ptr, y: Ptr, alpha: number, beta: number): void;
  // f32-vcmp
  f32_veq: Compare; f32_vne: Compare; f32_vlt: Compare; f32_vle: Compare; f32_vgt: Compare; f32_vge: Compare;
  f32_vwhere(n: number, cond: Ptr, a: Ptr, b: Ptr, out: Ptr): void;
  // f32-reduce
  f32_rsum(outer: number, n: number, inner: number, x: Ptr, out: Ptr, divisor: number): void;
  f32_rmax: Reduce; f32_rmin: Reduce;
  /** out[0] = min, out[1] = max of n floats (both NaN when any is NaN; the sign of a zero result unspecified): quantization ranges. */
  f32_minmax(n: number, x: Ptr, out: Ptr): void;
  f32_rargmax(outer: number, n: number, inner: number, x: Ptr, out: Ptr, isMin: number): void;
  f32_softmax(rows: number, n: number, x: Ptr, y: Ptr): void;
  f32_logsoftmax(rows: number, n: number, x: Ptr, y: Ptr): void;
  // f32-gemm
  f32_gemm_workspace_bytes(m: number, n: number, k: number): number;
  /**
   * transB: 0 B is [k, n], 1 B is stored [n, k], 2 B is Wᵀ with W [n, k] in f32_gemv_pack's layout;
   * 3: B is Wᵀ with W [n, k] stored as int8 (ldb in elements); 4, 5: W [n, k] as f16 or bf16 codes in
   * h16_pack's panel layout (ldb unused); 3-5 widened exactly to f32.
   */
  f32_gemm(m: number, n: number, k: number, a: Ptr, lda: number, transA: number, b: Ptr, ldb: number, transB: number,
    bias: Ptr, c: Ptr, ldc: number, workspace: Ptr, vmin: number, vmax: number): void;
  f32_gemv(n: number, k: number, x: Ptr, w: Ptr, bias: Ptr, y: Ptr, vmin: number, vmax: number): void;
  f32_gemv_packed_bytes(n: number, k: number): number;
  f32_gemv_pack(n: number, k: number, w: Ptr, packed: Ptr): void;
  f32_gemv_unpack(n: number, k: number, packed: Ptr, w: Ptr): void;
  f32_gemv_packed(n: number, k: number, x: Ptr, packed: Ptr, bias: Ptr, y: Ptr, vmin: number, vmax: number): void;
  // f32-conv, f32-pool
  f32_im2col(n: number, c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, dh: number, dw: number, x: Ptr, cols: Ptr): void;
  f32_col2im(n: number, c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, dh: number, dw: number, cols: Ptr, x: Ptr): void;
  f32_conv2d_direct_workspace_bytes(c: number, h: number, w: number, ph: number, pw: number, kh: number, kw: number): number;
  /** Stride-1, dilation-1 convolution straight into NCHW, in the GEMM path's order (the same bits). */
  f32_conv2d_direct(n: number, c: number, h: number, w: number, oc: number, kh: number, kw: number, ph: number, pw: number, x: Ptr, wt: Ptr, bias: Ptr, y: Ptr, workspace: Ptr, vmin: number, vmax: number): void;
  /** One image x [c, h, w] → colsT [c·kh·kw, oh·ow]: f32_im2col's columns transposed (K-major). */
  f32_im2col_t(c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, dh: number, dw: number, x: Ptr, colsT: Ptr): void;
  f32_maxpool2d(planes: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, oh: number, ow: number, x: Ptr, y: Ptr, idx: Ptr): void;
  f32_maxpool2d_backward(planes: number, h: number, w: number, oh: number, ow: number, dy: Ptr, idx: Ptr, dx: Ptr): void;
  f32_avgpool2d(planes: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, oh: number, ow: number, countIncludePad: number, x: Ptr, y: Ptr): void;
  f32_avgpool2d_backward(planes: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, oh: number, ow: number, countIncludePad: number, dy: Ptr, dx: Ptr): void;
  // x8-copy
  x32_copy_nd: CopyNd; x8_copy_nd: CopyNd;
  x32_transpose(batch: number, rows: number, cols: number, src: Ptr, dst: Ptr): void;
  x8_transpose(batch: number, rows: number, cols: number, src: Ptr, dst: Ptr): void;
  f32_scatter_add_rows(nidx: number, rowLen: number, idx: Ptr, rows: Ptr, table: Ptr): void;
  x8_gather_rows(nidx: number, rowBytes: number, nrows: number, table: Ptr, idx: Ptr, out: Ptr): number;
  x32_fill(n: number, out: Ptr, bits: number): void;
  x8_fill(n: number, out: Ptr, byte: number): void;
  // x32-vcvt
  u8_f32_vcvt: Unary; i8_f32_vcvt: Unary; i32_f32_vcvt: Unary; f32_i32_vcvt: Unary; f32_u8_vcvt: Unary; f32_i8_vcvt: Unary;
  // f32-optim
  f32_sgd_update(n: number, p: Ptr, g: Ptr, buf: Ptr, lr: number, momentum: number, dampening: number, wd: number, nesterov: number, first: number): void;
  f32_adam_update(n: number, p: Ptr, g: Ptr, m: Ptr, v: Ptr, lr: number, beta1: number, beta2: number, eps: number, wd: number, decoupled: number, bc1: number, bc2Sqrt: number): void;
  f32_vaxpy(n: number, alpha: number, y: Ptr, x: Ptr): void;
  // qs8-vcvt, qs8-gemm, qs8-gemv, q4-gemv
  f32_qs8_vcvt(n: number, x: Ptr, y: Ptr, scale: number, zp: number): void;
  qs8_packed_weights_bytes(n: number, k: number): number;
  qs8_pack_weights(n: number, k: number, w: Ptr, packed: Ptr): void;
  qs8_gemm_workspace_bytes(m: number, n: number, k: number): number;
  qs8_gemm_i32(m: number, n: number, k: number, a: Ptr, aZp: number, packed: Ptr, bias: Ptr, out: Ptr, workspace: Ptr): void;
  qs8_gemv_f32out(n: number, k: number, a: Ptr, aZp: number, packed: Ptr, bias: Ptr, out: Ptr, scaleA: number, scaleW: Ptr): void;
  qs8_gemm_f32out(m: number, n: number, k: number, a: Ptr, aZp: number, packed: Ptr, bias: Ptr, out: Ptr, scaleA: number, scaleW: Ptr, workspace: Ptr): void;
  q4_workspace_bytes(m: number, k: number, group: number): number;
  q4_gemv_f32(n: number, k: number, group: number, x: Ptr, w4: Ptr, scales: Ptr, bias: Ptr, y: Ptr, workspace: Ptr): void;
  q4_gemm_f32(m: number, n: number, k: number, group: number, x: Ptr, w4: Ptr, scales: Ptr, bias: Ptr, y: Ptr, workspace: Ptr): void;
  qs8_gemm_requant(
    m: number, n: number, k: number, a: Ptr, aZp: number, packed: Ptr, bias: Ptr, out: Ptr,
    multiplier: Ptr, shift: Ptr, outZp: number, qmin: number, qmax: number, workspace: Ptr,
  ): void;
  qs8_gemv_i32(n: number, k: number, a: Ptr, aZp: number, packed: Ptr, bias: Ptr, out: Ptr): void;
  qs8_gemv_requant(
    n: number, k: number, a: Ptr, aZp: number, packed: Ptr, bias: Ptr, out: Ptr,
    multiplier: Ptr, shift: Ptr, outZp: number, qmin: number, qmax: number,
  ): void;
  f32_qc8w_gemv(n: number, k: number, x: Ptr, w: Ptr, scale: Ptr, bias: Ptr, y: Ptr, vmin: number, vmax: number): void;
  /**
   * W [n, k] as u16 codes (f16: IEEE binary16, else bfloat16) in the 16-bit kernels' layout: a 16-byte
   * header, then 4-row panels (rows past n zero), finite f16 codes stored exactly scaled by a power of two.
   */
  h16_panels_bytes(n: number, k: number): number;
  h16_pack(n: number, k: number, w16: Ptr, packed: Ptr, f16: number): void;
  h16_unpack(n: number, k: number, packed: Ptr, w16: Ptr): void;
  /** y = W·x + bias with W [n, k] as IEEE binary16 / bfloat16 codes in h16_pack's layout, x and y f32; bias 0: none. */
  f16_gemv_f32(n: number, k: number, x: Ptr, w16: Ptr, bias: Ptr, y: Ptr): void;
  bf16_gemv_f32(n: number, k: number, x: Ptr, w16: Ptr, bias: Ptr, y: Ptr): void;
  /** Batch m, clamped: the GEMV per row below 8 rows, else f32_gemm on the widened codes (workspace: h16_gemm_workspace_bytes). */
  f16_gemm_f32(m: number, n: number, k: number, x: Ptr, w16: Ptr, bias: Ptr, y: Ptr, workspace: Ptr, vmin: number, vmax: number): void;
  bf16_gemm_f32(m: number, n: number, k: number, x: Ptr, w16: Ptr, bias: Ptr, y: Ptr, workspace: Ptr, vmin: number, vmax: number): void;
  h16_gemm_workspace_bytes(m: number, n: number, k: number): number;
  /** Below 4 rows the GEMV row by row; from 4 f32_gemm on the widened weights (workspace: f32_qc8w_gemm_workspace_bytes). */
  f32_qc8w_gemm(m: number, n: number, k: number, x: Ptr, w: Ptr, scale: Ptr, bias: Ptr, y: Ptr, workspace: Ptr, vmin: number, vmax: number): void;
  f32_qc8w_gemm_workspace_bytes(m: number, n: number, k: number): number;
  f32_fake_quant(rows: number, cols: number, group: number, x: Ptr, scale: Ptr, zp: Ptr, y: Ptr, mask: Ptr, qmin: number, qmax: number): void;
  // f32-rand
  rng_seed(state: Ptr, seedLo: number, seedHi: number): void;
  rng_u32(state: Ptr): number;
  f32_rand_uniform(n: number, state: Ptr, out: Ptr, lo: number, hi: number): void;
  f32_rand_normal(n: number, state: Ptr, out: Ptr, mean: number, std: number): void;
  // x8-conv, qs8-pool, x8-lut, qs8-vcvt (dequantize), x16-vcvt, x8-fp8
  x8_im2col(n: number, c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, dh: number, dw: number, x: Ptr, cols: Ptr, pad: number): void;
  qs8_conv2d_direct_workspace_bytes(c: number, h: number, w: number, ph: number, pw: number, kh: number, kw: number): number;
  /** Stride-1 int8 convolution with few taps, requantized per channel, straight into NCHW: the requantizing GEMM's bytes. */
  /** wq i8 [oc, k] → wp: one i32 (w[2q], w[2q+1]) i16 pair per channel and q < ⌈k/2⌉. */
  qs8_conv2d_direct_pack(oc: number, k: number, wq: Ptr, wp: Ptr): void;
  qs8_conv2d_direct(
    n: number, c: number, h: number, w: number, oc: number, kh: number, kw: number, ph: number, pw: number,
    x: Ptr, xZp: number, wq: Ptr, wpairs: Ptr, bias: Ptr, y: Ptr, multiplier: Ptr, shift: Ptr, outZp: number, qmin: number, qmax: number, workspace: Ptr,
  ): void;
  qs8_maxpool2d(planes: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, oh: number, ow: number, x: Ptr, y: Ptr): void;
  x8_lut(n: number, x: Ptr, y: Ptr, table: Ptr): void;
  qs8_f32_vcvt(n: number, x: Ptr, y: Ptr, scale: number, zp: number): void;
  f32_f16_vcvt: Unary; f16_f32_vcvt: Unary; f32_bf16_vcvt: Unary; bf16_f32_vcvt: Unary;
  f32_e4m3_vcvt(n: number, x: Ptr, y: Ptr, saturate: number): void; e4m3_f32_vcvt: Unary;
  f32_e5m2_vcvt(n: number, x: Ptr, y: Ptr, saturate: number): void; e5m2_f32_vcvt: Unary;
  // f32-svd
  f32_svd_workspace_bytes(m: number, n: number): number;
  f32_svd_jacobi(m: number, n: number, a: Ptr, u: Ptr, s: Ptr, vt: Ptr, workspace: Ptr, maxSweeps: number, tol: number): number;
  // f32-spmm, f32-nm, qs8-spmm (sparse; index_bytes 2 = u16 column indices, 4 = i32)
  f32_spmv_csr(n: number, x: Ptr, values: Ptr, cols: Ptr, indptr: Ptr, bias: Ptr, y: Ptr, vmin: number, vmax: number, indexBytes: number): void;
  f32_spmm_workspace_bytes(m: number, n: number, k: number): number;
  /** Y [n, m] = clamp(W·XT + bias) with W [n, k] in CSR and XT [k, m] row-major: f32_spmm_csr's bits, transposed. */
  f32_spmm_csr_t(m: number, n: number, xt: Ptr, values: Ptr, cols: Ptr, indptr: Ptr, bias: Ptr, y: Ptr, vmin: number, vmax: number, indexBytes: number): void;
  f32_spmm_csr(m: number, n: number, k: number, x: Ptr, values: Ptr, cols: Ptr, indptr: Ptr, bias: Ptr, y: Ptr, workspace: Ptr, vmin: number, vmax: number, indexBytes: number): void;
  f32_spmv_bsr_workspace_bytes(k: number): number;
  f32_spmv_bsr(n: number, k: number, x: Ptr, values: Ptr, bcols: Ptr, bptr: Ptr, bias: Ptr, y: Ptr, workspace: Ptr, vmin: number, vmax: number, indexBytes: number): void;
  f32_nm24_packed_values_bytes(n: number, k: number): number;
  f32_nm24_packed_ids_bytes(n: number, k: number): number;
  f32_nm24_pack(n: number, k: number, values: Ptr, ids: Ptr, pvalues: Ptr, pids: Ptr): void;
  f32_nm24_unpack(n: number, k: number, pvalues: Ptr, pids: Ptr, values: Ptr, ids: Ptr): void;
  f32_nm24_gemv_workspace_bytes(n: number, k: number): number;
  f32_nm24_gemv(n: number, k: number, x: Ptr, values: Ptr, ids: Ptr, bias: Ptr, y: Ptr, workspace: Ptr, vmin: number, vmax: number): void;
  f32_nm24_gemm_workspace_bytes(m: number, n: number, k: number): number;
  f32_nm24_gemm(m: number, n: number, k: number, x: Ptr, values: Ptr, ids: Ptr, bias: Ptr, y: Ptr, workspace: Ptr, vmin: number, vmax: number): void;
  qs8_spmm_csr_f32out(m: number, n: number, k: number, x: Ptr, xZp: number, values: Ptr, cols: Ptr, indptr: Ptr, bias: Ptr, out: Ptr, scaleX: number, scaleW: Ptr, indexBytes: number): void;
  qs8_spmm_csr_requant(m: number, n: number, k: number, x: Ptr, xZp: number, values: Ptr, cols: Ptr, indptr: Ptr, bias: Ptr, out: Ptr,
    multiplier: Ptr, shift: Ptr, outZp: number, qmin: number, qmax: number, indexBytes: number): void;
  // b1-gemm, f32-b1w-gemv (binary networks)
  b1_packed_bytes(m: number, k: number): number;
  f32_b1_pack(m: number, k: number, x: Ptr, out: Ptr, beta: Ptr): void;
  b1_gemm_xnor(m: number, n: number, k: number, a: Ptr, w: Ptr, out: Ptr): void;
  b1_gemm_xnor_f32(m: number, n: number, k: number, a: Ptr, w: Ptr, alpha: Ptr, beta: Ptr, bias: Ptr, y: Ptr, vmin: number, vmax: number): void;
  b1_gemv_xnor_f32(n: number, k: number, a: Ptr, w: Ptr, alpha: Ptr, bias: Ptr, y: Ptr, beta: number, vmin: number, vmax: number): void;
  f32_b1w_gemv(n: number, k: number, x: Ptr, w: Ptr, alpha: Ptr, bias: Ptr, y: Ptr, vmin: number, vmax: number): void;
  f32_b1w_gemm(m: number, n: number, k: number, x: Ptr, w: Ptr, alpha: Ptr, bias: Ptr, y: Ptr, vmin: number, vmax: number): void;
}
