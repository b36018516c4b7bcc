// f32 reductions over the middle axis of x viewed as [outer, n, inner]; out is [outer, inner].
// Orders are fixed (4-lane accumulators, then a fixed pairwise horizontal sum), so results are
// the same bits in every engine. max/min propagate NaN and treat -0 < +0, as wasm does.

const SUM: i32 = 0;
const MAX: i32 = 1;
const MIN: i32 = 2;

@inline function vop(op: i32, va: v128, vb: v128): v128 {
  if (op == SUM) return f32x4.add(va, vb);
  if (op == MAX) return f32x4.max(va, vb);
  return f32x4.min(va, vb);
}

@inline function sop(op: i32, a: f32, b: f32): f32 {
  if (op == SUM) return a + b;
  if (op == MAX) return max<f32>(a, b);
  return min<f32>(a, b);
}

// Reduces one contiguous row of n ≥ 1 floats.
@inline function reduceRow(op: i32, n: usize, x: usize): f32 {
  if (n < 16) {
    let acc = load<f32>(x);
    for (let i: usize = 1; i < n; i++) acc = sop(op, acc, load<f32>(x + (i << 2)));
    return acc;
  }
  let vacc0 = v128.load(x);
  let vacc1 = v128.load(x, 16);
  let vacc2 = v128.load(x, 32);
  let vacc3 = v128.load(x, 48);
  let i: usize = 16;
  for (; i + 16 <= n; i += 16) {
    const p = x + (i << 2);
    vacc0 = vop(op, vacc0, v128.load(p));
    vacc1 = vop(op, vacc1, v128.load(p, 16));
    vacc2 = vop(op, vacc2, v128.load(p, 32));
    vacc3 = vop(op, vacc3, v128.load(p, 48));
  }
  for (; i + 4 <= n; i += 4) vacc0 = vop(op, vacc0, v128.load(x + (i << 2)));
  const vacc = vop(op, vop(op, vacc0, vacc1), vop(op, vacc2, vacc3));
  let acc = sop(op, sop(op, f32x4.extract_lane(vacc, 0), f32x4.extract_lane(vacc, 1)), sop(op, f32x4.extract_lane(vacc, 2), f32x4.extract_lane(vacc, 3)));
  for (; i < n; i++) acc = sop(op, acc, load<f32>(x + (i << 2)));
  return acc;
}

// out[o, j] = op over k of x[o, k, j] (n ≥ 1), then divided by `divisor` (1 leaves it exact).
@inline function reduce(op: i32, outer: usize, n: usize, inner: usize, x: usize, out: usize, divisor: f32): void {
  if (inner == 1) {
    for (let o: usize = 0; o < outer; o++) store<f32>(out + (o << 2), reduceRow(op, n, x + ((o * n) << 2)) / divisor);
    return;
  }
  const vdiv = f32x4.splat(divisor);
  const rowBytes = inner << 2;
  for (let o: usize = 0; o < outer; o++) {
    const xo = x + o * n * rowBytes;
    const yo = out + o * rowBytes;
    let j: usize = 0;
    for (; j + 4 <= inner; j += 4) {
      let vacc = v128.load(xo + (j << 2));
      for (let k: usize = 1; k < n; k++) vacc = vop(op, vacc, v128.load(xo + k * rowBytes + (j << 2)));
      v128.store(yo + (j << 2), f32x4.div(vacc, vdiv));
    }
    for (; j < inner; j++) {
      let acc = load<f32>(xo + (j << 2));
      for (let k: usize = 1; k < n; k++) acc = sop(op, acc, load<f32>(xo + k * rowBytes + (j << 2)));
      store<f32>(yo + (j << 2), acc / divisor);
    }
  }
}

