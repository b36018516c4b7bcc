// Scalar references (oracles) for the integer and weight-only matrix kernels in assembly/qs8-gemm,
// qs8-gemv, q4-gemv and f16-gemv: same argument order as the exports, typed arrays for pointers,
// null for an absent bias. Integer results are int32 arithmetic (wrapping, like the kernels) and
// must match exactly; f32-out kernels are computed in float64 here, and `mag` (optional) receives
// Σ|term| + |bias| per output, the scale of the f32 kernels' error budget.

import { bf16BitsToF32Bits, f16BitsToF32Bits } from '../io/float16.js';
import { requantizeRef } from './requant.js';

type F32Out = Float32Array | Float64Array;

/** Bytes of qs8_pack_weights output: [wsum: i32 n | w: i8 n·k in 8-row panels]. */
export const qs8PackedWeightsBytes = (n: number, k: number): number => n * (k + 4);

/**
 * Byte offset of w[j,p] in the weight part of the qs8 format: rows in panels of 8 (8·k bytes each),
 * 8-k blocks of 8 rows x 8 bytes, then the k tail (k mod 8) as 8 rows; rows past 8·⌊n/8⌋ row-major.
 */
export function qs8WeightOffset(n: number, k: number, j: number, p: number): number {
  const k8 = k & ~7;
  if (j >= (n & ~7)) return j * k + p;
  const panel = (j & ~7) * k;
  const r = j & 7;
  return p < k8 ? panel + (p >> 3) * 64 + r * 8 + (p & 7) : panel + 8 * k8 + r * (k - k8) + (p - k8);
}

/** packed = [wsum[j] = Σ_p w[j,p] as i32 (little-endian) | w at qs8WeightOffset]; w: i8 [n, k] (PyTorch Linear layout). */
export function qs8PackWeightsRef(n: number, k: number, w: Int8Array, packed: Uint8Array): void {
  const view = new DataView(packed.buffer, packed.byteOffset, packed.byteLength);
  const body = new Int8Array(packed.buffer, packed.byteOffset + 4 * n, n * k);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let p = 0; p < k; p++) {
      s += w[j * k + p]!;
      body[qs8WeightOffset(n, k, j, p)] = w[j * k + p]!;
    }
    view.setInt32(4 * j, s, true);
  }
}

/** The row-major w [n, k] held by a qs8 packed buffer. */
export function qs8UnpackWeightsRef(n: number, k: number, packed: Uint8Array): Int8Array {
  const body = new Int8Array(packed.buffer, packed.byteOffset + 4 * n, n * k);
  const w = new Int8Array(n * k);
  for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) w[j * k + p] = body[qs8WeightOffset(n, k, j, p)]!;
  return w;
}

/** out[i,j] = Σ_p (a[i,p] − aZp)·w[j,p] + bias[j], int32 wrapping; a: i8 [m, k]. */
export function qs8GemmI32Ref(
  m: number, n: number, k: number, a: Int8Array, aZp: number, packed: Uint8Array, bias: Int32Array | null, out: Int32Array,
): void {
  const w = qs8UnpackWeightsRef(n, k, packed);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = bias ? bias[j]! : 0;
      for (let p = 0; p < k; p++) acc = (acc + Math.imul(a[i * k + p]! - aZp, w[j * k + p]!)) | 0;
      out[i * n + j] = acc;
    }
  }
}

/** out[i,j] = requantizeRef(qs8GemmI32Ref(...)[i,j], multiplier[j], shift[j], outZp, qmin, qmax); out: i8 [m, n]. */
export function qs8GemmRequantRef(
  m: number, n: number, k: number, a: Int8Array, aZp: number, packed: Uint8Array, bias: Int32Array | null, out: Int8Array,
  multiplier: Int32Array, shift: Int32Array, outZp: number, qmin: number, qmax: number,
): void {
  const acc = new Int32Array(m * n);
  qs8GemmI32Ref(m, n, k, a, aZp, packed, bias, acc);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) out[i * n + j] = requantizeRef(acc[i * n + j]!, multiplier[j]!, shift[j]!, outZp, qmin, qmax);
  }
}

