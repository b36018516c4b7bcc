/**
 * Minimal protobuf writer + one-node ONNX model builders (in-memory ModelProto bytes).
 *
 * Only what the peer benchmarks need: varints, length-delimited fields (strings, bytes,
 * sub-messages), packed repeated varints and raw tensor data. Field numbers follow onnx.proto
 * (proto2 syntax; repeated scalars are written unpacked, which every parser accepts).
 */

// ---------------------------------------------------------------------------------------------
// Protobuf wire format
// ---------------------------------------------------------------------------------------------

const WIRE_VARINT = 0;
const WIRE_LEN = 2;

const utf8 = new TextEncoder();

export class PbWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  private reserve(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  /** Raw varint. Numbers must be integers; negatives are encoded as 64-bit two's complement (10 bytes). */
  varint(value: number | bigint): this {
    if (typeof value === 'number') {
      if (!Number.isInteger(value)) throw new RangeError(`varint: not an integer: ${value}`);
      if (value >= 0 && value < 0x80000000) {
        let v = value;
        while (v > 0x7f) {
          this.byte((v & 0x7f) | 0x80);
          v >>>= 7;
        }
        this.byte(v);
        return this;
      }
      value = BigInt(value);
    }
    let v = BigInt.asUintN(64, value);
    while (v > 0x7fn) {
      this.byte(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.byte(Number(v));
    return this;
  }

  tag(field: number, wire: number): this {
    return this.varint((field << 3) | wire);
  }

  raw(bytes: Uint8Array): this {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return this;
  }

  /** int32 / int64 / uint64 / enum / bool field. */
  int(field: number, value: number | bigint): this {
    return this.tag(field, WIRE_VARINT).varint(value);
  }

  bytes(field: number, data: Uint8Array): this {
    return this.tag(field, WIRE_LEN).varint(data.length).raw(data);
  }

  string(field: number, s: string): this {
    return this.bytes(field, utf8.encode(s));
  }

  /** Embedded message: `build` writes the sub-message into a fresh writer. */
  message(field: number, build: (w: PbWriter) => void): this {
    const sub = new PbWriter();
    build(sub);
    return this.bytes(field, sub.finish());
  }

  /** Packed repeated varint field (e.g. `repeated int64 x = N [packed = true]`). */
  packedInts(field: number, values: ArrayLike<number | bigint>): this {
    const sub = new PbWriter();
    for (let i = 0; i < values.length; i++) sub.varint(values[i]!);
    return this.bytes(field, sub.finish());
  }

  /** Unpacked repeated varint field (one tag per element). */
  repeatedInts(field: number, values: ArrayLike<number | bigint>): this {
    for (let i = 0; i < values.length; i++) this.int(field, values[i]!);
    return this;
  }

  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

// ---------------------------------------------------------------------------------------------
// ONNX schema (subset of onnx.proto)
// ---------------------------------------------------------------------------------------------

/** TensorProto.DataType */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT32: 6,
  INT64: 7,
} as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

const Model = { ir_version: 1, producer_name: 2, producer_version: 3, graph: 7, opset_import: 8 } as const;
const OpsetId = { domain: 1, version: 2 } as const;
const Graph = { node: 1, name: 2, initializer: 5, input: 11, output: 12 } as const;
const Node = { input: 1, output: 2, name: 3, op_type: 4 } as const;
const Tensor = { dims: 1, data_type: 2, name: 8, raw_data: 9 } as const;
const ValueInfo = { name: 1, type: 2 } as const;
const TypeProto = { tensor_type: 1 } as const;
const TypeTensor = { elem_type: 1, shape: 2 } as const;
const Shape = { dim: 1 } as const;
const Dim = { dim_value: 1, dim_param: 2 } as const;

export const IR_VERSION = 8;
export const OPSET = 13;

/** A dimension: a fixed size or a symbolic name (dynamic). */
export type DimSpec = number | string;

export interface Initializer {
  name: string;
  dataType: DataTypeCode;
  dims: number[];
  /** Little-endian element bytes (raw_data). */
  data: ArrayBufferView;
}

export interface ValueInfoSpec {
  name: string;
  elemType: DataTypeCode;
  shape: DimSpec[];
}

export interface OneNodeModelSpec {
  opType: string;
  /** Node input names in operator order ('' = omitted optional input). */
  nodeInputs: string[];
  nodeOutputs: string[];
  graphInputs: ValueInfoSpec[];
  graphOutputs: ValueInfoSpec[];
  initializers: Initializer[];
  opset?: number;
}

function viewBytes(v: ArrayBufferView): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

function writeTensor(w: PbWriter, t: Initializer): void {
  w.repeatedInts(Tensor.dims, t.dims);
  w.int(Tensor.data_type, t.dataType);
  w.string(Tensor.name, t.name);
  w.bytes(Tensor.raw_data, viewBytes(t.data)); // host is little-endian (x86/ARM), as raw_data requires
}

function writeValueInfo(w: PbWriter, v: ValueInfoSpec): void {
  w.string(ValueInfo.name, v.name);
  w.message(ValueInfo.type, (tp) =>
    tp.message(TypeProto.tensor_type, (tt) => {
      tt.int(TypeTensor.elem_type, v.elemType);
      tt.message(TypeTensor.shape, (sh) => {
        for (const d of v.shape) {
          sh.message(Shape.dim, (dm) => {
            if (typeof d === 'number') dm.int(Dim.dim_value, d);
            else dm.string(Dim.dim_param, d);
          });
        }
      });
    }),
  );
}

/** Serialize a ModelProto holding a graph with exactly one node. */
export function oneNodeModel(spec: OneNodeModelSpec): Uint8Array {
  const w = new PbWriter();
  w.int(Model.ir_version, IR_VERSION);
  w.message(Model.opset_import, (o) => {
    o.string(OpsetId.domain, ''); // default ai.onnx domain
    o.int(OpsetId.version, spec.opset ?? OPSET);
  });
  w.string(Model.producer_name, 'slimtensor-bench');
  w.string(Model.producer_version, '0');
  w.message(Model.graph, (g) => {
    g.message(Graph.node, (nd) => {
      for (const i of spec.nodeInputs) nd.string(Node.input, i);
      for (const o of spec.nodeOutputs) nd.string(Node.output, o);
      nd.string(Node.name, spec.opType.toLowerCase() + '0');
      nd.string(Node.op_type, spec.opType);
    });
    g.string(Graph.name, spec.opType.toLowerCase());
    for (const t of spec.initializers) g.message(Graph.initializer, (tw) => writeTensor(tw, t));
    for (const v of spec.graphInputs) g.message(Graph.input, (vw) => writeValueInfo(vw, v));
    for (const v of spec.graphOutputs) g.message(Graph.output, (vw) => writeValueInfo(vw, v));
  });
  return w.finish();
}

// ---------------------------------------------------------------------------------------------
// One-node model builders. Input is always named 'A', output 'C'.
// ---------------------------------------------------------------------------------------------

/** Rows of A: a fixed size, or omitted for a dynamic dimension named 'M'. */
function rows(m: number | undefined): DimSpec {
  return m === undefined ? 'M' : m;
}

function checkB(k: number, n: number, b: ArrayLike<number>): void {
  if (b.length !== k * n) throw new RangeError(`B has ${b.length} elements, expected k*n = ${k * n}`);
}

/** C[m,n] = A[m,k] · B[k,n]; A float input, B float initializer (row-major). */
export function matMulModel(k: number, n: number, b: Float32Array, m?: number): Uint8Array {
  checkB(k, n, b);
  return oneNodeModel({
    opType: 'MatMul',
    nodeInputs: ['A', 'B'],
    nodeOutputs: ['C'],
    graphInputs: [{ name: 'A', elemType: DataType.FLOAT, shape: [rows(m), k] }],
    graphOutputs: [{ name: 'C', elemType: DataType.FLOAT, shape: [rows(m), n] }],
    initializers: [{ name: 'B', dataType: DataType.FLOAT, dims: [k, n], data: b }],
  });
}

/**
 * C[m,n] (int32) = (A - aZero)[m,k] · (B - bZero)[k,n]; A uint8 input, B int8 initializer,
 * scalar zero points as initializers (aZero u8, bZero i8).
 */
export function matMulIntegerModel(
  k: number,
  n: number,
  b: Int8Array,
  aZeroPoint: number,
  bZeroPoint: number,
  m?: number,
): Uint8Array {
  checkB(k, n, b);
  return oneNodeModel({
    opType: 'MatMulInteger',
    nodeInputs: ['A', 'B', 'a_zero_point', 'b_zero_point'],
    nodeOutputs: ['C'],
    graphInputs: [{ name: 'A', elemType: DataType.UINT8, shape: [rows(m), k] }],
    graphOutputs: [{ name: 'C', elemType: DataType.INT32, shape: [rows(m), n] }],
    initializers: [
      { name: 'B', dataType: DataType.INT8, dims: [k, n], data: b },
      { name: 'a_zero_point', dataType: DataType.UINT8, dims: [], data: Uint8Array.of(aZeroPoint) },
      { name: 'b_zero_point', dataType: DataType.INT8, dims: [], data: Int8Array.of(bZeroPoint) },
    ],
  });
}

/**
 * C[m,n] (int32) = (A - aZero)[m,k] · (B - bZero)[k,n] with A int8 input, B int8 initializer.
 * Zero points are omitted (= 0) unless given.
 */
export function matMulIntegerS8Model(
  k: number,
  n: number,
  b: Int8Array,
  m?: number,
  aZeroPoint?: number,
  bZeroPoint?: number,
): Uint8Array {
  checkB(k, n, b);
  const initializers: Initializer[] = [{ name: 'B', dataType: DataType.INT8, dims: [k, n], data: b }];
  const inputs = ['A', 'B'];
  if (aZeroPoint !== undefined || bZeroPoint !== undefined) {
    initializers.push({ name: 'a_zero_point', dataType: DataType.INT8, dims: [], data: Int8Array.of(aZeroPoint ?? 0) });
    initializers.push({ name: 'b_zero_point', dataType: DataType.INT8, dims: [], data: Int8Array.of(bZeroPoint ?? 0) });
    inputs.push('a_zero_point', 'b_zero_point');
  }
  return oneNodeModel({
    opType: 'MatMulInteger',
    nodeInputs: inputs,
    nodeOutputs: ['C'],
    graphInputs: [{ name: 'A', elemType: DataType.INT8, shape: [rows(m), k] }],
    graphOutputs: [{ name: 'C', elemType: DataType.INT32, shape: [rows(m), n] }],
    initializers,
  });
}
