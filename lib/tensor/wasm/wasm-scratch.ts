import type { WindowGeometry } from '../image-kernels';
import { WasmKernelExports, WasmKernels } from './wasm-kernels';

/** The three matrix products, by the name of their kernel. */
export type ProductKind = 'matmul' | 'matmulTransB' | 'matmulTransA';

/**
 * A scratch area inside the WebAssembly module's memory, where a kernel call's operands are
 * copied in and its result copied out.
 *
 * The tensors of minidl keep their values in ordinary Float64Arrays, which a WebAssembly
 * kernel cannot read. So the kernels of kernels.ts and image-kernels.ts, when the backend is
 * 'wasm', do this for each call:
 *
 *   scratch.begin(total)           room for every operand (grows the memory only when needed)
 *   const a = scratch.put(A, n)    copy an input in, get its byte offset
 *   const c = scratch.reserve(m)   room for an output
 *   kernels.matmul(a, …, c, …)     the WebAssembly kernel
 *   scratch.get(c, C, m)           copy the result out
 *
 * One block serves every call: it is replaced by a larger one only when a call needs more,
 * so after the first training step the memory no longer grows. When it does grow, the
 * module's ArrayBuffer is replaced and every old view becomes empty: `begin` therefore takes
 * a fresh view of the memory after growing, and the copies of one call all use that view.
 */
export class WasmScratch {
  /** The loaded kernels (raw exports: no default arguments, lowest call overhead). */
  readonly kernels: WasmKernelExports;
  /** The instance, with the allocator of its memory. */
  readonly instance: WasmKernels;
  private block = -1;
  private capacity = 0; //  doubles in the block
  private next = 0; //      byte offset of the next free slot
  private whole: Float64Array;

  constructor(instance: WasmKernels) {
    this.instance = instance;
    this.kernels = instance.exports;
    this.whole = instance.memory.view();
  }

  /** Bytes of the module's memory (to watch that it stops growing). */
  get memoryBytes(): number {
    return this.instance.memory.memory.buffer.byteLength;
  }

  /** Starts a call that needs `doubles` doubles in total, over at most 8 operands. */
  begin(doubles: number): void {
    const needed = doubles + 16; // each operand starts on a 16-byte boundary: ≤ 1 double of padding each
    if (needed > this.capacity) {
      const memory = this.instance.memory;
      if (this.block >= 0) memory.free(this.block);
      this.capacity = Math.max(needed, 2 * this.capacity);
      this.block = memory.allocateUninitialized(this.capacity);
    }
    this.whole = this.instance.memory.view(); // re-created if the memory grew (here or elsewhere)
    this.next = this.block;
  }

  /** Room for n doubles (an output the kernel overwrites); returns its byte offset. */
  reserve(n: number): number {
    const offset = this.next;
    this.next += ((n + 1) >> 1) << 4; // n doubles rounded up to whole 16-byte vectors
    return offset;
  }

  /** Copies the first n values of `source` in; returns their byte offset. */
  put(source: Float64Array, n: number): number {
    const offset = this.reserve(n);
    this.whole.set(n === source.length ? source : source.subarray(0, n), offset >> 3);
    return offset;
  }

  /** Copies n values at byte offset `offset` out, into `target` from index `at`. */
  get(offset: number, target: Float64Array, n: number, at = 0): void {
    target.set(this.whole.subarray(offset >> 3, (offset >> 3) + n), at);
  }

  /**
   * A product of kernels.ts in WebAssembly: A has M·K values, B K·N, C M·N (in the layout of
   * the kind: A [M,K] or [K,M], B [K,N] or [N,K]); C (+)= the product.
   */
  product(kind: ProductKind, A: Float64Array, B: Float64Array, C: Float64Array,
    M: number, K: number, N: number, accumulate: boolean): void {
    const mk = M * K, kn = K * N, mn = M * N;
    this.begin(mk + kn + mn);
    const a = this.put(A, mk), b = this.put(B, kn);
    const c = accumulate ? this.put(C, mn) : this.reserve(mn);
    this.kernels[kind](a, b, c, M, K, N, accumulate, 0, false);
    this.get(c, C, mn);
  }

  /** sumRows of kernels.ts in WebAssembly: out[N] (+)= Σᵢ G[i, :]. */
  sumRows(G: Float64Array, out: Float64Array, M: number, N: number, accumulate: boolean): void {
    this.begin(M * N + N);
    const g = this.put(G, M * N);
    const o = accumulate ? this.put(out, N) : this.reserve(N);
    this.kernels.sumRows(g, o, M, N, accumulate);
    this.get(o, out, N);
  }

  /** addRowVector of kernels.ts in WebAssembly: C[i, :] += b. */
  addRowVector(C: Float64Array, b: Float64Array, M: number, N: number): void {
    this.begin(M * N + N);
    const c = this.put(C, M * N), v = this.put(b, N);
    this.kernels.addRowVector(c, v, M, N);
    this.get(c, C, M * N);
  }

  /** im2col of image-kernels.ts in WebAssembly (the image is C·H·W values from `imageOffset`). */
  im2col(image: Float64Array, imageOffset: number, g: WindowGeometry, cols: Float64Array): void {
    const imageSize = g.channels * g.height * g.width;
    const colsSize = g.channels * g.kernelH * g.kernelW * g.outH * g.outW;
    this.begin(imageSize + colsSize);
    const x = this.put(image.subarray(imageOffset, imageOffset + imageSize), imageSize);
    const c = this.reserve(colsSize);
    this.kernels.im2col(x, c, g.channels, g.height, g.width, g.kernelH, g.kernelW,
      g.strideH, g.strideW, g.padH, g.padW, g.outH, g.outW);
    this.get(c, cols, colsSize);
  }

  /** col2im of image-kernels.ts in WebAssembly (adds into the C·H·W values of `image` from `imageOffset`). */
  col2im(cols: Float64Array, g: WindowGeometry, image: Float64Array, imageOffset: number): void {
    const imageSize = g.channels * g.height * g.width;
    const colsSize = g.channels * g.kernelH * g.kernelW * g.outH * g.outW;
    this.begin(imageSize + colsSize);
    const c = this.put(cols, colsSize);
    const x = this.put(image.subarray(imageOffset, imageOffset + imageSize), imageSize);
    this.kernels.col2im(c, x, g.channels, g.height, g.width, g.kernelH, g.kernelW,
      g.strideH, g.strideW, g.padH, g.padW, g.outH, g.outW);
    this.get(x, image, imageSize, imageOffset);
  }

  /** addChannelBias of image-kernels.ts in WebAssembly: Y[n, f, :] += b[f] for Y [N, F, P]. */
  addChannelBias(output: Float64Array, bias: Float64Array, N: number, F: number, P: number): void {
    const size = N * F * P;
    this.begin(size + F);
    const y = this.put(output, size), b = this.put(bias, F);
    this.kernels.addChannelBias(y, b, N, F, P);
    this.get(y, output, size);
  }

  /** sumChannels of image-kernels.ts in WebAssembly: out[f] (+)= Σₙ Σₚ G[n, f, p]. */
  sumChannels(grad: Float64Array, out: Float64Array, N: number, F: number, P: number, accumulate: boolean): void {
    const size = N * F * P;
    this.begin(size + F);
    const g = this.put(grad, size);
    const o = accumulate ? this.put(out, F) : this.reserve(F);
    this.kernels.sumChannels(g, o, N, F, P, accumulate);
    this.get(o, out, F);
  }
}
