// Quantized Linear layers for inference: int8 weights (symmetric, per output channel) with dynamic
// int8 activations, and int4 weight-only (group-wise). Weights are quantized and packed once.
import { noGrad } from '../autograd/tape.js';
import { f32View, kernels, scratch } from '../backend/binding.js';
import { SlimError, invalid, optionsOf } from '../errors.js';
import { reshape } from '../ops/layout.js';
import { fromValues } from '../tensor/create.js';
import { keep } from '../tensor/scope.js';
import { numel, shapeString } from '../tensor/shape.js';
import { assertDType, assertTensor, empty, Tensor } from '../tensor/tensor.js';
import { minMaxAlong, quantizeAffine } from './affine.js';
import { int4QParams, quantizeInt4, unpackInt4 } from './int4.js';
import { q4PackedBytes, q4PackWeights } from './qkernels-ref.js';
import { qparamsFromMinMax, rangeScale, rangeZeroPoint, resolveQuantConfig } from './qparams.js';

const align16 = (n: number) => (n + 15) & ~15;

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

/** Weights already quantized: q [out, in] (int8, or int4 values in [−8, 7]) with their scales. */
export interface QuantizedWeights {
  q: Int8Array;
  shape: readonly [number, number];
  /** [out] for int8 (symmetric per channel); [out, ⌈in/groupSize⌉] for int4. */
  scale: Float32Array;
}

function checkQuantized(fn: string, w: QuantizedWeights, bias: Tensor | null | undefined, groups: number): [number, number] {
  if (w === null || typeof w !== 'object' || !(w.q instanceof Int8Array) || !(w.scale instanceof Float32Array) || !Array.isArray(w.shape)) {
    invalid(fn, 'weight', 'an f32 Tensor or { q: Int8Array, shape: [out, in], scale: Float32Array }', w);
  }
  const [n, k] = w.shape;
  if (!(Number.isInteger(n) && Number.isInteger(k) && n > 0 && k > 0) || w.q.length !== n * k) {
    throw new SlimError('SHAPE_MISMATCH', `${fn}: weight.q must hold shape [${w.shape}] = ${n * k} values, received ${w.q.length}`);
  }
  if (w.scale.length !== n * groups) throw new SlimError('SHAPE_MISMATCH', `${fn}: weight.scale must have ${n * groups} entries, received ${w.scale.length}`);
  if (bias != null) {
    assertTensor(fn, 'bias', bias);
    assertDType(fn, 'bias', bias, 'f32');
    if (bias.rank !== 1 || bias.shape[0] !== n) throw new SlimError('SHAPE_MISMATCH', `${fn}: bias must have shape [${n}], received ${shapeString(bias.shape)}`);
  }
  return [n, k];
}

/** torch's per-tensor affine int8 range, which dynamic quantization uses. */
const DYNAMIC_INT8 = resolveQuantConfig('activationQParams', { dtype: 'int8' });

/**
 * @internal Per-tensor affine int8 qparams of `count` floats at ptr from their min and max (torch's
 * formulas), as dynamic quantization uses; `at`: 8 bytes of workspace for the two floats.
 */
export function rawActivationQParams(fn: string, ptr: number, count: number, at: number): { scale: number; zeroPoint: number } {
  kernels().f32_minmax(count, ptr, at);
  const view = f32View();
  const lo = view[at >>> 2]!;
  const hi = view[(at >>> 2) + 1]!;
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    throw new SlimError('INVALID_ARGUMENT', `${fn}: x must be finite to be quantized, received min ${lo} and max ${hi}`);
  }
  const scale = rangeScale(lo, hi, DYNAMIC_INT8);
  return { scale, zeroPoint: rangeZeroPoint(lo, scale, DYNAMIC_INT8) };
}

/** @internal Per-tensor affine int8 qparams of x from its min and max (torch's formulas), as dynamic quantization uses. */
export function activationQParams(fn: string, x: Tensor): { scale: number; zeroPoint: number } {
  return rawActivationQParams(fn, x.ptr, x.size, scratch(8));
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

  /** From f32 weights [out, in], or from int8 weights already quantized (e.g. read from a file). */
  constructor(weight: Tensor | QuantizedWeights, bias?: Tensor | null) {
    const fn = 'Int8Linear';
    const [n, k] = weight instanceof Tensor ? checkLinear(fn, weight, bias) : checkQuantized(fn, weight, bias, 1);
    let q: Int8Array;
    let scale: Float32Array;
    if (weight instanceof Tensor) {
      const w = weight.toTypedArray() as Float32Array;
      const { min, max } = minMaxAlong(w, [n, k], { axis: 0 });
      const qp = qparamsFromMinMax(min, max, { dtype: 'int8', symmetric: true });
      q = quantizeAffine(w, [n, k], { ...qp, axis: 0 }) as Int8Array;
      scale = qp.scale;
    } else {
      q = weight.q;
      scale = weight.scale;
    }
    const kern = kernels();
    const qw = fromValues(fn, q, [n, k], 'i8');
    this.packed = keep(empty(fn, [kern.qs8_packed_weights_bytes(n, k)], 'u8'));
    kern.qs8_pack_weights(n, k, qw.ptr, this.packed.ptr);
    qw.dispose();
    this.weightScale = keep(fromValues(fn, scale, [n], 'f32'));
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
    const out = empty(fn, [...x.shape.slice(0, -1), this.outFeatures], 'f32');
    if (m === 0) return out;
    try {
      this.run(fn, m, x.ptr, out.ptr, scratch(this.workspaceBytes(m)));
    } catch (e) {
      out.dispose();
      throw e;
    }
    return out;
  }

  /** @internal Workspace of run() for m rows: x as int8, its min and max, the GEMM's own. */
  workspaceBytes(m: number): number {
    return align16(m * this.inFeatures) + 16 + kernels().qs8_gemm_workspace_bytes(m, this.outFeatures, this.inFeatures);
  }

  /** @internal forward on raw pointers: m rows of f32 x at src → f32 y at dst (ws: workspaceBytes(m), 16-byte aligned). */
  run(fn: string, m: number, src: number, dst: number, ws: number): void {
    const n = this.outFeatures;
    const k = this.inFeatures;
    const xq = ws + 16;
    const { scale: sx, zeroPoint: zx } = rawActivationQParams(fn, src, m * k, ws);
    const kern = kernels();
    kern.f32_qs8_vcvt(m * k, src, xq, sx, zx);
    const bias = this.bias?.ptr ?? 0;
    if (m === 1) kern.qs8_gemv_f32out(n, k, xq, zx, this.packed.ptr, bias, dst, sx, this.weightScale.ptr);
    else kern.qs8_gemm_f32out(m, n, k, xq, zx, this.packed.ptr, bias, dst, sx, this.weightScale.ptr, xq + align16(m * k));
  }

  dispose(): void {
    this.packed.dispose();
    this.weightScale.dispose();
    this.bias?.dispose();
  }
}

