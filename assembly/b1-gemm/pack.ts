// Sign packing for the b1 kernels: x f32 [m, k] → bits [m, kw] u64, kw = ⌈k/64⌉ (rows padded to 64 bits).
//   Bit p%64 of word p/64 of a row is 1 for +1 and 0 for −1, with sign(x) = −1 if x < 0 else +1:
//   0, −0 and NaN pack as +1. Padding bits (p ≥ k) are 0 in every packed row, activations and
//   weights alike, so XOR leaves them 0 and they never reach a popcount.
//   beta: f32 [m] or 0: the row's mean |x| (XNOR-Net's activation scale), summed in 4 lanes
//   (lane l over p ≡ l mod 4 below k & ~15), lanes (l0 + l1) + (l2 + l3), then the tail in order, / k.

import { lane_sum } from "../f32-lanes";

/** Bytes of m packed rows of k signs: m·⌈k/64⌉·8. */
export function b1_packed_bytes(m: i32, k: i32): i32 {
  return m * ((k + 63) >> 6) * 8;
}

export function f32_b1_pack(m: i32, k: i32, x: usize, out: usize, beta: usize): void {
  const kw = (k + 63) >> 6;
  const k16 = k & ~15;
  const vzero = f32x4.splat(0);
  for (let i = 0; i < m; i++) {
    const row = x + <usize>i * <usize>k * 4;
    const dst = out + <usize>i * <usize>kw * 8;
    memory.fill(dst, 0, <usize>kw * 8);
    let vabs = f32x4.splat(0);
    for (let p = 0; p < k16; p += 16) {
      const px = row + (<usize>p << 2);
      const vx0 = v128.load(px);
      const vx1 = v128.load(px, 16);
      const vx2 = v128.load(px, 32);
      const vx3 = v128.load(px, 48);
      if (beta) {
        vabs = f32x4.add(vabs, f32x4.abs(vx0));
        vabs = f32x4.add(vabs, f32x4.abs(vx1));
        vabs = f32x4.add(vabs, f32x4.abs(vx2));
        vabs = f32x4.add(vabs, f32x4.abs(vx3));
      }
      // Lanes that are < 0 become all-ones; narrowing keeps −1 and 0, so bitmask gives 16 "negative" bits.
      const vn01 = i16x8.narrow_i32x4_s(f32x4.lt(vx0, vzero), f32x4.lt(vx1, vzero));
      const vn23 = i16x8.narrow_i32x4_s(f32x4.lt(vx2, vzero), f32x4.lt(vx3, vzero));
      const neg = i8x16.bitmask(i8x16.narrow_i16x8_s(vn01, vn23));
      store<u16>(dst + (<usize>p >> 3), ~neg & 0xffff);
    }
    let s = lane_sum(vabs);
    for (let p = k16; p < k; p++) {
      const v = load<f32>(row + (<usize>p << 2));
      if (beta) s += abs(v);
      if (!(v < 0)) {
        const b = dst + (<usize>p >> 3);
        store<u8>(b, <u8>(<u32>load<u8>(b) | (1 << (p & 7))));
      }
    }
    if (beta) store<f32>(beta + (<usize>i << 2), s / <f32>k);
  }
}
