import { isGradEnabled, record } from '../autograd/tape.js';
import { kernels, scratch } from '../backend/binding.js';
import { SlimError, invalid, optionsOf } from '../errors.js';
import { shapeString } from '../tensor/shape.js';
import { assertDType, assertTensor, empty, type Tensor } from '../tensor/tensor.js';
import { reshape, transpose } from './layout.js';
import { gemm } from './matmul.js';

export type Pair = number | readonly [number, number];

const MAX_GEOMETRY = 1 << 16;

const pair = (fn: string, arg: string, v: Pair, min: number): [number, number] => {
  const p = typeof v === 'number' ? [v, v] : v;
  // Bounded so every window coordinate stays inside i32 in the kernels.
  if (!Array.isArray(p) || p.length !== 2 || !p.every((d) => Number.isInteger(d) && d >= min && d <= MAX_GEOMETRY)) invalid(fn, arg, `an integer in [${min}, ${MAX_GEOMETRY}] or a pair of them`, v);
  return [p[0]!, p[1]!];
};

/** Output size along one dim: ⌊(in + 2·pad − dil·(k − 1) − 1)/stride⌋ + 1 (PyTorch, floor mode). */
const outSize = (i: number, k: number, s: number, p: number, d: number) => Math.floor((i + 2 * p - d * (k - 1) - 1) / s) + 1;

export interface Conv2dOptions {
  stride?: Pair;
  padding?: Pair;
  dilation?: Pair;
  /** 'relu' clamps the output in the GEMM's epilogue (the bits of relu(conv2d(…)), one pass fewer); default 'none'. */
  activation?: 'none' | 'relu';
}

interface ConvGeometry { n: number; c: number; h: number; w: number; oc: number; kh: number; kw: number; sh: number; sw: number; ph: number; pw: number; dh: number; dw: number; oh: number; ow: number }

/** @internal im2col of x into a new [n·oh·ow, c·kh·kw] tensor. */
function im2col(x: Tensor, g: ConvGeometry): Tensor<'f32'> {
  const cols = empty('conv2d', [g.n * g.oh * g.ow, g.c * g.kh * g.kw], 'f32');
  if (cols.size > 0) kernels().f32_im2col(g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, x.ptr, cols.ptr);
  return cols;
}

/**
 * 2-D convolution (cross-correlation) of x [N, C, H, W] with weight [OC, C, KH, KW] plus bias [OC],
 * as torch.nn.functional.conv2d with groups = 1: im2col, then one GEMM with the bias fused.
 */
export function conv2d(x: Tensor, weight: Tensor, bias?: Tensor | null, options: Conv2dOptions = {}): Tensor<'f32'> {
  const fn = 'conv2d';
  options = optionsOf(fn, options);
  assertTensor(fn, 'x', x);
  assertTensor(fn, 'weight', weight);
  assertDType(fn, 'x', x, 'f32');
  assertDType(fn, 'weight', weight, 'f32');
  if (x.rank !== 4) throw new SlimError('SHAPE_MISMATCH', `${fn}: x must be [N, C, H, W], received ${shapeString(x.shape)}`);
  if (weight.rank !== 4 || weight.shape[1] !== x.shape[1]) {
    throw new SlimError('SHAPE_MISMATCH', `${fn}: weight must be [OC, ${x.shape[1]}, KH, KW] for x ${shapeString(x.shape)}, received ${shapeString(weight.shape)}`);
  }
  const c = x.shape[1]!;
  const [oc, , kh, kw] = weight.shape as [number, number, number, number];
  if (bias != null) {
    assertTensor(fn, 'bias', bias);
    if (bias.rank !== 1 || bias.shape[0] !== oc) throw new SlimError('SHAPE_MISMATCH', `${fn}: bias must have shape [${oc}], received ${shapeString(bias.shape)}`);
  }
  const activation = options.activation ?? 'none';
  if (activation !== 'none' && activation !== 'relu') invalid(fn, 'options.activation', "'none' or 'relu'", activation);
  const g = geometry(fn, x, oc, kh, kw, options);
  const lo = activation === 'relu' ? 0 : -Infinity;
  const y = direct(g) ? convDirect(fn, x, g, weight.ptr, bias?.ptr ?? 0, lo) : lowered(fn, x, g, (rows, cols, out) => {
    gemm(rows, oc, c * kh * kw, cols, false, weight.ptr, true, bias == null ? 0 : bias.ptr, out, lo, Infinity);
  });
  return record(fn, [x, weight, bias ?? null], y, { g, activation });
}

