// Standalone asc entry for bench/dev/qsmall-kernels.mjs: the small int8 and storage-format kernels,
// plus the baselines: f32_im2col and a scalar table lookup.
export * from "../../assembly/x8-conv/im2col";
export { f32_im2col } from "../../assembly/f32-conv/im2col";
export * from "../../assembly/qs8-pool/maxpool";
export * from "../../assembly/x8-lut/lut";
export * from "../../assembly/qs8-vcvt/dequantize";
export * from "../../assembly/x16-vcvt/vcvt";
export * from "../../assembly/x8-fp8/vcvt";

// y[i] = table[x[i]], 4 bytes per step.
export function x8_lut_scalar(n: i32, x: usize, y: usize, table: usize): void {
  const len = <usize>n;
  let i: usize = 0;
  for (; i + 4 <= len; i += 4) {
    const v = load<u32>(x + i);
    const b0 = <u32>load<u8>(table + <usize>(v & 0xff));
    const b1 = <u32>load<u8>(table + <usize>((v >> 8) & 0xff));
    const b2 = <u32>load<u8>(table + <usize>((v >> 16) & 0xff));
    const b3 = <u32>load<u8>(table + <usize>(v >> 24));
    store<u32>(y + i, b0 | (b1 << 8) | (b2 << 16) | (b3 << 24));
  }
  for (; i < len; i++) store<u8>(y + i, load<u8>(table + <usize>load<u8>(x + i)));
}
