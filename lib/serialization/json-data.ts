import { MinidlError } from '../errors';
import { describeValue } from '../options';
import { isNegativeZero } from './exact-numbers';

/**
 * Plain JSON data: what a saved model's `metadata` may hold, and how a saved model becomes text.
 *
 * `JSON.stringify` never refuses quietly-wrong data: it writes NaN and ±Infinity as `null`, drops
 * functions, symbols and `undefined` values, turns a Date into a string, a Map or a Set into
 * `{}`, a typed array into an object of indices, and throws an unhelpful TypeError on a BigInt
 * or a cycle. What is saved must load back as it was, so the data is checked here first and
 * every such value is refused with its place (`metadata.stats.mean[1] is NaN`).
 */

/** How deep plain data may nest (deeper data is refused rather than overflowing the stack). */
const MAX_DEPTH = 1000;

/**
 * Checks that `value` is plain JSON data — null, true/false, a finite number (−0 included), a
 * string, an array without holes of such values, or a plain object (`{ … }`) of such values —
 * and returns a deep copy of it, so that later changes by the caller do not reach the copy.
 * A key whose value is `undefined` is left out, as `JSON.stringify` and minidl's options do;
 * `undefined` inside an array is refused (JSON would write null). `where` names the value in
 * messages (`metadata`); throws a MinidlError starting with `who` otherwise.
 */
export function copyJsonData(who: string, where: string, value: unknown): unknown {
  const open: object[] = [];
  const copy = (v: unknown, at: string): unknown => {
    const refuse = (what: string): never => {
      throw new MinidlError(`${who}: ${at} ${what}; metadata must be plain JSON data (null, true/false, finite numbers, strings, arrays and plain objects)`);
    };
    if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) refuse(`is ${v}, which JSON cannot hold (JSON.stringify would write null)`);
      return v;
    }
    if (typeof v === 'bigint') refuse(`is the bigint ${v}n, which JSON cannot hold (store it as a string or a number)`);
    if (typeof v === 'undefined') refuse('is undefined, which JSON cannot hold in an array (JSON.stringify would write null)');
    if (typeof v === 'function') refuse('is a function, which JSON cannot hold (JSON.stringify would drop it)');
    if (typeof v === 'symbol') refuse(`is the symbol ${String(v)}, which JSON cannot hold (JSON.stringify would drop it)`);
    const object = v as object;
    const cycle = open.indexOf(object);
    if (cycle >= 0) refuse('refers back to an object that contains it (a cycle), which JSON cannot hold');
    if (open.length >= MAX_DEPTH) refuse(`nests more than ${MAX_DEPTH} levels deep`);
    if (Object.getOwnPropertySymbols(object).length > 0) refuse('has symbol keys, which JSON cannot hold (JSON.stringify would drop them)');
    open.push(object);
    try {
      if (Array.isArray(object)) {
        if (!isPlainArray(object)) refuse(`is a ${object.constructor.name} (a subclass of Array), not a plain array`);
        const out: unknown[] = [];
        for (let i = 0; i < object.length; i++) {
          if (!(i in object)) refuse(`has a hole at index ${i} (JSON.stringify would write null there)`);
          out.push(copy(object[i], `${at}[${i}]`));
        }
        return out;
      }
      if (!isPlainObject(object)) {
        refuse(`is ${describeValue(object)}, not plain data (JSON.stringify would ${typeof (object as { toJSON?: unknown }).toJSON === 'function' ? 'call its toJSON' : 'keep only its own enumerable fields'}); convert it to numbers, strings, arrays or plain objects first`);
      }
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(object)) {
        const item = (object as Record<string, unknown>)[key];
        if (item === undefined) continue;
        // defineProperty, not assignment: a key named __proto__ stays a key.
        Object.defineProperty(out, key, { value: copy(item, `${at}${propertyPath(key)}`), enumerable: true, writable: true, configurable: true });
      }
      return out;
    } finally {
      open.pop();
    }
  };
  return copy(value, where);
}

/**
 * True for `{ … }` objects and `Object.create(null)` ones, also when made in another realm (an
 * iframe, a vm context): not arrays, class instances, functions or primitives.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === null || proto === Object.prototype || (Object.getPrototypeOf(proto) === null && proto.constructor?.name === 'Object');
}

/** True for arrays made by `[…]` or `Array(…)` in any realm; false for instances of a subclass of Array (whose prototype is not itself an array, as Array.prototype is). */
export function isPlainArray(value: unknown): value is unknown[] {
  return Array.isArray(value) && Array.isArray(Object.getPrototypeOf(value));
}

/** `.name` for a key that is an identifier, `["a key"]` otherwise. */
function propertyPath(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/**
 * The JSON text of plain data (checked beforehand: only null, booleans, finite numbers, strings,
 * arrays and plain objects), compact like `JSON.stringify(value)`, except that a −0 is written
 * `-0`, which JSON.parse reads back as −0, where JSON.stringify would write `0`.
 */
export function jsonText(value: unknown): string {
  const parts: string[] = [];
  const write = (v: unknown): void => {
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new MinidlError(`jsonText: ${v} has no JSON spelling (refuse it before writing)`);
      parts.push(isNegativeZero(v) ? '-0' : String(v));
    } else if (v === null || typeof v === 'boolean' || typeof v === 'string') {
      parts.push(JSON.stringify(v));
    } else if (Array.isArray(v)) {
      parts.push('[');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) parts.push(',');
        write(v[i]);
      }
      parts.push(']');
    } else if (typeof v === 'object') {
      parts.push('{');
      let first = true;
      for (const key of Object.keys(v as object)) {
        const item = (v as Record<string, unknown>)[key];
        if (item === undefined) continue;
        if (!first) parts.push(',');
        first = false;
        parts.push(JSON.stringify(key), ':');
        write(item);
      }
      parts.push('}');
    } else {
      throw new MinidlError(`jsonText: ${describeValue(v)} has no JSON spelling (refuse it before writing)`);
    }
  };
  write(value);
  return parts.join('');
}
