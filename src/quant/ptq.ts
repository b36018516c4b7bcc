// Post-training quantization: prepare(model, config) inserts observers, calibration batches run
// through prepared.forward(x), convert(prepared) builds the integer model (torch.ao's eager flow).
import { noGrad } from '../autograd/tape.js';
import { SlimError, optionsOf } from '../errors.js';
import { Module } from '../nn/module.js';
import { fromValues } from '../tensor/create.js';
import { tidy } from '../tensor/scope.js';
import { shapeString } from '../tensor/shape.js';
import { assertDType, assertTensor, type Tensor } from '../tensor/tensor.js';
import { minMaxAlong, quantizeAffine, quantizeScalar } from './affine.js';
import { fold, pairOf, poolSpec, runFloat, units, type Folded, type Unit, type WeightUnit } from './graph.js';
import { int4QParams } from './int4.js';
import type { Observer } from './observer-base.js';
import { makeActivationObserver, resolveLayerConfig, resolveModelConfig, type QuantizationConfig, type ResolvedLayerConfig } from './qconfig.js';
import { DynInt8LinearOp, WeightOnlyInt8LinearOp, F32ActOp, F32PoolOp, F32WeightOp, f16Biases, f16Scales, HalfLinearOp, Int4LinearOp, ModuleOp } from './qfloat.js';
import { castFormat } from './cast.js';
import { QuantizedModel } from './qmodel.js';
import { DequantizeOp, LutOp, QConv2dOp, QLinearOp, QMaxPool2dOp, QuantizeOp, type ActQParams, type ConvGeometry, type QOp } from './qops.js';
import { qparamsFromMinMax } from './qparams.js';
import type { Conv2d } from '../nn/layers.js';

export interface PreparedUnit {
  readonly unit: Unit;
  readonly config: ResolvedLayerConfig;
  /** Observes the unit's output (null where qparams pass through: Flatten, MaxPool2d). */
  readonly observer: Observer | null;
  inShape: number[] | null;
  outShape: number[] | null;
}

/** Runs fn with every module of `model` in eval mode, then restores each one's mode. */
export function withEval<T>(model: Module, fn: () => T): T {
  const modes = model.namedModules().map(([, m]) => [m, m.training] as const);
  model.eval();
  try {
    return fn();
  } finally {
    for (const [m, t] of modes) m.training = t;
  }
}

/** A model with observers: forward(x) runs it in f32 (eval, no grad) and records activation ranges. */
export class PreparedModel extends Module {
  readonly units: readonly PreparedUnit[];
  readonly inputObserver: Observer;
  /** config.quantizeOutput (default false). */
  readonly quantizeOutput: boolean;
  inShape: number[] | null = null;
  batches = 0;

  constructor(readonly model: Module, readonly config: QuantizationConfig = {}) {
    super();
    optionsOf('PreparedModel', config, 'config');
    const fn = 'prepare';
    this.quantizeOutput = resolveModelConfig(fn, config).quantizeOutput;
    this.units = units(fn, model).map((unit) => {
      const c = resolveLayerConfig(fn, config, unit.name, unit.type);
      if (unit.kind === 'conv' && c.dtype !== 'f32' && (c.dtype !== 'int8' || c.mode !== 'static')) {
        throw new SlimError('INVALID_ARGUMENT', `${fn}: layer '${unit.name}' (Conv2d) can be static int8 or f32; int4, f16, bf16, weight-only and dynamic int8 are for Linear layers, received dtype '${c.dtype}', mode '${c.mode}'`);
      }
      const passThrough = unit.kind === 'flatten' || unit.kind === 'maxpool';
      return { unit, config: c, observer: passThrough ? null : makeActivationObserver(c), inShape: null, outShape: null };
    });
    const first = this.units[0];
    this.inputObserver = makeActivationObserver(first?.config ?? resolveLayerConfig(fn, config, '', ''));
  }

