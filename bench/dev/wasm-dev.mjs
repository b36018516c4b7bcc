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

/** Compiles bench/dev/<entry> to build/dev/<name>.wasm (run from bench/dev so asc ignores asconfig.json); `flags`: extra asc flags. */
export function buildDevWasm(entry, name, flags = []) {
  const out = join(root, `build/dev/${name}.wasm`);
  mkdirSync(dirname(out), { recursive: true });
  execFileSync(join(root, 'node_modules/.bin/asc'), [
    entry, '-o', out, '--enable', 'simd', '-O3', '--runtime', 'stub', '--use', 'abort=',
    '--noAssert', '--maximumMemory', '65536', '--initialMemory', '2', ...flags,
  ], { cwd: here, stdio: 'inherit' });
  return out;
}

/** The exports of the module at `path` (or `--wasm FILE`), built from `entry` when no file is given. */
export function loadDevWasm(entry, name, flags = []) {
  const module = new WebAssembly.Module(readFileSync(option('--wasm') ?? buildDevWasm(entry, name, flags)));
  if (WebAssembly.Module.imports(module).length !== 0) throw new Error('module has imports');
  return new WebAssembly.Instance(module, {}).exports;
}

/** A bump allocator over `memory` from 1 MiB, 64-byte aligned, growing it on demand; reset() between cases. */
export function devArena(memory, base = 1 << 20) {
  let top = base;
  const alloc = (bytes) => {
    const ptr = top;
    top = (top + bytes + 63) & ~63;
    const need = top + 64 - memory.buffer.byteLength;
    if (need > 0) memory.grow(Math.ceil(need / 65536));
    return ptr;
  };
  const view = (T, ptr, len) => new T(memory.buffer, ptr, len);
  const put = (arr) => { const p = alloc(arr.byteLength + 16); view(arr.constructor, p, arr.length).set(arr); return p; };
  return { alloc, reset: () => { top = base; }, view, put };
}
