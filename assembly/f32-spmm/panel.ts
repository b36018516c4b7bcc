// Transposed panel of up to MR rows of X for the sparse GEMMs: xt[c·MR + r] = X[i0 + r, c] for c < k,
// r < rows; 0 for r ≥ rows and for c in [k, kp) (the padded inputs a 2:4 tail may index).
//   x: f32 [m, k] row-major at row i0; xt: f32 [kp, MR].

import { transpose4x4 } from "../x32-transpose";

export const MR = 16;

export function panel_bytes(kp: i32): usize {
  return <usize>max(kp, 0) * MR * 4;
}

// Four rows at a time, 4×4 blocks transposed in registers (a scalar copy per element cost more than
// the products at 10% density: 36 µs of a 45 µs 196×288 · 288×64 conv product).
@inline
export function pack_panel(k: i32, kp: i32, rows: i32, x: usize, xt: usize): void {
  const ld = <usize>k << 2;
  if (rows < MR || kp > k) memory.fill(xt, 0, panel_bytes(kp));
  const k4 = k & ~3;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const s0 = x + <usize>r * ld;
    const s1 = s0 + ld;
    const s2 = s1 + ld;
    const s3 = s2 + ld;
    const dst = xt + (<usize>r << 2);
    for (let c = 0; c < k4; c += 4) {
      const o = <usize>c << 2;
      transpose4x4(v128.load(s0 + o), v128.load(s1 + o), v128.load(s2 + o), v128.load(s3 + o), dst + <usize>c * (MR * 4), MR * 4);
    }
    for (let c = k4; c < k; c++) {
      const d = dst + <usize>c * (MR * 4);
      const o = <usize>c << 2;
      store<f32>(d, load<f32>(s0 + o));
      store<f32>(d, load<f32>(s1 + o), 4);
      store<f32>(d, load<f32>(s2 + o), 8);
      store<f32>(d, load<f32>(s3 + o), 12);
    }
  }
  for (; r < rows; r++) {
    const src = x + <usize>r * ld;
    const dst = xt + (<usize>r << 2);
    for (let c = 0; c < k; c++) store<f32>(dst + <usize>c * (MR * 4), load<f32>(src + (<usize>c << 2)));
  }
}

// Y[i0 + r, j] = clamp(lanes r of (vacc0..3) + bias_j) for r < rows; y row stride ldy bytes.
@inline
export function store_column(rows: i32, vacc0: v128, vacc1: v128, vacc2: v128, vacc3: v128, b: f32, y: usize, ldy: usize, vmin: f32, vmax: f32): void {
  const vb = f32x4.splat(b);
  const vlo = f32x4.splat(vmin);
  const vhi = f32x4.splat(vmax);
  const v0 = f32x4.min(f32x4.max(f32x4.add(vacc0, vb), vlo), vhi);
  const v1 = f32x4.min(f32x4.max(f32x4.add(vacc1, vb), vlo), vhi);
  const v2 = f32x4.min(f32x4.max(f32x4.add(vacc2, vb), vlo), vhi);
  const v3 = f32x4.min(f32x4.max(f32x4.add(vacc3, vb), vlo), vhi);
  if (rows == MR) {
    store<f32>(y, f32x4.extract_lane(v0, 0)); store<f32>(y + ldy, f32x4.extract_lane(v0, 1));
    store<f32>(y + 2 * ldy, f32x4.extract_lane(v0, 2)); store<f32>(y + 3 * ldy, f32x4.extract_lane(v0, 3));
    store<f32>(y + 4 * ldy, f32x4.extract_lane(v1, 0)); store<f32>(y + 5 * ldy, f32x4.extract_lane(v1, 1));
    store<f32>(y + 6 * ldy, f32x4.extract_lane(v1, 2)); store<f32>(y + 7 * ldy, f32x4.extract_lane(v1, 3));
    store<f32>(y + 8 * ldy, f32x4.extract_lane(v2, 0)); store<f32>(y + 9 * ldy, f32x4.extract_lane(v2, 1));
    store<f32>(y + 10 * ldy, f32x4.extract_lane(v2, 2)); store<f32>(y + 11 * ldy, f32x4.extract_lane(v2, 3));
    store<f32>(y + 12 * ldy, f32x4.extract_lane(v3, 0)); store<f32>(y + 13 * ldy, f32x4.extract_lane(v3, 1));
    store<f32>(y + 14 * ldy, f32x4.extract_lane(v3, 2)); store<f32>(y + 15 * ldy, f32x4.extract_lane(v3, 3));
    return;
  }
  v128.store(ACC, v0); v128.store(ACC, v1, 16); v128.store(ACC, v2, 32); v128.store(ACC, v3, 48);
  for (let r = 0; r < rows; r++) store<f32>(y + <usize>r * ldy, load<f32>(ACC + (<usize>r << 2)));
}

const ACC: usize = memory.data(64, 16);
