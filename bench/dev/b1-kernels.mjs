// Exactness + speed harness for assembly/b1-gemm and assembly/f32-b1w-gemv against the references in
// src/binary/b1-ref.ts, and the popcount comparison: scalar i64.popcnt (2×2 tile, the product's until 2026-12-06;
// 1×4; 2×4; 2×4 two words per step; 2×4 / 2×8 with two 32-bit counts per i64 accumulator) against
// i8x16.popcnt (2×2), with our f32 GEMM on the same shapes in the same run. The product keeps one a
// row's words in locals while the w rows of a column block pass under it (2026-12-06, fourth session:
// 241 / 239 / 234 / 230 G MAC/s at 256³…2048³; the 2×4 two-word tile it replaced, kept as 2x4u, 152 / 181 / 197 / 203, and
// the packed-count tiles 148-186: the tiles' accumulators spill).
//   node bench/dev/b1-kernels.mjs [--quick] [--no-check] [--no-bench] [--wasm FILE]
// Integer outputs must equal the reference exactly, f32 outputs bit for bit. Speed: best of 5 runs
// of ~0.3 s each, in G MAC/s (one MAC = one ±1·±1 product, i.e. one bit of one XOR-popcount).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { flag, loadDevWasm, root, devArena } from './wasm-dev.mjs';

const outJs = join(root, 'build/dev/b1ref/b1-ref.js');
mkdirSync(join(root, 'build/dev/b1ref'), { recursive: true });
writeFileSync(outJs, ts.transpileModule(readFileSync(join(root, 'src/binary/b1-ref.ts'), 'utf8'), { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } }).outputText);
const R = await import(pathToFileURL(outJs).href);
const wasm = loadDevWasm('b1-entry.ts', 'b1');
const memory = wasm.memory;
const quick = flag('--quick');

const { alloc, reset, view, put } = devArena(memory);
let seed = 0x9e3779b9;
const rand = () => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) / 4294967296; };
const randF32 = (n) => Float32Array.from({ length: n }, () => { const r = rand(); return r < 0.05 ? (r < 0.025 ? 0 : -0) : rand() * 4 - 2; });

let failures = 0;
const same = (name, got, want) => {
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) { failures++; console.error(`FAIL ${name} [${i}]: ${got[i]} vs ${want[i]}`); return; }
};

if (!flag('--no-check')) {
  const ks = [1, 15, 16, 17, 63, 64, 65, 127, 128, 129, 191, 255, 256, 257, 784, 1000];
  for (const k of ks) for (const [m, n] of [[1, 1], [1, 5], [2, 3], [3, 7], [5, 9], [4, 4]]) {
    reset();
    const kw = R.b1Words(k);
    const x = randF32(m * k), wf = randF32(n * k);
    const alpha = randF32(n), bias = randF32(n);
    const px = put(x), pw = put(wf);
    const pa = alloc(m * kw * 8), pwb = alloc(n * kw * 8), pbeta = alloc(4 * m);
    wasm.f32_b1_pack(m, k, px, pa, pbeta);
    wasm.f32_b1_pack(n, k, pw, pwb, 0);
    const ra = new Uint8Array(m * kw * 8), rw = new Uint8Array(n * kw * 8), rbeta = new Float32Array(m);
    R.f32B1PackRef(m, k, x, ra, rbeta);
    R.f32B1PackRef(n, k, wf, rw, null);
    same(`pack k=${k}`, view(Uint8Array, pa, ra.length), ra);
    same(`beta k=${k}`, view(Float32Array, pbeta, m), rbeta);
    same(`pack w k=${k}`, view(Uint8Array, pwb, rw.length), rw);
    const want = new Int32Array(m * n);
    R.b1GemmXnorRef(m, n, k, ra, rw, want);
    for (const name of ['b1_gemm_xnor', 'b1_gemm_xnor_simd', 'b1_gemm_xnor_1x4', 'b1_gemm_xnor_2x4', 'b1_gemm_xnor_2x4u', 'b1_gemm_xnor_2x4p', 'b1_gemm_xnor_2x8p']) {
      const po = alloc(4 * m * n);
      wasm[name](m, n, k, pa, pwb, po);
      same(`${name} ${m}x${n}x${k}`, view(Int32Array, po, m * n), want);
    }
    const palpha = put(alpha), pbias = put(bias), py = alloc(4 * m * n);
    const wy = new Float32Array(m * n);
    wasm.b1_gemm_xnor_f32(m, n, k, pa, pwb, palpha, pbeta, pbias, py, -Infinity, Infinity);
    R.b1GemmXnorF32Ref(m, n, k, ra, rw, alpha, rbeta, bias, wy, -Infinity, Infinity);
    same(`b1_gemm_xnor_f32 ${m}x${n}x${k}`, view(Float32Array, py, m * n), wy);
    wasm.b1_gemv_xnor_f32(n, k, pa, pwb, palpha, pbias, py, rbeta[0], 0, Infinity);
    R.b1GemvXnorF32Ref(n, k, ra, rw, alpha, bias, wy, rbeta[0], 0, Infinity);
    same(`b1_gemv_xnor_f32 ${n}x${k}`, view(Float32Array, py, n), wy.subarray(0, n));
    wasm.f32_b1w_gemm(m, n, k, px, pwb, palpha, pbias, py, -Infinity, Infinity);
    R.f32B1wGemmRef(m, n, k, x, rw, alpha, bias, wy, -Infinity, Infinity);
    same(`f32_b1w_gemm ${m}x${n}x${k}`, view(Float32Array, py, m * n), wy);
  }
  console.log(failures ? `${failures} failures` : 'check: all b1 kernels equal their references');
}

