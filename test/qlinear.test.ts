import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import './setup.js';
import * as st from '../src/index.js';
import { kernels, scratch } from '../src/backend/binding.js';
import { bf16GemvRef, f16GemvRef, q4GemmF32Ref, q4PackedBytes, q4PackWeights, qs8GemmF32OutRef, qs8PackedWeightsBytes, qs8PackWeightsRef } from '../src/quant/qkernels-ref.js';

const f = Math.fround;

/** Int8Linear's result from the reference codecs: per-channel symmetric weights, per-tensor affine x, exact int32 dot products. */
function int8Ref(x: Float32Array, m: number, k: number, w: Float32Array, n: number, b: Float32Array | null): Float32Array {
  const { min: wmin, max: wmax } = st.minMaxAlong(w, [n, k], { axis: 0 });
  const wq = st.qparamsFromMinMax(wmin, wmax, { dtype: 'int8', symmetric: true });
  const qw = st.quantizeAffine(w, [n, k], { ...wq, axis: 0 }) as Int8Array;
  const xq = st.qparamsFromMinMax(Math.min(...x), Math.max(...x), { dtype: 'int8' });
  const qx = st.quantizeAffine(x, [m * k], xq) as Int8Array;
  const zx = xq.zeroPoint[0]!;
  const y = new Float32Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
    let acc = 0;
    for (let p = 0; p < k; p++) acc += (qx[i * k + p]! - zx) * qw[j * k + p]!;
    y[i * n + j] = f(f(f(acc) * f(xq.scale[0]! * wq.scale[j]!)) + (b ? b[j]! : 0));
  }
  return y;
}

const dims = fc.tuple(fc.constantFrom(1, 2, 3, 9), fc.constantFrom(1, 7, 8, 33, 64, 100), fc.constantFrom(1, 3, 8, 17), fc.boolean(), fc.integer());

test('Int8Linear (dynamic int8) equals the reference codecs + exact integer dot products, on the GEMV and GEMM paths', () => {
  fc.assert(
    fc.property(dims, ([m, k, n, withBias, seed]) => {
      st.tidy(() => {
        const x = st.normal([m, k], 0.3, 2, { seed: seed >>> 0 });
        const w = st.normal([n, k], 0, 0.2, { seed: (seed >>> 0) + 1 });
        const b = withBias ? st.normal([n], 0, 1, { seed: 7 }) : null;
        const q = new st.Int8Linear(w, b);
        try {
          const got = q.forward(x).toTypedArray();
          const want = int8Ref(x.toTypedArray(), m, k, w.toTypedArray(), n, b?.toTypedArray() ?? null);
          assert.deepEqual(Array.from(got), Array.from(want));
          // Against f32: per term the error is at most |x|·Δw + |w|·Δx + Δx·Δw (Δ = scale/2).
          const exact = st.linear(x, w, b).toTypedArray();
          const xs = x.toTypedArray(), ws = w.toTypedArray(), sw = q.weightScale.toTypedArray();
          const sx = st.qparamsFromMinMax(Math.min(...xs), Math.max(...xs), { dtype: 'int8' }).scale[0]!;
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
            let bound = 1e-4;
            for (let p = 0; p < k; p++) bound += Math.abs(xs[i * k + p]!) * sw[j]! / 2 + Math.abs(ws[j * k + p]!) * sx / 2 + (sx * sw[j]!) / 4;
            assert.ok(Math.abs(got[i * n + j]! - exact[i * n + j]!) <= bound, `[${i},${j}]: ${got[i * n + j]} vs f32 ${exact[i * n + j]} (bound ${bound})`);
          }
        } finally {
          q.dispose();
        }
      });
    }),
    { numRuns: 60 },
  );
});

