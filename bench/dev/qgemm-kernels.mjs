// Exactness + speed harness for the integer and weight-only matrix kernels: assembly/qs8-gemm,
// qs8-gemv, q4-gemv, f16-gemv, against the scalar oracles in src/quant/qkernels-ref.ts.
//   node bench/dev/qgemm-kernels.mjs [--quick] [--no-check] [--no-bench] [--filter TEXT] [--wasm FILE]
// Compiles bench/dev/qgemm-entry.ts with the project's asc flags (unless --wasm is given) and the TS
// references with the typescript package, then: integer outputs must equal the references exactly;
// f16/bf16 outputs must be within 1e-5·(Σ|term| + |bias|) of the float64 reference; qs8_gemv_f32out
// and the q4 kernels bit-exact. Then best-of speed against our f32 GEMM/GEMV in the same run.
// Exits non-zero on any mismatch (speed targets are reported, not enforced: the machine is shared).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { loadDevWasm, devArena } from './wasm-dev.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '../..');
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const quick = flag('--quick');
const filter = option('--filter');
const skip = (name) => filter !== undefined && !name.includes(filter);

// ---- build + instantiate -------------------------------------------------------------
async function loadRefs() {
  const outDir = join(root, 'build/dev/qref');
  for (const rel of ['src/errors.ts', 'src/io/float16.ts', 'src/quant/requant.ts', 'src/quant/qkernels-ref.ts']) {
    const js = ts.transpileModule(readFileSync(join(root, rel), 'utf8'), {
      compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 },
    }).outputText;
    const out = join(outDir, rel.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, js);
  }
  const load = (rel) => import(pathToFileURL(join(outDir, rel)).href);
  return { ...(await load('src/quant/qkernels-ref.js')), ...(await load('src/quant/requant.js')) };
}
const R = await loadRefs();
const wasm = loadDevWasm('qgemm-entry.ts', 'qgemm');
const memory = wasm.memory;

// Bump allocator from 1 MiB, 64-byte aligned; reset() between cases. Sizes in bytes.
const { alloc, reset, view, put } = devArena(memory);

// ---- random data ---------------------------------------------------------------------
let seed = 0x2545f491;
const rand = () => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return (seed >>> 0) / 4294967296; };
const randInt = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = (xs) => xs[Math.floor(rand() * xs.length)];
const fillI8 = (arr, mode) => arr.map(() => (mode === 'extreme' ? pick([-128, 127, -128, 127, 0, -1]) : randInt(-128, 127)));
const I32_MIN = -2147483648, I32_MAX = 2147483647;

let failures = 0;
function fail(msg) { failures++; if (failures <= 25) console.error('FAIL', msg); return false; }
const SENT = 0x5a;
function guarded(bytes) { const p = alloc(bytes + 64); view(Uint8Array, p, bytes + 64).fill(SENT); return p; }
const intact = (p, bytes) => view(Uint8Array, p + bytes, 64).every((v) => v === SENT);
// 16-bit codes [n, k] placed in the f16 / bf16 kernels' 4-row panel layout (h16_pack).
function putH16(n, k, w16, f16) { const p = alloc(wasm.h16_panels_bytes(n, k)); wasm.h16_pack(n, k, put(w16), p, f16 ? 1 : 0); return p; }

// Requantization parameters for column j: mostly realistic (quantizeMultiplier of a scale that maps
// the accumulator spread to ~±100), sometimes raw extremes.
function requantParams(n, k, mode) {
  const multiplier = new Int32Array(n), shift = new Int32Array(n);
  const spread = 75 * 74 * Math.sqrt(Math.max(k, 1));
  for (let j = 0; j < n; j++) {
    const r = rand();
    if (mode === 'raw' || r < 0.15) {
      multiplier[j] = pick([I32_MAX, I32_MAX - 1, 1 << 30, (1 << 30) + 1, randInt(0, I32_MAX), randInt(I32_MIN, I32_MAX), I32_MIN, 0, 1]);
      shift[j] = randInt(0, 31);
    } else {
      const q = R.quantizeMultiplier(Math.min(0.999, (40 + 160 * rand()) / spread));
      multiplier[j] = q.multiplier;
      shift[j] = q.shift;
    }
  }
  return { multiplier, shift };
}

