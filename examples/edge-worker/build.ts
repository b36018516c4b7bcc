// Builds the edge worker into build/edge-worker/: trains a small MLP (784-128-10) for one epoch on
// Fashion-MNIST ($FASHION_MNIST_DIR or /usr/share/datasets/fashion-mnist) or else the built-in
// seeded synthetic set, quantizes it to int8 (static PTQ, 1000 calibration samples), saves it with
// st.saveQuantized, and bundles worker.ts with esbuild beside the kernels and config.capnp.
// Run: node --import tsx examples/edge-worker/build.ts
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import * as st from '../../src/index.js';
import { demoDataset, take, type Dataset } from '../../src/cli/data.js';
import { head } from '../../src/cli/samples.js';

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '../..');
export const out = join(root, 'build/edge-worker');
export const MODEL = join(out, 'model.int8.safetensors');

/** One epoch of Adam (batch 128, seed 0) on `data.train`, then int8 PTQ; returns the file's bytes. */
export async function makeModel(data: Dataset): Promise<Uint8Array> {
  const model = new st.Sequential(new st.Linear(784, 128, { rng: new st.Rng(1) }), new st.ReLU(), new st.Linear(128, 10, { rng: new st.Rng(2) }));
  const loader = new st.DataLoader(data.train.x, { batchSize: 128, labels: data.train.y, shuffle: true, seed: 0 });
  const opt = new st.Adam(model.parameters(), { lr: 1e-3 });
  model.train();
  for (const { x, y } of loader) {
    st.tidy(() => {
      opt.zeroGrad();
      st.crossEntropy(model.forward(st.reshape(x, [-1, 784])), y!).backward();
      opt.step();
    });
    x.dispose();
    y!.dispose();
  }
  model.eval();
  const prepared = st.prepare(model);
  const calib = st.reshape(head(take(data.train, 1000).x, 1000), [-1, 784]);
  for (let i = 0; i < 1000; i += 250) st.tidy(() => { prepared.forward(st.slice(calib, 0, i, i + 250)); });
  const q = st.convert(prepared);
  const bytes = st.saveQuantized(q);
  q.dispose();
  opt.dispose();
  loader.dispose();
  return bytes;
}

/** Writes model.int8.safetensors, worker.js, slimtensor.wasm and config.capnp into build/edge-worker/. */
export async function build(data: Dataset): Promise<{ modelBytes: number; bundleBytes: number }> {
  mkdirSync(out, { recursive: true });
  const bytes = await makeModel(data);
  writeFileSync(MODEL, bytes);
  copyFileSync(join(root, 'build/slimtensor.wasm'), join(out, 'slimtensor.wasm'));
  copyFileSync(join(here, 'config.capnp'), join(out, 'config.capnp'));
  const r = await esbuild.build({
    entryPoints: [join(here, 'worker.ts')], outfile: join(out, 'worker.js'), format: 'esm', bundle: true, minify: true,
    platform: 'browser', external: ['./slimtensor.wasm', './model.int8.safetensors'], metafile: true, logLevel: 'error',
  });
  return { modelBytes: bytes.length, bundleBytes: r.metafile.outputs[Object.keys(r.metafile.outputs)[0]!]!.bytes };
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  await st.init();
  const data = await demoDataset(undefined, process.argv.includes('--synthetic'));
  const t0 = performance.now();
  const r = await build(data);
  console.log(`edge worker built in ${Math.round(performance.now() - t0)} ms on ${data.name}: model ${r.modelBytes} bytes, worker.js ${r.bundleBytes} bytes → ${out}`);
}
