// f32 CSR SpMM, the Linear layout: Y[m, n] = clamp(X[m, k] Wᵀ + bias, vmin, vmax), W [n, k] in CSR
// as in spmv.ts. SIMD over m: MR = 16 rows of X are transposed into workspace (k·MR floats, see
// f32_spmm_workspace_bytes) so each nonzero w[j, c] is one splat times 4 contiguous vectors xt[c, :].
// Each output sums sequentially: ((w_p0·x[c_p0] + w_p1·x[c_p1]) + …) + bias, then clamp.
// A panel's n output columns (16 rows each) gather in workspace after xt and go to Y's rows by 4×4
// transposes: storing each column's 16 values straight into 16 rows cost 16 lane extracts and stores.
import { MR, pack_panel, panel_bytes } from "./panel";
import { transpose4x4 } from "../x32-transpose";

export function f32_spmm_workspace_bytes(m: i32, n: i32, k: i32): usize {
  return panel_bytes(k) + (<usize>max(n, 0) + 3 & ~3) * MR * 4;
}

// Y rows [rows, n] (row stride ldy bytes) from the panel's columns at yt (column j: MR floats at
// yt + j·MR·4). Whole 4×4 blocks by shuffles, the rest one float at a time.
@inline
function store_panel(rows: i32, n: i32, yt: usize, y: usize, ldy: usize): void {
  const n4 = n & ~3;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const y0 = y + <usize>r * ldy;
    for (let j = 0; j < n4; j += 4) {
      const s = yt + (<usize>j * MR << 2) + (<usize>r << 2);
      transpose4x4(v128.load(s), v128.load(s, MR * 4), v128.load(s, MR * 8), v128.load(s, MR * 12), y0 + (<usize>j << 2), ldy);
    }
    for (let j = n4; j < n; j++) {
      const s = yt + (<usize>j * MR << 2) + (<usize>r << 2);
      for (let q = 0; q < 4; q++) store<f32>(y0 + <usize>q * ldy + (<usize>j << 2), load<f32>(s + (<usize>q << 2)));
    }
  }
  for (; r < rows; r++) {
    const yr = y + <usize>r * ldy;
    for (let j = 0; j < n; j++) store<f32>(yr + (<usize>j << 2), load<f32>(yt + (<usize>j * MR << 2) + (<usize>r << 2)));
  }
}

// One CSR row j of W (nonzeros p0..p1) against 16 values per input column (4 contiguous vectors at
// x + c·stride): the sequential sums, + vb, clamped to [vlo, vhi], into 16 contiguous floats at dst.
// Shared by f32_spmm_csr (x: the packed panel) and f32_spmm_csr_t (x: XT's rows), so both give one bits.
@inline
function csr_row16<I>(p0: usize, p1: usize, values: usize, cols: usize, x: usize, stride: usize, vb: v128, vlo: v128, vhi: v128, dst: usize): void {
  let vacc0 = f32x4.splat(0);
  let vacc1 = vacc0;
  let vacc2 = vacc0;
  let vacc3 = vacc0;
  for (let p = p0; p < p1; p++) {
    const vw = f32x4.splat(load<f32>(values + (p << 2)));
    const xp = x + <usize>load<I>(cols + p * sizeof<I>()) * stride;
    vacc0 = f32x4.add(vacc0, f32x4.mul(vw, v128.load(xp)));
    vacc1 = f32x4.add(vacc1, f32x4.mul(vw, v128.load(xp, 16)));
    vacc2 = f32x4.add(vacc2, f32x4.mul(vw, v128.load(xp, 32)));
    vacc3 = f32x4.add(vacc3, f32x4.mul(vw, v128.load(xp, 48)));
  }
  v128.store(dst, f32x4.min(f32x4.max(f32x4.add(vacc0, vb), vlo), vhi));
  v128.store(dst, f32x4.min(f32x4.max(f32x4.add(vacc1, vb), vlo), vhi), 16);
  v128.store(dst, f32x4.min(f32x4.max(f32x4.add(vacc2, vb), vlo), vhi), 32);
  v128.store(dst, f32x4.min(f32x4.max(f32x4.add(vacc3, vb), vlo), vhi), 48);
}

