// Thin SVD by one-sided Jacobi (Hestenes 1958; Demmel & Veselić 1992), in f64: A = U·diag(s)·Vᵀ.
//   a: f32 [m, n] row-major; u: f32 [m, k]; s: f32 [k] descending; vt: f32 [k, n]; k = min(m, n).
// The k vectors of length L = max(m, n) (A's columns if m ≥ n, else its rows) are rotated in pairs
// (i, j), i < j, row-cyclic, until every pair satisfies |yᵢ·yⱼ| ≤ tol·‖yᵢ‖·‖yⱼ‖; the rotations
// accumulate in R [k, k]. Then s_j = ‖y_j‖ and, for m ≥ n, U = Y/s, V = R; for m < n, U = R, Vᵀ = (Y/s)ᵀ.
// Zero vectors (s_j = 0) are completed to an orthonormal basis from the unit vectors e_q.
// Sign: the largest-|·| entry of each U column (first on ties) is positive.
// Dots run in 2 lanes (lane l sums indices ≡ l mod 2, in order) then lane 0 + lane 1: a fixed
// order of IEEE f64 operations, so every engine and the TS reference give the same bits.
// Returns the sweeps run, negated if the last of maxSweeps sweeps still rotated (not converged).

@inline function even(x: i32): i32 { return (x + 1) & ~1; }
@inline function align16(x: usize): usize { return (x + 15) & ~(<usize>15); }

/** Bytes of workspace f32_svd_jacobi needs for an [m, n] matrix. */
export function f32_svd_workspace_bytes(m: i32, n: i32): i32 {
  const p = min(m, n), lp = even(max(m, n)), pp = even(p);
  return <i32>(align16(<usize>p * lp * 8) + align16(<usize>p * pp * 8) + align16(<usize>p * 8) + align16(<usize>p * 4) + <usize>lp * 8);
}

@inline function dot(len: i32, x: usize, y: usize): f64 {
  let vacc = f64x2.splat(0);
  for (let i = 0; i < len; i += 2) {
    const o = <usize>i << 3;
    vacc = f64x2.add(vacc, f64x2.mul(v128.load(x + o), v128.load(y + o)));
  }
  return f64x2.extract_lane(vacc, 0) + f64x2.extract_lane(vacc, 1);
}

/** x ← c·x − s·y, y ← s·x + c·y over `len` (even) f64s. */
@inline function rotate(len: i32, x: usize, y: usize, c: f64, s: f64): void {
  const vc = f64x2.splat(c), vs = f64x2.splat(s);
  for (let i = 0; i < len; i += 2) {
    const o = <usize>i << 3;
    const vx = v128.load(x + o), vy = v128.load(y + o);
    v128.store(x + o, f64x2.sub(f64x2.mul(vc, vx), f64x2.mul(vs, vy)));
    v128.store(y + o, f64x2.add(f64x2.mul(vs, vx), f64x2.mul(vc, vy)));
  }
}

function sweeps(p: i32, lp: i32, pp: i32, y: usize, r: usize, maxSweeps: i32, tol: f64): i32 {
  const ys = <usize>lp << 3, rs = <usize>pp << 3;
  for (let sweep = 1; sweep <= maxSweeps; sweep++) {
    let rotated = 0;
    for (let i = 0; i < p - 1; i++) {
      const yi = y + <usize>i * ys;
      for (let j = i + 1; j < p; j++) {
        const yj = y + <usize>j * ys;
        // α = ‖yᵢ‖², β = ‖yⱼ‖², γ = yᵢ·yⱼ in one pass.
        let va = f64x2.splat(0), vb = f64x2.splat(0), vg = f64x2.splat(0);
        for (let q = 0; q < lp; q += 2) {
          const o = <usize>q << 3;
          const vx = v128.load(yi + o), vy = v128.load(yj + o);
          va = f64x2.add(va, f64x2.mul(vx, vx));
          vb = f64x2.add(vb, f64x2.mul(vy, vy));
          vg = f64x2.add(vg, f64x2.mul(vx, vy));
        }
        const g = f64x2.extract_lane(vg, 0) + f64x2.extract_lane(vg, 1);
        if (g == 0) continue;
        const a = f64x2.extract_lane(va, 0) + f64x2.extract_lane(va, 1);
        const b = f64x2.extract_lane(vb, 0) + f64x2.extract_lane(vb, 1);
        if (abs(g) <= tol * sqrt(a * b)) continue;
        const zeta = (b - a) / (2 * g);
        const az = abs(zeta);
        let t = az > 1e100 ? 0.5 / zeta : 1 / (az + sqrt(1 + zeta * zeta));
        if (zeta < 0 && az <= 1e100) t = -t;
        const c = 1 / sqrt(1 + t * t), s = c * t;
        rotate(lp, yi, yj, c, s);
        rotate(pp, r + <usize>i * rs, r + <usize>j * rs, c, s);
        rotated++;
      }
    }
    if (rotated == 0) return sweep;
  }
  return -maxSweeps;
}

