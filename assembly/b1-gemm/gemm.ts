// XNOR-popcount GEMM (XNOR-Net, Rastegari et al. 2016): for ±1 rows packed by f32_b1_pack,
//   dot(a_i, w_j) = k − 2·popcount(a_i XOR w_j)   (padding bits are 0 on both sides: they XOR to 0).
//   a: bits [m, kw] u64, w: bits [n, kw] u64 (kw = ⌈k/64⌉, one row per output: PyTorch's [out, in]).
//   b1_gemm_xnor:     out i32 [m, n] = dot.
//   b1_gemm_xnor_f32: y f32 [m, n] = clamp((f32(dot)·alpha[j])·beta[i] + bias[j], vmin, vmax);
//                     beta 0 means 1, bias 0 means none. dot is exact, so every engine gives the same bits.
// Scalar i64.popcnt in a 2×4 register tile (2×2 at the column edge), two words per step: V8 lowers
// i8x16.popcnt to a pshufb sequence, and the scalar form measured faster here; the 2×4 tile halves the
// per-tile overhead that dominates at k = 256 (4 words a row). bench/dev/b1-kernels.mjs keeps the SIMD
// variant and the other tiles for comparison.

// Dots of a row pair × w row pair into out i32 [m, n] (a1/w1 repeat a0/w0 at the edges, stored once).
@inline
function tile(k: i32, kw: i32, n: i32, a: usize, i: i32, rows: i32, w: usize, j: i32, cols: i32, out: usize): void {
  const ld = <usize>kw << 3;
  const pa0 = a + <usize>i * ld;
  const pa1 = rows > 1 ? pa0 + ld : pa0;
  const pw0 = w + <usize>j * ld;
  const pw1 = cols > 1 ? pw0 + ld : pw0;
  let c00: i64 = 0, c01: i64 = 0, c10: i64 = 0, c11: i64 = 0;
  // Two words per iteration (half the loop overhead at small k), then the odd word.
  const ld2 = ld & ~15;
  let o: usize = 0;
  for (; o < ld2; o += 16) {
    const a0 = load<u64>(pa0 + o), a0b = load<u64>(pa0 + o, 8);
    const a1 = load<u64>(pa1 + o), a1b = load<u64>(pa1 + o, 8);
    const w0 = load<u64>(pw0 + o), w0b = load<u64>(pw0 + o, 8);
    const w1 = load<u64>(pw1 + o), w1b = load<u64>(pw1 + o, 8);
    c00 += popcnt(a0 ^ w0) + popcnt(a0b ^ w0b);
    c01 += popcnt(a0 ^ w1) + popcnt(a0b ^ w1b);
    c10 += popcnt(a1 ^ w0) + popcnt(a1b ^ w0b);
    c11 += popcnt(a1 ^ w1) + popcnt(a1b ^ w1b);
  }
  if (o < ld) {
    const a0 = load<u64>(pa0 + o);
    const a1 = load<u64>(pa1 + o);
    const w0 = load<u64>(pw0 + o);
    const w1 = load<u64>(pw1 + o);
    c00 += popcnt(a0 ^ w0);
    c01 += popcnt(a0 ^ w1);
    c10 += popcnt(a1 ^ w0);
    c11 += popcnt(a1 ^ w1);
  }
  const p0 = out + ((<usize>i * <usize>n + <usize>j) << 2);
  store<i32>(p0, k - 2 * <i32>c00);
  if (cols > 1) store<i32>(p0, k - 2 * <i32>c01, 4);
  if (rows > 1) {
    const p1 = p0 + (<usize>n << 2);
    store<i32>(p1, k - 2 * <i32>c10);
    if (cols > 1) store<i32>(p1, k - 2 * <i32>c11, 4);
  }
}