/**
 * Few taps per output (c·kh·kw ≤ 32: a first layer on 1-3 channels), stride 1, dilation 1: the direct
 * kernel, in the GEMM path's order (the same bits), straight into NCHW. Measured against the GEMM
 * path: 18 vs 39–58 µs for 1→32 channels 3×3 on 28×28, 22 vs 45–62 µs for 3→16 on 32×32; slower
 * from 8 channels (25 vs 18 µs at 8→16 on 14×14). One output pixel in all (the GEMV) stays lowered.
 */
const direct = (g: ConvGeometry): boolean => fewTaps(g.c, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw) && g.n * g.oh * g.ow > 1;

/** @internal Whether a convolution takes the direct kernels (f32 and int8): c·kh·kw ≤ 32, stride and dilation 1. */
export const fewTaps = (c: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number): boolean =>
  sh === 1 && sw === 1 && dh === 1 && dw === 1 && c * kh * kw <= 32;

/** The direct kernel on a row-major weight [oc, c·kh·kw] at `weight` (bias 0: none). */
function convDirect(fn: string, x: Tensor, g: ConvGeometry, weight: number, bias: number, lo: number): Tensor<'f32'> {
  const y = empty(fn, [g.n, g.oc, g.oh, g.ow], 'f32');
  if (y.size === 0) return y;
  const kern = kernels();
  kern.f32_conv2d_direct(g.n, g.c, g.h, g.w, g.oc, g.kh, g.kw, g.ph, g.pw, x.ptr, weight, bias, y.ptr, scratch(kern.f32_conv2d_direct_workspace_bytes(g.c, g.h, g.w, g.ph, g.pw, g.kh, g.kw)), lo, Infinity);
  return y;
}

/** The geometry of x [n, c, h, w] under a kh×kw kernel with `options`; SHAPE_MISMATCH when it does not fit. */
function geometry(fn: string, x: Tensor, oc: number, kh: number, kw: number, options: Conv2dOptions): ConvGeometry {
  const [n, c, h, w] = x.shape as [number, number, number, number];
  const [sh, sw] = pair(fn, 'stride', options.stride ?? 1, 1);
  const [ph, pw] = pair(fn, 'padding', options.padding ?? 0, 0);
  const [dh, dw] = pair(fn, 'dilation', options.dilation ?? 1, 1);
  const oh = outSize(h, kh, sh, ph, dh);
  const ow = outSize(w, kw, sw, pw, dw);
  if (oh < 1 || ow < 1) throw new SlimError('SHAPE_MISMATCH', `${fn}: a ${kh}×${kw} kernel (dilation ${dh}×${dw}, padding ${ph}×${pw}) does not fit x ${shapeString(x.shape)}`);
  return { n, c, h, w, oc, kh, kw, sh, sw, ph, pw, dh, dw, oh, ow };
}

/**
 * im2col, then `run(rows, cols, out)` writes the [rows, oc] product (NHWC) at out, then NHWC → NCHW.
 * (A K-major lowering, W [oc, K] · colsT [K, oh·ow] straight into NCHW with no transpose, keeps these
 * bits but measured slower on the accuracy CNN's 32→64 conv over 14×14: 172–213 µs against 152–168,
 * the GEMM's 196 columns ending in edge tiles; 2026-12-07.)
 */
function lowered(fn: string, x: Tensor, g: ConvGeometry, run: (rows: number, cols: number, out: number) => void): Tensor<'f32'> {
  const cols = im2col(x, g);
  try {
    const nhwc = empty(fn, [g.n, g.oh, g.ow, g.oc], 'f32');
    try {
      if (nhwc.size > 0) run(g.n * g.oh * g.ow, cols.ptr, nhwc.ptr);
      return transpose(nhwc, [0, 3, 1, 2]) as Tensor<'f32'>;
    } finally {
      nhwc.dispose();
    }
  } finally {
    cols.dispose();
  }
}

/** The geometry of a stored-weight convolution: x f32 [N, C, H, W] with C·kh·kw = inFeatures. */
function loweredGeometry(fn: string, x: Tensor, oc: number, inFeatures: number, kernel: [number, number], options: Conv2dOptions): ConvGeometry {
  assertTensor(fn, 'x', x);
  assertDType(fn, 'x', x, 'f32');
  const [kh, kw] = kernel;
  if (x.rank !== 4 || x.shape[1]! * kh * kw !== inFeatures) {
    throw new SlimError('SHAPE_MISMATCH', `${fn}: x must be [N, ${inFeatures / (kh * kw)}, H, W] for a ${kh}×${kw} convolution over ${inFeatures / (kh * kw)} channels, received ${shapeString(x.shape)}`);
  }
  return geometry(fn, x, oc, kh, kw, options);
}

