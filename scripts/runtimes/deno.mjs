// Deno: the package through an npm: specifier (the packed tarball installed in .runtimes/node_modules).
import * as st from 'npm:slimtensor';
import { line, runConformance } from './report.mjs';

console.log(line(await runConformance(st, 'deno', Deno.version.deno, 'embedded base64 (init())', () => st.init())));
