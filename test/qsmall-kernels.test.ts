// The small int8 and storage-format kernels (x8_im2col, qs8_maxpool2d, x8_lut, qs8_f32_vcvt, the f16,
// bf16 and fp8 vcvts) against their scalar references in src/quant/qsmall-ref.ts: exact equality, at
// tile boundaries, on every code for decoding and on ties, subnormals, overflow, Inf and NaN for encoding.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import './setup.js';
import { bytesOf, runKernel } from './kernel-io.js';
import { kernels, u8View } from '../src/backend/binding.js';
import * as ref from '../src/quant/qsmall-ref.js';
import * as st from '../src/index.js';



const TILE_LENGTHS = [0, 1, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 127, 128, 129, 257, 1000];
const randomBytes = (n: number, seed: number): Uint8Array => {
  const a = new Uint8Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) a[i] = (s = Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9 >>> 0) >>> 24;
  return a;
};

const outSize = (h: number, k: number, s: number, p: number, d: number): number => Math.max(0, Math.floor((h + 2 * p - d * (k - 1) - 1) / s) + 1);

test('x8_im2col equals the reference (pad byte outside the image) for any geometry, including pointwise and long runs', () => {
  const geom = fc.record({
    n: fc.integer({ min: 0, max: 2 }), c: fc.integer({ min: 1, max: 4 }), h: fc.integer({ min: 1, max: 9 }), w: fc.integer({ min: 1, max: 24 }),
    kh: fc.integer({ min: 1, max: 4 }), kw: fc.constantFrom(1, 2, 3, 5, 16, 17), sh: fc.integer({ min: 1, max: 3 }), sw: fc.integer({ min: 1, max: 3 }),
    ph: fc.integer({ min: 0, max: 2 }), pw: fc.integer({ min: 0, max: 3 }), dh: fc.integer({ min: 1, max: 2 }), dw: fc.integer({ min: 1, max: 2 }),
    pad: fc.integer({ min: -128, max: 127 }), seed: fc.integer(), pointwise: fc.boolean(), cWide: fc.constantFrom(15, 16, 17, 32, 33),
  });
  fc.assert(fc.property(geom, (g) => {
    const [kh, kw, sh, sw, ph, pw] = g.pointwise ? [1, 1, 1, 1, 0, 0] : [g.kh, g.kw, g.sh, g.sw, g.ph, g.pw];
    const c = g.pointwise ? g.cWide : g.c; // pointwise: the 16×16 byte-transpose blocks and their edges
    const x = new Int8Array(randomBytes(g.n * c * g.h * g.w, g.seed).buffer);
    const oh = outSize(g.h, kh, sh, ph, g.dh), ow = outSize(g.w, kw, sw, pw, g.dw);
    const want = new Int8Array(g.n * oh * ow * c * kh * kw);
    ref.x8Im2colRef(g.n, c, g.h, g.w, kh, kw, sh, sw, ph, pw, g.dh, g.dw, x, want, g.pad);
    const [got] = runKernel([bytesOf(x)], [want.length], ([px, pc]) =>
      kernels().x8_im2col(g.n, c, g.h, g.w, kh, kw, sh, sw, ph, pw, g.dh, g.dw, px!, pc!, g.pad));
    assert.deepEqual(got, bytesOf(want));
  }), { numRuns: 300 });
});

test('qs8_maxpool2d equals the reference on both SIMD column strides, narrow planes (≤ 16 outputs a row), clipped windows and extra (ceil-mode) outputs', () => {
  const geom = fc.record({
    planes: fc.integer({ min: 0, max: 3 }), h: fc.integer({ min: 1, max: 7 }), w: fc.integer({ min: 1, max: 80 }),
    kh: fc.integer({ min: 1, max: 4 }), kw: fc.integer({ min: 1, max: 4 }), sh: fc.integer({ min: 1, max: 3 }), sw: fc.constantFrom(1, 2, 2, 3),
    padH: fc.boolean(), padW: fc.boolean(), bigPad: fc.boolean(), extra: fc.integer({ min: 0, max: 1 }), seed: fc.integer(),
  });
  fc.assert(fc.property(geom, (g) => {
    const ph = g.padH ? g.kh >> 1 : g.bigPad ? g.kh : 0, pw = g.padW ? g.kw >> 1 : g.bigPad ? g.kw : 0; // bigPad: all-padding windows (not PyTorch-legal)
    const oh = outSize(g.h, g.kh, g.sh, ph, 1) + g.extra, ow = outSize(g.w, g.kw, g.sw, pw, 1) + g.extra;
    const x = new Int8Array(randomBytes(g.planes * g.h * g.w, g.seed).buffer);
    const want = new Int8Array(g.planes * oh * ow);
    ref.qs8Maxpool2dRef(g.planes, g.h, g.w, g.kh, g.kw, g.sh, g.sw, ph, pw, oh, ow, x, want);
    const [got] = runKernel([bytesOf(x)], [want.length], ([px, py]) =>
      kernels().qs8_maxpool2d(g.planes, g.h, g.w, g.kh, g.kw, g.sh, g.sw, ph, pw, oh, ow, px!, py!));
    assert.deepEqual(got, bytesOf(want));
  }), { numRuns: 300 });
  // Extremes: all −128 and all 127 planes.
  for (const v of [-128, 127]) {
    const x = new Int8Array(3 * 40).fill(v);
    const want = new Int8Array(20);
    ref.qs8Maxpool2dRef(1, 3, 40, 3, 2, 2, 2, 1, 0, 1, 20, x, want);
    const [got] = runKernel([bytesOf(x)], [20], ([px, py]) => kernels().qs8_maxpool2d(1, 3, 40, 3, 2, 2, 2, 1, 0, 1, 20, px!, py!));
    assert.deepEqual(got, bytesOf(want));
  }
});

