// Dev entry: the weight-only int8 GEMV over 4-row panels (bench/dev/qc8wp.mjs): per 16-input block,
// rows 0..3's 16 codes (64 bytes), one stream; each row's sums as f32_qc8w_gemv's (lane l: p ≡ l mod 4).
export { f32_qc8w_gemv } from "../../assembly/f32-qc8w-gemv/gemv";
export { f32_gemv_packed, f32_gemv_pack, f32_gemv_packed_bytes } from "../../assembly/f32-gemm/gemv-packed";

@inline
function widen_f32(vw: v128, q: i32): v128 {
  const v16 = q < 2 ? i16x8.extend_low_i8x16_s(vw) : i16x8.extend_high_i8x16_s(vw);
  return f32x4.convert_i32x4_s((q & 1) == 0 ? i32x4.extend_low_i16x8_s(v16) : i32x4.extend_high_i16x8_s(v16));
}

// Panels for k % 16 == 0, n % 4 == 0 (probe only).
export function qc8w_pack_panels(n: i32, k: i32, w: usize, out: usize): void {
  for (let j = 0; j < n; j += 4) for (let p = 0; p < k; p += 16) for (let r = 0; r < 4; r++) {
    v128.store(out + ((<usize>(j >> 2) * <usize>(k >> 4) + <usize>(p >> 4)) << 6) + (<usize>r << 4), v128.load(w + <usize>(j + r) * <usize>k + <usize>p));
  }
}

@inline
function hsum(v: v128): f32 {
  return f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3);
}

export function qc8w_gemv_panels(n: i32, k: i32, x: usize, w: usize, scale: usize, y: usize): void {
  for (let j = 0; j < n; j += 4) {
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (let p = 0; p < k; p += 16) {
      const px = x + (<usize>p << 2);
      const vx0 = v128.load(px), vx1 = v128.load(px, 16), vx2 = v128.load(px, 32), vx3 = v128.load(px, 48);
      let vw = v128.load(w);
      a0 = f32x4.add(a0, f32x4.mul(vx0, widen_f32(vw, 0)));
      a0 = f32x4.add(a0, f32x4.mul(vx1, widen_f32(vw, 1)));
      a0 = f32x4.add(a0, f32x4.mul(vx2, widen_f32(vw, 2)));
      a0 = f32x4.add(a0, f32x4.mul(vx3, widen_f32(vw, 3)));
      vw = v128.load(w, 16);
      a1 = f32x4.add(a1, f32x4.mul(vx0, widen_f32(vw, 0)));
      a1 = f32x4.add(a1, f32x4.mul(vx1, widen_f32(vw, 1)));
      a1 = f32x4.add(a1, f32x4.mul(vx2, widen_f32(vw, 2)));
      a1 = f32x4.add(a1, f32x4.mul(vx3, widen_f32(vw, 3)));
      vw = v128.load(w, 32);
      a2 = f32x4.add(a2, f32x4.mul(vx0, widen_f32(vw, 0)));
      a2 = f32x4.add(a2, f32x4.mul(vx1, widen_f32(vw, 1)));
      a2 = f32x4.add(a2, f32x4.mul(vx2, widen_f32(vw, 2)));
      a2 = f32x4.add(a2, f32x4.mul(vx3, widen_f32(vw, 3)));
      vw = v128.load(w, 48);
      a3 = f32x4.add(a3, f32x4.mul(vx0, widen_f32(vw, 0)));
      a3 = f32x4.add(a3, f32x4.mul(vx1, widen_f32(vw, 1)));
      a3 = f32x4.add(a3, f32x4.mul(vx2, widen_f32(vw, 2)));
      a3 = f32x4.add(a3, f32x4.mul(vx3, widen_f32(vw, 3)));
      w += 64;
    }
    store<f32>(y + (<usize>j << 2), hsum(a0) * load<f32>(scale + (<usize>j << 2)));
    store<f32>(y + (<usize>j << 2) + 4, hsum(a1) * load<f32>(scale + (<usize>j << 2) + 4));
    store<f32>(y + (<usize>j << 2) + 8, hsum(a2) * load<f32>(scale + (<usize>j << 2) + 8));
    store<f32>(y + (<usize>j << 2) + 12, hsum(a3) * load<f32>(scale + (<usize>j << 2) + 12));
  }
}
