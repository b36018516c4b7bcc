// The 2:4 layout shared by the f32-nm kernels, for W [n, k]: each group of 4 inputs keeps 2 values.
// Logical form (what f32_nm24_pack reads and f32_nm24_unpack writes; the references use it):
//   values f32 [n, kb·4]  kb = ⌈k/8⌉ blocks of 8 inputs per row; block b holds 4 values:
//                         group 2b's two kept values, then group 2b+1's (in ascending input order).
//   ids u8 [n, kb]        block b's pattern id p0 + 6·p1, where p0 and p1 number the pairs of positions
//                         that groups 2b and 2b+1 keep, in PAIRS order: (0,1) (0,2) (0,3) (1,2) (1,3) (2,3).
// Inputs past k (the tail of the last block) are padding: their values are 0 and x reads them as 0.
// Files store the 2-bit positions instead (one byte per block, src/sparse/formats.ts converts at load).
// Kernel form (f32_nm24_pack; what the GEMV and the GEMM run on): blocks in chunks of NM24_CHUNK (the
// GEMV's table of a chunk, 18 KB, stays in L1), rows in panels of 4 (P = ⌈n/4⌉ panels, rows past n
// zero). Chunk c covers blocks c0 = 32c .. c1 = min(kb, c0 + 32) (nb = c1 − c0); inside it, panel p
// then block b: record q = c0·P + p·nb + (b − c0) holds
//   values: 64 bytes at q·64, row r's 4 values at + r·16;
//   ids:    4 bytes at q·4, row r's pattern id at + r.
// So the GEMV reads one stream of values and one of ids, 4 rows per record, and a 2:4 block of 8
// weights still takes 17 bytes (16 of values, 1 of id), plus the zero rows that pad n to 4.

export const NM24_CHUNK: i32 = 32;
// Bytes of one block's table entries: 36 patterns x 16 bytes.
export const NM24_ENTRY_BYTES: i32 = 576;

export function f32_nm24_packed_values_bytes(n: i32, k: i32): usize {
  return (<usize>((max(n, 0) + 3) >> 2) * <usize>((max(k, 0) + 7) >> 3)) << 6;
}

export function f32_nm24_packed_ids_bytes(n: i32, k: i32): usize {
  return (<usize>((max(n, 0) + 3) >> 2) * <usize>((max(k, 0) + 7) >> 3)) << 2;
}

// Record of row j's block b (its 64 value bytes at values + q·64, its 4 ids at ids + q·4).
@inline
export function nm24_record(panels: i32, kb: i32, j: i32, b: i32): usize {
  const c0 = b & ~(NM24_CHUNK - 1);
  const nb = min(kb - c0, NM24_CHUNK);
  return <usize>c0 * <usize>panels + <usize>(j >> 2) * <usize>nb + <usize>(b - c0);
}

// Logical (values [n, kb·4], ids u8 [n, kb]) to the kernel form; padding rows get values 0 and id 0.
export function f32_nm24_pack(n: i32, k: i32, values: usize, ids: usize, pvalues: usize, pids: usize): void {
  if (n <= 0 || k <= 0) return;
  const kb = (k + 7) >> 3;
  const panels = (n + 3) >> 2;
  for (let j = 0; j < panels << 2; j++) {
    for (let b = 0; b < kb; b++) {
      const q = nm24_record(panels, kb, j, b);
      const r = <usize>(j & 3);
      const row = j < n;
      v128.store(pvalues + (q << 6) + (r << 4), row ? v128.load(values + ((<usize>j * <usize>kb + <usize>b) << 4)) : i32x4.splat(0));
      store<u8>(pids + (q << 2) + r, row ? load<u8>(ids + <usize>j * <usize>kb + <usize>b) : 0);
    }
  }
}

// The kernel form back to the logical one (the inverse of f32_nm24_pack on rows < n).
export function f32_nm24_unpack(n: i32, k: i32, pvalues: usize, pids: usize, values: usize, ids: usize): void {
  if (n <= 0 || k <= 0) return;
  const kb = (k + 7) >> 3;
  const panels = (n + 3) >> 2;
  for (let j = 0; j < n; j++) {
    for (let b = 0; b < kb; b++) {
      const q = nm24_record(panels, kb, j, b);
      const r = <usize>(j & 3);
      v128.store(values + ((<usize>j * <usize>kb + <usize>b) << 4), v128.load(pvalues + (q << 6) + (r << 4)));
      store<u8>(ids + <usize>j * <usize>kb + <usize>b, load<u8>(pids + (q << 2) + r));
    }
  }
}

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
