// Every gradient rule against central finite differences of a float64 reference forward.
// Loss = Σ w·op(x…) with random weights w, so the upstream gradient is non-uniform.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import './setup.js';
import * as st from '../src/index.js';
import { erf64, gelu64, npBroadcastMap, npBroadcastShape, size } from './reference.js';

type F64 = Float64Array;
interface Input { shape: number[]; data: F64 }
interface Case {
  inputs: Input[];
  /** Tensor forward with the library (inputs are f32 tensors that require grad). */
  run: (xs: st.Tensor[]) => st.Tensor;
  /** Float64 reference forward giving the flat output. */
  ref: (xs: F64[]) => ArrayLike<number>;
}

function lcg(seed: number) {
  let s = seed >>> 0 || 1;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

/** Entries at least 1e-2 apart (each nudged up by 0.05 until it is), so no finite difference crosses a tie of max/min. */
function distinct(data: F64): F64 {
  const out = Float64Array.from(data);
  for (let i = 0; i < out.length; i++) {
    while (out.subarray(0, i).some((u) => Math.abs(u - out[i]!) < 1e-2)) out[i] = Math.fround(out[i]! + 0.05);
  }
  return out;
}

/** Values in ±[0.2, 1.2]·scale, away from the kinks of relu/abs/clamp at 0. */
function values(n: number, seed: number, opts: { positive?: boolean; scale?: number } = {}): F64 {
  const r = lcg(seed);
  return Float64Array.from({ length: n }, () => {
    const v = r();
    const mag = (0.2 + Math.abs(v)) * (opts.scale ?? 1);
    return opts.positive ? mag : Math.sign(v || 1) * mag;
  }).map((v) => Math.fround(v));
}

function checkGradients(c: Case, seed: number, tol = 2e-3): void {
  const out0 = c.ref(c.inputs.map((i) => i.data));
  const w = values(out0.length, seed ^ 0x9e3779b9);
  const loss = (xs: F64[]) => {
    const y = c.ref(xs);
    let s = 0;
    for (let i = 0; i < y.length; i++) s += w[i]! * y[i]!;
    return s;
  };
  const got = st.tidy(() => {
    const xs = c.inputs.map((i) => {
      const t = st.tensor(Float32Array.from(i.data), i.shape);
      t.requiresGrad = true;
      return t;
    });
    const y = c.run(xs);
    assert.equal(y.size, out0.length, 'forward size matches the reference');
    st.sum(st.mul(y, st.tensor(Float32Array.from(w), y.shape))).backward();
    return xs.map((x) => (x.grad ? x.grad.toTypedArray() : null));
  });
  c.inputs.forEach((input, k) => {
    const g = got[k];
    assert.ok(g, `input ${k} got no gradient`);
    for (let j = 0; j < input.data.length; j++) {
      const h = 1e-4 * Math.max(1, Math.abs(input.data[j]!));
      const xs = c.inputs.map((i) => Float64Array.from(i.data));
      xs[k]![j]! += h;
      const up = loss(xs);
      xs[k]![j]! -= 2 * h;
      const down = loss(xs);
      const fd = (up - down) / (2 * h);
      assert.ok(Math.abs(g[j]! - fd) <= tol * (1 + Math.abs(fd)), `input ${k}[${j}]: autograd ${g[j]} vs finite difference ${fd}`);
    }
  });
}

const shape = fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 3 });
const bshape = shape.chain((a) => fc.tuple(fc.nat({ max: a.length }), fc.array(fc.boolean(), { minLength: a.length, maxLength: a.length })).map(([drop, ones]) => [a, a.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d))] as const));

const BINARY: [string, (a: st.Tensor, b: st.Tensor) => st.Tensor, (a: number, b: number) => number, boolean?][] = [
  ['add', st.add, (a, b) => a + b],
  ['sub', st.sub, (a, b) => a - b],
  ['mul', st.mul, (a, b) => a * b],
  ['div', st.div, (a, b) => a / b, true],
  ['maximum', st.maximum, Math.max],
  ['minimum', st.minimum, Math.min],
];

