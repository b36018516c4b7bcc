// The last n % 4 floats of a row as one v128 (zero-padded lanes), so a tail element goes through the
// same 4-lane function as the rest and never depends on its position. 1 ≤ rem ≤ 3.

@inline export function loadTail(p: usize, rem: i32): v128 {
  let v = f32x4.replace_lane(f32x4.splat(0.0), 0, load<f32>(p));
  if (rem > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (rem > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

@inline export function storeTail(p: usize, v: v128, rem: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (rem > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (rem > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}
