// Scale and zero point from an observed range, as torch.ao.quantization computes them
// (UniformQuantizationObserverBase._calculate_qparams with utils.calculate_qmin_qmax).
// torch holds min, max, scale and eps in f32 tensors: every intermediate it keeps in one is rounded
// here with Math.fround right after the f64 operation (exact for + − × ÷, since f64 carries more
// than 2·24 + 2 bits), so the results equal torch's bit for bit.
import { SlimError, checkNumber, describe, invalid, optionsOf } from '../errors.js';

export type QDType = 'int8' | 'uint8';

/** x̂ = (q − zeroPoint)·scale with q ∈ [qmin, qmax]: one (scale, zeroPoint) per tensor, channel (`axis`) or group (`axis`, `groupSize`). */
export interface QParams {
  dtype: QDType;
  scale: Float32Array;
  zeroPoint: Int32Array;
  qmin: number;
  qmax: number;
  axis?: number;
  groupSize?: number;
}

export interface QParamsOptions {
  /** Default 'uint8' (torch's quint8). */
  dtype?: QDType;
  /** Default false (torch's per_tensor_affine / per_channel_affine). */
  symmetric?: boolean;
  /** Halves the range: int8 −64..63, uint8 0..127 (x86 vpmaddubsw headroom). */
  reduceRange?: boolean;
  /** Smallest scale; default 2^-23 = torch.finfo(torch.float32).eps. */
  eps?: number;
  /** A customized range (torch's quant_min / quant_max), e.g. −8..7 for int4 or −127..127; must include 0. */
  quantMin?: number;
  quantMax?: number;
}

/** The validated form of QParamsOptions. */
export interface QuantConfig {
  dtype: QDType;
  symmetric: boolean;
  reduceRange: boolean;
  eps: number;
  qmin: number;
  qmax: number;
  /** A customized range was given (changes the symmetric uint8 zero point, as in torch). */
  custom: boolean;
}

/** torch.finfo(torch.float32).eps = 2^-23. */
export const F32_EPS = 1.1920928955078125e-7;

const DTYPE_RANGE: Readonly<Record<QDType, readonly [number, number]>> = { int8: [-128, 127], uint8: [0, 255] };

/** Nearest integer, ties to even (torch.round, numpy.round, f32x4.nearest). */
export function roundHalfEven(x: number): number {
  checkNumber('roundHalfEven', 'x', x);
  const r = Math.round(x); // ties toward +∞
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** The full range of a quantized dtype: int8 [−128, 127], uint8 [0, 255]. */
export function dtypeRange(dtype: QDType): readonly [number, number] {
  if (dtype !== 'int8' && dtype !== 'uint8') invalid('dtypeRange', 'dtype', "'int8' or 'uint8'", dtype);
  return DTYPE_RANGE[dtype];
}

const int = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v);

/** Validates options and resolves the quant range (torch's calculate_qmin_qmax). */
export function resolveQuantConfig(fn: string, opts: QParamsOptions = {}): QuantConfig {
  if (opts === null || typeof opts !== 'object') invalid(fn, 'options', 'an object', opts);
  const { dtype = 'uint8', symmetric = false, reduceRange = false, eps = F32_EPS, quantMin, quantMax } = opts;
  if (dtype !== 'int8' && dtype !== 'uint8') invalid(fn, 'dtype', "'int8' or 'uint8'", dtype);
  if (typeof symmetric !== 'boolean') invalid(fn, 'symmetric', 'a boolean', symmetric);
  if (typeof reduceRange !== 'boolean') invalid(fn, 'reduceRange', 'a boolean', reduceRange);
  if (typeof eps !== 'number' || !(eps > 0) || !Number.isFinite(eps)) invalid(fn, 'eps', 'a finite number > 0', eps);
  const [lo, hi] = DTYPE_RANGE[dtype];
  const custom = quantMin !== undefined || quantMax !== undefined;
  let qmin = lo;
  let qmax = hi;
  if (custom) {
    if (!int(quantMin) || quantMin < lo || quantMin > 0) invalid(fn, 'quantMin', `an integer in [${lo}, 0] for ${dtype}`, quantMin);
    if (!int(quantMax) || quantMax < 0 || quantMax > hi || quantMax <= quantMin) invalid(fn, 'quantMax', `an integer in [0, ${hi}] above quantMin for ${dtype}`, quantMax);
    qmin = quantMin;
    qmax = quantMax;
    if (reduceRange) [qmin, qmax] = [Math.floor(qmin / 2), Math.floor(qmax / 2)];
    if (qmax <= qmin) invalid(fn, 'quantMax', 'wide enough to stay above quantMin once reduceRange halves both', quantMax);
  } else if (reduceRange) {
    [qmin, qmax] = dtype === 'int8' ? [-64, 63] : [0, 127];
  }
  if (reduceRange && symmetric && dtype === 'uint8') {
    throw new SlimError('INVALID_ARGUMENT', `${fn}: reduceRange must be false for symmetric uint8 (torch raises "Cannot reduce range for symmetric quantization for quint8"), received true`);
  }
  return { dtype, symmetric, reduceRange, eps, qmin, qmax, custom };
}

