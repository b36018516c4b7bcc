import assert from 'node:assert/strict';
import { test } from 'node:test';
import './setup.js';
import * as st from '../src/index.js';
import { conformanceProgram } from './program.js';

/**
 * The hash of test/program.ts on the committed kernels. Every runtime must reproduce it
 * (npm run test:runtimes). It changes only when a kernel's results change on purpose: then
 * update it in the same commit, saying why.
 */
export const GOLDEN_HASH = '49fed2cc';

test('a fixed program over every kernel family hashes to the committed golden value', () => {
  const first = conformanceProgram(st);
  const again = conformanceProgram(st);
  assert.deepEqual(again, first, 'the same program must give the same bits twice in one process');
  assert.equal(first.hash, GOLDEN_HASH, `steps: ${JSON.stringify(first.steps)}`);
});
