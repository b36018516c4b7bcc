// Correctness + speed harness for assembly/f32-gemm (f32_gemm, f32_gemv).
//   node bench/dev/gemm-kernel.mjs [--quick] [--no-check] [--no-bench] [--filter TEXT] [--wasm FILE]
// Compiles bench/dev/gemm-entry.ts with the project's asc flags (unless --wasm is given),
// checks against float64 and exact-f32 triple loops, then prints best-of GFLOP/s.
// Exits non-zero on any failure.
import { loadDevWasm } from './wasm-dev.mjs';

const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const quick = flag('--quick');

// ---- build + instantiate -------------------------------------------------------------
const wasm = loadDevWasm('gemm-entry.ts', 'gemm-kernel');
const memory = wasm.memory;

// Bump allocator from 1 MiB, 64-byte aligned; reset() between cases.
const BASE = 1 << 20;
let top = BASE;
function alloc(floats) {
  const ptr = top;
  top = (top + floats * 4 + 63) & ~63;
  const need = top + 64 - memory.buffer.byteLength;
  if (need > 0) memory.grow(Math.ceil(need / 65536));
  return ptr;
}
const reset = () => { top = BASE; };
const f32 = (ptr, len) => new Float32Array(memory.buffer, ptr, len);

// ---- references ----------------------------------------------------------------------
// op(A)[i,p] and op(B)[p,j] accessors over plain arrays.
const getA = (A, lda, ta) => ta ? (i, p) => A[p * lda + i] : (i, p) => A[i * lda + p];
const getB = (B, ldb, tb) => tb ? (p, j) => B[j * ldb + p] : (p, j) => B[p * ldb + j];
const clamp = (v, lo, hi) => Number.isNaN(v) ? NaN : Math.min(Math.max(v, lo), hi);

// Returns { exact: f32 sequential sum (+bias, clamp), ref: f64 value, mag: Σ|a·b| + |bias| }.
function reference(m, n, k, a, b, bias, vmin, vmax) {
  const exact = new Float32Array(m * n), ref = new Float64Array(m * n), mag = new Float64Array(m * n);
  const fr = Math.fround;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s32 = 0, s64 = 0, sm = 0;
      for (let p = 0; p < k; p++) {
        const x = a(i, p), y = b(p, j);
        s32 = fr(s32 + fr(x * y));
        s64 += x * y;
        sm += Math.abs(x * y);
      }
      const bj = bias ? bias[j] : 0;
      exact[i * n + j] = clamp(fr(s32 + bj), vmin, vmax);
      ref[i * n + j] = clamp(s64 + bj, vmin, vmax);
      mag[i * n + j] = sm + Math.abs(bj);
    }
  }
  return { exact, ref, mag };
}

const same = (x, y) => (Number.isNaN(x) && Number.isNaN(y)) || x === y;
const close = (x, r, mag) => (Number.isNaN(x) && Number.isNaN(r)) || x === r || Math.abs(x - r) <= 1e-5 * mag + 1e-30;

// ---- random data ---------------------------------------------------------------------
let seed = 0x2545f491;
const rand = () => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) / 4294967296; };
const randInt = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
function fillRandom(arr) { for (let i = 0; i < arr.length; i++) arr[i] = rand() * 2 - 1; return arr; }

const SENTINEL = 12345.5;
let failures = 0;
function fail(msg) { failures++; if (failures <= 20) console.error('FAIL', msg); }

