// Quantization config: what each layer becomes, set by default, per layer type and per layer name
// (name wins over type, type over default), as torch.ao's QConfigMapping without its machinery.
import { invalid } from '../errors.js';
import { HistogramObserver, PercentileObserver } from './hist-observers.js';
import type { Observer } from './observer-base.js';
import { MinMaxObserver, MovingAverageMinMaxObserver } from './observers.js';

/**
 * 'int8': int8 weights; 'int4': int4 weight-only (group-wise, Linear only); 'f16' / 'bf16': the weight
 * rounded to IEEE half or bfloat16, f32 activations (Linear only); 'f32': left as it is.
 */
export type WeightDType = 'int8' | 'int4' | 'f16' | 'bf16' | 'f32';
/**
 * int8 layers: 'static' (int8 activations with calibrated qparams), 'dynamic' (activations quantized
 * per call) or 'weight-only' (f32 activations, for memory-bound layers); the last two are for Linear.
 */
export type QuantMode = 'static' | 'dynamic' | 'weight-only';
export type ActivationObserver = 'minmax' | 'moving-average' | 'histogram' | 'histogram-mse' | 'percentile';

export interface LayerQuantConfig {
  /** Default 'int8'. */
  dtype?: WeightDType;
  /** Default 'static'. */
  mode?: QuantMode;
  /** Weight scales: 'per-channel' (default, one per output channel) or 'per-tensor'. int4 is always per group. */
  granularity?: 'per-channel' | 'per-tensor';
  /** int4 group size along the reduction axis: 32 (default), 64 or 128. */
  groupSize?: 32 | 64 | 128;
  /** Symmetric weights (zero point 0); default true, the only form the int8 kernels take. */
  symmetric?: boolean;
  /** Activation observer for static int8; default 'minmax'. Or a factory of any Observer. */
  observer?: ActivationObserver | (() => Observer);
  /** Activation range: asymmetric (default) or symmetric. */
  activationSymmetric?: boolean;
  /** Halve the int8 range (torch's reduce_range); default false. */
  reduceRange?: boolean;
}

export interface QuantizationConfig {
  default?: LayerQuantConfig;
  /** By layer class name: 'Linear', 'Conv2d'. */
  byType?: Record<string, LayerQuantConfig>;
  /** By dotted layer name, e.g. '4' or 'features.0'. */
  byName?: Record<string, LayerQuantConfig>;
  /**
   * Quantize the model's output to int8 before the final dequantize (torch.ao's pipeline). Default false,
   * as NNCF's quantize_outputs and TensorRT: the last weight layer, when static int8, writes f32 from its
   * int32 sums (y = f32(acc)·f32(s_x·s_w[j]) + b[j]) and what follows it runs in f32; forward() returns
   * f32 either way, and rounding logits to an int8 grid only loses accuracy.
   */
  quantizeOutput?: boolean;
}

const MODEL_KEYS = ['default', 'byType', 'byName', 'quantizeOutput'];

/** Validates the model-level part of a config; returns quantizeOutput (default false). */
export function resolveModelConfig(fn: string, config: QuantizationConfig | undefined): { quantizeOutput: boolean } {
  const c = config ?? {};
  if (c === null || typeof c !== 'object') invalid(fn, 'config', 'an object', c);
  for (const k of Object.keys(c)) if (!MODEL_KEYS.includes(k)) invalid(fn, `config.${k}`, `one of ${MODEL_KEYS.join(', ')} (an unknown option)`, k);
  for (const k of ['byType', 'byName'] as const) if (c[k] !== undefined && (c[k] === null || typeof c[k] !== 'object')) invalid(fn, `config.${k}`, 'an object of layer configs', c[k]);
  const quantizeOutput = c.quantizeOutput ?? false;
  if (typeof quantizeOutput !== 'boolean') invalid(fn, 'config.quantizeOutput', 'a boolean', quantizeOutput);
  return { quantizeOutput };
}

export type ResolvedLayerConfig = Required<Omit<LayerQuantConfig, 'observer'>> & { observer: ActivationObserver | (() => Observer) };

const DEFAULTS: ResolvedLayerConfig = {
  dtype: 'int8', mode: 'static', granularity: 'per-channel', groupSize: 32, symmetric: true,
  observer: 'minmax', activationSymmetric: false, reduceRange: false,
};

const CHOICES: Record<string, readonly unknown[]> = {
  dtype: ['int8', 'int4', 'f16', 'bf16', 'f32'], mode: ['static', 'dynamic', 'weight-only'], granularity: ['per-channel', 'per-tensor'],
  groupSize: [32, 64, 128], symmetric: [true], activationSymmetric: [true, false], reduceRange: [true, false],
  observer: ['minmax', 'moving-average', 'histogram', 'histogram-mse', 'percentile'],
};

function check(fn: string, where: string, c: LayerQuantConfig | undefined): LayerQuantConfig {
  if (c === undefined) return {};
  if (c === null || typeof c !== 'object') invalid(fn, where, 'an object', c);
  for (const [k, v] of Object.entries(c)) {
    const choices = CHOICES[k];
    if (!choices) invalid(fn, `${where}.${k}`, `one of ${Object.keys(CHOICES).join(', ')} (an unknown option)`, k);
    if (k === 'observer' && typeof v === 'function') continue;
    if (v !== undefined && !choices.includes(v)) {
      const hint = k === 'symmetric' ? ' (the int8 kernels take symmetric weights only)' : '';
      invalid(fn, `${where}.${k}`, `one of ${choices.map((x) => JSON.stringify(x)).join(', ')}${hint}`, v);
    }
  }
  return c;
}

/** The effective config of one layer. */
export function resolveLayerConfig(fn: string, config: QuantizationConfig | undefined, name: string, type: string): ResolvedLayerConfig {
  const c = config ?? {};
  if (c === null || typeof c !== 'object') invalid(fn, 'config', 'an object', c);
  return {
    ...DEFAULTS,
    ...check(fn, 'config.default', c.default),
    ...check(fn, `config.byType.${type}`, c.byType?.[type]),
    ...check(fn, `config.byName['${name}']`, c.byName?.[name]),
  } as ResolvedLayerConfig;
}

/** A fresh activation observer for int8 (asymmetric unless asked). */
export function makeActivationObserver(c: ResolvedLayerConfig): Observer {
  if (typeof c.observer === 'function') return c.observer();
  const opts = { dtype: 'int8' as const, symmetric: c.activationSymmetric, reduceRange: c.reduceRange };
  switch (c.observer) {
    case 'minmax': return new MinMaxObserver(opts);
    case 'moving-average': return new MovingAverageMinMaxObserver(opts);
    case 'histogram': return new HistogramObserver({ ...opts, method: 'entropy' });
    case 'histogram-mse': return new HistogramObserver({ ...opts, method: 'mse' });
    case 'percentile': return new PercentileObserver(opts);
  }
}
