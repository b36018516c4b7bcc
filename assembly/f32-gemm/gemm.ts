// f32 GEMM: C[m,n] = clamp(op(A)[m,k] · op(B)[k,n] + bias[n], vmin, vmax).
// GotoBLAS blocking: B is packed in kc x nc blocks of 8-wide panels, A in mc x kc
// blocks of 4-row interleaved panels, and a 4x8 micro-kernel computes each tile.
// Every C element is the sequential f32 sum over k (blocking only splits the
// sequence), then + bias, then clamped: bit-identical to the plain triple loop.
// trans_b: 0 B stored [k, n], 1 B stored [n, k] (a Linear's W), 2 W [n, k] in f32_gemv_pack's layout
// (ldb unused): the same packed panels, so the same bits, without unpacking W; 3: W [n, k] stored as
// int8 (ldb in elements); 4, 5: W [n, k] as f16 or bf16 codes in the 16-bit GEMVs' panel layout
// (h16_pack; ldb unused). 3-5 are widened exactly to f32 as their panels are packed.
// Strides (lda, ldb, ldc) in floats; workspace layout (bytes):
//   [ packed B: kc·round_up(nc, 8)·4 | packed A: round_up(mc, 4)·kc·4 | edge tile: 4·8·4 | edge bias: 8·4 ]

import { MR, NR, gemm_4x8 } from "./gemm-4x8";
import { W_I8, pack_a, pack_b, pack_b_gemv, pack_b_h16, pack_b_narrow } from "./pack";

// kc x NR B panel (8 KiB) stays in L1 while the mc x kc A block (128 KiB) streams from L2.
// Measured on Zen 4 / V8: KC 128-512, MC 64-256, NC 512-1024 and either inner-loop order
// all land within ~2% of each other; these keep the workspace small (<= 1.2 MiB).
const KC: i32 = 256;
const MC: i32 = 128;
const NC: i32 = 1024;

const TILE_BYTES: usize = <usize>(MR * NR) << 2;

@inline
function round_up(x: i32, q: i32): i32 {
  return (x + q - 1) / q * q;
}

export function f32_gemm_workspace_bytes(m: i32, n: i32, k: i32): i32 {
  const kc = min(k, KC);
  const nc = round_up(min(n, NC), NR);
  const mc = round_up(min(m, MC), MR);
  return ((kc * nc + mc * kc) << 2) + <i32>TILE_BYTES + (NR << 2);
}

export function f32_gemm(
  m: i32, n: i32, k: i32,
  a: usize, lda: i32, trans_a: i32,
  b: usize, ldb: i32, trans_b: i32,
  bias: usize, c: usize, ldc: i32,
  workspace: usize, vmin: f32, vmax: f32,
): void {
  if (m <= 0 || n <= 0) return;
  const ldc_bytes = <usize>ldc << 2;
  if (k <= 0) {
    fill_bias(m, n, bias, c, ldc_bytes, vmin, vmax);
    return;
  }
  const ta = trans_a != 0;
  const tb = trans_b != 0;
  const bp = workspace;
  const ap = bp + ((<usize>min(k, KC) * <usize>round_up(min(n, NC), NR)) << 2);
  const scratch = ap + ((<usize>round_up(min(m, MC), MR) * <usize>min(k, KC)) << 2);

  for (let jc = 0; jc < n; jc += NC) {
    const nc = min(NC, n - jc);
    for (let pc = 0; pc < k; pc += KC) {
      const kc = min(KC, k - pc);
      const first = pc == 0;
      const last = pc + kc == k;
      if (trans_b == 2) pack_b_gemv(kc, nc, k, b, jc, pc, bp);
      else if (trans_b == W_I8) pack_b_narrow(kc, nc, b + <usize>jc * <usize>ldb + <usize>pc, ldb, trans_b, bp);
      else if (trans_b > W_I8) pack_b_h16(kc, nc, k, b, jc, pc, trans_b, bp);
      else {
        const b_block = tb
          ? b + ((<usize>jc * <usize>ldb + <usize>pc) << 2)
          : b + ((<usize>pc * <usize>ldb + <usize>jc) << 2);
        pack_b(kc, nc, b_block, ldb, tb, bp);
      }
      for (let ic = 0; ic < m; ic += MC) {
        const mc = min(MC, m - ic);
        const a_block = ta
          ? a + ((<usize>pc * <usize>lda + <usize>ic) << 2)
          : a + ((<usize>ic * <usize>lda + <usize>pc) << 2);
        pack_a(mc, kc, a_block, lda, ta, ap);
        const c_block = c + <usize>ic * ldc_bytes + (<usize>jc << 2);
        macro_kernel(mc, nc, kc, ap, bp, c_block, ldc_bytes, first, last, bias != 0 ? bias + (<usize>jc << 2) : 0, scratch, vmin, vmax);
      }
    }
  }
}