for (const [name, op, f, positiveB] of BINARY) {
  test(`${name}: gradients match finite differences, broadcast gradients reduce correctly`, () => {
    fc.assert(
      fc.property(bshape, fc.boolean(), fc.integer(), ([sa, sb], swap, seed) => {
        const [s1, s2] = swap ? [sb, sa] : [sa, sb];
        const a = { shape: s1, data: values(size(s1), seed) };
        const b = { shape: s2, data: values(size(s2), seed + 1, { positive: positiveB, scale: 1.3 }) };
        // maximum/minimum have a kink at a = b: keep every pair far enough apart that the finite difference never crosses it.
        if (name === 'maximum' || name === 'minimum') {
          b.data = b.data.map((v) => {
            while (a.data.some((u) => Math.abs(u - v) < 1e-2)) v = Math.fround(v + 0.05);
            return v;
          });
        }
        const out = npBroadcastShape(s1, s2)!;
        checkGradients({ inputs: [a, b], run: ([x, y]) => op(x!, y!), ref: ([x, y]) => npBroadcastMap(out, [{ data: x!, shape: s1 }, { data: y!, shape: s2 }], f) }, seed);
      }),
      { numRuns: 25 },
    );
  });
}

/** Values moved 0.05 up when within 1e-2 of a kink, so no finite difference crosses it (its gradient is one-sided). */
const awayFrom = (data: F64, kinks: readonly number[]): F64 => data.map((v) => (kinks.some((k) => Math.abs(v - k) < 1e-2) ? Math.fround(v + 0.05) : v));

const UNARY: [string, (x: st.Tensor) => st.Tensor, (x: number) => number, { positive?: boolean; scale?: number; kinks?: number[] }?][] = [
  ['neg', st.neg, (x) => -x],
  ['abs', st.abs, Math.abs],
  ['sqrt', st.sqrt, Math.sqrt, { positive: true }],
  ['exp', st.exp, Math.exp],
  ['log', st.log, Math.log, { positive: true }],
  ['tanh', st.tanh, Math.tanh],
  ['sigmoid', st.sigmoid, (x) => 1 / (1 + Math.exp(-x)), { scale: 3 }],
  ['relu', st.relu, (x) => Math.max(x, 0)],
  ['gelu', st.gelu, gelu64, { scale: 2 }],
  ['erf', st.erf, erf64],
  ['clamp', (x) => st.clamp(x, -0.7, 0.9), (x) => Math.min(Math.max(x, -0.7), 0.9), { kinks: [-0.7, 0.9] }],
  ['affine', (x) => st.affine(x, -1.5, 0.25), (x) => -1.5 * x + 0.25],
  ['softmax', st.softmax, (x) => x],
  ['logSoftmax', st.logSoftmax, (x) => x],
];

function rowwise(xs: F64, shape: number[], f: (row: number[]) => number[]): number[] {
  const n = shape[shape.length - 1]!;
  const out: number[] = [];
  for (let r = 0; r < xs.length / n; r++) out.push(...f(Array.from(xs.subarray(r * n, (r + 1) * n))));
  return out;
}
const softmax64 = (row: number[]) => {
  const m = Math.max(...row);
  const e = row.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};

for (const [name, op, f, opts] of UNARY) {
  test(`${name}: gradient matches finite differences`, () => {
    fc.assert(
      fc.property(shape, fc.integer(), (s, seed) => {
        const x = { shape: s, data: awayFrom(values(size(s), seed, opts), opts?.kinks ?? []) };
        const ref = name === 'softmax' ? ([v]: F64[]) => rowwise(v!, s, softmax64)
          : name === 'logSoftmax' ? ([v]: F64[]) => rowwise(v!, s, (r) => softmax64(r).map(Math.log))
          : ([v]: F64[]) => Array.from(v!, f);
        checkGradients({ inputs: [x], run: ([t]) => op(t!), ref }, seed);
      }),
      { numRuns: 25 },
    );
  });
}

function reduceRef(v: F64, s: number[], axis: number | undefined, f: (r: number[]) => number): number[] {
  if (axis === undefined) return [f(Array.from(v))];
  const outer = size(s.slice(0, axis)), n = s[axis]!, inner = size(s.slice(axis + 1));
  const out: number[] = [];
  for (let o = 0; o < outer; o++) for (let j = 0; j < inner; j++) out.push(f(Array.from({ length: n }, (_, k) => v[(o * n + k) * inner + j]!)));
  return out;
}

