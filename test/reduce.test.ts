import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import './setup.js';
import * as st from '../src/index.js';
import { closeAbsRel, f32Arb, sameF32, shapeArb, size, tensorArb, TOL } from './reference.js';

/** Reference reduction over `axis` (undefined: all) of a contiguous tensor, in f64. */
function refReduce(data: ArrayLike<number>, shape: number[], axis: number | undefined, f: (row: number[]) => number): number[] {
  if (axis === undefined) return [f(Array.from(data))];
  const outer = size(shape.slice(0, axis));
  const n = shape[axis]!;
  const inner = size(shape.slice(axis + 1));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) for (let j = 0; j < inner; j++) out.push(f(Array.from({ length: n }, (_, k) => data[(o * n + k) * inner + j]!)));
  return out;
}

const caseArb = tensorArb(shapeArb(4, 3000).filter((s) => s.length > 0), f32Arb({ specials: false, min: -1e4, max: 1e4 })).chain((t) =>
  fc.tuple(fc.option(fc.nat({ max: t.shape.length - 1 }), { nil: undefined }), fc.boolean()).map(([axis, keepdims]) => ({ ...t, axis, keepdims })),
);

function expectedShape(shape: number[], axis: number | undefined, keepdims: boolean): number[] {
  if (axis === undefined) return keepdims ? shape.map(() => 1) : [];
  return keepdims ? shape.map((d, i) => (i === axis ? 1 : d)) : shape.filter((_, i) => i !== axis);
}

test('sum and mean are within the recursive-summation bound of f64', () => {
  fc.assert(
    fc.property(caseArb, ({ shape, data, axis, keepdims }) => {
      st.tidy(() => {
        const x = st.tensor(data, shape);
        for (const [op, isMean] of [[st.sum, false], [st.mean, true]] as const) {
          const out = op(x, axis, keepdims);
          assert.deepEqual(out.shape, expectedShape(shape, axis, keepdims));
          const got = out.toTypedArray();
          const want = refReduce(data, shape, axis, (r) => r.reduce((p, v) => p + v, 0) / (isMean ? r.length : 1));
          const bound = refReduce(data, shape, axis, (r) => (TOL.SUM_EPS * (r.length + 2) * r.reduce((p, v) => p + Math.abs(v), 0)) / (isMean ? r.length : 1));
          got.forEach((g, i) => {
            if (Number.isNaN(want[i]!)) assert.ok(Number.isNaN(g));
            else assert.ok(Math.abs(g - want[i]!) <= bound[i]! + 1e-30, `${op.name} at ${i}: ${g} vs ${want[i]}`);
          });
        }
      });
    }),
    { numRuns: 120 },
  );
});

test('max, min, argmax and argmin match the reference exactly, NaN-propagating like NumPy', () => {
  const withNaN = tensorArb(shapeArb(3, 2000).filter((s) => s.length > 0 && size(s) > 0), f32Arb()).chain((t) =>
    fc.tuple(fc.option(fc.nat({ max: t.shape.length - 1 }), { nil: undefined }), fc.boolean()).map(([axis, keepdims]) => ({ ...t, axis, keepdims })),
  );
  const npMax = (r: number[]) => (r.some(Number.isNaN) ? NaN : r.reduce((p, v) => (v > p || (v === 0 && p === 0 && Object.is(p, -0)) ? v : p)));
  const npMin = (r: number[]) => (r.some(Number.isNaN) ? NaN : r.reduce((p, v) => (v < p || (v === 0 && p === 0 && Object.is(v, -0)) ? v : p)));
  const npArg = (better: (v: number, b: number) => boolean) => (r: number[]) => {
    const nan = r.findIndex(Number.isNaN);
    if (nan >= 0) return nan;
    let at = 0;
    for (let i = 1; i < r.length; i++) if (better(r[i]!, r[at]!)) at = i;
    return at;
  };
  fc.assert(
    fc.property(withNaN, ({ shape, data, axis, keepdims }) => {
      st.tidy(() => {
        const x = st.tensor(data, shape);
        const cases = [
          [st.max(x, axis, keepdims), npMax],
          [st.min(x, axis, keepdims), npMin],
          [st.argmax(x, axis, keepdims), npArg((v, b) => v > b)],
          [st.argmin(x, axis, keepdims), npArg((v, b) => v < b)],
        ] as const;
        for (const [out, ref] of cases) {
          if (shape[axis ?? 0] === 0 && axis !== undefined) continue;
          const want = refReduce(data, shape, axis, ref);
          assert.deepEqual(out.shape, expectedShape(shape, axis, keepdims));
          Array.from(out.toTypedArray()).forEach((g, i) => assert.ok(sameF32(g, want[i]!), `at ${i}: ${g} vs ${want[i]}`));
        }
      });
    }),
    { numRuns: 120 },
  );
});

