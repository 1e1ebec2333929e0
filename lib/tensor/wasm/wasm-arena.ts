import { WASM_ALIGNMENT, WasmMemory } from './wasm-memory';

/** A position in the arena, returned by `mark()` and given back to `release()`. */
export interface ArenaMark {
  /** Index of the chunk the next array goes into. */
  readonly chunk: number;
  /** Bytes already used in that chunk. */
  readonly used: number;
}

/** A block of the module's memory that the arena hands out piece by piece. */
interface Chunk {
  offset: number;
  bytes: number;
}

/** The smallest chunk the arena asks the allocator for (1 MiB). */
const MIN_CHUNK_BYTES = 1 << 20;

/**
 * An arena (a stack allocator) of float64 arrays inside the module's memory: the home of the
 * temporaries of a training step — layer outputs, the gradients flowing back, a batch's rows.
 *
 *   const mark = arena.mark();
 *   const y = arena.allocate(n);      a zero-filled Float64Array view, n doubles
 *   …                                 (as many as the step needs)
 *   arena.release(mark);              everything allocated since the mark is free again
 *
 * Allocating is moving a pointer forward; releasing is moving it back. The arena gets its
 * memory from the allocator (wasm-memory.ts) in chunks, and keeps them: the first training
 * step makes it as large as a step needs, and every later step reuses the same bytes, so
 * the memory stops growing. When the outermost release finds more than one chunk, it swaps
 * them for one chunk of their total size, so that a step's arrays lie next to each other.
 *
 * A view handed out before a release must not be used after the next allocation: its bytes
 * then belong to a new array. lib/tensor/memory.ts makes sure nothing reads such a view (a released tensor throws).
 */
export class WasmArena {
  /** The allocator the chunks come from. */
  readonly memory: WasmMemory;
  private readonly fillZeros: (offset: number, n: number) => void;
  private chunks: Chunk[] = [];
  private chunk = 0; //  index of the chunk in use
  private used = 0; //   bytes used in it

  /**
   * @param memory the allocator the chunks come from
   * @param fillZeros sets n doubles from byte `offset` to 0 (the kernels' bulk fill: much
   *   faster than `fill(0)` on a view of a shared memory)
   */
  constructor(memory: WasmMemory, fillZeros: (offset: number, n: number) => void) {
    this.memory = memory;
    this.fillZeros = fillZeros;
  }

  /**
   * An array of n doubles in the arena, starting on a cache line (WASM_ALIGNMENT), zero-filled unless `zeroed` is false
   * (then it holds whatever an earlier step left there: for an array its maker overwrites
   * entirely before anything reads it); null when the memory's budget leaves no room.
   */
  allocate(n: number, zeroed = true): Float64Array | null {
    const bytes = Math.max(WASM_ALIGNMENT, Math.ceil((n * 8) / WASM_ALIGNMENT) * WASM_ALIGNMENT);
    for (;;) {
      if (this.chunk === this.chunks.length && !this.addChunk(bytes)) return null;
      const chunk = this.chunks[this.chunk];
      if (this.used + bytes <= chunk.bytes) {
        const offset = chunk.offset + this.used;
        this.used += bytes;
        if (zeroed) this.fillZeros(offset, n);
        return this.memory.array(offset, n);
      }
      this.chunk++; // does not fit: continue in the next chunk
      this.used = 0;
    }
  }

  /** The current position: `release(mark)` frees everything allocated after it. */
  mark(): ArenaMark {
    return { chunk: this.chunk, used: this.used };
  }

  /**
   * Frees every array allocated since `mark` (their views must no longer be used). With
   * `poison`, their bytes are first set to NaN, so that a stale read shows (memory checks).
   */
  release(mark: ArenaMark, poison = false): void {
    if (poison) this.poison(mark);
    this.chunk = mark.chunk;
    this.used = mark.used;
    if (mark.chunk === 0 && mark.used === 0 && this.chunks.length > 1) this.mergeChunks();
  }

  /** True when `values` is a view of this arena's memory. */
  holds(values: Float64Array): boolean {
    if (!this.memory.holds(values)) return false;
    const start = values.byteOffset;
    for (const chunk of this.chunks) if (start >= chunk.offset && start < chunk.offset + chunk.bytes) return true;
    return false;
  }

  /** Bytes the arena holds (in use or not). */
  get bytesReserved(): number {
    let total = 0;
    for (const chunk of this.chunks) total += chunk.bytes;
    return total;
  }

  /** Bytes in use since the last release to the start. */
  get bytesInUse(): number {
    let total = this.used;
    for (let i = 0; i < this.chunk && i < this.chunks.length; i++) total += this.chunks[i].bytes;
    return total;
  }

  /** Adds a chunk of at least `atLeast` bytes (doubling the arena when the budget allows); false when none fits. */
  private addChunk(atLeast: number): boolean {
    let bytes = Math.max(atLeast, this.bytesReserved, MIN_CHUNK_BYTES);
    let offset = this.memory.tryAllocate(bytes / 8);
    if (offset < 0 && bytes > atLeast) { //                   the budget may still leave room for what is asked
      bytes = atLeast;
      offset = this.memory.tryAllocate(bytes / 8);
    }
    if (offset < 0) return false;
    this.chunks.push({ offset, bytes });
    return true;
  }

  /** Fills everything allocated since `mark` with NaN. */
  private poison(mark: ArenaMark): void {
    const view = this.memory.view();
    for (let c = mark.chunk; c <= this.chunk && c < this.chunks.length; c++) {
      const chunk = this.chunks[c];
      const from = chunk.offset + (c === mark.chunk ? mark.used : 0);
      const to = chunk.offset + (c === this.chunk ? this.used : chunk.bytes);
      if (to > from) view.fill(NaN, from / 8, to / 8);
    }
  }

  /** Replaces the chunks by one of their total size (only when nothing is allocated). */
  private mergeChunks(): void {
    const total = this.bytesReserved;
    for (const chunk of this.chunks) this.memory.free(chunk.offset);
    this.chunks = [{ offset: this.memory.tryAllocate(total / 8, true), bytes: total }]; // the bytes just freed: it fits
  }
}
