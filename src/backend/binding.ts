import { SlimError } from '../errors.js';
import type { Kernels } from './abi.js';
import { Heap } from './heap.js';
import { WASM_BASE64 } from './wasm-bytes.js';

export interface InitOptions {
  /** A precompiled module: the only form Cloudflare Workers accept. */
  module?: WebAssembly.Module;
  /** The .wasm bytes, e.g. read from `slimtensor/slimtensor.wasm`. */
  bytes?: BufferSource;
}

interface Backend { kernels: Kernels; memory: WebAssembly.Memory; heap: Heap; args: number; scratch: number; scratchBytes: number }
let backend: Backend | null = null;
let loading: Promise<void> | null = null;
let buffer: ArrayBuffer | null = null;
let f32: Float32Array, i32: Int32Array, u8: Uint8Array, i8: Int8Array;

const PAGE = 65536;
/** Bytes reserved for the shape/stride arguments of n-d kernels. */
const ARGS_BYTES = 1024;

/** Loads the kernels (from the embedded bytes unless given a module or bytes). Idempotent. */
export function init(options: InitOptions = {}): Promise<void> {
  if (backend) return Promise.resolve();
  loading ??= instantiate(options).catch((e) => {
    loading = null;
    throw e;
  });
  return loading;
}

async function instantiate({ module, bytes }: InitOptions): Promise<void> {
  const mod = module ?? (await WebAssembly.compile(bytes ?? decodeBase64(WASM_BASE64)));
  const instance = await WebAssembly.instantiate(mod, {});
  const kernels = instance.exports as unknown as Kernels;
  const memory = kernels.memory;
  const grow = (end: number) => {
    const have = memory.buffer.byteLength;
    const want = Math.max(end - have, Math.min(have / 2, 256 * 2 ** 20));
    memory.grow(Math.min(Math.ceil(want / PAGE), 65536 - have / PAGE));
    if (memory.buffer.byteLength < end) memory.grow(Math.ceil((end - memory.buffer.byteLength) / PAGE));
  };
  const heap = new Heap(kernels.heap_base() >>> 0, () => memory.buffer.byteLength, grow);
  backend = { kernels, memory, heap, args: heap.alloc(ARGS_BYTES), scratch: 0, scratchBytes: 0 };
}

function decodeBase64(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function ready(): Backend {
  if (backend === null) throw new SlimError('NOT_INITIALIZED', 'slimtensor is not initialized: await init() before creating tensors or calling ops');
  return backend;
}

export const isInitialized = (): boolean => backend !== null;
export const kernels = (): Kernels => ready().kernels;
export const heap = (): Heap => ready().heap;

/** Writes up to 256 i32 values into the argument block and returns its pointer. */
export function args(values: readonly number[]): number {
  const b = ready();
  const view = i32View();
  view.set(values, b.args >>> 2);
  return b.args;
}

/** A kernel workspace of at least `bytes`, valid until the next scratch() call; reused across calls. */
export function scratch(bytes: number): number {
  const b = ready();
  if (bytes > b.scratchBytes) {
    const ptr = b.heap.alloc(bytes);
    b.heap.free(b.scratch);
    b.scratch = ptr;
    b.scratchBytes = bytes;
  }
  return b.scratch;
}

function refresh(): void {
  const buf = ready().memory.buffer;
  if (buf === buffer) return;
  buffer = buf;
  f32 = new Float32Array(buf);
  i32 = new Int32Array(buf);
  u8 = new Uint8Array(buf);
  i8 = new Int8Array(buf);
}

/** Views over the whole memory, re-created after any growth. Do not hold them across allocations. */
export function f32View(): Float32Array { refresh(); return f32; }
export function i32View(): Int32Array { refresh(); return i32; }
export function u8View(): Uint8Array { refresh(); return u8; }
export function i8View(): Int8Array { refresh(); return i8; }