test('qs8_maxpool2d\'s 2×2 stride-2 path (row pairs, 16 outputs a step) equals the reference: odd sizes, row ends past 16/32 outputs, the last pair of x', () => {
  const geom = fc.record({
    planes: fc.integer({ min: 0, max: 5 }), h: fc.integer({ min: 1, max: 12 }),
    w: fc.oneof(fc.constantFrom(1, 2, 3, 28, 14, 30, 31, 32, 33, 34, 63, 64, 65, 66, 97), fc.integer({ min: 1, max: 80 })),
    shorter: fc.boolean(), seed: fc.integer(),
  });
  fc.assert(fc.property(geom, (g) => {
    // PyTorch's floor sizes, or fewer outputs than fit (still 2·oh ≤ h, 2·ow ≤ w).
    const oh = Math.max(0, (g.h >> 1) - (g.shorter ? 1 : 0)), ow = Math.max(0, (g.w >> 1) - (g.shorter ? 1 : 0));
    const x = new Int8Array(randomBytes(g.planes * g.h * g.w, g.seed).buffer);
    const want = new Int8Array(g.planes * oh * ow);
    ref.qs8Maxpool2dRef(g.planes, g.h, g.w, 2, 2, 2, 2, 0, 0, oh, ow, x, want);
    const [got] = runKernel([bytesOf(x)], [want.length], ([px, py]) =>
      kernels().qs8_maxpool2d(g.planes, g.h, g.w, 2, 2, 2, 2, 0, 0, oh, ow, px!, py!));
    assert.deepEqual(got, bytesOf(want));
  }), { numRuns: 400 });
  for (const v of [-128, 127]) {
    const x = new Int8Array(2 * 28 * 28).fill(v);
    const want = new Int8Array(2 * 14 * 14);
    ref.qs8Maxpool2dRef(2, 28, 28, 2, 2, 2, 2, 0, 0, 14, 14, x, want);
    const [got] = runKernel([bytesOf(x)], [want.length], ([px, py]) => kernels().qs8_maxpool2d(2, 28, 28, 2, 2, 2, 2, 0, 0, 14, 14, px!, py!));
    assert.deepEqual(got, bytesOf(want));
  }
});

test('x8_lut equals table[x] at tile boundaries, out of place and in place', () => {
  fc.assert(fc.property(fc.constantFrom(...TILE_LENGTHS), fc.integer(), (n, seed) => {
    const x = randomBytes(n, seed);
    x.fill(255, 0, Math.min(n, 3)); // the last table entry
    const table = randomBytes(256, seed + 1);
    const want = new Uint8Array(n);
    ref.x8LutRef(n, x, want, table);
    const [got] = runKernel([x, table], [n], ([px, pt, py]) => kernels().x8_lut(n, px!, py!, pt!));
    assert.deepEqual(got, want);
  }), { numRuns: 200 });
  // In place: read back through a dedicated run.
  for (const n of TILE_LENGTHS) {
    const x = randomBytes(n, n), table = randomBytes(256, 7), want = new Uint8Array(n);
    ref.x8LutRef(n, x, want, table);
    const [got] = runKernel([table], [n], ([pt, py]) => {
      u8View().set(x, py!);
      kernels().x8_lut(n, py!, py!, pt!);
    });
    assert.deepEqual(got, want);
  }
});

