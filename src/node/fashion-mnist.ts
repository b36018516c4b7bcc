/// <reference types="node" />
// (tsconfig.build.json sets "types": [] to keep the universal entry free of Node; this subpath opts in.)
// Fashion-MNIST (Xiao et al. 2017, https://github.com/zalandoresearch/fashion-mnist): 70 000 u8
// 28×28 grey images of 10 clothing classes, as four IDX files, found on disk or downloaded once.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SlimError, invalid, optionsOf } from '../errors.js';
import { gunzip } from '../data/gunzip.js';
import { isGzip, parseIdx, type IdxArray } from '../data/idx.js';

export interface FashionMnistSplit {
  /** u8 [n, 28, 28], pixel values 0..255. */
  images: IdxArray;
  /** u8 [n], classes 0..9. */
  labels: IdxArray;
}

/** The 60 000 training and 10 000 test samples. */
export interface FashionMnist {
  train: FashionMnistSplit;
  test: FashionMnistSplit;
}

export interface FashionMnistOptions {
  /** A directory holding the four files (plain or .gz); searched first. */
  path?: string;
  /** Download the files into `cacheDir` when no searched directory has them (default false). */
  download?: boolean;
  /** Where downloads go (default `$XDG_CACHE_HOME/slimtensor/fashion-mnist` or `~/.cache/slimtensor/fashion-mnist`). */
  cacheDir?: string;
  /** Base URL of the .gz files (default FASHION_MNIST_URL). */
  baseUrl?: string;
  /** The fetch used for downloads (default globalThis.fetch). */
  fetch?: typeof fetch;
  /** @internal The system directory searched last (tests point it at a temp dir). */
  systemDir?: string;
}

/** Where the official .gz files are served. */
export const FASHION_MNIST_URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/';
/** Where the `dataset-fashion-mnist` system package installs the files. */
export const FASHION_MNIST_SYSTEM_DIR = '/usr/share/datasets/fashion-mnist';

const FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'] as const;

/** Inflates gzip bytes: DecompressionStream when the runtime has it, else node:zlib. */
async function inflate(bytes: Uint8Array): Promise<Uint8Array> {
  if (typeof DecompressionStream === 'function') return gunzip(bytes);
  try {
    return gunzipSync(bytes);
  } catch (e) {
    throw new SlimError('INVALID_ARGUMENT', `gunzip: bytes is not valid gzip data (${(e as Error).message}), received ${bytes.length} bytes`);
  }
}

/** Parses IDX bytes (gunzipping them first when they are gzip), naming `source` in errors. */
async function decode(bytes: Uint8Array, source: string): Promise<IdxArray> {
  try {
    return parseIdx(isGzip(bytes) ? await inflate(bytes) : bytes);
  } catch (e) {
    if (e instanceof SlimError) throw new SlimError(e.code, `${source}: ${e.message}`);
    throw e;
  }
}

/** Reads an IDX file, plain or gzip-compressed (detected by its magic number, not its name). */
export async function readIdxFile(path: string): Promise<IdxArray> {
  if (typeof path !== 'string') invalid('readIdxFile', 'path', 'a string', path);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new SlimError('INVALID_ARGUMENT', `readIdxFile: path ${path} cannot be read: ${(e as Error).message}`);
  }
  return decode(bytes, `readIdxFile: ${path}`);
}

/** The path of `name` or `name.gz` in `dir`, or undefined. */
function locate(dir: string, name: string): string | undefined {
  return [join(dir, name), join(dir, `${name}.gz`)].find((p) => existsSync(p));
}

function defaultCacheDir(): string {
  const xdg = process.env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'slimtensor', 'fashion-mnist');
}

