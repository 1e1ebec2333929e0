import { MinidlError, describeValue, formatShape, sameShape } from '../errors';
import { activeBackend } from './backend/select';
import { StepLease, currentLease, memoryChecks, newValues } from './memory';

/** A nested array of numbers: `3`, `[1, 2]`, `[[1, 2], [3, 4]]`, … */
export type NestedArray = number | NestedArray[];

/**
 * A dense tensor: numbers in a `Float64Array`, stored row-major, with a `shape`.
 *
 * Element `[i, j]` of a 2-D tensor of shape `[rows, cols]` lives at `data[i * cols + j]`;
 * in general the last axis varies fastest. minidl computes in float64 throughout, so
 * finite-difference gradient checks are accurate and results can be compared to PyTorch's
 * float64 numbers.
 *
 * A Tensor holds values only: it does not record operations (there is no autograd). Each
 * module computes its own gradients in `backward`.
 */
export class Tensor {
  /** The size along each axis, e.g. `[batch, features]`. */
  readonly shape: readonly number[];
  private readonly values: Float64Array;
  /** The step this tensor is a temporary of, or null (see lib/tensor/memory.ts). */
  private lease: StepLease | null;

  /**
   * Wraps `data` (or a new zero-filled array) in a tensor of the given shape.
   * `data` is used as is, not copied; it must be a Float64Array whose length is the product of
   * the shape. A tensor made while a library step runs is a temporary of that step (see
   * lib/tensor/memory.ts); any other is an ordinary array that lives as long as you keep it.
   * Throws a MinidlError for a shape that is not a list of whole sizes ≥ 1, data of another
   * type or length, or a size too large to allocate.
   */
  constructor(shape: readonly number[], data?: Float64Array) {
    const size = shapeSize('Tensor', 'shape', shape);
    if (data !== undefined && !(data instanceof Float64Array)) {
      throw new MinidlError(`Tensor: data must be a Float64Array, got ${describeValue(data)} (use Tensor.fromArray to copy other arrays)`);
    }
    if (data !== undefined && data.length !== size) {
      throw new MinidlError(`Tensor: shape ${formatShape(shape)} holds ${size} values, but data has ${data.length}`);
    }
    this.shape = Object.isFrozen(shape) ? shape : Object.freeze(shape.slice()); // a frozen shape cannot change: shared, not copied
    this.values = data ?? allocate('Tensor', shape, size);
    this.lease = makingKept ? null : currentLease();
  }

  /**
   * The values, row-major. Reading `data` of a temporary whose step has ended throws a
   * MinidlError (its memory may hold other values by now): it never returns stale numbers.
   */
  get data(): Float64Array {
    const lease = this.lease;
    if (lease !== null && lease.released) throw releasedError(this, lease);
    return this.values;
  }

  /** False for a temporary whose step has ended (its `data` can no longer be read). */
  get readable(): boolean {
    return this.lease === null || !this.lease.released;
  }

  /** A tensor of zeros. */
  static zeros(shape: readonly number[]): Tensor {
    shapeSize('Tensor.zeros', 'shape', shape);
    return new Tensor(shape);
  }

  /** A tensor with every entry equal to `value` (a number; NaN and ±Infinity are allowed, as in PyTorch's `full`). */
  static full(shape: readonly number[], value: number): Tensor {
    shapeSize('Tensor.full', 'shape', shape);
    if (typeof value !== 'number') throw new MinidlError(`Tensor.full: value must be a number, got ${describeValue(value)}`);
    const t = new Tensor(shape);
    t.data.fill(value);
    return t;
  }

  /** A tensor of ones. */
  static ones(shape: readonly number[]): Tensor {
    shapeSize('Tensor.ones', 'shape', shape);
    return Tensor.full(shape, 1);
  }

