// Binary models in safetensors: each BinaryInferenceLinear as its compact bits (U8, ⌈out·in/8⌉ bytes),
// alpha and bias (F32); Linear and BatchNorm1d as their state dicts; the layer plan as JSON in
// __metadata__["slimtensor-binary"]. A reloaded model gives identical outputs. A ReLU fused into a
// BinaryInferenceLinear is written as its own ReLU layer after it (the plan of the unfused model, so
// any reader rebuilds the same function) and fused again on load.
import { noGrad } from '../autograd/tape.js';
import { SlimError, invalid } from '../errors.js';
import { parseSafetensors, serializeSafetensors, type SafetensorsEntryInput } from '../io/safetensors.js';
import { Flatten, Linear } from '../nn/layers.js';
import { Module, Sequential } from '../nn/module.js';
import { BatchNorm1d } from '../nn/norm.js';
import { fromValues } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { b1Bytes, b1Compact, b1Padded } from './format.js';
import { BinaryInferenceLinear, PLAIN_MODULES } from './inference.js';
import type { BinaryMode } from './layers.js';

const KEY = 'slimtensor-binary';

type Layer =
  | { type: 'BinaryInferenceLinear'; in: number; out: number; mode: BinaryMode; bias: boolean }
  | { type: 'Linear'; in: number; out: number; bias: boolean }
  | { type: 'BatchNorm1d'; features: number; eps: number }
  | { type: 'Flatten'; startDim: number }
  | { type: keyof typeof PLAIN_MODULES };

const f32Entry = (t: Tensor): SafetensorsEntryInput => ({ dtype: 'F32', shape: [...t.shape], bytes: new Uint8Array((t.toTypedArray() as Float32Array).buffer) });

/** The safetensors bytes of an inference-form model (toInference's output). */
export function saveBinary(model: Sequential): Uint8Array<ArrayBuffer> {
  const fn = 'saveBinary';
  if (!(model instanceof Sequential)) invalid(fn, 'model', 'a Sequential from toInference()', model);
  const plan: Layer[] = [];
  const entries: [string, SafetensorsEntryInput][] = [];
  model.layers.forEach((m, layer) => {
    const i = plan.length; // tensors are named by plan index
    if (m instanceof BinaryInferenceLinear) {
      const n = m.outFeatures, k = m.inFeatures;
      plan.push({ type: 'BinaryInferenceLinear', in: k, out: n, mode: m.mode, bias: m.bias !== null });
      const bits = b1Compact(m.bits.toTypedArray() as Uint8Array, n, k);
      entries.push([`${i}.weight_bits`, { dtype: 'U8', shape: [bits.length], bytes: bits }], [`${i}.alpha`, f32Entry(m.alpha)]);
      if (m.bias) entries.push([`${i}.bias`, f32Entry(m.bias)]);
      if (m.relu) plan.push({ type: 'ReLU' });
      return;
    }
    if (m instanceof Linear) plan.push({ type: 'Linear', in: m.inFeatures, out: m.outFeatures, bias: m.bias !== null });
    else if (m instanceof BatchNorm1d) plan.push({ type: 'BatchNorm1d', features: m.numFeatures, eps: m.eps });
    else if (m instanceof Flatten) plan.push({ type: 'Flatten', startDim: m.startDim });
    else {
      const name = Object.keys(PLAIN_MODULES).find((t) => m instanceof PLAIN_MODULES[t as keyof typeof PLAIN_MODULES]);
      if (name === undefined) throw new SlimError('INVALID_ARGUMENT', `${fn}: layer ${layer} is a ${m.constructor.name}; save the model toInference() returns`);
      plan.push({ type: name as keyof typeof PLAIN_MODULES });
    }
    for (const [name, t] of Object.entries(m.stateDict())) if (t.dtype === 'f32') entries.push([`${i}.${name}`, f32Entry(t)]);
  });
  return serializeSafetensors(entries, { [KEY]: JSON.stringify({ version: 1, layers: plan }) });
}

/** Rebuilds the inference-form model saveBinary wrote (eval mode). A malformed file is an INVALID_FORMAT. */
export function loadBinary(bytes: Uint8Array): Sequential {
  const fn = 'loadBinary';
  const file = parseSafetensors(bytes);
  const bad = (msg: string): never => { throw new SlimError('INVALID_FORMAT', `${fn}: ${msg}`); };
  let plan: Layer[];
  try {
    plan = (JSON.parse(file.metadata[KEY] ?? 'null') as { layers: Layer[] } | null)?.layers ?? bad(`no "${KEY}" metadata: not a file saveBinary wrote`);
  } catch (e) {
    if (e instanceof SlimError) throw e;
    return bad(`the "${KEY}" metadata is not JSON`);
  }
  if (!Array.isArray(plan) || !plan.every((l) => l !== null && typeof l === 'object' && typeof l.type === 'string')) bad(`the "${KEY}" metadata must list layers as { type, … } objects`);
  const f32 = (name: string, count: number): Float32Array => {
    const e = file.entries.get(name) ?? bad(`missing tensor "${name}"`);
    if (e.dtype !== 'F32' || e.bytes.length !== count * 4) bad(`tensor "${name}" must be F32 with ${count} values, received ${e.dtype} ${JSON.stringify(e.shape)}`);
    return new Float32Array(e.bytes.slice().buffer);
  };
  const made: Module[] = [];
  try {
    plan.forEach((l, i) => {
      switch (l.type) {
        case 'BinaryInferenceLinear': {
          const e = file.entries.get(`${i}.weight_bits`) ?? bad(`missing tensor "${i}.weight_bits"`);
          if (e.dtype !== 'U8' || e.bytes.length !== b1Bytes(l.out, l.in, 'compact')) bad(`tensor "${i}.weight_bits" must be U8 with ${b1Bytes(l.out, l.in, 'compact')} bytes`);
          // A ReLU right after is fused into the layer (as toInference does).
          const relu = plan[i + 1]?.type === 'ReLU';
          made.push(new BinaryInferenceLinear([l.out, l.in], b1Padded(e.bytes, l.out, l.in), f32(`${i}.alpha`, l.out), l.bias ? f32(`${i}.bias`, l.out) : null, l.mode, { relu }));
          return;
        }
        case 'Linear': case 'BatchNorm1d': {
          const m = l.type === 'Linear' ? new Linear(l.in, l.out, { bias: l.bias }) : new BatchNorm1d(l.features, { eps: l.eps });
          made.push(m);
          const sd = m.stateDict();
          noGrad(() => {
            for (const [name, t] of Object.entries(sd)) {
              if (t.dtype !== 'f32') continue;
              const src = fromValues(fn, f32(`${i}.${name}`, t.size), t.shape, 'f32');
              m.loadStateDict({ ...sd, [name]: src });
              src.dispose();
            }
          });
          return;
        }
        case 'Flatten': made.push(new Flatten(l.startDim)); return;
        default: {
          if (l.type === 'ReLU' && plan[i - 1]?.type === 'BinaryInferenceLinear') return; // fused above
          const Ctor = PLAIN_MODULES[l.type as keyof typeof PLAIN_MODULES] ?? bad(`unknown layer type ${JSON.stringify((l as { type: unknown }).type)}`);
          made.push(new Ctor());
        }
      }
    });
  } catch (e) {
    made.forEach((m) => m.dispose());
    throw e;
  }
  return new Sequential(...made).eval();
}
