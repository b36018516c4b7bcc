// Dev entry (not in the product: the default build is strict SIMD): the qs8 GEMV with relaxed SIMD's
// i32x4.relaxed_dot_i8x16_i7x16_add_s, against the product's strict qs8 GEMV and packed f32 GEMV.
// With activations in [0, 127] (7-bit, PyTorch's reduce_range) every engine must give the exact sums
// (no i16 saturation: 2·128·127 < 2^15), so this was the one way left to an int8 MLP 2x f32.
// 2026-12-07, sixth session, Node 20.20 (V8 11.3) with --experimental-wasm-relaxed-simd
// (node --experimental-wasm-relaxed-simd bench/dev/relaxed.mjs):
//   312×784: strict qs8 1.59-1.63x the packed f32 GEMV, relaxed 2.23-2.25x; 4104×4096: 3.56x / 4.10-4.24x;
//   BUT Liftoff (V8's first tier, --liftoff-only) returns other sums than TurboFan (--no-liftoff) on the
//   same in-range inputs (312 of 312 rows differ; TurboFan matches the scalar sum): the bits depend on
//   which tier runs the call. Not usable for slimtensor's determinism, and Node 20 needs the flag anyway.
export * from "../../assembly/qs8-gemm/pack";
export * from "../../assembly/qs8-gemv/gemv";
export * from "../../assembly/f32-gemm/gemv-packed";
// Relaxed panels: R rows, per 16-k block R x 16 bytes. k multiple of 16, n multiple of R (dev).
export function packr(n: i32, k: i32, R: i32, w: usize, out: usize): void {
  for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) {
    store<i8>(out + ((<usize>(j / R) * (k >> 4) + (p >> 4)) * R + (j % R)) * 16 + (p & 15), load<i8>(w + <usize>j * k + p));
  }
}
@inline function hs(v: v128): i32 { return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3); }
// x7: activations already in [0,127].
export function gemvr6(n: i32, k: i32, x7: usize, pw: usize, out: usize): void {
  let wp = pw;
  const xe = x7 + <usize>k;
  for (let j = 0; j < n; j += 6) {
    let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    for (let xp = x7; xp < xe; xp += 16) {
      const vx = v128.load(xp);
      a0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(wp), vx, a0);
      a1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(wp, 16), vx, a1);
      a2 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(wp, 32), vx, a2);
      a3 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(wp, 48), vx, a3);
      a4 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(wp, 64), vx, a4);
      a5 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(wp, 80), vx, a5);
      wp += 96;
    }
    const o = out + (<usize>j << 2);
    store<i32>(o, hs(a0)); store<i32>(o, hs(a1), 4); store<i32>(o, hs(a2), 8); store<i32>(o, hs(a3), 12); store<i32>(o, hs(a4), 16); store<i32>(o, hs(a5), 20);
  }
}
export function gemvr4(n: i32, k: i32, x7: usize, pw: usize, out: usize): void {
  let wp = pw;
  const xe = x7 + <usize>k;
  for (let j = 0; j < n; j += 4) {
    let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (let xp = x7; xp < xe; xp += 16) {
      const vx = v128.load(xp);
      a0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(wp), vx, a0);
      a1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(wp, 16), vx, a1);
      a2 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(wp, 32), vx, a2);
      a3 = i32x4.relaxed_dot_i8x16_i7x16_add_s(v128.load(wp, 48), vx, a3);
      wp += 64;
    }
    const o = out + (<usize>j << 2);
    store<i32>(o, hs(a0)); store<i32>(o, hs(a1), 4); store<i32>(o, hs(a2), 8); store<i32>(o, hs(a3), 12);
  }
}