test('Int4Linear equals the q4 reference bit for bit, and its dequantized weights times x within the int8-activation budget', () => {
  fc.assert(
    fc.property(dims, fc.constantFrom(32, 64, 128) as fc.Arbitrary<32 | 64 | 128>, ([m, k, n, withBias, seed], g) => {
      st.tidy(() => {
        const x = st.normal([m, k], 0, 1, { seed: seed >>> 0 });
        const w = st.normal([n, k], 0, 0.2, { seed: (seed >>> 0) + 1 });
        const b = withBias ? st.normal([n], 0, 1, { seed: 7 }) : null;
        const q = new st.Int4Linear(w, b, { groupSize: g });
        try {
          const got = q.forward(x).toTypedArray();
          const padded = Math.ceil(k / g) * g;
          const xs = x.toTypedArray(), bs = b?.toTypedArray() ?? null;
          const want = new Float32Array(m * n);
          q4GemmF32Ref(m, n, k, g, xs, q.packed.toTypedArray() as Uint8Array, q.scales.toTypedArray() as Float32Array, bs, want);
          assert.deepEqual(Array.from(got), Array.from(want));
          // Against f32 with the dequantized weights: x is rounded to d_g·q with |x − d_g·q| ≤ d_g/2
          // (d_g = max|x_g|/127), plus f32 rounding.
          const ws = w.toTypedArray();
          const params = st.int4QParams(ws, [n, k], { groupSize: g, symmetric: true });
          const wd = st.dequantizeInt4(st.quantizeInt4(ws, [n, k], params), [n, k], params);
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
            let acc = bs ? bs[j]! : 0, mag = Math.abs(acc), bound = 0;
            for (let p0 = 0; p0 < k; p0 += g) {
              let amax = 0;
              for (let p = p0; p < Math.min(k, p0 + g); p++) amax = Math.max(amax, Math.abs(xs[i * k + p]!));
              for (let p = p0; p < Math.min(k, p0 + g); p++) {
                acc += xs[i * k + p]! * wd[j * k + p]!;
                mag += Math.abs(xs[i * k + p]! * wd[j * k + p]!);
                bound += Math.abs(wd[j * k + p]!) * (amax / 127) * 0.5001;
              }
            }
            assert.ok(Math.abs(got[i * n + j]! - acc) <= bound + 1e-5 * mag + 1e-30, `[${i},${j}]: ${got[i * n + j]} vs ${acc} (bound ${bound})`);
          }
          assert.equal(q.packed.byteLength, Math.ceil(n / 4) * 4 * padded / 2);
        } finally {
          q.dispose();
        }
      });
    }),
    { numRuns: 60 },
  );
});

