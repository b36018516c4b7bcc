// Deterministic f32 transcendentals on one v128 (4 independent lanes).
//
// Only IEEE-exact strict-SIMD operations are used (add, sub, mul, div, compares, pmin/pmax,
// int<->float bit tricks, bitselect): no FMA, no relaxed SIMD, no tables. Each lane is a pure
// function of its own input, so results are bit-identical on every engine and at every position.
// NaN in gives NaN out; NaN payload/sign is NOT canonical here (see vcanon).
//
// Error bounds in the comments are measured with bench/dev/math-accuracy.mjs (integer ulp distance
// to the float64 reference rounded to f32). Coefficients: own weighted-minimax fits (Lawson
// iteration, coefficients rounded to f32 one at a time with refit), see each block.

// ---- constants shared by exp-based kernels ----
const LOG2E: f32 = 1.44269502;
const LN2_HI: f32 = 0.693359375; // 0x3f318000, 9 significant bits: n·LN2_HI is exact for |n| < 2^15
const LN2_LO: f32 = -2.12194442e-4; // f32(ln2 − LN2_HI)
const SHIFTER: f32 = 12582912.0; // 1.5·2^23: t = v + SHIFTER holds round(v) in its low mantissa bits
const SHIFTER_BITS: i32 = 0x4b400000;
const EXP_LO: f32 = -104.0; // e^-104 < 2^-150: rounds to +0 (n ≥ -150)
const EXP_HI: f32 = 89.0; // e^89 > FLT_MAX: overflows to +Inf (n ≤ 128)
const SIGN_MASK: i32 = <i32>0x80000000;

// exp(r) on |r| ≤ ln2/2 as 1 + r + r²·q(r), q = E2 + E3·r + E4·r² + E5·r³ + E6·r⁴ (Estrin order).
// Minimax relative error of the degree-6 polynomial (f32 coefficients): 3.1e-9.
const E2: f32 = 0.49999994;
const E3: f32 = 0.166665211;
const E4: f32 = 0.0416682661;
const E5: f32 = 0.00836868584;
const E6: f32 = 0.0013821004;

@inline function expPoly(r: v128): v128 {
  const r2 = f32x4.mul(r, r);
  const q01 = f32x4.add(f32x4.mul(r, f32x4.splat(E3)), f32x4.splat(E2));
  const q234 = f32x4.add(
    f32x4.mul(r2, f32x4.splat(E6)),
    f32x4.add(f32x4.mul(r, f32x4.splat(E5)), f32x4.splat(E4)),
  );
  const q = f32x4.add(f32x4.mul(r2, q234), q01);
  return f32x4.add(f32x4.add(f32x4.mul(r2, q), r), f32x4.splat(1.0));
}

