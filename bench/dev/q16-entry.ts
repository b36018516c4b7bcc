// Dev entry: qs8 GEMV with weights widened to i16 at packing (8-row panels) against the product's i8 panels.
// 2026-12-06, fourth session (node bench/dev/q16.mjs; 304×784 / 1024², µs):
//   product i8 panels, 8 accumulators (V8 keeps one in a stack slot)   6.25-6.49 / 26.4-28.2
//   i16 panels, 8 accumulators (one spilled: its chain runs through a store and a load every block)  8.8-9.6 / 39-43
//   mixed (4 rows i16, 4 rows i8), 8 accumulators                      8.9-9.3 / 39-41
//   i8 panels in two passes of 4 rows (no spill, x widened twice)      6.7-6.9 / 30.1-30.4
//   i16 panels in two passes of 4 rows                                  5.66 / 29.6
//   i8 panels, 8 accumulators, one block per trip (the spilled chain every block)  9.15 / –
// So the widening op, not the spill, bounds the product; i16 weights are 1.15x faster while they fit
// in L2 (the MLP's 784×300 layer) and no faster from L3, at twice the resident bytes: not adopted.
export * from "../../assembly/qs8-gemm/pack";
export * from "../../assembly/qs8-gemv/gemv";
export * from "../../assembly/f32-gemm/gemv-packed";

// i16 panels: per 8-k block, 8 rows x 8 i16 (128 bytes). k multiple of 8, n multiple of 8 (dev only).
export function pack16(n: i32, k: i32, w: usize, out: usize): void {
  for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) {
    store<i16>(out + ((<usize>(j >> 3) * (k >> 3) + (p >> 3)) * 64 + (j & 7) * 8 + (p & 7)) * 2, <i16>load<i8>(w + <usize>j * k + p));
  }
}
@inline
function hs(v: v128): i32 { return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3); }
export function gemv16(n: i32, k: i32, a: usize, p16: usize, out: usize): void {
  let wp = p16;
  for (let j = 0; j < n; j += 8) {
    let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    const xe = a + <usize>k;
    for (let xp = a; xp < xe; xp += 8) {
      const vx = v128.load8x8_s(xp);
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load(wp), vx));
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v128.load(wp, 16), vx));
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(v128.load(wp, 32), vx));
      a3 = i32x4.add(a3, i32x4.dot_i16x8_s(v128.load(wp, 48), vx));
      a4 = i32x4.add(a4, i32x4.dot_i16x8_s(v128.load(wp, 64), vx));
      a5 = i32x4.add(a5, i32x4.dot_i16x8_s(v128.load(wp, 80), vx));
      a6 = i32x4.add(a6, i32x4.dot_i16x8_s(v128.load(wp, 96), vx));
      a7 = i32x4.add(a7, i32x4.dot_i16x8_s(v128.load(wp, 112), vx));
      wp += 128;
    }
    const o = out + (<usize>j << 2);
    store<i32>(o, hs(a0)); store<i32>(o, hs(a1), 4); store<i32>(o, hs(a2), 8); store<i32>(o, hs(a3), 12);
    store<i32>(o, hs(a4), 16); store<i32>(o, hs(a5), 20); store<i32>(o, hs(a6), 24); store<i32>(o, hs(a7), 28);
  }
}

