import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import './setup.js';
import { f32GemvRef } from '../src/ops/gemv-ref.js';
import * as st from '../src/index.js';
import { sameF32, TOL } from './reference.js';

/** C = op(A)·op(B) in f64 plus the per-element bound Σ|a·b|; A stored [m,k] or [k,m], B [k,n] or [n,k]. */
function refMatmul(a: Float32Array, b: Float32Array, m: number, n: number, k: number, ta: boolean, tb: boolean) {
  const c = new Float64Array(m * n);
  const mag = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = ta ? a[p * m + i]! : a[i * k + p]!;
      for (let j = 0; j < n; j++) {
        const prod = av * (tb ? b[j * k + p]! : b[p * n + j]!);
        c[i * n + j]! += prod;
        mag[i * n + j]! += Math.abs(prod);
      }
    }
  }
  return { c, mag };
}

function check(got: Float32Array, ref: { c: Float64Array; mag: Float64Array }, k: number, bias?: Float32Array, relu = false): void {
  const n = bias?.length ?? 0;
  for (let i = 0; i < got.length; i++) {
    let want = ref.c[i]! + (bias ? bias[i % n]! : 0);
    if (relu) want = Math.max(want, 0);
    const bound = TOL.MATMUL_EPS * (k + 2) * (ref.mag[i]! + (bias ? Math.abs(bias[i % n]!) : 0)) + 1e-30;
    if (Number.isNaN(want)) assert.ok(Number.isNaN(got[i]!), `at ${i}: ${got[i]} should be NaN`);
    else assert.ok(Math.abs(got[i]! - want) <= bound, `at ${i}: got ${got[i]} want ${want} (bound ${bound})`);
  }
}

const randomF32 = (len: number, seed: number) => {
  let s = seed >>> 0 || 1;
  return Float32Array.from({ length: len }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  });
};

const dim = fc.oneof(fc.constantFrom(0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 255, 256, 257), fc.integer({ min: 0, max: 300 }));

test('matmul matches the f64 reference for random M, N, K in 0..300 in every transpose form', () => {
  fc.assert(
    fc.property(dim, dim, dim, fc.boolean(), fc.boolean(), fc.integer(), (m, n, k, ta, tb, seed) => {
      st.tidy(() => {
        const a = randomF32(m * k, seed);
        const b = randomF32(k * n, seed ^ 0x5bd1e995);
        const out = st.matmul(st.tensor(a, ta ? [k, m] : [m, k]), st.tensor(b, tb ? [n, k] : [k, n]), ta, tb);
        assert.deepEqual(out.shape, [m, n]);
        check(out.toTypedArray(), refMatmul(a, b, m, n, k, ta, tb), k);
      });
    }),
    { numRuns: 60 },
  );
});

test('batched 3-D matmul, with a 2-D operand broadcast over the batch', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 4 }), dim.filter((d) => d < 70), dim.filter((d) => d < 70), dim.filter((d) => d < 70), fc.constantFrom('both', "a2", 'b2'), fc.boolean(), fc.boolean(), (batch, m, n, k, mode, ta, tb) => {
        st.tidy(() => {
          const aShape = ta ? [k, m] : [m, k];
          const bShape = tb ? [n, k] : [k, n];
          const a = randomF32(Math.max(batch, 1) * m * k, m + 7 * k);
          const b = randomF32(Math.max(batch, 1) * k * n, n + 11 * k);
          const A = mode === 'a2' ? st.tensor(a.subarray(0, m * k), aShape) : st.tensor(a.subarray(0, batch * m * k), [batch, ...aShape]);
          const B = mode === 'b2' ? st.tensor(b.subarray(0, k * n), bShape) : st.tensor(b.subarray(0, batch * k * n), [batch, ...bShape]);
          const out = st.matmul(A, B, ta, tb);
          assert.deepEqual(out.shape, [batch, m, n]);
          const got = out.toTypedArray();
          for (let i = 0; i < batch; i++) {
            const ai = mode === 'a2' ? a.subarray(0, m * k) : a.subarray(i * m * k, (i + 1) * m * k);
            const bi = mode === 'b2' ? b.subarray(0, k * n) : b.subarray(i * k * n, (i + 1) * k * n);
            check(got.subarray(i * m * n, (i + 1) * m * n), refMatmul(ai, bi, m, n, k, ta, tb), k);
          }
        });
      },
    ),
    { numRuns: 60 },
  );
  st.tidy(() => {
    assert.throws(() => st.matmul(st.zeros([2, 3, 4]), st.zeros([3, 4, 5])), { code: 'SHAPE_MISMATCH', message: /batch sizes differ/ });
    assert.throws(() => st.matmul(st.zeros([2, 3]), st.zeros([4, 5])), { code: 'SHAPE_MISMATCH', message: /matmul: inner dims differ: a \[2, 3\] has 3 columns, b \[4, 5\] has 4 rows/ });
    assert.throws(() => st.matmul(st.zeros([3]), st.zeros([3, 1])), { code: 'SHAPE_MISMATCH', message: /a must be 2-D or 3-D/ });
  });
});

