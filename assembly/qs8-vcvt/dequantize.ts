// int8 → f32 affine dequantization: y[i] = f32(x[i] − zp) · scale, one f32 rounding of the product
// (x − zp is exact in f32 for |zp| < 2^24 − 128), the inverse of f32_qs8_vcvt (quantize.ts).

@inline function dequant4(vq: v128, vzp: v128, vscale: v128): v128 {
  return f32x4.mul(f32x4.convert_i32x4_s(i32x4.sub(vq, vzp)), vscale);
}

export function qs8_f32_vcvt(n: i32, x: usize, y: usize, scale: f32, zp: i32): void {
  const vscale = f32x4.splat(scale);
  const vzp = i32x4.splat(zp);
  const len = <usize>n;
  let i: usize = 0;
  for (; i + 16 <= len; i += 16) {
    const vx = v128.load(x + i);
    const vlo = i16x8.extend_low_i8x16_s(vx);
    const vhi = i16x8.extend_high_i8x16_s(vx);
    const q = y + (i << 2);
    v128.store(q, dequant4(i32x4.extend_low_i16x8_s(vlo), vzp, vscale));
    v128.store(q, dequant4(i32x4.extend_high_i16x8_s(vlo), vzp, vscale), 16);
    v128.store(q, dequant4(i32x4.extend_low_i16x8_s(vhi), vzp, vscale), 32);
    v128.store(q, dequant4(i32x4.extend_high_i16x8_s(vhi), vzp, vscale), 48);
  }
  for (; i < len; i++) store<f32>(y + (i << 2), <f32>(<i32>load<i8>(x + i) - zp) * scale);
}
