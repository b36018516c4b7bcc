// Ceiling contenders (bench/probes/ceiling.ts, compiled on first use with the project's asc flags into
// build/dev/ceiling.wasm): how fast one core can run the instructions our GEMMs are made of, and how
// fast it can read a weight matrix, measured in the same run as the kernels they bound.
import { readFileSync } from 'node:fs';
import type { Contender } from './harness.js';
// @ts-expect-error: a plain .mjs helper shared with bench/dev
import { buildDevWasm } from './dev/wasm-dev.mjs';

interface Probes { memory: WebAssembly.Memory; dot_peak(iters: number, seed: number): number; muladd_peak(iters: number, seed: number): number; read_peak(p: number, bytes: number): number }
let probes: Probes | null = null;

function load(): Probes {
  probes ??= new WebAssembly.Instance(new WebAssembly.Module(readFileSync(buildDevWasm('../probes/ceiling.ts', 'ceiling') as string)), {}).exports as unknown as Probes;
  return probes;
}

/** i32x4.dot_i16x8_s + i32x4.add at full rate, `macs` multiply-accumulates per call (8 per dot). */
export function dotCeiling(macs: number): Contender {
  const p = load();
  const iters = Math.max(1, Math.round(macs / 96));
  return { name: 'ceiling-dot_i16x8', fn: () => p.dot_peak(iters, 3) };
}

/** f32x4.mul + f32x4.add at full rate, `macs` multiply-accumulates per call (4 per pair). */
export function mulAddCeiling(macs: number): Contender {
  const p = load();
  const iters = Math.max(1, Math.round(macs / 48));
  return { name: 'ceiling-f32-mul+add', fn: () => p.muladd_peak(iters, 1) };
}

/** One pass of v128 loads over `bytes` bytes (as much memory as the weights), from wasm memory. */
export function readCeiling(bytes: number): Contender {
  const p = load();
  const have = p.memory.buffer.byteLength;
  if (have < bytes + 65536) p.memory.grow(Math.ceil((bytes + 65536 - have) / 65536));
  new Float32Array(p.memory.buffer, 65536, bytes / 4).fill(1);
  return { name: 'ceiling-read-weights', fn: () => p.read_peak(65536, bytes) };
}
