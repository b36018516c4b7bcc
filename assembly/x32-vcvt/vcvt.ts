// Elementwise dtype conversions y[n] = convert(x[n]). Float to integer truncates toward zero and
// saturates (NaN → 0), the wasm trunc_sat rule, so no input traps or differs between engines.

export function u8_f32_vcvt(n: i32, x: usize, y: usize): void {
  const len = <usize>n;
  let i: usize = 0;
  for (; i + 4 <= len; i += 4) {
    const vx = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(x + i)));
    v128.store(y + (i << 2), f32x4.convert_i32x4_s(vx));
  }
  for (; i < len; i++) store<f32>(y + (i << 2), <f32>load<u8>(x + i));
}

export function i8_f32_vcvt(n: i32, x: usize, y: usize): void {
  const len = <usize>n;
  let i: usize = 0;
  for (; i + 4 <= len; i += 4) {
    const vx = i32x4.extend_low_i16x8_s(i16x8.extend_low_i8x16_s(v128.load32_zero(x + i)));
    v128.store(y + (i << 2), f32x4.convert_i32x4_s(vx));
  }
  for (; i < len; i++) store<f32>(y + (i << 2), <f32>load<i8>(x + i));
}

export function i32_f32_vcvt(n: i32, x: usize, y: usize): void {
  const len = <usize>n;
  let i: usize = 0;
  for (; i + 4 <= len; i += 4) v128.store(y + (i << 2), f32x4.convert_i32x4_s(v128.load(x + (i << 2))));
  for (; i < len; i++) store<f32>(y + (i << 2), <f32>load<i32>(x + (i << 2)));
}

export function f32_i32_vcvt(n: i32, x: usize, y: usize): void {
  const len = <usize>n;
  let i: usize = 0;
  for (; i + 4 <= len; i += 4) v128.store(y + (i << 2), i32x4.trunc_sat_f32x4_s(v128.load(x + (i << 2))));
  for (; i < len; i++) store<i32>(y + (i << 2), <i32>load<f32>(x + (i << 2)));
}

// Saturating to [lo, hi] (u8: 0..255, i8: -128..127) after truncation.
@inline function f32ToNarrow(n: usize, x: usize, y: usize, lo: i32, hi: i32): void {
  for (let i: usize = 0; i < n; i++) {
    const v = <i32>load<f32>(x + (i << 2));
    store<u8>(y + i, <u8>(v < lo ? lo : v > hi ? hi : v));
  }
}

export function f32_u8_vcvt(n: i32, x: usize, y: usize): void { f32ToNarrow(<usize>n, x, y, 0, 255); }
export function f32_i8_vcvt(n: i32, x: usize, y: usize): void { f32ToNarrow(<usize>n, x, y, -128, 127); }
