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

  /**
   * convolutionForward of image-kernels.ts in WebAssembly: for every sample colsₙ = im2col(X[n]),
   * Y[n] = W·colsₙ, then Y[n, f, :] += b[f]. The same kernels as the per-call versions, in the
   * same order, but the images, the weight and the outputs are copied in and out once per chunk
   * of samples (the whole batch, unless it is large) instead of once per sample and kernel.
   * No colsₙ is copied out: convolutionBackward rebuilds them from X inside WebAssembly memory,
   * which costs less than copying K·P values per sample out and back in.
   */
  convolutionForward(input: Float64Array, g: WindowGeometry, N: number, weight: Float64Array, F: number,
    bias: Float64Array | null, output: Float64Array): void {
    const K = g.channels * g.kernelH * g.kernelW, P = g.outH * g.outW, imageSize = g.channels * g.height * g.width;
    const perSample = imageSize + F * P;
    const chunk = chunkSize(N, perSample);
    for (let first = 0; first < N; first += chunk) {
      const count = Math.min(chunk, N - first);
      this.begin(count * perSample + F * K + F + K * P);
      const x = this.put(input.subarray(first * imageSize, (first + count) * imageSize), count * imageSize);
      const w = this.put(weight, F * K);
      const b = bias ? this.put(bias, F) : 0;
      const y = this.reserve(count * F * P);
      const c = this.reserve(K * P); //                     one sample's colsₙ at a time
      for (let n = 0; n < count; n++) {
        this.kernels.im2col(x + 8 * n * imageSize, c, g.channels, g.height, g.width, g.kernelH, g.kernelW,
          g.strideH, g.strideW, g.padH, g.padW, g.outH, g.outW);
        this.kernels.matmul(w, c, y + 8 * n * F * P, F, K, P, false, 0, false);
      }
      if (bias) this.kernels.addChannelBias(y, b, count, F, P);
      this.get(y, output, count * F * P, first * F * P);
    }
  }

  /**
   * convolutionBackward of image-kernels.ts in WebAssembly: for every sample ∂L/∂W += Gₙ·colsₙᵀ,
   * ∂L/∂colsₙ = Wᵀ·Gₙ, ∂L/∂X[n] = col2im(∂L/∂colsₙ), then ∂L/∂b += Σₙ Σₚ G[n, f, p]; each colsₙ is
   * rebuilt from X[n] first. Copies once per chunk of samples, as convolutionForward.
   */
  convolutionBackward(input: Float64Array, g: WindowGeometry, N: number, weight: Float64Array, F: number,
    gradOut: Float64Array, weightGrad: Float64Array, biasGrad: Float64Array | null, gradInput: Float64Array): void {
    const K = g.channels * g.kernelH * g.kernelW, P = g.outH * g.outW, imageSize = g.channels * g.height * g.width;
    const perSample = 2 * imageSize + F * P;
    const chunk = chunkSize(N, perSample);
    for (let first = 0; first < N; first += chunk) {
      const count = Math.min(chunk, N - first);
      this.begin(count * perSample + 2 * F * K + F + 2 * K * P);
      const gOut = this.put(gradOut.subarray(first * F * P, (first + count) * F * P), count * F * P);
      const x = this.put(input.subarray(first * imageSize, (first + count) * imageSize), count * imageSize);
      const w = this.put(weight, F * K), wGrad = this.put(weightGrad, F * K);
      const bGrad = biasGrad ? this.put(biasGrad, F) : 0;
      const c = this.reserve(K * P), gCols = this.reserve(K * P);
      const gIn = this.reserve(count * imageSize);
      this.whole.fill(0, gIn >> 3, (gIn >> 3) + count * imageSize); // col2im adds into it
      for (let n = 0; n < count; n++) {
        const gn = gOut + 8 * n * F * P;
        this.kernels.im2col(x + 8 * n * imageSize, c, g.channels, g.height, g.width, g.kernelH, g.kernelW,
          g.strideH, g.strideW, g.padH, g.padW, g.outH, g.outW);
        this.kernels.matmulTransB(gn, c, wGrad, F, P, K, true, 0, false);
        this.kernels.matmulTransA(w, gn, gCols, K, F, P, false, 0, false);
        this.kernels.col2im(gCols, gIn + 8 * n * imageSize, g.channels, g.height, g.width, g.kernelH, g.kernelW,
          g.strideH, g.strideW, g.padH, g.padW, g.outH, g.outW);
      }
      if (biasGrad) this.kernels.sumChannels(gOut, bGrad, count, F, P, true);
      this.get(wGrad, weightGrad, F * K);
      if (biasGrad) this.get(bGrad, biasGrad, F);
      this.get(gIn, gradInput, count * imageSize, first * imageSize);
    }
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

/** Samples per chunk of a batched call: as many as fit in about 16 MB of scratch (at least one). */
function chunkSize(N: number, doublesPerSample: number): number {
  const fit = Math.floor((1 << 21) / doublesPerSample);
  return fit < 1 ? 1 : fit < N ? fit : N;
}
