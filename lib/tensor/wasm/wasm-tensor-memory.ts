import { WasmArena } from './wasm-arena';
import type { WasmKernels } from './wasm-kernels';
import { WasmMemory } from './wasm-memory';

/**
 * Where tensors keep their values when they live in the kernels' (shared) WebAssembly memory,
 * so that a kernel reads and writes them in place, without a copy.
 *
 *   persistent(n)   a block of the allocator (wasm-memory.ts) for values that outlive a
 *                   training step: parameters, their gradients, optimizer state. The block is
 *                   freed when the garbage collector reclaims its Float64Array view (a
 *                   FinalizationRegistry watches every view).
 *   temporary(n)    a slice of the arena (wasm-arena.ts) for the temporaries of one step,
 *                   freed all at once when the step's `withTemporaryTensors` returns.
 *
 * Both return zero-filled Float64Array views. When the memory cannot grow any more (it holds
 * at most 4 GiB), they return an ordinary Float64Array instead: the kernels then copy that
 * array in and out, as they do for any array outside the module's memory.
 *
 * Only a shared memory may hold tensors: growing it leaves every existing view valid, so a
 * tensor's `data` never goes stale. (Growing an ordinary WebAssembly memory empties every
 * view made on it.)
 */
export class WasmTensorMemory {
  /** The allocator of the module's memory. */
  readonly memory: WasmMemory;
  /** The arena of the temporaries. */
  readonly arena: WasmArena;
  private readonly registry: FinalizationRegistry<number> | null;
  private readonly fillZeros: (offset: number, n: number) => void;

  /** The tensor memory of a loaded instance of the kernels (its memory should be shared). */
  constructor(kernels: WasmKernels) {
    const memory = kernels.memory;
    this.memory = memory;
    this.fillZeros = (offset, n) => kernels.exports.fillZeros(offset, n);
    this.arena = new WasmArena(memory, this.fillZeros);
    this.registry = typeof FinalizationRegistry === 'undefined' ? null : new FinalizationRegistry<number>((offset) => this.memory.free(offset));
  }

  /** n zero-filled doubles that live until their view is garbage-collected. */
  persistent(n: number): Float64Array {
    const offset = this.zeroedBlock(n);
    if (offset === null) return new Float64Array(n); // the memory is full: an ordinary array
    const values = this.memory.array(offset, n);
    this.registry?.register(values, offset);
    return values;
  }

  /**
   * n zero-filled 32-bit integers that live until their view is garbage-collected (the argmax
   * a max-pooling layer keeps from forward to backward).
   */
  persistentIndices(n: number): Int32Array {
    const offset = this.zeroedBlock((n + 1) >> 1); // two integers per double
    if (offset === null) return new Int32Array(n);
    const values = this.memory.int32Array(offset, n);
    this.registry?.register(values, offset);
    return values;
  }

  /** A block of `doubles` zeros from the allocator, or null when the memory cannot grow any more. */
  private zeroedBlock(doubles: number): number | null {
    let offset: number;
    try {
      offset = this.memory.allocateUninitialized(doubles);
    } catch {
      return null;
    }
    this.fillZeros(offset, doubles);
    return offset;
  }

  /** n zero-filled doubles in the arena (valid until the enclosing step releases it). */
  temporary(n: number): Float64Array {
    try {
      return this.arena.allocate(n);
    } catch {
      return new Float64Array(n); // the memory is full: an ordinary array
    }
  }
}
