import { MinidlError, describeValue, formatShape, sameShape } from '../errors';
import { decodeNumber, encodeNumber, encodeValues } from '../serialization/exact-numbers';
import { isPlainObject } from '../serialization/json-data';
import { Tensor } from '../tensor/tensor';

/**
 * An optimizer's state as plain JSON (PyTorch's `optimizer.state_dict()`, in camelCase), what
 * `optimizer.stateDict()` returns and `optimizer.loadStateDict` takes:
 *
 *   {
 *     state: { '0': { momentumBuffer: { shape: [2, 3], values: [0.1, "-0", …] } }, '1': { … } },
 *     paramGroups: [{ lr: 0.1, momentum: 0.9, dampening: 0, nesterov: false, weightDecay: 0, params: [0, 1] }],
 *   }
 *
 * - `state` is keyed by the parameter's index in `optimizer.params` (PyTorch's order of
 *   `params`); a parameter that has no state yet (before its first step) is left out. Each entry
 *   holds the parameter's state by name: numbers (Adam's `step`) and tensors, written as
 *   `{ shape, values }` with the values row-major.
 * - `paramGroups` holds the one group of minidl's optimizers: its hyper-parameters as the
 *   constructor's options name them (so `new Adam(params, { betas: [0.9, 0.999], … })` reads
 *   them back), and `params`, the indices 0, 1, …, n − 1.
 *
 * Every number is written so that it comes back to the bit through `JSON.stringify` and
 * `JSON.parse`, as in a saved model (lib/serialization/exact-numbers.ts): finite numbers as
 * themselves, −0 as the string `"-0"`; NaN and ±Infinity are refused when the state is made.
 */
export interface OptimizerState {
  /** The state of each parameter that has some, by its index in `optimizer.params` ('0', '1', …). */
  state: Record<string, Record<string, SavedStateValue>>;
  /** The one parameter group: hyper-parameters by name, and `params`, the indices 0 … n − 1. */
  paramGroups: ParamGroupState[];
}

/** A number as written: a finite number, or the string `"-0"` for negative zero (as in a saved model). */
export type SavedNumber = number | '-0';

/** One entry of a parameter's state: a number (a step count) or a tensor. */
export type SavedStateValue = SavedNumber | SavedStateTensor;

/** A state tensor as written: its shape and its values, row-major (−0 as `"-0"`). */
export interface SavedStateTensor {
  /** Size along each axis (the parameter's shape). */
  shape: number[];
  /** The values, row-major. */
  values: SavedNumber[];
}

/** A hyper-parameter as written: a number, true or false, or a list of numbers (Adam's betas). */
export type SavedHyperParameter = SavedNumber | boolean | SavedNumber[];

/** The group of `paramGroups`: hyper-parameters by name, and the indices of its parameters. */
export type ParamGroupState = {
  /** The indices of the group's parameters in `optimizer.params`: 0, 1, …, n − 1. */
  params: number[];
} & Record<string, SavedHyperParameter | number[]>;

/** A hyper-parameter's value: a number, true or false, or a list of numbers (Adam's betas). */
export type HyperParameter = number | boolean | number[];

/** An optimizer's hyper-parameters by name, as its constructor's options name them. */
export type HyperParameters = Record<string, HyperParameter>;

/** The kind of each state entry an optimizer keeps per parameter (`step`: 'number', `expAvg`: 'tensor'). */
export type StateKinds = Record<string, 'number' | 'tensor'>;

/** A number of the state as written; refuses NaN and ±Infinity, naming `where`. */
export function writeStateNumber(who: string, where: string, value: number): SavedNumber {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new MinidlError(`${who}: ${where} is ${typeof value === 'number' ? String(value) : describeValue(value)}, which cannot be saved (a state holds finite numbers; JSON has no spelling for NaN or ±Infinity)`);
  }
  return encodeNumber(value);
}

/** A tensor of the state as written; refuses a NaN or ±Infinity, naming `where`, the flat index and the value. */
export function writeStateTensor(who: string, where: string, t: Tensor): SavedStateTensor {
  const bad = t.firstNonFinite();
  if (bad >= 0) {
    throw new MinidlError(`${who}: ${where} holds ${t.data[bad]} at flat index ${bad} (shape ${formatShape(t.shape)}), which cannot be saved (JSON has no spelling for NaN or ±Infinity)`);
  }
  return { shape: t.shape.slice(), values: encodeValues(t.data) };
}

/** A hyper-parameter as written: numbers through `writeStateNumber`, lists copied. */
export function writeHyperParameter(who: string, name: string, value: HyperParameter): SavedHyperParameter {
  if (typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map((v, i) => writeStateNumber(who, `hyper-parameter ${name}[${i}]`, v));
  return writeStateNumber(who, `hyper-parameter ${name}`, value);
}

/** A written number back as a number (−0 from `"-0"`); throws naming `where` for anything else. */
export function readStateNumber(who: string, where: string, value: unknown): number {
  const n = decodeNumber(value, 2);
  if (n === undefined) throw new MinidlError(`${who}: ${where} must be a finite number (or "-0"), got ${describeValue(value)}`);
  return n;
}

/**
 * A written hyper-parameter back as a value of the kind `current` has (a number, true or false,
 * or a list of as many numbers); throws naming `name` otherwise.
 */
export function readHyperParameter(who: string, name: string, value: unknown, current: HyperParameter): HyperParameter {
  if (typeof current === 'boolean') {
    if (typeof value !== 'boolean') throw new MinidlError(`${who}: paramGroups[0].${name} must be true or false, got ${describeValue(value)}`);
    return value;
  }
  if (Array.isArray(current)) {
    if (!Array.isArray(value) || value.length !== current.length) {
      throw new MinidlError(`${who}: paramGroups[0].${name} must be a list of ${current.length} numbers, got ${describeValue(value)}`);
    }
    return value.map((v, i) => readStateNumber(who, `paramGroups[0].${name}[${i}]`, v));
  }
  return readStateNumber(who, `paramGroups[0].${name}`, value);
}

/**
 * A written state tensor back as values, checked against the parameter's `shape`: a plain
 * `{ shape, values }` with that shape and as many finite numbers (or `"-0"`).
 */
export function readStateTensor(who: string, where: string, value: unknown, shape: readonly number[]): Float64Array {
  if (!isPlainObject(value) || !Array.isArray(value.shape) || !Array.isArray(value.values) || Object.keys(value).length !== 2) {
    throw new MinidlError(`${who}: ${where} must be a number or a tensor { shape, values }, got ${describeValue(value)}`);
  }
  const given = value.shape as unknown[];
  if (!given.every((n) => typeof n === 'number') || !sameShape(given as number[], shape)) {
    throw new MinidlError(`${who}: ${where} has shape ${JSON.stringify(given)}, but its parameter has shape ${formatShape(shape)}`);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  const values = value.values as unknown[];
  if (values.length !== size) throw new MinidlError(`${who}: ${where} has shape ${formatShape(shape)} (${size} values) but ${values.length} values`);
  const out = new Float64Array(size);
  for (let i = 0; i < size; i++) out[i] = readStateNumber(who, `${where} value ${i}`, values[i]);
  return out;
}
