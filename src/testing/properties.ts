// Property helpers: a compressed model against its original over an input distribution (max-abs
// error, top-1 agreement), and a quantizer's round trip against its step (|x̂ − x| ≤ scale/2 in range).
import fc from 'fast-check';
import { tensor } from '../tensor/create.js';
import { tidy } from '../tensor/scope.js';
import { Tensor } from '../tensor/tensor.js';
import { arbF32, type TensorSpec } from './arbitraries.js';
import { checkFunction, invalid, optionsOf } from '../errors.js';

/** Anything with a forward pass: a Module, a QuantizedModel, a QatModel, or a plain function. */
export type Forward = { forward(x: Tensor): Tensor } | ((x: Tensor) => Tensor);
export type ModelInput = Tensor | TensorSpec;

export interface AgreementReport {
  /** Inputs compared and output rows (top-1 decisions) over them. */
  samples: number;
  rows: number;
  /** The largest |original − compressed| over every output element (Infinity where only one is NaN). */
  maxAbsError: number;
  /** The fraction of rows whose argmax over the last axis agrees. */
  top1Agreement: number;
}

export interface AgreementOptions {
  /** The input distribution, e.g. arbTensorData({ shape: [16, 784], min: 0, max: 1 }). */
  inputs: fc.Arbitrary<ModelInput>;
  /** Every sample's outputs must stay within this of the original's (checked by fc.assert, which shrinks a failure). */
  maxAbsError?: number;
  /** The top-1 agreement over all samples must be at least this (0..1). */
  minTop1Agreement?: number;
  /** Samples drawn (default 50) and the seed (default 0: the same inputs every run). */
  numRuns?: number;
  seed?: number;
}

/** fc.check, throwing the property's own message first, then fast-check's report (seed, counterexample). */
function check<T extends unknown[]>(property: fc.IProperty<T>, numRuns: number, seed: number): void {
  const out = fc.check(property, { numRuns, seed });
  if (!out.failed) return;
  const inner = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
  throw new Error(`${inner}\n${fc.defaultReportMessage(out)}`, { cause: out.errorInstance });
}

const run = (m: Forward, x: Tensor) => (typeof m === 'function' ? m(x) : m.forward(x));

/** Throws INVALID_ARGUMENT unless `m` is a model (an object with forward()) or a function of a tensor. */
function checkForward(fn: string, arg: string, m: unknown): void {
  if (typeof m !== 'function' && (m === null || typeof m !== 'object' || typeof (m as { forward?: unknown }).forward !== 'function')) {
    invalid(fn, arg, 'a model with forward(x) or a function of a tensor', m);
  }
}
const asTensor = (x: ModelInput) => (x instanceof Tensor ? x : tensor(x.data, x.shape, x.dtype));

function compareOne(original: Forward, compressed: Forward, input: ModelInput): { maxAbsError: number; rows: number; agree: number } {
  return tidy(() => {
    const x = asTensor(input);
    const a = run(original, x);
    const b = run(compressed, x);
    if (a.shape.join() !== b.shape.join()) throw new Error(`compareModels: output shapes differ, [${a.shape}] vs [${b.shape}]`);
    const u = a.toTypedArray();
    const v = b.toTypedArray();
    let maxAbsError = 0;
    for (let i = 0; i < u.length; i++) {
      const d = u[i]! !== u[i]! && v[i]! !== v[i]! ? 0 : Math.abs(u[i]! - v[i]!);
      maxAbsError = d !== d ? Infinity : Math.max(maxAbsError, d);
    }
    const cols = a.shape[a.rank - 1] ?? 1;
    const rows = cols === 0 ? 0 : u.length / cols;
    const argmax = (t: ArrayLike<number>, r: number) => {
      let best = 0;
      for (let j = 1; j < cols; j++) if (t[r * cols + j]! > t[r * cols + best]!) best = j;
      return best;
    };
    let agree = 0;
    for (let r = 0; r < rows; r++) if (argmax(u, r) === argmax(v, r)) agree++;
    return { maxAbsError, rows, agree };
  });
}

/** Runs both models on every input (disposing what it creates) and measures how far they part. */
export function compareModels(original: Forward, compressed: Forward, inputs: Iterable<ModelInput>): AgreementReport {
  checkForward('compareModels', 'original', original);
  checkForward('compareModels', 'compressed', compressed);
  if (inputs == null || typeof (inputs as Partial<Iterable<ModelInput>>)[Symbol.iterator] !== 'function') invalid('compareModels', 'inputs', 'an iterable of inputs', inputs);
  let samples = 0, rows = 0, agree = 0, maxAbsError = 0;
  for (const x of inputs) {
    const r = compareOne(original, compressed, x);
    samples++;
    rows += r.rows;
    agree += r.agree;
    maxAbsError = Math.max(maxAbsError, r.maxAbsError);
  }
  return { samples, rows, maxAbsError, top1Agreement: rows === 0 ? 1 : agree / rows };
}

