import { MinidlError } from '../errors';
import { Module } from '../modules/module';
import { Parameter } from '../modules/parameter';
import { describeValue } from '../options';
import { Tensor } from '../tensor/tensor';
import { decodeNumber, encodeNumber, NEGATIVE_ZERO } from './exact-numbers';
import { isPlainObject } from './json-data';
import { registeredNames, registeredParentOf, savedTypeOf } from './module-registry';
import { STATE_ADDED_LATER, SavedModule, SavedTensor } from './saved-model';

/**
 * How a module tree maps onto a saved model, shared by saving, building and loadStateInto:
 * the type name a module is saved under, its constructor arguments (`config()`), the
 * parameters and state it holds itself (by name), and how constructor arguments and tensor
 * values are written and read back to the bit.
 */

/**
 * `m.config()`, checked: a plain object whose values are finite numbers, strings (but not
 * `"-0"`, which the format reserves for −0), booleans, null, or lists of these; a key whose
 * value is undefined is left out (as JSON.stringify does). `where` names the module in
 * messages; anything else, or a config() that throws, gives a MinidlError starting with `who`.
 */
export function moduleConfig(who: string, where: string, m: Module): Record<string, unknown> {
  let config: unknown;
  try {
    config = m.config();
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    throw new MinidlError(`${who}: ${where} config() failed: ${err.message}`, { cause: err });
  }
  if (!isPlainObject(config)) {
    throw new MinidlError(`${who}: ${where} config() must return a plain object of its constructor's arguments, such as { numFeatures: 3 }, got ${describeValue(config)}`);
  }
  const refuse = (key: string, what: string, why: string): never => {
    throw new MinidlError(`${who}: ${where} config.${key} ${what}, which cannot be saved (${why})`);
  };
  const KINDS = 'a config holds finite numbers, strings, true/false, null, or lists of them';
  const scalar = (v: unknown, key: string): unknown => {
    if (typeof v === 'number' && !Number.isFinite(v)) refuse(key, `is ${v}`, 'not a finite number');
    if (v === NEGATIVE_ZERO) refuse(key, `is the string "${NEGATIVE_ZERO}"`, 'saved files use it for the number −0; give the number -0, or another string');
    if (v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v;
    return refuse(key, `is ${describeValue(v)}`, KINDS);
  };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config as Record<string, unknown>)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      out[key] = value.map((v) => (Array.isArray(v) ? refuse(key, 'holds a list inside a list', KINDS) : scalar(v, key)));
    } else {
      out[key] = scalar(value, key);
    }
  }
  return out;
}

/** A checked config (`moduleConfig`) as written: −0 becomes `"-0"`, at the top level and in lists; the rest is unchanged. */
export function encodeConfig(config: Record<string, unknown>): Record<string, unknown> {
  const encode = (v: unknown): unknown => (typeof v === 'number' ? encodeNumber(v) : v);
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) out[key] = Array.isArray(value) ? value.map(encode) : encode(value);
  return out;
}

/** A saved module's constructor arguments as numbers again: `"-0"` becomes −0 (version 2 and later); any other non-finite value is refused. */
export function decodeConfig(config: Record<string, unknown>, version: number): Record<string, unknown> {
  const number = (v: unknown, key: string): unknown => {
    if (typeof v !== 'number' && typeof v !== 'string') return v;
    const decoded = decodeNumber(v, version);
    if (decoded !== undefined) return decoded;
    if (typeof v === 'string') return v; // a string argument (GELU's 'tanh'): the codec checks it
    throw new MinidlError(`config.${key} is ${v}, not a finite number`);
  };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    out[key] = Array.isArray(value) ? value.map((v) => number(v, key)) : number(value, key);
  }
  return out;
}

/** The values of a checked saved tensor as numbers (−0 included). */
export function decodeValues(t: SavedTensor, version: number): Float64Array {
  const out = new Float64Array(t.values.length);
  for (let i = 0; i < out.length; i++) out[i] = decodeNumber(t.values[i], version) as number;
  return out;
}

/**
 * The type name `m` is saved under (its class's, registered with `registerModule`); refuses a
 * module whose class is not registered, a subclass of a registered class included, saying how
 * to register it.
 */
export function savedTypeFor(who: string, m: Module, path: string): string {
  if (!(m instanceof Module)) throw new MinidlError(`${who}: ${path} is not a Module but ${describeValue(m)}`);
  const type = savedTypeOf(m);
  if (type !== undefined) return type;
  const name = m.constructor.name;
  const parent = registeredParentOf(m);
  const subclass = parent === undefined ? '' : ` (a subclass of ${parent} is not saved as a ${parent}, which would lose what ${name} changes)`;
  throw new MinidlError(
    `${who}: ${path} ${m} (class ${name}) cannot be saved or loaded: its class is not registered${subclass}; known types: ${registeredNames()}. ` +
    `To save a layer of your own, give it config() and a static fromConfig(config), then register it once: registerModule(${name}, '${name}') (see docs/saving-models.md)`,
  );
}

/** The parameters a module holds itself (not through its children), by name. */
export function ownParams(who: string, m: Module, path: string): Map<string, Parameter> {
  const inChildren = new Set(m.children().flatMap((c) => c.params()));
  const own = new Map<string, Parameter>();
  for (const p of m.params()) {
    if (inChildren.has(p)) continue;
    if (own.has(p.name)) throw new MinidlError(`${who}: ${path} ${m} has two parameters named '${p.name}'; names must be unique to save it`);
    own.set(p.name, p);
  }
  return own;
}

/** The state tensors a module holds itself (not through its children), by name. */
export function ownBuffers(who: string, m: Module, path: string): Map<string, Tensor> {
  const inChildren = new Set(m.children().flatMap((c) => c.buffers().map((b) => b.value)));
  const own = new Map<string, Tensor>();
  for (const b of m.buffers()) {
    if (inChildren.has(b.value)) continue;
    if (own.has(b.name)) throw new MinidlError(`${who}: ${path} ${m} has two state tensors named '${b.name}'; names must be unique to save it`);
    own.set(b.name, b.value);
  }
  return own;
}

/**
 * The state tensors of a saved module, with those its type gained later (`STATE_ADDED_LATER`)
 * filled in when the file has none: a BatchNorm saved before it counted its batches gets
 * `numBatchesTracked` = 0, with the shape the module `own` has. A new object; `node` is unchanged.
 */
export function savedStateOf(node: SavedModule, own: Map<string, Tensor>): Record<string, SavedTensor> {
  const state: Record<string, SavedTensor> = { ...(node.buffers ?? {}) };
  for (const { type, name, missing } of STATE_ADDED_LATER) {
    const tensor = own.get(name);
    if (type !== node.type || tensor === undefined || Object.prototype.hasOwnProperty.call(state, name)) continue;
    state[name] = { shape: tensor.shape.slice(), values: new Array<number>(tensor.size).fill(missing) };
  }
  return state;
}
