// The quantized storage formats as data (ggml-style traits): bits, block size, bytes per block, how
// scales are stored, a scalar reference codec (`quantizeRef` / `dequantizeRef`) and a named error
// budget per format. Fast paths (wasm kernels) are tested against the `_ref` codecs and budgets here.
//   int8 / uint8    affine.ts: 1 byte per element + one f32 scale and one 1-byte zero point per slot
//                   (per tensor, channel or group; the ref codec is per-tensor: int8 symmetric, uint8 affine).
//   int4-gN         int4.ts, symmetric q ∈ [−8, 7]: blocks of N along the last axis = N/2 bytes + f32 scale.
//   uint4-gN        int4.ts, asymmetric q ∈ [0, 15]: N/2 bytes + f32 scale + 1-byte zero point.
//   f16 / bf16      io/float16.ts, 2 bytes little-endian per element, RNE.
//   fp8-e4m3 / -e5m2  fp8.ts (OCP OFP8), 1 byte per element, RNE, saturating.
// The plain casts (f16, bf16, fp8) have wasm fast paths on tensors in cast.ts, bit for bit these codecs.
import { SlimError, invalid, optionsOf } from '../errors.js';
import { bf16BitsToF32, f16BitsToF32, f32ToBf16Bits, f32ToF16Bits } from '../io/float16.js';
import { checkShape, numel, type Shape } from '../tensor/shape.js';
import { dequantizeAffine, minMaxAlong, paramLayout, quantizeAffine } from './affine.js';
import { decodeE4M3, decodeE5M2, encodeE4M3, encodeE5M2 } from './fp8.js';
import { dequantizeInt4, int4Layout, int4QParams, quantizeInt4 } from './int4.js';
import { qparamsFromMinMax, type QDType } from './qparams.js';

export type FormatName =
  | 'int8' | 'uint8'
  | 'int4-g32' | 'int4-g64' | 'int4-g128'
  | 'uint4-g32' | 'uint4-g64' | 'uint4-g128'
  | 'f16' | 'bf16' | 'fp8-e4m3' | 'fp8-e5m2';

/** A quantized tensor as stored: the codes (`data`) plus its scales and zero points. */
export interface Encoded {
  format: FormatName;
  shape: number[];
  data: Uint8Array;
  scale?: Float32Array;
  /** Kept for dequantization; stored (counted in packedBytes) unless `symmetric`. */
  zeroPoint?: Int32Array;
  symmetric?: boolean;
}

/** |x̂ − x| ≤ step·scale inside the representable range (affine), or ≤ max(rel·|x|, abs) inside the finite range (floats). */
export interface ErrorBudget {
  readonly name: string;
  readonly step?: number;
  readonly rel?: number;
  readonly abs?: number;
}

/** The named budgets: half a quantization step, or the unit roundoff 2^-(mantissa bits + 1) and half the smallest subnormal. */
export const ERROR_BUDGETS = {
  AFFINE_HALF_STEP: { name: 'AFFINE_HALF_STEP', step: 0.5 },
  F16_ROUNDOFF: { name: 'F16_ROUNDOFF', rel: 0.00048828125, abs: 2.9802322387695312e-8 }, // 2^-11, 2^-25
  BF16_ROUNDOFF: { name: 'BF16_ROUNDOFF', rel: 0.00390625, abs: 4.591774807899561e-41 }, // 2^-8, 2^-134
  E4M3_ROUNDOFF: { name: 'E4M3_ROUNDOFF', rel: 0.0625, abs: 0.0009765625 }, // 2^-4, 2^-10
  E5M2_ROUNDOFF: { name: 'E5M2_ROUNDOFF', rel: 0.125, abs: 7.62939453125e-6 }, // 2^-3, 2^-17
} as const satisfies Record<string, ErrorBudget>;

export interface FormatTraits {
  readonly name: FormatName;
  /** Bits per stored element. */
  readonly bits: number;
  /** Elements per block: the scale group of int4, 1 elsewhere. */
  readonly blockSize: number;
  /** Stored bytes per block, including the block's scale and zero point when `params` is 'per-block'. */
  readonly bytesPerBlock: number;
  readonly signed: boolean;
  readonly symmetricOnly?: boolean;
  /** 'per-block': in every block; 'per-slot': per tensor/channel/group as chosen; 'none': a plain cast. */
  readonly params: 'per-block' | 'per-slot' | 'none';
  readonly scaleBytes: number;
  readonly zeroPointBytes: number;
  readonly quantizeRef: (x: Float32Array, shape: Shape) => Encoded;
  readonly dequantizeRef: (e: Encoded) => Float32Array;
  readonly errorBudget: ErrorBudget;
}

function affineRow(name: 'int8' | 'uint8'): FormatTraits {
  const dtype: QDType = name;
  const symmetric = name === 'int8'; // torch's defaults: qint8 symmetric weights, quint8 affine activations
  return {
    name, bits: 8, blockSize: 1, bytesPerBlock: 1, signed: name === 'int8', params: 'per-slot', scaleBytes: 4, zeroPointBytes: 1,
    quantizeRef(x, shape) {
      const { min, max } = minMaxAlong(x, shape);
      const qp = x.length === 0 ? qparamsFromMinMax(Infinity, -Infinity, { dtype }) : qparamsFromMinMax(min, max, { dtype, symmetric });
      const q = quantizeAffine(x, shape, qp);
      return { format: name, shape: checkShape(name, 'shape', shape), data: new Uint8Array(q.buffer), scale: qp.scale, zeroPoint: qp.zeroPoint, symmetric };
    },
    dequantizeRef: (e) => dequantizeAffine(name === 'int8' ? new Int8Array(e.data.buffer, e.data.byteOffset, e.data.length) : e.data, e.shape, { dtype, scale: e.scale!, zeroPoint: e.zeroPoint! }),
    errorBudget: ERROR_BUDGETS.AFFINE_HALF_STEP,
  };
}

