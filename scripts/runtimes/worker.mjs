// workerd: this file bundled by esbuild with the package; the kernels arrive as a precompiled
// module binding (workerd refuses to compile wasm from bytes), passed to init({ module }).
import wasm from './slimtensor.wasm';
import * as st from 'slimtensor';
import { line, runConformance } from './report.mjs';

export default {
  async test() {
    console.log(line(await runConformance(st, 'workerd', globalThis.navigator?.userAgent ?? 'workerd', 'module binding (init({ module }))', () => st.init({ module: wasm }))));
  },
};
