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

// D: two panels at once (two weight streams, 8 accumulators), each row's sums as the product's.
export function gemvp_two(n: i32, k: i32, x: usize, packed: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  if (n <= 0) return;
  if (k < 0) k = 0;
  const k8 = k & ~7;
  const tail = k & 7;
  const xend = x + (<usize>k8 << 2);
  const pb = <usize>k << 4;
  let w = packed;
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    let v = w + pb;
    for (let xp = x; xp < xend; xp += 32) {
      const vx0123 = v128.load(xp);
      const vx4567 = v128.load(xp, 16);
      a0 = f32x4.add(a0, f32x4.add(f32x4.mul(v128.load(w, 0), vx0123), f32x4.mul(v128.load(w, 64), vx4567)));
      b0 = f32x4.add(b0, f32x4.add(f32x4.mul(v128.load(v, 0), vx0123), f32x4.mul(v128.load(v, 64), vx4567)));
      a1 = f32x4.add(a1, f32x4.add(f32x4.mul(v128.load(w, 16), vx0123), f32x4.mul(v128.load(w, 80), vx4567)));
      b1 = f32x4.add(b1, f32x4.add(f32x4.mul(v128.load(v, 16), vx0123), f32x4.mul(v128.load(v, 80), vx4567)));
      a2 = f32x4.add(a2, f32x4.add(f32x4.mul(v128.load(w, 32), vx0123), f32x4.mul(v128.load(w, 96), vx4567)));
      b2 = f32x4.add(b2, f32x4.add(f32x4.mul(v128.load(v, 32), vx0123), f32x4.mul(v128.load(v, 96), vx4567)));
      a3 = f32x4.add(a3, f32x4.add(f32x4.mul(v128.load(w, 48), vx0123), f32x4.mul(v128.load(w, 112), vx4567)));
      b3 = f32x4.add(b3, f32x4.add(f32x4.mul(v128.load(v, 48), vx0123), f32x4.mul(v128.load(v, 112), vx4567)));
      w += 128;
      v += 128;
    }
    finish(a0, a1, a2, a3, j, n, tail, w, xend, bias, y, vmin, vmax);
    finish(b0, b1, b2, b3, j + 4, n, tail, v, xend, bias, y, vmin, vmax);
    w = v + (<usize>tail << 4);
  }
  for (; j < n; j += 4) {
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (let xp = x; xp < xend; xp += 32) {
      const vx0123 = v128.load(xp);
      const vx4567 = v128.load(xp, 16);
      a0 = f32x4.add(a0, f32x4.add(f32x4.mul(v128.load(w, 0), vx0123), f32x4.mul(v128.load(w, 64), vx4567)));
      a1 = f32x4.add(a1, f32x4.add(f32x4.mul(v128.load(w, 16), vx0123), f32x4.mul(v128.load(w, 80), vx4567)));
      a2 = f32x4.add(a2, f32x4.add(f32x4.mul(v128.load(w, 32), vx0123), f32x4.mul(v128.load(w, 96), vx4567)));
      a3 = f32x4.add(a3, f32x4.add(f32x4.mul(v128.load(w, 48), vx0123), f32x4.mul(v128.load(w, 112), vx4567)));
      w += 128;
    }
    finish(a0, a1, a2, a3, j, n, tail, w, xend, bias, y, vmin, vmax);
    w += <usize>tail << 4;
  }
}

// E: the product's loop plus one i32 load 2 KiB ahead per trip (a software "prefetch"; clamped to the weights).
export function gemvp_ahead(n: i32, k: i32, x: usize, packed: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  if (n <= 0) return;
  if (k < 0) k = 0;
  const k8 = k & ~7;
  const tail = k & 7;
  const xend = x + (<usize>k8 << 2);
  const last = packed + (<usize>((n + 3) >> 2) * (<usize>k << 4)) - 4;
  let w = packed;
  let sink: i32 = 0;
  for (let j = 0; j < n; j += 4) {
    let vacc0 = f32x4.splat(0), vacc1 = vacc0, vacc2 = vacc0, vacc3 = vacc0;
    for (let xp = x; xp < xend; xp += 32) {
      const vx0123 = v128.load(xp);
      const vx4567 = v128.load(xp, 16);
      sink |= load<i32>(min(w + 2048, last));
      vacc0 = f32x4.add(vacc0, f32x4.add(f32x4.mul(v128.load(w, 0), vx0123), f32x4.mul(v128.load(w, 64), vx4567)));
      vacc1 = f32x4.add(vacc1, f32x4.add(f32x4.mul(v128.load(w, 16), vx0123), f32x4.mul(v128.load(w, 80), vx4567)));
      vacc2 = f32x4.add(vacc2, f32x4.add(f32x4.mul(v128.load(w, 32), vx0123), f32x4.mul(v128.load(w, 96), vx4567)));
      vacc3 = f32x4.add(vacc3, f32x4.add(f32x4.mul(v128.load(w, 48), vx0123), f32x4.mul(v128.load(w, 112), vx4567)));
      w += 128;
    }
    finish(vacc0, vacc1, vacc2, vacc3, j, n, tail, w, xend, bias, y, vmin, vmax);
    w += <usize>tail << 4;
  }
  if (sink == 0x7fffffff) store<i32>(y, sink);
}

// F: the product's loop over the panels in reverse order (to see how much of the weights a repeated call
// finds still in L2 when it starts where the last call ended).
export function gemvp_reverse(n: i32, k: i32, x: usize, packed: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  if (n <= 0) return;
  if (k < 0) k = 0;
  const k8 = k & ~7;
  const tail = k & 7;
  const xend = x + (<usize>k8 << 2);
  const pb = <usize>k << 4;
  for (let j = ((n + 3) & ~3) - 4; j >= 0; j -= 4) {
    let w = packed + <usize>(j >> 2) * pb;
    let vacc0 = f32x4.splat(0), vacc1 = vacc0, vacc2 = vacc0, vacc3 = vacc0;
    for (let xp = x; xp < xend; xp += 32) {
      const vx0123 = v128.load(xp);
      const vx4567 = v128.load(xp, 16);
      vacc0 = f32x4.add(vacc0, f32x4.add(f32x4.mul(v128.load(w, 0), vx0123), f32x4.mul(v128.load(w, 64), vx4567)));
      vacc1 = f32x4.add(vacc1, f32x4.add(f32x4.mul(v128.load(w, 16), vx0123), f32x4.mul(v128.load(w, 80), vx4567)));
      vacc2 = f32x4.add(vacc2, f32x4.add(f32x4.mul(v128.load(w, 32), vx0123), f32x4.mul(v128.load(w, 96), vx4567)));
      vacc3 = f32x4.add(vacc3, f32x4.add(f32x4.mul(v128.load(w, 48), vx0123), f32x4.mul(v128.load(w, 112), vx4567)));
      w += 128;
    }
    finish(vacc0, vacc1, vacc2, vacc3, j, n, tail, w, xend, bias, y, vmin, vmax);
  }
}
