import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import './setup.js';
import * as st from '../src/index.js';

/** Direct convolution in float64: the reference for conv2d (PyTorch semantics, groups = 1). */
function conv64(x: Float32Array, [n, c, h, w]: number[], wt: Float32Array, [oc, , kh, kw]: number[], b: Float32Array | null, s: number, p: number, d: number) {
  const oh = Math.floor((h + 2 * p - d * (kh - 1) - 1) / s) + 1;
  const ow = Math.floor((w + 2 * p - d * (kw - 1) - 1) / s) + 1;
  const y = new Float64Array(n * oc * oh * ow);
  for (let i = 0; i < n; i++) for (let o = 0; o < oc; o++) for (let yy = 0; yy < oh; yy++) for (let xx = 0; xx < ow; xx++) {
    let acc = b ? b[o]! : 0;
    for (let ci = 0; ci < c; ci++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const iy = yy * s - p + ky * d, ix = xx * s - p + kx * d;
      if (iy >= 0 && iy < h && ix >= 0 && ix < w) acc += x[((i * c + ci) * h + iy) * w + ix]! * wt[((o * c + ci) * kh + ky) * kw + kx]!;
    }
    y[((i * oc + o) * oh + yy) * ow + xx] = acc;
  }
  return { y, shape: [n, oc, oh, ow] };
}

const small = fc.integer({ min: 1, max: 3 });

test('conv2d matches direct convolution for stride, padding and dilation; its gradients match finite differences', () => {
  fc.assert(
    fc.property(small, small, fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 2 }), fc.integer({ min: 1, max: 2 }), fc.integer(), (n, c, oc, hw, k, s, p, d, seed) => {
      const eff = d * (k - 1) + 1;
      if (hw + 2 * p < eff) return;
      st.tidy(() => {
        const x = st.normal([n, c, hw, hw], 0, 1, { seed: seed >>> 0 });
        const w = st.normal([oc, c, k, k], 0, 1, { seed: (seed >>> 0) + 1 });
        const b = st.normal([oc], 0, 1, { seed: (seed >>> 0) + 2 });
        const got = st.conv2d(x, w, b, { stride: s, padding: p, dilation: d });
        const ref = conv64(x.toTypedArray(), x.shape as number[], w.toTypedArray(), w.shape as number[], b.toTypedArray(), s, p, d);
        assert.deepEqual(got.shape, ref.shape);
        got.toTypedArray().forEach((v, i) => assert.ok(Math.abs(v - ref.y[i]!) < 1e-4 * (1 + Math.abs(ref.y[i]!)), `at ${i}: ${v} vs ${ref.y[i]}`));
        // Gradients: loss = Σ r·conv(x, w, b) with random r; analytic against central differences.
        const r = st.normal(got.shape, 0, 1, { seed: 99 });
        for (const t of [x, w, b]) t.requiresGrad = true;
        st.sum(st.mul(st.conv2d(x, w, b, { stride: s, padding: p, dilation: d }), r)).backward();
        const rv = r.toTypedArray();
        const lossAt = (xs: Float32Array, ws: Float32Array, bs: Float32Array) => conv64(xs, x.shape as number[], ws, w.shape as number[], bs, s, p, d).y.reduce((acc, v, i) => acc + v * rv[i]!, 0);
        const base = [x.toTypedArray(), w.toTypedArray(), b.toTypedArray()];
        [x, w, b].forEach((t, which) => {
          const g = t.grad!.toTypedArray();
          for (let j = 0; j < g.length; j += Math.max(1, Math.floor(g.length / 7))) {
            const vary = (h: number) => lossAt(...(base.map((arr, q) => (q === which ? Float32Array.from(arr, (v, i) => (i === j ? v + h : v)) : arr)) as [Float32Array, Float32Array, Float32Array]));
            const fd = (vary(1e-2) - vary(-1e-2)) / 2e-2;
            assert.ok(Math.abs(g[j]! - fd) < 2e-3 * (1 + Math.abs(fd)), `${['x', 'w', 'b'][which]}[${j}]: ${g[j]} vs ${fd}`);
          }
        });
      });
    }),
    { numRuns: 40 },
  );
});