test('qs8_f32_vcvt equals f32(x − zp) · scale bit for bit, for any scale and zero point', () => {
  const f32 = fc.float({ noNaN: true, noDefaultInfinity: true, min: Math.fround(-1e30), max: Math.fround(1e30) });
  fc.assert(fc.property(fc.constantFrom(...TILE_LENGTHS), fc.integer(), f32, fc.oneof(fc.integer({ min: -128, max: 127 }), fc.integer({ min: -70000, max: 70000 })), (n, seed, scale, zp) => {
    const x = new Int8Array(randomBytes(n, seed).buffer);
    if (n > 1) { x[0] = -128; x[1] = 127; }
    const want = new Float32Array(n);
    ref.qs8F32VcvtRef(n, x, want, scale, zp);
    const [got] = runKernel([bytesOf(x)], [4 * n], ([px, py]) => kernels().qs8_f32_vcvt(n, px!, py!, scale, zp));
    assert.deepEqual(got, bytesOf(want));
  }), { numRuns: 200 });
});

// ---- storage formats --------------------------------------------------------------------------

const allU16 = Uint16Array.from({ length: 65536 }, (_, i) => i);
const allU8 = Uint8Array.from({ length: 256 }, (_, i) => i);

/** f32 bit patterns that stress an encoder whose codes decode to `decoded` (bits): each value, ±1 ulp, the midpoints to the next code (ties) ±1 ulp, both signs; plus specials. */
function adversarial(decoded: Uint32Array): Uint32Array {
  const f = new Float32Array(decoded.buffer.slice(0));
  const out: number[] = [0, 0x80000000, 1, 0x80000001, 0x007fffff, 0x00800000, 0x7f7fffff, 0xff7fffff, 0x7f800000, 0xff800000, 0x7fc00000, 0xffc00000, 0x7f800001, 0x7fbfffff, 0xff812345, 0x7f802000];
  const v = new Float32Array(1), b = new Uint32Array(v.buffer);
  const push = (x: number) => { v[0] = x; const u = b[0]!; if ((u & 0x7fffffff) < 0x7f800000) out.push(u, u + 1, u - 1, (u ^ 0x80000000) >>> 0); };
  const finite = Array.from(f).filter((x) => Number.isFinite(x) && x >= 0).sort((a, c) => a - c);
  for (let i = 0; i < finite.length; i++) {
    push(finite[i]!);
    const next = finite[i + 1] ?? 2 * finite[i]! - finite[i - 1]!; // past max: one more step, so the midpoint is the overflow tie
    push(Math.fround((finite[i]! + next) / 2));
  }
  for (const x of [464, 480, 61440, 65504, 65520, 65536]) push(x); // the overflow ties of E4M3, E5M2, f16 (bf16's: 0x7f7f8000)
  out.push(0x7f7f8000, 0x7f7f7fff, 0xff7f8000, 0xff7f8001);
  return Uint32Array.from(out, (u) => u >>> 0);
}

function randomBits(n: number, seed: number): Uint32Array {
  const b = randomBytes(4 * n, seed);
  return new Uint32Array(b.buffer);
}

type Enc16 = 'f32_f16_vcvt' | 'f32_bf16_vcvt';
type Dec16 = 'f16_f32_vcvt' | 'bf16_f32_vcvt';
const SIXTEEN: [string, Enc16, Dec16, typeof ref.f32F16VcvtRef, typeof ref.f16F32VcvtRef][] = [
  ['f16', 'f32_f16_vcvt', 'f16_f32_vcvt', ref.f32F16VcvtRef, ref.f16F32VcvtRef],
  ['bf16', 'f32_bf16_vcvt', 'bf16_f32_vcvt', ref.f32Bf16VcvtRef, ref.bf16F32VcvtRef],
];

for (const [name, enc, dec, encRef, decRef] of SIXTEEN) {
  test(`${dec} decodes all 2^16 ${name} patterns like the reference, and ${enc} encodes ties, subnormals, overflow, Inf and NaN like it`, () => {
    const wantDec = new Uint32Array(65536);
    decRef(65536, allU16, wantDec);
    const [gotDec] = runKernel([bytesOf(allU16)], [4 * 65536], ([px, py]) => kernels()[dec](65536, px!, py!));
    assert.deepEqual(new Uint32Array(gotDec!.buffer), wantDec);
    const xs = adversarial(wantDec);
    const wantEnc = new Uint16Array(xs.length);
    encRef(xs.length, xs, wantEnc);
    const [gotEnc] = runKernel([bytesOf(xs)], [2 * xs.length], ([px, py]) => kernels()[enc](xs.length, px!, py!));
    assert.deepEqual(new Uint16Array(gotEnc!.buffer), wantEnc);
  });

  test(`${enc} / ${dec} equal the reference on random bit patterns at tile boundaries`, () => {
    fc.assert(fc.property(fc.constantFrom(...TILE_LENGTHS), fc.integer(), (n, seed) => {
      const xs = randomBits(n, seed);
      const want = new Uint16Array(n);
      encRef(n, xs, want);
      const [got] = runKernel([bytesOf(xs)], [2 * n], ([px, py]) => kernels()[enc](n, px!, py!));
      assert.deepEqual(got, bytesOf(want));
      const hs = new Uint16Array(randomBytes(2 * n, seed + 3).buffer);
      const wantF = new Uint32Array(n);
      decRef(n, hs, wantF);
      const [gotF] = runKernel([bytesOf(hs)], [4 * n], ([px, py]) => kernels()[dec](n, px!, py!));
      assert.deepEqual(gotF, bytesOf(wantF));
    }), { numRuns: 100 });
  });
}

