// The f32-domain ops of a converted model: layers left in f32 (mixed precision, unsupported layers),
// int4 weight-only and dynamic int8 Linears, activations and pools between f32 layers.
import { SlimError } from '../errors.js';
import { gelu, relu, sigmoid, tanh } from '../ops/elementwise.js';
import { PackedMatrix } from '../sparse/csr.js';
import { linearRaw, packedLinear } from '../sparse/linear.js';
import { avgPool2d, conv2d, maxPool2d } from '../ops/conv.js';
import { fromValues } from '../tensor/create.js';
import { keep } from '../tensor/scope.js';
import { empty, type Tensor } from '../tensor/tensor.js';
import type { Module } from '../nn/module.js';
import type { ActFn, PoolSpec } from './graph.js';
import type { ConvGeometry } from './qops.js';
import { entryOf, QOp, TensorOp, type FileEntry } from './qops.js';
import { q4UnpackWeights, qs8UnpackWeightsRef } from './qkernels-ref.js';
import { u8View } from '../backend/binding.js';
import { kernels } from '../backend/binding.js';
import { Int4Linear, Int8Linear } from './qlinear.js';
import { f16BitsToF32, f32ToF16Bits } from '../io/float16.js';

const ACTS: Record<ActFn, (x: Tensor) => Tensor> = { relu, gelu, tanh, sigmoid };

/**
 * y = act(x·Wᵀ + b) (Linear) or act(conv2d(x, W) + b) in f32, BatchNorm already folded in. A Linear
 * keeps its weight packed for the GEMV (PackedMatrix) and runs on raw pointers with packedLinear's
 * kernels (linear()'s bits at batch 1 and from 4 rows); the plain [n, k] weight a file stores is
 * derived at save time.
 */
