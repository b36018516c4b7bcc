// Per-layer sensitivity (quantize one layer, keep the rest f32, measure the damage) and mixed
// precision (f32 / int8 / int4 per layer under a size budget, least damage first).
import { noGrad } from '../autograd/tape.js';
import { SlimError, invalid, optionsOf } from '../errors.js';
import { argmax } from '../ops/reduce.js';
import { tidy } from '../tensor/scope.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';
import { fold, type Folded, type WeightUnit } from './graph.js';
import { buildQuantized, withEval, type PreparedModel, type PreparedUnit } from './ptq.js';
import type { LayerQuantConfig, QuantizationConfig, WeightDType } from './qconfig.js';
import type { QuantizedModel } from './qmodel.js';

export interface HeldOut {
  /** f32 inputs [batch, ...]. */
  x: Tensor;
  /** i32 class labels [batch], for accuracy; optional. */
  y?: Tensor;
}

export interface LayerSensitivity {
  name: string;
  type: string;
  dtype: 'int8' | 'int4';
  /** Mean squared error of the model's output against f32, only this layer quantized. */
  mse: number;
  /** Signal-to-quantization-noise ratio of the output, dB. */
  sqnrDb: number;
  /** Top-1 accuracy with only this layer quantized, and the f32 accuracy minus it (when labels are given). */
  accuracy?: number;
  accuracyDrop?: number;
  /** Stored bytes of this layer as f32 and quantized. */
  bytesF32: number;
  bytes: number;
}

const accuracyOf = (out: Tensor, y: Tensor): number => tidy(() => {
  const pred = argmax(out, -1).toTypedArray();
  const labels = y.toTypedArray();
  let hit = 0;
  for (let i = 0; i < labels.length; i++) hit += pred[i] === labels[i] ? 1 : 0;
  return labels.length ? hit / labels.length : 0;
});

function checkData(fn: string, data: HeldOut): void {
  if (data === null || typeof data !== 'object') invalid(fn, 'data', 'an object { x, y? }', data);
  assertTensor(fn, 'data.x', data.x);
  if (data.y !== undefined) assertTensor(fn, 'data.y', data.y);
}

type WeightsOf = (u: WeightUnit) => Folded;

/** fold() memoized for one analysis: every candidate model it builds reuses each layer's folded weights. */
function foldOnce(): WeightsOf {
  const cache = new Map<WeightUnit, Folded>();
  return (u) => {
    let f = cache.get(u);
    if (!f) cache.set(u, (f = fold(u)));
    return f;
  };
}

/** Builds the model with `dtypes[name]` for each weight layer (f32 where absent). */
function build(prepared: PreparedModel, dtypes: Record<string, WeightDType>, weightsOf: WeightsOf): QuantizedModel {
  const pus: PreparedUnit[] = prepared.units.map((pu) => {
    if (pu.unit.kind !== 'linear' && pu.unit.kind !== 'conv') return pu;
    return { ...pu, config: { ...pu.config, dtype: dtypes[pu.unit.name] ?? 'f32', mode: 'static' } };
  });
  const iq = prepared.inputObserver.qparams();
  return buildQuantized(pus, prepared.inShape!, { scale: iq.scale[0]!, zeroPoint: iq.zeroPoint[0]! }, weightsOf, { method: 'ptq-mixed' }, prepared.quantizeOutput);
}

function ready(fn: string, prepared: PreparedModel, data: HeldOut): void {
  if (!prepared?.inShape) throw new SlimError('INVALID_ARGUMENT', `${fn}: run calibration batches through prepared.forward(x) first`);
  checkData(fn, data);
}

/**
 * Each weight layer quantized alone (int8 static and, for Linear, int4 weight-only), the rest f32:
 * the output error and the accuracy drop on a held-out batch, worst first.
 */
export function sensitivity(prepared: PreparedModel, data: HeldOut, options: { dtypes?: ('int8' | 'int4')[] } = {}): LayerSensitivity[] {
  options = optionsOf('sensitivity', options, 'options');
  ready('sensitivity', prepared, data);
  return measure(prepared, data, options.dtypes ?? ['int8', 'int4'], foldOnce());
}