/** Batch-1 qs8GemmRequantRef. */
export function qs8GemvRequantRef(
  n: number, k: number, a: Int8Array, aZp: number, packed: Uint8Array, bias: Int32Array | null, out: Int8Array,
  multiplier: Int32Array, shift: Int32Array, outZp: number, qmin: number, qmax: number,
): void {
  qs8GemmRequantRef(1, n, k, a, aZp, packed, bias, out, multiplier, shift, outZp, qmin, qmax);
}

/** out[i,j] = f32(acc[i,j]) · f32(scaleA · scaleW[j]) + bias[j], each step rounded to f32 (bit-exact); bias f32. */
export function qs8GemmF32OutRef(
  m: number, n: number, k: number, a: Int8Array, aZp: number, packed: Uint8Array, bias: Float32Array | null, out: Float32Array,
  scaleA: number, scaleW: Float32Array,
): void {
  const acc = new Int32Array(m * n);
  qs8GemmI32Ref(m, n, k, a, aZp, packed, null, acc);
  const fr = Math.fround;
  for (let i = 0; i < m * n; i++) {
    const j = i % n;
    const y = fr(fr(acc[i]!) * fr(fr(scaleA) * scaleW[j]!));
    out[i] = bias ? fr(y + bias[j]!) : y;
  }
}

/** Batch-1 qs8GemmF32OutRef. */
export function qs8GemvF32OutRef(
  n: number, k: number, a: Int8Array, aZp: number, packed: Uint8Array, bias: Float32Array | null, out: Float32Array,
  scaleA: number, scaleW: Float32Array,
): void {
  qs8GemmF32OutRef(1, n, k, a, aZp, packed, bias, out, scaleA, scaleW);
}

/** k rounded up to whole groups: the inputs a packed q4 row covers. */
export const q4PaddedK = (k: number, group: number): number => Math.ceil(k / group) * group;

/** Bytes of the q4 weight and scale buffers (rows in panels of 4, n rounded up to 4, k to whole groups). */
export const q4PackedBytes = (n: number, k: number, group: number): { w4: number; scales: number } => {
  const np = Math.ceil(n / 4) * 4;
  const kp = q4PaddedK(k, group);
  return { w4: (np * kp) / 2, scales: ((np * kp) / group) * 4 };
};

/**
 * Packs q: i8 [n, k] in [−8, 7] and scales: f32 [n, ⌈k/group⌉] into the q4 kernels' layout
 * (assembly/q4-gemv/gemv.ts) for kp = ⌈k/group⌉·group inputs: rows in panels of 4; per panel and
 * 32-input block, 4 rows x 16 bytes, u16 lane t of a row holding q[32b + 8s + t] + 8 in bits
 * 4s..4s+3; scales as 4 rows per group. Padding (rows, inputs): q = 0, scale 0. group % 32 == 0.
 */
export function q4PackWeights(n: number, k: number, group: number, q: Int8Array, scales: Float32Array, w4: Uint8Array, packedScales: Float32Array): void {
  const kp = q4PaddedK(k, group);
  const blocks = kp / 32;
  const ng = kp / group;
  w4.fill(0x88);
  packedScales.fill(0);
  for (let j = 0; j < n; j++) {
    const panel = j >> 2;
    const r = j & 3;
    for (let p = 0; p < k; p++) {
      const b = p >> 5, s = (p >> 3) & 3, t = p & 7;
      const byte = ((panel * blocks + b) * 4 + r) * 16 + 2 * t + (s >> 1);
      const shift = (s & 1) << 2;
      w4[byte] = (w4[byte]! & ~(15 << shift)) | ((q[j * k + p]! + 8) << shift);
    }
    for (let g = 0; g < ng; g++) packedScales[(panel * ng + g) * 4 + r] = scales[j * ng + g]!;
  }
}

/** The inverse of q4PackWeights: q i8 [n, k] and scales f32 [n, ⌈k/group⌉]. */
export function q4UnpackWeights(n: number, k: number, group: number, w4: Uint8Array, packedScales: Float32Array): { q: Int8Array; scales: Float32Array } {
  const kp = q4PaddedK(k, group);
  const ng = kp / group;
  const q = new Int8Array(n * k);
  const scales = new Float32Array(n * ng);
  for (let j = 0; j < n; j++) {
    for (let p = 0; p < k; p++) q[j * k + p] = q4At(w4, kp, j, p);
    for (let g = 0; g < ng; g++) scales[j * ng + g] = packedScales[((j >> 2) * ng + g) * 4 + (j & 3)]!;
  }
  return { q, scales };
}