// The q4 kernels against q4GemmF32Ref (bit-exact) at panel edges (n mod 4), group sizes and
// adversarial activations: zero groups, ties of x·id, huge and subnormal scales, outliers.
test('q4_gemv_f32 / q4_gemm_f32 equal q4GemmF32Ref bit for bit, and q4PackWeights round-trips', () => {
  const kern = kernels();
  // A group's value at position p from r ∈ [−1, 1): uniform, all zero, ties (max 127, so x·id = x, halves), subnormal, one non-finite.
  type Gen = (p: number, r: number) => number;
  const xGroup: fc.Arbitrary<Gen> = fc.oneof(
    fc.float({ min: Math.fround(1e-3), max: 1e4, noNaN: true }).map((v): Gen => (_p, r) => v * r),
    fc.constant<Gen>(() => 0),
    fc.constant<Gen>((p, r) => (p === 0 ? 127 : Math.floor(r * 254) / 2)),
    fc.float({ min: Math.fround(1e-40), max: Math.fround(1e-30), noNaN: true }).map((v): Gen => (_p, r) => v * r),
    // Non-finite x (the reference's rule: a NaN x·(1/d) codes 0, ±∞ saturates; outputs turn ±∞ / NaN).
    fc.constantFrom(Infinity, -Infinity, NaN).map((v): Gen => (p, r) => (p === 3 ? v : r)),
  );
  fc.assert(
    fc.property(
      fc.constantFrom(1, 2, 3, 4, 5, 8, 17), fc.constantFrom(1, 3, 4, 5, 7, 8, 9, 13), fc.constantFrom(32, 64, 128), fc.constantFrom(1, 2, 3),
      fc.constantFrom(0, 0, 1, 7, 8, 31), fc.array(xGroup, { minLength: 15, maxLength: 15 }), fc.boolean(), fc.integer(),
      (m, n, group, ngroups, cut, kinds, withBias, seed) => {
        // k = whole groups, or a partial last group (the kernel zero-pads x to whole groups).
        const k = group * ngroups - cut;
        const kp = group * ngroups;
        let s = seed >>> 0 || 1;
        const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
        const x = new Float32Array(m * k);
        for (let i = 0; i < m * k; i++) x[i] = kinds[Math.floor(i / group) % kinds.length]!(i % group, rnd() * 2 - 1);
        const q = Int8Array.from({ length: n * k }, () => Math.floor(rnd() * 16) - 8);
        const sc = Float32Array.from({ length: (n * kp) / group }, () => (rnd() - 0.5) * 0.1);
        const bias = withBias ? Float32Array.from({ length: n }, () => rnd() - 0.5) : null;
        const bytes = q4PackedBytes(n, k, group);
        const w4 = new Uint8Array(bytes.w4), ps = new Float32Array(bytes.scales / 4);
        q4PackWeights(n, k, group, q, sc, w4, ps);
        for (let j = 0; j < Math.ceil(n / 4) * 4; j++) for (let p = 0; p < kp; p++) {
          const byte = (((j >> 2) * (kp / 32) + (p >> 5)) * 4 + (j & 3)) * 16 + 2 * (p & 7) + ((p >> 4) & 1);
          assert.equal(((w4[byte]! >> (((p >> 3) & 1) << 2)) & 15) - 8, j < n && p < k ? q[j * k + p] : 0);
        }
        const want = new Float32Array(m * n);
        q4GemmF32Ref(m, n, k, group, x, w4, ps, bias, want);
        st.tidy(() => {
          const tx = st.tensor(x, [m * k]), tw = st.tensor(w4, [w4.length], 'u8'), ts = st.tensor(ps, [ps.length]);
          const tb = bias ? st.tensor(bias, [n]) : null;
          const y = st.zeros([m * n]), y1 = st.zeros([n]);
          const ws = scratch(kern.q4_workspace_bytes(m, k, group));
          kern.q4_gemm_f32(m, n, k, group, tx.ptr, tw.ptr, ts.ptr, tb?.ptr ?? 0, y.ptr, ws);
          assert.deepEqual(Array.from(y.toTypedArray()), Array.from(want));
          kern.q4_gemv_f32(n, k, group, tx.ptr, tw.ptr, ts.ptr, tb?.ptr ?? 0, y1.ptr, scratch(kern.q4_workspace_bytes(1, k, group)));
          assert.deepEqual(Array.from(y1.toTypedArray()), Array.from(want.subarray(0, n)));
        });
      },
    ),
    { numRuns: 150 },
  );
});

// 16-bit codes [n, k] (row-major) as a tensor in the kernels' layout (h16_pack: header and 4-row panels).
function h16Panels(kind: 'f16' | 'bf16', n: number, k: number, w16: Uint16Array): st.Tensor {
  const kern = kernels();
  const rowMajor = st.tensor(new Uint8Array(w16.buffer, w16.byteOffset, 2 * n * k), [2 * n * k], 'u8');
  const packed = st.zeros([kern.h16_panels_bytes(n, k)], 'u8');
  kern.h16_pack(n, k, rowMajor.ptr, packed.ptr, kind === 'f16' ? 1 : 0);
  rowMajor.dispose();
  return packed;
}

