// f32 2:4 GEMV: y[n] = clamp(W x + bias, vmin, vmax), W [n, k] in the kernel form of nm.ts.
// Per chunk of NM24_CHUNK blocks, x is first expanded into a static table (18 KB, L1-resident): for
// each block b of 8 inputs and each of its 36 pattern ids, the 4 kept x values [x[8b + OFFS[id·4 + q]]
// for q in 0..3] (x zero-padded past k), 576 bytes per block. A row's block then costs one id load, one
// table load at that id, a multiply by its 4 values and an add: no gather, no swizzle.
// Every row sums in one fixed order: 4 lanes, lane q += values[4b + q]·x[8b + offset_q] over blocks
// b in order, lanes summed (l0 + l1) + (l2 + l3), + bias, then clamp. Four rows (a panel) at a time
// over one stream of values and one of ids; between chunks a panel's 4 lane vectors wait in the
// workspace (f32_nm24_gemv_workspace_bytes), which keeps that order exactly.
// Against the previous kernel (row-major values in 4 row streams, the whole table of k/8·576 bytes,
// L2-resident) this runs about 2x at 4096² and 1.4x at 1024² (bench/dev/nm-gemv.mjs): the table now
// stays in L1 and the values arrive in one stream.
import { lane_sum, store_biased } from "../f32-lanes";
import { M0, M1, NM24_CHUNK, NM24_ENTRY_BYTES } from "./nm";

const TABLE: usize = memory.data(NM24_CHUNK * NM24_ENTRY_BYTES, 64);
// x's last partial block, zero-padded.
const XTAIL: usize = memory.data(32, 16);

/** The parked lane sums: 64 bytes per panel of 4 rows. */
export function f32_nm24_gemv_workspace_bytes(n: i32, k: i32): usize {
  return <usize>((max(n, 0) + 3) >> 2) << 6;
}

// The 36 entries of block b (8 floats at xp) at tb: entry p0 + 6·p1 = pair p0 of x[0..3] in lanes 0-1,
// pair p1 of x[4..7] in lanes 2-3. The 6 low halves are swizzled once, then each entry is one or.
@inline
function expand_block(xp: usize, tb: usize): void {
  const vx0 = v128.load(xp);
  const vx1 = v128.load(xp, 16);
  const vlo0 = i8x16.swizzle(vx0, v128.load(M0));
  const vlo1 = i8x16.swizzle(vx0, v128.load(M0, 16));
  const vlo2 = i8x16.swizzle(vx0, v128.load(M0, 32));
  const vlo3 = i8x16.swizzle(vx0, v128.load(M0, 48));
  const vlo4 = i8x16.swizzle(vx0, v128.load(M0, 64));
  const vlo5 = i8x16.swizzle(vx0, v128.load(M0, 80));
  for (let p1: usize = 0; p1 < 6; p1++) {
    const vhi = i8x16.swizzle(vx1, v128.load(M1 + (p1 << 4)));
    const t = tb + p1 * 96;
    v128.store(t, v128.or(vlo0, vhi));
    v128.store(t, v128.or(vlo1, vhi), 16);
    v128.store(t, v128.or(vlo2, vhi), 32);
    v128.store(t, v128.or(vlo3, vhi), 48);
    v128.store(t, v128.or(vlo4, vhi), 64);
    v128.store(t, v128.or(vlo5, vhi), 80);
  }
}

// The table of blocks b0..b1−1 (at most NM24_CHUNK of them).
function build_table(x: usize, k: i32, b0: i32, b1: i32): void {
  for (let b = b0; b < b1; b++) {
    const tb = TABLE + <usize>(b - b0) * NM24_ENTRY_BYTES;
    if ((b << 3) + 8 <= k) {
      expand_block(x + (<usize>b << 5), tb);
    } else {
      v128.store(XTAIL, i32x4.splat(0));
      v128.store(XTAIL, i32x4.splat(0), 16);
      memory.copy(XTAIL, x + (<usize>b << 5), <usize>(k - (b << 3)) << 2);
      expand_block(XTAIL, tb);
    }
  }
}

// vacc + values[0..3]·table[id] for one row's block: its values at vp, its id at ip, the block's table at tb.
@inline
function step(vacc: v128, vp: usize, ip: usize, tb: usize): v128 {
  return f32x4.add(vacc, f32x4.mul(v128.load(vp), v128.load(tb + (<usize>load<u8>(ip) << 4))));
}

export function f32_nm24_gemv(n: i32, k: i32, x: usize, values: usize, ids: usize, bias: usize, y: usize, workspace: usize, vmin: f32, vmax: f32): void {
  if (n <= 0) return;
  k = max(k, 0);
  const kb = (k + 7) >> 3;
  const panels = (n + 3) >> 2;
  if (kb == 0) {
    for (let j = 0; j < n; j++) store_biased(lane_sum(f32x4.splat(0)), bias, j, y, vmin, vmax);
    return;
  }
  let vp = values;
  let ip = ids;
  for (let c0 = 0; c0 < kb; c0 += NM24_CHUNK) {
    const c1 = min(kb, c0 + NM24_CHUNK);
    build_table(x, k, c0, c1);
    const nb = c1 - c0;
    const last = c1 == kb;
    for (let p = 0; p < panels; p++) {
      const park = workspace + (<usize>p << 6);
      let vacc0 = f32x4.splat(0);
      let vacc1 = vacc0;
      let vacc2 = vacc0;
      let vacc3 = vacc0;
      if (c0 > 0) {
        vacc0 = v128.load(park);
        vacc1 = v128.load(park, 16);
        vacc2 = v128.load(park, 32);
        vacc3 = v128.load(park, 48);
      }
      let tb = TABLE;
      for (let b = 0; b < nb; b++) {
        vacc0 = step(vacc0, vp, ip, tb);
        vacc1 = step(vacc1, vp + 16, ip + 1, tb);
        vacc2 = step(vacc2, vp + 32, ip + 2, tb);
        vacc3 = step(vacc3, vp + 48, ip + 3, tb);
        vp += 64;
        ip += 4;
        tb += NM24_ENTRY_BYTES;
      }
      if (!last) {
        v128.store(park, vacc0);
        v128.store(park, vacc1, 16);
        v128.store(park, vacc2, 32);
        v128.store(park, vacc3, 48);
      } else {
        const j = p << 2;
        store_biased(lane_sum(vacc0), bias, j, y, vmin, vmax);
        if (j + 1 < n) store_biased(lane_sum(vacc1), bias, j + 1, y, vmin, vmax);
        if (j + 2 < n) store_biased(lane_sum(vacc2), bias, j + 2, y, vmin, vmax);
        if (j + 3 < n) store_biased(lane_sum(vacc3), bias, j + 3, y, vmin, vmax);
      }
    }
  }
}