/** Makes Y_j (sorted position t) a unit vector orthogonal to the t earlier ones: the first e_q (q < len, not the padding) whose residual² ≥ ½, else the largest. */
function complete(t: i32, len: i32, lp: i32, y: usize, ord: usize, v: usize): void {
  const ys = <usize>lp << 3;
  let bestQ = -1, best: f64 = -1;
  for (let q = 0; q < len; q++) {
    memory.fill(v, 0, ys);
    store<f64>(v + (<usize>q << 3), 1);
    for (let pass = 0; pass < 2; pass++) {
      for (let e = 0; e < t; e++) {
        const w = y + <usize>load<i32>(ord + (<usize>e << 2)) * ys;
        const h = dot(lp, w, v);
        const vh = f64x2.splat(h);
        for (let i = 0; i < lp; i += 2) {
          const o = <usize>i << 3;
          v128.store(v + o, f64x2.sub(v128.load(v + o), f64x2.mul(vh, v128.load(w + o))));
        }
      }
    }
    const nn = dot(lp, v, v);
    if (nn > best) { best = nn; bestQ = q; }
    if (nn >= 0.5) break;
  }
  if (bestQ < 0) return;
  // Rebuild the chosen candidate (the loop may have moved past it) and normalize it into Y_j.
  const yj = y + <usize>load<i32>(ord + (<usize>t << 2)) * ys;
  memory.fill(yj, 0, ys);
  store<f64>(yj + (<usize>bestQ << 3), 1);
  for (let pass = 0; pass < 2; pass++) {
    for (let e = 0; e < t; e++) {
      const w = y + <usize>load<i32>(ord + (<usize>e << 2)) * ys;
      const vh = f64x2.splat(dot(lp, w, yj));
      for (let i = 0; i < lp; i += 2) {
        const o = <usize>i << 3;
        v128.store(yj + o, f64x2.sub(v128.load(yj + o), f64x2.mul(vh, v128.load(w + o))));
      }
    }
  }
  const vn = f64x2.splat(sqrt(dot(lp, yj, yj)));
  for (let i = 0; i < lp; i += 2) v128.store(yj + (<usize>i << 3), f64x2.div(v128.load(yj + (<usize>i << 3)), vn));
}

export function f32_svd_jacobi(m: i32, n: i32, a: usize, u: usize, s: usize, vt: usize, workspace: usize, maxSweeps: i32, tol: f64): i32 {
  const p = min(m, n), len = max(m, n), lp = even(len), pp = even(p);
  if (p == 0) return 0;
  const ys = <usize>lp << 3, rs = <usize>pp << 3;
  const y = workspace;
  const r = y + align16(<usize>p * ys);
  const sig = r + align16(<usize>p * rs);
  const ord = sig + align16(<usize>p * 8);
  const v = ord + align16(<usize>p * 4);
  const tall = m >= n;
  // Y_j = column j of A (tall) or row j (wide), zero-padded to lp; R = I.
  memory.fill(y, 0, <usize>p * ys);
  memory.fill(r, 0, <usize>p * rs);
  for (let j = 0; j < p; j++) {
    const yj = y + <usize>j * ys;
    for (let i = 0; i < len; i++) {
      const src = tall ? a + ((<usize>i * n + j) << 2) : a + ((<usize>j * n + i) << 2);
      store<f64>(yj + (<usize>i << 3), <f64>load<f32>(src));
    }
    store<f64>(r + <usize>j * rs + (<usize>j << 3), 1);
  }
  const ran = sweeps(p, lp, pp, y, r, maxSweeps, tol);
  for (let j = 0; j < p; j++) {
    const yj = y + <usize>j * ys;
    store<f64>(sig + (<usize>j << 3), sqrt(dot(lp, yj, yj)));
    store<i32>(ord + (<usize>j << 2), j);
  }
  // Selection sort of the indices by s, descending.
  for (let t = 0; t < p; t++) {
    let best = t;
    for (let q = t + 1; q < p; q++) {
      if (load<f64>(sig + (<usize>load<i32>(ord + (<usize>q << 2)) << 3)) > load<f64>(sig + (<usize>load<i32>(ord + (<usize>best << 2)) << 3))) best = q;
    }
    const tmp = load<i32>(ord + (<usize>t << 2));
    store<i32>(ord + (<usize>t << 2), load<i32>(ord + (<usize>best << 2)));
    store<i32>(ord + (<usize>best << 2), tmp);
  }
  for (let t = 0; t < p; t++) {
    const j = load<i32>(ord + (<usize>t << 2));
    const yj = y + <usize>j * ys, rj = r + <usize>j * rs;
    const sj = load<f64>(sig + (<usize>j << 3));
    if (sj > 0) {
      const vs = f64x2.splat(sj);
      for (let i = 0; i < lp; i += 2) v128.store(yj + (<usize>i << 3), f64x2.div(v128.load(yj + (<usize>i << 3)), vs));
    } else {
      complete(t, len, lp, y, ord, v);
    }
    // Sign: the U-side vector's largest-|·| entry positive.
    const uj = tall ? yj : rj;
    let big: f64 = 0;
    for (let i = 0; i < m; i++) {
      const x = load<f64>(uj + (<usize>i << 3));
      if (abs(x) > abs(big)) big = x;
    }
    if (big < 0) {
      for (let i = 0; i < lp; i++) store<f64>(yj + (<usize>i << 3), -load<f64>(yj + (<usize>i << 3)));
      for (let i = 0; i < pp; i++) store<f64>(rj + (<usize>i << 3), -load<f64>(rj + (<usize>i << 3)));
    }
    store<f32>(s + (<usize>t << 2), <f32>sj);
    const uv = tall ? yj : rj, vv = tall ? rj : yj;
    for (let i = 0; i < m; i++) store<f32>(u + ((<usize>i * p + t) << 2), <f32>load<f64>(uv + (<usize>i << 3)));
    for (let i = 0; i < n; i++) store<f32>(vt + ((<usize>t * n + i) << 2), <f32>load<f64>(vv + (<usize>i << 3)));
  }
  return ran;
}
