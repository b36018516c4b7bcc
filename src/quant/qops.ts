// The integer ops of a converted model. Each runs on raw pointers for a batch of m samples (the
// QuantizedModel owns the activation buffers), so a batch-1 forward allocates nothing per layer.
// Shapes are per sample; the batch is the leading dim. Activations are int8 with a per-tensor
// (scale, zeroPoint); weights int8 symmetric per output channel (or per tensor); bias int32 at
// scale_x·scale_w[j]; requantization by a fixed-point multiplier and shift (gemmlowp, TFLite). A layer
// that writes f32 instead (the model's output, quantizeOutput: false) keeps an f32 bias and
// dequantizes its int32 sums: y = f32(acc)·f32(scale_x·scale_w[j]) + b[j].
import { kernels, u8View } from '../backend/binding.js';
import type { SafeDType } from '../io/safetensors.js';
import { qs8UnpackWeightsRef } from './qkernels-ref.js';
import { SlimError } from '../errors.js';
import { gelu, relu, sigmoid, tanh } from '../ops/elementwise.js';
import { copyNd } from '../ops/layout.js';
import { fewTaps } from '../ops/conv.js';
import { fromValues } from '../tensor/create.js';
import { keep, tidy } from '../tensor/scope.js';
import { numel } from '../tensor/shape.js';
import { empty, type Tensor } from '../tensor/tensor.js';
import type { ActFn } from './graph.js';
import { roundHalfEven } from './qparams.js';
import { quantizeMultiplier } from './requant.js';

/** Per-tensor affine int8 parameters of an activation. */
export interface ActQParams { scale: number; zeroPoint: number }

export type Domain = 'f32' | 'i8';

/** One tensor of a saved model (the safetensors entry). */
export interface FileEntry { dtype: SafeDType; shape: number[]; bytes: Uint8Array }

const SAFE_OF = { f32: 'F32', i32: 'I32', i8: 'I8', u8: 'U8' } as const;

export abstract class QOp {
  abstract readonly kind: string;
  abstract readonly inDomain: Domain;
  abstract readonly outDomain: Domain;
  /** Rows per sample a Linear-shaped op multiplies: the product of inShape's leading dims (all but the last). */
  readonly #lead: number;
  constructor(readonly name: string, readonly inShape: readonly number[], readonly outShape: readonly number[]) {
    this.#lead = numel(inShape.slice(0, -1));
  }
  /** GEMM rows of a Linear-shaped op for a batch of m samples (the product is computed once, not per call). */
  linearRows(m: number): number { return m * this.#lead; }
  /** Kernel workspace for a batch of m. */
  workspaceBytes(_m: number): number { return 0; }
  /** dst ← op(src) for m samples; src and dst never overlap. */
  abstract run(m: number, src: number, dst: number, ws: number): void;
  /** The tensors the op owns (freed by dispose()); by default also what a file stores. */
  tensors(): Record<string, Tensor> { return {}; }
  /**
   * What a saved model holds, by key (saved as `<name>.<key>`): the owned tensors as they are, unless
   * an op stores a plain form of a kernel layout (derived here, at save time, rather than kept twice).
   */
  entries(): Record<string, FileEntry> {
    return Object.fromEntries(Object.entries(this.tensors()).map(([k, t]) => [k, entryOf(t)]));
  }
  /** Everything else a saved model needs to rebuild the op (JSON). */
  meta(): Record<string, unknown> { return {}; }
  /** Bytes of the stored entries. */
  get byteLength(): number { return Object.values(this.tensors()).reduce((s, t) => s + t.byteLength, 0); }
  dispose(): void { for (const t of Object.values(this.tensors())) t.dispose(); }
}

const I32_MIN = -2147483648;
const I32_MAX = 2147483647;
const scalar = (fn: string, v: number, dtype: 'f32' | 'i32') => keep(fromValues(fn, [v], [1], dtype));

/** The domain change at a boundary of the int8 region: one per-tensor (scale, zero point). */
abstract class ConvertOp extends QOp {
  readonly #t: Record<string, Tensor>;
  constructor(name: string, shape: readonly number[], readonly q: ActQParams) {
    super(name, shape, shape);
    this.#t = { scale: scalar(name, q.scale, 'f32'), zero_point: scalar(name, q.zeroPoint, 'i32') };
  }
  override tensors(): Record<string, Tensor> { return this.#t; }
}

/** f32 → int8: q = clamp(roundHalfEven(x/scale) + zp, −128, 127). */
export class QuantizeOp extends ConvertOp {
  override readonly kind = 'quantize';
  override readonly inDomain = 'f32';
  override readonly outDomain = 'i8';
  run(m: number, src: number, dst: number): void { kernels().f32_qs8_vcvt(m * numel(this.inShape), src, dst, this.q.scale, this.q.zeroPoint); }
}

/** int8 → f32: x = (q − zp)·scale. */
export class DequantizeOp extends ConvertOp {
  override readonly kind = 'dequantize';
  override readonly inDomain = 'i8';
  override readonly outDomain = 'f32';
  run(m: number, src: number, dst: number): void { kernels().qs8_f32_vcvt(m * numel(this.inShape), src, dst, this.q.scale, this.q.zeroPoint); }
}

/** What a QLinear/QConv needs besides its geometry. */
export interface QWeightParams {
  /** int8 [n, k] (conv: [OC, C·KH·KW]), symmetric. */
  weight: Int8Array;
  /** [n] (per channel) or [1] (per tensor). */
  weightScale: Float32Array;
  /** f32 bias [n], quantized here to int32 at scale_x·scale_w[j]; or the int32 bias itself. f32 output: the f32 bias. */
  bias: Float32Array | Int32Array;
  input: ActQParams;
  /** The int8 output's qparams, or null for an f32 output (the int32 sums dequantized, no requantization). */
  output: ActQParams | null;
  relu: boolean;
}

/** Packs int8 weights, derives the int32 bias and the per-channel (multiplier, shift); or, for an f32 output, keeps the f32 bias. */
class QWeights {
  readonly weightScale: Tensor<'f32'>;
  /** i32 at scale_x·scale_w[j] (int8 output) or f32 (f32 output). */
  readonly bias: Tensor<'i32' | 'f32'>;
  /** The kernels' layout; the plain int8 weights a file stores are unpacked from it at save time. */
  readonly packed: Tensor<'u8'>;
  /** Requantization (int8 output only). */
  readonly requant: { multiplier: Tensor<'i32'>; shift: Tensor<'i32'>; qmin: number } | null;
  readonly input: ActQParams;
  readonly output: ActQParams | null;
  readonly relu: boolean;
  readonly #qparams: Record<string, Tensor>;
  readonly #scaleN: Tensor<'f32'> | null = null;

