// Convolution lowering. x is NCHW [n, c, h, w]; cols is [n·oh·ow, c·kh·kw] row-major: one row per
// output pixel in (image, oy, ox) order, column (ci·kh + ky)·kw + kx, i.e. PyTorch's weight
// [oc, c, kh, kw] flattened to [oc, c·kh·kw], so conv(x) = cols · Wᵀ in NHWC. Tap (oy, ox, ky, kx) is
//   x[ci, oy·sh − ph + ky·dh, ox·sw − pw + kx·dw]  (0 outside the image),
//   oh = ⌊(h + 2·ph − dh·(kh − 1) − 1) / sh⌋ + 1, ow alike (0 when the span is negative).
// Reads and writes stay inside x [n·c·h·w] and cols [n·oh·ow·c·kh·kw] for any sizes; nothing is
// done when n, c, kh, kw, sh, sw, dh or dw < 1, or h, w, ph or pw < 0.

@inline function outSize(h: i32, k: i32, s: i32, p: i32, d: i32): i32 {
  const span = h + 2 * p - d * (k - 1) - 1;
  return span < 0 ? 0 : span / s + 1;
}

@inline function badArgs(n: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32): bool {
  return n < 1 || c < 1 || h < 0 || w < 0 || kh < 1 || kw < 1 || sh < 1 || sw < 1 || ph < 0 || pw < 0 || dh < 1 || dw < 1;
}

@inline function pointwise(kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32): bool {
  return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0;
}

// dst[j, i] = src[i, j] for src [rows, cols]; canon adds +0 (x = 0 + v turns −0 into +0).
@inline function transpose(rows: i32, cols: i32, src: usize, dst: usize, canon: bool): void {
  const rs = <usize>cols << 2;
  const ds = <usize>rows << 2;
  const vzero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= rows; i += 4) {
    const s = src + <usize>i * rs;
    const d = dst + (<usize>i << 2);
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const sj = s + (<usize>j << 2);
      const vr0 = v128.load(sj);
      const vr1 = v128.load(sj + rs);
      const vr2 = v128.load(sj + 2 * rs);
      const vr3 = v128.load(sj + 3 * rs);
      const vt01lo = i32x4.shuffle(vr0, vr1, 0, 4, 1, 5);
      const vt01hi = i32x4.shuffle(vr0, vr1, 2, 6, 3, 7);
      const vt23lo = i32x4.shuffle(vr2, vr3, 0, 4, 1, 5);
      const vt23hi = i32x4.shuffle(vr2, vr3, 2, 6, 3, 7);
      let vc0 = i32x4.shuffle(vt01lo, vt23lo, 0, 1, 4, 5);
      let vc1 = i32x4.shuffle(vt01lo, vt23lo, 2, 3, 6, 7);
      let vc2 = i32x4.shuffle(vt01hi, vt23hi, 0, 1, 4, 5);
      let vc3 = i32x4.shuffle(vt01hi, vt23hi, 2, 3, 6, 7);
      if (canon) {
        vc0 = f32x4.add(vc0, vzero);
        vc1 = f32x4.add(vc1, vzero);
        vc2 = f32x4.add(vc2, vzero);
        vc3 = f32x4.add(vc3, vzero);
      }
      const dj = d + <usize>j * ds;
      v128.store(dj, vc0);
      v128.store(dj + ds, vc1);
      v128.store(dj + 2 * ds, vc2);
      v128.store(dj + 3 * ds, vc3);
    }
    for (; j < cols; j++) {
      for (let r = 0; r < 4; r++) {
        const v = load<f32>(s + <usize>r * rs + (<usize>j << 2));
        store<f32>(d + <usize>j * ds + (<usize>r << 2), canon ? v + 0 : v);
      }
    }
  }
  for (; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      const v = load<f32>(src + <usize>i * rs + (<usize>j << 2));
      store<f32>(dst + <usize>j * ds + (<usize>i << 2), canon ? v + 0 : v);
    }
  }
}

