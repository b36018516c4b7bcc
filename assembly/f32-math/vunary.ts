// Flat-ABI elementwise f32 transcendentals: y[i] = f(x[i]) for i < n.
// x, y: byte addresses of f32 arrays (4-byte aligned); y may equal x (in place). n may be 0.
// The n % 4 tail is run through the same 4-lane function (unused lanes padded with 0) and only
// the valid lanes are stored, so an element's result never depends on its position.
// Every NaN result is canonicalised to 0x7fc00000, so outputs are bit-identical across engines.
import { vcanon, verf, vexp, vgelu, vlog, vsigmoid, vtanh } from "./vmath";

@inline function loadTail(p: usize, rem: i32): v128 {
  let v = f32x4.replace_lane(f32x4.splat(0.0), 0, load<f32>(p));
  if (rem > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (rem > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

@inline function storeTail(p: usize, v: v128, rem: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (rem > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (rem > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

export function f32_vexp(n: i32, x: usize, y: usize): void {
  const end = x + (<usize>(n & ~3) << 2);
  for (; x < end; x += 16, y += 16) v128.store(y, vcanon(vexp(v128.load(x))));
  const rem = n & 3;
  if (rem) storeTail(y, vcanon(vexp(loadTail(x, rem))), rem);
}

export function f32_vlog(n: i32, x: usize, y: usize): void {
  const end = x + (<usize>(n & ~3) << 2);
  for (; x < end; x += 16, y += 16) v128.store(y, vcanon(vlog(v128.load(x))));
  const rem = n & 3;
  if (rem) storeTail(y, vcanon(vlog(loadTail(x, rem))), rem);
}

export function f32_vtanh(n: i32, x: usize, y: usize): void {
  const end = x + (<usize>(n & ~3) << 2);
  for (; x < end; x += 16, y += 16) v128.store(y, vcanon(vtanh(v128.load(x))));
  const rem = n & 3;
  if (rem) storeTail(y, vcanon(vtanh(loadTail(x, rem))), rem);
}

export function f32_vsigmoid(n: i32, x: usize, y: usize): void {
  const end = x + (<usize>(n & ~3) << 2);
  for (; x < end; x += 16, y += 16) v128.store(y, vcanon(vsigmoid(v128.load(x))));
  const rem = n & 3;
  if (rem) storeTail(y, vcanon(vsigmoid(loadTail(x, rem))), rem);
}

export function f32_vgelu(n: i32, x: usize, y: usize): void {
  const end = x + (<usize>(n & ~3) << 2);
  for (; x < end; x += 16, y += 16) v128.store(y, vcanon(vgelu(v128.load(x))));
  const rem = n & 3;
  if (rem) storeTail(y, vcanon(vgelu(loadTail(x, rem))), rem);
}

export function f32_verf(n: i32, x: usize, y: usize): void {
  const end = x + (<usize>(n & ~3) << 2);
  for (; x < end; x += 16, y += 16) v128.store(y, vcanon(verf(v128.load(x))));
  const rem = n & 3;
  if (rem) storeTail(y, vcanon(verf(loadTail(x, rem))), rem);
}
