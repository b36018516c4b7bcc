// Speed harness for the small int8 and storage-format kernels (bench/dev/qsmall-entry.ts): each wasm
// kernel against its plain-JS reference (src/quant/qsmall-ref.ts) on the same data, and x8_lut's
// swizzle loop against a scalar wasm lookup. Correctness lives in test/qsmall-kernels.test.ts; this
// re-checks equality once per case and prints best-of times and ratios measured in the same run.
//   node --import tsx bench/dev/qsmall-kernels.mjs [--quick] [--wasm FILE]
import { flag, loadDevWasm, devArena } from './wasm-dev.mjs';
import * as R from '../../src/quant/qsmall-ref.ts';

const quick = flag('--quick');
const wasm = loadDevWasm('qsmall-entry.ts', 'qsmall');
const memory = wasm.memory;
const { alloc, view } = devArena(memory);
let seed = 0x2545f491;
const rand32 = () => { seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; return seed >>> 0; };

// Best-of wall time per job (ms), sampled round-robin so the jobs of a case see the same machine.
function bestOf(jobs, rounds) {
  for (const j of jobs) { j.reps = 1; for (;;) { const t0 = performance.now(); for (let r = 0; r < j.reps; r++) j.fn(); if (performance.now() - t0 >= 5) break; j.reps *= 2; } j.best = Infinity; }
  for (let r = 0; r < rounds; r++) for (const j of jobs) { const t0 = performance.now(); for (let k = 0; k < j.reps; k++) j.fn(); j.best = Math.min(j.best, (performance.now() - t0) / j.reps); }
  return jobs;
}
const same = (a, b) => a.length === b.length && a.every((v, i) => v === b[i]);

const N = quick ? 1 << 16 : 1 << 20;
const rounds = quick ? 5 : 15;
const rows = [];
function report(name, jobs, base, n = N) {
  bestOf(jobs, rounds);
  const b = jobs.find((j) => j.name === base).best;
  for (const j of jobs) rows.push(`${name.padEnd(16)} ${j.name.padEnd(22)} ${(j.best * 1e3).toFixed(1).padStart(9)} µs  ${(n / j.best / 1e6).toFixed(2).padStart(7)} G elem/s  x${(b / j.best).toFixed(2)} vs ${base}`);
}

// ---- x8_lut ----
{
  const x = alloc(N), y = alloc(N), t = alloc(256);
  const xs = view(Uint8Array, x, N), ts = view(Uint8Array, t, 256);
  for (let i = 0; i < N; i++) xs[i] = rand32();
  for (let i = 0; i < 256; i++) ts[i] = rand32();
  const js = new Uint8Array(N), jx = xs.slice(), jt = ts.slice();
  R.x8LutRef(N, jx, js, jt);
  wasm.x8_lut(N, x, y, t);
  if (!same(view(Uint8Array, y, N), js)) throw new Error('x8_lut mismatch');
  report('x8_lut', [
    { name: 'js ref', fn: () => R.x8LutRef(N, jx, js, jt) },
    { name: 'wasm scalar', fn: () => wasm.x8_lut_scalar(N, x, y, t) },
    { name: 'wasm swizzle', fn: () => wasm.x8_lut(N, x, y, t) },
  ], 'js ref');
}

// ---- qs8_f32_vcvt ----
{
  const x = alloc(N), y = alloc(4 * N);
  const xs = view(Int8Array, x, N);
  for (let i = 0; i < N; i++) xs[i] = rand32();
  const jx = xs.slice(), jy = new Float32Array(N);
  R.qs8F32VcvtRef(N, jx, jy, 0.0123, -7);
  wasm.qs8_f32_vcvt(N, x, y, 0.0123, -7);
  if (!same(view(Float32Array, y, N), jy)) throw new Error('qs8_f32_vcvt mismatch');
  report('qs8_f32_vcvt', [
    { name: 'js ref', fn: () => R.qs8F32VcvtRef(N, jx, jy, 0.0123, -7) },
    { name: 'wasm', fn: () => wasm.qs8_f32_vcvt(N, x, y, 0.0123, -7) },
  ], 'js ref');
}

