// A fixed program over every kernel family, hashed: the determinism check. Runtime-neutral (no
// node: imports, takes the library as an argument) so the same file runs in every runtime.
import type * as Slim from '../src/index.js';

const FNV_OFFSET = 0x811c9dc5;

/** FNV-1a over the bytes of a typed array, with every NaN canonicalized to 0x7fc00000. */
function hashInto(h: number, data: Float32Array | Int32Array | Uint8Array | Int8Array): number {
  let bytes: Uint8Array;
  if (data instanceof Float32Array) {
    const u = new Uint32Array(data.length);
    const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
    for (let i = 0; i < data.length; i++) u[i] = data[i] !== data[i] ? 0x7fc00000 : bits[i]!;
    bytes = new Uint8Array(u.buffer);
  } else {
    bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193) >>> 0;
  return h;
}

/** Runs the program; returns one hash per step and their combination. */
export function conformanceProgram(st: typeof Slim): { steps: Record<string, string>; hash: string } {
  const steps: Record<string, string> = {};
  st.tidy(() => {
    const record = (name: string, ...ts: Slim.Tensor[]) => {
      let h = FNV_OFFSET;
      for (const t of ts) h = hashInto(h, t.toTypedArray());
      steps[name] = h.toString(16).padStart(8, '0');
    };
    const x = st.normal([37, 53], 0, 3, { seed: 1 });
    const y = st.uniform([53], -2, 2, { seed: 2 });
    const specials = st.tensor([0, -0, 1e-40, -1e-45, 3e38, -3e38, NaN, Infinity, -Infinity, 88.7, -103, 0.5]);
    record('random', x, y);
    record('binary', st.add(x, y), st.sub(y, x), st.mul(x, y), st.div(x, y), st.maximum(x, y), st.minimum(x, 0.5));
    for (const [name, op] of [['exp', st.exp], ['log', st.log], ['tanh', st.tanh], ['sigmoid', st.sigmoid], ['gelu', st.gelu], ['erf', st.erf], ['sqrt', st.sqrt]] as const) {
      record(name, op(x), op(specials), op(st.abs(x)));
    }
    record('unary', st.neg(x), st.abs(x), st.relu(x), st.clamp(x, -1, 1), st.affine(x, 0.3, -2));
    record('compare', st.greater(x, y), st.equal(x, x), st.where(st.less(x, 0), x, y));
    record('reduce', st.sum(x), st.sum(x, 0), st.mean(x, 1, true), st.max(x, 0), st.min(x, 1), st.argmax(x, 1), st.argmin(x, 0));
    record('softmax', st.softmax(x), st.logSoftmax(x), st.softmax(st.mul(x, 30)));
    record('layout', st.transpose(st.reshape(x, [37, 1, 53])), st.slice(x, 1, 5, 40), st.concat([x, x], 0), st.gather(x, st.tensor([3, 0, 36], undefined, 'i32')), st.broadcastTo(y, [2, 53]));
    record('cast', st.cast(st.mul(x, 40), 'i8'), st.cast(st.mul(x, 40), 'u8'), st.cast(st.cast(st.mul(x, 1000), 'i32'), 'f32'));
    const w = st.normal([29, 53], 0, 0.2, { seed: 3 });
    record('matmul', st.matmul(x, w, false, true), st.matmul(x, x, true, false), st.linear(x, w, st.uniform([29], -1, 1, { seed: 4 }), 'relu'), st.linear(st.slice(x, 0, 0, 1), w));
    const big = st.normal([67, 300], 0, 1, { seed: 5 });
    record('gemm-large', st.matmul(big, big, false, true), st.matmul(st.reshape(big, [67, 20, 15]), st.normal([15, 9], 0, 1, { seed: 6 })));
  });
  let h = FNV_OFFSET;
  for (const [name, v] of Object.entries(steps)) h = hashInto(h, new TextEncoder().encode(`${name}=${v};`));
  return { steps, hash: h.toString(16).padStart(8, '0') };
}
