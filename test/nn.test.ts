import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import './setup.js';
import * as st from '../src/index.js';

const close = (a: number, b: number, tol = 1e-5) => Math.abs(a - b) <= tol * (1 + Math.abs(b));

test('Sequential names parameters like a PyTorch state_dict; init bounds follow kaiming-uniform(a=√5)', () => {
  st.seed(1);
  const m = new st.Sequential(new st.Linear(784, 300), new st.ReLU(), new st.Linear(300, 10, { bias: false }), new st.BatchNorm1d(10));
  assert.deepEqual(m.namedParameters().map(([n]) => n), ['0.weight', '0.bias', '2.weight', '3.weight', '3.bias']);
  assert.deepEqual(m.namedBuffers().map(([n]) => n), ['3.running_mean', '3.running_var', '3.num_batches_tracked']);
  assert.equal(m.numParameters(), 784 * 300 + 300 + 3000 + 20);
  st.tidy(() => {
    const w = (m.layers[0] as st.Linear).weight;
    const bound = 1 / Math.sqrt(784);
    assert.ok(st.max(st.abs(w)).item() <= bound);
    assert.ok(st.max(st.abs(w)).item() > bound * 0.99, 'uniform fills the range');
    assert.ok(Math.abs(st.mean(w).item()) < bound * 0.01);
    assert.ok(close(st.mean(st.mul(w, w)).item(), (bound * bound) / 3, 0.02), 'variance of U(-b, b) is b²/3');
  });
  m.eval();
  assert.ok(m.namedModules().every(([, mod]) => !mod.training));
  m.train();
  assert.ok(m.layers.every((l) => l.training));
  m.dispose();
});

test('Sequential fuses Linear then ReLU into one linear(…, \'relu\') and Conv2d then ReLU into one conv2d: the layer-by-layer bits and gradients, fewer tensors; overrides are not fused', () => {
  const bits = (t: st.Tensor) => Array.from(new Uint32Array(new Float32Array(t.toTypedArray() as Float32Array).buffer));
  // The parameters' gradient bits of Σ r·f() for a seeded random r.
  const grads = (m: st.Module, f: () => st.Tensor, shape: readonly number[], seed: number) => {
    for (const p of m.parameters()) p.grad = null;
    st.sum(st.mul(f(), st.normal([...shape], 0, 1, { seed: seed + 1 }))).backward();
    return m.parameters().map((p) => bits(p.grad!));
  };
  fc.assert(fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 20 }), fc.nat(1e6), (rows, inF, hidden, seed) => st.tidy(() => {
    st.seed(seed);
    const m = new st.Sequential(new st.Linear(inF, hidden), new st.ReLU(), new st.Linear(hidden, 3), new st.ReLU());
    const x = st.normal([rows, inF], 0, 1, { seed });
    // Layer by layer, the unfused path.
    const layerByLayer = () => m.layers.reduce<st.Tensor>((h, l) => l.forward(h), x);
    const fused = m.forward(x);
    const plain = layerByLayer();
    assert.deepEqual(bits(fused), bits(plain));
    assert.deepEqual(grads(m, () => m.forward(x), fused.shape, seed), grads(m, layerByLayer, fused.shape, seed));
    m.dispose();
  })), { numRuns: 60 });
  // Conv2d then ReLU, the same way.
  fc.assert(fc.property(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 3, max: 9 }), fc.constantFrom(0, 1), fc.nat(1e6), (n, c, hw, pad, seed) => st.tidy(() => {
    st.seed(seed);
    const m = new st.Sequential(new st.Conv2d(c, 4, 3, { padding: pad }), new st.ReLU(), new st.Flatten(), new st.Linear(4 * (hw - 2 + 2 * pad) ** 2, 3));
    const x = st.normal([n, c, hw, hw], 0, 1, { seed });
    const layerByLayer = () => m.layers.reduce<st.Tensor>((h, l) => l.forward(h), x);
    const fused = m.forward(x);
    assert.deepEqual(bits(fused), bits(layerByLayer()));
    assert.deepEqual(grads(m, () => m.forward(x), fused.shape, seed), grads(m, layerByLayer, fused.shape, seed));
    m.dispose();
  })), { numRuns: 30 });
  st.tidy(() => {
    st.seed(3);
    const m = new st.Sequential(new st.Linear(8, 6), new st.ReLU(), new st.Linear(6, 2));
    const x = st.normal([1, 8], 0, 1, { seed: 3 });
    const before = st.memoryStats().tensors;
    st.noGrad(() => m.forward(x));
    assert.equal(st.memoryStats().tensors - before, 2, 'one tensor per fused Linear+ReLU and one for the last Linear');
    // A ReLU whose forward is overridden runs as written.
    class LeakyReLU extends st.ReLU { override forward(h: st.Tensor): st.Tensor { return st.maximum(h, st.mul(h, 0.1)); } }
    const leaky = new st.Sequential(m.layers[0]!, new LeakyReLU());
    const y = leaky.forward(x).toTypedArray() as Float32Array;
    const z = (m.layers[0]!.forward(x).toTypedArray() as Float32Array);
    assert.deepEqual(Array.from(y), Array.from(z, (v) => Math.max(v, Math.fround(v * Math.fround(0.1)))));
    assert.ok(z.some((v) => v < 0), 'the probe reaches the negative side');
    m.dispose();
  });
});

