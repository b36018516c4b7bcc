// BinaryConnect by sign masks (assembly/f32-b1w-gemv/gemv.ts picks it below LUT_MIN_N rows):
//   y[j] = clamp(alpha[j]·Σ_p ±x[p] + bias[j], vmin, vmax), the layout and arguments of gemv.ts.
// Order: 4 lanes (lane l sums p ≡ l mod 4 below k & ~15, p in order), lanes (l0 + l1) + (l2 + l3),
// then the tail in order, then ·alpha, + bias: a fixed order, so every engine gives the same bits.
// A sign flip is an XOR of the f32 sign bit (masks from a 16-entry table); in the GEMV two rows share
// each activation load, in the GEMM each mask serves four activation rows.

import { lane_sum } from "../f32-lanes";

// FLIPS[b] (16 bytes): the sign masks of 4 lanes for the 4 weight bits b (0x80000000 where a bit is 0).
const FLIPS: usize = memory.data<u32>([
  0x80000000, 0x80000000, 0x80000000, 0x80000000, 0, 0x80000000, 0x80000000, 0x80000000,
  0x80000000, 0, 0x80000000, 0x80000000, 0, 0, 0x80000000, 0x80000000,
  0x80000000, 0x80000000, 0, 0x80000000, 0, 0x80000000, 0, 0x80000000,
  0x80000000, 0, 0, 0x80000000, 0, 0, 0, 0x80000000,
  0x80000000, 0x80000000, 0x80000000, 0, 0, 0x80000000, 0x80000000, 0,
  0x80000000, 0, 0x80000000, 0, 0, 0, 0x80000000, 0,
  0x80000000, 0x80000000, 0, 0, 0, 0x80000000, 0, 0,
  0x80000000, 0, 0, 0, 0, 0, 0, 0,
], 16);

@inline
function flips(bits: u32, q: i32): v128 {
  return v128.load(FLIPS + (<usize>((bits >> (q << 2)) & 15) << 4));
}

@inline
function finish(vacc: v128, k16: i32, k: i32, x: usize, row: usize, j: i32, alpha: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  let s = lane_sum(vacc);
  for (let p = k16; p < k; p++) {
    const v = load<f32>(x + (<usize>p << 2));
    s += (load<u8>(row + (<usize>p >> 3)) >> (p & 7)) & 1 ? v : -v;
  }
  let r = s * load<f32>(alpha + (<usize>j << 2));
  if (bias) r += load<f32>(bias + (<usize>j << 2));
  store<f32>(y + (<usize>j << 2), min(max(r, vmin), vmax));
}

export function gemv_xor(n: i32, k: i32, x: usize, w: usize, alpha: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  const k16 = k & ~15;
  const ld = <usize>((k + 63) >> 6) << 3;
  let j = 0;
  for (; j + 2 <= n; j += 2) {
    const r0 = w + <usize>j * ld;
    const r1 = r0 + ld;
    let vacc0 = f32x4.splat(0);
    let vacc1 = f32x4.splat(0);
    for (let p = 0; p < k16; p += 16) {
      const px = x + (<usize>p << 2);
      const b0 = <u32>load<u16>(r0 + (<usize>p >> 3));
      const b1 = <u32>load<u16>(r1 + (<usize>p >> 3));
      const vx0 = v128.load(px);
      const vx1 = v128.load(px, 16);
      const vx2 = v128.load(px, 32);
      const vx3 = v128.load(px, 48);
      vacc0 = f32x4.add(vacc0, v128.xor(vx0, flips(b0, 0)));
      vacc1 = f32x4.add(vacc1, v128.xor(vx0, flips(b1, 0)));
      vacc0 = f32x4.add(vacc0, v128.xor(vx1, flips(b0, 1)));
      vacc1 = f32x4.add(vacc1, v128.xor(vx1, flips(b1, 1)));
      vacc0 = f32x4.add(vacc0, v128.xor(vx2, flips(b0, 2)));
      vacc1 = f32x4.add(vacc1, v128.xor(vx2, flips(b1, 2)));
      vacc0 = f32x4.add(vacc0, v128.xor(vx3, flips(b0, 3)));
      vacc1 = f32x4.add(vacc1, v128.xor(vx3, flips(b1, 3)));
    }
    finish(vacc0, k16, k, x, r0, j, alpha, bias, y, vmin, vmax);
    finish(vacc1, k16, k, x, r1, j + 1, alpha, bias, y, vmin, vmax);
  }
  for (; j < n; j++) {
    const r0 = w + <usize>j * ld;
    let vacc0 = f32x4.splat(0);
    for (let p = 0; p < k16; p += 16) {
      const px = x + (<usize>p << 2);
      const b0 = <u32>load<u16>(r0 + (<usize>p >> 3));
      vacc0 = f32x4.add(vacc0, v128.xor(v128.load(px), flips(b0, 0)));
      vacc0 = f32x4.add(vacc0, v128.xor(v128.load(px, 16), flips(b0, 1)));
      vacc0 = f32x4.add(vacc0, v128.xor(v128.load(px, 32), flips(b0, 2)));
      vacc0 = f32x4.add(vacc0, v128.xor(v128.load(px, 48), flips(b0, 3)));
    }
    finish(vacc0, k16, k, x, r0, j, alpha, bias, y, vmin, vmax);
  }
}

