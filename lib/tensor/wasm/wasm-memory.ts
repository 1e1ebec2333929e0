import { MinidlError } from '../../errors';

/**
 * The part of a `WebAssembly.Memory` the allocator uses (declared here because the library is
 * compiled without the DOM's type declarations).
 */
export interface GrowableMemory {
  /**
   * The memory's bytes. Growing the memory replaces this buffer: an ordinary memory's old
   * buffer becomes empty (length 0); a shared memory's old buffer stays valid (it just does
   * not reach the new pages).
   */
  readonly buffer: ArrayBufferLike;
  /** Adds `pages` pages of 64 KiB, zero-filled; returns the previous size in pages. */
  grow(pages: number): number;
}

/** A free block: `bytes` bytes starting at byte `offset`. */
interface FreeBlock {
  offset: number;
  bytes: number;
}

/** Bytes in one WebAssembly memory page. */
export const WASM_PAGE_BYTES = 65536;

/**
 * Every block starts at a multiple of this many bytes: a cache line. f64x2 vectors then load
 * aligned, and the four doubles a kernel reads together from a row (a tile's filters or columns)
 * never straddle two lines: with blocks only 16-byte aligned, the MNIST CNN's second convolution
 * ran 15–20 % slower in the processes whose working space happened to start mid-line
 * (docs/performance.md).
 */
export const WASM_ALIGNMENT = 64;

/** True for a SharedArrayBuffer (checked by its tag, which works across JavaScript realms). */
export function isShared(buffer: ArrayBufferLike): boolean {
  return Object.prototype.toString.call(buffer) === '[object SharedArrayBuffer]';
}

function roundUp(bytes: number): number {
  return Math.ceil(bytes / WASM_ALIGNMENT) * WASM_ALIGNMENT;
}

/**
 * A simple allocator of float64 arrays inside a WebAssembly module's memory.
 *
 * The kernels read and write arrays by their byte offset ("pointer") in the module's memory.
 * `allocate(n)` reserves room for n doubles and returns that offset, always a multiple of 64;
 * `free(offset)` gives it back. Freed blocks go to a list sorted by address, neighbours are
 * merged, and the next allocation takes the first free block large enough (first fit),
 * splitting off what it does not need. A free block at the end of the used region is returned
 * to it. When nothing fits, the used region grows, and the memory with it (at least doubling,
 * so that n allocations grow it only about log n times).
 *
 * Growing an ordinary WebAssembly memory replaces its `ArrayBuffer`: every typed array made on
 * the old one becomes empty (length 0). So do not keep views across an allocation. (A shared
 * memory, as in the 'shared' build of the kernels, keeps its old views valid: that is what
 * lets tensors live in it, see lib/tensor/memory.ts.) `view()` returns a
 * Float64Array over the whole memory, re-created whenever the buffer changed, and
 * `memoryGeneration` counts the changes, so a caller that caches views can tell when to
 * re-create them. The data itself is kept: growth only adds memory at the end.
 */
export class WasmMemory {
  /** The WebAssembly memory the blocks live in. */
  readonly memory: GrowableMemory;
  /** The first byte the allocator may hand out (the module's own data lies below). */
  readonly base: number;
  /** End of the used region: every byte from here to the end of the memory is unused. */
  private top: number;
  private readonly freeBlocks: FreeBlock[] = [];
  private readonly live = new Map<number, number>();
  private buffer: ArrayBufferLike;
  private whole: Float64Array;
  private generation = 0;
  /** True for a shared memory, whose old buffers stay valid when it grows. */
  private readonly shared: boolean;
  /** Length in bytes of `buffer`. */
  private bufferBytes: number;
  /**
   * The most bytes of the memory the allocator may use (its used region ends at most here, the
   * module's own data included); an allocation past it throws, and the memory never grows past
   * it. Infinity by default.
   */
  limitBytes = Infinity;
  /** Why the last `tryAllocate` that failed did, for `allocateUninitialized`'s message. */
  private refusal = '';
  /** Every buffer of the memory whose views are still valid: all of them for a shared memory, the current one otherwise. */
  private readonly validBuffers = new Set<ArrayBufferLike>();

