// npm run accuracy -- <experiment> [--quick] [--json]. Experiments: dense, ptq, qat, prune, lottery, distill, binary, lowrank.
import * as st from '../../src/index.js';
import type { RunOptions } from './common.js';
import { dense } from './dense.js';
import { distillExperiment } from './distill.js';
import { lottery } from './lottery.js';
import { prune } from './prune.js';
import { ptq, qat } from './quant.js';
import { binary } from './binary.js';
import { lowrank } from './lowrank.js';

const EXPERIMENTS: Record<string, (o: RunOptions) => Promise<void>> = { dense, ptq, qat, prune, lottery, distill: distillExperiment, binary, lowrank };

const argv = process.argv.slice(2);
const opts: RunOptions = { quick: argv.includes('--quick'), json: argv.includes('--json') };
const names = argv.filter((a) => !a.startsWith('--'));
const bad = [...names.filter((n) => !(n in EXPERIMENTS)), ...argv.filter((a) => a.startsWith('--') && a !== '--quick' && a !== '--json')];
if (names.length === 0 || bad.length) {
  console.error(`accuracy: ${bad.length ? `unknown ${bad[0]}` : 'name an experiment'}; experiments: ${Object.keys(EXPERIMENTS).join(', ')}; options: --quick --json`);
  process.exit(2);
}
await st.init();
for (const n of names) await EXPERIMENTS[n]!(opts);