// Rows i..i+3 of x against w rows j and j1 (j1 = j at an odd edge: computed twice, stored once).
// Each sign mask serves 4 activation rows, each activation load 2 weight rows.
@inline
function tile4x2(n: i32, k: i32, x: usize, i: i32, row0: usize, row1: usize, j: i32, two: bool, alpha: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  const k16 = k & ~15;
  const ldx = <usize>k << 2;
  const x0 = x + <usize>i * ldx;
  const x1 = x0 + ldx;
  const x2 = x1 + ldx;
  const x3 = x2 + ldx;
  let vacc00 = f32x4.splat(0), vacc10 = vacc00, vacc20 = vacc00, vacc30 = vacc00;
  let vacc01 = vacc00, vacc11 = vacc00, vacc21 = vacc00, vacc31 = vacc00;
  for (let p = 0; p < k16; p += 16) {
    const b0 = <u32>load<u16>(row0 + (<usize>p >> 3));
    const b1 = <u32>load<u16>(row1 + (<usize>p >> 3));
    for (let q = 0; q < 4; q++) {
      const o = (<usize>(p + (q << 2))) << 2;
      const vf0 = flips(b0, q);
      const vf1 = flips(b1, q);
      const vx0 = v128.load(x0 + o);
      vacc00 = f32x4.add(vacc00, v128.xor(vx0, vf0));
      vacc01 = f32x4.add(vacc01, v128.xor(vx0, vf1));
      const vx1 = v128.load(x1 + o);
      vacc10 = f32x4.add(vacc10, v128.xor(vx1, vf0));
      vacc11 = f32x4.add(vacc11, v128.xor(vx1, vf1));
      const vx2 = v128.load(x2 + o);
      vacc20 = f32x4.add(vacc20, v128.xor(vx2, vf0));
      vacc21 = f32x4.add(vacc21, v128.xor(vx2, vf1));
      const vx3 = v128.load(x3 + o);
      vacc30 = f32x4.add(vacc30, v128.xor(vx3, vf0));
      vacc31 = f32x4.add(vacc31, v128.xor(vx3, vf1));
    }
  }
  const ldy = <usize>n << 2;
  const y0 = y + <usize>i * ldy;
  finish(vacc00, k16, k, x0, row0, j, alpha, bias, y0, vmin, vmax);
  finish(vacc10, k16, k, x1, row0, j, alpha, bias, y0 + ldy, vmin, vmax);
  finish(vacc20, k16, k, x2, row0, j, alpha, bias, y0 + 2 * ldy, vmin, vmax);
  finish(vacc30, k16, k, x3, row0, j, alpha, bias, y0 + 3 * ldy, vmin, vmax);
  if (two) {
    finish(vacc01, k16, k, x0, row1, j + 1, alpha, bias, y0, vmin, vmax);
    finish(vacc11, k16, k, x1, row1, j + 1, alpha, bias, y0 + ldy, vmin, vmax);
    finish(vacc21, k16, k, x2, row1, j + 1, alpha, bias, y0 + 2 * ldy, vmin, vmax);
    finish(vacc31, k16, k, x3, row1, j + 1, alpha, bias, y0 + 3 * ldy, vmin, vmax);
  }
}

/** Batch m: 4×2 tiles (4 activation rows × 2 weight rows), the last m % 4 rows by the GEMV; the same order per output. */
export function gemm_xor(m: i32, n: i32, k: i32, x: usize, w: usize, alpha: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  const ld = <usize>((k + 63) >> 6) << 3;
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    let j = 0;
    for (; j + 2 <= n; j += 2) tile4x2(n, k, x, i, w + <usize>j * ld, w + <usize>(j + 1) * ld, j, true, alpha, bias, y, vmin, vmax);
    if (j < n) tile4x2(n, k, x, i, w + <usize>j * ld, w + <usize>j * ld, j, false, alpha, bias, y, vmin, vmax);
  }
  for (; i < m; i++) gemv_xor(n, k, x + <usize>i * <usize>k * 4, w, alpha, bias, y + <usize>i * <usize>n * 4, vmin, vmax);
}
