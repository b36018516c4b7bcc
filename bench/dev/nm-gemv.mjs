// Dev harness: the product 2:4 GEMV (kernel form) against the packed dense f32 GEMV, with the probes and
// the u16-offset variant of bench/dev/nm-entry.ts, same run, medians of interleaved rounds.
//   node bench/dev/nm-gemv.mjs [--n 4096] [--k 4096] [--rounds 9]   (n multiple of 4, k multiple of 8)
import { devArena, loadDevWasm, option } from './wasm-dev.mjs';

const ex = loadDevWasm('nm-entry.ts', 'nm');
const n = Number(option('--n') ?? 4096), k = Number(option('--k') ?? n), rounds = Number(option('--rounds') ?? 9);
const A = devArena(ex.memory);
let s = 1;
const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
const kb = Math.ceil(k / 8);
const W = A.alloc(n * k * 4), X = A.alloc(kb * 32), Y = A.alloc(n * 4), Y2 = A.alloc(n * 4), PK = A.alloc(n * 16);
const V = A.alloc(n * kb * 16), I = A.alloc(n * kb), PV = A.alloc(ex.f32_nm24_packed_values_bytes(n, k) >>> 0), PI = A.alloc(ex.f32_nm24_packed_ids_bytes(n, k) >>> 0);
const P16 = A.alloc(2 * (ex.f32_nm24_packed_ids_bytes(n, k) >>> 0));
const ws = A.alloc(ex.f32_nm24_gemv_workspace_bytes(n, k) >>> 0);
const PW = A.alloc(ex.f32_gemv_packed_bytes(n, k) >>> 0);
{
  const w = A.view(Float32Array, W, n * k); for (let i = 0; i < w.length; i++) w[i] = rnd();
  const x = A.view(Float32Array, X, kb * 8); for (let i = 0; i < k; i++) x[i] = rnd();
  const v = A.view(Float32Array, V, n * kb * 4); for (let i = 0; i < v.length; i++) v[i] = rnd();
  const u = A.view(Uint8Array, I, n * kb);
  for (let i = 0; i < u.length; i++) u[i] = Math.floor((rnd() + 1) * 18); // pattern ids 0..35
}
ex.f32_gemv_pack(n, k, W, PW);
ex.f32_nm24_pack(n, k, V, I, PV, PI);
ex.ids_to_offsets(n * kb, kb, n / 4, PI, P16);
const time = (fn) => { const reps = []; for (let r = 0; r < 5; r++) { const t = performance.now(); fn(); reps.push(performance.now() - t); } return reps.sort((a, b) => a - b)[2]; };
const cases = {
  dense: () => ex.f32_gemv_packed(n, k, X, PW, 0, Y, -Infinity, Infinity),
  product: () => ex.f32_nm24_gemv(n, k, X, PV, PI, 0, Y, ws, -Infinity, Infinity),
  u16: () => ex.gemv_u16(n, k, X, PV, P16, Y2, PK),
  'values-rows': () => ex.values_rows(n, k, X, V, Y2),
  'values-panels': () => ex.values_panels(n, k, X, PV, Y2),
};
cases.product(); const ref = A.view(Float32Array, Y, n).slice();
{ cases.u16(); const y = A.view(Float32Array, Y2, n); let bad = 0; for (let i = 0; i < n; i++) if (!Object.is(y[i], ref[i])) bad++; console.log('u16 mismatches', bad); }
const t = Object.fromEntries(Object.keys(cases).map((c) => [c, []]));
for (let r = 0; r < rounds; r++) for (const c of Object.keys(cases)) t[c].push(time(cases[c]));
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
for (const c of Object.keys(cases)) console.log(`${n}x${k}: ${c.padEnd(13)} ${med(t[c]).toFixed(3)} ms  dense/this ${(med(t.dense) / med(t[c])).toFixed(2)}x`);
