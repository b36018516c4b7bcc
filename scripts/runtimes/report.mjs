// Shared by every entry: runs the conformance program (test/program.ts) or the speed program
// (bench/speed-program.ts) and shapes the line the driver reads.
import { conformanceProgram } from './program.mjs';
import { speedProgram } from './speed.mjs';

/** Loads the kernels with `load`, runs the program, returns the result line's fields. */
export async function runConformance(st, runtime, version, loader, load) {
  const t0 = performance.now();
  await load();
  const r = conformanceProgram(st);
  const sections = Object.fromEntries(Object.entries(r.sections).map(([name, s]) => [name, s.hash]));
  return { runtime, version, loader, hash: r.hash, sections, ms: Math.round(performance.now() - t0) };
}

/**
 * The speed program's cases. workerd's clocks stand still while a request computes and catch up at
 * its next event, so there each timed block ends with an awaited timer.
 */
export async function runSpeed(st, runtime, version, loader, load) {
  await load();
  const clock = runtime === 'workerd'
    ? { now: () => Date.now(), settle: () => new Promise((resolve) => setTimeout(resolve, 0)) }
    : { now: () => performance.now(), settle: async () => {} };
  const before = st.memoryStats().tensors;
  const cases = await speedProgram(st, clock);
  return { runtime, version, loader, cases, leaked: st.memoryStats().tensors - before };
}

/** `mode` 'speed' runs the speed program, anything else the conformance program; resolves to the line to print. */
export async function runMode(mode, ...args) {
  return mode === 'speed' ? `SPEED ${JSON.stringify(await runSpeed(...args))}` : `CONFORMANCE ${JSON.stringify(await runConformance(...args))}`;
}
