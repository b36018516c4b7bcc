// prune: global magnitude pruning (torch's global_unstructured) of the dense MLP 784-300-100-10 at 50–98%
// sparsity, without and with 3 epochs of fine-tuning (Adam 1e-3, masks attached). Targets: 90% ≥ 87.5%
// and 95% ≥ 85% after fine-tuning.
import * as st from '../../src/index.js';
import { evaluate, modelBytes, report, train, type RunOptions } from './common.js';
import { mlp } from './dense.js';

/**
 * Bytes of the model with every pruned weight matrix in CSR (f32 values + i32 column indices + i32 row
 * pointers: nnz·8 + (rows + 1)·4) and everything else dense f32. Computed: no sparse format on this branch.
 */
export function csrBytes(model: st.Module, masks: Record<string, st.Tensor>): number {
  let bytes = 0;
  for (const [name, t] of Object.entries(model.stateDict())) {
    const mask = masks[st.maskKey(name)];
    if (mask === undefined || t.rank !== 2) bytes += t.byteLength;
    else bytes += (mask.toTypedArray() as Uint8Array).reduce((n, v) => n + v, 0) * 8 + (t.shape[0]! + 1) * 4;
  }
  return bytes;
}

export const CSR_LABEL = 'CSR bytes computed as nnz·(4+4) + (rows+1)·4 per pruned matrix, biases dense f32 (no sparse format on this branch)';

export async function prune(opts: RunOptions): Promise<void> {
  const quick = opts.quick ? { evalLimit: 2000 } : {};
  st.seed(0);
  const dense = mlp();
  const log = (s: string) => !opts.json && console.log(s);
  await train(dense, { epochs: opts.quick ? 1 : 10, ...(opts.quick ? { maxSteps: 300 } : {}), ...quick, onEpoch: (e, a, s) => log(`prune dense epoch ${e}: ${a.toFixed(2)}% ${s.toFixed(1)} s`) });
  const baseline = await evaluate(dense, quick.evalLimit);
  const denseBytes = modelBytes(dense);
  report({ experiment: 'prune', variant: 'dense', accuracy: +baseline.toFixed(2), baseline: +baseline.toFixed(2), bytes: denseBytes, sparsity: 0 }, opts, `prune dense: ${baseline.toFixed(2)}%, ${denseBytes} bytes (f32)`);
  log(`prune: ${CSR_LABEL}`);
  const targets: Record<number, number> = { 0.9: 87.5, 0.95: 85 };
  for (const s of [0.5, 0.8, 0.9, 0.95, 0.98]) {
    const model = mlp();
    model.loadStateDict(dense.stateDict());
    const pruner = new st.Pruner(model).magnitude(s, { scope: 'global' });
    const sparsity = pruner.stats().sparsity;
    const bytes = csrBytes(model, pruner.entries());
    const pct = `${+(s * 100).toFixed(0)}%`;
    for (const fineTune of [false, true]) {
      if (fineTune) await train(model, { epochs: opts.quick ? 1 : 3, ...(opts.quick ? { maxSteps: 100 } : {}), ...quick, seed: 1, onOptimizer: (opt) => pruner.attach(opt) });
      const accuracy = await evaluate(model, quick.evalLimit);
      const variant = `global-magnitude-${pct}${fineTune ? '-finetune-3ep' : '-no-finetune'}`;
      const target = fineTune && targets[s] ? ` (target ≥ ${targets[s]}%)` : '';
      report(
        { experiment: 'prune', variant, accuracy: +accuracy.toFixed(2), baseline: +baseline.toFixed(2), bytes, sparsity: +sparsity.toFixed(4), denseBytes, bytesKind: 'csr-computed' },
        opts,
        `prune ${variant}: ${accuracy.toFixed(2)}%${target}, dense ${baseline.toFixed(2)}%, weight sparsity ${(100 * sparsity).toFixed(2)}%, ${bytes} CSR bytes (computed) vs ${denseBytes} dense f32${opts.quick ? ', quick run: not comparable' : ''}`,
      );
    }
    pruner.dispose();
    model.dispose();
  }
  dense.dispose();
}
