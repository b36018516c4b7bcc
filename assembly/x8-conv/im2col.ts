// int8 convolution lowering, f32_im2col's layout (../f32-conv/im2col.ts) on 1-byte elements: x is NCHW
// [n, c, h, w] bytes, cols is [n·oh·ow, c·kh·kw] bytes, one row per output pixel in (image, oy, ox)
// order, column (ci·kh + ky)·kw + kx. Tap (oy, ox, ky, kx) is
//   x[ci, oy·sh − ph + ky·dh, ox·sw − pw + kx·dw]  (the byte `pad`, the input zero point, outside the image),
//   oh = ⌊(h + 2·ph − dh·(kh − 1) − 1) / sh⌋ + 1, ow alike (0 when the span is negative).
// Reads and writes stay inside x [n·c·h·w] and cols [n·oh·ow·c·kh·kw]. Nothing is done when n, c, h,
// w, ph or pw < 0, kh or kw < 1, or sh, sw, dh or dw < 1.

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
  for (let ci = 0; ci < c; ci++) {
    if (head != 0) memory.fill(d, pad, head);
    d += head;
    let xr = xc;
    for (let ky = ky0; ky < ky1; ky++) {
      for (let kx = 0; kx < kx0; kx++) store<u8>(d + <usize>kx, pad);
      const dv = d + <usize>kx0;
      if (dw == 1) {
        if (len >= 16) memory.copy(dv, xr, <usize>len);
        else for (let j = 0; j < len; j++) store<u8>(dv + <usize>j, load<u8>(xr + <usize>j));
      } else {
        for (let j = 0; j < len; j++) store<u8>(dv + <usize>j, load<u8>(xr + <usize>(j * dw)));
      }
      for (let kx = kx1; kx < kw; kx++) store<u8>(d + <usize>kx, pad);
      d += <usize>kw;
      xr += rowStep;
    }
    if (tail != 0) memory.fill(d, pad, tail);
    d += tail;
    xc += planeBytes;
  }
}

// Byte interleave of va and vb: lanes 0 … 7 (hi: 8 … 15) of each, alternating.
@inline function zipLo(va: v128, vb: v128): v128 {
  return i8x16.shuffle(va, vb, 0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
}
@inline function zipHi(va: v128, vb: v128): v128 {
  return i8x16.shuffle(va, vb, 8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
}

// dst[j, i] = src[i, j] for bytes src [rows, cols] (the pointwise case: cols = xᵀ per image). 16×16
// blocks: four rounds of vᵢ' = zip(vᵢ, vᵢ₊₈) turn (row r, lane c) into (row c, lane r), as each round
// rotates the 4 row bits and 4 lane bits by one; the edges go byte by byte.
@inline function transpose8(rows: i32, cols: i32, src: usize, dst: usize): void {
  const rs = <usize>cols;
  const ds = <usize>rows;
  let i = 0;
  for (; i + 16 <= rows; i += 16) {
    let j = 0;
    for (; j + 16 <= cols; j += 16) {
      const s = src + <usize>i * rs + <usize>j;
      let v0 = v128.load(s), v1 = v128.load(s + rs), v2 = v128.load(s + 2 * rs), v3 = v128.load(s + 3 * rs);
      let v4 = v128.load(s + 4 * rs), v5 = v128.load(s + 5 * rs), v6 = v128.load(s + 6 * rs), v7 = v128.load(s + 7 * rs);
      let v8 = v128.load(s + 8 * rs), v9 = v128.load(s + 9 * rs), vA = v128.load(s + 10 * rs), vB = v128.load(s + 11 * rs);
      let vC = v128.load(s + 12 * rs), vD = v128.load(s + 13 * rs), vE = v128.load(s + 14 * rs), vF = v128.load(s + 15 * rs);
      for (let r = 0; r < 4; r++) {
        const w0 = zipLo(v0, v8), w1 = zipHi(v0, v8), w2 = zipLo(v1, v9), w3 = zipHi(v1, v9);
        const w4 = zipLo(v2, vA), w5 = zipHi(v2, vA), w6 = zipLo(v3, vB), w7 = zipHi(v3, vB);
        const w8 = zipLo(v4, vC), w9 = zipHi(v4, vC), wA = zipLo(v5, vD), wB = zipHi(v5, vD);
        const wC = zipLo(v6, vE), wD = zipHi(v6, vE), wE = zipLo(v7, vF), wF = zipHi(v7, vF);
        v0 = w0; v1 = w1; v2 = w2; v3 = w3; v4 = w4; v5 = w5; v6 = w6; v7 = w7;
        v8 = w8; v9 = w9; vA = wA; vB = wB; vC = wC; vD = wD; vE = wE; vF = wF;
      }
      const d = dst + <usize>j * ds + <usize>i;
      v128.store(d, v0); v128.store(d + ds, v1); v128.store(d + 2 * ds, v2); v128.store(d + 3 * ds, v3);
      v128.store(d + 4 * ds, v4); v128.store(d + 5 * ds, v5); v128.store(d + 6 * ds, v6); v128.store(d + 7 * ds, v7);
      v128.store(d + 8 * ds, v8); v128.store(d + 9 * ds, v9); v128.store(d + 10 * ds, vA); v128.store(d + 11 * ds, vB);
      v128.store(d + 12 * ds, vC); v128.store(d + 13 * ds, vD); v128.store(d + 14 * ds, vE); v128.store(d + 15 * ds, vF);
    }
    for (let r = i; r < i + 16; r++) for (let c = j; c < cols; c++) store<u8>(dst + <usize>c * ds + <usize>r, load<u8>(src + <usize>r * rs + <usize>c));
  }
  for (; i < rows; i++) for (let c = 0; c < cols; c++) store<u8>(dst + <usize>c * ds + <usize>i, load<u8>(src + <usize>i * rs + <usize>c));
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
  let d = cols;
  for (let b = 0; b < n; b++) {
    const xb = x + <usize>b * imageBytes;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        im2colRow(c, h, w, kh, kw, dh, dw, oy * sh - ph, ox * sw - pw, xb, d, <u8>pad, xEnd, dEnd);
        d += rowBytes;
      }
    }
  }
}
