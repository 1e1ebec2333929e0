import { MinidlError, describeValue } from './errors';

export { describeValue };

/**
 * The one reader of options objects: every constructor and method of minidl that takes
 * `{ …options }` reads them here, so every one refuses the same mistakes the same way.
 *
 *   new SGD(params, 0.1)                → SGD: expected an options object such as { lr: 0.1 }, got number 0.1
 *   new SGD(params, { weight_decay: 1 }) → SGD: unknown option 'weight_decay' (did you mean 'weightDecay'?); …
 *   new Linear(2, 3, { bias: 'no' })    → Linear(2→3): option 'bias' must be true or false, got string 'no'
 *   new SGD(params, { lr: null })       → SGD: option 'lr' is null; give a number, or leave it out for the default
 *
 * An option that is `undefined` counts as absent (its default applies); `null` is refused
 * unless the option documents a meaning for it. Range checks (lr > 0, p in [0, 1)) stay with the
 * code that knows them; this file checks that the object is an object, that every key is known,
 * and that every value has the right type.
 */

/** What an option's value must be: a test, and its description for messages ("a number"). */
export interface OptionCheck {
  /** What is expected, as the message says it: 'a number', 'true or false'. */
  readonly expected: string;
  /** True when `value` is acceptable. */
  accepts(value: unknown): boolean;
  /** True when null has a documented meaning for this option. */
  readonly acceptsNull?: boolean;
}

function check(expected: string, accepts: (value: unknown) => boolean): OptionCheck {
  return { expected, accepts };
}

/**
 * A number (any; NaN and ±Infinity are left to the range checks such as `checkPositive`, which
 * name them). Message: `option 'lr' must be a number, got string '0.1'`.
 */
export const aNumber = check('a number', (v) => typeof v === 'number');

/**
 * A whole number (of any sign; `checkInteger` then checks the least value). Message:
 * `option 'epochs' must be a whole number, got number 2.5`.
 */
export const anInteger = check('a whole number', (v) => typeof v === 'number' && Number.isInteger(v));

/** true or false. Message: `option 'bias' must be true or false, got string 'no'`. */
export const aBoolean = check('true or false', (v) => typeof v === 'boolean');

/** A function (a callback such as `onEpoch`). Message: `option 'onEpoch' must be a function, got number 1`. */
export const aFunction = check('a function', (v) => typeof v === 'function');

/** A string (any, the empty one included). Message: `option 'seed' must be a string, got number 42`. */
export const aString = check('a string', (v) => typeof v === 'string');

/**
 * Any other test, described as `expected` (e.g. 'a whole number or a pair [height, width]'),
 * for option types the checks above do not spell; the detailed range check may stay with the
 * code that knows it.
 */
export function satisfying(expected: string, accepts: (value: unknown) => boolean): OptionCheck {
  return check(expected, accepts);
}

/**
 * One of the given strings. Message of `oneOf('sum', 'mean')`:
 * `option 'reduction' must be one of 'sum', 'mean', got string 'avg'`.
 */
export function oneOf(...values: readonly string[]): OptionCheck {
  return check(`one of ${values.map((s) => `'${s}'`).join(', ')}`, (v) => typeof v === 'string' && values.includes(v));
}

/** An instance of `cls`, described as `expected` (e.g. 'a Loss such as new MSELoss()'). */
export function instanceOf(cls: abstract new (...args: never[]) => unknown, expected: string): OptionCheck {
  return check(expected, (v) => v instanceof cls);
}

/** A value any of the checks accepts; the message joins what they expect: `a number or a function`. */
export function either(...checks: OptionCheck[]): OptionCheck {
  return check(checks.map((c) => c.expected).join(' or '), (v) => checks.some((c) => c.accepts(v)));
}

/**
 * A check that also accepts null, for options whose null has a documented meaning (without it,
 * readOptions refuses null: `option 'lr' is null; give a number, or leave it out for the default`).
 */
export function orNull(inner: OptionCheck): OptionCheck {
  return { expected: `${inner.expected} or null`, accepts: (v) => v === null || inner.accepts(v), acceptsNull: true };
}

/** The known options of a function: a check per name, one for every key of `T` (the options interface). */
export type OptionSpec<T> = { readonly [K in keyof T]-?: OptionCheck };

/** Extra help for `readOptions`. */
export interface ReadOptionsHelp {
  /** The option a bare value most likely meant (SGD's 'lr'): the message then shows `{ lr: value }`. */
  positional?: string;
  /** What the argument is called in messages (default 'options'). */
  argument?: string;
}

