// qs8 weight format (qs8_pack_weights, once per model at conversion), for w: i8 [n, k] row-major
// (PyTorch Linear layout), symmetric (zero point 0):
//   [ wsum: i32 [n], Σ_p w[j,p] | panels of 8 rows, 8·k bytes each | rows 8·⌊n/8⌋..n−1 row-major ]
// Panel q (rows 8q..8q+7): for each 8-k block b < k8 = k & ~7, the eight rows' 8 bytes (64 bytes:
// row r at b·64 + r·8), then the k tail as 8 rows x (k − k8) bytes. Panel q starts at 4n + 8q·k and
// row j ≥ 8·⌊n/8⌋ at 4n + j·k; total n·(k + 4) bytes. 1 byte per weight: GEMV streams a panel with
// one pointer (8 rows per 64-byte block); the GEMM widens panels into its i16 micro-kernel layout per
// call (panel.ts), an O(n·k) pass amortized over the m rows. wsum lets GEMV apply a_zp after the
// dot: Σ (a − a_zp)·w = Σ a·w − a_zp·wsum (mod 2^32).

/** Panel height of the packed weights. */
export const QS8_PANEL_ROWS: i32 = 8;

export function qs8_packed_weights_bytes(n: i32, k: i32): i32 {
  return n * (k + 4);
}

export function qs8_pack_weights(n: i32, k: i32, w: usize, packed: usize): void {
  const dst = packed + (<usize>n << 2);
  const ld = <usize>k;
  const k8 = k & ~7;
  const kt = <usize>(k - k8);
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const src = w + <usize>j * ld;
    const panel = dst + <usize>j * ld;
    for (let p = 0; p < k8; p += 8) {
      const d = panel + (<usize>p << 3);
      for (let r: usize = 0; r < 8; r++) store<u64>(d + (r << 3), load<u64>(src + r * ld + p));
    }
    for (let r: usize = 0; r < 8; r++) memory.copy(panel + (<usize>k8 << 3) + r * kt, src + r * ld + k8, kt);
  }
  memory.copy(dst + <usize>j * ld, w + <usize>j * ld, <usize>(n - j) * ld);
  for (j = 0; j < n; j++) {
    const row = w + <usize>j * ld;
    let vsum = i32x4.splat(0);
    let p = 0;
    for (; p + 16 <= k; p += 16) {
      vsum = i32x4.add(vsum, i32x4.extadd_pairwise_i16x8_s(i16x8.extadd_pairwise_i8x16_s(v128.load(row + p))));
    }
    let s = i32x4.extract_lane(vsum, 0) + i32x4.extract_lane(vsum, 1) + i32x4.extract_lane(vsum, 2) + i32x4.extract_lane(vsum, 3);
    for (; p < k; p++) s += <i32>load<i8>(row + p);
    store<i32>(packed + (<usize>j << 2), s);
  }
}
