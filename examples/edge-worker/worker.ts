// A Cloudflare Worker that classifies one Fashion-MNIST-sized input (784 values) with an int8 model
// embedded in the worker. POST / with a JSON body ({ "input": [784 numbers in 0..1] } or the bare
// array) or raw bytes (784 u8 pixels, scaled by 1/255 like the training data, or 3136 bytes of
// little-endian f32). The answer: { class, label, logits, bits } (bits: the f32 logits in hex).
// The model and the kernels arrive as module bindings (config.capnp): workerd refuses to compile
// wasm from bytes, so the kernels come precompiled and bind through init({ module }).
import * as st from '../../src/index.js';
import wasm from './slimtensor.wasm';
import modelBytes from './model.int8.safetensors';

const LABELS = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const PIXELS = 784;
const INV255 = Math.fround(1 / 255); // as DataLoader: f32(v) · f32(1/255)

let model: st.QuantizedModel | null = null;
async function load(): Promise<st.QuantizedModel> {
  if (model) return model;
  await st.init({ module: wasm });
  model = st.loadQuantized(new Uint8Array(modelBytes));
  return model;
}

/** The request body as 784 f32 values, or an error message. */
async function input(req: Request): Promise<Float32Array | string> {
  if ((req.headers.get('content-type') ?? '').includes('json')) {
    let body: unknown;
    try {
      body = await req.json();
    } catch {
      return 'the body is not valid JSON';
    }
    const values = Array.isArray(body) ? body : (body as { input?: unknown })?.input;
    if (!Array.isArray(values) || values.length !== PIXELS || !values.every((v) => typeof v === 'number' && Number.isFinite(v))) return `expected ${PIXELS} finite numbers (a JSON array or { "input": [...] })`;
    return Float32Array.from(values as number[]);
  }
  const bytes = new Uint8Array(await req.arrayBuffer());
  if (bytes.length === PIXELS) return Float32Array.from(bytes, (v) => v * INV255);
  if (bytes.length === PIXELS * 4) return new Float32Array(bytes.buffer, bytes.byteOffset, PIXELS).slice();
  return `expected ${PIXELS} u8 pixels or ${PIXELS * 4} bytes of f32 (little-endian), received ${bytes.length} bytes`;
}

const json = (value: unknown, status = 200) => new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });

export default {
  async fetch(req: Request): Promise<Response> {
    if (req.method !== 'POST') return json({ error: `POST ${PIXELS} pixels (JSON or raw bytes) to classify them` }, 405);
    const x = await input(req);
    if (typeof x === 'string') return json({ error: x }, 400);
    const m = await load();
    const logits = st.tidy(() => st.noGrad(() => m.forward(st.tensor(x, [1, PIXELS])).toTypedArray()));
    let best = 0;
    for (let i = 1; i < logits.length; i++) if (logits[i]! > logits[best]!) best = i;
    const bits = Array.from(new Uint32Array(logits.buffer, logits.byteOffset, logits.length), (b) => b.toString(16).padStart(8, '0')).join('');
    return json({ class: best, label: LABELS[best], logits: Array.from(logits), bits });
  },
};