function measure(prepared: PreparedModel, data: HeldOut, dtypes: readonly ('int8' | 'int4')[], weightsOf: WeightsOf): LayerSensitivity[] {
  const ref = withEval(prepared.model, () => noGrad(() => prepared.model.forward(data.x)));
  try {
    const refVals = ref.toTypedArray() as Float32Array;
    const signal = refVals.reduce((s, v) => s + v * v, 0);
    const refAcc = data.y ? accuracyOf(ref, data.y) : undefined;
    const out: LayerSensitivity[] = [];
    for (const pu of prepared.units) {
      const u = pu.unit;
      if (u.kind !== 'linear' && u.kind !== 'conv') continue;
      const wbytes = u.layer.weight.size;
      const n = u.layer.weight.shape[0]!;
      for (const dtype of dtypes) {
        if (dtype === 'int4' && u.kind === 'conv') continue;
        const qm = build(prepared, { [u.name]: dtype }, weightsOf);
        try {
          const y = qm.forward(data.x);
          const vals = y.toTypedArray() as Float32Array;
          let err = 0;
          for (let i = 0; i < vals.length; i++) err += (vals[i]! - refVals[i]!) ** 2;
          const acc = data.y ? accuracyOf(y, data.y) : undefined;
          y.dispose();
          const layerBytes = qm.ops.find((op) => op.name === u.name)?.byteLength ?? 0;
          out.push({
            name: u.name, type: u.type, dtype, mse: err / Math.max(vals.length, 1),
            sqnrDb: err === 0 ? Infinity : 10 * Math.log10(signal / err),
            ...(acc !== undefined ? { accuracy: acc, accuracyDrop: refAcc! - acc } : {}),
            bytesF32: 4 * (wbytes + n), bytes: layerBytes,
          });
        } finally {
          qm.dispose();
        }
      }
    }
    return out.sort((a, b) => (b.accuracyDrop ?? 0) - (a.accuracyDrop ?? 0) || b.mse - a.mse);
  } finally {
    ref.dispose();
  }
}

export interface MixedPrecisionResult {
  /** The per-layer choice, as a config for prepare(). */
  config: QuantizationConfig;
  choice: Record<string, WeightDType>;
  model: QuantizedModel;
  bytes: number;
  sensitivities: LayerSensitivity[];
}

/**
 * f32, int8 or int4 per weight layer so the stored weights fit `budgetBytes`, greedily taking the
 * step (f32 → int8 → int4) with the least output error per byte saved, from the per-layer
 * sensitivities (errors assumed additive).
 */
export function mixedPrecision(prepared: PreparedModel, data: HeldOut, options: { budgetBytes: number }): MixedPrecisionResult {
  const fn = 'mixedPrecision';
  ready(fn, prepared, data);
  const budget = options?.budgetBytes;
  if (typeof budget !== 'number' || !(budget > 0)) invalid(fn, 'options.budgetBytes', 'a positive number of bytes', budget);
  const weightsOf = foldOnce();
  const sens = measure(prepared, data, ['int8', 'int4'], weightsOf);
  const layers = [...new Set(sens.map((s) => s.name))];
  const steps = new Map(layers.map((name) => {
    const s = sens.filter((e) => e.name === name);
    const f32 = s[0]!.bytesF32;
    const opts: { dtype: WeightDType; bytes: number; loss: number }[] = [{ dtype: 'f32', bytes: f32, loss: 0 }];
    for (const d of ['int8', 'int4'] as const) {
      const e = s.find((x) => x.dtype === d);
      if (e) opts.push({ dtype: d, bytes: e.bytes, loss: e.mse });
    }
    return [name, opts.sort((a, b) => b.bytes - a.bytes)];
  }));
  const level = new Map(layers.map((l) => [l, 0]));
  const total = () => layers.reduce((s, l) => s + steps.get(l)![level.get(l)!]!.bytes, 0);
  const step = () => {
    let best: string | null = null;
    let bestCost = Infinity;
    for (const l of layers) {
      const opts = steps.get(l)!;
      const i = level.get(l)!;
      if (i + 1 >= opts.length) continue;
      const saved = opts[i]!.bytes - opts[i + 1]!.bytes;
      const cost = (opts[i + 1]!.loss - opts[i]!.loss) / Math.max(saved, 1);
      if (saved > 0 && cost < bestCost) [best, bestCost] = [l, cost];
    }
    if (best === null) {
      throw new SlimError('INVALID_ARGUMENT', `${fn}: options.budgetBytes must be at least ${total()} bytes (every layer at its smallest format), received ${budget}`);
    }
    level.set(best, level.get(best)! + 1);
  };
  while (total() > budget) step();
  const choose = () => Object.fromEntries(layers.map((l) => [l, steps.get(l)![level.get(l)!]!.dtype]));
  // Quantize/dequantize parameters and activation tables add a few bytes the layer sizes miss: step on until the model fits.
  let model = build(prepared, choose(), weightsOf);
  while (model.byteLength > budget) {
    model.dispose();
    step();
    model = build(prepared, choose(), weightsOf);
  }
  const choice = choose();
  const byName: Record<string, LayerQuantConfig> = Object.fromEntries(layers.map((l) => [l, { dtype: choice[l]! }]));
  return { config: { byName, ...(prepared.quantizeOutput ? { quantizeOutput: true } : {}) }, choice, model, bytes: model.byteLength, sensitivities: sens };
}
