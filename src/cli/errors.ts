/// <reference types="node" />
// CLI failures: one line on stderr and an exit code, never a stack trace.
import { SlimError } from '../errors.js';

/** A user-facing failure: `message` is printed as is; 2 = usage error, 1 = bad input. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
    this.name = 'CliError';
  }
}

/** Thrown at the next step boundary after Ctrl-C. */
export class Interrupted extends Error {
  constructor() {
    super('interrupted');
    this.name = 'Interrupted';
  }
}

/** Runs `fn`, turning a SlimError into a CliError prefixed with `what` (the file or option at fault). */
export async function blame<T>(what: string, fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof SlimError) throw new CliError(`${what}: ${oneLine(e.message)}`);
    throw e;
  }
}

/** Collapses a multi-line message into one line. */
export const oneLine = (s: string): string => s.split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