/**
 * @internal conv2dLowered's K-major form, image by image: f32_im2col_t's [c·kh·kw, oh·ow] columns,
 * then `run(pixels, colsT, out)` writes the [oc, oh·ow] product straight into the image's NCHW
 * output (no transpose). For products that read K-major columns well (a CSR weight).
 */
export function conv2dLoweredT(fn: string, x: Tensor, oc: number, inFeatures: number, kernel: [number, number], options: Conv2dOptions, run: (pixels: number, colsT: number, out: number) => void): Tensor<'f32'> {
  const g = loweredGeometry(fn, x, oc, inFeatures, kernel, options);
  const y = empty(fn, [g.n, g.oc, g.oh, g.ow], 'f32');
  if (y.size === 0) return y;
  const pixels = g.oh * g.ow;
  const colsT = empty(fn, [g.c * g.kh * g.kw, pixels], 'f32');
  try {
    const kern = kernels();
    for (let b = 0; b < g.n; b++) {
      kern.f32_im2col_t(g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, x.ptr + 4 * b * g.c * g.h * g.w, colsT.ptr);
      run(pixels, colsT.ptr, y.ptr + 4 * b * g.oc * pixels);
    }
  } catch (e) {
    y.dispose();
    throw e;
  } finally {
    colsT.dispose();
  }
  return y;
}

/**
 * @internal A convolution whose weight is held in another form (a sparse or packed [oc, c·kh·kw]
 * matrix): conv2d's im2col and layout around `run(rows, cols, out)`, which writes the [rows, oc]
 * product of the [rows, c·kh·kw] columns. x f32 [N, C, H, W] with C·kh·kw = inFeatures; no gradient.
 * `rowMajor` (a dense weight): its row-major [oc, c·kh·kw] pointer, made on demand, for conv2d's
 * direct kernel where conv2d would take it (the same bits as `run` over im2col's columns).
 */
export function conv2dLowered(
  fn: string, x: Tensor, oc: number, inFeatures: number, kernel: [number, number], options: Conv2dOptions, run: (rows: number, cols: number, out: number) => void,
  rowMajor?: { weight: () => number; bias: number; lo: number },
): Tensor<'f32'> {
  const g = loweredGeometry(fn, x, oc, inFeatures, kernel, options);
  if (rowMajor && direct(g)) return convDirect(fn, x, g, rowMajor.weight(), rowMajor.bias, rowMajor.lo);
  return lowered(fn, x, g, run);
}

/** @internal The conv2d gradients: ∂W = gyᵀ·cols, ∂b = Σ gy, ∂x = col2im(gy·W). */
export function conv2dBackward(gy: Tensor, x: Tensor, weight: Tensor, g: ConvGeometry, needs: readonly boolean[]): (Tensor | null)[] {
  const gy2 = reshape(transpose(gy, [0, 2, 3, 1]), [-1, g.oc]);
  const w2 = reshape(weight, [g.oc, -1]);
  let gw: Tensor | null = null;
  if (needs[1]) {
    const cols = im2col(x, g);
    gw = empty('conv2d', weight.shape, 'f32');
    if (gw.size > 0) gemm(g.oc, g.c * g.kh * g.kw, g.n * g.oh * g.ow, gy2.ptr, true, cols.ptr, false, 0, gw.ptr, -Infinity, Infinity);
    cols.dispose();
  }
  let gx: Tensor | null = null;
  if (needs[0]) {
    const dcols = empty('conv2d', [g.n * g.oh * g.ow, g.c * g.kh * g.kw], 'f32');
    if (dcols.size > 0) gemm(g.n * g.oh * g.ow, g.c * g.kh * g.kw, g.oc, gy2.ptr, false, w2.ptr, false, 0, dcols.ptr, -Infinity, Infinity);
    gx = empty('conv2d', x.shape, 'f32');
    kernels().f32_col2im(g.n, g.c, g.h, g.w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, dcols.ptr, gx.ptr);
    dcols.dispose();
  }
  let gb: Tensor | null = null;
  if (needs[2]) {
    gb = empty('conv2d', [g.oc], 'f32');
    kernels().f32_rsum(1, gy2.shape[0]!, g.oc, gy2.ptr, gb.ptr, 1);
  }
  return [gx, gw, gb];
}

