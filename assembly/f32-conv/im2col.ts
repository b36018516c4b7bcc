// Convolution lowering. x is NCHW [n, c, h, w]; cols is [n·oh·ow, c·kh·kw] row-major: one row per
// output pixel in (image, oy, ox) order, column (ci·kh + ky)·kw + kx, i.e. PyTorch's weight
// [oc, c, kh, kw] flattened to [oc, c·kh·kw], so conv(x) = cols · Wᵀ in NHWC. Tap (oy, ox, ky, kx) is
//   x[ci, oy·sh − ph + ky·dh, ox·sw − pw + kx·dw]  (0 outside the image),
//   oh = ⌊(h + 2·ph − dh·(kh − 1) − 1) / sh⌋ + 1, ow alike (0 when the span is negative).
// Reads and writes stay inside x [n·c·h·w] and cols [n·oh·ow·c·kh·kw] for any sizes. Nothing is
// done when n, c, h, w, ph or pw < 0 or sh, sw, dh or dw < 1; otherwise col2im always writes all of x
// (zeros when kh or kw < 1 or oh·ow = 0).

@inline function outSize(h: i32, k: i32, s: i32, p: i32, d: i32): i32 {
  const span = h + 2 * p - d * (k - 1) - 1;
  return span < 0 ? 0 : span / s + 1;
}

@inline function badArgs(n: i32, c: i32, h: i32, w: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32): bool {
  return n < 0 || c < 0 || h < 0 || w < 0 || sh < 1 || sw < 1 || ph < 0 || pw < 0 || dh < 1 || dw < 1;
}

@inline function pointwise(kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32): bool {
  return kh == 1 && kw == 1 && sh == 1 && sw == 1 && ph == 0 && pw == 0;
}

@inline function transpose1(i: i32, j: i32, rs: usize, ds: usize, src: usize, dst: usize, canon: bool): void {
  const v = load<f32>(src + <usize>i * rs + (<usize>j << 2));
  store<f32>(dst + <usize>j * ds + (<usize>i << 2), canon ? v + 0 : v);
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
    for (; j < cols; j++) for (let r = i; r < i + 4; r++) transpose1(r, j, rs, ds, src, dst, canon);
  }
  for (; i < rows; i++) for (let j = 0; j < cols; j++) transpose1(i, j, rs, ds, src, dst, canon);
}

// Taps [tapBegin, tapEnd) of a window starting at i0 with dilation d land inside [0, n) (n ≥ 0).
@inline function tapBegin(i0: i32, d: i32, k: i32): i32 {
  if (i0 >= 0) return 0;
  return min(k, d == 1 ? -i0 : (d - 1 - i0) / d);
}
@inline function tapEnd(i0: i32, d: i32, k: i32, n: i32): i32 {
  if (i0 >= n) return 0;
  return min(k, d == 1 ? n - i0 : (n - i0 + d - 1) / d);
}

// Lane j of the result is v[j + e], or z[j] where j + e is outside 0..3 (−3 ≤ e ≤ 3).
@inline function shiftLanes(v: v128, z: v128, e: i32): v128 {
  switch (e) {
    case -3: return i32x4.shuffle(v, z, 4, 5, 6, 0);
    case -2: return i32x4.shuffle(v, z, 4, 5, 0, 1);
    case -1: return i32x4.shuffle(v, z, 4, 0, 1, 2);
    case 1: return i32x4.shuffle(v, z, 1, 2, 3, 4);
    case 2: return i32x4.shuffle(v, z, 2, 3, 4, 5);
    case 3: return i32x4.shuffle(v, z, 3, 4, 5, 6);
    default: return v;
  }
}

// dst[0:len] = 0; with spill the last 4-lane store may pass the end.
@inline function zeroRun(len: usize, dst: usize, spill: bool): void {
  const vzero = f32x4.splat(0);
  let j: usize = 0;
  for (; j + 4 <= len; j += 4) v128.store(dst + (j << 2), vzero);
  if (j < len) {
    if (spill) v128.store(dst + (j << 2), vzero);
    else for (; j < len; j++) store<f32>(dst + (j << 2), 0);
  }
}