  /** The model's f32 output; every observer folds in the batch. */
  forward(x: Tensor): Tensor {
    const fn = 'PreparedModel.forward';
    assertTensor(fn, 'x', x);
    assertDType(fn, 'x', x, 'f32');
    const sample = x.shape.slice(1);
    if (x.rank < 2) throw new SlimError('SHAPE_MISMATCH', `${fn}: x must be [batch, ...], received ${shapeString(x.shape)}`);
    if (this.inShape && (sample.length !== this.inShape.length || sample.some((d, i) => d !== this.inShape![i]))) {
      throw new SlimError('SHAPE_MISMATCH', `${fn}: every calibration batch must be [batch, ${this.inShape}], received ${shapeString(x.shape)}`);
    }
    const out = withEval(this.model, () => noGrad(() => tidy(() => {
      this.inputObserver.update(x);
      let h = x;
      for (const pu of this.units) {
        pu.inShape = h.shape.slice(1);
        h = runFloat(pu.unit, h);
        pu.outShape = h.shape.slice(1);
        pu.observer?.update(h);
      }
      return h;
    })));
    this.inShape = sample;
    this.batches++;
    return out;
  }
}

/** Inserts observers on the activations of `model` (not mutated); weights are observed at convert(). */
export function prepare(model: Module, config: QuantizationConfig = {}): PreparedModel {
  config = optionsOf('prepare', config, 'config');
  return new PreparedModel(model, config);
}

const qp0 = (obs: Observer): ActQParams => {
  const q = obs.qparams();
  return { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0]! };
};

/** int8 symmetric weights of a folded unit, per output channel or per tensor. */
function int8Weights(f: Folded, perChannel: boolean): { q: Int8Array; scale: Float32Array } {
  const n = f.shape[0]!;
  const shape = [n, f.weight.length / n];
  const { min, max } = minMaxAlong(f.weight, shape, perChannel ? { axis: 0 } : {});
  const qp = qparamsFromMinMax(min, max, { dtype: 'int8', symmetric: true });
  return { q: quantizeAffine(f.weight, shape, perChannel ? { ...qp, axis: 0 } : qp) as Int8Array, scale: qp.scale };
}

/** int4 symmetric per group, scales rounded to f16 first (what the file stores). */
export function int4Weights(f: Folded, groupSize: number): { q: Int8Array; scale: Float32Array } {
  const [n, k] = [f.shape[0]!, f.weight.length / f.shape[0]!];
  const scale = f16Scales(int4QParams(f.weight, [n, k], { groupSize, symmetric: true }).scale);
  const groups = Math.ceil(k / groupSize);
  const q = new Int8Array(n * k);
  for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) q[j * k + p] = quantizeScalar(f.weight[j * k + p]!, scale[j * groups + Math.floor(p / groupSize)]!, 0, -8, 7);
  return { q, scale };
}

/** Widens an output range so that every requantization multiplier scale_x·scale_w/scale_y is < 1. */
function requantizable(out: ActQParams, sx: number, ws: Float32Array): ActQParams {
  const need = sx * ws.reduce((a, b) => Math.max(a, b), 0);
  if (need < out.scale * (1 - 2 ** -20)) return out;
  const f = (need / out.scale) * (1 + 2 ** -10);
  const q = qparamsFromMinMax((-128 - out.zeroPoint) * out.scale * f, (127 - out.zeroPoint) * out.scale * f, { dtype: 'int8' });
  return { scale: q.scale[0]!, zeroPoint: q.zeroPoint[0]! };
}

const convGeometry = (c: Conv2d): ConvGeometry => {
  const [kh, kw] = c.weight.shape.slice(2) as [number, number];
  const [sh, sw] = pairOf(c.options.stride);
  const [ph, pw] = pairOf(c.options.padding);
  const [dh, dw] = pairOf(c.options.dilation);
  return { kh, kw, sh, sw, ph, pw, dh, dw };
};


