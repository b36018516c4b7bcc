// Sparse layers to and from safetensors: each layer's arrays are tensors named `<layer>.<part>` and its
// format and shape go in the metadata as `<layer>` → JSON {format, shape, indexBytes}:
//   dense      <layer>.weight F32 [n, k]
//   csr        <layer>.values F32 [nnz], <layer>.indices U8 [2·nnz] (u16 LE) or I32 [nnz], <layer>.indptr I32 [n + 1]
//   nm-2:4     <layer>.values F32 [n, ⌈k/8⌉·4], <layer>.indices U8 [n, ⌈k/8⌉]
//   csr-int8   as csr with <layer>.values I8 [nnz], plus <layer>.scale F32 [n]
//   bsr-1x4    <layer>.values F32 [nb, 4], <layer>.indices as csr over block columns, <layer>.indptr I32 [n + 1]
// and <layer>.bias F32 [n] when the layer has one.
import { SlimError, invalid, optionsOf } from '../errors.js';
import { loadSafetensors, saveSafetensors } from '../io/safetensors.js';
import { keep } from '../tensor/scope.js';
import type { Tensor } from '../tensor/tensor.js';
import { tensor } from '../tensor/create.js';
import { BsrMatrix, CsrMatrix, Nm24Matrix, PackedMatrix, colsArray } from './csr.js';
import { NmLinear, SparseInt8Linear, SparseLinear } from './linear.js';

export type SparseLayer = SparseLinear | NmLinear | SparseInt8Linear;

interface Meta { format: 'dense' | 'csr' | 'nm-2:4' | 'csr-int8' | 'bsr-1x4'; layer: 'SparseLinear' | 'NmLinear' | 'SparseInt8Linear'; shape: [number, number]; indexBytes?: 2 | 4 }

/** A safetensors file holding the layers in their stored formats (no densification). */
export function saveSparse(layers: Record<string, SparseLayer>, extraMetadata: Record<string, string> = {}): Uint8Array<ArrayBuffer> {
  const tensors: Record<string, Tensor> = {};
  const temporary: Tensor[] = []; // what files store but layers hold in kernel layouts (2:4 index bytes, dense weights)
  if (layers === null || typeof layers !== 'object') invalid('saveSparse', 'layers', 'an object of sparse layers by name', layers);
  const metadata: Record<string, string> = { ...optionsOf('saveSparse', extraMetadata, 'extraMetadata') };
  try {
    for (const [name, l] of Object.entries(layers)) {
      if (!(l instanceof SparseLinear || l instanceof NmLinear || l instanceof SparseInt8Linear)) invalid('saveSparse', `layers.${name}`, 'a SparseLinear, NmLinear or SparseInt8Linear', l);
      const w = l instanceof SparseInt8Linear ? l : l.weight;
      let meta: Meta;
      if (w instanceof SparseInt8Linear) {
        Object.assign(tensors, { [`${name}.values`]: w.values, [`${name}.indices`]: w.indices, [`${name}.indptr`]: w.indptr, [`${name}.scale`]: w.weightScale });
        meta = { format: 'csr-int8', layer: 'SparseInt8Linear', shape: [w.outFeatures, w.inFeatures], indexBytes: w.indexBytes };
      } else if (w instanceof CsrMatrix) {
        Object.assign(tensors, { [`${name}.values`]: w.values, [`${name}.indices`]: w.indices, [`${name}.indptr`]: w.indptr });
        meta = { format: 'csr', layer: 'SparseLinear', shape: [w.rows, w.cols], indexBytes: w.indexBytes };
      } else if (w instanceof BsrMatrix) {
        Object.assign(tensors, { [`${name}.values`]: w.values, [`${name}.indices`]: w.indices, [`${name}.indptr`]: w.indptr });
        meta = { format: 'bsr-1x4', layer: 'SparseLinear', shape: [w.rows, w.cols], indexBytes: w.indexBytes };
      } else if (w instanceof Nm24Matrix) {
        const a = w.toArrays();
        const kb = Math.ceil(w.cols / 8);
        const values = tensor(a.values, [w.rows, kb * 4]);
        const indices = tensor(a.indices, [w.rows, kb], 'u8');
        temporary.push(values, indices);
        Object.assign(tensors, { [`${name}.values`]: values, [`${name}.indices`]: indices });
        meta = { format: 'nm-2:4', layer: l instanceof NmLinear ? 'NmLinear' : 'SparseLinear', shape: [w.rows, w.cols] };
      } else {
        const dense = w.toTensor();
        temporary.push(dense);
        tensors[`${name}.weight`] = dense;
        meta = { format: 'dense', layer: 'SparseLinear', shape: [w.rows, w.cols] };
      }
      if (l.bias) tensors[`${name}.bias`] = l.bias;
      metadata[name] = JSON.stringify(meta);
    }
    return saveSafetensors(tensors, metadata);
  } finally {
    for (const t of temporary) t.dispose();
  }
}