// dst[0:len] = src[0:len] exactly; len ≥ 4 moves in 4-lane steps, the last one overlapping.
@inline function copyRun(len: i32, src: usize, dst: usize): void {
  if (len < 4) {
    for (let j = 0; j < len; j++) store<f32>(dst + (<usize>j << 2), load<f32>(src + (<usize>j << 2)));
    return;
  }
  let j = 0;
  for (; j + 4 <= len; j += 4) v128.store(dst + (<usize>j << 2), v128.load(src + (<usize>j << 2)));
  if (j < len) v128.store(dst + (<usize>(len - 4) << 2), v128.load(src + (<usize>(len - 4) << 2)));
}

// dst[0:len] = 0; with spill, a run of ≤ 4 is one 4-lane store that may pass its end.
@inline function zeroRun(len: i32, dst: usize, spill: bool): void {
  const vzero = f32x4.splat(0);
  if (spill && len <= 4) {
    v128.store(dst, vzero);
    return;
  }
  let j = 0;
  for (; j + 4 <= len; j += 4) v128.store(dst + (<usize>j << 2), vzero);
  for (; j < len; j++) store<f32>(dst + (<usize>j << 2), 0);
}

// One cols row: the c·kh·kw window at (iy0, ix0) of image xb [c, h, w].
// spill: the 3 floats after the row may be scribbled on (later rows rewrite them), so a run of
// kw ≤ 4 contiguous taps (dw = 1, window and 4 floats inside the image row) is one load/store.
@inline function im2colRow(c: i32, h: i32, w: i32, kh: i32, kw: i32, dh: i32, dw: i32, iy0: i32, ix0: i32, xb: usize, dst: usize, spill: bool): void {
  const planeBytes = <usize>h * <usize>w << 2;
  const inside = ix0 >= 0 && ix0 + (kw - 1) * dw < w;
  const contiguous = inside && dw == 1;
  const quad = contiguous && spill && kw <= 4 && ix0 + 4 <= w;
  const runBytes = <usize>kw << 2;
  let d = dst;
  for (let ci = 0; ci < c; ci++) {
    const xc = xb + <usize>ci * planeBytes;
    for (let ky = 0; ky < kh; ky++) {
      const iy = iy0 + ky * dh;
      if (<u32>iy >= <u32>h) {
        zeroRun(kw, d, spill);
      } else {
        const xr = xc + (<usize>iy * <usize>w << 2);
        if (quad) {
          v128.store(d, v128.load(xr + (<usize>ix0 << 2)));
        } else if (contiguous) {
          copyRun(kw, xr + (<usize>ix0 << 2), d);
        } else if (inside) {
          for (let kx = 0; kx < kw; kx++) store<f32>(d + (<usize>kx << 2), load<f32>(xr + (<usize>(ix0 + kx * dw) << 2)));
        } else {
          for (let kx = 0; kx < kw; kx++) {
            const ix = ix0 + kx * dw;
            store<f32>(d + (<usize>kx << 2), <u32>ix < <u32>w ? load<f32>(xr + (<usize>ix << 2)) : 0);
          }
        }
      }
      d += runBytes;
    }
  }
}

export function f32_im2col(n: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, x: usize, cols: usize): void {
  if (badArgs(n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw)) return;
  const oh = outSize(h, kh, sh, ph, dh);
  const ow = outSize(w, kw, sw, pw, dw);
  if (oh == 0 || ow == 0) return;
  const imageBytes = <usize>c * <usize>h * <usize>w << 2;
  if (pointwise(kh, kw, sh, sw, ph, pw)) {
    for (let b = 0; b < n; b++) transpose(c, h * w, x + <usize>b * imageBytes, cols + <usize>b * imageBytes, false);
    return;
  }
  const rowFloats = <usize>c * <usize>kh * <usize>kw;
  const rowBytes = rowFloats << 2;
  let rowsLeft = <usize>n * <usize>oh * <usize>ow;
  let d = cols;
  for (let b = 0; b < n; b++) {
    const xb = x + <usize>b * imageBytes;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const spill = --rowsLeft * rowFloats >= 3;
        im2colRow(c, h, w, kh, kw, dh, dw, oy * sh - ph, ox * sw - pw, xb, d, spill);
        d += rowBytes;
      }
    }
  }
}