/** q4 weight of row j at input p (in [−8, 7]) in a q4PackWeights buffer of kp inputs per row. */
function q4At(w4: Uint8Array, kp: number, j: number, p: number): number {
  const byte = (((j >> 2) * (kp / 32) + (p >> 5)) * 4 + (j & 3)) * 16 + 2 * (p & 7) + (((p >> 3) & 3) >> 1);
  return ((w4[byte]! >> ((((p >> 3) & 1)) << 2)) & 15) - 8;
}

/** Round half to even of an f32 value (wasm f32.nearest). */
function nearestEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The q4 kernels' activation quantization of one group (assembly/q4-gemv/quantize.ts):
 * d = f32(max|x| / 127), id = d ≠ 0 ? f32(1/d) : 0, q = clamp(nearest(f32(x·id)), −127, 127).
 */
export function q4QuantizeGroupRef(x: Float32Array, q: Int32Array): number {
  const fr = Math.fround;
  let amax = 0;
  for (const v of x) amax = Math.max(amax, Math.abs(v));
  const d = fr(amax / 127);
  const id = d !== 0 ? fr(1 / d) : 0;
  for (let p = 0; p < x.length; p++) {
    const v = fr(x[p]! * id);
    q[p] = Number.isNaN(v) ? 0 : Math.min(127, Math.max(-127, nearestEven(v)));
  }
  return d;
}

/**
 * y[i,j] = Σ_g f32(D_ijg)·f32(sw[j,g]·d_ig) + bias[j], D_ijg = Σ_{p in g} q[j,p]·xq[i,p] (exact),
 * xq, d from q4QuantizeGroupRef on x zero-padded to whole groups; each f32 step rounded in the
 * kernel's order (bit-exact). w4, scales: q4PackWeights layout.
 */
export function q4GemmF32Ref(
  m: number, n: number, k: number, group: number, x: Float32Array, w4: Uint8Array, scales: Float32Array,
  bias: Float32Array | null, y: Float32Array,
): void {
  const fr = Math.fround;
  const kp = q4PaddedK(k, group);
  const ng = kp / group;
  const xg = new Float32Array(group);
  const xq = new Int32Array(group);
  const d = new Float64Array(ng);
  const xqAll = new Int32Array(kp);
  for (let i = 0; i < m; i++) {
    for (let g = 0; g < ng; g++) {
      xg.fill(0);
      xg.set(x.subarray(i * k + g * group, i * k + Math.min(k, (g + 1) * group)));
      d[g] = q4QuantizeGroupRef(xg, xq);
      xqAll.set(xq, g * group);
    }
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let g = 0; g < ng; g++) {
        let dot = 0;
        for (let p = g * group; p < (g + 1) * group; p++) dot += q4At(w4, kp, j, p) * xqAll[p]!;
        acc = fr(acc + fr(dot * fr(scales[((j >> 2) * ng + g) * 4 + (j & 3)]! * d[g]!)));
      }
      y[i * n + j] = bias ? fr(acc + bias[j]!) : acc;
    }
  }
}

/** Batch-1 q4GemmF32Ref. */
export function q4GemvF32Ref(
  n: number, k: number, group: number, x: Float32Array, w4: Uint8Array, scales: Float32Array, bias: Float32Array | null, y: Float32Array,
): void {
  q4GemmF32Ref(1, n, k, group, x, w4, scales, bias, y);
}

const bitsToF32 = (bits: number): number => new Float32Array(new Uint32Array([bits]).buffer)[0]!;

function gemv16Ref(
  widen: (h: number) => number, n: number, k: number, x: Float32Array, w16: Uint16Array, bias: Float32Array | null,
  y: F32Out, mag?: Float64Array,
): void {
  for (let j = 0; j < n; j++) {
    let s = 0;
    let sm = 0;
    for (let p = 0; p < k; p++) {
      const v = bitsToF32(widen(w16[j * k + p]!)) * x[p]!;
      s += v;
      sm += Math.abs(v);
    }
    const b = bias ? bias[j]! : 0;
    y[j] = s + b;
    if (mag) mag[j] = sm + Math.abs(b);
  }
}

