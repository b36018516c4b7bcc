// BinaryConnect GEMV by table lookup (BiQGEMM's idea, Jeon et al. 2020): every row shares the same
// activations, so for each group of 8 inputs the 256 signed sums Σ_h ±x[8g+h] are built once and each
// row then spends one byte load, one table load and one scalar add per 8 weights, where the sign-mask
// GEMV spends a nibble extraction, a mask load, an xor and a vector add per 4.
//   T_g[b] = L[b & 15] + H[b >> 4],  L[lo] = (s0 + s1) + (s2 + s3),  H[hi] = (s4 + s5) + (s6 + s7),
//   s_h = +x[8g+h] where bit h of b is 1, −x[8g+h] where it is 0, and x = 0 past k (the padding bits
//   of the last group are 0, so they add −0).
// Order per output j, groups in blocks of LUT_GROUPS = 16 (their tables, 16 KiB of static scratch,
//   stay in L1 while every row passes): in a block, a sums the entries of the even groups and b of the
//   odd ones, each from 0 in group order; the block adds (a + b) to y[j] (the first block stores it).
//   Then y[j] = clamp(y[j]·alpha[j] + bias[j]). src/binary/b1-ref.ts mirrors this order, so every
//   engine gives the same bits.

const LUT_GROUPS: i32 = 16;
const TABLES: usize = memory.data(LUT_GROUPS * 1024, 16);
const SIGN: u32 = 0x80000000;

@inline
function signed(x: f32, bits: i32, h: i32): f32 {
  return (bits >> h) & 1 ? x : -x;
}

// Tables of groups g0..g1−1 into TABLES: T[(g − g0)·256 + b].
function build(x: usize, k: i32, g0: i32, g1: i32): void {
  // Lane l of these masks flips the sign where bit 0 (resp. 1) of l is 0.
  const m0 = i32x4(SIGN, 0, SIGN, 0);
  const m1 = i32x4(SIGN, SIGN, 0, 0);
  for (let g = g0; g < g1; g++) {
    const p = g << 3;
    const px = x + (<usize>p << 2);
    let x0: f32 = 0, x1: f32 = 0, x2: f32 = 0, x3: f32 = 0, x4: f32 = 0, x5: f32 = 0, x6: f32 = 0, x7: f32 = 0;
    if (p + 8 <= k) {
      x0 = load<f32>(px); x1 = load<f32>(px, 4); x2 = load<f32>(px, 8); x3 = load<f32>(px, 12);
      x4 = load<f32>(px, 16); x5 = load<f32>(px, 20); x6 = load<f32>(px, 24); x7 = load<f32>(px, 28);
    } else {
      const r = k - p;
      x0 = load<f32>(px);
      if (r > 1) x1 = load<f32>(px, 4);
      if (r > 2) x2 = load<f32>(px, 8);
      if (r > 3) x3 = load<f32>(px, 12);
      if (r > 4) x4 = load<f32>(px, 16);
      if (r > 5) x5 = load<f32>(px, 20);
      if (r > 6) x6 = load<f32>(px, 24);
    }
    // L as 4 vectors (lo = 4v + lane): (s0 + s1) by lane, + (s2 + s3) for v; H likewise from x4..x7.
    const p01 = f32x4.add(v128.xor(f32x4.splat(x0), m0), v128.xor(f32x4.splat(x1), m1));
    const p45 = f32x4.add(v128.xor(f32x4.splat(x4), m0), v128.xor(f32x4.splat(x5), m1));
    const l0 = f32x4.add(p01, f32x4.splat(signed(x2, 0, 0) + signed(x3, 0, 1)));
    const l1 = f32x4.add(p01, f32x4.splat(signed(x2, 1, 0) + signed(x3, 1, 1)));
    const l2 = f32x4.add(p01, f32x4.splat(signed(x2, 2, 0) + signed(x3, 2, 1)));
    const l3 = f32x4.add(p01, f32x4.splat(signed(x2, 3, 0) + signed(x3, 3, 1)));
    let t = TABLES + (<usize>(g - g0) << 10);
    for (let v = 0; v < 4; v++, t += 256) {
      const hv = f32x4.add(p45, f32x4.splat(signed(x6, v, 0) + signed(x7, v, 1)));
      store16(t, l0, l1, l2, l3, v128.shuffle<f32>(hv, hv, 0, 0, 0, 0));
      store16(t + 64, l0, l1, l2, l3, v128.shuffle<f32>(hv, hv, 1, 1, 1, 1));
      store16(t + 128, l0, l1, l2, l3, v128.shuffle<f32>(hv, hv, 2, 2, 2, 2));
      store16(t + 192, l0, l1, l2, l3, v128.shuffle<f32>(hv, hv, 3, 3, 3, 3));
    }
  }
}

