// Strided n-d copies (transpose, slice, concat, broadcast materialization) and row gathers.
// shape, src_strides, dst_strides: ndim i32 each, strides in elements; element size 4 (x32) or 1 (x8).
import { ND_INDEX } from "../nd";
import { transpose4x4 } from "../x32-transpose";
import { transpose8 } from "../x8-transpose";

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
// [batch, rows, cols], both contiguous (a QConv2d's NHWC output into NCHW), by transpose8's 16×16 blocks.
export function x8_transpose(batch: i32, rows: i32, cols: i32, src: usize, dst: usize): void {
  const plane = <usize>rows * <usize>cols;
  for (let b: usize = 0; b < <usize>batch; b++) transpose8(cols, rows, src + b * plane, dst + b * plane);
}
