/**
 * ONNX Runtime Web adapter (the WebAssembly execution provider, run under Node).
 *
 * - onnxruntime-web 1.30 ships a single CPU/wasm build, `ort-wasm-simd-threaded.{mjs,wasm}`: SIMD is
 *   always on (there is no non-SIMD binary any more); threading is a runtime choice. With
 *   env.wasm.numThreads = 1 ORT initialises the module without a pthread pool (no Worker is started).
 * - env.wasm.wasmPaths is pinned to those two files (file: URLs; ORT reads them with fs in Node), so
 *   the JSEP / asyncify / JSPI variants that sit next to them can never be picked up.
 * - Each model is one node with B (and zero points) as initializers, so ORT pre-packs the weight at
 *   session creation, as it does for a real model. Session and input tensor are created once.
 */
import type * as Ort from 'onnxruntime-web';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensurePeers, installedVersion, packageDir, PEER_PACKAGES } from './ensure.js';
import { matMulIntegerModel, matMulIntegerS8Model, matMulModel } from './onnx.js';
import type { PeerCase } from './tfjs.js';

export type { PeerCase } from './tfjs.js';

type OrtModule = typeof Ort;

export interface OrtRuntimeInfo {
  /** The .mjs glue and .wasm binary ORT was pointed at. */
  wasmMjs: string;
  wasmBinary: string;
  numThreads: number;
  simd: boolean | string | undefined;
  proxy: boolean | undefined;
}

const ORT_BASENAME = 'ort-wasm-simd-threaded';

let loaded: Promise<{ ort: OrtModule; info: OrtRuntimeInfo }> | undefined;

async function init(): Promise<{ ort: OrtModule; info: OrtRuntimeInfo }> {
  ensurePeers();
  const ort: OrtModule = await import('onnxruntime-web');
  const distDir = path.join(packageDir('onnxruntime-web'), 'dist');
  const mjs = path.join(distDir, `${ORT_BASENAME}.mjs`);
  const wasm = path.join(distDir, `${ORT_BASENAME}.wasm`);

  ort.env.wasm.numThreads = 1;
  ort.env.wasm.simd = true; // informational in 1.30 (SIMD-only build); kept for older versions
  ort.env.wasm.proxy = false; // run in this thread, no proxy worker
  ort.env.wasm.wasmPaths = { mjs: pathToFileURL(mjs).href, wasm: pathToFileURL(wasm).href };
  ort.env.logLevel = 'error';

  const info: OrtRuntimeInfo = {
    wasmMjs: mjs,
    wasmBinary: wasm,
    numThreads: ort.env.wasm.numThreads,
    simd: ort.env.wasm.simd,
    proxy: ort.env.wasm.proxy,
  };
  return { ort, info };
}

function load(): Promise<{ ort: OrtModule; info: OrtRuntimeInfo }> {
  loaded ??= init();
  return loaded;
}

/** Settings ORT was started with (which files, thread count). Valid after the first session. */
export async function ortInfo(): Promise<OrtRuntimeInfo> {
  const { ort, info } = await load();
  // ORT may lower numThreads during its own init (e.g. if threads are unavailable); report the live value.
  return { ...info, numThreads: ort.env.wasm.numThreads ?? info.numThreads };
}

type OrtInputType = 'float32' | 'uint8' | 'int8';

async function ortCase(
  model: Uint8Array,
  type: OrtInputType,
  a: Float32Array | Uint8Array | Int8Array,
  m: number,
  k: number,
  n: number,
): Promise<PeerCase> {
  const { ort } = await load();
  const session = await ort.InferenceSession.create(model, {
    executionProviders: ['wasm'],
    graphOptimizationLevel: 'all',
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  // ORT-web keeps the data as given for CPU tensors: copy so later mutation of `a` cannot leak in.
  const input = new ort.Tensor(type, a.slice() as never, [m, k]);
  const feeds = { A: input };
  const check = (out: Ort.InferenceSession.ReturnType): Ort.Tensor => {
    const c = out.C;
    if (!c || c.dims.length !== 2 || c.dims[0] !== m || c.dims[1] !== n) {
      throw new Error(`ort: unexpected output ${c ? `[${c.dims.join(',')}]` : 'missing'}, expected [${m},${n}]`);
    }
    return c;
  };
  let released = false;
  return {
    async run() {
      const out = await session.run(feeds);
      const c = out.C!;
      const data = c.data;
      c.dispose();
      return data;
    },
    async result() {
      const c = check(await session.run(feeds));
      const data = c.data;
      const copy = data instanceof Float32Array ? Float32Array.from(data) : Int32Array.from(data as Int32Array);
      c.dispose();
      return copy;
    },
    async dispose() {
      if (released) return;
      released = true;
      input.dispose();
      await session.release();
    },
  };
}

function checkSizes(name: string, a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number): void {
  if (a.length !== m * k) throw new RangeError(`${name}: A has ${a.length} elements, expected ${m * k}`);
  if (b.length !== k * n) throw new RangeError(`${name}: B has ${b.length} elements, expected ${k * n}`);
}

/** C[m,n] = A[m,k] · B[k,n], float32; B is a constant initializer. */
export async function ortMatmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Promise<PeerCase> {
  checkSizes('ortMatmul', a, b, m, k, n);
  return ortCase(matMulModel(k, n, b, m), 'float32', a, m, k, n);
}

/** MatMulInteger: C[m,n] (int32) = (A - aZero) · (B - bZero), A uint8 input, B int8 constant. */
export async function ortMatMulInteger(
  a: Uint8Array,
  b: Int8Array,
  m: number,
  k: number,
  n: number,
  aZero: number,
  bZero: number,
): Promise<PeerCase> {
  checkSizes('ortMatMulInteger', a, b, m, k, n);
  return ortCase(matMulIntegerModel(k, n, b, aZero, bZero, m), 'uint8', a, m, k, n);
}

/** MatMulInteger: C[m,n] (int32) = A · B with A int8 input, B int8 constant, zero points 0. */
export async function ortMatMulIntegerS8(a: Int8Array, b: Int8Array, m: number, k: number, n: number): Promise<PeerCase> {
  checkSizes('ortMatMulIntegerS8', a, b, m, k, n);
  return ortCase(matMulIntegerS8Model(k, n, b, m), 'int8', a, m, k, n);
}

/**
 * Versions of every peer engine: the installed package.json versions (no engine is initialised),
 * plus the versions onnxruntime-web reports at runtime when it has already been loaded.
 */
export async function peerVersions(): Promise<Record<string, string>> {
  ensurePeers();
  const out: Record<string, string> = {};
  for (const name of PEER_PACKAGES) out[name] = installedVersion(name);
  if (loaded) {
    const { ort } = await loaded;
    const v = ort.env.versions as Record<string, string | undefined>;
    if (v.common) out['onnxruntime-common'] = v.common;
  }
  return out;
}
