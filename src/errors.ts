/** Stable error codes: match on `err.code`, never on the message. */
export type ErrorCode =
  | 'SHAPE_MISMATCH'
  | 'DTYPE_MISMATCH'
  | 'DISPOSED'
  | 'NOT_INITIALIZED'
  | 'OUT_OF_MEMORY'
  | 'INVALID_ARGUMENT'
  | 'INVALID_FORMAT'
  | 'INDEX_OUT_OF_RANGE';

/** The one error type slimtensor throws for bad input; `code` is stable across versions. */
export class SlimError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'SlimError';
    this.code = code;
  }
}

/** Formats a received value for an error message: short, never the whole array. */
export function describe(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) {
    return value.length > 8 ? `[${value.slice(0, 8).map(describe).join(', ')}, … (${value.length})]` : `[${value.map(describe).join(', ')}]`;
  }
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<number>).length})`;
  const name = (value as object).constructor?.name;
  return name && name !== 'Object' ? name : typeof value;
}

/** Throws INVALID_ARGUMENT naming `arg`, what was `expected` and what was received. */
export function invalid(fn: string, arg: string, expected: string, received: unknown): never {
  throw new SlimError('INVALID_ARGUMENT', `${fn}: ${arg} must be ${expected}, received ${describe(received)}`);
}