// ---- storage formats: encode from normal-ish f32, decode random codes ----
{
  const xf = alloc(4 * N), c16 = alloc(2 * N), c8 = alloc(N), yf = alloc(4 * N);
  const xfs = view(Float32Array, xf, N);
  for (let i = 0; i < N; i++) xfs[i] = ((rand32() / 2 ** 32) - 0.5) * 2 ** ((rand32() % 24) - 12);
  const jxb = new Uint32Array(xfs.slice().buffer);
  const formats = [
    ['f16', 'f32_f16_vcvt', 'f16_f32_vcvt', R.f32F16VcvtRef, R.f16F32VcvtRef, 2],
    ['bf16', 'f32_bf16_vcvt', 'bf16_f32_vcvt', R.f32Bf16VcvtRef, R.bf16F32VcvtRef, 2],
    ['e4m3', 'f32_e4m3_vcvt', 'e4m3_f32_vcvt', R.f32E4m3VcvtRef, R.e4m3F32VcvtRef, 1],
    ['e5m2', 'f32_e5m2_vcvt', 'e5m2_f32_vcvt', R.f32E5m2VcvtRef, R.e5m2F32VcvtRef, 1],
  ];
  for (const [name, enc, dec, encRef, decRef, bytes] of formats) {
    const C = bytes === 2 ? Uint16Array : Uint8Array;
    const cp = bytes === 2 ? c16 : c8;
    const jc = new C(N), jy = new Uint32Array(N);
    encRef(N, jxb, jc, 1);
    wasm[enc](N, xf, cp, 1);
    if (!same(view(C, cp, N), jc)) throw new Error(`${enc} mismatch`);
    report(`${name} encode`, [
      { name: 'js ref', fn: () => encRef(N, jxb, jc, 1) },
      { name: 'wasm', fn: () => wasm[enc](N, xf, cp, 1) },
    ], 'js ref');
    const cs = view(C, cp, N);
    for (let i = 0; i < N; i++) cs[i] = rand32();
    const jcs = cs.slice();
    decRef(N, jcs, jy);
    wasm[dec](N, cp, yf);
    if (!same(view(Uint32Array, yf, N), jy)) throw new Error(`${dec} mismatch`);
    report(`${name} decode`, [
      { name: 'js ref', fn: () => decRef(N, jcs, jy) },
      { name: 'wasm', fn: () => wasm[dec](N, cp, yf) },
    ], 'js ref');
  }
}

// ---- qs8_maxpool2d, x8_im2col: a ResNet-stem-like plane set (64 planes of 56×56 / 16 channels) ----
const outSize = (h, k, s, p) => Math.floor((h + 2 * p - k) / s) + 1;
for (const [k, st, pd] of [[3, 2, 1], [2, 2, 0], [3, 1, 1]]) {
  const planes = 64, h = 56, w = 56, oh = outSize(h, k, st, pd), ow = outSize(w, k, st, pd);
  const x = alloc(planes * h * w), y = alloc(planes * oh * ow);
  const xs = view(Int8Array, x, planes * h * w);
  for (let i = 0; i < xs.length; i++) xs[i] = rand32();
  const jx = xs.slice(), jy = new Int8Array(planes * oh * ow);
  const args = [planes, h, w, k, k, st, st, pd, pd, oh, ow];
  R.qs8Maxpool2dRef(...args, jx, jy);
  wasm.qs8_maxpool2d(...args, x, y);
  if (!same(view(Int8Array, y, jy.length), jy)) throw new Error('qs8_maxpool2d mismatch');
  report(`maxpool ${k}x${k}s${st}p${pd}`, [
    { name: 'js ref', fn: () => R.qs8Maxpool2dRef(...args, jx, jy) },
    { name: 'wasm', fn: () => wasm.qs8_maxpool2d(...args, x, y) },
  ], 'js ref', planes * oh * ow);
}
for (const k of [3, 1]) {
  const c = 16, h = 56, w = 56, oh = 56, ow = 56, cols = oh * ow * c * k * k;
  const x = alloc(c * h * w), y = alloc(cols);
  const xs = view(Int8Array, x, c * h * w);
  for (let i = 0; i < xs.length; i++) xs[i] = rand32();
  const jx = xs.slice(), jy = new Int8Array(cols);
  const xf = alloc(4 * c * h * w), yf = alloc(4 * cols);
  const p = k >> 1;
  const args = [1, c, h, w, k, k, 1, 1, p, p, 1, 1];
  R.x8Im2colRef(...args, jx, jy, -5);
  wasm.x8_im2col(...args, x, y, -5);
  if (!same(view(Int8Array, y, cols), jy)) throw new Error('x8_im2col mismatch');
  report(`im2col ${k}x${k} c16`, [
    { name: 'js ref', fn: () => R.x8Im2colRef(...args, jx, jy, -5) },
    { name: 'wasm', fn: () => wasm.x8_im2col(...args, x, y, -5) },
    { name: 'wasm f32_im2col', fn: () => wasm.f32_im2col(...args, xf, yf) },
  ], 'js ref', cols);
}

console.log(`n = ${N} (pooling: outputs, im2col: cols bytes), best of ${rounds} rounds per job (wall time)`);
for (const r of rows) console.log(r);
