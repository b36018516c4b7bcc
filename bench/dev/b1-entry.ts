// Standalone asc entry for bench/dev/b1-kernels.mjs: the b1 kernels, the f32 GEMM they are measured
// against, and variants kept only for measurement (i8x16.popcnt, other scalar tiles).
export * from "../../assembly/b1-gemm/pack";
export * from "../../assembly/b1-gemm/gemm";
export * from "../../assembly/b1-gemm/gemv";
export * from "../../assembly/f32-b1w-gemv/gemv";
export * from "../../assembly/f32-gemm/gemm";
export * from "../../assembly/f32-gemm/gemv";

// i8x16.popcnt variant, 2×2 tile over 128-bit chunks (two words); byte counts widen every 31 chunks.
@inline
function widen(v: v128): v128 {
  return i32x4.extadd_pairwise_i16x8_u(i16x8.extadd_pairwise_i8x16_u(v));
}
@inline
function hsum(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}
export function b1_gemm_xnor_simd(m: i32, n: i32, k: i32, a: usize, w: usize, out: usize): void {
  const kw = (k + 63) >> 6;
  const ld = <usize>kw << 3;
  const chunks = kw >> 1;
  for (let i = 0; i < m; i += 2) {
    const pa0 = a + <usize>i * ld;
    const pa1 = i + 1 < m ? pa0 + ld : pa0;
    for (let j = 0; j < n; j += 2) {
      const pw0 = w + <usize>j * ld;
      const pw1 = j + 1 < n ? pw0 + ld : pw0;
      let s00 = i32x4.splat(0), s01 = s00, s10 = s00, s11 = s00;
      let c = 0;
      while (c < chunks) {
        const end = min(chunks, c + 31);
        let b00 = i8x16.splat(0), b01 = b00, b10 = b00, b11 = b00;
        for (; c < end; c++) {
          const o = <usize>c << 4;
          const va0 = v128.load(pa0 + o), va1 = v128.load(pa1 + o);
          const vw0 = v128.load(pw0 + o), vw1 = v128.load(pw1 + o);
          b00 = i8x16.add(b00, i8x16.popcnt(v128.xor(va0, vw0)));
          b01 = i8x16.add(b01, i8x16.popcnt(v128.xor(va0, vw1)));
          b10 = i8x16.add(b10, i8x16.popcnt(v128.xor(va1, vw0)));
          b11 = i8x16.add(b11, i8x16.popcnt(v128.xor(va1, vw1)));
        }
        s00 = i32x4.add(s00, widen(b00)); s01 = i32x4.add(s01, widen(b01));
        s10 = i32x4.add(s10, widen(b10)); s11 = i32x4.add(s11, widen(b11));
      }
      let c00 = hsum(s00), c01 = hsum(s01), c10 = hsum(s10), c11 = hsum(s11);
      if (kw & 1) {
        const o = <usize>(kw - 1) << 3;
        const a0 = load<u64>(pa0 + o), a1 = load<u64>(pa1 + o), w0 = load<u64>(pw0 + o), w1 = load<u64>(pw1 + o);
        c00 += <i32>popcnt(a0 ^ w0); c01 += <i32>popcnt(a0 ^ w1); c10 += <i32>popcnt(a1 ^ w0); c11 += <i32>popcnt(a1 ^ w1);
      }
      const base = out + ((<usize>i * <usize>n + <usize>j) << 2);
      store<i32>(base, k - 2 * c00);
      if (j + 1 < n) store<i32>(base, k - 2 * c01, 4);
      if (i + 1 < m) {
        store<i32>(base + (<usize>n << 2), k - 2 * c10);
        if (j + 1 < n) store<i32>(base + (<usize>n << 2), k - 2 * c11, 4);
      }
    }
  }
}

