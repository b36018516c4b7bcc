// Per-call i16 panel packing of the qs8 GEMM (layouts in gemm-8x4c2.ts): A in 8-row panels of
// (a − a_zp) pairs, B (the packed i8 weight rows) in 4-column panels of w pairs. k is zero-padded to
// kp = round_up(k, 8); rows past the matrix edge are zero.

import { transpose4x4 } from "../x32-transpose";
import { MR, NR } from "./gemm-8x4c2";
import { QS8_PANEL_ROWS } from "./pack";


// One panel of `width` interleaved rows → kp/2 pairs x width x 2 i16 of (v − zp); rows ≥ rows and
// columns ≥ k are 0. Source element (r, p) is at src + r·rs + (p >> 3)·bs + (p & 7) for p < k8 = k & ~7
// and at tail + r·ts + (p − k8) after: row-major rows (rs = ts = ld, bs = 8, tail = src + k8) or
// half of an 8-row weight panel (rs = 8, bs = 64, ts = k − k8). Four rows at a time: 4x4 transposes.
@inline
function pack_panel(rows: i32, width: i32, k: i32, kp: i32, src: usize, rs: usize, bs: usize, tail: usize, ts: usize, zp: i32, dst: usize): void {
  const pair_bytes = <usize>width << 2;
  const k8 = k & ~7;
  const vzp = i16x8.splat(<i16>zp);
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const s0 = src + <usize>r * rs;
    const s1 = s0 + rs;
    const s2 = s1 + rs;
    const s3 = s2 + rs;
    const d = dst + (<usize>r << 2);
    for (let p = 0; p < k8; p += 8) {
      const o = <usize>(p >> 3) * bs;
      transpose4x4(
        i16x8.sub(v128.load8x8_s(s0 + o), vzp), i16x8.sub(v128.load8x8_s(s1 + o), vzp),
        i16x8.sub(v128.load8x8_s(s2 + o), vzp), i16x8.sub(v128.load8x8_s(s3 + o), vzp),
        d + (<usize>p >> 1) * pair_bytes, pair_bytes,
      );
    }
  }
  // Remaining cells: the k tail of full row groups, partial row groups, padding.
  for (let rr = 0; rr < width; rr++) {
    const d = dst + (<usize>rr << 2);
    for (let p = rr < r ? k8 : 0; p < kp; p++) {
      let v = 0;
      if (rr < rows && p < k) {
        const s = p < k8 ? src + <usize>rr * rs + <usize>(p >> 3) * bs + <usize>(p & 7) : tail + <usize>rr * ts + <usize>(p - k8);
        v = <i32>load<i8>(s) - zp;
      }
      store<i16>(d + (<usize>p >> 1) * pair_bytes + ((<usize>p & 1) << 1), <i16>v);
    }
  }
}

/** A block: mc rows of a (i8, row stride k) → ceil(mc/8) panels of kp·16 bytes, values a − a_zp. */
export function pack_a_panels(mc: i32, k: i32, kp: i32, a: usize, a_zp: i32, dst: usize): void {
  const panel_bytes = <usize>kp * <usize>MR * 2;
  const ld = <usize>k;
  const k8 = <usize>(k & ~7);
  for (let i = 0; i < mc; i += MR) {
    const src = a + <usize>i * ld;
    pack_panel(min(MR, mc - i), MR, k, kp, src, ld, 8, src + k8, ld, a_zp, dst);
    dst += panel_bytes;
  }
}

/** B block: weight rows jc..jc+nc−1 of qs8_pack_weights' w part (jc a multiple of 4) → ceil(nc/4) panels of kp·8 bytes. */
export function pack_b_panels(n: i32, nc: i32, jc: i32, k: i32, kp: i32, w: usize, dst: usize): void {
  const panel_bytes = <usize>kp * <usize>NR * 2;
  const ld = <usize>k;
  const k8 = <usize>(k & ~7);
  const n8 = n & -QS8_PANEL_ROWS;
  for (let j = jc; j < jc + nc; j += NR) {
    if (j + NR <= n8) {
      // Rows j..j+3 are half h of the 8-row panel at (j & ~7)·k.
      const h = <usize>(j & 4);
      const panel = w + <usize>(j & ~7) * ld;
      pack_panel(NR, NR, k, kp, panel + (h << 3), 8, 64, panel + (k8 << 3) + h * (ld - k8), ld - k8, 0, dst);
    } else {
      const src = w + <usize>j * ld;
      pack_panel(min(NR, n - j), NR, k, kp, src, ld, 8, src + k8, ld, 0, dst);
    }
    dst += panel_bytes;
  }
}
