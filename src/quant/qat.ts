// Quantization-aware training: fake quantization with the straight-through estimator (torch's
// fake_quantize_per_{tensor,channel}_affine), an optional learnable scale (LSQ, Esser et al. 2020),
// BatchNorm folded into the weights during training (Jacob et al. 2018, frozen statistics), and
// convert() to the same integer model as PTQ.
import { customGrad } from '../autograd/backward.js';
import { isGradEnabled, noGrad } from '../autograd/tape.js';
import { kernels } from '../backend/binding.js';
import { SlimError, invalid, optionsOf, checkPositive } from '../errors.js';
import { Module } from '../nn/module.js';
import { add, clamp, div, mul, relu, sqrt, sub, where } from '../ops/elementwise.js';
import { linear } from '../ops/matmul.js';
import { conv2d } from '../ops/conv.js';
import { assign, reshape } from '../ops/layout.js';
import { sum } from '../ops/reduce.js';
import { fromValues } from '../tensor/create.js';
import { tidy } from '../tensor/scope.js';
import { shapeString } from '../tensor/shape.js';
import { assertDType, assertTensor, empty, type Tensor } from '../tensor/tensor.js';
import { minMaxAlong } from './affine.js';
import { runFloat, units, type Folded, type WeightUnit } from './graph.js';
import { int4QParams } from './int4.js';
import type { Observer } from './observer-base.js';
import { MovingAverageMinMaxObserver } from './observers.js';
import { buildQuantized, f32OutputUnit, type PreparedUnit } from './ptq.js';
import { makeActivationObserver, resolveLayerConfig, resolveModelConfig, type QuantizationConfig, type ResolvedLayerConfig } from './qconfig.js';
import { f16Scales } from './qfloat.js';
import type { QuantizedModel } from './qmodel.js';
import { F32_EPS, qparamsFromMinMax, type QParams } from './qparams.js';
import type { Conv2d } from '../nn/layers.js';

/** Fake-quant parameters: one scale and zero point per tensor, per row (axis 0) or per group of a row. */
export interface FakeQuantParams {
  scale: Float32Array | Tensor;
  zeroPoint: Int32Array | number;
  qmin: number;
  qmax: number;
  /** 'tensor' (default), 'channel' (axis 0) or 'group' (groups of `groupSize` along each row). */
  granularity?: 'tensor' | 'channel' | 'group';
  groupSize?: number;
}

function layout(fn: string, x: Tensor, p: FakeQuantParams): [number, number, number] {
  const g = p.granularity ?? 'tensor';
  if (g === 'tensor') return [1, x.size, Math.max(x.size, 1)];
  if (x.rank < 1) throw new SlimError('SHAPE_MISMATCH', `${fn}: per-${g} fake quantization needs rank ≥ 1, received ${shapeString(x.shape)}`);
  const rows = x.shape[0]!;
  const cols = rows === 0 ? 0 : x.size / rows;
  if (g === 'channel') return [rows, cols, Math.max(cols, 1)];
  const gs = p.groupSize;
  checkPositive(fn, 'params.groupSize', gs);
  return [rows, cols, gs!];
}

/**
 * x̂ = (clamp(round(x/s) + zp, qmin, qmax) − zp)·s in f32 (the int8 path's values, bit for bit), with
 * ∂x̂/∂x = 1 where round(x/s) + zp ∈ [qmin, qmax] and 0 elsewhere (straight-through estimator). A
 * scale given as a tensor that requires grad learns by LSQ: ∂x̂/∂s = (x̂ − x)/s inside, x̂/s outside,
 * times g = 1/√(N·qmax) with N the elements per scale (Esser et al. 2020).
 */
