// The Observer contract (torch.ao.quantization's ObserverBase without its Module machinery):
// update(x) folds a batch into bounded statistics, qparams() turns them into scale/zero point for
// the configured dtype, granularity and symmetry, state()/fromState() round-trip through JSON.
import { SlimError, describe, invalid } from '../errors.js';
import { assertDType, assertTensor, type Tensor } from '../tensor/tensor.js';
import { resolveQuantConfig, type QParams, type QParamsOptions, type QuantConfig } from './qparams.js';

/** dtype ('uint8' default, as torch), symmetric, reduceRange, eps (2^-23), quantMin/quantMax. */
export type ObserverConfig = QParamsOptions;

/** A number in JSON: finite ones as numbers, ±Infinity and NaN as strings. */
export type JsonNumber = number | 'Infinity' | '-Infinity' | 'NaN';

/** JSON-serializable observer state: `kind` names the class, `config` its constructor options. */
export interface ObserverState {
  kind: string;
  version: 1;
  config: Record<string, unknown>;
  [stat: string]: unknown;
}

export const toJsonNumber = (x: number): JsonNumber => (Number.isFinite(x) ? x : x > 0 ? 'Infinity' : x < 0 ? '-Infinity' : 'NaN');

export function fromJsonNumber(fn: string, arg: string, v: unknown): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  if (v === 'NaN') return NaN;
  return invalid(fn, arg, "a finite number or 'Infinity', '-Infinity', 'NaN'", v);
}

export abstract class Observer {
  /** The class's name in state().kind (a literal, so it survives minification). */
  static readonly kind: string = 'Observer';
  readonly kind: string;
  /** The validated quantization config (dtype, symmetry, resolved qmin/qmax, eps). */
  readonly config: QuantConfig;
  /** Constructor options with defaults filled in: what state() records. */
  protected readonly options: Record<string, unknown>;

  protected constructor(options: ObserverConfig) {
    const fn = (this.kind = (new.target as unknown as typeof Observer).kind);
    if (options === null || typeof options !== 'object') invalid(fn, 'config', 'an object', options);
    this.config = resolveQuantConfig(fn, options);
    const { dtype, symmetric, reduceRange, eps, custom } = this.config;
    const extra = custom ? { quantMin: options.quantMin, quantMax: options.quantMax } : {};
    this.options = { ...(options as Record<string, unknown>), dtype, symmetric, reduceRange, eps, ...extra };
  }

  /** Folds the batch `x` (an f32 tensor) into the statistics. */
  abstract update(x: Tensor): void;
  /** Scale and zero point for the statistics so far (scale 1, zero point 0 before any data, as torch). */
  abstract qparams(): QParams;
  /** The statistics and config as plain JSON. */
  abstract state(): ObserverState;
  /** Forgets every statistic. */
  abstract reset(): void;

  /** Validates `x` and returns a copy of its elements. */
  protected read(fn: string, x: Tensor): Float32Array {
    assertTensor(fn, 'x', x);
    assertDType(fn, 'x', x, 'f32');
    return x.toTypedArray() as Float32Array;
  }

  protected header(): ObserverState {
    return { kind: this.kind, version: 1, config: { ...this.options } };
  }
}

/** Checks a state's kind, version and config object; returns the config for the constructor. */
export function checkState(fn: string, json: unknown, kind: string): ObserverState {
  if (json === null || typeof json !== 'object') invalid(fn, 'state', `an object from ${kind}.state()`, json);
  const s = json as ObserverState;
  if (s.kind !== kind) throw new SlimError('INVALID_ARGUMENT', `${fn}: state.kind must be ${JSON.stringify(kind)}, received ${describe(s.kind)}`);
  if (s.version !== 1) invalid(fn, 'state.version', '1', s.version);
  if (s.config === null || typeof s.config !== 'object') invalid(fn, 'state.config', 'an object', s.config);
  return s;
}

/** Reads a JSON array of numbers (with JsonNumber strings) of an expected length. */
export function fromJsonArray(fn: string, arg: string, v: unknown, length?: number): number[] {
  if (!Array.isArray(v) || (length !== undefined && v.length !== length)) invalid(fn, arg, `an array${length === undefined ? '' : ` of ${length}`} numbers`, v);
  return v.map((x, i) => fromJsonNumber(fn, `${arg}[${i}]`, x));
}