// Quad rows: dw = 1, kw ≤ 4 ≤ w, −3 ≤ ix0 < w and spill (the 3 floats after the row may be
// scribbled on: later rows rewrite them). Then each run of kw taps is the 4 floats at column
// xcol = clamp(ix0, 0, w − 4) shifted by e = ix0 − xcol lanes (zeros shifted in for padding),
// moved by one 4-lane load and store.
@inline function quadRow(kw: i32, w: i32, ix0: i32, spill: bool): bool {
  return spill && kw <= 4 && w >= 4 && ix0 >= -3 && ix0 < w;
}

// One cols row: the c·kh·kw window at (iy0, ix0) of image xb [c, h, w]. Taps outside the image
// are a zero prefix/suffix per channel (ky < ky0, ky ≥ ky1) and per run (kx < kx0, kx ≥ kx1).
@inline function im2colRow(c: i32, h: i32, w: i32, kh: i32, kw: i32, dh: i32, dw: i32, iy0: i32, ix0: i32, xb: usize, dst: usize, spill: bool): void {
  const planeBytes = <usize>h * <usize>w << 2;
  const rowStep = <usize>dh * <usize>w << 2;
  const runBytes = <usize>kw << 2;
  const ky0 = tapBegin(iy0, dh, kh);
  const ky1 = max(ky0, tapEnd(iy0, dh, kh, h));
  const headFloats = <usize>ky0 * <usize>kw;
  const tailFloats = <usize>(kh - ky1) * <usize>kw;
  const vzero = f32x4.splat(0);
  let d = dst;
  if (dw == 1 && quadRow(kw, w, ix0, spill)) {
    const xcol = min(max(ix0, 0), w - 4);
    const e = ix0 - xcol;
    let xc = xb + (<usize>(iy0 + ky0 * dh) * <usize>w << 2) + (<usize>xcol << 2);
    if (e == 0 && ky0 == 0 && ky1 == kh) {
      for (let ci = 0; ci < c; ci++) {
        let xr = xc;
        for (let ky = 0; ky < kh; ky++) {
          v128.store(d, v128.load(xr));
          d += runBytes;
          xr += rowStep;
        }
        xc += planeBytes;
      }
      return;
    }
    for (let ci = 0; ci < c; ci++) {
      zeroRun(headFloats, d, true);
      d += headFloats << 2;
      let xr = xc;
      for (let ky = ky0; ky < ky1; ky++) {
        v128.store(d, shiftLanes(v128.load(xr), vzero, e));
        d += runBytes;
        xr += rowStep;
      }
      zeroRun(tailFloats, d, true);
      d += tailFloats << 2;
      xc += planeBytes;
    }
    return;
  }
  const kx0 = tapBegin(ix0, dw, kw);
  const kx1 = max(kx0, tapEnd(ix0, dw, kw, w));
  const len = kx1 - kx0;
  let xc = xb + (<usize>(iy0 + ky0 * dh) * <usize>w << 2) + (<usize>(ix0 + kx0 * dw) << 2);
  for (let ci = 0; ci < c; ci++) {
    zeroRun(headFloats, d, spill);
    d += headFloats << 2;
    let xr = xc;
    for (let ky = ky0; ky < ky1; ky++) {
      for (let kx = 0; kx < kx0; kx++) store<f32>(d + (<usize>kx << 2), 0);
      const dv = d + (<usize>kx0 << 2);
      if (dw == 1 && len >= 4) {
        let j = 0;
        for (; j + 4 <= len; j += 4) v128.store(dv + (<usize>j << 2), v128.load(xr + (<usize>j << 2)));
        if (j < len) v128.store(dv + (<usize>(len - 4) << 2), v128.load(xr + (<usize>(len - 4) << 2)));
      } else {
        for (let j = 0; j < len; j++) store<f32>(dv + (<usize>j << 2), load<f32>(xr + (<usize>(j * dw) << 2)));
      }
      for (let kx = kx1; kx < kw; kx++) store<f32>(d + (<usize>kx << 2), 0);
      d += runBytes;
      xr += rowStep;
    }
    zeroRun(tailFloats, d, spill);
    d += tailFloats << 2;
    xc += planeBytes;
  }
}

