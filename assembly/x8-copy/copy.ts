// Strided n-d copies (transpose, slice, concat, broadcast materialization) and row gathers.
// shape, src_strides, dst_strides: ndim i32 each, strides in elements; element size 4 (x32) or 1 (x8).
import { ND_INDEX } from "../nd";
import { transpose4x4 } from "../x32-transpose";

@inline function copyNd(esize: usize, ndim: i32, shape: usize, ss: usize, ds: usize, src: usize, dst: usize): void {
  const last = ndim - 1;
  const n = <usize>load<i32>(shape + (<usize>last << 2));
  const sInner = <usize>load<i32>(ss + (<usize>last << 2)) * esize;
  const dInner = <usize>load<i32>(ds + (<usize>last << 2)) * esize;
  let outer: usize = 1;
  for (let d = 0; d < last; d++) outer *= <usize>load<i32>(shape + (<usize>d << 2));
  if (n == 0 || outer == 0) return;
  for (let d = 0; d < last; d++) store<i32>(ND_INDEX + (<usize>d << 2), 0);
  let ps = src;
  let pd = dst;
  for (let o: usize = 0; o < outer; o++) {
    if (sInner == esize && dInner == esize) {
      memory.copy(pd, ps, n * esize);
    } else if (esize == 4) {
      for (let i: usize = 0; i < n; i++) store<u32>(pd + i * dInner, load<u32>(ps + i * sInner));
    } else {
      for (let i: usize = 0; i < n; i++) store<u8>(pd + i * dInner, load<u8>(ps + i * sInner));
    }
    for (let d = last - 1; d >= 0; d--) {
      const p = ND_INDEX + (<usize>d << 2);
      const i = load<i32>(p) + 1;
      const dsrc = <isize>load<i32>(ss + (<usize>d << 2)) * <isize>esize;
      const ddst = <isize>load<i32>(ds + (<usize>d << 2)) * <isize>esize;
      if (i < load<i32>(shape + (<usize>d << 2))) {
        store<i32>(p, i);
        ps += dsrc;
        pd += ddst;
        break;
      }
      store<i32>(p, 0);
      ps -= dsrc * <isize>(i - 1);
      pd -= ddst * <isize>(i - 1);
    }
  }
}

export function x32_copy_nd(ndim: i32, shape: usize, ss: usize, ds: usize, src: usize, dst: usize): void { copyNd(4, ndim, shape, ss, ds, src, dst); }
export function x8_copy_nd(ndim: i32, shape: usize, ss: usize, ds: usize, src: usize, dst: usize): void { copyNd(1, ndim, shape, ss, ds, src, dst); }

// out[i, :] = table[idx[i], :] for nidx rows of row_bytes; returns -1, or the first i whose
// idx[i] is outside [0, nrows) (then nothing is written).
export function x8_gather_rows(nidx: i32, row_bytes: i32, nrows: i32, table: usize, idx: usize, out: usize): i32 {
  for (let i = 0; i < nidx; i++) {
    const r = load<i32>(idx + (<usize>i << 2));
    if (r < 0 || r >= nrows) return i;
  }
  const rb = <usize>row_bytes;
  for (let i = 0; i < nidx; i++) {
    memory.copy(out + <usize>i * rb, table + <usize>load<i32>(idx + (<usize>i << 2)) * rb, rb);
  }
  return -1;
}

export function x32_fill(n: i32, out: usize, bits: i32): void {
  const v = i32x4.splat(bits);
  const len = <usize>n;
  let i: usize = 0;
  for (; i + 4 <= len; i += 4) v128.store(out + (i << 2), v);
  for (; i < len; i++) store<i32>(out + (i << 2), bits);
}

export function x8_fill(n: i32, out: usize, byte: i32): void {
  memory.fill(out, <u8>byte, <usize>n);
}

