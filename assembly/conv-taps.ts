// The padded-image geometry the direct convolutions share (f32-conv/direct.ts, x8-conv/direct.ts).
// Not re-exported by index.ts: inlined helpers, not wasm exports.

// Padded row stride in elements: w + 2·pw plus 8, so an 8-output step never reads past a row's end.
@inline
export function paddedStride(w: i32, pw: i32): i32 {
  return w + 2 * pw + 8;
}

// Bytes of the padded copy of one image: c planes of h + 2·ph rows of paddedStride elements of
// 2^elemShift bytes (negative sizes count as 0, for the workspace queries).
@inline
export function paddedImageBytes(c: i32, h: i32, w: i32, ph: i32, pw: i32, elemShift: i32): usize {
  return <usize>max(c, 0) * <usize>(max(h, 0) + 2 * max(ph, 0)) * <usize>paddedStride(max(w, 0), max(pw, 0)) << elemShift;
}

/** What direct_geometry computes for one call; read it into locals right away (one static instance). */
@unmanaged
export class DirectGeometry {
  oh: i32;
  ow: i32;
  /** Taps per output: c·kh·kw. */
  K: i32;
  planeBytes: usize;
  rowBytes: usize;
  /** The K u32 tap offsets, after the padded image in the workspace. */
  offs: usize;
}

const GEOMETRY: usize = memory.data(offsetof<DirectGeometry>(), 8);

/**
 * The geometry of a direct convolution (stride 1, dilation 1) whose padded image (elements of
 * 2^elemShift bytes) starts at workspace, with offs[k] = the byte offset of tap k = (ci·kh + ky)·kw + kx
 * written after it; null for bad sizes or an empty output.
 */
export function direct_geometry(
  n: i32, c: i32, h: i32, w: i32, oc: i32, kh: i32, kw: i32, ph: i32, pw: i32, elemShift: i32, workspace: usize,
): DirectGeometry | null {
  if (n <= 0 || c <= 0 || h < 0 || w < 0 || oc <= 0 || kh < 1 || kw < 1 || ph < 0 || pw < 0) return null;
  const hp = h + 2 * ph;
  const oh = hp - kh + 1;
  const ow = w + 2 * pw - kw + 1;
  if (oh <= 0 || ow <= 0) return null;
  const g = changetype<DirectGeometry>(GEOMETRY);
  g.oh = oh;
  g.ow = ow;
  g.K = c * kh * kw;
  g.rowBytes = <usize>paddedStride(w, pw) << elemShift;
  g.planeBytes = <usize>hp * g.rowBytes;
  g.offs = workspace + paddedImageBytes(c, h, w, ph, pw, elemShift);
  for (let ci = 0, k = 0; ci < c; ci++) {
    for (let ky = 0; ky < kh; ky++) {
      for (let kx = 0; kx < kw; kx++, k++) store<u32>(g.offs + (<usize>k << 2), <u32>(<usize>ci * g.planeBytes + <usize>ky * g.rowBytes + (<usize>kx << elemShift)));
    }
  }
  return g;
}
