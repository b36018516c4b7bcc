// mlp-infer: batch-1 inference of the MLP 784-300-100-10 (ReLU), our f32 model against the same
// weights compressed, in one run: converted by PTQ (static int8: int8 activations between layers,
// calibrated on 256 random inputs; dynamic int8; int4 weight-only, g32), structurally pruned (50% of
// the hidden neurons by L2 norm, physically removed) and magnitude-pruned to 90% and run sparse
// (st.sparsify); then the CNN of the accuracy runs, static int8 against f32 op by op. The f32 baseline
// of the MLP is our fastest f32 path for the model: dense Linears with ReLU
// fused (st.sparsify of the unpruned model). Every model is what a user deploys (a QuantizedModel
// or a SparseModel: one call, no per-layer tensors). Rates are dense-equivalent GFLOP/s: the ratio
// is the speed-up.
import * as st from '../../src/index.js';
import { lines, measure, randomF32, type Case, type Line, type Options } from '../harness.js';

export async function mlpInfer(opts: Options): Promise<Line[]> {
  st.seed(0);
  const f32 = [new st.Linear(784, 300), new st.Linear(300, 100), new st.Linear(100, 10)];
  const x = st.keep(st.tensor(randomF32(784, 3), [1, 784]));
  // GFLOP per forward: 2·(784·300 + 300·100 + 100·10).
  const work = (2 * (784 * 300 + 300 * 100 + 100 * 10)) / 1e9;
  const out: Line[] = [];
  const model = new st.Sequential(f32[0]!, new st.ReLU(), f32[1]!, new st.ReLU(), f32[2]!);
  const fused = st.sparsify(model);
  const baseline = { name: 'slimtensor-f32', fn: () => st.tidy(() => { fused.forward(x).toTypedArray(); }) };
  const calibration = st.keep(st.tensor(randomF32(256 * 784, 5), [256, 784]));
  const converted = (config?: Parameters<typeof st.prepare>[1]) => {
    const prepared = st.prepare(model, config);
    st.tidy(() => { prepared.forward(calibration); });
    return st.convert(prepared);
  };
  const quantizedCase = (name: string, q: st.QuantizedModel): Case => ({
    suite: 'mlp-infer', name: `mlp-784-300-100-10-b1-${name}`, unit: 'GFLOP/s', work,
    ours: { name: `slimtensor-${name}`, fn: () => st.tidy(() => { q.forward(x).toTypedArray(); }) },
    peers: [baseline],
  });
  const int8Static = converted();
  const staticCase = quantizedCase('int8-static', int8Static);
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
  for (const [name, config] of [['int8-dynamic', { default: { mode: 'dynamic' } }], ['int4-g32', { default: { dtype: 'int4', groupSize: 32 } }]] as const) {
    const q = converted(config);
    const c = quantizedCase(name, q);
    out.push(...lines(c, await measure(c, opts)));
    q.dispose();
  }
  [...f32, fused].forEach((l) => l.dispose());
  calibration.dispose();
  x.dispose();
  out.push(...(await cnnInfer(opts)));
  return out;
}

// The accuracy runs' CNN (conv32-pool-conv64-pool-fc128-fc10 on 28×28) at batch 1, converted to static
// int8 and pruned (90% of each layer, st.sparsify), against the f32 model's forward (Conv2d and Linear
// with their ReLUs fused: our fastest f32 path for convolutions).
async function cnnInfer(opts: Options): Promise<Line[]> {
  st.seed(0);
  const model = new st.Sequential(
    new st.Conv2d(1, 32, 3, { padding: 1 }), new st.ReLU(), new st.MaxPool2d(2),
    new st.Conv2d(32, 64, 3, { padding: 1 }), new st.ReLU(), new st.MaxPool2d(2),
    new st.Flatten(), new st.Linear(64 * 7 * 7, 128), new st.ReLU(), new st.Linear(128, 10),
  ).eval();
  const x = st.keep(st.tensor(randomF32(784, 7), [1, 1, 28, 28]));
  const calibration = st.keep(st.tensor(randomF32(64 * 784, 8), [64, 1, 28, 28]));
  const prepared = st.prepare(model);
  st.tidy(() => { prepared.forward(calibration); });
  const q = st.convert(prepared);
  // GFLOP per forward: 2·(28²·32·9 + 14²·64·32·9 + 3136·128 + 128·10).
  const work = (2 * (784 * 32 * 9 + 196 * 64 * 32 * 9 + 3136 * 128 + 128 * 10)) / 1e9;
  const f32: Case['peers'][number] = { name: 'slimtensor-f32', fn: () => st.tidy(() => { st.noGrad(() => model.forward(x)).toTypedArray(); }) };
  const c: Case = {
    suite: 'mlp-infer', name: 'cnn-28x28-b1-int8-static', unit: 'GFLOP/s', work,
    ours: { name: 'slimtensor-int8-static', fn: () => st.tidy(() => { q.forward(x).toTypedArray(); }) },
    peers: [f32],
  };
  // The same CNN with 90% of each layer's weights pruned by magnitude, run by st.sparsify.
  const pruned = new st.Sequential(
    new st.Conv2d(1, 32, 3, { padding: 1 }), new st.ReLU(), new st.MaxPool2d(2),
    new st.Conv2d(32, 64, 3, { padding: 1 }), new st.ReLU(), new st.MaxPool2d(2),
    new st.Flatten(), new st.Linear(64 * 7 * 7, 128), new st.ReLU(), new st.Linear(128, 10),
  ).eval();
  pruned.loadStateDict(model.stateDict());
  new st.Pruner(pruned).magnitude(0.9, { scope: 'layer' }).removeMasks();
  const sparse = st.sparsify(pruned);
  const cs: Case = {
    suite: 'mlp-infer', name: 'cnn-28x28-b1-sparse90', unit: 'GFLOP/s', work,
    ours: { name: 'slimtensor-sparse90', fn: () => st.tidy(() => { sparse.forward(x).toTypedArray(); }) },
    peers: [f32],
  };
  try {
    return [...lines(c, await measure(c, opts)), ...lines(cs, await measure(cs, opts))];
  } finally {
    [q, model, pruned, sparse].forEach((m) => m.dispose());
    [x, calibration].forEach((t) => t.dispose());
  }
}
