// f32 2:4 GEMV: y[n] = clamp(W x + bias, vmin, vmax), W [n, k] in the 2:4 layout of nm.ts.
// x is first expanded into workspace (f32_nm24_gemv_workspace_bytes): for each group g of 4 inputs
// and each 4-bit index t, the pair [x[4g + (t & 3)], x[4g + (t >> 2)]] (x zero-padded past k), so a
// block's 4 kept x values are two 8-byte loads addressed by its index byte: no swizzle, no gather.
// From TILED_ROWS rows, tables indexed by the whole byte (one 16-byte load per block) are built per
// tile of blocks from the pairs (nm-gemv 1024²: 0.61x -> 0.68x of dense in the runs right after; noisy).
// Every row sums in one fixed order: 4 lanes, lane q += values[4b + q]·x[8b + offset_q] over blocks
// b in order, lanes summed (l0 + l1) + (l2 + l3), + bias, then clamp. Four rows at a time.
import { SWZ } from "./nm";

// x's last partial block, zero-padded.
const XTAIL: usize = memory.data(32, 16);

// Blocks per tile of the byte-indexed table (TILE·4 KB), and the row count from which it pays.
const TILE = 16;
const TILED_ROWS = 64;

// 16 pairs of floats (128 bytes) per group of 4 inputs; from TILED_ROWS rows also a tile of byte tables
// (TILE·256 entries of 4 floats) and the rows' partial sums (16 bytes each).
export function f32_nm24_gemv_workspace_bytes(n: i32, k: i32): usize {
  const pairs = <usize>((max(k, 0) + 7) >> 3) << 8;
  return n < TILED_ROWS ? pairs : pairs + (TILE << 12) + (<usize>n << 4);
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

// vacc + values[0..3]·table[index byte] (the block's 4 kept x values in one load).
@inline
function step_tiled(vacc: v128, vp: usize, ip: usize, tb: usize): v128 {
  return f32x4.add(vacc, f32x4.mul(v128.load(vp), v128.load(tb + (<usize>load<u8>(ip) << 4))));
}

// The same sums with the 4 kept x values of a block read as one load from a table indexed by the whole
// index byte, built per tile of TILE blocks (4 KB each) from the pairs; partial sums wait in accs.
@inline
function gemv_tiled(n: i32, kb: i32, values: usize, indices: usize, bias: usize, y: usize, pairs: usize, vmin: f32, vmax: f32): void {
  const table = pairs + (<usize>kb << 8);
  const accs = table + (TILE << 12);
  memory.fill(accs, 0, <usize>n << 4);
  const ldv = <usize>kb << 4;
  const ldi = <usize>kb;
  for (let b0 = 0; b0 < kb; b0 += TILE) {
    const bt = min(TILE, kb - b0);
    for (let bb = 0; bb < bt; bb++) {
      const pl = pairs + (<usize>(b0 + bb) << 8);
      const tb = table + (<usize>bb << 12);
      for (let v: usize = 0; v < 256; v++) {
        v128.store(tb + (v << 4), v128.load64_lane(pl + 128 + ((v >> 4) << 3), v128.load64_zero(pl + ((v & 15) << 3)), 1));
      }
    }
    const tend = table + (<usize>bt << 12);
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const ap = accs + (<usize>j << 4);
      let vacc0 = v128.load(ap);
      let vacc1 = v128.load(ap, 16);
      let vacc2 = v128.load(ap, 32);
      let vacc3 = v128.load(ap, 48);
      let vp = values + <usize>j * ldv + (<usize>b0 << 4);
      let ip = indices + <usize>j * ldi + <usize>b0;
      for (let tb = table; tb < tend; tb += 4096) {
        vacc0 = step_tiled(vacc0, vp, ip, tb);
        vacc1 = step_tiled(vacc1, vp + ldv, ip + ldi, tb);
        vacc2 = step_tiled(vacc2, vp + 2 * ldv, ip + 2 * ldi, tb);
        vacc3 = step_tiled(vacc3, vp + 3 * ldv, ip + 3 * ldi, tb);
        vp += 16;
        ip += 1;
      }
      v128.store(ap, vacc0);
      v128.store(ap, vacc1, 16);
      v128.store(ap, vacc2, 32);
      v128.store(ap, vacc3, 48);
    }
    for (; j < n; j++) {
      const ap = accs + (<usize>j << 4);
      let vacc = v128.load(ap);
      let vp = values + <usize>j * ldv + (<usize>b0 << 4);
      let ip = indices + <usize>j * ldi + <usize>b0;
      for (let tb = table; tb < tend; tb += 4096) {
        vacc = step_tiled(vacc, vp, ip, tb);
        vp += 16;
        ip += 1;
      }
      v128.store(ap, vacc);
    }
  }
  for (let j = 0; j < n; j++) finish(v128.load(accs + (<usize>j << 4)), bias, j, y, vmin, vmax);
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
  if (n >= TILED_ROWS) {
    gemv_tiled(n, kb, values, indices, bias, y, workspace, vmin, vmax);
    return;
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
