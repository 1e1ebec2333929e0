import { MinidlError, formatShape, sameShape } from '../errors';
import { activeBackend } from './backend/select';
import { StepLease, currentLease, newValues } from './memory';

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
   * Throws a MinidlError for a shape that is not a list of whole sizes ≥ 1, or data of another
   * type or length.
   */
  constructor(shape: readonly number[], data?: Float64Array) {
    if (!Array.isArray(shape) || shape.length === 0) {
      throw new MinidlError(`Tensor: shape must be a non-empty array of sizes, got ${JSON.stringify(shape)}`);
    }
    let size = 1;
    for (const n of shape) {
      if (!Number.isInteger(n) || n < 1) {
        throw new MinidlError(`Tensor: every size in a shape must be an integer ≥ 1, got ${formatShape(shape)}`);
      }
      size *= n;
    }
    if (data !== undefined && !(data instanceof Float64Array)) {
      throw new MinidlError(`Tensor: data must be a Float64Array, got ${describeData(data)} (use Tensor.fromArray to copy other arrays)`);
    }
    if (data !== undefined && data.length !== size) {
      throw new MinidlError(`Tensor: shape ${formatShape(shape)} holds ${size} values, but data has ${data.length}`);
    }
    this.shape = Object.freeze(shape.slice());
    this.values = data ?? newValues(size);
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
    return new Tensor(shape);
  }

  /** A tensor with every entry equal to `value`. */
  static full(shape: readonly number[], value: number): Tensor {
    const t = new Tensor(shape);
    t.data.fill(value);
    return t;
  }

  /** A tensor of ones. */
  static ones(shape: readonly number[]): Tensor {
    return Tensor.full(shape, 1);
  }

  /**
   * A tensor from nested arrays: `Tensor.from([[1, 2], [3, 4]])` has shape `[2, 2]`.
   * A plain list `[1, 2, 3]` gives shape `[3]`. Ragged arrays are refused.
   */
  static from(values: NestedArray): Tensor {
    const shape: number[] = [];
    let level: NestedArray = values;
    while (Array.isArray(level)) {
      shape.push(level.length);
      level = level[0];
    }
    if (shape.length === 0) shape.push(1);
    const t = new Tensor(shape);
    let pos = 0;
    const fill = (v: NestedArray, depth: number): void => {
      if (depth === shape.length || (depth === 0 && !Array.isArray(v))) {
        if (typeof v !== 'number') {
          throw new MinidlError(`Tensor.from: expected a number at depth ${depth}, got ${Array.isArray(v) ? 'an array' : typeof v} (ragged array?)`);
        }
        t.data[pos++] = v;
        return;
      }
      if (!Array.isArray(v) || v.length !== shape[depth]) {
        throw new MinidlError(
          `Tensor.from: ragged array: expected ${shape[depth]} entries at depth ${depth} (shape ${formatShape(shape)}), got ${Array.isArray(v) ? v.length : typeof v}`,
        );
      }
      for (const item of v) fill(item, depth + 1);
    };
    fill(values, 0);
    return t;
  }

  /** Copies the values from any array-like into a tensor of the given shape. */
  static fromArray(values: ArrayLike<number>, shape: readonly number[]): Tensor {
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
    if (index.length !== this.shape.length) {
      throw new MinidlError(`Tensor: index [${index.join(',')}] has ${index.length} axes, tensor has shape ${formatShape(this.shape)}`);
    }
    let pos = 0;
    for (let axis = 0; axis < index.length; axis++) {
      const i = index[axis];
      if (!Number.isInteger(i) || i < 0 || i >= this.shape[axis]) {
        throw new MinidlError(`Tensor: index [${index.join(',')}] is out of range for shape ${formatShape(this.shape)}`);
      }
      pos = pos * this.shape[axis] + i;
    }
    return pos;
  }

  /** The entry at `index`, e.g. `t.get(2, 0)`. */
  get(...index: number[]): number {
    return this.data[this.offset(index)];
  }

  /** Sets the entry at `index`, e.g. `t.set([2, 0], 1.5)`. */
  set(index: readonly number[], value: number): void {
    this.data[this.offset(index)] = value;
  }

  /** A copy with its own data. */
  clone(): Tensor {
    const copy = new Tensor(this.shape);
    copy.data.set(this.data);
    return copy;
  }

  /** The same numbers seen with another shape of the same size (shares the data, no copy). */
  reshape(shape: readonly number[]): Tensor {
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== this.size) {
      throw new MinidlError(`Tensor.reshape: cannot view shape ${formatShape(this.shape)} (${this.size} values) as ${formatShape(shape)} (${size} values)`);
    }
    const view = new Tensor(shape, this.data);
    view.lease = this.lease; // the same numbers, the same lifetime
    return view;
  }

  /** True when the other tensor has the same shape. */
  hasShape(shape: readonly number[]): boolean {
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

function releasedError(t: Tensor, lease: StepLease): MinidlError {
  return new MinidlError(
    `Tensor${formatShape(t.shape)}: this tensor was a temporary of ${lease.label} and was released when it ended; ` +
    'its memory may now hold other values, so it cannot be read. Keep values past a step by copying them while it runs ' +
    '(a Tensor returned from withTemporaryTensors is copied for you), or run forward again.',
  );
}

function describeData(data: unknown): string {
  if (data === null) return 'null';
  if (Array.isArray(data)) return 'an array';
  if (typeof data !== 'object') return `${typeof data} ${String(data)}`;
  return `a ${(data as object).constructor?.name ?? 'Object'}`;
}
