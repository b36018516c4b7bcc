// Correctness + speed harness for assembly/f32-conv (f32_im2col, f32_col2im) and assembly/f32-pool
// (f32_maxpool2d, f32_avgpool2d and their backwards).
//   node bench/dev/conv-kernels.mjs [--quick] [--no-check] [--no-bench] [--wasm FILE]
// Compiles bench/dev/conv-entry.ts with the project's asc flags (unless --wasm is given), checks
// against plain-JS references (float64 where sums are involved, exact f32 order where the kernel
// promises bits), then prints best-of throughput. Exits non-zero on any failure.
import { loadDevWasm } from './wasm-dev.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const quick = flag('--quick');

// ---- build + instantiate -------------------------------------------------------------
const wasm = loadDevWasm('conv-entry.ts', 'conv');
const memory = wasm.memory;

// Bump allocator from 1 MiB, 64-byte aligned, with guard gaps; reset() between cases.
// flush(floats) places a buffer ending exactly at the end of memory (any over-read traps); later
// allocations grow memory past it, so place flushed buffers last (see buffers()).
const BASE = 1 << 20;
const GUARD = 16;
let top = BASE;
function ensure(bytes) { const need = bytes - memory.buffer.byteLength; if (need > 0) memory.grow(Math.ceil(need / 65536)); }
function alloc(floats) {
  const ptr = top + GUARD * 4;
  top = (ptr + (floats + GUARD) * 4 + 63) & ~63;
  ensure(top);
  return ptr;
}
function flush(floats) {
  ensure(top + floats * 4 + 64);
  const ptr = memory.buffer.byteLength - floats * 4;
  top = memory.buffer.byteLength;
  return ptr;
}
const reset = () => { top = BASE; };
const f32 = (ptr, len) => new Float32Array(memory.buffer, ptr, len);
const i32 = (ptr, len) => new Int32Array(memory.buffer, ptr, len);

// ---- random data ---------------------------------------------------------------------
let seed = 0x2545f491;
const rand = () => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) / 4294967296; };
const randInt = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const SPECIAL = [0, -0, 1, -1, 2, -2, -Infinity, Infinity, NaN];
// mode 0: uniform; 1: small integers (ties, ±0); 2: integers with ±Inf/NaN sprinkled in;
// 3: half ±0/±Inf/NaN (several NaNs and infinities per window).
function fillRandom(arr, mode = 0) {
  for (let i = 0; i < arr.length; i++) {
    if (mode === 0) arr[i] = rand() * 2 - 1;
    else if (mode === 1) arr[i] = rand() < 0.1 ? -0 : randInt(-2, 2);
    else arr[i] = rand() < (mode === 2 ? 0.08 : 0.5) ? pick(SPECIAL) : randInt(-2, 2);
  }
  return arr;
}

const SENTINEL = 12345.5;
let failures = 0;
function fail(msg) { failures++; if (failures <= 25) console.error('FAIL', msg); }
const fr = Math.fround;

// Fresh buffers from specs [len, data | null, atEnd]: filled with data (or SENTINEL), margins
// guarded; guardOk() reports writes to the GUARD floats on either side. At most one spec should be
// atEnd: it is placed last, flush with the end of memory, so over-reads of it trap.
function buffers(...specs) {
  const order = specs.map((_, i) => i).sort((i, j) => Number(specs[i][2]) - Number(specs[j][2]));
  const out = [];
  for (const i of order) {
    const [len, data, atEnd] = specs[i];
    const ptr = atEnd ? flush(len) : alloc(len);
    const lo = atEnd ? ptr : ptr - GUARD * 4, n = atEnd ? len : len + 2 * GUARD;
    f32(lo, n).fill(SENTINEL);
    if (data) (data instanceof Int32Array ? i32(ptr, len) : f32(ptr, len)).set(data);
    out[i] = {
      ptr, len, get: () => f32(ptr, len).slice(),
      guardOk: () => atEnd || (f32(ptr - GUARD * 4, GUARD).every((v) => v === SENTINEL) && f32(ptr + len * 4, GUARD).every((v) => v === SENTINEL)),
    };
  }
  return out;
}
function call(tag, fn) {
  try { fn(); return true; } catch (e) { fail(`${tag}: trapped (${e.message})`); return false; }
}

