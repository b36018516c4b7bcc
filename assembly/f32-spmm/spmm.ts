// f32 CSR SpMM, the Linear layout: Y[m, n] = clamp(X[m, k] Wᵀ + bias, vmin, vmax), W [n, k] in CSR
// as in spmv.ts. SIMD over m: MR = 16 rows of X are transposed into workspace (k·MR floats, see
// f32_spmm_workspace_bytes) so each nonzero w[j, c] is one splat times 4 contiguous vectors xt[c, :].
// Each output sums sequentially: ((w_p0·x[c_p0] + w_p1·x[c_p1]) + …) + bias, then clamp.
import { MR, pack_panel, panel_bytes, store_column } from "./panel";

export function f32_spmm_workspace_bytes(m: i32, n: i32, k: i32): usize {
  return panel_bytes(k);
}

@inline
function spmm<I>(m: i32, n: i32, k: i32, x: usize, values: usize, cols: usize, indptr: usize, bias: usize, y: usize, xt: usize, vmin: f32, vmax: f32): void {
  const ldy = <usize>n << 2;
  for (let i0 = 0; i0 < m; i0 += MR) {
    const rows = min(MR, m - i0);
    pack_panel(k, k, rows, x + <usize>i0 * (<usize>k << 2), xt);
    const yrow = y + <usize>i0 * ldy;
    let p0 = <usize>load<i32>(indptr);
    for (let j = 0; j < n; j++) {
      const p1 = <usize>load<i32>(indptr + (<usize>j << 2), 4);
      let vacc0 = f32x4.splat(0);
      let vacc1 = vacc0;
      let vacc2 = vacc0;
      let vacc3 = vacc0;
      for (let p = p0; p < p1; p++) {
        const vw = f32x4.splat(load<f32>(values + (p << 2)));
        const xp = xt + <usize>load<I>(cols + p * sizeof<I>()) * (MR * 4);
        vacc0 = f32x4.add(vacc0, f32x4.mul(vw, v128.load(xp)));
        vacc1 = f32x4.add(vacc1, f32x4.mul(vw, v128.load(xp, 16)));
        vacc2 = f32x4.add(vacc2, f32x4.mul(vw, v128.load(xp, 32)));
        vacc3 = f32x4.add(vacc3, f32x4.mul(vw, v128.load(xp, 48)));
      }
      const b: f32 = bias != 0 ? load<f32>(bias + (<usize>j << 2)) : 0;
      store_column(rows, vacc0, vacc1, vacc2, vacc3, b, yrow + (<usize>j << 2), ldy, vmin, vmax);
      p0 = p1;
    }
  }
}

export function f32_spmm_csr(m: i32, n: i32, k: i32, x: usize, values: usize, cols: usize, indptr: usize, bias: usize, y: usize, workspace: usize, vmin: f32, vmax: f32, index_bytes: i32): void {
  if (m <= 0 || n <= 0) return;
  k = max(k, 0);
  if (index_bytes == 2) spmm<u16>(m, n, k, x, values, cols, indptr, bias, y, workspace, vmin, vmax);
  else spmm<i32>(m, n, k, x, values, cols, indptr, bias, y, workspace, vmin, vmax);
}