// ---- qs8 GEMM / GEMV -----------------------------------------------------------------
function checkQs8(m, n, k, opts = {}) {
  reset();
  const tag = `qs8 m=${m} n=${n} k=${k} ${JSON.stringify(opts)}`;
  const A = opts.A ?? fillI8(new Int8Array(m * k), opts.mode), W = fillI8(new Int8Array(n * k), opts.mode);
  const aZp = opts.aZp ?? pick([0, -128, 127, 255, -255, randInt(-128, 127)]);
  let bias = opts.bias !== undefined ? opts.bias : rand() < 0.7 ? new Int32Array(n).map(() => randInt(-1e6, 1e6)) : null;
  const { multiplier, shift } = opts.params ?? requantParams(n, k, opts.mode === 'extreme' ? 'raw' : undefined);
  const outZp = opts.outZp ?? pick([0, -128, 127, randInt(-128, 127)]);
  let qmin = -128, qmax = 127;
  const clampMode = rand();
  if (clampMode < 0.3) qmin = outZp; else if (clampMode < 0.5) { qmin = randInt(-128, 0); qmax = randInt(qmin, 127); }

  const packedBytes = R.qs8PackedWeightsBytes(n, k);
  if (wasm.qs8_packed_weights_bytes(n, k) !== packedBytes) return fail(`${tag}: packed bytes ${wasm.qs8_packed_weights_bytes(n, k)} != ${packedBytes}`);
  const refPacked = new Uint8Array(packedBytes);
  R.qs8PackWeightsRef(n, k, W, refPacked);
  const aPtr = put(A), wPtr = put(W), packedPtr = guarded(packedBytes);
  wasm.qs8_pack_weights(n, k, wPtr, packedPtr);
  const gotPacked = view(Uint8Array, packedPtr, packedBytes);
  for (let i = 0; i < packedBytes; i++) if (gotPacked[i] !== refPacked[i]) return fail(`${tag}: packed byte ${i}`);
  if (!intact(packedPtr, packedBytes)) return fail(`${tag}: wrote past packed`);
  const biasPtr = bias ? put(bias) : 0, multPtr = put(multiplier), shiftPtr = put(shift);
  const wsBytes = wasm.qs8_gemm_workspace_bytes(m, n, k);
  const wsPtr = guarded(wsBytes);

  const acc = new Int32Array(m * n), refOut = new Int8Array(m * n);
  R.qs8GemmI32Ref(m, n, k, A, aZp, refPacked, bias, acc);
  R.qs8GemmRequantRef(m, n, k, A, aZp, refPacked, bias, refOut, multiplier, shift, outZp, qmin, qmax);

  const accPtr = guarded(4 * m * n);
  wasm.qs8_gemm_i32(m, n, k, aPtr, aZp, packedPtr, biasPtr, accPtr, wsPtr);
  const gotAcc = view(Int32Array, accPtr, m * n);
  for (let i = 0; i < m * n; i++) if (gotAcc[i] !== acc[i]) return fail(`${tag}: i32 C[${(i / n) | 0},${i % n}] = ${gotAcc[i]}, ref ${acc[i]}`);
  if (!intact(accPtr, 4 * m * n)) return fail(`${tag}: i32 wrote past C`);

  const outPtr = guarded(m * n);
  wasm.qs8_gemm_requant(m, n, k, aPtr, aZp, packedPtr, biasPtr, outPtr, multPtr, shiftPtr, outZp, qmin, qmax, wsPtr);
  const got = view(Int8Array, outPtr, m * n);
  for (let i = 0; i < m * n; i++) {
    if (got[i] !== refOut[i]) {
      const j = i % n;
      return fail(`${tag}: requant C[${(i / n) | 0},${j}] = ${got[i]}, ref ${refOut[i]} (acc ${acc[i]} M ${multiplier[j]} s ${shift[j]} zp ${outZp} [${qmin},${qmax}])`);
    }
  }
  if (!intact(outPtr, m * n)) return fail(`${tag}: requant wrote past C`);
  if (!intact(wsPtr, wsBytes)) return fail(`${tag}: wrote past workspace`);
  if (!view(Int8Array, aPtr, m * k).every((v, i) => v === A[i])) return fail(`${tag}: modified A`);

  // GEMV on row 0 of A: int32, requant and f32 out.
  const gAcc = guarded(4 * n);
  wasm.qs8_gemv_i32(n, k, aPtr, aZp, packedPtr, biasPtr, gAcc);
  const ga = view(Int32Array, gAcc, n);
  for (let j = 0; j < n; j++) if (ga[j] !== acc[j]) return fail(`${tag}: gemv_i32 out[${j}] = ${ga[j]}, ref ${acc[j]}`);
  if (!intact(gAcc, 4 * n)) return fail(`${tag}: gemv_i32 wrote past out`);
  const gOut = guarded(n);
  wasm.qs8_gemv_requant(n, k, aPtr, aZp, packedPtr, biasPtr, gOut, multPtr, shiftPtr, outZp, qmin, qmax);
  const gv = view(Int8Array, gOut, n);
  for (let j = 0; j < n; j++) if (gv[j] !== refOut[j]) return fail(`${tag}: gemv out[${j}] = ${gv[j]}, ref ${refOut[j]} (acc ${acc[j]} M ${multiplier[j]} s ${shift[j]})`);
  if (!intact(gOut, n)) return fail(`${tag}: gemv wrote past out`);
  const scaleA = Math.fround(rand() * 0.1), scaleW = new Float32Array(n).map(() => rand() * 0.01);
  const fbias = rand() < 0.5 ? new Float32Array(n).map(() => rand() - 0.5) : null;
  const refY = new Float32Array(n);
  R.qs8GemvF32OutRef(n, k, A.subarray(0, k), aZp, refPacked, fbias, refY, scaleA, scaleW);
  const yPtr = guarded(4 * n);
  wasm.qs8_gemv_f32out(n, k, aPtr, aZp, packedPtr, fbias ? put(fbias) : 0, yPtr, scaleA, put(scaleW));
  const y = view(Float32Array, yPtr, n);
  for (let j = 0; j < n; j++) if (!Object.is(y[j], refY[j])) return fail(`${tag}: f32out y[${j}] = ${y[j]}, ref ${refY[j]}`);
  if (!intact(yPtr, 4 * n)) return fail(`${tag}: f32out wrote past y`);
  return true;
}