// ---- conv references -----------------------------------------------------------------
const outSize = (h, k, s, p, d) => { const span = h + 2 * p - d * (k - 1) - 1; return span < 0 ? 0 : Math.floor(span / s) + 1; };

function convShape(s) {
  const oh = outSize(s.h, s.kh, s.sh, s.ph, s.dh), ow = outSize(s.w, s.kw, s.sw, s.pw, s.dw);
  const K = s.c * s.kh * s.kw;
  return { oh, ow, K, rows: s.n * oh * ow };
}

// Visits every tap in cols order: f(colsIndex, xIndex or -1 for padding).
function forTaps(s, f) {
  const { oh, ow, K } = convShape(s);
  let r = 0;
  for (let b = 0; b < s.n; b++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++, r++) {
    for (let ci = 0; ci < s.c; ci++) for (let ky = 0; ky < s.kh; ky++) for (let kx = 0; kx < s.kw; kx++) {
      const iy = oy * s.sh - s.ph + ky * s.dh, ix = ox * s.sw - s.pw + kx * s.dw;
      const inside = iy >= 0 && iy < s.h && ix >= 0 && ix < s.w;
      f(r * K + (ci * s.kh + ky) * s.kw + kx, inside ? ((b * s.c + ci) * s.h + iy) * s.w + ix : -1);
    }
  }
}
function im2colRef(s, X) {
  const { rows, K } = convShape(s);
  const cols = new Float32Array(rows * K);
  forTaps(s, (ci, xi) => { cols[ci] = xi < 0 ? 0 : X[xi]; });
  return cols;
}
// Same (row, col) order as the kernel promises, summed in f32 from +0.
function col2imRef(s, G) {
  const X = new Float32Array(s.n * s.c * s.h * s.w);
  forTaps(s, (ci, xi) => { if (xi >= 0) X[xi] = fr(X[xi] + G[ci]); });
  return X;
}
// Direct NCHW convolution in f64: y[b, oc, oy, ox] = Σ x·W[oc, (ci·kh + ky)·kw + kx].
function convDirect(s, X, W, oc) {
  const { oh, ow, K } = convShape(s);
  const y = new Float64Array(s.n * oc * oh * ow), mag = new Float64Array(y.length);
  for (let b = 0; b < s.n; b++) for (let o = 0; o < oc; o++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
    let acc = 0, m = 0;
    for (let ci = 0; ci < s.c; ci++) for (let ky = 0; ky < s.kh; ky++) for (let kx = 0; kx < s.kw; kx++) {
      const iy = oy * s.sh - s.ph + ky * s.dh, ix = ox * s.sw - s.pw + kx * s.dw;
      if (iy < 0 || iy >= s.h || ix < 0 || ix >= s.w) continue;
      const p = X[((b * s.c + ci) * s.h + iy) * s.w + ix] * W[o * K + (ci * s.kh + ky) * s.kw + kx];
      acc += p; m += Math.abs(p);
    }
    const e = ((b * oc + o) * oh + oy) * ow + ox;
    y[e] = acc; mag[e] = m;
  }
  return { y, mag };
}

const same = (a, b) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));
function firstDiff(got, exp) { for (let i = 0; i < exp.length; i++) if (!same(got[i], exp[i])) return i; return -1; }