type Enc8 = 'f32_e4m3_vcvt' | 'f32_e5m2_vcvt';
type Dec8 = 'e4m3_f32_vcvt' | 'e5m2_f32_vcvt';
const FP8: [string, Enc8, Dec8, typeof ref.f32E4m3VcvtRef, typeof ref.e4m3F32VcvtRef][] = [
  ['e4m3', 'f32_e4m3_vcvt', 'e4m3_f32_vcvt', ref.f32E4m3VcvtRef, ref.e4m3F32VcvtRef],
  ['e5m2', 'f32_e5m2_vcvt', 'e5m2_f32_vcvt', ref.f32E5m2VcvtRef, ref.e5m2F32VcvtRef],
];

for (const [name, enc, dec, encRef, decRef] of FP8) {
  test(`${dec} decodes all 256 ${name} codes like the reference; ${enc} encodes adversarial and random f32 like it, saturating or not`, () => {
    const wantDec = new Uint32Array(256);
    decRef(256, allU8, wantDec);
    const [gotDec] = runKernel([allU8], [4 * 256], ([px, py]) => kernels()[dec](256, px!, py!));
    assert.deepEqual(new Uint32Array(gotDec!.buffer), wantDec);
    const xs = Uint32Array.from([...adversarial(wantDec), ...randomBits(4096, 11)]);
    for (const sat of [1, 0]) {
      const want = new Uint8Array(xs.length);
      encRef(xs.length, xs, want, sat);
      const [got] = runKernel([bytesOf(xs)], [xs.length], ([px, py]) => kernels()[enc](xs.length, px!, py!, sat));
      assert.deepEqual(got, want, `saturate=${sat}`);
    }
  });

  test(`${enc} / ${dec} equal the reference at tile boundaries`, () => {
    fc.assert(fc.property(fc.constantFrom(...TILE_LENGTHS), fc.integer(), fc.boolean(), (n, seed, sat) => {
      const xs = randomBits(n, seed);
      const want = new Uint8Array(n);
      encRef(n, xs, want, sat ? 1 : 0);
      const [got] = runKernel([bytesOf(xs)], [n], ([px, py]) => kernels()[enc](n, px!, py!, sat ? 1 : 0));
      assert.deepEqual(got, want);
      const cs = randomBytes(n, seed + 5);
      const wantF = new Uint32Array(n);
      decRef(n, cs, wantF);
      const [gotF] = runKernel([cs], [4 * n], ([px, py]) => kernels()[dec](n, px!, py!));
      assert.deepEqual(gotF, bytesOf(wantF));
    }), { numRuns: 100 });
  });
}

test('castFormat / castFormatToF32 equal the FORMATS reference codecs and keep shapes', () => {
  st.tidy(() => {
    const x = st.normal([3, 5, 7], 0, 300, { seed: 9 });
    const xs = x.toTypedArray() as Float32Array;
    for (const format of ['f16', 'bf16', 'fp8-e4m3', 'fp8-e5m2'] as const) {
      const q = st.castFormat(x, format);
      const wide = format === 'f16' || format === 'bf16';
      assert.deepEqual(q.shape, wide ? [3, 5, 7, 2] : [3, 5, 7]);
      const e = st.FORMATS[format].quantizeRef(xs, [3, 5, 7]);
      assert.deepEqual(q.toTypedArray(), e.data);
      const back = st.castFormatToF32(q, format);
      assert.deepEqual(back.shape, [3, 5, 7]);
      assert.deepEqual(bytesOf(back.toTypedArray()), bytesOf(st.FORMATS[format].dequantizeRef(e)));
    }
    const big = st.tensor([1000, -1e6, Infinity], [3]);
    assert.deepEqual(Array.from(st.castFormat(big, 'fp8-e4m3').toTypedArray()), [0x7e, 0xfe, 0x7e]);
    assert.deepEqual(Array.from(st.castFormat(big, 'fp8-e4m3', { saturate: false }).toTypedArray()), [0x7f, 0xff, 0x7f]);
    assert.throws(() => st.castFormat(x, 'int8' as never), { code: 'INVALID_ARGUMENT' });
    assert.throws(() => st.castFormatToF32(st.zeros([3], 'u8'), 'f16'), { code: 'SHAPE_MISMATCH' });
  });
});

