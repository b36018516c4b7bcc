// Dev entry: 2:4 GEMV variants measured against the product's dense f32 GEMV and 2:4 GEMV.
export * from "../../assembly/f32-gemm/gemv";
export * from "../../assembly/f32-nm/gemv";

// PAT[nibble] = pattern id 0..5 of an ascending position pair (lo | hi << 2); 255 otherwise.
const NIB: usize = memory.data<u8>([255, 255, 255, 255, 0, 255, 255, 255, 1, 3, 255, 255, 2, 4, 5, 255]);
// Byte -> block id p0 + 6·p1.
const LUT: usize = memory.data(256, 16);
// Pattern p: swizzle masks that move floats lo, hi of a group into lanes 0,1 (M0) or 2,3 (M1); others zero.
const M0: usize = memory.data(6 * 16, 16);
const M1: usize = memory.data(6 * 16, 16);
const LO: StaticArray<u8> = [0, 0, 0, 1, 1, 2];
const HI: StaticArray<u8> = [1, 2, 3, 2, 3, 3];

export function nm_init(): void {
  for (let b = 0; b < 256; b++) {
    const p0 = load<u8>(NIB + (b & 15)), p1 = load<u8>(NIB + (b >> 4));
    store<u8>(LUT + b, p0 == 255 || p1 == 255 ? 0 : p0 + 6 * p1);
  }
  for (let p = 0; p < 6; p++) {
    for (let t = 0; t < 16; t++) {
      const lane = t >> 2, byte = t & 3;
      const m0 = <u8>(lane == 0 ? LO[p] * 4 + byte : lane == 1 ? HI[p] * 4 + byte : 0x80);
      const m1 = <u8>(lane == 2 ? LO[p] * 4 + byte : lane == 3 ? HI[p] * 4 + byte : 0x80);
      store<u8>(M0 + p * 16 + t, m0);
      store<u8>(M1 + p * 16 + t, m1);
    }
  }
}

export function nm_to_ids(count: i32, indices: usize, ids: usize): void {
  for (let i = 0; i < count; i++) store<u8>(ids + i, load<u8>(LUT + load<u8>(indices + i)));
}

@inline
function build_table(kb: i32, k: i32, x: usize, table: usize): void {
  for (let b = 0; b < kb; b++) {
    const vx0 = v128.load(x + (<usize>b << 5));
    const vx1 = v128.load(x + (<usize>b << 5), 16);
    const tb = table + <usize>b * 576;
    for (let p1: usize = 0; p1 < 6; p1++) {
      const vh = i8x16.swizzle(vx1, v128.load(M1 + (p1 << 4)));
      for (let p0: usize = 0; p0 < 6; p0++) {
        v128.store(tb + ((p0 + 6 * p1) << 4), v128.or(i8x16.swizzle(vx0, v128.load(M0 + (p0 << 4))), vh));
      }
    }
  }
}

@inline
function finish(vacc: v128, bias: usize, j: i32, y: usize): void {
  const o = <usize>j << 2;
  let s = (f32x4.extract_lane(vacc, 0) + f32x4.extract_lane(vacc, 1)) + (f32x4.extract_lane(vacc, 2) + f32x4.extract_lane(vacc, 3));
  store<f32>(y + o, s);
}

// Variant B: ids stored (kernel layout). x must be padded to kb*8 (dev only).
export function nm_gemv_ids(n: i32, k: i32, x: usize, values: usize, ids: usize, bias: usize, y: usize, table: usize): void {
  const kb = (k + 7) >> 3;
  build_table(kb, k, x, table);
  const ldv = <usize>kb << 4;
  const ldi = <usize>kb;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    let v0 = values + <usize>j * ldv, v1 = v0 + ldv, v2 = v1 + ldv, v3 = v2 + ldv;
    let i0 = ids + <usize>j * ldi, i1 = i0 + ldi, i2 = i1 + ldi, i3 = i2 + ldi;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    const tend = table + <usize>kb * 576;
    for (let tb = table; tb < tend; tb += 576) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load(v0), v128.load(tb + (<usize>load<u8>(i0) << 4))));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(v1), v128.load(tb + (<usize>load<u8>(i1) << 4))));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(v2), v128.load(tb + (<usize>load<u8>(i2) << 4))));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(v3), v128.load(tb + (<usize>load<u8>(i3) << 4))));
      v0 += 16; v1 += 16; v2 += 16; v3 += 16;
      i0++; i1++; i2++; i3++;
    }
    finish(a0, bias, j, y); finish(a1, bias, j + 1, y); finish(a2, bias, j + 2, y); finish(a3, bias, j + 3, y);
  }
}

