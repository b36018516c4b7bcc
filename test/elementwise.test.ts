import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import './setup.js';
import * as st from '../src/index.js';
import { arrayOf, erf64, gelu64, broadcastPairArb, closeAbsRel, f32Arb, firstMismatch, npBroadcastMap, npBroadcastShape, sameF32, SPECIALS, size, tensorArb, TOL, ulpDiff } from './reference.js';

const f = Math.fround;

// f32 results of +, −, ·, / and sqrt are exactly the f64 result rounded to f32 (double rounding is innocuous).
const BINARY = [
  ['add', st.add, (a: number, b: number) => f(a + b)],
  ['sub', st.sub, (a: number, b: number) => f(a - b)],
  ['mul', st.mul, (a: number, b: number) => f(a * b)],
  ['div', st.div, (a: number, b: number) => f(a / b)],
  ['maximum', st.maximum, (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.max(a, b))],
  ['minimum', st.minimum, (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : Math.min(a, b))],
] as const;

for (const [name, op, ref] of BINARY) {
  test(`${name} matches the f64 reference bit for bit under NumPy broadcasting`, () => {
    assert.equal(TOL[name], 0);
    fc.assert(
      fc.property(broadcastPairArb.chain(({ a, b }) => fc.tuple(arrayOf(size(a), f32Arb()), arrayOf(size(b), f32Arb())).map(([da, db]) => ({ a, b, da, db }))), ({ a, b, da, db }) => {
        st.tidy(() => {
          const out = op(st.tensor(da, a), st.tensor(db, b));
          const shape = npBroadcastShape(a, b)!;
          assert.deepEqual(out.shape, shape);
          const want = npBroadcastMap(shape, [{ data: da, shape: a }, { data: db, shape: b }], ref);
          assert.equal(firstMismatch(out.toTypedArray(), want, sameF32), null);
        });
      }),
      { numRuns: 150 },
    );
  });
}

test('binary ops take a number on either side and reject shapes NumPy would reject', () => {
  st.tidy(() => {
    const x = st.tensor([1, 2, 3]);
    assert.deepEqual(st.sub(10, x).toArray(), [9, 8, 7]);
    assert.deepEqual(st.div(x, 2).toArray(), [0.5, 1, 1.5]);
    assert.throws(() => st.add(st.zeros([2, 3]), st.zeros([3, 2])), { code: 'SHAPE_MISMATCH', message: /\[2, 3\] and \[3, 2\]/ });
    assert.throws(() => st.add(st.zeros([2], 'i32'), x), { code: 'DTYPE_MISMATCH', message: /add: a must have dtype f32, received i32/ });
  });
});

const EXACT_UNARY = [
  ['neg', st.neg, (x: number) => -x],
  ['abs', st.abs, (x: number) => Math.abs(x)],
  ['sqrt', st.sqrt, (x: number) => f(Math.sqrt(x))],
  ['relu', st.relu, (x: number) => (Number.isNaN(x) ? NaN : x > 0 ? x : 0)],
] as const;

for (const [name, op, ref] of EXACT_UNARY) {
  test(`${name} is bit-exact on adversarial values`, () => {
    fc.assert(
      fc.property(tensorArb(), ({ shape, data }) => {
        st.tidy(() => {
          const got = op(st.tensor(data, shape)).toTypedArray();
          assert.equal(firstMismatch(got, Array.from(data, ref), (g, w) => (w === 0 && name !== 'relu' ? g === 0 : sameF32(g, w)), [data]), null);
        });
      }),
    );
  });
}

test('relu gives +0 for −0 and keeps NaN, in the SIMD blocks and the tail alike', () => {
  const x = Float32Array.from({ length: 19 }, (_, i) => [-0, 0, NaN, -1e-45, 1e-45, -Infinity, Infinity, -2.5, 3][i % 9]!);
  const got = Array.from(st.relu(st.tensor(x)).toTypedArray());
  assert.deepEqual(got, Array.from(x, (v) => (Number.isNaN(v) ? NaN : v > 0 ? v : 0)));
  assert.ok(got.every((v, i) => !(x[i] === 0 || x[i]! < 0) || Object.is(v, 0)), 'every −0 and negative became +0');
});

const TRANSCENDENTAL = [
  ['exp', st.exp, Math.exp, TOL.exp],
  ['log', st.log, Math.log, TOL.log],
  ['tanh', st.tanh, Math.tanh, TOL.tanh],
  ['sigmoid', st.sigmoid, (x: number) => 1 / (1 + Math.exp(-x)), TOL.sigmoid],
] as const;

const wideArb = fc.oneof(f32Arb({ min: -100, max: 100 }), f32Arb({ min: -1e30, max: 1e30 }), fc.float());

for (const [name, op, ref, ulps] of TRANSCENDENTAL) {
  test(`${name} is within ${ulps} ulp of the f64 reference, including specials and denormals`, () => {
    const check = (data: Float32Array) =>
      st.tidy(() => {
        const got = op(st.tensor(data)).toTypedArray();
        const want = Array.from(data, (x) => f(ref(x)));
        // Below the smallest normal, count absolute error in denormal ulps (sigmoid, exp tails).
        assert.equal(firstMismatch(got, want, (g, w) => ulpDiff(g, w) <= ulps, [data]), null);
      });
    check(Float32Array.from(SPECIALS));
    check(Float32Array.from({ length: 257 }, (_, i) => -88 + i * 0.7));
    fc.assert(fc.property(fc.array(wideArb, { maxLength: 67 }), (v) => check(Float32Array.from(v))));
  });
}