  constructor(fn: string, readonly n: number, readonly k: number, p: QWeightParams) {
    const perTensor = p.weightScale.length === 1;
    const scaleOf = (j: number) => p.weightScale[perTensor ? 0 : j]!;
    // Every check before the first tensor, so a throw leaves nothing allocated.
    let requant: { bias: Int32Array; mult: Int32Array; shift: Int32Array } | null = null;
    if (p.output) {
      const bias = p.bias instanceof Int32Array ? p.bias : Int32Array.from(p.bias, (b, j) => {
        const q = roundHalfEven(b / (p.input.scale * scaleOf(j)));
        return Number.isFinite(q) ? Math.min(Math.max(q, I32_MIN), I32_MAX) : 0;
      });
      const mult = new Int32Array(n);
      const shift = new Int32Array(n);
      for (let j = 0; j < n; j++) {
        const real = (p.input.scale * scaleOf(j)) / p.output.scale;
        if (!(real < 1)) throw new SlimError('INVALID_ARGUMENT', `${fn}: requantization multiplier scale_x·scale_w/scale_y must be < 1, received ${real} for output channel ${j} (output scale ${p.output.scale} too small)`);
        const qm = quantizeMultiplier(real);
        mult[j] = qm.multiplier | 0;
        shift[j] = qm.shift;
      }
      requant = { bias, mult, shift };
    } else if (!(p.bias instanceof Float32Array)) {
      throw new SlimError('INVALID_ARGUMENT', `${fn}: an f32-output layer takes an f32 bias, received ${p.bias.constructor.name}`);
    }
    [this.input, this.output, this.relu] = [p.input, p.output, p.relu];
    this.#qparams = { input_scale: scalar(fn, p.input.scale, 'f32'), input_zero_point: scalar(fn, p.input.zeroPoint, 'i32') };
    if (p.output && requant) {
      this.bias = keep(fromValues(fn, requant.bias, [n], 'i32'));
      this.requant = { multiplier: keep(fromValues(fn, requant.mult, [n], 'i32')), shift: keep(fromValues(fn, requant.shift, [n], 'i32')), qmin: p.relu ? Math.max(-128, p.output.zeroPoint) : -128 };
      this.#qparams.output_scale = scalar(fn, p.output.scale, 'f32');
      this.#qparams.output_zero_point = scalar(fn, p.output.zeroPoint, 'i32');
    } else {
      this.bias = keep(fromValues(fn, p.bias, [n], 'f32'));
      this.requant = null;
      // The f32-output kernels take one scale per channel: a per-tensor scale repeated n times.
      if (perTensor) this.#scaleN = keep(fromValues(fn, new Float32Array(n).fill(p.weightScale[0]!), [n], 'f32'));
    }
    this.weightScale = keep(fromValues(fn, p.weightScale, [p.weightScale.length], 'f32'));
    const kern = kernels();
    this.packed = keep(empty(fn, [kern.qs8_packed_weights_bytes(n, k)], 'u8'));
    tidy(() => kern.qs8_pack_weights(n, k, fromValues(fn, p.weight, [n, k], 'i8').ptr, this.packed.ptr));
  }

