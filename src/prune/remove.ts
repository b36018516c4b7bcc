// Physical removal of pruned channels: a smaller dense Sequential with the same outputs.
import { Conv2d, Linear } from '../nn/layers.js';
import { Module, Sequential } from '../nn/module.js';
import { BatchNorm1d } from '../nn/norm.js';
import { BatchNorm2d } from '../nn/norm.js';
import { fromValues } from '../tensor/create.js';
import { checkInstance, invalid } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';
import { leaves, links, type Link } from './chain.js';

const values = (t: Tensor | null): Float32Array | null => (t ? (t.toTypedArray() as Float32Array) : null);

/** Channels of a producer whose output is exactly zero after its bias and BatchNorm (so removing them changes nothing). */
function deadChannels(link: Link): Uint8Array {
  const w = values(link.producer.module.weight)!;
  const rows = link.producer.module.weight.shape[0]!;
  const rowSize = w.length / rows;
  const b = values(link.producer.module.bias);
  const dead = new Uint8Array(rows);
  if (link.consumer === null) return dead;
  const gamma = values(link.bn?.module.weight ?? null);
  const beta = values(link.bn?.module.bias ?? null);
  for (let r = 0; r < rows; r++) {
    if (gamma && beta && gamma[r] === 0 && beta[r] === 0) { dead[r] = 1; continue; }
    if (gamma) continue; // BatchNorm shifts a zero channel to β − γμ/σ
    let zero = b === null || b[r] === 0;
    for (let i = r * rowSize; zero && i < (r + 1) * rowSize; i++) zero = w[i] === 0;
    dead[r] = zero ? 1 : 0;
  }
  if (dead.every((d) => d === 1)) dead[0] = 0; // a layer keeps at least one channel
  return dead;
}

/** Keeps the slices `keep` of dim `axis` of a row-major array of shape `shape` (every slice `inner`-wide groups of `group`). */
function take(src: Float32Array, shape: readonly number[], axis: number, keep: number[], group = 1): { data: Float32Array; shape: number[] } {
  const outer = shape.slice(0, axis).reduce((p, d) => p * d, 1);
  const inner = shape.slice(axis + 1).reduce((p, d) => p * d, 1) * group;
  const len = shape[axis]! / group;
  const data = new Float32Array(outer * keep.length * inner);
  let o = 0;
  for (let i = 0; i < outer; i++) for (const k of keep) {
    data.set(src.subarray((i * len + k) * inner, (i * len + k + 1) * inner), o);
    o += inner;
  }
  const out = shape.slice();
  out[axis] = keep.length * group;
  return { data, shape: out };
}

/**
 * A new Sequential without the channels that structured pruning zeroed: the rows of each Linear/Conv2d whose
 * output is exactly zero (weights, bias and BatchNorm γ, β), the matching inputs of the next Linear/Conv2d
 * (H·W columns each after Conv2d → Flatten → Linear) and the matching BatchNorm entries. The last layer
 * keeps all its outputs. Parameterless layers are shared with `model`, which is left unchanged.
 */
export function removePrunedChannels(model: Module): Sequential {
  checkInstance('removePrunedChannels', 'model', model, Module, 'a Module');
  const ls = leaves(model);
  const keptOut = new Map<Module, number[]>();
  const keptIn = new Map<Module, { keep: number[]; group: number }>();
  for (const link of links(model)) {
    const dead = deadChannels(link);
    const keep = [...dead.keys()].filter((r) => !dead[r]);
    keptOut.set(link.producer.module, keep);
    if (link.bn) keptOut.set(link.bn.module, keep);
    if (link.consumer) keptIn.set(link.consumer.module, { keep, group: link.spatial });
  }
  const built = ls.map(({ name, module: m }) => {
    const outKeep = keptOut.get(m);
    const inKeep = keptIn.get(m);
    const slice = (t: Tensor | null, withIn: boolean): Tensor | null => {
      if (t === null) return null;
      let r = { data: values(t)!, shape: t.shape.slice() };
      if (outKeep) r = take(r.data, r.shape, 0, outKeep);
      if (withIn && inKeep) r = take(r.data, r.shape, 1, inKeep.keep, inKeep.group);
      return fromValues('removePrunedChannels', r.data, r.shape, 'f32');
    };
    if (m instanceof Linear || m instanceof Conv2d) {
      const w = slice(m.weight, true)!;
      const b = slice(m.bias, false);
      const out = m instanceof Linear
        ? new Linear(w.shape[1]!, w.shape[0]!, { bias: b !== null })
        : new Conv2d(w.shape[1]!, w.shape[0]!, [w.shape[2]!, w.shape[3]!], { ...m.options, bias: b !== null });
      out.loadStateDict(b ? { weight: w, bias: b } : { weight: w });
      w.dispose();
      b?.dispose();
      return out;
    }
    if (m instanceof BatchNorm1d || m instanceof BatchNorm2d) {
      const n = outKeep?.length ?? m.numFeatures;
      const out = m instanceof BatchNorm1d ? new BatchNorm1d(n, { eps: m.eps, momentum: m.momentum }) : new BatchNorm2d(n, { eps: m.eps, momentum: m.momentum });
      const sd: Record<string, Tensor> = {};
      for (const [k, t] of Object.entries(m.stateDict())) sd[k] = t.dtype === 'f32' ? slice(t, false)! : t;
      out.loadStateDict(sd);
      for (const t of Object.values(sd)) if (t.dtype === 'f32') t.dispose();
      out.train(m.training);
      return out;
    }
    if (m.namedParameters().length || m.namedBuffers().length) invalid('removePrunedChannels', `model layer '${name}'`, 'Linear, Conv2d, BatchNorm1d/2d or a parameterless layer', m.constructor.name);
    return m;
  });
  const out = new Sequential(...built);
  return out.train(model.training);
}