function checkConv(s, where = 'none') {
  reset();
  const { oh, ow, K, rows } = convShape(s);
  const mode = pick([0, 0, 0, 0, 0, 0, 1, 1, 2, 3]);
  const tag = `conv n=${s.n} c=${s.c} ${s.h}x${s.w} k=${s.kh}x${s.kw} s=${s.sh},${s.sw} p=${s.ph},${s.pw} d=${s.dh},${s.dw} data=${mode} flush=${where}`;
  const xLen = s.n * s.c * s.h * s.w, cLen = rows * K;
  const X = fillRandom(new Float32Array(xLen), mode);
  // im2col: cols must be the exact taps (bits, incl. −0), x untouched, nothing outside cols written.
  const [xb, cb] = buffers([xLen, X, where === 'x'], [cLen, null, where === 'cols']);
  if (!call(tag, () => wasm.f32_im2col(s.n, s.c, s.h, s.w, s.kh, s.kw, s.sh, s.sw, s.ph, s.pw, s.dh, s.dw, xb.ptr, cb.ptr))) return;
  const cols = cb.get(), ref = im2colRef(s, X);
  const d = firstDiff(cols, ref);
  if (d >= 0) return fail(`${tag}: im2col cols[${Math.floor(d / K)}, ${d % K}] = ${cols[d]}, expected ${ref[d]}`);
  if (!cb.guardOk() || !xb.guardOk() || firstDiff(xb.get(), X) >= 0) return fail(`${tag}: im2col wrote outside cols`);
  // conv = cols · Wᵀ (f64) against the direct loop (finite data only).
  const oc = 3, W = fillRandom(new Float64Array(oc * K));
  const { y, mag } = convDirect(s, X, W, oc);
  for (let r = 0; r < (mode < 2 ? rows : 0); r++) {
    const b = Math.floor(r / (oh * ow)), p = r % (oh * ow);
    for (let o = 0; o < oc; o++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += cols[r * K + k] * W[o * K + k];
      const e = (b * oc + o) * oh * ow + p;
      if (Math.abs(acc - y[e]) > 1e-12 * mag[e] + 1e-300) return fail(`${tag}: conv via im2col ${acc} vs direct ${y[e]}`);
    }
  }
  // col2im: bit-identical to the ordered f32 scatter, and the adjoint identity in f64.
  reset();
  const G = fillRandom(new Float32Array(cLen), mode);
  const [gb, ob] = buffers([cLen, G, where === 'cols'], [xLen, null, where === 'x']);
  if (!call(tag, () => wasm.f32_col2im(s.n, s.c, s.h, s.w, s.kh, s.kw, s.sh, s.sw, s.ph, s.pw, s.dh, s.dw, gb.ptr, ob.ptr))) return;
  const XT = ob.get(), XR = col2imRef(s, G);
  const e = firstDiff(XT, XR);
  if (e >= 0) return fail(`${tag}: col2im x[${e}] = ${XT[e]}, expected ${XR[e]}`);
  if (!ob.guardOk() || !gb.guardOk() || firstDiff(gb.get(), G) >= 0) return fail(`${tag}: col2im wrote outside x`);
  if (mode >= 2) return;
  let lhs = 0, rhs = 0, m = 0;
  for (let i = 0; i < cLen; i++) { lhs += cols[i] * G[i]; m += Math.abs(cols[i] * G[i]); }
  for (let i = 0; i < xLen; i++) rhs += X[i] * XT[i];
  if (Math.abs(lhs - rhs) > 1e-5 * m + 1e-30) fail(`${tag}: <im2col x, g> = ${lhs} but <x, col2im g> = ${rhs}`);
}

