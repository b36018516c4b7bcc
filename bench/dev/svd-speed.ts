// The f32_svd_jacobi kernel (f64x2 SIMD) against its plain TS reference (same algorithm, same bits),
// and randomizedSvd at a low rank against the exact svd(): best-of-3 seconds and ratios, plus the
// randomized σ's largest relative error on a spectrum decaying like 0.98^i.  node --import tsx bench/dev/svd-speed.ts
import * as st from '../../src/index.js';
import { f32SvdJacobiRef } from '../../src/lowrank/svd-ref.js';

await st.init();
const best = (f: () => void) => Math.min(...[0, 1, 2].map(() => { const t0 = performance.now(); f(); return (performance.now() - t0) / 1000; }));
const free = (d: st.Svd) => { d.u.dispose(); d.s.dispose(); d.vt.dispose(); };

for (const [m, n, rank] of [[100, 300, 18], [300, 784, 54], [128, 128, 16], [512, 512, 64]] as const) {
  // A = G·diag(0.98^j) with G Gaussian: a trained layer's kind of decay, with noise.
  const a = st.tidy(() => st.mul(st.normal([m, n], 0, 0.05, { seed: 1 }), st.tensor(Float32Array.from({ length: n }, (_, j) => 0.98 ** j))));
  const values = a.toTypedArray() as Float32Array;
  const k = Math.min(m, n);
  let exact!: Float32Array, approx!: Float32Array, sweeps = 0;
  const tKernel = best(() => { const d = st.svd(a); sweeps = d.sweeps; exact = d.s.toTypedArray(); free(d); });
  const tRand = best(() => { const d = st.randomizedSvd(a, { rank }); approx = d.s.toTypedArray(); free(d); });
  const relErr = Math.max(...Array.from(approx, (s, i) => Math.abs(s - exact[i]!) / exact[i]!));
  const tRef = m * n > 100_000 ? NaN : best(() => f32SvdJacobiRef(m, n, values, new Float32Array(m * k), new Float32Array(k), new Float32Array(k * n), 60, 1e-10));
  console.log(`svd ${m}x${n}: ${sweeps} sweeps, kernel ${tKernel.toFixed(3)} s` + (Number.isNaN(tRef) ? '' : `, TS reference ${tRef.toFixed(3)} s (${(tRef / tKernel).toFixed(2)}× slower)`) +
    `; randomizedSvd rank ${rank} ${tRand.toFixed(3)} s (${(tKernel / tRand).toFixed(1)}× faster), max σ rel. error ${relErr.toExponential(2)} (best of 3)`);
  a.dispose();
}
