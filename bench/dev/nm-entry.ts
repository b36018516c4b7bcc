// Dev entry for bench/dev/nm-gemv.mjs: the product 2:4 GEMV against the packed dense f32 GEMV, with
// probes and the variant measured when its kernel form was chosen.
// History (k = n = 4096 unless said, medians of interleaved runs on the shared machine):
// 2026-12-06, first design, against the row-major dense GEMV: row-major values in 4 row streams + 4 id
//   streams, the table of 36 entries per block for all of k (L2) 1.2-1.4x; 2-bit bytes through a LUT
//   1.15-1.3x; 8/6/2 rows per pass 0.8-1.2x; 2-4 blocks unrolled 1.0-1.25x; u16 ids holding id·16
//   1.05-1.25x; software "prefetch" 1.1-1.25x; 4-row panels with the whole table 0.85-0.9x; ids and
//   values interleaved per 16 blocks 0.66x.
// Fourth session, against the packed dense GEMV: that kernel 0.73x (1024²) / 0.95x (4096²); k-chunked
//   with the table in L1 but the values still in row streams 0.63-0.72x / 0.57-0.80x.
// Fifth session (node bench/dev/nm-gemv.mjs): what bounded it at 4096² was not bandwidth. The values
//   alone, multiplied by a constant, ran 1.42-1.50x dense from 4 row streams and 2.29x from one panel
//   stream, and the table lookups of the old kernel (its table 288 KB, L2) cost it the rest. Chunks
//   of 32 blocks (the table 18 KB, static, L1) over 4-row panels in one stream, the 4 lane sums parked
//   between chunks (the same bits): 1.97-2.12x / 0.98-1.01x with u8 ids (adopted: assembly/f32-nm);
//   with u16 ids holding the entry's byte offset, so the lookup is one load with a constant offset
//   (offsets below), 1.81-1.91x / 1.04-1.10x at 18 bytes per block. Chunks of 16 / 48 / 64 blocks
//   (u16 form): 1.97x / 1.78x / 1.62x.
export * from "../../assembly/f32-gemm/gemv-packed";
export * from "../../assembly/f32-nm/gemv";
export { f32_nm24_pack, f32_nm24_packed_values_bytes, f32_nm24_packed_ids_bytes } from "../../assembly/f32-nm/nm";
import { M0, M1, NM24_CHUNK, NM24_ENTRY_BYTES } from "../../assembly/f32-nm/nm";
import { lane_sum } from "../../assembly/f32-lanes";

const TABLE16: usize = memory.data(NM24_CHUNK * NM24_ENTRY_BYTES, 64);

// Probe: the logical form's values (row-major, 4 row streams) times one constant vector.
export function values_rows(n: i32, k: i32, x: usize, values: usize, y: usize): void {
  const kb = (k + 7) >> 3;
  const ldv = <usize>kb << 4;
  const vx = v128.load(x);
  for (let j = 0; j + 4 <= n; j += 4) {
    let vp0 = values + <usize>j * ldv, vp1 = vp0 + ldv, vp2 = vp1 + ldv, vp3 = vp2 + ldv;
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (let b = 0; b < kb; b++) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load(vp0), vx)); a1 = f32x4.add(a1, f32x4.mul(v128.load(vp1), vx));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(vp2), vx)); a3 = f32x4.add(a3, f32x4.mul(v128.load(vp3), vx));
      vp0 += 16; vp1 += 16; vp2 += 16; vp3 += 16;
    }
    store<f32>(y + (<usize>j << 2), lane_sum(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3))));
  }
}