// Dots of a row pair (a1 repeats a0 at the bottom edge, stored once) × 4 w rows into out i32 [m, n].
@inline
function tile24(k: i32, kw: i32, n: i32, a: usize, i: i32, rows: i32, w: usize, j: i32, out: usize): void {
  const ld = <usize>kw << 3;
  const pa0 = a + <usize>i * ld;
  const pa1 = rows > 1 ? pa0 + ld : pa0;
  const pw0 = w + <usize>j * ld;
  const pw1 = pw0 + ld;
  const pw2 = pw1 + ld;
  const pw3 = pw2 + ld;
  let c00: i64 = 0, c01: i64 = 0, c02: i64 = 0, c03: i64 = 0, c10: i64 = 0, c11: i64 = 0, c12: i64 = 0, c13: i64 = 0;
  const ld2 = ld & ~15;
  let o: usize = 0;
  for (; o < ld2; o += 16) {
    const a0 = load<u64>(pa0 + o), a0b = load<u64>(pa0 + o, 8);
    const a1 = load<u64>(pa1 + o), a1b = load<u64>(pa1 + o, 8);
    let v = load<u64>(pw0 + o), vb = load<u64>(pw0 + o, 8);
    c00 += popcnt(a0 ^ v) + popcnt(a0b ^ vb);
    c10 += popcnt(a1 ^ v) + popcnt(a1b ^ vb);
    v = load<u64>(pw1 + o);
    vb = load<u64>(pw1 + o, 8);
    c01 += popcnt(a0 ^ v) + popcnt(a0b ^ vb);
    c11 += popcnt(a1 ^ v) + popcnt(a1b ^ vb);
    v = load<u64>(pw2 + o);
    vb = load<u64>(pw2 + o, 8);
    c02 += popcnt(a0 ^ v) + popcnt(a0b ^ vb);
    c12 += popcnt(a1 ^ v) + popcnt(a1b ^ vb);
    v = load<u64>(pw3 + o);
    vb = load<u64>(pw3 + o, 8);
    c03 += popcnt(a0 ^ v) + popcnt(a0b ^ vb);
    c13 += popcnt(a1 ^ v) + popcnt(a1b ^ vb);
  }
  if (o < ld) {
    const a0 = load<u64>(pa0 + o);
    const a1 = load<u64>(pa1 + o);
    let v = load<u64>(pw0 + o);
    c00 += popcnt(a0 ^ v);
    c10 += popcnt(a1 ^ v);
    v = load<u64>(pw1 + o);
    c01 += popcnt(a0 ^ v);
    c11 += popcnt(a1 ^ v);
    v = load<u64>(pw2 + o);
    c02 += popcnt(a0 ^ v);
    c12 += popcnt(a1 ^ v);
    v = load<u64>(pw3 + o);
    c03 += popcnt(a0 ^ v);
    c13 += popcnt(a1 ^ v);
  }
  const p0 = out + ((<usize>i * <usize>n + <usize>j) << 2);
  store<i32>(p0, k - 2 * <i32>c00);
  store<i32>(p0, k - 2 * <i32>c01, 4);
  store<i32>(p0, k - 2 * <i32>c02, 8);
  store<i32>(p0, k - 2 * <i32>c03, 12);
  if (rows > 1) {
    const p1 = p0 + (<usize>n << 2);
    store<i32>(p1, k - 2 * <i32>c10);
    store<i32>(p1, k - 2 * <i32>c11, 4);
    store<i32>(p1, k - 2 * <i32>c12, 8);
    store<i32>(p1, k - 2 * <i32>c13, 12);
  }
}

export function b1_gemm_xnor(m: i32, n: i32, k: i32, a: usize, w: usize, out: usize): void {
  const kw = (k + 63) >> 6;
  // Column blocks outer: a block of w rows stays in L1 while every a row pair passes over it.
  const NB = max(4, (16384 / max(kw * 8, 1)) & ~3);
  for (let j0 = 0; j0 < n; j0 += NB) {
    const j1 = min(n, j0 + NB);
    for (let i = 0; i < m; i += 2) {
      const rows = min(2, m - i);
      let j = j0;
      for (; j + 4 <= j1; j += 4) tile24(k, kw, n, a, i, rows, w, j, out);
      for (; j < j1; j += 2) tile(k, kw, n, a, i, rows, w, j, min(2, j1 - j), out);
    }
  }
}

// The f32 epilogue runs as a second pass over the i32 dots (in y): kept out of the tile loop, whose
// four i64 accumulators otherwise share the registers with alpha, beta, bias and the clamp and spill.
export function b1_gemm_xnor_f32(m: i32, n: i32, k: i32, a: usize, w: usize, alpha: usize, beta: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  b1_gemm_xnor(m, n, k, a, w, y);
  for (let i = 0; i < m; i++) {
    const row = y + ((<usize>i * <usize>n) << 2);
    const vb: f32 = beta ? load<f32>(beta + (<usize>i << 2)) : 1;
    for (let j = 0; j < n; j++) {
      const pj = <usize>j << 2;
      let v = <f32>load<i32>(row + pj) * load<f32>(alpha + pj);
      if (beta) v *= vb;
      if (bias) v += load<f32>(bias + pj);
      store<f32>(row + pj, min(max(v, vmin), vmax));
    }
  }
}