/**
 * Reads `options` against `spec`: returns it (typed) when it is undefined (as `{}`) or a plain
 * object whose every key is known and whose every value passes its check; throws a MinidlError
 * naming `who` otherwise. Nothing is changed, and nothing is read before the whole object is
 * checked. An option that is `undefined` counts as absent: apply the defaults to what it returns.
 *
 * Refused, each with a MinidlError that names `who`: anything but undefined or a plain object
 * (`expected an options object such as { lr: 0.1 }, got number 0.1`), an unknown key (with the
 * known key it most likely meant: `unknown option 'weight_decay' (did you mean 'weightDecay'?)`),
 * null for an option not made with `orNull`, and a value its check does not accept.
 *
 * ```ts
 * interface ScaleOptions { factor: number; trainable: boolean }
 * const o = readOptions<ScaleOptions>('Scale', options, { factor: aNumber, trainable: aBoolean });
 * const factor = checkPositive('Scale', "option 'factor'", o.factor ?? 1);
 * ```
 *
 * @param who The name messages start with: the class or function, e.g. `Linear(2→3)`.
 * @param options What the caller passed.
 * @param spec A check for each known option.
 * @param help What a bare value most likely meant, and what the argument is called.
 */
export function readOptions<T extends object>(who: string, options: unknown, spec: OptionSpec<T>, help: ReadOptionsHelp = {}): Partial<T> {
  if (options === undefined) return {};
  const known = knownKeys(spec);
  if (!isPlainObject(options)) {
    const argument = help.argument ?? 'options';
    // a value one option would take (a Loss where { loss } belongs) is shown inside that option
    // (a bare number or string without a `positional` option goes to the one option that takes it: `true` → { bias: true })
    const taker = known.filter((k) => options !== null && typeof options !== 'function' && (spec as Record<string, OptionCheck>)[k].accepts(options));
    const primitive = options !== null && typeof options !== 'object' && typeof options !== 'function';
    const example = help.positional !== undefined && primitive
      ? `{ ${help.positional}: ${formatValue(options)} }`
      : taker.length === 1 ? `{ ${taker[0]}: ${primitive ? formatValue(options) : '…'} }` : `{ ${known.slice(0, 2).map((k) => `${k}: …`).join(', ')} }`;
    throw new MinidlError(
      `${who}: expected ${/^[aeiou]/i.test(argument) ? 'an' : 'a'} ${argument} object such as ${example}, got ${describeValue(options)}` +
      (options !== null && typeof options !== 'object' ? ' (options are passed by name)' : '') +
      `; known options: ${known.join(', ')}`,
    );
  }
  for (const key in options) {
    if (!Object.prototype.hasOwnProperty.call(options, key)) continue;
    if (!Object.prototype.hasOwnProperty.call(spec, key)) {
      const suggestion = suggest(key, known);
      throw new MinidlError(
        `${who}: unknown option '${key}'${suggestion === null ? '' : ` (did you mean '${suggestion}'?)`}; known options: ${known.join(', ')}`,
      );
    }
  }
  const record = options as Record<string, unknown>;
  for (let i = 0; i < known.length; i++) {
    const key = known[i];
    const value = record[key];
    if (value === undefined) continue;
    const rule = (spec as Record<string, OptionCheck>)[key];
    if (value === null && rule.acceptsNull !== true) {
      throw new MinidlError(`${who}: option '${key}' is null; give ${rule.expected}, or leave it out for the default`);
    }
    if (!rule.accepts(value)) throw new MinidlError(`${who}: option '${key}' must be ${rule.expected}, got ${describeValue(value)}`);
  }
  return options as Partial<T>;
}

/** The keys of each spec, listed once (readOptions runs on every call of ops.ts's products). */
const keysOfSpec = new WeakMap<object, readonly string[]>();

function knownKeys(spec: object): readonly string[] {
  let keys = keysOfSpec.get(spec);
  if (keys === undefined) {
    keys = Object.keys(spec);
    keysOfSpec.set(spec, keys);
  }
  return keys;
}

/** True for `{ … }` literals and Object.create(null) objects: not arrays, class instances, functions or primitives. */
function isPlainObject(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The known name a mistyped key most likely meant: its camelCase spelling, or the same letters in another case. */
function suggest(key: string, known: readonly string[]): string | null {
  const camel = key.replace(/[_-]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
  for (const name of known) if (name === camel) return name;
  const lower = camel.toLowerCase();
  for (const name of known) if (name.toLowerCase() === lower) return name;
  return null;
}

/** A value as code: 0.1, 'no', true. */
function formatValue(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : String(value);
}
