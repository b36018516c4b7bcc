// f32 2:4 GEMV: y[n] = clamp(W x + bias, vmin, vmax), W [n, k] in the 2:4 layout of nm.ts.
// Every row sums in one fixed order: 4 lanes, lane q += values[4b + q]·x[8b + offset_q] over blocks
// b in order (the last, partial block with x zero-padded), lanes summed (l0 + l1) + (l2 + l3),
// + bias, then clamp. Four rows at a time share each x load.
import { select } from "./nm";

// x's last partial block, zero-padded.
const XTAIL: usize = memory.data(32, 16);

@inline
function finish(vacc: v128, bias: usize, j: i32, y: usize, vmin: f32, vmax: f32): void {
  const o = <usize>j << 2;
  let s = (f32x4.extract_lane(vacc, 0) + f32x4.extract_lane(vacc, 1)) + (f32x4.extract_lane(vacc, 2) + f32x4.extract_lane(vacc, 3));
  if (bias != 0) s += load<f32>(bias + o);
  store<f32>(y + o, min<f32>(max<f32>(s, vmin), vmax));
}

// x's block b (8 floats): from x itself, or from XTAIL for the partial block.
@inline
function xblock(x: usize, b: i32, kfull: i32): usize {
  return b < kfull ? x + (<usize>b << 5) : XTAIL;
}

export function f32_nm24_gemv(n: i32, k: i32, x: usize, values: usize, indices: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  if (n <= 0) return;
  k = max(k, 0);
  const kb = (k + 7) >> 3;
  const kfull = k >> 3;
  if (kb > kfull) {
    memory.fill(XTAIL, 0, 32);
    memory.copy(XTAIL, x + (<usize>kfull << 5), <usize>(k & 7) << 2);
  }
  const ldv = <usize>kb << 4;
  const ldi = <usize>kb;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const v0 = values + <usize>j * ldv;
    const i0 = indices + <usize>j * ldi;
    let vacc0 = f32x4.splat(0);
    let vacc1 = vacc0;
    let vacc2 = vacc0;
    let vacc3 = vacc0;
    for (let b = 0; b < kb; b++) {
      const xp = xblock(x, b, kfull);
      const vx0123 = v128.load(xp);
      const vx4567 = v128.load(xp, 16);
      const vo = <usize>b << 4;
      const io = <usize>b;
      vacc0 = f32x4.add(vacc0, f32x4.mul(v128.load(v0 + vo), select(vx0123, vx4567, load<u8>(i0 + io))));
      vacc1 = f32x4.add(vacc1, f32x4.mul(v128.load(v0 + ldv + vo), select(vx0123, vx4567, load<u8>(i0 + ldi + io))));
      vacc2 = f32x4.add(vacc2, f32x4.mul(v128.load(v0 + 2 * ldv + vo), select(vx0123, vx4567, load<u8>(i0 + 2 * ldi + io))));
      vacc3 = f32x4.add(vacc3, f32x4.mul(v128.load(v0 + 3 * ldv + vo), select(vx0123, vx4567, load<u8>(i0 + 3 * ldi + io))));
    }
    finish(vacc0, bias, j, y, vmin, vmax);
    finish(vacc1, bias, j + 1, y, vmin, vmax);
    finish(vacc2, bias, j + 2, y, vmin, vmax);
    finish(vacc3, bias, j + 3, y, vmin, vmax);
  }
  for (; j < n; j++) {
    const v0 = values + <usize>j * ldv;
    const i0 = indices + <usize>j * ldi;
    let vacc = f32x4.splat(0);
    for (let b = 0; b < kb; b++) {
      const xp = xblock(x, b, kfull);
      vacc = f32x4.add(vacc, f32x4.mul(v128.load(v0 + (<usize>b << 4)), select(v128.load(xp), v128.load(xp, 16), load<u8>(i0 + <usize>b))));
    }
    finish(vacc, bias, j, y, vmin, vmax);
  }
}
