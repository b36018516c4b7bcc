// Strided n-d copies (transpose, slice, concat, broadcast materialization) and row gathers.
// shape, src_strides, dst_strides: ndim i32 each, strides in elements; element size 4 (x32) or 1 (x8).
import { ND_INDEX } from "../nd";

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
