// Dev entry for bench/dev/nm-gemv.mjs: the product 2:4 GEMV against dense f32 GEMV, with the variants
// measured when it was designed (2026-12-06, k = n = 4096, medians, a busy neighbour core):
//   product (row-major values, 4 row streams + 4 id streams, table of 36 entries per block)  1.2-1.4x dense
//   same with the 2-bit index bytes remapped through a 256-byte LUT per step                 1.15-1.3x
//   8 rows, or 6 rows, or 2 rows per pass                                                      0.8-1.2x
//   4 rows, 2 or 4 blocks unrolled with constant offsets (V8 spills)                           1.0-1.25x
//   ids widened to u16 holding id·16 (no shift per step; twice the id bytes)                 1.05-1.25x
//   touching lines 512 B / 2 KB ahead or the next row group's (software "prefetch")            1.1-1.25x
//   4-row panels, one interleaved stream (panel below): best at 1024 (1.05x), worst at 4096    0.85-0.9x
//   ids and values interleaved per 16 blocks, 16 blocks unrolled                               0.66x
// The previous kernel (byte tables per tile of 16 blocks over strided rows) ran at 0.5-0.6x.
// 2026-12-06, fourth session, against the packed dense GEMV: product 0.73x (1024²) / 0.95x (4096²);
//   k-chunked, the table of 16/32/64 blocks in L1 and each row's 4-lane sum parked between chunks
//   (same bits as the product)                                                      0.63-0.72x / 0.57-0.80x
export * from "../../assembly/f32-gemm/gemv";
export * from "../../assembly/f32-gemm/gemv-packed";
export * from "../../assembly/f32-nm/gemv";
import { M0, M1 } from "../../assembly/f32-nm/nm";

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
// Probe: stream the values and ids (sum), the bandwidth floor.
export function stream_probe(bytes: usize, p: usize, ids: usize, idbytes: usize): f32 {
  let a = f32x4.splat(0), b = a;
  for (let o: usize = 0; o < bytes; o += 32) { a = f32x4.add(a, v128.load(p + o)); b = f32x4.add(b, v128.load(p + o, 16)); }
  let s: u32 = 0;
  for (let o: usize = 0; o < idbytes; o += 4) s += load<u32>(ids + o);
  return f32x4.extract_lane(f32x4.add(a, b), 0) + <f32>s;
}