test('empty axes: sum is 0, mean is NaN, max and argmax refuse', () => {
  st.tidy(() => {
    const x = st.zeros([3, 0]);
    assert.deepEqual(st.sum(x, 1).toArray(), [0, 0, 0]);
    assert.ok(Number.isNaN(st.mean(x).item()));
    assert.throws(() => st.max(x, 1), { code: 'SHAPE_MISMATCH', message: /max: cannot reduce an empty axis/ });
    assert.throws(() => st.argmax(x), { code: 'SHAPE_MISMATCH' });
    assert.deepEqual(st.max(x, 0).shape, [0]);
    assert.throws(() => st.sum(x, 2), { code: 'INVALID_ARGUMENT', message: /sum: axis must be an integer in \[-2, 2\), received 2/ });
    assert.deepEqual(st.sum(st.ones([2, 3]), -1).toArray(), [3, 3]);
  });
});

function refSoftmax(row: number[]): { p: number[]; logp: number[] } {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return { p: e.map((v) => v / s), logp: row.map((v) => v - m - Math.log(s)) };
}

test('softmax and logSoftmax are stable for huge logits and match f64', () => {
  const rowsArb = fc.tuple(fc.integer({ min: 1, max: 9 }), fc.constantFrom(1, 3, 4, 5, 8, 9, 16, 17, 33, 100)).chain(([r, n]) =>
    fc.tuple(fc.constant([r, n]), fc.array(fc.float({ min: -80, max: 80, noNaN: true }), { minLength: r * n, maxLength: r * n }), fc.float({ min: Math.fround(-1e30), max: Math.fround(1e30), noNaN: true })),
  );
  fc.assert(
    fc.property(rowsArb, ([shape, values, shift]) => {
      st.tidy(() => {
        const data = Float32Array.from(values, (v) => v + shift);
        const x = st.tensor(data, shape);
        const p = st.softmax(x).toTypedArray();
        const lp = st.logSoftmax(x).toTypedArray();
        for (let r = 0; r < shape[0]!; r++) {
          const row = Array.from(data.subarray(r * shape[1]!, (r + 1) * shape[1]!));
          const ref = refSoftmax(row);
          for (let j = 0; j < row.length; j++) {
            assert.ok(closeAbsRel(p[r * shape[1]! + j]!, ref.p[j]!, TOL.softmax), `softmax ${p[r * shape[1]! + j]} vs ${ref.p[j]}`);
            const scale = Math.max(1, Math.abs(row[j]!), ...row.map(Math.abs));
            assert.ok(Math.abs(lp[r * shape[1]! + j]! - ref.logp[j]!) <= TOL.softmax.rel * scale * 4 + 1e-6, `logSoftmax ${lp[r * shape[1]! + j]} vs ${ref.logp[j]}`);
          }
        }
      });
    }),
    { numRuns: 100 },
  );
  st.tidy(() => {
    const p = st.softmax(st.tensor([[1e30, 0, -1e30]])).toArray();
    assert.deepEqual(p, [[1, 0, 0]]);
    assert.deepEqual(st.logSoftmax(st.tensor([3e38, -3e38])).toArray(), [0, -Infinity]);
    assert.deepEqual(st.softmax(st.zeros([2, 0])).shape, [2, 0]);
  });
});

test('f32_minmax (quantization ranges) equals the min and max in value for any length, ±∞ counted, NaN anywhere → both NaN', async () => {
  const { kernels } = await import('../src/backend/binding.js');
  const kern = kernels();
  const special = fc.constantFrom(0, -0, 1e-45, -1e-45, 3.4e38, -3.4e38, Infinity, -Infinity, NaN);
  fc.assert(fc.property(fc.array(fc.oneof(f32Arb(), special), { minLength: 0, maxLength: 41 }), (values) => {
    st.tidy(() => {
      const x = st.tensor(Float32Array.from(values), [values.length]);
      const out = st.zeros([2]);
      kern.f32_minmax(values.length, x.ptr, out.ptr);
      const [lo, hi] = Array.from(out.toTypedArray());
      const f = Array.from(Float32Array.from(values));
      if (f.some(Number.isNaN)) {
        assert.ok(Number.isNaN(lo) && Number.isNaN(hi), `${f}: ${lo}, ${hi}`);
      } else if (f.length === 0) {
        assert.deepEqual([lo, hi], [0, 0]);
      } else {
        // == (not Object.is): the sign of a zero result is not specified.
        assert.ok(lo === Math.min(...f) && hi === Math.max(...f), `${f}: ${lo}, ${hi}`);
      }
    });
  }), { numRuns: 400 });
});