// Accumulators forced to INT_MIN / INT_MAX / wrap-around through the bias, with multiplier INT_MIN.
function checkQs8Saturation() {
  for (const [m, n, k] of [[3, 9, 17], [8, 4, 8], [1, 13, 40], [9, 7, 64]]) {
    const row = fillI8(new Int8Array(k)), A = new Int8Array(m * k);
    for (let i = 0; i < m; i++) A.set(row, i * k);
    const W = fillI8(new Int8Array(n * k)), packed = new Uint8Array(R.qs8PackedWeightsBytes(n, k));
    R.qs8PackWeightsRef(n, k, W, packed);
    const acc0 = new Int32Array(n);
    R.qs8GemmI32Ref(1, n, k, row, 3, packed, null, acc0);
    const targets = [I32_MIN, I32_MAX, I32_MIN + 1, 0, 1 << 30, -(1 << 30)];
    const bias = acc0.map((a, j) => (targets[j % targets.length] - a) | 0);
    const multiplier = new Int32Array(n).map((_, j) => (j % 3 === 0 ? I32_MIN : pick([I32_MAX, I32_MIN, 1 << 30])));
    const shift = new Int32Array(n).map((_, j) => pick([0, 0, 1, 31, randInt(0, 31)]));
    checkQs8(m, n, k, { A, aZp: 3, bias, params: { multiplier, shift }, outZp: 0 });
  }
}

