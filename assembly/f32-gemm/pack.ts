import { transpose4x4 } from "../x32-transpose";
import { H16_HEADER, h16_at, h16_scale, widen_high } from "../f16-gemv/layout";
// f32 GEMM panel packing.
// A block: mc x kc -> ceil(mc/4) panels, each kc x 4 floats (k-major, rows interleaved).
// B block: kc x nc -> ceil(nc/8) panels, each kc x 8 floats (k-major, columns contiguous).
// Rows/columns past the matrix edge are zero-filled; their results are discarded.
// Strides (lda, ldb) are in floats; source rows may be unaligned.

import { MR, NR } from "./gemm-4x8";

// dst[p·width + r] = (r < rows ? src[r·rs + p·ps] : 0) for p in [p0, kc), r in [0, width).
// rs, ps in bytes.
@inline
function pack_strided(rows: i32, width: i32, p0: i32, kc: i32, src: usize, rs: usize, ps: usize, dst: usize): void {
  for (let p = p0; p < kc; p++) {
    const s = src + <usize>p * ps;
    const d = dst + ((<usize>p * <usize>width) << 2);
    let r = 0;
    for (; r < rows; r++) store<f32>(d + (<usize>r << 2), load<f32>(s + <usize>r * rs));
    for (; r < width; r++) store<f32>(d + (<usize>r << 2), 0);
  }
}

// Four rows s0..s3 of 4 floats each -> four k-major groups of 4 at d, d + step, d + 2·step, d + 3·step.
@inline
function transpose_4x4(s0: usize, s1: usize, s2: usize, s3: usize, d: usize, step: usize): void {
  transpose4x4(v128.load(s0), v128.load(s1), v128.load(s2), v128.load(s3), d, step);
}

/** Packs op(A)[0:mc, 0:kc]. a points at op(A)[0,0]; trans_a: A is stored [k, m]. */
export function pack_a(mc: i32, kc: i32, a: usize, lda: i32, trans_a: bool, dst: usize): void {
  const ld = <usize>lda << 2;
  const panel_bytes = (<usize>kc * <usize>MR) << 2;
  for (let i = 0; i < mc; i += MR) {
    const rows = min(MR, mc - i);
    if (trans_a) {
      // element (i + r, p) at a + p·ld + (i + r)·4: one group of MR per row of storage.
      const src = a + (<usize>i << 2);
      if (rows == MR) {
        for (let p = 0; p < kc; p++) {
          v128.store(dst + (<usize>p << 4), v128.load(src + <usize>p * ld));
        }
      } else {
        pack_strided(rows, MR, 0, kc, src, 4, ld, dst);
      }
    } else {
      // element (i + r, p) at a + (i + r)·ld + p·4.
      const src = a + <usize>i * ld;
      let p = 0;
      if (rows == MR) {
        for (; p + 4 <= kc; p += 4) {
          const s = src + (<usize>p << 2);
          transpose_4x4(s, s + ld, s + 2 * ld, s + 3 * ld, dst + (<usize>p << 4), 16);
        }
      }
      pack_strided(rows, MR, p, kc, src, ld, 4, dst);
    }
    dst += panel_bytes;
  }
}

/** Packs op(B)[0:kc, 0:nc]. b points at op(B)[0,0]; trans_b: B is stored [n, k]. */
export function pack_b(kc: i32, nc: i32, b: usize, ldb: i32, trans_b: bool, dst: usize): void {
  const ld = <usize>ldb << 2;
  const panel_bytes = (<usize>kc * <usize>NR) << 2;
  for (let j = 0; j < nc; j += NR) {
    const cols = min(NR, nc - j);
    if (trans_b) {
      // element (p, j + r) at b + (j + r)·ld + p·4.
      const src = b + <usize>j * ld;
      let p = 0;
      if (cols == NR) {
        const src4 = src + 4 * ld;
        for (; p + 4 <= kc; p += 4) {
          const s = src + (<usize>p << 2);
          const s4 = src4 + (<usize>p << 2);
          const d = dst + (<usize>p << 5);
          transpose_4x4(s, s + ld, s + 2 * ld, s + 3 * ld, d, 32);
          transpose_4x4(s4, s4 + ld, s4 + 2 * ld, s4 + 3 * ld, d + 16, 32);
        }
      }
      pack_strided(cols, NR, p, kc, src, ld, 4, dst);
    } else {
      // element (p, j + r) at b + p·ld + (j + r)·4.
      const src = b + (<usize>j << 2);
      if (cols == NR) {
        for (let p = 0; p < kc; p++) {
          const s = src + <usize>p * ld;
          const d = dst + (<usize>p << 5);
          v128.store(d, v128.load(s));
          v128.store(d, v128.load(s, 16), 16);
        }
      } else {
        pack_strided(cols, NR, 0, kc, src, 4, ld, dst);
      }
    }
    dst += panel_bytes;
  }
}

