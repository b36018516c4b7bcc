// The slimtensor CLI end to end: each command on small fixtures, and every kind of bad input gives
// one line on stderr, a non-zero exit, no stack trace and no output file. Ctrl-C exits 130.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as st from '../src/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(root, 'src/cli/main.ts');
const dir = mkdtempSync(join(tmpdir(), 'slimtensor-cli-'));
const p = (name: string) => join(dir, name);

interface Run { code: number | null; signal: string | null; stdout: string; stderr: string }

function cli(args: string[], o: { onStderr?: (text: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<Run> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => { stdout += b; });
    child.stderr.on('data', (b) => { stderr += b; o.onStderr?.(stderr, child); });
    child.on('close', (code, signal) => done({ code, signal, stdout, stderr }));
  });
}

/** An IDX file: u8 elements of `dims`. */
function idx(dims: number[], data: Uint8Array): Uint8Array {
  const head = new Uint8Array(4 + 4 * dims.length);
  head[2] = 0x08;
  head[3] = dims.length;
  const v = new DataView(head.buffer);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  return new Uint8Array([...head, ...data]);
}

/** A .npy v1 file of f32 values. */
function npy(shape: number[], data: Float32Array): Uint8Array {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')},), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const out = new Uint8Array(10 + header.length + data.byteLength);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, header.length & 255, header.length >> 8]);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer), 10 + header.length);
  return out;
}