// Mixed panels (experiment): per 8-k block, rows 0-3 as i16 (64 bytes, fed to the dot straight from
// memory) then rows 4-7 as i8 (32 bytes, widened by load8x8_s): fewer widening ops than i8 panels,
// fewer bytes than i16 panels. k multiple of 8, n multiple of 8 (dev only).
export function packmix(n: i32, k: i32, w: usize, out: usize): void {
  for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) {
    const blk = out + (<usize>(j >> 3) * (k >> 3) + (p >> 3)) * 96;
    const r = j & 7;
    const v = load<i8>(w + <usize>j * k + p);
    if (r < 4) store<i16>(blk + r * 16 + (p & 7) * 2, <i16>v);
    else store<i8>(blk + 64 + (r - 4) * 8 + (p & 7), v);
  }
}
export function gemvmix(n: i32, k: i32, a: usize, pm: usize, out: usize): void {
  let wp = pm;
  for (let j = 0; j < n; j += 8) {
    let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    const xe = a + <usize>k;
    for (let xp = a; xp < xe; xp += 8) {
      const vx = v128.load8x8_s(xp);
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load(wp), vx));
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v128.load(wp, 16), vx));
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(v128.load(wp, 32), vx));
      a3 = i32x4.add(a3, i32x4.dot_i16x8_s(v128.load(wp, 48), vx));
      a4 = i32x4.add(a4, i32x4.dot_i16x8_s(v128.load8x8_s(wp, 64), vx));
      a5 = i32x4.add(a5, i32x4.dot_i16x8_s(v128.load8x8_s(wp, 72), vx));
      a6 = i32x4.add(a6, i32x4.dot_i16x8_s(v128.load8x8_s(wp, 80), vx));
      a7 = i32x4.add(a7, i32x4.dot_i16x8_s(v128.load8x8_s(wp, 88), vx));
      wp += 96;
    }
    const o = out + (<usize>j << 2);
    store<i32>(o, hs(a0)); store<i32>(o, hs(a1), 4); store<i32>(o, hs(a2), 8); store<i32>(o, hs(a3), 12);
    store<i32>(o, hs(a4), 16); store<i32>(o, hs(a5), 20); store<i32>(o, hs(a6), 24); store<i32>(o, hs(a7), 28);
  }
}

// The product's i8 panels in two passes of 4 rows (experiment): 4 accumulators, so V8 (15 usable xmm)
// keeps every accumulator in a register; the panel (8 rows × k bytes) is still in L1 for the second pass.
export function gemvhalf(n: i32, k: i32, a: usize, packed: usize, out: usize): void {
  const w = packed + (<usize>n << 2);
  for (let j = 0; j < n; j += 8) {
    const panel = w + <usize>j * <usize>k;
    for (let h = 0; h < 2; h++) {
      let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      let wp = panel + (<usize>h << 5);
      const xe = a + <usize>(k & ~7);
      for (let xp = a; xp < xe; xp += 8) {
        const vx = v128.load8x8_s(xp);
        a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load8x8_s(wp), vx));
        a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v128.load8x8_s(wp, 8), vx));
        a2 = i32x4.add(a2, i32x4.dot_i16x8_s(v128.load8x8_s(wp, 16), vx));
        a3 = i32x4.add(a3, i32x4.dot_i16x8_s(v128.load8x8_s(wp, 24), vx));
        wp += 64;
      }
      const o = out + (<usize>(j + (h << 2)) << 2);
      store<i32>(o, hs(a0)); store<i32>(o, hs(a1), 4); store<i32>(o, hs(a2), 8); store<i32>(o, hs(a3), 12);
    }
  }
}

// i16 panels in two passes of 4 rows (experiment): the dot takes its weights straight from a plain load
// (no widening op) and the 4 accumulators stay in registers.
export function gemv16h(n: i32, k: i32, a: usize, p16: usize, out: usize): void {
  for (let j = 0; j < n; j += 8) {
    const panel = p16 + <usize>j * <usize>k * 2;
    for (let h = 0; h < 2; h++) {
      let a0 = i32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      let wp = panel + (<usize>h << 6);
      const xe = a + <usize>k;
      for (let xp = a; xp < xe; xp += 8) {
        const vx = v128.load8x8_s(xp);
        a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load(wp), vx));
        a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v128.load(wp, 16), vx));
        a2 = i32x4.add(a2, i32x4.dot_i16x8_s(v128.load(wp, 32), vx));
        a3 = i32x4.add(a3, i32x4.dot_i16x8_s(v128.load(wp, 48), vx));
        wp += 128;
      }
      const o = out + (<usize>(j + (h << 2)) << 2);
      store<i32>(o, hs(a0)); store<i32>(o, hs(a1), 4); store<i32>(o, hs(a2), 8); store<i32>(o, hs(a3), 12);
    }
  }
}
