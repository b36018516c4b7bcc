// 2-D pooling over `planes` = n·c independent NCHW planes: x [planes, h, w] → y [planes, oh, ow].
// Window (oy, ox) covers rows oy·sh − ph … + kh − 1 and columns ox·sw − pw … + kw − 1, clipped to
// the plane (padding is −∞ for max, 0 for avg), so any oh, ow stay in bounds of x; y, idx, dy hold
// planes·oh·ow and dx planes·h·w. Rules follow PyTorch's CPU kernels. Fast path: 2×2 stride-2
// unpadded windows, 4 outputs per step (even/odd columns split by shuffles), same results bit for bit.
// Nothing is done when planes, h, w, oh or ow < 0; otherwise every output element is written.

@inline function badArgs(planes: i32, h: i32, w: i32, oh: i32, ow: i32): bool {
  return planes < 0 || h < 0 || w < 0 || oh < 0 || ow < 0;
}

@inline function fast2x2(kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32): bool {
  return kh == 2 && kw == 2 && sh == 2 && sw == 2 && ph == 0 && pw == 0;
}

// Lanes where vcand replaces vbest: it is larger, or the first NaN.
@inline function firstMax(vcand: v128, vbest: v128): v128 {
  return v128.or(f32x4.gt(vcand, vbest), v128.andnot(f32x4.ne(vcand, vcand), f32x4.ne(vbest, vbest)));
}

// y[0:4], idx[0:4] of the 2×2 windows at row iy0, columns 2·ox … 2·ox + 7 of plane xp [h, w].
@inline function max2x2x4(w: i32, iy0: i32, ox: i32, xp: usize, yp: usize, ip: usize): void {
  const base = iy0 * w + 2 * ox;
  const r0 = xp + (<usize>base << 2);
  const r1 = r0 + (<usize>w << 2);
  const va0123 = v128.load(r0);
  const va4567 = v128.load(r0, 16);
  const vb0123 = v128.load(r1);
  const vb4567 = v128.load(r1, 16);
  let vbest = i32x4.shuffle(va0123, va4567, 0, 2, 4, 6);
  let voff = i32x4.splat(0);
  const vcand1 = i32x4.shuffle(va0123, va4567, 1, 3, 5, 7);
  const vcand2 = i32x4.shuffle(vb0123, vb4567, 0, 2, 4, 6);
  const vcand3 = i32x4.shuffle(vb0123, vb4567, 1, 3, 5, 7);
  let vm = firstMax(vcand1, vbest);
  vbest = v128.bitselect(vcand1, vbest, vm);
  if (ip != 0) voff = v128.bitselect(i32x4.splat(1), voff, vm);
  vm = firstMax(vcand2, vbest);
  vbest = v128.bitselect(vcand2, vbest, vm);
  if (ip != 0) voff = v128.bitselect(i32x4.splat(w), voff, vm);
  vm = firstMax(vcand3, vbest);
  vbest = v128.bitselect(vcand3, vbest, vm);
  v128.store(yp + (<usize>ox << 2), vbest);
  if (ip == 0) return;
  voff = v128.bitselect(i32x4.splat(w + 1), voff, vm);
  v128.store(ip + (<usize>ox << 2), i32x4.add(voff, i32x4.add(i32x4.splat(base), i32x4(0, 2, 4, 6))));
}

// y = first maximum of the clipped window (a NaN wins at its first position, row-major),
// idx = its iy·w + ix; an all-padding window gives y = −∞, idx = −1.
@inline function maxWindow(h: i32, w: i32, iy0: i32, ix0: i32, kh: i32, kw: i32, xp: usize, yp: usize, ip: usize): void {
  const y0 = max(iy0, 0);
  const y1 = min(iy0 + kh, h);
  const x0 = max(ix0, 0);
  const x1 = min(ix0 + kw, w);
  let best = -Infinity as f32;
  let at = -1;
  if (y0 < y1 && x0 < x1) {
    at = y0 * w + x0;
    best = load<f32>(xp + (<usize>at << 2));
    for (let row = at - x0; row < y1 * w; row += w) {
      for (let i = row + x0; i < row + x1; i++) {
        const v = load<f32>(xp + (<usize>i << 2));
        const take = !(v <= best) && best == best;
        best = select<f32>(v, best, take);
        at = select<i32>(i, at, take);
      }
    }
  }
  store<f32>(yp, best);
  if (ip != 0) store<i32>(ip, at);
}