for (const [name, op, f] of [
  ['sum', st.sum, (r: number[]) => r.reduce((a, b) => a + b, 0)],
  ['mean', st.mean, (r: number[]) => r.reduce((a, b) => a + b, 0) / r.length],
  ['max', st.max, (r: number[]) => Math.max(...r)],
  ['min', st.min, (r: number[]) => Math.min(...r)],
] as const) {
  test(`${name}: gradient over one axis or all, with keepdims`, () => {
    fc.assert(
      fc.property(shape, fc.option(fc.nat(), { nil: undefined }), fc.boolean(), fc.integer(), (s, axisSeed, keepdims, seed) => {
        const axis = axisSeed === undefined ? undefined : axisSeed % s.length;
        // max/min: no near-ties, so the finite difference stays on one side of the kink.
        const x = { shape: s, data: name === 'max' || name === 'min' ? distinct(values(size(s), seed)) : values(size(s), seed) };
        checkGradients({ inputs: [x], run: ([t]) => op(t!, axis, keepdims), ref: ([v]) => reduceRef(v!, s, axis, f) }, seed);
      }),
      { numRuns: 25 },
    );
  });
}

test('layout ops: reshape, transpose, slice, concat, broadcastTo, gather', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 3 }), fc.integer(), (s, seed) => {
      const x = { shape: s, data: values(size(s), seed) };
      const perm = s.map((_, i) => s.length - 1 - i);
      const strides = s.map((_, i) => size(s.slice(i + 1)));
      const transposeRef = (v: F64) => {
        const os = perm.map((p) => s[p]!);
        return Array.from({ length: size(s) }, (_, flat) => {
          let rem = flat, src = 0;
          os.forEach((_, i) => {
            const stride = size(os.slice(i + 1));
            src += Math.floor(rem / stride) * strides[perm[i]!]!;
            rem %= stride;
          });
          return v[src]!;
        });
      };
      checkGradients({ inputs: [x], run: ([t]) => st.reshape(t!, [-1]), ref: ([v]) => v! }, seed);
      checkGradients({ inputs: [x], run: ([t]) => st.transpose(t!, perm), ref: ([v]) => transposeRef(v!) }, seed);
      const n0 = s[0]!;
      checkGradients({ inputs: [x], run: ([t]) => st.slice(t!, 0, 1), ref: ([v]) => v!.subarray(size(s) / n0) }, seed);
      const y = { shape: s, data: values(size(s), seed + 5) };
      checkGradients({ inputs: [x, y], run: ([a, b]) => st.concat([a!, b!], 0), ref: ([a, b]) => [...a!, ...b!] }, seed);
      checkGradients({ inputs: [x], run: ([t]) => st.broadcastTo(t!, [2, ...s]), ref: ([v]) => [...v!, ...v!] }, seed);
      const rowLen = size(s.slice(1));
      const idx = [n0 - 1, 0, n0 - 1];
      checkGradients({ inputs: [x], run: ([t]) => st.gather(t!, st.tensor(idx, [3], 'i32')), ref: ([v]) => idx.flatMap((r) => Array.from(v!.subarray(r * rowLen, (r + 1) * rowLen))) }, seed);
    }),
    { numRuns: 20 },
  );
});

test('where: the gradient goes to the selected side', () => {
  fc.assert(
    fc.property(bshape, fc.integer(), ([sa, sb], seed) => {
      const a = { shape: sa, data: values(size(sa), seed) };
      const b = { shape: sb, data: values(size(sb), seed + 3) };
      const mask = Array.from({ length: size(sa) }, (_, i) => (i * 7 + seed) % 3 === 0 ? 1 : 0);
      checkGradients({
        inputs: [a, b],
        run: ([x, y]) => st.where(st.tensor(mask, sa, 'u8'), x!, y!),
        ref: ([x, y]) => npBroadcastMap(sa, [{ data: mask, shape: sa }, { data: x!, shape: sa }, { data: y!, shape: sb }], (c, p, q) => (c ? p : q)),
      }, seed);
    }),
    { numRuns: 25 },
  );
});

function matmul64(a: F64, b: F64, m: number, n: number, k: number, ta: boolean, tb: boolean): number[] {
  const c = new Array<number>(m * n).fill(0);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) c[i * n + j]! += (ta ? a[p * m + i]! : a[i * k + p]!) * (tb ? b[j * k + p]! : b[p * n + j]!);
  return c;
}

