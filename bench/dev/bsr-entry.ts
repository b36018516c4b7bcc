// Dev entry: block-sparse (BSR, 1x4 blocks along the inputs) SpMV against the product's CSR SpMV and
// dense GEMV, for the "a blocked variant if it measures faster" (bench/dev/bsr.mjs).
export * from "../../assembly/f32-spmm/spmv";
export * from "../../assembly/f32-gemm/gemv-packed";

// y[j] = Σ over row j's blocks b: values[b] (4 floats) · x[4·bcol[b] .. +3]; bptr: i32 [n+1], bcol: u16.
export function f32_spmv_bsr14(n: i32, x: usize, values: usize, bcol: usize, bptr: usize, y: usize): void {
  for (let j = 0; j < n; j++) {
    const b1 = load<i32>(bptr + (<usize>(j + 1) << 2));
    let b = load<i32>(bptr + (<usize>j << 2));
    let a0 = f32x4.splat(0), a1 = a0;
    for (; b + 2 <= b1; b += 2) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load(values + (<usize>b << 4)), v128.load(x + (<usize>load<u16>(bcol + (<usize>b << 1)) << 4))));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(values + (<usize>b << 4), 16), v128.load(x + (<usize>load<u16>(bcol + (<usize>b << 1), 2) << 4))));
    }
    if (b < b1) a0 = f32x4.add(a0, f32x4.mul(v128.load(values + (<usize>b << 4)), v128.load(x + (<usize>load<u16>(bcol + (<usize>b << 1)) << 4))));
    const a = f32x4.add(a0, a1);
    store<f32>(y + (<usize>j << 2), (f32x4.extract_lane(a, 0) + f32x4.extract_lane(a, 1)) + (f32x4.extract_lane(a, 2) + f32x4.extract_lane(a, 3)));
  }
}
