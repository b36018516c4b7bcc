// Node: the installed package by name, kernels from the bytes embedded in the JS.
import * as st from 'slimtensor';
import { line, runConformance } from './report.mjs';

console.log(line(await runConformance(st, 'node', process.version, 'embedded base64 (init())', () => st.init())));
