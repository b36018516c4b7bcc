// qs8 GEMM micro-kernels: an 8x4 tile of C from packed i16 panels, k taken in pairs ("c2").
//   ap: A panel, kp/2 pairs x 8 rows x 2 i16 (kp·16 bytes): (a[r,2q] − a_zp, a[r,2q+1] − a_zp) at q·32 + r·4
//   bp: B panel, kp/2 pairs x 4 cols x 2 i16 (kp·8 bytes):  (w[c,2q], w[c,2q+1]) at q·16 + c·4
//   kp: k rounded up to a multiple of 8 (≥ 8); the padding is zero in both panels.
//   bias: 4 i32 (the accumulators start from it); multiplier, shift: 4 i32; c: 8 rows, stride ldc bytes.
// i32x4.dot_i16x8_s(va, splat(pair of column c)) is one k pair of a·w for four rows, so each
// accumulator vaccRRRRxC holds rows RRRR of column C: a column's requantization parameters are
// scalars and its shifts use scalar counts. Sums are exact modulo 2^32 (the int32 contract).

import { rdbpot_x4, srdhm_x4 } from "./requant";

/** Rows of the micro-tile (the A panel interleave). */
export const MR: i32 = 8;
/** Columns of the micro-tile (the B panel width). */
export const NR: i32 = 4;

