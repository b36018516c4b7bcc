/// <reference types="node" />
// Reading inputs with one-line errors, and writing outputs atomically (temp file in the same
// directory, then rename), so a failure or Ctrl-C never leaves a partial file.
import { randomBytes } from 'node:crypto';
import { readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CliError } from './errors.js';

/** The bytes of `path`; `what` says which input it is ("model", "--calib"). */
export async function readInput(path: string, what: string): Promise<Uint8Array> {
  try {
    const s = await stat(path);
    if (s.isDirectory()) throw new CliError(`${what}: ${path} is a directory, expected a file`);
    return new Uint8Array(await readFile(path));
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`${what}: ${code === 'ENOENT' ? `no such file ${path}` : `cannot read ${path} (${code ?? (e as Error).message})`}`);
  }
}

/** Writes `data` to `path` through a temp file in the same directory and a rename. */
export async function writeAtomic(path: string, data: Uint8Array | string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(tmp, data);
    await rename(tmp, path);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`cannot write ${path} (${code ?? (e as Error).message})`);
  }
}