// y [planes, oh, ow]; idx (i32) [planes, oh, ow] = flat argmax index within the h·w plane, or idx 0
// for none (inference: the same y, about a third fewer instructions on the 2×2 path).
export function f32_maxpool2d(planes: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32, x: usize, y: usize, idx: usize): void {
  if (badArgs(planes, h, w, oh, ow)) return;
  const nv = fast2x2(kh, kw, sh, sw, ph, pw) ? min(ow, w >> 1) : 0;
  const planeBytes = <usize>h * <usize>w << 2;
  const outBytes = <usize>oh * <usize>ow << 2;
  for (let p = 0; p < planes; p++) {
    const xp = x + <usize>p * planeBytes;
    for (let oy = 0; oy < oh; oy++) {
      const iy0 = oy * sh - ph;
      const yr = y + <usize>p * outBytes + (<usize>oy * <usize>ow << 2);
      const ir = idx == 0 ? 0 : idx + <usize>p * outBytes + (<usize>oy * <usize>ow << 2);
      let ox = 0;
      if (nv >= 4 && iy0 + 2 <= h) {
        for (; ox + 4 <= nv; ox += 4) max2x2x4(w, iy0, ox, xp, yr, ir);
        if (ox < nv) max2x2x4(w, iy0, nv - 4, xp, yr, ir);
        ox = nv;
      }
      for (; ox < ow; ox++) maxWindow(h, w, iy0, ox * sw - pw, kh, kw, xp, yr + (<usize>ox << 2), ir == 0 ? 0 : ir + (<usize>ox << 2));
    }
  }
}

// dx = 0, then dx[plane, idx] += dy in output order; idx outside [0, h·w) is skipped.
export function f32_maxpool2d_backward(planes: i32, h: i32, w: i32, oh: i32, ow: i32, dy: usize, idx: usize, dx: usize): void {
  if (badArgs(planes, h, w, oh, ow)) return;
  const hw = h * w;
  const out = <usize>oh * <usize>ow;
  memory.fill(dx, 0, <usize>planes * <usize>hw << 2);
  for (let p = 0; p < planes; p++) {
    const dxp = dx + (<usize>p * <usize>hw << 2);
    const o0 = <usize>p * out;
    for (let o = o0; o < o0 + out; o++) {
      const i = load<i32>(idx + (o << 2));
      if (<u32>i < <u32>hw) {
        const q = dxp + (<usize>i << 2);
        store<f32>(q, load<f32>(q) + load<f32>(dy + (o << 2)));
      }
    }
  }
}

// PyTorch's divisor: count_include_pad ? window clipped to the padded plane : real pixels in it.
@inline function avgDivisor(h: i32, w: i32, iy0: i32, ix0: i32, kh: i32, kw: i32, ph: i32, pw: i32, count_include_pad: i32): f32 {
  const y1 = min(iy0 + kh, h + ph);
  const x1 = min(ix0 + kw, w + pw);
  if (count_include_pad != 0) return <f32>((y1 - iy0) * (x1 - ix0));
  return <f32>((min(y1, h) - max(iy0, 0)) * (min(x1, w) - max(ix0, 0)));
}

// y[0:4] = (0 + x00 + x01 + x10 + x11) / 4 of the 2×2 windows at row iy0, columns 2·ox … 2·ox + 7.
@inline function avg2x2x4(w: i32, iy0: i32, ox: i32, xp: usize, yp: usize): void {
  const r0 = xp + (<usize>(iy0 * w + 2 * ox) << 2);
  const r1 = r0 + (<usize>w << 2);
  const va0123 = v128.load(r0);
  const va4567 = v128.load(r0, 16);
  const vb0123 = v128.load(r1);
  const vb4567 = v128.load(r1, 16);
  let vsum = f32x4.add(f32x4.splat(0), i32x4.shuffle(va0123, va4567, 0, 2, 4, 6));
  vsum = f32x4.add(vsum, i32x4.shuffle(va0123, va4567, 1, 3, 5, 7));
  vsum = f32x4.add(vsum, i32x4.shuffle(vb0123, vb4567, 0, 2, 4, 6));
  vsum = f32x4.add(vsum, i32x4.shuffle(vb0123, vb4567, 1, 3, 5, 7));
  v128.store(yp + (<usize>ox << 2), f32x4.div(vsum, f32x4.splat(4)));
}

