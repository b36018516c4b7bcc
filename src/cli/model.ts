// Loading a user's model: f32 weights from safetensors into an --arch Sequential, or a quantized
// file written by saveQuantized (which carries its own op plan).
import * as st from '../index.js';
import { archFromSpec, parseArch, type Arch, type ArchSpec } from './arch.js';
import { CliError, oneLine } from './errors.js';
import { readInput } from './files.js';

export interface Loaded { model: st.Module; arch: Arch | null; inShape: number[]; classes: number; bytes: number; kind: 'f32' | 'quantized' | 'sparse' | 'binary' }

/** Reads safetensors bytes, with a one-line error naming the file. */
function parse(bytes: Uint8Array, path: string): st.SafetensorsFile {
  try {
    return st.parseSafetensors(bytes);
  } catch (e) {
    if (e instanceof st.SlimError) throw new CliError(`${path} is not a safetensors file: ${oneLine(e.message)}`);
    throw e;
  }
}

/** Loads f32 weights from `path` into a model of `arch` (strict: every key and shape must match). */
export async function loadF32(path: string, arch: Arch): Promise<Loaded> {
  const bytes = await readInput(path, 'model');
  const file = parse(bytes, path);
  if (file.metadata.slimtensor) throw new CliError(`${path} is already a quantized slimtensor model; compress takes an f32 safetensors file`);
  const model = arch.build(0);
  let tensors: Record<string, st.Tensor> = {};
  try {
    tensors = st.loadSafetensors(bytes).tensors;
    for (const [k, t] of Object.entries(tensors)) if (t.dtype !== 'f32') throw new CliError(`${path}: tensor '${k}' is ${t.dtype}; the weights must be F32`);
    model.loadStateDict(tensors);
  } catch (e) {
    model.dispose();
    if (e instanceof st.SlimError) throw new CliError(`${path} does not match --arch ${arch.label}: ${oneLine(e.message).replace(/^loadStateDict: /, '')}`);
    throw e;
  } finally {
    Object.values(tensors).forEach((t) => t.dispose());
  }
  model.eval();
  return { model, arch, inShape: arch.inShape, classes: arch.outShape.reduce((a, b) => a * b, 1), bytes: bytes.length, kind: 'f32' };
}

/** A quantized file (no --arch needed), or f32 weights with --arch (or the arch a distilled file records). */
export async function loadAny(path: string, archOption: string | undefined): Promise<Loaded> {
  const bytes = await readInput(path, 'model');
  const file = parse(bytes, path);
  if (file.metadata.slimtensor) {
    if (archOption !== undefined) throw new CliError(`${path} is a quantized model that carries its own architecture; drop --arch`, 2);
    let model: st.QuantizedModel;
    try {
      model = st.loadQuantized(bytes);
    } catch (e) {
      if (e instanceof st.SlimError) throw new CliError(`${path}: ${oneLine(e.message)}`);
      throw e;
    }
    return { model, arch: null, inShape: [...model.inShape], classes: model.outShape.reduce((a, b) => a * b, 1), bytes: bytes.length, kind: 'quantized' };
  }
  const packed = file.metadata['slimtensor.sparse'] ? 'sparse' : file.metadata['slimtensor-binary'] ? 'binary' : null;
  if (packed) {
    if (archOption !== undefined) throw new CliError(`${path} is a ${packed} model that carries its own architecture; drop --arch`, 2);
    let model: st.Module;
    try {
      model = packed === 'sparse' ? st.loadSparseModel(bytes) : st.loadBinary(bytes);
    } catch (e) {
      if (e instanceof st.SlimError) throw new CliError(`${path}: ${oneLine(e.message)}`);
      throw e;
    }
    // Its input is the first layer's in-features, its classes the last layer's out-features.
    const dims = (m: unknown) => m as { inFeatures?: number; outFeatures?: number };
    const layers = packed === 'sparse' ? Object.values((model as st.SparseModel).layers).map(dims) : st.leafModules(model).map(([, m]) => dims(m)).filter((m) => m.inFeatures !== undefined);
    return { model, arch: null, inShape: [layers[0]?.inFeatures ?? 0], classes: layers.at(-1)?.outFeatures ?? 0, bytes: bytes.length, kind: packed };
  }
  let arch: Arch;
  if (archOption !== undefined) arch = parseArch(archOption);
  else if (file.metadata.slimtensor_arch) arch = archFromSpec(JSON.parse(file.metadata.slimtensor_arch) as ArchSpec, 'recorded in the file');
  else throw new CliError(`${path} holds f32 weights: give --arch (e.g. 784-300-100-10 or a JSON file)`, 2);
  return loadF32(path, arch);
}
