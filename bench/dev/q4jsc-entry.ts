// Dev entry: q4 GEMV group reductions for JavaScriptCore (bench/dev/q4jsc.mjs).
export { q4_gemv_f32, q4_workspace_bytes } from "../../assembly/q4-gemv/gemv";
import { q4_padded_k, q4_quantize_row, q4_row_bytes } from "../../assembly/q4-gemv/quantize";

@inline
function dot32(vw: v128, vmask: v128, vx0: v128, vx1: v128, vx2: v128, vx3: v128): v128 {
  const vp01 = i32x4.add(i32x4.dot_i16x8_s(v128.and(vw, vmask), vx0), i32x4.dot_i16x8_s(v128.and(i16x8.shr_u(vw, 4), vmask), vx1));
  const vp23 = i32x4.add(i32x4.dot_i16x8_s(v128.and(i16x8.shr_u(vw, 8), vmask), vx2), i32x4.dot_i16x8_s(i16x8.shr_u(vw, 12), vx3));
  return i32x4.add(vp01, vp23);
}

// The nibble planes left where they are (planes 1 and 2 masked in place, plane 3 shifted down once),
// against x codes pre-scaled by 256, 16, 1, 256 per plane: the sum is 256·D, exact.
@inline
function dot32s(vw: v128, vx0: v128, vx1: v128, vx2: v128, vx3: v128): v128 {
  const vp01 = i32x4.add(i32x4.dot_i16x8_s(v128.and(vw, i16x8.splat(0x000f)), vx0), i32x4.dot_i16x8_s(v128.and(vw, i16x8.splat(0x00f0)), vx1));
  const vp23 = i32x4.add(i32x4.dot_i16x8_s(v128.and(vw, i16x8.splat(0x0f00)), vx2), i32x4.dot_i16x8_s(i16x8.shr_u(vw, 12), vx3));
  return i32x4.add(vp01, vp23);
}

// Shift-free unpacking: planes 0 and 1 masked in place (0x000F, 0x00F0), planes 2 and 3 the same after
// a byte shuffle that brings each u16 lane's high byte down; x codes of planes 0 and 2 pre-scaled by 16,
// so every product is 16·n·x: the sum is 16·D, exact. SHUF: swizzle (8) or same-operand shuffle (9).
@inline
function dot32b(vw: v128, vx0: v128, vx1: v128, vx2: v128, vx3: v128, SHUF: i32): v128 {
  const vs = SHUF == 8 ? i8x16.swizzle(vw, i8x16(1, -128, 3, -128, 5, -128, 7, -128, 9, -128, 11, -128, 13, -128, 15, -128)) : i8x16.shuffle(vw, vw, 1, 1, 3, 3, 5, 5, 7, 7, 9, 9, 11, 11, 13, 13, 15, 15);
  const vp01 = i32x4.add(i32x4.dot_i16x8_s(v128.and(vw, i16x8.splat(0x000f)), vx0), i32x4.dot_i16x8_s(v128.and(vw, i16x8.splat(0x00f0)), vx1));
  const vp23 = i32x4.add(i32x4.dot_i16x8_s(v128.and(vs, i16x8.splat(0x000f)), vx2), i32x4.dot_i16x8_s(v128.and(vs, i16x8.splat(0x00f0)), vx3));
  return i32x4.add(vp01, vp23);
}

