// q4 weight-only GEMM: y[m,n] = Σ_g scales[j,g] · Σ_{p in g} (nib[j,p] − 8)·x[i,p] + bias[j].
//   x: f32 [m, k] row-major; w4, scales, bias as in gemv.ts; y: f32 [m, n] row-major.
// Blocks of four x rows (4·k·4 bytes, L1/L2-resident) against each weight row in turn: every 8
// weights are unpacked once (nibble.ts), as q·16^i·scale in lane i, and feed the four rows.
// Leftover rows (m mod 4) go through q4_gemv_f32.

import { q4_gemv_f32 } from "./gemv";
import { VUNSCALE, nib_hi, nib_lo, reduce_4x4 } from "./nibble";

export function q4_gemm_f32(m: i32, n: i32, k: i32, group: i32, x: usize, w4: usize, scales: usize, bias: usize, y: usize): void {
  if (m <= 0 || n <= 0) return;
  const ld = <usize>(k >> 1);
  const xld = <usize>k << 2;
  const yld = <usize>n << 2;
  const ngroups = k > 0 ? k / group : 0;
  const sld = <usize>ngroups << 2;
  const gbytes = <usize>(group >> 1);
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    const x0 = x + <usize>i * xld;
    const y0 = y + <usize>i * yld;
    for (let j = 0; j < n; j++) {
      let vacc0 = f32x4.splat(0);
      let vacc1 = vacc0;
      let vacc2 = vacc0;
      let vacc3 = vacc0;
      let w = w4 + <usize>j * ld;
      let xp = x0;
      const s0 = scales + <usize>j * sld;
      for (let g = 0; g < ngroups; g++) {
        const vscale = v128.load32_splat(s0 + (<usize>g << 2));
        const wend = w + gbytes;
        for (; w < wend; w += 4) {
          const vw = v128.load32_splat(w);
          const vwlo = f32x4.mul(nib_lo(vw), vscale);
          const vwhi = f32x4.mul(nib_hi(vw), vscale);
          vacc0 = f32x4.add(vacc0, f32x4.add(f32x4.mul(vwlo, v128.load(xp)), f32x4.mul(vwhi, v128.load(xp, 16))));
          vacc1 = f32x4.add(vacc1, f32x4.add(f32x4.mul(vwlo, v128.load(xp + xld)), f32x4.mul(vwhi, v128.load(xp + xld, 16))));
          vacc2 = f32x4.add(vacc2, f32x4.add(f32x4.mul(vwlo, v128.load(xp + 2 * xld)), f32x4.mul(vwhi, v128.load(xp + 2 * xld, 16))));
          vacc3 = f32x4.add(vacc3, f32x4.add(f32x4.mul(vwlo, v128.load(xp + 3 * xld)), f32x4.mul(vwhi, v128.load(xp + 3 * xld, 16))));
          xp += 32;
        }
      }
      let vout = reduce_4x4(f32x4.mul(vacc0, VUNSCALE), f32x4.mul(vacc1, VUNSCALE), f32x4.mul(vacc2, VUNSCALE), f32x4.mul(vacc3, VUNSCALE));
      if (bias != 0) vout = f32x4.add(vout, v128.load32_splat(bias + (<usize>j << 2)));
      const yo = y0 + (<usize>j << 2);
      store<f32>(yo, f32x4.extract_lane(vout, 0));
      store<f32>(yo + yld, f32x4.extract_lane(vout, 1));
      store<f32>(yo + 2 * yld, f32x4.extract_lane(vout, 2));
      store<f32>(yo + 3 * yld, f32x4.extract_lane(vout, 3));
    }
  }
  for (; i < m; i++) q4_gemv_f32(n, k, group, x + <usize>i * xld, w4, scales, bias, y + <usize>i * yld);
}