test('a custom Module registering junk gets a SlimError naming the argument, and keeps nothing', () => {
  class Custom extends st.Module {
    constructor(run: (self: Custom) => void) { super(); run(this); }
    forward(x: st.Tensor): st.Tensor { return x; }
    reg(kind: 'registerParameter' | 'registerBuffer' | 'registerModule', name: unknown, v: unknown) {
      return (this as unknown as Record<string, (n: unknown, v: unknown) => unknown>)[kind]!(name, v);
    }
  }
  const before = st.memoryStats().tensors;
  const t = st.zeros([2]);
  const cases: [string, (c: Custom) => void, RegExp][] = [
    ['a non-tensor parameter', (c) => c.reg('registerParameter', 'w', [1, 2]), /registerParameter: t must be a Tensor/],
    ['an i32 parameter', (c) => c.reg('registerParameter', 'w', st.zeros([2], 'i32')), /DTYPE|only f32/],
    ['a dotted name', (c) => c.reg('registerParameter', 'a.b', t), /registerParameter: name must be a non-empty string without '\.'/],
    ['an empty name', (c) => c.reg('registerBuffer', '', t), /registerBuffer: name must be/],
    ['a Symbol name', (c) => c.reg('registerBuffer', Symbol('s'), t), /registerBuffer: name must be/],
    ['a non-module child', (c) => c.reg('registerModule', 'child', {}), /registerModule: m must be a Module/],
    ['itself as child', (c) => c.reg('registerModule', 'me', c), /registerModule: m must be a module other than this one/],
  ];
  for (const [what, run, message] of cases) {
    assert.throws(() => st.tidy(() => new Custom(run)), (e: unknown) => e instanceof st.SlimError && message.test(e.message), what);
  }
  assert.ok(!t.isDisposed);
  t.dispose();
  assert.equal(st.memoryStats().tensors, before);
  // Right arguments still register.
  const ok = new Custom((c) => { c.reg('registerParameter', 'w', st.zeros([3])); c.reg('registerModule', 'inner', new st.ReLU()); });
  assert.deepEqual(ok.namedParameters().map(([n]) => n), ['w']);
  assert.deepEqual(ok.namedModules().map(([n]) => n), ['', 'inner']);
  ok.dispose();
});

test('loadStateDict is strict: missing, unexpected and wrongly shaped keys are all reported, nothing copied', () => {
  const a = new st.Sequential(new st.Linear(4, 3), new st.ReLU(), new st.Linear(3, 2));
  const b = new st.Sequential(new st.Linear(4, 3), new st.ReLU(), new st.Linear(3, 2));
  const before = st.tidy(() => (b.layers[0] as st.Linear).weight.toTypedArray());
  const sd = a.stateDict();
  const bad = { ...sd, extra: st.zeros([1]), '2.bias': st.zeros([3]) } as st.StateDict;
  delete (bad as Record<string, st.Tensor>)['0.bias'];
  assert.throws(() => b.loadStateDict(bad), (e: st.SlimError) => {
    assert.equal(e.code, 'SHAPE_MISMATCH');
    assert.match(e.message, /missing key '0.bias' \(expected \[3\] f32\)/);
    assert.match(e.message, /unexpected key 'extra'/);
    assert.match(e.message, /'2.bias': expected \[2\] f32, received \[3\] f32/);
    return true;
  });
  assert.deepEqual((b.layers[0] as st.Linear).weight.toTypedArray(), before, 'a failed load copies nothing');
  b.loadStateDict(sd);
  const x = st.normal([5, 4], 0, 1, { seed: 3 });
  st.tidy(() => assert.deepEqual(b.forward(x).toTypedArray(), a.forward(x).toTypedArray()));
  b.loadStateDict({ '0.weight': sd['0.weight']! }, { strict: false });
  bad.extra!.dispose();
  bad['2.bias']!.dispose();
  for (const t of [x]) t.dispose();
  a.dispose();
  b.dispose();
});