test('matmul: gradients in every transpose form, batched and broadcast', () => {
  const d = fc.integer({ min: 1, max: 6 });
  fc.assert(
    fc.property(d, d, d, fc.boolean(), fc.boolean(), fc.constantFrom(0, 2), fc.constantFrom('both', 'a2', 'b2'), fc.integer(), (m, n, k, ta, tb, batch, mode, seed) => {
      const as = ta ? [k, m] : [m, k];
      const bs = tb ? [n, k] : [k, n];
      const A = { shape: batch && mode !== 'a2' ? [batch, ...as] : as, data: values((batch && mode !== 'a2' ? batch : 1) * m * k, seed) };
      const B = { shape: batch && mode !== 'b2' ? [batch, ...bs] : bs, data: values((batch && mode !== 'b2' ? batch : 1) * k * n, seed + 9) };
      checkGradients({
        inputs: [A, B],
        run: ([a, b]) => st.matmul(a!, b!, ta, tb),
        ref: ([a, b]) => {
          if (!batch) return matmul64(a!, b!, m, n, k, ta, tb);
          const out: number[] = [];
          for (let i = 0; i < batch; i++) {
            const ai = A.shape.length === 3 ? a!.subarray(i * m * k, (i + 1) * m * k) : a!;
            const bi = B.shape.length === 3 ? b!.subarray(i * k * n, (i + 1) * k * n) : b!;
            out.push(...matmul64(ai, bi, m, n, k, ta, tb));
          }
          return out;
        },
      }, seed);
    }),
    { numRuns: 40 },
  );
});

test('linear: gradients of x, weight and bias, with and without the fused ReLU, on GEMM and GEMV rows', () => {
  const d = fc.integer({ min: 1, max: 6 });
  fc.assert(
    fc.property(fc.constantFrom(1, 3), d, d, fc.boolean(), fc.integer(), (rows, outF, inF, relu, seed) => {
      const x = { shape: [rows, inF], data: values(rows * inF, seed) };
      const w = { shape: [outF, inF], data: values(outF * inF, seed + 1) };
      const b = { shape: [outF], data: values(outF, seed + 2, { scale: 0.1 }) };
      if (relu) {
        // Keep every pre-activation at least 0.05 from ReLU's kink (shift the output's bias until it is).
        const z = matmul64(x.data, w.data, rows, outF, inF, false, true);
        for (let j = 0; j < outF; j++) {
          while (Array.from({ length: rows }, (_, r) => z[r * outF + j]! + b.data[j]!).some((v) => Math.abs(v) < 0.05)) b.data[j] = Math.fround(b.data[j]! + 0.07);
        }
      }
      checkGradients({
        inputs: [x, w, b],
        run: ([xt, wt, bt]) => st.linear(xt!, wt!, bt!, relu ? 'relu' : 'none'),
        ref: ([xv, wv, bv]) => matmul64(xv!, wv!, rows, outF, inF, false, true).map((v, i) => (relu ? Math.max(v + bv![i % outF]!, 0) : v + bv![i % outF]!)),
      }, seed);
    }),
    { numRuns: 40 },
  );
});

test('backward accumulates into .grad across calls, zeroGrad clears it, retainGraph allows a second pass', () => {
  st.tidy(() => {
    const w = st.tensor([1, 2, 3]);
    w.requiresGrad = true;
    const loss = () => st.sum(st.mul(w, w));
    loss().backward();
    assert.deepEqual(Array.from(w.grad!.toTypedArray()), [2, 4, 6]);
    loss().backward();
    assert.deepEqual(Array.from(w.grad!.toTypedArray()), [4, 8, 12], 'gradients accumulate');
    w.grad!.dispose();
    w.grad = null;
    const l = loss();
    l.backward({ retainGraph: true });
    l.backward();
    assert.deepEqual(Array.from(w.grad!.toTypedArray()), [4, 8, 12]);
    assert.throws(() => st.sum(st.mul(w, 2)).backward({ gradient: st.ones([2]) }), { code: 'SHAPE_MISMATCH' });
    assert.throws(() => st.mul(w, 2).backward(), { code: 'SHAPE_MISMATCH', message: /exactly one element unless a gradient is given/ });
    assert.throws(() => st.sum(st.tensor([1])).backward(), { code: 'INVALID_ARGUMENT', message: /does not require a gradient/ });
    assert.throws(() => { st.tensor([1], [1], 'i32').requiresGrad = true; }, { code: 'DTYPE_MISMATCH' });
  });
});

