// mlp-infer: batch-1 inference of the MLP 784-300-100-10 (ReLU), our f32 model against the same
// weights converted by PTQ (static int8: int8 activations between layers, calibrated on 256 random
// inputs), as Int8Linear (dynamic int8) and as Int4Linear (weight-only, g32), in one run.
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
  const prepared = st.prepare(model);
  st.tidy(() => prepared.forward(st.tensor(randomF32(256 * 784, 5), [256, 784])));
  const int8Static = st.convert(prepared);
  const staticCase: Case = {
    suite: 'mlp-infer', name: 'mlp-784-300-100-10-b1-int8-static', unit: 'GFLOP/s', work,
    ours: { name: 'slimtensor-int8-static', fn: () => st.tidy(() => { int8Static.forward(x).toTypedArray(); }) },
    peers: [{ name: 'slimtensor-f32', fn: run(f32) }],
  };
  out.push(...lines(staticCase, await measure(staticCase, opts)));
  int8Static.dispose();
  for (const [name, layers] of [['int8-dynamic', int8], ['int4-g32', int4]] as const) {
    const c: Case = { suite: 'mlp-infer', name: `mlp-784-300-100-10-b1-${name}`, unit: 'GFLOP/s', work, ours: { name: `slimtensor-${name}`, fn: run(layers) }, peers: [{ name: 'slimtensor-f32', fn: run(f32) }] };
    out.push(...lines(c, await measure(c, opts)));
  }
  [...f32, ...int8, ...int4].forEach((l) => l.dispose());
  x.dispose();
  return out;
}
