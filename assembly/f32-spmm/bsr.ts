// f32 BSR SpMV with 1×4 blocks along the inputs: y[n] = clamp(W x + bias, vmin, vmax), W [n, k] as
//   values f32 [nb, 4]   block b's 4 weights, inputs 4·bcols[b] .. 4·bcols[b] + 3 (past k: zero)
//   bcols [nb] u16 (index_bytes 2) or i32 (index_bytes 4); bptr i32 [n + 1] (row j: blocks bptr[j] .. bptr[j+1] − 1)
// x is first copied into workspace (f32_spmv_bsr_workspace_bytes), zero-padded to a multiple of 4, so a
// block is one aligned 16-byte load of x: no gather. Every row sums in one fixed order
// (src/sparse/kernels-ref.ts): its blocks in storage order alternate between vectors A (1st, 3rd, …)
// and B (2nd, 4th, …), lane-wise; A + B; lanes summed (l0 + l1) + (l2 + l3); + bias; clamp.
// Pays where weights are pruned in whole blocks (Pruner.block): 1.7x our CSR SpMV at the same sparsity
// (4096², 90%), and 0.35-0.46x on unstructured sparsity (bench/dev/bsr.mjs), so SparseLinear picks it only
// for mostly full blocks (BSR_RULE).

import { lane_sum, store_biased } from "../f32-lanes";

export function f32_spmv_bsr_workspace_bytes(k: i32): usize {
  return <usize>((max(k, 0) + 3) >> 2) << 4;
}

@inline
function block(vacc: v128, x: usize, values: usize, b: usize, c: usize): v128 {
  return f32x4.add(vacc, f32x4.mul(v128.load(values + (b << 4)), v128.load(x + (c << 4))));
}

@inline
function spmv<I>(n: i32, k: i32, x: usize, values: usize, bcols: usize, bptr: usize, bias: usize, y: usize, workspace: usize, vmin: f32, vmax: f32): void {
  k = max(k, 0);
  const xp = workspace;
  memory.copy(xp, x, <usize>k << 2);
  memory.fill(xp + (<usize>k << 2), 0, (<usize>(((k + 3) >> 2) << 2) - <usize>k) << 2);
  let b0 = <usize>load<i32>(bptr);
  for (let j = 0; j < n; j++) {
    const o = <usize>j << 2;
    const b1 = <usize>load<i32>(bptr + o, 4);
    let va = f32x4.splat(0);
    let vb = va;
    let b = b0;
    for (; b + 2 <= b1; b += 2) {
      va = block(va, xp, values, b, <usize>load<I>(bcols + b * sizeof<I>()));
      vb = block(vb, xp, values, b + 1, <usize>load<I>(bcols + b * sizeof<I>(), sizeof<I>()));
    }
    if (b < b1) va = block(va, xp, values, b, <usize>load<I>(bcols + b * sizeof<I>()));
    store_biased(lane_sum(f32x4.add(va, vb)), bias, j, y, vmin, vmax);
    b0 = b1;
  }
}

export function f32_spmv_bsr(n: i32, k: i32, x: usize, values: usize, bcols: usize, bptr: usize, bias: usize, y: usize, workspace: usize, vmin: f32, vmax: f32, index_bytes: i32): void {
  if (n <= 0) return;
  if (index_bytes == 2) spmv<u16>(n, k, x, values, bcols, bptr, bias, y, workspace, vmin, vmax);
  else spmv<i32>(n, k, x, values, bcols, bptr, bias, y, workspace, vmin, vmax);
}