/** Best ms per call of each contender over 12 interleaved rounds of ~60 ms (the machine is shared). */
function bestMs(fns) {
  const best = fns.map(() => Infinity);
  for (let r = 0; r < (quick ? 4 : 12); r++) fns.forEach((fn, i) => {
    let reps = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < 60) { fn(); reps++; t = performance.now(); }
    best[i] = Math.min(best[i], (t - t0) / reps);
  });
  return best;
}

if (!flag('--no-bench')) {
  for (const s of quick ? [256, 1024] : [256, 512, 1024, 2048]) {
    reset();
    const m = s, n = s, k = s;
    const pa = alloc(m * k / 8), pw = alloc(n * k / 8), po = alloc(4 * m * n);
    view(Uint8Array, pa, m * k / 8).set(Uint8Array.from({ length: m * k / 8 }, () => rand() * 256));
    view(Uint8Array, pw, n * k / 8).set(Uint8Array.from({ length: n * k / 8 }, () => rand() * 256));
    const macs = m * n * k / 1e9;
    const names = ['b1_gemm_xnor', 'b1_gemm_xnor_simd', 'b1_gemm_xnor_2x4u', 'b1_gemm_xnor_2x4p', 'b1_gemm_xnor_2x8p'];
    const fa = put(randF32(m * k)), fb = put(randF32(k * n)), fc = alloc(4 * m * n), ws = alloc(wasm.f32_gemm_workspace_bytes(m, n, k));
    const ms = bestMs([...names.map((name) => () => wasm[name](m, n, k, pa, pw, po)), () => wasm.f32_gemm(m, n, k, fa, k, 0, fb, n, 0, 0, fc, n, ws, -Infinity, Infinity)]);
    const rates = Object.fromEntries([...names, 'f32_gemm'].map((name, i) => [name, macs / (ms[i] / 1000)]));
    console.log(`${s}³  G MAC/s: ${Object.entries(rates).map(([n, r]) => `${n} ${r.toFixed(1)}`).join('  ')}  | xnor/f32 ${(rates.b1_gemm_xnor / rates.f32_gemm).toFixed(1)}×, simd/scalar ${(rates.b1_gemm_xnor_simd / rates.b1_gemm_xnor).toFixed(2)}×`);
  }
  for (const [n, k] of [[300, 784], [100, 300], [1024, 1024], [4096, 4096]]) {
    reset();
    const pa = alloc(k / 8), pw = alloc(n * k / 8), alpha = put(randF32(n)), py = alloc(4 * n), px = put(randF32(k));
    view(Uint8Array, pw, n * k / 8).set(Uint8Array.from({ length: n * k / 8 }, () => rand() * 256));
    wasm.f32_b1_pack(1, k, px, pa, 0);
    const macs = n * k / 1e9;
    const fw = put(randF32(n * k));
    const ms = bestMs([
      () => wasm.b1_gemv_xnor_f32(n, k, pa, pw, alpha, 0, py, 1, -Infinity, Infinity),
      () => wasm.f32_b1w_gemv_xor(n, k, px, pw, alpha, 0, py, -Infinity, Infinity),
      () => wasm.f32_b1w_gemv_lut(n, k, px, pw, alpha, 0, py, -Infinity, Infinity),
      () => wasm.f32_gemv(n, k, px, fw, 0, py, -Infinity, Infinity),
    ]);
    const [xnor, b1w, lut, f32] = ms.map((t) => macs / (t / 1000));
    console.log(`gemv ${n}x${k}  G MAC/s: b1_gemv_xnor_f32 ${xnor.toFixed(1)}  f32_b1w sign-mask ${b1w.toFixed(1)}  table ${lut.toFixed(1)}  f32_gemv ${f32.toFixed(1)}`);
  }
}
process.exitCode = failures ? 1 : 0;