// dst[b, i, j] = src[b, j, i]: a batch of 2-D transposes of 32-bit elements; src is [batch, cols, rows]
// and dst [batch, rows, cols], both contiguous. 4×4 blocks are transposed in registers.
export function x32_transpose(batch: i32, rows: i32, cols: i32, src: usize, dst: usize): void {
  const r = <usize>rows;
  const c = <usize>cols;
  const plane = (r * c) << 2;
  const r4 = r & ~3;
  const c4 = c & ~3;
  for (let b: usize = 0; b < <usize>batch; b++) {
    const s = src + b * plane;
    const d = dst + b * plane;
    for (let i: usize = 0; i < r4; i += 4) {
      for (let j: usize = 0; j < c4; j += 4) {
        const va0 = v128.load(s + ((j * r + i) << 2));
        const va1 = v128.load(s + (((j + 1) * r + i) << 2));
        const va2 = v128.load(s + (((j + 2) * r + i) << 2));
        const va3 = v128.load(s + (((j + 3) * r + i) << 2));
        transpose4x4(va0, va1, va2, va3, d + ((i * c + j) << 2), c << 2);
      }
      for (let ii = i; ii < i + 4; ii++) for (let j = c4; j < c; j++) store<u32>(d + ((ii * c + j) << 2), load<u32>(s + ((j * r + ii) << 2)));
    }
    for (let i = r4; i < r; i++) for (let j: usize = 0; j < c; j++) store<u32>(d + ((i * c + j) << 2), load<u32>(s + ((j * r + i) << 2)));
  }
}

// dst[b, i, j] = src[b, j, i]: a batch of 2-D transposes of bytes; src is [batch, cols, rows] and dst
// [batch, rows, cols], both contiguous (a QConv2d's NHWC output into NCHW). 16×16 blocks go through
// registers in four rounds of interleaves (bytes, pairs, quads, halves); the edges byte by byte.
@inline function zip8lo(a: v128, b: v128): v128 { return i8x16.shuffle(a, b, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23); }
@inline function zip8hi(a: v128, b: v128): v128 { return i8x16.shuffle(a, b, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31); }
@inline function zip16lo(a: v128, b: v128): v128 { return i8x16.shuffle(a, b, 0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23); }
@inline function zip16hi(a: v128, b: v128): v128 { return i8x16.shuffle(a, b, 8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31); }
@inline function zip32lo(a: v128, b: v128): v128 { return i32x4.shuffle(a, b, 0, 4, 1, 5); }
@inline function zip32hi(a: v128, b: v128): v128 { return i32x4.shuffle(a, b, 2, 6, 3, 7); }
@inline function zip64lo(a: v128, b: v128): v128 { return i8x16.shuffle(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23); }
@inline function zip64hi(a: v128, b: v128): v128 { return i8x16.shuffle(a, b, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31); }

// The 16×16 block whose row t is at s + t·ss, transposed: row u to d + u·ds.
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
  const b00 = zip16lo(a0l, a1l), b01 = zip16hi(a0l, a1l), b02 = zip16lo(a0h, a1h), b03 = zip16hi(a0h, a1h);
  const b10 = zip16lo(a2l, a3l), b11 = zip16hi(a2l, a3l), b12 = zip16lo(a2h, a3h), b13 = zip16hi(a2h, a3h);
  const b20 = zip16lo(a4l, a5l), b21 = zip16hi(a4l, a5l), b22 = zip16lo(a4h, a5h), b23 = zip16hi(a4h, a5h);
  const b30 = zip16lo(a6l, a7l), b31 = zip16hi(a6l, a7l), b32 = zip16lo(a6h, a7h), b33 = zip16hi(a6h, a7h);
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

export function x8_transpose(batch: i32, rows: i32, cols: i32, src: usize, dst: usize): void {
  const r = <usize>rows;
  const c = <usize>cols;
  const plane = r * c;
  const r16 = r & ~15;
  const c16 = c & ~15;
  for (let b: usize = 0; b < <usize>batch; b++) {
    const s = src + b * plane;
    const d = dst + b * plane;
    for (let i: usize = 0; i < r16; i += 16) {
      for (let j: usize = 0; j < c16; j += 16) transpose16x16(s + j * r + i, r, d + i * c + j, c);
      for (let ii = i; ii < i + 16; ii++) for (let j = c16; j < c; j++) store<u8>(d + ii * c + j, load<u8>(s + j * r + ii));
    }
    for (let i = r16; i < r; i++) for (let j: usize = 0; j < c; j++) store<u8>(d + i * c + j, load<u8>(s + j * r + i));
  }
}
