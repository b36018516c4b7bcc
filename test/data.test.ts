import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import './setup.js';
import * as st from '../src/index.js';
import { gunzip } from '../src/data/gunzip.js';
import { isGzip, parseIdx, type IdxArray } from '../src/data/idx.js';
import { DataLoader, type Samples } from '../src/data/loader.js';
import { fashionMnist, readIdxFile } from '../src/node/index.js';

const TYPE_BYTE = { u8: 0x08, i8: 0x09, i16: 0x0b, i32: 0x0c, f32: 0x0d, f64: 0x0e } as const;
const SIZE = { u8: 1, i8: 1, i16: 2, i32: 4, f32: 4, f64: 8 } as const;

/** An IDX file written big-endian by DataView, independently of the parser. */
function idx(dtype: keyof typeof TYPE_BYTE, shape: number[], values: number[]): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * shape.length + values.length * SIZE[dtype]);
  const v = new DataView(bytes.buffer);
  v.setUint8(2, TYPE_BYTE[dtype]);
  v.setUint8(3, shape.length);
  shape.forEach((d, i) => v.setUint32(4 + 4 * i, d));
  const at = (i: number) => 4 + 4 * shape.length + i * SIZE[dtype];
  const set = { u8: v.setUint8, i8: v.setInt8, i16: v.setInt16, i32: v.setInt32, f32: v.setFloat32, f64: v.setFloat64 }[dtype];
  values.forEach((x, i) => set.call(v, at(i), x));
  return bytes;
}

function throwsSlim(fn: () => unknown, code: st.ErrorCode, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof st.SlimError && e.code === code && message.test(e.message));
}

