// Dev entry: the f16 weight-only GEMV against the packed f32 GEMV (bench/dev/f16x.mjs).
export { f16_gemv_f32, h16_pack, h16_panels_bytes } from "../../assembly/f16-gemv/gemv";
export { f32_gemv_packed, f32_gemv_pack, f32_gemv_packed_bytes } from "../../assembly/f32-gemm/gemv-packed";
