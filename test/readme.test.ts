// Runs the README's quick start as written (its import line mapped onto the library), so the docs cannot rot.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as st from '../src/index.js';

test('the README quick start runs and prints what it claims', async () => {
  const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
  const block = /## Quick start\s+```ts\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'README has a ```ts block under "## Quick start"');
  const importLine = /^import \{([^}]+)\} from 'slimtensor';\n/m.exec(block)!;
  const body = `const {${importLine[1]}} = st;\n` + block.replace(importLine[0], '');
  const printed: unknown[][] = [];
  const AsyncFunction = (async () => {}).constructor as new (...args: string[]) => (...a: unknown[]) => Promise<void>;
  await new AsyncFunction('st', 'console', body)(st, { log: (...a: unknown[]) => printed.push(a) });
  assert.deepEqual(printed[0]![0], [4, 10]);
  (printed[0]![1] as number[]).forEach((s) => assert.ok(Math.abs(s - 1) < 1e-5));
  assert.equal((printed[1]![0] as st.MemoryStats).tensors, 0);
  assert.equal((printed[1]![0] as st.MemoryStats).bytes, 0);
});