test('linear fuses bias and ReLU, on both the GEMM and the one-row GEMV paths', () => {
  fc.assert(
    fc.property(fc.constantFrom([1], [2], [3, 5], [1, 1], [17]), dim.filter((d) => d < 200), dim.filter((d) => d < 200), fc.boolean(), fc.boolean(), (lead, outF, inF, withBias, relu) => {
      st.tidy(() => {
        const rows = (lead as readonly number[]).reduce((p, d) => p * d, 1);
        const x = randomF32(rows * inF, inF + 3);
        const w = randomF32(outF * inF, outF + 5);
        const bias = withBias ? randomF32(outF, 99) : undefined;
        const out = st.linear(st.tensor(x, [...lead, inF]), st.tensor(w, [outF, inF]), bias && st.tensor(bias), relu ? 'relu' : 'none');
        assert.deepEqual(out.shape, [...lead, outF]);
        check(out.toTypedArray(), refMatmul(x, w, rows, outF, inF, false, true), inF, bias ?? (outF ? new Float32Array(outF) : undefined), relu);
      });
    }),
    { numRuns: 80 },
  );
  st.tidy(() => {
    assert.throws(() => st.linear(st.zeros([2, 3]), st.zeros([4, 5])), { code: 'SHAPE_MISMATCH', message: /x's last dim must equal weight's in-features 5, received x \[2, 3\]/ });
    assert.throws(() => st.linear(st.zeros([2, 3]), st.zeros([4, 3]), st.zeros([3])), { code: 'SHAPE_MISMATCH', message: /bias must have shape \[4\], received \[3\]/ });
  });
});

test('NaN and Inf propagate through matmul like the plain triple loop (0·Inf = NaN)', () => {
  st.tidy(() => {
    for (const [m, n, k] of [[1, 9, 5], [5, 9, 5], [9, 17, 33]]) {
      for (const tb of [false, true]) {
        const a = randomF32(m * k, 1);
        const b = randomF32(k * n, 2);
        a[0] = NaN;
        b[k - 1] = Infinity; // tb: row 0 col k-1; else row k-1 col 0
        a[(m - 1) * k + (k - 1)] = 0;
        const got = st.matmul(st.tensor(a, [m, k]), st.tensor(b, tb ? [n, k] : [k, n]), false, tb).toTypedArray();
        const ref = refMatmul(a, b, m, n, k, false, tb);
        got.forEach((g, i) => assert.ok(Number.isNaN(ref.c[i]!) ? Number.isNaN(g) : !Number.isNaN(g), `[${m},${n},${k}] tb=${tb} at ${i}: ${g} vs ${ref.c[i]}`));
        assert.ok(sameF32(got[0]!, NaN));
      }
    }
  });
});

const fr = Math.fround;

/** The GEMM's order: C[i,j] = Σ_p a·b summed in f32 for p = 0..k-1, then + bias, then ReLU. */
function exactGemm(a: Float32Array, b: Float32Array, m: number, n: number, k: number, tb: boolean, bias?: Float32Array, relu = false): Float32Array {
  const c = new Float32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s = fr(s + fr(a[i * k + p]! * (tb ? b[j * k + p]! : b[p * n + j]!)));
      if (bias) s = fr(s + bias[j]!);
      c[i * n + j] = relu && !(s >= 0) && !Number.isNaN(s) ? 0 : s;
    }
  }
  return c;
}

/** The GEMV's order (assembly/f32-gemm/gemv.ts), from its reference: 4 lanes over 8-blocks of k, lanes (l0+l1)+(l2+l3), + the k % 8 tail, + bias, then the ReLU clamp. */
function exactGemv(x: Float32Array, w: Float32Array, n: number, k: number, bias?: Float32Array, relu = false): Float32Array {
  const y = new Float32Array(n);
  f32GemvRef(n, k, x, w, bias ?? null, y, relu ? 0 : -Infinity, Infinity);
  return y;
}

// Row-group (6) and tile (4x8) boundaries, and k past the 256 block of the GEMM.
const exactDim = fc.oneof(fc.constantFrom(1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 17, 18, 19), fc.integer({ min: 1, max: 40 }));
const exactK = fc.oneof(fc.constantFrom(1, 7, 8, 9, 15, 16, 17, 255, 256, 257, 300), fc.integer({ min: 1, max: 300 }));

test('linear is bit-identical to its fixed summation order: the GEMM\'s in-order loop, the one-row GEMV\'s 8-block lanes', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 9 }), exactDim, exactK, fc.boolean(), fc.boolean(), fc.boolean(), (rows, outF, inF, withBias, relu, tb) => {
      st.tidy(() => {
        const x = randomF32(rows * inF, inF + 11);
        const w = randomF32(outF * inF, outF + 13);
        const bias = withBias ? randomF32(outF, 7) : undefined;
        const got = st.linear(st.tensor(x, [rows, inF]), st.tensor(w, [outF, inF]), bias && st.tensor(bias), relu ? 'relu' : 'none').toTypedArray();
        const want = rows === 1 ? exactGemv(x, w, outF, inF, bias, relu) : exactGemm(x, w, rows, outF, inF, true, bias, relu);
        got.forEach((g, i) => assert.ok(sameF32(g, want[i]!), `[${rows},${outF},${inF}] at ${i}: ${g} vs ${want[i]}`));
        if (rows > 1 && !withBias && !relu) {
          // A·B with B stored [k, n] takes the same in-order GEMM.
          const wt = new Float32Array(inF * outF);
          for (let j = 0; j < outF; j++) for (let p = 0; p < inF; p++) wt[p * outF + j] = w[j * inF + p]!;
          const mm = st.matmul(st.tensor(x, [rows, inF]), st.tensor(tb ? w : wt, tb ? [outF, inF] : [inF, outF]), false, tb).toTypedArray();
          mm.forEach((g, i) => assert.ok(sameF32(g, want[i]!), `matmul tb=${tb} [${rows},${outF},${inF}] at ${i}: ${g} vs ${want[i]}`));
        }
      });
    }),
    { numRuns: 150 },
  );
});