export interface Pool2dOptions { stride?: Pair; padding?: Pair }

function poolGeometry(fn: string, x: Tensor, kernel: Pair, options: Pool2dOptions) {
  assertTensor(fn, 'x', x);
  assertDType(fn, 'x', x, 'f32');
  if (x.rank !== 4) throw new SlimError('SHAPE_MISMATCH', `${fn}: x must be [N, C, H, W], received ${shapeString(x.shape)}`);
  const [kh, kw] = pair(fn, 'kernel', kernel, 1);
  const [sh, sw] = pair(fn, 'stride', options.stride ?? [kh, kw], 1);
  const [ph, pw] = pair(fn, 'padding', options.padding ?? 0, 0);
  if (ph > kh / 2 || pw > kw / 2) invalid(fn, 'padding', `at most half the kernel (${kh}×${kw})`, options.padding);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  if (h === 0 || w === 0) throw new SlimError('SHAPE_MISMATCH', `${fn}: x must have non-empty spatial dims, received ${shapeString(x.shape)}`);
  const oh = outSize(h, kh, sh, ph, 1);
  const ow = outSize(w, kw, sw, pw, 1);
  if (oh < 1 || ow < 1) throw new SlimError('SHAPE_MISMATCH', `${fn}: a ${kh}×${kw} window does not fit x ${shapeString(x.shape)}`);
  return { planes: n * c, h, w, kh, kw, sh, sw, ph, pw, oh, ow, shape: [n, c, oh, ow] };
}

/** Max over kh×kw windows of x [N, C, H, W] (stride defaults to the kernel; NaN wins, as in PyTorch). */
export function maxPool2d(x: Tensor, kernel: Pair, options: Pool2dOptions = {}): Tensor<'f32'> {
  const fn = 'maxPool2d';
  options = optionsOf(fn, options);
  const p = poolGeometry(fn, x, kernel, options);
  const y = empty(fn, p.shape, 'f32');
  // The argmax indices only when the backward pass will need them (record() links y to x).
  const idx = isGradEnabled() && x.requiresGrad ? empty(fn, p.shape, 'i32') : null;
  if (y.size > 0) kernels().f32_maxpool2d(p.planes, p.h, p.w, p.kh, p.kw, p.sh, p.sw, p.ph, p.pw, p.oh, p.ow, x.ptr, y.ptr, idx?.ptr ?? 0);
  const out = record(fn, [x], y, { p, idx });
  if (out.node === null) idx?.dispose();
  return out;
}

/** @internal ∂x of maxPool2d: each gy goes to the position that won its window. */
export function maxPool2dBackward(gy: Tensor, x: Tensor, attrs: { p: ReturnType<typeof poolGeometry>; idx: Tensor }): Tensor {
  const { p, idx } = attrs;
  const gx = empty('maxPool2d', x.shape, 'f32');
  kernels().f32_maxpool2d_backward(p.planes, p.h, p.w, p.oh, p.ow, gy.ptr, idx.ptr, gx.ptr);
  return gx;
}

/** Mean over kh×kw windows (countIncludePad: divide by the window size including padding, PyTorch's default). */
export function avgPool2d(x: Tensor, kernel: Pair, options: Pool2dOptions & { countIncludePad?: boolean } = {}): Tensor<'f32'> {
  const fn = 'avgPool2d';
  options = optionsOf(fn, options);
  const p = poolGeometry(fn, x, kernel, options);
  const include = options.countIncludePad ?? true;
  const y = empty(fn, p.shape, 'f32');
  if (y.size > 0) kernels().f32_avgpool2d(p.planes, p.h, p.w, p.kh, p.kw, p.sh, p.sw, p.ph, p.pw, p.oh, p.ow, include ? 1 : 0, x.ptr, y.ptr);
  return record(fn, [x], y, { p, include });
}

/** @internal ∂x of avgPool2d. */
export function avgPool2dBackward(gy: Tensor, x: Tensor, attrs: { p: ReturnType<typeof poolGeometry>; include: boolean }): Tensor {
  const { p, include } = attrs;
  const gx = empty('avgPool2d', x.shape, 'f32');
  kernels().f32_avgpool2d_backward(p.planes, p.h, p.w, p.kh, p.kw, p.sh, p.sw, p.ph, p.pw, p.oh, p.ow, include ? 1 : 0, gy.ptr, gx.ptr);
  return gx;
}
