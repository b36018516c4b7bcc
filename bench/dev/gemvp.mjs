// Dev harness: loop shapes of the packed f32 GEMV (bench/dev/gemvp-entry.ts), same sums, checked equal
// to f32_gemv_packed, timed in whichever engine runs it:
//   node bench/dev/gemvp.mjs [--n 300] [--k 784]
//   deno run --allow-read bench/dev/gemvp.mjs --wasm build/dev/gemvp.wasm (after one node run builds it)
// 2026-12-07, 300x784, µs: Node 20 (V8 11.3) product 10.3, one index 10.3, countdown 10.6, two blocks
// per trip 17.6 (spills); Deno 2.9.6 (V8 15.0) 12.5 / 13.0 / 12.9 / 12.3. Deno compiles wasm with
// explicit bounds checks: with --v8-flags=--no-wasm-bounds-checks the product ran 11.0, and Node with
// --wasm-enforce-bounds-checks 12.1. No loop shape wins back the checks' cost; the product stays.
// 2026-12-07 (eighth session), Node, product/variant at 1024x1024 and 300x784: two panels per pass
// 0.58x / 0.57x (8 accumulators spill); one i32 load 2 KiB ahead per trip 0.90x / 0.88x; panels in
// reverse order 0.83x / 0.93x (each 16 KiB panel restarts the prefetcher's stream); reverse on every
// other call (to find the last call's tail still in L2) 0.96x / 1.01x. At 300x784 (L2-resident) the
// product reaches 24.5 GMAC/s and at 1024x1024 (read from L3) 22.4, against 27-28 for the f32 mul+add
// probe (bench/probes/ceiling.ts) and 0.86 of the read probe at 1024x1024: it is held by both ceilings
// at once, and no loop shape here moves it toward either.
import { devArena, loadDevWasm, option } from './wasm-dev.mjs';
const ex = loadDevWasm('gemvp-entry.ts', 'gemvp');
const n = Number(option('--n') ?? 300), k = Number(option('--k') ?? 784), rounds = 9;
const A = devArena(ex.memory);
let s = 7; const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const W = A.alloc(n * k * 4), X = A.alloc(k * 4), P = A.alloc(ex.f32_gemv_packed_bytes(n, k) >>> 0), Y = A.alloc(n * 4), Y2 = A.alloc(n * 4);
{ const w = A.view(Float32Array, W, n * k); for (let i = 0; i < w.length; i++) w[i] = rnd() - 0.5; const x = A.view(Float32Array, X, k); for (let i = 0; i < k; i++) x[i] = rnd() - 0.5; }
ex.f32_gemv_pack(n, k, W, P);
let flip = false;
const cases = {
  product: () => ex.f32_gemv_packed(n, k, X, P, 0, Y, -Infinity, Infinity),
  index: () => ex.gemvp_index(n, k, X, P, 0, Y2, -Infinity, Infinity),
  count: () => ex.gemvp_count(n, k, X, P, 0, Y2, -Infinity, Infinity),
  unroll2: () => ex.gemvp_unroll2(n, k, X, P, 0, Y2, -Infinity, Infinity),
  two: () => ex.gemvp_two(n, k, X, P, 0, Y2, -Infinity, Infinity),
  ahead: () => ex.gemvp_ahead(n, k, X, P, 0, Y2, -Infinity, Infinity),
  reverse: () => ex.gemvp_reverse(n, k, X, P, 0, Y2, -Infinity, Infinity),
  alternate: () => { (flip = !flip) ? ex.gemvp_reverse(n, k, X, P, 0, Y2, -Infinity, Infinity) : ex.f32_gemv_packed(n, k, X, P, 0, Y2, -Infinity, Infinity); },
};
cases.product();
const want = A.view(Float32Array, Y, n).slice();
for (const c of Object.keys(cases).slice(1)) { cases[c](); const got = A.view(Float32Array, Y2, n); for (let i = 0; i < n; i++) if (!Object.is(got[i], want[i])) throw new Error(`${c}: y[${i}] ${got[i]} vs ${want[i]}`); }
const time = (fn) => { let reps = 1; for (;;) { const t = performance.now(); for (let i = 0; i < reps; i++) fn(); if (performance.now() - t > 10) break; reps *= 2; } const t = performance.now(); for (let i = 0; i < reps; i++) fn(); return (performance.now() - t) / reps * 1000; };
const t = Object.fromEntries(Object.keys(cases).map((c) => [c, []]));
for (let r = 0; r < rounds; r++) for (const c of Object.keys(cases)) t[c].push(time(cases[c]));
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
for (const c of Object.keys(cases)) console.log(`${n}x${k}: ${c.padEnd(8)} ${med(t[c]).toFixed(2)} us  product/this ${(med(t.product) / med(t[c])).toFixed(2)}x`);
