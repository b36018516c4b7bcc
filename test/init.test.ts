// Runs in its own process (node --test isolates files), so the module starts uninitialized here.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as st from '../src/index.js';

test('an op before init() throws NOT_INITIALIZED; init() is idempotent and takes bytes or a module', async () => {
  assert.equal(st.isInitialized(), false);
  assert.throws(() => st.zeros([2]), { code: 'NOT_INITIALIZED', message: /await init\(\)/ });
  assert.throws(() => st.memoryStats(), { code: 'NOT_INITIALIZED' });
  const bytes = readFileSync(new URL('../build/slimtensor.wasm', import.meta.url));
  const module = await WebAssembly.compile(bytes);
  assert.deepEqual(WebAssembly.Module.imports(module), [], 'the kernels must need no imports');
  await Promise.all([st.init({ module }), st.init({ bytes }), st.init()]);
  assert.equal(st.isInitialized(), true);
  await st.init();
  assert.deepEqual(st.tidy(() => st.add(st.tensor([1]), 1).toArray()), [2]);
});
