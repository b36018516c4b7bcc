// Low-rank factorization of Linear and Conv2d layers by truncated SVD (Denton et al. 2014;
// Jaderberg et al. 2014): W [out, in] ≈ (U_r·√Σ_r)·(√Σ_r·Vᵀ_r), one layer in → r then one r → out.
import { f32View } from '../backend/binding.js';
import { SlimError, checkPositive, invalid, optionsOf } from '../errors.js';
import { noGrad } from '../autograd/tape.js';
import { Conv2d, Linear } from '../nn/layers.js';
import { reshape } from '../ops/layout.js';
import { Module, Sequential } from '../nn/module.js';
import { Rng } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import { randomizedSvd, type RandomizedSvdOptions } from './rsvd.js';
import { svd, type Svd } from './svd.js';

/** How many singular values to keep: exactly `rank`; the fewest holding `energy` of Σσ²; or the rank whose two layers hold `paramsFraction` of the weight's elements. */
export type RankChoice = { rank: number } | { energy: number } | { paramsFraction: number };

/** A rank choice, and randomizedSvd() instead of the exact Jacobi svd() (with { rank } or { paramsFraction } only): for large layers. */
export type LowRankOptions = RankChoice & { randomized?: true | Omit<RandomizedSvdOptions, 'rank'> };

/** r = max(1, floor(f·out·in/(out + in))): two factors [r, in] and [out, r] hold at most f·out·in weights. */
export function rankForParams(outFeatures: number, inFeatures: number, fraction: number): number {
  const fn = 'rankForParams';
  checkPositive(fn, 'outFeatures', outFeatures);
  checkPositive(fn, 'inFeatures', inFeatures);
  if (typeof fraction !== 'number' || !(fraction > 0 && fraction <= 1)) invalid(fn, 'fraction', 'a fraction in (0, 1]', fraction);
  return Math.max(1, Math.floor((fraction * outFeatures * inFeatures) / (outFeatures + inFeatures)));
}

function checkChoice(fn: string, choice: RankChoice): void {
  if (choice === null || typeof choice !== 'object') invalid(fn, 'options', 'an object with one of rank, energy, paramsFraction', choice);
  const c = choice as Partial<Record<'rank' | 'energy' | 'paramsFraction', unknown>>;
  const given = (['rank', 'energy', 'paramsFraction'] as const).filter((key) => c[key] !== undefined);
  if (given.length !== 1) invalid(fn, 'options', 'exactly one of { rank }, { energy }, { paramsFraction }', given.length ? given.join(' and ') : choice);
  if (c.rank !== undefined) checkPositive(fn, 'options.rank', c.rank);
  if (c.energy !== undefined && (typeof c.energy !== 'number' || !(c.energy > 0 && c.energy <= 1))) invalid(fn, 'options.energy', 'a fraction in (0, 1]', c.energy);
  if (c.paramsFraction !== undefined && (typeof c.paramsFraction !== 'number' || !(c.paramsFraction > 0 && c.paramsFraction <= 1))) {
    invalid(fn, 'options.paramsFraction', 'a fraction in (0, 1]', c.paramsFraction);
  }
}

/** The rank `choice` asks for, given the singular values s (descending) of an [out, in] weight; at most min(out, in). */
export function chooseRank(s: ArrayLike<number>, outFeatures: number, inFeatures: number, choice: RankChoice): number {
  checkChoice('chooseRank', choice);
  if (s == null || typeof (s as { length?: unknown }).length !== 'number') invalid('chooseRank', 's', 'an array of singular values', s);
  const k = s.length;
  if ('rank' in choice) return Math.min(choice.rank, k);
  if ('paramsFraction' in choice) return Math.min(rankForParams(outFeatures, inFeatures, choice.paramsFraction), k);
  let total = 0;
  for (let i = 0; i < k; i++) total += s[i]! * s[i]!;
  let kept = 0;
  for (let r = 1; r <= k; r++) {
    kept += s[r - 1]! * s[r - 1]!;
    if (kept >= choice.energy * total) return r;
  }
  return k;
}

/** Factors of w [out, in] at the chosen rank: a = √Σ_r·Vᵀ_r [r, in], b = U_r·√Σ_r [out, r] (f32). */
function factor(w: Tensor, choice: RankChoice, randomized: LowRankOptions['randomized']): { r: number; a: Float32Array; b: Float32Array } {
  const [out, inn] = w.shape as [number, number];
  let r: number, d: Svd;
  if (randomized) {
    r = chooseRank(new Float64Array(Math.min(out, inn)), out, inn, choice);
    d = randomizedSvd(w, { ...(randomized === true ? {} : randomized), rank: r });
  } else {
    d = svd(w);
  }
  try {
    const s = d.s.toTypedArray(), u = d.u.toTypedArray(), vt = d.vt.toTypedArray();
    const k = s.length;
    r = chooseRank(s, out, inn, choice);
    const root = s.map(Math.sqrt);
    const a = new Float32Array(r * inn), b = new Float32Array(out * r);
    for (let i = 0; i < r; i++) for (let j = 0; j < inn; j++) a[i * inn + j] = root[i]! * vt[i * inn + j]!;
    for (let o = 0; o < out; o++) for (let i = 0; i < r; i++) b[o * r + i] = u[o * k + i]! * root[i]!;
    return { r, a, b };
  } finally {
    d.u.dispose(); d.s.dispose(); d.vt.dispose();
  }
}

