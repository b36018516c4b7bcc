// qs8 GEMM: out[m,n] = requant(Σ_p (a[i,p] − a_zp)·w[j,p] + bias[j]) (or the int32 sum itself, or its f32 dequantization).
//   a: i8 [m, k] row-major activations, asymmetric (zero point a_zp); w: packed by qs8_pack_weights
//   (i8 [n, k], symmetric); bias: i32 [n] or 0; multiplier, shift: i32 [n] (per output channel).
// Sums are exact modulo 2^32. Requantization: see requant.ts (gemmlowp double rounding).
// Rows past 8·⌊m/8⌋ (if ≤ 5 of them) and all rows when m < 8 go through the qs8 GEMV.
// Blocking: a B block of nc columns (i16, kp·nc·2 ≤ 256 KiB, stays in L2) is packed per call and
// reused by every A block of mc rows; the 8x4 micro-kernel runs A panel (L1) x each B panel.
// Workspace (bytes): [ B block: kp·nc·2 | A block: kp·mc·2 | acc tile: 128 | edge tile: 128 | edge params: 48 | zeros: 16 ]
// Valid when |a − a_zp| ≤ 32767 for every a (a_zp ∈ [−32640, 32640]); out_zp, qmin ≤ qmax in [−128, 127].

import { MR, NR, qs8_gemm_8x4c2_i32, qs8_gemm_8x4c2_requant } from "./gemm-8x4c2";
import { pack_a_panels, pack_b_panels } from "./panel";
import { qs8_gemv_i32, qs8_gemv_requant } from "../qs8-gemv/gemv";

const B_BLOCK_BYTES: i32 = 256 << 10;
const A_BLOCK_BYTES: i32 = 128 << 10;
const MC_MAX: i32 = 64;
const TILE_BYTES: usize = 128;

@inline
function round_up(x: i32, q: i32): i32 {
  return (x + q - 1) / q * q;
}

@inline
function block_nc(n: i32, kp: i32): i32 {
  return min(round_up(n, NR), max(NR, B_BLOCK_BYTES / (kp * 2) / NR * NR));
}

@inline
function block_mc(m: i32, kp: i32): i32 {
  return min(round_up(m, MR), max(MR, min(MC_MAX, A_BLOCK_BYTES / (kp * 2) / MR * MR)));
}

export function qs8_gemm_workspace_bytes(m: i32, n: i32, k: i32): i32 {
  const kp = round_up(max(k, 1), 8);
  return kp * 2 * (block_nc(max(n, 1), kp) + block_mc(max(m, 1), kp)) + 2 * <i32>TILE_BYTES + 64;
}

export function qs8_gemm_requant(
  m: i32, n: i32, k: i32, a: usize, a_zp: i32, packed: usize, bias: usize, out: usize,
  multiplier: usize, shift: usize, out_zp: i32, qmin: i32, qmax: i32, workspace: usize,
): void {
  gemm(m, n, k, a, a_zp, packed, bias, out, multiplier, shift, out_zp, qmin, qmax, workspace, true);
}

/** int32 output: out[m,n] = Σ_p (a[i,p] − a_zp)·w[j,p] + bias[j] (mod 2^32). */
export function qs8_gemm_i32(m: i32, n: i32, k: i32, a: usize, a_zp: i32, packed: usize, bias: usize, out: usize, workspace: usize): void {
  gemm(m, n, k, a, a_zp, packed, bias, out, 0, 0, 0, 0, 0, workspace, false);
}

/**
 * f32 output: out[m,n] = f32(acc[i,j])·f32(scale_a·scale_w[j]) + bias[j] with acc the int32 sums
 * (no bias) and bias f32 [n] or 0: the int32 GEMM into `out`, then qs8_gemv_f32out's epilogue in
 * place, rounding for rounding (so a row equals the GEMV's answer bit for bit).
 */
export function qs8_gemm_f32out(
  m: i32, n: i32, k: i32, a: usize, a_zp: i32, packed: usize, bias: usize, out: usize, scale_a: f32, scale_w: usize, workspace: usize,
): void {
  qs8_gemm_i32(m, n, k, a, a_zp, packed, 0, out, workspace);
  if (m <= 0 || n <= 0) return;
  const vscale_a = f32x4.splat(scale_a);
  const n4 = n & ~3;
  for (let i = 0; i < m; i++) {
    const row = out + <usize>i * (<usize>n << 2);
    for (let j = 0; j < n4; j += 4) {
      const o = <usize>j << 2;
      let vy = f32x4.mul(f32x4.convert_i32x4_s(v128.load(row + o)), f32x4.mul(vscale_a, v128.load(scale_w + o)));
      if (bias != 0) vy = f32x4.add(vy, v128.load(bias + o));
      v128.store(row + o, vy);
    }
    for (let j = n4; j < n; j++) {
      const o = <usize>j << 2;
      let y = <f32>load<i32>(row + o) * (scale_a * load<f32>(scale_w + o));
      if (bias != 0) y += load<f32>(bias + o);
      store<f32>(row + o, y);
    }
  }
}

