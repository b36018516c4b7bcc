// f32 ⇄ OCP FP8 (OFP8 rev 1.0), bit for bit the reference codecs of src/quant/fp8.ts:
//   E4M3: bias 7, 3 mantissa bits, no Inf, NaN = S.1111.111, max 448 (code 0x7e).
//   E5M2: bias 15, 2 mantissa bits, ±Inf = S.11111.00, NaNs, max 57344 (code 0x7b).
// Encoding rounds to nearest even. A result past max (finite overflow or ±Inf) becomes ±max when
// `saturate` ≠ 0, else NaN (E4M3, 0x7f) or ±Inf (E5M2, 0x7c); NaN → S.1111111. Decoding is exact; a
// NaN decodes to sign | 0x7fc00000 | m << (23 − man). Lane arithmetic on bit patterns, plus exact f32
// adds for subnormals (no FTZ in wasm), in units u = 2^(1 − bias − man):
//   encode, |x| < 2^(1 − bias): bits(|x| + K) − bits(K), K = 2^23·u (its ulp is u), rounds RNE.
//   decode, exponent 0: f32(bits(2^(1 − bias)) | m << (23 − man)) − 2^(1 − bias) = m·u exactly.
// 8 codes per vector step; tails go through the same lane functions one value at a time.

const V_ABS: v128 = i32x4.splat(0x7fffffff);

// FP8 codes (low byte of each lane) of the f32 lanes vx; vover: the code of an overflow.
@inline function encode(vx: v128, vover: v128, e4: bool): v128 {
  const man = e4 ? 3 : 2;
  const bias = e4 ? 7 : 15;
  const maxCode = e4 ? 0x7e : 0x7b;
  const drop = 23 - man;
  const vabs = v128.and(vx, V_ABS);
  const vsign = v128.and(i32x4.shr_u(vx, 24), i32x4.splat(0x80));
  const vv = i32x4.sub(vabs, i32x4.splat((127 - bias) << 23));
  const vodd = v128.and(i32x4.shr_u(vv, drop), i32x4.splat(1));
  let vnorm = i32x4.shr_u(i32x4.add(vv, i32x4.add(vodd, i32x4.splat((1 << (drop - 1)) - 1))), drop);
  vnorm = v128.bitselect(vover, vnorm, i32x4.gt_s(vnorm, i32x4.splat(maxCode)));
  const vk = i32x4.splat((127 + 24 - bias - man) << 23);
  const vsub = i32x4.sub(f32x4.add(vabs, vk), vk);
  let vr = v128.bitselect(vsub, vnorm, i32x4.lt_s(vabs, i32x4.splat((128 - bias) << 23)));
  vr = v128.bitselect(i32x4.splat(0x7f), vr, i32x4.gt_s(vabs, i32x4.splat(0x7f800000)));
  return v128.or(vr, vsign);
}

// f32 bits of the FP8 code lanes vc (a byte in each lane).
@inline function decode(vc: v128, e4: bool): v128 {
  const man = e4 ? 3 : 2;
  const bias = e4 ? 7 : 15;
  const vsign = i32x4.shl(v128.and(vc, i32x4.splat(0x80)), 24);
  const vabs = i32x4.shl(v128.and(vc, i32x4.splat(0x7f)), 23 - man);
  const vnorm = i32x4.add(vabs, i32x4.splat((127 - bias) << 23));
  const vmin = i32x4.splat((128 - bias) << 23);
  const vsub = f32x4.sub(i32x4.add(vabs, vmin), vmin);
  let vr = v128.bitselect(vsub, vnorm, i32x4.lt_s(vabs, i32x4.splat(1 << 23)));
  if (e4) {
    vr = v128.bitselect(i32x4.splat(0x7ff00000), vr, i32x4.eq(vabs, i32x4.splat(0x7f << 20)));
  } else {
    const vtop = i32x4.splat(31 << 23);
    vr = v128.bitselect(v128.or(vabs, i32x4.splat(0x70000000)), vr, i32x4.ge_s(vabs, vtop));
    vr = v128.or(vr, v128.and(i32x4.gt_s(vabs, vtop), i32x4.splat(0x00400000)));
  }
  return v128.or(vr, vsign);
}

// y (u8) [n] = encode(x (f32) [n]).
@inline function encodeN(n: i32, x: usize, y: usize, saturate: i32, e4: bool): void {
  const vover = i32x4.splat(saturate != 0 ? (e4 ? 0x7e : 0x7b) : (e4 ? 0x7f : 0x7c));
  const len = <usize>n;
  let i: usize = 0;
  for (; i + 8 <= len; i += 8) {
    const p = x + (i << 2);
    const vc = i16x8.narrow_i32x4_u(encode(v128.load(p), vover, e4), encode(v128.load(p, 16), vover, e4));
    v128.store64_lane(y + i, i8x16.narrow_i16x8_u(vc, vc), 0);
  }
  for (; i < len; i++) store<u8>(y + i, <u8>i32x4.extract_lane(encode(v128.load32_splat(x + (i << 2)), vover, e4), 0));
}

// y (f32) [n] = decode(x (u8) [n]).
@inline function decodeN(n: i32, x: usize, y: usize, e4: bool): void {
  const len = <usize>n;
  let i: usize = 0;
  for (; i + 8 <= len; i += 8) {
    const vc = i16x8.extend_low_i8x16_u(v128.load64_zero(x + i));
    const q = y + (i << 2);
    v128.store(q, decode(i32x4.extend_low_i16x8_u(vc), e4));
    v128.store(q, decode(i32x4.extend_high_i16x8_u(vc), e4), 16);
  }
  for (; i < len; i++) store<i32>(y + (i << 2), i32x4.extract_lane(decode(i32x4.splat(<i32>load<u8>(x + i)), e4), 0));
}

export function f32_e4m3_vcvt(n: i32, x: usize, y: usize, saturate: i32): void { encodeN(n, x, y, saturate, true); }
export function e4m3_f32_vcvt(n: i32, x: usize, y: usize): void { decodeN(n, x, y, true); }
export function f32_e5m2_vcvt(n: i32, x: usize, y: usize, saturate: i32): void { encodeN(n, x, y, saturate, false); }
export function e5m2_f32_vcvt(n: i32, x: usize, y: usize): void { decodeN(n, x, y, false); }