// Probe: the kernel form's values (one stream) times one constant vector.
export function values_panels(n: i32, k: i32, x: usize, pvalues: usize, y: usize): void {
  const kb = (k + 7) >> 3;
  const vx = v128.load(x);
  let vp = pvalues;
  for (let j = 0; j + 4 <= n; j += 4) {
    let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
    for (let b = 0; b < kb; b++) {
      a0 = f32x4.add(a0, f32x4.mul(v128.load(vp), vx)); a1 = f32x4.add(a1, f32x4.mul(v128.load(vp, 16), vx));
      a2 = f32x4.add(a2, f32x4.mul(v128.load(vp, 32), vx)); a3 = f32x4.add(a3, f32x4.mul(v128.load(vp, 48), vx));
      vp += 64;
    }
    store<f32>(y + (<usize>j << 2), lane_sum(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3))));
  }
}

// Variant: the kernel form with u16 ids = (b − c0)·576 + id·16 (from the product's u8 ids).
export function ids_to_offsets(count: i32, kb: i32, panels: i32, ids: usize, out: usize): void {
  for (let q = 0; q < count; q++) {
    const rec = q >> 2;
    // The record's block inside its chunk: records run chunk by chunk, panel by panel, block by block.
    const c0 = (rec / panels) & ~(NM24_CHUNK - 1);
    const nb = min(kb - c0, NM24_CHUNK);
    const t = (rec - c0 * panels) % nb;
    store<u16>(out + (<usize>q << 1), <u16>(t * NM24_ENTRY_BYTES + (<i32>load<u8>(ids + q) << 4)));
  }
}

function build16(x: usize, b0: i32, b1: i32): void {
  for (let b = b0; b < b1; b++) {
    const vx0 = v128.load(x + (<usize>b << 5));
    const vx1 = v128.load(x + (<usize>b << 5), 16);
    const tb = TABLE16 + <usize>(b - b0) * NM24_ENTRY_BYTES;
    for (let p1: usize = 0; p1 < 6; p1++) {
      const vh = i8x16.swizzle(vx1, v128.load(M1 + (p1 << 4)));
      for (let p0: usize = 0; p0 < 6; p0++) {
        v128.store(tb + ((p0 + 6 * p1) << 4), v128.or(i8x16.swizzle(vx0, v128.load(M0 + (p0 << 4))), vh));
      }
    }
  }
}

// k multiple of 8, n multiple of 4 (dev only); park: 16 bytes per row.
export function gemv_u16(n: i32, k: i32, x: usize, pvalues: usize, offsets: usize, y: usize, park: usize): void {
  const kb = k >> 3;
  let vp = pvalues, ip = offsets;
  for (let c0 = 0; c0 < kb; c0 += NM24_CHUNK) {
    const c1 = min(kb, c0 + NM24_CHUNK);
    build16(x, c0, c1);
    for (let p = 0; p < n; p += 4) {
      const pk = park + (<usize>p << 4);
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      if (c0 > 0) { a0 = v128.load(pk); a1 = v128.load(pk, 16); a2 = v128.load(pk, 32); a3 = v128.load(pk, 48); }
      for (let b = c0; b < c1; b++) {
        a0 = f32x4.add(a0, f32x4.mul(v128.load(vp), v128.load(<usize>load<u16>(ip), TABLE16)));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(vp, 16), v128.load(<usize>load<u16>(ip, 2), TABLE16)));
        a2 = f32x4.add(a2, f32x4.mul(v128.load(vp, 32), v128.load(<usize>load<u16>(ip, 4), TABLE16)));
        a3 = f32x4.add(a3, f32x4.mul(v128.load(vp, 48), v128.load(<usize>load<u16>(ip, 6), TABLE16)));
        vp += 64; ip += 8;
      }
      if (c1 < kb) { v128.store(pk, a0); v128.store(pk, a1, 16); v128.store(pk, a2, 32); v128.store(pk, a3, 48); }
      else {
        const o = y + (<usize>p << 2);
        store<f32>(o, lane_sum(a0)); store<f32>(o, lane_sum(a1), 4); store<f32>(o, lane_sum(a2), 8); store<f32>(o, lane_sum(a3), 12);
      }
    }
  }
}