// Variant A: original index bytes, remapped through LUT per step.
export function nm_gemv_lut(n: i32, k: i32, x: usize, values: usize, indices: usize, bias: usize, y: usize, table: usize): void {
  const kb = (k + 7) >> 3;
  build_table(kb, k, x, table);
  const ldv = <usize>kb << 4;
  const ldi = <usize>kb;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    let v0 = values + <usize>j * ldv, v1 = v0 + ldv, v2 = v1 + ldv, v3 = v2 + ldv;
    let i0 = indices + <usize>j * ldi, i1 = i0 + ldi, i2 = i1 + ldi, i3 = i2 + ldi;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    const tend = table + <usize>kb * 576;
    for (let tb = table; tb < tend; tb += 576) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load(v0), v128.load(tb + (<usize>load<u8>(LUT + load<u8>(i0)) << 4))));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(v1), v128.load(tb + (<usize>load<u8>(LUT + load<u8>(i1)) << 4))));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(v2), v128.load(tb + (<usize>load<u8>(LUT + load<u8>(i2)) << 4))));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(v3), v128.load(tb + (<usize>load<u8>(LUT + load<u8>(i3)) << 4))));
      v0 += 16; v1 += 16; v2 += 16; v3 += 16;
      i0++; i1++; i2++; i3++;
    }
    finish(a0, bias, j, y); finish(a1, bias, j + 1, y); finish(a2, bias, j + 2, y); finish(a3, bias, j + 3, y);
  }
}

// Variant C: ids, 8 rows.
export function nm_gemv_ids8(n: i32, k: i32, x: usize, values: usize, ids: usize, bias: usize, y: usize, table: usize): void {
  const kb = (k + 7) >> 3;
  build_table(kb, k, x, table);
  const ldv = <usize>kb << 4;
  const ldi = <usize>kb;
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    let v0 = values + <usize>j * ldv;
    let i0 = ids + <usize>j * ldi;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    const tend = table + <usize>kb * 576;
    for (let tb = table; tb < tend; tb += 576) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load(v0), v128.load(tb + (<usize>load<u8>(i0) << 4))));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(v0 + ldv), v128.load(tb + (<usize>load<u8>(i0 + ldi) << 4))));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(v0 + 2 * ldv), v128.load(tb + (<usize>load<u8>(i0 + 2 * ldi) << 4))));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(v0 + 3 * ldv), v128.load(tb + (<usize>load<u8>(i0 + 3 * ldi) << 4))));
      a4 = f32x4.add(a4, f32x4.mul(v128.load(v0 + 4 * ldv), v128.load(tb + (<usize>load<u8>(i0 + 4 * ldi) << 4))));
      a5 = f32x4.add(a5, f32x4.mul(v128.load(v0 + 5 * ldv), v128.load(tb + (<usize>load<u8>(i0 + 5 * ldi) << 4))));
      a6 = f32x4.add(a6, f32x4.mul(v128.load(v0 + 6 * ldv), v128.load(tb + (<usize>load<u8>(i0 + 6 * ldi) << 4))));
      a7 = f32x4.add(a7, f32x4.mul(v128.load(v0 + 7 * ldv), v128.load(tb + (<usize>load<u8>(i0 + 7 * ldi) << 4))));
      v0 += 16;
      i0++;
    }
    finish(a0, bias, j, y); finish(a1, bias, j + 1, y); finish(a2, bias, j + 2, y); finish(a3, bias, j + 3, y);
    finish(a4, bias, j + 4, y); finish(a5, bias, j + 5, y); finish(a6, bias, j + 6, y); finish(a7, bias, j + 7, y);
  }
}