  /**
   * @param memory the module's memory (exported or imported by it)
   * @param base the first byte that is free to use, e.g. the module's `__heap_base`; rounded up to 64
   */
  constructor(memory: GrowableMemory, base = 0) {
    if (!Number.isInteger(base) || base < 0) throw new MinidlError(`WasmMemory: base must be an integer ≥ 0, got ${String(base)}`);
    this.memory = memory;
    this.base = roundUp(base);
    this.top = this.base;
    this.buffer = memory.buffer;
    this.bufferBytes = this.buffer.byteLength;
    this.shared = isShared(this.buffer);
    this.whole = new Float64Array(this.buffer);
    this.validBuffers.add(this.buffer);
  }

  /**
   * True when `array` is a view of this memory (a kernel can then read it in place, by its
   * `byteOffset`), false for an ordinary typed array.
   */
  holds(array: Float64Array | Int32Array): boolean {
    const buffer = array.buffer;
    if (buffer === this.buffer || this.validBuffers.has(buffer)) return true;
    this.refresh(); //                                              the memory may have grown since the last look
    return this.validBuffers.has(buffer);
  }

  /**
   * How many times the memory's buffer has been replaced (by growth) since this allocator was
   * made. A Float64Array made when the generation was g is still valid while it is g.
   */
  get memoryGeneration(): number {
    this.refresh();
    return this.generation;
  }

  /**
   * The whole memory as one Float64Array: the double at byte offset p is `view()[p / 8]`.
   * Call it again after any allocation (it returns the same array until the memory grows).
   */
  view(): Float64Array {
    this.refresh();
    return this.whole;
  }

  /**
   * A Float64Array on the n doubles at `offset` (no copy). Like every view of an ordinary
   * memory it is only valid until the memory grows (see `memoryGeneration`); a view of a
   * shared memory stays valid.
   */
  array(offset: number, n: number): Float64Array {
    // A shared memory's last-seen buffer stays valid after growth: no need to ask the memory
    // for its current buffer (a costly call) when the block lies within it.
    if (!this.shared || offset + 8 * n > this.bufferBytes) this.refresh();
    return new Float64Array(this.buffer, offset, n);
  }

  /** An Int32Array on the n 32-bit integers at `offset` (no copy; valid as long as `array`'s views). */
  int32Array(offset: number, n: number): Int32Array {
    if (!this.shared || offset + 4 * n > this.bufferBytes) this.refresh();
    return new Int32Array(this.buffer, offset, n);
  }

  /**
   * Reserves n doubles and returns the byte offset of the first, a multiple of 64. The
   * doubles are 0, as in a new Float64Array. A request for 0 doubles still gets its own
   * offset (a 64-byte block), so that every live block has a distinct address.
   */
  allocate(n: number): number {
    const offset = this.allocateUninitialized(n);
    this.view().fill(0, offset / 8, offset / 8 + n);
    return offset;
  }

  /** Why the last `tryAllocate` that returned −1 refused (past the budget, or the memory could not grow). */
  get refusalReason(): string {
    return this.refusal;
  }

  /**
   * Like `allocate`, but the doubles keep whatever a freed block held (for outputs a kernel
   * overwrites). Throws a MinidlError past the budget or when the memory cannot grow.
   */
  allocateUninitialized(n: number): number {
    const offset = this.tryAllocate(n);
    if (offset < 0) throw new MinidlError(`WasmMemory.allocate: ${this.refusal}`);
    return offset;
  }

  /**
   * Reserves n doubles (their values whatever a freed block held) and returns the byte offset,
   * or −1 when they do not fit: past the budget (`limitBytes`, unless `overBudget`) or past what
   * the memory can grow to. No exception on the way: a full memory is an ordinary event.
   */
  tryAllocate(n: number, overBudget = false): number {
    if (!Number.isInteger(n) || n < 0) {
      throw new MinidlError(`WasmMemory.allocate: the number of doubles must be an integer ≥ 0, got ${String(n)}`);
    }
    const bytes = Math.max(WASM_ALIGNMENT, roundUp(n * 8));
    const blocks = this.freeBlocks;
    for (let i = 0; i < blocks.length; i++) {
      const block = blocks[i];
      if (block.bytes < bytes) continue;
      const offset = block.offset;
      if (block.bytes === bytes) blocks.splice(i, 1);
      else {
        block.offset += bytes;
        block.bytes -= bytes;
      }
      this.live.set(offset, bytes);
      return offset;
    }
    const offset = this.top;
    if (!overBudget && offset + bytes > this.limitBytes) {
      this.refusal = `${bytes} more bytes would take the memory past its budget of ${this.limitBytes} bytes`;
      return -1;
    }
    if (!this.ensureCapacity(offset + bytes, overBudget)) {
      this.refusal = `cannot grow the WebAssembly memory from ${this.memory.buffer.byteLength} to ${offset + bytes} bytes`;
      return -1;
    }
    this.top = offset + bytes;
    this.live.set(offset, bytes);
    return offset;
  }

