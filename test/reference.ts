// Plain float64 references for every op, NumPy broadcasting, tolerances and fast-check arbitraries.
import fc from 'fast-check';

/** One named tolerance per op. `ulp`: max distance in f32 ulps from the f64 result rounded to f32; 0 = bit-exact. */
export const TOL = {
  add: 0, sub: 0, mul: 0, div: 0, maximum: 0, minimum: 0,
  neg: 0, abs: 0, sqrt: 0, relu: 0, clamp: 0, compare: 0, where: 0,
  exp: 2, log: 2, tanh: 3, sigmoid: 3,
  /** erf and gelu: absolute error bound plus a relative part, see closeAbsRel. */
  erf: { abs: 2e-7, rel: 4 * 2 ** -23 },
  gelu: { abs: 1e-7, rel: 1e-6 },
  /** Sums: |err| ≤ SUM_EPS · n · Σ|x|, the classic recursive-summation bound. */
  SUM_EPS: 2 ** -24,
  softmax: { abs: 1e-6, rel: 8 * 2 ** -23 },
  /** GEMM: |err| ≤ MATMUL_EPS · k · Σ|a·b| per element. */
  MATMUL_EPS: 2 ** -23,
} as const;

const f32buf = new Float32Array(1);
const u32buf = new Uint32Array(f32buf.buffer);

/** Monotone integer key of an f32 value; ulps between finite values are key differences. */
export function f32key(x: number): number {
  f32buf[0] = x;
  const u = u32buf[0]!;
  return u & 0x80000000 ? -(u & 0x7fffffff) : u;
}

/** Distance in f32 ulps between two values (NaN vs NaN = 0; NaN vs non-NaN = Infinity). */
export function ulpDiff(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return 0;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return Infinity;
  return Math.abs(f32key(a) - f32key(b));
}

/** Same value, and for zeros the same sign; any NaN matches any NaN. */
export function sameF32(a: number, b: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  return Object.is(a, b);
}

export function closeAbsRel(got: number, want: number, tol: { abs: number; rel: number }): boolean {
  if (Number.isNaN(got) || Number.isNaN(want)) return Number.isNaN(got) && Number.isNaN(want);
  if (!Number.isFinite(want)) return got === want;
  return Math.abs(got - want) <= tol.abs + tol.rel * Math.abs(want);
}

/** Reports the first index where `ok` fails, with context, or null. */
export function firstMismatch(got: ArrayLike<number>, want: ArrayLike<number>, ok: (g: number, w: number) => boolean, inputs?: ArrayLike<number>[]): string | null {
  if (got.length !== want.length) return `length ${got.length} vs ${want.length}`;
  for (let i = 0; i < got.length; i++) {
    if (!ok(got[i]!, want[i]!)) {
      const ins = inputs ? ` inputs ${inputs.map((x) => x[i % x.length]).join(', ')}` : '';
      return `at ${i}: got ${got[i]} want ${want[i]}${ins}`;
    }
  }
  return null;
}

// ---------- NumPy broadcasting, written independently of src/ops/broadcast.ts ----------

export function npBroadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const out: number[] = [];
  for (let i = 1; i <= Math.max(a.length, b.length); i++) {
    const x = a[a.length - i] ?? 1;
    const y = b[b.length - i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.unshift(x === 1 ? y : x);
  }
  return out;
}

/** Index into a contiguous `shape` for the multi-index of the broadcast result. */
function sourceIndex(shape: readonly number[], outIdx: number[]): number {
  let idx = 0;
  const off = outIdx.length - shape.length;
  for (let d = 0; d < shape.length; d++) idx = idx * shape[d]! + (shape[d] === 1 ? 0 : outIdx[d + off]!);
  return idx;
}

export function npBroadcastMap(out: readonly number[], inputs: { data: ArrayLike<number>; shape: readonly number[] }[], f: (...v: number[]) => number): number[] {
  const size = out.reduce((p, d) => p * d, 1);
  const res = new Array<number>(size);
  const idx = out.map(() => 0);
  for (let i = 0; i < size; i++) {
    res[i] = f(...inputs.map((t) => t.data[sourceIndex(t.shape, idx)]!));
    for (let d = out.length - 1; d >= 0; d--) {
      if (++idx[d]! < out[d]!) break;
      idx[d] = 0;
    }
  }
  return res;
}

// ---------- arbitraries ----------

