import { Tensor, formatShape } from './minidl';

/**
 * How close a student's number must be to the reference: |a − b| ≤ RELATIVE·(1 + max |ref|)
 * over the tensor. The same formulas computed in another order differ in the last bits
 * (around 1e-15); a wrong formula differs in the first digits.
 */
export const RELATIVE = 1e-7;

/** The entry at flat index `i` of a tensor of `shape`, written [row, col, …]. */
export function indexAt(shape: readonly number[], i: number): string {
  const index: number[] = [];
  let rest = i;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index.unshift(rest % shape[axis]);
    rest = Math.floor(rest / shape[axis]);
  }
  return `[${index.join(',')}]`;
}

/** The largest |x| of the finite entries (0 for none). */
export function largestMagnitude(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) if (Number.isFinite(values[i])) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/** True when `got` and `expected` agree entry by entry within RELATIVE (NaN only where the reference has NaN). */
export function closeValues(got: ArrayLike<number>, expected: ArrayLike<number>): boolean {
  if (got.length !== expected.length) return false;
  const tolerance = RELATIVE * (1 + largestMagnitude(expected));
  for (let i = 0; i < got.length; i++) {
    if (Object.is(got[i], expected[i])) continue;
    if (!(Math.abs(got[i] - expected[i]) <= tolerance)) return false;
  }
  return true;
}

/**
 * Compares a student's tensor with the reference: null when they agree (shape and values
 * within RELATIVE), else one line saying where they differ first, e.g.
 * `gradient of the input, case 'N=1': [0,2] is 0.5, expected 0.25`.
 */
export function tensorDifference(what: string, got: unknown, expected: Tensor): string | null {
  if (!(got instanceof Tensor)) return `${what}: expected a Tensor of shape ${formatShape(expected.shape)}, got ${describe(got)}`;
  if (got.shape.length !== expected.shape.length || got.shape.some((d, i) => d !== expected.shape[i])) {
    return `${what}: shape ${formatShape(got.shape)}, expected ${formatShape(expected.shape)}`;
  }
  return valuesDifference(what, got.data, expected.data, expected.shape);
}

/** Like `tensorDifference`, for plain arrays of a known shape. */
export function valuesDifference(what: string, got: ArrayLike<number>, expected: ArrayLike<number>, shape: readonly number[]): string | null {
  if (closeValues(got, expected)) return null;
  const tolerance = RELATIVE * (1 + largestMagnitude(expected));
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(got[i], expected[i]) && !(Math.abs(got[i] - expected[i]) <= tolerance)) {
      return `${what}: ${indexAt(shape, i)} is ${got[i]}, expected ${expected[i]}`;
    }
  }
  return `${what}: ${got.length} values, expected ${expected.length}`;
}

/** What a value is, for hints. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (value instanceof Tensor) return `a Tensor of shape ${formatShape(value.shape)}`;
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `an object (${(value as object).constructor?.name ?? 'Object'})`;
  return `${typeof value} ${String(value)}`;
}

/** True when every entry of `a` is exactly the same float64 as that of `b` (−0 ≠ 0, NaN = NaN). */
export function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/**
 * The constant ratio got/expected over the entries where expected is not ~0, or null when the
 * ratio is not the same everywhere (within `relative`, default 1e-6) or there are no such entries.
 */
export function constantRatio(got: ArrayLike<number>, expected: ArrayLike<number>, relative = 1e-6): number | null {
  if (got.length !== expected.length) return null;
  const scale = largestMagnitude(expected);
  let ratio: number | null = null;
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(expected[i]) > 1e-9 * scale) || !Number.isFinite(got[i])) {
      if (!(Math.abs(got[i]) <= 1e-9 * Math.max(1, scale))) return null;
      continue;
    }
    const r = got[i] / expected[i];
    if (ratio === null) ratio = r;
    else if (!(Math.abs(r - ratio) <= relative * Math.abs(ratio))) return null;
  }
  return ratio;
}

/** True when a ≈ b within `relative` (default 1e-6). */
export function near(a: number, b: number, relative = 1e-6): boolean {
  return Math.abs(a - b) <= relative * Math.max(Math.abs(a), Math.abs(b), 1e-300);
}
