// Shared by every entry: runs the conformance program and shapes the line the driver reads.
import { conformanceProgram } from './program.mjs';

/** Loads the kernels with `load`, runs the program, returns the result line's fields. */
export async function runConformance(st, runtime, version, loader, load) {
  const t0 = performance.now();
  await load();
  const r = conformanceProgram(st);
  const sections = Object.fromEntries(Object.entries(r.sections).map(([name, s]) => [name, s.hash]));
  return { runtime, version, loader, hash: r.hash, sections, ms: Math.round(performance.now() - t0) };
}

export const line = (result) => `CONFORMANCE ${JSON.stringify(result)}`;
