// Chromium: this file bundled by esbuild with the package; kernels compiled from the served .wasm
// (init({ module })); ?mode=speed runs the speed program. The driver reads globalThis.slimResult.
import * as st from 'slimtensor';
import { runMode } from './report.mjs';

const mode = new URLSearchParams(location.search).get('mode');
globalThis.slimResult = runMode(mode, st, 'chromium', navigator.userAgent, 'fetched .wasm compiled by compileStreaming (init({ module }))', async () => {
  await st.init({ module: await WebAssembly.compileStreaming(fetch('./slimtensor.wasm')) });
}).then((line) => JSON.parse(line.slice(line.indexOf(' ') + 1))).catch((e) => ({ error: String(e && e.stack || e) }));