@inline
function gemm(
  m: i32, n: i32, k: i32, a: usize, a_zp: i32, packed: usize, bias: usize, out: usize,
  multiplier: usize, shift: usize, out_zp: i32, qmin: i32, qmax: i32, workspace: usize, requant: bool,
): void {
  if (m <= 0 || n <= 0) return;
  k = max(k, 0);
  // Rows past the last full 8-row tile, up to 5 of them, cost less one at a time through GEMV
  // (~50 GOP/s each) than as a mostly empty tile; so do all rows when m < 8.
  const tail = m < MR ? m : (m & (MR - 1)) <= 5 ? m & (MR - 1) : 0;
  const esize: usize = requant ? 1 : 4;
  const ldc = <usize>n * esize;
  for (let i = m - tail; i < m; i++) {
    const a_row = a + <usize>i * <usize>k;
    if (requant) qs8_gemv_requant(n, k, a_row, a_zp, packed, bias, out + <usize>i * ldc, multiplier, shift, out_zp, qmin, qmax);
    else qs8_gemv_i32(n, k, a_row, a_zp, packed, bias, out + <usize>i * ldc);
  }
  m -= tail;
  if (m == 0) return;
  const kp = round_up(max(k, 1), 8);
  const nc_max = block_nc(n, kp);
  const mc_max = block_mc(m, kp);
  const bp = workspace;
  const ap = bp + <usize>kp * <usize>nc_max * 2;
  const acc = ap + <usize>kp * <usize>mc_max * 2;
  const zeros = acc + 2 * TILE_BYTES + 48;
  v128.store(zeros, i32x4.splat(0));
  const w = packed + (<usize>n << 2);
  const a_panel_bytes = <usize>kp * <usize>MR * 2;
  const b_panel_bytes = <usize>kp * <usize>NR * 2;
  for (let jc = 0; jc < n; jc += nc_max) {
    const nc = min(nc_max, n - jc);
    pack_b_panels(n, nc, jc, k, kp, w, bp);
    for (let ic = 0; ic < m; ic += mc_max) {
      const mc = min(mc_max, m - ic);
      pack_a_panels(mc, k, kp, a + <usize>ic * <usize>k, a_zp, ap);
      let a_panel = ap;
      for (let i = 0; i < mc; i += MR) {
        const mr = min(MR, mc - i);
        const c_row = out + <usize>(ic + i) * ldc;
        let b_panel = bp;
        for (let j = 0; j < nc; j += NR) {
          const nr = min(NR, nc - j);
          const col = jc + j;
          const o = <usize>col << 2;
          const c = c_row + <usize>col * esize;
          const bias_col = bias != 0 ? bias + o : zeros;
          if (mr == MR && nr == NR) {
            if (requant) qs8_gemm_8x4c2_requant(kp, a_panel, b_panel, c, ldc, bias_col, multiplier + o, shift + o, out_zp, qmin, qmax, acc);
            else qs8_gemm_8x4c2_i32(kp, a_panel, b_panel, c, ldc, bias_col, acc);
          } else {
            edge(mr, nr, kp, a_panel, b_panel, c, ldc, bias_col, multiplier + o, shift + o, out_zp, qmin, qmax, acc, requant);
          }
          b_panel += b_panel_bytes;
        }
        a_panel += a_panel_bytes;
      }
    }
  }
}

// A partial mr x nr tile: the full micro-kernel on a scratch tile with zero-padded column
// parameters, then the valid part copied out.
function edge(
  mr: i32, nr: i32, kp: i32, a_panel: usize, b_panel: usize, c: usize, ldc: usize,
  bias: usize, multiplier: usize, shift: usize, out_zp: i32, qmin: i32, qmax: i32, acc: usize, requant: bool,
): void {
  const tile = acc + TILE_BYTES;
  const params = tile + TILE_BYTES;
  for (let j = 0; j < NR; j++) {
    const o = <usize>j << 2;
    const valid = j < nr;
    store<i32>(params + o, valid ? load<i32>(bias + o) : 0);
    store<i32>(params + o, valid && requant ? load<i32>(multiplier + o) : 0, 16);
    store<i32>(params + o, valid && requant ? load<i32>(shift + o) : 0, 32);
  }
  const esize: usize = requant ? 1 : 4;
  const tile_ld = <usize>NR * esize;
  if (requant) qs8_gemm_8x4c2_requant(kp, a_panel, b_panel, tile, tile_ld, params, params + 16, params + 32, out_zp, qmin, qmax, acc);
  else qs8_gemm_8x4c2_i32(kp, a_panel, b_panel, tile, tile_ld, params, acc);
  const row_bytes = <usize>nr * esize;
  for (let i = 0; i < mr; i++) memory.copy(c + <usize>i * ldc, tile + <usize>i * tile_ld, row_bytes);
}