async function rejectsSlim(p: Promise<unknown>, code: st.ErrorCode, message: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof st.SlimError, `expected SlimError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(e.message, message);
    return true;
  });
}

// ---- IDX ----

test('parseIdx reads every dtype big-endian into native typed arrays', () => {
  const cases: [keyof typeof TYPE_BYTE, number[], Function][] = [
    ['u8', [0, 1, 127, 128, 255, 7], Uint8Array],
    ['i8', [-128, -1, 0, 1, 127, 5], Int8Array],
    ['i16', [-32768, -2, 0, 258, 32767, 1], Int16Array],
    ['i32', [-(2 ** 31), -1, 0, 0x01020304, 2 ** 31 - 1, 9], Int32Array],
    ['f32', [-0, 1.5, -2.25, Infinity, Math.fround(0.1), Math.fround(3e38)], Float32Array],
    ['f64', [-0, 0.1, -1e300, -Infinity, Number.MIN_VALUE, 2 ** 53], Float64Array],
  ];
  for (const [dtype, values, ctor] of cases) {
    const out = parseIdx(idx(dtype, [2, 3], values));
    assert.equal(out.dtype, dtype);
    assert.deepEqual(out.shape, [2, 3]);
    assert.ok(out.data instanceof ctor, `${dtype} data is a ${ctor.name}`);
    assert.deepEqual(Array.from(out.data), values);
  }
  const be = parseIdx(new Uint8Array([0, 0, 0x0c, 1, 0, 0, 0, 1, 0x01, 0x02, 0x03, 0x04]));
  assert.equal(be.data[0], 0x01020304, 'multi-byte elements are big-endian');
  const nan = parseIdx(idx('f32', [1], [NaN]));
  assert.ok(Number.isNaN(nan.data[0]));
  assert.deepEqual(parseIdx(idx('u8', [0, 28], [])).shape, [0, 28]);
  assert.deepEqual(parseIdx(idx('u8', [], [42])), { dtype: 'u8', shape: [], data: new Uint8Array([42]) });
});

test('parseIdx reads inputs at a byte offset; u8 data is a view, wider types a native copy', () => {
  const file = idx('i16', [2], [-3, 700]);
  const padded = new Uint8Array(file.length + 3);
  padded.set(file, 3);
  const out = parseIdx(padded.subarray(3));
  assert.deepEqual(Array.from(out.data), [-3, 700]);
  const bytes = idx('u8', [2], [1, 2]);
  const u8 = parseIdx(bytes);
  assert.equal(u8.data.buffer, bytes.buffer);
  assert.deepEqual([u8.data.byteOffset, u8.data.length], [8, 2]);
  assert.notEqual(out.data.buffer, padded.buffer);
});

test('parseIdx names what is wrong: magic, type, truncation, trailing bytes, argument', () => {
  throwsSlim(() => parseIdx(new Uint8Array([1, 0, 8, 1, 0, 0, 0, 0])), 'INVALID_ARGUMENT', /parseIdx: bytes has a bad magic number: an IDX file starts with 0x00 0x00, received 0x01 0x00/);
  throwsSlim(() => parseIdx(gzipSync(idx('u8', [1], [1]))), 'INVALID_ARGUMENT', /bad magic number.*received 0x1f 0x8b \(this is gzip data: gunzip it first\)/);
  throwsSlim(() => parseIdx(new Uint8Array([0, 0, 0x0a, 0])), 'INVALID_ARGUMENT', /unknown IDX type byte: expected 0x08 \(u8\).*received 0x0a/);
  throwsSlim(() => parseIdx(new Uint8Array([0, 0])), 'INVALID_ARGUMENT', /truncated: the IDX header needs at least 4 bytes, received 2/);
  throwsSlim(() => parseIdx(new Uint8Array([0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1])), 'INVALID_ARGUMENT', /truncated: the header of 3 dims needs 16 bytes, received 12/);
  const full = idx('i32', [2, 3], [1, 2, 3, 4, 5, 6]);
  throwsSlim(() => parseIdx(full.subarray(0, full.length - 1)), 'INVALID_ARGUMENT', /truncated: a \[2, 3\] i32 IDX file needs 36 bytes, received 35/);
  const extra = new Uint8Array(full.length + 2);
  extra.set(full);
  throwsSlim(() => parseIdx(extra), 'INVALID_ARGUMENT', /bytes has 2 trailing bytes: a \[2, 3\] i32 IDX file is 36 bytes, received 38/);
  throwsSlim(() => parseIdx([0, 0, 8, 0] as never), 'INVALID_ARGUMENT', /parseIdx: bytes must be a Uint8Array, received \[0, 0, 8, 0\]/);
  throwsSlim(() => parseIdx(new Uint8Array([0, 0, 8, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])), 'INVALID_ARGUMENT', /truncated/);
});

// ---- gunzip ----

test('gunzip round-trips data compressed by node:zlib, in one chunk or many', async () => {
  assert.ok(isGzip(gzipSync(new Uint8Array(0))) && !isGzip(new Uint8Array([0x1f])) && !isGzip(idx('u8', [1], [1])));
  const small = idx('f32', [3], [1, 2, 3]);
  assert.deepEqual(await gunzip(gzipSync(small)), small);
  const big = new Uint8Array(3_000_000);
  for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24;
  assert.deepEqual(await gunzip(gzipSync(big)), big);
  assert.deepEqual(await gunzip(gzipSync(new Uint8Array(0))), new Uint8Array(0));
});

test('gunzip rejects non-gzip and corrupt data, and says to use slimtensor/node without DecompressionStream', async () => {
  await rejectsSlim(gunzip(new Uint8Array([0, 0, 8, 0])), 'INVALID_ARGUMENT', /gunzip: bytes must be gzip data \(starting 0x1f 0x8b\), received "bytes starting 0x00 0x00"/);
  await rejectsSlim(gunzip(new Uint8Array(0)), 'INVALID_ARGUMENT', /received "bytes starting \(empty\)"/);
  const gz = gzipSync(new Uint8Array(1000).fill(7));
  const corrupt = gz.slice();
  corrupt[12] ^= 0xff;
  corrupt[gz.length - 6] ^= 0xff;
  await rejectsSlim(gunzip(corrupt), 'INVALID_ARGUMENT', /gunzip: bytes is not valid gzip data/);
  await rejectsSlim(gunzip(gz.subarray(0, gz.length - 4)), 'INVALID_ARGUMENT', /gunzip: bytes is not valid gzip data/);
  const saved = globalThis.DecompressionStream;
  try {
    delete (globalThis as { DecompressionStream?: unknown }).DecompressionStream;
    await rejectsSlim(gunzip(gz), 'INVALID_ARGUMENT', /no DecompressionStream.*'slimtensor\/node'/);
    const dir = await tempDir();
    await writeFile(join(dir, 'a.gz'), gzipSync(idx('u8', [2], [3, 4])));
    assert.deepEqual(Array.from((await readIdxFile(join(dir, 'a.gz'))).data), [3, 4], 'slimtensor/node falls back to node:zlib');
    await writeFile(join(dir, 'bad.gz'), gzipSync(new Uint8Array(64)).subarray(0, 20));
    await rejectsSlim(readIdxFile(join(dir, 'bad.gz')), 'INVALID_ARGUMENT', /readIdxFile: .*bad\.gz: gunzip: bytes is not valid gzip data/);
  } finally {
    globalThis.DecompressionStream = saved;
  }
});

// ---- DataLoader ----

/** n samples of shape [2, 3]: sample i holds i*6 .. i*6+5 (mod 256), label i % 10. */
function synthetic(n: number): { images: IdxArray; labels: IdxArray } {
  const data = new Uint8Array(n * 6);
  for (let i = 0; i < data.length; i++) data[i] = i % 256;
  return { images: { dtype: 'u8', shape: [n, 2, 3], data }, labels: { dtype: 'u8', shape: [n], data: Uint8Array.from({ length: n }, (_, i) => i % 10) } };
}

/** Drains one epoch, returning each batch's shapes, x values and y values, disposing the tensors. */
function epoch(loader: Iterable<{ x: st.Tensor; y: st.Tensor | undefined }>): { shapes: number[][]; xs: number[][]; ys: number[][] } {
  const out = { shapes: [] as number[][], xs: [] as number[][], ys: [] as number[][] };
  for (const { x, y } of loader) {
    out.shapes.push([...x.shape]);
    out.xs.push(Array.from(x.toTypedArray()));
    out.ys.push(y ? Array.from(y.toTypedArray()) : []);
    x.dispose();
    y?.dispose();
  }
  return out;
}

/** One epoch of a single-use loader, which is then disposed. */
function once(loader: DataLoader<Samples | undefined>): ReturnType<typeof epoch> {
  try {
    return epoch(loader);
  } finally {
    loader.dispose();
  }
}

test('DataLoader yields f32 x [b, ...sample] scaled by 1/255 and i32 y [b], with and without dropLast', () => {
  const { images, labels } = synthetic(10);
  const loader = new DataLoader(images, { batchSize: 4, labels });
  assert.equal(loader.length, 3);
  assert.equal(loader.samples, 10);
  const seen: { x: st.Tensor; y: st.Tensor }[] = [];
  for (const batch of loader) seen.push(batch);
  assert.deepEqual(seen.map((b) => [b.x.shape, b.x.dtype, b.y.shape, b.y.dtype]), [
    [[4, 2, 3], 'f32', [4], 'i32'], [[4, 2, 3], 'f32', [4], 'i32'], [[2, 2, 3], 'f32', [2], 'i32'],
  ]);
  const expected = Array.from(images.data.subarray(48, 60), (v) => Math.fround(v * Math.fround(1 / 255)));
  assert.deepEqual(Array.from(seen[2]!.x.toTypedArray()), expected, 'f32(v × f32(1/255)), as one IEEE f32 multiply');
  assert.deepEqual(Array.from(seen[2]!.y.toTypedArray()), [8, 9]);
  for (const b of seen) { b.x.dispose(); b.y.dispose(); }
  loader.dispose();
  const dropped = new DataLoader(images, { batchSize: 4, labels, dropLast: true });
  assert.equal(dropped.length, 2);
  assert.deepEqual(once(dropped).shapes, [[4, 2, 3], [4, 2, 3]]);
  const lengthOf = (s: Parameters<typeof once>[0]) => (s.dispose(), s.length);
  assert.equal(lengthOf(new DataLoader(images, { batchSize: 5, dropLast: true })), 2);
  assert.equal(lengthOf(new DataLoader(images, { batchSize: 11 })), 1);
  assert.equal(lengthOf(new DataLoader(images, { batchSize: 11, dropLast: true })), 0);
  assert.deepEqual(once(new DataLoader({ data: new Uint8Array(0), shape: [0, 3] }, { batchSize: 2 })).shapes, []);
});

test('DataLoader converts every input dtype to f32 and honours scale', () => {
  const cases: [IdxArray['data'], number[]][] = [
    [new Int8Array([-128, 5, 127, 0]), [-128, 5, 127, 0]],
    [new Int16Array([-300, 2, 3, 4]), [-300, 2, 3, 4]],
    [new Int32Array([1 << 20, -7, 3, 4]), [1 << 20, -7, 3, 4]],
    [new Float32Array([0.5, -1.5, 2, 3]), [0.5, -1.5, 2, 3]],
    [new Float64Array([0.1, -1.5, 2, 3]), [Math.fround(0.1), -1.5, 2, 3]],
  ];
  for (const [data, values] of cases) {
    const [x] = once(new DataLoader({ data, shape: [2, 2] }, { batchSize: 2 })).xs;
    assert.deepEqual(x, values, data.constructor.name);
  }
  const [scaled] = once(new DataLoader({ data: new Uint8Array([2, 4, 6]), shape: [3] }, { batchSize: 3, scale: 0.5 })).xs;
  assert.deepEqual(scaled, [1, 2, 3]);
  const [raw] = once(new DataLoader({ data: new Uint8Array([200, 255]), shape: [2] }, { batchSize: 2, scale: 1 })).xs;
  assert.deepEqual(raw, [200, 255]);
});

test('seeded shuffling is reproducible, differs every epoch, and visits every sample exactly once', () => {
  const n = 1000;
  const images = { data: Int32Array.from({ length: n * 2 }, (_, k) => k >> 1), shape: [n, 2] };
  const labels = { data: Int32Array.from({ length: n }, (_, i) => i % 10), shape: [n] };
  const make = () => new DataLoader(images, { batchSize: 64, labels, shuffle: true, seed: 7 });
  /** The sample order of one epoch (x rows hold their index), checking rows and labels. */
  const order = (loader: Parameters<typeof once>[0], last = true) => {
    const { xs, ys } = last ? once(loader) : epoch(loader);
    const idx = xs.flatMap((x) => x.filter((_, j) => j % 2 === 0));
    assert.deepEqual(xs.flat(), idx.flatMap((i) => [i, i]), 'rows stay whole');
    assert.deepEqual([...idx].sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i), 'every sample exactly once');
    assert.deepEqual(ys.flat(), idx.map((i) => i % 10), 'labels follow their samples');
    return idx;
  };
  const [a, b] = [make(), make()];
  const epochs = [0, 1, 2].map(() => {
    const oa = order(a, false);
    assert.deepEqual(order(b, false), oa, 'same seed, same epoch → same order');
    return oa;
  });
  a.dispose();
  b.dispose();
  const identity = Array.from({ length: n }, (_, i) => i);
  assert.notDeepEqual(epochs[0], identity);
  assert.notDeepEqual(epochs[0], epochs[1]);
  assert.notDeepEqual(epochs[1], epochs[2]);
  assert.notDeepEqual(order(new DataLoader(images, { batchSize: 64, labels, shuffle: true, seed: 8 })), epochs[0], 'another seed, another order');
  assert.deepEqual(order(new DataLoader(images, { batchSize: 64, labels, shuffle: true, rng: new st.Rng(7) })), epochs[0], 'rng: new Rng(7) ≡ seed: 7');
  assert.deepEqual(order(new DataLoader(images, { batchSize: 64, labels, seed: 7 })), identity, 'no shuffle: in order');
});

test('the transform hook runs per batch and its temporaries are freed', () => {
  const { images, labels } = synthetic(10);
  const before = st.memoryStats().tensors;
  const loader = new DataLoader(images, {
    batchSize: 4, labels, dropLast: true,
    transform: (x, y) => ({ x: st.reshape(st.mul(x, 255), [x.shape[0]!, 6]), y: y && st.add(st.cast(y, 'f32'), 100) }),
  });
  const out = once(loader);
  assert.deepEqual(out.shapes, [[4, 6], [4, 6]]);
  assert.deepEqual(out.ys, [[100, 101, 102, 103], [104, 105, 106, 107]]);
  assert.deepEqual(out.xs[1]!.map(Math.round), Array.from({ length: 24 }, (_, i) => 24 + i));
  const keepsY = new DataLoader(images, { batchSize: 10, labels, transform: (x) => ({ x: st.neg(x) }) });
  assert.deepEqual(once(keepsY).ys, [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]], 'an omitted y keeps the labels');
  assert.equal(st.memoryStats().tensors, before);
  const bad = new DataLoader(images, { batchSize: 4, transform: () => ({ x: 1 }) as never });
  throwsSlim(() => once(bad), 'INVALID_ARGUMENT', /DataLoader: transform must be a function returning \{ x: Tensor, y\?: Tensor \}/);
  assert.equal(st.memoryStats().tensors, before, 'a failing transform leaks nothing');
});

test('DataLoader leaks no tensor when the caller disposes, tidies, or breaks early', () => {
  const { images, labels } = synthetic(300);
  const before = st.memoryStats();
  const loader = st.tidy(() => new DataLoader(images, { batchSize: 32, labels, shuffle: true, seed: 1 }));
  assert.equal(st.memoryStats().tensors, before.tensors + 2, 'the loader holds its samples and labels, even made in tidy');
  for (let e = 0; e < 3; e++) epoch(loader);
  st.tidy(() => {
    for (const { x, y } of loader) st.sum(st.mul(x, st.cast(y, 'f32').shape.length));
  });
  for (const { x, y } of loader) {
    st.tidy(() => { st.mean(x); });
    x.dispose();
    y.dispose();
    break;
  }
  assert.equal(st.memoryStats().tensors, before.tensors + 2);
  loader.dispose();
  loader.dispose();
  const afterStats = st.memoryStats();
  assert.equal(afterStats.tensors, before.tensors);
  assert.equal(afterStats.bytes, before.bytes);
  assert.throws(() => loader[Symbol.iterator]().next(), (e: unknown) => e instanceof st.SlimError && e.code === 'DISPOSED' && /DataLoader: the loader was disposed/.test(e.message));
});

test('DataLoader validates its arguments', () => {
  const { images, labels } = synthetic(4);
  throwsSlim(() => new DataLoader(images, { batchSize: 0 }), 'INVALID_ARGUMENT', /DataLoader: batchSize must be a positive integer, received 0/);
  throwsSlim(() => new DataLoader(images, undefined as never), 'INVALID_ARGUMENT', /DataLoader: options must be an object with batchSize/);
  throwsSlim(() => new DataLoader({ data: [1, 2] as never, shape: [2] }, { batchSize: 1 }), 'INVALID_ARGUMENT', /inputs.data must be a Uint8Array/);
  throwsSlim(() => new DataLoader({ data: new Uint8Array(5), shape: [2, 3] }, { batchSize: 1 }), 'SHAPE_MISMATCH', /inputs.shape \[2, 3\] holds 6 elements, but inputs.data has 5/);
  throwsSlim(() => new DataLoader({ data: new Uint8Array(5), shape: [] }, { batchSize: 1 }), 'INVALID_ARGUMENT', /inputs.shape must be an array of non-negative integers with the samples first/);
  throwsSlim(() => new DataLoader(images, { batchSize: 1, labels: { data: new Uint8Array(3), shape: [3] } }), 'SHAPE_MISMATCH', /labels must hold one label per sample, shape \[4\], received shape \[3\]/);
  throwsSlim(() => new DataLoader(images, { batchSize: 1, labels: { data: new Float32Array(4), shape: [4] } }), 'INVALID_ARGUMENT', /labels.data must be integers/);
  throwsSlim(() => new DataLoader(images, { batchSize: 1, labels, scale: NaN }), 'INVALID_ARGUMENT', /scale must be a finite number, received NaN/);
  throwsSlim(() => new DataLoader(images, { batchSize: 1, shuffle: true, rng: {} as never }), 'INVALID_ARGUMENT', /rng must be an Rng/);
  throwsSlim(() => new DataLoader(images, { batchSize: 1, shuffle: true, seed: -1 }), 'INVALID_ARGUMENT', /seed/);
});

// ---- fashionMnist ----

const temps: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'slimtensor-data-'));
  temps.push(dir);
  return dir;
}
after(() => Promise.all(temps.map((d) => rm(d, { recursive: true, force: true }))));

const NAMES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

/** The four files of a tiny Fashion-MNIST with `n` training and 2 test samples (pixel = n). */
function tinyFiles(n: number): Uint8Array[] {
  const images = (m: number) => idx('u8', [m, 28, 28], new Array(m * 784).fill(n));
  const labels = (m: number) => idx('u8', [m], Array.from({ length: m }, (_, i) => i % 10));
  return [images(n), labels(n), images(2), labels(2)];
}

/** Writes the tiny set into a new temp dir; file k is gzipped when gz[k]. */
async function tinyDir(n: number, gz = [true, false, false, true]): Promise<string> {
  const dir = await tempDir();
  await Promise.all(tinyFiles(n).map((b, k) => writeFile(join(dir, NAMES[k]! + (gz[k] ? '.gz' : '')), gz[k] ? gzipSync(b) : b)));
  return dir;
}

async function withEnv<T>(value: string | undefined, body: () => Promise<T>): Promise<T> {
  const saved = process.env.FASHION_MNIST_DIR;
  if (value === undefined) delete process.env.FASHION_MNIST_DIR;
  else process.env.FASHION_MNIST_DIR = value;
  try {
    return await body();
  } finally {
    if (saved === undefined) delete process.env.FASHION_MNIST_DIR;
    else process.env.FASHION_MNIST_DIR = saved;
  }
}

test('fashionMnist searches the path option, then FASHION_MNIST_DIR, then the system directory', async () => {
  const [explicit, env, system, empty] = [await tinyDir(3), await tinyDir(4, [false, false, false, false]), await tinyDir(5, [true, true, true, true]), await tempDir()];
  const n = async (o: Parameters<typeof fashionMnist>[0]) => (await fashionMnist(o)).train.images.shape[0];
  await withEnv(env, async () => {
    assert.equal(await n({ path: explicit, systemDir: system }), 3);
    assert.equal(await n({ systemDir: system }), 4);
    assert.equal(await n({ path: empty, systemDir: system }), 4, 'a path without the files falls through');
  });
  await withEnv(undefined, async () => {
    assert.equal(await n({ path: explicit, systemDir: system }), 3);
    assert.equal(await n({ systemDir: system }), 5);
    const data = await fashionMnist({ path: explicit });
    assert.deepEqual([data.train.images.shape, data.train.labels.shape, data.test.images.shape, data.test.labels.shape], [[3, 28, 28], [3], [2, 28, 28], [2]]);
    assert.deepEqual([data.train.images.dtype, data.test.labels.dtype], ['u8', 'u8']);
  });
});

test('readIdxFile reads plain and gzip files by their magic number, naming the file in errors', async () => {
  const dir = await tempDir();
  const file = idx('i16', [2, 2], [1, -2, 300, -400]);
  await writeFile(join(dir, 'plain.gz'), file);
  await writeFile(join(dir, 'packed'), gzipSync(file));
  for (const name of ['plain.gz', 'packed']) assert.deepEqual(Array.from((await readIdxFile(join(dir, name))).data), [1, -2, 300, -400]);
  await writeFile(join(dir, 'junk'), new Uint8Array([0, 0, 0x0a, 0]));
  await rejectsSlim(readIdxFile(join(dir, 'junk')), 'INVALID_ARGUMENT', /readIdxFile: .*junk: parseIdx: bytes has an unknown IDX type byte/);
  await rejectsSlim(readIdxFile(join(dir, 'missing')), 'INVALID_ARGUMENT', /readIdxFile: path .*missing cannot be read: ENOENT/);
  await rejectsSlim(readIdxFile(3 as never), 'INVALID_ARGUMENT', /readIdxFile: path must be a string, received 3/);
});

test('fashionMnist without the files lists the places searched and the fixes', async () => {
  const partial = await tempDir();
  await writeFile(join(partial, NAMES[0]!), tinyFiles(1)[0]!);
  await withEnv(undefined, () => rejectsSlim(fashionMnist({ path: partial, systemDir: join(partial, 'nope'), cacheDir: '/cache/here' }), 'INVALID_ARGUMENT',
    new RegExp(`were not found. Searched:\\n  - the path option ${partial}: missing train-labels-idx1-ubyte\\[\\.gz\\], t10k-images.*\\n  - FASHION_MNIST_DIR: not set\\n  - the system directory ${partial}/nope: does not exist\\nFix: set FASHION_MNIST_DIR.*apt-get install dataset-fashion-mnist.*\\{ download: true \\} to fetch them into /cache/here`)));
  const swapped = await tinyDir(2, [false, false, false, false]);
  await writeFile(join(swapped, NAMES[1]!), idx('u8', [3], [0, 1, 2]));
  await rejectsSlim(fashionMnist({ path: swapped }), 'INVALID_ARGUMENT', /train-images-idx3-ubyte and train-labels-idx1-ubyte must be u8 images \[n, 28, 28\] and u8 labels \[n\], received u8 \[2, 28, 28\] and u8 \[3\]/);
  await writeFile(join(swapped, NAMES[2]!), idx('u8', [2], [0, 1]).subarray(0, 9));
  await rejectsSlim(fashionMnist({ path: swapped }), 'INVALID_ARGUMENT', /readIdxFile: .*t10k-images-idx3-ubyte: parseIdx: bytes is truncated/);
});

/** A loopback server of gzipped files by name; anything else is 404. */
async function serve(files: Map<string, Uint8Array>): Promise<{ url: string; requests: string[]; server: Server }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url!);
    const body = files.get(req.url!.slice(1));
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/octet-stream' }).end(body ?? 'not found');
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, requests, server };
}

test('fashionMnist downloads into the cache atomically, then reuses it; a 404 leaves no partial file', async () => {
  const gz = tinyFiles(6).map((b) => gzipSync(b));
  const files = new Map(NAMES.slice(0, 3).map((name, k) => [`${name}.gz`, gz[k]!]));
  files.set(`${NAMES[1]}.gz`, gzipSync(new Uint8Array([1, 2, 3])));
  const { url, requests, server } = await serve(files);
  try {
    const cacheDir = join(await tempDir(), 'nested', 'cache');
    const opts = { download: true, cacheDir, baseUrl: url, systemDir: join(cacheDir, 'none') };
    await withEnv(undefined, async () => {
      await rejectsSlim(fashionMnist(opts), 'INVALID_ARGUMENT', /the download of http:\/\/127\.0\.0\.1:\d+\/train-labels-idx1-ubyte\.gz: parseIdx: bytes is truncated/);
      assert.deepEqual(await readdir(cacheDir), [`${NAMES[0]}.gz`], 'a download that does not parse is not written');
      files.set(`${NAMES[1]}.gz`, gz[1]!);
      await rejectsSlim(fashionMnist(opts), 'INVALID_ARGUMENT', new RegExp(`downloading ${url}t10k-labels-idx1-ubyte.gz failed: expected HTTP 200, received 404`));
      assert.deepEqual((await readdir(cacheDir)).sort(), NAMES.slice(0, 3).map((n) => `${n}.gz`).sort(), 'no partial or temp file after a 404');
      files.set(`${NAMES[3]}.gz`, gz[3]!);
      requests.length = 0;
      let fetched = 0;
      const data = await fashionMnist({ ...opts, fetch: (u, i) => (fetched++, fetch(u, i)) });
      assert.deepEqual(requests, [`/${NAMES[3]}.gz`], 'only the missing file is fetched');
      assert.equal(fetched, 1, 'through options.fetch');
      assert.deepEqual([data.train.images.shape, data.test.labels.shape], [[6, 28, 28], [2]]);
      assert.equal(data.train.images.data[100], 6);
      assert.deepEqual((await readdir(cacheDir)).sort(), NAMES.map((n) => `${n}.gz`).sort());
      requests.length = 0;
      assert.deepEqual((await fashionMnist(opts)).train.labels.data, data.train.labels.data);
      assert.deepEqual(requests, [], 'a full cache needs no network');
    });
  } finally {
    server.close();
  }
});

test('fashionMnist reports an unreachable server', async () => {
  const { url, server } = await serve(new Map());
  server.close();
  const cacheDir = join(await tempDir(), 'c');
  await withEnv(undefined, () => rejectsSlim(fashionMnist({ download: true, cacheDir, baseUrl: url.slice(0, -1), systemDir: cacheDir }), 'INVALID_ARGUMENT', /downloading http:\/\/127\.0\.0\.1:\d+\/train-images-idx3-ubyte\.gz failed/));
  assert.deepEqual(await readdir(cacheDir), []);
});

const REAL = [process.env.FASHION_MNIST_DIR, '/work/shared/data/fashion-mnist'].find((d) => d && existsSync(d));

test('the real Fashion-MNIST files load with 60000/10000 samples and labels 0..9', { skip: REAL ? false : 'no FASHION_MNIST_DIR or /work/shared/data/fashion-mnist' }, async () => {
  const data = await fashionMnist({ path: REAL });
  assert.deepEqual([data.train.images.shape, data.train.labels.shape, data.test.images.shape, data.test.labels.shape], [[60000, 28, 28], [60000], [10000, 28, 28], [10000]]);
  for (const { labels } of [data.train, data.test]) {
    const counts = new Array(10).fill(0);
    for (const l of labels.data) counts[l]++;
    assert.equal(counts.reduce((a, b) => a + b), labels.shape[0], 'every label is in 0..9');
    assert.ok(counts.every((c) => c === labels.shape[0]! / 10), 'Fashion-MNIST is balanced');
  }
  const loader = new DataLoader(data.train.images, { batchSize: 128, labels: data.train.labels, shuffle: true, seed: 0 });
  assert.equal(loader.length, 469);
  const { x, y } = loader[Symbol.iterator]().next().value!;
  assert.deepEqual([x.shape, y.shape], [[128, 28, 28], [128]]);
  st.tidy(() => assert.ok(st.max(x).item() <= 1 && st.min(x).item() >= 0));
  x.dispose();
  y.dispose();
  loader.dispose();
});