// W[col, kp] inside f32_gemv_pack's layout of W [n, k] (gemv-packed.ts): panels of 4 rows, 8-blocks of
// [4 rows × inputs 0-3][4 rows × inputs 4-7], then the k % 8 tail row by row.
@inline
function gemv_packed_at(packed: usize, k: i32, col: i32, kp: i32): usize {
  const k8 = k & ~7;
  const panel = packed + ((<usize>(col >> 2) * <usize>k) << 4);
  const r = <usize>(col & 3);
  if (kp < k8) return panel + (<usize>(kp >> 3) << 7) + (<usize>((kp >> 2) & 1) << 6) + (r << 4) + (<usize>(kp & 3) << 2);
  return panel + (<usize>k8 << 4) + ((r * <usize>(k & 7) + <usize>(kp - k8)) << 2);
}

/**
 * pack_b for B = Wᵀ with W [n, k] in f32_gemv_pack's layout (f32_gemm's trans_b = 2): the block
 * op(B)[pc:pc+kc, jc:jc+nc], the same panels pack_b makes from the row-major W, so the GEMM gives the
 * same bits without unpacking W first. jc is a multiple of 8 and pc of 4 (f32_gemm's NC and KC).
 */
export function pack_b_gemv(kc: i32, nc: i32, k: i32, packed: usize, jc: i32, pc: i32, dst: usize): void {
  const panel_bytes = (<usize>kc * <usize>NR) << 2;
  const k8 = k & ~7;
  for (let j = 0; j < nc; j += NR) {
    const col = jc + j;
    const cols = min(NR, nc - j);
    let p = 0;
    if (cols == NR) {
      // Two GEMV panels (columns col..col+3, col+4..col+7): each 4-input group is a 4×4 block to transpose.
      const q0 = packed + ((<usize>(col >> 2) * <usize>k) << 4);
      const q1 = q0 + (<usize>k << 4);
      for (; p + 4 <= kc && pc + p + 4 <= k8; p += 4) {
        const kp = pc + p;
        const off = (<usize>(kp >> 3) << 7) + (<usize>((kp >> 2) & 1) << 6);
        const d = dst + (<usize>p << 5);
        transpose_4x4(q0 + off, q0 + off + 16, q0 + off + 32, q0 + off + 48, d, 32);
        transpose_4x4(q1 + off, q1 + off + 16, q1 + off + 32, q1 + off + 48, d + 16, 32);
      }
    }
    for (; p < kc; p++) {
      const d = dst + ((<usize>p << 3) << 2);
      let r = 0;
      for (; r < cols; r++) store<f32>(d + (<usize>r << 2), load<f32>(gemv_packed_at(packed, k, col + r, pc + p)));
      for (; r < NR; r++) store<f32>(d + (<usize>r << 2), 0);
    }
    dst += panel_bytes;
  }
}

/** Storage of a weight that pack_b_narrow widens to f32 (f32_gemm's trans_b 3, 4, 5). */
export const W_I8: i32 = 3;
export const W_F16: i32 = 4;
export const W_BF16: i32 = 5;

// W[r, p..p+3] as f32 lanes (exact), from the element at s.
@inline
function widen4(s: usize, kind: i32): v128 {
  if (kind == W_I8) return f32x4.convert_i32x4_s(i32x4.extend_low_i16x8_s(i16x8.extend_low_i8x16_s(v128.load32_zero(s))));
  return widen_high(i32x4.shl(i32x4.extend_low_i16x8_u(v128.load64_zero(s)), 16), kind == W_F16, true);
}

@inline
function widen1(s: usize, kind: i32): f32 {
  if (kind == W_I8) return <f32>load<i8>(s);
  return f32x4.extract_lane(widen_high(i32x4.splat(<i32>load<u16>(s) << 16), kind == W_F16, true), 0);
}

/**
 * pack_b for B = Wᵀ with W [n, k] stored as int8 (row-major), widened exactly to f32 as it packs: the
 * GEMM then runs on the f32 values of the stored weights, with no f32 copy of W. w points at W[jc, pc];
 * ldw: W's row stride in elements. (kind W_I8; pack_b_h16 below reads f16 / bf16 panels.)
 */
