// Scalar references (oracles) for assembly/f32-gemm/gemv.ts and gemv-packed.ts: same argument order as the
// exports, typed arrays for pointers, null for an absent bias. Every product and sum is rounded to f32
// (Math.fround) in the kernels' fixed order, so the kernels must match them bit for bit.
const fr = Math.fround;

/** y[j] = clamp(W[j,:]·x + bias[j]): 4 lanes over 8-blocks of k, lanes (l0+l1)+(l2+l3), + the k % 8 tail summed in order. */
export function f32GemvRef(n: number, k: number, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array, vmin: number, vmax: number): void {
  const k8 = k - (k % 8);
  for (let j = 0; j < n; j++) {
    const acc = [0, 0, 0, 0];
    const row = j * k;
    for (let p = 0; p < k8; p += 8) {
      for (let l = 0; l < 4; l++) acc[l] = fr(acc[l]! + fr(fr(w[row + p + l]! * x[p + l]!) + fr(w[row + p + 4 + l]! * x[p + 4 + l]!)));
    }
    let tail = 0;
    for (let p = k8; p < k; p++) tail = fr(tail + fr(w[row + p]! * x[p]!));
    let s = fr(fr(fr(acc[0]! + acc[1]!) + fr(acc[2]! + acc[3]!)) + tail);
    if (bias) s = fr(s + bias[j]!);
    y[j] = Math.min(Math.max(s, vmin), vmax);
  }
}

/** Bytes of W [n, k] packed for f32_gemv_packed: ⌈n/4⌉ panels of 4 rows × k floats. */
export const f32GemvPackedBytes = (n: number, k: number): number => 16 * Math.ceil(n / 4) * k;

/** f32_gemv_pack: panels of 4 rows; per 8-block the rows' first 4 inputs, then their last 4; then the k % 8 tail row by row. */
export function f32GemvPackRef(n: number, k: number, w: Float32Array, packed: Float32Array): void {
  const k8 = k - (k % 8), tail = k % 8;
  let o = 0;
  for (let p = 0; p < Math.ceil(n / 4); p++) {
    for (let b = 0; b < k8; b += 8) {
      for (let h = 0; h < 2; h++) for (let r = 0; r < 4; r++) for (let l = 0; l < 4; l++) packed[o++] = 4 * p + r < n ? w[(4 * p + r) * k + b + 4 * h + l]! : 0;
    }
    for (let r = 0; r < 4; r++) for (let t = 0; t < tail; t++) packed[o++] = 4 * p + r < n ? w[(4 * p + r) * k + k8 + t]! : 0;
  }
}

/** f32_gemv_unpack: the row-major W of a packed one. */
export function f32GemvUnpackRef(n: number, k: number, packed: Float32Array, w: Float32Array): void {
  const full = new Float32Array(Math.ceil(n / 4) * 4 * k);
  const k8 = k - (k % 8), tail = k % 8;
  let o = 0;
  for (let p = 0; p < Math.ceil(n / 4); p++) {
    for (let b = 0; b < k8; b += 8) for (let h = 0; h < 2; h++) for (let r = 0; r < 4; r++) for (let l = 0; l < 4; l++) full[(4 * p + r) * k + b + 4 * h + l] = packed[o++]!;
    for (let r = 0; r < 4; r++) for (let t = 0; t < tail; t++) full[(4 * p + r) * k + k8 + t] = packed[o++]!;
  }
  w.set(full.subarray(0, n * k));
}

/** f32_gemv_packed: f32_gemv on the unpacked weight (the same order, so the same bits). */
export function f32GemvPackedRef(n: number, k: number, x: Float32Array, packed: Float32Array, bias: Float32Array | null, y: Float32Array, vmin: number, vmax: number): void {
  const w = new Float32Array(n * k);
  f32GemvUnpackRef(n, k, packed, w);
  f32GemvRef(n, k, x, w, bias, y, vmin, vmax);
}
