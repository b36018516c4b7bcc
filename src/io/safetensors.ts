// safetensors (https://github.com/huggingface/safetensors): an 8-byte little-endian u64 N, N bytes of
// UTF-8 JSON `{ "__metadata__"?: {str: str}, name: { dtype, shape, data_offsets: [begin, end] } }`
// padded with spaces, then the tensors' little-endian row-major bytes, offsets relative to the data
// region. Universal: no node: imports.
import { f32View, i32View, u8View } from '../backend/binding.js';
import { SlimError, describe, invalid, optionsOf } from '../errors.js';
import type { DType } from '../tensor/dtype.js';
import { numel, shapeString } from '../tensor/shape.js';
import { assertTensor, empty, type Tensor } from '../tensor/tensor.js';
import { f16BitsToF32Bits } from './float16.js';

/** The safetensors element types slimtensor reads (and writes through serializeSafetensors). */
export type SafeDType = 'F32' | 'F16' | 'BF16' | 'I8' | 'U8' | 'I16' | 'I32' | 'I64' | 'BOOL';

export interface SafeDTypeTraits {
  /** Bytes per element. */
  readonly bytes: number;
  /** Rank in the reference implementation's `Dtype` enum; writers order tensors by it, descending, then by name. */
  readonly order: number;
  /** The dtype loadSafetensors gives it (I64: i32, or f32 with `{ int64: 'f32' }`). */
  readonly loads: DType;
}

export const SAFE_DTYPES: Readonly<Record<SafeDType, SafeDTypeTraits>> = {
  BOOL: { bytes: 1, order: 0, loads: 'u8' },
  U8: { bytes: 1, order: 1, loads: 'u8' },
  I8: { bytes: 1, order: 2, loads: 'i8' },
  I16: { bytes: 2, order: 3, loads: 'i32' },
  F16: { bytes: 2, order: 4, loads: 'f32' },
  BF16: { bytes: 2, order: 5, loads: 'f32' },
  I32: { bytes: 4, order: 6, loads: 'i32' },
  F32: { bytes: 4, order: 7, loads: 'f32' },
  I64: { bytes: 8, order: 8, loads: 'i32' },
};

/** Format dtypes slimtensor does not read, named as such in errors (anything else is unknown). */
const UNSUPPORTED = ['F64', 'U16', 'U32', 'U64', 'C64', 'F4', 'F6_E2M3', 'F6_E3M2', 'F8_E5M2', 'F8_E4M3', 'F8_E8M0', 'F8_E4M3FNUZ', 'F8_E5M2FNUZ'];
const SAVES: Readonly<Record<DType, SafeDType>> = { f32: 'F32', i32: 'I32', i8: 'I8', u8: 'U8' };
const METADATA = '__metadata__';
/** The reference implementation's header limit, in bytes. */
export const MAX_HEADER_BYTES = 100_000_000;

export interface SafetensorsEntry {
  dtype: SafeDType;
  shape: number[];
  /** A view into the file's bytes. */
  bytes: Uint8Array;
}

export interface SafetensorsFile {
  metadata: Record<string, string>;
  /** In the order of their data in the file. */
  entries: Map<string, SafetensorsEntry>;
}

export interface SafetensorsParseOptions {
  /** Largest header accepted, in bytes (default 100 MB, as the reference implementation). */
  maxHeaderBytes?: number;
}

export interface SafetensorsLoadOptions extends SafetensorsParseOptions {
  /** I64 tensors load as i32, an error if a value does not fit ('error', the default), or are rounded to f32 ('f32'). */
  int64?: 'error' | 'f32';
}

