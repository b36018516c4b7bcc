// Standalone asc entry for bench/dev/qgemm-kernels.mjs: the integer and weight-only matrix kernels,
// plus the f32 GEMM/GEMV they are measured against.
export * from "../../assembly/qs8-gemm/pack";
export * from "../../assembly/qs8-gemm/gemm";
export * from "../../assembly/qs8-gemv/gemv";
export * from "../../assembly/q4-gemv/gemv";
export * from "../../assembly/f16-gemv/gemv";
export * from "../../assembly/f32-gemm/gemm";
export * from "../../assembly/f32-gemm/gemv";