/**
 * The integer model of a calibrated PreparedModel: int8 weights (per channel by default), int8
 * activations with the observed qparams, int32 bias, fixed-point requantization with ReLU fused;
 * f32, int4 weight-only and dynamic int8 layers where the config says so; quantize and dequantize
 * ops where the domain changes.
 */
export function convert(prepared: PreparedModel): QuantizedModel {
  const fn = 'convert';
  if (!(prepared instanceof PreparedModel)) throw new SlimError('INVALID_ARGUMENT', `${fn}: prepared must be a PreparedModel from prepare() or prepareQat(), received ${prepared === null ? 'null' : typeof prepared}`);
  if (prepared.batches === 0 || !prepared.inShape) throw new SlimError('INVALID_ARGUMENT', `${fn}: run at least one calibration batch through prepared.forward(x) first`);
  return buildQuantized(prepared.units, prepared.inShape, qp0(prepared.inputObserver), (u) => fold(u), { method: 'ptq' }, prepared.quantizeOutput);
}

/**
 * @internal The unit that writes the model's output in f32 when quantizeOutput is false: the last
 * weight unit, if it is static int8 (else −1: the output is already f32 from there on).
 */
export function f32OutputUnit(us: readonly { unit: Unit; config: ResolvedLayerConfig }[], quantizeOutput: boolean): number {
  if (quantizeOutput) return -1;
  for (let i = us.length - 1; i >= 0; i--) {
    const { unit: u, config: c } = us[i]!;
    if (u.kind === 'linear' || u.kind === 'conv') return c.dtype === 'int8' && c.mode === 'static' ? i : -1;
  }
  return -1;
}

