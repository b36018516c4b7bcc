// f32 elementwise unary ops that need no transcendental: y[n] = f(x[n]). y may alias x.

const NEG: i32 = 0;
const ABS: i32 = 1;
const SQRT: i32 = 2;
const RELU: i32 = 3;

@inline function vop(op: i32, vx: v128): v128 {
  if (op == NEG) return f32x4.neg(vx);
  if (op == ABS) return f32x4.abs(vx);
  if (op == SQRT) return f32x4.sqrt(vx);
  // max(x, 0) as pmax(x, 0) + 0: pmax keeps a NaN x (x < 0 is false) and −0, and adding +0 turns −0
  // into +0; the same values as f32x4.max, in two instructions instead of about eight (V8, JSC).
  return f32x4.add(f32x4.pmax(vx, f32x4.splat(0)), f32x4.splat(0));
}

@inline function sop(op: i32, x: f32): f32 {
  if (op == NEG) return -x;
  if (op == ABS) return abs<f32>(x);
  if (op == SQRT) return sqrt<f32>(x);
  return max<f32>(x, 0);
}

@inline function unary(op: i32, n: usize, x: usize, y: usize): void {
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) {
    const vx0123 = v128.load(x + (i << 2));
    const vx4567 = v128.load(x + (i << 2), 16);
    v128.store(y + (i << 2), vop(op, vx0123));
    v128.store(y + (i << 2), vop(op, vx4567), 16);
  }
  for (; i < n; i++) store<f32>(y + (i << 2), sop(op, load<f32>(x + (i << 2))));
}

export function f32_vneg(n: i32, x: usize, y: usize): void { unary(NEG, <usize>n, x, y); }
export function f32_vabs(n: i32, x: usize, y: usize): void { unary(ABS, <usize>n, x, y); }
export function f32_vsqrt(n: i32, x: usize, y: usize): void { unary(SQRT, <usize>n, x, y); }
export function f32_vrelu(n: i32, x: usize, y: usize): void { unary(RELU, <usize>n, x, y); }

// y = min(max(x, lo), hi); NaN stays NaN.
export function f32_vclamp(n: i32, x: usize, y: usize, lo: f32, hi: f32): void {
  const vlo = f32x4.splat(lo);
  const vhi = f32x4.splat(hi);
  const len = <usize>n;
  let i: usize = 0;
  for (; i + 4 <= len; i += 4) v128.store(y + (i << 2), f32x4.min(f32x4.max(v128.load(x + (i << 2)), vlo), vhi));
  for (; i < len; i++) store<f32>(y + (i << 2), min<f32>(max<f32>(load<f32>(x + (i << 2)), lo), hi));
}

// y = x · alpha + beta, elementwise (scaling, mean, affine casts).
export function f32_vaffine(n: i32, x: usize, y: usize, alpha: f32, beta: f32): void {
  const valpha = f32x4.splat(alpha);
  const vbeta = f32x4.splat(beta);
  const len = <usize>n;
  let i: usize = 0;
  for (; i + 4 <= len; i += 4) v128.store(y + (i << 2), f32x4.add(f32x4.mul(v128.load(x + (i << 2)), valpha), vbeta));
  for (; i < len; i++) store<f32>(y + (i << 2), load<f32>(x + (i << 2)) * alpha + beta);
}
