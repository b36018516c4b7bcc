/**
 * Installs the peer engines (bench/package.json dependencies) into bench/node_modules on first use.
 * They are deliberately not dependencies of the top-level package.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the bench/ directory (this file lives in bench/peers/). */
export const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Absolute path of bench/node_modules. */
export const BENCH_NODE_MODULES = path.join(BENCH_DIR, 'node_modules');

/** Markers: every pinned peer must be present, otherwise (re)install. */
const MARKERS = [
  'onnxruntime-web/package.json',
  '@tensorflow/tfjs-core/package.json',
  '@tensorflow/tfjs-backend-wasm/package.json',
  '@tensorflow/tfjs/package.json',
];

export function peersInstalled(): boolean {
  return MARKERS.every((m) => existsSync(path.join(BENCH_NODE_MODULES, m)));
}

/**
 * Synchronously runs `npm install --prefix bench --no-audit --no-fund` when the peers are missing.
 * Prints one line to stderr; npm's own output is shown only if the install fails.
 */
export function ensurePeers(): void {
  if (peersInstalled()) return;
  process.stderr.write(`slimtensor-bench: installing peer engines into ${BENCH_NODE_MODULES} (npm install --prefix bench)\n`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  try {
    execFileSync(npm, ['install', '--prefix', BENCH_DIR, '--no-audit', '--no-fund'], {
      cwd: BENCH_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: process.platform === 'win32',
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const e = err as { stdout?: Buffer; stderr?: Buffer; message: string };
    if (e.stdout?.length) process.stderr.write(e.stdout);
    if (e.stderr?.length) process.stderr.write(e.stderr);
    throw new Error(`slimtensor-bench: npm install of the peer engines failed: ${e.message}`);
  }
  if (!peersInstalled()) {
    throw new Error(`slimtensor-bench: npm install finished but the peers are still missing under ${BENCH_NODE_MODULES}`);
  }
}

/** The three pinned peer packages. */
export const PEER_PACKAGES = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs', 'onnxruntime-web'] as const;

/**
 * Directory of an installed package, found by Node's normal node_modules walk-up from this file
 * (works for packages whose "exports" hide package.json, like onnxruntime-web).
 */
export function packageDir(name: string): string {
  const require = createRequire(import.meta.url);
  for (const dir of require.resolve.paths(name) ?? []) {
    const candidate = path.join(dir, name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
  }
  throw new Error(`slimtensor-bench: package ${name} not found (run ensurePeers() first)`);
}

/** Version field of an installed package's package.json. */
export function installedVersion(name: string): string {
  const pkg = JSON.parse(readFileSync(path.join(packageDir(name), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
