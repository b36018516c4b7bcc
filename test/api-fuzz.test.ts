// Every exported function and class of slimtensor, slimtensor/testing and slimtensor/node, and the
// public methods of built instances, called with arguments of the wrong kind (missing, null, NaN,
// ±Inf, huge, BigInt, symbols, functions, strings, arrays, objects, typed arrays, disposed or wrong-dtype tensors): each call
// either returns or throws a SlimError, never a TypeError, RangeError or wasm trap; a failed call
// leaks no tensor and leaves the tensors it was given intact. Async functions are awaited: they
// resolve or reject with a SlimError.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import './setup.js';
import * as st from '../src/index.js';
import * as testing from '../src/testing/index.js';
import * as node from '../src/node/index.js';

/**
 * Not called: global state (init, seed), the abstract bases, and fashionMnist, which loads the whole
 * dataset whenever its options allow (test/data.test.ts checks its errors).
 */
const SKIP = new Set(['init', 'seed', 'Module', 'Observer', 'Optimizer', 'LRScheduler', 'Tensor', 'SlimError', 'fashionMnist']);

type Junk = () => unknown;
const JUNK: Junk[] = [
  () => st.tensor([[1, -2, 3], [4, 5, -6]]),
  () => st.tensor([1.5, -2.5, 0]),
  () => st.tensor([3], []),
  () => st.tensor([1, 2, 3, 4], [2, 2], 'i32'),
  () => st.tensor([1, 2, 3, 4], [4], 'u8'),
  () => st.tensor([1, -2, 3, 4], [1, 4], 'i8'),
  () => st.zeros([0, 3]),
  () => st.zeros([1, 1, 4, 4]),
  () => { const t = st.tensor([1, 2]); t.dispose(); return t; },
  () => NaN, () => -1, () => 0, () => 1, () => 2, () => 1.5, () => 1e10, () => Infinity, () => -Infinity, () => -0,
  () => 'x', () => '', () => undefined, () => null, () => true, () => false,
  () => [1, 2], () => [[1, 2]], () => [-1], () => [NaN], () => [], () => ({}), () => ({ x: 1 }),
  () => new Float32Array(3), () => new Uint8Array([1, 2, 3]), () => new Int32Array(2),
  () => 3n, () => Symbol('junk'), () => () => 1,
];

const api = [...Object.entries(st), ...Object.entries(testing), ...Object.entries(node)].filter(([name, v]) => typeof v === 'function' && !SKIP.has(name)) as [string, (...a: unknown[]) => unknown][];

function disposeResult(v: unknown, given: st.Tensor[], depth = 0): void {
  if (depth > 3 || v == null || typeof v !== 'object') return;
  if (v instanceof st.Tensor) {
    if (!v.isDisposed && !given.includes(v)) v.dispose();
  } else if (Array.isArray(v)) {
    v.forEach((x) => disposeResult(x, given, depth + 1));
  } else if (typeof (v as { dispose?: unknown }).dispose === 'function') {
    (v as { dispose(): void }).dispose();
  } else if (Object.getPrototypeOf(v) === Object.prototype) {
    Object.values(v).forEach((x) => disposeResult(x, given, depth + 1));
  }
}