/** What serializeSafetensors takes per tensor: a SafetensorsEntry, or any view of the same shape. */
export interface SafetensorsEntryInput {
  readonly dtype: SafeDType;
  readonly shape: readonly number[];
  readonly bytes: Uint8Array;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/** Throws INVALID_FORMAT: the bytes break the safetensors format. */
function malformed(fn: string, message: string): never {
  throw new SlimError('INVALID_FORMAT', `${fn}: ${message}`);
}

const isRecord = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
const isDims = (x: unknown): x is number[] => Array.isArray(x) && x.every((d) => Number.isSafeInteger(d) && d >= 0);
const isSafeDType = (x: unknown): x is SafeDType => typeof x === 'string' && Object.hasOwn(SAFE_DTYPES, x);
const tensorName = (name: string): string => `tensor ${JSON.stringify(name)}`;

function dtypeExpected(dtype: unknown): string {
  const note = typeof dtype === 'string' && UNSUPPORTED.includes(dtype) ? ' (a safetensors dtype slimtensor does not read)' : '';
  return `one of ${Object.keys(SAFE_DTYPES).join(', ')}, received ${describe(dtype)}${note}`;
}

/** Splits a safetensors file into metadata and (dtype, shape, byte view) entries, checking every format rule. */
export function parseSafetensors(bytes: Uint8Array, options: SafetensorsParseOptions = {}): SafetensorsFile {
  options = optionsOf('parseSafetensors', options, 'options');
  return parse('parseSafetensors', bytes, options);
}

function parse(fn: string, bytes: Uint8Array, options: SafetensorsParseOptions): SafetensorsFile {
  if (!(bytes instanceof Uint8Array)) invalid(fn, 'bytes', 'a Uint8Array', bytes);
  if (options === null || typeof options !== 'object') invalid(fn, 'options', 'an object', options);
  const limit = options.maxHeaderBytes ?? MAX_HEADER_BYTES;
  if (!Number.isSafeInteger(limit) || limit < 0) invalid(fn, 'options.maxHeaderBytes', 'a non-negative integer', limit);
  if (bytes.length < 8) malformed(fn, `the file is truncated: it must start with an 8-byte header length, received ${bytes.length} bytes`);
  const n = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(0, true);
  if (n > BigInt(limit)) malformed(fn, `the header length must be at most ${limit} bytes (maxHeaderBytes), received ${n}`);
  const dataStart = 8 + Number(n);
  if (dataStart > bytes.length) malformed(fn, `the header length ${n} runs past the end of the file (${bytes.length} bytes): the file is truncated or not safetensors`);
  let header: unknown;
  try {
    header = JSON.parse(utf8.decode(bytes.slice(8, dataStart))); // a copy: TextDecoder refuses views of shared memory
  } catch (e) {
    malformed(fn, `the header must be UTF-8 JSON: ${(e as Error).message}`);
  }
  if (!isRecord(header)) malformed(fn, `the header must be a JSON object, received ${describe(header)}`);

  const dataBytes = bytes.length - dataStart;
  let metadata: Record<string, string> = {};
  const infos: { name: string; dtype: SafeDType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === METADATA) {
      if (!isRecord(value)) malformed(fn, `${METADATA} must be an object of strings, received ${describe(value)}`);
      for (const [k, v] of Object.entries(value)) if (typeof v !== 'string') malformed(fn, `${METADATA}[${JSON.stringify(k)}] must be a string, received ${describe(v)}`);
      metadata = Object.fromEntries(Object.entries(value)) as Record<string, string>;
      continue;
    }
    const what = tensorName(name);
    if (!isRecord(value)) malformed(fn, `${what} must be an object with dtype, shape and data_offsets, received ${describe(value)}`);
    const { dtype, shape, data_offsets: offsets } = value;
    if (!isSafeDType(dtype)) malformed(fn, `${what} dtype must be ${dtypeExpected(dtype)}`);
    if (!isDims(shape)) malformed(fn, `${what} shape must be an array of non-negative integers, received ${describe(shape)}`);
    if (!isDims(offsets) || offsets.length !== 2 || offsets[0]! > offsets[1]!) {
      malformed(fn, `${what} data_offsets must be [begin, end] with integers 0 ≤ begin ≤ end, received ${describe(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    const need = numel(shape) * SAFE_DTYPES[dtype].bytes;
    if (end - begin !== need) malformed(fn, `${what} (${dtype} ${shapeString(shape)}) needs ${need} bytes, but its data_offsets [${begin}, ${end}] hold ${end - begin}`);
    if (end > dataBytes) {
      malformed(fn, `${what} data_offsets [${begin}, ${end}] run past the end of the data region (${dataBytes} bytes): the file is truncated or the offsets are out of range (a file of at least ${dataStart + end} bytes was expected, received ${bytes.length})`);
    }
    infos.push({ name, dtype, shape, begin, end });
  }

  infos.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous = '';
  for (const t of infos) {
    if (t.begin < covered) malformed(fn, `${tensorName(t.name)} data_offsets [${t.begin}, ${t.end}] overlap ${previous}, which ends at ${covered}`);
    if (t.begin > covered) {
      const after = previous === '' ? 'before' : `between ${previous} (ending at ${covered}) and`;
      malformed(fn, `the data region has a hole of ${t.begin - covered} bytes ${after} ${tensorName(t.name)} (beginning at ${t.begin}): tensors must cover it contiguously from 0`);
    }
    covered = t.end;
    previous = tensorName(t.name);
  }
  if (covered !== dataBytes) malformed(fn, `the data region has ${dataBytes - covered} bytes after the last tensor ends at ${covered}: the file must be exactly ${dataStart + covered} bytes, received ${bytes.length}`);

  const base = bytes.byteOffset + dataStart;
  const entries = new Map<string, SafetensorsEntry>();
  for (const t of infos) entries.set(t.name, { dtype: t.dtype, shape: t.shape, bytes: new Uint8Array(bytes.buffer, base + t.begin, t.end - t.begin) });
  return { metadata, entries };
}

/** Orders strings by code point, i.e. by their UTF-8 bytes, as Rust orders `str` (JS `<` compares UTF-16 units). */
function compareNames(a: string, b: string): number {
  const fixup = (u: number) => (u < 0xd800 ? u : u < 0xe000 ? u + 0x2000 : u - 0x800);
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) return fixup(a.charCodeAt(i)) - fixup(b.charCodeAt(i));
  }
  return a.length - b.length;
}

/** A safetensors file as PyTorch's `save_file` writes it: compact JSON, tensors by dtype rank (descending) then name, space padding to 8 bytes. */
export function serializeSafetensors(entries: Iterable<readonly [string, SafetensorsEntryInput]>, metadata?: Record<string, string>): Uint8Array<ArrayBuffer> {
  return serialize('serializeSafetensors', entries, metadata);
}

function serialize(fn: string, entries: Iterable<readonly [string, SafetensorsEntryInput]>, metadata: Record<string, string> | undefined): Uint8Array<ArrayBuffer> {
  if (entries === null || typeof (entries as Partial<Iterable<unknown>>)?.[Symbol.iterator] !== 'function') invalid(fn, 'entries', 'an iterable of [name, { dtype, shape, bytes }]', entries);
  if (metadata !== undefined && !isRecord(metadata)) invalid(fn, 'metadata', 'an object of strings', metadata);
  const meta = Object.entries(metadata ?? {});
  for (const [k, v] of meta) if (typeof v !== 'string') invalid(fn, `metadata[${JSON.stringify(k)}]`, 'a string', v);

  const list: { name: string; dtype: SafeDType; shape: readonly number[]; bytes: Uint8Array }[] = [];
  const names = new Set<string>();
  for (const item of entries) {
    if (!Array.isArray(item) || item.length !== 2) invalid(fn, 'each entry', 'a pair [name, { dtype, shape, bytes }]', item);
    const [name, e] = item as [unknown, SafetensorsEntryInput];
    if (typeof name !== 'string') invalid(fn, 'a tensor name', 'a string', name);
    const arg = `entry ${JSON.stringify(name)}`;
    if (name === METADATA) invalid(fn, 'a tensor name', `anything but "${METADATA}"`, name);
    if (names.has(name)) throw new SlimError('INVALID_ARGUMENT', `${fn}: tensor names must be unique, received ${JSON.stringify(name)} twice`);
    names.add(name);
    if (!isRecord(e)) invalid(fn, arg, 'an object { dtype, shape, bytes }', e);
    if (!isSafeDType(e.dtype)) throw new SlimError('INVALID_ARGUMENT', `${fn}: ${arg}.dtype must be ${dtypeExpected(e.dtype)}`);
    if (!isDims(e.shape)) invalid(fn, `${arg}.shape`, 'an array of non-negative integers', e.shape);
    if (!(e.bytes instanceof Uint8Array)) invalid(fn, `${arg}.bytes`, 'a Uint8Array', e.bytes);
    const need = numel(e.shape) * SAFE_DTYPES[e.dtype].bytes;
    if (e.bytes.length !== need) throw new SlimError('INVALID_ARGUMENT', `${fn}: ${arg}.bytes must hold ${need} bytes for ${e.dtype} ${shapeString(e.shape)}, received ${e.bytes.length}`);
    list.push({ name, dtype: e.dtype, shape: e.shape, bytes: e.bytes });
  }
  list.sort((a, b) => SAFE_DTYPES[b.dtype].order - SAFE_DTYPES[a.dtype].order || compareNames(a.name, b.name));

  // Built by hand, not JSON.stringify(object): objects put integer-like keys ("0", "1") first.
  const parts: string[] = [];
  if (meta.length > 0) parts.push(`"${METADATA}":{${meta.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`);
  let offset = 0;
  for (const t of list) {
    parts.push(`${JSON.stringify(t.name)}:{"dtype":"${t.dtype}","shape":[${t.shape.join(',')}],"data_offsets":[${offset},${offset + t.bytes.length}]}`);
    offset += t.bytes.length;
  }
  const json = utf8Encoder.encode(`{${parts.join(',')}}`);
  const headerBytes = json.length + ((8 - (json.length % 8)) % 8);
  const out = new Uint8Array(8 + headerBytes + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerBytes), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerBytes);
  let pos = 8 + headerBytes;
  for (const t of list) {
    out.set(t.bytes, pos);
    pos += t.bytes.length;
  }
  return out;
}

/** Reads a safetensors file into tensors (F16/BF16 → f32 exactly, I16/I64 → i32, BOOL → u8); on any error nothing stays allocated. */
export function loadSafetensors(bytes: Uint8Array, options: SafetensorsLoadOptions = {}): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  const fn = 'loadSafetensors';
  options = optionsOf(fn, options);
  if (options === null || typeof options !== 'object') invalid(fn, 'options', 'an object', options);
  const int64 = options.int64 ?? 'error';
  if (int64 !== 'error' && int64 !== 'f32') invalid(fn, 'options.int64', "'error' or 'f32'", int64);
  const file = parse(fn, bytes, options);
  if (int64 === 'error') for (const [name, e] of file.entries) if (e.dtype === 'I64') checkInt32(fn, name, e.bytes);
  const loaded: [string, Tensor][] = [];
  try {
    for (const [name, e] of file.entries) loaded.push([name, toTensor(`${fn}: ${tensorName(name)}`, e, int64)]);
  } catch (err) {
    for (const [, t] of loaded) t.dispose();
    throw err;
  }
  return { tensors: Object.fromEntries(loaded), metadata: file.metadata };
}

/** Throws unless every little-endian i64 in `bytes` fits i32, naming the first that does not. */
function checkInt32(fn: string, name: string, bytes: Uint8Array): void {
  const src = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < bytes.length >>> 3; i++) {
    if (src.getInt32(8 * i + 4, true) !== src.getInt32(8 * i, true) >> 31) {
      throw new SlimError('INVALID_ARGUMENT', `${fn}: ${tensorName(name)} is I64 and loads as i32, so its values must be in [-2147483648, 2147483647], received ${src.getBigInt64(8 * i, true)} at flat index ${i}; pass { int64: 'f32' } to load it as f32`);
    }
  }
}

/** The i64 hi·2^32 + lo (lo unsigned) as a double that rounds to the same f32 as the exact value. */
function int64ForF32(lo: number, hi: number): number {
  // Past 2^53 a double cannot hold it; the f32 ulp there is ≥ 2^30, so bits below 2^29 only matter as a sticky bit.
  if (hi >= 0x200000 || hi < -0x200000) lo = ((lo & 0xe0000000) | ((lo & 0x1fffffff) !== 0 ? 0x10000000 : 0)) >>> 0;
  return hi * 4294967296 + lo;
}

function toTensor(fn: string, e: SafetensorsEntry, int64: 'error' | 'f32'): Tensor {
  const t = empty(fn, e.shape, e.dtype === 'I64' && int64 === 'f32' ? 'f32' : SAFE_DTYPES[e.dtype].loads);
  const src = new DataView(e.bytes.buffer, e.bytes.byteOffset, e.bytes.byteLength);
  const n = t.size;
  const o = t.ptr >>> 2;
  switch (e.dtype) {
    case 'F16': { const out = i32View(); for (let i = 0; i < n; i++) out[o + i] = f16BitsToF32Bits(src.getUint16(2 * i, true)); break; }
    case 'BF16': { const out = i32View(); for (let i = 0; i < n; i++) out[o + i] = src.getUint16(2 * i, true) << 16; break; }
    case 'I16': { const out = i32View(); for (let i = 0; i < n; i++) out[o + i] = src.getInt16(2 * i, true); break; }
    case 'I64':
      if (t.dtype === 'i32') { const out = i32View(); for (let i = 0; i < n; i++) out[o + i] = src.getInt32(8 * i, true); } // range checked before allocating
      else { const out = f32View(); for (let i = 0; i < n; i++) out[o + i] = int64ForF32(src.getUint32(8 * i, true), src.getInt32(8 * i + 4, true)); }
      break;
    default: u8View().set(e.bytes, t.ptr); // F32, I32, I8, U8, BOOL: already wasm's little-endian layout
  }
  return t;
}

/** A safetensors file of the tensors (f32 → F32, i32 → I32, i8 → I8, u8 → U8), laid out as PyTorch's `save_file`. */
export function saveSafetensors(tensors: Record<string, Tensor> | Map<string, Tensor>, metadata?: Record<string, string>): Uint8Array<ArrayBuffer> {
  const fn = 'saveSafetensors';
  if (tensors === null || typeof tensors !== 'object') invalid(fn, 'tensors', 'a Record or Map of name → Tensor', tensors);
  const pairs: [string, unknown][] = tensors instanceof Map ? [...tensors] : Object.entries(tensors);
  for (const [name, t] of pairs) assertTensor(fn, `tensors[${JSON.stringify(name)}]`, t);
  const memory = u8View(); // no allocation happens below, so views into it stay valid
  const entries = (pairs as [string, Tensor][]).map(([name, t]) => [name, { dtype: SAVES[t.dtype], shape: t.shape, bytes: memory.subarray(t.ptr, t.ptr + t.byteLength) }] as const);
  return serialize(fn, entries, metadata);
}
