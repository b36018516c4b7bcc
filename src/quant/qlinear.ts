// Quantized Linear layers for inference: int8 weights (symmetric, per output channel) with dynamic
// int8 activations, and int4 weight-only (group-wise). Weights are quantized and packed once.
import { noGrad } from '../autograd/tape.js';
import { f32View, kernels, scratch } from '../backend/binding.js';
import { SlimError, invalid } from '../errors.js';
import { add, mul } from '../ops/elementwise.js';
import { cast, concat, reshape } from '../ops/layout.js';
import { fromValues, zeros } from '../tensor/create.js';
import { keep, tidy } from '../tensor/scope.js';
import { numel, shapeString } from '../tensor/shape.js';
import { assertDType, assertTensor, empty, type Tensor } from '../tensor/tensor.js';
import { minMaxAlong, quantizeAffine } from './affine.js';
import { int4QParams, quantizeInt4 } from './int4.js';
import { qparamsFromMinMax } from './qparams.js';

function checkLinear(fn: string, weight: Tensor, bias?: Tensor | null): [number, number] {
  assertTensor(fn, 'weight', weight);
  assertDType(fn, 'weight', weight, 'f32');
  if (weight.rank !== 2) throw new SlimError('SHAPE_MISMATCH', `${fn}: weight must be [out, in], received ${shapeString(weight.shape)}`);
  const [n, k] = weight.shape as [number, number];
  if (bias != null) {
    assertTensor(fn, 'bias', bias);
    assertDType(fn, 'bias', bias, 'f32');
    if (bias.rank !== 1 || bias.shape[0] !== n) throw new SlimError('SHAPE_MISMATCH', `${fn}: bias must have shape [${n}], received ${shapeString(bias.shape)}`);
  }
  return [n, k];
}

/** Per-tensor affine int8 qparams of x from its min and max (torch's formulas), as dynamic quantization uses. */
/** @internal */
export function activationQParams(fn: string, x: Tensor): { scale: number; zeroPoint: number } {
  const kern = kernels();
  // Two floats in the kernel scratch, read through the memory view: no tensor, no new ArrayBuffer.
  const at = scratch(8);
  kern.f32_rmin(1, x.size, 1, x.ptr, at);
  kern.f32_rmax(1, x.size, 1, x.ptr, at + 4);
  const view = f32View();
  const lo = view[at >>> 2]!;
  const hi = view[(at >>> 2) + 1]!;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    throw new SlimError('INVALID_ARGUMENT', `${fn}: x must be finite to be quantized, received min ${lo} and max ${hi}`);
  }
  const qp = qparamsFromMinMax(lo, hi, { dtype: 'int8' });
  return { scale: qp.scale[0]!, zeroPoint: qp.zeroPoint[0]! };
}

/** @internal Rows of x (all dims but the last, which must be k). */
export function checkInput(fn: string, x: Tensor, k: number): number {
  assertTensor(fn, 'x', x);
  assertDType(fn, 'x', x, 'f32');
  if (x.rank === 0 || x.shape[x.rank - 1] !== k) throw new SlimError('SHAPE_MISMATCH', `${fn}: x's last dim must equal the layer's in-features ${k}, received x ${shapeString(x.shape)}`);
  return numel(x.shape.slice(0, -1));
}

/** A Linear's weight as int8, symmetric per output channel (scale_j = max|W_j|/127.5), packed for the qs8 kernels. */
export class Int8Linear {
  readonly outFeatures: number;
  readonly inFeatures: number;
  /** qs8_pack_weights output: row sums then the weights in 8-row panels. */
  readonly packed: Tensor<'u8'>;
  readonly weightScale: Tensor<'f32'>;
  readonly bias: Tensor<'f32'> | null;

  constructor(weight: Tensor, bias?: Tensor | null) {
    const fn = 'Int8Linear';
    const [n, k] = checkLinear(fn, weight, bias);
    const w = weight.toTypedArray() as Float32Array;
    const { min, max } = minMaxAlong(w, [n, k], { axis: 0 });
    const qp = qparamsFromMinMax(min, max, { dtype: 'int8', symmetric: true });
    const q = quantizeAffine(w, [n, k], { ...qp, axis: 0 }) as Int8Array;
    const kern = kernels();
    const qw = fromValues(fn, q, [n, k], 'i8');
    this.packed = keep(empty(fn, [kern.qs8_packed_weights_bytes(n, k)], 'u8'));
    kern.qs8_pack_weights(n, k, qw.ptr, this.packed.ptr);
    qw.dispose();
    this.weightScale = keep(fromValues(fn, qp.scale, [n], 'f32'));
    this.bias = bias == null ? null : keep(noGrad(() => reshape(bias, [n])) as Tensor<'f32'>);
    this.outFeatures = n;
    this.inFeatures = k;
  }

  /** Bytes a saved layer needs: int8 weights, f32 scales and bias (the packed buffer's row sums are derived at load). */
  get byteLength(): number {
    return this.outFeatures * this.inFeatures + this.weightScale.byteLength + (this.bias?.byteLength ?? 0);
  }

