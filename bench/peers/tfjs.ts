/**
 * TensorFlow.js adapter: @tensorflow/tfjs-backend-wasm (XNNPACK), forced to one thread and the
 * SIMD, non-threaded binary.
 *
 * How the binary choice is enforced: tfjs picks its .wasm from two async flags
 * (WASM_HAS_SIMD_SUPPORT, WASM_HAS_MULTITHREAD_SUPPORT). We set them to true/false and pass
 * setWasmPaths() a file map in which only 'tfjs-backend-wasm-simd.wasm' points at a real file; the
 * plain and threaded-SIMD entries point at a path that does not exist. Any other choice therefore
 * makes backend initialisation fail loudly instead of silently benchmarking the wrong binary.
 * After init, getThreadsCount() (XNNPACK's pthreadpool size) is checked to be 1.
 */
import type * as TfCore from '@tensorflow/tfjs-core';
import type * as TfWasm from '@tensorflow/tfjs-backend-wasm';
import path from 'node:path';
import { ensurePeers, packageDir } from './ensure.js';

export interface PeerCase {
  /** One full multiply, including read-back of the output. */
  run(): unknown | Promise<unknown>;
  /** One output, for verification. */
  result(): Promise<Float32Array | Int32Array>;
  dispose(): Promise<void> | void;
}

export interface TfjsRuntimeInfo {
  backend: string;
  /** Absolute path of the .wasm binary handed to the backend. */
  wasmFile: string;
  /** XNNPACK thread-pool size reported by the backend. */
  threads: number;
  simd: boolean;
  multithread: boolean;
}

type Tf = typeof TfCore;
type Wasm = typeof TfWasm;

const SIMD_BINARY = 'tfjs-backend-wasm-simd.wasm';
const REFUSED = '/nonexistent/slimtensor-bench-refuses-this-binary/';

let loaded: Promise<{ tf: Tf; wasm: Wasm; info: TfjsRuntimeInfo }> | undefined;

async function init(): Promise<{ tf: Tf; wasm: Wasm; info: TfjsRuntimeInfo }> {
  ensurePeers();
  // Both resolve to the CommonJS node bundles, so the backend registers into the same tfjs-core
  // engine instance that we import here (mixing the ESM and CJS builds would create two engines).
  const tf: Tf = await import('@tensorflow/tfjs-core');
  const wasm: Wasm = await import('@tensorflow/tfjs-backend-wasm');
  const distDir = path.join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist');
  const wasmFile = path.join(distDir, SIMD_BINARY);

  tf.env().set('WASM_HAS_SIMD_SUPPORT', true);
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false); // tfjs also reports false under Node anyway
  wasm.setThreadsCount(1);
  wasm.setWasmPaths({
    'tfjs-backend-wasm.wasm': REFUSED + 'tfjs-backend-wasm.wasm',
    'tfjs-backend-wasm-simd.wasm': wasmFile,
    'tfjs-backend-wasm-threaded-simd.wasm': REFUSED + 'tfjs-backend-wasm-threaded-simd.wasm',
  });
  let ok = false;
  try {
    ok = await tf.setBackend('wasm');
    await tf.ready();
  } catch (err) {
    throw new Error(`tfjs: wasm backend failed to initialise with ${wasmFile}: ${(err as Error)?.message ?? err}`);
  }
  if (!ok || tf.getBackend() !== 'wasm') {
    throw new Error(`tfjs: could not select the 'wasm' backend (SIMD binary ${wasmFile}); current: ${tf.getBackend()}`);
  }
  const threads = wasm.getThreadsCount();
  if (threads !== 1) throw new Error(`tfjs: expected 1 XNNPACK thread, backend reports ${threads}`);
  const info: TfjsRuntimeInfo = {
    backend: tf.getBackend(),
    wasmFile,
    threads,
    simd: (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) as boolean,
    multithread: (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) as boolean,
  };
  return { tf, wasm, info };
}

function load(): Promise<{ tf: Tf; wasm: Wasm; info: TfjsRuntimeInfo }> {
  loaded ??= init();
  return loaded;
}

/** Backend details after initialisation (which .wasm, thread count). */
export async function tfjsInfo(): Promise<TfjsRuntimeInfo> {
  return (await load()).info;
}

export async function tfjsVersions(): Promise<Record<string, string>> {
  const { tf, wasm } = await load();
  return { '@tensorflow/tfjs-core': tf.version_core, '@tensorflow/tfjs-backend-wasm': wasm.version_wasm };
}

/**
 * C[m,n] = A[m,k] · B[k,n] (row-major) with tf.matMul. A and B are tensors created once; each run()
 * computes a new output tensor, reads it back with dataSync() and disposes it.
 */
export async function tfjsMatmul(a: Float32Array, b: Float32Array, m: number, k: number, n: number): Promise<PeerCase> {
  if (a.length !== m * k) throw new RangeError(`tfjsMatmul: A has ${a.length} elements, expected ${m * k}`);
  if (b.length !== k * n) throw new RangeError(`tfjsMatmul: B has ${b.length} elements, expected ${k * n}`);
  const { tf } = await load();
  const ta = tf.tensor2d(a, [m, k], 'float32');
  const tb = tf.tensor2d(b, [k, n], 'float32');
  let disposed = false;
  return {
    run() {
      const c = tf.matMul(ta, tb);
      const out = c.dataSync();
      c.dispose();
      return out;
    },
    async result() {
      const c = tf.matMul(ta, tb);
      const out = (await c.data()) as Float32Array;
      c.dispose();
      return Float32Array.from(out);
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      ta.dispose();
      tb.dispose();
    },
  };
}

/** Live tensor count of the tfjs engine (for leak checks). */
export async function tfjsNumTensors(): Promise<number> {
  return (await load()).tf.memory().numTensors;
}

/**
 * The initialised tfjs-core module (wasm backend, SIMD, 1 thread) with every gradient registered, for
 * training peers. tfjs-core's Node bundle registers no gradients; the @tensorflow/tfjs union bundle
 * registers them into the same CommonJS engine.
 */
export async function tfjsCore(): Promise<Tf> {
  const { tf } = await load();
  await import('@tensorflow/tfjs');
  if (tf.getBackend() !== 'wasm') throw new Error(`tfjs: backend changed to ${tf.getBackend()} after loading the union package`);
  return tf;
}
