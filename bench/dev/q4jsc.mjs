// Dev harness: why the q4 GEMV runs slower in JavaScriptCore (Bun) than in V8 while the f32 GEMV runs
// as fast (npm run bench:runtimes: int4 g32 MLP 0.93x f32 in Bun, 1.14x in Node). Variants of the
// product's batch-1 loop (bench/dev/q4jsc-entry.ts), all with the product's bits except the probes.
// 2026-12-07, 300x784 g32, µs (V8 / JSC): product 9.3-9.8 / 12.5-13.5; the same loop inlined (shuf)
// 10.5-11.0 / 13.1-14.1; group lane sums by extract_lane 12.6-13.0 / 13.7-14.0, by 64-bit
// interleaves 10.5-10.7 / 13.2-13.5; x codes pre-scaled per nibble plane so planes 1-2 need no
// shift (scaled, with a separate scaling pass) 10.7-11.5 / 12.0-12.8. Probes (wrong sums): no
// per-group epilogue 8.9-9.1 / 9.4-9.9, no nibble unpacking 7.9-8.1 / 9.5-10.0, the instruction
// mix of a rows-in-lanes layout (x pairs splat, no lane reduction) 10.8-11.1 / 12.6-13.0, the same with
// x pairs stored pre-broadcast and pre-scaled (bcast) 11.1 / 11.3 (product 10.1 / 13.5 in that run,
// the f32 GEMV about 10 in both). Storing each group's d and corr splat after its codes, so the
// epilogue reads whole vectors from the codes' pointer, changed nothing in the product (9.35 / 12.5;
// a probe reading them from a constant address ran 9.7 / 10.3, but both compilers hoist such loads
// out of the loop). Both the epilogue
// and the unpacking cost JSC about 30% each against V8's 10-25%; no variant brought it to the f32
// GEMV's 10 µs. Not adopted.
// Eighth session: JSC's OMG tier lowers every i16x8.shr_u by a constant to mov/and/movq/psrlw (the count
// through a general register) and each two-operand i32x4.shuffle to 2 pshufb + por
// (BUN_JSC_dumpOMGDisassembly=true). Shift-free unpacking (planes 2-3 brought down by a byte shuffle,
// x of planes 0 and 2 pre-scaled by 16, every product 16·n·x): swizzle (swz) 12.0 / 12.4, same-operand
// shuffle (shuf2) 13.0 / 12.4, product 9.6 / 12.7 in that run. Removing the shifts' instructions does
// not move JSC; V8 slows down.
//   node bench/dev/q4jsc.mjs [--n 300] [--k 784]; .runtimes/node_modules/.bin/bun bench/dev/q4jsc.mjs --wasm build/dev/q4jsc.wasm
import { devArena, loadDevWasm, option } from './wasm-dev.mjs';
const ex = loadDevWasm('q4jsc-entry.ts', 'q4jsc');
const n = Number(option('--n') ?? 300), k = Number(option('--k') ?? 784), group = 32, rounds = 9;
const A = devArena(ex.memory);
let s = 7; const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const kp = Math.ceil(k / group) * group;
const X = A.alloc(k * 4), W4 = A.alloc(((n + 3) >> 2) * kp * 2), S = A.alloc(((n + 3) >> 2) * (kp / group) * 16), Y = A.alloc(n * 4 + 16), Y2 = A.alloc(n * 4 + 16), WS = A.alloc(ex.q4_workspace_bytes(1, k, group));
{ const x = A.view(Float32Array, X, k); for (let i = 0; i < k; i++) x[i] = rnd() - 0.5;
  const w = A.view(Uint8Array, W4, ((n + 3) >> 2) * kp * 2); for (let i = 0; i < w.length; i++) w[i] = Math.floor(rnd() * 256);
  const sc = A.view(Float32Array, S, ((n + 3) >> 2) * (kp / group) * 4); for (let i = 0; i < sc.length; i++) sc[i] = rnd() * 0.01; }
const cases = {
  product: () => ex.q4_gemv_f32(n, k, group, X, W4, S, 0, Y, WS),
  extract: () => ex.q4_gemv_extract(n, k, group, X, W4, S, Y2, WS),
  i64: () => ex.q4_gemv_i64(n, k, group, X, W4, S, Y2, WS),
  shuf: () => ex.q4_gemv_shuf(n, k, group, X, W4, S, Y2, WS),
  scaled: () => ex.q4_gemv_scaled(n, k, group, X, W4, S, Y2, WS),
  swz: () => ex.q4_gemv_swz(n, k, group, X, W4, S, Y2, WS),
  shuf2: () => ex.q4_gemv_shuf2(n, k, group, X, W4, S, Y2, WS),
  noEpilogue: () => ex.probe_no_epilogue(n, k, group, X, W4, S, Y2, WS),
  noUnpack: () => ex.probe_no_unpack(n, k, group, X, W4, S, Y2, WS),
  c2: () => ex.probe_c2(n, k, group, X, W4, S, Y2, WS),
  bcast: () => ex.probe_lanes_bcast(n, k, group, X, W4, S, Y2, WS),
};
cases.product();
const want = A.view(Float32Array, Y, n).slice();
for (const c of ['extract', 'i64', 'shuf', 'scaled', 'swz', 'shuf2']) { cases[c](); const got = A.view(Float32Array, Y2, n); for (let i = 0; i < n; i++) if (Object.is(got[i], want[i]) === false) throw new Error(`${c}: y[${i}] ${got[i]} vs ${want[i]}`); }
const time = (fn) => { let reps = 1; for (;;) { const t = performance.now(); for (let i = 0; i < reps; i++) fn(); if (performance.now() - t > 10) break; reps *= 2; } const t = performance.now(); for (let i = 0; i < reps; i++) fn(); return (performance.now() - t) / reps * 1000; };
const t = Object.fromEntries(Object.keys(cases).map((c) => [c, []]));
for (let r = 0; r < rounds; r++) for (const c of Object.keys(cases)) t[c].push(time(cases[c]));
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
for (const c of Object.keys(cases)) console.log(`${n}x${k} g${group}: ${c.padEnd(8)} ${med(t[c]).toFixed(2)} us  product/this ${(med(t.product) / med(t[c])).toFixed(2)}x`);
