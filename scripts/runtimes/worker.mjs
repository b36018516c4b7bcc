// workerd: this file bundled by esbuild with the package; the kernels arrive as a precompiled
// module binding (workerd refuses to compile wasm from bytes), passed to init({ module }). env.MODE
// ('speed' or 'conformance') comes from the SLIM_MODE environment variable (workerd.capnp).
import wasm from './slimtensor.wasm';
import * as st from 'slimtensor';
import { runMode } from './report.mjs';

export default {
  async test(controller, env) {
    console.log(await runMode(env.MODE, st, 'workerd', globalThis.navigator?.userAgent ?? 'workerd', 'module binding (init({ module }))', () => st.init({ module: wasm })));
  },
};
