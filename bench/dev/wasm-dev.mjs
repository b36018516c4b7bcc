// Shared by the kernel harnesses in bench/dev: CLI flags, building one dev entry with the project's
// asc flags, and instantiating it (zero imports, as the product module).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, '../..');

const args = process.argv.slice(2);
export const flag = (name) => args.includes(name);
export const option = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };

/** Compiles bench/dev/<entry> to build/dev/<name>.wasm (run from bench/dev so asc ignores asconfig.json). */
export function buildDevWasm(entry, name) {
  const out = join(root, `build/dev/${name}.wasm`);
  mkdirSync(dirname(out), { recursive: true });
  execFileSync(join(root, 'node_modules/.bin/asc'), [
    entry, '-o', out, '--enable', 'simd', '-O3', '--runtime', 'stub', '--use', 'abort=',
    '--noAssert', '--maximumMemory', '65536', '--initialMemory', '2',
  ], { cwd: here, stdio: 'inherit' });
  return out;
}

/** The exports of the module at `path` (or `--wasm FILE`), built from `entry` when no file is given. */
export function loadDevWasm(entry, name) {
  const module = new WebAssembly.Module(readFileSync(option('--wasm') ?? buildDevWasm(entry, name)));
  if (WebAssembly.Module.imports(module).length !== 0) throw new Error('module has imports');
  return new WebAssembly.Instance(module, {}).exports;
}