// Scalar 1×4 tile (the GEMV's) used for a whole GEMM, and 2×4 tiles, to compare with the product's 2×2.
export function b1_gemm_xnor_1x4(m: i32, n: i32, k: i32, a: usize, w: usize, out: usize): void {
  const ld = <usize>((k + 63) >> 6) << 3;
  for (let i = 0; i < m; i++) {
    const pa = a + <usize>i * ld;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const pw0 = w + <usize>j * ld, pw1 = pw0 + ld, pw2 = pw1 + ld, pw3 = pw2 + ld;
      let c0: i64 = 0, c1: i64 = 0, c2: i64 = 0, c3: i64 = 0;
      for (let o: usize = 0; o < ld; o += 8) {
        const va = load<u64>(pa + o);
        c0 += popcnt(va ^ load<u64>(pw0 + o)); c1 += popcnt(va ^ load<u64>(pw1 + o));
        c2 += popcnt(va ^ load<u64>(pw2 + o)); c3 += popcnt(va ^ load<u64>(pw3 + o));
      }
      const base = out + ((<usize>i * <usize>n + <usize>j) << 2);
      store<i32>(base, k - 2 * <i32>c0); store<i32>(base, k - 2 * <i32>c1, 4);
      store<i32>(base, k - 2 * <i32>c2, 8); store<i32>(base, k - 2 * <i32>c3, 12);
    }
    for (; j < n; j++) {
      const pw0 = w + <usize>j * ld;
      let c0: i64 = 0;
      for (let o: usize = 0; o < ld; o += 8) c0 += popcnt(load<u64>(pa + o) ^ load<u64>(pw0 + o));
      store<i32>(out + ((<usize>i * <usize>n + <usize>j) << 2), k - 2 * <i32>c0);
    }
  }
}

export function b1_gemm_xnor_2x4(m: i32, n: i32, k: i32, a: usize, w: usize, out: usize): void {
  const ld = <usize>((k + 63) >> 6) << 3;
  for (let i = 0; i < m; i += 2) {
    const pa0 = a + <usize>i * ld;
    const pa1 = i + 1 < m ? pa0 + ld : pa0;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const pw0 = w + <usize>j * ld, pw1 = pw0 + ld, pw2 = pw1 + ld, pw3 = pw2 + ld;
      let c00: i64 = 0, c01: i64 = 0, c02: i64 = 0, c03: i64 = 0, c10: i64 = 0, c11: i64 = 0, c12: i64 = 0, c13: i64 = 0;
      for (let o: usize = 0; o < ld; o += 8) {
        const a0 = load<u64>(pa0 + o), a1 = load<u64>(pa1 + o);
        const w0 = load<u64>(pw0 + o), w1 = load<u64>(pw1 + o), w2 = load<u64>(pw2 + o), w3 = load<u64>(pw3 + o);
        c00 += popcnt(a0 ^ w0); c01 += popcnt(a0 ^ w1); c02 += popcnt(a0 ^ w2); c03 += popcnt(a0 ^ w3);
        c10 += popcnt(a1 ^ w0); c11 += popcnt(a1 ^ w1); c12 += popcnt(a1 ^ w2); c13 += popcnt(a1 ^ w3);
      }
      const base = out + ((<usize>i * <usize>n + <usize>j) << 2);
      store<i32>(base, k - 2 * <i32>c00); store<i32>(base, k - 2 * <i32>c01, 4);
      store<i32>(base, k - 2 * <i32>c02, 8); store<i32>(base, k - 2 * <i32>c03, 12);
      if (i + 1 < m) {
        const b1 = base + (<usize>n << 2);
        store<i32>(b1, k - 2 * <i32>c10); store<i32>(b1, k - 2 * <i32>c11, 4);
        store<i32>(b1, k - 2 * <i32>c12, 8); store<i32>(b1, k - 2 * <i32>c13, 12);
      }
    }
    for (; j < n; j++) {
      for (let r = 0; r < min(2, m - i); r++) {
        const pa = pa0 + <usize>r * ld;
        const pw0 = w + <usize>j * ld;
        let c0: i64 = 0;
        for (let o: usize = 0; o < ld; o += 8) c0 += popcnt(load<u64>(pa + o) ^ load<u64>(pw0 + o));
        store<i32>(out + ((<usize>(i + r) * <usize>n + <usize>j) << 2), k - 2 * <i32>c0);
      }
    }
  }
}