test('conv2d with activation \'relu\' equals relu(conv2d(…)) bit for bit, gradients too; a bad activation is a SlimError', () => {
  const bits = (t: st.Tensor) => Array.from(new Uint32Array(new Float32Array(t.toTypedArray() as Float32Array).buffer));
  let clamped = false, passed = false;
  fc.assert(fc.property(small, small, fc.integer({ min: 1, max: 5 }), fc.integer({ min: 3, max: 9 }), fc.integer({ min: 1, max: 2 }), fc.integer({ min: 0, max: 1 }), fc.nat(1e6), (n, c, oc, hw, s, p, seed) => st.tidy(() => {
    const x = st.normal([n, c, hw, hw], 0, 1, { seed });
    const w = st.normal([oc, c, 3, 3], 0, 1, { seed: seed + 1 });
    const b = st.normal([oc], 0, 1, { seed: seed + 2 });
    const r = st.normal(st.conv2d(x, w, b, { stride: s, padding: p }).shape, 0, 1, { seed: seed + 3 });
    const run = (fused: boolean) => {
      for (const t of [x, w, b]) { t.requiresGrad = true; t.grad = null; }
      const y = fused ? st.conv2d(x, w, b, { stride: s, padding: p, activation: 'relu' }) : st.relu(st.conv2d(x, w, b, { stride: s, padding: p }));
      st.sum(st.mul(y, r)).backward();
      return [y, x.grad!, w.grad!, b.grad!].map(bits);
    };
    const want = run(false);
    assert.deepEqual(run(true), want);
    clamped ||= want[0]!.some((u) => u === 0);
    passed ||= want[0]!.some((u) => u !== 0 && u < 0x80000000);
  })), { numRuns: 40 });
  assert.ok(clamped && passed, 'the runs reach both sides of the ReLU');
  st.tidy(() => {
    const x = st.zeros([1, 1, 4, 4]), w = st.zeros([2, 1, 3, 3]);
    assert.throws(() => st.conv2d(x, w, null, { activation: 'gelu' as never }), (e: unknown) => e instanceof st.SlimError && e.code === 'INVALID_ARGUMENT' && /options\.activation/.test(e.message));
  });
});

test('conv2d equals its sequential-k reference bit for bit: the direct kernel for few taps (1-3 channels), the GEMM otherwise; ±0, NaN, Inf inputs', () => {
  const fr = Math.fround;
  const bits = (a: ArrayLike<number>) => Array.from(new Uint32Array(Float32Array.from(a).buffer), (b) => ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0 ? 'NaN' : b));
  fc.assert(fc.property(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 13 }), fc.integer({ min: 1, max: 17 }),
    fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 }), fc.boolean(), fc.boolean(), fc.boolean(), fc.nat(1e6),
    (n, c, oc, h, w, kh, kw, p, withBias, relu, wild, seed) => {
      if (h + 2 * p < kh || w + 2 * p < kw) return;
      st.tidy(() => {
        const rng = new st.Rng(seed);
        const special = [0, -0, NaN, Infinity, -Infinity, 1e30];
        const val = () => (wild && rng.uint32() % 8 === 0 ? special[rng.uint32() % special.length]! : rng.uint32() / 2 ** 32 - 0.5);
        const xv = Float32Array.from({ length: n * c * h * w }, val);
        const wv = Float32Array.from({ length: oc * c * kh * kw }, () => rng.uint32() / 2 ** 32 - 0.5);
        const bv = Float32Array.from({ length: oc }, () => rng.uint32() / 2 ** 32 - 0.5);
        const y = st.conv2d(st.tensor(xv, [n, c, h, w]), st.tensor(wv, [oc, c, kh, kw]), withBias ? st.tensor(bv, [oc]) : null, { padding: p, activation: relu ? 'relu' : 'none' });
        const oh = h + 2 * p - kh + 1, ow = w + 2 * p - kw + 1;
        if (n * oh * ow === 1) return; // one row: the GEMV's lane order
        const want: number[] = [];
        for (let b = 0; b < n; b++) for (let o = 0; o < oc; o++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
          let s = 0;
          for (let ci = 0; ci < c; ci++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
            const iy = oy + ky - p, ix = ox + kx - p;
            const v = iy < 0 || iy >= h || ix < 0 || ix >= w ? 0 : xv[((b * c + ci) * h + iy) * w + ix]!;
            s = fr(s + fr(wv[((o * c + ci) * kh + ky) * kw + kx]! * v));
          }
          if (withBias) s = fr(s + bv[o]!);
          want.push(relu ? (Number.isNaN(s) ? s : Math.max(s, 0)) : s);
        }
        assert.deepEqual(bits(y.toTypedArray() as Float32Array), bits(want), `n=${n} c=${c} oc=${oc} ${h}×${w} k=${kh}×${kw} p=${p}`);
      });
    }), { numRuns: 300 });
});