// ---- q4 ------------------------------------------------------------------------------
const TOL = 1e-5;
function compareF32(tag, got, ref, mag) {
  for (let i = 0; i < ref.length; i++) {
    const g = got[i], r = ref[i];
    if (Number.isNaN(r) ? !Number.isNaN(g) : !(Math.abs(g - r) <= TOL * mag[i] + 1e-30 || g === r)) return fail(`${tag}: [${i}] = ${g}, ref ${r}, mag ${mag[i]}`);
  }
  return true;
}
// q4: packed with the TS packer, outputs bit-identical to the reference (integer dots, fixed f32 order).
function checkQ4(m, n, k, group, opts = {}) {
  reset();
  const tag = `q4 m=${m} n=${n} k=${k} group=${group}${opts.zero ? ' zero weights' : ''}`;
  // Groups of x: ordinary, tiny, huge, subnormal-scaled, all zero, ties (max 127: x·id = x, halves), one outlier.
  const x = new Float32Array(m * k);
  for (let g = 0; g < m * k; g += group) {
    const kind = randInt(0, 5), s = pick([1, 1e-3, 100, 1e-38]);
    for (let p = g; p < g + group; p++) x[p] = kind === 3 ? 0 : kind === 4 ? randInt(-254, 254) / 2 : (rand() * 2 - 1) * s;
    if (kind === 4) x[g] = 127;
    if (kind === 5) x[g + randInt(0, group - 1)] = 1e4;
  }
  const q = new Int8Array(n * k).map(() => (opts.zero || rand() < 0.1 ? 0 : pick([randInt(-8, 7), -8, 7])));
  const kp = R.q4PaddedK(k, group);
  const scales = new Float32Array(n * kp / group).map(() => (rand() * 0.02 + 1e-4) * pick([1, 1, -1]));
  const bias = rand() < 0.6 ? new Float32Array(n).map(() => rand() - 0.5) : null;
  const bytes = R.q4PackedBytes(n, k, group);
  if (wasm.q4_workspace_bytes(m, k, group) < m * (2 * kp + 8 * kp / group) + 4 * group) return fail(`${tag}: workspace`);
  const w4 = new Uint8Array(bytes.w4), ps = new Float32Array(bytes.scales / 4);
  R.q4PackWeights(n, k, group, q, scales, w4, ps);
  const ref = new Float32Array(m * n);
  R.q4GemmF32Ref(m, n, k, group, x, w4, ps, bias, ref);
  const xPtr = put(x), wPtr = put(w4), sPtr = put(ps), bPtr = bias ? put(bias) : 0, yPtr = guarded(4 * m * n);
  const ws = guarded(wasm.q4_workspace_bytes(m, k, group));
  const same = (got, want, what) => {
    for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) return fail(`${tag} ${what}: [${i}] = ${got[i]}, ref ${want[i]}`);
    return true;
  };
  wasm.q4_gemm_f32(m, n, k, group, xPtr, wPtr, sPtr, bPtr, yPtr, ws);
  if (!same(view(Float32Array, yPtr, m * n), ref, 'gemm') || !intact(yPtr, 4 * m * n)) return fail(`${tag}: gemm`);
  if (!intact(ws, wasm.q4_workspace_bytes(m, k, group))) return fail(`${tag}: wrote past the workspace`);
  const gPtr = guarded(4 * n);
  wasm.q4_gemv_f32(n, k, group, xPtr, wPtr, sPtr, bPtr, gPtr, ws);
  if (!same(view(Float32Array, gPtr, n), ref.subarray(0, n), 'gemv') || !intact(gPtr, 4 * n)) return fail(`${tag}: gemv`);
  return true;
}