/**
 * Checks a compressed model against its original over an input distribution: every sample within
 * `maxAbsError` (a property; fast-check shrinks a failing input), and top-1 agreement over all
 * samples ≥ `minTop1Agreement`. Throws with the figures on failure; returns them otherwise.
 */
export function assertModelAgreement(original: Forward, compressed: Forward, options: AgreementOptions): AgreementReport {
  checkForward('assertModelAgreement', 'original', original);
  checkForward('assertModelAgreement', 'compressed', compressed);
  if (options === null || typeof options !== 'object' || typeof (options.inputs as { generate?: unknown } | undefined)?.generate !== 'function') invalid('assertModelAgreement', 'options', 'an object { inputs: an fc.Arbitrary of inputs, maxAbsError?, minTop1Agreement? }', options);
  const { inputs, maxAbsError, minTop1Agreement, numRuns = 50, seed = 0 } = options;
  if (maxAbsError !== undefined) {
    check(fc.property(inputs, (x) => {
      const err = compareOne(original, compressed, x).maxAbsError;
      if (!(err <= maxAbsError)) throw new Error(`max abs error ${err} > ${maxAbsError}`);
    }), numRuns, seed);
  }
  const report = compareModels(original, compressed, fc.sample(inputs, { numRuns, seed }));
  if (minTop1Agreement !== undefined && !(report.top1Agreement >= minTop1Agreement)) {
    throw new Error(`top-1 agreement ${report.top1Agreement.toFixed(4)} < ${minTop1Agreement} over ${report.rows} rows (${report.samples} samples; max abs error ${report.maxAbsError})`);
  }
  return report;
}

export interface QuantizerSpec {
  /** The step and the integer grid: x̂ ∈ {(q − zeroPoint)·scale : qmin ≤ q ≤ qmax}. */
  scale: number;
  zeroPoint?: number;
  qmin: number;
  qmax: number;
}

export interface QuantizerOptions { numRuns?: number; seed?: number; /** Values per call (default 64). */ length?: number }

/**
 * Checks a quantize→dequantize round trip (`roundTrip(x)` → x̂, elementwise, per-tensor params):
 * inside the representable range |x̂ − x| ≤ scale/2 (plus f32 rounding, 2⁻²²·(|x| + scale)); for
 * any finite input x̂ lies in the range. Inputs include the grid points and the ties between them.
 */
export function assertQuantizerError(roundTrip: (x: Float32Array) => ArrayLike<number>, spec: QuantizerSpec, options: QuantizerOptions = {}): void {
  options = optionsOf('assertQuantizerError', options, 'options');
  checkFunction('assertQuantizerError', 'roundTrip', roundTrip);
  if (spec === null || typeof spec !== 'object' || typeof spec.scale !== 'number' || typeof spec.qmin !== 'number' || typeof spec.qmax !== 'number') {
    invalid('assertQuantizerError', 'spec', 'an object { scale, qmin, qmax, zeroPoint? } of numbers', spec);
  }
  const { scale: s, qmin, qmax } = spec;
  const zp = spec.zeroPoint ?? 0;
  const lo = (qmin - zp) * s;
  const hi = (qmax - zp) * s;
  const inside = fc.oneof(
    arbF32({ min: Math.fround(lo) < lo ? lo + Math.abs(lo) * 2 ** -23 : lo, max: Math.fround(hi) > hi ? hi - Math.abs(hi) * 2 ** -23 : hi }),
    fc.integer({ min: qmin, max: qmax - 1 }).map((q) => Math.fround((q - zp + 0.5) * s)),
    fc.integer({ min: qmin, max: qmax }).map((q) => Math.fround((q - zp) * s)),
  ).filter((x) => x >= lo && x <= hi);
  const any = fc.oneof(inside, arbF32({ min: lo - 4 * (hi - lo) - 1, max: hi + 4 * (hi - lo) + 1 }));
  const n = options.length ?? 64;
  check(fc.property(fc.array(inside, { minLength: 1, maxLength: n }), fc.array(any, { minLength: 1, maxLength: n }), (xin, xany) => {
    const a = Float32Array.from(xin);
    const ya = roundTrip(a);
    for (let i = 0; i < a.length; i++) {
      const err = Math.abs(ya[i]! - a[i]!);
      if (!(err <= s / 2 + 2 ** -22 * (Math.abs(a[i]!) + s))) throw new Error(`|x̂ − x| = ${err} > scale/2 = ${s / 2} at x = ${a[i]} (x̂ = ${ya[i]})`);
    }
    const b = Float32Array.from(xany);
    const yb = roundTrip(b);
    const slack = 2 ** -22 * Math.max(Math.abs(lo), Math.abs(hi));
    for (let i = 0; i < b.length; i++) {
      if (!(yb[i]! >= lo - slack && yb[i]! <= hi + slack)) throw new Error(`x̂ = ${yb[i]} outside [${lo}, ${hi}] at x = ${b[i]}`);
    }
  }), options.numRuns ?? 100, options.seed ?? 0);
}
