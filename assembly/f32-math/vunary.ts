// Flat-ABI elementwise f32 transcendentals: y[i] = f(x[i]) for i < n.
// x, y: byte addresses of f32 arrays (4-byte aligned); y may equal x (in place). n may be 0.
// The n % 4 tail is run through the same 4-lane function (unused lanes padded with 0) and only
// the valid lanes are stored, so an element's result never depends on its position.
// Every NaN result is canonicalised to 0x7fc00000, so outputs are bit-identical across engines.
// Main loops are unrolled (4 vectors for exp/log/tanh/sigmoid, 2 for the register-hungry erf/gelu):
// measured +10–25% in V8, mostly from fewer constant reloads per element.
import { loadTail, storeTail } from "./tail";
import { vcanon, verf, vexp, vgelu, vlog, vsigmoid, vtanh } from "./vmath";

export function f32_vexp(n: i32, x: usize, y: usize): void {
  const endU = x + (<usize>(n & ~15) << 2);
  for (; x < endU; x += 64, y += 64) {
    const a = v128.load(x);
    const b = v128.load(x, 16);
    const c = v128.load(x, 32);
    const d = v128.load(x, 48);
    v128.store(y, vcanon(a, vexp(a)));
    v128.store(y, vcanon(b, vexp(b)), 16);
    v128.store(y, vcanon(c, vexp(c)), 32);
    v128.store(y, vcanon(d, vexp(d)), 48);
  }
  const end = x + (<usize>(n & 12) << 2);
  for (; x < end; x += 16, y += 16) {
    const a = v128.load(x);
    v128.store(y, vcanon(a, vexp(a)));
  }
  const rem = n & 3;
  if (rem) {
    const a = loadTail(x, rem);
    storeTail(y, vcanon(a, vexp(a)), rem);
  }
}

export function f32_vlog(n: i32, x: usize, y: usize): void {
  const endU = x + (<usize>(n & ~15) << 2);
  for (; x < endU; x += 64, y += 64) {
    const a = v128.load(x);
    const b = v128.load(x, 16);
    const c = v128.load(x, 32);
    const d = v128.load(x, 48);
    v128.store(y, vcanon(a, vlog(a)));
    v128.store(y, vcanon(b, vlog(b)), 16);
    v128.store(y, vcanon(c, vlog(c)), 32);
    v128.store(y, vcanon(d, vlog(d)), 48);
  }
  const end = x + (<usize>(n & 12) << 2);
  for (; x < end; x += 16, y += 16) {
    const a = v128.load(x);
    v128.store(y, vcanon(a, vlog(a)));
  }
  const rem = n & 3;
  if (rem) {
    const a = loadTail(x, rem);
    storeTail(y, vcanon(a, vlog(a)), rem);
  }
}

export function f32_vtanh(n: i32, x: usize, y: usize): void {
  const endU = x + (<usize>(n & ~15) << 2);
  for (; x < endU; x += 64, y += 64) {
    const a = v128.load(x);
    const b = v128.load(x, 16);
    const c = v128.load(x, 32);
    const d = v128.load(x, 48);
    v128.store(y, vcanon(a, vtanh(a)));
    v128.store(y, vcanon(b, vtanh(b)), 16);
    v128.store(y, vcanon(c, vtanh(c)), 32);
    v128.store(y, vcanon(d, vtanh(d)), 48);
  }
  const end = x + (<usize>(n & 12) << 2);
  for (; x < end; x += 16, y += 16) {
    const a = v128.load(x);
    v128.store(y, vcanon(a, vtanh(a)));
  }
  const rem = n & 3;
  if (rem) {
    const a = loadTail(x, rem);
    storeTail(y, vcanon(a, vtanh(a)), rem);
  }
}

export function f32_vsigmoid(n: i32, x: usize, y: usize): void {
  const endU = x + (<usize>(n & ~15) << 2);
  for (; x < endU; x += 64, y += 64) {
    const a = v128.load(x);
    const b = v128.load(x, 16);
    const c = v128.load(x, 32);
    const d = v128.load(x, 48);
    v128.store(y, vcanon(a, vsigmoid(a)));
    v128.store(y, vcanon(b, vsigmoid(b)), 16);
    v128.store(y, vcanon(c, vsigmoid(c)), 32);
    v128.store(y, vcanon(d, vsigmoid(d)), 48);
  }
  const end = x + (<usize>(n & 12) << 2);
  for (; x < end; x += 16, y += 16) {
    const a = v128.load(x);
    v128.store(y, vcanon(a, vsigmoid(a)));
  }
  const rem = n & 3;
  if (rem) {
    const a = loadTail(x, rem);
    storeTail(y, vcanon(a, vsigmoid(a)), rem);
  }
}

export function f32_vgelu(n: i32, x: usize, y: usize): void {
  const endU = x + (<usize>(n & ~7) << 2);
  for (; x < endU; x += 32, y += 32) {
    const a = v128.load(x);
    const b = v128.load(x, 16);
    v128.store(y, vcanon(a, vgelu(a)));
    v128.store(y, vcanon(b, vgelu(b)), 16);
  }
  const end = x + (<usize>(n & 4) << 2);
  for (; x < end; x += 16, y += 16) {
    const a = v128.load(x);
    v128.store(y, vcanon(a, vgelu(a)));
  }
  const rem = n & 3;
  if (rem) {
    const a = loadTail(x, rem);
    storeTail(y, vcanon(a, vgelu(a)), rem);
  }
}

export function f32_verf(n: i32, x: usize, y: usize): void {
  const endU = x + (<usize>(n & ~7) << 2);
  for (; x < endU; x += 32, y += 32) {
    const a = v128.load(x);
    const b = v128.load(x, 16);
    v128.store(y, vcanon(a, verf(a)));
    v128.store(y, vcanon(b, verf(b)), 16);
  }
  const end = x + (<usize>(n & 4) << 2);
  for (; x < end; x += 16, y += 16) {
    const a = v128.load(x);
    v128.store(y, vcanon(a, verf(a)));
  }
  const rem = n & 3;
  if (rem) {
    const a = loadTail(x, rem);
    storeTail(y, vcanon(a, verf(a)), rem);
  }
}
