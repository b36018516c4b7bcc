// The 2:4 layout shared by the f32-nm kernels, for W [n, k]: each group of 4 inputs keeps 2 values.
//   values f32 [n, kb·4]  kb = ⌈k/8⌉ blocks of 8 inputs per row; block b holds 4 values:
//                         group 2b's two kept values, then group 2b+1's (in ascending input order).
//   indices u8 [n, kb]    block b's byte: bits 0-1 / 2-3 = positions (0..3) in group 2b of its first /
//                         second value, bits 4-5 / 6-7 the same for group 2b+1.
// Inputs past k (the tail of the last block) are padding: their values are 0 and x reads them as 0.

// SWZ[t]: the i8x16.swizzle mask that moves floats t & 3 and t >> 2 of a vector into lanes 0 and 1.
export const SWZ: usize = memory.data<u8>([
  0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,
  4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3,
  8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3,
  12, 13, 14, 15, 0, 1, 2, 3, 12, 13, 14, 15, 0, 1, 2, 3,
  0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 4, 5, 6, 7,
  4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7, 4, 5, 6, 7,
  8, 9, 10, 11, 4, 5, 6, 7, 8, 9, 10, 11, 4, 5, 6, 7,
  12, 13, 14, 15, 4, 5, 6, 7, 12, 13, 14, 15, 4, 5, 6, 7,
  0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 8, 9, 10, 11,
  4, 5, 6, 7, 8, 9, 10, 11, 4, 5, 6, 7, 8, 9, 10, 11,
  8, 9, 10, 11, 8, 9, 10, 11, 8, 9, 10, 11, 8, 9, 10, 11,
  12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11,
  0, 1, 2, 3, 12, 13, 14, 15, 0, 1, 2, 3, 12, 13, 14, 15,
  4, 5, 6, 7, 12, 13, 14, 15, 4, 5, 6, 7, 12, 13, 14, 15,
  8, 9, 10, 11, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15,
  12, 13, 14, 15, 12, 13, 14, 15, 12, 13, 14, 15, 12, 13, 14, 15,
]);

// Kept x values of one 8-input block: [x[i0], x[i1], x[4 + i2], x[4 + i3]] for the block's index byte.
@inline
export function select(vx0123: v128, vx4567: v128, idx: u32): v128 {
  const vlo = i8x16.swizzle(vx0123, v128.load(SWZ + ((<usize>idx & 15) << 4)));
  const vhi = i8x16.swizzle(vx4567, v128.load(SWZ + ((<usize>idx >> 4) << 4)));
  return i32x4.shuffle(vlo, vhi, 0, 1, 4, 5);
}

// Input offset (0..7) of kept value q (0..3) of a block with index byte idx.
@inline
export function kept_offset(idx: u32, q: u32): u32 {
  return ((q & 2) << 1) + ((idx >> (q << 1)) & 3);
}