// ---- pool references (PyTorch CPU semantics) ------------------------------------------
function poolWindow(p, oy, ox) {
  const iy0 = oy * p.sh - p.ph, ix0 = ox * p.sw - p.pw;
  const ye = Math.min(iy0 + p.kh, p.h + p.ph), xe = Math.min(ix0 + p.kw, p.w + p.pw);
  const y0 = Math.max(iy0, 0), x0 = Math.max(ix0, 0), y1 = Math.min(ye, p.h), x1 = Math.min(xe, p.w);
  const div = p.cip ? (ye - iy0) * (xe - ix0) : (y1 - y0) * (x1 - x0);
  return { y0, y1, x0, x1, div };
}
function maxpoolRef(p, X) {
  const y = new Float32Array(p.planes * p.oh * p.ow), idx = new Int32Array(y.length);
  for (let q = 0, o = 0; q < p.planes; q++) for (let oy = 0; oy < p.oh; oy++) for (let ox = 0; ox < p.ow; ox++, o++) {
    const { y0, y1, x0, x1 } = poolWindow(p, oy, ox);
    let best = -Infinity, at = -1;
    outer: for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) {
      const v = X[q * p.h * p.w + iy * p.w + ix];
      if (at < 0 || v > best || Number.isNaN(v)) { best = v; at = iy * p.w + ix; if (Number.isNaN(v)) break outer; }
    }
    y[o] = best; idx[o] = at;
  }
  return { y, idx };
}
function maxpoolBackRef(p, dy, idx) {
  const dx = new Float32Array(p.planes * p.h * p.w);
  for (let q = 0, o = 0; q < p.planes; q++) for (let k = 0; k < p.oh * p.ow; k++, o++) {
    if (idx[o] >= 0 && idx[o] < p.h * p.w) dx[q * p.h * p.w + idx[o]] = fr(dx[q * p.h * p.w + idx[o]] + dy[o]);
  }
  return dx;
}
function avgpoolRef(p, X) {
  const y = new Float32Array(p.planes * p.oh * p.ow), y64 = new Float64Array(y.length);
  for (let q = 0, o = 0; q < p.planes; q++) for (let oy = 0; oy < p.oh; oy++) for (let ox = 0; ox < p.ow; ox++, o++) {
    const { y0, y1, x0, x1, div } = poolWindow(p, oy, ox);
    if (y0 >= y1 || x0 >= x1) continue;
    let s = 0, s64 = 0;
    for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) { const v = X[q * p.h * p.w + iy * p.w + ix]; s = fr(s + v); s64 += v; }
    y[o] = fr(s / div); y64[o] = s64 / div;
  }
  return { y, y64 };
}
function avgpoolBackRef(p, dy) {
  const dx = new Float32Array(p.planes * p.h * p.w);
  for (let q = 0, o = 0; q < p.planes; q++) for (let oy = 0; oy < p.oh; oy++) for (let ox = 0; ox < p.ow; ox++, o++) {
    const { y0, y1, x0, x1, div } = poolWindow(p, oy, ox);
    if (y0 >= y1 || x0 >= x1) continue;
    const g = fr(dy[o] / div);
    for (let iy = y0; iy < y1; iy++) for (let ix = x0; ix < x1; ix++) { const i = q * p.h * p.w + iy * p.w + ix; dx[i] = fr(dx[i] + g); }
  }
  return dx;
}

// PyTorch output size, ceil_mode included: the last window must start inside the input or left padding.
function poolOut(h, k, s, p, ceil) {
  let o = Math.floor((h + 2 * p - k + (ceil ? s - 1 : 0)) / s) + 1;
  if (ceil && (o - 1) * s >= h + p) o--;
  return o;
}

