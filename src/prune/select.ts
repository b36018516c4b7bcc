// Pure selection rules behind the pruning criteria (plain JS arrays, no tensors): counts, k-smallest, norms, N:M.
import { checkCount, invalid } from '../errors.js';
import { roundHalfEven } from '../quant/qparams.js';

/**
 * How many of `n` entries to prune, as torch.nn.utils.prune's `_compute_nparams_toprune`:
 * `round(amount * n)` with Python 3's round-half-to-even for a fraction, or an absolute `{ count }`.
 */
export function countToPrune(fn: string, amount: number | { count: number }, n: number): number {
  if (typeof fn !== 'string') invalid('countToPrune', 'fn', 'the calling function\'s name', fn);
  checkCount(fn, 'n', n);
  if (typeof amount === 'object' && amount !== null) {
    const c = amount.count;
    if (!Number.isInteger(c) || c < 0 || c > n) invalid(fn, 'amount.count', `an integer in [0, ${n}]`, c);
    return c;
  }
  if (typeof amount !== 'number' || !(amount >= 0 && amount <= 1)) invalid(fn, 'amount', 'a fraction in [0, 1] or { count }', amount);
  return roundHalfEven(amount * n);
}

/**
 * Marks the `k` entries of `candidates` with the smallest `scores` (NaN counts as +∞): returns them sorted by
 * (score, index), so ties prune the lower flat index first. torch.topk(largest=False) leaves ties
 * implementation-defined; this order is the deterministic stand-in.
 */
export function smallest(scores: ArrayLike<number>, candidates: Int32Array, k: number): Int32Array {
  if (k <= 0) return new Int32Array(0);
  const key = (i: number) => { const s = scores[i]!; return s === s ? s : Infinity; };
  const order = Int32Array.from(candidates).sort((a, b) => key(a) - key(b) || a - b);
  return order.subarray(0, k);
}

/** Indices where `alive` is non-zero (entries not yet pruned). */
export function aliveIndices(alive: Uint8Array): Int32Array {
  let n = 0;
  for (let i = 0; i < alive.length; i++) if (alive[i]) n++;
  const out = new Int32Array(n);
  for (let i = 0, j = 0; i < alive.length; i++) if (alive[i]) out[j++] = i;
  return out;
}

export const absolute = (w: Float32Array): Float64Array => Float64Array.from(w, Math.abs);

/** Lp norm (p = 1 or 2) of each of the `rows` slices of `rowSize` consecutive entries (dim 0 of a row-major tensor). */
export function rowNorms(w: Float32Array, rows: number, rowSize: number, p: 1 | 2): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = r * rowSize; i < (r + 1) * rowSize; i++) s += p === 1 ? Math.abs(w[i]!) : w[i]! * w[i]!;
    out[r] = p === 1 ? s : Math.sqrt(s);
  }
  return out;
}

/**
 * N:M semi-structured mask over rows of length `k` (the reduction axis): in each group of `m` consecutive
 * entries keep the `n` largest |w| (ties keep the higher index, the mirror of `smallest`); entries already
 * pruned in `alive` stay pruned. A short last group (k % m ≠ 0) keeps at most `n` as well.
 */
export function nmMask(w: Float32Array, alive: Uint8Array, k: number, n: number, m: number): Uint8Array {
  const out = new Uint8Array(w.length);
  const idx: number[] = [];
  for (let row = 0; row < w.length; row += k) {
    for (let g = row; g < row + k; g += m) {
      idx.length = 0;
      for (let i = g; i < Math.min(g + m, row + k); i++) if (alive[i]) idx.push(i);
      idx.sort((a, b) => Math.abs(w[b]!) - Math.abs(w[a]!) || b - a);
      for (let j = 0; j < Math.min(n, idx.length); j++) out[idx[j]!] = 1;
    }
  }
  return out;
}

/**
 * Lp norm (p = 1 or 2) of each block of `size` consecutive entries along rows of length `k` (the reduction
 * axis; a row's last block may be shorter), counting only entries still `alive`. Blocks in row-major order:
 * row r has ⌈k/size⌉ of them.
 */
export function blockNorms(w: Float32Array, alive: Uint8Array, k: number, size: number, p: 1 | 2): Float64Array {
  const per = Math.ceil(k / size);
  const rows = k === 0 ? 0 : w.length / k;
  const out = new Float64Array(rows * per);
  for (let r = 0; r < rows; r++) {
    for (let b = 0; b < per; b++) {
      let s = 0;
      for (let i = r * k + b * size; i < r * k + Math.min((b + 1) * size, k); i++) if (alive[i]) s += p === 1 ? Math.abs(w[i]!) : w[i]! * w[i]!;
      out[r * per + b] = p === 1 ? s : Math.sqrt(s);
    }
  }
  return out;
}
