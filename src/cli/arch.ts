/// <reference types="node" />
// --arch: a compact MLP spec ("784-300-100-10": Linear layers with ReLU between them) or a JSON file
// describing a Sequential: { "input": [1, 28, 28], "layers": [{ "type": "conv2d", "in": 1, "out": 8,
// "kernel": 3, "padding": 1 }, { "type": "relu" }, { "type": "maxpool", "kernel": 2 }, { "type": "flatten" },
// { "type": "linear", "in": 1568, "out": 10 }] }. Layer names are the indices, as in PyTorch's nn.Sequential.
import { existsSync, readFileSync } from 'node:fs';
import * as st from '../index.js';
import { CliError, oneLine } from './errors.js';

export interface LayerSpec { type: string; [key: string]: unknown }
export interface ArchSpec { input: number[]; layers: LayerSpec[] }

export interface Arch {
  spec: ArchSpec;
  /** Per-sample input shape, e.g. [784] or [1, 28, 28]. */
  inShape: number[];
  /** Per-sample output shape (the logits). */
  outShape: number[];
  /** A new model with fresh (seeded) weights. */
  build(seed?: number): st.Sequential;
  /** "784-300-100-10" or "file.json (7 layers)". */
  label: string;
}

type Maker = (l: LayerSpec, at: string, rng: st.Rng) => st.Module;