test('qs8_conv2d_direct equals x8_im2col + the requantizing GEMM + NHWC → NCHW byte for byte (tails of 8 pixels and 4 channels, padding, any zero points, ReLU floor)', () => {
  const kern = kernels();
  fc.assert(fc.property(
    fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 21 }),
    fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: -128, max: 127 }), fc.integer({ min: -128, max: 127 }), fc.boolean(), fc.integer(),
    (n, c, oc, h, w, kh, kw, p, xZp, outZp, relu, seed) => {
      const oh = outSize(h, kh, 1, p, 1), ow = outSize(w, kw, 1, p, 1);
      const K = c * kh * kw;
      if (oh < 1 || ow < 1 || K > 32) return;
      const x = new Int8Array(randomBytes(n * c * h * w, seed).buffer);
      const wq = new Int8Array(randomBytes(oc * K, seed + 1).buffer);
      const r = new Int32Array(randomBytes(3 * oc * 4, seed + 2).buffer);
      const bias = Int32Array.from({ length: oc }, (_, j) => r[j]! >> 12);
      const mult = Int32Array.from({ length: oc }, (_, j) => (1 << 30) + (r[oc + j]! >>> 2));
      const shift = Int32Array.from({ length: oc }, (_, j) => (r[2 * oc + j]! >>> 0) % 12);
      const qmin = relu ? Math.max(-128, outZp) : -128;
      const rows = n * oh * ow;
      st.tidy(() => {
        const t = (a: Int8Array | Int32Array, dt: 'i8' | 'i32') => st.tensor(a, [a.length], dt);
        const tx = t(x, 'i8'), tw = t(wq, 'i8'), tb = t(bias, 'i32'), tm = t(mult, 'i32'), ts = t(shift, 'i32');
        const packed = st.zeros([kern.qs8_packed_weights_bytes(oc, K)], 'u8');
        kern.qs8_pack_weights(oc, K, tw.ptr, packed.ptr);
        const cols = st.zeros([Math.max(1, rows * K)], 'u8'), nhwc = st.zeros([rows * oc], 'i8');
        kern.x8_im2col(n, c, h, w, kh, kw, 1, 1, p, p, 1, 1, tx.ptr, cols.ptr, xZp);
        const gws = st.zeros([kern.qs8_gemm_workspace_bytes(rows, oc, K)], 'u8');
        if (rows === 1) kern.qs8_gemv_requant(oc, K, cols.ptr, xZp, packed.ptr, tb.ptr, nhwc.ptr, tm.ptr, ts.ptr, outZp, qmin, 127);
        else kern.qs8_gemm_requant(rows, oc, K, cols.ptr, xZp, packed.ptr, tb.ptr, nhwc.ptr, tm.ptr, ts.ptr, outZp, qmin, 127, gws.ptr);
        const a = nhwc.toTypedArray() as Int8Array;
        const want = new Int8Array(n * oc * oh * ow);
        for (let b = 0; b < n; b++) for (let pix = 0; pix < oh * ow; pix++) for (let o = 0; o < oc; o++) want[(b * oc + o) * oh * ow + pix] = a[(b * oh * ow + pix) * oc + o]!;
        const y = st.zeros([want.length], 'i8');
        const ws = st.zeros([kern.qs8_conv2d_direct_workspace_bytes(c, h, w, p, p, kh, kw)], 'u8');
        const pairs = st.zeros([oc * ((K + 1) >> 1)], 'i32');
        kern.qs8_conv2d_direct_pack(oc, K, tw.ptr, pairs.ptr);
        kern.qs8_conv2d_direct(n, c, h, w, oc, kh, kw, p, p, tx.ptr, xZp, tw.ptr, pairs.ptr, tb.ptr, y.ptr, tm.ptr, ts.ptr, outZp, qmin, 127, ws.ptr);
        assert.deepEqual(Array.from(y.toTypedArray() as Int8Array), Array.from(want), `n=${n} c=${c} oc=${oc} ${h}×${w} k=${kh}×${kw} p=${p}`);
      });
    },
  ), { numRuns: 300 });
});
