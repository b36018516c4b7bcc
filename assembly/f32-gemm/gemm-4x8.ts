// f32 GEMM micro-kernel: a 4x8 tile of C from packed panels.
//   ap: A panel, kc x MR floats (k-major, the MR rows interleaved)
//   bp: B panel, kc x NR floats (k-major, NR contiguous columns)
//   c:  4 rows of 8 floats, row stride ldc bytes (rows may be unaligned)
// Each C element is a sequential sum over k: acc = acc + a·b, starting from 0
// (first) or from the partial sum already in C. On the last k block the bias
// (8 floats at `bias`, or 0 for none) is added and the result clamped.

/** Rows of the micro-tile (the A panel interleave). */
export const MR: i32 = 4;
/** Columns of the micro-tile (the B panel width). */
export const NR: i32 = 8;

// Inlined so its k loop sits inside the macro-kernel's loops: V8 unrolls a wasm loop more the
// deeper it is nested (one x 2 as a standalone call, x 6 at depth 6), which removes most of the
// per-step stack check and index bookkeeping (+12-15% on 256-1024 GEMMs).
@inline
export function gemm_4x8(kc: i32, ap: usize, bp: usize, c: usize, ldc: usize, first: bool, last: bool, bias: usize, vmin: f32, vmax: f32): void {
  let vacc0x0123: v128, vacc0x4567: v128;
  let vacc1x0123: v128, vacc1x4567: v128;
  let vacc2x0123: v128, vacc2x4567: v128;
  let vacc3x0123: v128, vacc3x4567: v128;
  if (first) {
    vacc0x0123 = f32x4.splat(0);
    vacc0x4567 = vacc0x0123;
    vacc1x0123 = vacc0x0123;
    vacc1x4567 = vacc0x0123;
    vacc2x0123 = vacc0x0123;
    vacc2x4567 = vacc0x0123;
    vacc3x0123 = vacc0x0123;
    vacc3x4567 = vacc0x0123;
  } else {
    const c0 = c;
    const c1 = c0 + ldc;
    const c2 = c1 + ldc;
    const c3 = c2 + ldc;
    vacc0x0123 = v128.load(c0);
    vacc0x4567 = v128.load(c0, 16);
    vacc1x0123 = v128.load(c1);
    vacc1x4567 = v128.load(c1, 16);
    vacc2x0123 = v128.load(c2);
    vacc2x4567 = v128.load(c2, 16);
    vacc3x0123 = v128.load(c3);
    vacc3x4567 = v128.load(c3, 16);
  }

  // do-while on an end pointer: V8 then keeps the splat addresses out of the loop.
  if (kc > 0) {
    const bp_end = bp + (<usize>kc << 5);
    do {
      const vb0123 = v128.load(bp);
      const vb4567 = v128.load(bp, 16);
      const va0 = v128.load32_splat(ap);
      vacc0x0123 = f32x4.add(vacc0x0123, f32x4.mul(va0, vb0123));
      vacc0x4567 = f32x4.add(vacc0x4567, f32x4.mul(va0, vb4567));
      const va1 = v128.load32_splat(ap, 4);
      vacc1x0123 = f32x4.add(vacc1x0123, f32x4.mul(va1, vb0123));
      vacc1x4567 = f32x4.add(vacc1x4567, f32x4.mul(va1, vb4567));
      const va2 = v128.load32_splat(ap, 8);
      vacc2x0123 = f32x4.add(vacc2x0123, f32x4.mul(va2, vb0123));
      vacc2x4567 = f32x4.add(vacc2x4567, f32x4.mul(va2, vb4567));
      const va3 = v128.load32_splat(ap, 12);
      vacc3x0123 = f32x4.add(vacc3x0123, f32x4.mul(va3, vb0123));
      vacc3x4567 = f32x4.add(vacc3x4567, f32x4.mul(va3, vb4567));
      ap += 16;
      bp += 32;
    } while (bp != bp_end);
  }

  if (last) {
    if (bias != 0) {
      const vbias0123 = v128.load(bias);
      const vbias4567 = v128.load(bias, 16);
      vacc0x0123 = f32x4.add(vacc0x0123, vbias0123);
      vacc0x4567 = f32x4.add(vacc0x4567, vbias4567);
      vacc1x0123 = f32x4.add(vacc1x0123, vbias0123);
      vacc1x4567 = f32x4.add(vacc1x4567, vbias4567);
      vacc2x0123 = f32x4.add(vacc2x0123, vbias0123);
      vacc2x4567 = f32x4.add(vacc2x4567, vbias4567);
      vacc3x0123 = f32x4.add(vacc3x0123, vbias0123);
      vacc3x4567 = f32x4.add(vacc3x4567, vbias4567);
    }
    // Skipped when it is the identity (vmin = -Inf, vmax = +Inf).
    if (vmin != -Infinity || vmax != Infinity) {
      const vmin0123 = f32x4.splat(vmin);
      const vmax0123 = f32x4.splat(vmax);
      vacc0x0123 = f32x4.min(f32x4.max(vacc0x0123, vmin0123), vmax0123);
      vacc0x4567 = f32x4.min(f32x4.max(vacc0x4567, vmin0123), vmax0123);
      vacc1x0123 = f32x4.min(f32x4.max(vacc1x0123, vmin0123), vmax0123);
      vacc1x4567 = f32x4.min(f32x4.max(vacc1x4567, vmin0123), vmax0123);
      vacc2x0123 = f32x4.min(f32x4.max(vacc2x0123, vmin0123), vmax0123);
      vacc2x4567 = f32x4.min(f32x4.max(vacc2x4567, vmin0123), vmax0123);
      vacc3x0123 = f32x4.min(f32x4.max(vacc3x0123, vmin0123), vmax0123);
      vacc3x4567 = f32x4.min(f32x4.max(vacc3x4567, vmin0123), vmax0123);
    }
  }

  const c0 = c;
  const c1 = c0 + ldc;
  const c2 = c1 + ldc;
  const c3 = c2 + ldc;
  v128.store(c0, vacc0x0123);
  v128.store(c0, vacc0x4567, 16);
  v128.store(c1, vacc1x0123);
  v128.store(c1, vacc1x4567, 16);
  v128.store(c2, vacc2x0123);
  v128.store(c2, vacc2x4567, 16);
  v128.store(c3, vacc3x0123);
  v128.store(c3, vacc3x4567, 16);
}
