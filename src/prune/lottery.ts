// Lottery tickets (Frankle & Carbin 2019; rewinding: Frankle et al. 2020): train, prune by magnitude, rewind, repeat.
import { SlimError, checkFunction, checkInstance, invalid } from '../errors.js';
import { loadSafetensors, saveSafetensors } from '../io/safetensors.js';
import { Module, type StateDict } from '../nn/module.js';
import { cast } from '../ops/layout.js';
import type { Optimizer } from '../optim/optimizer.js';
import { keep } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { Pruner } from './pruner.js';

export interface LotteryContext {
  model: Module;
  round: number;
  /** The iteration training resumes from after a rewind (0 for round 0 and for rewinds to init). */
  startIteration: number;
  /** Attach every optimizer the round trains with: keeps the masks, and takes the rewind snapshot in round 0. */
  attach(optimizer: Optimizer): () => void;
}

export interface LotteryRound {
  round: number;
  /** Fraction of the pruned parameters' entries that remain. */
  remaining: number;
  /** evaluate()'s value after the round's training (null without evaluate). */
  accuracy: number | null;
}

export interface LotteryOptions {
  model: Module;
  /** Trains the model for one round; seed it from ctx.round so a resumed run repeats an uninterrupted one. */
  train: (ctx: LotteryContext) => void | Promise<void>;
  /** Pruning rounds; the model is trained rounds + 1 times (round 0 is dense). */
  rounds: number;
  /** Fraction of the remaining weights pruned per round (per layer, by magnitude). */
  ratePerRound: number;
  /** Per-parameter rates, e.g. { '4.weight': 0.1 } for the output layer at half the rate. */
  layerRates?: Readonly<Record<string, number>>;
  /** The weights survivors rewind to: the initialization, or those after `iteration` optimizer steps of round 0. */
  rewind: 'init' | { iteration: number };
  evaluate?: (model: Module, round: number) => number | Promise<number>;
  /** The parameters to prune (default: the weights of Linear and Conv2d layers). */
  params?: readonly string[];
  /** Bytes from a round's save(): continue from there. */
  resume?: Uint8Array;
  /** After each round (pruned and rewound, unless it was the last): the report so far, the masks and save(). */
  onRound?: (info: { round: LotteryRound; report: LotteryRound[]; pruner: Pruner; save: () => Uint8Array }) => void | Promise<void>;
}

export interface LotteryTicket {
  /** The final masks (the model's pruner; dispose it when done). */
  pruner: Pruner;
  /** The rewound weights under the final masks (copies owned by the caller). */
  weights: StateDict;
  report: LotteryRound[];
}

const copy = (t: Tensor): Tensor => keep(cast(t, t.dtype));
const copyState = (sd: StateDict): StateDict => Object.fromEntries(Object.entries(sd).map(([k, t]) => [k, copy(t)]));
const disposeState = (sd: StateDict | null) => sd && Object.values(sd).forEach((t) => t.dispose());

/** A safetensors file of a lottery run between rounds: masks, rewind snapshot, next round and report. */
function saveState(pruner: Pruner, snapshot: StateDict, round: number, report: LotteryRound[]): Uint8Array {
  const tensors: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(pruner.entries())) tensors[`mask.${k}`] = t;
  for (const [k, t] of Object.entries(snapshot)) tensors[`snapshot.${k}`] = t;
  return saveSafetensors(tensors, { lottery: JSON.stringify({ format: 'slimtensor-lottery', version: 1, round, report, targets: pruner.targets }) });
}

/**
 * Iterative magnitude pruning with rewinding: snapshot the weights (at init or after `iteration` steps), then
 * each round train, prune `ratePerRound` of the remaining weights per layer, and rewind the survivors to the
 * snapshot. Returns the ticket (masks + rewound weights) and the report of every round.
 */