/** y[j] = Σ_p f16(w16[j,p])·x[p] + bias[j]; w16: IEEE binary16 bits [n, k]; float64. */
export function f16GemvF32Ref(
  n: number, k: number, x: Float32Array, w16: Uint16Array, bias: Float32Array | null, y: F32Out, mag?: Float64Array,
): void {
  gemv16Ref(f16BitsToF32Bits, n, k, x, w16, bias, y, mag);
}

/** y[j] = Σ_p bf16(w16[j,p])·x[p] + bias[j]; w16: bfloat16 bits [n, k]; float64. */
export function bf16GemvF32Ref(
  n: number, k: number, x: Float32Array, w16: Uint16Array, bias: Float32Array | null, y: F32Out, mag?: Float64Array,
): void {
  gemv16Ref(bf16BitsToF32Bits, n, k, x, w16, bias, y, mag);
}

/**
 * The kernels' fixed order (assembly/f16-gemv), every step rounded to f32: y[j] = (l0 + l1) + (l2 + l3)
 * over 4 lanes (per 8-block at p, lane l += w[p+2l]·x[p+2l] + w[p+2l+1]·x[p+2l+1]), + the k % 8 tail
 * summed in order when there is one, + bias[j]; the weights widened exactly from their 16-bit codes.
 */
function gemv16ExactRef(widen: (h: number) => number, n: number, k: number, x: Float32Array, w16: Uint16Array, bias: Float32Array | null, y: Float32Array): void {
  const fr = Math.fround;
  const k8 = k & ~7;
  for (let j = 0; j < n; j++) {
    const w = (p: number) => bitsToF32(widen(w16[j * k + p]!));
    const acc = [0, 0, 0, 0];
    for (let p = 0; p < k8; p += 8) {
      for (let l = 0; l < 4; l++) acc[l] = fr(acc[l]! + fr(fr(w(p + 2 * l) * x[p + 2 * l]!) + fr(w(p + 2 * l + 1) * x[p + 2 * l + 1]!)));
    }
    let s = fr(fr(acc[0]! + acc[1]!) + fr(acc[2]! + acc[3]!));
    if (k8 !== k) {
      let t = 0;
      for (let p = k8; p < k; p++) t = fr(t + fr(w(p) * x[p]!));
      s = fr(s + t);
    }
    y[j] = bias ? fr(s + bias[j]!) : s;
  }
}

/**
 * f32_gemm on W [n, k] stored as 16-bit floats (trans_b 4: f16, 5: bf16): each y[i,j] is the sequential
 * f32 sum over p of x[i,p]·w[j,p] (w widened exactly), + bias[j], clamped to [vmin, vmax].
 */
export function gemm16Ref(
  kind: 'f16' | 'bf16', m: number, n: number, k: number, x: Float32Array, w16: Uint16Array, bias: Float32Array | null, y: Float32Array, vmin: number, vmax: number,
): void {
  const fr = Math.fround;
  const bits = new Uint32Array(1);
  const wf = new Float32Array(bits.buffer);
  const toF32 = kind === 'f16' ? f16BitsToF32Bits : bf16BitsToF32Bits;
  const w = Float32Array.from(w16, (h) => { bits[0] = toF32(h); return wf[0]!; });
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s = fr(s + fr(x[i * k + p]! * w[j * k + p]!));
      if (bias) s = fr(s + bias[j]!);
      y[i * n + j] = Math.min(Math.max(s, vmin), vmax);
    }
  }
}

/** f16_gemv_f32's exact result: W as IEEE binary16 bits [n, k]. */
export function f16GemvRef(n: number, k: number, x: Float32Array, w16: Uint16Array, bias: Float32Array | null, y: Float32Array): void {
  gemv16ExactRef(f16BitsToF32Bits, n, k, x, w16, bias, y);
}

/** bf16_gemv_f32's exact result: W as bfloat16 bits [n, k]. */
export function bf16GemvRef(n: number, k: number, x: Float32Array, w16: Uint16Array, bias: Float32Array | null, y: Float32Array): void {
  gemv16ExactRef(bf16BitsToF32Bits, n, k, x, w16, bias, y);
}
