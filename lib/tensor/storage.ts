import { tensorMemory } from './backend';
import type { ArenaMark } from './wasm/wasm-arena';
import type { WasmTensorMemory } from './wasm/wasm-tensor-memory';

/**
 * Where a tensor's numbers live.
 *
 * On the 'js' backend, always in an ordinary Float64Array, reclaimed by the garbage collector.
 *
 * On the 'wasm' backend with a shared WebAssembly memory (Node.js, and cross-origin-isolated
 * browser pages), the tensors a training step works on live in the kernels' memory, so that
 * no kernel call copies anything:
 *
 *   temporary   made inside `withTemporaryTensors(fn)` — what `NeuralNet` runs each training
 *               step and each evaluation batch in: layer outputs, gradients, the batch's
 *               rows. They come from an arena that is reset when fn returns, so the next step
 *               reuses the same bytes and the memory stops growing after the first step.
 *   persistent  parameters, their gradients, optimizer state, workspaces a layer keeps
 *               (Conv2d's unrolled windows, MaxPool2d's argmax): a block that is freed when
 *               the garbage collector reclaims the array.
 *   ordinary    every other tensor (made outside a step): a plain Float64Array, copied into
 *               the kernels' memory when a kernel needs it.
 *
 * The values are the same bits wherever they live; only the speed differs.
 */

/** The tensor memory of the `withTemporaryTensors` call that is running, or null. */
let temporaries: WasmTensorMemory | null = null;

/** n zeros for a new tensor: a temporary inside `withTemporaryTensors`, else an ordinary array. */
export function newTensorValues(n: number): Float64Array {
  return temporaries === null ? new Float64Array(n) : temporaries.temporary(n);
}

/**
 * n zeros for values that outlive a training step (parameters, gradients, optimizer state): in
 * the kernels' memory when tensors can live there, else an ordinary array.
 */
export function persistentTensorValues(n: number): Float64Array {
  const memory = tensorMemory();
  return memory === null ? new Float64Array(n) : memory.persistent(n);
}

/**
 * n zero 32-bit integers that outlive a training step (the argmax a max-pooling layer keeps
 * for its backward pass): in the kernels' memory when tensors can live there, else an
 * ordinary Int32Array.
 */
export function persistentIndexValues(n: number): Int32Array {
  const memory = tensorMemory();
  return memory === null ? new Int32Array(n) : memory.persistentIndices(n);
}

/** What `endTemporaries` needs to close a scope. */
export interface TemporariesScope {
  /** The memory whose arena the scope uses. */
  readonly memory: WasmTensorMemory;
  /** The arena position when the scope began. */
  readonly mark: ArenaMark;
  /** The scope it is nested in (its memory), or null. */
  readonly outer: WasmTensorMemory | null;
}

/**
 * Opens a scope in which new tensors are temporaries; null (and nothing to close) when tensors
 * cannot live in the kernels' memory. Use `withTemporaryTensors`, which closes it.
 */
export function beginTemporaries(): TemporariesScope | null {
  const memory = tensorMemory();
  if (memory === null) return null;
  const scope = { memory, mark: memory.arena.mark(), outer: temporaries };
  temporaries = memory;
  return scope;
}

/** Closes a scope: every temporary made in it is freed (its bytes go to the next ones). */
export function endTemporaries(scope: TemporariesScope): void {
  temporaries = scope.outer;
  scope.memory.arena.release(scope.mark);
}
