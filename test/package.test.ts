// The universal entry must load in every runtime: no node: imports and no top-level import.meta.url
// anywhere in its import graph, and no runtime dependencies in package.json. The tarball holds only
// what users need; the .wasm and the minified bundle stay within their size budgets.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { exportTargets, packProblems } from './pack-rules.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function importGraph(entry: string): Map<string, string> {
  const seen = new Map<string, string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
    seen.set(file, text);
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)) {
      const spec = m[1] ?? m[2]!;
      if (spec.startsWith('.')) visit(join(dirname(file), spec.replace(/\.js$/, '.ts')));
      else seen.set(`external:${spec}`, '');
    }
  };
  visit(entry);
  return seen;
}

test('the universal entry imports nothing from node: and reads import.meta.url nowhere', () => {
  const graph = importGraph(join(root, 'src/index.ts'));
  assert.ok(graph.size > 20, `walked ${graph.size} modules`);
  const externals = [...graph.keys()].filter((k) => k.startsWith('external:'));
  assert.deepEqual(externals, [], 'the universal entry imports only its own modules');
  for (const [file, text] of graph) assert.ok(!/import\.meta\.url/.test(text), `${file} uses import.meta.url`);
  assert.ok(![...graph.keys()].some((f) => f.includes('/src/node/')), 'the Node-only subpath stays out of the universal graph');
  assert.ok(![...graph.keys()].some((f) => f.includes('/src/testing/')), 'the testing subpath stays out of the universal graph');
});

test('slimtensor/testing imports fast-check and nothing else from outside, and no node: module', () => {
  const graph = importGraph(join(root, 'src/testing/index.ts'));
  assert.deepEqual([...graph.keys()].filter((k) => k.startsWith('external:')), ['external:fast-check']);
  for (const [file, text] of graph) assert.ok(!/import\.meta\.url/.test(text), `${file} uses import.meta.url`);
});

test('package.json: zero runtime dependencies, ESM, sideEffects false, typed exports for every entry, fast-check an optional peer', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.deepEqual(Object.keys(pkg.dependencies ?? {}), []);
  assert.equal(pkg.type, 'module');
  assert.equal(pkg.sideEffects, false);
  for (const [entry, src] of [['.', 'index'], ['./node', 'node/index'], ['./testing', 'testing/index']] as const) {
    assert.deepEqual(pkg.exports[entry], { types: `./dist/${src}.d.ts`, default: `./dist/${src}.js` }, entry);
    assert.ok(existsSync(join(root, 'src', `${src}.ts`)), `${entry} is compiled from src/${src}.ts`);
  }
  assert.deepEqual(Object.keys(pkg.peerDependencies ?? {}), ['fast-check']);
  assert.deepEqual(pkg.peerDependenciesMeta, { 'fast-check': { optional: true } });
  for (const dev of ['assemblyscript', 'typescript', 'tsx', 'fast-check', 'tinybench']) assert.ok(pkg.devDependencies[dev], dev);
  assert.match(pkg.devDependencies.typescript, /^\^?5\.9\./);
});

test('npm pack: the tarball holds dist/, the README and package.json, never tests, sources, scripts or benchmarks', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const [pack] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
  const files: string[] = pack.files.map((f: { path: string }) => f.path);
  assert.deepEqual(packProblems(files, pkg, false), []);
  // Every export target is a publishable path; that each is in the tarball is checked on the real one
  // by npm run test:runtimes, which builds first (npm test does not build dist/).
  assert.deepEqual(packProblems([...new Set(['README.md', ...exportTargets(pkg)])], pkg, true), []);
  assert.deepEqual(packProblems([...files, 'test/program.ts', 'src/index.ts', 'dist/x.js.map'], pkg, false).length, 3, 'the rules catch sources and maps');
});

/** Today's figures, with a little headroom: raise them on purpose, in the commit that grows the code. */
const BUDGET = { wasm: 150_000, bundle: 400_000 };

test(`size budgets: the .wasm ≤ ${BUDGET.wasm} bytes, the minified universal bundle (the .wasm inlined as base64) ≤ ${BUDGET.bundle} bytes, without fast-check`, async () => {
  const wasm = statSync(join(root, 'build/slimtensor.wasm')).size;
  const out = await esbuild.build({ entryPoints: [join(root, 'src/index.ts')], bundle: true, minify: true, format: 'esm', platform: 'neutral', write: false, metafile: true, logLevel: 'silent' });
  const bundle = out.outputFiles[0]!.contents.length;
  console.log(`wasm ${wasm} bytes, minified bundle ${bundle} bytes`);
  assert.ok(wasm <= BUDGET.wasm, `build/slimtensor.wasm is ${wasm} bytes, budget ${BUDGET.wasm}`);
  assert.ok(bundle <= BUDGET.bundle, `the minified bundle is ${bundle} bytes, budget ${BUDGET.bundle}`);
  assert.ok(!Object.keys(out.metafile.inputs).some((f) => f.includes('fast-check') || f.includes('/testing/')), 'the universal bundle pulls in no test helper');
});

test('the library loads and runs where the engine has no FinalizationRegistry (workerd before its 2025-05-05 compat date)', () => {
  const code = `delete globalThis.FinalizationRegistry;
    const st = await import('./src/index.ts');
    await st.init();
    const t = st.tidy(() => st.add(st.normal([3], 0, 1, { seed: 1 }), 1));
    const r = new st.Rng(3).uint32();
    t.dispose();
    console.log(JSON.stringify({ n: t.size, r, tensors: st.memoryStats().tensors }));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, encoding: 'utf8' });
  assert.deepEqual(JSON.parse(out), { n: 3, r: 2750463884, tensors: 0 });
});
