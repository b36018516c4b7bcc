// Scalar reference of assembly/f32-qc8w-gemv (same arguments, typed arrays for pointers): the same
// accumulation order, so results are bit-identical.
const f = Math.fround;

/** y[j] = clamp((Σ_p x[p]·w[j,p])·scale[j] + bias[j]): 4 lane sums over p ≡ l (mod 4) below k16, then the tail in order. */
export function f32Qc8wGemvRef(n: number, k: number, x: Float32Array, w: Int8Array, scale: Float32Array, bias: Float32Array | null, y: Float32Array, vmin: number, vmax: number): void {
  const k16 = k & ~15;
  for (let j = 0; j < n; j++) {
    const lanes = [0, 0, 0, 0];
    for (let p = 0; p < k16; p++) lanes[p & 3] = f(lanes[p & 3]! + f(x[p]! * w[j * k + p]!));
    let s = f(f(f(lanes[0]! + lanes[1]!) + lanes[2]!) + lanes[3]!);
    for (let p = k16; p < k; p++) s = f(s + f(x[p]! * w[j * k + p]!));
    let v = f(s * scale[j]!);
    if (bias) v = f(v + bias[j]!);
    y[j] = Math.min(Math.max(v, vmin), vmax);
  }
}