const int = (l: LayerSpec, key: string, at: string, fallback?: number): number => {
  const v = l[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new CliError(`--arch: ${at} (${l.type}) needs "${key}": a non-negative integer, received ${JSON.stringify(v)}`);
  return v;
};
const num = (l: LayerSpec, key: string, at: string, fallback: number): number => {
  const v = l[key] ?? fallback;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new CliError(`--arch: ${at} (${l.type}) "${key}" must be a number, received ${JSON.stringify(v)}`);
  return v;
};
const bool = (l: LayerSpec, key: string, fallback: boolean): boolean => (typeof l[key] === 'boolean' ? (l[key] as boolean) : fallback);

/** Layer type → constructor, with the keys each accepts. */
const LAYERS: Record<string, { keys: string[]; make: Maker }> = {
  linear: { keys: ['in', 'out', 'bias'], make: (l, at, rng) => new st.Linear(int(l, 'in', at), int(l, 'out', at), { bias: bool(l, 'bias', true), rng }) },
  conv2d: {
    keys: ['in', 'out', 'kernel', 'stride', 'padding', 'dilation', 'bias'],
    make: (l, at, rng) => new st.Conv2d(int(l, 'in', at), int(l, 'out', at), int(l, 'kernel', at), { stride: int(l, 'stride', at, 1), padding: int(l, 'padding', at, 0), dilation: int(l, 'dilation', at, 1), bias: bool(l, 'bias', true), rng }),
  },
  relu: { keys: [], make: () => new st.ReLU() },
  gelu: { keys: [], make: () => new st.GELU() },
  tanh: { keys: [], make: () => new st.Tanh() },
  sigmoid: { keys: [], make: () => new st.Sigmoid() },
  flatten: { keys: [], make: () => new st.Flatten() },
  dropout: { keys: ['p'], make: (l, at) => new st.Dropout(num(l, 'p', at, 0.5)) },
  maxpool: { keys: ['kernel', 'stride', 'padding'], make: (l, at) => new st.MaxPool2d(int(l, 'kernel', at), { stride: int(l, 'stride', at, int(l, 'kernel', at)), padding: int(l, 'padding', at, 0) }) },
  avgpool: { keys: ['kernel', 'stride', 'padding'], make: (l, at) => new st.AvgPool2d(int(l, 'kernel', at), { stride: int(l, 'stride', at, int(l, 'kernel', at)), padding: int(l, 'padding', at, 0) }) },
  batchnorm1d: { keys: ['features', 'eps'], make: (l, at) => new st.BatchNorm1d(int(l, 'features', at), { eps: num(l, 'eps', at, 1e-5) }) },
  batchnorm2d: { keys: ['features', 'eps'], make: (l, at) => new st.BatchNorm2d(int(l, 'features', at), { eps: num(l, 'eps', at, 1e-5) }) },
};

/**
 * The spec of a model's leaves (nested Sequentials flattened, as st.lowRankModel makes them), and
 * the flat Sequential over the same layers whose state dict matches it; unknown layers throw.
 */
export function specOf(model: st.Module, input: number[]): { spec: ArchSpec; flat: st.Sequential } {
  const leaves = st.leafModules(model).map(([, m]) => m);
  const pair = (v: number | readonly [number, number]) => (typeof v === 'number' ? v : v[0]);
  const layers = leaves.map((m): LayerSpec => {
    if (m instanceof st.Linear) return { type: 'linear', in: m.inFeatures, out: m.outFeatures, bias: m.bias !== null };
    if (m instanceof st.Conv2d) {
      const [out, inC, kh] = m.weight.shape as [number, number, number];
      return { type: 'conv2d', in: inC, out, kernel: kh, stride: pair(m.options.stride), padding: pair(m.options.padding), dilation: pair(m.options.dilation), bias: m.bias !== null };
    }
    for (const [type, cls] of [['relu', st.ReLU], ['gelu', st.GELU], ['tanh', st.Tanh], ['sigmoid', st.Sigmoid], ['flatten', st.Flatten]] as const) if (m instanceof cls) return { type };
    throw new CliError(`a ${m.constructor.name} layer cannot be described by --arch`);
  });
  return { spec: { input, layers }, flat: new st.Sequential(...leaves) };
}

/** "784-300-100-10" → Linear/ReLU layers. */
export function mlpSpec(widths: number[]): ArchSpec {
  const layers: LayerSpec[] = [];
  for (let i = 0; i + 1 < widths.length; i++) {
    if (i > 0) layers.push({ type: 'relu' });
    layers.push({ type: 'linear', in: widths[i]!, out: widths[i + 1]! });
  }
  return { input: [widths[0]!], layers };
}

/** Checks a parsed JSON arch: known layer types and keys, an input shape. */
function check(json: unknown, source: string): ArchSpec {
  const obj = (Array.isArray(json) ? { layers: json } : json) as Partial<ArchSpec> | null;
  if (obj === null || typeof obj !== 'object' || !Array.isArray(obj.layers) || obj.layers.length === 0) throw new CliError(`--arch: ${source} must hold { "input": [...], "layers": [{ "type": ... }, ...] }`);
  const layers = obj.layers;
  layers.forEach((l, i) => {
    const t = (l as LayerSpec)?.type;
    const def = typeof t === 'string' ? LAYERS[t.toLowerCase()] : undefined;
    if (!def) throw new CliError(`--arch: layer ${i} has type ${JSON.stringify(t)}; known types: ${Object.keys(LAYERS).join(', ')}`);
    for (const k of Object.keys(l)) if (k !== 'type' && !def.keys.includes(k)) throw new CliError(`--arch: layer ${i} (${t}) has an unknown key "${k}"; it takes ${def.keys.join(', ') || 'no keys'}`);
  });
  const first = layers[0]!;
  const input = obj.input ?? (first.type.toLowerCase() === 'linear' ? [first.in as number] : undefined);
  if (!Array.isArray(input) || input.length === 0 || !input.every((d) => Number.isSafeInteger(d) && d > 0)) throw new CliError(`--arch: ${source} needs "input": the per-sample shape, e.g. [784] or [1, 28, 28]`);
  return { input, layers: layers.map((l) => ({ ...l, type: l.type.toLowerCase() })) };
}

/** Builds an Arch from a spec, checking it by running one zero sample through it. */
export function archFromSpec(spec: ArchSpec, label: string): Arch {
  const build = (seed = 0): st.Sequential => {
    const rng = new st.Rng(seed);
    return new st.Sequential(...spec.layers.map((l, i) => LAYERS[l.type]!.make(l, `layer ${i}`, rng)));
  };
  const probe = build();
  let outShape: number[];
  try {
    probe.eval();
    outShape = st.tidy(() => st.noGrad(() => probe.forward(st.zeros([1, ...spec.input])).shape.slice(1)));
  } catch (e) {
    if (e instanceof st.SlimError) throw new CliError(`--arch: ${label} does not fit together for input [${spec.input.join(', ')}]: ${oneLine(e.message)}`);
    throw e;
  } finally {
    probe.dispose();
  }
  return { spec, inShape: spec.input, outShape, build, label };
}

/** Parses --arch: a dash-separated MLP spec or a JSON file. */
export function parseArch(value: string): Arch {
  if (/^\d+(-\d+)+$/.test(value)) {
    const widths = value.split('-').map(Number);
    if (widths.some((w) => w < 1)) throw new CliError(`--arch: every width in ${value} must be at least 1`);
    return archFromSpec(mlpSpec(widths), value);
  }
  if (!existsSync(value)) throw new CliError(`--arch: ${JSON.stringify(value)} is neither an MLP spec like 784-300-100-10 nor an existing JSON file`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(value, 'utf8'));
  } catch (e) {
    throw new CliError(`--arch: ${value} is not valid JSON (${(e as Error).message})`);
  }
  const spec = check(json, value);
  return archFromSpec(spec, `${value} (${spec.layers.length} layers)`);
}
