// Shared by scripts/test-runtimes.mjs (the conformance program) and scripts/bench-runtimes.mjs (the
// speed program): the package built, packed and installed into .runtimes/ as users get it, the
// entries of scripts/runtimes/ bundled, and one runner per runtime that returns the JSON of the line
// its entry prints (`CONFORMANCE {…}` or `SPEED {…}`), or { error }.
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHROMIUM, CHROMIUM_ARGS, bin, dir, ensureChromium, ensureRuntimes, root, serveDir } from './runtimes-setup.mjs';

export const work = join(dir, 'work');
const TIMEOUT_MS = 240_000;

const sh = (cmd, args, cwd = root, opts = {}) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', ...opts });
const step = (msg) => console.log(`» ${msg}`);

/**
 * Builds (unless skipBuild), packs and installs the package into .runtimes/, installs the runtimes
 * (and Chromium when `chromium` is wanted), and writes the bundles into .runtimes/work/.
 * Returns { pack (npm pack's JSON), chromiumError (a message, or null) }.
 */
export async function prepareRuntimes({ skipBuild = false, chromium = true } = {}) {
  if (!skipBuild) sh('npm', ['run', 'build'], root, { stdio: 'inherit' });
  mkdirSync(dir, { recursive: true });
  for (const f of readdirSync(dir)) if (f.endsWith('.tgz')) rmSync(join(dir, f));
  const [pack] = JSON.parse(sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', dir]));
  step(`packed ${pack.filename}: ${pack.size} bytes, ${pack.unpackedSize} unpacked, ${pack.files.length} files`);
  ensureRuntimes();
  sh('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `./${pack.filename}`], dir, { stdio: 'inherit' });
  const installed = join(dir, 'node_modules', 'slimtensor');
  if (JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')).version !== pack.version) throw new Error('the packed tarball did not install into .runtimes/');
  const chromiumError = chromium ? ensureChromium() : null;

  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  for (const f of readdirSync(join(root, 'scripts/runtimes'))) copyFileSync(join(root, 'scripts/runtimes', f), join(work, f));
  copyFileSync(join(installed, 'dist/slimtensor.wasm'), join(work, 'slimtensor.wasm'));
  const esbuild = await import('esbuild');
  const program = (entry, out) => esbuild.build({ entryPoints: [join(root, entry)], outfile: join(work, out), format: 'esm', bundle: true, platform: 'neutral', logLevel: 'error' });
  await program('test/program.ts', 'program.mjs');
  await program('bench/speed-program.ts', 'speed.mjs');
  const bundle = (entry, out, external = []) => esbuild.build({ entryPoints: [join(work, entry)], outfile: join(work, out), absWorkingDir: work, format: 'esm', bundle: true, platform: 'browser', external, logLevel: 'error' });
  await bundle('browser.mjs', 'browser.js');
  await bundle('worker.mjs', 'worker.js', ['./slimtensor.wasm']);
  return { pack, chromiumError };
}

/** The line `${prefix} {…}` of a child process's output, parsed, or { error }. */
function run(cmd, args, prefix, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: work, stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
    child.on('error', (e) => (out += String(e)));
    child.on('close', (code) => {
      clearTimeout(timer);
      const m = out.match(new RegExp(`${prefix} (\\{.*\\})`));
      resolve(m ? JSON.parse(m[1]) : { error: `exit ${code}: ${out.trim().slice(-2000)}` });
    });
  });
}

async function chromium(mode, chromiumError) {
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
    await page.goto(`${url}index.html?mode=${mode}`);
    await page.waitForFunction(() => globalThis.slimResult !== undefined, null, { timeout: TIMEOUT_MS });
    const result = await page.evaluate(() => globalThis.slimResult);
    const version = context.browser()?.version() ?? (await page.evaluate(() => navigator.userAgent));
    if (result.error) return { error: errors.length ? errors.join('\n') : result.error };
    return { ...result, version: `Chromium ${version}` };
  } catch (e) {
    return { error: String(e.stack ?? e) };
  } finally {
    await context?.close();
    server.close();
  }
}

/** mode: 'conformance' or 'speed'. Each runner resolves to the parsed line, or { error }. */
export function runtimeRunners(mode, chromiumError) {
  const prefix = mode === 'speed' ? 'SPEED' : 'CONFORMANCE';
  /** A runtime whose binary the install did not leave behind fails with that reason instead of running. */
  const ifInstalled = (name, runner) => () => (existsSync(bin(name)) ? runner() : { error: `${name} is not installed in .runtimes/node_modules (see the npm install output above)` });
  const denoEnv = { ...process.env, DENO_NO_UPDATE_CHECK: '1', DENO_DIR: join(dir, 'deno-dir'), NO_COLOR: '1' };
  return {
    node: () => run(process.execPath, ['node.mjs', mode], prefix),
    deno: ifInstalled('deno', () => run(bin('deno'), ['run', `--allow-read=${dir}`, '--node-modules-dir=manual', 'deno.mjs', mode], prefix, { env: denoEnv })),
    bun: ifInstalled('bun', () => run(bin('bun'), ['bun.mjs', mode], prefix)),
    chromium: () => chromium(mode, chromiumError),
    workerd: ifInstalled('workerd', async () => ({
      ...(await run(bin('workerd'), ['test', '--verbose', 'workerd.capnp'], prefix, { env: { ...process.env, SLIM_MODE: mode } })),
      version: sh(bin('workerd'), ['--version']).trim(),
    })),
  };
}