for (const [name, op, ref, tol] of [['erf', st.erf, erf64, TOL.erf], ['gelu', st.gelu, gelu64, TOL.gelu]] as const) {
  test(`${name} is within its absolute+relative budget of a double-precision reference`, () => {
    const check = (data: Float32Array) =>
      st.tidy(() => {
        const got = op(st.tensor(data)).toTypedArray();
        assert.equal(firstMismatch(got, Array.from(data, ref), (g, w) => closeAbsRel(g, w, tol), [data]), null);
      });
    check(Float32Array.from(SPECIALS));
    check(Float32Array.from({ length: 401 }, (_, i) => -10 + i * 0.05));
    fc.assert(fc.property(fc.array(fc.oneof(f32Arb({ min: -12, max: 12 }), fc.float()), { maxLength: 67 }), (v) => check(Float32Array.from(v))));
  });
}

test('a tail element gets the same bits as the same value inside a SIMD block', () => {
  st.tidy(() => {
    const values = [0.1, -3.7, 20.5, 1e-3, -0.5];
    for (const op of [st.exp, st.log, st.tanh, st.sigmoid, st.gelu, st.erf]) {
      for (const v of values) {
        const block = op(st.full([8], v)).toTypedArray();
        const tail = op(st.full([7], v)).toTypedArray();
        assert.ok(block.every((x) => sameF32(x, block[0]!)) && tail.every((x) => sameF32(x, block[0]!)), `${op.name}(${v})`);
      }
    }
  });
});

test('clamp and affine', () => {
  st.tidy(() => {
    const x = st.tensor([-2, -0.5, 0, 0.5, 2, NaN]);
    assert.deepEqual(Array.from(st.clamp(x, -1, 1).toTypedArray()), [-1, -0.5, 0, 0.5, 1, NaN]);
    assert.deepEqual(Array.from(st.affine(x, 2, 1).toTypedArray()), [-3, 0, 1, 2, 5, NaN]);
    assert.throws(() => st.clamp(x, 1, -1), { code: 'INVALID_ARGUMENT', message: /clamp: lo must be ≤ hi/ });
    assert.throws(() => st.clamp(x, NaN, 1), { code: 'INVALID_ARGUMENT' });
  });
});

const COMPARE = [
  ['equal', st.equal, (a: number, b: number) => a === b],
  ['notEqual', st.notEqual, (a: number, b: number) => a !== b],
  ['less', st.less, (a: number, b: number) => a < b],
  ['lessEqual', st.lessEqual, (a: number, b: number) => a <= b],
  ['greater', st.greater, (a: number, b: number) => a > b],
  ['greaterEqual', st.greaterEqual, (a: number, b: number) => a >= b],
] as const;

for (const [name, op, ref] of COMPARE) {
  test(`${name} gives a u8 mask equal to the reference, with broadcasting and NaN`, () => {
    fc.assert(
      fc.property(broadcastPairArb.chain(({ a, b }) => fc.tuple(arrayOf(size(a), f32Arb()), arrayOf(size(b), f32Arb())).map(([da, db]) => ({ a, b, da, db }))), ({ a, b, da, db }) => {
        st.tidy(() => {
          const out = op(st.tensor(da, a), st.tensor(db, b));
          assert.equal(out.dtype, 'u8');
          const shape = npBroadcastShape(a, b)!;
          const want = npBroadcastMap(shape, [{ data: da, shape: a }, { data: db, shape: b }], (x, y) => (ref(x, y) ? 1 : 0));
          assert.deepEqual(Array.from(out.toTypedArray()), want);
        });
      }),
      { numRuns: 60 },
    );
  });
}

test('where selects with three-way broadcasting', () => {
  fc.assert(
    fc.property(broadcastPairArb, fc.boolean(), fc.integer(), ({ a, b }, condOnA, seed) => {
      st.tidy(() => {
        const cs = condOnA ? a : b;
        const cond = Uint8Array.from({ length: size(cs) }, (_, i) => ((seed >>> (i % 31)) & 1) * (1 + (i % 3)));
        const da = Float32Array.from({ length: size(a) }, (_, i) => i + 0.5);
        const db = Float32Array.from({ length: size(b) }, (_, i) => -i);
        const out = st.where(st.tensor(cond, cs), st.tensor(da, a), st.tensor(db, b));
        const shape = npBroadcastShape(npBroadcastShape(cs, a)!, b)!;
        const want = npBroadcastMap(shape, [{ data: cond, shape: cs }, { data: da, shape: a }, { data: db, shape: b }], (c, x, y) => (c ? x : y));
        assert.deepEqual(Array.from(out.toTypedArray()), want);
      });
    }),
    { numRuns: 80 },
  );
  st.tidy(() => assert.throws(() => st.where(st.zeros([2]), st.zeros([2]), 0), { code: 'DTYPE_MISMATCH', message: /where: cond must have dtype u8, received f32/ }));
});
