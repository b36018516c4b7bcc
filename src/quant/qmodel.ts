// A converted (quantized) model: a straight-line plan of ops over two activation buffers that the
// model owns, so a forward pass allocates only its output. f32 in, f32 out; the batch dim is free,
// the per-sample shape is the one seen at calibration.
import { u8View } from '../backend/binding.js';
import { SlimError, invalid, optionsOf } from '../errors.js';
import { Module } from '../nn/module.js';
import { keep } from '../tensor/scope.js';
import { checkShape, numel, shapeString } from '../tensor/shape.js';
import { assertDType, assertTensor, empty, type Tensor } from '../tensor/tensor.js';
import { QOp } from './qops.js';

const align16 = (n: number) => (n + 15) & ~15;

export class QuantizedModel extends Module {
  readonly ops: readonly QOp[];
  /** Per-sample input and output shapes. */
  readonly inShape: readonly number[];
  readonly outShape: readonly number[];
  /** What produced the model (recorded in saved files). */
  readonly info: Record<string, unknown>;
  #arena: Tensor<'u8'> | null = null;
  #lastBatch = 0;
  #last: [number, number, number] = [0, 0, 0];

  constructor(ops: QOp[], inShape: readonly number[], outShape: readonly number[], info: Record<string, unknown> = {}) {
    super();
    const fn = 'QuantizedModel';
    if (!Array.isArray(ops) || ops.some((op) => !(op instanceof QOp))) invalid(fn, 'ops', 'an array of QOp (convert() and loadQuantized() build them)', ops);
    this.ops = ops;
    this.inShape = checkShape(fn, 'inShape', inShape);
    this.outShape = checkShape(fn, 'outShape', outShape);
    this.info = optionsOf(fn, info, 'info');
    this.training = false;
  }

  /** Bytes of the stored weights and quantization parameters (what a saved file holds, less its header). */
  get byteLength(): number {
    return this.ops.reduce((s, op) => s + op.byteLength, 0);
  }

  /** x: f32 [batch, ...inShape] → f32 [batch, ...outShape]. */
  forward(x: Tensor): Tensor<'f32'> {
    const fn = 'QuantizedModel.forward';
    assertTensor(fn, 'x', x);
    assertDType(fn, 'x', x, 'f32');
    if (x.rank !== this.inShape.length + 1 || this.inShape.some((d, i) => d !== x.shape[i + 1])) {
      throw new SlimError('SHAPE_MISMATCH', `${fn}: x must be [batch, ${this.inShape.join(', ')}] (the shape seen at calibration), received ${shapeString(x.shape)}`);
    }
    const m = x.shape[0]!;
    const out = empty(fn, [m, ...this.outShape], 'f32');
    if (m === 0) return out;
    const ops = this.ops;
    if (ops.length === 0) {
      u8View().copyWithin(out.ptr, x.ptr, x.ptr + x.byteLength);
      return out;
    }
    try {
      const [a, b, ws] = this.#buffers(m);
      let src = x.ptr;
      for (let i = 0; i < ops.length; i++) {
        const dst = i === ops.length - 1 ? out.ptr : i & 1 ? b : a;
        ops[i]!.run(m, src, dst, ws);
        src = dst;
      }
    } catch (e) {
      out.dispose(); // an op refused its input (a dynamic layer's non-finite x): no tensor outlives the call
      throw e;
    }
    return out;
  }

  /** Two activation buffers and a workspace for a batch of m, grown on demand and kept. */
  #buffers(m: number): [number, number, number] {
    if (m === this.#lastBatch && this.#arena) return this.#last;
    let act = 0;
    let ws = 0;
    for (const op of this.ops) {
      act = Math.max(act, numel(op.outShape) * (op.outDomain === 'f32' ? 4 : 1));
      ws = Math.max(ws, op.workspaceBytes(m));
    }
    const actBytes = align16(act * m);
    const need = 2 * actBytes + align16(ws) + 16;
    if (this.#arena === null || this.#arena.byteLength < need) {
      this.#arena?.dispose();
      this.#arena = keep(empty('QuantizedModel.forward', [need], 'u8'));
    }
    const base = align16(this.#arena.ptr);
    this.#lastBatch = m;
    return (this.#last = [base, base + actBytes, base + 2 * actBytes]);
  }

  override dispose(): void {
    super.dispose();
    for (const op of this.ops) op.dispose();
    this.#arena?.dispose();
    this.#arena = null;
  }

  /** One line per op: name, kind, domains and shapes. */
  summary(): string {
    return this.ops.map((op) => `${op.name || '(input)'}: ${op.kind} ${op.inDomain}→${op.outDomain} [${op.inShape}]→[${op.outShape}]`).join('\n');
  }
}