test('f16_gemv_f32 / bf16_gemv_f32 equal their fixed-order references bit for bit: 4-row panels and the last partial one, k tails, subnormal, ±0, Inf and NaN weights, code scales 0 to 10, x past 2^16 and subnormal x', () => {
  const kern = kernels();
  const F16_SPECIAL = [0x0000, 0x8000, 0x0001, 0x83ff, 0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x7e00, 0x7c01, 0x3c00];
  const BF16_SPECIAL = [0x0000, 0x8000, 0x0001, 0x807f, 0x7f7f, 0xff7f, 0x7f80, 0xff80, 0x7fc0, 0x3f80];
  fc.assert(fc.property(
    fc.constantFrom('f16', 'bf16'), fc.constantFrom(0, 1, 3, 4, 5, 7, 8, 9), fc.constantFrom(0, 1, 7, 8, 9, 15, 16, 17, 100),
    fc.constantFrom(0, 0, 0.02, 0.3), fc.boolean(), fc.boolean(), fc.constantFrom('plain', 'plain', 'huge', 'tiny'), fc.constantFrom(15, 15, 20, 25, 30), fc.integer(),
    (kind, n, k, special, withBias, zeros, xKind, emax, seed) => {
      let s = seed >>> 0 || 1;
      const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
      const specials = kind === 'f16' ? F16_SPECIAL : BF16_SPECIAL;
      const f32bits = new Uint32Array(1), f32v = new Float32Array(f32bits.buffer);
      const w16 = Uint16Array.from({ length: n * k }, () => {
        if (rnd() < special) return specials[Math.floor(rnd() * specials.length)]!;
        // f16: exponents 0..emax (subnormals included): h16_pack scales finite codes by 2^min(10, 30 − emax).
        if (kind === 'f16') return (Math.floor(rnd() * 0x10000) & 0x83ff) | (Math.min(emax, Math.floor(rnd() * (emax + 2))) << 10);
        f32v[0] = (rnd() * 2 - 1) * [1, 1e-3, 1e-30][Math.floor(rnd() * 3)]!;
        return f32bits[0]! >>> 16;
      });
      // huge: some |x| at or past 2^16 (the scaled f16 path must fall back: x·2^(112−s) could overflow), and ±Inf.
      const xOf = (): number => {
        if (xKind === 'huge' && rnd() < 0.1) return [65536, -65536, 65535.99, 3e38, -1e20, Infinity, -Infinity][Math.floor(rnd() * 7)]!;
        if (xKind === 'tiny') return (rnd() * 2 - 1) * 1e-39;
        return rnd() * 4 - 2;
      };
      const x = Float32Array.from({ length: k }, () => (zeros && rnd() < 0.5 ? (rnd() < 0.5 ? 0 : -0) : xOf()));
      const bias = withBias ? Float32Array.from({ length: n }, () => rnd() - 0.5) : null;
      const want = new Float32Array(n);
      (kind === 'f16' ? f16GemvRef : bf16GemvRef)(n, k, x, w16, bias, want);
      st.tidy(() => {
        const tx = st.tensor(x, [k]), tw = h16Panels(kind, n, k, w16), tb = bias ? st.tensor(bias, [n]) : null;
        // h16_unpack inverts h16_pack.
        const back = st.zeros([2 * n * k], 'u8');
        kernels().h16_unpack(n, k, tw.ptr, back.ptr);
        assert.deepEqual(Array.from(new Uint16Array((back.toTypedArray() as Uint8Array).slice(0, 2 * n * k).buffer)), Array.from(w16));
        const bits = (a: Float32Array) => Array.from(new Uint32Array(Float32Array.from(a).buffer), (b, i) => (Number.isNaN(a[i]) ? 'NaN' : b));
        const y = st.zeros([n]);
        kern[kind === 'f16' ? 'f16_gemv_f32' : 'bf16_gemv_f32'](n, k, tx.ptr, tw.ptr, tb?.ptr ?? 0, y.ptr);
        assert.deepEqual(bits(y.toTypedArray() as Float32Array), bits(want), `${kind} n=${n} k=${k} x ${xKind} emax ${emax}`);
      });
    },
  ), { numRuns: 400 });
});