export function f32_im2col(n: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, x: usize, cols: usize): void {
  if (badArgs(n, c, h, w, sh, sw, ph, pw, dh, dw) || kh < 1 || kw < 1) return;
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

// x[tap] += src for one cols row (the adjoint of im2colRow). Quad rows read 4 floats of src per
// run (same spill rule), keep kw lanes, shift them by −e lanes onto x's columns xcol … xcol + 3
// and add −0 (the identity, also for −0) in the other lanes.
@inline function col2imRow(c: i32, h: i32, w: i32, kh: i32, kw: i32, dh: i32, dw: i32, iy0: i32, ix0: i32, src: usize, xb: usize, spill: bool): void {
  const planeBytes = <usize>h * <usize>w << 2;
  const rowStep = <usize>dh * <usize>w << 2;
  const runBytes = <usize>kw << 2;
  const ky0 = tapBegin(iy0, dh, kh);
  const ky1 = max(ky0, tapEnd(iy0, dh, kh, h));
  if (ky0 == ky1) return;
  const skip = <usize>ky0 * runBytes;
  if (dw == 1 && quadRow(kw, w, ix0, spill)) {
    const xcol = min(max(ix0, 0), w - 4);
    const e = ix0 - xcol;
    const vkeep = i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(kw));
    const vnegzero = f32x4.splat(-0.0);
    let xc = xb + (<usize>(iy0 + ky0 * dh) * <usize>w << 2) + (<usize>xcol << 2);
    if (e == 0 && ky0 == 0 && ky1 == kh) {
      let s = src;
      for (let ci = 0; ci < c; ci++) {
        let xr = xc;
        for (let ky = 0; ky < kh; ky++) {
          v128.store(xr, f32x4.add(v128.load(xr), v128.bitselect(v128.load(s), vnegzero, vkeep)));
          xr += rowStep;
          s += runBytes;
        }
        xc += planeBytes;
      }
      return;
    }
    let sc = src + skip;
    for (let ci = 0; ci < c; ci++) {
      let xr = xc;
      let s = sc;
      for (let ky = ky0; ky < ky1; ky++) {
        const vs = shiftLanes(v128.bitselect(v128.load(s), vnegzero, vkeep), vnegzero, -e);
        v128.store(xr, f32x4.add(v128.load(xr), vs));
        xr += rowStep;
        s += runBytes;
      }
      xc += planeBytes;
      sc += <usize>kh * runBytes;
    }
    return;
  }
  const kx0 = tapBegin(ix0, dw, kw);
  const kx1 = max(kx0, tapEnd(ix0, dw, kw, w));
  const len = kx1 - kx0;
  if (len == 0) return;
  let xc = xb + (<usize>(iy0 + ky0 * dh) * <usize>w << 2) + (<usize>(ix0 + kx0 * dw) << 2);
  let sc = src + skip + (<usize>kx0 << 2);
  for (let ci = 0; ci < c; ci++) {
    let xr = xc;
    let s = sc;
    for (let ky = ky0; ky < ky1; ky++) {
      if (dw == 1) {
        let j = 0;
        for (; j + 4 <= len; j += 4) {
          const q = xr + (<usize>j << 2);
          v128.store(q, f32x4.add(v128.load(q), v128.load(s + (<usize>j << 2))));
        }
        for (; j < len; j++) {
          const q = xr + (<usize>j << 2);
          store<f32>(q, load<f32>(q) + load<f32>(s + (<usize>j << 2)));
        }
      } else {
        for (let j = 0; j < len; j++) {
          const q = xr + (<usize>(j * dw) << 2);
          store<f32>(q, load<f32>(q) + load<f32>(s + (<usize>j << 2)));
        }
      }
      xr += rowStep;
      s += runBytes;
    }
    xc += planeBytes;
    sc += <usize>kh * runBytes;
  }
}

