// The runtimes' install step, shared by scripts/test-runtimes.mjs and the example tests
// (examples/*/test.mjs): pinned deno, bun, workerd and playwright-core in .runtimes/ (its own
// package.json, never the package's), Debian's chromium when missing, and a loopback file server.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const dir = join(root, '.runtimes');
export const bin = (name) => join(dir, 'node_modules', '.bin', name);
/** Pinned so every machine runs the same engines; bump deliberately. */
export const RUNTIMES = { deno: '2.9.6', bun: '1.4.5', workerd: '1.20261123.1', 'playwright-core': '1.65.2', 'fast-check': '4.10.2' };
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

const sh = (cmd, args, cwd, opts = {}) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...opts });
const step = (msg) => console.log(`» ${msg}`);

/** Installs RUNTIMES into .runtimes/ unless its manifest already matches; failures are logged (the runtime then fails where used). */
export function ensureRuntimes() {
  mkdirSync(dir, { recursive: true });
  const manifest = { name: 'slimtensor-runtimes', private: true, type: 'module', description: 'Written by scripts/test-runtimes.mjs', dependencies: RUNTIMES };
  const manifestPath = join(dir, 'package.json');
  const have = existsSync(manifestPath) ? readFileSync(manifestPath, 'utf8') : '';
  const want = `${JSON.stringify(manifest, null, 2)}\n`;
  if (have === want && ['deno', 'bun', 'workerd'].every((b) => existsSync(bin(b))) && existsSync(join(dir, 'node_modules/playwright-core'))) return;
  writeFileSync(manifestPath, want);
  step(`installing ${Object.entries(RUNTIMES).map(([k, v]) => `${k}@${v}`).join(', ')} into .runtimes/`);
  try {
    sh('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], dir, { stdio: 'inherit' });
  } catch (e) {
    console.log(`✗ npm install in .runtimes/ failed: ${e.message}`);
  }
}

/** Installs Debian's chromium with apt-get when /usr/bin/chromium is missing; returns an error message or null. */
export function ensureChromium() {
  if (existsSync(CHROMIUM)) return null;
  step('installing Debian chromium (apt-get)');
  try {
    sh('apt-get', ['update', '-qq'], root, { stdio: 'inherit' });
    sh('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'chromium'], root, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    return null;
  } catch (e) {
    return `apt-get install chromium failed: ${e.message}`;
  }
}

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json', '.svg': 'image/svg+xml' };

/** Serves the files under `base` on 127.0.0.1 (a free port; `.wasm` as application/wasm); resolves to { server, url }. */
export async function serveDir(base) {
  const server = createServer((req, res) => {
    const file = normalize(join(base, decodeURIComponent(new URL(req.url, 'http://x').pathname)));
    const path = file.endsWith('/') ? join(file, 'index.html') : file;
    if (!path.startsWith(base) || !existsSync(path)) return res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(readFileSync(path));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}
