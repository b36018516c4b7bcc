// q4 nibble unpacking shared by q4_gemv_f32 and q4_gemm_f32 (format in gemv.ts).
// A u32 word (8 nibbles, k = 8t..8t+7) splatted to 4 lanes and masked with (0xF, 0xF0, 0xF00, 0xF000)
// gives, in lane i, nib(8t + i)·16^i; minus 8·16^i it is q·16^i, exact as i32 and after convert.
// The word >> 16 gives k = 8t + 4 + i the same way. Lane i of every product thus carries a fixed
// factor 16^i, removed at the end by an exact power-of-two multiply (VUNSCALE); a zero weight
// (nibble 8) contributes exactly 0.

export const VNIB: v128 = i32x4(0xf, 0xf0, 0xf00, 0xf000);
export const VNIB8: v128 = i32x4(8, 0x80, 0x800, 0x8000);
export const VUNSCALE: v128 = f32x4(1, 0.0625, 0.00390625, 0.000244140625);

// [Σ v0, Σ v1, Σ v2, Σ v3] (f32 lanes).
@inline
export function reduce_4x4(v0: v128, v1: v128, v2: v128, v3: v128): v128 {
  const v01 = f32x4.add(i32x4.shuffle(v0, v1, 0, 4, 2, 6), i32x4.shuffle(v0, v1, 1, 5, 3, 7));
  const v23 = f32x4.add(i32x4.shuffle(v2, v3, 0, 4, 2, 6), i32x4.shuffle(v2, v3, 1, 5, 3, 7));
  return f32x4.add(i32x4.shuffle(v01, v23, 0, 1, 4, 5), i32x4.shuffle(v01, v23, 2, 3, 6, 7));
}

// q·16^i of the word at w, as f32: k = 8t..8t+3 (lo) and 8t+4..8t+7 (hi).
@inline
export function nib_lo(vw: v128): v128 {
  return f32x4.convert_i32x4_s(i32x4.sub(v128.and(vw, VNIB), VNIB8));
}
@inline
export function nib_hi(vw: v128): v128 {
  return f32x4.convert_i32x4_s(i32x4.sub(v128.and(i32x4.shr_u(vw, 16), VNIB), VNIB8));
}

// Σ over the 8 k of the word at w of q·16^i·x (lane i carrying 16^i); vxlo, vxhi: x at k = 8t..8t+3, 8t+4..8t+7.
@inline
export function nib_dot8(w: usize, vxlo: v128, vxhi: v128): v128 {
  const vw = v128.load32_splat(w);
  return f32x4.add(f32x4.mul(nib_lo(vw), vxlo), f32x4.mul(nib_hi(vw), vxhi));
}