// x = 0, then x[tap] += cols[row, col] in ascending (row, col) order: the exact adjoint of f32_im2col.
export function f32_col2im(n: i32, c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, cols: usize, x: usize): void {
  if (badArgs(n, c, h, w, sh, sw, ph, pw, dh, dw)) return;
  const imageBytes = <usize>c * <usize>h * <usize>w << 2;
  if (pointwise(kh, kw, sh, sw, ph, pw)) {
    for (let b = 0; b < n; b++) transpose(h * w, c, cols + <usize>b * imageBytes, x + <usize>b * imageBytes, true);
    return;
  }
  memory.fill(x, 0, <usize>n * imageBytes);
  if (kh < 1 || kw < 1) return;
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

// K-major lowering of one image x [c, h, w]: colsT [c·kh·kw, oh·ow] is f32_im2col's cols transposed
// (row (ci·kh + ky)·kw + kx, column oy·ow + ox, 0 outside the image). Each row is ow-float runs of
// input rows shifted by the tap: stride-1 columns move as 4-float copies. A sparse weight's product
// reads it row by row (f32_spmm_csr_t) and writes NCHW directly. Nothing is done for bad sizes (as
// f32_im2col) or an empty output.
export function f32_im2col_t(c: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, dh: i32, dw: i32, x: usize, colsT: usize): void {
  if (badArgs(1, c, h, w, sh, sw, ph, pw, dh, dw) || kh < 1 || kw < 1) return;
  const oh = outSize(h, kh, sh, ph, dh);
  const ow = outSize(w, kw, sw, pw, dw);
  if (oh == 0 || ow == 0) return;
  const rowBytes = <usize>ow << 2;
  let d = colsT;
  for (let ci = 0; ci < c; ci++) {
    const plane = x + (<usize>ci * <usize>h * <usize>w << 2);
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++) {
        // Columns [oxa, oxb) read inside the row: ix = ox·sw + ix0 ∈ [0, w).
        const ix0 = kx * dw - pw;
        const oxa = ix0 >= 0 ? 0 : min(ow, (sw - 1 - ix0) / sw);
        const oxb = ix0 >= w ? oxa : max(oxa, min(ow, (w - 1 - ix0) / sw + 1));
        const run = oxb - oxa;
        for (let oy = 0; oy < oh; oy++) {
          const iy = oy * sh - ph + ky * dh;
          if (iy < 0 || iy >= h) {
            zeroRun(<usize>ow, d, false);
            d += rowBytes;
            continue;
          }
          const src = plane + (<usize>iy * <usize>w << 2);
          for (let ox = 0; ox < oxa; ox++) store<f32>(d + (<usize>ox << 2), 0);
          if (sw == 1) {
            const s = src + (<usize>(oxa + ix0) << 2);
            const t = d + (<usize>oxa << 2);
            let j = 0;
            for (; j + 4 <= run; j += 4) v128.store(t + (<usize>j << 2), v128.load(s + (<usize>j << 2)));
            if (j < run && run >= 4) v128.store(t + (<usize>(run - 4) << 2), v128.load(s + (<usize>(run - 4) << 2)));
            else for (; j < run; j++) store<f32>(t + (<usize>j << 2), load<f32>(s + (<usize>j << 2)));
          } else {
            for (let ox = oxa; ox < oxb; ox++) store<f32>(d + (<usize>ox << 2), load<f32>(src + (<usize>(ox * sw + ix0) << 2)));
          }
          for (let ox = oxb; ox < ow; ox++) store<f32>(d + (<usize>ox << 2), 0);
          d += rowBytes;
        }
      }
    }
  }
}
