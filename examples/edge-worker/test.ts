// npm run test:edge: builds the edge worker, serves it with workerd on 127.0.0.1 (a free port), and
// checks its answers (logits bit for bit, and the argmax) against the same int8 file in Node, for
// inputs sent as raw u8 bytes, raw f32 bytes and JSON. Measures the cold start (process start to
// the first response, and that first request alone) and the median per-request latency.
// Options: --requests N (timed requests, default 200), --synthetic.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import * as st from '../../src/index.js';
import { demoDataset } from '../../src/cli/data.js';
import { head } from '../../src/cli/samples.js';
import { bin, ensureRuntimes } from '../../scripts/runtimes-setup.mjs';
import { MODEL, build, out } from './build.js';

const argv = process.argv.slice(2);
const REQUESTS = argv.includes('--requests') ? Number(argv[argv.indexOf('--requests') + 1]) : 200;
const SAMPLES = 64;
const TIMEOUT_MS = 10_000;
let failures = 0;
const check = (ok: boolean, what: string) => {
  if (!ok) failures++;
  console.log(`${ok ? '✓' : '✗'} ${what}`);
};

await st.init();
ensureRuntimes();
if (!existsSync(bin('workerd'))) throw new Error('workerd is not installed in .runtimes/node_modules (see the npm install output above)');
const data = await demoDataset(undefined, argv.includes('--synthetic'));
const built = await build(data);
console.log(`» built on ${data.name}: model ${built.modelBytes} bytes, worker.js ${built.bundleBytes} bytes`);

// The reference: the same file in Node.
const model = st.loadQuantized(readFileSync(MODEL));
const pixels = data.test.x.data as Uint8Array<ArrayBuffer>;
const images = Array.from({ length: SAMPLES }, (_, i) => pixels.subarray(i * 784, (i + 1) * 784));
const x = st.reshape(head(data.test.x, SAMPLES), [SAMPLES, 784]);
const ref = model.forward(x).toTypedArray();
const refBits = new Uint32Array(ref.buffer);
const hex = (i: number) => Array.from(refBits.subarray(i * 10, i * 10 + 10), (b) => b.toString(16).padStart(8, '0')).join('');
const argmax = (i: number) => { let b = 0; for (let k = 1; k < 10; k++) if (ref[i * 10 + k]! > ref[i * 10 + b]!) b = k; return b; };
const f32Of = (img: Uint8Array) => { const k = Math.fround(1 / 255); return Float32Array.from(img, (v) => v * k); };

const port = await new Promise<number>((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
});
const url = `http://127.0.0.1:${port}/`;
const portOpen = () => new Promise<boolean>((resolve) => { const c = connect(port, '127.0.0.1'); c.on('connect', () => { c.destroy(); resolve(true); }); c.on('error', () => resolve(false)); });

const t0 = performance.now();
const child = spawn(bin('workerd'), ['serve', 'config.capnp', '--socket-addr', `http=127.0.0.1:${port}`], { cwd: out, stdio: ['ignore', 'pipe', 'pipe'] });
let log = '';
child.stdout.on('data', (d) => (log += d));
child.stderr.on('data', (d) => (log += d));
try {
  while (!(await portOpen())) {
    if (child.exitCode !== null || performance.now() - t0 > TIMEOUT_MS) throw new Error(`workerd did not listen on ${url}: ${log.trim().slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 2));
  }
  const listening = performance.now() - t0;
  type Answer = { class: number; label: string; logits: number[]; bits: string };
  const post = async (body: BodyInit, type: string): Promise<Answer> => {
    const res = await fetch(url, { method: 'POST', body, headers: { 'content-type': type }, signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
    return (await res.json()) as Answer;
  };
  const t1 = performance.now();
  const first = await post(images[0]!, 'application/octet-stream');
  const firstMs = performance.now() - t1;
  const cold = performance.now() - t0;

  // Every sample three ways: raw u8, raw f32 bytes, JSON numbers; logits bit for bit.
  let same = 0;
  let sameClass = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const f = f32Of(images[i]!);
    const answers = [await post(images[i]!, 'application/octet-stream'), await post(new Uint8Array(f.buffer), 'application/octet-stream'), await post(JSON.stringify({ input: Array.from(f) }), 'application/json')];
    same += answers.filter((a) => a.bits === hex(i) && Float32Array.from(a.logits).every((v, k) => Object.is(v, ref[i * 10 + k]))).length;
    sameClass += answers.filter((a) => a.class === argmax(i)).length;
  }
  check(first.bits === hex(0), 'the first (cold) answer has the bits Node computes');
  check(same === 3 * SAMPLES, `logits bit-identical to Node for ${same}/${3 * SAMPLES} requests (${SAMPLES} samples as u8 bytes, f32 bytes and JSON)`);
  check(sameClass === 3 * SAMPLES, `argmax equal to Node's for ${sameClass}/${3 * SAMPLES} requests`);
  const labels = data.test.y.data as Uint8Array;
  const correct = images.filter((_, i) => argmax(i) === labels[i]).length;
  console.log(`    (the model gets ${correct}/${SAMPLES} of these test samples right; first answer: ${first.label})`);
  const bad = await fetch(url, { method: 'POST', body: new Uint8Array(5) });
  check(bad.status === 400, `a 5-byte body is refused with 400 (${bad.status})`);

  const times = new Float64Array(REQUESTS);
  for (let r = 0; r < REQUESTS; r++) {
    const s = performance.now();
    await post(images[r % SAMPLES]!, 'application/octet-stream');
    times[r] = performance.now() - s;
  }
  times.sort();
  const ms = (v: number) => `${v.toFixed(2)} ms`;
  console.log(`cold start: workerd listening after ${ms(listening)}, first response after ${ms(cold)} (the first request alone: ${ms(firstMs)})`);
  console.log(`per request (${REQUESTS} sequential u8 POSTs over loopback HTTP): median ${ms(times[REQUESTS >> 1]!)}, p10 ${ms(times[Math.floor(REQUESTS * 0.1)]!)}, p90 ${ms(times[Math.floor(REQUESTS * 0.9)]!)}`);
} finally {
  child.kill('SIGTERM');
}
console.log(failures ? `${failures} check(s) failed` : 'edge worker: all checks passed');
process.exit(failures ? 1 : 0);