  /**
   * A tensor from nested arrays: `Tensor.from([[1, 2], [3, 4]])` has shape `[2, 2]`.
   * A plain list `[1, 2, 3]` gives shape `[3]`, a number `4.5` shape `[1]`.
   * Throws a MinidlError, naming the entry, for ragged arrays, empty arrays and entries that are
   * not numbers (strings, booleans, objects…); NaN and ±Infinity are numbers and are kept.
   */
  static from(values: NestedArray): Tensor {
    const shape: number[] = [];
    let level: unknown = values;
    while (Array.isArray(level)) {
      if (level.length === 0) {
        throw new MinidlError(`Tensor.from: the array at depth ${shape.length} is empty; every size must be an integer ≥ 1`);
      }
      if (shape.length === MAX_RANK) {
        throw new MinidlError(`Tensor.from: arrays nested more than ${MAX_RANK} deep (is an array inside itself?)`);
      }
      shape.push(level.length);
      level = level[0];
    }
    if (shape.length === 0) {
      if (typeof values !== 'number') {
        const hint = ArrayBuffer.isView(values) ? ' (use Tensor.fromArray(values, shape) for typed arrays)' : '';
        throw new MinidlError(`Tensor.from: expected a number or nested arrays of numbers such as [[1, 2], [3, 4]], got ${describeValue(values)}${hint}`);
      }
      shape.push(1);
    }
    const t = new Tensor(shape);
    const data = t.data;
    let pos = 0;
    const path: number[] = []; // the index of the entry being read, for messages
    const at = (): string => `[${path.join(',')}]`;
    const fill = (v: unknown): void => {
      const depth = path.length;
      if (depth === shape.length || (depth === 0 && !Array.isArray(v))) {
        if (typeof v !== 'number') {
          const ragged = Array.isArray(v) ? ` (ragged array: entries at depth ${depth - 1} hold numbers elsewhere)` : '';
          throw new MinidlError(`Tensor.from: entry ${at()} must be a number, got ${describeValue(v)}${ragged}`);
        }
        data[pos++] = v;
        return;
      }
      if (!Array.isArray(v) || v.length !== shape[depth]) {
        throw new MinidlError(
          `Tensor.from: ragged array: expected ${shape[depth]} entries at ${at()} (depth ${depth}, shape ${formatShape(shape)}), got ${Array.isArray(v) ? `${v.length}` : describeValue(v)}`,
        );
      }
      for (let i = 0; i < v.length; i++) {
        path.push(i);
        fill(v[i]);
        path.pop();
      }
    };
    fill(values);
    return t;
  }

  /**
   * Copies the values from an array or typed array into a tensor of the given shape.
   * Throws a MinidlError when `values` is not an array of numbers (a string, booleans, nested
   * arrays: use `Tensor.from` for those) or its length is not the product of the shape.
   */
  static fromArray(values: ArrayLike<number>, shape: readonly number[]): Tensor {
    const size = shapeSize('Tensor.fromArray', 'shape', shape);
    const typed = ArrayBuffer.isView(values) && !(values instanceof DataView);
    if (!Array.isArray(values) && !typed) {
      throw new MinidlError(`Tensor.fromArray: values must be an array or a typed array of numbers, got ${describeValue(values)}`);
    }
    if (typed && (values instanceof BigInt64Array || values instanceof BigUint64Array)) {
      throw new MinidlError(`Tensor.fromArray: values must hold numbers, got a ${values.constructor.name} of bigints`);
    }
    if (values.length !== size) {
      throw new MinidlError(`Tensor.fromArray: shape ${formatShape(shape)} holds ${size} values, but values has ${values.length}`);
    }
    if (!typed) {
      for (let i = 0; i < values.length; i++) {
        const v = values[i];
        if (typeof v !== 'number') {
          const hint = Array.isArray(v) ? ' (use Tensor.from for nested arrays)' : '';
          throw new MinidlError(`Tensor.fromArray: values[${i}] must be a number, got ${describeValue(v)}${hint}`);
        }
      }
    }
    return new Tensor(shape, Float64Array.from(values));
  }

  /** How many numbers the tensor holds. */
  get size(): number {
    return this.values.length;
  }

  /** How many axes the tensor has. */
  get rank(): number {
    return this.shape.length;
  }

  /** Number of rows of a 2-D tensor (its first axis). */
  get rows(): number {
    return this.shape[0];
  }

  /** Number of columns of a 2-D tensor: the product of every axis after the first. */
  get cols(): number {
    return this.values.length / this.shape[0];
  }

  /** Position in `data` of the entry with the given index on each axis. */
  offset(index: readonly number[]): number {
    return this.position('Tensor.offset', index);
  }