test('f32_gemm on 16-bit weights in panels (trans_b 4: f16, 5: bf16) widens them exactly: gemm16Ref bit for bit at the 4x8 tile, KC and NC edges, with subnormal, ±0, Inf and NaN weights', async () => {
  const { gemm16Ref } = await import('../src/quant/qkernels-ref.js');
  const kern = kernels();
  const F16_SPECIAL = [0x0000, 0x8000, 0x0001, 0x83ff, 0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x7e00, 0x7c01, 0x3c00];
  const BF16_SPECIAL = [0x0000, 0x8000, 0x0001, 0x807f, 0x7f7f, 0xff7f, 0x7f80, 0xff80, 0x7fc0, 0x3f80];
  fc.assert(fc.property(
    fc.constantFrom('f16', 'bf16'), fc.constantFrom(1, 3, 4, 5, 8, 9), fc.constantFrom(1, 7, 8, 9, 17, 1030), fc.constantFrom(0, 1, 3, 4, 5, 9, 17, 257),
    fc.constantFrom(0, 0.05), fc.boolean(), fc.boolean(), fc.integer(),
    (kind, m, n, k, special, withBias, relu, seed) => {
      if (n * k > 20000) k = 3;
      let s = seed >>> 0 || 1;
      const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
      const specials = kind === 'f16' ? F16_SPECIAL : BF16_SPECIAL;
      const w16 = Uint16Array.from({ length: n * k }, () => (rnd() < special ? specials[Math.floor(rnd() * specials.length)]! : Math.floor(rnd() * 0x10000) & 0xbfff));
      const x = Float32Array.from({ length: m * k }, () => rnd() * 4 - 2);
      const bias = withBias ? Float32Array.from({ length: n }, () => rnd() - 0.5) : null;
      const [lo, hi] = relu ? [0, Infinity] : [-Infinity, Infinity];
      const want = new Float32Array(m * n);
      gemm16Ref(kind, m, n, k, x, w16, bias, want, lo, hi);
      st.tidy(() => {
        const tx = st.tensor(x, [m * k]), tw = h16Panels(kind, n, k, w16), tb = bias ? st.tensor(bias, [n]) : null;
        const y = st.zeros([m * n]);
        const ws = st.zeros([Math.ceil(kern.f32_gemm_workspace_bytes(m, n, k) / 4)]);
        kern.f32_gemm(m, n, k, tx.ptr, k, 0, tw.ptr, 0, kind === 'f16' ? 4 : 5, tb?.ptr ?? 0, y.ptr, n, ws.ptr, lo, hi);
        const bits = (a: Float32Array) => Array.from(new Uint32Array(Float32Array.from(a).buffer), (b, i) => (Number.isNaN(a[i]) ? 'NaN' : b));
        assert.deepEqual(bits(y.toTypedArray() as Float32Array), bits(want), `${kind} m=${m} n=${n} k=${k}`);
      });
    },
  ), { numRuns: 150 });
});

test('f16_gemm_f32 / bf16_gemm_f32 (batched 16-bit layers): the GEMV per row below 8 rows, the widened-codes GEMM from 8, clamped, bit for bit', async () => {
  const { gemm16Ref } = await import('../src/quant/qkernels-ref.js');
  const kern = kernels();
  fc.assert(fc.property(
    fc.constantFrom('f16', 'bf16'), fc.constantFrom(0, 1, 3, 7, 8, 9, 12), fc.constantFrom(1, 5, 8, 13), fc.constantFrom(0, 1, 9, 40), fc.boolean(), fc.boolean(), fc.integer(),
    (kind, m, n, k, withBias, relu, seed) => {
      let s = seed >>> 0 || 1;
      const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
      const w16 = Uint16Array.from({ length: n * k }, () => Math.floor(rnd() * 0x10000) & 0xbfff);
      const x = Float32Array.from({ length: m * k }, () => rnd() * 4 - 2);
      const bias = withBias ? Float32Array.from({ length: n }, () => rnd() - 0.5) : null;
      const [lo, hi] = relu ? [0, Infinity] : [-Infinity, Infinity];
      const want = new Float32Array(m * n);
      if (m >= 8) gemm16Ref(kind, m, n, k, x, w16, bias, want, lo, hi);
      else {
        for (let i = 0; i < m; i++) {
          const row = new Float32Array(n);
          (kind === 'f16' ? f16GemvRef : bf16GemvRef)(n, k, x.subarray(i * k, (i + 1) * k), w16, bias, row);
          for (let j = 0; j < n; j++) want[i * n + j] = Math.min(Math.max(row[j]!, lo), hi);
        }
      }
      st.tidy(() => {
        const tx = st.tensor(x, [m * k]), tw = h16Panels(kind, n, k, w16), tb = bias ? st.tensor(bias, [n]) : null;
        const y = st.zeros([m * n]);
        const ws = st.zeros([Math.max(1, Math.ceil(kern.h16_gemm_workspace_bytes(m, n, k) / 4))]);
        kern[kind === 'f16' ? 'f16_gemm_f32' : 'bf16_gemm_f32'](m, n, k, tx.ptr, tw.ptr, tb?.ptr ?? 0, y.ptr, ws.ptr, lo, hi);
        const bits = (a: Float32Array) => Array.from(new Uint32Array(Float32Array.from(a).buffer), (b, i) => (Number.isNaN(a[i]) ? 'NaN' : b));
        assert.deepEqual(bits(y.toTypedArray() as Float32Array), bits(want), `${kind} m=${m} n=${n} k=${k}`);
      });
    },
  ), { numRuns: 150 });
});