/** f64 references of the losses. */
function logSoftmax64(row: number[]): number[] {
  const m = Math.max(...row);
  const s = Math.log(row.reduce((p, v) => p + Math.exp(v - m), 0));
  return row.map((v) => v - m - s);
}

test('crossEntropy (label smoothing, reductions), nllLoss, mseLoss and klDiv match float64 references', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 2, max: 12 }), fc.double({ min: 0, max: 0.5, noNaN: true }), fc.integer(), (n, c, eps, seed) => {
      st.tidy(() => {
        const x = st.normal([n, c], 0, 3, { seed: seed >>> 0 });
        const labels = Array.from({ length: n }, (_, i) => (i * 7 + (seed >>> 0)) % c);
        const y = st.tensor(labels, [n], 'i32');
        const xs = Array.from(x.toTypedArray());
        const rows = Array.from({ length: n }, (_, i) => logSoftmax64(xs.slice(i * c, (i + 1) * c)));
        const ce = rows.map((lp, i) => -(1 - eps) * lp[labels[i]!]! - (eps / c) * lp.reduce((p, v) => p + v, 0));
        const mean = ce.reduce((p, v) => p + v, 0) / n;
        assert.ok(close(st.crossEntropy(x, y, { labelSmoothing: eps }).item(), mean, 1e-5));
        assert.ok(close(st.crossEntropy(x, y, { labelSmoothing: eps, reduction: 'sum' }).item(), mean * n, 1e-5));
        Array.from(st.crossEntropy(x, y, { labelSmoothing: eps, reduction: 'none' }).toTypedArray()).forEach((v, i) => assert.ok(close(v, ce[i]!, 1e-5)));
        assert.ok(close(st.nllLoss(st.logSoftmax(x), y).item(), rows.reduce((p, lp, i) => p - lp[labels[i]!]!, 0) / n, 1e-5));
        const z = st.normal([n, c], 0, 1, { seed: 7 });
        const zs = z.toTypedArray();
        assert.ok(close(st.mseLoss(x, z).item(), xs.reduce((p, v, i) => p + (v - zs[i]!) ** 2, 0) / (n * c), 1e-5));
        const p = st.softmax(z);
        const ps = p.toTypedArray();
        const kl = rows.flat().reduce((acc, lp, i) => acc + ps[i]! * (Math.log(ps[i]!) - lp), 0) / n;
        assert.ok(close(st.klDiv(st.logSoftmax(x), p, { reduction: 'batchmean' }).item(), kl, 1e-4));
        assert.ok(close(st.klDiv(st.logSoftmax(x), st.logSoftmax(z), { reduction: 'batchmean', logTarget: true }).item(), kl, 1e-4));
      });
    }),
    { numRuns: 40 },
  );
  st.tidy(() => {
    assert.equal(st.klDiv(st.log(st.tensor([[0.5, 0.5]])), st.tensor([[1, 0]]), { reduction: 'sum' }).item(), Math.fround(Math.log(2)), '0·log 0 counts as 0');
    assert.throws(() => st.crossEntropy(st.zeros([2, 3]), st.tensor([0, 3], [2], 'i32')), { code: 'INDEX_OUT_OF_RANGE', message: /target\[1\] = 3 is outside \[0, 3\)/ });
    assert.throws(() => st.crossEntropy(st.zeros([2, 3]), st.tensor([0], [1], 'i32')), { code: 'SHAPE_MISMATCH' });
  });
});

