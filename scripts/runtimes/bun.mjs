// Bun: the installed package by name, kernels from the package's sibling .wasm file (init({ bytes })).
import * as st from 'slimtensor';
import { runMode } from './report.mjs';

const wasm = import.meta.resolve('slimtensor/slimtensor.wasm');
console.log(await runMode(Bun.argv[2], st, 'bun', Bun.version, 'slimtensor/slimtensor.wasm bytes (init({ bytes }))', async () => {
  await st.init({ bytes: await Bun.file(new URL(wasm)).arrayBuffer() });
}));
