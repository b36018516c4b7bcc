// The byte transpose shared by the int8 im2col (pointwise convolutions) and x8_transpose.
// Not re-exported by index.ts: inlined helpers, not wasm exports.

@inline function zip8lo(a: v128, b: v128): v128 { return i8x16.shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23); }
@inline function zip8hi(a: v128, b: v128): v128 { return i8x16.shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31); }
@inline function zip16lo(a: v128, b: v128): v128 { return i8x16.shuffle(a, b, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23); }
@inline function zip16hi(a: v128, b: v128): v128 { return i8x16.shuffle(a, b, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31); }
@inline function zip32lo(a: v128, b: v128): v128 { return i32x4.shuffle(a, b, 0, 4, 1, 5); }
@inline function zip32hi(a: v128, b: v128): v128 { return i32x4.shuffle(a, b, 2, 6, 3, 7); }
@inline function zip64lo(a: v128, b: v128): v128 { return i8x16.shuffle(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23); }
@inline function zip64hi(a: v128, b: v128): v128 { return i8x16.shuffle(a, b, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31); }

// The 16×16 byte block with row t at s + t·ss, transposed: its column u to d + u·ds. Four rounds of
// interleaves, each written out (a loop of rounds ran about half as fast): bytes of row pairs, then
// pairs of pairs, quads, and the two halves of the 16 rows.
@inline function transpose16x16(s: usize, ss: usize, d: usize, ds: usize): void {
  const r0 = v128.load(s + 0 * ss);
  const r1 = v128.load(s + 1 * ss);
  const r2 = v128.load(s + 2 * ss);
  const r3 = v128.load(s + 3 * ss);
  const r4 = v128.load(s + 4 * ss);
  const r5 = v128.load(s + 5 * ss);
  const r6 = v128.load(s + 6 * ss);
  const r7 = v128.load(s + 7 * ss);
  const r8 = v128.load(s + 8 * ss);
  const r9 = v128.load(s + 9 * ss);
  const r10 = v128.load(s + 10 * ss);
  const r11 = v128.load(s + 11 * ss);
  const r12 = v128.load(s + 12 * ss);
  const r13 = v128.load(s + 13 * ss);
  const r14 = v128.load(s + 14 * ss);
  const r15 = v128.load(s + 15 * ss);
  const a0l = zip8lo(r0, r1), a0h = zip8hi(r0, r1);
  const a1l = zip8lo(r2, r3), a1h = zip8hi(r2, r3);
  const a2l = zip8lo(r4, r5), a2h = zip8hi(r4, r5);
  const a3l = zip8lo(r6, r7), a3h = zip8hi(r6, r7);
  const a4l = zip8lo(r8, r9), a4h = zip8hi(r8, r9);
  const a5l = zip8lo(r10, r11), a5h = zip8hi(r10, r11);
  const a6l = zip8lo(r12, r13), a6h = zip8hi(r12, r13);
  const a7l = zip8lo(r14, r15), a7h = zip8hi(r14, r15);
  // b{m}{q}: rows 4m … 4m+3, columns 4q … 4q+3.
  const b00 = zip16lo(a0l, a1l), b01 = zip16hi(a0l, a1l), b02 = zip16lo(a0h, a1h), b03 = zip16hi(a0h, a1h);
  const b10 = zip16lo(a2l, a3l), b11 = zip16hi(a2l, a3l), b12 = zip16lo(a2h, a3h), b13 = zip16hi(a2h, a3h);
  const b20 = zip16lo(a4l, a5l), b21 = zip16hi(a4l, a5l), b22 = zip16lo(a4h, a5h), b23 = zip16hi(a4h, a5h);
  const b30 = zip16lo(a6l, a7l), b31 = zip16hi(a6l, a7l), b32 = zip16lo(a6h, a7h), b33 = zip16hi(a6h, a7h);
  // c{h}{q}l / h: rows 8h … 8h+7 of columns 4q, 4q+1 / 4q+2, 4q+3.
  const c00l = zip32lo(b00, b10), c00h = zip32hi(b00, b10);
  const c01l = zip32lo(b01, b11), c01h = zip32hi(b01, b11);
  const c02l = zip32lo(b02, b12), c02h = zip32hi(b02, b12);
  const c03l = zip32lo(b03, b13), c03h = zip32hi(b03, b13);
  const c10l = zip32lo(b20, b30), c10h = zip32hi(b20, b30);
  const c11l = zip32lo(b21, b31), c11h = zip32hi(b21, b31);
  const c12l = zip32lo(b22, b32), c12h = zip32hi(b22, b32);
  const c13l = zip32lo(b23, b33), c13h = zip32hi(b23, b33);
  v128.store(d + 0 * ds, zip64lo(c00l, c10l));
  v128.store(d + 1 * ds, zip64hi(c00l, c10l));
  v128.store(d + 2 * ds, zip64lo(c00h, c10h));
  v128.store(d + 3 * ds, zip64hi(c00h, c10h));
  v128.store(d + 4 * ds, zip64lo(c01l, c11l));
  v128.store(d + 5 * ds, zip64hi(c01l, c11l));
  v128.store(d + 6 * ds, zip64lo(c01h, c11h));
  v128.store(d + 7 * ds, zip64hi(c01h, c11h));
  v128.store(d + 8 * ds, zip64lo(c02l, c12l));
  v128.store(d + 9 * ds, zip64hi(c02l, c12l));
  v128.store(d + 10 * ds, zip64lo(c02h, c12h));
  v128.store(d + 11 * ds, zip64hi(c02h, c12h));
  v128.store(d + 12 * ds, zip64lo(c03l, c13l));
  v128.store(d + 13 * ds, zip64hi(c03l, c13l));
  v128.store(d + 14 * ds, zip64lo(c03h, c13h));
  v128.store(d + 15 * ds, zip64hi(c03h, c13h));
}

// dst[j, i] = src[i, j] for bytes src [rows, cols]: a pointwise conv's cols = xᵀ per image, and a
// QConv2d's NHWC result into NCHW (x8_transpose). 16×16 blocks in registers, the edges byte by byte.
@inline export function transpose8(rows: i32, cols: i32, src: usize, dst: usize): void {
  const rs = <usize>cols;
  const ds = <usize>rows;
  let i = 0;
  for (; i + 16 <= rows; i += 16) {
    let j = 0;
    for (; j + 16 <= cols; j += 16) transpose16x16(src + <usize>i * rs + <usize>j, rs, dst + <usize>j * ds + <usize>i, ds);
    for (let r = i; r < i + 16; r++) for (let c = j; c < cols; c++) store<u8>(dst + <usize>c * ds + <usize>r, load<u8>(src + <usize>r * rs + <usize>c));
  }
  for (; i < rows; i++) for (let c = 0; c < cols; c++) store<u8>(dst + <usize>c * ds + <usize>i, load<u8>(src + <usize>i * rs + <usize>c));
}
