// f32 ⇄ 16-bit floats, bit for bit the reference codecs of src/io/float16.ts: f16 (IEEE binary16) and
// bf16 (the top half of an f32), stored as u16 little-endian. Encoding rounds to nearest even; values
// past the largest finite become ±Inf; a NaN keeps the top bits of its payload (f16: 1 if they are 0;
// bf16: bit 0 set if the 7 kept mantissa bits are 0). Integer lane arithmetic on bit patterns, plus
// one exact f32 add/sub for subnormals (no FTZ in wasm):
//   f16 encode, |x| < 2^-14: bits(|x| + 0.5) − bits(0.5) rounds to units of 2^-24 (ulp of 0.5), RNE.
//   f16 decode, exponent 0:  f32(bits(2^-14) | m << 13) − 2^-14 = m·2^-24 exactly.
// 8 values per vector step; tails go through the same lane functions one value at a time.

const V_ABS: v128 = i32x4.splat(0x7fffffff);

// f16 bits (low 16 of each lane) of the f32 lanes vx.
@inline function f16Encode(vx: v128): v128 {
  const vabs = v128.and(vx, V_ABS);
  const vsign = v128.and(i32x4.shr_u(vx, 16), i32x4.splat(0x8000));
  const vv = i32x4.sub(vabs, i32x4.splat(0x38000000));
  const vodd = v128.and(i32x4.shr_u(vv, 13), i32x4.splat(1));
  const vnorm = i32x4.min_u(i32x4.shr_u(i32x4.add(vv, i32x4.add(vodd, i32x4.splat(0xfff))), 13), i32x4.splat(0x7c00));
  const vsub = i32x4.sub(f32x4.add(vabs, f32x4.splat(0.5)), i32x4.splat(0x3f000000));
  const vnan = i32x4.max_u(v128.or(v128.and(i32x4.shr_u(vabs, 13), i32x4.splat(0x3ff)), i32x4.splat(0x7c00)), i32x4.splat(0x7c01));
  let vr = v128.bitselect(vsub, vnorm, i32x4.lt_s(vabs, i32x4.splat(0x38800000)));
  vr = v128.bitselect(vnan, vr, i32x4.gt_s(vabs, i32x4.splat(0x7f800000)));
  return v128.or(vr, vsign);
}

// f32 bits of the f16 lanes vh (u16 in each lane).
@inline function f16Decode(vh: v128): v128 {
  const vabs = i32x4.shl(v128.and(vh, i32x4.splat(0x7fff)), 13);
  const vsign = i32x4.shl(v128.and(vh, i32x4.splat(0x8000)), 16);
  const vinf = v128.and(i32x4.gt_s(vabs, i32x4.splat(0x0f7fffff)), i32x4.splat(0x38000000));
  const vnorm = i32x4.add(i32x4.add(vabs, i32x4.splat(0x38000000)), vinf);
  const vsub = f32x4.sub(i32x4.add(vabs, i32x4.splat(0x38800000)), f32x4.splat(6.103515625e-5));
  return v128.or(v128.bitselect(vsub, vnorm, i32x4.lt_s(vabs, i32x4.splat(0x00800000))), vsign);
}

// bf16 bits of the f32 lanes vx.
@inline function bf16Encode(vx: v128): v128 {
  const vhi = i32x4.shr_u(vx, 16);
  const vr = i32x4.shr_u(i32x4.add(vx, i32x4.add(v128.and(vhi, i32x4.splat(1)), i32x4.splat(0x7fff))), 16);
  const vquiet = v128.and(i32x4.eq(v128.and(vx, i32x4.splat(0x7f0000)), i32x4.splat(0)), i32x4.splat(1));
  return v128.bitselect(v128.or(vhi, vquiet), vr, i32x4.gt_s(v128.and(vx, V_ABS), i32x4.splat(0x7f800000)));
}

@inline function encode(vx: v128, f16: bool): v128 {
  return f16 ? f16Encode(vx) : bf16Encode(vx);
}
@inline function decode(vh: v128, f16: bool): v128 {
  return f16 ? f16Decode(vh) : i32x4.shl(vh, 16);
}

// y (u16) [n] = encode(x (f32) [n]).
@inline function encodeN(n: i32, x: usize, y: usize, f16: bool): void {
  const len = <usize>n;
  let i: usize = 0;
  for (; i + 8 <= len; i += 8) {
    const p = x + (i << 2);
    v128.store(y + (i << 1), i16x8.narrow_i32x4_u(encode(v128.load(p), f16), encode(v128.load(p, 16), f16)));
  }
  for (; i < len; i++) store<u16>(y + (i << 1), <u16>i32x4.extract_lane(encode(v128.load32_splat(x + (i << 2)), f16), 0));
}

// y (f32) [n] = decode(x (u16) [n]).
@inline function decodeN(n: i32, x: usize, y: usize, f16: bool): void {
  const len = <usize>n;
  let i: usize = 0;
  for (; i + 8 <= len; i += 8) {
    const vh = v128.load(x + (i << 1));
    const q = y + (i << 2);
    v128.store(q, decode(i32x4.extend_low_i16x8_u(vh), f16));
    v128.store(q, decode(i32x4.extend_high_i16x8_u(vh), f16), 16);
  }
  for (; i < len; i++) store<i32>(y + (i << 2), i32x4.extract_lane(decode(i32x4.splat(<i32>load<u16>(x + (i << 1))), f16), 0));
}

export function f32_f16_vcvt(n: i32, x: usize, y: usize): void { encodeN(n, x, y, true); }
export function f16_f32_vcvt(n: i32, x: usize, y: usize): void { decodeN(n, x, y, true); }
export function f32_bf16_vcvt(n: i32, x: usize, y: usize): void { encodeN(n, x, y, false); }
export function bf16_f32_vcvt(n: i32, x: usize, y: usize): void { decodeN(n, x, y, false); }