/** Checks images u8 [n, 28, 28] against labels u8 [n], naming the files. */
function split(images: IdxArray, labels: IdxArray, names: string): FashionMnistSplit {
  const [n, h, w] = images.shape;
  if (images.dtype !== 'u8' || labels.dtype !== 'u8' || images.shape.length !== 3 || h !== 28 || w !== 28 || labels.shape.length !== 1 || labels.shape[0] !== n) {
    throw new SlimError('INVALID_ARGUMENT', `fashionMnist: ${names} must be u8 images [n, 28, 28] and u8 labels [n], received ${images.dtype} [${images.shape.join(', ')}] and ${labels.dtype} [${labels.shape.join(', ')}]`);
  }
  return { images, labels };
}

/** The four arrays in FILES order → the two checked splits. */
function assemble([a, b, c, d]: IdxArray[]): FashionMnist {
  return { train: split(a!, b!, `${FILES[0]} and ${FILES[1]}`), test: split(c!, d!, `${FILES[2]} and ${FILES[3]}`) };
}

/**
 * Fashion-MNIST as u8 IDX arrays, from the first of `path`, `$FASHION_MNIST_DIR` and
 * /usr/share/datasets/fashion-mnist holding the four files, else (with `download: true`) from the
 * official URLs into `cacheDir`, each file verified and written atomically.
 */
export async function fashionMnist(options: FashionMnistOptions = {}): Promise<FashionMnist> {
  const fn = 'fashionMnist';
  options = optionsOf(fn, options);
  const { path, download = false, baseUrl = FASHION_MNIST_URL, systemDir = FASHION_MNIST_SYSTEM_DIR } = options;
  const env = process.env.FASHION_MNIST_DIR;
  const places: [string, string | undefined][] = [['the path option', path], ['FASHION_MNIST_DIR', env || undefined], ['the system directory', systemDir]];
  const searched: string[] = [];
  for (const [what, dir] of places) {
    if (dir === undefined) {
      searched.push(`  - ${what}: not set`);
      continue;
    }
    const found = FILES.map((name) => locate(dir, name));
    if (found.every((p) => p !== undefined)) return assemble(await Promise.all(found.map((p) => readIdxFile(p!))));
    const missing = FILES.filter((_, i) => found[i] === undefined).map((name) => `${name}[.gz]`);
    searched.push(`  - ${what} ${dir}: ${existsSync(dir) ? `missing ${missing.join(', ')}` : 'does not exist'}`);
  }
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  if (!download) {
    throw new SlimError('INVALID_ARGUMENT', `${fn}: the Fashion-MNIST files (${FILES.join(', ')}, plain or .gz) were not found. Searched:\n${searched.join('\n')}\n`
      + `Fix: set FASHION_MNIST_DIR to a directory holding them, run \`apt-get install dataset-fashion-mnist\`, or pass { download: true } to fetch them into ${cacheDir}`);
  }
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== 'function') throw new SlimError('INVALID_ARGUMENT', `${fn}: options.fetch must be a function when the runtime has no global fetch, received ${typeof fetchFn}`);
  await mkdir(cacheDir, { recursive: true });
  const arrays: IdxArray[] = [];
  for (const name of FILES) {
    const cached = locate(cacheDir, name);
    arrays.push(cached ? await readIdxFile(cached) : await fetchInto(cacheDir, name, baseUrl, fetchFn));
  }
  return assemble(arrays);
}

/** Downloads `name.gz`, checks it parses, then writes it to `dir` atomically (temp file + rename). */
async function fetchInto(dir: string, name: string, baseUrl: string, fetchFn: typeof fetch): Promise<IdxArray> {
  const url = `${baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`}${name}.gz`;
  const failed = (why: string) => new SlimError('INVALID_ARGUMENT', `fashionMnist: downloading ${url} failed: ${why}`);
  let bytes: Uint8Array;
  try {
    const res = await fetchFn(url);
    if (!res.ok) throw failed(`expected HTTP 200, received ${res.status} ${res.statusText}`);
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    throw e instanceof SlimError ? e : failed((e as Error).message);
  }
  const array = await decode(bytes, `fashionMnist: the download of ${url}`);
  const dest = join(dir, `${name}.gz`);
  const tmp = `${dest}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, dest);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
  return array;
}
