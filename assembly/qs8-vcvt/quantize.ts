// f32 → int8 affine quantization: y[i] = clamp(roundHalfEven(x[i] / scale) + zp, −128, 127).
// Division (not a reciprocal multiply) and f32x4.nearest match the scalar reference bit for bit;
// NaN quantizes to zp (trunc_sat gives 0), ±Inf saturates.

export function f32_qs8_vcvt(n: i32, x: usize, y: usize, scale: f32, zp: i32): void {
  const vscale = f32x4.splat(scale);
  const vzp = i32x4.splat(zp);
  const len = <usize>n;
  let i: usize = 0;
  for (; i + 16 <= len; i += 16) {
    const p = x + (i << 2);
    const vq0123 = i32x4.add(i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.div(v128.load(p), vscale))), vzp);
    const vq4567 = i32x4.add(i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.div(v128.load(p, 16), vscale))), vzp);
    const vq89AB = i32x4.add(i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.div(v128.load(p, 32), vscale))), vzp);
    const vqCDEF = i32x4.add(i32x4.trunc_sat_f32x4_s(f32x4.nearest(f32x4.div(v128.load(p, 48), vscale))), vzp);
    v128.store(y + i, i8x16.narrow_i16x8_s(i16x8.narrow_i32x4_s(vq0123, vq4567), i16x8.narrow_i32x4_s(vq89AB, vqCDEF)));
  }
  for (; i < len; i++) {
    const q = <i32>nearest<f32>(load<f32>(x + (i << 2)) / scale) + zp;
    store<i8>(y + i, <i8>(q < -128 ? -128 : q > 127 ? 127 : q));
  }
}