// Column-major i32 tile (4 columns x 8 rows, 128 bytes at acc) between the dot loop and the epilogues.
// The k loop runs 4 pairs per trip; the exit tests between pairs (never taken: kp/2 is a multiple of
// 4) stop Binaryen from regrouping the sums per accumulator, which would need 20 live v128 and spill.
// bp steps per pair so the splat loads use 4 offsets only (V8 keeps base + offset of a load-splat in a
// register, and more distinct offsets than free registers cost an LEA each).
@inline
function dot_8x4(kp: i32, ap: usize, bp: usize, bias: usize, acc: usize): void {
  let vacc0123x0 = v128.load32_splat(bias);
  let vacc0123x1 = v128.load32_splat(bias, 4);
  let vacc0123x2 = v128.load32_splat(bias, 8);
  let vacc0123x3 = v128.load32_splat(bias, 12);
  let vacc4567x0 = vacc0123x0;
  let vacc4567x1 = vacc0123x1;
  let vacc4567x2 = vacc0123x2;
  let vacc4567x3 = vacc0123x3;
  let npairs = kp >> 1;
  while (true) {
    const va0123p0 = v128.load(ap);
    const va4567p0 = v128.load(ap, 16);
    const vb0p0 = v128.load32_splat(bp);
    vacc0123x0 = i32x4.add(vacc0123x0, i32x4.dot_i16x8_s(va0123p0, vb0p0));
    vacc4567x0 = i32x4.add(vacc4567x0, i32x4.dot_i16x8_s(va4567p0, vb0p0));
    const vb1p0 = v128.load32_splat(bp, 4);
    vacc0123x1 = i32x4.add(vacc0123x1, i32x4.dot_i16x8_s(va0123p0, vb1p0));
    vacc4567x1 = i32x4.add(vacc4567x1, i32x4.dot_i16x8_s(va4567p0, vb1p0));
    const vb2p0 = v128.load32_splat(bp, 8);
    vacc0123x2 = i32x4.add(vacc0123x2, i32x4.dot_i16x8_s(va0123p0, vb2p0));
    vacc4567x2 = i32x4.add(vacc4567x2, i32x4.dot_i16x8_s(va4567p0, vb2p0));
    const vb3p0 = v128.load32_splat(bp, 12);
    vacc0123x3 = i32x4.add(vacc0123x3, i32x4.dot_i16x8_s(va0123p0, vb3p0));
    vacc4567x3 = i32x4.add(vacc4567x3, i32x4.dot_i16x8_s(va4567p0, vb3p0));
    bp += 16;
    if (--npairs == 0) break;
    const va0123p1 = v128.load(ap, 32);
    const va4567p1 = v128.load(ap, 48);
    const vb0p1 = v128.load32_splat(bp);
    vacc0123x0 = i32x4.add(vacc0123x0, i32x4.dot_i16x8_s(va0123p1, vb0p1));
    vacc4567x0 = i32x4.add(vacc4567x0, i32x4.dot_i16x8_s(va4567p1, vb0p1));
    const vb1p1 = v128.load32_splat(bp, 4);
    vacc0123x1 = i32x4.add(vacc0123x1, i32x4.dot_i16x8_s(va0123p1, vb1p1));
    vacc4567x1 = i32x4.add(vacc4567x1, i32x4.dot_i16x8_s(va4567p1, vb1p1));
    const vb2p1 = v128.load32_splat(bp, 8);
    vacc0123x2 = i32x4.add(vacc0123x2, i32x4.dot_i16x8_s(va0123p1, vb2p1));
    vacc4567x2 = i32x4.add(vacc4567x2, i32x4.dot_i16x8_s(va4567p1, vb2p1));
    const vb3p1 = v128.load32_splat(bp, 12);
    vacc0123x3 = i32x4.add(vacc0123x3, i32x4.dot_i16x8_s(va0123p1, vb3p1));
    vacc4567x3 = i32x4.add(vacc4567x3, i32x4.dot_i16x8_s(va4567p1, vb3p1));
    bp += 16;
    if (--npairs == 0) break;
    const va0123p2 = v128.load(ap, 64);
    const va4567p2 = v128.load(ap, 80);
    const vb0p2 = v128.load32_splat(bp);
    vacc0123x0 = i32x4.add(vacc0123x0, i32x4.dot_i16x8_s(va0123p2, vb0p2));
    vacc4567x0 = i32x4.add(vacc4567x0, i32x4.dot_i16x8_s(va4567p2, vb0p2));
    const vb1p2 = v128.load32_splat(bp, 4);
    vacc0123x1 = i32x4.add(vacc0123x1, i32x4.dot_i16x8_s(va0123p2, vb1p2));
    vacc4567x1 = i32x4.add(vacc4567x1, i32x4.dot_i16x8_s(va4567p2, vb1p2));
    const vb2p2 = v128.load32_splat(bp, 8);
    vacc0123x2 = i32x4.add(vacc0123x2, i32x4.dot_i16x8_s(va0123p2, vb2p2));
    vacc4567x2 = i32x4.add(vacc4567x2, i32x4.dot_i16x8_s(va4567p2, vb2p2));
    const vb3p2 = v128.load32_splat(bp, 12);
    vacc0123x3 = i32x4.add(vacc0123x3, i32x4.dot_i16x8_s(va0123p2, vb3p2));
    vacc4567x3 = i32x4.add(vacc4567x3, i32x4.dot_i16x8_s(va4567p2, vb3p2));
    bp += 16;
    if (--npairs == 0) break;
    const va0123p3 = v128.load(ap, 96);
    const va4567p3 = v128.load(ap, 112);
    const vb0p3 = v128.load32_splat(bp);
    vacc0123x0 = i32x4.add(vacc0123x0, i32x4.dot_i16x8_s(va0123p3, vb0p3));
    vacc4567x0 = i32x4.add(vacc4567x0, i32x4.dot_i16x8_s(va4567p3, vb0p3));
    const vb1p3 = v128.load32_splat(bp, 4);
    vacc0123x1 = i32x4.add(vacc0123x1, i32x4.dot_i16x8_s(va0123p3, vb1p3));
    vacc4567x1 = i32x4.add(vacc4567x1, i32x4.dot_i16x8_s(va4567p3, vb1p3));
    const vb2p3 = v128.load32_splat(bp, 8);
    vacc0123x2 = i32x4.add(vacc0123x2, i32x4.dot_i16x8_s(va0123p3, vb2p3));
    vacc4567x2 = i32x4.add(vacc4567x2, i32x4.dot_i16x8_s(va4567p3, vb2p3));
    const vb3p3 = v128.load32_splat(bp, 12);
    vacc0123x3 = i32x4.add(vacc0123x3, i32x4.dot_i16x8_s(va0123p3, vb3p3));
    vacc4567x3 = i32x4.add(vacc4567x3, i32x4.dot_i16x8_s(va4567p3, vb3p3));
    ap += 128;
    bp += 16;
    if (--npairs == 0) break;
  }
  v128.store(acc, vacc0123x0);
  v128.store(acc, vacc4567x0, 16);
  v128.store(acc, vacc0123x1, 32);
  v128.store(acc, vacc4567x1, 48);
  v128.store(acc, vacc0123x2, 64);
  v128.store(acc, vacc4567x2, 80);
  v128.store(acc, vacc0123x3, 96);
  v128.store(acc, vacc4567x3, 112);
}