/** Dims that sit on SIMD/tile boundaries: 0, 1, tile±1 for tiles 4, 8, 16, and a few primes. */
export const BOUNDARY_DIMS: readonly number[] = [0, 1, 2, 3, 4, 5, 7, 8, 9, 13, 15, 16, 17, 31, 32, 33, 37];

export const dimArb = fc.constantFrom(...BOUNDARY_DIMS);

export function shapeArb(maxRank = 4, maxSize = 4096): fc.Arbitrary<number[]> {
  return fc.array(dimArb, { minLength: 0, maxLength: maxRank }).filter((s) => s.reduce((p, d) => p * d, 1) <= maxSize);
}

/** Adversarial f32 values: ±0, denormals, extremes, NaN, ±Inf, plus ordinary values. */
export const SPECIALS = [0, -0, 1, -1, 1.401298464324817e-45, -1.401298464324817e-45, 1.1754942106924411e-38, 5.877471754111438e-39, 3.4028234663852886e38, -3.4028234663852886e38, NaN, Infinity, -Infinity] as const;

export function f32Arb(opts: { specials?: boolean; min?: number; max?: number } = {}): fc.Arbitrary<number> {
  const { specials = true, min = -1e6, max = 1e6 } = opts;
  const plain = fc.float({ min: Math.fround(min), max: Math.fround(max), noNaN: true });
  if (!specials) return plain;
  return fc.oneof({ weight: 6, arbitrary: plain }, { weight: 2, arbitrary: fc.float() }, { weight: 2, arbitrary: fc.constantFrom(...SPECIALS) });
}

export function arrayOf(n: number, arb: fc.Arbitrary<number>): fc.Arbitrary<Float32Array> {
  return fc.array(arb, { minLength: n, maxLength: n }).map((v) => Float32Array.from(v));
}

/** A shape plus f32 data for it. */
export function tensorArb(shape: fc.Arbitrary<number[]> = shapeArb(), values: fc.Arbitrary<number> = f32Arb()) {
  return shape.chain((s) => arrayOf(s.reduce((p, d) => p * d, 1), values).map((data) => ({ shape: s, data })));
}

/** Two shapes that broadcast together: b drops leading dims of a and sets some dims to 1. */
export const broadcastPairArb = shapeArb(4, 2048).chain((a) =>
  fc.tuple(fc.nat({ max: a.length }), fc.array(fc.boolean(), { minLength: a.length, maxLength: a.length }), fc.boolean()).map(([drop, ones, swap]) => {
    const b = a.slice(drop).map((d, i) => (ones[i + drop] ? 1 : d));
    return swap ? { a: b, b: a } : { a, b };
  }),
);

export const size = (shape: readonly number[]): number => shape.reduce((p, d) => p * d, 1);

// ---------- FNV-1a hashing of outputs, with NaNs canonicalized ----------

export function hashF32(h: number, data: Float32Array): number {
  const u = new Uint32Array(data.length);
  const view = new Uint32Array(data.buffer, data.byteOffset, data.length);
  for (let i = 0; i < data.length; i++) u[i] = Number.isNaN(data[i]) ? 0x7fc00000 : view[i]!;
  return hashBytes(h, new Uint8Array(u.buffer));
}

export function hashBytes(h: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193) >>> 0;
  return h;
}

export const FNV_OFFSET = 0x811c9dc5;

// ---------- double-precision erf and GELU ----------

/** Double-precision erf for the reference (Abramowitz–Stegun 7.1.5 series / continued fraction), ≤ 1e-15 relative. */
export function erf64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  if (ax < 2.5) {
    let term = ax, sum = ax;
    for (let n = 1; n < 200 && Math.abs(term) > 1e-18 * Math.abs(sum); n++) {
      term *= (-ax * ax) / n;
      sum += term / (2 * n + 1);
    }
    return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * sum;
  }
  return Math.sign(x) * (1 - erfc64Large(ax));
}

/** erfc for x ≥ 2.5 by Lentz's continued fraction. */
function erfc64Large(x: number): number {
  if (x > 27) return 0;
  let f = x, c = x, d = 0;
  for (let n = 1; n < 500; n++) {
    const an = n / 2;
    d = x + an * d;
    d = 1 / d;
    c = x + an / c;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (f * Math.sqrt(Math.PI));
}

export function gelu64(x: number): number {
  if (x === -Infinity) return 0;
  if (x < -5) return 0.5 * x * erfc64Large(-x / Math.SQRT2);
  return 0.5 * x * (1 + erf64(x / Math.SQRT2));
}
