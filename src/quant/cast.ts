// Casts between f32 tensors and the plain-cast storage formats of formats.ts (f16, bf16, fp8-e4m3,
// fp8-e5m2) on the wasm kernels (x16-vcvt, x8-fp8), bit for bit the reference codecs of
// io/float16.ts and fp8.ts. Codes are held in u8 tensors: fp8 as [...shape], the 16-bit formats as
// [...shape, 2] (each element's bytes, little-endian, as in safetensors files).
import { kernels } from '../backend/binding.js';
import { SlimError, invalid, optionsOf } from '../errors.js';
import { shapeString } from '../tensor/shape.js';
import { assertDType, assertTensor, empty, type Tensor } from '../tensor/tensor.js';
import type { FormatName } from './formats.js';

export type CastFormatName = Extract<FormatName, 'f16' | 'bf16' | 'fp8-e4m3' | 'fp8-e5m2'>;

const CAST_FORMATS: readonly CastFormatName[] = ['f16', 'bf16', 'fp8-e4m3', 'fp8-e5m2'];

function checkFormat(fn: string, format: unknown): asserts format is CastFormatName {
  if (!CAST_FORMATS.includes(format as CastFormatName)) invalid(fn, 'format', `one of ${CAST_FORMATS.join(', ')}`, format);
}

/**
 * x (f32) rounded to `format`'s codes, nearest even: u8 [...shape] (fp8) or [...shape, 2] (f16, bf16).
 * fp8 out of range: ±max when `saturate` (default), else NaN (E4M3) or ±Inf (E5M2); f16/bf16 overflow → ±Inf.
 */
export function castFormat(x: Tensor, format: CastFormatName, opts: { saturate?: boolean } = {}): Tensor<'u8'> {
  const fn = 'castFormat';
  opts = optionsOf(fn, opts, 'opts');
  assertTensor(fn, 'x', x);
  assertDType(fn, 'x', x, 'f32');
  checkFormat(fn, format);
  const wide = format === 'f16' || format === 'bf16';
  const out = empty(fn, wide ? [...x.shape, 2] : x.shape, 'u8');
  const k = kernels();
  const sat = opts.saturate ?? true ? 1 : 0;
  if (format === 'f16') k.f32_f16_vcvt(x.size, x.ptr, out.ptr);
  else if (format === 'bf16') k.f32_bf16_vcvt(x.size, x.ptr, out.ptr);
  else if (format === 'fp8-e4m3') k.f32_e4m3_vcvt(x.size, x.ptr, out.ptr, sat);
  else k.f32_e5m2_vcvt(x.size, x.ptr, out.ptr, sat);
  return out;
}

/** The exact f32 values of `format` codes q (u8, as castFormat returns them: a trailing 2 for f16/bf16, dropped). */
export function castFormatToF32(q: Tensor, format: CastFormatName): Tensor<'f32'> {
  const fn = 'castFormatToF32';
  assertTensor(fn, 'q', q);
  assertDType(fn, 'q', q, 'u8');
  checkFormat(fn, format);
  const wide = format === 'f16' || format === 'bf16';
  if (wide && (q.rank === 0 || q.shape[q.rank - 1] !== 2)) {
    throw new SlimError('SHAPE_MISMATCH', `${fn}: ${format} codes must have a last dim of 2 (bytes), received ${shapeString(q.shape)}`);
  }
  const out = empty(fn, wide ? q.shape.slice(0, -1) : q.shape, 'f32');
  const k = kernels();
  if (format === 'f16') k.f16_f32_vcvt(out.size, q.ptr, out.ptr);
  else if (format === 'bf16') k.bf16_f32_vcvt(out.size, q.ptr, out.ptr);
  else if (format === 'fp8-e4m3') k.e4m3_f32_vcvt(out.size, q.ptr, out.ptr);
  else k.e5m2_f32_vcvt(out.size, q.ptr, out.ptr);
  return out;
}
