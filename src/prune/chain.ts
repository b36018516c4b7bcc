// The layer chain of a Sequential as structured pruning sees it: which layer's output channels feed which
// BatchNorm and which next layer's inputs, through modules that map a zero channel to a zero channel.
import { AvgPool2d, Conv2d, Dropout, Flatten, GELU, Linear, MaxPool2d, ReLU, Tanh } from '../nn/layers.js';
import { leafModules, type Module } from '../nn/module.js';
import { BatchNorm1d, BatchNorm2d } from '../nn/norm.js';

export type Producer = Linear | Conv2d;
export type BatchNorm = BatchNorm1d | BatchNorm2d;

export interface Leaf { name: string; module: Module }

/** The leaves of a Sequential in order (nested Sequentials are flattened), with their dotted names. */
export const leaves = (model: Module): Leaf[] => leafModules(model).map(([name, module]) => ({ name, module }));

export const isProducer = (m: Module): m is Producer => m instanceof Linear || m instanceof Conv2d;
const isBatchNorm = (m: Module): m is BatchNorm => m instanceof BatchNorm1d || m instanceof BatchNorm2d;
/** Parameterless modules with f(0) = 0 per channel (a channel that is all zeros stays all zeros). */
const keepsZero = (m: Module): boolean => m instanceof ReLU || m instanceof GELU || m instanceof Tanh || m instanceof Dropout || m instanceof MaxPool2d || m instanceof AvgPool2d;

export interface Link {
  producer: Leaf & { module: Producer };
  /** A BatchNorm over the producer's channels before the consumer, if any. */
  bn: (Leaf & { module: BatchNorm }) | null;
  /** The next Linear/Conv2d whose inputs are the producer's channels (null: the channels are model outputs or the path is unknown). */
  consumer: (Leaf & { module: Producer }) | null;
  /** Inputs of the consumer per producer channel: 1, or H·W after a Conv2d → Flatten → Linear. */
  spatial: number;
}

/** One link per Linear/Conv2d in the chain. A consumer is only named when every module in between keeps zeros. */
export function links(model: Module): Link[] {
  const ls = leaves(model);
  const out: Link[] = [];
  ls.forEach((leaf, i) => {
    if (!isProducer(leaf.module)) return;
    const link: Link = { producer: leaf as Link['producer'], bn: null, consumer: null, spatial: 1 };
    let flattened = false;
    for (let j = i + 1; j < ls.length; j++) {
      const m = ls[j]!.module;
      if (isBatchNorm(m) && link.bn === null && !flattened) link.bn = ls[j] as Link['bn'];
      else if (m instanceof Flatten && !flattened && leaf.module instanceof Conv2d && m.startDim === 1) flattened = true;
      else if (isProducer(m)) {
        const channels = leaf.module.weight.shape[0]!;
        const inputs = m.weight.shape[1]!;
        const ok = flattened ? m instanceof Linear && inputs % channels === 0 : (m instanceof Conv2d) === (leaf.module instanceof Conv2d) && inputs === channels;
        if (ok) {
          link.consumer = ls[j] as Link['consumer'];
          link.spatial = inputs / channels;
        }
        break;
      } else if (!keepsZero(m)) break;
    }
    out.push(link);
  });
  return out;
}
