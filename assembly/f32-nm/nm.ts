// The 2:4 layout shared by the f32-nm kernels, for W [n, k]: each group of 4 inputs keeps 2 values.
//   values f32 [n, kb·4]  kb = ⌈k/8⌉ blocks of 8 inputs per row; block b holds 4 values:
//                         group 2b's two kept values, then group 2b+1's (in ascending input order).
//   ids u8 [n, kb]        block b's pattern id p0 + 6·p1, where p0 and p1 number the pairs of positions
//                         that groups 2b and 2b+1 keep, in PAIRS order: (0,1) (0,2) (0,3) (1,2) (1,3) (2,3).
// Inputs past k (the tail of the last block) are padding: their values are 0 and x reads them as 0.
// Files store the 2-bit positions instead (one byte per block, src/sparse/formats.ts converts at load).

// Block patterns: 6 pairs per group, so 36 per block.
export const NM24_IDS: i32 = 36;

// OFFS[id·4 + q]: input offset (0..7) inside its block of kept value q (0..3) of a block with pattern id.
export const OFFS: usize = memory.data<u8>([
  0, 1, 4, 5, 0, 2, 4, 5, 0, 3, 4, 5, 1, 2, 4, 5,
  1, 3, 4, 5, 2, 3, 4, 5, 0, 1, 4, 6, 0, 2, 4, 6,
  0, 3, 4, 6, 1, 2, 4, 6, 1, 3, 4, 6, 2, 3, 4, 6,
  0, 1, 4, 7, 0, 2, 4, 7, 0, 3, 4, 7, 1, 2, 4, 7,
  1, 3, 4, 7, 2, 3, 4, 7, 0, 1, 5, 6, 0, 2, 5, 6,
  0, 3, 5, 6, 1, 2, 5, 6, 1, 3, 5, 6, 2, 3, 5, 6,
  0, 1, 5, 7, 0, 2, 5, 7, 0, 3, 5, 7, 1, 2, 5, 7,
  1, 3, 5, 7, 2, 3, 5, 7, 0, 1, 6, 7, 0, 2, 6, 7,
  0, 3, 6, 7, 1, 2, 6, 7, 1, 3, 6, 7, 2, 3, 6, 7,
]);

// The i8x16.swizzle masks of pair p (16 bytes each) that move the group's two kept floats into lanes
// 0 and 1 (M0) or into lanes 2 and 3 (M1) and zero the other lanes.
export const M0: usize = memory.data<u8>([
  0, 1, 2, 3, 4, 5, 6, 7, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 8, 9, 10, 11, 128, 128, 128, 128, 128, 128, 128, 128,
  0, 1, 2, 3, 12, 13, 14, 15, 128, 128, 128, 128, 128, 128, 128, 128,
  4, 5, 6, 7, 8, 9, 10, 11, 128, 128, 128, 128, 128, 128, 128, 128,
  4, 5, 6, 7, 12, 13, 14, 15, 128, 128, 128, 128, 128, 128, 128, 128,
  8, 9, 10, 11, 12, 13, 14, 15, 128, 128, 128, 128, 128, 128, 128, 128,
]);
export const M1: usize = memory.data<u8>([
  128, 128, 128, 128, 128, 128, 128, 128, 0, 1, 2, 3, 4, 5, 6, 7,
  128, 128, 128, 128, 128, 128, 128, 128, 0, 1, 2, 3, 8, 9, 10, 11,
  128, 128, 128, 128, 128, 128, 128, 128, 0, 1, 2, 3, 12, 13, 14, 15,
  128, 128, 128, 128, 128, 128, 128, 128, 4, 5, 6, 7, 8, 9, 10, 11,
  128, 128, 128, 128, 128, 128, 128, 128, 4, 5, 6, 7, 12, 13, 14, 15,
  128, 128, 128, 128, 128, 128, 128, 128, 8, 9, 10, 11, 12, 13, 14, 15,
]);
