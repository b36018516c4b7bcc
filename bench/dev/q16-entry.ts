// Dev entry: qs8 GEMV with weights widened to i16 at packing (8-row panels) against the product's i8 panels.
export * from "../../assembly/qs8-gemm/pack";
export * from "../../assembly/qs8-gemv/gemv";
export * from "../../assembly/f32-gemm/gemv-packed";

// i16 panels: per 8-k block, 8 rows x 8 i16 (128 bytes). k multiple of 8, n multiple of 8 (dev only).
export function pack16(n: i32, k: i32, w: usize, out: usize): void {
  for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) {
    store<i16>(out + ((<usize>(j >> 3) * (k >> 3) + (p >> 3)) * 64 + (j & 7) * 8 + (p & 7)) * 2, <i16>load<i8>(w + <usize>j * k + p));
  }
}
@inline
function hs(v: v128): i32 { return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3); }
export function gemv16(n: i32, k: i32, a: usize, p16: usize, out: usize): void {
  let wp = p16;
  for (let j = 0; j < n; j += 8) {
    let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    const xe = a + <usize>k;
    for (let xp = a; xp < xe; xp += 8) {
      const vx = v128.load8x8_s(xp);
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load(wp), vx));
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v128.load(wp, 16), vx));
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(v128.load(wp, 32), vx));
      a3 = i32x4.add(a3, i32x4.dot_i16x8_s(v128.load(wp, 48), vx));
      a4 = i32x4.add(a4, i32x4.dot_i16x8_s(v128.load(wp, 64), vx));
      a5 = i32x4.add(a5, i32x4.dot_i16x8_s(v128.load(wp, 80), vx));
      a6 = i32x4.add(a6, i32x4.dot_i16x8_s(v128.load(wp, 96), vx));
      a7 = i32x4.add(a7, i32x4.dot_i16x8_s(v128.load(wp, 112), vx));
      wp += 128;
    }
    const o = out + (<usize>j << 2);
    store<i32>(o, hs(a0)); store<i32>(o, hs(a1), 4); store<i32>(o, hs(a2), 8); store<i32>(o, hs(a3), 12);
    store<i32>(o, hs(a4), 16); store<i32>(o, hs(a5), 20); store<i32>(o, hs(a6), 24); store<i32>(o, hs(a7), 28);
  }
}