// x[tap] += src for one cols row (the adjoint of im2colRow); same spill rule for reading src,
// and a quad adds −0 (the identity, also for −0) in the lanes past kw.
@inline function col2imRow(c: i32, h: i32, w: i32, kh: i32, kw: i32, dh: i32, dw: i32, iy0: i32, ix0: i32, src: usize, xb: usize, spill: bool): void {
  const planeBytes = <usize>h * <usize>w << 2;
  const inside = ix0 >= 0 && ix0 + (kw - 1) * dw < w;
  const contiguous = inside && dw == 1;
  const quad = contiguous && spill && kw <= 4 && ix0 + 4 <= w;
  const vkeep = i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(kw));
  const vnegzero = f32x4.splat(-0.0);
  const runBytes = <usize>kw << 2;
  let s = src;
  for (let ci = 0; ci < c; ci++) {
    const xc = xb + <usize>ci * planeBytes;
    for (let ky = 0; ky < kh; ky++) {
      const iy = iy0 + ky * dh;
      if (<u32>iy < <u32>h) {
        const xr = xc + (<usize>iy * <usize>w << 2);
        if (quad) {
          const p = xr + (<usize>ix0 << 2);
          v128.store(p, f32x4.add(v128.load(p), v128.bitselect(v128.load(s), vnegzero, vkeep)));
        } else if (contiguous) {
          const p = xr + (<usize>ix0 << 2);
          let j = 0;
          for (; j + 4 <= kw; j += 4) {
            const q = p + (<usize>j << 2);
            v128.store(q, f32x4.add(v128.load(q), v128.load(s + (<usize>j << 2))));
          }
          for (; j < kw; j++) {
            const q = p + (<usize>j << 2);
            store<f32>(q, load<f32>(q) + load<f32>(s + (<usize>j << 2)));
          }
        } else {
          for (let kx = 0; kx < kw; kx++) {
            const ix = ix0 + kx * dw;
            if (<u32>ix < <u32>w) {
              const q = xr + (<usize>ix << 2);
              store<f32>(q, load<f32>(q) + load<f32>(s + (<usize>kx << 2)));
            }
          }
        }
      }
      s += runBytes;
    }
  }
}

// x = 0, then x[tap] += cols[row, col] in ascending (row, col) order: the exact adjoint of f32_im2col.
export function f32_col2im(n: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, cols: usize, x: usize): void {
  if (badArgs(n, c, h, w, kh, kw, sh, sw, ph, pw, dh, dw)) return;
  const imageBytes = <usize>c * <usize>h * <usize>w << 2;
  if (pointwise(kh, kw, sh, sw, ph, pw)) {
    for (let b = 0; b < n; b++) transpose(h * w, c, cols + <usize>b * imageBytes, x + <usize>b * imageBytes, true);
    return;
  }
  memory.fill(x, 0, <usize>n * imageBytes);
  const oh = outSize(h, kh, sh, ph, dh);
  const ow = outSize(w, kw, sw, pw, dw);
  if (oh == 0 || ow == 0) return;
  const rowFloats = <usize>c * <usize>kh * <usize>kw;
  const rowBytes = rowFloats << 2;
  let rowsLeft = <usize>n * <usize>oh * <usize>ow;
  let s = cols;
  for (let b = 0; b < n; b++) {
    const xb = x + <usize>b * imageBytes;
    for (let oy = 0; oy < oh; oy++) {
      for (let ox = 0; ox < ow; ox++) {
        const spill = --rowsLeft * rowFloats >= 3;
        col2imRow(c, h, w, kh, kw, dh, dw, oy * sh - ph, ox * sw - pw, s, xb, spill);
        s += rowBytes;
      }
    }
  }
}