  /** Reserves room for the values, copies them in, and returns the byte offset. */
  allocateFrom(values: ArrayLike<number>): number {
    const offset = this.allocateUninitialized(values.length);
    this.write(offset, values);
    return offset;
  }

  /** Copies the values into the memory at `offset`. */
  write(offset: number, values: ArrayLike<number>): void {
    this.view().set(values, offset / 8);
  }

  /** A copy of the n doubles at `offset`, as a new Float64Array outside the module's memory. */
  read(offset: number, n: number): Float64Array {
    return this.view().slice(offset / 8, offset / 8 + n);
  }

  /** Gives back the block at `offset` (an offset `allocate` returned and that was not freed since). */
  free(offset: number): void {
    const bytes = this.live.get(offset);
    if (bytes === undefined) {
      throw new MinidlError(`WasmMemory.free: no block is allocated at offset ${String(offset)} (never allocated, or already freed)`);
    }
    this.live.delete(offset);
    const blocks = this.freeBlocks;
    let i = 0; // the first free block after this one
    while (i < blocks.length && blocks[i].offset < offset) i++;
    let block: FreeBlock = { offset, bytes };
    const before = i > 0 ? blocks[i - 1] : null;
    if (before !== null && before.offset + before.bytes === offset) {
      before.bytes += bytes; //                                  merge with the block before
      block = before;
    } else {
      blocks.splice(i, 0, block);
      i++;
    }
    const after = i < blocks.length ? blocks[i] : null;
    if (after !== null && block.offset + block.bytes === after.offset) {
      block.bytes += after.bytes; //                             merge with the block after
      blocks.splice(i, 1);
    }
    const last = blocks[blocks.length - 1];
    if (last.offset + last.bytes === this.top) {
      this.top = last.offset; //                                  the end of the used region moves down
      blocks.pop();
    }
  }

  /** Bytes of the memory in use: the end of the used region (the module's own data included). */
  get bytesUsed(): number {
    return this.top;
  }

  /** Bytes in live blocks (each request rounded up to a multiple of 64). */
  get bytesInUse(): number {
    let total = 0;
    for (const bytes of this.live.values()) total += bytes;
    return total;
  }

  /** Number of live blocks. */
  get blockCount(): number {
    return this.live.size;
  }

  /** Bytes in free blocks below the end of the used region (reusable without growing). */
  get bytesFree(): number {
    let total = 0;
    for (const block of this.freeBlocks) total += block.bytes;
    return total;
  }

  /**
   * Grows the memory (at least doubling it, but not far past the budget unless `overBudget`)
   * until it holds `end` bytes; false when it cannot.
   */
  private ensureCapacity(end: number, overBudget: boolean): boolean {
    const size = this.memory.buffer.byteLength;
    if (end <= size) return true;
    const needed = Math.ceil((end - size) / WASM_PAGE_BYTES);
    let doubling = Math.max(1, Math.ceil(size / WASM_PAGE_BYTES));
    const limitPages = Math.ceil(this.limitBytes / WASM_PAGE_BYTES) - size / WASM_PAGE_BYTES;
    if (!overBudget && doubling > limitPages) doubling = Math.max(needed, limitPages); // never grow far past the budget
    try {
      this.memory.grow(Math.max(needed, doubling));
    } catch {
      try {
        this.memory.grow(needed); //                              doubling may exceed the maximum: ask for just enough
      } catch {
        return false;
      }
    }
    this.refresh();
    return true;
  }

  /** Re-creates the whole-memory view if the buffer was replaced (by us or by anyone else). */
  private refresh(): void {
    if (this.memory.buffer !== this.buffer) {
      if (!this.shared) this.validBuffers.clear(); //             an ordinary memory's old buffer is now empty
      this.buffer = this.memory.buffer;
      this.bufferBytes = this.buffer.byteLength;
      this.whole = new Float64Array(this.buffer);
      this.validBuffers.add(this.buffer);
      this.generation++;
    }
  }
}
