// Per-call activation quantization of the q4 kernels: each group of `group` inputs of each x row
// (f32) → i16 codes in [−127, 127] with one f32 scale (ggml's Q8_0 rule with the weights' group):
//   d = max|x_g| / 127, id = d ≠ 0 ? 1/d : 0, q = clamp(nearest(x·id), −127, 127) (ties to even)
// and corr = −8·Σ q (the weights' +8 offset, applied once per group). A NaN x·id gives code 0 and ±∞
// saturates, as q4QuantizeGroupRef (src/quant/qkernels-ref.ts) does.
//   xq: i16 [kp] at ws; then per group g at ws + 2kp + 8g: d (f32), corr (i32).

/** k rounded up to whole groups: the inputs a packed q4 row covers. */
@inline
export function q4_padded_k(k: i32, group: i32): i32 {
  return (k + group - 1) / group * group;
}

/** Bytes of one quantized x row of kp = q4_padded_k inputs: 2·kp codes + 8 per group. */
@inline
export function q4_row_bytes(kp: i32, group: i32): usize {
  return <usize>kp * 2 + <usize>(kp / group) * 8;
}

// Four codes clamp(round(v·id), −127, 127): rounded by the 1.5·2^23 add (magic) or by nearest + trunc_sat.
@inline
function codes4(v: v128, vid: v128, magic: bool): v128 {
  const va = f32x4.mul(v, vid);
  const vq = magic ? i32x4.sub(f32x4.add(va, f32x4.splat(12582912.0)), i32x4.splat(0x4b400000)) : i32x4.trunc_sat_f32x4_s(f32x4.nearest(va));
  return i32x4.min_s(i32x4.max_s(vq, i32x4.splat(-127)), i32x4.splat(127));
}

// The codes of one group (`bytes` of x at x) into xq as i16; returns their lane sums.
@inline
function group_codes(x: usize, bytes: usize, id: f32, xq: usize, magic: bool): v128 {
  const vid = f32x4.splat(id);
  let vsum = i32x4.splat(0);
  for (let p: usize = 0; p < bytes; p += 32) {
    const vq0123 = codes4(v128.load(x + p), vid, magic);
    const vq4567 = codes4(v128.load(x + p, 16), vid, magic);
    v128.store(xq + (p >> 1), i16x8.narrow_i32x4_s(vq0123, vq4567));
    vsum = i32x4.add(vsum, i32x4.add(vq0123, vq4567));
  }
  return vsum;
}

/**
 * One x row of k floats, zero-padded to kp = q4_padded_k(k, group); tail: group floats of scratch.
 * Two passes: every group's max|x|, d and 1/d first (1/d parked in the group's corr slot), so no group
 * waits on the previous one's two divisions; then the codes. A code is rounded and converted by adding
 * 1.5·2^23 (round to nearest even, exact for |v| < 2^22; here |x·(1/d)| ≤ 255) and subtracting the
 * bits of 1.5·2^23: the same integers as nearest + trunc_sat, in 5 vector ops per 4 codes instead of
 * about 12. A group whose 1/d overflowed (d subnormal) or that holds ±∞ or NaN keeps nearest +
 * trunc_sat, where a NaN product must give 0 (the added constant would carry the NaN's bits, which
 * differ between CPUs, into the code). At k = 784, g32: 1.10 → 0.52 µs per row in V8 and JSC
 * (bench/dev/q4x.mjs); 0.25–0.28 µs with max|x| by pmax.
 */
export function q4_quantize_row(k: i32, kp: i32, group: i32, x0: usize, ws: usize, tail: usize): void {
  const ngroups = kp / group;
  const gbytes = <usize>group << 2;
  const gp0 = ws + (<usize>kp << 1);
  const xlast = x0 + (<usize>k << 2);
  // Whole groups read x in place; the last, partial one is copied to the scratch and zero-filled.
  const full = <i32>((xlast - x0) / gbytes);
  if (full < ngroups) {
    const have = xlast - (x0 + <usize>full * gbytes);
    memory.copy(tail, x0 + <usize>full * gbytes, have);
    memory.fill(tail + have, 0, gbytes - have);
  }
  for (let g = 0; g < ngroups; g++) {
    const x = g < full ? x0 + <usize>g * gbytes : tail;
    const xend = x + gbytes;
    // max|x| by pmax (one instruction; f32x4.max's NaN and ±0 rules cost about eight in V8 and JSC),
    // which skips a NaN, so NaNs are flagged apart and make amax NaN, as f32x4.max would (|x| has no −0).
    let vmax = f32x4.splat(0);
    let vnan = i32x4.splat(0);
    for (let p = x; p < xend; p += 16) {
      const va = v128.and(v128.load(p), i32x4.splat(0x7fffffff));
      vmax = f32x4.pmax(vmax, va);
      vnan = v128.or(vnan, i32x4.gt_s(va, i32x4.splat(0x7f800000)));
    }
    let amax = max(max(f32x4.extract_lane(vmax, 0), f32x4.extract_lane(vmax, 1)), max(f32x4.extract_lane(vmax, 2), f32x4.extract_lane(vmax, 3)));
    if (v128.any_true(vnan)) amax = NaN;
    const d: f32 = amax / 127;
    const gp = gp0 + (<usize>g << 3);
    store<f32>(gp, d);
    store<f32>(gp, d != 0 ? <f32>1 / d : 0, 4);
  }
  let xq = ws;
  for (let g = 0; g < ngroups; g++) {
    const x = g < full ? x0 + <usize>g * gbytes : tail;
    const gp = gp0 + (<usize>g << 3);
    const id = load<f32>(gp, 4);
    // d finite: every x of the group is; 1/d finite: so is every x·(1/d), and |x·(1/d)| ≤ 255.
    const vsum = isFinite<f32>(load<f32>(gp)) && isFinite<f32>(id) ? group_codes(x, gbytes, id, xq, true) : group_codes(x, gbytes, id, xq, false);
    xq += gbytes >> 1;
    const sum = i32x4.extract_lane(vsum, 0) + i32x4.extract_lane(vsum, 1) + i32x4.extract_lane(vsum, 2) + i32x4.extract_lane(vsum, 3);
    store<i32>(gp, -8 * sum, 4);
  }
}
