import { checkCount, invalid, checkPositive } from '../errors.js';
import { uniform, type Rng } from '../tensor/random.js';
import type { Shape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * U(−b, b) with b = gain·√(3/fan_in), gain = √(2/(1+a²)) (He et al. 2015; torch.nn.init.kaiming_uniform_).
 * PyTorch's Linear and Conv weights use a = √5, which gives b = 1/√fan_in.
 */
export function kaimingUniform(shape: Shape, fanIn: number, a = Math.sqrt(5), rng?: Rng): Tensor<'f32'> {
  checkPositive('kaimingUniform', 'fanIn', fanIn);
  if (typeof a !== 'number' || !Number.isFinite(a)) invalid('kaimingUniform', 'a', 'a finite number', a);
  const bound = Math.sqrt(2 / (1 + a * a)) * Math.sqrt(3 / fanIn);
  return uniform(shape, -bound, bound, rng ? { rng } : {});
}

/** U(−1/√fan_in, 1/√fan_in): PyTorch's default bias init for Linear and Conv. */
export function fanInUniform(shape: Shape, fanIn: number, rng?: Rng): Tensor<'f32'> {
  checkCount('fanInUniform', 'fanIn', fanIn);
  const bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : 0;
  return uniform(shape, -bound, bound, rng ? { rng } : {});
}
