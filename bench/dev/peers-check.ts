/**
 * Peer adapter check: verifies every adapter against a float64 / exact-integer JS reference on small
 * shapes, then measures single-thread throughput of each peer on the benchmark shapes.
 *
 *   node --import tsx bench/dev/peers-check.ts [--time=MS] [--no-perf]
 *
 * --time=MS   sampling budget per (peer, shape) after warm-up (default 1000)
 * --no-perf   verification + runtime checks only
 *
 * Throughput = 2·m·n·k / t (GFLOP/s for f32, GOP/s for int8), t = best single-run time; the median
 * is printed too. Setup (session creation, weight upload/packing) is outside the timed loop; the
 * timed run() includes passing the input and reading the output back, as a user of the library would.
 * cpu/wall is process CPU time over wall time during the timed loop: ~1.0 means one busy thread
 * (2.0 would mean both cores were used; below 1.0 means we were descheduled by other load).
 * The per-cell lines on stderr also give "cpu-time best": ops / smallest per-run process CPU time,
 * a diagnostic for a loaded machine (close to the uncontended rate if the slowdown is descheduling).
 */
import { readdirSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { ensurePeers } from '../peers/ensure.js';
import { ortInfo, ortMatMulInteger, ortMatMulIntegerS8, ortMatmul, peerVersions, type PeerCase } from '../peers/ort.js';
import { tfjsInfo, tfjsMatmul, tfjsNumTensors } from '../peers/tfjs.js';

// ---------------------------------------------------------------------------------------------
// Options
// ---------------------------------------------------------------------------------------------

const args = process.argv.slice(2);
const timeArg = args.find((x) => x.startsWith('--time='));
const BUDGET_MS = timeArg ? Number(timeArg.slice('--time='.length)) : 1000;
const PERF = !args.includes('--no-perf');

// ---------------------------------------------------------------------------------------------
// Data + references
// ---------------------------------------------------------------------------------------------

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randF32(len: number, seed: number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(len);
  for (let i = 0; i < len; i++) out[i] = r() * 2 - 1;
  return out;
}

function randU8(len: number, seed: number): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(len);
  for (let i = 0; i < len; i++) out[i] = Math.floor(r() * 256);
  return out;
}

function randI8(len: number, seed: number): Int8Array {
  const r = rng(seed);
  const out = new Int8Array(len);
  for (let i = 0; i < len; i++) out[i] = Math.floor(r() * 256) - 128;
  return out;
}

/** Float64 reference C = A·B plus Σ|a||b| per element (for an error bound). */
function refF64(a: Float32Array, b: Float32Array, m: number, k: number, n: number): { c: Float64Array; mag: Float64Array } {
  const c = new Float64Array(m * n);
  const mag = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let p = 0; p < k; p++) {
      const av = a[i * k + p]!;
      for (let j = 0; j < n; j++) {
        const bv = b[p * n + j]!;
        c[i * n + j]! += av * bv;
        mag[i * n + j]! += Math.abs(av * bv);
      }
    }
  }
  return { c, mag };
}

/** Exact integer reference C = (A - za)·(B - zb) (fits in float64 exactly for these sizes). */
function refInt(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number, za: number, zb: number): Int32Array {
  const c = new Int32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += (a[i * k + p]! - za) * (b[p * n + j]! - zb);
      c[i * n + j] = s;
    }
  }
  return c;
}

// ---------------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------------

let failures = 0;

function report(name: string, ok: boolean, detail: string): void {
  if (!ok) failures++;
  console.log(`  ${ok ? 'ok  ' : 'FAIL'} ${name.padEnd(34)} ${detail}`);
}

async function verifyF32(name: string, make: typeof tfjsMatmul, m: number, k: number, n: number): Promise<void> {
  const a = randF32(m * k, 1000 + m * 7 + k);
  const b = randF32(k * n, 2000 + k * 5 + n);
  const { c: ref, mag } = refF64(a, b, m, k, n);
  const pc = await make(a, b, m, k, n);
  try {
    await pc.run();
    const got = await pc.result();
    let worst = 0;
    let ok = got instanceof Float32Array && got.length === m * n;
    for (let i = 0; ok && i < got.length; i++) {
      const err = Math.abs(got[i]! - ref[i]!);
      // f32 accumulation bound: ~k ulps of the absolute sum, with slack for blocked/reassociated sums.
      const tol = 1e-6 + 2 * (k + 2) * 2 ** -24 * mag[i]!;
      worst = Math.max(worst, err / tol);
      if (!(err <= tol)) ok = false;
    }
    report(`${name} ${m}x${k}x${n}`, ok, `max err/tol = ${worst.toFixed(3)}`);
  } finally {
    await pc.dispose();
  }
}

