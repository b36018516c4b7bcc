// XNOR-popcount GEMM (XNOR-Net, Rastegari et al. 2016): for ±1 rows packed by f32_b1_pack,
//   dot(a_i, w_j) = k − 2·popcount(a_i XOR w_j)   (padding bits are 0 on both sides: they XOR to 0).
//   a: bits [m, kw] u64, w: bits [n, kw] u64 (kw = ⌈k/64⌉, one row per output: PyTorch's [out, in]).
//   b1_gemm_xnor:     out i32 [m, n] = dot.
//   b1_gemm_xnor_f32: y f32 [m, n] = clamp((f32(dot)·alpha[j])·beta[i] + bias[j], vmin, vmax);
//                     beta 0 means 1, bias 0 means none. dot is exact, so every engine gives the same bits.
// Scalar i64.popcnt (V8 lowers i8x16.popcnt to a pshufb sequence, and the scalar form measured
// faster here), one a row at a time: a chunk of up to 8 of its words sits in locals while the w rows
// of a column block pass under it, so each dot word is one load, one xor, one popcnt and one add, with
// no accumulator tile to spill (the 2×4 tile it replaced kept 8 i64 accumulators, 6 row pointers and
// the words live at once, more than V8's general registers on x64, and its loop body spilled and
// reloaded on every step). out holds k − 2·(count so far) between chunks. The column block keeps
// its w rows (NB × ld bytes ≤ 32 KiB) and its out row in L1 across the chunks.
// bench/dev/b1-kernels.mjs keeps the tiles and the SIMD variant for comparison (2026-12-06:
// 241 / 239 / 234 / 230 G MAC/s at 256³…2048³; the 2×4 tile 160 / 185 / 197 / 204).
import { epilogueRow } from "./epilogue";

// One chunk of cw words (a constant at each call site, so the unused words fold away) of row i
// against w rows j0..j1−1; first: store k − 2·count, else subtract 2·count from what out holds.
@inline
function chunk(cw: i32, first: bool, k: i32, n: i32, ld: usize, a: usize, i: i32, w: usize, j0: i32, j1: i32, out: usize): void {
  const pa = a + <usize>i * ld;
  const a0 = load<u64>(pa);
  const a1 = cw > 1 ? load<u64>(pa, 8) : 0;
  const a2 = cw > 2 ? load<u64>(pa, 16) : 0;
  const a3 = cw > 3 ? load<u64>(pa, 24) : 0;
  const a4 = cw > 4 ? load<u64>(pa, 32) : 0;
  const a5 = cw > 5 ? load<u64>(pa, 40) : 0;
  const a6 = cw > 6 ? load<u64>(pa, 48) : 0;
  const a7 = cw > 7 ? load<u64>(pa, 56) : 0;
  let pw = w + <usize>j0 * ld;
  let po = out + ((<usize>i * <usize>n + <usize>j0) << 2);
  const end = po + (<usize>(j1 - j0) << 2);
  for (; po < end; po += 4, pw += ld) {
    let s = popcnt(a0 ^ load<u64>(pw));
    if (cw > 1) s += popcnt(a1 ^ load<u64>(pw, 8));
    if (cw > 2) s += popcnt(a2 ^ load<u64>(pw, 16));
    if (cw > 3) s += popcnt(a3 ^ load<u64>(pw, 24));
    if (cw > 4) s += popcnt(a4 ^ load<u64>(pw, 32));
    if (cw > 5) s += popcnt(a5 ^ load<u64>(pw, 40));
    if (cw > 6) s += popcnt(a6 ^ load<u64>(pw, 48));
    if (cw > 7) s += popcnt(a7 ^ load<u64>(pw, 56));
    store<i32>(po, (first ? k : load<i32>(po)) - 2 * <i32>s);
  }
}

// chunk() with its word count made a constant: one inlined copy per count.
@inline
function chunkOf(cw: i32, first: bool, k: i32, n: i32, ld: usize, a: usize, i: i32, w: usize, j0: i32, j1: i32, out: usize): void {
  switch (cw) {
    case 8: chunk(8, first, k, n, ld, a, i, w, j0, j1, out); break;
    case 7: chunk(7, first, k, n, ld, a, i, w, j0, j1, out); break;
    case 6: chunk(6, first, k, n, ld, a, i, w, j0, j1, out); break;
    case 5: chunk(5, first, k, n, ld, a, i, w, j0, j1, out); break;
    case 4: chunk(4, first, k, n, ld, a, i, w, j0, j1, out); break;
    case 3: chunk(3, first, k, n, ld, a, i, w, j0, j1, out); break;
    case 2: chunk(2, first, k, n, ld, a, i, w, j0, j1, out); break;
    default: chunk(1, first, k, n, ld, a, i, w, j0, j1, out);
  }
}

export function b1_gemm_xnor(m: i32, n: i32, k: i32, a: usize, w: usize, out: usize): void {
  const kw = (k + 63) >> 6;
  const ld = <usize>kw << 3;
  const NB = max(16, (32768 / (kw << 3)) & ~7);
  for (let j0 = 0; j0 < n; j0 += NB) {
    const j1 = min(n, j0 + NB);
    for (let i = 0; i < m; i++) {
      chunkOf(min(8, kw), true, k, n, ld, a, i, w, j0, j1, out);
      for (let c = 8; c < kw; c += 8) {
        const off = <usize>c << 3;
        chunkOf(min(8, kw - c), false, k, n, ld, a + off, i, w + off, j0, j1, out);
      }
    }
  }
}

// The f32 epilogue runs as a second pass over the i32 dots (in y), out of the popcount loop.
export function b1_gemm_xnor_f32(m: i32, n: i32, k: i32, a: usize, w: usize, alpha: usize, beta: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  b1_gemm_xnor(m, n, k, a, w, y);
  for (let i = 0; i < m; i++) {
    const row = y + ((<usize>i * <usize>n) << 2);
    if (beta) epilogueRow(n, row, alpha, true, load<f32>(beta + (<usize>i << 2)), bias, vmin, vmax);
    else epilogueRow(n, row, alpha, false, 1, bias, vmin, vmax);
  }
}
