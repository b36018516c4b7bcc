// Standalone asc entry for bench/dev/gemm-kernel.mjs: just the f32 GEMM/GEMV ABI.
export * from "../../assembly/f32-gemm/gemm";
export * from "../../assembly/f32-gemm/gemv";
