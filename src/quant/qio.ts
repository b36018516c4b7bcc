// A quantized model as a safetensors file: int8/uint8 tensors as I8/U8, int4 packed two per byte as
// U8 (flat, low nibble first) with F16 group scales and an F16 bias, int32 bias and zero points as I32, scales as
// F32 (an int8 layer with an f32 output: F32 bias, no output qparams, `outputDtype: 'f32'` in its
// record); the op plan and the quantization config as JSON in __metadata__["slimtensor"].
import { SlimError } from '../errors.js';
import { parseSafetensors, serializeSafetensors, type SafeDType, type SafetensorsEntry, type SafetensorsEntryInput } from '../io/safetensors.js';
import { f16BitsToF32 } from '../io/float16.js';
import { fromValues } from '../tensor/create.js';
import { keep } from '../tensor/scope.js';
import { QuantizedModel } from './qmodel.js';
import { DequantizeOp, LutOp, QConv2dOp, QLinearOp, QMaxPool2dOp, QuantizeOp, type ActQParams, type ConvGeometry, type QOp } from './qops.js';
import { DynInt8LinearOp, WeightOnlyInt8LinearOp, F32ActOp, F32PoolOp, F32WeightOp, HalfLinearOp, Int4LinearOp, type PoolSpec } from './qfloat.js';
import type { ActFn } from './graph.js';

const FORMAT = 'slimtensor.quantized';
const KEY = 'slimtensor';

interface OpRecord { kind: string; name: string; inShape: number[]; outShape: number[]; [k: string]: unknown }

/** The model as safetensors bytes; throws for a layer left f32 whose class the format does not know. */
export function saveQuantized(model: QuantizedModel): Uint8Array<ArrayBuffer> {
  if (!(model instanceof QuantizedModel)) throw new SlimError('INVALID_ARGUMENT', `saveQuantized: model must be a QuantizedModel, received ${model === null ? 'null' : typeof model}`);
  const records: OpRecord[] = model.ops.map((op) => ({ kind: op.kind, name: op.name, inShape: [...op.inShape], outShape: [...op.outShape], ...op.meta() }));
  const entries: [string, SafetensorsEntryInput][] = [];
  for (const op of model.ops) for (const [key, e] of Object.entries(op.entries())) entries.push([`${op.name}.${key}`, e]);
  const meta = { format: FORMAT, version: 1, inShape: model.inShape, outShape: model.outShape, info: model.info, ops: records };
  return serializeSafetensors(entries, { [KEY]: JSON.stringify(meta) });
}

const bad = (msg: string): never => { throw new SlimError('INVALID_FORMAT', `loadQuantized: ${msg}`); };

/** Reads a file written by saveQuantized; a malformed file throws INVALID_FORMAT and allocates nothing that stays. */
export function loadQuantized(bytes: Uint8Array): QuantizedModel {
  const file = parseSafetensors(bytes);
  let meta: { format?: unknown; version?: unknown; inShape?: unknown; outShape?: unknown; info?: unknown; ops?: unknown };
  try {
    meta = JSON.parse(file.metadata[KEY] ?? 'null') ?? bad(`no __metadata__["${KEY}"]: not a slimtensor quantized model`);
  } catch (e) {
    if (e instanceof SlimError) throw e;
    return bad(`__metadata__["${KEY}"] is not valid JSON`);
  }
  if (meta.format !== FORMAT || meta.version !== 1) bad(`format must be ${FORMAT} version 1, received ${String(meta.format)} version ${String(meta.version)}`);
  if (!isShape(meta.inShape) || !isShape(meta.outShape) || !Array.isArray(meta.ops)) bad('inShape, outShape and ops must be present');
  const ops: QOp[] = [];
  try {
    for (const r of meta.ops as OpRecord[]) ops.push(readOp(r, file.entries));
  } catch (e) {
    ops.forEach((op) => op.dispose());
    throw e;
  }
  return new QuantizedModel(ops, meta.inShape as number[], meta.outShape as number[], (meta.info ?? {}) as Record<string, unknown>);
}

const isShape = (s: unknown): s is number[] => Array.isArray(s) && s.every((d) => Number.isInteger(d) && d >= 0);

function entry(entries: Map<string, SafetensorsEntry>, name: string, dtype: SafeDType, count?: number): SafetensorsEntry {
  const e = entries.get(name) ?? bad(`missing tensor '${name}'`);
  if (e.dtype !== dtype) bad(`tensor '${name}' must be ${dtype}, received ${e.dtype}`);
  const n = e.shape.reduce((a, b) => a * b, 1);
  if (count !== undefined && n !== count) bad(`tensor '${name}' must hold ${count} values, received shape [${e.shape}]`);
  return e;
}

/** A typed copy of an entry's little-endian bytes (aligned, so any offset in the file works). */
function read<T extends Float32Array | Int32Array | Int8Array | Uint8Array | Uint16Array>(ctor: { new (b: ArrayBuffer): T; BYTES_PER_ELEMENT: number }, e: SafetensorsEntry): T {
  const copy = new Uint8Array(e.bytes.byteLength);
  copy.set(e.bytes);
  return new ctor(copy.buffer);
}

