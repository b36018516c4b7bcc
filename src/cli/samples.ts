/// <reference types="node" />
// Arrays from files: IDX (MNIST's format, plain or gzip), NumPy .npy (v1-3, C order, little-endian)
// or a safetensors file holding one tensor. Detected by magic number, not by name.
import { gunzipSync } from 'node:zlib';
import * as st from '../index.js';
import { CliError, oneLine } from './errors.js';
import { readInput } from './files.js';

export interface ArrayData { dtype: string; shape: number[]; data: st.IdxData }

const NPY: Record<string, { dtype: string; bytes: number; make: (b: ArrayBuffer) => st.IdxData }> = {
  '|u1': { dtype: 'u8', bytes: 1, make: (b) => new Uint8Array(b) },
  '|i1': { dtype: 'i8', bytes: 1, make: (b) => new Int8Array(b) },
  '<i2': { dtype: 'i16', bytes: 2, make: (b) => new Int16Array(b) },
  '<i4': { dtype: 'i32', bytes: 4, make: (b) => new Int32Array(b) },
  '<f4': { dtype: 'f32', bytes: 4, make: (b) => new Float32Array(b) },
  '<f8': { dtype: 'f64', bytes: 8, make: (b) => new Float64Array(b) },
};

/** Parses .npy bytes (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html). */
export function parseNpy(bytes: Uint8Array, what: string): ArrayData {
  const bad = (why: string): never => { throw new CliError(`${what}: not a usable .npy file: ${why}`); };
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (start + headerLen > bytes.length) bad('the header runs past the end');
  const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) bad('the header lacks descr, fortran_order or shape');
  if (fortran === 'True') bad('Fortran order is not supported (save with np.ascontiguousarray)');
  const type = NPY[descr!] ?? bad(`dtype ${descr} is not supported (use ${Object.keys(NPY).join(', ')})`);
  const shape = shapeText!.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  const n = shape.reduce((a, b) => a * b, 1);
  const at = start + headerLen;
  if (bytes.length - at !== n * type.bytes) bad(`shape (${shape.join(', ')}) needs ${n * type.bytes} data bytes, the file has ${bytes.length - at}`);
  return { dtype: type.dtype, shape, data: type.make(bytes.slice(at).buffer) };
}

const SAFE: Record<string, { dtype: string; make: (b: ArrayBuffer) => st.IdxData }> = {
  U8: { dtype: 'u8', make: (b) => new Uint8Array(b) },
  I8: { dtype: 'i8', make: (b) => new Int8Array(b) },
  I16: { dtype: 'i16', make: (b) => new Int16Array(b) },
  I32: { dtype: 'i32', make: (b) => new Int32Array(b) },
  F32: { dtype: 'f32', make: (b) => new Float32Array(b) },
};

/** Reads an array file (IDX, .npy, single-tensor safetensors); `what` names the option in errors. */
export async function readArray(path: string, what: string): Promise<ArrayData> {
  let bytes = await readInput(path, what);
  if (st.isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch (e) {
      throw new CliError(`${what}: ${path} starts like gzip but does not inflate (${(e as Error).message})`);
    }
  }
  if (bytes.length >= 10 && bytes[0] === 0x93 && new TextDecoder().decode(bytes.subarray(1, 6)) === 'NUMPY') return parseNpy(bytes, `${what} ${path}`);
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0) {
    try {
      return st.parseIdx(bytes);
    } catch (e) {
      if (e instanceof st.SlimError) throw new CliError(`${what}: ${path} is not a valid IDX file: ${oneLine(e.message)}`);
      throw e;
    }
  }
  let file: st.SafetensorsFile;
  try {
    file = st.parseSafetensors(bytes);
  } catch {
    throw new CliError(`${what}: ${path} is not an IDX, .npy or safetensors file`);
  }
  if (file.entries.size !== 1) throw new CliError(`${what}: ${path} holds ${file.entries.size} tensors; an input file must hold exactly one`);
  const [name, e] = [...file.entries][0]!;
  const type = SAFE[e.dtype] ?? (() => { throw new CliError(`${what}: tensor '${name}' in ${path} is ${e.dtype}; use ${Object.keys(SAFE).join(', ')}`); })();
  return { dtype: type.dtype, shape: e.shape, data: type.make(e.bytes.slice().buffer) };
}

const fmt = (s: readonly number[]) => `[${s.join(', ')}]`;

/**
 * Checks samples against the model's per-sample input shape and returns them as st Samples with the
 * shape [n, ...inShape] (u8 values are scaled by 1/255 when batched, like the training data).
 */
export function asInputs(a: ArrayData, inShape: readonly number[], what: string): st.Samples {
  const per = inShape.reduce((x, y) => x * y, 1);
  const sample = a.shape.slice(1);
  const got = sample.reduce((x, y) => x * y, 1);
  if (a.shape.length < 2 || got !== per) {
    throw new CliError(`${what}: samples of shape ${fmt(sample)} (${a.shape.length < 2 ? 'no sample dimension' : `${got} values`}) do not fit the model input ${fmt(inShape)} (${per} values); expected an array [n, ${inShape.join(', ')}]`);
  }
  if (a.shape[0] === 0) throw new CliError(`${what}: the file holds no samples`);
  return { data: a.data, shape: [a.shape[0]!, ...inShape] };
}

/** Checks class labels: integers [n] in [0, classes). */
export function asLabels(a: ArrayData, n: number, classes: number, what: string): st.Samples {
  if (!['u8', 'i8', 'i16', 'i32'].includes(a.dtype)) throw new CliError(`${what}: labels must be integers, received ${a.dtype}`);
  if (a.shape.length !== 1 || a.shape[0] !== n) throw new CliError(`${what}: expected ${n} labels (one per sample) as a 1-D array, received shape ${fmt(a.shape)}`);
  for (let i = 0; i < n; i++) {
    const v = a.data[i]!;
    if (v < 0 || v >= classes) throw new CliError(`${what}: label ${v} at index ${i} is outside the model's ${classes} classes`);
  }
  return { data: a.data, shape: [n] };
}

/** The first `n` samples as an f32 tensor (u8 scaled by 1/255). */
export function head(s: st.Samples, n: number): st.Tensor {
  const shape = [...s.shape];
  const m = Math.min(n, shape[0]!);
  const per = shape.slice(1).reduce((a, b) => a * b, 1);
  const part = s.data.subarray(0, m * per);
  const k = Math.fround(1 / 255); // as DataLoader: f32(v) · f32(1/255)
  const f = part instanceof Float32Array ? part.slice() : Float32Array.from(part as ArrayLike<number>, (v) => (part instanceof Uint8Array ? v * k : v));
  return st.tensor(f, [m, ...shape.slice(1)]);
}
