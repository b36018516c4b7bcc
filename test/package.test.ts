// The universal entry must load in every runtime: no node: imports and no top-level import.meta.url
// anywhere in its import graph, and no runtime dependencies in package.json.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

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
});

test('package.json: zero runtime dependencies, ESM, sideEffects false, exports for both entries', () => {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  assert.deepEqual(Object.keys(pkg.dependencies ?? {}), []);
  assert.equal(pkg.type, 'module');
  assert.equal(pkg.sideEffects, false);
  assert.ok(pkg.exports['.'] && pkg.exports['./node']);
  for (const dev of ['assemblyscript', 'typescript', 'tsx', 'fast-check', 'tinybench']) assert.ok(pkg.devDependencies[dev], dev);
  assert.match(pkg.devDependencies.typescript, /^\^?5\.9\./);
});