export function f32_rsum(outer: i32, n: i32, inner: i32, x: usize, out: usize, divisor: f32): void { reduce(SUM, <usize>outer, <usize>n, <usize>inner, x, out, divisor); }
export function f32_rmax(outer: i32, n: i32, inner: i32, x: usize, out: usize): void { reduce(MAX, <usize>outer, <usize>n, <usize>inner, x, out, 1); }
export function f32_rmin(outer: i32, n: i32, inner: i32, x: usize, out: usize): void { reduce(MIN, <usize>outer, <usize>n, <usize>inner, x, out, 1); }

// out[o, j] (i32) = first k maximizing (is_min: minimizing) x[o, k, j]; a NaN wins at its first position, as in NumPy.
export function f32_rargmax(outer: i32, n: i32, inner: i32, x: usize, out: usize, is_min: i32): void {
  const rowBytes = <usize>inner << 2;
  for (let o: usize = 0; o < <usize>outer; o++) {
    const xo = x + o * <usize>n * rowBytes;
    for (let j: usize = 0; j < <usize>inner; j++) {
      let best = load<f32>(xo + (j << 2));
      let at: i32 = 0;
      for (let k: i32 = 1; k < n && best == best; k++) {
        const v = load<f32>(xo + <usize>k * rowBytes + (j << 2));
        if (v != v || (is_min != 0 ? v < best : v > best)) {
          best = v;
          at = k;
        }
      }
      store<i32>(out + ((o * <usize>inner + j) << 2), at);
    }
  }
}

// out[0] = min and out[1] = max of x[0..n), for quantization ranges: both NaN when any x is NaN; ±∞
// count. f32x4.pmin / pmax (one instruction each, where f32x4.min / max's NaN and ±0 rules cost about
// eight in V8 and JSC), with NaNs flagged apart. The sign of a zero result is not specified (the
// qparams widen every range to include 0, where −0 and +0 give the same scale and zero point).
// n ≤ 0: both 0.
export function f32_minmax(n: i32, x: usize, out: usize): void {
  let lo: f32 = Infinity;
  let hi: f32 = -Infinity;
  let nan = false;
  if (n <= 0) {
    lo = 0;
    hi = 0;
  }
  const len = <usize>max(n, 0);
  let vlo0 = f32x4.splat(Infinity);
  let vhi0 = f32x4.splat(-Infinity);
  let vlo1 = vlo0;
  let vhi1 = vhi0;
  let vnan = i32x4.splat(0);
  const vabs = i32x4.splat(0x7fffffff);
  const vinf = i32x4.splat(0x7f800000);
  let i: usize = 0;
  for (; i + 8 <= len; i += 8) {
    const va = v128.load(x + (i << 2));
    const vb = v128.load(x + (i << 2), 16);
    vlo0 = f32x4.pmin(vlo0, va);
    vhi0 = f32x4.pmax(vhi0, va);
    vlo1 = f32x4.pmin(vlo1, vb);
    vhi1 = f32x4.pmax(vhi1, vb);
    vnan = v128.or(vnan, v128.or(i32x4.gt_s(v128.and(va, vabs), vinf), i32x4.gt_s(v128.and(vb, vabs), vinf)));
  }
  const vlo = f32x4.pmin(vlo0, vlo1);
  const vhi = f32x4.pmax(vhi0, vhi1);
  lo = min<f32>(min<f32>(f32x4.extract_lane(vlo, 0), f32x4.extract_lane(vlo, 1)), min<f32>(min<f32>(f32x4.extract_lane(vlo, 2), f32x4.extract_lane(vlo, 3)), lo));
  hi = max<f32>(max<f32>(f32x4.extract_lane(vhi, 0), f32x4.extract_lane(vhi, 1)), max<f32>(max<f32>(f32x4.extract_lane(vhi, 2), f32x4.extract_lane(vhi, 3)), hi));
  for (; i < len; i++) {
    const v = load<f32>(x + (i << 2));
    if (v != v) nan = true;
    else {
      lo = v < lo ? v : lo;
      hi = v > hi ? v : hi;
    }
  }
  if (nan || v128.any_true(vnan)) {
    lo = NaN;
    hi = NaN;
  }
  store<f32>(out, lo);
  store<f32>(out, hi, 4);
}
