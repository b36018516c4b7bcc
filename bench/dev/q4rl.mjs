// Dev harness: the rows-in-lanes q4 GEMV (bench/dev/q4rl-entry.ts) against the product's, same bits, in
// whichever engine runs it:
//   node bench/dev/q4rl.mjs [--n 300] [--k 784] [--group 32]
//   .runtimes/node_modules/.bin/bun bench/dev/q4rl.mjs --wasm build/dev/q4rl.wasm
// 2026-12-07, 300x784 g32 (same bits as the product): V8 10.4 us against the product's 9.5, JSC 11.8
// against 12.8, with the f32 GEMV at about 10 in both. The probe in q4jsc.mjs that promised more read x
// from a constant address, which the compilers hoist. Not adopted.
import { devArena, loadDevWasm, option } from './wasm-dev.mjs';
const ex = loadDevWasm('q4rl-entry.ts', 'q4rl');
const n = Number(option('--n') ?? 300), k = Number(option('--k') ?? 784), group = Number(option('--group') ?? 32), rounds = 9;
const A = devArena(ex.memory);
let s = 7; const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const kp = Math.ceil(k / group) * group;
const wbytes = ((n + 3) >> 2) * kp * 2;
const X = A.alloc(k * 4), W4 = A.alloc(wbytes), WRL = A.alloc(wbytes), S = A.alloc(((n + 3) >> 2) * (kp / group) * 16), Y = A.alloc(n * 4 + 16), Y2 = A.alloc(n * 4 + 16);
const WS = A.alloc(ex.q4_workspace_bytes(1, k, group) + 8 * kp + 32 * (kp / group) + 64);
{ const x = A.view(Float32Array, X, k); for (let i = 0; i < k; i++) x[i] = rnd() - 0.5;
  const w = A.view(Uint8Array, W4, wbytes); for (let i = 0; i < w.length; i++) w[i] = Math.floor(rnd() * 256);
  const sc = A.view(Float32Array, S, ((n + 3) >> 2) * (kp / group) * 4); for (let i = 0; i < sc.length; i++) sc[i] = rnd() * 0.01; }
ex.q4_pack_rl(n, kp, W4, WRL);
const cases = {
  product: () => ex.q4_gemv_f32(n, k, group, X, W4, S, 0, Y, WS),
  rl: () => ex.q4_gemv_rl(n, k, group, X, WRL, S, Y2, WS),
};
cases.product(); cases.rl();
{ const a = A.view(Float32Array, Y, n), b = A.view(Float32Array, Y2, n); for (let i = 0; i < n; i++) if (!Object.is(a[i], b[i])) throw new Error(`y[${i}] ${b[i]} vs ${a[i]}`); }
const time = (fn) => { let reps = 1; for (;;) { const t = performance.now(); for (let i = 0; i < reps; i++) fn(); if (performance.now() - t > 10) break; reps *= 2; } const t = performance.now(); for (let i = 0; i < reps; i++) fn(); return (performance.now() - t) / reps * 1000; };
const t = Object.fromEntries(Object.keys(cases).map((c) => [c, []]));
for (let r = 0; r < rounds; r++) for (const c of Object.keys(cases)) t[c].push(time(cases[c]));
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
for (const c of Object.keys(cases)) console.log(`${n}x${k} g${group}: ${c.padEnd(8)} ${med(t[c]).toFixed(2)} us  product/this ${(med(t.product) / med(t[c])).toFixed(2)}x`);