test('crossEntropy gradient is (softmax − q)/N', () => {
  st.tidy(() => {
    const x = st.normal([4, 5], 0, 2, { seed: 9 });
    x.requiresGrad = true;
    st.crossEntropy(x, st.tensor([0, 4, 2, 2], [4], 'i32'), { labelSmoothing: 0.1 }).backward();
    const p = st.softmax(x).toTypedArray();
    const g = x.grad!.toTypedArray();
    [0, 4, 2, 2].forEach((y, i) => {
      for (let j = 0; j < 5; j++) {
        const q = 0.9 * (j === y ? 1 : 0) + 0.1 / 5;
        assert.ok(Math.abs(g[i * 5 + j]! - (p[i * 5 + j]! - q) / 4) < 1e-6);
      }
    });
  });
});

/** torch.optim single-tensor updates in float64, for comparison. */
function torchSGD(p: number[], grads: number[][], o: { lr: number; momentum: number; dampening: number; wd: number; nesterov: boolean }) {
  let buf: number[] | null = null;
  for (const g of grads) {
    const d = g.map((v, i) => v + o.wd * p[i]!);
    let step = d;
    if (o.momentum) {
      buf = buf === null ? d.slice() : buf.map((b, i) => o.momentum * b + (1 - o.dampening) * d[i]!);
      step = o.nesterov ? d.map((v, i) => v + o.momentum * buf![i]!) : buf;
    }
    p = p.map((v, i) => v - o.lr * step[i]!);
  }
  return p;
}

function torchAdam(p: number[], grads: number[][], o: { lr: number; b1: number; b2: number; eps: number; wd: number; decoupled: boolean }) {
  let m = p.map(() => 0);
  let v = p.map(() => 0);
  grads.forEach((g0, t) => {
    if (o.decoupled) p = p.map((x) => x * (1 - o.lr * o.wd));
    const g = o.decoupled ? g0 : g0.map((x, i) => x + o.wd * p[i]!);
    m = m.map((x, i) => o.b1 * x + (1 - o.b1) * g[i]!);
    v = v.map((x, i) => o.b2 * x + (1 - o.b2) * g[i]! * g[i]!);
    const bc1 = 1 - o.b1 ** (t + 1);
    const bc2 = 1 - o.b2 ** (t + 1);
    p = p.map((x, i) => x - (o.lr / bc1) * (m[i]! / (Math.sqrt(v[i]!) / Math.sqrt(bc2) + o.eps)));
  });
  return p;
}

function runOptimizer(make: (p: st.Tensor) => st.Optimizer, p0: number[], grads: number[][]): number[] {
  const p = st.keep(st.tensor(p0));
  p.requiresGrad = true;
  const opt = make(p);
  for (const g of grads) {
    p.grad?.dispose();
    p.grad = st.keep(st.tensor(g)) as st.Tensor<'f32'>;
    opt.step();
  }
  const out = Array.from(p.toTypedArray());
  opt.dispose();
  p.dispose();
  return out;
}

test('SGD, Adam and AdamW give the torch.optim update to float tolerance', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 11 }), fc.integer({ min: 1, max: 6 }), fc.integer(), fc.boolean(), (n, steps, seed, flag) => {
      const r = (i: number) => Math.sin(seed * 0.37 + i * 1.7);
      const p0 = Array.from({ length: n }, (_, i) => Math.fround(r(i)));
      const grads = Array.from({ length: steps }, (_, s) => Array.from({ length: n }, (_, i) => Math.fround(r(100 + s * n + i) * 0.5)));
      const sgd = { lr: 0.1, momentum: flag ? 0.9 : 0, dampening: 0, wd: 0.01, nesterov: flag };
      const got = runOptimizer((p) => new st.SGD([p], { lr: sgd.lr, momentum: sgd.momentum, weightDecay: sgd.wd, nesterov: sgd.nesterov }), p0, grads);
      torchSGD(p0, grads, sgd).forEach((w, i) => assert.ok(close(got[i]!, w, 1e-5), `SGD ${got[i]} vs ${w}`));
      for (const decoupled of [false, true]) {
        const o = { lr: 1e-2, b1: 0.9, b2: 0.999, eps: 1e-8, wd: flag ? 0.05 : 0, decoupled };
        const make = (p: st.Tensor) => (decoupled ? new st.AdamW([p], { lr: o.lr, weightDecay: o.wd }) : new st.Adam([p], { lr: o.lr, weightDecay: o.wd }));
        const gotA = runOptimizer(make, p0, grads);
        torchAdam(p0, grads, o).forEach((w, i) => assert.ok(close(gotA[i]!, w, 1e-5), `${decoupled ? 'AdamW' : 'Adam'} ${gotA[i]} vs ${w}`));
      }
    }),
    { numRuns: 60 },
  );
});

