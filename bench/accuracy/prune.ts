// prune: global magnitude pruning (torch's global_unstructured) of the dense MLP 784-300-100-10 at 50–98%
// sparsity, without and with 3 epochs of fine-tuning (Adam 1e-3, masks attached). Targets: 90% ≥ 87.5%
// and 95% ≥ 85% after fine-tuning. Then global 1×4 block pruning (Pruner.block) at 90% and 95% of the
// blocks, the same way: what blocks cost in accuracy, and what BSR buys in speed. Speed-ups are batch-1,
// against the dense model run the fastest way we have (st.sparsify of it: packed dense GEMVs).
import * as st from '../../src/index.js';
import { evaluate, modelBytes, report, train, type RunOptions } from './common.js';
import { mlp } from './dense.js';

/**
 * Stored bytes of the model with every pruned weight matrix in CSR as sparsify() stores it (f32 values,
 * u16 column indices, i32 row pointers: nnz·6 + (rows + 1)·4), everything else dense f32; computed from
 * the masks (for models whose weights are not the masked ones, e.g. the lottery's rewound tickets).
 */
export function csrBytes(model: st.Module, masks: Record<string, st.Tensor>): number {
  let bytes = 0;
  for (const [name, t] of Object.entries(model.stateDict())) {
    const mask = masks[st.maskKey(name)];
    if (mask === undefined || t.rank !== 2) bytes += t.byteLength;
    else bytes += (mask.toTypedArray() as Uint8Array).reduce((n, v) => n + v, 0) * (t.shape[1]! <= 65536 ? 6 : 8) + (t.shape[0]! + 1) * 4;
  }
  return bytes;
}

export const CSR_LABEL = 'bytes: CSR (f32 values, u16 column indices, i32 row pointers: nnz·6 + (rows+1)·4) per pruned matrix, biases dense f32, computed from the masks';

/** The pruned model's sparse file (st.sparsify: each Linear in its fastest format) and its batch-1 speed against the dense model's. */
function sparseFile(model: st.Module, denseModel: st.Module): { bytes: number; formats: string; speedup: number } {
  const sm = st.sparsify(model);
  const dense = st.sparsify(denseModel);
  try {
    const x = st.keep(st.uniform([1, 784], 0, 1, { seed: 5 }));
    const time = (m: st.Module) => {
      const t0 = performance.now();
      for (let i = 0; i < 200; i++) st.tidy(() => { st.noGrad(() => m.forward(x)).toTypedArray(); });
      return performance.now() - t0;
    };
    time(sm);
    time(dense);
    // The two in turn, the median of the per-round ratios (the machine is shared and noisy).
    const ratios = Array.from({ length: 15 }, () => time(dense) / time(sm)).sort((a, b) => a - b);
    const speedup = ratios[7]!;
    x.dispose();
    return { bytes: sm.save().length, formats: Object.values(sm.formats()).join('/'), speedup };
  } finally {
    sm.dispose();
    dense.dispose();
  }
}

export async function prune(opts: RunOptions): Promise<void> {
  const quick = opts.quick ? { evalLimit: 2000 } : {};
  st.seed(0);
  const dense = mlp();
  const log = (s: string) => !opts.json && console.log(s);
  await train(dense, { epochs: opts.quick ? 1 : 10, ...(opts.quick ? { maxSteps: 300 } : {}), ...quick, onEpoch: (e, a, s) => log(`prune dense epoch ${e}: ${a.toFixed(2)}% ${s.toFixed(1)} s`) });
  const baseline = await evaluate(dense, quick.evalLimit);
  const denseBytes = st.saveSafetensors(dense.stateDict()).length; // the dense file, as the sparse ones are files
  report({ experiment: 'prune', variant: 'dense', accuracy: +baseline.toFixed(2), baseline: +baseline.toFixed(2), bytes: denseBytes, sparsity: 0 }, opts, `prune dense: ${baseline.toFixed(2)}%, ${denseBytes} bytes (f32 safetensors file)`);
  const targets: Record<number, number> = { 0.9: 87.5, 0.95: 85 };
  // One pruned copy of the dense model per (criterion, sparsity): evaluated as pruned, then after fine-tuning.
  const run = async (label: string, s: number, pruneFn: (p: st.Pruner) => st.Pruner, target?: number) => {
    const model = mlp();
    model.loadStateDict(dense.stateDict());
    const pruner = pruneFn(new st.Pruner(model));
    const sparsity = pruner.stats().sparsity;
    const pct = `${+(s * 100).toFixed(0)}%`;
    for (const fineTune of [false, true]) {
      if (fineTune) await train(model, { epochs: opts.quick ? 1 : 3, ...(opts.quick ? { maxSteps: 100 } : {}), ...quick, seed: 1, onOptimizer: (opt) => pruner.attach(opt) });
      const accuracy = await evaluate(model, quick.evalLimit);
      const { bytes, formats, speedup } = sparseFile(model, dense);
      const variant = `${label}-${pct}${fineTune ? '-finetune-3ep' : '-no-finetune'}`;
      const goal = fineTune && target ? ` (target ≥ ${target}%)` : '';
      report(
        { experiment: 'prune', variant, accuracy: +accuracy.toFixed(2), baseline: +baseline.toFixed(2), bytes, sparsity: +sparsity.toFixed(4), denseBytes, formats, batch1Speedup: +speedup.toFixed(2) },
        opts,
        `prune ${variant}: ${accuracy.toFixed(2)}%${goal}, dense ${baseline.toFixed(2)}%, weight sparsity ${(100 * sparsity).toFixed(2)}%, sparse file ${bytes} bytes (${formats}) vs ${denseBytes} dense f32, batch-1 ${speedup.toFixed(2)}× dense${opts.quick ? ', quick run: not comparable' : ''}`,
      );
    }
    pruner.dispose();
    model.dispose();
  };
  for (const s of [0.5, 0.8, 0.9, 0.95, 0.98]) await run('global-magnitude', s, (p) => p.magnitude(s, { scope: 'global' }), targets[s]);
  for (const s of [0.9, 0.95]) await run('global-block1x4', s, (p) => p.block(s, { scope: 'global' }));
  dense.dispose();
}