export class F32WeightOp extends TensorOp {
  override readonly kind = 'f32';
  readonly bias: Tensor<'f32'>;
  /** Conv only: the weight as given. */
  readonly #weight: Tensor<'f32'> | null = null;
  /** Linear only. */
  readonly #packed: PackedMatrix | null = null;
  constructor(name: string, inShape: readonly number[], outShape: readonly number[], weight: Float32Array, wshape: readonly number[], bias: Float32Array, readonly relu: boolean, readonly conv: ConvGeometry | null) {
    super(name, inShape, outShape);
    this.bias = keep(fromValues('F32WeightOp', bias, [bias.length], 'f32'));
    try {
      const w = fromValues('F32WeightOp', weight, wshape, 'f32');
      if (conv) this.#weight = keep(w);
      else {
        try {
          this.#packed = new PackedMatrix(w);
        } finally {
          w.dispose();
        }
      }
    } catch (e) {
      this.bias.dispose(); // a failed op leaves nothing allocated
      throw e;
    }
  }
  forward(x: Tensor): Tensor {
    const g = this.conv;
    if (!g) return packedLinear(x, this.#packed!, this.bias, this.relu ? 'relu' : 'none');
    const y = conv2d(x, this.#weight!, this.bias, { stride: [g.sh, g.sw], padding: [g.ph, g.pw], dilation: [g.dh, g.dw] });
    return this.relu ? relu(y) : y;
  }
  override run(m: number, src: number, dst: number): void {
    if (!this.#packed) return super.run(m, src, dst);
    linearRaw(this.#packed, this.linearRows(m), src, dst, this.bias.ptr, this.relu ? 0 : -Infinity, Infinity);
  }
  override tensors(): Record<string, Tensor> {
    return { weight: this.#weight ?? this.#packed!.packed, bias: this.bias };
  }
  override entries(): Record<string, FileEntry> {
    if (!this.#packed) return super.entries();
    const p = this.#packed;
    const w = p.toTensor();
    const plain = w.toTypedArray() as Float32Array; // a copy: the entry outlives w
    w.dispose();
    return { weight: { dtype: 'F32', shape: [p.rows, p.cols], bytes: new Uint8Array(plain.buffer) }, bias: entryOf(this.bias) };
  }
  /** Bytes of the stored entries (the packed panels' padding rows not counted). */
  override get byteLength(): number {
    return (this.#packed ? 4 * this.#packed.rows * this.#packed.cols : this.#weight!.byteLength) + this.bias.byteLength;
  }
  override meta(): Record<string, unknown> { return { relu: this.relu, ...(this.conv ?? {}) }; }
}

/** int4 weights (group-wise, symmetric, f16 scales and biases in the file), f32 activations: the q4 kernels on raw pointers, ReLU in place. */
export class Int4LinearOp extends QOp {
  override readonly kind = 'int4';
  override readonly inDomain = 'f32';
  override readonly outDomain = 'f32';
  readonly layer: Int4Linear;
  /** Every bias value is an f16 (what convert() gives): the file stores it as F16, else as F32. */
  readonly #biasF16: boolean;
  /**
   * q: int4 values [n, k] in [−8, 7]; scale: [n, ⌈k/g⌉], rounded to f16 (what the file stores and the
   * kernel uses, so a reloaded model is bit-identical).
   */
  constructor(name: string, inShape: readonly number[], n: number, q: Int8Array, scale: Float32Array, bias: Tensor | null, readonly groupSize: 32 | 64 | 128, readonly relu: boolean) {
    super(name, inShape, [...inShape.slice(0, -1), n]);
    const k = inShape[inShape.length - 1]!;
    this.layer = new Int4Linear({ q, shape: [n, k], scale }, bias, { groupSize });
    this.#biasF16 = bias !== null && isF16(bias.toTypedArray() as Float32Array);
  }
  override workspaceBytes(m: number): number { return kernels().q4_workspace_bytes(this.linearRows(m), this.layer.inFeatures, this.groupSize); }
  run(m: number, src: number, dst: number, ws: number): void {
    const kern = kernels();
    const l = this.layer;
    const rows = this.linearRows(m);
    const [n, k, g] = [l.outFeatures, l.inFeatures, this.groupSize];
    if (rows === 1) kern.q4_gemv_f32(n, k, g, src, l.packed.ptr, l.scales.ptr, l.bias?.ptr ?? 0, dst, ws);
    else kern.q4_gemm_f32(rows, n, k, g, src, l.packed.ptr, l.scales.ptr, l.bias?.ptr ?? 0, dst, ws);
    if (this.relu) kern.f32_vrelu(rows * n, dst, dst);
  }
  override tensors(): Record<string, Tensor> { return { packed: this.layer.packed, scales: this.layer.scales, ...(this.layer.bias ? { bias: this.layer.bias } : {}) }; }
  /** The file: nibbles of the flat [n·k] values (two's complement, low nibble first), F16 scales [n, ⌈k/g⌉] (unpacked from the kernel layout), the bias as F16 when exact. */
  override entries(): Record<string, FileEntry> {
    const l = this.layer;
    const [n, k] = [l.outFeatures, l.inFeatures];
    const mem = u8View();
    const { q, scales } = q4UnpackWeights(n, k, this.groupSize, mem.slice(l.packed.ptr, l.packed.ptr + l.packed.byteLength), new Float32Array(mem.slice(l.scales.ptr, l.scales.ptr + l.scales.byteLength).buffer));
    const packed = new Uint8Array(Math.ceil((n * k) / 2));
    for (let i = 0; i < n * k; i++) packed[i >> 1]! |= (q[i]! & 0xf) << ((i & 1) << 2);
    return {
      weight: { dtype: 'U8', shape: [packed.length], bytes: packed },
      weight_scale: { dtype: 'F16', shape: [scales.length], bytes: new Uint8Array(Uint16Array.from(scales, f32ToF16Bits).buffer) },
      ...(l.bias ? { bias: this.#biasF16 ? f16Entry(l.bias.toTypedArray() as Float32Array) : entryOf(l.bias) } : {}),
    };
  }
  override get byteLength(): number {
    const [n, k] = [this.layer.outFeatures, this.layer.inFeatures];
    return Math.ceil((n * k) / 2) + 2 * n * Math.ceil(k / this.groupSize) + (this.layer.bias ? (this.#biasF16 ? 2 : 4) * n : 0);
  }
  override meta(): Record<string, unknown> { return { relu: this.relu, groupSize: this.groupSize }; }
  override dispose(): void { this.layer.dispose(); }
}

const toF16 = (v: number): number => f16BitsToF32(f32ToF16Bits(v));
/** Every value survives an f16 round trip bit for bit (finite, in range, at f16 precision). */
const isF16 = (v: Float32Array): boolean => v.every((x) => Object.is(toF16(x), x));
const f16Entry = (v: Float32Array): FileEntry => ({ dtype: 'F16', shape: [v.length], bytes: new Uint8Array(Uint16Array.from(v, f32ToF16Bits).buffer) });

/**
 * Biases of an int4 layer rounded to f16 (relative error ≤ 2^-11, far below the int4 weights' own),
 * so its file stores them as F16 like the scales; a layer whose bias overflows f16 (|b| > 65504) keeps f32.
 */
export function f16Biases(b: Float32Array): Float32Array {
  const r = b.map(toF16);
  return r.every(Number.isFinite) ? r : b;
}

/** Rounds scales to f16 precision (never to 0 or ∞): int4 files store them as F16. */
export function f16Scales(scale: Float32Array): Float32Array {
  return scale.map((s) => {
    const r = f16BitsToF32(f32ToF16Bits(s));
    if (!(r > 0) || !Number.isFinite(r)) throw new SlimError('INVALID_ARGUMENT', `int4: a group scale ${s} is outside the f16 range`);
    return r;
  });
}

/** int8 weights (symmetric per channel), activations quantized per call from their min/max. */
export class DynInt8LinearOp extends QOp {
  override readonly kind = 'dynamic';
  override readonly inDomain = 'f32';
  override readonly outDomain = 'f32';
  readonly layer: Int8Linear;
  constructor(name: string, inShape: readonly number[], n: number, q: Int8Array, scale: Float32Array, bias: Tensor | null, readonly relu: boolean) {
    super(name, inShape, [...inShape.slice(0, -1), n]);
    const k = inShape[inShape.length - 1]!;
    this.layer = new Int8Linear({ q, shape: [n, k], scale }, bias);
  }
  override workspaceBytes(m: number): number { return this.layer.workspaceBytes(this.linearRows(m)); }
  /** The layer's kernels on raw pointers (x quantized into the workspace), ReLU in place. */
  run(m: number, src: number, dst: number, ws: number): void {
    const rows = this.linearRows(m);
    this.layer.run('QuantizedModel.forward', rows, src, dst, ws);
    if (this.relu) kernels().f32_vrelu(rows * this.layer.outFeatures, dst, dst);
  }
  override tensors(): Record<string, Tensor> { return { packed: this.layer.packed, weight_scale: this.layer.weightScale, ...(this.layer.bias ? { bias: this.layer.bias } : {}) }; }
  /** The file: int8 weights [n, k] unpacked from the kernel layout, f32 scales and bias. */
  override entries(): Record<string, FileEntry> {
    const l = this.layer;
    const packed = u8View().subarray(l.packed.ptr, l.packed.ptr + l.packed.byteLength);
    const weight = qs8UnpackWeightsRef(l.outFeatures, l.inFeatures, packed);
    return { weight: { dtype: 'I8', shape: [l.outFeatures, l.inFeatures], bytes: new Uint8Array(weight.buffer) }, weight_scale: entryOf(l.weightScale), ...(l.bias ? { bias: entryOf(l.bias) } : {}) };
  }
  override meta(): Record<string, unknown> { return { relu: this.relu }; }
  override get byteLength(): number { return this.layer.byteLength; }
  override dispose(): void { this.layer.dispose(); }
}

/**
 * int8 weights (symmetric per output channel), f32 activations, 4× fewer weight bytes than f32:
 * f32_qc8w_gemv per row below 4 rows, else f32_gemm widening the weights as it packs them (f32_qc8w_gemm).
 */
export class WeightOnlyInt8LinearOp extends QOp {
  override readonly kind = 'int8-weight-only';
  override readonly inDomain = 'f32';
  override readonly outDomain = 'f32';
  readonly #t: Record<string, Tensor>;
  constructor(name: string, inShape: readonly number[], n: number, q: Int8Array, scale: Float32Array, bias: Float32Array | null, readonly relu: boolean) {
    super(name, inShape, [...inShape.slice(0, -1), n]);
    const k = inShape[inShape.length - 1]!;
    this.#t = {
      weight: keep(fromValues('WeightOnlyInt8LinearOp', q, [n, k], 'i8')),
      weight_scale: keep(fromValues('WeightOnlyInt8LinearOp', scale, [n], 'f32')),
      ...(bias ? { bias: keep(fromValues('WeightOnlyInt8LinearOp', bias, [n], 'f32')) } : {}),
    };
  }
  override workspaceBytes(m: number): number {
    const [n, k] = this.#t.weight!.shape as [number, number];
    return kernels().f32_qc8w_gemm_workspace_bytes(this.linearRows(m), n, k);
  }
  run(m: number, src: number, dst: number, ws: number): void {
    const [n, k] = this.#t.weight!.shape as [number, number];
    const rows = this.linearRows(m);
    kernels().f32_qc8w_gemm(rows, n, k, src, this.#t.weight!.ptr, this.#t.weight_scale!.ptr, this.#t.bias?.ptr ?? 0, dst, ws, this.relu ? 0 : -Infinity, Infinity);
  }
  override tensors(): Record<string, Tensor> { return this.#t; }
  override meta(): Record<string, unknown> { return { relu: this.relu }; }
}

/**
 * 16-bit float weights (IEEE binary16 'f16' or bfloat16 'bf16', rounded to nearest even), f32
 * activations, half the f32 weight bytes: f16_gemm_f32 / bf16_gemm_f32 (the 16-bit GEMV row by row
 * below 8 rows, else f32_gemm widening the weights as it packs them).
 */
export class HalfLinearOp extends QOp {
  override readonly inDomain = 'f32';
  override readonly outDomain = 'f32';
  /** weight: the codes in the 16-bit kernels' 4-row panels (h16_pack); bias f32. */
  readonly #t: Record<string, Tensor>;
  readonly #n: number;
  readonly #k: number;
  /** w16: the weight's 16-bit codes [n, k]; bias f32 [n] or null. */
  constructor(name: string, inShape: readonly number[], n: number, readonly kind: 'f16' | 'bf16', w16: Uint16Array, bias: Float32Array | null, readonly relu: boolean) {
    super(name, inShape, [...inShape.slice(0, -1), n]);
    const k = inShape[inShape.length - 1]!;
    this.#n = n;
    this.#k = k;
    // The kernels read the codes in 4-row panels (h16_pack): one stream per 4 rows, finite f16 codes scaled
    // so that none is subnormal.
    const kern = kernels();
    const rowMajor = fromValues('HalfLinearOp', new Uint8Array(w16.buffer, w16.byteOffset, 2 * n * k), [2 * n * k], 'u8');
    const packed = empty('HalfLinearOp', [kern.h16_panels_bytes(n, k)], 'u8');
    kern.h16_pack(n, k, rowMajor.ptr, packed.ptr, kind === 'f16' ? 1 : 0);
    rowMajor.dispose();
    this.#t = {
      weight: keep(packed),
      ...(bias ? { bias: keep(fromValues('HalfLinearOp', bias, [n], 'f32')) } : {}),
    };
  }
  override workspaceBytes(m: number): number {
    return kernels().h16_gemm_workspace_bytes(this.linearRows(m), this.#n, this.#k);
  }
  run(m: number, src: number, dst: number, ws: number): void {
    const kern = kernels();
    const gemm = this.kind === 'f16' ? kern.f16_gemm_f32 : kern.bf16_gemm_f32;
    gemm(this.linearRows(m), this.#n, this.#k, src, this.#t.weight!.ptr, this.#t.bias?.ptr ?? 0, dst, ws, this.relu ? 0 : -Infinity, Infinity);
  }
  override tensors(): Record<string, Tensor> { return this.#t; }
  /** The file: the weight as F16 or BF16 [n, k] (row-major), the bias F32. */
  override entries(): Record<string, FileEntry> {
    const [n, k] = [this.#n, this.#k];
    const rowMajor = empty('HalfLinearOp.entries', [2 * n * k], 'u8');
    kernels().h16_unpack(n, k, this.#t.weight!.ptr, rowMajor.ptr);
    const bytes = rowMajor.toTypedArray() as Uint8Array; // a copy: the entry outlives the tensor
    rowMajor.dispose();
    return { weight: { dtype: this.kind === 'f16' ? 'F16' : 'BF16', shape: [n, k], bytes }, ...(this.#t.bias ? { bias: entryOf(this.#t.bias) } : {}) };
  }
  /** Bytes of the stored entries (the last panel's padding rows not counted). */
  override get byteLength(): number {
    return 2 * this.#n * this.#k + (this.#t.bias?.byteLength ?? 0);
  }
  override meta(): Record<string, unknown> { return { relu: this.relu }; }
}

/** An activation in f32. */
export class F32ActOp extends TensorOp {
  override readonly kind = 'act';
  constructor(name: string, shape: readonly number[], readonly fn: ActFn) { super(name, shape, shape); }
  forward(x: Tensor): Tensor { return ACTS[this.fn](x); }
  override meta(): Record<string, unknown> { return { fn: this.fn }; }
}

export type { PoolSpec } from './graph.js';

/** Max or average pooling in f32. */
export class F32PoolOp extends TensorOp {
  override readonly kind = 'pool';
  constructor(name: string, inShape: readonly number[], outShape: readonly number[], readonly spec: PoolSpec) { super(name, inShape, outShape); }
  forward(x: Tensor): Tensor {
    const s = this.spec;
    return s.pool === 'max' ? maxPool2d(x, s.kernel, { stride: s.stride, padding: s.padding }) : avgPool2d(x, s.kernel, { stride: s.stride, padding: s.padding, countIncludePad: s.countIncludePad });
  }
  override meta(): Record<string, unknown> { return { ...this.spec }; }
}

/** Any other module, run as it is (not saveable: its class is not known to the file format). */
export class ModuleOp extends TensorOp {
  override readonly kind = 'module';
  constructor(name: string, inShape: readonly number[], outShape: readonly number[], readonly module: Module) { super(name, inShape, outShape); }
  forward(x: Tensor): Tensor { return this.module.forward(x); }
  override meta(): Record<string, unknown> { throw new SlimError('INVALID_ARGUMENT', `save: layer '${this.name}' (${this.module.constructor.name}) stays f32 and its class cannot be stored in a quantized file`); }
  override dispose(): void {}
}
