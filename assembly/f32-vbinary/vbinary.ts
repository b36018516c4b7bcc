// f32 binary elementwise ops with NumPy broadcasting.
// The TS side collapses the broadcast to `ndim` dims (shape[ndim] i32 at `shape`) with element
// strides for a and b (`as`, `bs`, 0 where broadcast); the output is contiguous. After collapsing,
// the innermost strides are 1 or 0, so each inner run is vector-vector, vector-scalar or scalar-vector.

import { ND_INDEX } from "../nd";

const ADD: i32 = 0;
const SUB: i32 = 1;
const MUL: i32 = 2;
const DIV: i32 = 3;
const MAX: i32 = 4;
const MIN: i32 = 5;

@inline function vop(op: i32, va: v128, vb: v128): v128 {
  if (op == ADD) return f32x4.add(va, vb);
  if (op == SUB) return f32x4.sub(va, vb);
  if (op == MUL) return f32x4.mul(va, vb);
  if (op == DIV) return f32x4.div(va, vb);
  if (op == MAX) return f32x4.max(va, vb);
  return f32x4.min(va, vb);
}

// Scalar twin of vop: wasm f32 min/max propagate NaN and order -0 < +0, like the SIMD lanes.
@inline function sop(op: i32, a: f32, b: f32): f32 {
  if (op == ADD) return a + b;
  if (op == SUB) return a - b;
  if (op == MUL) return a * b;
  if (op == DIV) return a / b;
  if (op == MAX) return max<f32>(a, b);
  return min<f32>(a, b);
}

// One inner run of n outputs; sa, sb ∈ {0, 1}.
@inline function run(op: i32, n: usize, a: usize, sa: i32, b: usize, sb: i32, out: usize): void {
  let i: usize = 0;
  if (sa != 0 && sb != 0) {
    for (; i + 4 <= n; i += 4) {
      v128.store(out + (i << 2), vop(op, v128.load(a + (i << 2)), v128.load(b + (i << 2))));
    }
    for (; i < n; i++) store<f32>(out + (i << 2), sop(op, load<f32>(a + (i << 2)), load<f32>(b + (i << 2))));
  } else if (sa != 0) {
    const vb = v128.load32_splat(b);
    const fb = load<f32>(b);
    for (; i + 4 <= n; i += 4) v128.store(out + (i << 2), vop(op, v128.load(a + (i << 2)), vb));
    for (; i < n; i++) store<f32>(out + (i << 2), sop(op, load<f32>(a + (i << 2)), fb));
  } else if (sb != 0) {
    const va = v128.load32_splat(a);
    const fa = load<f32>(a);
    for (; i + 4 <= n; i += 4) v128.store(out + (i << 2), vop(op, va, v128.load(b + (i << 2))));
    for (; i < n; i++) store<f32>(out + (i << 2), sop(op, fa, load<f32>(b + (i << 2))));
  } else {
    const f = sop(op, load<f32>(a), load<f32>(b));
    for (; i < n; i++) store<f32>(out + (i << 2), f);
  }
}

@inline function binaryNd(op: i32, ndim: i32, shape: usize, as: usize, bs: usize, a: usize, b: usize, out: usize): void {
  const last = ndim - 1;
  const n = <usize>load<i32>(shape + (<usize>last << 2));
  const sa = load<i32>(as + (<usize>last << 2));
  const sb = load<i32>(bs + (<usize>last << 2));
  let outer: usize = 1;
  for (let d = 0; d < last; d++) outer *= <usize>load<i32>(shape + (<usize>d << 2));
  if (n == 0 || outer == 0) return;
  const idx = ND_INDEX;
  for (let d = 0; d < last; d++) store<i32>(idx + (<usize>d << 2), 0);
  let pa = a;
  let pb = b;
  for (let o: usize = 0; o < outer; o++) {
    run(op, n, pa, sa, pb, sb, out + ((o * n) << 2));
    for (let d = last - 1; d >= 0; d--) {
      const p = idx + (<usize>d << 2);
      const i = load<i32>(p) + 1;
      const da = <isize>load<i32>(as + (<usize>d << 2)) << 2;
      const db = <isize>load<i32>(bs + (<usize>d << 2)) << 2;
      if (i < load<i32>(shape + (<usize>d << 2))) {
        store<i32>(p, i);
        pa += da;
        pb += db;
        break;
      }
      store<i32>(p, 0);
      pa -= da * <isize>(i - 1);
      pb -= db * <isize>(i - 1);
    }
  }
}

export function f32_vadd_nd(ndim: i32, shape: usize, as: usize, bs: usize, a: usize, b: usize, out: usize): void { binaryNd(ADD, ndim, shape, as, bs, a, b, out); }
export function f32_vsub_nd(ndim: i32, shape: usize, as: usize, bs: usize, a: usize, b: usize, out: usize): void { binaryNd(SUB, ndim, shape, as, bs, a, b, out); }
export function f32_vmul_nd(ndim: i32, shape: usize, as: usize, bs: usize, a: usize, b: usize, out: usize): void { binaryNd(MUL, ndim, shape, as, bs, a, b, out); }
export function f32_vdiv_nd(ndim: i32, shape: usize, as: usize, bs: usize, a: usize, b: usize, out: usize): void { binaryNd(DIV, ndim, shape, as, bs, a, b, out); }
export function f32_vmax_nd(ndim: i32, shape: usize, as: usize, bs: usize, a: usize, b: usize, out: usize): void { binaryNd(MAX, ndim, shape, as, bs, a, b, out); }
export function f32_vmin_nd(ndim: i32, shape: usize, as: usize, bs: usize, a: usize, b: usize, out: usize): void { binaryNd(MIN, ndim, shape, as, bs, a, b, out); }

// table[idx[i], :] += rows[i, :] for nidx rows of row_len floats (the adjoint of a row gather).
// Indices were range-checked by the gather that produced them; repeated indices accumulate in order.
export function f32_scatter_add_rows(nidx: i32, row_len: i32, idx: usize, rows: usize, table: usize): void {
  const len = <usize>row_len;
  for (let i: usize = 0; i < <usize>nidx; i++) {
    const src = rows + ((i * len) << 2);
    const dst = table + ((<usize>load<i32>(idx + (i << 2)) * len) << 2);
    let j: usize = 0;
    for (; j + 4 <= len; j += 4) v128.store(dst + (j << 2), f32x4.add(v128.load(dst + (j << 2)), v128.load(src + (j << 2))));
    for (; j < len; j++) store<f32>(dst + (j << 2), load<f32>(dst + (j << 2)) + load<f32>(src + (j << 2)));
  }
}
