// f32 comparisons to u8 masks (1 true, 0 false; NaN compares false except in ne), and where.
// Operands are same-length contiguous runs: the TS side materializes any broadcast first.

const EQ: i32 = 0;
const NE: i32 = 1;
const LT: i32 = 2;
const LE: i32 = 3;
const GT: i32 = 4;
const GE: i32 = 5;

@inline function vcmp(op: i32, va: v128, vb: v128): v128 {
  if (op == EQ) return f32x4.eq(va, vb);
  if (op == NE) return f32x4.ne(va, vb);
  if (op == LT) return f32x4.lt(va, vb);
  if (op == LE) return f32x4.le(va, vb);
  if (op == GT) return f32x4.gt(va, vb);
  return f32x4.ge(va, vb);
}

@inline function scmp(op: i32, a: f32, b: f32): bool {
  if (op == EQ) return a == b;
  if (op == NE) return a != b;
  if (op == LT) return a < b;
  if (op == LE) return a <= b;
  if (op == GT) return a > b;
  return a >= b;
}

@inline function compare(op: i32, n: usize, a: usize, b: usize, out: usize): void {
  const vone = i8x16.splat(1);
  let i: usize = 0;
  for (; i + 16 <= n; i += 16) {
    const vm0123 = vcmp(op, v128.load(a + (i << 2)), v128.load(b + (i << 2)));
    const vm4567 = vcmp(op, v128.load(a + (i << 2), 16), v128.load(b + (i << 2), 16));
    const vm89AB = vcmp(op, v128.load(a + (i << 2), 32), v128.load(b + (i << 2), 32));
    const vmCDEF = vcmp(op, v128.load(a + (i << 2), 48), v128.load(b + (i << 2), 48));
    const vm01234567 = i16x8.narrow_i32x4_s(vm0123, vm4567);
    const vm89ABCDEF = i16x8.narrow_i32x4_s(vm89AB, vmCDEF);
    v128.store(out + i, v128.and(i8x16.narrow_i16x8_s(vm01234567, vm89ABCDEF), vone));
  }
  for (; i < n; i++) store<u8>(out + i, <u8>scmp(op, load<f32>(a + (i << 2)), load<f32>(b + (i << 2))));
}

export function f32_veq(n: i32, a: usize, b: usize, out: usize): void { compare(EQ, <usize>n, a, b, out); }
export function f32_vne(n: i32, a: usize, b: usize, out: usize): void { compare(NE, <usize>n, a, b, out); }
export function f32_vlt(n: i32, a: usize, b: usize, out: usize): void { compare(LT, <usize>n, a, b, out); }
export function f32_vle(n: i32, a: usize, b: usize, out: usize): void { compare(LE, <usize>n, a, b, out); }
export function f32_vgt(n: i32, a: usize, b: usize, out: usize): void { compare(GT, <usize>n, a, b, out); }
export function f32_vge(n: i32, a: usize, b: usize, out: usize): void { compare(GE, <usize>n, a, b, out); }

// out[i] = cond[i] != 0 ? a[i] : b[i]; cond is u8.
export function f32_vwhere(n: i32, cond: usize, a: usize, b: usize, out: usize): void {
  const len = <usize>n;
  const vzero = i32x4.splat(0);
  let i: usize = 0;
  for (; i + 4 <= len; i += 4) {
    const vc = i32x4.extend_low_i16x8_u(i16x8.extend_low_i8x16_u(v128.load32_zero(cond + i)));
    const vmask = i32x4.ne(vc, vzero);
    v128.store(out + (i << 2), v128.bitselect(v128.load(a + (i << 2)), v128.load(b + (i << 2)), vmask));
  }
  for (; i < len; i++) store<f32>(out + (i << 2), load<u8>(cond + i) != 0 ? load<f32>(a + (i << 2)) : load<f32>(b + (i << 2)));
}
