// Scalar references (oracles) for the small int8 and storage-format kernels: assembly/x8-conv,
// qs8-pool, x8-lut, qs8-vcvt/dequantize.ts, x16-vcvt and x8-fp8. Same argument order as the exports,
// typed arrays for pointers; the kernels must match these exactly (integers) or bit for bit (floats).

import { bf16BitsToF32Bits, f16BitsToF32Bits, f32BitsToBf16Bits, f32BitsToF16Bits } from '../io/float16.js';
import { e4m3ToF32Bits, e5m2ToF32Bits, f32BitsToE4M3, f32BitsToE5M2 } from './fp8.js';

const outSize = (h: number, k: number, s: number, p: number, d: number): number => {
  const span = h + 2 * p - d * (k - 1) - 1;
  return span < 0 ? 0 : Math.floor(span / s) + 1;
};

/** cols [n·oh·ow, c·kh·kw] (i8) of x [n, c, h, w] (i8): tap x[ci, oy·sh − ph + ky·dh, ox·sw − pw + kx·dw], `pad` outside. */
export function x8Im2colRef(
  n: number, c: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, dh: number, dw: number,
  x: Int8Array, cols: Int8Array, pad: number,
): void {
  if (n < 0 || c < 0 || h < 0 || w < 0 || kh < 1 || kw < 1 || sh < 1 || sw < 1 || ph < 0 || pw < 0 || dh < 1 || dw < 1) return;
  const oh = outSize(h, kh, sh, ph, dh);
  const ow = outSize(w, kw, sw, pw, dw);
  let d = 0;
  for (let b = 0; b < n; b++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
    for (let ci = 0; ci < c; ci++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const iy = oy * sh - ph + ky * dh;
      const ix = ox * sw - pw + kx * dw;
      cols[d++] = iy >= 0 && iy < h && ix >= 0 && ix < w ? x[((b * c + ci) * h + iy) * w + ix]! : pad;
    }
  }
}

/** y [planes, oh, ow] = max of x [planes, h, w] over each window clipped to the plane; −128 when empty. */
export function qs8Maxpool2dRef(
  planes: number, h: number, w: number, kh: number, kw: number, sh: number, sw: number, ph: number, pw: number, oh: number, ow: number,
  x: Int8Array, y: Int8Array,
): void {
  if (planes < 0 || h < 0 || w < 0 || oh < 0 || ow < 0) return;
  for (let p = 0; p < planes; p++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
    let best = -128;
    for (let iy = Math.max(oy * sh - ph, 0); iy < Math.min(oy * sh - ph + kh, h); iy++) {
      for (let ix = Math.max(ox * sw - pw, 0); ix < Math.min(ox * sw - pw + kw, w); ix++) best = Math.max(best, x[(p * h + iy) * w + ix]!);
    }
    y[(p * oh + oy) * ow + ox] = best;
  }
}

/** y[i] = table[x[i]] (bytes; table has 256 entries). */
export function x8LutRef(n: number, x: Uint8Array, y: Uint8Array, table: Uint8Array): void {
  for (let i = 0; i < n; i++) y[i] = table[x[i]!]!;
}

/** y[i] = f32(f32(x[i] − zp) · scale) (one rounding of an exact product). */
export function qs8F32VcvtRef(n: number, x: Int8Array, y: Float32Array, scale: number, zp: number): void {
  const s = Math.fround(scale);
  for (let i = 0; i < n; i++) y[i] = Math.fround(x[i]! - zp) * s;
}

/** y (u16 codes) = encode(x (f32 bits as u32)). */
function encode16(n: number, x: Uint32Array, y: Uint16Array, enc: (b: number) => number): void {
  for (let i = 0; i < n; i++) y[i] = enc(x[i]!);
}
/** y (f32 bits as u32) = decode(x (u16 codes)). */
function decode16(n: number, x: Uint16Array, y: Uint32Array, dec: (h: number) => number): void {
  for (let i = 0; i < n; i++) y[i] = dec(x[i]!);
}
export const f32F16VcvtRef = (n: number, x: Uint32Array, y: Uint16Array): void => encode16(n, x, y, f32BitsToF16Bits);
export const f16F32VcvtRef = (n: number, x: Uint16Array, y: Uint32Array): void => decode16(n, x, y, f16BitsToF32Bits);
export const f32Bf16VcvtRef = (n: number, x: Uint32Array, y: Uint16Array): void => encode16(n, x, y, f32BitsToBf16Bits);
export const bf16F32VcvtRef = (n: number, x: Uint16Array, y: Uint32Array): void => decode16(n, x, y, bf16BitsToF32Bits);

/** y (fp8 codes) = encode(x (f32 bits as u32)); saturate ≠ 0: overflow → ±max. */
export function f32E4m3VcvtRef(n: number, x: Uint32Array, y: Uint8Array, saturate: number): void {
  for (let i = 0; i < n; i++) y[i] = f32BitsToE4M3(x[i]!, saturate !== 0);
}
export function f32E5m2VcvtRef(n: number, x: Uint32Array, y: Uint8Array, saturate: number): void {
  for (let i = 0; i < n; i++) y[i] = f32BitsToE5M2(x[i]!, saturate !== 0);
}
/** y (f32 bits as u32) = decode(x (fp8 codes)). */
export function e4m3F32VcvtRef(n: number, x: Uint8Array, y: Uint32Array): void {
  for (let i = 0; i < n; i++) y[i] = e4m3ToF32Bits(x[i]!);
}
export function e5m2F32VcvtRef(n: number, x: Uint8Array, y: Uint32Array): void {
  for (let i = 0; i < n; i++) y[i] = e5m2ToF32Bits(x[i]!);
}