// The 2×4 tile with two words per iteration.
export function b1_gemm_xnor_2x4u(m: i32, n: i32, k: i32, a: usize, w: usize, out: usize): void {
  const ld = <usize>((k + 63) >> 6) << 3;
  const ld2 = ld & ~15;
  for (let i = 0; i < m; i += 2) {
    const pa0 = a + <usize>i * ld;
    const pa1 = i + 1 < m ? pa0 + ld : pa0;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const pw0 = w + <usize>j * ld, pw1 = pw0 + ld, pw2 = pw1 + ld, pw3 = pw2 + ld;
      let c00: i64 = 0, c01: i64 = 0, c02: i64 = 0, c03: i64 = 0, c10: i64 = 0, c11: i64 = 0, c12: i64 = 0, c13: i64 = 0;
      let o: usize = 0;
      for (; o < ld2; o += 16) {
        const a0 = load<u64>(pa0 + o), a1 = load<u64>(pa1 + o), a0b = load<u64>(pa0 + o, 8), a1b = load<u64>(pa1 + o, 8);
        let w = load<u64>(pw0 + o), wb = load<u64>(pw0 + o, 8);
        c00 += popcnt(a0 ^ w) + popcnt(a0b ^ wb); c10 += popcnt(a1 ^ w) + popcnt(a1b ^ wb);
        w = load<u64>(pw1 + o); wb = load<u64>(pw1 + o, 8);
        c01 += popcnt(a0 ^ w) + popcnt(a0b ^ wb); c11 += popcnt(a1 ^ w) + popcnt(a1b ^ wb);
        w = load<u64>(pw2 + o); wb = load<u64>(pw2 + o, 8);
        c02 += popcnt(a0 ^ w) + popcnt(a0b ^ wb); c12 += popcnt(a1 ^ w) + popcnt(a1b ^ wb);
        w = load<u64>(pw3 + o); wb = load<u64>(pw3 + o, 8);
        c03 += popcnt(a0 ^ w) + popcnt(a0b ^ wb); c13 += popcnt(a1 ^ w) + popcnt(a1b ^ wb);
      }
      if (o < ld) {
        const a0 = load<u64>(pa0 + o), a1 = load<u64>(pa1 + o);
        const w0 = load<u64>(pw0 + o), w1 = load<u64>(pw1 + o), w2 = load<u64>(pw2 + o), w3 = load<u64>(pw3 + o);
        c00 += popcnt(a0 ^ w0); c01 += popcnt(a0 ^ w1); c02 += popcnt(a0 ^ w2); c03 += popcnt(a0 ^ w3);
        c10 += popcnt(a1 ^ w0); c11 += popcnt(a1 ^ w1); c12 += popcnt(a1 ^ w2); c13 += popcnt(a1 ^ w3);
      }
      const base = out + ((<usize>i * <usize>n + <usize>j) << 2);
      store<i32>(base, k - 2 * <i32>c00); store<i32>(base, k - 2 * <i32>c01, 4);
      store<i32>(base, k - 2 * <i32>c02, 8); store<i32>(base, k - 2 * <i32>c03, 12);
      if (i + 1 < m) {
        const b1 = base + (<usize>n << 2);
        store<i32>(b1, k - 2 * <i32>c10); store<i32>(b1, k - 2 * <i32>c11, 4);
        store<i32>(b1, k - 2 * <i32>c12, 8); store<i32>(b1, k - 2 * <i32>c13, 12);
      }
    }
    for (; j < n; j++) {
      for (let r = 0; r < min(2, m - i); r++) {
        const pa = pa0 + <usize>r * ld;
        const pw0 = w + <usize>j * ld;
        let c0: i64 = 0;
        for (let o: usize = 0; o < ld; o += 8) c0 += popcnt(load<u64>(pa + o) ^ load<u64>(pw0 + o));
        store<i32>(out + ((<usize>(i + r) * <usize>n + <usize>j) << 2), k - 2 * <i32>c0);
      }
    }
  }
}

