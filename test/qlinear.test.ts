import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import './setup.js';
import * as st from '../src/index.js';

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

test('Int4Linear equals its dequantized weights times x, for any in-features (padded to whole groups)', () => {
  fc.assert(
    fc.property(dims, fc.constantFrom(32, 64, 128) as fc.Arbitrary<32 | 64 | 128>, ([m, k, n, withBias, seed], g) => {
      st.tidy(() => {
        const x = st.normal([m, k], 0, 1, { seed: seed >>> 0 });
        const w = st.normal([n, k], 0, 0.2, { seed: (seed >>> 0) + 1 });
        const b = withBias ? st.normal([n], 0, 1, { seed: 7 }) : null;
        const q = new st.Int4Linear(w, b, { groupSize: g });
        try {
          const got = q.forward(x).toTypedArray();
          const ws = w.toTypedArray();
          const params = st.int4QParams(ws, [n, k], { groupSize: g, symmetric: true });
          const wd = st.dequantizeInt4(st.quantizeInt4(ws, [n, k], params), [n, k], params);
          const xs = x.toTypedArray(), bs = b?.toTypedArray();
          for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) {
            let acc = bs ? bs[j]! : 0, mag = Math.abs(acc);
            for (let p = 0; p < k; p++) {
              acc += xs[i * k + p]! * wd[j * k + p]!;
              mag += Math.abs(xs[i * k + p]! * wd[j * k + p]!);
            }
            assert.ok(Math.abs(got[i * n + j]! - acc) <= 1e-5 * mag + 1e-30, `[${i},${j}]: ${got[i * n + j]} vs ${acc}`);
          }
          assert.equal(q.packed.byteLength, n * Math.ceil(k / g) * g / 2);
        } finally {
          q.dispose();
        }
      });
    }),
    { numRuns: 60 },
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
