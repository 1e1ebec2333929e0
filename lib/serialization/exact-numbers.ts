/**
 * How the numbers of a saved model are written so that every one comes back to the bit.
 *
 * JSON text spells every finite double exactly: `JSON.stringify` writes the shortest digits
 * that read back as the same double (ECMAScript's Number::toString), and `JSON.parse` reads
 * them back. Two kinds of numbers are the exceptions:
 *
 * - −0: `JSON.stringify(-0)` is `"0"`, so −0 would come back as +0 (and `1 / x`, `Math.sign`,
 *   `Object.is` or a later `x * -1` would tell). Since format version 2, a tensor value or a
 *   constructor argument that is −0 is written as the string `"-0"`, which survives any JSON
 *   tool unchanged (`JSON.stringify`, a browser's fetch, Python's json) and reads back as −0.
 * - NaN and ±Infinity: JSON has no spelling for them (`JSON.stringify` writes `null`). They are
 *   refused when saving, by the caller, with the name of the tensor that holds them.
 */

/** How −0 is written in a saved model (format version 2 and later). */
export const NEGATIVE_ZERO = '-0';

/** A number as written in a saved model: a finite number, or `"-0"` for negative zero. */
export type SavedNumber = number | typeof NEGATIVE_ZERO;

/** The first format version that writes −0 as `"-0"` (version 1 wrote it as 0). */
export const NEGATIVE_ZERO_SINCE_VERSION = 2;

/** True for −0 (and only −0: `-0 === 0` is true in JavaScript, `Object.is(-0, 0)` is not). */
export function isNegativeZero(value: number): boolean {
  return value === 0 && 1 / value < 0;
}

/** `value` as it is written: itself, or `"-0"` for −0. The caller has checked that it is finite. */
export function encodeNumber(value: number): SavedNumber {
  return isNegativeZero(value) ? NEGATIVE_ZERO : value;
}

/** The values of a tensor as they are written, in the same order. The caller has checked that they are finite. */
export function encodeValues(data: Float64Array): SavedNumber[] {
  const out: SavedNumber[] = new Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = encodeNumber(data[i]);
  return out;
}

/**
 * The number a saved value stands for, in a file of format `version`: a finite number is
 * itself, `"-0"` is −0 (version 2 and later); anything else (null, NaN, a string, …) gives
 * `undefined`, for the caller to refuse with the value's place in the file.
 */
export function decodeNumber(value: unknown, version: number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (value === NEGATIVE_ZERO && version >= NEGATIVE_ZERO_SINCE_VERSION) return -0;
  return undefined;
}
