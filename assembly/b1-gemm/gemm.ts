// XNOR-popcount GEMM (XNOR-Net, Rastegari et al. 2016): for ±1 rows packed by f32_b1_pack,
//   dot(a_i, w_j) = k − 2·popcount(a_i XOR w_j)   (padding bits are 0 on both sides: they XOR to 0).
//   a: bits [m, kw] u64, w: bits [n, kw] u64 (kw = ⌈k/64⌉, one row per output: PyTorch's [out, in]).
//   b1_gemm_xnor:     out i32 [m, n] = dot.
//   b1_gemm_xnor_f32: y f32 [m, n] = clamp((f32(dot)·alpha[j])·beta[i] + bias[j], vmin, vmax);
//                     beta 0 means 1, bias 0 means none. dot is exact, so every engine gives the same bits.
// Scalar i64.popcnt in a 2×2 register tile: V8 lowers i8x16.popcnt to a pshufb sequence, and the
// scalar form measured faster here (bench/dev/b1-kernels.mjs keeps the SIMD variant for comparison).

@inline
function emit_i32(dot: i32, i: i32, j: i32, n: i32, out: usize): void {
  store<i32>(out + ((<usize>i * <usize>n + <usize>j) << 2), dot);
}

@inline
function emit_f32(dot: i32, i: i32, j: i32, n: i32, out: usize, alpha: usize, beta: usize, bias: usize, vmin: f32, vmax: f32): void {
  let v = <f32>dot * load<f32>(alpha + (<usize>j << 2));
  if (beta) v *= load<f32>(beta + (<usize>i << 2));
  if (bias) v += load<f32>(bias + (<usize>j << 2));
  store<f32>(out + ((<usize>i * <usize>n + <usize>j) << 2), min(max(v, vmin), vmax));
}

// Dots of a row pair × w row pair (a1/w1 may repeat a0/w0 at the edges), written by f32out ? emit_f32 : emit_i32.
@inline
function tile(f32out: bool, k: i32, kw: i32, n: i32, a: usize, i: i32, rows: i32, w: usize, j: i32, cols: i32,
  out: usize, alpha: usize, beta: usize, bias: usize, vmin: f32, vmax: f32): void {
  const ld = <usize>kw << 3;
  const pa0 = a + <usize>i * ld;
  const pa1 = rows > 1 ? pa0 + ld : pa0;
  const pw0 = w + <usize>j * ld;
  const pw1 = cols > 1 ? pw0 + ld : pw0;
  let c00: i64 = 0, c01: i64 = 0, c10: i64 = 0, c11: i64 = 0;
  for (let o: usize = 0; o < ld; o += 8) {
    const a0 = load<u64>(pa0 + o);
    const a1 = load<u64>(pa1 + o);
    const w0 = load<u64>(pw0 + o);
    const w1 = load<u64>(pw1 + o);
    c00 += popcnt(a0 ^ w0);
    c01 += popcnt(a0 ^ w1);
    c10 += popcnt(a1 ^ w0);
    c11 += popcnt(a1 ^ w1);
  }
  const d00 = k - 2 * <i32>c00, d01 = k - 2 * <i32>c01, d10 = k - 2 * <i32>c10, d11 = k - 2 * <i32>c11;
  if (f32out) {
    emit_f32(d00, i, j, n, out, alpha, beta, bias, vmin, vmax);
    if (cols > 1) emit_f32(d01, i, j + 1, n, out, alpha, beta, bias, vmin, vmax);
    if (rows > 1) {
      emit_f32(d10, i + 1, j, n, out, alpha, beta, bias, vmin, vmax);
      if (cols > 1) emit_f32(d11, i + 1, j + 1, n, out, alpha, beta, bias, vmin, vmax);
    }
  } else {
    emit_i32(d00, i, j, n, out);
    if (cols > 1) emit_i32(d01, i, j + 1, n, out);
    if (rows > 1) {
      emit_i32(d10, i + 1, j, n, out);
      if (cols > 1) emit_i32(d11, i + 1, j + 1, n, out);
    }
  }
}

@inline
function gemm(f32out: bool, m: i32, n: i32, k: i32, a: usize, w: usize, out: usize, alpha: usize, beta: usize, bias: usize, vmin: f32, vmax: f32): void {
  const kw = (k + 63) >> 6;
  // Column blocks outer: a block of w rows stays in L1 while every a row pair passes over it.
  const NB = max(2, (16384 / max(kw * 8, 1)) & ~1);
  for (let j0 = 0; j0 < n; j0 += NB) {
    const j1 = min(n, j0 + NB);
    for (let i = 0; i < m; i += 2) {
      const rows = min(2, m - i);
      for (let j = j0; j < j1; j += 2) tile(f32out, k, kw, n, a, i, rows, w, j, min(2, j1 - j), out, alpha, beta, bias, vmin, vmax);
    }
  }
}

export function b1_gemm_xnor(m: i32, n: i32, k: i32, a: usize, w: usize, out: usize): void {
  gemm(false, m, n, k, a, w, out, 0, 0, 0, 0, 0);
}

export function b1_gemm_xnor_f32(m: i32, n: i32, k: i32, a: usize, w: usize, alpha: usize, beta: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  gemm(true, m, n, k, a, w, y, alpha, beta, bias, vmin, vmax);
}
