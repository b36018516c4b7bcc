// Dev entry: f32 GEMV layouts at batch 1 against the product's row-major f32_gemv.
// 2026-12-06, fourth session: the packed GEMV with one extra load per 128 bytes, 256 B to 4 KiB ahead
// (a software "prefetch" ORed into a sink), ran 0.73-0.75x the packed GEMV at 1024²: not kept.
// Fifth session (1024² / 304×784, against the packed GEMV, same runs): x held in registers instead of
// loaded per block (a probe, wrong sums) 1.08-1.16x, so the x loads cost that much; the same sums with
// two 4-row panels under one pair of x loads (two streams) 0.72x / 0.90x, two blocks per trip 0.82x /
// 1.01x, even and odd blocks in separate accumulators (other sums) 0.81-0.93x: none kept.
// Sixth session: one 4-input vector per step instead of two (other sums: acc += w·x per 4-block), so one
// x load serves more rows without spilling: 6 rows (gemv_s6: 7 loads per 24 MACs against 10 per 32) ran
// 1.00-1.06x the packed GEMV at 1024² (L3: both near one read of the weights), 1.09x at 304×784 (L2);
// 7 rows 1.01-1.11x (15 xmm: no spare register); 8 rows spill, 0.5x. The packed GEMV must keep
// f32_gemv's sums, and the row-major f32_gemv in that order ran 0.87-0.94x its current one (6 rows one
// step: 62 vs 58 µs at 1024², 11.0 vs 9.7 µs at 300×784; two steps per trip spilled): not adopted.
export * from "../../assembly/f32-gemm/gemv";
export * from "../probes/ceiling";

// Panels of R rows interleaved per 4 inputs: [n/R][k/4][R][4] (k multiple of 8, n multiple of R).
export function pack_rows(n: i32, k: i32, R: i32, w: usize, out: usize): void {
  for (let j = 0; j < n; j++) {
    const p = j / R, r = j % R;
    for (let q = 0; q < k / 4; q++) v128.store(out + ((<usize>p * (k / 4) + q) * R + r) * 16, v128.load(w + (<usize>j * k + q * 4) * 4));
  }
}
// XNNPACK-like: [n/8][k][8].
export function pack_cols8(n: i32, k: i32, w: usize, out: usize): void {
  for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) store<f32>(out + ((<usize>(j >> 3) * k + p) * 8 + (j & 7)) * 4, load<f32>(w + (<usize>j * k + p) * 4));
}

@inline
function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

