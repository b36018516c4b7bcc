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

/** @internal `value` as an options object: undefined → {}, an object → itself, anything else INVALID_ARGUMENT. */
export function optionsOf<T extends object>(fn: string, value: T | undefined, arg = 'options'): T {
  if (value === undefined) return {} as T;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) invalid(fn, arg, 'an object', value);
  return value;
}

/** @internal Throws INVALID_ARGUMENT unless `value` is a function. */
export function checkFunction(fn: string, arg: string, value: unknown): asserts value is (...args: never[]) => unknown {
  if (typeof value !== 'function') invalid(fn, arg, 'a function', value);
}

/** @internal `value` as a count: a non-negative safe integer, else INVALID_ARGUMENT. */
export function checkCount(fn: string, arg: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) invalid(fn, arg, 'a non-negative integer', value);
  return value;
}

/** @internal `value` as a size that must not be 0: a positive safe integer, else INVALID_ARGUMENT. */
export function checkPositive(fn: string, arg: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) invalid(fn, arg, 'a positive integer', value);
  return value;
}

/** @internal Throws INVALID_ARGUMENT unless `value` is an instance of `type` (named `what` in the message). */
export function checkInstance<T>(fn: string, arg: string, value: unknown, type: abstract new (...args: never[]) => T, what: string): asserts value is T {
  if (!(value instanceof type)) invalid(fn, arg, what, value);
}

/** @internal Throws INVALID_ARGUMENT unless `value` is a number (NaN and ±Inf pass: callers decide). */
export function checkNumber(fn: string, arg: string, value: unknown): number {
  if (typeof value !== 'number') invalid(fn, arg, 'a number', value);
  return value;
}
