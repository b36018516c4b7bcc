// Byte table lookup: y[i] = table[x[i]] for n bytes and a 256-byte table (int8 activations as lookup
// tables: GELU, ReLU6, sigmoid, requantization of a unary op). x and y may be the same buffer.
// SIMD: the table as 16 chunks T0 … T15 of 16 bytes; chunk t answers i8x16.swizzle(Tt, x − 16·t),
// which is 0 unless x − 16·t ∈ [0, 16) (u8), so the OR over t is the lookup; the indices drop by 16 per
// chunk. 64 bytes per step share the chunk loads. Measured 1.3x a scalar wasm lookup (bench/dev/qsmall-kernels.mjs).

export function x8_lut(n: i32, x: usize, y: usize, table: usize): void {
  const len = <usize>n;
  const v16 = i8x16.splat(16);
  let i: usize = 0;
  for (; i + 64 <= len; i += 64) {
    const p = x + i;
    let vx0 = v128.load(p);
    let vx1 = v128.load(p, 16);
    let vx2 = v128.load(p, 32);
    let vx3 = v128.load(p, 48);
    let vt = v128.load(table);
    let vy0 = i8x16.swizzle(vt, vx0);
    let vy1 = i8x16.swizzle(vt, vx1);
    let vy2 = i8x16.swizzle(vt, vx2);
    let vy3 = i8x16.swizzle(vt, vx3);
    for (let t: usize = 16; t < 256; t += 16) {
      vt = v128.load(table + t);
      vx0 = i8x16.sub(vx0, v16);
      vx1 = i8x16.sub(vx1, v16);
      vx2 = i8x16.sub(vx2, v16);
      vx3 = i8x16.sub(vx3, v16);
      vy0 = v128.or(vy0, i8x16.swizzle(vt, vx0));
      vy1 = v128.or(vy1, i8x16.swizzle(vt, vx1));
      vy2 = v128.or(vy2, i8x16.swizzle(vt, vx2));
      vy3 = v128.or(vy3, i8x16.swizzle(vt, vx3));
    }
    const q = y + i;
    v128.store(q, vy0);
    v128.store(q, vy1, 16);
    v128.store(q, vy2, 32);
    v128.store(q, vy3, 48);
  }
  for (; i < len; i++) store<u8>(y + i, load<u8>(table + <usize>load<u8>(x + i)));
}
