// npm run bench:runtimes: the speed program (bench/speed-program.ts) in Node, Deno, Bun, headless
// Chromium and workerd: each compressed model of the batch-1 MLP and CNN (static and dynamic int8,
// int4, structured and 90% pruning, binary weights, low rank) against its f32 original, timed in the
// same runtime. Prints one table row per runtime and case, and fails when a runtime errs, leaks
// tensors, or a compressed model is not faster than its f32 original there. Uses the package as installed from its tarball (scripts/runtimes-run.mjs).
// Options: --only node,deno,... (a subset), --skip-build (reuse dist/), --json (one JSON line per runtime).
import { prepareRuntimes, runtimeRunners } from './runtimes-run.mjs';

const argv = process.argv.slice(2);
const only = argv.includes('--only') ? argv[argv.indexOf('--only') + 1].split(',') : null;
const json = argv.includes('--json');
const { chromiumError } = await prepareRuntimes({ skipBuild: argv.includes('--skip-build'), chromium: !only || only.includes('chromium') });

const failures = [];
const rows = [];
for (const [name, runner] of Object.entries(runtimeRunners('speed', chromiumError))) {
  if (only && !only.includes(name)) continue;
  const r = await runner();
  if (r.error) {
    failures.push(`${name}: ${r.error}`);
    console.log(`✗ ${name}: ${r.error}`);
    continue;
  }
  if (json) console.log(JSON.stringify({ runtime: name, version: r.version, cases: r.cases, leaked: r.leaked }));
  if (r.leaked !== 0) failures.push(`${name}: the speed program left ${r.leaked} tensors undisposed`);
  for (const [c, v] of Object.entries(r.cases)) {
    rows.push({ runtime: name, version: r.version, case: c, ...v });
    if (!(v.ratio > 1)) failures.push(`${name} ${c}: ${v.ratio}× its f32 model`);
  }
}
if (!json) {
  console.log(`${'runtime'.padEnd(9)}${'case'.padEnd(19)}${'f32 µs'.padStart(9)}${'ours µs'.padStart(9)}  speed-up`);
  for (const r of rows) console.log(`${r.runtime.padEnd(9)}${r.case.padEnd(19)}${r.f32Us.toFixed(1).padStart(9)}${r.us.toFixed(1).padStart(9)}  ${r.ratio.toFixed(2)}×`);
}
if (failures.length) {
  console.log(`\nnot faster than f32, or failed:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(`\nevery compressed model ran faster than its f32 original in ${new Set(rows.map((r) => r.runtime)).size} runtimes`);