async function verifyInt(
  name: string,
  pcPromise: Promise<PeerCase>,
  ref: Int32Array,
  m: number,
  k: number,
  n: number,
): Promise<void> {
  const pc = await pcPromise;
  try {
    await pc.run();
    const got = await pc.result();
    let bad = 0;
    const ok0 = got instanceof Int32Array && got.length === m * n;
    if (ok0) for (let i = 0; i < got.length; i++) if (got[i] !== ref[i]) bad++;
    report(`${name} ${m}x${k}x${n}`, ok0 && bad === 0, ok0 ? `${bad} mismatches (exact)` : `bad output ${got?.constructor?.name}[${got?.length}]`);
  } finally {
    await pc.dispose();
  }
}

async function verifyAll(): Promise<void> {
  console.log('verification (vs JS float64 / exact integer reference):');
  const shapes: [number, number, number][] = [
    [7, 13, 5],
    [64, 64, 64],
    [1, 64, 48],
    [33, 100, 17],
  ];
  for (const [m, k, n] of shapes) {
    await verifyF32('tfjs f32', tfjsMatmul, m, k, n);
    await verifyF32('ort f32', ortMatmul, m, k, n);
    const au = randU8(m * k, 3000 + m + k);
    const bs = randI8(k * n, 4000 + k + n);
    for (const [za, zb] of [
      [0, 0],
      [128, 0],
      [131, -5],
    ] as const) {
      await verifyInt(`ort u8xs8 za=${za} zb=${zb}`, ortMatMulInteger(au, bs, m, k, n, za, zb), refInt(au, bs, m, k, n, za, zb), m, k, n);
    }
    const as = randI8(m * k, 5000 + m + k);
    await verifyInt('ort s8xs8', ortMatMulIntegerS8(as, bs, m, k, n), refInt(as, bs, m, k, n, 0, 0), m, k, n);
  }
  // tfjs: thousands of runs must not leak tensors.
  const before = await tfjsNumTensors();
  const pc = await tfjsMatmul(randF32(16 * 32, 1), randF32(32 * 8, 2), 16, 32, 8);
  for (let i = 0; i < 5000; i++) pc.run();
  const during = await tfjsNumTensors();
  await pc.dispose();
  const after = await tfjsNumTensors();
  report('tfjs no tensor leak (5000 runs)', during === before + 2 && after === before, `tensors before=${before} during=${during} after=${after}`);
}

// ---------------------------------------------------------------------------------------------
// Runtime configuration checks
// ---------------------------------------------------------------------------------------------

function osThreads(): number {
  try {
    return readdirSync('/proc/self/task').length;
  } catch {
    return NaN;
  }
}


// ---------------------------------------------------------------------------------------------
// Performance
// ---------------------------------------------------------------------------------------------

interface Sample {
  best: number; // ms
  median: number; // ms
  runs: number;
  cpuOverWall: number;
  /** Smallest process CPU time of one run, ms (diagnostic: unaffected by being descheduled; coarse below ~1 ms). */
  bestCpu: number;
}

