// Dev entry: the q4 kernels' per-call activation quantization (bench/dev/q4x.mjs).
export { q4_quantize_row } from "../../assembly/q4-gemv/quantize";
