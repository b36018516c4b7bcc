import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import './setup.js';
import * as st from '../src/index.js';
import { SECTIONS, conformanceProgram } from './program.js';

/**
 * The hashes of test/program.ts on the committed kernels, per section and over all of them. Every
 * runtime must reproduce them (npm run test:runtimes). They change only when results change on
 * purpose: then update test/golden.json in the same commit, saying why.
 */
const golden = JSON.parse(readFileSync(new URL('./golden.json', import.meta.url), 'utf8')) as { hash: string; sections: Record<string, string> };
export const GOLDEN_HASH = golden.hash;

test('the f32 ops section keeps the hash the original determinism program had', () => {
  const f32 = SECTIONS.find((s) => s.name === 'f32')!;
  assert.equal(conformanceProgram(st, [f32]).sections.f32!.hash, '49fed2cc');
  assert.equal(golden.sections.f32, '49fed2cc');
});

test('the conformance program over every section hashes to the committed golden values, twice, leaking nothing', () => {
  const before = st.memoryStats().tensors;
  const first = conformanceProgram(st);
  const again = conformanceProgram(st);
  const computed = { hash: first.hash, sections: Object.fromEntries(Object.entries(first.sections).map(([k, v]) => [k, v.hash])) };
  assert.deepEqual(Object.keys(golden.sections), SECTIONS.map((s) => s.name), `one golden hash per section, in program order; this run gives ${JSON.stringify(computed)}`);
  assert.equal(st.memoryStats().tensors, before, 'every section disposes what it keeps');
  assert.deepEqual(again, first, 'the same program must give the same bits twice in one process');
  for (const [name, { hash, steps }] of Object.entries(first.sections)) assert.equal(hash, golden.sections[name], `section ${name}: steps ${JSON.stringify(steps)}`);
  assert.equal(first.hash, GOLDEN_HASH, `this run gives ${JSON.stringify(computed)}`);
});
