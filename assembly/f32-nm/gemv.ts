// f32 2:4 GEMV: y[n] = clamp(W x + bias, vmin, vmax), W [n, k] in the 2:4 layout of nm.ts.
// x is first expanded into workspace (f32_nm24_gemv_workspace_bytes): for each group g of 4 inputs
// and each 4-bit index t, the pair [x[4g + (t & 3)], x[4g + (t >> 2)]] (x zero-padded past k), so a
// block's 4 kept x values are two 8-byte loads addressed by its index byte: no swizzle, no gather.
// Every row sums in one fixed order: 4 lanes, lane q += values[4b + q]·x[8b + offset_q] over blocks
// b in order, lanes summed (l0 + l1) + (l2 + l3), + bias, then clamp. Four rows at a time.
import { SWZ } from "./nm";

// x's last partial block, zero-padded.
const XTAIL: usize = memory.data(32, 16);

// 16 pairs of floats (128 bytes) per group of 4 inputs.
export function f32_nm24_gemv_workspace_bytes(k: i32): usize {
  return <usize>((max(k, 0) + 7) >> 3) << 8;
}

// The 16 pairs of the group of 4 floats at xp into pairs.
@inline
function expand_group(xp: usize, pairs: usize): void {
  const vx = v128.load(xp);
  for (let t: usize = 0; t < 16; t++) v128.store64_lane(pairs + (t << 3), i8x16.swizzle(vx, v128.load(SWZ + (t << 4))), 0);
}

@inline
function finish(vacc: v128, bias: usize, j: i32, y: usize, vmin: f32, vmax: f32): void {
  const o = <usize>j << 2;
  let s = (f32x4.extract_lane(vacc, 0) + f32x4.extract_lane(vacc, 1)) + (f32x4.extract_lane(vacc, 2) + f32x4.extract_lane(vacc, 3));
  if (bias != 0) s += load<f32>(bias + o);
  store<f32>(y + o, min<f32>(max<f32>(s, vmin), vmax));
}

// vacc + values[0..3]·(the block's kept x) for one row's block: values at vp, index byte at ip, pairs at xb.
@inline
function step(vacc: v128, vp: usize, ip: usize, xb: usize): v128 {
  const idx = <usize>load<u8>(ip);
  let vx = v128.load64_zero(xb + ((idx & 15) << 3));
  vx = v128.load64_lane(xb + 128 + ((idx & 0xf0) >> 1), vx, 1);
  return f32x4.add(vacc, f32x4.mul(v128.load(vp), vx));
}

export function f32_nm24_gemv(n: i32, k: i32, x: usize, values: usize, indices: usize, bias: usize, y: usize, workspace: usize, vmin: f32, vmax: f32): void {
  if (n <= 0) return;
  k = max(k, 0);
  const kb = (k + 7) >> 3;
  const kfull = k >> 3;
  for (let b = 0; b < kfull; b++) {
    expand_group(x + (<usize>b << 5), workspace + (<usize>b << 8));
    expand_group(x + (<usize>b << 5) + 16, workspace + (<usize>b << 8) + 128);
  }
  if (kb > kfull) {
    memory.fill(XTAIL, 0, 32);
    memory.copy(XTAIL, x + (<usize>kfull << 5), <usize>(k & 7) << 2);
    expand_group(XTAIL, workspace + (<usize>kfull << 8));
    expand_group(XTAIL + 16, workspace + (<usize>kfull << 8) + 128);
  }
  const ldv = <usize>kb << 4;
  const ldi = <usize>kb;
  const xend = workspace + (<usize>kb << 8);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    let vp = values + <usize>j * ldv;
    let ip = indices + <usize>j * ldi;
    let vacc0 = f32x4.splat(0);
    let vacc1 = vacc0;
    let vacc2 = vacc0;
    let vacc3 = vacc0;
    for (let xb = workspace; xb < xend; xb += 256) {
      vacc0 = step(vacc0, vp, ip, xb);
      vacc1 = step(vacc1, vp + ldv, ip + ldi, xb);
      vacc2 = step(vacc2, vp + 2 * ldv, ip + 2 * ldi, xb);
      vacc3 = step(vacc3, vp + 3 * ldv, ip + 3 * ldi, xb);
      vp += 16;
      ip += 1;
    }
    finish(vacc0, bias, j, y, vmin, vmax);
    finish(vacc1, bias, j + 1, y, vmin, vmax);
    finish(vacc2, bias, j + 2, y, vmin, vmax);
    finish(vacc3, bias, j + 3, y, vmin, vmax);
  }
  for (; j < n; j++) {
    let vp = values + <usize>j * ldv;
    let ip = indices + <usize>j * ldi;
    let vacc = f32x4.splat(0);
    for (let xb = workspace; xb < xend; xb += 256) {
      vacc = step(vacc, vp, ip, xb);
      vp += 16;
      ip += 1;
    }
    finish(vacc, bias, j, y, vmin, vmax);
  }
}