  /** `offset`, with the caller named in messages. */
  private position(who: string, index: readonly number[]): number {
    if (!Array.isArray(index)) {
      throw new MinidlError(`${who}: index must be an array with one whole number per axis of shape ${formatShape(this.shape)}, got ${describeValue(index)}`);
    }
    if (index.length !== this.shape.length) {
      throw new MinidlError(`${who}: index [${index.join(',')}] has ${index.length} axes, tensor has shape ${formatShape(this.shape)}`);
    }
    let pos = 0;
    for (let axis = 0; axis < index.length; axis++) {
      const i = index[axis];
      if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= this.shape[axis]) {
        const got = typeof i === 'number' ? String(i) : describeValue(i);
        throw new MinidlError(
          `${who}: index [${index.map((v) => (typeof v === 'number' ? String(v) : describeValue(v))).join(',')}] is out of range for shape ${formatShape(this.shape)} ` +
          `(axis ${axis} takes a whole number 0…${this.shape[axis] - 1}, got ${got})`,
        );
      }
      pos = pos * this.shape[axis] + i;
    }
    return pos;
  }

  /** The entry at `index`, one whole number per axis: `t.get(2, 0)`. */
  get(...index: number[]): number {
    if (index.length === 1 && Array.isArray(index[0])) {
      throw new MinidlError(`Tensor.get: give the index as separate numbers, t.get(${(index[0] as unknown[]).join(', ')}), not as an array`);
    }
    return this.data[this.position('Tensor.get', index)];
  }

  /** Sets the entry at `index` (an array, one whole number per axis) to `value` (a number): `t.set([2, 0], 1.5)`. */
  set(index: readonly number[], value: number): void {
    if (arguments.length !== 2) {
      throw new MinidlError(`Tensor.set: takes the index as an array and the value, t.set([${Array.isArray(index) ? index.join(', ') : 'i, j'}], value); got ${arguments.length} argument(s)`);
    }
    const pos = this.position('Tensor.set', index);
    if (typeof value !== 'number') throw new MinidlError(`Tensor.set: value must be a number, got ${describeValue(value)}`);
    this.data[pos] = value;
  }

  /** A copy with its own data. */
  clone(): Tensor {
    const copy = new Tensor(this.shape);
    copy.data.set(this.data);
    return copy;
  }

  /**
   * The same numbers seen with another shape of the same size (shares the data, no copy).
   * Every size is given (PyTorch's -1, "infer this one", is refused).
   */
  reshape(shape: readonly number[]): Tensor {
    const size = shapeSize('Tensor.reshape', 'shape', shape, ' (every size is given: -1 is not inferred)');
    if (size !== this.size) {
      throw new MinidlError(`Tensor.reshape: cannot view shape ${formatShape(this.shape)} (${this.size} values) as ${formatShape(shape)} (${size} values)`);
    }
    const view = new Tensor(shape, this.data);
    view.lease = this.lease; // the same numbers, the same lifetime
    return view;
  }

  /** True when this tensor has the given shape (an array of sizes). */
  hasShape(shape: readonly number[]): boolean {
    if (!Array.isArray(shape)) throw new MinidlError(`Tensor.hasShape: shape must be an array of sizes such as [2, 3], got ${describeValue(shape)}`);
    return sameShape(this.shape, shape);
  }

  /** True when no entry is NaN or ±Infinity. */
  isFinite(): boolean {
    return this.firstNonFinite() < 0;
  }

  /** Index of the first entry that is NaN or ±Infinity, or -1. */
  firstNonFinite(): number {
    return activeBackend().kernels.firstNonFinite(this.data); // the loop is in backend/reference.ts
  }

  /** The values as nested arrays (numbers for a 1-D tensor, rows for a 2-D one, …). */
  toArray(): NestedArray[] {
    const build = (axis: number, start: number): NestedArray[] => {
      const n = this.shape[axis];
      if (axis === this.shape.length - 1) return Array.from(this.data.subarray(start, start + n));
      const stride = this.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
      const out: NestedArray[] = [];
      for (let i = 0; i < n; i++) out.push(build(axis + 1, start + i * stride));
      return out;
    };
    return build(0, 0);
  }

  /** `Tensor[2,3]` followed by the values when there are few of them. */
  toString(): string {
    const head = `Tensor${formatShape(this.shape)}`;
    if (!this.readable) return `${head} (released)`;
    return this.size <= 64 ? `${head} ${JSON.stringify(this.toArray())}` : head;
  }

  /**
   * What `console.log(t)` and Node's `util.inspect` show: `toString()` for up to 64 values, else
   * the shape, the first 6 and last 3 values in row-major order and the count. It reads through
   * `toString`/`data` like any other reader, so a released temporary shows "(released)" and a
   * gradient that was not computed says so: never the numbers its memory holds now.
   */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    if (!this.readable || this.size <= 64) return this.toString();
    const values = this.data;
    const shown = (from: number, to: number): string => Array.from(values.subarray(from, to)).join(', ');
    return `Tensor${formatShape(this.shape)} [${shown(0, 6)}, …, ${shown(values.length - 3, values.length)}] (${values.length} values)`;
  }

  /**
   * What `JSON.stringify(t)` writes: `{ shape, data }` with the values as a plain array (a
   * released temporary or an uncomputed gradient throws a MinidlError, as reading `data` does).
   */
  toJSON(): {
    /** The tensor's shape. */
    shape: number[];
    /** Its values, row-major. */
    data: number[];
  } {
    return { shape: this.shape.slice(), data: Array.from(this.data) };
  }
}

