import { MinidlError } from '../errors';
import { Module } from '../modules/module';
import { Parameter } from '../modules/parameter';
import { describeValue } from '../options';
import { Tensor } from '../tensor/tensor';
import { moduleCodecs, ModuleCodec } from './codecs';
import { decodeNumber, encodeNumber } from './exact-numbers';
import { SavedTensor } from './saved-model';

/**
 * How a module tree maps onto a saved model, shared by saving, building and loadStateInto:
 * which codec writes a module, the parameters and state a module holds itself (by name), and
 * how constructor arguments and tensor values are written and read back to the bit.
 */

/** A module's constructor arguments as written: numbers must be finite, −0 becomes `"-0"`; lists of numbers likewise. */
export function encodeConfig(who: string, where: string, config: Record<string, unknown>): Record<string, unknown> {
  const number = (v: number, key: string): number | string => {
    if (!Number.isFinite(v)) throw new MinidlError(`${who}: ${where} config.${key} is ${v}, which cannot be saved (not a finite number)`);
    return encodeNumber(v);
  };
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === 'number') out[key] = number(value, key);
    else if (Array.isArray(value)) out[key] = value.map((v) => (typeof v === 'number' ? number(v, key) : v));
    else out[key] = value;
  }
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

/** The codec that saves `m`; refuses a module class minidl cannot rebuild. */
export function codecFor(who: string, m: Module, path: string): ModuleCodec {
  if (!(m instanceof Module)) throw new MinidlError(`${who}: ${path} is not a Module but ${describeValue(m)}`);
  for (const codec of moduleCodecs.values()) if (codec.matches(m)) return codec;
  throw new MinidlError(
    `${who}: ${path} ${m} (class ${m.constructor.name}) cannot be saved or loaded: only minidl's own module classes can; known types: ${[...moduleCodecs.keys()].join(', ')}`,
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
