// Hardware ceilings for 128-bit strict wasm SIMD on one core, built by bench/probes.ts and run as
// extra contenders in the same run as our kernels and the peers (so "ours / ceiling" is a same-run ratio).
//   dot_peak(iters):   12 independent i32x4.dot_i16x8_s + i32x4.add chains, 96 MACs per iteration
//                      (the instruction pair every int8 GEMM in strict wasm SIMD is made of);
//   muladd_peak(iters): 12 independent f32x4 mul-then-add chains, 48 MACs per iteration (strict SIMD has no
//                      FMA: every f32 GEMM in it is made of this pair);
//   read_peak(p, bytes): streams bytes from p with v128 loads into 8 f32 accumulators (the least time
//                      a GEMV needs to read its weights once).
// Each dot chain feeds its own accumulator back as the next operand, so nothing is loop-invariant.

export function dot_peak(iters: i32, seed: i32): i32 {
  const vb = i16x8.splat(<i16>(seed | 1));
  let a0 = i32x4.splat(seed), a1 = i32x4.splat(seed + 1), a2 = i32x4.splat(seed + 2), a3 = i32x4.splat(seed + 3);
  let a4 = i32x4.splat(seed + 4), a5 = i32x4.splat(seed + 5), a6 = i32x4.splat(seed + 6), a7 = i32x4.splat(seed + 7);
  let a8 = i32x4.splat(seed + 8), a9 = i32x4.splat(seed + 9), a10 = i32x4.splat(seed + 10), a11 = i32x4.splat(seed + 11);
  for (let i = 0; i < iters; i++) {
    a0 = i32x4.add(a0, i32x4.dot_i16x8_s(a0, vb));
    a1 = i32x4.add(a1, i32x4.dot_i16x8_s(a1, vb));
    a2 = i32x4.add(a2, i32x4.dot_i16x8_s(a2, vb));
    a3 = i32x4.add(a3, i32x4.dot_i16x8_s(a3, vb));
    a4 = i32x4.add(a4, i32x4.dot_i16x8_s(a4, vb));
    a5 = i32x4.add(a5, i32x4.dot_i16x8_s(a5, vb));
    a6 = i32x4.add(a6, i32x4.dot_i16x8_s(a6, vb));
    a7 = i32x4.add(a7, i32x4.dot_i16x8_s(a7, vb));
    a8 = i32x4.add(a8, i32x4.dot_i16x8_s(a8, vb));
    a9 = i32x4.add(a9, i32x4.dot_i16x8_s(a9, vb));
    a10 = i32x4.add(a10, i32x4.dot_i16x8_s(a10, vb));
    a11 = i32x4.add(a11, i32x4.dot_i16x8_s(a11, vb));
  }
  const s = i32x4.add(i32x4.add(i32x4.add(a0, a1), i32x4.add(a2, a3)), i32x4.add(i32x4.add(a4, a5), i32x4.add(a6, a7)));
  return i32x4.extract_lane(i32x4.add(s, i32x4.add(i32x4.add(a8, a9), i32x4.add(a10, a11))), 0);
}

export function muladd_peak(iters: i32, seed: f32): f32 {
  const vc = f32x4.splat(1e-7);
  let a0 = f32x4.splat(seed), a1 = f32x4.splat(seed + 1), a2 = f32x4.splat(seed + 2), a3 = f32x4.splat(seed + 3);
  let a4 = f32x4.splat(seed + 4), a5 = f32x4.splat(seed + 5), a6 = f32x4.splat(seed + 6), a7 = f32x4.splat(seed + 7);
  let a8 = f32x4.splat(seed + 8), a9 = f32x4.splat(seed + 9), a10 = f32x4.splat(seed + 10), a11 = f32x4.splat(seed + 11);
  for (let i = 0; i < iters; i++) {
    a0 = f32x4.add(a0, f32x4.mul(a0, vc));
    a1 = f32x4.add(a1, f32x4.mul(a1, vc));
    a2 = f32x4.add(a2, f32x4.mul(a2, vc));
    a3 = f32x4.add(a3, f32x4.mul(a3, vc));
    a4 = f32x4.add(a4, f32x4.mul(a4, vc));
    a5 = f32x4.add(a5, f32x4.mul(a5, vc));
    a6 = f32x4.add(a6, f32x4.mul(a6, vc));
    a7 = f32x4.add(a7, f32x4.mul(a7, vc));
    a8 = f32x4.add(a8, f32x4.mul(a8, vc));
    a9 = f32x4.add(a9, f32x4.mul(a9, vc));
    a10 = f32x4.add(a10, f32x4.mul(a10, vc));
    a11 = f32x4.add(a11, f32x4.mul(a11, vc));
  }
  const s = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  return f32x4.extract_lane(f32x4.add(s, f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11))), 0);
}

export function read_peak(p: usize, bytes: usize): f32 {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
  const end = p + (bytes & ~127);
  for (; p < end; p += 128) {
    a0 = f32x4.add(a0, v128.load(p));
    a1 = f32x4.add(a1, v128.load(p, 16));
    a2 = f32x4.add(a2, v128.load(p, 32));
    a3 = f32x4.add(a3, v128.load(p, 48));
    a4 = f32x4.add(a4, v128.load(p, 64));
    a5 = f32x4.add(a5, v128.load(p, 80));
    a6 = f32x4.add(a6, v128.load(p, 96));
    a7 = f32x4.add(a7, v128.load(p, 112));
  }
  return f32x4.extract_lane(f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7))), 0);
}
