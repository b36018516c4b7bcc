// The fixed-order f32 reductions and epilogue the kernels share. Their order is part of each kernel's
// contract (the references in src/**/*-ref.ts mirror it), so it lives in one place.
// Not re-exported by index.ts: inlined helpers, not wasm exports.

// Σ of the 4 lanes as (l0 + l1) + (l2 + l3).
@inline
export function lane_sum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

// Sequential sum of w[t]·x[t] for t in [0, count), from 0.
@inline
export function dot_seq(count: i32, w: usize, x: usize): f32 {
  let s: f32 = 0;
  for (let t = 0; t < count; t++) {
    const o = <usize>t << 2;
    s += load<f32>(w + o) * load<f32>(x + o);
  }
  return s;
}

// y[j] = clamp(s + bias[j], vmin, vmax) (bias 0: none). f32.max/min propagate NaN like f32x4.max/min.
@inline
export function store_biased(s: f32, bias: usize, j: i32, y: usize, vmin: f32, vmax: f32): void {
  const o = <usize>j << 2;
  if (bias != 0) s += load<f32>(bias + o);
  store<f32>(y + o, min<f32>(max<f32>(s, vmin), vmax));
}