  /** Bytes per output element: 1 (int8) or 4 (f32). */
  get outBytes(): number { return this.output ? 1 : 4; }

  /** out[m, n] (i8) = requant(a[m, k]·Wᵀ + bias), or (f32) = f32(acc)·f32(scale_x·scale_w[j]) + bias[j], ReLU applied. */
  gemm(m: number, a: number, out: number, ws: number): void {
    const kern = kernels();
    const { input, output, requant: r, n, k } = this;
    if (output && r) {
      if (m === 1) kern.qs8_gemv_requant(n, k, a, input.zeroPoint, this.packed.ptr, this.bias.ptr, out, r.multiplier.ptr, r.shift.ptr, output.zeroPoint, r.qmin, 127);
      else kern.qs8_gemm_requant(m, n, k, a, input.zeroPoint, this.packed.ptr, this.bias.ptr, out, r.multiplier.ptr, r.shift.ptr, output.zeroPoint, r.qmin, 127, ws);
      return;
    }
    const scaleW = (this.#scaleN ?? this.weightScale).ptr;
    if (m === 1) kern.qs8_gemv_f32out(n, k, a, input.zeroPoint, this.packed.ptr, this.bias.ptr, out, input.scale, scaleW);
    else kern.qs8_gemm_f32out(m, n, k, a, input.zeroPoint, this.packed.ptr, this.bias.ptr, out, input.scale, scaleW, ws);
    if (this.relu) kern.f32_vrelu(m * n, out, out);
  }

  workspaceBytes(m: number): number { return m === 1 ? 0 : kernels().qs8_gemm_workspace_bytes(m, this.n, this.k); }

  /** Owned tensors. */
  tensors(): Record<string, Tensor> {
    const t: Record<string, Tensor> = { weight_scale: this.weightScale, bias: this.bias, packed: this.packed, ...this.#qparams };
    if (this.requant) Object.assign(t, { multiplier: this.requant.multiplier, shift: this.requant.shift });
    if (this.#scaleN) t.scale_n = this.#scaleN;
    return t;
  }

  /** What a file stores: int8 weights [n, k] (unpacked), scales, the bias (i32, or f32 for an f32 output) and the activation qparams. */
  entries(): Record<string, FileEntry> {
    const mem = u8View();
    const weight = qs8UnpackWeightsRef(this.n, this.k, mem.subarray(this.packed.ptr, this.packed.ptr + this.packed.byteLength));
    const saved = { weight_scale: this.weightScale, bias: this.bias, ...this.#qparams };
    return { weight: { dtype: 'I8', shape: [this.n, this.k], bytes: new Uint8Array(weight.buffer) }, ...Object.fromEntries(Object.entries(saved).map(([key, t]) => [key, entryOf(t)])) };
  }

  get byteLength(): number { return this.n * this.k + this.weightScale.byteLength + this.bias.byteLength + (this.output ? 16 : 8); }

  dispose(): void { Object.values(this.tensors()).forEach((t) => t.dispose()); }
}

/** A stored tensor as a file entry (a view of wasm memory: read it before the next allocation). */
export function entryOf(t: Tensor): FileEntry {
  return { dtype: SAFE_OF[t.dtype], shape: [...t.shape], bytes: u8View().subarray(t.ptr, t.ptr + t.byteLength) };
}

/** y = requant(x·Wᵀ + b), ReLU fused by clamping at the output zero point. */
export class QLinearOp extends QOp {
  override readonly kind = 'qlinear';
  override readonly inDomain = 'i8';
  override readonly outDomain: Domain;
  readonly w: QWeights;
  constructor(name: string, inShape: readonly number[], n: number, p: QWeightParams) {
    super(name, inShape, [...inShape.slice(0, -1), n]);
    const k = inShape[inShape.length - 1]!;
    this.w = new QWeights('QLinear', n, k, p);
    this.outDomain = p.output ? 'i8' : 'f32';
  }
  override workspaceBytes(m: number): number { return this.w.workspaceBytes(this.linearRows(m)); }
  run(m: number, src: number, dst: number, ws: number): void { this.w.gemm(this.linearRows(m), src, dst, ws); }
  override tensors(): Record<string, Tensor> { return this.w.tensors(); }
  override entries(): Record<string, FileEntry> { return this.w.entries(); }
  override get byteLength(): number { return this.w.byteLength; }
  override meta(): Record<string, unknown> { return { relu: this.w.relu, ...outputMeta(this.w) }; }
  override dispose(): void { this.w.dispose(); }
}

/** Recorded only for an f32 output, so files of int8-output layers keep their bytes. */
const outputMeta = (w: QWeights): Record<string, unknown> => (w.output ? {} : { outputDtype: 'f32' });

export interface ConvGeometry { kh: number; kw: number; sh: number; sw: number; ph: number; pw: number; dh: number; dw: number }

const outSize = (i: number, k: number, s: number, p: number, d: number) => Math.floor((i + 2 * p - d * (k - 1) - 1) / s) + 1;

/**
 * int8 conv: im2col with the input zero point as padding, the requantizing GEMM, NHWC → NCHW; or, for
 * few taps per output (c·kh·kw ≤ 32, stride and dilation 1, int8 output: a first layer), the direct
 * kernel on a plain copy of the weights, with the same bytes.
 */
export class QConv2dOp extends QOp {
  override readonly kind = 'qconv2d';
  override readonly inDomain = 'i8';
  override readonly outDomain: Domain;
  readonly w: QWeights;
  readonly oh: number;
  readonly ow: number;
  /** The int8 weights [oc, c·kh·kw] and their tap pairs for the direct kernel, or null. */
  readonly #plain: Tensor<'i8'> | null;
  readonly #pairs: Tensor<'i32'> | null;
  constructor(name: string, inShape: readonly number[], readonly oc: number, readonly g: ConvGeometry, p: QWeightParams) {
    const [c, h, w] = inShape as [number, number, number];
    const oh = outSize(h, g.kh, g.sh, g.ph, g.dh);
    const ow = outSize(w, g.kw, g.sw, g.pw, g.dw);
    super(name, inShape, [oc, oh, ow]);
    this.oh = oh;
    this.ow = ow;
    this.w = new QWeights('QConv2d', oc, c * g.kh * g.kw, p);
    this.outDomain = p.output ? 'i8' : 'f32';
    const K = c * g.kh * g.kw;
    const direct = p.output !== null && fewTaps(c, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw);
    this.#plain = direct ? keep(fromValues('QConv2d', p.weight, [oc, K], 'i8')) : null;
    this.#pairs = this.#plain ? keep(empty('QConv2d', [oc, (K + 1) >> 1], 'i32')) : null;
    if (this.#plain && this.#pairs) kernels().qs8_conv2d_direct_pack(oc, K, this.#plain.ptr, this.#pairs.ptr);
  }
  #rows(m: number): number { return m * this.oh * this.ow; }
  #colsBytes(m: number): number { return (this.#rows(m) * this.w.k + 15) & ~15; }
  #nhwcBytes(m: number): number { return (this.#rows(m) * this.oc * this.w.outBytes + 15) & ~15; }
  override workspaceBytes(m: number): number {
    const [c, h, w] = this.inShape as [number, number, number];
    const g = this.g;
    if (this.#plain) return kernels().qs8_conv2d_direct_workspace_bytes(c, h, w, g.ph, g.pw, g.kh, g.kw);
    return this.#colsBytes(m) + this.#nhwcBytes(m) + this.w.workspaceBytes(this.#rows(m));
  }
  run(m: number, src: number, dst: number, ws: number): void {
    const [c, h, w] = this.inShape as [number, number, number];
    const g = this.g;
    const r = this.w.requant;
    if (this.#plain && this.#pairs && r && this.w.output) {
      kernels().qs8_conv2d_direct(m, c, h, w, this.oc, g.kh, g.kw, g.ph, g.pw, src, this.w.input.zeroPoint, this.#plain.ptr, this.#pairs.ptr, this.w.bias.ptr, dst, r.multiplier.ptr, r.shift.ptr, this.w.output.zeroPoint, r.qmin, 127, ws);
      return;
    }
    const cols = ws;
    const nhwc = ws + this.#colsBytes(m);
    kernels().x8_im2col(m, c, h, w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, g.dh, g.dw, src, cols, this.w.input.zeroPoint);
    this.w.gemm(this.#rows(m), cols, nhwc, nhwc + this.#nhwcBytes(m));
    const hw = this.oh * this.ow;
    copyNd(this.w.output ? 'i8' : 'f32', [m, this.oc, hw], [hw * this.oc, 1, this.oc], [this.oc * hw, hw, 1], nhwc, dst);
  }
  override tensors(): Record<string, Tensor> { return this.#plain && this.#pairs ? { ...this.w.tensors(), plain: this.#plain, pairs: this.#pairs } : this.w.tensors(); }
  override entries(): Record<string, FileEntry> { return this.w.entries(); }
  override get byteLength(): number { return this.w.byteLength; }
  override meta(): Record<string, unknown> { return { relu: this.w.relu, oc: this.oc, ...this.g, ...outputMeta(this.w) }; }
  override dispose(): void {
    this.w.dispose();
    this.#plain?.dispose();
    this.#pairs?.dispose();
  }
}

/** int8 max pooling: max commutes with the monotone quantizer, so qparams pass through. */
export class QMaxPool2dOp extends QOp {
  override readonly kind = 'qmaxpool2d';
  override readonly inDomain = 'i8';
  override readonly outDomain = 'i8';
  constructor(name: string, inShape: readonly number[], readonly g: { kh: number; kw: number; sh: number; sw: number; ph: number; pw: number }) {
    const [c, h, w] = inShape as [number, number, number];
    super(name, inShape, [c, outSize(h, g.kh, g.sh, g.ph, 1), outSize(w, g.kw, g.sw, g.pw, 1)]);
  }
  run(m: number, src: number, dst: number): void {
    const [c, h, w] = this.inShape as [number, number, number];
    const [, oh, ow] = this.outShape as [number, number, number];
    const g = this.g;
    kernels().qs8_maxpool2d(m * c, h, w, g.kh, g.kw, g.sh, g.sw, g.ph, g.pw, oh, ow, src, dst);
  }
  override meta(): Record<string, unknown> { return { ...this.g }; }
}

const ACT_OPS: Record<ActFn, (x: Tensor) => Tensor> = { relu, gelu, tanh, sigmoid };

/**
 * int8 → int8 through a 256-entry table: table[q] = quant_out(f(dequant_in(q))), f computed by the
 * wasm kernels (ReLU, GELU, tanh, sigmoid, or a requantization when f is the identity).
 */
export class LutOp extends QOp {
  override readonly kind = 'lut';
  override readonly inDomain = 'i8';
  override readonly outDomain = 'i8';
  readonly table: Tensor<'u8'>;
  constructor(name: string, shape: readonly number[], readonly fn: ActFn | 'identity', input?: ActQParams, output?: ActQParams, table?: Tensor<'u8'>) {
    super(name, shape, shape);
    this.table = table ?? keep(buildTable(fn, input!, output!));
  }
  run(m: number, src: number, dst: number): void { kernels().x8_lut(m * numel(this.inShape), src, dst, this.table.ptr); }
  override tensors(): Record<string, Tensor> { return { table: this.table }; }
  override meta(): Record<string, unknown> { return { fn: this.fn }; }
}

function buildTable(fn: ActFn | 'identity', input: ActQParams, output: ActQParams): Tensor<'u8'> {
  return tidy(() => {
    // Byte b holds q = b as i8: entries 0..127 are q = 0..127, 128..255 are q = −128..−1.
    const q = fromValues('LutOp', Int8Array.from({ length: 256 }, (_, b) => (b << 24) >> 24), [256], 'i8');
    const x = empty('LutOp', [256], 'f32');
    const kern = kernels();
    kern.qs8_f32_vcvt(256, q.ptr, x.ptr, input.scale, input.zeroPoint);
    const y = fn === 'identity' ? x : ACT_OPS[fn](x);
    const table = empty('LutOp', [256], 'u8');
    kern.f32_qs8_vcvt(256, y.ptr, table.ptr, output.scale, output.zeroPoint);
    return table;
  });
}

/** An f32 layer inside a quantized model: copies in and out of tensors around `forward`. */
export abstract class TensorOp extends QOp {
  override readonly inDomain = 'f32';
  override readonly outDomain = 'f32';
  abstract forward(x: Tensor): Tensor;
  run(m: number, src: number, dst: number): void {
    tidy(() => {
      const x = empty(this.name, [m, ...this.inShape], 'f32');
      const view = u8View();
      view.copyWithin(x.ptr, src, src + x.byteLength);
      const y = this.forward(x);
      const out = u8View();
      out.copyWithin(dst, y.ptr, y.ptr + y.byteLength);
    });
  }
}
