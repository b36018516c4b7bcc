// Dev entry: a rows-in-lanes q4 GEMV (bench/dev/q4rl.mjs) with the product's bits.
// Layout: per 4-row panel and 32-input block, 4 vectors v; u16 lane t (row t >> 1, element t & 1) holds
// in nibble s the weight (row, input 32b + 8v + 2s + (t & 1)) + 8. Plane s of vector v against the x pair
// (8v + 2s, 8v + 2s + 1) broadcast to all lanes gives each row's two products in its own 32-bit lane, so a
// group ends without a lane reduction. x pairs are stored broadcast and scaled by 256, 16, 1, 256 for
// planes 0..3, so planes 1 and 2 are masked in place and only plane 3 shifts: every sum is 256·D, exact.
export { q4_gemv_f32, q4_workspace_bytes } from "../../assembly/q4-gemv/gemv";
import { q4_padded_k, q4_quantize_row, q4_row_bytes } from "../../assembly/q4-gemv/quantize";

/** Repacks the product's panel layout (q4PackWeights) into the rows-in-lanes layout. */
export function q4_pack_rl(n: i32, kp: i32, w4: usize, out: usize): void {
  const panels = (n + 3) >> 2;
  const blocks = kp >> 5;
  for (let q = 0; q < panels; q++) {
    for (let b = 0; b < blocks; b++) {
      const src = w4 + (<usize>(q * blocks + b) << 6);
      const dst = out + (<usize>(q * blocks + b) << 6);
      for (let v = 0; v < 4; v++) {
        for (let t = 0; t < 8; t++) {
          const r = t >> 1, e = t & 1;
          let lane: u32 = 0;
          for (let s = 0; s < 4; s++) {
            // Input p = 8v + 2s + e of the block; the product stores it at row r, u16 lane p & 7, nibble p >> 3.
            const p = 8 * v + 2 * s + e;
            const nib = (<u32>load<u16>(src + (<usize>r << 4) + (<usize>(p & 7) << 1)) >> (4 * (p >> 3))) & 15;
            lane |= nib << (4 * s);
          }
          store<u16>(dst + (<usize>v << 4) + (<usize>t << 1), <u16>lane);
        }
      }
    }
  }
}

/**
 * The product's quantized row (codes, then d and corr per group) → per group: group/2 pairs × 16 bytes
 * (the pair broadcast, scaled 256/16/1/256 by pair index mod 4), then d ×4 and corr ×4 (32 bytes).
 */
export function q4_bcast_row(kp: i32, group: i32, xq: usize, out: usize): void {
  const ngroups = kp / group;
  let gp = xq + (<usize>kp << 1);
  let o = out;
  for (let g = 0; g < ngroups; g++) {
    for (let P = 0; P < (group >> 1); P++) {
      const pair = load<u32>(xq + (<usize>(g * group + 2 * P) << 1));
      const sh = (P & 3) == 0 || (P & 3) == 3 ? 8 : (P & 3) == 1 ? 4 : 0;
      v128.store(o, i16x8.shl(i32x4.splat(pair), sh));
      o += 16;
    }
    v128.store(o, f32x4.splat(load<f32>(gp)));
    v128.store(o, i32x4.splat(load<i32>(gp, 4)), 16);
    o += 32;
    gp += 8;
  }
}

// y lanes (4 rows) of one panel for the broadcast x row xb.
function panel_rl(kp: i32, group: i32, xb: usize, w: usize, s: usize): v128 {
  const ngroups = kp / group;
  const blocks = group >> 5;
  const vm0 = i16x8.splat(0x000f);
  const vm1 = i16x8.splat(0x00f0);
  const vm2 = i16x8.splat(0x0f00);
  let xp = xb;
  let vy = f32x4.splat(0);
  for (let g = 0; g < ngroups; g++) {
    let vacc0 = i32x4.splat(0);
    let vacc1 = vacc0;
    let vacc2 = vacc0;
    let vacc3 = vacc0;
    for (let b = 0; b < blocks; b++) {
      for (let v: usize = 0; v < 4; v++) {
        const vw = v128.load(w + (v << 4));
        const xv = xp + (v << 6);
        vacc0 = i32x4.add(vacc0, i32x4.dot_i16x8_s(v128.and(vw, vm0), v128.load(xv)));
        vacc1 = i32x4.add(vacc1, i32x4.dot_i16x8_s(v128.and(vw, vm1), v128.load(xv, 16)));
        vacc2 = i32x4.add(vacc2, i32x4.dot_i16x8_s(v128.and(vw, vm2), v128.load(xv, 32)));
        vacc3 = i32x4.add(vacc3, i32x4.dot_i16x8_s(i16x8.shr_u(vw, 12), v128.load(xv, 48)));
      }
      w += 64;
      xp += 256;
    }
    const vd = i32x4.add(i32x4.shr_s(i32x4.add(i32x4.add(vacc0, vacc1), i32x4.add(vacc2, vacc3)), 8), v128.load(xp, 16));
    vy = f32x4.add(vy, f32x4.mul(f32x4.convert_i32x4_s(vd), f32x4.mul(v128.load(s), v128.load(xp))));
    xp += 32;
    s += 16;
  }
  return vy;
}

/** The GEMV on rows-in-lanes weights (q4_pack_rl); ws: q4_workspace_bytes(1, k, group) + (8·kp + 32·groups) bytes. */
export function q4_gemv_rl(n: i32, k: i32, group: i32, x: usize, wrl: usize, scales: usize, y: usize, ws: usize): void {
  const kp = q4_padded_k(k, group);
  const rb = q4_row_bytes(kp, group);
  q4_quantize_row(k, kp, group, x, ws, ws + rb);
  const xb = (ws + rb + (<usize>group << 2) + 15) & ~(<usize>15);
  q4_bcast_row(kp, group, ws, xb);
  const panel_w = <usize>kp << 1;
  const panel_s = <usize>(kp / group) << 4;
  for (let j = 0; j < n; j += 4) {
    const vy = panel_rl(kp, group, xb, wrl + (<usize>j >> 2) * panel_w, scales + (<usize>j >> 2) * panel_s);
    v128.store(y + (<usize>j << 2), vy);
  }
}
