import { MinidlError } from '../errors';
import type { StepMark, TensorStore } from './backend/interface';
import { activeBackend } from './backend/select';

/**
 * Where a tensor's numbers live, and for how long. Only this file and the backends know.
 *
 * Three kinds of values, and who gets which:
 *
 *   ordinary     every tensor user code makes (`new Tensor`, `Tensor.zeros`, `clone`, …) outside
 *                a step: a plain Float64Array, reclaimed by the garbage collector. Always correct;
 *                a WebAssembly kernel copies it in and out.
 *   long-lived   parameters and their gradients, registered buffers (BatchNorm's running
 *                statistics), a layer's workspaces, optimizer state — made through `Parameter`,
 *                `Module.registerBuffer` / `workspace`, `Optimizer.stateTensor`: on the 'wasm'
 *                backend a block of the kernels' memory, read in place, returned to it when the
 *                garbage collector has reclaimed the array.
 *   temporary    every tensor made while a step runs (`runStep`): layer outputs, the gradients
 *                flowing back, the batch's rows. On the 'wasm' backend a slice of an arena that
 *                the next step reuses. When the step ends, each of these tensors is *released*:
 *                reading its `data` throws a MinidlError that says so, on both backends, so a
 *                stale value can never be read.
 *
 * Who opens steps: `NeuralNet` runs each training step and each evaluation batch as a step —
 * but only when the model, the loss and the optimizer are made of minidl's own classes, whose
 * code keeps nothing past a step except through the long-lived helpers. With any class of your
 * own in it (a layer, a loss, an optimizer, even a subclass), no step is opened: every tensor is
 * ordinary, your code may keep any of them, and the results are the same bits, only slower.
 * `withTemporaryTensors(fn)` opens one explicitly, for code that wants the speed and keeps the
 * rule (a tensor made inside is released when fn returns; a Tensor fn returns is copied out).
 *
 * Budget: the kernels' memory takes at most `memoryBudget()` bytes (128 MiB unless
 * `setMemoryBudget` says otherwise). Past it, new tensors of any kind are ordinary arrays:
 * correct, slower, never a crash. This bound does not depend on the garbage collector or the
 * event loop, so it holds in a synchronous loop that builds thousands of models.
 *
 * Memory checks (`setMemoryChecks(true)`, on in the specs): released step memory is filled with
 * NaN, and a kernel given a raw array of a released tensor throws.
 */

/** A step's mark on its tensors: `released` turns true when the step ends. */
export interface StepLease {
  /** True once the step has ended: the tensor's values may have been overwritten. */
  released: boolean;
  /** What the step was, for messages (`a NeuralNet training step`, `withTemporaryTensors`). */
  readonly label: string;
}

/** A step that is running. */
interface OpenStep {
  readonly lease: StepLease;
  /** The store its temporaries come from, and where it began (null: ordinary arrays). */
  readonly store: TensorStore | null;
  readonly mark: StepMark | null;
  /** The step it is nested in, or null. */
  readonly outer: OpenStep | null;
}

let current: OpenStep | null = null;
let checks = false;
/** With memory checks on: the lease of every temporary's array, to catch raw reads in kernels. */
let arrayLeases = new WeakMap<Float64Array, StepLease>();

/** The default budget of the kernels' memory, in bytes (128 MiB). */
export const DEFAULT_MEMORY_BUDGET = 128 * 1024 * 1024;
let budget = DEFAULT_MEMORY_BUDGET;

/** The active backend's store, with the budget applied, or null. */
function store(): TensorStore | null {
  const s = activeBackend().store;
  if (s !== null && s.budgetBytes !== budget) s.budgetBytes = budget;
  return s;
}

/** The lease of the step that is running, or null outside steps. */
export function currentLease(): StepLease | null {
  return current === null ? null : current.lease;
}

/**
 * n zeros for a tensor made now: a temporary inside a step, else an ordinary array. With `zeroed`
 * false a step temporary may hold what the memory held (for a tensor whose maker writes every
 * entry first: tensor.ts `tensorToOverwrite`); an ordinary array is zeros either way.
 */
export function newValues(n: number, zeroed = true): Float64Array {
  const step = current;
  if (step === null) return new Float64Array(n);
  const values = (step.store !== null ? step.store.stepValues(n, zeroed) : null) ?? new Float64Array(n);
  if (checks) arrayLeases.set(values, step.lease);
  return values;
}

/** n zeros that outlive any step (parameters, buffers, workspaces, optimizer state). */
export function longLivedValues(n: number): Float64Array {
  return store()?.keptValues(n) ?? new Float64Array(n);
}

/** n zero 32-bit integers that outlive any step (max pooling's argmax). */
export function longLivedIndices(n: number): Int32Array {
  return store()?.keptIndices(n) ?? new Int32Array(n);
}

/**
 * Runs `fn` as a step: every tensor made inside is a temporary, released when `fn` returns or
 * throws. Steps may be nested. `label` names the step in the message a released tensor gives.
 */
export function runStep<T>(label: string, fn: () => T): T {
  const s = store();
  const step: OpenStep = { lease: { released: false, label }, store: s, mark: s === null ? null : s.markStep(), outer: current };
  current = step;
  try {
    return fn();
  } finally {
    current = step.outer;
    step.lease.released = true;
    if (step.store !== null && step.mark !== null) step.store.releaseStep(step.mark, checks);
  }
}

/**
 * Turns memory checks on or off (off by default; the specs turn them on). On: the bytes of a
 * released step are filled with NaN, and every kernel refuses an operand that belongs to a
 * released tensor. Either way, reading `data` of a released tensor throws.
 */
export function setMemoryChecks(on: boolean): void {
  if (typeof on !== 'boolean') throw new MinidlError(`setMemoryChecks: expected true or false, got ${String(on)}`);
  checks = on;
  if (!on) arrayLeases = new WeakMap();
}

/** True when memory checks are on. */
export function memoryChecks(): boolean {
  return checks;
}

/** With memory checks on, throws if `values` is the array of a released temporary (`who` names the kernel). */
export function checkNotReleased(who: string, name: string, values: Float64Array): void {
  if (!checks) return;
  const lease = arrayLeases.get(values);
  if (lease !== undefined && lease.released) {
    throw new MinidlError(`${who}: ${name} is the array of a tensor released when ${lease.label} ended; its memory now holds other values`);
  }
}

/**
 * Sets the most bytes the kernels' memory may take (default 128 MiB). Past it, new tensors are
 * ordinary arrays. Lowering it below what is in use refuses new blocks until enough are freed;
 * nothing already there moves. Throws a MinidlError for anything but a whole number of bytes ≥ 0.
 */
export function setMemoryBudget(bytes: number): void {
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) {
    throw new MinidlError(`setMemoryBudget: the budget must be a whole number of bytes ≥ 0, got ${String(bytes)}`);
  }
  budget = bytes;
  store();
}

/** The budget of the kernels' memory, in bytes. */
export function memoryBudget(): number {
  return budget;
}

/** Bytes the kernels' memory takes now (0 on the 'js' backend, or with the plain build). */
export function memoryInUse(): number {
  return store()?.bytesUsed ?? 0;
}