// Variant D: ids, 4 rows, 2 blocks per iteration (kb even assumed).
export function nm_gemv_ids4u(n: i32, k: i32, x: usize, values: usize, ids: usize, bias: usize, y: usize, table: usize): void {
  const kb = (k + 7) >> 3;
  build_table(kb, k, x, table);
  const ldv = <usize>kb << 4;
  const ldi = <usize>kb;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    let v0 = values + <usize>j * ldv;
    let i0 = ids + <usize>j * ldi;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    const tend = table + <usize>kb * 576;
    for (let tb = table; tb < tend; tb += 1152) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load(v0), v128.load(tb + (<usize>load<u8>(i0) << 4))));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(v0 + ldv), v128.load(tb + (<usize>load<u8>(i0 + ldi) << 4))));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(v0 + 2 * ldv), v128.load(tb + (<usize>load<u8>(i0 + 2 * ldi) << 4))));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(v0 + 3 * ldv), v128.load(tb + (<usize>load<u8>(i0 + 3 * ldi) << 4))));
      a0 = f32x4.add(a0, f32x4.mul(v128.load(v0, 16), v128.load(tb + 576 + (<usize>load<u8>(i0, 1) << 4))));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(v0 + ldv, 16), v128.load(tb + 576 + (<usize>load<u8>(i0 + ldi, 1) << 4))));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(v0 + 2 * ldv, 16), v128.load(tb + 576 + (<usize>load<u8>(i0 + 2 * ldi, 1) << 4))));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(v0 + 3 * ldv, 16), v128.load(tb + 576 + (<usize>load<u8>(i0 + 3 * ldi, 1) << 4))));
      v0 += 32;
      i0 += 2;
    }
    finish(a0, bias, j, y); finish(a1, bias, j + 1, y); finish(a2, bias, j + 2, y); finish(a3, bias, j + 3, y);
  }
}

// Probe: stream the values and ids (sum), the bandwidth floor.
export function stream_probe(bytes: usize, p: usize, ids: usize, idbytes: usize): f32 {
  let a = f32x4.splat(0), b = a;
  for (let o: usize = 0; o < bytes; o += 32) { a = f32x4.add(a, v128.load(p + o)); b = f32x4.add(b, v128.load(p + o, 16)); }
  let s: u32 = 0;
  for (let o: usize = 0; o < idbytes; o += 4) s += load<u32>(ids + o);
  return f32x4.extract_lane(f32x4.add(a, b), 0) + <f32>s;
}

@inline
function st8(acc: v128, vp: usize, ip: usize, tb: usize, c: usize): v128 {
  return f32x4.add(acc, f32x4.mul(v128.load(vp + (c << 4)), v128.load(tb + c * 576 + (<usize>load<u8>(ip + c) << 4))));
}
@inline
function st16(acc: v128, vp: usize, ip: usize, tb: usize, c: usize): v128 {
  return f32x4.add(acc, f32x4.mul(v128.load(vp + (c << 4)), v128.load(tb + c * 576 + <usize>load<u16>(ip + (c << 1)))));
}

// Variant E: u8 ids, 4 rows, 4 blocks unrolled with constant offsets.
export function nm_gemv_e(n: i32, k: i32, x: usize, values: usize, ids: usize, bias: usize, y: usize, table: usize): void {
  const kb = (k + 7) >> 3;
  build_table(kb, k, x, table);
  const ldv = <usize>kb << 4;
  const ldi = <usize>kb;
  const kb4 = kb & ~3;
  for (let j = 0; j + 4 <= n; j += 4) {
    let v0 = values + <usize>j * ldv, v1 = v0 + ldv, v2 = v1 + ldv, v3 = v2 + ldv;
    let i0 = ids + <usize>j * ldi, i1 = i0 + ldi, i2 = i1 + ldi, i3 = i2 + ldi;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    const t4 = table + <usize>kb4 * 576;
    let tb = table;
    for (; tb < t4; tb += 4 * 576) {
      a0 = st8(a0, v0, i0, tb, 0); a1 = st8(a1, v1, i1, tb, 0); a2 = st8(a2, v2, i2, tb, 0); a3 = st8(a3, v3, i3, tb, 0);
      a0 = st8(a0, v0, i0, tb, 1); a1 = st8(a1, v1, i1, tb, 1); a2 = st8(a2, v2, i2, tb, 1); a3 = st8(a3, v3, i3, tb, 1);
      a0 = st8(a0, v0, i0, tb, 2); a1 = st8(a1, v1, i1, tb, 2); a2 = st8(a2, v2, i2, tb, 2); a3 = st8(a3, v3, i3, tb, 2);
      a0 = st8(a0, v0, i0, tb, 3); a1 = st8(a1, v1, i1, tb, 3); a2 = st8(a2, v2, i2, tb, 3); a3 = st8(a3, v3, i3, tb, 3);
      v0 += 64; v1 += 64; v2 += 64; v3 += 64;
      i0 += 4; i1 += 4; i2 += 4; i3 += 4;
    }
    const tend = table + <usize>kb * 576;
    for (; tb < tend; tb += 576) {
      a0 = st8(a0, v0, i0, tb, 0); a1 = st8(a1, v1, i1, tb, 0); a2 = st8(a2, v2, i2, tb, 0); a3 = st8(a3, v3, i3, tb, 0);
      v0 += 16; v1 += 16; v2 += 16; v3 += 16;
      i0++; i1++; i2++; i3++;
    }
    finish(a0, bias, j, y); finish(a1, bias, j + 1, y); finish(a2, bias, j + 2, y); finish(a3, bias, j + 3, y);
  }
}

