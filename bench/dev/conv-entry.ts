// Standalone asc entry for bench/dev/conv-kernels.mjs: the im2col/col2im and pooling ABI.
export * from "../../assembly/f32-conv/im2col";
export * from "../../assembly/f32-pool/pool";