// p·2^n for integer lanes n ∈ [-240, 254], as (p·2^(n>>1))·2^(n − (n>>1)). With |p| in [0.02, 16)
// the first product is always normal (exact), so the result is rounded once, also into denormals.
@inline function scale2n(p: v128, n: v128): v128 {
  const nHalf = i32x4.shr_s(n, 1);
  const nRest = i32x4.sub(n, nHalf);
  const one = i32x4.splat(0x3f800000);
  const s1 = i32x4.add(i32x4.shl(nHalf, 23), one);
  const s2 = i32x4.add(i32x4.shl(nRest, 23), one);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

// e^x. Cody–Waite: n = round(x·log2e), r = (x − n·LN2_HI) − n·LN2_LO (first step exact),
// e^x = 2^n·e^r. Max error 1 ulp (measured, whole f32 range incl. denormal results).
@inline export function vexp(x: v128): v128 {
  const xc = f32x4.pmin(f32x4.pmax(x, f32x4.splat(EXP_LO)), f32x4.splat(EXP_HI)); // keeps NaN
  const t = f32x4.add(f32x4.mul(xc, f32x4.splat(LOG2E)), f32x4.splat(SHIFTER));
  const n = f32x4.sub(t, f32x4.splat(SHIFTER));
  const r = f32x4.sub(
    f32x4.sub(xc, f32x4.mul(n, f32x4.splat(LN2_HI))),
    f32x4.mul(n, f32x4.splat(LN2_LO)),
  );
  return scale2n(expPoly(r), i32x4.sub(t, i32x4.splat(SHIFTER_BITS)));
}

// ---- log ----
// log(x) = k·ln2 + log(m), m ∈ [√½, √2). With f = m − 1 (exact), s = f/(2+f):
// log(m) = 2·atanh(s) = f − hfsq + s·(hfsq + R), hfsq = f²/2, R = z·(L1 + z·(L2 + z·L3)), z = s².
// |s| ≤ 0.1716; minimax error of R (f32 coefficients) ≤ 1.6e-9, i.e. 8e-10 relative in log(m).
const L1: f32 = 0.666667759;
const L2: f32 = 0.399775684;
const L3: f32 = 0.298714638;
const SQRT_HALF_BITS: i32 = 0x3f3504f3;
const MIN_NORMAL: f32 = 1.17549435e-38;
const TWO_P23: f32 = 8388608.0;

// Natural log. Denormals are pre-scaled by 2^23. log(±0) = −Inf, log(x<0) = NaN, log(+Inf) = +Inf,
// log(1) = +0. Max error 1 ulp (measured).
@inline export function vlog(x: v128): v128 {
  const tiny = f32x4.lt(x, f32x4.splat(MIN_NORMAL));
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(TWO_P23)), x, tiny);
  const off = i32x4.sub(xs, i32x4.splat(SQRT_HALF_BITS));
  const k = f32x4.convert_i32x4_s(
    i32x4.sub(i32x4.shr_s(off, 23), v128.and(tiny, i32x4.splat(23))),
  );
  const m = i32x4.add(v128.and(off, i32x4.splat(0x007fffff)), i32x4.splat(SQRT_HALF_BITS));
  const f = f32x4.sub(m, f32x4.splat(1.0));
  const s = f32x4.div(f, f32x4.add(f, f32x4.splat(2.0)));
  const z = f32x4.mul(s, s);
  let R = f32x4.add(f32x4.mul(z, f32x4.splat(L3)), f32x4.splat(L2));
  R = f32x4.mul(f32x4.add(f32x4.mul(R, z), f32x4.splat(L1)), z);
  const hfsq = f32x4.mul(f32x4.mul(f, f), f32x4.splat(0.5));
  const tail = f32x4.add(f32x4.mul(s, f32x4.add(hfsq, R)), f32x4.mul(k, f32x4.splat(LN2_LO)));
  const y = f32x4.sub(
    f32x4.mul(k, f32x4.splat(LN2_HI)),
    f32x4.sub(f32x4.sub(hfsq, tail), f),
  );
  // Lanes outside (0, +Inf): +Inf and NaN pass through, ±0 → −Inf, negative → NaN.
  const finitePos = i32x4.lt_u(i32x4.sub(x, i32x4.splat(1)), i32x4.splat(0x7f7fffff));
  let special = v128.bitselect(f32x4.splat(-Infinity), x, f32x4.eq(x, f32x4.splat(0.0)));
  special = v128.bitselect(f32x4.splat(NaN), special, f32x4.lt(x, f32x4.splat(0.0)));
  return v128.bitselect(y, special, finitePos);
}

// ---- tanh ----
// |x| < 0.625: tanh(x) = x + x·w·P(w), w = x², P degree 4 (minimax rel. error 4.5e-9).
// |x| ≥ 0.625: tanh(|x|) = 1 − 2/(e^(2|x|) + 1) (→ 1 when e^(2|x|) overflows).
const TANH_SPLIT: f32 = 0.625;
const T0: f32 = -0.333332807;
const T1: f32 = 0.133314058;
const T2: f32 = -0.0537365153;
const T3: f32 = 0.0206281673;
const T4: f32 = -0.0056922962;

// tanh, computed on |x| and given the sign of x, so it is exactly odd. Max error 1 ulp (measured).
@inline export function vtanh(x: v128): v128 {
  const ax = f32x4.abs(x);
  const w = f32x4.mul(ax, ax);
  let p = f32x4.add(f32x4.mul(w, f32x4.splat(T4)), f32x4.splat(T3));
  p = f32x4.add(f32x4.mul(p, w), f32x4.splat(T2));
  p = f32x4.add(f32x4.mul(p, w), f32x4.splat(T1));
  p = f32x4.add(f32x4.mul(p, w), f32x4.splat(T0));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, w), ax), ax);
  const e2x = vexp(f32x4.add(ax, ax));
  const large = f32x4.sub(
    f32x4.splat(1.0),
    f32x4.div(f32x4.splat(2.0), f32x4.add(e2x, f32x4.splat(1.0))),
  );
  const mag = v128.bitselect(small, large, f32x4.lt(ax, f32x4.splat(TANH_SPLIT)));
  return v128.or(mag, v128.and(x, i32x4.splat(SIGN_MASK)));
}