/**
 * A Linear's weight as int4, symmetric per group of `groupSize` inputs (q ∈ [−8, 7], scale =
 * max|W_group|/7.5), two per byte. Each call quantizes x to int8 per group of inputs (scale
 * max|x_group|/127, as ggml's Q8_0), takes exact integer dot products per group, and combines
 * them in f32 with the two scales.
 */
export class Int4Linear {
  readonly outFeatures: number;
  readonly inFeatures: number;
  readonly groupSize: number;
  /** [⌈out/4⌉·4, ⌈in/g⌉·g/2] bytes in the q4 kernels' layout (q4PackWeights: rows in panels of 4). */
  readonly packed: Tensor<'u8'>;
  /** [⌈out/4⌉·4, ⌈in/g⌉] f32, panels of 4 rows per group (q4PackWeights). */
  readonly scales: Tensor<'f32'>;
  readonly bias: Tensor<'f32'> | null;

  /** From f32 weights [out, in], or from int4 values already quantized (q ∈ [−8, 7], scales [out, ⌈in/g⌉]). */
  constructor(weight: Tensor | QuantizedWeights, bias?: Tensor | null, options: { groupSize?: 32 | 64 | 128 } = {}) {
    const fn = 'Int4Linear';
    options = optionsOf(fn, options);
    const g = options.groupSize ?? 32;
    if (g !== 32 && g !== 64 && g !== 128) invalid(fn, 'groupSize', '32, 64 or 128', g);
    const [n, k] = weight instanceof Tensor ? checkLinear(fn, weight, bias) : checkQuantized(fn, weight, bias, Math.ceil(((weight as QuantizedWeights | null)?.shape?.[1] ?? 0) / g));
    const padded = Math.ceil(k / g) * g;
    let q: Int8Array;
    let scale: Float32Array;
    if (weight instanceof Tensor) {
      const w = weight.toTypedArray() as Float32Array;
      const params = int4QParams(w, [n, k], { groupSize: g, symmetric: true });
      q = unpackInt4(quantizeInt4(w, [n, k], params), n * padded, true) as Int8Array;
      scale = params.scale;
    } else {
      q = new Int8Array(n * padded);
      for (let j = 0; j < n; j++) {
        for (let p = 0; p < k; p++) {
          const v = weight.q[j * k + p]!;
          if (v < -8 || v > 7) invalid(fn, `weight.q[${j * k + p}]`, 'an int4 value in [−8, 7]', v);
          q[j * padded + p] = v;
        }
      }
      scale = weight.scale;
    }
    const bytes = q4PackedBytes(n, padded, g);
    const w4 = new Uint8Array(bytes.w4);
    const scales = new Float32Array(bytes.scales / 4);
    q4PackWeights(n, padded, g, q, scale, w4, scales);
    const np = Math.ceil(n / 4) * 4;
    this.packed = keep(fromValues(fn, w4, [np, padded / 2], 'u8'));
    this.scales = keep(fromValues(fn, scales, [np, padded / g], 'f32'));
    this.bias = bias == null ? null : keep(noGrad(() => reshape(bias, [n])) as Tensor<'f32'>);
    this.outFeatures = n;
    this.inFeatures = k;
    this.groupSize = g;
  }

  get byteLength(): number {
    return this.packed.byteLength + this.scales.byteLength + (this.bias?.byteLength ?? 0);
  }

  /** y = Σ_g f32(Σ_{p in g} q·xq)·(scale_group·scale_x) + b (assembly/q4-gemv), x zero-padded to whole groups. */
  forward(x: Tensor): Tensor<'f32'> {
    const fn = 'Int4Linear.forward';
    const m = checkInput(fn, x, this.inFeatures);
    const n = this.outFeatures;
    const g = this.groupSize;
    const k = this.inFeatures;
    const out = empty(fn, [...x.shape.slice(0, -1), n], 'f32');
    if (m === 0) return out;
    // The kernel zero-pads each x row to whole groups in its workspace.
    const kern = kernels();
    const ws = scratch(kern.q4_workspace_bytes(m, k, g));
    if (m === 1) kern.q4_gemv_f32(n, k, g, x.ptr, this.packed.ptr, this.scales.ptr, this.bias?.ptr ?? 0, out.ptr, ws);
    else kern.q4_gemm_f32(m, n, k, g, x.ptr, this.packed.ptr, this.scales.ptr, this.bias?.ptr ?? 0, out.ptr, ws);
    return out;
  }

  dispose(): void {
    this.packed.dispose();
    this.scales.dispose();
    this.bias?.dispose();
  }
}