// ---- f16 / bf16 ----------------------------------------------------------------------
const F16_SPECIAL = [0x0000, 0x8000, 0x0001, 0x8001, 0x03ff, 0x83ff, 0x0400, 0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x7c01, 0x7e00, 0xfe00, 0x7fff, 0x3c00, 0x3555];
const BF16_SPECIAL = [0x0000, 0x8000, 0x0001, 0x807f, 0x0080, 0x7f7f, 0xff7f, 0x7f80, 0xff80, 0x7f81, 0x7fc0, 0xffff, 0x3f80];
function checkF16(n, k, kind, opts = {}) {
  reset();
  const tag = `${kind} n=${n} k=${k}`;
  const f16 = kind === 'f16';
  // f16: any sign/mantissa, exponents 0..15 (subnormals included, |w| < 2); bf16: truncated f32s.
  const f32bits = new Uint32Array(1), f32v = new Float32Array(f32bits.buffer);
  const bf16Bits = () => { f32v[0] = (rand() * 2 - 1) * pick([1, 1, 1e-3, 1e-6]); return f32bits[0] >>> 16; };
  const w16 = opts.w16 ?? new Uint16Array(n * k).map(() => (f16 ? randInt(0, 0xffff) & 0xbfff : bf16Bits()));
  const x = opts.x ?? new Float32Array(k).map(() => rand() * 2 - 1);
  const bias = opts.noBias ? null : rand() < 0.6 ? new Float32Array(n).map(() => rand() - 0.5) : null;
  const ref = new Float64Array(n), mag = new Float64Array(n);
  (f16 ? R.f16GemvF32Ref : R.bf16GemvF32Ref)(n, k, x, w16, bias, ref, mag);
  const yPtr = guarded(4 * n);
  wasm[f16 ? 'f16_gemv_f32' : 'bf16_gemv_f32'](n, k, put(x), putH16(n, k, w16, f16), bias ? put(bias) : 0, yPtr);
  const y = view(Float32Array, yPtr, n);
  if (opts.exact) {
    for (let j = 0; j < n; j++) if (!(Object.is(y[j], Math.fround(ref[j])) || (Number.isNaN(ref[j]) && Number.isNaN(y[j])))) return fail(`${tag}: widen bits ${w16[j * k].toString(16)} → ${y[j]}, ref ${ref[j]}`);
  } else if (!compareF32(tag, y, ref, mag)) return false;
  if (!intact(yPtr, 4 * n)) return fail(`${tag}: wrote past y`);
  return true;
}
// Every 16-bit pattern h as a row: k = 1 (scalar tail path), y = widen(h); k = 8 (SIMD path, eight
// copies, x = 1), y = 8·widen(h), exact too (NaN: any NaN).
function checkWidenAll(kind) {
  const n = 65536;
  checkF16(n, 1, kind, { w16: new Uint16Array(n).map((_, i) => i), x: new Float32Array([1]), noBias: true, exact: true });
  checkF16(n, 8, kind, { w16: new Uint16Array(8 * n).map((_, i) => i >> 3), x: new Float32Array(8).fill(1), noBias: true, exact: true });
}

