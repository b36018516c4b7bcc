// A model as the quantizer sees it: the leaves of its Sequential tree in forward order, grouped into
// units (Linear/Conv2d + BatchNorm + ReLU fuse into one), with BatchNorm folded into the weights.
// PTQ, QAT and the sensitivity analysis share this view.
import { SlimError } from '../errors.js';
import { AvgPool2d, Conv2d, Dropout, Flatten, GELU, Linear, MaxPool2d, ReLU, Sigmoid, Tanh } from '../nn/layers.js';
import { leafModules as leaves, Module } from '../nn/module.js';
import { BatchNorm1d, BatchNorm2d } from '../nn/norm.js';
import type { Tensor } from '../tensor/tensor.js';

export type ActFn = 'relu' | 'gelu' | 'tanh' | 'sigmoid';

export type Unit =
  /** Linear or Conv2d, then an optional BatchNorm (folded) and an optional ReLU (fused). */
  | { kind: 'linear' | 'conv'; name: string; type: 'Linear' | 'Conv2d'; layer: Linear | Conv2d; bn: BatchNorm1d | BatchNorm2d | null; relu: boolean }
  | { kind: 'act'; name: string; type: string; fn: ActFn }
  | { kind: 'maxpool' | 'avgpool'; name: string; type: string; module: MaxPool2d | AvgPool2d }
  | { kind: 'flatten'; name: string; type: 'Flatten'; module: Flatten }
  /** Any other module: it stays f32, between a dequantize and a quantize when its neighbours are int8. */
  | { kind: 'float'; name: string; type: string; module: Module };

export type WeightUnit = Extract<Unit, { kind: 'linear' | 'conv' }>;


const ACTS: [new (...a: never[]) => Module, ActFn][] = [[ReLU, 'relu'], [GELU, 'gelu'], [Tanh, 'tanh'], [Sigmoid, 'sigmoid']];

/** Groups the leaves into units; Dropout (an identity at inference) is dropped. */
export function units(fn: string, model: Module): Unit[] {
  if (!(model instanceof Module)) throw new SlimError('INVALID_ARGUMENT', `${fn}: model must be a Module, received ${typeof model}`);
  const ls = leaves(model).filter(([, m]) => !(m instanceof Dropout));
  const out: Unit[] = [];
  for (let i = 0; i < ls.length; i++) {
    const [name, m] = ls[i]!;
    const type = m.constructor.name;
    if (m instanceof Linear || m instanceof Conv2d) {
      const isConv = m instanceof Conv2d;
      let bn: BatchNorm1d | BatchNorm2d | null = null;
      const next = ls[i + 1]?.[1];
      if (next instanceof (isConv ? BatchNorm2d : BatchNorm1d) && next.numFeatures === (m.weight.shape[0] ?? -1)) {
        bn = next;
        i++;
      }
      const relu = ls[i + 1]?.[1] instanceof ReLU;
      if (relu) i++;
      out.push({ kind: isConv ? 'conv' : 'linear', name, type: isConv ? 'Conv2d' : 'Linear', layer: m, bn, relu });
    } else if (m instanceof MaxPool2d) out.push({ kind: 'maxpool', name, type, module: m });
    else if (m instanceof AvgPool2d) out.push({ kind: 'avgpool', name, type, module: m });
    else if (m instanceof Flatten) out.push({ kind: 'flatten', name, type: 'Flatten', module: m });
    else {
      const act = ACTS.find(([cls]) => m instanceof cls);
      out.push(act ? { kind: 'act', name, type, fn: act[1] } : { kind: 'float', name, type, module: m });
    }
  }
  return out;
}

export interface PoolSpec { pool: 'max' | 'avg'; kernel: [number, number]; stride: [number, number]; padding: [number, number]; countIncludePad: boolean }

/** A layer option given as one number or a pair, as a pair (a copy). */
export const pairOf = (v: number | readonly [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);

/** A pooling module's geometry (stride defaults to the kernel; countIncludePad to true for average). */
export function poolSpec(m: MaxPool2d | AvgPool2d, avg: boolean): PoolSpec {
  const kernel = pairOf(m.kernelSize);
  return { pool: avg ? 'avg' : 'max', kernel, stride: pairOf(m.options.stride ?? kernel), padding: pairOf(m.options.padding ?? 0), countIncludePad: avg ? ((m as AvgPool2d).options.countIncludePad ?? true) : false };
}

/** A weight unit's parameters with its BatchNorm folded in (f64 arithmetic, rounded once to f32). */
export interface Folded {
  /** [out, in] or [OC, C, KH, KW]. */
  weight: Float32Array;
  shape: number[];
  bias: Float32Array;
}

/**
 * W' = W·γ/√(σ² + eps) per output channel, b' = (b − μ)·γ/√(σ² + eps) + β (Jacob et al. 2018, §3.2),
 * from the BatchNorm's running statistics; without a BatchNorm, W and b (zeros when absent).
 */
export function fold(u: WeightUnit): Folded {
  const w = u.layer.weight.toTypedArray() as Float32Array;
  const shape = [...u.layer.weight.shape];
  const n = shape[0]!;
  const per = w.length / n;
  const b = u.layer.bias ? (u.layer.bias.toTypedArray() as Float32Array) : new Float32Array(n);
  if (!u.bn) return { weight: w, shape, bias: b };
  const [gamma, beta, mean, variance] = [u.bn.weight, u.bn.bias, u.bn.runningMean, u.bn.runningVar].map((t) => t.toTypedArray() as Float32Array);
  const weight = new Float32Array(w.length);
  const bias = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    const s = gamma![j]! / Math.sqrt(variance![j]! + u.bn.eps);
    for (let p = 0; p < per; p++) weight[j * per + p] = w[j * per + p]! * s;
    bias[j] = (b[j]! - mean![j]!) * s + beta![j]!;
  }
  return { weight, shape, bias };
}

/** Runs a unit in f32 (eval semantics, folded BatchNorm read from the live layers). */
export function runFloat(u: Unit, x: Tensor): Tensor {
  switch (u.kind) {
    case 'linear':
    case 'conv': {
      let y = u.layer.forward(x);
      if (u.bn) y = u.bn.forward(y);
      return u.relu ? new ReLU().forward(y) : y;
    }
    case 'act': return new (ACTS.find(([, f]) => f === u.fn)![0] as new () => Module)().forward(x);
    case 'maxpool':
    case 'avgpool':
    case 'flatten':
    case 'float': return u.module.forward(x);
  }
}
