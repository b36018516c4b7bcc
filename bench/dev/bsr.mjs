// Dev harness: the 1x4 BSR SpMV vs the CSR SpMV (u16 columns) vs the packed dense GEMV, on unstructured
// weights (each entry kept with probability 1 − sparsity, what magnitude pruning of a trained layer
// looks like to a blocked format) and on 1x4-block-structured weights (each block kept with probability
// 1 − sparsity, then each of its weights zeroed with probability 1 − fill). Behind BSR_RULE.
//   node bench/dev/bsr.mjs [--n 4096]
import { devArena, loadDevWasm, option } from './wasm-dev.mjs';
const ex = loadDevWasm('bsr-entry.ts', 'bsr');
const n = Number(option('--n') ?? 4096), k = n, rounds = 7;
const A = devArena(ex.memory);
let s = 3; const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const X = A.alloc(k * 4), Y = A.alloc(n * 4), W = A.alloc(n * k * 4), PW = A.alloc(ex.f32_gemv_packed_bytes(n, k) >>> 0);
{ const x = A.view(Float32Array, X, k); for (let i = 0; i < k; i++) x[i] = rnd() - 0.5; }
ex.f32_gemv_pack(n, k, W, PW);
const med = (a) => a.sort((p, q) => p - q)[a.length >> 1];
const time = (fn) => { const reps = 20; const t = performance.now(); for (let i = 0; i < reps; i++) fn(); return (performance.now() - t) / reps; };
const WS = A.alloc(ex.f32_spmv_bsr_workspace_bytes(k) >>> 0);
const grid = [[false, 0.8, 1], [false, 0.9, 1], [false, 0.95, 1], [true, 0.9, 1], [true, 0.9, 0.75], [true, 0.9, 0.6], [true, 0.7, 1], [true, 0.5, 1], [true, 0.4, 1], [true, 0.3, 1]];
for (const [structured, sparsity, fill] of grid) {
  const mark = A.alloc(0);
  const w = new Float32Array(n * k);
  for (let j = 0; j < n; j++) for (let c = 0; c < k; c += 4) {
    if (structured) { if (rnd() >= sparsity) for (let t = 0; t < 4; t++) w[j * k + c + t] = rnd() < fill ? rnd() - 0.5 : 0; }
    else for (let t = 0; t < 4; t++) if (rnd() >= sparsity) w[j * k + c + t] = rnd() - 0.5;
  }
  const vals = [], cols = [], ptr = [0], bv = [], bc = [], bp = [0];
  for (let j = 0; j < n; j++) {
    for (let c = 0; c < k; c++) if (w[j * k + c] !== 0) { vals.push(w[j * k + c]); cols.push(c); }
    ptr.push(vals.length);
    for (let c = 0; c < k; c += 4) if (w[j * k + c] || w[j * k + c + 1] || w[j * k + c + 2] || w[j * k + c + 3]) { for (let t = 0; t < 4; t++) bv.push(w[j * k + c + t]); bc.push(c >> 2); }
    bp.push(bc.length);
  }
  A.view(Float32Array, W, n * k).set(w); ex.f32_gemv_pack(n, k, W, PW);
  const V = A.put(Float32Array.from(vals)), C = A.put(Uint16Array.from(cols)), P = A.put(Int32Array.from(ptr));
  const BV = A.put(Float32Array.from(bv)), BC = A.put(Uint16Array.from(bc)), BP = A.put(Int32Array.from(bp));
  const cases = {
    dense: () => ex.f32_gemv_packed(n, k, X, PW, 0, Y, -Infinity, Infinity),
    csr: () => ex.f32_spmv_csr(n, X, V, C, P, 0, Y, -Infinity, Infinity, 2),
    bsr: () => ex.f32_spmv_bsr(n, k, X, BV, BC, BP, 0, Y, WS, -Infinity, Infinity, 2),
  };
  const t = { dense: [], csr: [], bsr: [] };
  for (let r = 0; r < rounds; r++) for (const c of Object.keys(cases)) t[c].push(time(cases[c]));
  const bytesCsr = vals.length * 6 + ptr.length * 4, bytesBsr = bc.length * 18 + bp.length * 4;
  console.log(`${structured ? `1x4-block fill ${fill}` : 'unstructured'} sparsity ${sparsity}: csr ${(med(t.dense) / med(t.csr)).toFixed(2)}x dense (${(bytesCsr / 1e6).toFixed(1)} MB), bsr ${(med(t.dense) / med(t.bsr)).toFixed(2)}x dense (${(bytesBsr / 1e6).toFixed(1)} MB); bsr/csr ${(med(t.csr) / med(t.bsr)).toFixed(2)}x`);
}
