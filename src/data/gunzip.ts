// gzip decompression through the web-standard DecompressionStream (Node 18+, Deno, Bun, browsers,
// workerd). Part of the universal entry: no node: imports here; slimtensor/node falls back to zlib.
import { SlimError, invalid } from '../errors.js';
import { isGzip } from './idx.js';

/** Decompresses gzip `bytes` with `DecompressionStream('gzip')`; throws INVALID_ARGUMENT on data that is not valid gzip. */
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const fn = 'gunzip';
  if (!(bytes instanceof Uint8Array)) invalid(fn, 'bytes', 'a Uint8Array', bytes);
  if (!isGzip(bytes)) {
    const head = Array.from(bytes.subarray(0, 2), (b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ');
    invalid(fn, 'bytes', 'gzip data (starting 0x1f 0x8b)', `bytes starting ${head || '(empty)'}`);
  }
  if (typeof DecompressionStream !== 'function') {
    throw new SlimError('INVALID_ARGUMENT', `${fn}: this runtime has no DecompressionStream; in Node import { readIdxFile, fashionMnist } from 'slimtensor/node', which falls back to node:zlib`);
  }
  const stream = new DecompressionStream('gzip');
  const writer = stream.writable.getWriter();
  // Not awaited: the reader below drains the stream, else a large input would block on backpressure.
  const written = writer.write(bytes as Uint8Array<ArrayBuffer>).then(() => writer.close());
  written.catch(() => {});
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    const reader = stream.readable.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      chunks.push(r.value);
      total += r.value.length;
    }
    await written;
  } catch (e) {
    throw new SlimError('INVALID_ARGUMENT', `${fn}: bytes is not valid gzip data (${(e as Error).message}), received ${bytes.length} bytes`);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
