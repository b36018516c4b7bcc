// f32 GEMV: y[n] = clamp(W[n,k] · x[k] + bias[n], vmin, vmax).
// W row-major (one contiguous row of k floats per output, the PyTorch Linear layout).
// Six rows at a time share each x load: eight rows 4 KiB apart (k = 1024) fall in one L1 set
// with x and evict each other; six run 18% faster there. Every output uses the same order:
//   acc (4 lanes) += (w[p..p+3]·x[p..p+3] + w[p+4..p+7]·x[p+4..p+7]) for each 8-block of k,
//   lanes summed as (l0 + l1) + (l2 + l3), + the sequential sum of the last k % 8
//   products (0 if none), + bias, then clamp.
import { dot_seq } from "../f32-lanes";


// Static scratch for the accumulators of 6 rows (6 x 4 floats). V8 keeps the main loop
// spill-free only if the accumulators are just stored after it: reducing them with
// shuffles there, or a 4-wide k-tail step, makes it hoist the loop's loads and spill (-30%).
const ACC: usize = memory.data(96, 16);

// Lane sum (l0 + l1) + (l2 + l3) of the 4 floats at p.
@inline
function lane_sum(p: usize): f32 {
  return (load<f32>(p) + load<f32>(p, 4)) + (load<f32>(p, 8) + load<f32>(p, 12));
}

// y[0..6] = W[6 rows] · x (bias and clamp come later); w at row 0, row stride ld bytes.
@inline
function gemv_6rows(k: i32, x: usize, w: usize, ld: usize, y: usize): void {
  let w0 = w;
  let w1 = w0 + ld;
  let w2 = w1 + ld;
  let w3 = w2 + ld;
  let w4 = w3 + ld;
  let w5 = w4 + ld;
  let vacc0 = f32x4.splat(0);
  let vacc1 = vacc0;
  let vacc2 = vacc0;
  let vacc3 = vacc0;
  let vacc4 = vacc0;
  let vacc5 = vacc0;
  const bytes8 = <usize>(k & ~7) << 2;
  let o: usize = 0;
  for (; o < bytes8; o += 32) {
    const vx0123 = v128.load(x + o);
    const vx4567 = v128.load(x + o, 16);
    vacc0 = f32x4.add(vacc0, f32x4.add(f32x4.mul(v128.load(w0), vx0123), f32x4.mul(v128.load(w0, 16), vx4567)));
    w0 += 32;
    vacc1 = f32x4.add(vacc1, f32x4.add(f32x4.mul(v128.load(w1), vx0123), f32x4.mul(v128.load(w1, 16), vx4567)));
    w1 += 32;
    vacc2 = f32x4.add(vacc2, f32x4.add(f32x4.mul(v128.load(w2), vx0123), f32x4.mul(v128.load(w2, 16), vx4567)));
    w2 += 32;
    vacc3 = f32x4.add(vacc3, f32x4.add(f32x4.mul(v128.load(w3), vx0123), f32x4.mul(v128.load(w3, 16), vx4567)));
    w3 += 32;
    vacc4 = f32x4.add(vacc4, f32x4.add(f32x4.mul(v128.load(w4), vx0123), f32x4.mul(v128.load(w4, 16), vx4567)));
    w4 += 32;
    vacc5 = f32x4.add(vacc5, f32x4.add(f32x4.mul(v128.load(w5), vx0123), f32x4.mul(v128.load(w5, 16), vx4567)));
    w5 += 32;
  }
  v128.store(ACC, vacc0, 0);
  v128.store(ACC, vacc1, 16);
  v128.store(ACC, vacc2, 32);
  v128.store(ACC, vacc3, 48);
  v128.store(ACC, vacc4, 64);
  v128.store(ACC, vacc5, 80);
  const tail = k & 7;
  const xt = x + o;
  for (let r = 0; r < 6; r++) {
    store<f32>(y + (<usize>r << 2), lane_sum(ACC + (<usize>r << 4)) + dot_seq(tail, w + <usize>r * ld + o, xt));
  }
}

// W[1 row] · x in the same order as one lane of gemv_6rows.
@inline
function gemv_1row(k: i32, x: usize, w: usize): f32 {
  const bytes8 = <usize>(k & ~7) << 2;
  let vacc = f32x4.splat(0);
  let o: usize = 0;
  for (; o < bytes8; o += 32) {
    vacc = f32x4.add(vacc, f32x4.add(
      f32x4.mul(v128.load(w + o), v128.load(x + o)),
      f32x4.mul(v128.load(w + o, 16), v128.load(x + o, 16))));
  }
  v128.store(ACC, vacc);
  return lane_sum(ACC) + dot_seq(k & 7, w + o, x + o);
}

export function f32_gemv(n: i32, k: i32, x: usize, w: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  if (n <= 0) return;
  if (k < 0) k = 0;
  const ld = <usize>k << 2;
  let i = 0;
  for (; i + 6 <= n; i += 6) gemv_6rows(k, x, w + <usize>i * ld, ld, y + (<usize>i << 2));
  for (; i < n; i++) store<f32>(y + (<usize>i << 2), gemv_1row(k, x, w + <usize>i * ld));

  // y = clamp(y + bias). Scalar f32.max/f32.min propagate NaN like f32x4.max/min.
  const vmin4 = f32x4.splat(vmin);
  const vmax4 = f32x4.splat(vmax);
  i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    let vy = v128.load(y + o);
    if (bias != 0) vy = f32x4.add(vy, v128.load(bias + o));
    v128.store(y + o, f32x4.min(f32x4.max(vy, vmin4), vmax4));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    let s = load<f32>(y + o);
    if (bias != 0) s += load<f32>(bias + o);
    store<f32>(y + o, min<f32>(max<f32>(s, vmin), vmax));
  }
}