@inline
function hsum(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

// MODE 0: extract_lane sums; 1: i64x2 / 8x16 shuffles; 2: the product's 32x4 shuffles.
@inline
function reduce(mode: i32, v0: v128, v1: v128, v2: v128, v3: v128): v128 {
  if (mode == 0) {
    let r = i32x4.splat(hsum(v0));
    r = i32x4.replace_lane(r, 1, hsum(v1));
    r = i32x4.replace_lane(r, 2, hsum(v2));
    return i32x4.replace_lane(r, 3, hsum(v3));
  }
  if (mode == 1) {
    // Pairs via 64-bit interleaves (punpcklqdq / punpckhqdq), then odd/even lanes with a byte shuffle.
    const v01 = i32x4.add(i64x2.shuffle(v0, v1, 0, 2), i64x2.shuffle(v0, v1, 1, 3));
    const v23 = i32x4.add(i64x2.shuffle(v2, v3, 0, 2), i64x2.shuffle(v2, v3, 1, 3));
    return i32x4.add(i32x4.shuffle(v01, v23, 0, 2, 4, 6), i32x4.shuffle(v01, v23, 1, 3, 5, 7));
  }
  const v01 = i32x4.add(i32x4.shuffle(v0, v1, 0, 4, 1, 5), i32x4.shuffle(v0, v1, 2, 6, 3, 7));
  const v23 = i32x4.add(i32x4.shuffle(v2, v3, 0, 4, 1, 5), i32x4.shuffle(v2, v3, 2, 6, 3, 7));
  return i32x4.add(i32x4.shuffle(v01, v23, 0, 1, 4, 5), i32x4.shuffle(v01, v23, 2, 3, 6, 7));
}

// The probe's broadcast x: 256 bytes per group (16 pairs x 16 bytes), reused for every group (timing only).
const XB: usize = memory.data(256, 16);

@inline
function gemv(mode: i32, n: i32, k: i32, group: i32, x: usize, w4: usize, scales: usize, y: usize, workspace: usize): void {
  const kp = q4_padded_k(k, group);
  const tail = workspace + q4_row_bytes(kp, group);
  q4_quantize_row(k, kp, group, x, workspace, tail);
  if (mode == 8 || mode == 9) {
    // Planes 0 and 2 times 16 (a separate pass here; the quantizer would store them so).
    for (let p: usize = 0; p < <usize>kp; p += 32) {
      const a = workspace + (p << 1);
      v128.store(a, i16x8.shl(v128.load(a), 4));
      v128.store(a, i16x8.shl(v128.load(a, 32), 4), 32);
    }
  }
  if (mode == 3) {
    // Scale the codes per plane (a separate pass here; the quantizer would store them so).
    for (let p: usize = 0; p < <usize>kp; p += 32) {
      const a = workspace + (p << 1);
      v128.store(a, i16x8.shl(v128.load(a), 8));
      v128.store(a, i16x8.shl(v128.load(a, 16), 4), 16);
      v128.store(a, i16x8.shl(v128.load(a, 48), 8), 48);
    }
  }
  const vmask = i16x8.splat(15);
  const ngroups = kp / group;
  const blocks = group >> 5;
  let w = w4;
  let s = scales;
  for (let j = 0; j < n; j += 4) {
    let gp = workspace + (<usize>kp << 1);
    let xp = workspace;
    let vy = f32x4.splat(0);
    for (let g = 0; g < ngroups; g++) {
      let vacc0 = i32x4.splat(0), vacc1 = vacc0, vacc2 = vacc0, vacc3 = vacc0;
      for (let b = 0; b < blocks; b++) {
        const vx0 = v128.load(xp), vx1 = v128.load(xp, 16), vx2 = v128.load(xp, 32), vx3 = v128.load(xp, 48);
        if (mode == 7) {
          // Probe (wrong sums): rows in lanes, x pairs pre-broadcast (16 bytes each, from xb), per-plane
          // pre-scaled x, one accumulator per plane, no reduction at the group's end.
          for (let q: usize = 0; q < 4; q++) {
            const vw = v128.load(w + (q << 4));
            const xq = XB + (q << 6);
            vacc0 = i32x4.add(vacc0, i32x4.dot_i16x8_s(v128.and(vw, i16x8.splat(0x000f)), v128.load(xq)));
            vacc1 = i32x4.add(vacc1, i32x4.dot_i16x8_s(v128.and(vw, i16x8.splat(0x00f0)), v128.load(xq, 16)));
            vacc2 = i32x4.add(vacc2, i32x4.dot_i16x8_s(v128.and(vw, i16x8.splat(0x0f00)), v128.load(xq, 32)));
            vacc3 = i32x4.add(vacc3, i32x4.dot_i16x8_s(i16x8.shr_u(vw, 12), v128.load(xq, 48)));
          }
        } else if (mode == 6) {
          // Probe (wrong sums): the c2 layout's instruction mix (lanes = rows: each 16 bytes hold 4 rows ×
          // 2 inputs × 4 nibble planes; x pairs splat; no reduction at the group's end).
          for (let q: usize = 0; q < 4; q++) {
            const vw = v128.load(w + (q << 4));
            const xq = xp + (q << 4);
            vacc0 = i32x4.add(vacc0, i32x4.dot_i16x8_s(v128.and(vw, i16x8.splat(0x000f)), v128.load32_splat(xq)));
            vacc1 = i32x4.add(vacc1, i32x4.dot_i16x8_s(v128.and(vw, i16x8.splat(0x00f0)), v128.load32_splat(xq, 4)));
            vacc2 = i32x4.add(vacc2, i32x4.dot_i16x8_s(v128.and(vw, i16x8.splat(0x0f00)), v128.load32_splat(xq, 8)));
            vacc3 = i32x4.add(vacc3, i32x4.dot_i16x8_s(i16x8.shr_u(vw, 12), v128.load32_splat(xq, 12)));
          }
        } else if (mode == 5) {
          // Probe (wrong sums): no unpacking, the packed bytes dotted as they are.
          vacc0 = i32x4.add(vacc0, i32x4.add(i32x4.add(i32x4.dot_i16x8_s(v128.load(w), vx0), i32x4.dot_i16x8_s(v128.load(w), vx1)), i32x4.add(i32x4.dot_i16x8_s(v128.load(w), vx2), i32x4.dot_i16x8_s(v128.load(w), vx3))));
          vacc1 = i32x4.add(vacc1, i32x4.add(i32x4.add(i32x4.dot_i16x8_s(v128.load(w, 16), vx0), i32x4.dot_i16x8_s(v128.load(w, 16), vx1)), i32x4.add(i32x4.dot_i16x8_s(v128.load(w, 16), vx2), i32x4.dot_i16x8_s(v128.load(w, 16), vx3))));
          vacc2 = i32x4.add(vacc2, i32x4.add(i32x4.add(i32x4.dot_i16x8_s(v128.load(w, 32), vx0), i32x4.dot_i16x8_s(v128.load(w, 32), vx1)), i32x4.add(i32x4.dot_i16x8_s(v128.load(w, 32), vx2), i32x4.dot_i16x8_s(v128.load(w, 32), vx3))));
          vacc3 = i32x4.add(vacc3, i32x4.add(i32x4.add(i32x4.dot_i16x8_s(v128.load(w, 48), vx0), i32x4.dot_i16x8_s(v128.load(w, 48), vx1)), i32x4.add(i32x4.dot_i16x8_s(v128.load(w, 48), vx2), i32x4.dot_i16x8_s(v128.load(w, 48), vx3))));
        } else if (mode == 8 || mode == 9) {
          vacc0 = i32x4.add(vacc0, dot32b(v128.load(w), vx0, vx1, vx2, vx3, mode));
          vacc1 = i32x4.add(vacc1, dot32b(v128.load(w, 16), vx0, vx1, vx2, vx3, mode));
          vacc2 = i32x4.add(vacc2, dot32b(v128.load(w, 32), vx0, vx1, vx2, vx3, mode));
          vacc3 = i32x4.add(vacc3, dot32b(v128.load(w, 48), vx0, vx1, vx2, vx3, mode));
        } else if (mode == 3) {
          vacc0 = i32x4.add(vacc0, dot32s(v128.load(w), vx0, vx1, vx2, vx3));
          vacc1 = i32x4.add(vacc1, dot32s(v128.load(w, 16), vx0, vx1, vx2, vx3));
          vacc2 = i32x4.add(vacc2, dot32s(v128.load(w, 32), vx0, vx1, vx2, vx3));
          vacc3 = i32x4.add(vacc3, dot32s(v128.load(w, 48), vx0, vx1, vx2, vx3));
        } else {
          vacc0 = i32x4.add(vacc0, dot32(v128.load(w), vmask, vx0, vx1, vx2, vx3));
          vacc1 = i32x4.add(vacc1, dot32(v128.load(w, 16), vmask, vx0, vx1, vx2, vx3));
          vacc2 = i32x4.add(vacc2, dot32(v128.load(w, 32), vmask, vx0, vx1, vx2, vx3));
          vacc3 = i32x4.add(vacc3, dot32(v128.load(w, 48), vmask, vx0, vx1, vx2, vx3));
        }
        w += 64;
        xp += 64;
      }
      if (mode == 4) {
        // Probe (wrong sums): no per-group epilogue, the groups' sums added as integers.
        vy = i32x4.add(vy, i32x4.add(i32x4.add(vacc0, vacc1), i32x4.add(vacc2, vacc3)));
        s += 16;
        gp += 8;
        continue;
      }
      let vr = mode >= 6 && mode <= 7 ? i32x4.add(i32x4.add(vacc0, vacc1), i32x4.add(vacc2, vacc3)) : reduce(mode >= 3 ? 2 : mode, vacc0, vacc1, vacc2, vacc3);
      if (mode == 3 || (mode >= 6 && mode <= 7)) vr = i32x4.shr_s(vr, 8);
      if (mode == 8 || mode == 9) vr = i32x4.shr_s(vr, 4);
      const vd = i32x4.add(vr, v128.load32_splat(gp, 4));
      vy = f32x4.add(vy, f32x4.mul(f32x4.convert_i32x4_s(vd), f32x4.mul(v128.load(s), v128.load32_splat(gp))));
      s += 16;
      gp += 8;
    }
    v128.store(y + (<usize>j << 2), vy);
  }
}

export function q4_gemv_extract(n: i32, k: i32, group: i32, x: usize, w4: usize, scales: usize, y: usize, ws: usize): void { gemv(0, n, k, group, x, w4, scales, y, ws); }
export function q4_gemv_i64(n: i32, k: i32, group: i32, x: usize, w4: usize, scales: usize, y: usize, ws: usize): void { gemv(1, n, k, group, x, w4, scales, y, ws); }
export function q4_gemv_shuf(n: i32, k: i32, group: i32, x: usize, w4: usize, scales: usize, y: usize, ws: usize): void { gemv(2, n, k, group, x, w4, scales, y, ws); }
export function q4_gemv_scaled(n: i32, k: i32, group: i32, x: usize, w4: usize, scales: usize, y: usize, ws: usize): void { gemv(3, n, k, group, x, w4, scales, y, ws); }
export function probe_no_epilogue(n: i32, k: i32, group: i32, x: usize, w4: usize, scales: usize, y: usize, ws: usize): void { gemv(4, n, k, group, x, w4, scales, y, ws); }
export function probe_no_unpack(n: i32, k: i32, group: i32, x: usize, w4: usize, scales: usize, y: usize, ws: usize): void { gemv(5, n, k, group, x, w4, scales, y, ws); }
export function probe_c2(n: i32, k: i32, group: i32, x: usize, w4: usize, scales: usize, y: usize, ws: usize): void { gemv(6, n, k, group, x, w4, scales, y, ws); }
export function probe_lanes_bcast(n: i32, k: i32, group: i32, x: usize, w4: usize, scales: usize, y: usize, ws: usize): void { gemv(7, n, k, group, x, w4, scales, y, ws); }
export function q4_gemv_swz(n: i32, k: i32, group: i32, x: usize, w4: usize, scales: usize, y: usize, ws: usize): void { gemv(8, n, k, group, x, w4, scales, y, ws); }
export function q4_gemv_shuf2(n: i32, k: i32, group: i32, x: usize, w4: usize, scales: usize, y: usize, ws: usize): void { gemv(9, n, k, group, x, w4, scales, y, ws); }
