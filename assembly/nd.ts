// Shared scratch for n-d kernels: the running multi-index of the outer loops.
// Kernels are not re-entrant (wasm is single-threaded here); rank ≤ MAX_RANK is checked on the TS side.
export const MAX_RANK: i32 = 32;
export const ND_INDEX: usize = memory.data(MAX_RANK << 2, 16);
