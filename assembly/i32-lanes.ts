// The i32 lane reduction the int8 GEMV kernels share (integer sums are exact, so any order gives
// the same result). Not re-exported by index.ts: an inlined helper, not a wasm export.

// [Σ v0, Σ v1, Σ v2, Σ v3] (i32 lanes), with interleaving shuffles (one instruction each on x64).
@inline
export function reduce_4x4_i32(v0: v128, v1: v128, v2: v128, v3: v128): v128 {
  const v01 = i32x4.add(i32x4.shuffle(v0, v1, 0, 4, 1, 5), i32x4.shuffle(v0, v1, 2, 6, 3, 7));
  const v23 = i32x4.add(i32x4.shuffle(v2, v3, 0, 4, 1, 5), i32x4.shuffle(v2, v3, 2, 6, 3, 7));
  return i32x4.add(i32x4.shuffle(v01, v23, 0, 1, 4, 5), i32x4.shuffle(v01, v23, 2, 3, 6, 7));
}