// ---- sigmoid ----
// e = e^(−|x|) ∈ [0, 1]; sigmoid(x) = 1/(1+e) for x ≥ 0, e/(1+e) for x < 0 (no overflow, no
// cancellation; tiny results come out as correctly scaled denormals). Max error 2 ulp (measured).
@inline export function vsigmoid(x: v128): v128 {
  const e = vexp(f32x4.neg(f32x4.abs(x)));
  const num = v128.bitselect(e, f32x4.splat(1.0), f32x4.lt(x, f32x4.splat(0.0)));
  return f32x4.div(num, f32x4.add(e, f32x4.splat(1.0)));
}

// ---- erf / erfc ----
// a < 0.75: erf(a) = a + a·Q(a²), Q degree 5 (minimax rel. error 1.6e-9; Q(0) = 2/√π − 1, so the
// leading 2/√π is not rounded to f32).
// a ≥ 0.75: erfc(a) = e^(−a²)·t·P(t), t = 1/(1 + a), P degree 9 (minimax rel. error 3.3e-9 on
// a ∈ [0.75, 10.1]). a² is split exactly as hi + lo (hi = ah², ah = a with 12 significant bits)
// so e^(−a²) keeps full relative accuracy for large a, and P is multiplied in before the final
// power-of-two scaling so denormal erfc values are rounded once.
const ERF_SPLIT: f32 = 0.75;
const Q0: f32 = 0.128379166;
const Q1: f32 = -0.3761262;
const Q2: f32 = 0.11283379;
const Q3: f32 = -0.0268343352;
const Q4: f32 = 0.00511315651;
const Q5: f32 = -0.000673757284;
const P0: f32 = 0.564190805;
const P1: f32 = 0.56410259;
const P2: f32 = 0.284527808;
const P3: f32 = -0.318617702;
const P4: f32 = -0.373960406;
const P5: f32 = -2.04441381;
const P6: f32 = 8.53012943;
const P7: f32 = -12.6017275;
const P8: f32 = 9.01172829;
const P9: f32 = -2.63862777;
const HI12_MASK: i32 = <i32>0xfffff000;

// erf(a) for 0 ≤ a < ERF_SPLIT (also exact-odd for negative a).
@inline function erfSmall(a: v128): v128 {
  const w = f32x4.mul(a, a);
  let q = f32x4.add(f32x4.mul(w, f32x4.splat(Q5)), f32x4.splat(Q4));
  q = f32x4.add(f32x4.mul(q, w), f32x4.splat(Q3));
  q = f32x4.add(f32x4.mul(q, w), f32x4.splat(Q2));
  q = f32x4.add(f32x4.mul(q, w), f32x4.splat(Q1));
  q = f32x4.add(f32x4.mul(q, w), f32x4.splat(Q0));
  return f32x4.add(f32x4.mul(q, a), a);
}

// m·erfc(a) for a ≥ ERF_SPLIT, given t = 1/(1 + a) and a² = sqHi + sqLo (sqHi exact,
// |sqLo| ≤ 2^-10·sqHi, a² ≤ 160), |m| ∈ [2^-4, 8]; rounded once even when the result is denormal.
@inline function erfcLarge(t: v128, sqHi: v128, sqLo: v128, m: v128): v128 {
  let p = f32x4.add(f32x4.mul(t, f32x4.splat(P9)), f32x4.splat(P8));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(P7));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(P6));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(P5));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(P4));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(P3));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(P2));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(P1));
  p = f32x4.mul(f32x4.add(f32x4.mul(p, t), f32x4.splat(P0)), t);
  // e^−(sqHi + sqLo) reduced as in vexp; sqHi − n·LN2_HI is exact here as well.
  const tn = f32x4.sub(
    f32x4.splat(SHIFTER),
    f32x4.mul(f32x4.add(sqHi, sqLo), f32x4.splat(LOG2E)),
  );
  const n = f32x4.sub(tn, f32x4.splat(SHIFTER));
  const r = f32x4.sub(
    f32x4.sub(f32x4.neg(f32x4.add(sqHi, f32x4.mul(n, f32x4.splat(LN2_HI)))), sqLo),
    f32x4.mul(n, f32x4.splat(LN2_LO)),
  );
  return scale2n(f32x4.mul(f32x4.mul(expPoly(r), p), m), i32x4.sub(tn, i32x4.splat(SHIFTER_BITS)));
}

