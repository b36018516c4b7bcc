// The IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/):
// bytes 0-1 = 0x0000, byte 2 = element type, byte 3 = ndims, then ndims big-endian u32 dims,
// then the elements row-major and big-endian.
import { SlimError, invalid } from '../errors.js';

/** Element types of the IDX format. */
export type IdxDType = 'u8' | 'i8' | 'i16' | 'i32' | 'f32' | 'f64';

/** The typed array holding each IDX element type, in native byte order. */
export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** A parsed IDX file: row-major `data` of `shape`, converted to native byte order. */
export interface IdxArray {
  dtype: IdxDType;
  shape: number[];
  data: IdxData;
}

interface IdxType { dtype: IdxDType; bytes: number; make: (n: number) => IdxData; read: (v: DataView, at: number) => number }

/** The type byte (third byte of the header) → element traits. */
const TYPES: ReadonlyMap<number, IdxType> = new Map([
  [0x08, { dtype: 'u8', bytes: 1, make: (n) => new Uint8Array(n), read: (v, at) => v.getUint8(at) }],
  [0x09, { dtype: 'i8', bytes: 1, make: (n) => new Int8Array(n), read: (v, at) => v.getInt8(at) }],
  [0x0b, { dtype: 'i16', bytes: 2, make: (n) => new Int16Array(n), read: (v, at) => v.getInt16(at) }],
  [0x0c, { dtype: 'i32', bytes: 4, make: (n) => new Int32Array(n), read: (v, at) => v.getInt32(at) }],
  [0x0d, { dtype: 'f32', bytes: 4, make: (n) => new Float32Array(n), read: (v, at) => v.getFloat32(at) }],
  [0x0e, { dtype: 'f64', bytes: 8, make: (n) => new Float64Array(n), read: (v, at) => v.getFloat64(at) }],
]);

const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`;

/** True when `bytes` starts with the gzip magic number 0x1f 0x8b. */
export function isGzip(bytes: Uint8Array): boolean {
  if (!(bytes instanceof Uint8Array)) invalid('isGzip', 'bytes', 'a Uint8Array', bytes);
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Parses an IDX file (already decompressed): u8/i8 data is a view into `bytes` (no copy), wider types a new native-endian array. */
export function parseIdx(bytes: Uint8Array): IdxArray {
  const fn = 'parseIdx';
  if (!(bytes instanceof Uint8Array)) invalid(fn, 'bytes', 'a Uint8Array', bytes);
  if (bytes.length < 4) {
    throw new SlimError('INVALID_ARGUMENT', `${fn}: bytes is truncated: the IDX header needs at least 4 bytes, received ${bytes.length}`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const hint = isGzip(bytes) ? ' (this is gzip data: gunzip it first)' : '';
    throw new SlimError('INVALID_ARGUMENT', `${fn}: bytes has a bad magic number: an IDX file starts with 0x00 0x00, received ${hex(bytes[0]!)} ${hex(bytes[1]!)}${hint}`);
  }
  const type = TYPES.get(bytes[2]!);
  if (type === undefined) {
    throw new SlimError('INVALID_ARGUMENT', `${fn}: bytes has an unknown IDX type byte: expected 0x08 (u8), 0x09 (i8), 0x0b (i16), 0x0c (i32), 0x0d (f32) or 0x0e (f64), received ${hex(bytes[2]!)}`);
  }
  const rank = bytes[3]!;
  const header = 4 + 4 * rank;
  if (bytes.length < header) {
    throw new SlimError('INVALID_ARGUMENT', `${fn}: bytes is truncated: the header of ${rank} dims needs ${header} bytes, received ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let n = 1;
  for (let d = 0; d < rank; d++) {
    shape.push(view.getUint32(4 + 4 * d));
    n *= shape[d]!;
  }
  const expected = header + n * type.bytes;
  const dims = `[${shape.join(', ')}]`;
  if (bytes.length < expected) {
    throw new SlimError('INVALID_ARGUMENT', `${fn}: bytes is truncated: a ${dims} ${type.dtype} IDX file needs ${expected} bytes, received ${bytes.length}`);
  }
  if (bytes.length > expected) {
    throw new SlimError('INVALID_ARGUMENT', `${fn}: bytes has ${bytes.length - expected} trailing bytes: a ${dims} ${type.dtype} IDX file is ${expected} bytes, received ${bytes.length}`);
  }
  return { dtype: type.dtype, shape, data: decode(type, view, header, n) };
}

/** Big-endian elements → a native typed array (a view for single bytes: 47 MB of MNIST images need no copy). */
function decode(type: IdxType, view: DataView, offset: number, n: number): IdxData {
  if (type.bytes === 1) return type.dtype === 'u8' ? new Uint8Array(view.buffer, view.byteOffset + offset, n) : new Int8Array(view.buffer, view.byteOffset + offset, n);
  const out = type.make(n);
  for (let i = 0, at = offset; i < n; i++, at += type.bytes) out[i] = type.read(view, at);
  return out;
}
