// mlp-infer: batch-1 inference of the MLP 784-300-100-10 (ReLU), our f32 model against the same
// weights compressed, in one run: converted by PTQ (static int8: int8 activations between layers,
// calibrated on 256 random inputs), as Int8Linear (dynamic int8), as Int4Linear (weight-only, g32),
// structurally pruned (50% of the hidden neurons by L2 norm, physically removed) and magnitude-pruned
// to 90% and run sparse (st.sparsify). The f32 baseline is our fastest f32 path for the model: dense
// Linears with ReLU fused (st.sparsify of the unpruned model). Rates are dense-equivalent GFLOP/s: the
// ratio is the speed-up.
import * as st from '../../src/index.js';
import { lines, measure, randomF32, type Case, type Line, type Options } from '../harness.js';

type Layer = { forward(x: st.Tensor): st.Tensor; dispose(): void };

export async function mlpInfer(opts: Options): Promise<Line[]> {
  st.seed(0);
  const f32 = [new st.Linear(784, 300), new st.Linear(300, 100), new st.Linear(100, 10)];
  const int8: Layer[] = f32.map((l) => new st.Int8Linear(l.weight, l.bias));
  const int4: Layer[] = f32.map((l) => new st.Int4Linear(l.weight, l.bias, { groupSize: 32 }));
  const x = st.keep(st.tensor(randomF32(784, 3), [1, 784]));
  const run = (layers: Layer[]) => () => st.tidy(() => {
    let h: st.Tensor = x;
    layers.forEach((l, i) => {
      h = l.forward(h);
      if (i < layers.length - 1) h = st.relu(h);
    });
    h.toTypedArray();
  });
  // GFLOP per forward: 2·(784·300 + 300·100 + 100·10).
  const work = (2 * (784 * 300 + 300 * 100 + 100 * 10)) / 1e9;
  const out: Line[] = [];
  const model = new st.Sequential(f32[0]!, new st.ReLU(), f32[1]!, new st.ReLU(), f32[2]!);
  const fused = st.sparsify(model);
  const baseline = { name: 'slimtensor-f32', fn: () => st.tidy(() => { fused.forward(x).toTypedArray(); }) };
  const prepared = st.prepare(model);
  st.tidy(() => { prepared.forward(st.tensor(randomF32(256 * 784, 5), [256, 784])); });
  const int8Static = st.convert(prepared);
  const staticCase: Case = {
    suite: 'mlp-infer', name: 'mlp-784-300-100-10-b1-int8-static', unit: 'GFLOP/s', work,
    ours: { name: 'slimtensor-int8-static', fn: () => st.tidy(() => { int8Static.forward(x).toTypedArray(); }) },
    peers: [baseline],
  };
  out.push(...lines(staticCase, await measure(staticCase, opts)));
  int8Static.dispose();
  // Pruned copies of the same weights.
  const copy = () => {
    const m = new st.Sequential(new st.Linear(784, 300), new st.ReLU(), new st.Linear(300, 100), new st.ReLU(), new st.Linear(100, 10));
    m.loadStateDict(model.stateDict());
    return m.eval();
  };
  const structuredFrom = copy();
  new st.Pruner(structuredFrom, { params: ['0.weight', '2.weight'] }).structured(0.5, { norm: 2 }).dispose();
  // The smaller dense model, its ReLUs fused into the Linears (st.sparsify keeps dense layers dense).
  const structuredDense = st.removePrunedChannels(structuredFrom);
  const structured = st.sparsify(structuredDense);
  const sparseFrom = copy();
  new st.Pruner(sparseFrom).magnitude(0.9, { scope: 'global' }).dispose();
  const sparse = st.sparsify(sparseFrom);
  for (const [name, m] of [['structured50', structured], ['sparse90', sparse]] as const) {
    const c: Case = {
      suite: 'mlp-infer', name: `mlp-784-300-100-10-b1-${name}`, unit: 'GFLOP/s', work,
      ours: { name: `slimtensor-${name}`, fn: () => st.tidy(() => { st.noGrad(() => m.forward(x)).toTypedArray(); }) },
      peers: [baseline],
    };
    out.push(...lines(c, await measure(c, opts)));
  }
  [structuredFrom, structuredDense, structured, sparseFrom, sparse].forEach((m) => m.dispose());
  for (const [name, layers] of [['int8-dynamic', int8], ['int4-g32', int4]] as const) {
    const c: Case = { suite: 'mlp-infer', name: `mlp-784-300-100-10-b1-${name}`, unit: 'GFLOP/s', work, ours: { name: `slimtensor-${name}`, fn: run(layers) }, peers: [baseline] };
    out.push(...lines(c, await measure(c, opts)));
  }
  [...f32, ...int8, ...int4, fused].forEach((l) => l.dispose());
  x.dispose();
  return out;
}
