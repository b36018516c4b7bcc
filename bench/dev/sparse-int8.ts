// Dev check: SparseInt8Linear against Int8Linear and the f32 CSR SparseLinear, batch 1, 4096², same run,
// medians of interleaved rounds.   node --import tsx bench/dev/sparse-int8.ts [--sparsity 0.9]
import * as st from '../../src/index.js';
import { randomF32 } from '../harness.js';

await st.init();
const i = process.argv.indexOf('--sparsity');
const sparsity = i > 0 ? Number(process.argv[i + 1]) : 0.9;
const n = 4096, k = 4096;
const w = randomF32(n * k, 1);
const keep = randomF32(n * k, 2);
for (let p = 0; p < w.length; p++) if ((keep[p]! + 1) / 2 < sparsity) w[p] = 0;
const W = st.tensor(w, [n, k]);
const x = st.keep(st.tensor(randomF32(k, 3), [1, k]));
const layers = { 'int8-dense': new st.Int8Linear(W), 'int8-csr': new st.SparseInt8Linear(W), 'f32-csr': new st.SparseLinear(W, null, { format: 'csr' }) };
const times: Record<string, number[]> = {};
for (let r = 0; r < 7; r++) {
  for (const [name, l] of Object.entries(layers)) {
    const ts: number[] = [];
    for (let j = 0; j < 5; j++) { const t = performance.now(); st.tidy(() => { l.forward(x); }); ts.push(performance.now() - t); }
    (times[name] ??= []).push(ts.sort((a, b) => a - b)[2]!);
  }
}
const med = (a: number[]) => a.sort((p, q) => p - q)[a.length >> 1]!;
for (const [name, ts] of Object.entries(times)) console.log(`${name.padEnd(11)} ${med(ts).toFixed(3)} ms  bytes ${layers[name as keyof typeof layers].byteLength}`);
console.log(`int8-csr vs int8-dense: ${(med(times['int8-dense']!) / med(times['int8-csr']!)).toFixed(2)}x; vs f32-csr: ${(med(times['f32-csr']!) / med(times['int8-csr']!)).toFixed(2)}x (sparsity ${sparsity})`);
