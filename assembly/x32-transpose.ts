// The 4×4 transpose of 32-bit lanes in registers, shared by packers and the transpose kernel:
// rows vr0..vr3 in, their columns stored at d, d + step, d + 2·step, d + 3·step (bytes).

@inline export function transpose4x4(vr0: v128, vr1: v128, vr2: v128, vr3: v128, d: usize, step: usize): void {
  const vt01lo = i32x4.shuffle(vr0, vr1, 0, 4, 1, 5);
  const vt01hi = i32x4.shuffle(vr0, vr1, 2, 6, 3, 7);
  const vt23lo = i32x4.shuffle(vr2, vr3, 0, 4, 1, 5);
  const vt23hi = i32x4.shuffle(vr2, vr3, 2, 6, 3, 7);
  v128.store(d, i32x4.shuffle(vt01lo, vt23lo, 0, 1, 4, 5));
  v128.store(d + step, i32x4.shuffle(vt01lo, vt23lo, 2, 3, 6, 7));
  v128.store(d + 2 * step, i32x4.shuffle(vt01hi, vt23hi, 0, 1, 4, 5));
  v128.store(d + 3 * step, i32x4.shuffle(vt01hi, vt23hi, 2, 3, 6, 7));
}
