// Dev harness: qs8 GEMV on i16-widened panels (bench/dev/q16-entry.ts) vs the product's i8 panels and the packed f32 GEMV.
//   node bench/dev/q16.mjs [--n 304] [--k 784]
import { devArena, loadDevWasm, option } from './wasm-dev.mjs';
const ex = loadDevWasm('q16-entry.ts', 'q16');
const n = Number(option('--n') ?? 304), k = Number(option('--k') ?? 784), rounds = 9;
const A = devArena(ex.memory);
let s = 7; const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const W8 = A.alloc(n * k), X8 = A.alloc(k), P8 = A.alloc(ex.qs8_packed_weights_bytes(n, k)), P16 = A.alloc(n * k * 2), PM = A.alloc(n * k * 3 / 2), Y3 = A.alloc(n * 4), Y4 = A.alloc(n * 4), Y5 = A.alloc(n * 4), Y = A.alloc(n * 4), Y2 = A.alloc(n * 4);
const WF = A.alloc(n * k * 4), XF = A.alloc(k * 4), PF = A.alloc(ex.f32_gemv_packed_bytes(n, k) >>> 0), YF = A.alloc(n * 4);
{ const w = A.view(Int8Array, W8, n * k); for (let i = 0; i < w.length; i++) w[i] = Math.floor(rnd() * 255) - 127; const x = A.view(Int8Array, X8, k); for (let i = 0; i < k; i++) x[i] = Math.floor(rnd() * 256) - 128;
  const wf = A.view(Float32Array, WF, n * k); for (let i = 0; i < wf.length; i++) wf[i] = rnd() - 0.5; }
ex.qs8_pack_weights(n, k, W8, P8); ex.pack16(n, k, W8, P16); ex.packmix(n, k, W8, PM); ex.f32_gemv_pack(n, k, WF, PF);
const cases = {
  f32packed: () => ex.f32_gemv_packed(n, k, XF, PF, 0, YF, -Infinity, Infinity),
  qs8: () => ex.qs8_gemv_i32(n, k, X8, 0, P8, 0, Y),
  q16: () => ex.gemv16(n, k, X8, P16, Y2),
  mix: () => ex.gemvmix(n, k, X8, PM, Y3),
  half: () => ex.gemvhalf(n, k, X8, P8, Y4),
  q16h: () => ex.gemv16h(n, k, X8, P16, Y5),
};
cases.qs8(); cases.q16(); cases.mix(); { const a = A.view(Int32Array, Y, n), b = A.view(Int32Array, Y3, n); let bad = 0; for (let i = 0; i < n; i++) if (a[i] !== b[i]) bad++; console.log('mix mismatches', bad); }
cases.half(); { const a = A.view(Int32Array, Y, n), b = A.view(Int32Array, Y4, n); let bad = 0; for (let i = 0; i < n; i++) if (a[i] !== b[i]) bad++; console.log('half mismatches', bad); }
cases.q16h(); { const a = A.view(Int32Array, Y, n), b = A.view(Int32Array, Y5, n); let bad = 0; for (let i = 0; i < n; i++) if (a[i] !== b[i]) bad++; console.log('q16h mismatches', bad); } { const a = A.view(Int32Array, Y, n), b = A.view(Int32Array, Y2, n); let bad = 0; for (let i = 0; i < n; i++) if (a[i] !== b[i]) bad++; console.log('mismatches', bad); }
const reps = Math.max(1, Math.round(2e7 / (n * k)));
const time = (fn) => { const t = performance.now(); for (let i = 0; i < reps; i++) fn(); return (performance.now() - t) / reps; };
const t = Object.fromEntries(Object.keys(cases).map((c) => [c, []]));
for (let r = 0; r < rounds; r++) for (const c of Object.keys(cases)) t[c].push(time(cases[c]));
const med = (a) => a.sort((x, y) => x - y)[a.length >> 1];
for (const c of Object.keys(cases)) console.log(`${n}x${k}: ${c.padEnd(10)} ${(med(t[c]) * 1000).toFixed(2)} us  ${(2 * n * k / med(t[c]) / 1e6).toFixed(1)} GOP/s  vs f32 packed ${(med(t.f32packed) / med(t[c])).toFixed(2)}x`);
