// The 1-bit weight format as data, beside FORMATS (src/quant/formats.ts) whose rows all have
// quantize/dequantize codecs with an error budget, which a sign does not.
//   b1  bit p of row j = 1 for +1, 0 for −1 (sign(0) = +1), plus α f32 per row.
//       In memory (the kernels' layout) rows are padded to 64 bits with 0 bits; in a file the rows
//       are contiguous (bit j·k + p of a flat bit string, low bit first).
import { checkCount, invalid } from '../errors.js';

export interface BinaryFormatTraits {
  readonly name: 'b1';
  readonly bits: 1;
  /** Rows of the in-memory layout are padded to this many bits. */
  readonly rowAlignBits: 64;
  /** Bytes of α per row. */
  readonly scaleBytes: 4;
}

export const BINARY_FORMATS: Readonly<Record<'b1', BinaryFormatTraits>> = {
  b1: { name: 'b1', bits: 1, rowAlignBits: 64, scaleBytes: 4 },
};

/** Throws INVALID_ARGUMENT unless `bits` is a Uint8Array of at least `bytes` bytes. */
function checkBits(fn: string, arg: string, bits: unknown, bytes: number): void {
  if (!(bits instanceof Uint8Array) || bits.length < bytes) invalid(fn, arg, `a Uint8Array of at least ${bytes} bytes`, bits);
}

/** Bytes of n rows of k binary weights (no α): 'padded' = n·⌈k/64⌉·8 (in memory), 'compact' = ⌈n·k/8⌉ (in a file). */
export function b1Bytes(n: number, k: number, layout: 'padded' | 'compact' = 'padded'): number {
  checkCount('b1Bytes', 'n', n);
  checkCount('b1Bytes', 'k', k);
  if (layout !== 'padded' && layout !== 'compact') invalid('b1Bytes', 'layout', "'padded' or 'compact'", layout);
  return layout === 'padded' ? n * Math.ceil(k / 64) * 8 : Math.ceil((n * k) / 8);
}

/** Padded rows [n, ⌈k/64⌉·8] → the compact bit string. */
export function b1Compact(padded: Uint8Array, n: number, k: number): Uint8Array {
  checkBits('b1Compact', 'padded', padded, b1Bytes(n, k, 'padded'));
  const out = new Uint8Array(b1Bytes(n, k, 'compact'));
  const row = Math.ceil(k / 64) * 8;
  for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) {
    if ((padded[j * row + (p >> 3)]! >> (p & 7)) & 1) out[(j * k + p) >> 3]! |= 1 << ((j * k + p) & 7);
  }
  return out;
}

/** The compact bit string → padded rows (padding bits 0). */
export function b1Padded(compact: Uint8Array, n: number, k: number): Uint8Array {
  checkBits('b1Padded', 'compact', compact, b1Bytes(n, k, 'compact'));
  const row = Math.ceil(k / 64) * 8;
  const out = new Uint8Array(n * row);
  for (let j = 0; j < n; j++) for (let p = 0; p < k; p++) {
    if ((compact[(j * k + p) >> 3]! >> ((j * k + p) & 7)) & 1) out[j * row + (p >> 3)]! |= 1 << (p & 7);
  }
  return out;
}
