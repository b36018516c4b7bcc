// int8 convolution lowering, f32_im2col's layout (../f32-conv/im2col.ts) on 1-byte elements: x is NCHW
// [n, c, h, w] bytes, cols is [n·oh·ow, c·kh·kw] bytes, one row per output pixel in (image, oy, ox)
// order, column (ci·kh + ky)·kw + kx. Tap (oy, ox, ky, kx) is
//   x[ci, oy·sh − ph + ky·dh, ox·sw − pw + kx·dw]  (the byte `pad`, the input zero point, outside the image),
//   oh = ⌊(h + 2·ph − dh·(kh − 1) − 1) / sh⌋ + 1, ow alike (0 when the span is negative).
// Reads and writes stay inside x [n·c·h·w] and cols [n·oh·ow·c·kh·kw]. Nothing is done when n, c, h,
// w, ph or pw < 0, kh or kw < 1, or sh, sw, dh or dw < 1.
import { transpose8 } from "../x8-transpose";

@inline function outSize(h: i32, k: i32, s: i32, p: i32, d: i32): i32 {
  const span = h + 2 * p - d * (k - 1) - 1;
  return span < 0 ? 0 : span / s + 1;
}

// Taps [tapBegin, tapEnd) of a window starting at i0 with dilation d land inside [0, n).
@inline function tapBegin(i0: i32, d: i32, k: i32): i32 {
  if (i0 >= 0) return 0;
  return min(k, (d - 1 - i0) / d);
}
@inline function tapEnd(i0: i32, d: i32, k: i32, n: i32): i32 {
  if (i0 >= n) return 0;
  return min(k, (n - i0 + d - 1) / d);
}

// One cols row: the c·kh·kw window at (iy0, ix0) of image xb [c, h, w]; pad rows/columns are filled.
// Rows whose runs are whole (no pad column), dw = 1 and kw ≤ 8 move each run as one 8-byte load/store
// when both stay before xEnd and dEnd: the bytes written past a run are rewritten by what follows.
@inline function im2colRow(c: i32, h: i32, w: i32, kh: i32, kw: i32, dh: i32, dw: i32, iy0: i32, ix0: i32, xb: usize, dst: usize, pad: u8, xEnd: usize, dEnd: usize): void {
  const ky0 = tapBegin(iy0, dh, kh);
  const ky1 = max(ky0, tapEnd(iy0, dh, kh, h));
  const kx0 = tapBegin(ix0, dw, kw);
  const kx1 = max(kx0, tapEnd(ix0, dw, kw, w));
  const len = kx1 - kx0;
  const head = <usize>ky0 * <usize>kw;
  const tail = <usize>(kh - ky1) * <usize>kw;
  const planeBytes = <usize>h * <usize>w;
  const rowStep = <usize>dh * <usize>w;
  let xc = xb + <usize>(iy0 + ky0 * dh) * <usize>w + <usize>(ix0 + kx0 * dw);
  let d = dst;
  const lastRead = xc + <usize>(c - 1) * planeBytes + <usize>(ky1 - ky0 - 1) * rowStep;
  if (dw == 1 && len == kw && kw <= 8 && ky1 > ky0 && lastRead + 8 <= xEnd && dst + <usize>c * <usize>kh * <usize>kw + 8 - <usize>kw <= dEnd) {
    for (let ci = 0; ci < c; ci++) {
      if (head != 0) memory.fill(d, pad, head);
      d += head;
      let xr = xc;
      for (let ky = ky0; ky < ky1; ky++) {
        store<u64>(d, load<u64>(xr));
        d += <usize>kw;
        xr += rowStep;
      }
      if (tail != 0) memory.fill(d, pad, tail);
      d += tail;
      xc += planeBytes;
    }
    return;
  }
  // Windows with pad columns or rows (the image border): a run of at most 8 bytes is still one 8-byte
  // copy, its pad columns written after it (over what it wrote past the run), and pad rows of at most
  // 8 bytes one 8-byte store of the pad, whenever the 8 bytes stay before xEnd and dEnd.
  const pad8 = <u64>pad * 0x0101010101010101;
  for (let ci = 0; ci < c; ci++) {
    padFill(d, head, pad, pad8, dEnd);
    d += head;
    let xr = xc;
    for (let ky = ky0; ky < ky1; ky++) {
      const dv = d + <usize>kx0;
      if (dw == 1 && len <= 8 && xr + 8 <= xEnd && dv + 8 <= dEnd) store<u64>(dv, load<u64>(xr));
      else if (dw == 1 && len >= 16) memory.copy(dv, xr, <usize>len);
      else for (let j = 0; j < len; j++) store<u8>(dv + <usize>j, load<u8>(xr + <usize>(j * dw)));
      for (let kx = 0; kx < kx0; kx++) store<u8>(d + <usize>kx, pad);
      for (let kx = kx1; kx < kw; kx++) store<u8>(d + <usize>kx, pad);
      d += <usize>kw;
      xr += rowStep;
    }
    padFill(d, tail, pad, pad8, dEnd);
    d += tail;
    xc += planeBytes;
  }
}

