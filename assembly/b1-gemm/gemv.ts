// XNOR-popcount GEMV (batch 1): y f32 [n] = clamp((f32(dot_j)·alpha[j])·beta + bias[j], vmin, vmax),
//   dot_j = k − 2·popcount(a XOR w_j), a: bits [kw] u64, w: bits [n, kw] u64 (f32_b1_pack's layout).
//   beta is a scalar (the one row's activation scale; 1 for none), bias 0 means none.
// Four w rows share each activation word (a 1×4 tile of the GEMM's 2×2).

@inline
function emit(dot: i64, k: i32, j: i32, alpha: usize, beta: f32, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  let v = (<f32>(k - 2 * <i32>dot) * load<f32>(alpha + (<usize>j << 2))) * beta;
  if (bias) v += load<f32>(bias + (<usize>j << 2));
  store<f32>(y + (<usize>j << 2), min(max(v, vmin), vmax));
}

export function b1_gemv_xnor_f32(n: i32, k: i32, a: usize, w: usize, alpha: usize, bias: usize, y: usize, beta: f32, vmin: f32, vmax: f32): void {
  const ld = <usize>((k + 63) >> 6) << 3;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const pw0 = w + <usize>j * ld;
    const pw1 = pw0 + ld;
    const pw2 = pw1 + ld;
    const pw3 = pw2 + ld;
    let c0: i64 = 0, c1: i64 = 0, c2: i64 = 0, c3: i64 = 0;
    for (let o: usize = 0; o < ld; o += 8) {
      const va = load<u64>(a + o);
      c0 += popcnt(va ^ load<u64>(pw0 + o));
      c1 += popcnt(va ^ load<u64>(pw1 + o));
      c2 += popcnt(va ^ load<u64>(pw2 + o));
      c3 += popcnt(va ^ load<u64>(pw3 + o));
    }
    emit(c0, k, j, alpha, beta, bias, y, vmin, vmax);
    emit(c1, k, j + 1, alpha, beta, bias, y, vmin, vmax);
    emit(c2, k, j + 2, alpha, beta, bias, y, vmin, vmax);
    emit(c3, k, j + 3, alpha, beta, bias, y, vmin, vmax);
  }
  for (; j < n; j++) {
    const pw0 = w + <usize>j * ld;
    let c0: i64 = 0;
    for (let o: usize = 0; o < ld; o += 8) c0 += popcnt(load<u64>(a + o) ^ load<u64>(pw0 + o));
    emit(c0, k, j, alpha, beta, bias, y, vmin, vmax);
  }
}