function readOp(r: OpRecord, entries: Map<string, SafetensorsEntry>): QOp {
  if (r === null || typeof r !== 'object' || typeof r.kind !== 'string' || typeof r.name !== 'string' || !isShape(r.inShape) || !isShape(r.outShape)) bad(`an op record is malformed: ${JSON.stringify(r)?.slice(0, 200)}`);
  const t = (key: string, dtype: SafeDType, count?: number) => entry(entries, `${r.name}.${key}`, dtype, count);
  const act = (prefix: string): ActQParams => ({ scale: read(Float32Array, t(`${prefix}scale`, 'F32', 1))[0]!, zeroPoint: read(Int32Array, t(`${prefix}zero_point`, 'I32', 1))[0]! });
  const inner = r.inShape.at(-1) ?? 0;
  const n = (r.outShape as number[]).at(r.kind === 'qconv2d' ? 0 : -1) ?? 0;
  const geometry = (dilated = true): ConvGeometry => {
    const g = { kh: r.kh, kw: r.kw, sh: r.sh, sw: r.sw, ph: r.ph, pw: r.pw, ...(dilated ? { dh: r.dh, dw: r.dw } : {}) } as Record<string, unknown>;
    for (const [k, v] of Object.entries(g)) if (!Number.isInteger(v) || (v as number) < 0) bad(`op '${r.name}': ${k} must be a non-negative integer`);
    return g as unknown as ConvGeometry;
  };
  const weights = (k: number) => {
    if (r.outputDtype !== undefined && r.outputDtype !== 'f32') bad(`op '${r.name}': outputDtype must be 'f32' when present, received ${JSON.stringify(r.outputDtype)}`);
    const f32Out = r.outputDtype === 'f32';
    return {
      weight: read(Int8Array, t('weight', 'I8', n * k)),
      weightScale: read(Float32Array, t('weight_scale', 'F32')),
      bias: f32Out ? read(Float32Array, t('bias', 'F32', n)) : read(Int32Array, t('bias', 'I32', n)),
      input: act('input_'),
      output: f32Out ? null : act('output_'),
      relu: r.relu === true,
    };
  };
  switch (r.kind) {
    case 'quantize': return new QuantizeOp(r.name, r.inShape, act(''));
    case 'dequantize': return new DequantizeOp(r.name, r.inShape, act(''));
    case 'qlinear': return new QLinearOp(r.name, r.inShape, n, weights(inner));
    case 'qconv2d': {
      const g = geometry();
      return new QConv2dOp(r.name, r.inShape, n, g, weights((r.inShape[0] ?? 0) * g.kh * g.kw));
    }
    case 'qmaxpool2d': return new QMaxPool2dOp(r.name, r.inShape, geometry(false));
    case 'lut': return new LutOp(r.name, r.inShape, checkFn(r), undefined, undefined, keep(fromValues('loadQuantized', read(Uint8Array, t('table', 'U8', 256)), [256], 'u8')));
    case 'act': return new F32ActOp(r.name, r.inShape, checkFn(r) as ActFn);
    case 'pool': return new F32PoolOp(r.name, r.inShape, r.outShape, r as unknown as PoolSpec);
    case 'f32': {
      const we = t('weight', 'F32');
      const conv = r.kh !== undefined ? geometry() : null;
      return new F32WeightOp(r.name, r.inShape, r.outShape, read(Float32Array, we), we.shape, read(Float32Array, t('bias', 'F32')), r.relu === true, conv);
    }
    case 'int8-weight-only': {
      const has = entries.has(`${r.name}.bias`);
      return new WeightOnlyInt8LinearOp(r.name, r.inShape, n, read(Int8Array, t('weight', 'I8', n * inner)), read(Float32Array, t('weight_scale', 'F32', n)), has ? read(Float32Array, t('bias', 'F32', n)) : null, r.relu === true);
    }
    case 'f16':
    case 'bf16': {
      const has = entries.has(`${r.name}.bias`);
      return new HalfLinearOp(r.name, r.inShape, n, r.kind, read(Uint16Array, t('weight', r.kind === 'f16' ? 'F16' : 'BF16', n * inner)), has ? read(Float32Array, t('bias', 'F32', n)) : null, r.relu === true);
    }
    case 'int4':
    case 'dynamic': {
      const has = entries.has(`${r.name}.bias`);
      // int4 biases are F16 (F32 in files written before, or when one overflows f16).
      const f16Bias = r.kind === 'int4' && entries.get(`${r.name}.bias`)?.dtype === 'F16';
      const biasValues = () => (f16Bias ? Float32Array.from(read(Uint16Array, t('bias', 'F16', n)), f16BitsToF32) : read(Float32Array, t('bias', 'F32', n)));
      const bias = has ? keep(fromValues('loadQuantized', biasValues(), [n], 'f32')) : null;
      try {
        if (r.kind === 'dynamic') return new DynInt8LinearOp(r.name, r.inShape, n, read(Int8Array, t('weight', 'I8', n * inner)), read(Float32Array, t('weight_scale', 'F32', n)), bias, r.relu === true);
        const g = r.groupSize as 32 | 64 | 128;
        if (g !== 32 && g !== 64 && g !== 128) bad(`op '${r.name}': groupSize must be 32, 64 or 128`);
        const packed = read(Uint8Array, t('weight', 'U8', Math.ceil((n * inner) / 2)));
        const q = Int8Array.from({ length: n * inner }, (_, i) => (((packed[i >> 1]! >> ((i & 1) << 2)) & 0xf) << 28) >> 28);
        const scale = Float32Array.from(read(Uint16Array, t('weight_scale', 'F16', n * Math.ceil(inner / g))), f16BitsToF32);
        return new Int4LinearOp(r.name, r.inShape, n, q, scale, bias, g, r.relu === true);
      } finally {
        bias?.dispose();
      }
    }
    default: return bad(`op '${r.name}' has an unknown kind '${r.kind}'`);
  }
}

function checkFn(r: OpRecord): ActFn | 'identity' {
  const fns = ['relu', 'gelu', 'tanh', 'sigmoid', 'identity'];
  return fns.includes(r.fn as string) ? (r.fn as ActFn) : bad(`op '${r.name}': fn must be one of ${fns.join(', ')}`);
}
