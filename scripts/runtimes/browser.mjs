// Chromium: this file bundled by esbuild with the package; kernels compiled from the served .wasm
// (init({ module })). The driver reads globalThis.conformance.
import * as st from 'slimtensor';
import { runConformance } from './report.mjs';

globalThis.conformance = runConformance(st, 'chromium', navigator.userAgent, 'fetched .wasm compiled by compileStreaming (init({ module }))', async () => {
  await st.init({ module: await WebAssembly.compileStreaming(fetch('./slimtensor.wasm')) });
}).catch((e) => ({ error: String(e && e.stack || e) }));