// Variant F: u16 ids holding id·16, otherwise E.
export function nm_gemv_f(n: i32, k: i32, x: usize, values: usize, ids: usize, bias: usize, y: usize, table: usize): void {
  const kb = (k + 7) >> 3;
  build_table(kb, k, x, table);
  const ldv = <usize>kb << 4;
  const ldi = <usize>kb << 1;
  const kb4 = kb & ~3;
  for (let j = 0; j + 4 <= n; j += 4) {
    let v0 = values + <usize>j * ldv, v1 = v0 + ldv, v2 = v1 + ldv, v3 = v2 + ldv;
    let i0 = ids + <usize>j * ldi, i1 = i0 + ldi, i2 = i1 + ldi, i3 = i2 + ldi;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    const t4 = table + <usize>kb4 * 576;
    let tb = table;
    for (; tb < t4; tb += 4 * 576) {
      a0 = st16(a0, v0, i0, tb, 0); a1 = st16(a1, v1, i1, tb, 0); a2 = st16(a2, v2, i2, tb, 0); a3 = st16(a3, v3, i3, tb, 0);
      a0 = st16(a0, v0, i0, tb, 1); a1 = st16(a1, v1, i1, tb, 1); a2 = st16(a2, v2, i2, tb, 1); a3 = st16(a3, v3, i3, tb, 1);
      a0 = st16(a0, v0, i0, tb, 2); a1 = st16(a1, v1, i1, tb, 2); a2 = st16(a2, v2, i2, tb, 2); a3 = st16(a3, v3, i3, tb, 2);
      a0 = st16(a0, v0, i0, tb, 3); a1 = st16(a1, v1, i1, tb, 3); a2 = st16(a2, v2, i2, tb, 3); a3 = st16(a3, v3, i3, tb, 3);
      v0 += 64; v1 += 64; v2 += 64; v3 += 64;
      i0 += 8; i1 += 8; i2 += 8; i3 += 8;
    }
    finish(a0, bias, j, y); finish(a1, bias, j + 1, y); finish(a2, bias, j + 2, y); finish(a3, bias, j + 3, y);
  }
}
export function nm_ids16(count: i32, ids: usize, out: usize): void {
  for (let i = 0; i < count; i++) store<u16>(out + (<usize>i << 1), <u16>load<u8>(ids + i) << 4);
}

// Panel layout for 4 rows: values [n/4][kb][4 rows][4], ids [n/4][kb][4 rows].
export function nm_to_panels(n: i32, kb: i32, values: usize, ids: usize, pv: usize, pi: usize): void {
  for (let j = 0; j < n; j++) {
    const p = j >> 2, r = j & 3;
    for (let b = 0; b < kb; b++) {
      v128.store(pv + (<usize>p * kb + b) * 64 + r * 16, v128.load(values + (<usize>j * kb + b) * 16));
      store<u8>(pi + (<usize>p * kb + b) * 4 + r, load<u8>(ids + <usize>j * kb + b));
    }
  }
}

@inline
function pst(acc: v128, vp: usize, ip: usize, tb: usize, c: usize, r: usize): v128 {
  return f32x4.add(acc, f32x4.mul(v128.load(vp + c * 64 + r * 16), v128.load(tb + c * 576 + (<usize>load<u8>(ip + c * 4 + r) << 4))));
}