function setData(t: Tensor, values: Float32Array): void {
  f32View().set(values, t.ptr >>> 2);
}

/**
 * Replaces a Linear [out, in] by Sequential(Linear(in → r, no bias), Linear(r → out, bias)), or a
 * Conv2d [OC, C, KH, KW] by Sequential(Conv2d(C → r, KH×KW, same stride/padding/dilation, no bias),
 * Conv2d(r → OC, 1×1, bias)), from the truncated SVD of the weight ([OC, C·KH·KW] for a conv).
 * The layer is left unchanged; the new layers are its best rank-r approximation in Frobenius norm.
 */
export function lowRank(layer: Linear | Conv2d, options: LowRankOptions): Sequential {
  const fn = 'lowRank';
  const { randomized, ...choice } = optionsOf(fn, options);
  checkChoice(fn, choice);
  if (randomized !== undefined && 'energy' in choice) invalid(fn, 'options', '{ rank } or { paramsFraction } with randomized (energy needs every σ)', 'energy');
  const rng = new Rng(0); // placeholder init, overwritten: leaves the default random stream alone.
  if (layer instanceof Linear) {
    const w = layer.weight, bias = layer.bias;
    const { r, a, b } = factor(w, choice, randomized);
    const first = new Linear(layer.inFeatures, r, { bias: false, rng });
    const second = new Linear(r, layer.outFeatures, { bias: bias !== null, rng });
    setData(first.weight, a);
    setData(second.weight, b);
    if (bias) setData(second.bias!, bias.toTypedArray() as Float32Array);
    return new Sequential(first, second);
  }
  if (layer instanceof Conv2d) {
    const [oc, c, kh, kw] = layer.weight.shape as [number, number, number, number];
    const bias = layer.bias;
    const flat = noGrad(() => reshape(layer.weight, [oc, c * kh * kw]));
    let f: ReturnType<typeof factor>;
    try {
      f = factor(flat, choice, randomized);
    } finally {
      flat.dispose();
    }
    const first = new Conv2d(c, f.r, [kh, kw], { ...layer.options, bias: false, rng });
    const second = new Conv2d(f.r, oc, 1, { bias: bias !== null, rng });
    setData(first.weight, f.a);
    setData(second.weight, f.b);
    if (bias) setData(second.bias!, bias.toTypedArray() as Float32Array);
    return new Sequential(first, second);
  }
  return invalid(fn, 'layer', 'a Linear or a Conv2d', layer);
}

export type LowRankModelOptions = LowRankOptions & {
  /** Dotted names (as in namedModules()) of the Linear/Conv2d layers to factor; default every one. */
  layers?: string[];
};

/**
 * lowRank() applied to the chosen Linear and Conv2d layers of a Sequential (nested ones too).
 * Consumes `model`: the factored layers are disposed and the others move into the returned Sequential.
 */
export function lowRankModel(model: Sequential, options: LowRankModelOptions): Sequential {
  const fn = 'lowRankModel';
  if (!(model instanceof Sequential)) invalid(fn, 'model', 'a Sequential', model);
  const { layers, randomized, ...choice } = options;
  checkChoice(fn, choice as RankChoice);
  if (randomized !== undefined && 'energy' in choice) invalid(fn, 'options', '{ rank } or { paramsFraction } with randomized (energy needs every σ)', 'energy');
  if (layers !== undefined && !Array.isArray(layers)) invalid(fn, 'options.layers', 'an array of layer names', layers);
  const found = new Map(model.namedModules().filter(([, m]) => m instanceof Linear || m instanceof Conv2d));
  const wanted = new Set(layers ?? found.keys());
  const bad = [...wanted].filter((name) => !found.has(name));
  if (bad.length) {
    throw new SlimError('INVALID_ARGUMENT', `${fn}: options.layers must name Linear or Conv2d layers of the model (${[...found.keys()].join(', ')}), received ${bad.map((b) => JSON.stringify(b)).join(', ')}`);
  }
  const replaced: Module[] = [];
  const rebuild = (seq: Sequential, prefix: string): Sequential => new Sequential(...seq.layers.map((m, i) => {
    const name = prefix ? `${prefix}.${i}` : String(i);
    if (m instanceof Sequential) return rebuild(m, name);
    if (!wanted.has(name)) return m;
    replaced.push(m);
    return lowRank(m as Linear | Conv2d, { ...(choice as RankChoice), ...(randomized ? { randomized } : {}) });
  }));
  const out = rebuild(model, '');
  for (const m of replaced) m.dispose();
  out.train(model.training);
  return out;
}
