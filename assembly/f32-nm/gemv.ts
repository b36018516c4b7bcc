// f32 2:4 GEMV: y[n] = clamp(W x + bias, vmin, vmax), W [n, k] in the 2:4 layout of nm.ts.
// x is first expanded into workspace (f32_nm24_gemv_workspace_bytes): for each block b of 8 inputs and
// each of its 36 pattern ids, the 4 kept x values [x[8b + OFFS[id·4 + q]] for q in 0..3] (x zero-padded
// past k), 576 bytes per block, so a row's block costs one 16-byte table load addressed by its id, a
// load of its 4 values, a multiply and an add: no gather, no swizzle in the loop. The table is 72 KB
// at k = 1024 and 288 KB at k = 4096, L2-resident, while values and ids stream once.
// Every row sums in one fixed order: 4 lanes, lane q += values[4b + q]·x[8b + offset_q] over blocks
// b in order, lanes summed (l0 + l1) + (l2 + l3), + bias, then clamp. Four rows at a time, each its own
// stream (4 value and 4 id streams keep more cache misses in flight than one interleaved stream).
import { lane_sum, store_biased } from "../f32-lanes";
import { M0, M1 } from "./nm";

// x's last partial block, zero-padded.
const XTAIL: usize = memory.data(32, 16);

export function f32_nm24_gemv_workspace_bytes(n: i32, k: i32): usize {
  return <usize>((max(k, 0) + 7) >> 3) * 576;
}

// The 36 entries of block b (8 floats at xp) at tb: entry p0 + 6·p1 = pair p0 of x[0..3] in lanes 0-1,
// pair p1 of x[4..7] in lanes 2-3.
@inline
function expand_block(xp: usize, tb: usize): void {
  const vx0 = v128.load(xp);
  const vx1 = v128.load(xp, 16);
  for (let p1: usize = 0; p1 < 6; p1++) {
    const vhi = i8x16.swizzle(vx1, v128.load(M1 + (p1 << 4)));
    for (let p0: usize = 0; p0 < 6; p0++) {
      v128.store(tb + ((p0 + 6 * p1) << 4), v128.or(i8x16.swizzle(vx0, v128.load(M0 + (p0 << 4))), vhi));
    }
  }
}

@inline
function finish(vacc: v128, bias: usize, j: i32, y: usize, vmin: f32, vmax: f32): void {
  store_biased(lane_sum(vacc), bias, j, y, vmin, vmax);
}

// vacc + values[0..3]·table[id] for one row's block: values at vp, id at ip, the block's table at tb.
@inline
function step(vacc: v128, vp: usize, ip: usize, tb: usize): v128 {
  return f32x4.add(vacc, f32x4.mul(v128.load(vp), v128.load(tb + (<usize>load<u8>(ip) << 4))));
}

export function f32_nm24_gemv(n: i32, k: i32, x: usize, values: usize, ids: usize, bias: usize, y: usize, workspace: usize, vmin: f32, vmax: f32): void {
  if (n <= 0) return;
  k = max(k, 0);
  const kb = (k + 7) >> 3;
  const full = k >> 3;
  const table = workspace;
  for (let b = 0; b < full; b++) expand_block(x + (<usize>b << 5), table + <usize>b * 576);
  if (full < kb) {
    v128.store(XTAIL, i32x4.splat(0));
    v128.store(XTAIL, i32x4.splat(0), 16);
    memory.copy(XTAIL, x + (<usize>full << 5), <usize>(k & 7) << 2);
    expand_block(XTAIL, table + <usize>full * 576);
  }
  const tend = table + <usize>kb * 576;
  const ldv = <usize>kb << 4;
  const ldi = <usize>kb;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    let vp0 = values + <usize>j * ldv;
    let vp1 = vp0 + ldv;
    let vp2 = vp1 + ldv;
    let vp3 = vp2 + ldv;
    let ip0 = ids + <usize>j * ldi;
    let ip1 = ip0 + ldi;
    let ip2 = ip1 + ldi;
    let ip3 = ip2 + ldi;
    let vacc0 = f32x4.splat(0);
    let vacc1 = vacc0;
    let vacc2 = vacc0;
    let vacc3 = vacc0;
    for (let tb = table; tb < tend; tb += 576) {
      vacc0 = step(vacc0, vp0, ip0, tb);
      vacc1 = step(vacc1, vp1, ip1, tb);
      vacc2 = step(vacc2, vp2, ip2, tb);
      vacc3 = step(vacc3, vp3, ip3, tb);
      vp0 += 16;
      vp1 += 16;
      vp2 += 16;
      vp3 += 16;
      ip0++;
      ip1++;
      ip2++;
      ip3++;
    }
    finish(vacc0, bias, j, y, vmin, vmax);
    finish(vacc1, bias, j + 1, y, vmin, vmax);
    finish(vacc2, bias, j + 2, y, vmin, vmax);
    finish(vacc3, bias, j + 3, y, vmin, vmax);
  }
  for (; j < n; j++) {
    let vp = values + <usize>j * ldv;
    let ip = ids + <usize>j * ldi;
    let vacc = f32x4.splat(0);
    for (let tb = table; tb < tend; tb += 576) {
      vacc = step(vacc, vp, ip, tb);
      vp += 16;
      ip++;
    }
    finish(vacc, bias, j, y, vmin, vmax);
  }
}
