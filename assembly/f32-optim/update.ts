// In-place optimizer updates over n parameters p with gradient g, following torch.optim's
// single-tensor formulas. Scalars derived from the step count (bias corrections) come from the caller.

// SGD: d = g + wd·p; buf = first ? d : momentum·buf + (1 − dampening)·d; d = nesterov ? d + momentum·buf : buf; p −= lr·d.
// With momentum = 0, buf is not touched (may be 0).
export function f32_sgd_update(n: i32, p: usize, g: usize, buf: usize, lr: f32, momentum: f32, dampening: f32, wd: f32, nesterov: i32, first: i32): void {
  const len = <usize>n;
  for (let i: usize = 0; i < len; i++) {
    const o = i << 2;
    let d = load<f32>(g + o);
    if (wd != 0) d += wd * load<f32>(p + o);
    if (momentum != 0) {
      const b = first != 0 ? d : momentum * load<f32>(buf + o) + (1 - dampening) * d;
      store<f32>(buf + o, b);
      d = nesterov != 0 ? d + momentum * b : b;
    }
    store<f32>(p + o, load<f32>(p + o) - lr * d);
  }
}

// Adam / AdamW: p ← p·(1 − lr·wd) when decoupled, else g ← g + wd·p;
// m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²; p ← p − (lr / bc1)·m / (√v / √bc2 + eps).
export function f32_adam_update(n: i32, p: usize, g: usize, m: usize, v: usize, lr: f32, beta1: f32, beta2: f32, eps: f32, wd: f32, decoupled: i32, bc1: f32, bc2_sqrt: f32): void {
  const len = <usize>n;
  const step = lr / bc1;
  const decay: f32 = 1 - lr * wd;
  const vb1 = f32x4.splat(beta1);
  const vb1c = f32x4.splat(1 - beta1);
  const vb2 = f32x4.splat(beta2);
  const vb2c = f32x4.splat(1 - beta2);
  const vstep = f32x4.splat(step);
  const vbc2 = f32x4.splat(bc2_sqrt);
  const veps = f32x4.splat(eps);
  const vwd = f32x4.splat(wd);
  const vdecay = f32x4.splat(decay);
  let i: usize = 0;
  for (; i + 4 <= len; i += 4) {
    const o = i << 2;
    let vp = v128.load(p + o);
    let vg = v128.load(g + o);
    if (wd != 0) {
      if (decoupled != 0) vp = f32x4.mul(vp, vdecay);
      else vg = f32x4.add(vg, f32x4.mul(vwd, vp));
    }
    const vm = f32x4.add(f32x4.mul(vb1, v128.load(m + o)), f32x4.mul(vb1c, vg));
    const vv = f32x4.add(f32x4.mul(vb2, v128.load(v + o)), f32x4.mul(vb2c, f32x4.mul(vg, vg)));
    v128.store(m + o, vm);
    v128.store(v + o, vv);
    const vdenom = f32x4.add(f32x4.div(f32x4.sqrt(vv), vbc2), veps);
    v128.store(p + o, f32x4.sub(vp, f32x4.div(f32x4.mul(vstep, vm), vdenom)));
  }
  for (; i < len; i++) {
    const o = i << 2;
    let pp = load<f32>(p + o);
    let gg = load<f32>(g + o);
    if (wd != 0) {
      if (decoupled != 0) pp = pp * decay;
      else gg = gg + wd * pp;
    }
    const mm = beta1 * load<f32>(m + o) + (1 - beta1) * gg;
    const vv = beta2 * load<f32>(v + o) + (1 - beta2) * (gg * gg);
    store<f32>(m + o, mm);
    store<f32>(v + o, vv);
    store<f32>(p + o, pp - (step * mm) / (sqrt<f32>(vv) / bc2_sqrt + eps));
  }
}

// x += alpha·y in place (gradient accumulation, masked updates).
export function f32_vaxpy(n: i32, alpha: f32, y: usize, x: usize): void {
  const va = f32x4.splat(alpha);
  const len = <usize>n;
  let i: usize = 0;
  for (; i + 4 <= len; i += 4) v128.store(x + (i << 2), f32x4.add(v128.load(x + (i << 2)), f32x4.mul(va, v128.load(y + (i << 2)))));
  for (; i < len; i++) store<f32>(x + (i << 2), load<f32>(x + (i << 2)) + alpha * load<f32>(y + (i << 2)));
}