// T[16·hi + lo] for lo in 0..15 = L[lo] + H[hi], with H[hi] in every lane of h.
@inline
function store16(t: usize, l0: v128, l1: v128, l2: v128, l3: v128, h: v128): void {
  v128.store(t, f32x4.add(l0, h));
  v128.store(t, f32x4.add(l1, h), 16);
  v128.store(t, f32x4.add(l2, h), 32);
  v128.store(t, f32x4.add(l3, h), 48);
}

// One row's sum over a full block (16 groups): the table offsets and byte offsets are immediates, so
// each weight byte costs a byte load, an address add, a table load and a scalar add.
@inline
function sum16(r: usize): f32 {
  let a: f32 = 0, b: f32 = 0;
  a += load<f32>(TABLES + (<usize>load<u8>(r) << 2));
  b += load<f32>(TABLES + (<usize>load<u8>(r, 1) << 2), 1024);
  a += load<f32>(TABLES + (<usize>load<u8>(r, 2) << 2), 2048);
  b += load<f32>(TABLES + (<usize>load<u8>(r, 3) << 2), 3072);
  a += load<f32>(TABLES + (<usize>load<u8>(r, 4) << 2), 4096);
  b += load<f32>(TABLES + (<usize>load<u8>(r, 5) << 2), 5120);
  a += load<f32>(TABLES + (<usize>load<u8>(r, 6) << 2), 6144);
  b += load<f32>(TABLES + (<usize>load<u8>(r, 7) << 2), 7168);
  a += load<f32>(TABLES + (<usize>load<u8>(r, 8) << 2), 8192);
  b += load<f32>(TABLES + (<usize>load<u8>(r, 9) << 2), 9216);
  a += load<f32>(TABLES + (<usize>load<u8>(r, 10) << 2), 10240);
  b += load<f32>(TABLES + (<usize>load<u8>(r, 11) << 2), 11264);
  a += load<f32>(TABLES + (<usize>load<u8>(r, 12) << 2), 12288);
  b += load<f32>(TABLES + (<usize>load<u8>(r, 13) << 2), 13312);
  a += load<f32>(TABLES + (<usize>load<u8>(r, 14) << 2), 14336);
  b += load<f32>(TABLES + (<usize>load<u8>(r, 15) << 2), 15360);
  return a + b;
}

// The same sum over a partial block of count < 16 groups.
@inline
function sumPart(r: usize, count: i32): f32 {
  let a: f32 = 0, b: f32 = 0;
  let t = TABLES;
  let g = 0;
  for (; g + 2 <= count; g += 2, t += 2048) {
    a += load<f32>(t + (<usize>load<u8>(r + <usize>g) << 2));
    b += load<f32>(t + (<usize>load<u8>(r + <usize>g, 1) << 2), 1024);
  }
  if (g < count) a += load<f32>(t + (<usize>load<u8>(r + <usize>g) << 2));
  return a + b;
}

/** y[j] = clamp(alpha[j]·Σ_p ±x[p] + bias[j]) in the table order above (k ≥ 1). */
export function gemv_lut(n: i32, k: i32, x: usize, w: usize, alpha: usize, bias: usize, y: usize, vmin: f32, vmax: f32): void {
  const ld = <usize>((k + 63) >> 6) << 3;
  const groups = (k + 7) >> 3;
  for (let g0 = 0; g0 < groups; g0 += LUT_GROUPS) {
    const g1 = min(groups, g0 + LUT_GROUPS);
    build(x, k, g0, g1);
    let r = w + <usize>g0;
    const end = y + (<usize>n << 2);
    if (g1 - g0 == LUT_GROUPS) {
      if (g0 == 0) for (let py = y; py < end; py += 4, r += ld) store<f32>(py, sum16(r));
      else for (let py = y; py < end; py += 4, r += ld) store<f32>(py, load<f32>(py) + sum16(r));
    } else {
      const count = g1 - g0;
      if (g0 == 0) for (let py = y; py < end; py += 4, r += ld) store<f32>(py, sumPart(r, count));
      else for (let py = y; py < end; py += 4, r += ld) store<f32>(py, load<f32>(py) + sumPart(r, count));
    }
  }
  for (let j = 0; j < n; j++) {
    const o = <usize>j << 2;
    let v = load<f32>(y + o) * load<f32>(alpha + o);
    if (bias) v += load<f32>(bias + o);
    store<f32>(y + o, min(max(v, vmin), vmax));
  }
}
