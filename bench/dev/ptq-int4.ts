// Dev: the int4 weight-only MLP of the accuracy runner: test accuracy, file and header bytes, and the
// reloaded model's accuracy.   FASHION_MNIST_DIR=… node --import tsx bench/dev/ptq-int4.ts
import * as st from '../../src/index.js';
import { evaluate } from '../accuracy/common.js';
import { trainedMlp, trainImages } from './ptq-mlp.js';

const model = await trainedMlp();
const f32Bytes = st.saveSafetensors(model.stateDict()).length;
const n = 2048;
const calib = await trainImages(n);
for (const groupSize of [32, 128] as const) {
  const prepared = st.prepare(model, { default: { dtype: 'int4', groupSize } });
  for (let i = 0; i < n; i += 256) st.tidy(() => { prepared.forward(st.tensor(calib.subarray(i * 784, (i + 256) * 784), [256, 784])); });
  const q = st.convert(prepared);
  const bytes = st.saveQuantized(q);
  const header = 8 + Number(new DataView(bytes.buffer).getBigUint64(0, true));
  const back = st.loadQuantized(bytes);
  const [a, b] = [await evaluate(q), await evaluate(back)];
  console.log(`g${groupSize}: ${a.toFixed(2)}% (reloaded ${b.toFixed(2)}%), ${bytes.length} bytes (header ${header}), ${(f32Bytes / bytes.length).toFixed(3)}× smaller than f32 (${f32Bytes})`);
  back.dispose();
  q.dispose();
}