@inline
function spmm<I>(m: i32, n: i32, k: i32, x: usize, values: usize, cols: usize, indptr: usize, bias: usize, y: usize, xt: usize, vmin: f32, vmax: f32): void {
  const ldy = <usize>n << 2;
  for (let i0 = 0; i0 < m; i0 += MR) {
    const rows = min(MR, m - i0);
    pack_panel(k, k, rows, x + <usize>i0 * (<usize>k << 2), xt);
    const yt = xt + panel_bytes(k);
    const yrow = y + <usize>i0 * ldy;
    let p0 = <usize>load<i32>(indptr);
    for (let j = 0; j < n; j++) {
      const p1 = <usize>load<i32>(indptr + (<usize>j << 2), 4);
      // + bias, then clamp (store_column's ops), into the panel's column j.
      const vb = f32x4.splat(bias != 0 ? load<f32>(bias + (<usize>j << 2)) : 0);
      csr_row16<I>(p0, p1, values, cols, xt, MR * 4, vb, f32x4.splat(vmin), f32x4.splat(vmax), yt + (<usize>j * MR << 2));
      p0 = p1;
    }
    store_panel(rows, n, yt, yrow, ldy);
  }
}

export function f32_spmm_csr(m: i32, n: i32, k: i32, x: usize, values: usize, cols: usize, indptr: usize, bias: usize, y: usize, workspace: usize, vmin: f32, vmax: f32, index_bytes: i32): void {
  if (m <= 0 || n <= 0) return;
  k = max(k, 0);
  if (index_bytes == 2) spmm<u16>(m, n, k, x, values, cols, indptr, bias, y, workspace, vmin, vmax);
  else spmm<i32>(m, n, k, x, values, cols, indptr, bias, y, workspace, vmin, vmax);
}

// The product with its sides swapped, for a sparse convolution: Y[n, m] = clamp(W·XT + bias, vmin,
// vmax) with W [n, k] in CSR and XT [k, m] row-major (f32_im2col_t's columns: Y is then NCHW). Each
// output sums as f32_spmm_csr's (nonzeros in order, + bias, clamp), so the bits are the same as
// f32_spmm_csr on X = XTᵀ, transposed. 16 columns of XT per step: no packing and no transposes.
@inline
function spmm_t<I>(m: i32, n: i32, xt: usize, values: usize, cols: usize, indptr: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  const ldx = <usize>m << 2;
  const vlo = f32x4.splat(vmin);
  const vhi = f32x4.splat(vmax);
  const m16 = m & ~15;
  const m4 = m & ~3;
  let p0 = <usize>load<i32>(indptr);
  for (let j = 0; j < n; j++) {
    const p1 = <usize>load<i32>(indptr + (<usize>j << 2), 4);
    const vb = f32x4.splat(bias != 0 ? load<f32>(bias + (<usize>j << 2)) : 0);
    const yrow = y + <usize>j * ldx;
    let i = 0;
    for (; i < m16; i += 16) csr_row16<I>(p0, p1, values, cols, xt + (<usize>i << 2), ldx, vb, vlo, vhi, yrow + (<usize>i << 2));
    for (; i < m4; i += 4) {
      const xo = xt + (<usize>i << 2);
      let vacc = f32x4.splat(0);
      for (let p = p0; p < p1; p++) {
        vacc = f32x4.add(vacc, f32x4.mul(f32x4.splat(load<f32>(values + (p << 2))), v128.load(xo + <usize>load<I>(cols + p * sizeof<I>()) * ldx)));
      }
      v128.store(yrow + (<usize>i << 2), f32x4.min(f32x4.max(f32x4.add(vacc, vb), vlo), vhi));
    }
    for (; i < m; i++) {
      const xo = xt + (<usize>i << 2);
      let s: f32 = 0;
      for (let p = p0; p < p1; p++) s += load<f32>(values + (p << 2)) * load<f32>(xo + <usize>load<I>(cols + p * sizeof<I>()) * ldx);
      // store_column's lane ops on one float: + bias, max, min.
      s += f32x4.extract_lane(vb, 0);
      store<f32>(yrow + (<usize>i << 2), min<f32>(max<f32>(s, vmin), vmax));
    }
    p0 = p1;
  }
}

export function f32_spmm_csr_t(m: i32, n: i32, xt: usize, values: usize, cols: usize, indptr: usize, bias: usize, y: usize, vmin: f32, vmax: f32, index_bytes: i32): void {
  if (m <= 0 || n <= 0) return;
  if (index_bytes == 2) spmm_t<u16>(m, n, xt, values, cols, indptr, bias, y, vmin, vmax);
  else spmm_t<i32>(m, n, xt, values, cols, indptr, bias, y, vmin, vmax);
}