test('qs8_gemm_f32out equals qs8GemmF32OutRef bit for bit at the 8x4 tile edges, and each row equals qs8_gemv_f32out', () => {
  const kern = kernels();
  fc.assert(
    fc.property(
      fc.constantFrom(1, 5, 6, 7, 8, 9, 13, 14, 16, 17, 64, 65), fc.constantFrom(1, 3, 4, 5, 8, 9, 31), fc.constantFrom(1, 7, 8, 9, 16, 33),
      fc.integer({ min: -128, max: 127 }), fc.boolean(), fc.integer(),
      (m, n, k, aZp, withBias, seed) => {
        let s = seed >>> 0 || 1;
        const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
        // Extreme int8 on both sides: |a − aZp| up to 255, w at ±127/−128.
        const a = Int8Array.from({ length: m * k }, () => Math.floor(rnd() * 256) - 128);
        const w = Int8Array.from({ length: n * k }, () => Math.floor(rnd() * 256) - 128);
        const packed = new Uint8Array(qs8PackedWeightsBytes(n, k));
        qs8PackWeightsRef(n, k, w, packed);
        const scaleA = f((rnd() + 0.01) * 0.05);
        const scaleW = Float32Array.from({ length: n }, () => (rnd() + 1e-3) * 0.02);
        const bias = withBias ? Float32Array.from({ length: n }, () => (rnd() - 0.5) * 10) : null;
        const want = new Float32Array(m * n);
        qs8GemmF32OutRef(m, n, k, a, aZp, packed, bias, want, scaleA, scaleW);
        st.tidy(() => {
          const ta = st.tensor(a, [m * k], 'i8'), tp = st.tensor(packed, [packed.length], 'u8'), tsw = st.tensor(scaleW, [n]);
          const tb = bias ? st.tensor(bias, [n]) : null;
          const y = st.zeros([m * n]), y1 = st.zeros([n]);
          kern.qs8_gemm_f32out(m, n, k, ta.ptr, aZp, tp.ptr, tb?.ptr ?? 0, y.ptr, scaleA, tsw.ptr, scratch(kern.qs8_gemm_workspace_bytes(m, n, k)));
          assert.deepEqual(Array.from(y.toTypedArray()), Array.from(want));
          const i = m - 1;
          const row = st.tensor(a.subarray(i * k, (i + 1) * k), [k], 'i8');
          kern.qs8_gemv_f32out(n, k, row.ptr, aZp, tp.ptr, tb?.ptr ?? 0, y1.ptr, scaleA, tsw.ptr);
          assert.deepEqual(Array.from(y1.toTypedArray()), Array.from(want.subarray(i * n, (i + 1) * n)));
        });
      },
    ),
    { numRuns: 120 },
  );
});

test('quantized linears: int8 ≥ 3.9x smaller, int4 at 4 bits + a scale per group; typed errors; no leaks', () => {
  st.tidy(() => {
    const w = st.normal([64, 256], 0, 0.1, { seed: 1 });
    const before = st.memoryStats().tensors;
    const q8 = new st.Int8Linear(w);
    const q4 = new st.Int4Linear(w, null, { groupSize: 32 });
    assert.ok(w.byteLength / q8.byteLength > 3.9, `int8 ${q8.byteLength} vs f32 ${w.byteLength}`);
    // 4 bits per weight plus one f32 scale per group of 32 (1 bit per weight): 6.4x at g32.
    assert.equal(q4.byteLength, (64 * 256) / 2 + 64 * (256 / 32) * 4);
    assert.throws(() => q8.forward(st.zeros([2, 255])), { code: 'SHAPE_MISMATCH', message: /in-features 256, received x \[2, 255\]/ });
    assert.throws(() => q8.forward(st.full([1, 256], NaN)), { code: 'INVALID_ARGUMENT', message: /x must be finite/ });
    assert.throws(() => new st.Int4Linear(w, null, { groupSize: 48 as 32 }), { code: 'INVALID_ARGUMENT' });
    q8.dispose();
    q4.dispose();
    assert.equal(st.memoryStats().tensors, before + 2, 'only the two inputs created for the failed calls remain in scope');
  });
});
