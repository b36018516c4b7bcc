// npm run test:runtimes: the conformance program (test/program.ts) in Node, Deno, Bun, headless
// Chromium and workerd, each hash checked against test/golden.json. Installs the runtimes into
// .runtimes/ (its own package.json, never the package's), and Debian's chromium when missing.
// The tarball's file list is checked too (test/pack-rules.ts). Run through tsx for that import.
// Options: --only node,deno,... (a subset), --skip-build (reuse dist/).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packProblems } from '../test/pack-rules.ts';
import { prepareRuntimes, runtimeRunners } from './runtimes-run.mjs';
import { root } from './runtimes-setup.mjs';

const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1].split(',') : null;
const golden = JSON.parse(readFileSync(join(root, 'test/golden.json'), 'utf8'));

// The package as users get it: only dist/, the README and package.json in the tarball.
const { pack, chromiumError } = await prepareRuntimes({ skipBuild: argv.includes('--skip-build'), chromium: !only || only.includes('chromium') });
for (const f of pack.files) console.log(`    ${String(f.size).padStart(8)}  ${f.path}`);
const packed = packProblems(pack.files.map((f) => f.path), JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')), true);
const results = [{ name: 'pack', ok: packed.length === 0 }];
console.log(`${packed.length ? '✗' : '✓'} pack     ${packed.length ? packed.join('; ') : 'only dist/, README.md and package.json; every export target present'}`);

// Each runtime prints one CONFORMANCE line.
for (const [name, runner] of Object.entries(runtimeRunners('conformance', chromiumError))) {
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
