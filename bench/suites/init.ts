// init: the time of `await init()` from the embedded bytes in a fresh Node process (decode, compile,
// instantiate), and the .wasm size. Not ratios: absolute figures the foundation issue asks for.
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Options } from '../harness.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

export interface Figure { suite: string; case: string; unit: string; value: number; target: string }

export async function initFigures(opts: Options): Promise<Figure[]> {
  const probe = `const st = await import(${JSON.stringify(root + 'src/index.ts')}); const t0 = performance.now(); await st.init(); console.log(performance.now() - t0);`;
  const times: number[] = [];
  for (let i = 0; i < (opts.quick ? 3 : 7); i++) {
    times.push(Number(execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', probe], { cwd: root, encoding: 'utf8' }).trim()));
  }
  times.sort((a, b) => a - b);
  const wasm = statSync(root + 'build/slimtensor.wasm').size;
  return [
    { suite: 'init', case: 'init-embedded-median', unit: 'ms', value: round(times[times.length >> 1]!), target: '< 20 ms' },
    { suite: 'init', case: 'init-embedded-best', unit: 'ms', value: round(times[0]!), target: '< 20 ms' },
    { suite: 'init', case: 'wasm-size', unit: 'bytes', value: wasm, target: '< 150000 bytes' },
  ];
}

const round = (x: number) => Math.round(x * 100) / 100;
