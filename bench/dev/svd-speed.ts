// The f32_svd_jacobi kernel (f64x2 SIMD) against its plain TS reference (same algorithm, same bits):
// best-of-3 seconds each, and the ratio. node --import tsx bench/dev/svd-speed.ts
import * as st from '../../src/index.js';
import { f32SvdJacobiRef } from '../../src/lowrank/svd-ref.js';

await st.init();
for (const [m, n] of [[100, 300], [300, 784], [128, 128]] as const) {
  const a = st.normal([m, n], 0, 0.05, { seed: 1 });
  const values = a.toTypedArray();
  const k = Math.min(m, n);
  const best = (f: () => void) => Math.min(...[0, 1, 2].map(() => { const t0 = performance.now(); f(); return (performance.now() - t0) / 1000; }));
  let sweeps = 0;
  const tKernel = best(() => { const d = st.svd(a); sweeps = d.sweeps; d.u.dispose(); d.s.dispose(); d.vt.dispose(); });
  const tRef = best(() => f32SvdJacobiRef(m, n, values, new Float32Array(m * k), new Float32Array(k), new Float32Array(k * n), 60, 1e-10));
  console.log(`svd ${m}x${n}: ${sweeps} sweeps, kernel ${tKernel.toFixed(3)} s, TS reference ${tRef.toFixed(3)} s, ${(tRef / tKernel).toFixed(2)}× faster (best of 3)`);
  a.dispose();
}
