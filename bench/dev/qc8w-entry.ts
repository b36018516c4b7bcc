// Dev kernels for the batched weight-only GEMMs (bench/dev/qc8w.mjs).
export { f32_qc8w_gemm, f32_qc8w_gemv, f32_qc8w_gemm_workspace_bytes } from "../../assembly/f32-qc8w-gemv/gemv";
export { f32_gemm, f32_gemm_workspace_bytes } from "../../assembly/f32-gemm/gemm";
export { f16_gemv_f32, bf16_gemv_f32, h16_pack, h16_panels_bytes } from "../../assembly/f16-gemv/gemv";