/** True while `keptTensor` builds a tensor that is not a step temporary. */
let makingKept = false;

/**
 * A tensor on the given values that is never a step temporary, even when made inside a step:
 * for long-lived state (lib/tensor/memory.ts `longLivedValues`) and for copies handed out of a
 * step. Library use; `Parameter`, `Module` and `Optimizer` helpers call it.
 */
export function keptTensor(shape: readonly number[], values: Float64Array): Tensor {
  makingKept = true;
  try {
    return new Tensor(shape, values);
  } finally {
    makingKept = false;
  }
}

/**
 * A new tensor of the given shape whose every entry the caller writes before anything reads it:
 * the output of a kernel that stores (never adds) each entry, made right before that kernel
 * runs. Inside a step on the 'wasm' backend its values are not zeroed first — the memory of an
 * earlier step is reused, and zeroing it would be overwritten at once; elsewhere it is
 * `new Tensor(shape)`. Library use only, and never for a result that is added to (col2im, the
 * backward pass of pooling): an entry left unwritten would show an earlier step's number. With
 * memory checks on (the specs) such an entry shows NaN instead, so that a miss is loud.
 */
export function tensorToOverwrite(shape: readonly number[]): Tensor {
  const size = shapeSize('Tensor', 'shape', shape);
  const made = new Tensor(shape, allocate('Tensor', shape, size, false));
  if (memoryChecks() && activeBackend().store?.holds(made.data)) made.data.fill(NaN);
  return made;
}

function releasedError(t: Tensor, lease: StepLease): MinidlError {
  return new MinidlError(
    `Tensor${formatShape(t.shape)}: this tensor was a temporary of ${lease.label} and was released when it ended; ` +
    'its memory may now hold other values, so it cannot be read. Keep values past a step by copying them while it runs ' +
    '(a Tensor returned from withTemporaryTensors is copied for you), or run forward again.',
  );
}

/** The most axes a tensor may have (far more than any layer uses; a limit that catches an array nested in itself). */
const MAX_RANK = 32;

/**
 * The number of values a shape holds, after checking that it is an array of 1 to 32 whole sizes
 * ≥ 1; throws a MinidlError naming `who` and the offending size otherwise.
 */
function shapeSize(who: string, name: string, shape: unknown, hint = ''): number {
  if (!Array.isArray(shape) || shape.length === 0) {
    throw new MinidlError(`${who}: ${name} must be a non-empty array of sizes such as [2, 3], got ${Array.isArray(shape) ? '[]' : describeValue(shape)}`);
  }
  if (shape.length > MAX_RANK) throw new MinidlError(`${who}: ${name} has ${shape.length} axes; at most ${MAX_RANK} are allowed`);
  let size = 1;
  for (let axis = 0; axis < shape.length; axis++) {
    const n: unknown = shape[axis];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      const got = typeof n === 'number' ? String(n) : describeValue(n);
      throw new MinidlError(`${who}: every size in a shape must be an integer ≥ 1, got ${got} at axis ${axis} of [${shape.map((v) => (typeof v === 'number' ? String(v) : describeValue(v))).join(',')}]${hint}`);
    }
    size *= n;
  }
  return size;
}

/**
 * A new array of `size` values for a tensor, zero-filled (or, with `zeroed` false, inside a step,
 * as the memory holds them); a size too large to allocate gives a MinidlError, not a RangeError.
 */
function allocate(who: string, shape: readonly number[], size: number, zeroed = true): Float64Array {
  try {
    return newValues(size, zeroed);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new MinidlError(`${who}: cannot allocate shape ${formatShape(shape)}: ${size} values (${(size * 8 / 2 ** 30).toFixed(1)} GiB) is more than this machine can hold in one array`, { cause: err });
  }
}