// erfc(a) by the a ≥ ERF_SPLIT formula, for 0 ≤ a ≤ 11.
@inline function erfcLargeOf(a: v128): v128 {
  const ah = v128.and(a, i32x4.splat(HI12_MASK));
  const al = f32x4.sub(a, ah);
  const t = f32x4.div(f32x4.splat(1.0), f32x4.add(a, f32x4.splat(1.0)));
  return erfcLarge(t, f32x4.mul(ah, ah), f32x4.mul(al, f32x4.add(a, ah)), f32x4.splat(1.0));
}

// erf, exactly odd; erf(±Inf) = ±1. Max error 2 ulp (measured; relative also for tiny |x|).
@inline export function verf(x: v128): v128 {
  const a = f32x4.pmin(f32x4.abs(x), f32x4.splat(8.0)); // erf(8) = 1 in f32; keeps NaN
  const large = f32x4.sub(f32x4.splat(1.0), erfcLargeOf(a));
  const mag = v128.bitselect(erfSmall(a), large, f32x4.lt(a, f32x4.splat(ERF_SPLIT)));
  return v128.or(mag, v128.and(x, i32x4.splat(SIGN_MASK)));
}

// erfc = 1 − erf, relatively accurate for large x (erfc(−x) = 2 − erfc(x)); erfc(+Inf) = +0,
// erfc(−Inf) = 2. Max error 5 ulp (measured, all x, incl. denormal results).
@inline export function verfc(x: v128): v128 {
  const a = f32x4.pmin(f32x4.abs(x), f32x4.splat(11.0)); // erfc(11) = 0 in f32; keeps NaN
  const small = f32x4.sub(f32x4.splat(1.0), erfSmall(a));
  const c = v128.bitselect(small, erfcLargeOf(a), f32x4.lt(a, f32x4.splat(ERF_SPLIT)));
  return v128.bitselect(f32x4.sub(f32x4.splat(2.0), c), c, f32x4.lt(x, f32x4.splat(0.0)));
}

// GELU (erf form) gelu(x) = 0.5·x·(1 + erf(x/√2)). With G = gelu(−|x|) = −0.5·|x|·erfc(|x|/√2):
// gelu(x) = G for x < 0 and x + G for x ≥ 0 (as Φ(x) = 1 − Φ(−x)). G is rounded once (also as a
// denormal); |x|²/2 is split exactly from x and t = √2/(√2 + |x|) avoids rounding |x|/√2 first.
// gelu(−Inf) = −0, gelu(+Inf) = +Inf. Max error 5 ulp (measured, all x; 1 ulp for x ≥ 0.5);
// absolute error ≤ 1e-7·max(1, |x|).
const SQRT_HALF: f32 = 0.707106769;
const SQRT2: f32 = 1.41421354;
@inline export function vgelu(x: v128): v128 {
  const xm = f32x4.pmax(x, f32x4.splat(-16.0)); // gelu(−16) = −0 in f32; keeps NaN
  const ax = f32x4.pmin(f32x4.abs(xm), f32x4.splat(16.0));
  const negHalfAx = f32x4.mul(ax, f32x4.splat(-0.5));
  const xh = v128.and(ax, i32x4.splat(HI12_MASK));
  const xl = f32x4.sub(ax, xh);
  const half = f32x4.splat(0.5);
  const sqrt2 = f32x4.splat(SQRT2);
  const large = erfcLarge(
    f32x4.div(sqrt2, f32x4.add(ax, sqrt2)),
    f32x4.mul(f32x4.mul(xh, xh), half),
    f32x4.mul(f32x4.mul(xl, f32x4.add(ax, xh)), half),
    negHalfAx,
  );
  const z = f32x4.mul(ax, f32x4.splat(SQRT_HALF));
  const small = f32x4.mul(f32x4.sub(f32x4.splat(1.0), erfSmall(z)), negHalfAx);
  const g = v128.bitselect(small, large, f32x4.lt(z, f32x4.splat(ERF_SPLIT)));
  return v128.bitselect(g, f32x4.add(xm, g), f32x4.lt(x, f32x4.splat(0.0)));
}

// Replace the lanes where x is NaN by the canonical quiet NaN 0x7fc00000 (engines differ in NaN
// sign/payload). Valid for every function here: a NaN result comes only from a NaN input, except
// log of a negative number, which already returns the canonical NaN constant.
@inline export function vcanon(x: v128, fx: v128): v128 {
  return v128.bitselect(i32x4.splat(0x7fc00000), fx, f32x4.ne(x, x));
}
