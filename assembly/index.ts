// The wasm module's exports: the flat kernel ABI. Every export takes only pointers, lengths and scalars.
export function heap_base(): usize { return __heap_base; }
export * from "./f32-vbinary/vbinary";
export * from "./f32-vunary/vunary";
export * from "./f32-vcmp/vcmp";
export * from "./f32-reduce/reduce";
export * from "./f32-reduce/softmax";
export * from "./x8-copy/copy";
export * from "./x32-vcvt/vcvt";
export * from "./f32-rand/rand";
export * from "./f32-optim/update";
export * from "./f32-math/vunary";
export * from "./f32-gemm/gemm";
export * from "./f32-gemm/gemv";
export * from "./f32-conv/im2col";
export * from "./f32-pool/pool";
export * from "./qs8-vcvt/quantize";
export { qs8_packed_weights_bytes, qs8_pack_weights } from "./qs8-gemm/pack";
export * from "./qs8-gemm/gemm";
export * from "./qs8-gemv/gemv";
export * from "./q4-gemv/gemv";
export * from "./q4-gemv/gemm";
export * from "./f32-spmm/spmv";
export * from "./f32-spmm/spmm";
export * from "./f32-nm/gemv";
export * from "./f32-nm/gemm";
export * from "./qs8-spmm/spmm";