export function pack_b_narrow(kc: i32, nc: i32, w: usize, ldw: i32, kind: i32, dst: usize): void {
  const ld = <usize>ldw;
  const panel_bytes = (<usize>kc * <usize>NR) << 2;
  for (let j = 0; j < nc; j += NR) {
    const cols = min(NR, nc - j);
    const src = w + <usize>j * ld;
    let p = 0;
    if (cols == NR) {
      const src4 = src + 4 * ld;
      for (; p + 4 <= kc; p += 4) {
        const s = src + <usize>p;
        const s4 = src4 + <usize>p;
        const d = dst + (<usize>p << 5);
        transpose4x4(widen4(s, kind), widen4(s + ld, kind), widen4(s + 2 * ld, kind), widen4(s + 3 * ld, kind), d, 32);
        transpose4x4(widen4(s4, kind), widen4(s4 + ld, kind), widen4(s4 + 2 * ld, kind), widen4(s4 + 3 * ld, kind), d + 16, 32);
      }
    }
    for (; p < kc; p++) {
      const d = dst + (<usize>p << 5);
      let r = 0;
      for (; r < cols; r++) store<f32>(d + (<usize>r << 2), widen1(src + <usize>r * ld + <usize>p, kind));
      for (; r < NR; r++) store<f32>(d + (<usize>r << 2), 0);
    }
    dst += panel_bytes;
  }
}

/**
 * pack_b for B = Wᵀ with W [n, k] as f16 / bf16 codes in the 16-bit GEMVs' panels (f16-gemv/gemv.ts,
 * h16_pack: a header, then 4-row panels), widened exactly to f32 as it packs (f32_gemm's trans_b 4 / 5),
 * the codes' scale 2^s undone exactly: the block op(B)[pc:pc+kc, jc:jc+nc]; jc is a multiple of 8 and pc
 * of 4 (f32_gemm's NC and KC).
 */
export function pack_b_h16(kc: i32, nc: i32, k: i32, packed: usize, jc: i32, pc: i32, kind: i32, dst: usize): void {
  const s = h16_scale(packed);
  if (s != 0) pack_b_h16_kind(kc, nc, k, packed + H16_HEADER, jc, pc, kind, reinterpret<f32>((127 - s) << 23), dst);
  else pack_b_h16_kind(kc, nc, k, packed + H16_HEADER, jc, pc, kind, 1, dst);
}

@inline
function pack_b_h16_kind(kc: i32, nc: i32, k: i32, panels: usize, jc: i32, pc: i32, kind: i32, inv: f32, dst: usize): void {
  const panel_bytes = (<usize>kc * <usize>NR) << 2;
  const k8 = k & ~7;
  const vinv = f32x4.splat(inv);
  for (let j = 0; j < nc; j += NR) {
    const col = jc + j;
    const cols = min(NR, nc - j);
    let p = 0;
    if (cols == NR) {
      // Two panels (columns col..col+3, col+4..col+7); inside an 8-block, row r's 4 codes from input q
      // are contiguous, 16 bytes after row r − 1's.
      const q0 = h16_at(panels, k, col, 0);
      const q1 = h16_at(panels, k, col + 4, 0);
      for (; p + 4 <= kc && pc + p + 4 <= k8; p += 4) {
        const q = pc + p;
        const off = (<usize>(q >> 3) << 6) + (<usize>(q & 7) << 1);
        const d = dst + (<usize>p << 5);
        transpose4x4(unscale(widen4(q0 + off, kind), vinv, inv), unscale(widen4(q0 + off + 16, kind), vinv, inv), unscale(widen4(q0 + off + 32, kind), vinv, inv), unscale(widen4(q0 + off + 48, kind), vinv, inv), d, 32);
        transpose4x4(unscale(widen4(q1 + off, kind), vinv, inv), unscale(widen4(q1 + off + 16, kind), vinv, inv), unscale(widen4(q1 + off + 32, kind), vinv, inv), unscale(widen4(q1 + off + 48, kind), vinv, inv), d + 16, 32);
      }
    }
    for (; p < kc; p++) {
      const d = dst + (<usize>p << 5);
      let r = 0;
      for (; r < cols; r++) store<f32>(d + (<usize>r << 2), unscale1(widen1(h16_at(panels, k, col + r, pc + p), kind), inv));
      for (; r < NR; r++) store<f32>(d + (<usize>r << 2), 0);
    }
    dst += panel_bytes;
  }
}

// v·2^−s (exact); no multiply when s = 0 (so a NaN code keeps its payload bits).
@inline
function unscale(v: v128, vinv: v128, inv: f32): v128 {
  return inv == 1 ? v : f32x4.mul(v, vinv);
}

@inline
function unscale1(f: f32, inv: f32): f32 {
  return inv == 1 ? f : f * inv;
}