  /**
   * y = x·Ŵᵀ + b with x quantized per call to int8 (affine, per tensor, torch's qparams from its
   * min/max), int8×int8→int32 in the kernel, then y = f32(acc)·f32(scale_x·scale_w[j]) + b[j].
   */
  forward(x: Tensor): Tensor<'f32'> {
    const fn = 'Int8Linear.forward';
    const m = checkInput(fn, x, this.inFeatures);
    const n = this.outFeatures;
    const k = this.inFeatures;
    const outShape = [...x.shape.slice(0, -1), n];
    if (m === 0) return empty(fn, outShape, 'f32');
    const { scale: sx, zeroPoint: zx } = activationQParams(fn, x);
    const kern = kernels();
    const xq = empty(fn, x.shape, 'i8');
    kern.f32_qs8_vcvt(x.size, x.ptr, xq.ptr, sx, zx);
    try {
      if (m === 1) {
        const out = empty(fn, outShape, 'f32');
        kern.qs8_gemv_f32out(n, k, xq.ptr, zx, this.packed.ptr, this.bias?.ptr ?? 0, out.ptr, sx, this.weightScale.ptr);
        return out;
      }
      return tidy(() => {
        const acc = empty(fn, [m, n], 'i32');
        kern.qs8_gemm_i32(m, n, k, xq.ptr, zx, this.packed.ptr, 0, acc.ptr, scratch(kern.qs8_gemm_workspace_bytes(m, n, k)));
        // y = f32(acc)·f32(scale_x·scale_w[j]) + b[j]: the GEMV's epilogue, rounding for rounding.
        const colScale = fromValues(fn, Float32Array.from(this.weightScale.toTypedArray(), (s) => Math.fround(sx * s)), [n], 'f32');
        const y = mul(cast(acc, 'f32'), colScale);
        return reshape(this.bias ? add(y, this.bias) : y, outShape) as Tensor<'f32'>;
      });
    } finally {
      xq.dispose();
    }
  }

  dispose(): void {
    this.packed.dispose();
    this.weightScale.dispose();
    this.bias?.dispose();
  }
}

/**
 * A Linear's weight as int4, symmetric per group of `groupSize` inputs (q ∈ [−8, 7], scale =
 * max|W_group|/7.5), two per byte; activations stay f32 (weight-only), unpacked in the kernel.
 */
export class Int4Linear {
  readonly outFeatures: number;
  readonly inFeatures: number;
  readonly groupSize: number;
  /** [out, ⌈in/g⌉·g/2] bytes: q + 8 in each nibble, the low nibble the even input. */
  readonly packed: Tensor<'u8'>;
  /** [out, ⌈in/g⌉] f32. */
  readonly scales: Tensor<'f32'>;
  readonly bias: Tensor<'f32'> | null;

  constructor(weight: Tensor, bias?: Tensor | null, options: { groupSize?: 32 | 64 | 128 } = {}) {
    const fn = 'Int4Linear';
    const [n, k] = checkLinear(fn, weight, bias);
    const g = options.groupSize ?? 32;
    if (g !== 32 && g !== 64 && g !== 128) invalid(fn, 'groupSize', '32, 64 or 128', g);
    const w = weight.toTypedArray() as Float32Array;
    const params = int4QParams(w, [n, k], { groupSize: g, symmetric: true });
    // quantizeInt4 stores two's-complement nibbles; the kernels read q + 8: flip each nibble's top bit.
    const nibbles = quantizeInt4(w, [n, k], params).map((b) => b ^ 0x88);
    const padded = Math.ceil(k / g) * g;
    this.packed = keep(fromValues(fn, nibbles, [n, padded / 2], 'u8'));
    this.scales = keep(fromValues(fn, params.scale, [n, padded / g], 'f32'));
    this.bias = bias == null ? null : keep(noGrad(() => reshape(bias, [n])) as Tensor<'f32'>);
    this.outFeatures = n;
    this.inFeatures = k;
    this.groupSize = g;
  }

  get byteLength(): number {
    return this.packed.byteLength + this.scales.byteLength + (this.bias?.byteLength ?? 0);
  }

  /** y = x·Ŵᵀ + b with Ŵ = (q − 8)·scale_group, in f32; x is zero-padded to whole groups. */
  forward(x: Tensor): Tensor<'f32'> {
    const fn = 'Int4Linear.forward';
    const m = checkInput(fn, x, this.inFeatures);
    const n = this.outFeatures;
    const g = this.groupSize;
    const padded = this.packed.shape[1]! * 2;
    const out = empty(fn, [...x.shape.slice(0, -1), n], 'f32');
    if (m === 0) return out;
    const xp = padded === this.inFeatures ? x : noGrad(() => concat([reshape(x, [m, this.inFeatures]), zeros([m, padded - this.inFeatures])], 1));
    const kern = kernels();
    if (m === 1) kern.q4_gemv_f32(n, padded, g, xp.ptr, this.packed.ptr, this.scales.ptr, this.bias?.ptr ?? 0, out.ptr);
    else kern.q4_gemm_f32(m, n, padded, g, xp.ptr, this.packed.ptr, this.scales.ptr, this.bias?.ptr ?? 0, out.ptr);
    if (xp !== x) xp.dispose();
    return out;
  }

  dispose(): void {
    this.packed.dispose();
    this.scales.dispose();
    this.bias?.dispose();
  }
}
