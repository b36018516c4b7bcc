// Binarization with straight-through estimators: BinaryConnect (Courbariaux et al. 2015) and the
// scaled weights and binary activations of XNOR-Net (Rastegari et al. 2016).
// sign(x) = −1 where x < 0, else +1: sign(0) = sign(−0) = +1 (and NaN → +1), as the packed bits
// of f32_b1_pack, so training and the 1-bit kernels agree on every value.
import { customGrad } from '../autograd/backward.js';
import { noGrad } from '../autograd/tape.js';
import { SlimError } from '../errors.js';
import { abs, add, less, lessEqual, mul, where } from '../ops/elementwise.js';
import { mean } from '../ops/reduce.js';
import { shapeString } from '../tensor/shape.js';
import { assertDType, assertTensor, type Tensor } from '../tensor/tensor.js';

/** How α is shared: one per output row ('channel', XNOR-Net), one per tensor, or none (α = 1, plain BinaryConnect). */
export type BinaryScale = 'channel' | 'tensor' | 'none';

/** sign(x) ∈ {−1, +1} (sign(0) = +1), with the hard-tanh straight-through gradient ∂/∂x = 1 where |x| ≤ 1, else 0. */
export function signSte(x: Tensor): Tensor {
  assertTensor('signSte', 'x', x);
  assertDType('signSte', 'x', x, 'f32');
  return customGrad([x], (v) => where(less(v!, 0), -1, 1), (gy, _y, [v]) => [where(lessEqual(abs(v!), 1), gy, 0)]);
}

/** α of W [out, in] without gradient: mean|W| per row ([out, 1]), over the tensor ([1, 1]), or null for 'none'. */
export function binaryScale(w: Tensor, scale: BinaryScale = 'channel'): Tensor | null {
  if (scale === 'none') return null;
  return noGrad(() => (scale === 'channel' ? mean(abs(w), 1, true) : mean(mean(abs(w), 1, true), 0, true)));
}

/**
 * Ŵ = α·sign(W) for W [out, in], α = mean|W| (per row or tensor, a constant in the forward pass). The
 * gradient is XNOR-Net's: ∂C/∂W = ∂C/∂Ŵ·(α·1{|W| ≤ 1} + 1/n), n the weights per α; with scale 'none'
 * it is BinaryConnect's ∂C/∂Ŵ·1{|W| ≤ 1}.
 */
export function binarizeWeight(w: Tensor, scale: BinaryScale = 'channel'): Tensor {
  const fn = 'binarizeWeight';
  assertTensor(fn, 'w', w);
  assertDType(fn, 'w', w, 'f32');
  if (w.rank !== 2) throw new SlimError('SHAPE_MISMATCH', `${fn}: w must be [out, in], received ${shapeString(w.shape)}`);
  if (scale !== 'channel' && scale !== 'tensor' && scale !== 'none') throw new SlimError('INVALID_ARGUMENT', `${fn}: scale must be 'channel', 'tensor' or 'none', received ${String(scale)}`);
  const alpha = binaryScale(w, scale);
  const perAlpha = scale === 'channel' ? w.shape[1]! : w.size;
  return customGrad(
    [w],
    (v) => (alpha ? mul(where(less(v!, 0), -1, 1), alpha) : where(less(v!, 0), -1, 1)),
    (gy, _y, [v]) => {
      const inside = lessEqual(abs(v!), 1);
      if (!alpha) return [where(inside, gy, 0)];
      const g = mul(gy, 1 / perAlpha);
      return [where(inside, add(mul(gy, alpha), g), g)];
    },
  );
}