export function nm_gemv_g(n: i32, k: i32, x: usize, pv: usize, pi: usize, bias: usize, y: usize, table: usize): void {
  const kb = (k + 7) >> 3;
  build_table(kb, k, x, table);
  let vp = pv, ip = pi;
  const tend = table + <usize>kb * 576;
  for (let j = 0; j + 4 <= n; j += 4) {
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (let tb = table; tb < tend; tb += 576) {
      a0 = pst(a0, vp, ip, tb, 0, 0); a1 = pst(a1, vp, ip, tb, 0, 1); a2 = pst(a2, vp, ip, tb, 0, 2); a3 = pst(a3, vp, ip, tb, 0, 3);
      vp += 64; ip += 4;
    }
    finish(a0, bias, j, y); finish(a1, bias, j + 1, y); finish(a2, bias, j + 2, y); finish(a3, bias, j + 3, y);
  }
}
export function nm_gemv_h(n: i32, k: i32, x: usize, pv: usize, pi: usize, bias: usize, y: usize, table: usize): void {
  const kb = (k + 7) >> 3;
  build_table(kb, k, x, table);
  let vp = pv, ip = pi;
  const t2 = table + <usize>(kb & ~1) * 576;
  const tend = table + <usize>kb * 576;
  for (let j = 0; j + 4 <= n; j += 4) {
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    let tb = table;
    for (; tb < t2; tb += 1152) {
      a0 = pst(a0, vp, ip, tb, 0, 0); a1 = pst(a1, vp, ip, tb, 0, 1); a2 = pst(a2, vp, ip, tb, 0, 2); a3 = pst(a3, vp, ip, tb, 0, 3);
      a0 = pst(a0, vp, ip, tb, 1, 0); a1 = pst(a1, vp, ip, tb, 1, 1); a2 = pst(a2, vp, ip, tb, 1, 2); a3 = pst(a3, vp, ip, tb, 1, 3);
      vp += 128; ip += 8;
    }
    for (; tb < tend; tb += 576) {
      a0 = pst(a0, vp, ip, tb, 0, 0); a1 = pst(a1, vp, ip, tb, 0, 1); a2 = pst(a2, vp, ip, tb, 0, 2); a3 = pst(a3, vp, ip, tb, 0, 3);
      vp += 64; ip += 4;
    }
    finish(a0, bias, j, y); finish(a1, bias, j + 1, y); finish(a2, bias, j + 2, y); finish(a3, bias, j + 3, y);
  }
}

const SINK: usize = memory.data(16, 16);
// Variant P: ids + touching the next row group's lines (prefetch by load), one line per row per 4 blocks.
export function nm_gemv_p(n: i32, k: i32, x: usize, values: usize, ids: usize, bias: usize, y: usize, table: usize, dist: i32): void {
  const kb = (k + 7) >> 3;
  build_table(kb, k, x, table);
  const ldv = <usize>kb << 4;
  const ldi = <usize>kb;
  const d = <usize>dist;
  let sink: u32 = 0;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    let v0 = values + <usize>j * ldv, v1 = v0 + ldv, v2 = v1 + ldv, v3 = v2 + ldv;
    let i0 = ids + <usize>j * ldi, i1 = i0 + ldi, i2 = i1 + ldi, i3 = i2 + ldi;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    const tend = table + <usize>kb * 576;
    let tb = table;
    for (; tb < tend; tb += 576) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load(v0), v128.load(tb + (<usize>load<u8>(i0) << 4))));
      a1 = f32x4.add(a1, f32x4.mul(v128.load(v1), v128.load(tb + (<usize>load<u8>(i1) << 4))));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(v2), v128.load(tb + (<usize>load<u8>(i2) << 4))));
      a3 = f32x4.add(a3, f32x4.mul(v128.load(v3), v128.load(tb + (<usize>load<u8>(i3) << 4))));
      sink += load<u8>(v0 + d) + load<u8>(v2 + d);
      v0 += 16; v1 += 16; v2 += 16; v3 += 16;
      i0++; i1++; i2++; i3++;
    }
    finish(a0, bias, j, y); finish(a1, bias, j + 1, y); finish(a2, bias, j + 2, y); finish(a3, bias, j + 3, y);
  }
  store<u32>(SINK, sink);
}

