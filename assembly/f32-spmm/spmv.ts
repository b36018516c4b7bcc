// f32 CSR SpMV: y[n] = clamp(W x + bias, vmin, vmax), W [n, k] in CSR:
//   values f32 [nnz]; cols [nnz] u16 (index_bytes 2) or i32 (index_bytes 4); indptr i32 [n + 1]
//   (row j holds entries indptr[j] .. indptr[j+1] − 1, which need not start at 0).
// Every row sums in one fixed order: 4 lanes, lane l += values[p]·x[cols[p]] for the p ≡ l (mod 4)
// of the row's first 4·⌊len/4⌋ entries, lanes summed (l0 + l1) + (l2 + l3), + the sequential sum
// of the last len % 4 products, + bias, then clamp. x is gathered with scalar loads (no wasm gather).

@inline
function col<I>(cols: usize, p: usize): usize {
  return <usize>load<I>(cols + p * sizeof<I>()) << 2;
}

@inline
function row_dot<I>(x: usize, values: usize, cols: usize, p0: usize, p1: usize): f32 {
  let vacc = f32x4.splat(0);
  let vacc1 = vacc;
  let p = p0;
  for (; p + 8 <= p1; p += 8) {
    let vx = f32x4.splat(load<f32>(x + col<I>(cols, p)));
    let vy = f32x4.splat(load<f32>(x + col<I>(cols, p + 4)));
    vx = f32x4.replace_lane(vx, 1, load<f32>(x + col<I>(cols, p + 1)));
    vy = f32x4.replace_lane(vy, 1, load<f32>(x + col<I>(cols, p + 5)));
    vx = f32x4.replace_lane(vx, 2, load<f32>(x + col<I>(cols, p + 2)));
    vy = f32x4.replace_lane(vy, 2, load<f32>(x + col<I>(cols, p + 6)));
    vx = f32x4.replace_lane(vx, 3, load<f32>(x + col<I>(cols, p + 3)));
    vy = f32x4.replace_lane(vy, 3, load<f32>(x + col<I>(cols, p + 7)));
    vacc = f32x4.add(vacc, f32x4.mul(v128.load(values + (p << 2)), vx));
    vacc1 = f32x4.add(vacc1, f32x4.mul(v128.load(values + (p << 2), 16), vy));
  }
  vacc = f32x4.add(vacc, vacc1);
  for (; p + 4 <= p1; p += 4) {
    let vx = f32x4.splat(load<f32>(x + col<I>(cols, p)));
    vx = f32x4.replace_lane(vx, 1, load<f32>(x + col<I>(cols, p + 1)));
    vx = f32x4.replace_lane(vx, 2, load<f32>(x + col<I>(cols, p + 2)));
    vx = f32x4.replace_lane(vx, 3, load<f32>(x + col<I>(cols, p + 3)));
    vacc = f32x4.add(vacc, f32x4.mul(v128.load(values + (p << 2)), vx));
  }
  let s = (f32x4.extract_lane(vacc, 0) + f32x4.extract_lane(vacc, 1)) + (f32x4.extract_lane(vacc, 2) + f32x4.extract_lane(vacc, 3));
  let t: f32 = 0;
  for (; p < p1; p++) t += load<f32>(values + (p << 2)) * load<f32>(x + col<I>(cols, p));
  return s + t;
}

@inline
function spmv<I>(n: i32, x: usize, values: usize, cols: usize, indptr: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  let p0 = <usize>load<i32>(indptr);
  for (let j = 0; j < n; j++) {
    const o = <usize>j << 2;
    const p1 = <usize>load<i32>(indptr + o, 4);
    let s = row_dot<I>(x, values, cols, p0, p1);
    if (bias != 0) s += load<f32>(bias + o);
    store<f32>(y + o, min<f32>(max<f32>(s, vmin), vmax));
    p0 = p1;
  }
}

export function f32_spmv_csr(n: i32, x: usize, values: usize, cols: usize, indptr: usize, bias: usize, y: usize, vmin: f32, vmax: f32, index_bytes: i32): void {
  if (index_bytes == 2) spmv<u16>(n, x, values, cols, indptr, bias, y, vmin, vmax);
  else spmv<i32>(n, x, values, cols, indptr, bias, y, vmin, vmax);
}
