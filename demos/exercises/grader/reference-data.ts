import { Tensor } from './minidl';

/**
 * The reference numbers of the exercises, as JSON: inputs and the outputs, gradients, updated
 * parameters and running statistics that the full library computed from them (numbers only,
 * never code).
 *
 * One file per task, `reference/<task>.json`:
 *
 *   { "task": "linear", "format": 1, "cases": [ { "name": …, "config": {…}, "tensors": {…} } ] }
 *
 * Each tensor is `{ "shape": [2, 3], "values": [ … ] }`. A value is a JSON number when that
 * number reads back as the same float64 (JSON.stringify writes the shortest decimal that
 * round-trips, so every finite number does), and a string for the four that JSON cannot hold:
 * "-0", "NaN", "Infinity", "-Infinity".
 */
export interface ReferenceFile {
  /** The task id, e.g. `linear`. */
  task: string;
  /** The format of this file (1). */
  format: number;
  /** The fixed cases, each with its inputs and the expected results. */
  cases: CaseRecord[];
}

/** A number as stored: a JSON number, or one of "-0", "NaN", "Infinity", "-Infinity". */
export type StoredNumber = number | string;

/** A tensor as stored. */
export interface StoredTensor {
  shape: number[];
  values: StoredNumber[];
}

/** Plain settings of a case (sizes, hyper-parameters, mode). */
export type CaseConfig = Record<string, number | string | boolean | number[]>;

/** One fixed case: its settings, and its tensors by name (inputs and expected results). */
export interface CaseRecord {
  /** A readable name, used in hints: `N=1, 3→4, training`. */
  name: string;
  config: CaseConfig;
  tensors: Record<string, StoredTensor>;
}

/** The current format number. */
export const REFERENCE_FORMAT = 1;

/** A float64 as stored: itself, or a string for −0 and the non-finite numbers. */
export function storeNumber(x: number): StoredNumber {
  if (Object.is(x, -0)) return '-0';
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  return x;
}

/** The float64 a stored number stands for; throws on anything else. */
export function readNumber(v: StoredNumber): number {
  if (typeof v === 'number') return v;
  switch (v) {
    case '-0': return -0;
    case 'NaN': return NaN;
    case 'Infinity': return Infinity;
    case '-Infinity': return -Infinity;
    default: throw new Error(`reference data: '${v}' is not a stored number`);
  }
}

/** A tensor as stored (a copy of its shape and values). */
export function storeTensor(t: Tensor): StoredTensor {
  return { shape: [...t.shape], values: Array.from(t.data, storeNumber) };
}

/** The stored tensor `name` of a case, as a new Tensor; throws when the case has none. */
export function caseTensor(c: CaseRecord, name: string): Tensor {
  const stored = c.tensors[name];
  if (stored === undefined) throw new Error(`reference data: case '${c.name}' has no tensor '${name}'`);
  return new Tensor(stored.shape, Float64Array.from(stored.values, readNumber));
}

/** True when the case stores a tensor `name`. */
export function hasTensor(c: CaseRecord, name: string): boolean {
  return c.tensors[name] !== undefined;
}

/** A number setting of a case. */
export function configNumber(c: CaseRecord, key: string): number {
  const v = c.config[key];
  if (typeof v !== 'number') throw new Error(`reference data: case '${c.name}' has no number '${key}'`);
  return v;
}