/**
 * torch's _calculate_qparams, vectorized: min ← min(min, 0), max ← max(max, 0); symmetric:
 * scale = max(−min, max) / ((qmax − qmin)/2), zp = 0 (int8) or 128 (uint8; ⌊(qmin+qmax)/2⌋ for a
 * customized range); affine: scale = (max − min)/(qmax − qmin), zp = clamp(qmin − round(min/scale));
 * then scale = max(scale, eps). A scalar min = +∞, max = −∞ (nothing observed) gives scale 1, zp 0.
 */
export function qparamsFromMinMax(min: number | ArrayLike<number>, max: number | ArrayLike<number>, opts: QParamsOptions = {}): QParams {
  const fn = 'qparamsFromMinMax';
  opts = optionsOf(fn, opts, 'opts');
  const cfg = resolveQuantConfig(fn, opts);
  const scalar = typeof min === 'number';
  if (scalar !== (typeof max === 'number')) invalid(fn, 'max', `a ${scalar ? 'number' : 'array'} like min`, max);
  const lo: ArrayLike<number> = scalar ? [min] : (min as ArrayLike<number>);
  const hi: ArrayLike<number> = scalar ? [max as number] : (max as ArrayLike<number>);
  if (!scalar && (lo?.length === undefined || hi?.length === undefined)) invalid(fn, lo?.length === undefined ? 'min' : 'max', 'a number or an array of numbers', lo?.length === undefined ? min : max);
  if (lo.length !== hi.length) {
    throw new SlimError('SHAPE_MISMATCH', `${fn}: min and max must have the same length, received ${lo.length} and ${hi.length}`);
  }
  const n = lo.length;
  const scale = new Float32Array(n);
  const zeroPoint = new Int32Array(n);
  const out: QParams = { dtype: cfg.dtype, scale, zeroPoint, qmin: cfg.qmin, qmax: cfg.qmax };
  if (scalar && lo[0] === Infinity && hi[0] === -Infinity) {
    scale[0] = 1; // torch: "must run observer before calling calculate_qparams", default values
    return out;
  }
  const symZp = cfg.dtype === 'int8' ? 0 : cfg.custom ? Math.floor((cfg.qmin + cfg.qmax) / 2) : 128;
  for (let i = 0; i < n; i++) {
    const a = lo[i]!;
    const b = hi[i]!;
    const at = scalar ? '' : `[${i}]`;
    if (typeof a !== 'number' || !Number.isFinite(a)) invalid(fn, `min${at}`, 'a finite number', a);
    if (typeof b !== 'number' || !Number.isFinite(b)) invalid(fn, `max${at}`, 'a finite number', b);
    if (!(a <= b)) throw new SlimError('INVALID_ARGUMENT', `${fn}: min${at} must be ≤ max${at}, received min ${describe(a)} and max ${describe(b)}`);
    scale[i] = rangeScale(a, b, cfg);
    zeroPoint[i] = cfg.symmetric ? symZp : rangeZeroPoint(a, scale[i]!, cfg);
  }
  return out;
}

/** @internal qparamsFromMinMax's scale for one finite range min ≤ max, under a resolved config. */
export function rangeScale(min: number, max: number, cfg: QuantConfig): number {
  const minNeg = Math.min(Math.fround(min), 0);
  const maxPos = Math.max(Math.fround(max), 0);
  const eps = Math.fround(cfg.eps);
  // (qmax − qmin)/2 is exact in f32: torch's float(quant_max − quant_min) / 2.
  if (cfg.symmetric) return Math.max(Math.fround(Math.max(-minNeg, maxPos) / ((cfg.qmax - cfg.qmin) / 2)), eps);
  return Math.max(Math.fround(Math.fround(maxPos - minNeg) / (cfg.qmax - cfg.qmin)), eps);
}

/** @internal qparamsFromMinMax's affine zero point for a range starting at min, with its scale. */
export function rangeZeroPoint(min: number, scale: number, cfg: QuantConfig): number {
  const minNeg = Math.min(Math.fround(min), 0);
  return Math.min(Math.max(cfg.qmin - roundHalfEven(Math.fround(minNeg / scale)), cfg.qmin), cfg.qmax);
}
