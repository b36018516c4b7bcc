// Benchmark inputs, with no imports: shared by the Node harness (bench/harness.ts) and the
// runtime-neutral speed program (bench/speed-program.ts).

/** Deterministic pseudo-random floats in [-1, 1) for benchmark inputs. */
export function randomF32(n: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}