export async function lotteryTicket(o: LotteryOptions): Promise<LotteryTicket> {
  const fn = 'lotteryTicket';
  if (o === null || typeof o !== 'object') invalid(fn, 'options', 'an object { model, train, rounds, ratePerRound, rewind, … }', o);
  checkInstance(fn, 'options.model', o.model, Module, 'a Module');
  checkFunction(fn, 'options.train', o.train);
  if (o.evaluate !== undefined) checkFunction(fn, 'options.evaluate', o.evaluate);
  if (o.rewind !== 'init' && (o.rewind === null || typeof o.rewind !== 'object')) invalid(fn, 'options.rewind', "'init' or { iteration }", o.rewind);
  if (o.resume !== undefined && !(o.resume instanceof Uint8Array)) invalid(fn, 'options.resume', "the bytes of a round's save()", o.resume);
  if (!Number.isInteger(o.rounds) || o.rounds < 0) invalid(fn, 'rounds', 'an integer ≥ 0', o.rounds);
  if (!(o.ratePerRound >= 0 && o.ratePerRound <= 1)) invalid(fn, 'ratePerRound', 'a fraction in [0, 1]', o.ratePerRound);
  const k = o.rewind === 'init' ? 0 : o.rewind.iteration;
  if (!Number.isInteger(k) || k < 0) invalid(fn, 'rewind.iteration', 'an integer ≥ 0', k);
  let snapshot: StateDict | null = null;
  let report: LotteryRound[] = [];
  let start = 0;
  let pruner: Pruner;
  if (o.resume) {
    const { tensors, metadata } = loadSafetensors(o.resume);
    try {
      const meta = JSON.parse(metadata.lottery ?? 'null') as { format: string; round: number; report: LotteryRound[]; targets: string[] } | null;
      if (meta?.format !== 'slimtensor-lottery') throw new SlimError('INVALID_FORMAT', `${fn}: resume has no 'lottery' metadata of format slimtensor-lottery`);
      const part = (p: string) => Object.fromEntries(Object.entries(tensors).filter(([n]) => n.startsWith(p)).map(([n, t]) => [n.slice(p.length), t]));
      snapshot = copyState(part('snapshot.'));
      o.model.loadStateDict(snapshot);
      pruner = new Pruner(o.model, { params: meta.targets });
      pruner.loadEntries(part('mask.'));
      ({ report, round: start } = meta);
    } finally {
      for (const t of Object.values(tensors)) t.dispose();
    }
  } else {
    pruner = new Pruner(o.model, o.params ? { params: o.params } : {});
    if (k === 0) snapshot = copyState(o.model.stateDict());
  }
  const remaining = () => 1 - pruner.stats().sparsity;
  try {
    for (let round = start; round <= o.rounds; round++) {
      const detachers: (() => void)[] = [];
      await o.train({
        model: o.model,
        round,
        startIteration: round === 0 ? 0 : k,
        attach: (opt) => {
          const off = [pruner.attach(opt)];
          if (snapshot === null) off.push(opt.onStep((s) => { if (s.steps === k && snapshot === null) snapshot = copyState(o.model.stateDict()); }));
          const d = () => off.forEach((f) => f());
          detachers.push(d);
          return d;
        },
      });
      detachers.forEach((d) => d());
      if (snapshot === null) throw new SlimError('INVALID_ARGUMENT', `${fn}: round 0 took fewer than rewind.iteration = ${k} optimizer steps (attach the optimizer through ctx.attach)`);
      const entry: LotteryRound = { round, remaining: remaining(), accuracy: o.evaluate ? await o.evaluate(o.model, round) : null };
      report.push(entry);
      if (round < o.rounds) {
        pruner.magnitude(o.ratePerRound, o.layerRates ? { overrides: o.layerRates } : {});
        o.model.loadStateDict(snapshot);
        pruner.apply();
      }
      const snap: StateDict = snapshot;
      await o.onRound?.({ round: entry, report: report.slice(), pruner, save: () => saveState(pruner, snap, round + 1, report) });
    }
  } catch (e) {
    disposeState(snapshot);
    pruner.dispose();
    throw e;
  }
  const weights = copyState(snapshot!);
  const params = new Set(Object.keys(weights));
  for (const [n, m] of pruner.masks) if (params.has(n)) m.apply(weights[n]!);
  disposeState(snapshot);
  return { pruner, weights, report };
}

/**
 * The random re-initialization control: a fresh model from `create()` trained under the given masks
 * (e.g. a ticket's pruner.entries()). Returns evaluate()'s value; the model is disposed.
 */
export async function randomReinit(o: { create: () => Module; masks: Readonly<Record<string, Tensor>>; train: LotteryOptions['train']; evaluate: (model: Module) => number | Promise<number>; round?: number }): Promise<number> {
  const fn = 'randomReinit';
  if (o === null || typeof o !== 'object') invalid(fn, 'options', 'an object { create, masks, train, evaluate }', o);
  checkFunction(fn, 'options.create', o.create);
  checkFunction(fn, 'options.train', o.train);
  checkFunction(fn, 'options.evaluate', o.evaluate);
  if (o.masks === null || typeof o.masks !== 'object') invalid(fn, 'options.masks', "the ticket's masks by '<param>_mask'", o.masks);
  const model = o.create();
  checkInstance(fn, 'options.create()', model, Module, 'a Module');
  const pruner = new Pruner(model, { params: Object.keys(o.masks).map((k) => k.slice(0, -'_mask'.length)) });
  try {
    pruner.loadEntries(o.masks);
    await o.train({ model, round: o.round ?? 0, startIteration: 0, attach: (opt) => pruner.attach(opt) });
    return await o.evaluate(model);
  } finally {
    pruner.dispose();
    model.dispose();
  }
}
