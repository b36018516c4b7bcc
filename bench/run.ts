// npm run bench -- <suite…> [--quick] [--json]
// Suites: gemm-f32, gemv-f32, gemm-i8, gemv-i8, gemv-q4, weight-only, train-mlp, mlp-infer, spmv, spmm, nm-gemv, gemm-b1, init
// (default: all). Ratios are measured in one run, single-threaded.
import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as st from '../src/index.js';
import { print, type Line, type Options } from './harness.js';
import { ensurePeers } from './peers/ensure.js';
import { gemmF32, gemvF32 } from './suites/f32.js';
import { initFigures } from './suites/init.js';
import { trainMlp } from './suites/train.js';
import { mlpInfer } from './suites/quant.js';
import { gemmI8, gemvI8, gemvQ4, weightOnly } from './suites/int.js';
import { nmGemv, spmm, spmv } from './suites/sparse.js';
import { gemmB1 } from './suites/binary.js';

const SUITES: Record<string, (o: Options) => Promise<Line[]>> = {
  'gemm-f32': gemmF32, 'gemv-f32': gemvF32, 'gemm-i8': gemmI8, 'gemv-i8': gemvI8, 'gemv-q4': gemvQ4, 'weight-only': weightOnly,
  'train-mlp': trainMlp, 'mlp-infer': mlpInfer, spmv, spmm, 'nm-gemv': nmGemv, 'gemm-b1': gemmB1,
};
/** Targets from the issues: the minimum ratio of ours over each peer, per suite and case. */
const TARGETS: Record<string, (l: Line) => number | undefined> = {
  'gemm-f32': (l) => (/^(256|512|1024)x/.test(l.case) ? { 'tfjs-backend-wasm': 1.35, 'onnxruntime-web': 1.5 }[l.peer] : undefined),
  'gemv-f32': (l) => (l.case === '1x1024x1024' && (l.peer === 'tfjs-backend-wasm' || l.peer === 'onnxruntime-web') ? 1.2 : undefined),
  'train-mlp': (l) => (l.peer === 'tfjs-backend-wasm' ? 2 : undefined),
  // The issues' targets are the MLP's; the CNN case has none (an int8 model only has to beat f32).
  'mlp-infer': (l) => (l.case === 'mlp-784-300-100-10-b1-int8-static' ? 2 : l.case.endsWith('structured50') ? 1.8 : l.case.startsWith('cnn-') ? 1 : undefined),
  'gemm-i8': (l) => (/^(256|512|1024)x/.test(l.case) ? { 'slimtensor-f32': 1.9, 'onnxruntime-web': 1.1 }[l.peer] : undefined),
  'gemv-i8': (l) => (l.case === '1x4096x4096' ? { 'slimtensor-f32': 2, 'onnxruntime-web': 5 }[l.peer] : undefined),
  'gemv-q4': (l) => (l.case === '1x4096x4096' && l.peer === 'slimtensor-f32' ? 3 : undefined),
  spmv: (l) => (l.case.endsWith('sparsity0.9') ? 4 : l.case.endsWith('sparsity0.95') ? 7 : undefined),
  'nm-gemv': (l) => (l.case === '4096x4096-2:4' ? 1.5 : undefined),
  // XNOR GEMM ≥ 6× our f32 GEMM in multiply-accumulates per second on the same shapes.
  'gemm-b1': (l) => (/^\d+x\d+x\d+$/.test(l.case) ? 6 : undefined),
};

const argv = process.argv.slice(2);
const opts: Options = { quick: argv.includes('--quick'), json: argv.includes('--json') };
const unknown = argv.filter((a) => a.startsWith('--') && a !== '--quick' && a !== '--json');
const wanted = argv.filter((a) => !a.startsWith('--'));
const names = wanted.length ? wanted : [...Object.keys(SUITES), 'init'];
const bad = names.filter((n) => n !== 'init' && !(n in SUITES));
if (unknown.length || bad.length) {
  console.error(`bench: unknown ${unknown.length ? `option ${unknown[0]}` : `suite ${bad[0]}`}; suites: ${[...Object.keys(SUITES), 'init'].join(', ')}; options: --quick --json`);
  process.exit(2);
}

const root = fileURLToPath(new URL('..', import.meta.url));
if (!existsSync(root + 'src/backend/wasm-bytes.ts')) execFileSync('npm', ['run', 'build:wasm'], { cwd: root, stdio: 'inherit' });
ensurePeers();
await st.init();

const misses: string[] = [];
for (const name of names) {
  if (name === 'init') {
    for (const f of await initFigures(opts)) console.log(opts.json ? JSON.stringify(f) : `init      ${f.case.padEnd(22)} ${f.value} ${f.unit} (target ${f.target})`);
    continue;
  }
  const out = await SUITES[name]!(opts);
  print(out, opts);
  for (const l of out) {
    const t = TARGETS[name]?.(l);
    if (t !== undefined && l.ratio < t) misses.push(`${l.suite} ${l.case} vs ${l.peer}: ${l.ratio}× < ${t}×`);
  }
}
if (!opts.json && misses.length) console.log(`\nbelow target:\n  ${misses.join('\n  ')}`);
