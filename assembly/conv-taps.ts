// The padded-image geometry the direct convolutions share (f32-conv/direct.ts, x8-conv/direct.ts).
// Not re-exported by index.ts: inlined helpers, not wasm exports.

// Padded row stride in elements: w + 2·pw plus 8, so an 8-output step never reads past a row's end.
@inline
export function paddedStride(w: i32, pw: i32): i32 {
  return w + 2 * pw + 8;
}

// offs[k] = the byte offset of tap k = (ci·kh + ky)·kw + kx in the padded image: ci planes of
// planeBytes, ky rows of rowBytes, kx elements of 2^elemShift bytes.
@inline
export function tapOffsets(c: i32, kh: i32, kw: i32, planeBytes: usize, rowBytes: usize, elemShift: i32, offs: usize): void {
  for (let ci = 0, k = 0; ci < c; ci++) {
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++, k++) store<u32>(offs + (<usize>k << 2), <u32>(<usize>ci * planeBytes + <usize>ky * rowBytes + (<usize>kx << elemShift)));
    }
  }
}