// ---- f32_gemm check ------------------------------------------------------------------
// opts: { ta, tb, pad: [padA, padB, padC], bias, vmin, vmax, poke(A, B) }
function checkGemm(m, n, k, opts) {
  reset();
  const { ta = 0, tb = 0, pad = [0, 0, 0], bias = false, vmin = -Infinity, vmax = Infinity } = opts;
  const aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
  const lda = aCols + pad[0], ldb = bCols + pad[1], ldc = n + pad[2];
  const aLen = aRows * lda, bLen = bRows * ldb, cLen = m * ldc + 16;
  const wsBytes = wasm.f32_gemm_workspace_bytes(m, n, k);
  if (wsBytes % 16 !== 0 || wsBytes < 0) { fail(`workspace ${wsBytes} for ${m}x${n}x${k}`); return; }
  const aPtr = alloc(aLen), bPtr = alloc(bLen), biasPtr = bias ? alloc(n) : 0, cPtr = alloc(cLen);
  const wsPtr = alloc(wsBytes / 4 + 16);
  const A = fillRandom(new Float32Array(aLen)), B = fillRandom(new Float32Array(bLen));
  const Bias = bias ? fillRandom(new Float32Array(n)) : null;
  opts.poke?.(A, B, lda, ldb);
  f32(aPtr, aLen).set(A); f32(bPtr, bLen).set(B);
  if (bias) f32(biasPtr, n).set(Bias);
  f32(cPtr, cLen).fill(SENTINEL);
  f32(wsPtr + wsBytes, 16).fill(SENTINEL);

  wasm.f32_gemm(m, n, k, aPtr, lda, ta, bPtr, ldb, tb, biasPtr, cPtr, ldc, wsPtr, vmin, vmax);

  const tag = `gemm m=${m} n=${n} k=${k} ta=${ta} tb=${tb} pad=${pad} bias=${bias} clamp=[${vmin},${vmax}]`;
  const { exact, ref, mag } = reference(m, n, k, getA(A, lda, ta), getB(B, ldb, tb), Bias, vmin, vmax);
  const C = f32(cPtr, cLen);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < ldc; j++) {
      const got = C[i * ldc + j];
      if (j >= n) { if (got !== SENTINEL) return fail(`${tag}: wrote padding C[${i},${j}]`); continue; }
      const e = i * n + j;
      if (!close(got, ref[e], mag[e])) return fail(`${tag}: C[${i},${j}]=${got} ref=${ref[e]} mag=${mag[e]}`);
      if (!same(got, exact[e])) return fail(`${tag}: C[${i},${j}]=${got} not bit-identical to f32 triple loop ${exact[e]}`);
    }
  }
  for (let j = m * ldc; j < cLen; j++) if (C[j] !== SENTINEL) return fail(`${tag}: wrote past C`);
  if (f32(wsPtr + wsBytes, 16).some((v) => v !== SENTINEL)) return fail(`${tag}: wrote past workspace`);
  if (!f32(aPtr, aLen).every((v, i) => same(v, A[i])) || !f32(bPtr, bLen).every((v, i) => same(v, B[i]))) {
    return fail(`${tag}: modified A or B`);
  }
}

// ---- f32_gemv check ------------------------------------------------------------------
function checkGemv(n, k, opts) {
  reset();
  const { bias = false, vmin = -Infinity, vmax = Infinity } = opts;
  const xPtr = alloc(k), wPtr = alloc(n * k), biasPtr = bias ? alloc(n) : 0, yPtr = alloc(n + 16);
  const X = fillRandom(new Float32Array(k)), W = fillRandom(new Float32Array(n * k));
  const Bias = bias ? fillRandom(new Float32Array(n)) : null;
  opts.poke?.(X, W);
  f32(xPtr, k).set(X); f32(wPtr, n * k).set(W);
  if (bias) f32(biasPtr, n).set(Bias);
  f32(yPtr, n + 16).fill(SENTINEL);

  wasm.f32_gemv(n, k, xPtr, wPtr, biasPtr, yPtr, vmin, vmax);

  const tag = `gemv n=${n} k=${k} bias=${bias} clamp=[${vmin},${vmax}]`;
  // y = W·x as an m=n, n=1 product: op(A) = W [n,k], op(B) = x [k,1].
  const { ref, mag } = reference(n, 1, k, (i, p) => W[i * k + p], (p) => X[p], null, -Infinity, Infinity);
  const Y = f32(yPtr, n + 16);
  for (let i = 0; i < n; i++) {
    const bi = Bias ? Bias[i] : 0;
    const r = clamp(ref[i] + bi, vmin, vmax), mg = mag[i] + Math.abs(bi);
    if (!close(Y[i], r, mg)) return fail(`${tag}: y[${i}]=${Y[i]} ref=${r} mag=${mg}`);
  }
  for (let i = n; i < n + 16; i++) if (Y[i] !== SENTINEL) return fail(`${tag}: wrote past y`);
}