@inline
function sti(acc: v128, vp: usize, ip: usize, tb: usize): v128 {
  return f32x4.add(acc, f32x4.mul(v128.load(vp), v128.load(tb + (<usize>load<u8>(ip) << 4))));
}
export function nm_gemv_r2(n: i32, k: i32, x: usize, values: usize, ids: usize, bias: usize, y: usize, table: usize): void {
  const kb = (k + 7) >> 3;
  build_table(kb, k, x, table);
  const ldv = <usize>kb << 4;
  const ldi = <usize>kb;
  const tend = table + <usize>kb * 576;
  for (let j = 0; j + 2 <= n; j += 2) {
    let v0 = values + <usize>j * ldv, v1 = v0 + ldv;
    let i0 = ids + <usize>j * ldi, i1 = i0 + ldi;
    let a0 = f32x4.splat(0), a1 = a0;
    for (let tb = table; tb < tend; tb += 576) {
      a0 = sti(a0, v0, i0, tb); a1 = sti(a1, v1, i1, tb);
      v0 += 16; v1 += 16; i0++; i1++;
    }
    finish(a0, bias, j, y); finish(a1, bias, j + 1, y);
  }
}
export function nm_gemv_r6(n: i32, k: i32, x: usize, values: usize, ids: usize, bias: usize, y: usize, table: usize): void {
  const kb = (k + 7) >> 3;
  build_table(kb, k, x, table);
  const ldv = <usize>kb << 4;
  const ldi = <usize>kb;
  const tend = table + <usize>kb * 576;
  let j = 0;
  for (; j + 6 <= n; j += 6) {
    let v0 = values + <usize>j * ldv, v1 = v0 + ldv, v2 = v1 + ldv, v3 = v2 + ldv, v4 = v3 + ldv, v5 = v4 + ldv;
    let i0 = ids + <usize>j * ldi, i1 = i0 + ldi, i2 = i1 + ldi, i3 = i2 + ldi, i4 = i3 + ldi, i5 = i4 + ldi;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
    for (let tb = table; tb < tend; tb += 576) {
      a0 = sti(a0, v0, i0, tb); a1 = sti(a1, v1, i1, tb); a2 = sti(a2, v2, i2, tb);
      a3 = sti(a3, v3, i3, tb); a4 = sti(a4, v4, i4, tb); a5 = sti(a5, v5, i5, tb);
      v0 += 16; v1 += 16; v2 += 16; v3 += 16; v4 += 16; v5 += 16;
      i0++; i1++; i2++; i3++; i4++; i5++;
    }
    finish(a0, bias, j, y); finish(a1, bias, j + 1, y); finish(a2, bias, j + 2, y);
    finish(a3, bias, j + 3, y); finish(a4, bias, j + 4, y); finish(a5, bias, j + 5, y);
  }
  for (; j < n; j++) {
    let v0 = values + <usize>j * ldv, i0 = ids + <usize>j * ldi;
    let a0 = f32x4.splat(0);
    for (let tb = table; tb < tend; tb += 576) { a0 = sti(a0, v0, i0, tb); v0 += 16; i0++; }
    finish(a0, bias, j, y);
  }
}
// ids with a single offset o shared by all rows (row bases fixed).
export function nm_gemv_o(n: i32, k: i32, x: usize, values: usize, ids: usize, bias: usize, y: usize, table: usize): void {
  const kb = (k + 7) >> 3;
  build_table(kb, k, x, table);
  const ldv = <usize>kb << 4;
  const ldi = <usize>kb;
  for (let j = 0; j + 4 <= n; j += 4) {
    const v0 = values + <usize>j * ldv;
    const i0 = ids + <usize>j * ldi;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    let tb = table;
    for (let b: usize = 0; b < <usize>kb; b++) {
      const vo = v0 + (b << 4), io = i0 + b;
      a0 = sti(a0, vo, io, tb); a1 = sti(a1, vo + ldv, io + ldi, tb); a2 = sti(a2, vo + 2 * ldv, io + 2 * ldi, tb); a3 = sti(a3, vo + 3 * ldv, io + 3 * ldi, tb);
      tb += 576;
    }
    finish(a0, bias, j, y); finish(a1, bias, j + 1, y); finish(a2, bias, j + 2, y); finish(a3, bias, j + 3, y);
  }
}