// 8 rows interleaved, dot form, 8 inputs per step.
export function gemv_rows8(n: i32, k: i32, x: usize, pw: usize, y: usize): void {
  let w = pw;
  for (let j = 0; j < n; j += 8) {
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    const xe = x + (<usize>k << 2);
    for (let xp = x; xp < xe; xp += 32) {
      const x0 = v128.load(xp), x1 = v128.load(xp, 16);
      a0 = f32x4.add(a0, f32x4.add(f32x4.mul(v128.load(w), x0), f32x4.mul(v128.load(w, 128), x1)));
      a1 = f32x4.add(a1, f32x4.add(f32x4.mul(v128.load(w, 16), x0), f32x4.mul(v128.load(w, 144), x1)));
      a2 = f32x4.add(a2, f32x4.add(f32x4.mul(v128.load(w, 32), x0), f32x4.mul(v128.load(w, 160), x1)));
      a3 = f32x4.add(a3, f32x4.add(f32x4.mul(v128.load(w, 48), x0), f32x4.mul(v128.load(w, 176), x1)));
      a4 = f32x4.add(a4, f32x4.add(f32x4.mul(v128.load(w, 64), x0), f32x4.mul(v128.load(w, 192), x1)));
      a5 = f32x4.add(a5, f32x4.add(f32x4.mul(v128.load(w, 80), x0), f32x4.mul(v128.load(w, 208), x1)));
      a6 = f32x4.add(a6, f32x4.add(f32x4.mul(v128.load(w, 96), x0), f32x4.mul(v128.load(w, 224), x1)));
      a7 = f32x4.add(a7, f32x4.add(f32x4.mul(v128.load(w, 112), x0), f32x4.mul(v128.load(w, 240), x1)));
      w += 256;
    }
    const o = y + (<usize>j << 2);
    store<f32>(o, hsum(a0)); store<f32>(o, hsum(a1), 4); store<f32>(o, hsum(a2), 8); store<f32>(o, hsum(a3), 12);
    store<f32>(o, hsum(a4), 16); store<f32>(o, hsum(a5), 20); store<f32>(o, hsum(a6), 24); store<f32>(o, hsum(a7), 28);
  }
}
// 4 rows interleaved, dot form, 8 inputs per step.
export function gemv_rows4(n: i32, k: i32, x: usize, pw: usize, y: usize): void {
  let w = pw;
  for (let j = 0; j < n; j += 4) {
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    const xe = x + (<usize>k << 2);
    for (let xp = x; xp < xe; xp += 32) {
      const x0 = v128.load(xp), x1 = v128.load(xp, 16);
      a0 = f32x4.add(a0, f32x4.add(f32x4.mul(v128.load(w), x0), f32x4.mul(v128.load(w, 64), x1)));
      a1 = f32x4.add(a1, f32x4.add(f32x4.mul(v128.load(w, 16), x0), f32x4.mul(v128.load(w, 80), x1)));
      a2 = f32x4.add(a2, f32x4.add(f32x4.mul(v128.load(w, 32), x0), f32x4.mul(v128.load(w, 96), x1)));
      a3 = f32x4.add(a3, f32x4.add(f32x4.mul(v128.load(w, 48), x0), f32x4.mul(v128.load(w, 112), x1)));
      w += 128;
    }
    const o = y + (<usize>j << 2);
    store<f32>(o, hsum(a0)); store<f32>(o, hsum(a1), 4); store<f32>(o, hsum(a2), 8); store<f32>(o, hsum(a3), 12);
  }
}
// XNNPACK-like broadcast form over [n/8][k][8]: 2 accumulators per panel... 4 k per step.
export function gemv_cols8(n: i32, k: i32, x: usize, pw: usize, y: usize): void {
  let w = pw;
  for (let j = 0; j < n; j += 8) {
    let a0 = f32x4.splat(0), a1 = a0, b0 = a0, b1 = a0;
    const xe = x + (<usize>k << 2);
    for (let xp = x; xp < xe; xp += 8) {
      const v0 = v128.load32_splat(xp), v1 = v128.load32_splat(xp, 4);
      a0 = f32x4.add(a0, f32x4.mul(v128.load(w), v0));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(w, 16), v0));
      b0 = f32x4.add(b0, f32x4.mul(v128.load(w, 32), v1));
      b1 = f32x4.add(b1, f32x4.mul(v128.load(w, 48), v1));
      w += 64;
    }
    v128.store(y + (<usize>j << 2), f32x4.add(a0, b0));
    v128.store(y + (<usize>j << 2), f32x4.add(a1, b1), 16);
  }
}
// 4 rows interleaved, 16 inputs per step.
export function gemv_rows4u(n: i32, k: i32, x: usize, pw: usize, y: usize): void {
  let w = pw;
  for (let j = 0; j < n; j += 4) {
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    const xe = x + (<usize>k << 2);
    for (let xp = x; xp < xe; xp += 64) {
      let x0 = v128.load(xp), x1 = v128.load(xp, 16);
      a0 = f32x4.add(a0, f32x4.add(f32x4.mul(v128.load(w), x0), f32x4.mul(v128.load(w, 64), x1)));
      a1 = f32x4.add(a1, f32x4.add(f32x4.mul(v128.load(w, 16), x0), f32x4.mul(v128.load(w, 80), x1)));
      a2 = f32x4.add(a2, f32x4.add(f32x4.mul(v128.load(w, 32), x0), f32x4.mul(v128.load(w, 96), x1)));
      a3 = f32x4.add(a3, f32x4.add(f32x4.mul(v128.load(w, 48), x0), f32x4.mul(v128.load(w, 112), x1)));
      x0 = v128.load(xp, 32); x1 = v128.load(xp, 48);
      a0 = f32x4.add(a0, f32x4.add(f32x4.mul(v128.load(w, 128), x0), f32x4.mul(v128.load(w, 192), x1)));
      a1 = f32x4.add(a1, f32x4.add(f32x4.mul(v128.load(w, 144), x0), f32x4.mul(v128.load(w, 208), x1)));
      a2 = f32x4.add(a2, f32x4.add(f32x4.mul(v128.load(w, 160), x0), f32x4.mul(v128.load(w, 224), x1)));
      a3 = f32x4.add(a3, f32x4.add(f32x4.mul(v128.load(w, 176), x0), f32x4.mul(v128.load(w, 240), x1)));
      w += 256;
    }
    const o = y + (<usize>j << 2);
    store<f32>(o, hsum(a0)); store<f32>(o, hsum(a1), 4); store<f32>(o, hsum(a2), 8); store<f32>(o, hsum(a3), 12);
  }
}
// 6 rows interleaved, 8 inputs per step.
export function gemv_rows6(n: i32, k: i32, x: usize, pw: usize, y: usize): void {
  let w = pw;
  for (let j = 0; j + 6 <= n; j += 6) {
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    const xe = x + (<usize>k << 2);
    for (let xp = x; xp < xe; xp += 32) {
      const x0 = v128.load(xp), x1 = v128.load(xp, 16);
      a0 = f32x4.add(a0, f32x4.add(f32x4.mul(v128.load(w), x0), f32x4.mul(v128.load(w, 96), x1)));
      a1 = f32x4.add(a1, f32x4.add(f32x4.mul(v128.load(w, 16), x0), f32x4.mul(v128.load(w, 112), x1)));
      a2 = f32x4.add(a2, f32x4.add(f32x4.mul(v128.load(w, 32), x0), f32x4.mul(v128.load(w, 128), x1)));
      a3 = f32x4.add(a3, f32x4.add(f32x4.mul(v128.load(w, 48), x0), f32x4.mul(v128.load(w, 144), x1)));
      a4 = f32x4.add(a4, f32x4.add(f32x4.mul(v128.load(w, 64), x0), f32x4.mul(v128.load(w, 160), x1)));
      a5 = f32x4.add(a5, f32x4.add(f32x4.mul(v128.load(w, 80), x0), f32x4.mul(v128.load(w, 176), x1)));
      w += 192;
    }
    const o = y + (<usize>j << 2);
    store<f32>(o, hsum(a0)); store<f32>(o, hsum(a1), 4); store<f32>(o, hsum(a2), 8); store<f32>(o, hsum(a3), 12);
    store<f32>(o, hsum(a4), 16); store<f32>(o, hsum(a5), 20);
  }
}

