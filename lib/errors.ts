/**
 * Errors raised by minidl.
 *
 * Every message names who complains, what was expected and what came, e.g.
 *   `Linear(2→25).forward: input has shape [10,3], expected [N,2]`
 * A container re-throws the error of a child with the child's position in front:
 *   `Sequential[4] Linear(25→25).backward: gradOut has shape [10,24], expected [10,25]`
 */
export class MinidlError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message);
    this.name = 'MinidlError';
    if (options && options.cause !== undefined) {
      (this as { cause?: unknown }).cause = options.cause;
    }
  }
}

/** `[10,25]` — how shapes are written in every message. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** True when two shapes have the same number of axes and the same size on each. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Throws unless `value` is a finite number strictly greater than 0 (or ≥ 0 when `allowZero`). */
export function checkPositive(who: string, name: string, value: unknown, allowZero = false): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && (allowZero ? value >= 0 : value > 0);
  if (!ok) {
    throw new MinidlError(`${who}: ${name} must be a finite number ${allowZero ? '≥ 0' : '> 0'}, got ${String(value)}`);
  }
  return value as number;
}

/** Throws unless `value` is an integer ≥ `min`. */
export function checkInteger(who: string, name: string, value: unknown, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new MinidlError(`${who}: ${name} must be an integer ≥ ${min}, got ${String(value)}`);
  }
  return value;
}

/** Throws unless `value` is a finite number in the interval [lo, hi) (or [lo, hi] when `closed`). */
export function checkInRange(who: string, name: string, value: unknown, lo: number, hi: number, closed = false): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= lo && (closed ? value <= hi : value < hi);
  if (!ok) {
    throw new MinidlError(`${who}: ${name} must be in [${lo}, ${hi}${closed ? ']' : ')'}, got ${String(value)}`);
  }
  return value as number;
}