async function measure(pc: PeerCase): Promise<Sample> {
  // Warm-up: at least 2 runs and ~10% of the budget.
  const w0 = performance.now();
  for (let i = 0; i < 2 || performance.now() - w0 < BUDGET_MS * 0.1; i++) await pc.run();
  const times: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let bestCpu = Infinity;
  while (times.length < 3 || (performance.now() - t0 < BUDGET_MS && times.length < 5000)) {
    const c = process.cpuUsage();
    const s = performance.now();
    await pc.run();
    times.push(performance.now() - s);
    const dc = process.cpuUsage(c);
    bestCpu = Math.min(bestCpu, (dc.user + dc.system) / 1000);
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  times.sort((x, y) => x - y);
  return {
    best: times[0]!,
    median: times[times.length >> 1]!,
    runs: times.length,
    cpuOverWall: (cpu.user + cpu.system) / 1000 / wall,
    bestCpu,
  };
}

interface Shape {
  label: string;
  m: number;
  k: number;
  n: number;
}

const SHAPES: Shape[] = [
  { label: 'GEMM 256', m: 256, k: 256, n: 256 },
  { label: 'GEMM 512', m: 512, k: 512, n: 512 },
  { label: 'GEMM 1024', m: 1024, k: 1024, n: 1024 },
  { label: 'GEMV 1x1024x1024', m: 1, k: 1024, n: 1024 },
  { label: 'GEMV 1x4096x4096', m: 1, k: 4096, n: 4096 },
];

interface Peer {
  name: string;
  unit: string;
  make(s: Shape): Promise<PeerCase>;
}

const PEERS: Peer[] = [
  { name: 'tfjs-wasm f32', unit: 'GFLOP/s', make: (s) => tfjsMatmul(randF32(s.m * s.k, 11), randF32(s.k * s.n, 12), s.m, s.k, s.n) },
  { name: 'ort-web f32', unit: 'GFLOP/s', make: (s) => ortMatmul(randF32(s.m * s.k, 11), randF32(s.k * s.n, 12), s.m, s.k, s.n) },
  {
    name: 'ort-web u8xs8',
    unit: 'GOP/s',
    make: (s) => ortMatMulInteger(randU8(s.m * s.k, 13), randI8(s.k * s.n, 14), s.m, s.k, s.n, 128, 0),
  },
  { name: 'ort-web s8xs8', unit: 'GOP/s', make: (s) => ortMatMulIntegerS8(randI8(s.m * s.k, 15), randI8(s.k * s.n, 14), s.m, s.k, s.n) },
];

async function perfAll(): Promise<void> {
  console.log(`\nthroughput, single thread (best of the runs in ~${BUDGET_MS} ms per cell; median in parentheses):`);
  const results = new Map<string, Map<string, Sample>>();
  for (const shape of SHAPES) {
    for (const peer of PEERS) {
      const pc = await peer.make(shape);
      try {
        const s = await measure(pc);
        if (!results.has(shape.label)) results.set(shape.label, new Map());
        results.get(shape.label)!.set(peer.name, s);
        const ops = 2 * shape.m * shape.n * shape.k;
        process.stderr.write(
          `  ${shape.label.padEnd(18)} ${peer.name.padEnd(14)} best ${(ops / s.best / 1e6).toFixed(1).padStart(6)} ${peer.unit}` +
            `  median ${(ops / s.median / 1e6).toFixed(1).padStart(6)}  best ${s.best.toFixed(3)} ms  runs ${s.runs}  cpu/wall ${s.cpuOverWall.toFixed(2)}` +
            `  cpu-time best ${s.bestCpu >= 1 ? (ops / s.bestCpu / 1e6).toFixed(1) : '-'}\n`,
        );
      } finally {
        await pc.dispose();
      }
    }
  }
  // Table
  const colW = 20;
  let header = 'shape'.padEnd(18);
  for (const p of PEERS) header += `${p.name} ${p.unit === 'GOP/s' ? '(GOP/s)' : '(GFLOP/s)'}`.padStart(colW + 4);
  console.log(header);
  let maxCpu = 0;
  for (const shape of SHAPES) {
    let line = shape.label.padEnd(18);
    const ops = 2 * shape.m * shape.n * shape.k;
    for (const p of PEERS) {
      const s = results.get(shape.label)?.get(p.name);
      if (!s) {
        line += 'n/a'.padStart(colW + 4);
        continue;
      }
      maxCpu = Math.max(maxCpu, s.cpuOverWall);
      const cell = `${(ops / s.best / 1e6).toFixed(1)} (${(ops / s.median / 1e6).toFixed(1)})`;
      line += cell.padStart(colW + 4);
    }
    console.log(line);
  }
  console.log(`max cpu/wall over all timed loops: ${maxCpu.toFixed(2)} (single-threaded if ~1.0 or below)`);
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  ensurePeers();
  const threads0 = osThreads();
  // Initialise both engines (tiny cases) so configuration can be reported up front.
  await (await tfjsMatmul(new Float32Array(4), new Float32Array(4), 2, 2, 2)).dispose();
  await (await ortMatmul(new Float32Array(4), new Float32Array(4), 2, 2, 2)).dispose();
  const tf = await tfjsInfo();
  const ort = await ortInfo();
  console.log('peers:', JSON.stringify(await peerVersions()));
  console.log(`node ${process.version}, ${process.arch}`);
  console.log(`tfjs: backend=${tf.backend} wasm=${tf.wasmFile} threads=${tf.threads} simd=${tf.simd} multithread=${tf.multithread}`);
  console.log(`ort:  wasm=${ort.wasmBinary} numThreads=${ort.numThreads} proxy=${ort.proxy}`);
  console.log(`OS threads: ${threads0} before engine init, ${osThreads()} after (a pthread pool would add workers)\n`);

  await verifyAll();
  console.log(`OS threads after verification: ${osThreads()}`);
  if (PERF) await perfAll();
  console.log(`\nOS threads at end: ${osThreads()}`);
  if (failures > 0) {
    console.log(`\n${failures} verification failure(s)`);
    process.exitCode = 1;
  }
}

await main();