/** @internal Shared by PTQ and QAT: the op plan of calibrated units. */
export function buildQuantized(
  pus: readonly PreparedUnit[], inShape: number[], inputQ: ActQParams,
  weightsOf: (u: WeightUnit) => Folded, info: Record<string, unknown>, quantizeOutput: boolean,
  weightQ?: (u: WeightUnit, f: Folded, c: ResolvedLayerConfig) => { q: Int8Array; scale: Float32Array },
): QuantizedModel {
  const f32Out = f32OutputUnit(pus, quantizeOutput);
  const ops: QOp[] = [];
  let q: ActQParams | null = null; // non-null while activations are int8
  let cur = inputQ; // qparams of the tensor flowing between units
  let shape = inShape;
  const toI8 = (name: string) => {
    if (!q) ops.push(new QuantizeOp(`${name}.quantize_input`, shape, (q = cur)));
    return q;
  };
  const toF32 = (name: string) => {
    if (q) ops.push(new DequantizeOp(`${name}.dequantize_input`, shape, q));
    q = null;
  };
  const layers: Record<string, string> = {};
  for (const [i, pu] of pus.entries()) {
    const { unit: u, config: c } = pu;
    const outShape = pu.outShape ?? shape;
    const obsQ = pu.observer ? qp0(pu.observer) : cur;
    switch (u.kind) {
      case 'linear':
      case 'conv': {
        const f = weightsOf(u);
        const n = f.shape[0]!;
        const relu = u.relu;
        if (c.dtype === 'int8' && c.mode === 'static') {
          const input = toI8(u.name);
          const w = weightQ ? weightQ(u, f, c) : int8Weights(f, c.granularity === 'per-channel');
          const output = i === f32Out ? null : requantizable(obsQ, input.scale, w.scale);
          const p = { weight: w.q, weightScale: w.scale, bias: f.bias, input, output, relu };
          ops.push(u.kind === 'conv' ? new QConv2dOp(u.name, shape, n, convGeometry(u.layer as Conv2d), p) : new QLinearOp(u.name, shape, n, p));
          q = output;
          layers[u.name] = `int8-static-${c.granularity}${output ? '' : '-f32-output'}`;
        } else {
          toF32(u.name);
          if (c.dtype === 'f32') {
            ops.push(new F32WeightOp(u.name, shape, outShape, f.weight, f.shape, f.bias, relu, u.kind === 'conv' ? convGeometry(u.layer as Conv2d) : null));
          } else if (c.dtype === 'f16' || c.dtype === 'bf16') {
            ops.push(new HalfLinearOp(u.name, shape, n, c.dtype, halfCodes(where(u.name), f.weight, c.dtype), f.bias, relu));
          } else {
            const bias = fromValues(where(u.name), c.dtype === 'int4' ? f16Biases(f.bias) : f.bias, [n], 'f32');
            try {
              if (c.dtype === 'int4') {
                const w = weightQ ? weightQ(u, f, c) : int4Weights(f, c.groupSize);
                ops.push(new Int4LinearOp(u.name, shape, n, w.q, w.scale, bias, c.groupSize, relu));
              } else if (c.mode === 'weight-only') {
                const w = weightQ ? weightQ(u, f, c) : int8Weights(f, true);
                ops.push(new WeightOnlyInt8LinearOp(u.name, shape, n, w.q, w.scale, f.bias, relu));
              } else {
                const w = weightQ ? weightQ(u, f, c) : int8Weights(f, true);
                ops.push(new DynInt8LinearOp(u.name, shape, n, w.q, w.scale, bias, relu));
              }
            } finally {
              bias.dispose();
            }
          }
          layers[u.name] = c.dtype === 'f32' || c.dtype === 'f16' || c.dtype === 'bf16' ? c.dtype : c.dtype === 'int4' ? `int4-g${c.groupSize}` : `int8-${c.mode}`;
        }
        cur = obsQ;
        break;
      }
      case 'act':
        if (q) ops.push(new LutOp(u.name, shape, u.fn, q, (q = obsQ)));
        else ops.push(new F32ActOp(u.name, shape, u.fn));
        cur = obsQ;
        break;
      case 'maxpool':
        if (q) ops.push(new QMaxPool2dOp(u.name, shape, (({ kernel: [kh, kw], stride: [sh, sw], padding: [ph, pw] }) => ({ kh, kw, sh, sw, ph, pw }))(poolSpec(u.module, false))));
        else ops.push(new F32PoolOp(u.name, shape, outShape, poolSpec(u.module, false)));
        break;
      case 'avgpool':
        toF32(u.name);
        ops.push(new F32PoolOp(u.name, shape, outShape, poolSpec(u.module, true)));
        cur = obsQ;
        break;
      case 'flatten':
        break;
      case 'float':
        toF32(u.name);
        ops.push(new ModuleOp(u.name, shape, outShape, u.module));
        cur = obsQ;
        break;
    }
    shape = outShape;
  }
  if (q) ops.push(new DequantizeOp('output.dequantize', shape, q));
  return new QuantizedModel(ops, inShape, shape, { ...info, layers });
}

const where = (name: string) => `convert (layer '${name}')`;

/**
 * The weight's f16 or bf16 codes, rounded to nearest even (castFormat's kernels). A finite weight past
 * f16's range (|w| ≥ 65520 rounds to ±Inf) is an INVALID_ARGUMENT rather than Inf outputs later.
 */
function halfCodes(fn: string, w: Float32Array, format: 'f16' | 'bf16'): Uint16Array {
  const codes = tidy(() => {
    const bytes = castFormat(fromValues(fn, w, [w.length], 'f32'), format).toTypedArray() as Uint8Array;
    return new Uint16Array(bytes.buffer, bytes.byteOffset, w.length);
  });
  if (format === 'f16') {
    const i = codes.findIndex((c, j) => (c & 0x7fff) === 0x7c00 && Number.isFinite(w[j]));
    if (i >= 0) throw new SlimError('INVALID_ARGUMENT', `${fn}: dtype 'f16' holds weights up to ±65504, received ${w[i]} at index ${i}; use 'bf16' (f32's range) or int8`);
  }
  return codes;
}