function int4Row(g: 32 | 64 | 128, symmetric: boolean): FormatTraits {
  const name = `${symmetric ? 'int4' : 'uint4'}-g${g}` as FormatName;
  return {
    name, bits: 4, blockSize: g, bytesPerBlock: g / 2 + 4 + (symmetric ? 0 : 1), signed: symmetric, symmetricOnly: symmetric, params: 'per-block',
    scaleBytes: 4, zeroPointBytes: symmetric ? 0 : 1,
    quantizeRef(x, shape) {
      const p = int4QParams(x, shape, { groupSize: g, symmetric });
      return { format: name, shape: checkShape(name, 'shape', shape), data: quantizeInt4(x, shape, p), scale: p.scale, zeroPoint: p.zeroPoint, symmetric };
    },
    dequantizeRef: (e) => dequantizeInt4(e.data, e.shape, { symmetric, groupSize: g, scale: e.scale!, zeroPoint: e.zeroPoint }),
    errorBudget: ERROR_BUDGETS.AFFINE_HALF_STEP,
  };
}

function half(name: 'f16' | 'bf16'): FormatTraits {
  const [enc, dec] = name === 'f16' ? [f32ToF16Bits, f16BitsToF32] : [f32ToBf16Bits, bf16BitsToF32];
  return {
    name, bits: 16, blockSize: 1, bytesPerBlock: 2, signed: true, params: 'none', scaleBytes: 0, zeroPointBytes: 0,
    quantizeRef(x, shape) {
      const data = new Uint8Array(x.length * 2);
      for (let i = 0; i < x.length; i++) {
        const h = enc(x[i]!);
        data[2 * i] = h & 0xff;
        data[2 * i + 1] = h >>> 8;
      }
      return { format: name, shape: checkShape(name, 'shape', shape), data };
    },
    dequantizeRef(e) {
      const out = new Float32Array(e.data.length >> 1);
      for (let i = 0; i < out.length; i++) out[i] = dec(e.data[2 * i]! | (e.data[2 * i + 1]! << 8));
      return out;
    },
    errorBudget: name === 'f16' ? ERROR_BUDGETS.F16_ROUNDOFF : ERROR_BUDGETS.BF16_ROUNDOFF,
  };
}

function fp8(name: 'fp8-e4m3' | 'fp8-e5m2'): FormatTraits {
  const e4 = name === 'fp8-e4m3';
  return {
    name, bits: 8, blockSize: 1, bytesPerBlock: 1, signed: true, params: 'none', scaleBytes: 0, zeroPointBytes: 0,
    quantizeRef: (x, shape) => ({ format: name, shape: checkShape(name, 'shape', shape), data: e4 ? encodeE4M3(x) : encodeE5M2(x) }),
    dequantizeRef: (e) => (e4 ? decodeE4M3(e.data) : decodeE5M2(e.data)),
    errorBudget: e4 ? ERROR_BUDGETS.E4M3_ROUNDOFF : ERROR_BUDGETS.E5M2_ROUNDOFF,
  };
}

/** One row per stored format: the traits table every packed layout is described by. */
export const FORMATS: Readonly<Record<FormatName, FormatTraits>> = {
  int8: affineRow('int8'),
  uint8: affineRow('uint8'),
  'int4-g32': int4Row(32, true),
  'int4-g64': int4Row(64, true),
  'int4-g128': int4Row(128, true),
  'uint4-g32': int4Row(32, false),
  'uint4-g64': int4Row(64, false),
  'uint4-g128': int4Row(128, false),
  f16: half('f16'),
  bf16: half('bf16'),
  'fp8-e4m3': fp8('fp8-e4m3'),
  'fp8-e5m2': fp8('fp8-e5m2'),
};

export function isFormatName(x: unknown): x is FormatName {
  return typeof x === 'string' && Object.prototype.hasOwnProperty.call(FORMATS, x);
}

/** Stored bytes of a `shape` tensor in `format`: codes + scales + zero points (int8/uint8 slots per `gran`, default per-tensor; `symmetric` stores no zero point). */
export function packedBytes(format: FormatName, shape: Shape, gran: { axis?: number; groupSize?: number; symmetric?: boolean } = {}): number {
  const fn = 'packedBytes';
  gran = optionsOf(fn, gran, 'granularity');
  if (!isFormatName(format)) invalid(fn, 'format', `one of ${Object.keys(FORMATS).join(', ')}`, format);
  const t = FORMATS[format];
  const dims = checkShape(fn, 'shape', shape);
  if (t.params === 'none') return (numel(dims) * t.bits) / 8;
  if (t.params === 'per-block') {
    const { rows, groups } = int4Layout(fn, dims, t.blockSize);
    return rows * groups * t.bytesPerBlock;
  }
  const { count } = paramLayout(fn, dims, gran);
  return numel(dims) * t.bytesPerBlock + count * (t.scaleBytes + (gran.symmetric ? 0 : t.zeroPointBytes));
}

/** Stored bytes of an Encoded tensor by its format's traits (equals packedBytes for what the ref codecs produce). */
export function encodedBytes(e: Encoded): number {
  if (!isFormatName(e?.format)) throw new SlimError('INVALID_ARGUMENT', `encodedBytes: e.format must be a format name, received ${String(e?.format)}`);
  const t = FORMATS[e.format];
  const zps = e.symmetric || !e.zeroPoint ? 0 : e.zeroPoint.length * t.zeroPointBytes;
  return e.data.length + (e.scale?.length ?? 0) * t.scaleBytes + zps;
}
