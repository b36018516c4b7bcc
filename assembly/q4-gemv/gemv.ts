// q4 weight-only GEMV: y[n] = Σ_g scales[j,g] · Σ_{p in group g} (nib[j,p] − 8)·x[p] + bias[j].
//   x: f32 [k]; w4: u8 [n, k/2], byte b of a row holds k = 2b (low nibble) and 2b + 1 (high nibble);
//   scales: f32 [n, k/group]; bias: f32 [n] or 0. Contract: group % 8 == 0, k % group == 0.
// Unpacking: nibble.ts (q = nib − 8 exact in f32; lane i of a product carries a factor 16^i, removed
// once per row). Four rows share each pair of x loads. f32 sums in a fixed order (not the
// reference's): the error budget is that of an f32 dot product (bench/dev/qgemm-kernels.mjs:
// 1e-5 of Σ|s·q·x| + |bias|). ALU-bound (~10 vector ops per 8 weights), not memory-bound.

import { VUNSCALE, nib_dot8, reduce_4x4 } from "./nibble";

export function q4_gemv_f32(n: i32, k: i32, group: i32, x: usize, w4: usize, scales: usize, bias: usize, y: usize): void {
  if (n <= 0) return;
  const ld = <usize>(k >> 1);
  const ngroups = k > 0 ? k / group : 0;
  const sld = <usize>ngroups << 2;
  const words = group >> 3;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    let w0 = w4 + <usize>j * ld;
    let w1 = w0 + ld;
    let w2 = w1 + ld;
    let w3 = w2 + ld;
    let s = scales + <usize>j * sld;
    let xp = x;
    let vy0 = f32x4.splat(0);
    let vy1 = vy0;
    let vy2 = vy0;
    let vy3 = vy0;
    for (let g = 0; g < ngroups; g++) {
      let vacc0 = f32x4.splat(0);
      let vacc1 = vacc0;
      let vacc2 = vacc0;
      let vacc3 = vacc0;
      for (let t = 0; t < words; t++) {
        const vxlo = v128.load(xp);
        const vxhi = v128.load(xp, 16);
        vacc0 = f32x4.add(vacc0, nib_dot8(w0, vxlo, vxhi));
        vacc1 = f32x4.add(vacc1, nib_dot8(w1, vxlo, vxhi));
        vacc2 = f32x4.add(vacc2, nib_dot8(w2, vxlo, vxhi));
        vacc3 = f32x4.add(vacc3, nib_dot8(w3, vxlo, vxhi));
        w0 += 4;
        w1 += 4;
        w2 += 4;
        w3 += 4;
        xp += 32;
      }
      vy0 = f32x4.add(vy0, f32x4.mul(v128.load32_splat(s), vacc0));
      vy1 = f32x4.add(vy1, f32x4.mul(v128.load32_splat(s + sld), vacc1));
      vy2 = f32x4.add(vy2, f32x4.mul(v128.load32_splat(s + 2 * sld), vacc2));
      vy3 = f32x4.add(vy3, f32x4.mul(v128.load32_splat(s + 3 * sld), vacc3));
      s += 4;
    }
    let vout = reduce_4x4(f32x4.mul(vy0, VUNSCALE), f32x4.mul(vy1, VUNSCALE), f32x4.mul(vy2, VUNSCALE), f32x4.mul(vy3, VUNSCALE));
    const yo = <usize>j << 2;
    if (bias != 0) vout = f32x4.add(vout, v128.load(bias + yo));
    v128.store(y + yo, vout);
  }
  for (; j < n; j++) {
    let w0 = w4 + <usize>j * ld;
    let s = scales + <usize>j * sld;
    let xp = x;
    let vy = f32x4.splat(0);
    for (let g = 0; g < ngroups; g++) {
      let vacc = f32x4.splat(0);
      for (let t = 0; t < words; t++) {
        vacc = f32x4.add(vacc, nib_dot8(w0, v128.load(xp), v128.load(xp, 16)));
        w0 += 4;
        xp += 32;
      }
      vy = f32x4.add(vy, f32x4.mul(v128.load32_splat(s), vacc));
      s += 4;
    }
    vy = f32x4.mul(vy, VUNSCALE);
    let sum = (f32x4.extract_lane(vy, 0) + f32x4.extract_lane(vy, 1)) + (f32x4.extract_lane(vy, 2) + f32x4.extract_lane(vy, 3));
    if (bias != 0) sum += load<f32>(bias + (<usize>j << 2));
    store<f32>(y + (<usize>j << 2), sum);
  }
}