test('schedulers: step, cosine and linear warmup; cosPi is deterministic and accurate; clipGradNorm', () => {
  for (let i = 0; i <= 1000; i++) assert.ok(Math.abs(st.cosPi(i / 1000) - Math.cos((Math.PI * i) / 1000)) < 1e-14);
  const p = st.keep(st.zeros([1]));
  const lrs = (make: (o: st.Optimizer) => st.LRScheduler, steps: number) => {
    const opt = new st.SGD([p], { lr: 0.1 });
    const s = make(opt);
    const out = [opt.lr];
    for (let i = 0; i < steps; i++) {
      s.step();
      out.push(opt.lr);
    }
    return out;
  };
  lrs((o) => new st.StepLR(o, 2, 0.5), 5).forEach((lr, t) => assert.ok(close(lr, 0.1 * 0.5 ** Math.floor(t / 2), 1e-12)));
  lrs((o) => new st.CosineAnnealingLR(o, 4, 0.01), 6).forEach((lr, t) => assert.ok(close(lr, t >= 4 ? 0.01 : 0.01 + 0.045 * (1 + Math.cos((Math.PI * t) / 4)), 1e-12), `t=${t}: ${lr}`));
  assert.deepEqual(lrs((o) => new st.LinearWarmup(o, 4, 0.2), 6).map((v) => +v.toFixed(12)), [0.02, 0.04, 0.06, 0.08, 0.1, 0.1, 0.1]);
  const a = st.keep(st.zeros([2]));
  const b = st.keep(st.zeros([1]));
  a.grad = st.keep(st.tensor([3, 0])) as st.Tensor<'f32'>;
  b.grad = st.keep(st.tensor([4])) as st.Tensor<'f32'>;
  assert.ok(close(st.clipGradNorm([a, b], 1), 5));
  assert.ok(close(a.grad.toTypedArray()[0]!, 0.6, 1e-5) && close(b.grad.toTypedArray()[0]!, 0.8, 1e-5));
  [a, b, p].forEach((t) => t.dispose());
});

test('BatchNorm: batch statistics in training with running averages as torch updates them; eval uses them', () => {
  st.tidy(() => {
    const bn = new st.BatchNorm2d(3, { momentum: 0.1 });
    const x = st.normal([4, 3, 5, 5], 2, 3, { seed: 4 });
    const y = bn.forward(x);
    const ch = (t: st.Tensor, c: number) => {
      const v = t.toTypedArray();
      const out: number[] = [];
      for (let n = 0; n < 4; n++) for (let i = 0; i < 25; i++) out.push(v[(n * 3 + c) * 25 + i]!);
      return out;
    };
    for (let c = 0; c < 3; c++) {
      const ys = ch(y, c);
      const m = ys.reduce((p, v) => p + v, 0) / ys.length;
      const v = ys.reduce((p, q) => p + (q - m) ** 2, 0) / ys.length;
      assert.ok(Math.abs(m) < 1e-5 && Math.abs(v - 1) < 1e-3, `channel ${c}: mean ${m} var ${v}`);
      const xs = ch(x, c);
      const xm = xs.reduce((p, q) => p + q, 0) / xs.length;
      const xv = xs.reduce((p, q) => p + (q - xm) ** 2, 0) / (xs.length - 1);
      assert.ok(close(bn.runningMean.toTypedArray()[c]!, 0.1 * xm, 1e-4));
      assert.ok(close(bn.runningVar.toTypedArray()[c]!, 0.9 + 0.1 * xv, 1e-4));
    }
    assert.equal(bn.numBatchesTracked.item(), 1);
    bn.eval();
    const rm = bn.runningMean.toTypedArray(), rv = bn.runningVar.toTypedArray();
    const ye = bn.forward(x).toTypedArray();
    const xv = x.toTypedArray();
    for (let i = 0; i < xv.length; i += 17) {
      const c = Math.floor(i / 25) % 3;
      assert.ok(close(ye[i]!, (xv[i]! - rm[c]!) / Math.sqrt(rv[c]! + 1e-5), 1e-4));
    }
    assert.throws(() => bn.forward(st.zeros([2, 4, 1, 1])), { code: 'SHAPE_MISMATCH', message: /3 channels/ });
    bn.dispose();
  });
});

