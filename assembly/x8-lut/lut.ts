// Byte table lookup: y[i] = table[x[i]] for n bytes and a 256-byte table (int8 activations as lookup
// tables: GELU, ReLU6, sigmoid, requantization of a unary op). x and y may be the same buffer.
// SIMD: the table as 16 chunks T0 … T15 of 16 bytes; chunk t answers i8x16.swizzle(Tt, x − 16·t),
// which is 0 unless x − 16·t ∈ [0, 16), so the OR over t is the lookup. 64 bytes per step share the
// chunk loads.

@inline function look(vx: v128, vt: v128, t: i32): v128 {
  return i8x16.swizzle(vt, i8x16.sub(vx, i8x16.splat(<i8>(t << 4))));
}

export function x8_lut(n: i32, x: usize, y: usize, table: usize): void {
  const len = <usize>n;
  let i: usize = 0;
  for (; i + 64 <= len; i += 64) {
    const p = x + i;
    const vx0 = v128.load(p);
    const vx1 = v128.load(p, 16);
    const vx2 = v128.load(p, 32);
    const vx3 = v128.load(p, 48);
    let vt = v128.load(table);
    let vy0 = i8x16.swizzle(vt, vx0);
    let vy1 = i8x16.swizzle(vt, vx1);
    let vy2 = i8x16.swizzle(vt, vx2);
    let vy3 = i8x16.swizzle(vt, vx3);
    for (let t = 1; t < 16; t++) {
      vt = v128.load(table + (<usize>t << 4));
      vy0 = v128.or(vy0, look(vx0, vt, t));
      vy1 = v128.or(vy1, look(vx1, vt, t));
      vy2 = v128.or(vy2, look(vx2, vt, t));
      vy3 = v128.or(vy3, look(vx3, vt, t));
    }
    const q = y + i;
    v128.store(q, vy0);
    v128.store(q, vy1, 16);
    v128.store(q, vy2, 32);
    v128.store(q, vy3, 48);
  }
  for (; i < len; i++) store<u8>(y + i, load<u8>(table + <usize>load<u8>(x + i)));
}