function checkPool(p, mode, where = 'none') {
  reset();
  const tag = `pool planes=${p.planes} ${p.h}x${p.w} k=${p.kh}x${p.kw} s=${p.sh},${p.sw} p=${p.ph},${p.pw} out=${p.oh}x${p.ow} cip=${p.cip} data=${mode} flush=${where}`;
  const xLen = p.planes * p.h * p.w, yLen = p.planes * p.oh * p.ow;
  const X = fillRandom(new Float32Array(xLen), mode);
  const a = [p.planes, p.h, p.w, p.kh, p.kw, p.sh, p.sw, p.ph, p.pw, p.oh, p.ow];
  let [xb, yb, ib] = buffers([xLen, X, where === 'x'], [yLen, null, where === 'y'], [yLen, null, false]);
  if (!call(tag, () => wasm.f32_maxpool2d(...a, xb.ptr, yb.ptr, ib.ptr))) return;
  const mr = maxpoolRef(p, X), Y = yb.get(), I = i32(ib.ptr, yLen).slice();
  let d = firstDiff(Y, mr.y);
  if (d >= 0) return fail(`${tag}: maxpool y[${d}] = ${Y[d]}, expected ${mr.y[d]}`);
  d = firstDiff(I, mr.idx);
  if (d >= 0) return fail(`${tag}: maxpool idx[${d}] = ${I[d]}, expected ${mr.idx[d]}`);
  if (!yb.guardOk() || !ib.guardOk() || !xb.guardOk() || firstDiff(xb.get(), X) >= 0) return fail(`${tag}: maxpool wrote outside y, idx`);

  const DY = fillRandom(new Float32Array(yLen), mode >= 2 ? 1 : mode);
  reset();
  let [gb, jb, db] = buffers([yLen, DY, where === 'y'], [yLen, I, where === 'idx'], [xLen, null, where === 'x']);
  if (!call(tag, () => wasm.f32_maxpool2d_backward(p.planes, p.h, p.w, p.oh, p.ow, gb.ptr, jb.ptr, db.ptr))) return;
  const DX = db.get(), mb = maxpoolBackRef(p, DY, I);
  d = firstDiff(DX, mb);
  if (d >= 0) return fail(`${tag}: maxpool backward dx[${d}] = ${DX[d]}, expected ${mb[d]}`);
  if (!db.guardOk()) return fail(`${tag}: maxpool backward wrote outside dx`);

  for (const cip of [0, 1]) {
    const q = { ...p, cip };
    reset();
    [xb, yb] = buffers([xLen, X, where === 'x'], [yLen, null, where === 'y']);
    if (!call(tag, () => wasm.f32_avgpool2d(...a, cip, xb.ptr, yb.ptr))) return;
    const A = yb.get(), ar = avgpoolRef(q, X);
    d = firstDiff(A, ar.y);
    if (d >= 0) return fail(`${tag} cip=${cip}: avgpool y[${d}] = ${A[d]}, expected ${ar.y[d]} (f64 ${ar.y64[d]})`);
    for (let i = 0; i < yLen; i++) {
      if (Number.isFinite(ar.y64[i]) && !(Math.abs(A[i] - ar.y64[i]) <= 1e-6 * Math.max(1, Math.abs(ar.y64[i])))) {
        return fail(`${tag} cip=${cip}: avgpool y[${i}] = ${A[i]} vs f64 ${ar.y64[i]}`);
      }
    }
    if (!yb.guardOk()) return fail(`${tag} cip=${cip}: avgpool wrote outside y`);
    reset();
    [gb, db] = buffers([yLen, DY, where === 'y'], [xLen, null, where === 'x']);
    if (!call(tag, () => wasm.f32_avgpool2d_backward(...a, cip, gb.ptr, db.ptr))) return;
    const B = db.get(), br = avgpoolBackRef(q, DY);
    d = firstDiff(B, br);
    if (d >= 0) return fail(`${tag} cip=${cip}: avgpool backward dx[${d}] = ${B[d]}, expected ${br[d]}`);
    if (!db.guardOk()) return fail(`${tag} cip=${cip}: avgpool backward wrote outside dx`);
  }
}

