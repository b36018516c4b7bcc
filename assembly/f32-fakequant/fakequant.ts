// Fake quantization (QAT): y = (clamp(nearest(x / scale) + zp, qmin, qmax) − zp) · scale, elementwise,
// with mask = 1 where nearest(x / scale) + zp lies in [qmin, qmax] (the straight-through estimator's
// support, as torch's fake_quantize_*_affine), 0 elsewhere.
//   x, y: f32 [rows, cols]; scale: f32 [rows, ⌈cols/group⌉]; zp: f32 [rows, ⌈cols/group⌉] (integers);
//   mask: u8 [rows, cols] or 0. group = cols for per-row (per-channel), rows = 1, group = n per tensor.
// Division and round-half-even, as f32_qs8_vcvt: the values equal dequant(quant(x)) of the real
// quantizer bit for bit for finite x; NaN stays NaN (mask 0), ±Inf clamps.

@inline
function fq4(vx: v128, vs: v128, vzp: v128, vqmin: v128, vqmax: v128): v128 {
  const vq = f32x4.add(f32x4.nearest(f32x4.div(vx, vs)), vzp);
  return f32x4.mul(f32x4.sub(f32x4.min(f32x4.max(vq, vqmin), vqmax), vzp), vs);
}

@inline
function inside4(vx: v128, vs: v128, vzp: v128, vqmin: v128, vqmax: v128): v128 {
  const vq = f32x4.add(f32x4.nearest(f32x4.div(vx, vs)), vzp);
  return v128.and(f32x4.ge(vq, vqmin), f32x4.le(vq, vqmax));
}

export function f32_fake_quant(
  rows: i32, cols: i32, group: i32, x: usize, scale: usize, zp: usize, y: usize, mask: usize, qmin: f32, qmax: f32,
): void {
  if (rows <= 0 || cols <= 0 || group <= 0) return;
  const groups = (cols + group - 1) / group;
  const vqmin = f32x4.splat(qmin);
  const vqmax = f32x4.splat(qmax);
  for (let r = 0; r < rows; r++) {
    for (let g = 0; g < groups; g++) {
      const pidx = (<usize>r * <usize>groups + <usize>g) << 2;
      const s = load<f32>(scale + pidx);
      const z = load<f32>(zp + pidx);
      const vs = f32x4.splat(s);
      const vzp = f32x4.splat(z);
      const start = <usize>r * <usize>cols + <usize>g * <usize>group;
      const len = <usize>min(group, cols - g * group);
      let i: usize = 0;
      for (; i + 4 <= len; i += 4) {
        const p = (start + i) << 2;
        const vx = v128.load(x + p);
        v128.store(y + p, fq4(vx, vs, vzp, vqmin, vqmax));
        if (mask) {
          const vm = v128.and(inside4(vx, vs, vzp, vqmin, vqmax), i32x4.splat(1));
          store<u32>(mask + start + i, i32x4.extract_lane(i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(vm, vm), vm), 0));
        }
      }
      for (; i < len; i++) {
        const p = (start + i) << 2;
        const vx = f32x4.splat(load<f32>(x + p));
        store<f32>(y + p, f32x4.extract_lane(fq4(vx, vs, vzp, vqmin, vqmax), 0));
        if (mask) store<u8>(mask + start + i, <u8>(i32x4.extract_lane(inside4(vx, vs, vzp, vqmin, vqmax), 0) & 1));
      }
    }
  }
}
