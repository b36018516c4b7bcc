// slimtensor inspect <file.safetensors>: tensors, dtypes, shapes, sparsity and bytes; for a
// quantized model, the op plan from its metadata.
import * as st from '../../index.js';
import { parseArgs } from '../args.js';
import { CliError, oneLine } from '../errors.js';
import { readInput } from '../files.js';
import { fmtBytes } from '../table.js';

/** Zero elements of a tensor's bytes; `nibbles` counts packed int4 values (two per byte). */
function zeros(dtype: st.SafeDType, b: Uint8Array, nibbles: boolean): [number, number] {
  const copy = b.slice();
  const count = (v: ArrayLike<number | bigint>) => { let z = 0; for (let i = 0; i < v.length; i++) z += v[i] == 0 ? 1 : 0; return [z, v.length] as [number, number]; };
  switch (dtype) {
    case 'F32': return count(new Float32Array(copy.buffer));
    case 'F16': case 'BF16': { const v = new Uint16Array(copy.buffer); let z = 0; for (const x of v) z += (x & 0x7fff) === 0 ? 1 : 0; return [z, v.length]; }
    case 'I16': return count(new Int16Array(copy.buffer));
    case 'I32': return count(new Int32Array(copy.buffer));
    case 'I64': return count(new BigInt64Array(copy.buffer));
    default: {
      if (!nibbles) return count(copy);
      let z = 0;
      for (const x of copy) z += ((x & 15) === 0 ? 1 : 0) + ((x >> 4) === 0 ? 1 : 0);
      return [z, 2 * copy.length];
    }
  }
}

interface OpRecord { kind: string; name: string; inShape: number[]; outShape: number[] }

export async function inspect(argv: string[]): Promise<void> {
  const { positionals, options } = parseArgs(argv, { json: 'boolean' }, 'inspect');
  if (positionals.length !== 1) throw new CliError('inspect: usage: slimtensor inspect <file.safetensors>', 2);
  const path = positionals[0]!;
  const bytes = await readInput(path, 'inspect');
  let file: st.SafetensorsFile;
  try {
    file = st.parseSafetensors(bytes);
  } catch (e) {
    if (e instanceof st.SlimError) throw new CliError(`${path} is not a safetensors file: ${oneLine(e.message)}`);
    throw e;
  }
  let quantized: { inShape: number[]; outShape: number[]; info: Record<string, unknown>; ops: OpRecord[] } | null = null;
  if (file.metadata.slimtensor) {
    try {
      quantized = JSON.parse(file.metadata.slimtensor);
    } catch {
      throw new CliError(`${path}: __metadata__["slimtensor"] is not valid JSON`);
    }
  }
  const int4 = new Set((quantized?.ops ?? []).filter((o) => o.kind === 'int4').map((o) => `${o.name}.weight`));
  const tensors = [...file.entries].map(([name, e]) => {
    const [z, n] = zeros(e.dtype, e.bytes, int4.has(name));
    return { name, dtype: int4.has(name) ? 'int4 (U8, 2 per byte)' : e.dtype, shape: e.shape, bytes: e.bytes.length, sparsity: n ? z / n : 0 };
  });
  const total = tensors.reduce((s, t) => s + t.bytes, 0);
  const zeroTotal = tensors.reduce((s, t) => s + t.sparsity * t.bytes, 0);
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify({ command: 'inspect', file: path, fileBytes: bytes.length, tensorBytes: total, tensors, metadata: quantized ? { slimtensor: quantized } : file.metadata })}\n`);
    return;
  }
  const rows = tensors.map((t) => [t.name, t.dtype, `[${t.shape.join(', ')}]`, `${(t.sparsity * 100).toFixed(1)}%`, fmtBytes(t.bytes)]);
  const head = ['tensor', 'dtype', 'shape', 'zeros', 'bytes'];
  const w = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (r: string[]) => r.map((s, c) => (c >= 3 ? s.padStart(w[c]!) : s.padEnd(w[c]!))).join('  ');
  const out = [`${path}: ${tensors.length} tensors, ${fmtBytes(total)} bytes of data, ${fmtBytes(bytes.length)} bytes on disk; ${(100 * zeroTotal / (total || 1)).toFixed(1)}% zeros (byte-weighted)`, '', line(head), ...rows.map(line)];
  if (quantized) {
    const kinds: Record<string, number> = {};
    for (const o of quantized.ops) kinds[o.kind] = (kinds[o.kind] ?? 0) + 1;
    out.push('', `quantized slimtensor model (${String(quantized.info?.method ?? 'unknown method')}): input [${quantized.inShape.join(', ')}] → output [${quantized.outShape.join(', ')}], ${quantized.ops.length} ops (${Object.entries(kinds).map(([k, n]) => `${n} ${k}`).join(', ')})`);
    for (const o of quantized.ops) out.push(`  ${o.name || '(input)'}: ${o.kind} [${o.inShape.join(', ')}] → [${o.outShape.join(', ')}]`);
  } else if (Object.keys(file.metadata).length) {
    out.push('', 'metadata:', ...Object.entries(file.metadata).map(([k, v]) => `  ${k}: ${v.length > 120 ? `${v.slice(0, 117)}...` : v}`));
  }
  process.stdout.write(`${out.join('\n')}\n`);
}
