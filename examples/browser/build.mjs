// Builds the browser example into build/browser/: app.js and worker.js (esbuild bundles of app.ts
// and worker.ts with the library from src/index.ts), index.html and slimtensor.wasm (run
// `npm run build:wasm` first). Serve the folder over HTTP (.wasm as application/wasm) and open it.
import { copyFileSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
export const out = join(here, '../../build/browser');

export async function build() {
  mkdirSync(out, { recursive: true });
  copyFileSync(join(here, 'index.html'), join(out, 'index.html'));
  copyFileSync(join(here, '../../build/slimtensor.wasm'), join(out, 'slimtensor.wasm'));
  await esbuild.build({ entryPoints: [join(here, 'app.ts'), join(here, 'worker.ts')], outdir: out, format: 'esm', bundle: true, minify: true, platform: 'browser', target: 'es2022', logLevel: 'error' });
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) console.log(`browser example built → ${await build()}`);
