// Dev harness: the cost of q4_quantize_row (x → int8 codes per group, once per q4 GEMV call) at k inputs.
//   node bench/dev/q4x.mjs [--k 784] [--group 32]
// 2026-12-07, k 784 g32, µs (V8 / JSC): one pass, group after group (each group's max, two divisions,
// then its codes) 1.10 / 1.10 — a third of a 300x784 q4 GEMV's fixed cost; two passes (every group's
// d and 1/d first) 0.58 / 0.61; and codes by the 1.5·2^23 add instead of nearest + trunc_sat
// 0.51-0.52 / 0.54 (both variants gave the old bytes exactly). k 300: 0.45 → 0.22. Then max|x| by
// f32x4.pmax with NaNs flagged apart (f32x4.max's NaN and ±0 rules cost about 8 instructions in both
// engines): 0.25-0.28 / 0.25 (the product now).
import { devArena, loadDevWasm, option } from './wasm-dev.mjs';
const ex = loadDevWasm('q4x-entry.ts', 'q4x');
const k = Number(option('--k') ?? 784), group = Number(option('--group') ?? 32), rounds = 9;
const kp = Math.ceil(k / group) * group;
const A = devArena(ex.memory);
let s = 7; const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const X = A.alloc(k * 4), WS = A.alloc(kp * 2 + (kp / group) * 8 + 64), T = A.alloc(group * 4);
{ const x = A.view(Float32Array, X, k); for (let i = 0; i < k; i++) x[i] = (rnd() - 0.5) * (i % 97 === 0 ? 1e3 : 1) + (i % 13 === 0 ? 0.5 : 0); }
const cases = { product: () => ex.q4_quantize_row(k, kp, group, X, WS, T) };
const time = (fn) => { let reps = 1; for (;;) { const t = performance.now(); for (let i = 0; i < reps; i++) fn(); if (performance.now() - t > 10) break; reps *= 2; } const t = performance.now(); for (let i = 0; i < reps; i++) fn(); return (performance.now() - t) / reps * 1000; };
const t = Object.fromEntries(Object.keys(cases).map((c) => [c, []]));
for (let r = 0; r < rounds; r++) for (const c of Object.keys(cases)) t[c].push(time(cases[c]));
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
for (const c of Object.keys(cases)) console.log(`k ${k} g${group}: ${c.padEnd(10)} ${med(t[c]).toFixed(3)} us`);
