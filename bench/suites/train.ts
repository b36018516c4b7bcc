// train-mlp: one training step (batch 128, forward + cross-entropy + backward + Adam) of the MLP
// 784-300-100-10 with ReLU, ours against tfjs (tfjs-core on tfjs-backend-wasm, 1 thread) on the same
// model, optimizer and batch, in one run. Reported as steps/s; the epoch estimate is 469 steps.
import * as st from '../../src/index.js';
import { lines, measure, randomF32, type Case, type Line, type Options } from '../harness.js';
import { tfjsCore } from '../peers/tfjs.js';

const SIZES = [784, 300, 100, 10];
const BATCH = 128;

async function tfjsStep(x: Float32Array, labels: Int32Array): Promise<{ step: () => void; dispose: () => void }> {
  const tf = await tfjsCore();
  const vars = SIZES.slice(1).flatMap((out, i) => {
    const inp = SIZES[i]!;
    const b = 1 / Math.sqrt(inp);
    return [tf.variable(tf.randomUniform([inp, out], -b, b)), tf.variable(tf.randomUniform([out], -b, b))];
  });
  const xs = tf.tensor2d(x, [BATCH, 784]);
  const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
  const opt = tf.train.adam(1e-3);
  const forward = () => {
    let h: TfTensor = xs;
    for (let i = 0; i < vars.length; i += 2) {
      h = tf.add(tf.matMul(h, vars[i]!), vars[i + 1]!);
      if (i < vars.length - 2) h = tf.relu(h);
    }
    return tf.losses.softmaxCrossEntropy(ys, h) as TfScalar;
  };
  return {
    step: () => tf.dispose(opt.minimize(forward, true) ?? []),
    dispose: () => {
      opt.dispose();
      tf.dispose([...vars, xs, ys]);
    },
  };
}
type TfTensor = import('@tensorflow/tfjs-core').Tensor;
type TfScalar = import('@tensorflow/tfjs-core').Scalar;

export async function trainMlp(opts: Options): Promise<Line[]> {
  const x = randomF32(BATCH * 784, 11).map((v) => (v + 1) / 2);
  const labels = Int32Array.from({ length: BATCH }, (_, i) => (i * 7) % 10);
  st.seed(0);
  const model = new st.Sequential(new st.Linear(784, 300), new st.ReLU(), new st.Linear(300, 100), new st.ReLU(), new st.Linear(100, 10));
  const opt = new st.Adam(model.parameters(), { lr: 1e-3 });
  const X = st.keep(st.tensor(x, [BATCH, 784]));
  const Y = st.keep(st.tensor(labels));
  const ours = () => st.tidy(() => {
    opt.zeroGrad();
    st.crossEntropy(model.forward(X), Y).backward();
    opt.step();
  });
  const peer = await tfjsStep(x, labels);
  const c: Case = { suite: 'train-mlp', name: 'mlp-784-300-100-10-b128', unit: 'steps/s', work: 1, ours: { name: 'slimtensor', fn: ours }, peers: [{ name: 'tfjs-backend-wasm', fn: peer.step }] };
  try {
    const rates = await measure(c, opts);
    const out = lines(c, rates);
    const perEpoch = 469 / rates.get('slimtensor')!;
    if (!opts.json) console.log(`train-mlp ours: ${(1000 / rates.get('slimtensor')!).toFixed(2)} ms/step, ≈${perEpoch.toFixed(1)} s per Fashion-MNIST epoch (469 steps)`);
    return out;
  } finally {
    peer.dispose();
    opt.dispose();
    model.dispose();
    X.dispose();
    Y.dispose();
  }
}
