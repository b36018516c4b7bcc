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

/** f32_qc8w_gemm: below 4 rows f32Qc8wGemvRef per row; from 4, y[i,j] = clamp((Σ_p x[i,p]·w[j,p] summed in order)·scale[j] + bias[j]). */
export function f32Qc8wGemmRef(m: number, n: number, k: number, x: Float32Array, w: Int8Array, scale: Float32Array, bias: Float32Array | null, y: Float32Array, vmin: number, vmax: number): void {
  for (let i = 0; i < m; i++) {
    const xi = x.subarray(i * k, i * k + k);
    const yi = y.subarray(i * n, i * n + n);
    if (m < 4) {
      f32Qc8wGemvRef(n, k, xi, w, scale, bias, yi, vmin, vmax);
      continue;
    }
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s = f(s + f(xi[p]! * w[j * k + p]!));
      let v = f(s * scale[j]!);
      if (bias) v = f(v + bias[j]!);
      yi[j] = Math.min(Math.max(v, vmin), vmax);
    }
  }
}
