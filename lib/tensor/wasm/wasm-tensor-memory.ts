import type { StepMark, TensorStore } from '../backend/interface';
import { ArenaMark, WasmArena } from './wasm-arena';
import type { WasmKernels } from './wasm-kernels';
import { WasmMemory } from './wasm-memory';

/** The budget of the kernels' memory unless `setMemoryBudget` says otherwise: 128 MiB. */
export const DEFAULT_MEMORY_BUDGET_BYTES = 128 * 1024 * 1024;

/**
 * Where tensors keep their values when they live in the kernels' (shared) WebAssembly memory,
 * so that a kernel reads and writes them in place, without a copy: the 'wasm' backend's
 * `TensorStore` (see backend/interface.ts; lib/tensor/memory.ts decides who gets what).
 *
 *   keptValues(n)    a block of the allocator (wasm-memory.ts) for values that outlive a
 *                    training step: parameters, their gradients, registered buffers, workspaces,
 *                    optimizer state. The block goes back to the allocator once the garbage
 *                    collector has reclaimed its Float64Array view (a FinalizationRegistry).
 *   stepValues(n)    a slice of the arena (wasm-arena.ts) for the temporaries of one library
 *                    step, all released at once when the step ends.
 *
 * Both return zero-filled views (stepValues skips the zeros when asked: a tensor its maker
 * overwrites entirely, tensor.ts `tensorToOverwrite`), or null when the memory's budget (`budgetBytes`, 128 MiB by
 * default) would be exceeded or the memory cannot grow: the tensor is then an ordinary array,
 * which the kernels copy in and out. So memory stays bounded even in a synchronous loop that
 * never lets the finalizers run.
 *
 * Only a shared memory may hold tensors: growing it leaves every existing view valid, so a
 * tensor's `data` never goes stale. (Growing an ordinary WebAssembly memory empties every view.)
 */
export class WasmTensorMemory implements TensorStore {
  /** The allocator of the module's memory. */
  readonly memory: WasmMemory;
  /** The arena of the step temporaries. */
  readonly arena: WasmArena;
  private readonly registry: FinalizationRegistry<number> | null;
  private readonly fillZeros: (offset: number, n: number) => void;

  /** The tensor memory of a loaded instance of the kernels (its memory should be shared). */
  constructor(kernels: WasmKernels, budgetBytes = DEFAULT_MEMORY_BUDGET_BYTES) {
    const memory = kernels.memory;
    this.memory = memory;
    memory.limitBytes = budgetBytes;
    this.fillZeros = (offset, n) => kernels.exports.fillZeros(offset, n);
    this.arena = new WasmArena(memory, this.fillZeros);
    this.registry = typeof FinalizationRegistry === 'undefined' ? null : new FinalizationRegistry<number>((offset) => this.memory.free(offset));
  }

  get budgetBytes(): number {
    return this.memory.limitBytes;
  }

  set budgetBytes(bytes: number) {
    this.memory.limitBytes = bytes;
  }

  get bytesUsed(): number {
    return this.memory.bytesUsed;
  }

  holds(values: Float64Array | Int32Array): boolean {
    return this.memory.holds(values);
  }

  keptValues(n: number): Float64Array | null {
    const offset = this.zeroedBlock(n);
    if (offset === null) return null;
    const values = this.memory.array(offset, n);
    this.registry?.register(values, offset);
    return values;
  }

  keptIndices(n: number): Int32Array | null {
    const offset = this.zeroedBlock((n + 1) >> 1); // two integers per double
    if (offset === null) return null;
    const values = this.memory.int32Array(offset, n);
    this.registry?.register(values, offset);
    return values;
  }

  stepValues(n: number, zeroed: boolean): Float64Array | null {
    return this.arena.allocate(n, zeroed); // null over the budget: the caller makes an ordinary array
  }

  markStep(): StepMark {
    return { position: this.arena.mark() };
  }

  releaseStep(mark: StepMark, poison: boolean): void {
    this.arena.release(mark.position as ArenaMark, poison);
  }

  /** A block of `doubles` zeros from the allocator, or null past the budget. */
  private zeroedBlock(doubles: number): number | null {
    const offset = this.memory.tryAllocate(doubles);
    if (offset < 0) return null;
    this.fillZeros(offset, doubles);
    return offset;
  }
}