/** One line, the program's prefix, no stack frames. */
function oneLineError(r: Run, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line on stderr, received: ${r.stderr}`);
  assert.match(lines[0]!, /^slimtensor: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at |\.ts:\d+/);
}

// The subtests run 4 at a time: another one's output may be mid-write, so look only at this test's outputs.
const noLeftovers = (...outputs: string[]) => assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp') && outputs.some((o) => f.startsWith(`.${o}.`))), [], 'no temp files left behind');

before(async () => {
  await st.init();
  const rng = new st.Rng(3);
  const model = new st.Sequential(new st.Linear(784, 32, { rng }), new st.ReLU(), new st.Linear(32, 10, { rng }));
  // A quarter of the first layer's rows zeroed: inspect must report 8·784 / (32·784 + 32·10) zeros there.
  st.assign(model.layers[0]!.namedParameters()[0]![1], st.tidy(() => st.mul(model.layers[0]!.namedParameters()[0]![1], st.concat([st.zeros([8, 784]), st.ones([24, 784])], 0))));
  writeFileSync(p('model.safetensors'), st.saveSafetensors(model.stateDict()));
  model.dispose();
  const images = new Uint8Array(64 * 784);
  for (let i = 0; i < images.length; i++) images[i] = rng.int(256);
  writeFileSync(p('calib.idx'), idx([64, 28, 28], images));
  writeFileSync(p('labels.idx'), idx([64], Uint8Array.from({ length: 64 }, (_, i) => i % 10)));
  writeFileSync(p('calib.npy'), npy([16, 784], Float32Array.from({ length: 16 * 784 }, (_, i) => (i % 97) / 97)));
  writeFileSync(p('small.idx'), idx([10, 20, 20], new Uint8Array(4000)));
  writeFileSync(p('text.safetensors'), 'this is not a model\n');
  writeFileSync(p('arch.json'), JSON.stringify({ input: [784], layers: [{ type: 'linear', in: 784, out: 32 }, { type: 'relu' }, { type: 'linear', in: 32, out: 10 }] }));
  writeFileSync(p('bad-arch.json'), JSON.stringify({ input: [784], layers: [{ type: 'linear', in: 784, out: 32 }, { type: 'linear', in: 16, out: 10 }] }));
});

after(() => rmSync(dir, { recursive: true, force: true }));

const compressArgs = (out: string, ...extra: string[]) => ['compress', p('model.safetensors'), '--arch', '784-32-10', '--calib', p('calib.idx'), '--int8', '--out', p(out), ...extra];

describe('slimtensor CLI', { concurrency: 4 }, () => {
  it('compress --int8 writes a quantized file that eval and inspect read', async () => {
    const r = await cli([...compressArgs('q8.safetensors', '--json')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', '--json is quiet on stderr');
    const summary = JSON.parse(r.stdout);
    assert.equal(summary.technique, 'int8');
    assert.equal(summary.bytes, readFileSync(p('q8.safetensors')).length);
    assert.ok(summary.smaller > 3.5, `int8 is ${summary.smaller}× smaller`);
    const e = await cli(['eval', p('q8.safetensors'), '--data', p('calib.idx'), '--labels', p('labels.idx'), '--json']);
    assert.equal(e.code, 0, e.stderr);
    const ev = JSON.parse(e.stdout);
    assert.equal(ev.kind, 'quantized');
    assert.equal(ev.samples, 64);
    assert.ok(ev.accuracy >= 0 && ev.accuracy <= 100 && ev.latencyMs > 0);
    const i = await cli(['inspect', p('q8.safetensors')]);
    assert.equal(i.code, 0, i.stderr);
    assert.match(i.stdout, /quantized slimtensor model \(ptq\): input \[784\] → output \[10\]/);
    assert.match(i.stdout, /\bI8\b.*\[32, 784\]/);
  });

  it('compress --prune and --binary write sparse and 1-bit files that eval and inspect read without --arch', async () => {
    for (const [flag, kind, extra] of [['--prune', 'sparse', ['--sparsity', '0.9']], ['--binary', 'binary', []]] as const) {
      const out = `${kind}.safetensors`;
      const r = await cli(['compress', p('model.safetensors'), '--arch', '784-32-10', '--calib', p('calib.idx'), flag, ...extra, '--data', p('calib.idx'), '--labels', p('labels.idx'), '--epochs', '1', '--out', p(out), '--json']);
      assert.equal(r.code, 0, r.stderr);
      const summary = JSON.parse(r.stdout);
      assert.ok(summary.smaller > (kind === 'sparse' ? 4 : 20), `${kind} is ${summary.smaller}× smaller`);
      const e = await cli(['eval', p(out), '--data', p('calib.idx'), '--labels', p('labels.idx'), '--json']);
      assert.equal(e.code, 0, e.stderr);
      assert.equal(JSON.parse(e.stdout).kind, kind);
      const i = await cli(['inspect', p(out)]);
      assert.equal(i.code, 0, i.stderr);
    }
  });

  it('compress --int4 with .npy calibration, a JSON arch, and inspect of the f32 file', async () => {
    const r = await cli(['compress', p('model.safetensors'), '--arch', p('arch.json'), '--calib', p('calib.npy'), '--int4', '--out', p('q4.safetensors')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^int4: .* → .*q4\.safetensors [\d,]+ bytes \([\d.]+× smaller\)/);
    const i = await cli(['inspect', p('model.safetensors'), '--json']);
    const info = JSON.parse(i.stdout);
    const w0 = info.tensors.find((t: { name: string }) => t.name === '0.weight');
    assert.deepEqual(w0.shape, [32, 784]);
    assert.equal(w0.sparsity, 0.25);
    assert.equal(w0.bytes, 32 * 784 * 4);
  });

  it('one line and a non-zero exit for each kind of bad input, and no output file', async () => {
    const cases: [string[], number, RegExp][] = [
      [['compress', p('missing.safetensors'), '--arch', '784-32-10', '--calib', p('calib.idx'), '--int8', '--out', p('o1')], 1, /no such file .*missing\.safetensors/],
      [['compress', p('text.safetensors'), '--arch', '784-32-10', '--calib', p('calib.idx'), '--int8', '--out', p('o2')], 1, /not a safetensors file/],
      [compressArgs('o3').map((a) => (a === '784-32-10' ? '784-16-10' : a)), 1, /does not match --arch 784-16-10: .*'0\.weight': expected \[16, 784\]/],
      [compressArgs('o4').map((a) => (a === p('calib.idx') ? p('small.idx') : a)), 1, /--calib: samples of shape \[20, 20\] \(400 values\) do not fit the model input \[784\]/],
      [compressArgs('o5').map((a) => (a === p('calib.idx') ? p('text.safetensors') : a)), 1, /--calib: .* is not an IDX, \.npy or safetensors file/],
      [[...compressArgs('o6'), '--fast'], 2, /unknown option --fast/],
      [compressArgs('o7').map((a) => (a === '784-32-10' ? 'big-model' : a)), 1, /--arch: "big-model" is neither an MLP spec/],
      [compressArgs('o8').map((a) => (a === '784-32-10' ? p('bad-arch.json') : a)), 1, /--arch: .* does not fit together/],
      [compressArgs('o9').map((a) => (a === '--int8' ? '--qat' : a)), 2, /--qat trains the model: give labeled training data/],
      [['eval', p('model.safetensors'), '--arch', '784-32-10', '--data', p('calib.idx'), '--labels', p('calib.idx')], 1, /--labels: expected 64 labels .* received shape \[64, 28, 28\]/],
      [['frobnicate'], 2, /unknown command "frobnicate"/],
      [['inspect', p('calib.idx')], 1, /is not a safetensors file/],
    ];
    const runs = await Promise.all(cases.map(([args]) => cli(args)));
    runs.forEach((r, i) => oneLineError(r, cases[i]![1], cases[i]![2]));
    for (let k = 1; k <= 9; k++) assert.ok(!existsSync(p(`o${k}`)), `o${k} not written`);
    noLeftovers(...Array.from({ length: 9 }, (_, k) => `o${k + 1}`));
  });

  it('demo --quick --json on the synthetic set: one JSON document, a row per technique, and the report', async () => {
    const r = await cli(['demo', '--synthetic', '--quick', '--only', 'int8,int4', '--json', '--report', p('report.html')]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const d = JSON.parse(r.stdout);
    assert.deepEqual(d.rows.map((x: { technique: string }) => x.technique), ['f32', 'int8', 'int4']);
    for (const row of d.rows) assert.ok(row.accuracy > 10 && row.bytes > 0 && row.latencyMs > 0 && row.faster > 0, JSON.stringify(row));
    assert.ok(d.rows[1].smaller > 3.5 && d.rows[2].smaller > 6.5);
    assert.ok(d.sensitivity.length >= 3, 'sensitivity of each Linear layer');
    const html = readFileSync(p('report.html'), 'utf8');
    for (const id of ['pareto', 'sparsity', 'sensitivity']) assert.match(html, new RegExp(`<svg id="${id}"`));
    assert.match(html, /No pruning results/);
    assert.doesNotMatch(html, /<script|src="http|href="http/);
  });

  it('Ctrl-C during training exits 130 and writes no report', async () => {
    let sent = false;
    const r = await cli(['demo', '--synthetic', '--quick', '--report', p('interrupted.html')], {
      onStderr: (text, child) => { if (!sent && /epoch 1\/2: loss/.test(text)) { sent = true; child.kill('SIGINT'); } },
    });
    assert.ok(sent, `saw the first epoch: ${r.stderr}`);
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /slimtensor: interrupted; nothing was written\n$/);
    assert.ok(!existsSync(p('interrupted.html')));
    noLeftovers('interrupted.html');
  });
});