export function fakeQuantize(x: Tensor, params: FakeQuantParams): Tensor {
  const fn = 'fakeQuantize';
  assertTensor(fn, 'x', x);
  assertDType(fn, 'x', x, 'f32');
  if (params === null || typeof params !== 'object') invalid(fn, 'params', 'an object { scale, zeroPoint, qmin, qmax, granularity? }', params);
  const [rows, cols, group] = layout(fn, x, params);
  const nScales = rows * Math.ceil(cols / group);
  const { qmin, qmax } = params;
  if (!(Number.isInteger(qmin) && Number.isInteger(qmax) && qmin < qmax)) invalid(fn, 'params.qmin/qmax', 'integers with qmin < qmax', [qmin, qmax]);
  const s = params.scale;
  const learnable = typeof s !== 'object' || s instanceof Float32Array ? null : s;
  if (learnable) {
    assertTensor(fn, 'params.scale', learnable);
    if (learnable.size !== nScales) throw new SlimError('SHAPE_MISMATCH', `${fn}: params.scale must hold ${nScales} scales, received ${shapeString(learnable.shape)}`);
  } else if (!(s instanceof Float32Array) || s.length !== nScales) invalid(fn, 'params.scale', `a Float32Array of ${nScales} scales or a Tensor`, s);
  const zps = typeof params.zeroPoint === 'number' ? new Float32Array(nScales).fill(params.zeroPoint) : Float32Array.from(params.zeroPoint);
  if (zps.length !== nScales) invalid(fn, 'params.zeroPoint', `a number or ${nScales} zero points`, params.zeroPoint);
  const wantMask = isGradEnabled() && (x.requiresGrad || (learnable?.requiresGrad ?? false));
  let mask: Tensor | null = null;
  const run = (xv: Tensor, sv: Tensor | null) => tidy(() => {
    const scale = sv ? clamp(sv, F32_EPS, Infinity) : fromValues(fn, s as Float32Array, [nScales], 'f32');
    const zp = fromValues(fn, zps, [nScales], 'f32');
    const y = empty(fn, xv.shape, 'f32');
    const m = wantMask ? empty(fn, xv.shape, 'u8') : null;
    if (y.size > 0) kernels().f32_fake_quant(rows, cols, group, xv.ptr, scale.ptr, zp.ptr, y.ptr, m?.ptr ?? 0, qmin, qmax);
    mask = m;
    return m ? [y, m] : y;
  });
  const grad = (gy: Tensor, y: Tensor, inputs: readonly Tensor[]): (Tensor | null)[] => {
    const inside = mask!;
    const gx = where(inside, gy, 0);
    if (!learnable) return [gx];
    // LSQ: per-scale sums of gy·(inside ? (x̂ − x)/s : x̂/s)·g.
    const sv = reshape(clamp(inputs[1]!, F32_EPS, Infinity), [nScales, 1]);
    const per = cols === 0 ? 1 : Math.min(group, cols);
    const g = 1 / Math.sqrt((rows === 1 && group >= cols ? x.size : per) * Math.max(qmax, 1));
    const xr = reshape(inputs[0]!, [nScales, -1]);
    const yr = reshape(y, [nScales, -1]);
    const d = where(reshape(inside, [nScales, -1]), div(sub(yr, xr), sv), div(yr, sv));
    const gs = mul(sum(mul(reshape(gy, [nScales, -1]), d), 1), g);
    return [gx, reshape(gs, learnable.shape)];
  };
  const inputs = learnable ? [x, learnable] : [x];
  return customGrad(inputs, (xv, sv) => {
    const out = run(xv!, sv ?? null);
    return Array.isArray(out) ? out[0]! : out;
  }, grad);
}

/**
 * An observer plus switches, as torch's FakeQuantize: observing updates the qparams from each batch,
 * fake quantization applies them. With `learnScale` the scale becomes a parameter (LSQ), initialized
 * from the observer at the first batch, after which the observer stops.
 */
export class FakeQuantize extends Module {
  observerEnabled = true;
  fakeQuantEnabled = true;
  readonly observer: Observer;
  readonly learnScale: boolean;
  /** The learned scale (LSQ): a parameter from construction, so optimizers made before the first batch see it. */
  readonly #scale: Tensor | null;
  #initialized = false;
  #zp = 0;