// 2×4 tile with two 32-bit counts per i64 accumulator (columns j, j+1 in the low / high halves): 4
// accumulators instead of 8, so V8 keeps them in registers. Counts ≤ k < 2^32 never carry across.
export function b1_gemm_xnor_2x4p(m: i32, n: i32, k: i32, a: usize, w: usize, out: usize): void {
  const ld = <usize>((k + 63) >> 6) << 3;
  for (let i = 0; i < m; i += 2) {
    const pa0 = a + <usize>i * ld;
    const pa1 = i + 1 < m ? pa0 + ld : pa0;
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      const pw0 = w + <usize>j * ld, pw1 = pw0 + ld, pw2 = pw1 + ld, pw3 = pw2 + ld;
      let c001: u64 = 0, c023: u64 = 0, c101: u64 = 0, c123: u64 = 0;
      for (let o: usize = 0; o < ld; o += 8) {
        const a0 = load<u64>(pa0 + o), a1 = load<u64>(pa1 + o);
        const w0 = load<u64>(pw0 + o), w1 = load<u64>(pw1 + o);
        c001 += popcnt(a0 ^ w0) + (popcnt(a0 ^ w1) << 32);
        c101 += popcnt(a1 ^ w0) + (popcnt(a1 ^ w1) << 32);
        const w2 = load<u64>(pw2 + o), w3 = load<u64>(pw3 + o);
        c023 += popcnt(a0 ^ w2) + (popcnt(a0 ^ w3) << 32);
        c123 += popcnt(a1 ^ w2) + (popcnt(a1 ^ w3) << 32);
      }
      const base = out + ((<usize>i * <usize>n + <usize>j) << 2);
      store<i32>(base, k - 2 * <i32>(c001 & 0xffffffff)); store<i32>(base, k - 2 * <i32>(c001 >> 32), 4);
      store<i32>(base, k - 2 * <i32>(c023 & 0xffffffff), 8); store<i32>(base, k - 2 * <i32>(c023 >> 32), 12);
      if (i + 1 < m) {
        const b1 = base + (<usize>n << 2);
        store<i32>(b1, k - 2 * <i32>(c101 & 0xffffffff)); store<i32>(b1, k - 2 * <i32>(c101 >> 32), 4);
        store<i32>(b1, k - 2 * <i32>(c123 & 0xffffffff), 8); store<i32>(b1, k - 2 * <i32>(c123 >> 32), 12);
      }
    }
    for (; j < n; j++) {
      for (let r = 0; r < min(2, m - i); r++) {
        const pa = pa0 + <usize>r * ld;
        const pw0 = w + <usize>j * ld;
        let c0: i64 = 0;
        for (let o: usize = 0; o < ld; o += 8) c0 += popcnt(load<u64>(pa + o) ^ load<u64>(pw0 + o));
        store<i32>(out + ((<usize>(i + r) * <usize>n + <usize>j) << 2), k - 2 * <i32>c0);
      }
    }
  }
}