// C block [mc, nc] (row stride ldc bytes) from packed A block and packed B block.
@inline
function macro_kernel(
  mc: i32, nc: i32, kc: i32, ap: usize, bp: usize, c: usize, ldc: usize,
  first: bool, last: bool, bias: usize, scratch: usize, vmin: f32, vmax: f32,
): void {
  const a_panel_bytes = (<usize>kc * <usize>MR) << 2;
  const b_panel_bytes = (<usize>kc * <usize>NR) << 2;
  const c_tile_rows_bytes = <usize>MR * ldc;
  let b_panel = bp;
  for (let j = 0; j < nc; j += NR) {
    const nr = min(NR, nc - j);
    const bias_tile = bias != 0 ? bias + (<usize>j << 2) : 0;
    let a_panel = ap;
    let c_tile = c + (<usize>j << 2);
    for (let i = 0; i < mc; i += MR) {
      const mr = min(MR, mc - i);
      if (mr == MR && nr == NR) {
        gemm_4x8(kc, a_panel, b_panel, c_tile, ldc, first, last, bias_tile, vmin, vmax);
      } else {
        gemm_edge(mr, nr, kc, a_panel, b_panel, c_tile, ldc, first, last, bias_tile, scratch, vmin, vmax);
      }
      a_panel += a_panel_bytes;
      c_tile += c_tile_rows_bytes;
    }
    b_panel += b_panel_bytes;
  }
}

// A partial mr x nr tile: run the full micro-kernel on a scratch tile, copy the valid part.
function gemm_edge(
  mr: i32, nr: i32, kc: i32, a_panel: usize, b_panel: usize, c: usize, ldc: usize,
  first: bool, last: bool, bias: usize, scratch: usize, vmin: f32, vmax: f32,
): void {
  const tile_ld: usize = <usize>NR << 2;
  if (!first) copy_tile(mr, nr, c, ldc, scratch, tile_ld);
  let tile_bias: usize = 0;
  if (last && bias != 0) {
    tile_bias = scratch + TILE_BYTES;
    for (let j = 0; j < NR; j++) {
      store<f32>(tile_bias + (<usize>j << 2), j < nr ? load<f32>(bias + (<usize>j << 2)) : 0);
    }
  }
  gemm_4x8(kc, a_panel, b_panel, scratch, tile_ld, first, last, tile_bias, vmin, vmax);
  copy_tile(mr, nr, scratch, tile_ld, c, ldc);
}

@inline
function copy_tile(mr: i32, nr: i32, src: usize, src_ld: usize, dst: usize, dst_ld: usize): void {
  for (let i = 0; i < mr; i++) {
    const s = src + <usize>i * src_ld;
    const d = dst + <usize>i * dst_ld;
    for (let j = 0; j < nr; j++) store<f32>(d + (<usize>j << 2), load<f32>(s + (<usize>j << 2)));
  }
}

// k = 0: C = clamp(bias or 0). Scalar f32.max/f32.min propagate NaN like f32x4.max/min.
function fill_bias(m: i32, n: i32, bias: usize, c: usize, ldc: usize, vmin: f32, vmax: f32): void {
  for (let i = 0; i < m; i++) {
    const row = c + <usize>i * ldc;
    for (let j = 0; j < n; j++) {
      const v: f32 = bias != 0 ? load<f32>(bias + (<usize>j << 2)) : 0;
      store<f32>(row + (<usize>j << 2), min<f32>(max<f32>(v, vmin), vmax));
    }
  }
}