// n pad bytes at d: one 8-byte store when n ≤ 8 and it stays before dEnd (the bytes past n are
// rewritten by what follows), else memory.fill.
@inline function padFill(d: usize, n: usize, pad: u8, pad8: u64, dEnd: usize): void {
  if (n == 0) return;
  if (n <= 8 && d + 8 <= dEnd) store<u64>(d, pad8);
  else memory.fill(d, pad, n);
}


export function x8_im2col(n: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, x: usize, cols: usize, pad: i32): void {
  if (n < 0 || c < 0 || h < 0 || w < 0 || kh < 1 || kw < 1 || sh < 1 || sw < 1 || ph < 0 || pw < 0 || dh < 1 || dw < 1) return;
  const oh = outSize(h, kh, sh, ph, dh);
  const ow = outSize(w, kw, sw, pw, dw);
  if (oh == 0 || ow == 0) return;
  const imageBytes = <usize>c * <usize>h * <usize>w;
  if (kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0) {
    for (let b = 0; b < n; b++) transpose8(c, h * w, x + <usize>b * imageBytes, cols + <usize>b * imageBytes);
    return;
  }
  const rowBytes = <usize>c * <usize>kh * <usize>kw;
  const xEnd = x + <usize>n * imageBytes;
  const dEnd = cols + <usize>n * <usize>oh * <usize>ow * rowBytes;
  // Columns [oxa, oxb) have whole windows (dw = 1): ox·sw ≥ pw and ox·sw − pw + kw ≤ w.
  const oxa = min(ow, (pw + sw - 1) / sw);
  const oxb = dw == 1 && w >= kw ? max(oxa, min(ow, (w - kw + pw) / sw + 1)) : oxa;
  const planeBytes = <usize>h * <usize>w;
  let d = cols;
  for (let b = 0; b < n; b++) {
    const xb = x + <usize>b * imageBytes;
    for (let oy = 0; oy < oh; oy++) {
      const iy0 = oy * sh - ph;
      let ox = 0;
      // An output row whose taps are all inside the image: its whole-window columns slot by slot.
      const lastRead = xb + <usize>(c - 1) * planeBytes + <usize>(iy0 + (kh - 1) * dh) * <usize>w + <usize>((oxb - 1) * sw - pw);
      if (kw <= 8 && oxb - oxa >= 4 && iy0 >= 0 && iy0 + (kh - 1) * dh < h && lastRead + 8 <= xEnd) {
        for (; ox < oxa; ox++) im2colRow(c, h, w, kh, kw, dh, dw, iy0, ox * sw - pw, xb, d + <usize>ox * rowBytes, <u8>pad, xEnd, dEnd);
        im2colWhole(c, w, kh, kw, sw, dh, planeBytes, xb + <usize>iy0 * <usize>w + <usize>(oxa * sw - pw), d + <usize>oxa * rowBytes, rowBytes, oxb - oxa);
        ox = oxb;
      }
      for (; ox < ow; ox++) im2colRow(c, h, w, kh, kw, dh, dw, iy0, ox * sw - pw, xb, d + <usize>ox * rowBytes, <u8>pad, xEnd, dEnd);
      d += <usize>ow * rowBytes;
    }
  }
}

// count consecutive output pixels (cols rows at d, rowBytes apart) whose windows are whole, the first
// window's top-left tap at xs: for each (ci, ky) slot, a tight loop of 8-byte copies over the pixels.
// A slot's copy writes 8 − kw bytes into the slots after it, written later; the slots whose 8 bytes
// would run past the pixel's row (into the next pixel's first slots) are copied byte by byte.
@inline function im2colWhole(c: i32, w: i32, kh: i32, kw: i32, sw: i32, dh: i32, planeBytes: usize, xs: usize, d: usize, rowBytes: usize, count: i32): void {
  const step = <usize>sw;
  const rowStep = <usize>dh * <usize>w;
  const span = <usize>count * rowBytes;
  let ds = d;
  for (let ci = 0; ci < c; ci++) {
    let xk = xs + <usize>ci * planeBytes;
    for (let ky = 0; ky < kh; ky++, xk += rowStep, ds += <usize>kw) {
      let xr = xk;
      let dp = ds;
      const end = ds + span;
      if (ds - d + 8 <= rowBytes) {
        for (; dp < end; dp += rowBytes, xr += step) store<u64>(dp, load<u64>(xr));
      } else {
        for (; dp < end; dp += rowBytes, xr += step) for (let kx: usize = 0; kx < <usize>kw; kx++) store<u8>(dp + kx, load<u8>(xr + kx));
      }
    }
  }
}