// 2×8 packed: 8 accumulators of two counts each.
export function b1_gemm_xnor_2x8p(m: i32, n: i32, k: i32, a: usize, w: usize, out: usize): void {
  const ld = <usize>((k + 63) >> 6) << 3;
  for (let i = 0; i < m; i += 2) {
    const pa0 = a + <usize>i * ld;
    const pa1 = i + 1 < m ? pa0 + ld : pa0;
    let j = 0;
    for (; j + 8 <= n; j += 8) {
      const pw = w + <usize>j * ld;
      let c0: u64 = 0, c1: u64 = 0, c2: u64 = 0, c3: u64 = 0, d0: u64 = 0, d1: u64 = 0, d2: u64 = 0, d3: u64 = 0;
      for (let o: usize = 0; o < ld; o += 8) {
        const a0 = load<u64>(pa0 + o), a1 = load<u64>(pa1 + o);
        let p = pw + o;
        let x = load<u64>(p), y = load<u64>(p + ld);
        c0 += popcnt(a0 ^ x) + (popcnt(a0 ^ y) << 32); d0 += popcnt(a1 ^ x) + (popcnt(a1 ^ y) << 32);
        p += 2 * ld; x = load<u64>(p); y = load<u64>(p + ld);
        c1 += popcnt(a0 ^ x) + (popcnt(a0 ^ y) << 32); d1 += popcnt(a1 ^ x) + (popcnt(a1 ^ y) << 32);
        p += 2 * ld; x = load<u64>(p); y = load<u64>(p + ld);
        c2 += popcnt(a0 ^ x) + (popcnt(a0 ^ y) << 32); d2 += popcnt(a1 ^ x) + (popcnt(a1 ^ y) << 32);
        p += 2 * ld; x = load<u64>(p); y = load<u64>(p + ld);
        c3 += popcnt(a0 ^ x) + (popcnt(a0 ^ y) << 32); d3 += popcnt(a1 ^ x) + (popcnt(a1 ^ y) << 32);
      }
      const base = out + ((<usize>i * <usize>n + <usize>j) << 2);
      store<i32>(base, k - 2 * <i32>(c0 & 0xffffffff)); store<i32>(base, k - 2 * <i32>(c0 >> 32), 4);
      store<i32>(base, k - 2 * <i32>(c1 & 0xffffffff), 8); store<i32>(base, k - 2 * <i32>(c1 >> 32), 12);
      store<i32>(base, k - 2 * <i32>(c2 & 0xffffffff), 16); store<i32>(base, k - 2 * <i32>(c2 >> 32), 20);
      store<i32>(base, k - 2 * <i32>(c3 & 0xffffffff), 24); store<i32>(base, k - 2 * <i32>(c3 >> 32), 28);
      if (i + 1 < m) {
        const b1 = base + (<usize>n << 2);
        store<i32>(b1, k - 2 * <i32>(d0 & 0xffffffff)); store<i32>(b1, k - 2 * <i32>(d0 >> 32), 4);
        store<i32>(b1, k - 2 * <i32>(d1 & 0xffffffff), 8); store<i32>(b1, k - 2 * <i32>(d1 >> 32), 12);
        store<i32>(b1, k - 2 * <i32>(d2 & 0xffffffff), 16); store<i32>(b1, k - 2 * <i32>(d2 >> 32), 20);
        store<i32>(b1, k - 2 * <i32>(d3 & 0xffffffff), 24); store<i32>(b1, k - 2 * <i32>(d3 >> 32), 28);
      }
    }
    for (; j < n; j++) {
      for (let r = 0; r < min(2, m - i); r++) {
        const pa = pa0 + <usize>r * ld;
        const pw0 = w + <usize>j * ld;
        let c0: i64 = 0;
        for (let o: usize = 0; o < ld; o += 8) c0 += popcnt(load<u64>(pa + o) ^ load<u64>(pw0 + o));
        store<i32>(out + ((<usize>(i + r) * <usize>n + <usize>j) << 2), k - 2 * <i32>c0);
      }
    }
  }
}
export { gemv_lut as f32_b1w_gemv_lut } from "../../assembly/f32-b1w-gemv/lut";
export { gemv_xor as f32_b1w_gemv_xor } from "../../assembly/f32-b1w-gemv/xor";