/** The layers of a saveSparse file, in their stored formats. */
export function loadSparse(bytes: Uint8Array): Record<string, SparseLayer> {
  const fn = 'loadSparse';
  const { tensors, metadata } = loadSafetensors(bytes);
  const out: Record<string, SparseLayer> = {};
  // Tensors a layer holds as they are (the rest are copied into the layers, then disposed).
  const adopted = new Set<Tensor>();
  const part = (name: string, p: string, required = true): Tensor | null => {
    const t = tensors[`${name}.${p}`];
    if (t === undefined && required) throw new SlimError('INVALID_FORMAT', `${fn}: layer ${JSON.stringify(name)} has no tensor ${JSON.stringify(`${name}.${p}`)}`);
    return t ?? null;
  };
  try {
    for (const [name, json] of Object.entries(metadata)) {
      let meta: Meta;
      try {
        meta = JSON.parse(json) as Meta;
      } catch {
        continue; // metadata that is not a layer description
      }
      if (meta === null || typeof meta !== 'object' || !Array.isArray(meta.shape)) continue;
      const [n, k] = meta.shape;
      const bias = part(name, 'bias', false) as Tensor<'f32'> | null;
      const values = meta.format === 'dense' ? null : part(name, 'values')!;
      const indices = meta.format === 'dense' ? null : part(name, 'indices')!;
      const cols = () => colsArray(indices as Tensor<'u8'> | Tensor<'i32'>);
      if (meta.format === 'csr-int8') {
        const parts = { rows: n, cols: k, values: values!.toTypedArray() as Int8Array, indices: cols(), indptr: part(name, 'indptr')!.toTypedArray() as Int32Array, scale: part(name, 'scale')!.toTypedArray() as Float32Array };
        out[name] = new SparseInt8Linear(parts, bias);
      } else if (meta.format === 'csr') {
        const csr = new CsrMatrix(n, k, { values: values!.toTypedArray() as Float32Array, cols: cols(), indptr: part(name, 'indptr')!.toTypedArray() as Int32Array });
        out[name] = SparseLinear.fromParts(csr, bias);
        if (bias) adopted.add(keep(bias));
      } else if (meta.format === 'bsr-1x4') {
        const bsr = new BsrMatrix(n, k, { values: values!.toTypedArray() as Float32Array, cols: cols(), indptr: part(name, 'indptr')!.toTypedArray() as Int32Array });
        out[name] = SparseLinear.fromParts(bsr, bias);
        if (bias) adopted.add(keep(bias));
      } else if (meta.format === 'nm-2:4') {
        const m = new Nm24Matrix(n, k, { values: values!.toTypedArray() as Float32Array, indices: indices!.toTypedArray() as Uint8Array });
        out[name] = meta.layer === 'NmLinear' ? new NmLinear(m, bias) : SparseLinear.fromParts(m, bias);
        if (bias && meta.layer !== 'NmLinear') adopted.add(keep(bias));
      } else if (meta.format === 'dense') {
        out[name] = SparseLinear.fromParts(new PackedMatrix(part(name, 'weight')!), bias);
        if (bias) adopted.add(keep(bias));
      } else {
        throw new SlimError('INVALID_FORMAT', `${fn}: layer ${JSON.stringify(name)} has unknown format ${JSON.stringify(meta.format)}`);
      }
    }
  } catch (e) {
    for (const l of Object.values(out)) l.dispose();
    for (const t of Object.values(tensors)) t.dispose();
    throw e;
  }
  for (const t of Object.values(tensors)) if (!adopted.has(t)) t.dispose();
  return out;
}