test('noGrad records nothing; detach stops gradients; a non-scalar root takes an explicit gradient', () => {
  st.tidy(() => {
    const w = st.tensor([1, 2]);
    w.requiresGrad = true;
    const y = st.noGrad(() => st.mul(w, 3));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.node, null);
    assert.equal(st.isGradEnabled(), true);
    const d = st.detach(st.mul(w, 3));
    assert.equal(d.requiresGrad, false);
    st.sum(st.add(st.mul(w, d), w)).backward();
    assert.deepEqual(Array.from(w.grad!.toTypedArray()), [4, 7], 'd is a constant: ∂(w·d + w) = d + 1');
    w.grad = null;
    st.mul(w, w).backward({ gradient: st.tensor([1, 10]) });
    assert.deepEqual(Array.from(w.grad!.toTypedArray()), [2, 40]);
  });
});

test('customGrad: a straight-through estimator (sign forward, clipped identity backward)', () => {
  st.tidy(() => {
    const sign = (w: st.Tensor) => st.where(st.greaterEqual(w, 0), 1, -1);
    const ste = (w: st.Tensor) => st.customGrad([w], (v) => sign(v), (gy, _y, [v]) => [st.where(st.lessEqual(st.abs(v!), 1), gy, 0)]);
    const w = st.tensor([-2, -0.5, 0.25, 3]);
    w.requiresGrad = true;
    const y = ste(w);
    assert.deepEqual(Array.from(y.toTypedArray()), [-1, -1, 1, 1]);
    st.sum(st.mul(y, st.tensor([1, 2, 3, 4]))).backward();
    assert.deepEqual(Array.from(w.grad!.toTypedArray()), [0, 2, 3, 0]);
    // A forward that returns its input unchanged still gets its own node (the input is not rewired).
    const x = st.tensor([1, 2]);
    x.requiresGrad = true;
    const same = st.customGrad([x], (v) => v, (gy) => [st.mul(gy, 5)]);
    assert.notEqual(same, x);
    assert.equal(x.node, null);
    st.sum(same).backward();
    assert.deepEqual(Array.from(x.grad!.toTypedArray()), [5, 5]);
  });
});

function pool64(v: F64, [n, c, h, w]: number[], k: number, s: number, p: number, kind: 'max' | 'avg', include = true): number[] {
  const oh = Math.floor((h + 2 * p - k) / s) + 1, ow = Math.floor((w + 2 * p - k) / s) + 1;
  const out: number[] = [];
  for (let pl = 0; pl < n * c; pl++) for (let y = 0; y < oh; y++) for (let x = 0; x < ow; x++) {
    let acc = kind === 'max' ? -Infinity : 0, count = 0;
    for (let dy = 0; dy < k; dy++) for (let dx = 0; dx < k; dx++) {
      const iy = y * s - p + dy, ix = x * s - p + dx;
      if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
      const val = v[(pl * h + iy) * w + ix]!;
      acc = kind === 'max' ? Math.max(acc, val) : acc + val;
      count++;
    }
    if (kind === 'max') out.push(acc);
    else {
      const hEnd = Math.min(y * s - p + k, h + p), wEnd = Math.min(x * s - p + k, w + p);
      const padded = (hEnd - (y * s - p)) * (wEnd - (x * s - p));
      out.push(acc / (include ? padded : count));
    }
  }
  return out;
}

test('maxPool2d and avgPool2d gradients match finite differences', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 2, max: 7 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }), fc.nat({ max: 1 }), fc.boolean(), fc.integer(), (c, hw, k, s, p, include, seed) => {
      if (p > k / 2 || hw + 2 * p < k) return;
      const shape = [2, c, hw, hw];
      // Distinct values so no max-pool window has a tie (the max is differentiable there).
      const data = Float64Array.from({ length: size(shape) }, (_, i) => Math.fround(((i * 7919 + (seed >>> 0)) % 1009) / 97 - 5));
      const x = { shape, data };
      checkGradients({ inputs: [x], run: ([t]) => st.maxPool2d(t!, k, { stride: s, padding: p }), ref: ([v]) => pool64(v!, shape, k, s, p, 'max') }, seed);
      checkGradients({ inputs: [x], run: ([t]) => st.avgPool2d(t!, k, { stride: s, padding: p, countIncludePad: include }), ref: ([v]) => pool64(v!, shape, k, s, p, 'avg', include) }, seed);
    }),
    { numRuns: 40 },
  );
});
