// Deno: the package through an npm: specifier (the packed tarball installed in .runtimes/node_modules).
import * as st from 'npm:slimtensor';
import { runMode } from './report.mjs';

console.log(await runMode(Deno.args[0], st, 'deno', Deno.version.deno, 'embedded base64 (init())', () => st.init()));
