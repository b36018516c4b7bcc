// Plain references of assembly/b1-gemm and assembly/f32-b1w-gemv (same arguments, typed arrays for
// pointers). The XNOR references sum ±1·±1 bit by bit, not the popcount identity the kernels use.
const f = Math.fround;

/** Words of 64 bits per packed row of k signs. */
export const b1Words = (k: number): number => Math.ceil(k / 64);

/** Bit p of packed row `row` (kw words per row) as ±1. */
export function b1Sign(bits: Uint8Array, kw: number, row: number, p: number): 1 | -1 {
  return (bits[row * kw * 8 + (p >> 3)]! >> (p & 7)) & 1 ? 1 : -1;
}

/** out[i] = signs of x[i] (1 for +1 = not x < 0; padding 0), beta[i] = mean|x[i]| in the kernel's order. */
export function f32B1PackRef(m: number, k: number, x: Float32Array, out: Uint8Array, beta: Float32Array | null): void {
  const kw = b1Words(k);
  const k16 = k & ~15;
  out.fill(0, 0, m * kw * 8);
  for (let i = 0; i < m; i++) {
    const lanes = [0, 0, 0, 0];
    let s = 0;
    for (let p = 0; p < k; p++) {
      const v = x[i * k + p]!;
      if (!(v < 0)) out[i * kw * 8 + (p >> 3)]! |= 1 << (p & 7);
      if (p < k16) lanes[p & 3] = f(lanes[p & 3]! + Math.abs(v));
      else {
        if (p === k16) s = f(f(lanes[0]! + lanes[1]!) + f(lanes[2]! + lanes[3]!));
        s = f(s + Math.abs(v));
      }
    }
    if (k === k16) s = f(f(lanes[0]! + lanes[1]!) + f(lanes[2]! + lanes[3]!));
    if (beta) beta[i] = f(s / k);
  }
}

/** out[i, j] = Σ_p a_i[p]·w_j[p] over ±1 signs (exact integers). */
export function b1GemmXnorRef(m: number, n: number, k: number, a: Uint8Array, w: Uint8Array, out: Int32Array): void {
  const kw = b1Words(k);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let d = 0;
    for (let p = 0; p < k; p++) d += b1Sign(a, kw, i, p) * b1Sign(w, kw, j, p);
    out[i * n + j] = d;
  }
}

/** y[i, j] = clamp((f32(dot)·alpha[j])·beta[i] + bias[j], vmin, vmax). */
export function b1GemmXnorF32Ref(m: number, n: number, k: number, a: Uint8Array, w: Uint8Array, alpha: Float32Array, beta: Float32Array | null, bias: Float32Array | null, y: Float32Array, vmin: number, vmax: number): void {
  const dots = new Int32Array(m * n);
  b1GemmXnorRef(m, n, k, a, w, dots);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let v = f(dots[i * n + j]! * alpha[j]!);
    if (beta) v = f(v * beta[i]!);
    if (bias) v = f(v + bias[j]!);
    y[i * n + j] = Math.min(Math.max(v, vmin), vmax);
  }
}

/** The GEMM at m = 1 with a scalar beta. */
export function b1GemvXnorF32Ref(n: number, k: number, a: Uint8Array, w: Uint8Array, alpha: Float32Array, bias: Float32Array | null, y: Float32Array, beta: number, vmin: number, vmax: number): void {
  b1GemmXnorF32Ref(1, n, k, a, w, alpha, Float32Array.of(beta), bias, y, vmin, vmax);
}

/** Rows from which f32_b1w_gemv takes the table path (k ≥ 1); assembly/f32-b1w-gemv/gemv.ts's LUT_MIN_N. */
export const B1W_LUT_MIN_N = 48;
/** Groups of 8 inputs per table block; assembly/f32-b1w-gemv/lut.ts's LUT_GROUPS. */
const LUT_GROUPS = 16;

/** y[j] = clamp(alpha[j]·Σ_p ±x[p] + bias[j]), +x[p] where bit p of row j is 1, in the kernel's order (see below). */
export function f32B1wGemvRef(n: number, k: number, x: Float32Array, w: Uint8Array, alpha: Float32Array, bias: Float32Array | null, y: Float32Array, vmin: number, vmax: number): void {
  const sums = n >= B1W_LUT_MIN_N && k > 0 ? lutSums(n, k, x, w) : laneSums(n, k, x, w);
  for (let j = 0; j < n; j++) {
    let v = f(sums[j]! * alpha[j]!);
    if (bias) v = f(v + bias[j]!);
    y[j] = Math.min(Math.max(v, vmin), vmax);
  }
}

/** The sign-mask order: 4 lane sums over p ≡ l (mod 4) below k16, (l0 + l1) + (l2 + l3), then the tail in order. */
function laneSums(n: number, k: number, x: Float32Array, w: Uint8Array): Float32Array {
  const kw = b1Words(k);
  const k16 = k & ~15;
  const out = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    const lanes = [0, 0, 0, 0];
    for (let p = 0; p < k16; p++) lanes[p & 3] = f(lanes[p & 3]! + b1Sign(w, kw, j, p) * x[p]!);
    let s = f(f(lanes[0]! + lanes[1]!) + f(lanes[2]! + lanes[3]!));
    for (let p = k16; p < k; p++) s = f(s + b1Sign(w, kw, j, p) * x[p]!);
    out[j] = s;
  }
  return out;
}

/**
 * The table order: for byte b of group g (inputs 8g…8g+7, x = 0 past k), T = L + H with
 * L = (s0 + s1) + (s2 + s3), H = (s4 + s5) + (s6 + s7), s_h = ±x[8g+h] by bit h of b. Per row, blocks
 * of 16 groups: the even groups' T summed from 0, the odd ones' likewise, the block adds their sum
 * (the first block stores it).
 */
function lutSums(n: number, k: number, x: Float32Array, w: Uint8Array): Float32Array {
  const ld = b1Words(k) * 8;
  const groups = Math.ceil(k / 8);
  const table = (g: number, b: number): number => {
    const s = (h: number): number => {
      const v = 8 * g + h < k ? x[8 * g + h]! : 0;
      return (b >> h) & 1 ? v : -v;
    };
    return f(f(f(s(0) + s(1)) + f(s(2) + s(3))) + f(f(s(4) + s(5)) + f(s(6) + s(7))));
  };
  const out = new Float32Array(n);
  for (let j = 0; j < n; j++) {
    for (let g0 = 0; g0 < groups; g0 += LUT_GROUPS) {
      const sums = [0, 0];
      for (let g = g0; g < Math.min(groups, g0 + LUT_GROUPS); g++) sums[(g - g0) & 1] = f(sums[(g - g0) & 1]! + table(g, w[j * ld + g]!));
      const block = f(sums[0]! + sums[1]!);
      out[j] = g0 === 0 ? block : f(out[j]! + block);
    }
  }
  return out;
}

/** One GEMV per row of x [m, k]. */
export function f32B1wGemmRef(m: number, n: number, k: number, x: Float32Array, w: Uint8Array, alpha: Float32Array, bias: Float32Array | null, y: Float32Array, vmin: number, vmax: number): void {
  for (let i = 0; i < m; i++) f32B1wGemvRef(n, k, x.subarray(i * k, (i + 1) * k), w, alpha, bias, y.subarray(i * n, (i + 1) * n), vmin, vmax);
}