test('every exported function and class answers arguments of the wrong kind with a SlimError, leaking nothing', async () => {
  const failures: string[] = [];
  const pending: Promise<void>[] = [];
  for (const [name, f] of api) {
    const isClass = /^[A-Z]/.test(name);
    const run = fc.check(
      fc.property(fc.array(fc.constantFrom(...JUNK), { maxLength: 4 }), (makers) => {
        const before = st.memoryStats().tensors;
        const args = makers.map((m) => m());
        const given = args.filter((a): a is st.Tensor => a instanceof st.Tensor && !a.isDisposed);
        const snapshot = given.map((t) => Array.from(t.toTypedArray() as ArrayLike<number>));
        try {
          const result = st.tidy(() => {
            const r = isClass ? new (f as unknown as new (...a: unknown[]) => unknown)(...args) : f(...args);
            if (r instanceof Promise) {
              pending.push(r.then(
                (v) => disposeResult(v, []),
                (e) => { if (!(e instanceof st.SlimError)) failures.push(`${name}(${args.map(describe).join(', ')}) rejected with ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`); },
              ));
              return null;
            }
            return r;
          });
          disposeResult(result, given);
        } catch (e) {
          assert.ok(e instanceof st.SlimError, `${name}(${args.map(describe).join(', ')}) threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
        }
        given.forEach((t, i) => {
          assert.ok(!t.isDisposed, `${name} disposed an input`);
          assert.deepEqual(Array.from(t.toTypedArray() as ArrayLike<number>), snapshot[i], `${name} changed an input`);
          t.dispose();
        });
        assert.equal(st.memoryStats().tensors, before, `${name}(${args.map(describe).join(', ')}) leaked`);
      }),
      { numRuns: 100 },
    );
    if (run.failed) failures.push(String((run.errorInstance as Error | undefined)?.message ?? run.failures));
  }
  await Promise.all(pending);
  assert.deepEqual(failures, []);
});

function describe(a: unknown): string {
  if (a instanceof st.Tensor) return a.isDisposed ? 'disposed tensor' : `${a.dtype} tensor [${a.shape}]`;
  if (typeof a === 'number' || typeof a === 'symbol' || typeof a === 'function') return String(a);
  if (typeof a === 'bigint') return `${a}n`;
  if (ArrayBuffer.isView(a)) return a.constructor.name;
  return JSON.stringify(a) ?? String(a);
}

/** Instances of the public classes, built right; their methods then get arguments of the wrong kind. */
function instances(): [string, object][] {
  st.seed(1);
  const lin = new st.Linear(3, 2);
  const seq = new st.Sequential(new st.Linear(3, 4), new st.ReLU(), new st.Linear(4, 2));
  const calib = st.uniform([8, 3], -1, 1);
  const prepared = st.prepare(seq);
  prepared.forward(calib);
  const qmodel = st.convert(prepared);
  calib.dispose();
  const w = st.uniform([4, 8], -1, 1);
  const out: [string, object][] = [
    ['Linear', lin], ['Sequential', seq], ['Conv2d', new st.Conv2d(1, 2, 3)], ['BatchNorm1d', new st.BatchNorm1d(3)],
    ['LayerNorm', new st.LayerNorm(3)], ['Dropout', new st.Dropout(0.5)], ['Embedding', new st.Embedding(5, 2)],
    ['MaxPool2d', new st.MaxPool2d(2)], ['Adam', new st.Adam(lin.parameters())], ['SGD', new st.SGD(lin.parameters(), { lr: 0.1 })],
    ['MinMaxObserver', new st.MinMaxObserver()], ['HistogramObserver', new st.HistogramObserver()], ['PercentileObserver', new st.PercentileObserver()],
    ['PerChannelMinMaxObserver', new st.PerChannelMinMaxObserver()], ['Pruner', new st.Pruner(seq)], ['PreparedModel', st.prepare(seq)],
    ['QuantizedModel', qmodel], ['SparseModel', st.sparsify(seq)], ['SparseLinear', new st.SparseLinear(w)], ['NmLinear', new st.NmLinear(w)],
    ['PackedMatrix', new st.PackedMatrix(w)], ['CsrMatrix', st.toCsr(w)], ['Nm24Matrix', st.toNm24(w)], ['Mask', new st.Mask('weight', [2, 2])],
    ['Tensor', w],
  ];
  return out;
}

/** Not called: methods that end the instance, and the protected and private ones (TypeScript hides them). */
const SKIP_METHODS = new Set([
  'constructor', 'dispose',
  'registerParameter', 'registerBuffer', 'registerModule', 'replaceTensor', 'param', 'buffer', 'buffers', 'collect',
  'update', 'fold', 'start', 'lrAt', 'mask', 'pruneBlocks', 'pruneChannels', 'pruneSmallest', 'clipped', 'restore', 'read',
]);

test('the methods of the public classes answer arguments of the wrong kind with a SlimError', () => {
  const failures: string[] = [];
  const objs = instances();
  for (const [cls, obj] of objs) {
    const names = new Set<string>();
    for (let p = Object.getPrototypeOf(obj); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
      for (const [k, d] of Object.entries(Object.getOwnPropertyDescriptors(p))) if (typeof d.value === 'function' && !SKIP_METHODS.has(k)) names.add(k);
    }
    for (const m of names) {
      const run = fc.check(
        fc.property(fc.array(fc.constantFrom(...JUNK), { minLength: 1, maxLength: 3 }), (makers) => {
          const before = st.memoryStats().tensors;
          const args = makers.map((mk) => mk());
          const given = args.filter((a): a is st.Tensor => a instanceof st.Tensor && !a.isDisposed);
          let threw = false;
          try {
            const r = st.tidy(() => {
              const v = (obj as Record<string, (...a: unknown[]) => unknown>)[m]!(...args);
              if (v instanceof Promise) v.catch(() => {});
              return v instanceof Promise || v === obj ? null : v;
            });
            if (r instanceof st.Tensor && !given.includes(r) && !(obj as { parameters?: () => st.Tensor[] }).parameters?.().includes(r)) r.dispose();
          } catch (e) {
            threw = true;
            assert.ok(e instanceof st.SlimError, `${cls}.${m}(${args.map(describe).join(', ')}) threw ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`);
          }
          given.forEach((t) => t.dispose());
          // A call that succeeds may keep state (masks, caches); one that fails must leave nothing behind.
          if (threw) assert.equal(st.memoryStats().tensors, before, `${cls}.${m}(${args.map(describe).join(', ')}) failed and left tensors behind`);
        }),
        { numRuns: 60 },
      );
      if (run.failed) failures.push(String((run.errorInstance as Error | undefined)?.message ?? run.failures));
    }
  }
  for (const [, o] of objs) (o as { dispose?: () => void }).dispose?.();
  assert.deepEqual(failures, []);
});