/** C[8,4] (i32, row stride ldc bytes) = bias + A·B. */
@inline
export function qs8_gemm_8x4c2_i32(kp: i32, ap: usize, bp: usize, c: usize, ldc: usize, bias: usize, acc: usize): void {
  dot_8x4(kp, ap, bp, bias, acc);
  for (let r: usize = 0; r < 8; r += 4) {
    const col = acc + (r << 2);
    const vx0 = v128.load(col);
    const vx1 = v128.load(col, 32);
    const vx2 = v128.load(col, 64);
    const vx3 = v128.load(col, 96);
    const vt01lo = i32x4.shuffle(vx0, vx1, 0, 4, 1, 5);
    const vt01hi = i32x4.shuffle(vx0, vx1, 2, 6, 3, 7);
    const vt23lo = i32x4.shuffle(vx2, vx3, 0, 4, 1, 5);
    const vt23hi = i32x4.shuffle(vx2, vx3, 2, 6, 3, 7);
    const row = c + r * ldc;
    v128.store(row, i32x4.shuffle(vt01lo, vt23lo, 0, 1, 4, 5));
    v128.store(row + ldc, i32x4.shuffle(vt01lo, vt23lo, 2, 3, 6, 7));
    v128.store(row + 2 * ldc, i32x4.shuffle(vt01hi, vt23hi, 0, 1, 4, 5));
    v128.store(row + 3 * ldc, i32x4.shuffle(vt01hi, vt23hi, 2, 3, 6, 7));
  }
}

// Column c (8 rows) requantized, narrowed to i16 with saturation, + out_zp (saturating).
@inline
function requant_col(acc: usize, c: usize, multiplier: usize, shift: usize, vzp: v128): v128 {
  const o = c << 2;
  const vm = v128.load32_splat(multiplier + o);
  const m = load<i32>(multiplier + o);
  const s = load<i32>(shift + o);
  const vout0123 = rdbpot_x4(srdhm_x4(v128.load(acc + (c << 5)), vm, m), s);
  const vout4567 = rdbpot_x4(srdhm_x4(v128.load(acc + (c << 5), 16), vm, m), s);
  return i16x8.add_sat_s(i16x8.narrow_i32x4_s(vout0123, vout4567), vzp);
}

/** C[8,4] (i8, row stride ldc bytes) = requant(bias + A·B): see requant.ts. */
@inline
export function qs8_gemm_8x4c2_requant(
  kp: i32, ap: usize, bp: usize, c: usize, ldc: usize,
  bias: usize, multiplier: usize, shift: usize, out_zp: i32, qmin: i32, qmax: i32, acc: usize,
): void {
  dot_8x4(kp, ap, bp, bias, acc);
  // i32 → i16 (saturating) + out_zp (saturating) → i8 (saturating) → clamp: exact for out_zp, qmin,
  // qmax in [−128, 127], since a lane that saturates is already outside [qmin, qmax].
  const vzp = i16x8.splat(<i16>out_zp);
  const vout0 = requant_col(acc, 0, multiplier, shift, vzp);
  const vout1 = requant_col(acc, 1, multiplier, shift, vzp);
  const vout2 = requant_col(acc, 2, multiplier, shift, vzp);
  const vout3 = requant_col(acc, 3, multiplier, shift, vzp);
  const vqmin = i8x16.splat(<i8>qmin);
  const vqmax = i8x16.splat(<i8>qmax);
  const vout02 = i8x16.min_s(i8x16.max_s(i8x16.narrow_i16x8_s(vout0, vout2), vqmin), vqmax);
  const vout13 = i8x16.min_s(i8x16.max_s(i8x16.narrow_i16x8_s(vout1, vout3), vqmin), vqmax);
  // (c0 r0..7 | c2 r0..7), (c1 r0..7 | c3 r0..7) → rows r0..r3 and r4..r7 of 4 bytes (c0 c1 c2 c3).
  const vout01 = i8x16.shuffle(vout02, vout13, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const vout23 = i8x16.shuffle(vout02, vout13, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  const vrow0123 = i16x8.shuffle(vout01, vout23, 0, 8, 1, 9, 2, 10, 3, 11);
  const vrow4567 = i16x8.shuffle(vout01, vout23, 4, 12, 5, 13, 6, 14, 7, 15);
  v128.store32_lane(c, vrow0123, 0);
  v128.store32_lane(c + ldc, vrow0123, 1);
  v128.store32_lane(c + 2 * ldc, vrow0123, 2);
  v128.store32_lane(c + 3 * ldc, vrow0123, 3);
  const c4 = c + 4 * ldc;
  v128.store32_lane(c4, vrow4567, 0);
  v128.store32_lane(c4 + ldc, vrow4567, 1);
  v128.store32_lane(c4 + 2 * ldc, vrow4567, 2);
  v128.store32_lane(c4 + 3 * ldc, vrow4567, 3);
}
