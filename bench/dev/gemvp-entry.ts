// Dev entry: loop shapes of the packed f32 GEMV (bench/dev/gemvp.mjs); every variant keeps the
// product's sums (f32_gemv_packed), so only the code V8 makes of the loop differs.
export { f32_gemv_packed, f32_gemv_pack, f32_gemv_packed_bytes } from "../../assembly/f32-gemm/gemv-packed";
import { dot_seq, lane_sum, store_biased } from "../../assembly/f32-lanes";

@inline
function finish(vacc0: v128, vacc1: v128, vacc2: v128, vacc3: v128, j: i32, n: i32, tail: i32, w: usize, xend: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  const tb = <usize>tail << 2;
  store_biased(lane_sum(vacc0) + dot_seq(tail, w, xend), bias, j, y, vmin, vmax);
  if (j + 1 < n) store_biased(lane_sum(vacc1) + dot_seq(tail, w + tb, xend), bias, j + 1, y, vmin, vmax);
  if (j + 2 < n) store_biased(lane_sum(vacc2) + dot_seq(tail, w + 2 * tb, xend), bias, j + 2, y, vmin, vmax);
  if (j + 3 < n) store_biased(lane_sum(vacc3) + dot_seq(tail, w + 3 * tb, xend), bias, j + 3, y, vmin, vmax);
}

@inline
function step(vacc: v128, w: usize, o: usize, vx0123: v128, vx4567: v128): v128 {
  return f32x4.add(vacc, f32x4.add(f32x4.mul(v128.load(w + o), vx0123), f32x4.mul(v128.load(w + o + 64), vx4567)));
}

// A: one index o over the panel's 8-blocks (w + o, x + o/4): one induction variable instead of two pointers.
export function gemvp_index(n: i32, k: i32, x: usize, packed: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  if (n <= 0) return;
  if (k < 0) k = 0;
  const k8 = k & ~7;
  const tail = k & 7;
  const xend = x + (<usize>k8 << 2);
  const pbytes = <usize>k8 << 4;
  let w = packed;
  for (let j = 0; j < n; j += 4) {
    let vacc0 = f32x4.splat(0), vacc1 = vacc0, vacc2 = vacc0, vacc3 = vacc0;
    for (let o: usize = 0; o < pbytes; o += 128) {
      const xo = x + (o >> 2);
      const vx0123 = v128.load(xo);
      const vx4567 = v128.load(xo, 16);
      vacc0 = f32x4.add(vacc0, f32x4.add(f32x4.mul(v128.load(w + o), vx0123), f32x4.mul(v128.load(w + o, 64), vx4567)));
      vacc1 = f32x4.add(vacc1, f32x4.add(f32x4.mul(v128.load(w + o, 16), vx0123), f32x4.mul(v128.load(w + o, 80), vx4567)));
      vacc2 = f32x4.add(vacc2, f32x4.add(f32x4.mul(v128.load(w + o, 32), vx0123), f32x4.mul(v128.load(w + o, 96), vx4567)));
      vacc3 = f32x4.add(vacc3, f32x4.add(f32x4.mul(v128.load(w + o, 48), vx0123), f32x4.mul(v128.load(w + o, 112), vx4567)));
    }
    w += pbytes;
    finish(vacc0, vacc1, vacc2, vacc3, j, n, tail, w, xend, bias, y, vmin, vmax);
    w += <usize>tail << 4;
  }
}

// B: the product's loop with a countdown (blocks left) as the exit test.
export function gemvp_count(n: i32, k: i32, x: usize, packed: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  if (n <= 0) return;
  if (k < 0) k = 0;
  const k8 = k & ~7;
  const tail = k & 7;
  const xend = x + (<usize>k8 << 2);
  let w = packed;
  for (let j = 0; j < n; j += 4) {
    let vacc0 = f32x4.splat(0), vacc1 = vacc0, vacc2 = vacc0, vacc3 = vacc0;
    let xp = x;
    for (let b = k8 >> 3; b > 0; b--) {
      const vx0123 = v128.load(xp);
      const vx4567 = v128.load(xp, 16);
      vacc0 = f32x4.add(vacc0, f32x4.add(f32x4.mul(v128.load(w), vx0123), f32x4.mul(v128.load(w, 64), vx4567)));
      vacc1 = f32x4.add(vacc1, f32x4.add(f32x4.mul(v128.load(w, 16), vx0123), f32x4.mul(v128.load(w, 80), vx4567)));
      vacc2 = f32x4.add(vacc2, f32x4.add(f32x4.mul(v128.load(w, 32), vx0123), f32x4.mul(v128.load(w, 96), vx4567)));
      vacc3 = f32x4.add(vacc3, f32x4.add(f32x4.mul(v128.load(w, 48), vx0123), f32x4.mul(v128.load(w, 112), vx4567)));
      w += 128;
      xp += 32;
    }
    finish(vacc0, vacc1, vacc2, vacc3, j, n, tail, w, xend, bias, y, vmin, vmax);
    w += <usize>tail << 4;
  }
}

// C: two 8-blocks per trip (the same order: block b then b + 1 into the same accumulators).
export function gemvp_unroll2(n: i32, k: i32, x: usize, packed: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  if (n <= 0) return;
  if (k < 0) k = 0;
  const k8 = k & ~7;
  const tail = k & 7;
  const xend = x + (<usize>k8 << 2);
  const x16end = x + (<usize>(k8 & ~15) << 2);
  let w = packed;
  for (let j = 0; j < n; j += 4) {
    let vacc0 = f32x4.splat(0), vacc1 = vacc0, vacc2 = vacc0, vacc3 = vacc0;
    let xp = x;
    for (; xp < x16end; xp += 64) {
      let vx0123 = v128.load(xp);
      let vx4567 = v128.load(xp, 16);
      vacc0 = step(vacc0, w, 0, vx0123, vx4567);
      vacc1 = step(vacc1, w, 16, vx0123, vx4567);
      vacc2 = step(vacc2, w, 32, vx0123, vx4567);
      vacc3 = step(vacc3, w, 48, vx0123, vx4567);
      vx0123 = v128.load(xp, 32);
      vx4567 = v128.load(xp, 48);
      vacc0 = step(vacc0, w, 128, vx0123, vx4567);
      vacc1 = step(vacc1, w, 144, vx0123, vx4567);
      vacc2 = step(vacc2, w, 160, vx0123, vx4567);
      vacc3 = step(vacc3, w, 176, vx0123, vx4567);
      w += 256;
    }
    if (xp < xend) {
      const vx0123 = v128.load(xp);
      const vx4567 = v128.load(xp, 16);
      vacc0 = step(vacc0, w, 0, vx0123, vx4567);
      vacc1 = step(vacc1, w, 16, vx0123, vx4567);
      vacc2 = step(vacc2, w, 32, vx0123, vx4567);
      vacc3 = step(vacc3, w, 48, vx0123, vx4567);
      w += 128;
    }
    finish(vacc0, vacc1, vacc2, vacc3, j, n, tail, w, xend, bias, y, vmin, vmax);
    w += <usize>tail << 4;
  }
}
