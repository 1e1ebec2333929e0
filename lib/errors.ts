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

/** `[10,25]` — how shapes are written in every message (`input has shape [10,3], expected [N,2]`). */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** True when two shapes have the same number of axes and the same size on each. */
export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * What a value is, for the "got …" part of a message: `number 0.1`, `string 'no'`, `null`,
 * `undefined`, `an array [1,2]` (its JSON, cut to 40 characters), `a function`, `bigint 3n`,
 * `a CrossEntropyLoss` (an object by its class), `an Object`. Never throws.
 */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return `an array ${arrayText(value)}`;
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'string') return `string '${value}'`;
  if (typeof value === 'bigint') return `bigint ${String(value)}n`;
  if (typeof value !== 'object') return `${typeof value} ${String(value)}`;
  const name = (value as object).constructor?.name ?? 'Object';
  return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
}

/** An array's JSON, cut to 40 characters: `[0.9,0.99,0.5]`. */
function arrayText(value: unknown[]): string {
  let text: string;
  try {
    text = JSON.stringify(value);
  } catch {
    return `of length ${value.length}`;
  }
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

/** A value as JSON for a message (`{"kind":"he"}`), or its description when it has none (undefined, a bigint, a cycle). */
export function jsonOrDescription(value: unknown): string {
  try {
    return JSON.stringify(value) ?? describeValue(value);
  } catch {
    return describeValue(value);
  }
}

/** How a message shows a value that came: a number as itself (`-1`, `NaN`), anything else described (`string '2'`). */
function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : describeValue(value);
}

/**
 * Returns `value` when it is a finite number strictly greater than 0 (or ≥ 0 when `allowZero`);
 * throws a MinidlError otherwise, with `who` and `name` as the start of the message:
 * `SGD: lr must be a finite number ≥ 0, got -1` (SGD allows zero).
 */
export function checkPositive(who: string, name: string, value: unknown, allowZero = false): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && (allowZero ? value >= 0 : value > 0);
  if (!ok) {
    throw new MinidlError(`${who}: ${name} must be a finite number ${allowZero ? '≥ 0' : '> 0'}, got ${shown(value)}`);
  }
  return value as number;
}

/**
 * Returns `value` when it is an integer ≥ `min` (default 1); throws a MinidlError otherwise:
 * `runConfig: option 'epochs' must be an integer ≥ 1, got 0`, with `who` and `name` as the
 * start of the message.
 */
export function checkInteger(who: string, name: string, value: unknown, min = 1): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw new MinidlError(`${who}: ${name} must be an integer ≥ ${min}, got ${shown(value)}`);
  }
  return value;
}

/**
 * Returns `value` when it is a finite number in the interval [lo, hi) (or [lo, hi] when
 * `closed`); throws a MinidlError otherwise, with `who` and `name` as the start of the message:
 * `Adam: betas[0] must be in [0, 1), got 1`.
 */
export function checkInRange(who: string, name: string, value: unknown, lo: number, hi: number, closed = false): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && value >= lo && (closed ? value <= hi : value < hi);
  if (!ok) {
    throw new MinidlError(`${who}: ${name} must be in [${lo}, ${hi}${closed ? ']' : ')'}, got ${shown(value)}`);
  }
  return value as number;
}

/**
 * Returns `value` when it is a finite number (any sign); throws a MinidlError for NaN, ±Infinity
 * and non-numbers: `LeakyReLU: negativeSlope must be a finite number, got NaN`, with `who` and
 * `name` as the start of the message.
 */
export function checkFinite(who: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new MinidlError(`${who}: ${name} must be a finite number, got ${shown(value)}`);
  }
  return value;
}

/**
 * Throws when a function or constructor got more arguments than it takes (a JavaScript caller
 * may pass PyTorch's further positional arguments, such as MaxPool2d's dilation, which would
 * otherwise be ignored without a word). `names` lists the arguments it does take.
 */
export function checkArgumentCount(who: string, count: number, names: readonly string[]): void {
  if (count > names.length) {
    const takes = names.length === 0 ? 'no arguments' : `at most ${names.length} argument${names.length === 1 ? '' : 's'} (${names.join(', ')})`;
    throw new MinidlError(`${who}: takes ${takes}, got ${count}; an extra argument would be ignored`);
  }
}