function runChecks() {
  const edges = [0, 1, 3, 4, 5, 7, 8, 9, 255, 256, 257];
  const clamps = [[-Infinity, Infinity], [0, Infinity], [-Infinity, 0.25], [-0.25, 0.5]];
  const cases = quick ? 80 : 300;
  const t0 = performance.now();
  // Small exhaustive corner: every m, n, k in 0..9, random transposes.
  for (let m = 0; m <= 9; m++) for (let n = 0; n <= 9; n++) for (let k = 0; k <= 9; k++) {
    checkGemm(m, n, k, { ta: randInt(0, 1), tb: randInt(0, 1), bias: rand() < 0.5, pad: [randInt(0, 3), randInt(0, 3), randInt(0, 3)] });
  }
  for (let t = 0; t < cases; t++) {
    const dim = () => (rand() < 0.5 ? pick(edges) : randInt(0, 300));
    let m = dim(), n = dim(), k = dim();
    while (m * n * k > 4e6) { m >>= 1; n >>= 1; }
    const [vmin, vmax] = pick(clamps);
    const pad = rand() < 0.5 ? [0, 0, 0] : [randInt(0, 5), randInt(0, 5), randInt(0, 5)];
    checkGemm(m, n, k, { ta: t & 1, tb: (t >> 1) & 1, pad, bias: rand() < 0.5, vmin, vmax });
  }
  // Blocking boundaries (KC = 256, MC = 128, NC = 1024) with k spanning several blocks.
  for (const [m, n, k] of [[129, 17, 513], [5, 1025, 3], [257, 9, 257], [3, 1031, 300], [131, 1030, 260]]) {
    for (let t = 0; t < 4; t++) checkGemm(m, n, k, { ta: t & 1, tb: t >> 1, bias: true, vmin: -0.5, vmax: 1, pad: [1, 2, 3] });
  }
  // NaN / Inf propagation: 0·Inf = NaN and Inf - Inf = NaN must reach C; +-Inf must survive.
  const special = (A, B, lda, ldb) => {
    A[0] = Infinity; B[0] = 0;                       // with ta = tb = 0: C[0,0] += Inf·0 = NaN
    A[2 * lda + 1] = -Infinity;                      // C[2,*] gets -Inf (or NaN where B[1,*] is 0)
    B[1 * ldb + 3] = 0;
    A[5 * lda + 7] = NaN;                            // row 5 all NaN
    A[6 * lda + 3] = Infinity; A[6 * lda + 4] = Infinity; B[3 * ldb + 2] = 1; B[4 * ldb + 2] = -1;  // Inf - Inf
  };
  for (const [m, n, k] of [[9, 11, 8], [8, 16, 300], [7, 9, 260]]) {
    checkGemm(m, n, k, { poke: special, bias: true });
    checkGemm(m, n, k, { poke: special, vmin: 0, vmax: 6 });
  }
  checkGemv(9, 8, { poke: (X, W) => { X[0] = Infinity; W[0] = 0; W[8 * 2 + 3] = NaN; W[8 * 4 + 1] = -Infinity; } });
  // GEMV: edges + random.
  for (let t = 0; t < (quick ? 100 : 400); t++) {
    const n = rand() < 0.5 ? pick(edges) : randInt(0, 300), k = rand() < 0.5 ? pick(edges) : randInt(0, 300);
    const [vmin, vmax] = pick(clamps);
    checkGemv(n, k, { bias: rand() < 0.5, vmin, vmax });
  }
  for (const [n, k] of [[1024, 1024], [1001, 1027]]) checkGemv(n, k, { bias: true });
  console.log(`checks: ${failures === 0 ? 'ok' : `${failures} FAILED`} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

// ---- speed ---------------------------------------------------------------------------
// Best-of samples. The machine is shared, so each sample also records this process's
// CPU time: "cpu" GFLOP/s excludes time the OS gave to other processes.
function bestOf(fn, flops) {
  let reps = 1;
  for (;;) {
    const t0 = performance.now();
    for (let r = 0; r < reps; r++) fn();
    if (performance.now() - t0 >= 10) break;
    reps *= 2;
  }
  let wall = Infinity, cpu = Infinity;
  for (let run = 0; run < (quick ? 7 : 21); run++) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    for (let r = 0; r < reps; r++) fn();
    const t1 = performance.now(), c1 = process.cpuUsage(c0);
    wall = Math.min(wall, (t1 - t0) / reps);
    cpu = Math.min(cpu, (c1.user + c1.system) / 1000 / reps);
  }
  return { ms: wall, gflops: flops / wall / 1e6, cpuGflops: flops / cpu / 1e6 };
}
const report = (name, r) => console.log(
  `${name.padEnd(24)} ${r.gflops.toFixed(1).padStart(6)} GFLOP/s  (cpu ${r.cpuGflops.toFixed(1).padStart(5)})  ${r.ms.toFixed(3).padStart(9)} ms`);

const filter = option('--filter');
const skip = (name) => filter !== undefined && !name.includes(filter);

function benchGemm(m, n, k, ta = 0, tb = 0) {
  const name = `gemm ${ta ? 'T' : 'N'}${tb ? 'T' : 'N'} ${m}x${n}x${k}`;
  if (skip(name)) return;
  reset();
  const lda = ta ? m : k, ldb = tb ? k : n;
  const aPtr = alloc(m * k), bPtr = alloc(k * n), biasPtr = alloc(n), cPtr = alloc(m * n);
  const wsPtr = alloc(wasm.f32_gemm_workspace_bytes(m, n, k) / 4);
  f32(aPtr, m * k).set(fillRandom(new Float32Array(m * k)));
  f32(bPtr, k * n).set(fillRandom(new Float32Array(k * n)));
  f32(biasPtr, n).set(fillRandom(new Float32Array(n)));
  const r = bestOf(() => wasm.f32_gemm(m, n, k, aPtr, lda, ta, bPtr, ldb, tb, biasPtr, cPtr, n, wsPtr, -Infinity, Infinity), 2 * m * n * k);
  report(name, r);
}

function benchGemv(n, k) {
  const name = `gemv    ${n}x${k}`;
  if (skip(name)) return;
  reset();
  const xPtr = alloc(k), wPtr = alloc(n * k), biasPtr = alloc(n), yPtr = alloc(n);
  f32(xPtr, k).set(fillRandom(new Float32Array(k)));
  f32(wPtr, n * k).set(fillRandom(new Float32Array(n * k)));
  f32(biasPtr, n).set(fillRandom(new Float32Array(n)));
  const r = bestOf(() => wasm.f32_gemv(n, k, xPtr, wPtr, biasPtr, yPtr, -Infinity, Infinity), 2 * n * k);
  report(name, r);
}

function runBench() {
  // Let V8 tier every kernel up to TurboFan before timing.
  reset();
  const buf = alloc(3 * 128 * 128), ws = alloc(wasm.f32_gemm_workspace_bytes(128, 128, 128) / 4);
  for (let r = 0; r < 200; r++) {
    wasm.f32_gemm(128, 128, 128, buf, 128, r & 1, buf + 65536, 128, (r >> 1) & 1, buf, buf + 131072, 128, ws, -Infinity, Infinity);
    wasm.f32_gemv(128, 128, buf, buf + 65536, buf, buf + 131072, -Infinity, Infinity);
  }
  for (const s of [64, 128, 256, 512, 1024]) benchGemm(s, s, s);
  for (const s of [256, 512]) { benchGemm(s, s, s, 0, 1); benchGemm(s, s, s, 1, 0); benchGemm(s, s, s, 1, 1); }
  benchGemm(1024, 256, 512);
  benchGemm(196, 768, 768);
  benchGemm(3136, 64, 576);
  benchGemm(64, 3136, 576, 0, 1);
  benchGemm(1, 1024, 1024, 0, 1);
  benchGemm(255, 257, 253);
  for (const s of [256, 1024, 4096]) benchGemv(s, s);
  benchGemv(1000, 1027);
}

if (!flag('--no-check')) runChecks();
if (!flag('--no-bench')) runBench();
if (failures > 0) process.exit(1);
