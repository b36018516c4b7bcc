// f32 2:4 GEMM, the Linear layout: Y[m, n] = clamp(X[m, k] Wᵀ + bias, vmin, vmax), W [n, k] in the
// 2:4 kernel form of nm.ts. As f32-spmm/spmm.ts: MR rows of X transposed into workspace (kb·8·MR floats,
// f32_nm24_gemm_workspace_bytes, zero past k), one splat per kept value times 4 vectors of xt.
// Each output sums sequentially over the kept values in storage order, + bias, then clamp.
import { MR, pack_panel, panel_bytes, store_column } from "../f32-spmm/panel";
import { NM24_CHUNK, OFFS, nm24_record } from "./nm";

export function f32_nm24_gemm_workspace_bytes(m: i32, n: i32, k: i32): usize {
  return panel_bytes(((max(k, 0) + 7) >> 3) << 3);
}

export function f32_nm24_gemm(m: i32, n: i32, k: i32, x: usize, values: usize, ids: usize, bias: usize, y: usize, workspace: usize, vmin: f32, vmax: f32): void {
  if (m <= 0 || n <= 0) return;
  k = max(k, 0);
  const kb = (k + 7) >> 3;
  const panels = (n + 3) >> 2;
  const ldy = <usize>n << 2;
  const xt = workspace;
  for (let i0 = 0; i0 < m; i0 += MR) {
    const rows = min(MR, m - i0);
    pack_panel(k, kb << 3, rows, x + <usize>i0 * (<usize>k << 2), xt);
    const yrow = y + <usize>i0 * ldy;
    for (let j = 0; j < n; j++) {
      let vacc0 = f32x4.splat(0);
      let vacc1 = vacc0;
      let vacc2 = vacc0;
      let vacc3 = vacc0;
      for (let c0 = 0; c0 < kb; c0 += NM24_CHUNK) {
        // Row j's records in this chunk are consecutive (nm.ts).
        const nb = min(kb - c0, NM24_CHUNK);
        const rec = nm24_record(panels, kb, j, c0);
        const r = <usize>(j & 3);
        let vp = values + (rec << 6) + (r << 4);
        let ip = ids + (rec << 2) + r;
        for (let t = 0; t < nb; t++) {
          const offs = OFFS + (<usize>load<u8>(ip) << 2);
          const xb = xt + (<usize>(c0 + t) << 3) * (MR * 4);
          for (let q: u32 = 0; q < 4; q++) {
            const vw = f32x4.splat(load<f32>(vp + (<usize>q << 2)));
            const xp = xb + <usize>load<u8>(offs + <usize>q) * (MR * 4);
            vacc0 = f32x4.add(vacc0, f32x4.mul(vw, v128.load(xp)));
            vacc1 = f32x4.add(vacc1, f32x4.mul(vw, v128.load(xp, 16)));
            vacc2 = f32x4.add(vacc2, f32x4.mul(vw, v128.load(xp, 32)));
            vacc3 = f32x4.add(vacc3, f32x4.mul(vw, v128.load(xp, 48)));
          }
          vp += 64;
          ip += 4;
        }
      }
      const b: f32 = bias != 0 ? load<f32>(bias + (<usize>j << 2)) : 0;
      store_column(rows, vacc0, vacc1, vacc2, vacc3, b, yrow + (<usize>j << 2), ldy, vmin, vmax);
    }
  }
}
