// The 16-bit weights' shared pieces, imported by the GEMVs (gemv.ts) and f32_gemm's panel packing
// (f32-gemm/pack.ts) and not exported from the module: the exact widening of f16 / bf16 codes and the
// address of W[j, p] in the 4-row panel layout (described in gemv.ts).

export const V2P112: v128 = i32x4.splat(0x77800000);
export const VSIGN_EM: v128 = i32x4.splat(0x8fffe000);
const VABS: v128 = i32x4.splat(0x7fff0000);
const VMAXFINITE: v128 = i32x4.splat(0x7bff0000);
const VEXP: v128 = i32x4.splat(0x7f800000);
const VHIGH: v128 = i32x4.splat(0xffff0000);

// f32 lanes of the 16-bit floats held in the high halves of vt (low halves ignored); f16 without
// `full`: exact except for exponent 31.
@inline
export function widen_high(vt: v128, f16: bool, full: bool): v128 {
  if (!f16) return v128.and(vt, VHIGH);
  const vf = f32x4.mul(v128.and(i32x4.shr_s(vt, 3), VSIGN_EM), V2P112);
  if (!full) return vf;
  return v128.or(vf, v128.and(i32x4.gt_s(v128.and(vt, VABS), VMAXFINITE), VEXP));
}

// The panels' header (h16_pack, gemv.ts): i32 s, the codes' scale (stored codes are W·2^s); i32 finite.
export const H16_HEADER: usize = 16;
@inline export function h16_scale(packed: usize): i32 { return load<i32>(packed); }
@inline export function h16_finite(packed: usize): bool { return load<i32>(packed, 4) != 0; }

// Address of W[j, p] in the panels at `panels` (past the header).
@inline
export function h16_at(panels: usize, k: i32, j: i32, p: i32): usize {
  const k8 = k & ~7;
  const r = <usize>(j & 3);
  const panel = panels + ((<usize>(j >> 2) * <usize>k) << 3);
  if (p < k8) return panel + (<usize>(p >> 3) << 6) + (r << 4) + (<usize>(p & 7) << 1);
  return panel + (<usize>k8 << 3) + r * (<usize>(k - k8) << 1) + (<usize>(p - k8) << 1);
}

