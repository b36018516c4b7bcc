// A seeded PCG32 generator (O'Neill 2014, XSH-RR, 64-bit LCG) whose 16-byte state lives in wasm
// memory, and f32 uniform/normal fills drawn from it. Integer-only up to the final scaling, and
// normals use the wasm log, so a seed gives the same bits in every engine.
import { vlog } from "../f32-math/vmath";

const MULT: u64 = 6364136223846793005;
const STREAM: u64 = 0xda3e39cb94b95bdb;

@inline function next(state: usize): u32 {
  const old = load<u64>(state);
  store<u64>(state, old * MULT + load<u64>(state, 8));
  const xorshifted = <u32>(((old >> 18) ^ old) >> 27);
  const rot = <u32>(old >> 59);
  return rotr<u32>(xorshifted, rot);
}

// Uniform in [0, 1) with 24 random bits.
@inline function unit(state: usize): f32 {
  return <f32>(next(state) >>> 8) * 5.9604644775390625e-8;
}

export function rng_seed(state: usize, seed_lo: u32, seed_hi: u32): void {
  store<u64>(state, 0);
  store<u64>(state, (STREAM << 1) | 1, 8);
  next(state);
  store<u64>(state, load<u64>(state) + ((<u64>seed_hi << 32) | <u64>seed_lo));
  next(state);
}

export function rng_u32(state: usize): u32 {
  return next(state);
}

// out[n] = lo + (hi - lo)·u, u uniform in [0, 1).
export function f32_rand_uniform(n: i32, state: usize, out: usize, lo: f32, hi: f32): void {
  const span = hi - lo;
  for (let i: usize = 0; i < <usize>n; i++) store<f32>(out + (i << 2), lo + span * unit(state));
}

// out[n] = mean + std·z, z standard normal by Marsaglia's polar method (pairs; an odd tail drops one).
export function f32_rand_normal(n: i32, state: usize, out: usize, mean: f32, std: f32): void {
  for (let i: usize = 0; i < <usize>n; i += 2) {
    let u: f32, v: f32, s: f32;
    do {
      u = unit(state) * 2 - 1;
      v = unit(state) * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s == 0);
    const f = sqrt<f32>(-2 * f32x4.extract_lane(vlog(f32x4.splat(s)), 0) / s);
    store<f32>(out + (i << 2), mean + std * (u * f));
    if (i + 1 < <usize>n) store<f32>(out + ((i + 1) << 2), mean + std * (v * f));
  }
}
