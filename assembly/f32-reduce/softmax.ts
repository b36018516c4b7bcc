// Row-wise softmax and log-softmax of x [rows, n] into y [rows, n] (y may alias x), max-shifted
// so no exp overflows. Tails run through the same 4-lane exp, so a value never depends on its column.
import { loadTail, storeTail } from "../f32-math/tail";
import { vexp, vlog } from "../f32-math/vmath";

@inline function rowMax(n: usize, x: usize): f32 {
  let vmax = f32x4.splat(-Infinity);
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) vmax = f32x4.max(vmax, v128.load(x + (i << 2)));
  let m = max<f32>(max<f32>(f32x4.extract_lane(vmax, 0), f32x4.extract_lane(vmax, 1)), max<f32>(f32x4.extract_lane(vmax, 2), f32x4.extract_lane(vmax, 3)));
  for (; i < n; i++) m = max<f32>(m, load<f32>(x + (i << 2)));
  return m;
}

// y = exp(x - m), returning Σ y in a fixed order.
@inline function expShifted(n: usize, x: usize, y: usize, m: f32): f32 {
  const vm = f32x4.splat(m);
  let vsum = f32x4.splat(0);
  let i: usize = 0;
  for (; i + 4 <= n; i += 4) {
    const ve = vexp(f32x4.sub(v128.load(x + (i << 2)), vm));
    v128.store(y + (i << 2), ve);
    vsum = f32x4.add(vsum, ve);
  }
  let sum = (f32x4.extract_lane(vsum, 0) + f32x4.extract_lane(vsum, 1)) + (f32x4.extract_lane(vsum, 2) + f32x4.extract_lane(vsum, 3));
  if (i < n) {
    const count = n - i;
    const ve = vexp(f32x4.sub(loadTail(x + (i << 2), <i32>count), vm));
    storeTail(y + (i << 2), ve, <i32>count);
    sum += f32x4.extract_lane(ve, 0);
    if (count > 1) sum += f32x4.extract_lane(ve, 1);
    if (count > 2) sum += f32x4.extract_lane(ve, 2);
  }
  return sum;
}

// y[r, :] = exp(x - max) / Σ exp(x - max)
export function f32_softmax(rows: i32, n: i32, x: usize, y: usize): void {
  const len = <usize>n;
  if (len == 0) return;
  for (let r: usize = 0; r < <usize>rows; r++) {
    const xr = x + ((r * len) << 2);
    const yr = y + ((r * len) << 2);
    const sum = expShifted(len, xr, yr, rowMax(len, xr));
    const vsum = f32x4.splat(sum);
    let i: usize = 0;
    for (; i + 4 <= len; i += 4) v128.store(yr + (i << 2), f32x4.div(v128.load(yr + (i << 2)), vsum));
    for (; i < len; i++) store<f32>(yr + (i << 2), load<f32>(yr + (i << 2)) / sum);
  }
}

// y[r, :] = (x - max) - log Σ exp(x - max); y must not alias x.
export function f32_logsoftmax(rows: i32, n: i32, x: usize, y: usize): void {
  const len = <usize>n;
  if (len == 0) return;
  for (let r: usize = 0; r < <usize>rows; r++) {
    const xr = x + ((r * len) << 2);
    const yr = y + ((r * len) << 2);
    const m = rowMax(len, xr);
    const logsum = f32x4.extract_lane(vlog(f32x4.splat(expShifted(len, xr, yr, m))), 0);
    const vm = f32x4.splat(m);
    const vlogsum = f32x4.splat(logsum);
    let i: usize = 0;
    for (; i + 4 <= len; i += 4) v128.store(yr + (i << 2), f32x4.sub(f32x4.sub(v128.load(xr + (i << 2)), vm), vlogsum));
    for (; i < len; i++) store<f32>(yr + (i << 2), (load<f32>(xr + (i << 2)) - m) - logsum);
  }
}
