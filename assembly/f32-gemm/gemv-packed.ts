// f32 GEMV over a weight packed once for batch-1 inference: y[n] = clamp(W[n,k] · x[k] + bias[n], vmin, vmax),
// the same sums in the same order as f32_gemv (gemv.ts), so both give the same bits.
// Packed layout (f32_gemv_packed_bytes = 16·⌈n/4⌉·k bytes): panels of 4 rows, rows past n zero; panel p =
//   for each block b of 8 inputs (k8 = k & ~7 of them): [w[4p+r, 8b+0..3] for r in 0..3] [w[4p+r, 8b+4..7] for r in 0..3]
//   then the k % 8 tail inputs row by row: w[4p+r, k8..k-1] for r in 0..3.
// One contiguous stream per panel and one pointer for its 4 rows: at 1024² this runs 1.2x f32_gemv (whose 6
// row-major rows need 6 pointers), and at 4096² 1.3-1.4x, at the speed of one read of the weights
// (bench/dev/gemv-layouts.mjs).
import { dot_seq, lane_sum, store_biased } from "../f32-lanes";


export function f32_gemv_packed_bytes(n: i32, k: i32): usize {
  return (<usize>((max(n, 0) + 3) >> 2) * <usize>max(k, 0)) << 4;
}

// packed = the layout above of w [n, k] row-major (rows past n zero).
export function f32_gemv_pack(n: i32, k: i32, w: usize, packed: usize): void {
  if (n <= 0 || k <= 0) return;
  const k8 = k & ~7;
  const tail = k & 7;
  const panels = (n + 3) >> 2;
  const ld = <usize>k << 2;
  let dst = packed;
  for (let p = 0; p < panels; p++) {
    for (let c = 0; c < k8; c += 4) {
      // c: 4 inputs; within a block, the 4 rows' first halves then their second halves.
      const base = dst + ((<usize>(c >> 3) << 7) + (<usize>((c >> 2) & 1) << 6));
      for (let r = 0; r < 4; r++) {
        const j = (p << 2) + r;
        v128.store(base + (<usize>r << 4), j < n ? v128.load(w + <usize>j * ld + (<usize>c << 2)) : i32x4.splat(0));
      }
    }
    dst += <usize>k8 << 4;
    for (let r = 0; r < 4; r++) {
      const j = (p << 2) + r;
      for (let t = 0; t < tail; t++) store<f32>(dst + (<usize>t << 2), j < n ? load<f32>(w + <usize>j * ld + (<usize>(k8 + t) << 2)) : 0);
      dst += <usize>tail << 2;
    }
  }
}

// w [n, k] row-major from packed (the inverse of f32_gemv_pack).
export function f32_gemv_unpack(n: i32, k: i32, packed: usize, w: usize): void {
  if (n <= 0 || k <= 0) return;
  const k8 = k & ~7;
  const tail = k & 7;
  const ld = <usize>k << 2;
  const panelBytes = <usize>k << 4;
  for (let j = 0; j < n; j++) {
    const src = packed + <usize>(j >> 2) * panelBytes;
    const r = <usize>(j & 3);
    const row = w + <usize>j * ld;
    for (let c = 0; c < k8; c += 4) {
      v128.store(row + (<usize>c << 2), v128.load(src + (<usize>(c >> 3) << 7) + (<usize>((c >> 2) & 1) << 6) + (r << 4)));
    }
    const t0 = src + (<usize>k8 << 4) + r * (<usize>tail << 2);
    for (let t = 0; t < tail; t++) store<f32>(row + (<usize>(k8 + t) << 2), load<f32>(t0 + (<usize>t << 2)));
  }
}

export function f32_gemv_packed(n: i32, k: i32, x: usize, packed: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  if (n <= 0) return;
  if (k < 0) k = 0;
  const k8 = k & ~7;
  const tail = k & 7;
  const xend = x + (<usize>k8 << 2);
  let w = packed;
  for (let j = 0; j < n; j += 4) {
    let vacc0 = f32x4.splat(0);
    let vacc1 = vacc0;
    let vacc2 = vacc0;
    let vacc3 = vacc0;
    for (let xp = x; xp < xend; xp += 32) {
      const vx0123 = v128.load(xp);
      const vx4567 = v128.load(xp, 16);
      vacc0 = f32x4.add(vacc0, f32x4.add(f32x4.mul(v128.load(w), vx0123), f32x4.mul(v128.load(w, 64), vx4567)));
      vacc1 = f32x4.add(vacc1, f32x4.add(f32x4.mul(v128.load(w, 16), vx0123), f32x4.mul(v128.load(w, 80), vx4567)));
      vacc2 = f32x4.add(vacc2, f32x4.add(f32x4.mul(v128.load(w, 32), vx0123), f32x4.mul(v128.load(w, 96), vx4567)));
      vacc3 = f32x4.add(vacc3, f32x4.add(f32x4.mul(v128.load(w, 48), vx0123), f32x4.mul(v128.load(w, 112), vx4567)));
      w += 128;
    }
    const tb = <usize>tail << 2;
    store_biased(lane_sum(vacc0) + dot_seq(tail, w, xend), bias, j, y, vmin, vmax);
    if (j + 1 < n) store_biased(lane_sum(vacc1) + dot_seq(tail, w + tb, xend), bias, j + 1, y, vmin, vmax);
    if (j + 2 < n) store_biased(lane_sum(vacc2) + dot_seq(tail, w + 2 * tb, xend), bias, j + 2, y, vmin, vmax);
    if (j + 3 < n) store_biased(lane_sum(vacc3) + dot_seq(tail, w + 3 * tb, xend), bias, j + 3, y, vmin, vmax);
    w += tb << 2;
  }
}
