import { SlimError, checkFunction } from '../errors.js';
import { Tensor, assertTensor } from './tensor.js';

/** Open tidy() scopes, innermost last; each lists the tensors created while it was innermost. */
const scopes: Set<Tensor>[] = [];

/** @internal Called for every new tensor: true when a tidy() scope now owns it. */
export function track(t: Tensor): boolean {
  const scope = scopes[scopes.length - 1];
  scope?.add(t);
  return scope !== undefined;
}

/** @internal Called on dispose() and keep(). */
export function untrack(t: Tensor): void {
  for (let i = scopes.length - 1; i >= 0; i--) if (scopes[i]!.delete(t)) return;
}

/** Exempts `t` from disposal by every enclosing tidy() scope; the caller must dispose it. */
export function keep<T extends Tensor>(t: T): T {
  assertTensor('keep', 't', t);
  untrack(t);
  t.watch();
  return t;
}

/**
 * Runs `fn` and disposes every tensor it created, except those it returns (a tensor, or tensors
 * inside the returned arrays and plain objects), which pass to the enclosing scope.
 * If `fn` throws, everything it created is disposed and the error passes through.
 */
export function tidy<T>(fn: () => T): T {
  checkFunction('tidy', 'fn', fn);
  const scope = new Set<Tensor>();
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    scopes.pop();
    for (const t of scope) t.dispose();
    throw e;
  }
  scopes.pop();
  if (result instanceof Promise) {
    for (const t of scope) t.dispose();
    throw new SlimError('INVALID_ARGUMENT', 'tidy: fn must be synchronous, received a function that returned a Promise');
  }
  const kept = new Set<Tensor>();
  collect(result, kept, 0);
  const parent = scopes[scopes.length - 1];
  for (const t of scope) {
    if (!kept.has(t)) t.dispose();
    else if (parent) parent.add(t);
    else t.watch();
  }
  return result;
}

function collect(value: unknown, into: Set<Tensor>, depth: number): void {
  if (value instanceof Tensor) into.add(value);
  else if (depth > 8 || value === null || typeof value !== 'object') return;
  else if (Array.isArray(value)) for (const v of value) collect(v, into, depth + 1);
  else if (Object.getPrototypeOf(value) === Object.prototype || value instanceof Map) {
    for (const v of value instanceof Map ? value.values() : Object.values(value)) collect(v, into, depth + 1);
  }
}
