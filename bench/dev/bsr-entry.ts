// Dev entry for bench/dev/bsr.mjs: the product's BSR, CSR and packed dense GEMV kernels.
export * from "../../assembly/f32-spmm/spmv";
export * from "../../assembly/f32-spmm/bsr";
export * from "../../assembly/f32-gemm/gemv-packed";
