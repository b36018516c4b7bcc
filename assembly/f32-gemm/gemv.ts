// f32 GEMV: y[n] = clamp(W[n,k] · x[k] + bias[n], vmin, vmax).
// W row-major (one contiguous row of k floats per output, the PyTorch Linear layout).
// Four rows at a time share each x load. Per row, lanes accumulate k in strides of 8
// (two vectors), then: (acc0 + acc1) reduced pairwise, + the scalar k tail, + bias, clamp.

// [Σ v0, Σ v1, Σ v2, Σ v3]: lane sums, each as (l0 + l1) + (l2 + l3).
@inline
function reduce_4x4(v0: v128, v1: v128, v2: v128, v3: v128): v128 {
  const v01 = f32x4.add(i32x4.shuffle(v0, v1, 0, 4, 2, 6), i32x4.shuffle(v0, v1, 1, 5, 3, 7));
  const v23 = f32x4.add(i32x4.shuffle(v2, v3, 0, 4, 2, 6), i32x4.shuffle(v2, v3, 1, 5, 3, 7));
  return f32x4.add(i32x4.shuffle(v01, v23, 0, 1, 4, 5), i32x4.shuffle(v01, v23, 2, 3, 6, 7));
}

// Sequential sum of w[p]·x[p] for p in [k0, k).
@inline
function dot_tail(k0: i32, k: i32, w: usize, x: usize): f32 {
  let s: f32 = 0;
  for (let p = k0; p < k; p++) {
    const o = <usize>p << 2;
    s += load<f32>(w + o) * load<f32>(x + o);
  }
  return s;
}

export function f32_gemv(n: i32, k: i32, x: usize, w: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  if (n <= 0) return;
  const kmain = k > 0 ? k & ~7 : 0;
  const khalf = k > 0 ? k & ~3 : 0;
  const ld = <usize>max(k, 0) << 2;
  const vmin0123 = f32x4.splat(vmin);
  const vmax0123 = f32x4.splat(vmax);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const w0 = w + <usize>i * ld;
    const w1 = w0 + ld;
    const w2 = w1 + ld;
    const w3 = w2 + ld;
    let vacc0x0 = f32x4.splat(0);
    let vacc0x1 = vacc0x0;
    let vacc1x0 = vacc0x0;
    let vacc1x1 = vacc0x0;
    let vacc2x0 = vacc0x0;
    let vacc2x1 = vacc0x0;
    let vacc3x0 = vacc0x0;
    let vacc3x1 = vacc0x0;
    let o: usize = 0;
    const omain = <usize>kmain << 2;
    for (; o < omain; o += 32) {
      const vx0123 = v128.load(x + o);
      const vx4567 = v128.load(x + o, 16);
      vacc0x0 = f32x4.add(vacc0x0, f32x4.mul(v128.load(w0 + o), vx0123));
      vacc0x1 = f32x4.add(vacc0x1, f32x4.mul(v128.load(w0 + o, 16), vx4567));
      vacc1x0 = f32x4.add(vacc1x0, f32x4.mul(v128.load(w1 + o), vx0123));
      vacc1x1 = f32x4.add(vacc1x1, f32x4.mul(v128.load(w1 + o, 16), vx4567));
      vacc2x0 = f32x4.add(vacc2x0, f32x4.mul(v128.load(w2 + o), vx0123));
      vacc2x1 = f32x4.add(vacc2x1, f32x4.mul(v128.load(w2 + o, 16), vx4567));
      vacc3x0 = f32x4.add(vacc3x0, f32x4.mul(v128.load(w3 + o), vx0123));
      vacc3x1 = f32x4.add(vacc3x1, f32x4.mul(v128.load(w3 + o, 16), vx4567));
    }
    if (khalf != kmain) {
      const vx0123 = v128.load(x + o);
      vacc0x0 = f32x4.add(vacc0x0, f32x4.mul(v128.load(w0 + o), vx0123));
      vacc1x0 = f32x4.add(vacc1x0, f32x4.mul(v128.load(w1 + o), vx0123));
      vacc2x0 = f32x4.add(vacc2x0, f32x4.mul(v128.load(w2 + o), vx0123));
      vacc3x0 = f32x4.add(vacc3x0, f32x4.mul(v128.load(w3 + o), vx0123));
    }
    let vy = reduce_4x4(
      f32x4.add(vacc0x0, vacc0x1), f32x4.add(vacc1x0, vacc1x1),
      f32x4.add(vacc2x0, vacc2x1), f32x4.add(vacc3x0, vacc3x1),
    );
    if (khalf != k) {
      let vtail = f32x4.splat(dot_tail(khalf, k, w0, x));
      vtail = f32x4.replace_lane(vtail, 1, dot_tail(khalf, k, w1, x));
      vtail = f32x4.replace_lane(vtail, 2, dot_tail(khalf, k, w2, x));
      vtail = f32x4.replace_lane(vtail, 3, dot_tail(khalf, k, w3, x));
      vy = f32x4.add(vy, vtail);
    }
    const yo = <usize>i << 2;
    if (bias != 0) vy = f32x4.add(vy, v128.load(bias + yo));
    v128.store(y + yo, f32x4.min(f32x4.max(vy, vmin0123), vmax0123));
  }
  for (; i < n; i++) {
    const w0 = w + <usize>i * ld;
    let vacc0 = f32x4.splat(0);
    let vacc1 = vacc0;
    let o: usize = 0;
    const omain = <usize>kmain << 2;
    for (; o < omain; o += 32) {
      vacc0 = f32x4.add(vacc0, f32x4.mul(v128.load(w0 + o), v128.load(x + o)));
      vacc1 = f32x4.add(vacc1, f32x4.mul(v128.load(w0 + o, 16), v128.load(x + o, 16)));
    }
    if (khalf != kmain) vacc0 = f32x4.add(vacc0, f32x4.mul(v128.load(w0 + o), v128.load(x + o)));
    const vs = f32x4.add(vacc0, vacc1);
    // Same association as reduce_4x4: (l0 + l1) + (l2 + l3).
    let s = (f32x4.extract_lane(vs, 0) + f32x4.extract_lane(vs, 1)) + (f32x4.extract_lane(vs, 2) + f32x4.extract_lane(vs, 3));
    if (khalf != k) s += dot_tail(khalf, k, w0, x);
    if (bias != 0) s += load<f32>(bias + (<usize>i << 2));
    store<f32>(y + (<usize>i << 2), min<f32>(max<f32>(s, vmin), vmax));
  }
}
