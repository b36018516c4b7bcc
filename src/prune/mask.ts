import { kernels, scratch, u8View } from '../backend/binding.js';
import { SlimError, invalid } from '../errors.js';
import { fromValues } from '../tensor/create.js';
import { keep } from '../tensor/scope.js';
import { checkShape, shapeString } from '../tensor/shape.js';
import { assertTensor, type Tensor } from '../tensor/tensor.js';

/**
 * The 0/1 mask of one parameter (a u8 tensor of its shape, 1 = kept). Applying it zeroes the masked
 * entries of a tensor in place (to +0, whatever their sign or value).
 */
export class Mask {
  readonly tensor: Tensor<'u8'>;

  /** `param` is the parameter's dotted name (`0.weight`); `values` default to all ones. */
  constructor(readonly param: string, shape: readonly number[], values?: Uint8Array) {
    if (typeof param !== 'string') invalid('Mask', 'param', 'a parameter name', param);
    shape = checkShape('Mask', 'shape', shape);
    if (values !== undefined && !(values instanceof Uint8Array)) invalid('Mask', 'values', 'a Uint8Array of 0/1', values);
    const n = shape.reduce((p, d) => p * d, 1);
    if (values !== undefined && values.length !== n) throw new SlimError('SHAPE_MISMATCH', `Mask: ${values.length} values for '${param}' of shape ${shapeString(shape)}`);
    this.tensor = keep(fromValues('Mask', values?.map((v) => (v ? 1 : 0)) ?? new Uint8Array(n).fill(1), shape.slice(), 'u8'));
  }

  get shape(): readonly number[] { return this.tensor.shape; }
  get size(): number { return this.tensor.size; }

  /** The mask as 0/1 bytes (a copy). */
  values(): Uint8Array { return this.tensor.toTypedArray(); }

  /** Replaces the mask values in place. */
  set(values: Uint8Array): void {
    if (!(values instanceof Uint8Array)) invalid('Mask.set', 'values', 'a Uint8Array of 0/1', values);
    if (values.length !== this.size) throw new SlimError('SHAPE_MISMATCH', `Mask.set: ${values.length} values for '${this.param}' of ${this.size}`);
    u8View().set(values.map((v) => (v ? 1 : 0)), this.tensor.ptr);
  }

  /** Number of pruned (zero) entries. */
  pruned(): number {
    let z = 0;
    for (const b of this.values()) if (b === 0) z++;
    return z;
  }

  /** Zeroes `t`'s entries where the mask is 0, in place (t must be f32 of the mask's shape). */
  apply(t: Tensor): void {
    assertTensor('Mask.apply', 't', t);
    if (t.dtype !== 'f32' || t.size !== this.size) throw new SlimError('SHAPE_MISMATCH', `Mask.apply: '${this.param}' masks ${shapeString(this.shape)} f32, received ${shapeString(t.shape)} ${t.dtype}`);
    const k = kernels();
    const zero = scratch(4 * t.size);
    k.x32_fill(t.size, zero, 0);
    k.f32_vwhere(t.size, this.tensor.ptr, t.ptr, zero, t.ptr);
  }

  dispose(): void { this.tensor.dispose(); }
}