function runChecks() {
  const t0 = performance.now();
  const DIMS = [1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 64, 255, 256, 257, 1024];
  // quantizeMultiplier: exact powers of two, saturation, tiny, and the reconstruction error bound.
  const qm = (r) => R.quantizeMultiplier(r);
  const eqq = (r, m, s) => { const q = qm(r); if (q.multiplier !== m || q.shift !== s) fail(`quantizeMultiplier(${r}) = (${q.multiplier}, ${q.shift}), expected (${m}, ${s})`); };
  eqq(0.5, 1 << 30, 0); eqq(0.25, 1 << 30, 1); eqq(0.75, 3 << 29, 0); eqq(0, 0, 0); eqq(1 - 2 ** -40, I32_MAX, 0); eqq(2 ** -32, 1 << 30, 31); eqq(2 ** -33, 0, 0);
  for (let t = 0; t < 20000; t++) {
    const r = rand() * 2 ** -randInt(0, 31);
    if (r < 2 ** -32) continue;
    const { multiplier, shift } = qm(r);
    const back = multiplier * 2 ** (-31 - shift);
    if (!(multiplier >= 2 ** 30 && multiplier < 2 ** 31 && shift >= 0 && shift <= 31) || Math.abs(back - r) > 2 ** (-32 - shift)) { fail(`quantizeMultiplier(${r}) = (${multiplier}, ${shift})`); break; }
  }
  // qs8: every (m, n, k) over DIMS with m·n·k ≤ cap, plus random and extreme data.
  const cap = quick ? 3e5 : 4e6;
  let cases = 0;
  for (const m of DIMS) for (const n of DIMS) for (const k of DIMS) {
    if (m * n * k > cap || (quick && rand() < 0.7)) continue;
    checkQs8(m, n, k, { mode: rand() < 0.15 ? 'extreme' : undefined });
    cases++;
  }
  // m mod 8 = 2..5 (GEMV rows after the tiles), 6..7 (edge tiles), blocking boundaries, long k.
  for (const [m, n, k] of [[12, 33, 64], [13, 17, 100], [21, 64, 31], [10, 5, 7], [14, 9, 40], [23, 12, 9], [1024, 17, 255], [257, 255, 256], [33, 1024, 257], [3, 64, 1024], [129, 9, 3000], [8, 600, 2100], [70, 1030, 130]]) { checkQs8(m, n, k); cases++; }
  checkQs8Saturation();
  // q4: groups 32 / 64 / 128, k multiples of the group.
  for (const group of [32, 64, 128]) {
    for (const k of [group, 2 * group, 256, 1024, 1, 33, group + 7, 3 * group - 1]) {
      for (const m of DIMS) for (const n of DIMS) {
        if (m * n * k > cap / 4 || (rand() < (quick ? 0.85 : 0.5))) continue;
        checkQ4(m, n, k, group);
        cases++;
      }
    }
  }
  // Zero weights (nibble 8) with nonzero scales contribute exactly 0: y = bias (the budget is 1e-5·|bias|).
  for (const [m, n, k, group] of [[1, 9, 64, 32], [5, 8, 256, 128], [4, 4, 96, 32]]) { checkQ4(m, n, k, group, { zero: true }); cases++; }
  // f16 / bf16: every bit pattern exactly, then dot products over DIMS.
  checkWidenAll('f16');
  checkWidenAll('bf16');
  for (const kind of ['f16', 'bf16']) {
    for (const n of DIMS) for (const k of DIMS) {
      if (n * k > cap || (quick && rand() < 0.6)) continue;
      checkF16(n, k, kind);
      cases++;
    }
    const specials = kind === 'f16' ? F16_SPECIAL : BF16_SPECIAL;
    checkF16(9, 19, kind, { w16: new Uint16Array(9 * 19).map(() => pick(specials)) });
  }
  console.log(`checks: ${failures === 0 ? 'ok' : `${failures} FAILED`} (${cases} cases, ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

// ---- speed ---------------------------------------------------------------------------
// Jobs are sampled round-robin so each sees the same machine conditions; best-of per job, both wall
// time and this process's CPU time ("cpu": excludes time the OS gave to other processes).
function measure(jobs) {
  for (const j of jobs) {
    for (let i = 0; i < 3; i++) j.fn();
    j.reps = 1;
    for (;;) { const t0 = performance.now(); for (let r = 0; r < j.reps; r++) j.fn(); if (performance.now() - t0 >= 8) break; j.reps *= 2; }
    j.wall = Infinity; j.cpu = Infinity;
  }
  for (let round = 0; round < (quick ? 7 : 25); round++) {
    for (const j of jobs) {
      const c0 = process.cpuUsage(), t0 = performance.now();
      for (let r = 0; r < j.reps; r++) j.fn();
      const t1 = performance.now(), c1 = process.cpuUsage(c0);
      j.wall = Math.min(j.wall, (t1 - t0) / j.reps);
      j.cpu = Math.min(j.cpu, (c1.user + c1.system) / 1000 / j.reps);
    }
  }
}
const rows = [];
// Ratios against the faster f32 baseline of the group (wall and CPU time separately).
function report(jobs, bases) {
  const base = { wall: Math.min(...bases.map((b) => b.wall)), cpu: Math.min(...bases.map((b) => b.cpu)) };
  for (const j of jobs) {
    const g = j.ops / j.wall / 1e6, gc = j.ops / j.cpu / 1e6;
    const isBase = bases.includes(j);
    const ratio = isBase ? '' : `${(base.wall / j.wall).toFixed(2)}x`;
    const ratioCpu = isBase ? '' : `${(base.cpu / j.cpu).toFixed(2)}x`;
    const verdict = j.target ? (Math.max(base.wall / j.wall, base.cpu / j.cpu) >= j.target ? 'ok' : 'MISS') : '';
    rows.push([j.name, g.toFixed(1), gc.toFixed(1), j.wall.toFixed(3), ratio, ratioCpu, j.target ? `≥ ${j.target}x` : '', verdict]);
  }
}
function printTable() {
  const head = ['kernel', 'GOP/s', 'cpu GOP/s', 'ms', 'vs f32', 'vs f32 (cpu)', 'target', ''];
  console.log('GOP/s = 2·MACs / best time; "vs f32": against the faster f32 kernel of the group, same run.');
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]) : c.padStart(w[i]))).join('  ');
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}
const fillRand = (T, len, f) => { const a = new T(len); for (let i = 0; i < len; i++) a[i] = f(); return a; };

function benchGemm(s) {
  if (skip(`gemm ${s}`)) return;
  reset();
  const m = s, n = s, k = s;
  const fa = put(fillRand(Float32Array, m * k, rand)), fb = put(fillRand(Float32Array, k * n, rand)), fc = alloc(4 * m * n);
  const fws = alloc(wasm.f32_gemm_workspace_bytes(m, n, k));
  const a = put(fillI8(new Int8Array(m * k))), w = put(fillI8(new Int8Array(n * k))), packed = alloc(wasm.qs8_packed_weights_bytes(n, k));
  wasm.qs8_pack_weights(n, k, w, packed);
  const { multiplier, shift } = requantParams(n, k);
  const bias = put(new Int32Array(n).map(() => randInt(-1000, 1000))), mult = put(multiplier), sh = put(shift);
  const out = alloc(4 * m * n), ws = alloc(wasm.qs8_gemm_workspace_bytes(m, n, k));
  const q4x = put(fillRand(Float32Array, m * k, rand)), w4 = put(fillRand(Uint8Array, n * k / 2, () => randInt(0, 255))), sc = put(fillRand(Float32Array, n * k / 32, rand));
  const q4ws = alloc(wasm.q4_workspace_bytes(m, k, 32));
  const ops = 2 * m * n * k;
  const jobs = [
    { name: `f32_gemm NN ${s}^3`, ops, fn: () => wasm.f32_gemm(m, n, k, fa, k, 0, fb, n, 0, 0, fc, n, fws, -Infinity, Infinity) },
    { name: `f32_gemm NT ${s}^3`, ops, fn: () => wasm.f32_gemm(m, n, k, fa, k, 0, fb, k, 1, 0, fc, n, fws, -Infinity, Infinity) },
    { name: `qs8_gemm_requant ${s}^3`, ops, target: 1.9, fn: () => wasm.qs8_gemm_requant(m, n, k, a, 1, packed, bias, out, mult, sh, 0, -128, 127, ws) },
    { name: `qs8_gemm_i32 ${s}^3`, ops, fn: () => wasm.qs8_gemm_i32(m, n, k, a, 1, packed, bias, out, ws) },
    { name: `q4_gemm_f32 g32 ${s}^3`, ops, fn: () => wasm.q4_gemm_f32(m, n, k, 32, q4x, w4, sc, 0, fc, q4ws) },
  ];
  measure(jobs);
  report(jobs, jobs.slice(0, 2));
}

// GEMV at n = k = s. Streaming (s = 4096): each kernel cycles through enough weight copies that the
// weights it reads (≥ 64 MB) come from DRAM on every call, as a model's layers do.
function benchGemv(s) {
  if (skip(`gemv ${s}`)) return;
  reset();
  const n = s, k = s;
  const stream = s >= 4096;
  const copies = (bytes) => (stream ? Math.max(1, Math.ceil((64 << 20) / bytes)) : 1);
  const rotate = (ptrs) => { let i = 0; return () => ptrs[i++ % ptrs.length]; };
  const x = put(fillRand(Float32Array, k, rand)), y = alloc(4 * n), fbias = put(fillRand(Float32Array, n, rand));
  const fw = rotate(Array.from({ length: copies(4 * n * k) }, () => put(fillRand(Float32Array, n * k, rand))));
  const a = put(fillI8(new Int8Array(k)));
  const qBytes = wasm.qs8_packed_weights_bytes(n, k);
  const wtmp = put(fillI8(new Int8Array(n * k)));
  const qw = rotate(Array.from({ length: copies(qBytes) }, () => { const p = alloc(qBytes); wasm.qs8_pack_weights(n, k, wtmp, p); return p; }));
  const { multiplier, shift } = requantParams(n, k);
  const ibias = put(new Int32Array(n)), mult = put(multiplier), sh = put(shift), out = alloc(n), sw = put(fillRand(Float32Array, n, rand));
  const q4 = rotate(Array.from({ length: copies(n * k / 2 + n * k / 8) }, () => [put(fillRand(Uint8Array, n * k / 2, () => randInt(0, 255))), put(fillRand(Float32Array, n * k / 32, rand))]));
  const codes16 = () => fillRand(Uint16Array, n * k, () => (randInt(0, 0x83ff) & 0x83ff) | (randInt(10, 14) << 10));
  const h16 = rotate(Array.from({ length: copies(2 * n * k) }, () => putH16(n, k, codes16(), true)));
  const hb16 = rotate(Array.from({ length: copies(2 * n * k) }, () => putH16(n, k, codes16(), false)));
  const q4ws = alloc(wasm.q4_workspace_bytes(1, k, 32));
  const ops = 2 * n * k;
  const tag = `${s}x${s}${stream ? ' (stream)' : ''}`;
  const jobs = [
    { name: `f32_gemv ${tag}`, ops, fn: () => wasm.f32_gemv(n, k, x, fw(), fbias, y, -Infinity, Infinity) },
    { name: `qs8_gemv_requant ${tag}`, ops, target: 2, fn: () => wasm.qs8_gemv_requant(n, k, a, 3, qw(), ibias, out, mult, sh, 0, -128, 127) },
    { name: `qs8_gemv_f32out ${tag}`, ops, fn: () => wasm.qs8_gemv_f32out(n, k, a, 3, qw(), fbias, y, 0.01, sw) },
    { name: `q4_gemv_f32 g32 ${tag}`, ops, target: stream ? 3 : undefined, fn: () => { const [w4, sc] = q4(); wasm.q4_gemv_f32(n, k, 32, x, w4, sc, fbias, y, q4ws); } },
    { name: `f16_gemv_f32 ${tag}`, ops, fn: () => wasm.f16_gemv_f32(n, k, x, h16(), fbias, y) },
    { name: `bf16_gemv_f32 ${tag}`, ops, fn: () => wasm.bf16_gemv_f32(n, k, x, hb16(), fbias, y) },
  ];
  measure(jobs);
  report(jobs, jobs.slice(0, 1));
}

function runBench() {
  for (const s of [256, 512, 1024]) benchGemm(s);
  for (const s of [1024, 4096]) benchGemv(s);
  printTable();
}

if (!flag('--no-check')) runChecks();
if (!flag('--no-bench')) runBench();
if (failures > 0) process.exit(1);