  constructor(observer: Observer, options: { learnScale?: boolean } = {}) {
    super();
    options = optionsOf('FakeQuantize', options, 'options');
    this.observer = observer;
    this.learnScale = options.learnScale ?? false;
    this.#scale = this.learnScale ? this.registerParameter('scale', fromValues('FakeQuantize', [1], [1], 'f32')) : null;
  }

  /** The current (scale, zero point): learned, or from the observer. */
  qparams(): QParams {
    const q = this.observer.qparams();
    if (!this.#scale || !this.#initialized) return q;
    return { ...q, scale: Float32Array.from([Math.max(this.#scale.item(), F32_EPS)]), zeroPoint: Int32Array.from([this.#zp]) };
  }

  forward(x: Tensor): Tensor {
    const learned = this.#scale !== null && this.#initialized;
    if (this.observerEnabled && !learned) this.observer.update(x);
    if (this.#scale && !this.#initialized) {
      // LSQ starts from the observer's range on the first batch, then learns; the observer stops.
      const q = this.observer.qparams();
      this.#zp = q.zeroPoint[0]!;
      noGrad(() => tidy(() => assign(this.#scale!, fromValues('FakeQuantize', q.scale, [1], 'f32'))));
      this.#initialized = true;
    }
    if (!this.fakeQuantEnabled) return x;
    const q = this.observer.qparams();
    return fakeQuantize(x, { scale: this.#scale ?? q.scale, zeroPoint: this.#scale ? this.#zp : q.zeroPoint[0]!, qmin: q.qmin, qmax: q.qmax });
  }
}

/** Where the converted model's activations are int8: the input of each unit (quantized there) and its output. */
function domains(us: readonly { config: ResolvedLayerConfig; unit: PreparedUnit['unit'] }[], quantizeOutput: boolean): { quantizeInput: boolean; int8Out: boolean }[] {
  let i8 = false;
  const f32Out = f32OutputUnit(us, quantizeOutput);
  return us.map(({ unit: u, config: c }, i) => {
    const staticInt8 = (u.kind === 'linear' || u.kind === 'conv') && c.dtype === 'int8' && c.mode === 'static';
    const quantizeInput = staticInt8 && !i8;
    if (u.kind === 'linear' || u.kind === 'conv') i8 = staticInt8 && i !== f32Out;
    else if (u.kind === 'avgpool' || u.kind === 'float') i8 = false;
    return { quantizeInput, int8Out: i8 };
  });
}

interface QatUnit extends PreparedUnit {
  /** Observes the unit's output, and fake-quantizes it where the converted model's output is int8. */
  readonly fq: FakeQuantize | null;
  readonly outFq: FakeQuantize | null;
  readonly quantizeInput: boolean;
}

/** A model prepared for QAT: train it with any optimizer over `parameters()`, then convert(). */
export class QatModel extends Module {
  readonly units: readonly QatUnit[];
  readonly inputFq: FakeQuantize;
  /** config.quantizeOutput (default false: the last weight layer's output stays unquantized, as in convert()). */
  readonly quantizeOutput: boolean;
  /** Fake-quantize weights and activations (observers keep observing when off), e.g. to compare with f32. */
  fakeQuantEnabled = true;
  inShape: number[] | null = null;
  batches = 0;

  constructor(readonly model: Module, readonly config: QuantizationConfig = {}, options: { learnScale?: boolean } = {}) {
    super();
    optionsOf('QatModel', config, 'config');
    options = optionsOf('QatModel', options, 'options');
    const fn = 'prepareQat';
    this.registerModule('model', model);
    const base = units(fn, model).map((unit) => ({ unit, config: resolveLayerConfig(fn, config, unit.name, unit.type) }));
    for (const { unit, config: c } of base) {
      if (unit.kind === 'conv' && c.dtype !== 'f32' && (c.dtype !== 'int8' || c.mode !== 'static')) throw new SlimError('INVALID_ARGUMENT', `${fn}: layer '${unit.name}' (Conv2d) can be static int8 or f32, received dtype '${c.dtype}', mode '${c.mode}'`);
    }
    this.quantizeOutput = resolveModelConfig(fn, config).quantizeOutput;
    const dom = domains(base, this.quantizeOutput);
    // torch's QAT default observes activations with a moving average (c = 0.01).
    const actObs = (c: ResolvedLayerConfig) => (c.observer === 'minmax' ? new MovingAverageMinMaxObserver({ dtype: 'int8', symmetric: c.activationSymmetric, reduceRange: c.reduceRange }) : makeActivationObserver(c));
    const fq = (c: ResolvedLayerConfig, name: string) => this.registerModule(name, new FakeQuantize(actObs(c), options));
    this.inputFq = fq(base[0]?.config ?? resolveLayerConfig(fn, config, '', ''), 'input_fq');
    this.units = base.map(({ unit, config: c }, i) => {
      const passThrough = unit.kind === 'flatten' || unit.kind === 'maxpool';
      const outFq = !passThrough && dom[i]!.int8Out ? fq(c, `fq_${i}`) : null;
      // A unit whose output stays f32 still observes it: a later int8 unit quantizes its input with it.
      const obs = passThrough ? null : outFq ?? fq(c, `obs_${i}`);
      if (obs && !outFq) obs.fakeQuantEnabled = false;
      return { unit, config: c, observer: obs as unknown as Observer | null, fq: obs, outFq, quantizeInput: dom[i]!.quantizeInput, inShape: null, outShape: null };
    });
  }

  /** Weight and bias with BatchNorm folded by tensor ops (gradients reach W, b, γ, β), frozen statistics. */
  folded(u: WeightUnit): { w: Tensor; b: Tensor | null } {
    if (!u.bn) return { w: u.layer.weight, b: u.layer.bias };
    const bn = u.bn;
    const n = bn.numFeatures;
    const s = div(bn.weight, sqrt(add(bn.runningVar, bn.eps)));
    const w = mul(u.layer.weight, reshape(s, [n, ...u.layer.weight.shape.slice(1).map(() => 1)]));
    const b0 = u.layer.bias ?? mul(bn.runningMean, 0);
    return { w, b: add(mul(sub(b0, bn.runningMean), s), bn.bias) };
  }

  /** Frees the learned scales; the wrapped model stays the caller's. */
  override dispose(): void {
    for (const [, m] of this.namedModules()) if (m instanceof FakeQuantize) m.dispose();
  }

  #weightFq(c: ResolvedLayerConfig, w: Tensor): Tensor {
    // f16 / bf16 weights train as f32: convert rounds them once (their error is far below int8's).
    if (c.dtype === 'f32' || c.dtype === 'f16' || c.dtype === 'bf16' || !this.fakeQuantEnabled) return w;
    const q = noGrad(() => weightQParams(w.toTypedArray() as Float32Array, w.shape, c));
    return fakeQuantize(w, q);
  }

  forward(x: Tensor): Tensor {
    const fn = 'QatModel.forward';
    assertTensor(fn, 'x', x);
    assertDType(fn, 'x', x, 'f32');
    if (x.rank < 2) throw new SlimError('SHAPE_MISMATCH', `${fn}: x must be [batch, ...], received ${shapeString(x.shape)}`);
    const sample = x.shape.slice(1);
    if (this.inShape && (sample.length !== this.inShape.length || sample.some((d, i) => d !== this.inShape![i]))) {
      throw new SlimError('SHAPE_MISMATCH', `${fn}: x must be [batch, ${this.inShape}], received ${shapeString(x.shape)}`);
    }
    this.inShape = sample;
    this.batches++;
    const obsIn = this.inputFq;
    obsIn.fakeQuantEnabled = false;
    let h = obsIn.forward(x);
    let prevFq: FakeQuantize = obsIn;
    for (const pu of this.units) {
      const u = pu.unit;
      pu.inShape = h.shape.slice(1);
      if (pu.quantizeInput && this.fakeQuantEnabled) h = fakeQuantizeWith(prevFq, h);
      if (u.kind === 'linear' || u.kind === 'conv') {
        const { w, b } = this.folded(u);
        const wq = this.#weightFq(pu.config, w);
        if (u.kind === 'conv') {
          const cv = u.layer as Conv2d;
          h = conv2d(h, wq, b, cv.options);
          if (u.relu) h = relu(h);
        } else h = linear(h, wq, b, u.relu ? 'relu' : undefined);
      } else h = runFloat(u, h);
      pu.outShape = h.shape.slice(1);
      if (pu.fq) {
        const on = pu.fq.fakeQuantEnabled;
        pu.fq.fakeQuantEnabled = on && this.fakeQuantEnabled;
        h = pu.fq.forward(h);
        pu.fq.fakeQuantEnabled = on;
        prevFq = pu.fq;
      }
    }
    return h;
  }
}

/** Fake-quantizes with the qparams of an observing FakeQuantize (a quantize op of the converted model). */
function fakeQuantizeWith(f: FakeQuantize, x: Tensor): Tensor {
  const q = f.qparams();
  return fakeQuantize(x, { scale: q.scale, zeroPoint: q.zeroPoint[0]!, qmin: q.qmin, qmax: q.qmax });
}

/** Weight fake-quant params as convert() quantizes: int8 symmetric per channel/tensor, int4 per group (f16 scales). */
function weightQParams(w: Float32Array, shape: readonly number[], c: ResolvedLayerConfig): FakeQuantParams {
  const n = shape[0]!;
  const k = w.length / n;
  if (c.dtype === 'int4') {
    const scale = f16Scales(int4QParams(w, [n, k], { groupSize: c.groupSize, symmetric: true }).scale);
    return { scale, zeroPoint: 0, qmin: -8, qmax: 7, granularity: 'group', groupSize: c.groupSize };
  }
  const perChannel = c.granularity === 'per-channel' || c.mode !== 'static';
  const { min, max } = minMaxAlong(w, [n, k], perChannel ? { axis: 0 } : {});
  const qp = qparamsFromMinMax(min, max, { dtype: 'int8', symmetric: true });
  return { scale: qp.scale, zeroPoint: 0, qmin: -128, qmax: 127, granularity: perChannel ? 'channel' : 'tensor' };
}

/** Wraps `model` (its parameters are trained in place) with fake quantization where convert() will quantize. */
export function prepareQat(model: Module, config: QuantizationConfig = {}, options: { learnScale?: boolean } = {}): QatModel {
  config = optionsOf('prepareQat', config, 'config');
  options = optionsOf('prepareQat', options, 'options');
  return new QatModel(model, config, options);
}

/** The integer model of a QAT-trained model: the same kind of QuantizedModel as PTQ's convert(). */
export function convertQat(qat: QatModel): QuantizedModel {
  const fn = 'convertQat';
  if (!(qat instanceof QatModel)) throw new SlimError('INVALID_ARGUMENT', `${fn}: qat must be a QatModel from prepareQat(), received ${qat === null ? 'null' : typeof qat}`);
  if (!qat.inShape) throw new SlimError('INVALID_ARGUMENT', `${fn}: run the QAT model forward at least once first`);
  const foldedOf = (u: WeightUnit): Folded => noGrad(() => tidy(() => {
    const { w, b } = qat.folded(u);
    return { weight: w.toTypedArray() as Float32Array, shape: [...w.shape], bias: b ? (b.toTypedArray() as Float32Array) : new Float32Array(w.shape[0]!) };
  }));
  const iq = qat.inputFq.qparams();
  return buildQuantized(qat.units, qat.inShape, { scale: iq.scale[0]!, zeroPoint: iq.zeroPoint[0]! }, foldedOf, { method: 'qat' }, qat.quantizeOutput);
}
