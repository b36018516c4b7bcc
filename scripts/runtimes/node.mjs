// Node (argument: 'speed' or 'conformance'): the installed package by name, kernels from the bytes
// embedded in the JS; also loads the slimtensor/testing subpath from the tarball (with its optional
// peer fast-check installed).
import * as st from 'slimtensor';
import { arbTensorData } from 'slimtensor/testing';
import fc from 'fast-check';
import { runMode } from './report.mjs';

const line = await runMode(process.argv[2], st, 'node', process.version, 'embedded base64 (init())', () => st.init());
const [spec] = fc.sample(arbTensorData({ shape: [2, 3], min: -1, max: 1 }), { numRuns: 1, seed: 0 });
if (spec.data.length !== 6 || !spec.data.every((v) => v >= -1 && v <= 1)) throw new Error(`slimtensor/testing: ${JSON.stringify(spec)}`);
console.log(line);