test('maxPool2d and avgPool2d match references, with gradients routed like PyTorch', () => {
  st.tidy(() => {
    const x = st.tensor(Float32Array.from({ length: 2 * 1 * 4 * 4 }, (_, i) => ((i * 7) % 11) - 5), [2, 1, 4, 4]);
    x.requiresGrad = true;
    const y = st.maxPool2d(x, 2);
    const xv = x.toTypedArray();
    const want: number[] = [];
    for (let n = 0; n < 2; n++) for (let oy = 0; oy < 2; oy++) for (let ox = 0; ox < 2; ox++) {
      const win = [0, 1].flatMap((dy) => [0, 1].map((dx) => xv[n * 16 + (oy * 2 + dy) * 4 + ox * 2 + dx]!));
      want.push(Math.max(...win));
    }
    assert.deepEqual(Array.from(y.toTypedArray()), want);
    st.sum(y).backward();
    const g = x.grad!.toTypedArray();
    assert.equal(g.reduce((a, b) => a + b, 0), 8, 'each window sends its gradient to one position');
    g.forEach((v, i) => v && assert.ok(want.includes(xv[i]!)));
    const a = st.avgPool2d(st.ones([1, 1, 3, 3]), 2, { stride: 1, padding: 1 });
    // 4×4 output over the zero-padded 5×5 input, every divisor 4: corners see 1 real pixel, edges 2.
    assert.deepEqual(a.toArray(), [[[[0.25, 0.5, 0.5, 0.25], [0.5, 1, 1, 0.5], [0.5, 1, 1, 0.5], [0.25, 0.5, 0.5, 0.25]]]]);
    const exc = st.avgPool2d(st.ones([1, 1, 3, 3]), 2, { stride: 1, padding: 1, countIncludePad: false });
    assert.ok(exc.toTypedArray().every((v) => v === 1));
    assert.throws(() => st.maxPool2d(st.zeros([1, 1, 1, 1]), 2), { code: 'SHAPE_MISMATCH' });
    assert.throws(() => st.maxPool2d(st.zeros([1, 1, 4, 4]), 2, { padding: 2 }), { code: 'INVALID_ARGUMENT', message: /at most half the kernel/ });
  });
});

test('maxPool2d without a gradient to record skips the argmax indices and gives the same bits: first maximum on ±0 ties, NaN wins', () => {
  const bits = (t: st.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.toTypedArray() as Float32Array).buffer), (b) => ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0 ? 'NaN' : b));
  fc.assert(fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 2, max: 19 }), fc.integer({ min: 2, max: 23 }), fc.constantFrom(2, 3), fc.constantFrom(1, 2), fc.constantFrom(0, 1), fc.nat(1e6), (c, h, w, k, s, p, seed) => {
    if (2 * p > k || h + 2 * p < k || w + 2 * p < k) return;
    st.tidy(() => {
      const rng = new st.Rng(seed);
      const special = [0, -0, NaN, 1, -1];
      const x = st.tensor(Float32Array.from({ length: c * h * w }, () => (rng.uint32() % 3 === 0 ? special[rng.uint32() % special.length]! : rng.uint32() / 2 ** 32 - 0.5)), [1, c, h, w]);
      const inference = st.noGrad(() => st.maxPool2d(x, k, { stride: s, padding: p }));
      x.requiresGrad = true;
      const training = st.maxPool2d(x, k, { stride: s, padding: p });
      assert.ok(training.node !== null && inference.node === null);
      assert.deepEqual(bits(inference), bits(training));
    });
  }), { numRuns: 200 });
});

test('Conv2d module: PyTorch layout, init bounds and names; a conv net trains', () => {
  st.seed(3);
  const net = new st.Sequential(new st.Conv2d(1, 4, 3, { padding: 1 }), new st.ReLU(), new st.MaxPool2d(2), new st.Flatten(), new st.Linear(4 * 4 * 4, 2));
  assert.deepEqual(net.namedParameters().map(([n, t]) => `${n}:${t.shape}`), ['0.weight:4,1,3,3', '0.bias:4', '4.weight:2,64', '4.bias:2']);
  st.tidy(() => assert.ok(st.max(st.abs((net.layers[0] as st.Conv2d).weight)).item() <= 1 / 3));
  const x = st.keep(st.normal([16, 1, 8, 8], 0, 1, { seed: 5 }));
  const y = st.keep(st.tensor(Array.from({ length: 16 }, (_, i) => i % 2), [16], 'i32'));
  st.tidy(() => st.assign(x, st.add(x, st.mul(st.reshape(st.cast(y, 'f32'), [16, 1, 1, 1]), 1.5))));
  const opt = new st.Adam(net.parameters(), { lr: 1e-2 });
  let loss = Infinity;
  for (let i = 0; i < 60; i++) loss = st.tidy(() => {
    opt.zeroGrad();
    const l = st.crossEntropy(net.forward(x), y);
    l.backward();
    opt.step();
    return l.item();
  });
  assert.ok(loss < 0.1, `loss ${loss}`);
  [x, y].forEach((t) => t.dispose());
  opt.dispose();
  net.dispose();
});