test('LayerNorm normalizes the trailing dims; Dropout is seeded, scaled, and off in eval; Embedding looks rows up', () => {
  st.tidy(() => {
    const ln = new st.LayerNorm([4]);
    const y = ln.forward(st.normal([3, 4], 5, 2, { seed: 1 })).toTypedArray();
    for (let r = 0; r < 3; r++) {
      const row = Array.from(y.subarray(r * 4, r * 4 + 4));
      const m = row.reduce((p, v) => p + v, 0) / 4;
      assert.ok(Math.abs(m) < 1e-5);
      assert.ok(Math.abs(row.reduce((p, v) => p + (v - m) ** 2, 0) / 4 - 1) < 1e-3);
    }
    const x = st.ones([1000]);
    const d1 = new st.Dropout(0.3, { seed: 5 }).forward(x).toTypedArray();
    const d2 = new st.Dropout(0.3, { seed: 5 }).forward(x).toTypedArray();
    assert.deepEqual(d1, d2);
    const kept = d1.filter((v) => v !== 0);
    assert.ok(kept.every((v) => close(v, 1 / 0.7)) && Math.abs(kept.length - 700) < 60);
    const drop = new st.Dropout(0.3).eval();
    assert.equal(drop.forward(x), x);
    const emb = new st.Embedding(5, 3);
    assert.deepEqual(emb.forward(st.tensor([4, 0], [2], 'i32')).toArray(), [Array.from(emb.weight.toTypedArray().subarray(12, 15)), Array.from(emb.weight.toTypedArray().subarray(0, 3))]);
    [ln, emb].forEach((m) => m.dispose());
  });
});

test('BatchNorm and LayerNorm gradients match finite differences', () => {
  for (const make of [() => new st.BatchNorm1d(3), () => new st.LayerNorm(3)]) {
    const m = make();
    const x0 = st.keep(st.normal([4, 3], 0, 1, { seed: 8 }));
    const w = st.keep(st.normal([4, 3], 0, 1, { seed: 9 }));
    const loss = (x: st.Tensor) => st.sum(st.mul(m.forward(x), w));
    const g = st.tidy(() => {
      const x = st.detach(x0);
      x.requiresGrad = true;
      loss(x).backward();
      return x.grad!.toTypedArray();
    });
    const base = x0.toTypedArray();
    for (let i = 0; i < base.length; i++) {
      const at = (h: number) => st.tidy(() => st.noGrad(() => {
        const v = Float64Array.from(base);
        v[i]! += h;
        return loss(st.tensor(Float32Array.from(v), [4, 3])).item();
      }));
      const fd = (at(1e-2) - at(-1e-2)) / 2e-2;
      assert.ok(Math.abs(g[i]! - fd) < 2e-2 * (1 + Math.abs(fd)), `${m.constructor.name} x[${i}]: ${g[i]} vs ${fd}`);
    }
    [x0, w].forEach((t) => t.dispose());
    m.dispose();
  }
});

test('a training step frees what it allocates: memoryStats() stays flat across 1,000 steps', () => {
  const model = new st.Sequential(new st.Linear(16, 32), new st.ReLU(), new st.Dropout(0.1), new st.Linear(32, 4));
  const opt = new st.Adam(model.parameters());
  const x = st.keep(st.normal([32, 16], 0, 1, { seed: 1 }));
  const y = st.keep(st.tensor(Array.from({ length: 32 }, (_, i) => i % 4), [32], 'i32'));
  const step = () => st.tidy(() => {
    opt.zeroGrad();
    st.crossEntropy(model.forward(x), y).backward();
    opt.step();
  });
  step();
  const before = st.memoryStats();
  for (let i = 0; i < 1000; i++) step();
  const after = st.memoryStats();
  assert.equal(after.tensors, before.tensors);
  assert.equal(after.bytes, before.bytes);
  // Block reuse may keep a remainder under 64 bytes with a block: slack, bounded, not growth.
  assert.ok(Math.abs(after.heapBytes - before.heapBytes) <= 1024, `heap ${before.heapBytes} → ${after.heapBytes}`);
  assert.equal(after.memoryBytes, before.memoryBytes);
  [x, y].forEach((t) => t.dispose());
  opt.dispose();
  model.dispose();
});
