// Calling a raw kernel from a test: inputs copied into wasm memory, outputs guarded by sentinel bytes.
import assert from 'node:assert/strict';
import { heap, u8View } from '../src/backend/binding.js';

const GUARD = 64;
const SENTINEL = 0xa5;

export const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Runs `call` on wasm copies of `inputs` and sentinel-filled outputs of `outBytes`; returns the outputs' bytes, checking nothing is written past them. */
export function runKernel(inputs: ArrayBufferView[], outBytes: number[], call: (ptrs: number[]) => void): Uint8Array[] {
  const h = heap();
  const sizes = [...inputs.map((a) => a.byteLength), ...outBytes];
  const ptrs = sizes.map((s) => h.alloc(s + GUARD));
  try {
    let mem = u8View();
    inputs.forEach((a, i) => mem.set(bytesOf(a), ptrs[i]!));
    outBytes.forEach((s, j) => mem.fill(SENTINEL, ptrs[inputs.length + j]!, ptrs[inputs.length + j]! + s + GUARD));
    call(ptrs);
    mem = u8View();
    return outBytes.map((s, j) => {
      const p = ptrs[inputs.length + j]!;
      for (let g = p + s; g < p + s + GUARD; g++) assert.equal(mem[g], SENTINEL, `wrote past the output at +${g - p} of ${s}`);
      return mem.slice(p, p + s);
    });
  } finally {
    for (const p of ptrs) h.free(p);
  }
}
