// Plain reference of assembly/f32-svd/jacobi.ts: the same one-sided Jacobi in the same order of f64
// operations (dots in 2 lanes, even then odd indices), so its outputs equal the kernel's bit for bit.
//   a: [m, n] row-major; u: [m, k]; s: [k]; vt: [k, n]; k = min(m, n). Returns the sweeps run (negative: not converged).

function dot(len: number, x: Float64Array, xo: number, y: Float64Array, yo: number): number {
  let l0 = 0, l1 = 0;
  for (let i = 0; i < len; i += 2) {
    l0 += x[xo + i]! * y[yo + i]!;
    l1 += x[xo + i + 1]! * y[yo + i + 1]!;
  }
  return l0 + l1;
}

function rotate(len: number, z: Float64Array, xo: number, yo: number, c: number, s: number): void {
  for (let i = 0; i < len; i++) {
    const x = z[xo + i]!, y = z[yo + i]!;
    z[xo + i] = c * x - s * y;
    z[yo + i] = s * x + c * y;
  }
}

/** Removes from Y[at] its projections on the t earlier sorted vectors, twice. */
function project(t: number, lp: number, y: Float64Array, ord: Int32Array, v: Float64Array, vo: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let e = 0; e < t; e++) {
      const wo = ord[e]! * lp;
      const h = dot(lp, y, wo, v, vo);
      for (let i = 0; i < lp; i++) v[vo + i] = v[vo + i]! - h * y[wo + i]!;
    }
  }
}

export function f32SvdJacobiRef(m: number, n: number, a: Float32Array, u: Float32Array, s: Float32Array, vt: Float32Array, maxSweeps: number, tol: number): number {
  const p = Math.min(m, n), len = Math.max(m, n), lp = (len + 1) & ~1, pp = (p + 1) & ~1;
  if (p === 0) return 0;
  const tall = m >= n;
  const y = new Float64Array(p * lp), r = new Float64Array(p * pp);
  for (let j = 0; j < p; j++) {
    for (let i = 0; i < len; i++) y[j * lp + i] = tall ? a[i * n + j]! : a[j * n + i]!;
    r[j * pp + j] = 1;
  }
  let ran = -maxSweeps;
  for (let sweep = 1; sweep <= maxSweeps && ran < 0; sweep++) {
    let rotated = 0;
    for (let i = 0; i < p - 1; i++) {
      for (let j = i + 1; j < p; j++) {
        const g = dot(lp, y, i * lp, y, j * lp);
        if (g === 0) continue;
        const al = dot(lp, y, i * lp, y, i * lp), be = dot(lp, y, j * lp, y, j * lp);
        if (Math.abs(g) <= tol * Math.sqrt(al * be)) continue;
        const zeta = (be - al) / (2 * g);
        const az = Math.abs(zeta);
        let t = az > 1e100 ? 0.5 / zeta : 1 / (az + Math.sqrt(1 + zeta * zeta));
        if (zeta < 0 && az <= 1e100) t = -t;
        const c = 1 / Math.sqrt(1 + t * t), sn = c * t;
        rotate(lp, y, i * lp, j * lp, c, sn);
        rotate(pp, r, i * pp, j * pp, c, sn);
        rotated++;
      }
    }
    if (rotated === 0) ran = sweep;
  }
  const sig = new Float64Array(p);
  const ord = new Int32Array(p);
  for (let j = 0; j < p; j++) {
    sig[j] = Math.sqrt(dot(lp, y, j * lp, y, j * lp));
    ord[j] = j;
  }
  for (let t = 0; t < p; t++) {
    let best = t;
    for (let q = t + 1; q < p; q++) if (sig[ord[q]!]! > sig[ord[best]!]!) best = q;
    const tmp = ord[t]!;
    ord[t] = ord[best]!;
    ord[best] = tmp;
  }
  const v = new Float64Array(lp);
  for (let t = 0; t < p; t++) {
    const j = ord[t]!, yo = j * lp, ro = j * pp;
    const sj = sig[j]!;
    if (sj > 0) {
      for (let i = 0; i < lp; i++) y[yo + i] = y[yo + i]! / sj;
    } else {
      let bestQ = -1, best = -1;
      for (let q = 0; q < len; q++) {
        v.fill(0);
        v[q] = 1;
        project(t, lp, y, ord, v, 0);
        const nn = dot(lp, v, 0, v, 0);
        if (nn > best) { best = nn; bestQ = q; }
        if (nn >= 0.5) break;
      }
      y.fill(0, yo, yo + lp);
      y[yo + bestQ] = 1;
      project(t, lp, y, ord, y, yo);
      const norm = Math.sqrt(dot(lp, y, yo, y, yo));
      for (let i = 0; i < lp; i++) y[yo + i] = y[yo + i]! / norm;
    }
    const uo = tall ? yo : ro, uz = tall ? y : r;
    let big = 0;
    for (let i = 0; i < m; i++) if (Math.abs(uz[uo + i]!) > Math.abs(big)) big = uz[uo + i]!;
    if (big < 0) {
      for (let i = 0; i < lp; i++) y[yo + i] = -y[yo + i]!;
      for (let i = 0; i < pp; i++) r[ro + i] = -r[ro + i]!;
    }
    s[t] = sj;
    const [uv, uvo, vv, vvo] = tall ? [y, yo, r, ro] : [r, ro, y, yo];
    for (let i = 0; i < m; i++) u[i * p + t] = uv[uvo + i]!;
    for (let i = 0; i < n; i++) vt[t * n + i] = vv[vvo + i]!;
  }
  return ran;
}