// The 2×2 stride-2 windows are disjoint, so each of their pixels ends as 0 + dy / 4: stored, not
// accumulated, which also makes recomputing a step harmless.
@inline function avgGrad2x2x4(w: i32, iy0: i32, ox: i32, gp: usize, dxp: usize): void {
  const vg = f32x4.add(f32x4.splat(0), f32x4.div(v128.load(gp + (<usize>ox << 2)), f32x4.splat(4)));
  const vg0011 = i32x4.shuffle(vg, vg, 0, 0, 1, 1);
  const vg2233 = i32x4.shuffle(vg, vg, 2, 2, 3, 3);
  const r0 = dxp + (<usize>(iy0 * w + 2 * ox) << 2);
  const r1 = r0 + (<usize>w << 2);
  v128.store(r0, vg0011);
  v128.store(r0, vg2233, 16);
  v128.store(r1, vg0011);
  v128.store(r1, vg2233, 16);
}

// y = (0 + Σ window, row-major) / divisor; 0 for an all-padding window.
export function f32_avgpool2d(planes: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32, count_include_pad: i32, x: usize, y: usize): void {
  if (badArgs(planes, h, w, oh, ow)) return;
  const nv = fast2x2(kh, kw, sh, sw, ph, pw) ? min(ow, w >> 1) : 0;
  const planeBytes = <usize>h * <usize>w << 2;
  const outBytes = <usize>oh * <usize>ow << 2;
  for (let p = 0; p < planes; p++) {
    const xp = x + <usize>p * planeBytes;
    for (let oy = 0; oy < oh; oy++) {
      const iy0 = oy * sh - ph;
      const yr = y + <usize>p * outBytes + (<usize>oy * <usize>ow << 2);
      let ox = 0;
      if (nv >= 4 && iy0 + 2 <= h) {
        for (; ox + 4 <= nv; ox += 4) avg2x2x4(w, iy0, ox, xp, yr);
        if (ox < nv) avg2x2x4(w, iy0, nv - 4, xp, yr);
        ox = nv;
      }
      for (; ox < ow; ox++) {
        const ix0 = ox * sw - pw;
        const y0 = max(iy0, 0);
        const y1 = min(iy0 + kh, h);
        const x0 = max(ix0, 0);
        const x1 = min(ix0 + kw, w);
        let v: f32 = 0;
        if (y0 < y1 && x0 < x1) {
          let sum: f32 = 0;
          for (let iy = y0; iy < y1; iy++) {
            for (let ix = x0; ix < x1; ix++) sum += load<f32>(xp + (<usize>(iy * w + ix) << 2));
          }
          v = sum / avgDivisor(h, w, iy0, ix0, kh, kw, ph, pw, count_include_pad);
        }
        store<f32>(yr + (<usize>ox << 2), v);
      }
    }
  }
}

// dx = 0, then every window pixel += dy / divisor, in output order, row-major within a window.
export function f32_avgpool2d_backward(planes: i32, h: i32, w: i32, kh: i32, kw: i32, sh: i32, sw: i32, ph: i32, pw: i32, oh: i32, ow: i32, count_include_pad: i32, dy: usize, dx: usize): void {
  if (badArgs(planes, h, w, oh, ow)) return;
  const nv = fast2x2(kh, kw, sh, sw, ph, pw) ? min(ow, w >> 1) : 0;
  const planeBytes = <usize>h * <usize>w << 2;
  const outBytes = <usize>oh * <usize>ow << 2;
  memory.fill(dx, 0, <usize>planes * planeBytes);
  for (let p = 0; p < planes; p++) {
    const dxp = dx + <usize>p * planeBytes;
    for (let oy = 0; oy < oh; oy++) {
      const iy0 = oy * sh - ph;
      const gr = dy + <usize>p * outBytes + (<usize>oy * <usize>ow << 2);
      let ox = 0;
      if (nv >= 4 && iy0 + 2 <= h) {
        for (; ox + 4 <= nv; ox += 4) avgGrad2x2x4(w, iy0, ox, gr, dxp);
        if (ox < nv) avgGrad2x2x4(w, iy0, nv - 4, gr, dxp);
        ox = nv;
      }
      for (; ox < ow; ox++) {
        const ix0 = ox * sw - pw;
        const y0 = max(iy0, 0);
        const y1 = min(iy0 + kh, h);
        const x0 = max(ix0, 0);
        const x1 = min(ix0 + kw, w);
        if (y0 >= y1 || x0 >= x1) continue;
        const g = load<f32>(gr + (<usize>ox << 2)) / avgDivisor(h, w, iy0, ix0, kh, kw, ph, pw, count_include_pad);
        for (let iy = y0; iy < y1; iy++) {
          for (let ix = x0; ix < x1; ix++) {
            const q = dxp + (<usize>(iy * w + ix) << 2);
            store<f32>(q, load<f32>(q) + g);
          }
        }
      }
    }
  }
}