function runChecks() {
  const t0 = performance.now();
  let convCases = 0, poolCases = 0;
  const conv = (s) => { convCases++; checkConv(s, pick(['none', 'none', 'x', 'cols'])); };
  // Hand-picked: 1×1 (transpose path and strided), 3×3 pad 1 (quad runs), wide kernels (copyRun), dilation.
  for (const [c, h, w] of [[1, 1, 1], [3, 5, 7], [4, 4, 4], [5, 3, 9], [8, 2, 2], [7, 6, 5], [16, 8, 8]]) {
    for (const n of [1, 2]) {
      conv({ n, c, h, w, kh: 1, kw: 1, sh: 1, sw: 1, ph: 0, pw: 0, dh: 1, dw: 1 });
      conv({ n, c, h, w, kh: 1, kw: 1, sh: 2, sw: 2, ph: 0, pw: 0, dh: 1, dw: 1 });
      conv({ n, c, h, w, kh: 1, kw: 1, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1 });
    }
  }
  for (const kw of [1, 2, 3, 4, 5, 7, 8, 9]) for (const w of [kw, kw + 1, kw + 3, kw + 4, 13]) {
    for (const pw of [0, 1, 2]) conv({ n: 2, c: 2, h: 4, w, kh: 2, kw, sh: 1, sw: 1, ph: 1, pw, dh: 1, dw: 1 });
  }
  conv({ n: 3, c: 2, h: 28, w: 28, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1 });
  conv({ n: 2, c: 5, h: 14, w: 14, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1 });
  conv({ n: 1, c: 1, h: 1, w: 1, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1 });
  conv({ n: 1, c: 2, h: 2, w: 3, kh: 3, kw: 3, sh: 2, sw: 3, ph: 2, pw: 2, dh: 2, dw: 2 });
  // Empty images and batches: padding-only windows, zero rows.
  conv({ n: 2, c: 2, h: 0, w: 5, kh: 1, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1 });
  conv({ n: 1, c: 3, h: 2, w: 0, kh: 3, kw: 1, sh: 1, sw: 1, ph: 1, pw: 2, dh: 1, dw: 1 });
  conv({ n: 0, c: 3, h: 4, w: 4, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1 });
  conv({ n: 2, c: 0, h: 4, w: 4, kh: 3, kw: 3, sh: 1, sw: 1, ph: 1, pw: 1, dh: 1, dw: 1 });
  for (let t = 0; t < (quick ? 250 : 1000); t++) {
    const s = {
      n: randInt(1, 3), c: randInt(1, 4), h: randInt(1, 30), w: randInt(1, 30),
      kh: randInt(1, 5), kw: pick([1, 2, 3, 3, 4, 5, 7]), sh: randInt(1, 3), sw: pick([1, 1, 2, 3]),
      ph: randInt(0, 2), pw: randInt(0, 2), dh: randInt(1, 2), dw: pick([1, 1, 2]),
    };
    const { oh, ow } = convShape(s);
    if (oh < 1 || ow < 1) { t--; continue; }
    conv(s);
  }
  // Invalid sizes write nothing (and do not trap).
  {
    reset();
    const [cb, xb] = buffers([64, null, false], [64, null, false]);
    const bad = [[0, 1, 4, 4, 3, 3, 1, 1, 1, 1, 1, 1], [1, 1, 4, 4, 3, 3, 0, 1, 1, 1, 1, 1], [1, 1, 4, 4, 3, 3, 1, 1, -1, 1, 1, 1],
      [1, 1, 4, 4, 3, 3, 1, 1, 1, 1, 0, 1], [1, 1, -4, 4, 3, 3, 1, 1, 1, 1, 1, 1], [1, 1, 2, 2, 5, 5, 1, 1, 0, 0, 1, 1]];
    for (const b of bad) {
      call(`im2col bad ${b}`, () => wasm.f32_im2col(...b, xb.ptr, cb.ptr));
      if (!f32(cb.ptr, 64).every((v) => v === SENTINEL)) fail(`im2col bad args ${b} wrote cols`);
    }
    for (const b of bad.slice(0, 5)) {
      call(`col2im bad ${b}`, () => wasm.f32_col2im(...b, cb.ptr, xb.ptr));
      if (!f32(xb.ptr, 64).every((v) => v === SENTINEL)) fail(`col2im bad args ${b} wrote x`);
    }
    // No taps (kh = 0) or no output pixels: col2im still defines x = 0.
    for (const b of [[2, 2, 4, 4, 0, 3, 1, 1, 1, 1, 1, 1], [1, 4, 4, 4, 5, 5, 1, 1, 0, 0, 1, 1]]) {
      call(`col2im empty ${b}`, () => wasm.f32_col2im(...b, cb.ptr, xb.ptr));
      const x = f32(xb.ptr, 64);
      if (!x.every((v) => Object.is(v, 0)) || !xb.guardOk()) fail(`col2im ${b} did not zero x`);
      x.fill(SENTINEL);
    }
  }

  const pool = (p, mode) => { poolCases++; checkPool(p, mode, pick(['none', 'none', 'x', 'y', 'idx'])); };
  // The 2×2 stride-2 fast path around its 4-output step: ow = 1..13, odd/even sizes, ceil mode.
  for (let h = 2; h <= 9; h++) for (let w = 2; w <= 27; w++) for (const ceil of [false, true]) {
    const oh = poolOut(h, 2, 2, 0, ceil), ow = poolOut(w, 2, 2, 0, ceil);
    pool({ planes: randInt(1, 3), h, w, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0, oh, ow }, randInt(0, 3));
  }
  for (let t = 0; t < (quick ? 250 : 1000); t++) {
    const kh = randInt(1, 4), kw = randInt(1, 4), sh = randInt(1, 3), sw = randInt(1, 3);
    const ph = randInt(0, kh >> 1), pw = randInt(0, kw >> 1), ceil = rand() < 0.3;
    const h = randInt(1, 30), w = randInt(1, 30);
    if (h + 2 * ph < kh || w + 2 * pw < kw) { t--; continue; }
    const oh = poolOut(h, kh, sh, ph, ceil), ow = poolOut(w, kw, sw, pw, ceil);
    pool({ planes: randInt(1, 4), h, w, kh, kw, sh, sw, ph, pw, oh, ow }, randInt(0, 3));
  }
  pool({ planes: 2, h: 28, w: 28, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0, oh: 14, ow: 14 }, 3);
  pool({ planes: 2, h: 14, w: 14, kh: 3, kw: 3, sh: 2, sw: 2, ph: 1, pw: 1, oh: 7, ow: 7 }, 2);
  // All-padding windows (outside PyTorch's rules): y = −∞, idx = −1, avg 0, nothing out of bounds.
  pool({ planes: 1, h: 2, w: 2, kh: 1, kw: 1, sh: 2, sw: 2, ph: 1, pw: 1, oh: 2, ow: 2 }, 0);
  pool({ planes: 2, h: 0, w: 3, kh: 2, kw: 2, sh: 1, sw: 1, ph: 1, pw: 1, oh: 1, ow: 4 }, 0);
  pool({ planes: 3, h: 4, w: 4, kh: 0, kw: 2, sh: 1, sw: 1, ph: 0, pw: 0, oh: 2, ow: 3 }, 0);
  pool({ planes: 0, h: 4, w: 4, kh: 2, kw: 2, sh: 2, sw: 2, ph: 0, pw: 0, oh: 2, ow: 2 }, 0);
  console.log(`checks: ${failures === 0 ? 'ok' : `${failures} FAILED`} (${convCases} conv, ${poolCases} pool cases, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

// ---- speed ---------------------------------------------------------------------------
function bestOf(fn) {
  fn();
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) fn();
    if (performance.now() - t0 >= 20) break;
    reps *= 2;
  }
  let best = Infinity;
  for (let run = 0; run < (quick ? 5 : 11); run++) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) fn();
    best = Math.min(best, (performance.now() - t0) / reps);
  }
  return best;
}
// Baseline, same run: a memory.copy (Uint8Array.copyWithin) with the same read + write traffic.
function copyMs(traffic) {
  reset();
  const bytes = Math.round(traffic / 8) * 4;
  const a = alloc(bytes / 4), b = alloc(bytes / 4);
  const u8 = new Uint8Array(memory.buffer);
  return bestOf(() => u8.copyWithin(b, a, a + bytes));
}
// elems: the work unit (cols entries for im2col/col2im, input pixels for pools); traffic: bytes read + written.
function report(name, elems, traffic, ms) {
  const base = copyMs(traffic);
  console.log(`${name.padEnd(46)} ${(elems / ms / 1e6).toFixed(2).padStart(6)} Gelem/s  ${ms.toFixed(3).padStart(8)} ms  ${(traffic / ms / 1e6).toFixed(1).padStart(5)} GB/s  ${(ms / base).toFixed(2).padStart(5)}x memcpy`);
}

function benchConv(n, c, h, w, k, pad) {
  reset();
  const s = { n, c, h, w, kh: k, kw: k, sh: 1, sw: 1, ph: pad, pw: pad, dh: 1, dw: 1 };
  const { rows, K } = convShape(s);
  const xLen = n * c * h * w, cLen = rows * K;
  const x = alloc(xLen), cols = alloc(cLen);
  f32(x, xLen).set(fillRandom(new Float32Array(xLen)));
  const a = [n, c, h, w, k, k, 1, 1, pad, pad, 1, 1];
  const shape = `[${n}, ${c}, ${h}, ${w}] ${k}x${k} pad ${pad}`;
  report(`im2col ${shape}`, cLen, (xLen + cLen) * 4, bestOf(() => wasm.f32_im2col(...a, x, cols)));
  report(`col2im ${shape}`, cLen, (xLen + cLen) * 4, bestOf(() => wasm.f32_col2im(...a, cols, x)));
}

function benchPool(planesN, c, h, w) {
  reset();
  const planes = planesN * c, oh = h >> 1, ow = w >> 1;
  const xLen = planes * h * w, yLen = planes * oh * ow;
  const owp = (w + 2) >> 1;
  const x = alloc(xLen), y = alloc(planes * oh * owp), idx = alloc(planes * oh * owp);
  f32(x, xLen).set(fillRandom(new Float32Array(xLen)));
  const a = [planes, h, w, 2, 2, 2, 2, 0, 0, oh, ow];
  const shape = `[${planesN}, ${c}, ${h}, ${w}] 2x2/2`;
  report(`maxpool ${shape}`, xLen, (xLen + 2 * yLen) * 4, bestOf(() => wasm.f32_maxpool2d(...a, x, y, idx)));
  report(`maxpool_backward ${shape}`, xLen, (xLen + 2 * yLen) * 4, bestOf(() => wasm.f32_maxpool2d_backward(planes, h, w, oh, ow, y, idx, x)));
  f32(x, xLen).set(fillRandom(new Float32Array(xLen)));
  report(`avgpool ${shape}`, xLen, (xLen + yLen) * 4, bestOf(() => wasm.f32_avgpool2d(...a, 1, x, y)));
  report(`avgpool_backward ${shape}`, xLen, (xLen + yLen) * 4, bestOf(() => wasm.f32_avgpool2d_backward(...a, 1, y, x)));
  // The general path on the same sizes: 2×2 stride 2 with one padding column (not the fast path).
  report(`maxpool ${shape} pw=1 (general path)`, xLen, (xLen + 2 * planes * oh * owp) * 4, bestOf(() => wasm.f32_maxpool2d(planes, h, w, 2, 2, 2, 2, 0, 1, oh, owp, x, y, idx)));
}

function runBench() {
  console.log('Gelem/s: cols entries (im2col, col2im) or input pixels (pools); GB/s: bytes read + written; x memcpy: time over a memcpy with that traffic');
  benchConv(128, 1, 28, 28, 3, 1);
  benchConv(128, 32, 14, 14, 3, 1);
  benchConv(128, 64, 7, 7, 1, 0);
  benchPool(128, 32, 28, 28);
  benchPool(128, 64, 14, 14);
}

if (!flag('--no-check')) runChecks();
if (!flag('--no-bench')) runBench();
if (failures > 0) process.exit(1);