// One 4-input vector per step, 6 rows per panel ([n/6][k/4][6][4], pack_s with R = 6; n multiple of 6,
// k multiple of 4): x loaded once per 6 weight loads; sums acc += w·x per 4-block (not f32_gemv's).
export function gemv_s6(n: i32, k: i32, x: usize, pw: usize, y: usize): void {
  let w = pw;
  const xe = x + (<usize>k << 2);
  for (let j = 0; j + 6 <= n; j += 6) {
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    for (let xp = x; xp < xe; xp += 16) {
      const x0 = v128.load(xp);
      a0 = f32x4.add(a0, f32x4.mul(v128.load(w), x0));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(w, 16), x0));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(w, 32), x0));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(w, 48), x0));
      a4 = f32x4.add(a4, f32x4.mul(v128.load(w, 64), x0));
      a5 = f32x4.add(a5, f32x4.mul(v128.load(w, 80), x0));
      w += 96;
    }
    const o = y + (<usize>j << 2);
    store<f32>(o, hsum(a0)); store<f32>(o, hsum(a1), 4); store<f32>(o, hsum(a2), 8); store<f32>(o, hsum(a3), 12);
    store<f32>(o, hsum(a4), 16); store<f32>(o, hsum(a5), 20);
  }
}
// [n/R][k/4][R][4] for any R (k multiple of 4, n multiple of R).
export function pack_s(n: i32, k: i32, R: i32, w: usize, out: usize): void {
  for (let j = 0; j < n; j++) {
    const p = j / R, r = j % R;
    for (let q = 0; q < k / 4; q++) v128.store(out + ((<usize>p * (k / 4) + q) * R + r) * 16, v128.load(w + (<usize>j * k + q * 4) * 4));
  }
}
