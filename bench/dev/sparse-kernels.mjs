// Dev harness: CSR SpMV with u16 vs i32 column indices (and SpMM, 2:4) against our dense f32 GEMV/GEMM,
// on the product module (build/slimtensor.wasm), same run, median of interleaved rounds.
//   node bench/dev/sparse-kernels.mjs [--n 4096] [--m 1] [--rounds 7] [--sparsities 0.5,0.8]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { option, root } from './wasm-dev.mjs';

const ex = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(join(root, 'build/slimtensor.wasm'))), {}).exports;
const n = Number(option('--n') ?? 4096), k = n, m = Number(option('--m') ?? 1), rounds = Number(option('--rounds') ?? 7);
let top = (ex.heap_base() + 15) & ~15;
const alloc = (bytes) => { const p = top; top = (top + bytes + 15) & ~15; const need = top - ex.memory.buffer.byteLength; if (need > 0) ex.memory.grow(Math.ceil(need / 65536)); return p; };
let s = 1;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;

const W = alloc(n * k * 4), X = alloc(m * k * 4), Y = alloc(m * n * 4), B = alloc(n * 4);
const ws = alloc(Math.max(ex.f32_gemm_workspace_bytes(m, n, k), ex.f32_spmm_workspace_bytes(m, n, k)) >>> 0);
{ const f = new Float32Array(ex.memory.buffer); for (let i = 0; i < n * k; i++) f[(W >> 2) + i] = rnd(); for (let i = 0; i < m * k; i++) f[(X >> 2) + i] = rnd(); }
const time = (fn) => { const reps = []; for (let r = 0; r < 5; r++) { const t = performance.now(); fn(); reps.push(performance.now() - t); } return reps.sort((a, b) => a - b)[2]; };
const dense = () => (m === 1 ? ex.f32_gemv(n, k, X, W, B, Y, -Infinity, Infinity) : ex.f32_gemm(m, n, k, X, k, 0, W, k, 1, B, Y, n, ws, -Infinity, Infinity));

for (const sparsity of (option('--sparsities') ?? '0.5,0.8,0.9,0.95,0.98').split(',').map(Number)) {
  const vals = [], cols = [], indptr = [0];
  for (let j = 0; j < n; j++) { for (let c = 0; c < k; c++) if ((rnd() + 1) / 2 >= sparsity) { vals.push(rnd()); cols.push(c); } indptr.push(vals.length); }
  const nnz = vals.length;
  const V = alloc(nnz * 4), C4 = alloc(nnz * 4), C2 = alloc(nnz * 2), P = alloc((n + 1) * 4);
  new Float32Array(ex.memory.buffer, V, nnz).set(vals); new Int32Array(ex.memory.buffer, C4, nnz).set(cols);
  new Uint16Array(ex.memory.buffer, C2, nnz).set(cols); new Int32Array(ex.memory.buffer, P, n + 1).set(indptr);
  const sp = (C, ib) => () => (m === 1 ? ex.f32_spmv_csr(n, X, V, C, P, B, Y, -Infinity, Infinity, ib) : ex.f32_spmm_csr(m, n, k, X, V, C, P, B, Y, ws, -Infinity, Infinity, ib));
  const r2 = [], r4 = [];
  for (let r = 0; r < rounds; r++) { const d = time(dense); r2.push(d / time(sp(C2, 2))); r4.push(d / time(sp(C4, 4))); }
  const med = (a) => a.sort((x, y) => x - y)[a.length >> 1].toFixed(2);
  //console.log(`dense ${time(dense).toFixed(3)}ms csr-u16 ${time(sp(C2,2)).toFixed(3)}ms nnz ${nnz}`);
  console.log(`m=${m} ${n}x${k} sparsity ${sparsity}: dense/csr-u16 ${med(r2)}x, dense/csr-i32 ${med(r4)}x (median of ${rounds})`);
  top = V;
}

// 2:4 (random values, random 2-of-4 positions) against the same dense kernel.
{
  const kb = Math.ceil(k / 8);
  const V = alloc(n * kb * 16), I = alloc(n * kb);
  const f = new Float32Array(ex.memory.buffer, V, n * kb * 4), u = new Uint8Array(ex.memory.buffer, I, n * kb);
  for (let i = 0; i < f.length; i++) f[i] = rnd();
  const pairs = [0b0100, 0b1000, 0b1100, 0b1001, 0b1101, 0b1110];
  for (let i = 0; i < u.length; i++) u[i] = pairs[Math.floor((rnd() + 1) * 3)] | (pairs[Math.floor((rnd() + 1) * 3)] << 4);
  const ws2 = alloc(Math.max(ex.f32_nm24_gemm_workspace_bytes(m, n, k) >>> 0, ex.f32_nm24_gemv_workspace_bytes(n, k) >>> 0));
  const nm = () => (m === 1 ? ex.f32_nm24_gemv(n, k, X, V, I, B, Y, ws2, -Infinity, Infinity) : ex.f32_nm24_gemm(m, n, k, X, V, I, B, Y, ws2, -Infinity, Infinity));
  const r = [];
  const dt = [], nt = [];
  for (let i = 0; i < rounds; i++) { const d = time(dense), t = time(nm); dt.push(d); nt.push(t); r.push(d / t); }
  console.log(`dense ${dt.sort((a, b) => a - b)[rounds >> 1].toFixed(3)} ms, nm24 ${nt.sort((a, b) => a - b)[rounds >> 1].toFixed(3)} ms`);
  console.log(`m=${m} ${n}x${k} 2:4: dense/nm24 ${r.sort((a, b) => a - b)[r.length >> 1].toFixed(2)}x (median of ${rounds})`);
}
