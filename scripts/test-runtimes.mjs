// npm run test:runtimes: the conformance program (test/program.ts) in Node, Deno, Bun, headless
// Chromium and workerd, each hash checked against test/golden.json. Installs the runtimes into
// .runtimes/ (its own package.json, never the package's), and Debian's chromium when missing.
// The tarball's file list is checked too (test/pack-rules.ts). Run through tsx for that import.
// Options: --only node,deno,... (a subset), --skip-build (reuse dist/).
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { packProblems } from '../test/pack-rules.ts';
import { CHROMIUM, CHROMIUM_ARGS, bin, dir, ensureChromium, ensureRuntimes, root, serveDir } from './runtimes-setup.mjs';

const work = join(dir, 'work');
const TIMEOUT_MS = 240_000;

const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1].split(',') : null;
const golden = JSON.parse(readFileSync(join(root, 'test/golden.json'), 'utf8'));
const sh = (cmd, args, cwd = root, opts = {}) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...opts });
const step = (msg) => console.log(`» ${msg}`);

// 1. The package as users get it: build, pack, install the tarball into .runtimes/.
if (!argv.includes('--skip-build')) sh('npm', ['run', 'build'], root, { stdio: 'inherit' });
mkdirSync(dir, { recursive: true });
for (const f of readdirSync(dir)) if (f.endsWith('.tgz')) rmSync(join(dir, f));
const [pack] = JSON.parse(sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir]));
step(`packed ${pack.filename}: ${pack.size} bytes, ${pack.unpackedSize} unpacked, ${pack.files.length} files`);
for (const f of pack.files) console.log(`    ${String(f.size).padStart(8)}  ${f.path}`);
const packed = packProblems(pack.files.map((f) => f.path), JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')), true);
const results = [{ name: 'pack', ok: packed.length === 0 }];
console.log(`${packed.length ? '✗' : '✓'} pack     ${packed.length ? packed.join('; ') : 'only dist/, README.md and package.json; every export target present'}`);

// 2. The runtimes, in their own folder.
ensureRuntimes();
sh('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `./${pack.filename}`], dir, { stdio: 'inherit' });
const installed = join(dir, 'node_modules', 'slimtensor');
if (JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).version !== pack.version) throw new Error('the packed tarball did not install into .runtimes/');

const chromiumError = !only || only.includes('chromium') ? ensureChromium() : null;

// 3. The entries: the program compiled from TypeScript, bundles for the browser and workerd.
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
for (const f of readdirSync(join(root, 'scripts/runtimes'))) copyFileSync(join(root, 'scripts/runtimes', f), join(work, f));
copyFileSync(join(installed, 'dist/slimtensor.wasm'), join(work, 'slimtensor.wasm'));
const esbuild = await import('esbuild');
await esbuild.build({ entryPoints: [join(root, 'test/program.ts')], outfile: join(work, 'program.mjs'), format: 'esm', bundle: true, platform: 'neutral', logLevel: 'error' });
const bundle = (entry, out, external = []) => esbuild.build({ entryPoints: [join(work, entry)], outfile: join(work, out), absWorkingDir: work, format: 'esm', bundle: true, platform: 'browser', external, logLevel: 'error' });
await bundle('browser.mjs', 'browser.js');
await bundle('worker.mjs', 'worker.js', ['./slimtensor.wasm']);

// 4. Each runtime prints one CONFORMANCE line.
function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('error', (e) => (out += String(e)));
    child.on('close', (code) => {
      clearTimeout(timer);
      const m = out.match(/CONFORMANCE (\{.*\})/);
      resolve(m ? JSON.parse(m[1]) : { error: `exit ${code}: ${out.trim().slice(-2000)}` });
    });
  });
}

async function chromium() {
  if (chromiumError) return { error: chromiumError };
  const { server, url } = await serveDir(work);
  const profile = join(dir, 'chromium-profile');
  rmSync(profile, { recursive: true, force: true });
  let context;
  try {
    const { chromium: pw } = await import(pathToFileURL(join(dir, 'node_modules/playwright-core/index.mjs')).href);
    context = await pw.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${url}index.html`);
    await page.waitForFunction(() => globalThis.conformance !== undefined, null, { timeout: TIMEOUT_MS });
    const result = await page.evaluate(() => globalThis.conformance);
    const version = context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent));
    return errors.length && !result.hash ? { error: errors.join('\n') } : { ...result, version: `Chromium ${version}` };
  } catch (e) {
    return { error: String(e.stack ?? e) };
  } finally {
    await context?.close();
    server.close();
  }
}

/** A runtime whose binary the install did not leave behind fails with that reason instead of running. */
const ifInstalled = (name, runner) => () => (existsSync(bin(name)) ? runner() : { error: `${name} is not installed in .runtimes/node_modules (see the npm install output above)` });
const denoEnv = { ...process.env, DENO_NO_UPDATE_CHECK: '1', DENO_DIR: join(dir, 'deno-dir'), NO_COLOR: '1' };
const runners = {
  node: () => run(process.execPath, ['node.mjs']),
  deno: ifInstalled('deno', () => run(bin('deno'), ['run', `--allow-read=${dir}`, '--node-modules-dir=manual', 'deno.mjs'], { env: denoEnv })),
  bun: ifInstalled('bun', () => run(bin('bun'), ['bun.mjs'])),
  chromium,
  workerd: ifInstalled('workerd', async () => ({ ...(await run(bin('workerd'), ['test', '--verbose', 'workerd.capnp'])), version: sh(bin('workerd'), ['--version']).trim() })),
};

for (const [name, runner] of Object.entries(runners)) {
  if (only && !only.includes(name)) continue;
  const t0 = performance.now();
  const r = await runner();
  r.wall = Math.round(performance.now() - t0);
  r.name = name;
  results.push(r);
  if (r.error) {
    console.log(`✗ ${name}: ${r.error}`);
    continue;
  }
  const bad = Object.keys(golden.sections).filter((s) => r.sections[s] !== golden.sections[s]);
  r.ok = r.hash === golden.hash && bad.length === 0;
  console.log(`${r.ok ? '✓' : '✗'} ${name.padEnd(8)} ${r.hash}  ${r.version}  [${r.loader}]  program ${r.ms} ms, wall ${r.wall} ms`);
  if (!r.ok) console.log(`    differs from test/golden.json (${golden.hash}) in: ${bad.map((s) => `${s} ${r.sections[s]} ≠ ${golden.sections[s]}`).join(', ') || 'the combined hash'}`);
}
const passed = results.filter((r) => r.ok).length;
console.log(`golden ${golden.hash}`);
console.log(`${passed} passed, ${results.length - passed} failed`);
process.exit(passed === results.length && results.length > 0 ? 0 : 1);
