import { MinidlError } from '../../errors';
import type { AdamUpdate, SgdUpdate, WindowGeometry } from '../backend/interface';
import { WasmKernelExports, WasmKernels, convForwardScratchDoubles, convWeightGradScratchDoubles } from './wasm-kernels';
import type { WasmMemory } from './wasm-memory';
import { SPLIT_COL2IM_ENTRIES, type SecondThread } from './wasm-threads';

/** What a kernel reads and writes: float64 values, or 32-bit integers (max pooling's argmax). */
export type Operand = Float64Array | Int32Array;

/** The doubles of scratch space n entries of `values` take (two 32-bit integers per double). */
function doublesFor(values: Operand, n: number): number {
  return values instanceof Float64Array ? n : (n + 1) >> 1;
}

/**
 * matmulTransB (C = A·Bᵀ, B [N,K]) with A of at least this many rows is computed as A·(Bᵀ): B is
 * transposed into working space, then multiplied by the matmul kernel, 25–35 % faster than
 * matmulTransB's own kernel from 8 rows on (docs/performance.md); below, the copy would cost
 * more than it saves. Each entry is the same sum in the same order: the same bits.
 */
export const TRANSPOSE_B_ROWS = 8;

/**
 * A block of the WebAssembly memory that is replaced by a larger one only when a call needs more:
 * the copies of a call's operands, a kernel's working space. It lies outside the memory's budget
 * (without it the kernel could not run at all).
 */
class GrowingBlock {
  /** Byte offset of the block, or −1 while there is none (before the first use, after a refusal). */
  private offset = -1;
  /** Its size in doubles (0 while there is none). */
  private capacity = 0;

  /**
   * The byte offset of a block of at least `needed` doubles. A larger one replaces the block:
   * twice the old size when the memory can grow that far (a need that keeps growing then replaces
   * it only a few times), else just `needed`; the old block is freed first, its room may serve.
   * When not even `needed` fits, throws a MinidlError starting with `what`, and there is then no
   * block (the next call asks again): no size is kept for a block that is not there.
   */
  ensure(memory: WasmMemory, needed: number, what: string): number {
    if (needed <= this.capacity) return this.offset;
    const doubled = Math.max(needed, 2 * this.capacity);
    this.release(memory);
    for (const size of doubled > needed ? [doubled, needed] : [needed]) {
      const offset = memory.tryAllocate(size, true);
      if (offset >= 0) {
        this.offset = offset;
        this.capacity = size;
        return offset;
      }
    }
    throw new MinidlError(`${what} (${needed} doubles, ${(needed * 8 / 2 ** 30).toFixed(2)} GiB) do not fit in the WebAssembly memory: ${memory.refusalReason}`);
  }

  /** Frees the block, if there is one (the next `ensure` allocates again). */
  release(memory: WasmMemory): void {
    if (this.offset >= 0) memory.free(this.offset);
    this.offset = -1;
    this.capacity = 0;
  }
}

/**
 * The doubles of a batch's operands in window geometry g: the input X [N, C, H, W], the filters
 * W [F, C, kH, kW] and the output Y [N, F, OH, OW] (F = C for a pooling layer).
 */
function windowOperandSizes(N: number, F: number, g: WindowGeometry): { inputSize: number; weightSize: number; outputSize: number } {
  return {
    inputSize: N * g.channels * g.height * g.width,
    weightSize: F * g.channels * g.kernelH * g.kernelW,
    outputSize: N * F * g.outH * g.outW,
  };
}

/** The three matrix products, by the name of their kernel. */
export type ProductKind = 'matmul' | 'matmulTransB' | 'matmulTransA';
/** Element-wise kernels y = f(x) (slope: LeakyReLU's). */
export type MapKind = 'reluForward' | 'leakyReluForward';
/** Element-wise kernels dx = f(a, g), a being the layer's input or output. */
export type MapWithGradKind = 'reluBackward' | 'leakyReluBackward' | 'tanhBackward' | 'sigmoidBackward';

/**
 * A scratch area inside the WebAssembly module's memory, for kernel operands that live
 * outside it.
 *
 * A WebAssembly kernel reads and writes the module's own memory only. A tensor whose values
 * already live there (lib/tensor/memory.ts: the temporaries of a library step, parameters, gradients,
 * buffers, optimizer state, when the memory is shared) is passed by its position, `byteOffset`, and
 * nothing is copied. An ordinary Float64Array is copied in, and a result copied out:
 *
 *   scratch.begin(room(A, n) + …)  room for the operands outside the memory (grows only when needed)
 *   const a = scratch.put(A, n)    A's byte offset: where it lives, or where it was copied to
 *   const c = scratch.output(C, m, accumulate)   where the kernel writes C
 *   kernels.matmul(a, …, c, …)     the WebAssembly kernel
 *   scratch.get(c, C, m)           copies the result out, unless C lives in the memory
 *
 * When every operand lives in the memory, `begin(0)` remembers it and the other calls return
 * the operands' byte offsets at once: a training step's kernels then cost one membership test
 * per operand and the WebAssembly call.
 *
 * One block serves every call: it is replaced by a larger one only when a call needs more,
 * so after the first training step the memory no longer grows. When it does grow, an
 * ordinary memory's ArrayBuffer is replaced and every old view becomes empty: `begin`
 * therefore takes a fresh view of the memory, and the copies of one call all use that view.
 * `copiedValues` counts the doubles copied in and out (the memory specs check it stays 0 in
 * a training step).
 *
 * With a second thread (`secondThread`, set by `setThreads(2)`), the products and both direct
 * convolution passes above a size are split between the two threads by output rows, and large
 * element-wise passes, max pooling and col2im by entries, planes or channels (wasm-threads.ts):
 * the same bits, in about half the time.
 */
export class WasmScratch {
  /** The loaded kernels (raw exports: no default arguments, lowest call overhead). */
  readonly kernels: WasmKernelExports;
  /** The instance, with the allocator of its memory. */
  readonly instance: WasmKernels;
  /** Doubles copied into and out of the module's memory so far. */
  copiedValues = 0;
  /** The block the copies of a call's operands go to (see `begin`). */
  private readonly copies = new GrowingBlock();
  private next = 0; //      byte offset of the next free slot
  private whole: Float64Array;
  /**
   * The second thread that shares large products and convolutions, or null (one thread, the
   * default): set and cleared by `setThreads` (lib/tensor/threads.ts).
   */
  secondThread: SecondThread | null = null;
  /** The kernels' working spaces (see `kernelWork`): byte offsets, or −1 before the first use, and their sizes in doubles. */
  private readonly work = [new GrowingBlock(), new GrowingBlock()];
  /** True while a call's operands all live in the module's memory (see `begin`). */
  private inPlace = false;

  constructor(instance: WasmKernels) {
    this.instance = instance;
    this.kernels = instance.exports;
    this.whole = instance.memory.view();
  }

  /** Bytes of the module's memory (to watch that it stops growing). */
  get memoryBytes(): number {
    return this.instance.memory.memory.buffer.byteLength;
  }

  /** The room an operand needs in the scratch area, in doubles: none if it lives in the module's memory. */
  room(values: Operand, n: number): number {
    return this.instance.memory.holds(values) ? 0 : doublesFor(values, n);
  }

  /**
   * Starts a call whose operands outside the module's memory need `doubles` doubles in total
   * (at most 8 operands). When that is 0, every operand lives in the memory (the usual case in
   * a training step): the call then goes straight to the kernel, and `put`, `output` and `get`
   * hand back the operands' own byte offsets without looking again. Throws a MinidlError naming
   * `who` when the memory cannot hold the copies (see `GrowingBlock`).
   */
  begin(doubles: number, who = 'a WebAssembly kernel'): void {
    this.inPlace = doubles === 0;
    if (this.inPlace) return;
    const needed = doubles + 16; // each operand starts on a 16-byte boundary: ≤ 1 double of padding each
    let block: number;
    try {
      block = this.copies.ensure(this.instance.memory, needed, `${who}: the copies of its operands`);
    } catch (err) {
      this.releaseKernelWork(); // the call will not run: a working space grown for it must not stay
      throw err;
    }
    this.whole = this.instance.memory.view(); // re-created if the memory grew (here or elsewhere)
    this.next = block;
  }

  /**
   * The byte offset of `doubles` doubles of working space for a kernel (the convolutions'
   * transposed operands, matmulTransB's transposed B): a block of its own, kept from call to call and replaced by a larger one
   * only when a call needs more. Ask for it before `begin` (allocating may grow the memory).
   * `which` is 0, or 1 for the second thread's own working space (a split weight gradient).
   * Throws a MinidlError naming `who` when the memory cannot hold it (see `GrowingBlock`).
   */
  kernelWork(doubles: number, which: 0 | 1 = 0, who = 'a WebAssembly kernel'): number {
    try {
      return this.work[which].ensure(this.instance.memory, doubles, `${who}: its working space`);
    } catch (err) {
      this.releaseKernelWork(); // nor the other thread's, grown for the same call
      throw err;
    }
  }

  /**
   * Frees the kernels' working spaces, when a call is refused after one of them grew for it: a
   * block as large as the refused call (gigabytes, for a huge image) would otherwise stay, and
   * every tensor made afterwards would find the memory's budget spent. The next call allocates
   * what it needs again.
   */
  private releaseKernelWork(): void {
    for (const block of this.work) block.release(this.instance.memory);
  }

  /** Room for n doubles (an output the kernel overwrites); returns its byte offset. */
  reserve(n: number): number {
    const offset = this.next;
    this.next += ((n + 1) >> 1) << 4; // n doubles rounded up to whole 16-byte vectors
    return offset;
  }

  /** The byte offset of the first n entries of `source`: where they live, or where they were copied to. */
  put(source: Operand, n: number): number {
    if (this.inPlace || this.instance.memory.holds(source)) return source.byteOffset;
    const offset = this.reserve(doublesFor(source, n));
    this.viewAt(offset, source, n).set(n === source.length ? source : source.subarray(0, n));
    this.copiedValues += n;
    return offset;
  }

  /** Where a kernel writes the n entries of `target` (copied in first when it adds to them). */
  output(target: Operand, n: number, accumulate: boolean): number {
    return this.inPlace || accumulate || this.instance.memory.holds(target) ? this.put(target, n) : this.reserve(doublesFor(target, n));
  }

  /** Copies n entries at byte offset `offset` out, into `target` from index `at` (nothing to do if target lives there). */
  get(offset: number, target: Operand, n: number, at = 0): void {
    if (this.inPlace || this.instance.memory.holds(target)) return;
    target.set(this.viewAt(offset, target, n), at);
    this.copiedValues += n;
  }

  /**
   * The n entries at byte offset `offset` of the memory, seen as the same kind of array as `like`.
   * (Offsets reach 4 GiB, past what a 32-bit shift keeps: `offset >> 3` would turn one beyond
   * 2 GiB negative, so the index is `offset / 8`, exact for the multiples of 8 it is given.)
   */
  private viewAt(offset: number, like: Operand, n: number): Operand {
    const first = offset / 8;
    return like instanceof Float64Array
      ? this.whole.subarray(first, first + n)
      : new Int32Array(this.whole.buffer, offset, n);
  }

  /**
   * A product of lib/tensor/backend/reference.ts in WebAssembly: A has M·K values, B K·N, C M·N (in the layout of
   * the kind: A [M,K] or [K,M], B [K,N] or [N,K]); C (+)= the product, then + the bias row
   * (N values) in the kernel's epilogue when one is given.
   */
  product(kind: ProductKind, A: Float64Array, B: Float64Array, C: Float64Array,
    M: number, K: number, N: number, accumulate: boolean, bias: Float64Array | null = null): void {
    const mk = M * K, kn = K * N, mn = M * N;
    // A·Bᵀ = A·(Bᵀ): from TRANSPOSE_B_ROWS rows of A on, B's transposed copy (K·N moves, once) costs
    // less than the shuffles matmulTransB's kernel does for every four rows; the sums are the same
    const transposeB = kind === 'matmulTransB' && M >= TRANSPOSE_B_ROWS;
    const transposed = transposeB ? this.kernelWork(kn, 0, kind) : 0;
    this.begin(this.room(A, mk) + this.room(B, kn) + this.room(C, mn) + (bias === null ? 0 : this.room(bias, N)), kind);
    const a = this.put(A, mk);
    let b = this.put(B, kn);
    if (transposeB) {
      this.kernels.transpose(b, transposed, N, K); // Bᵀ [K,N] from B [N,K]
      kind = 'matmul';
      b = transposed;
    }
    const biasAt = bias === null ? 0 : this.put(bias, N);
    const c = this.output(C, mn, accumulate);
    const second = this.secondThread;
    // A·Bᵀ left as it is has fewer than TRANSPOSE_B_ROWS rows: too few to split
    if (second !== null && kind !== 'matmulTransB' && M >= 8 && second.splits(2 * M * K * N)) {
      second.product(kind, a, b, c, M, K, N, accumulate, biasAt);
    } else this.kernels[kind](a, b, c, M, K, N, accumulate, biasAt, false);
    this.get(c, C, mn);
  }

  /** sumRows of lib/tensor/backend/reference.ts in WebAssembly: out[N] (+)= Σᵢ G[i, :]. */
  sumRows(G: Float64Array, out: Float64Array, M: number, N: number, accumulate: boolean): void {
    this.begin(this.room(G, M * N) + this.room(out, N));
    const g = this.put(G, M * N);
    const o = this.output(out, N, accumulate);
    this.kernels.sumRows(g, o, M, N, accumulate);
    this.get(o, out, N);
  }

  /** addRowVector of lib/tensor/backend/reference.ts in WebAssembly: C[i, :] += b. */
  addRowVector(C: Float64Array, b: Float64Array, M: number, N: number): void {
    this.begin(this.room(C, M * N) + this.room(b, N));
    const c = this.put(C, M * N), v = this.put(b, N);
    this.kernels.addRowVector(c, v, M, N);
    this.get(c, C, M * N);
  }

  /** im2col of lib/tensor/backend/reference.ts in WebAssembly (the image is C·H·W values from `imageOffset`). */
  im2col(image: Float64Array, imageOffset: number, g: WindowGeometry, cols: Float64Array): void {
    const imageSize = g.channels * g.height * g.width;
    const colsSize = g.channels * g.kernelH * g.kernelW * g.outH * g.outW;
    this.begin(this.room(image, imageSize) + this.room(cols, colsSize));
    const x = this.put(image.subarray(imageOffset, imageOffset + imageSize), imageSize);
    const c = this.output(cols, colsSize, false);
    this.instance.im2col(x, 0, g, c);
    this.get(c, cols, colsSize);
  }

  /** col2im of lib/tensor/backend/reference.ts in WebAssembly (adds into the C·H·W values of `image` from `imageOffset`). */
  col2im(cols: Float64Array, g: WindowGeometry, image: Float64Array, imageOffset: number): void {
    const imageSize = g.channels * g.height * g.width;
    const colsSize = g.channels * g.kernelH * g.kernelW * g.outH * g.outW;
    this.begin(this.room(cols, colsSize) + this.room(image, imageSize));
    const c = this.put(cols, colsSize);
    const x = this.put(image.subarray(imageOffset, imageOffset + imageSize), imageSize);
    const second = this.secondThread;
    if (second !== null && g.channels >= 2 && second.splitsEntries(colsSize, SPLIT_COL2IM_ENTRIES)) second.col2im(c, x, g);
    else this.instance.col2im(c, g, x, 0);
    this.get(x, image, imageSize, imageOffset);
  }

  /** addChannelBias of lib/tensor/backend/reference.ts in WebAssembly: Y[n, f, :] += b[f] for Y [N, F, P]. */
  addChannelBias(output: Float64Array, bias: Float64Array, N: number, F: number, P: number): void {
    const size = N * F * P;
    this.begin(this.room(output, size) + this.room(bias, F));
    const y = this.put(output, size), b = this.put(bias, F);
    this.kernels.addChannelBias(y, b, N, F, P);
    this.get(y, output, size);
  }

  /** sumChannels of lib/tensor/backend/reference.ts in WebAssembly: out[f] (+)= Σₙ Σₚ G[n, f, p]. */
  sumChannels(grad: Float64Array, out: Float64Array, N: number, F: number, P: number, accumulate: boolean): void {
    const size = N * F * P;
    this.begin(this.room(grad, size) + this.room(out, F));
    const g = this.put(grad, size);
    const o = this.output(out, F, accumulate);
    this.kernels.sumChannels(g, o, N, F, P, accumulate);
    this.get(o, out, F);
  }

  /** conv2dForward of lib/tensor/backend/reference.ts in WebAssembly: Y = W ⋆ X for a batch (no bias). */
  conv2dForward(input: Float64Array, weight: Float64Array, output: Float64Array, N: number, F: number, g: WindowGeometry): void {
    const { inputSize, weightSize, outputSize } = windowOperandSizes(N, F, g);
    const work = this.kernelWork(convForwardScratchDoubles(F, g), 0, 'conv2dForward');
    this.begin(this.room(input, inputSize) + this.room(weight, weightSize) + this.room(output, outputSize), 'conv2dForward');
    const x = this.put(input, inputSize), w = this.put(weight, weightSize), y = this.output(output, outputSize, false);
    const second = this.secondThread;
    if (second !== null && N >= 2 && second.splits(convFlops(N, F, g))) second.conv2dForward(x, w, y, work, N, F, g);
    else this.instance.conv2dForward(x, w, y, work, N, F, g);
    this.get(y, output, outputSize);
  }

  /** conv2dWeightGrad of lib/tensor/backend/reference.ts in WebAssembly: ∂L/∂W += the batch's weight gradient. */
  conv2dWeightGrad(input: Float64Array, gradOut: Float64Array, gradWeight: Float64Array, N: number, F: number, g: WindowGeometry): void {
    const { inputSize, weightSize, outputSize } = windowOperandSizes(N, F, g);
    const work = this.kernelWork(convWeightGradScratchDoubles(F, g), 0, 'conv2dWeightGrad');
    const second = this.secondThread;
    const split = second !== null && F >= 8 && second.splits(convFlops(N, F, g));
    const work2 = split ? this.kernelWork(convWeightGradScratchDoubles(F, g), 1, 'conv2dWeightGrad') : 0;
    this.begin(this.room(input, inputSize) + this.room(gradOut, outputSize) + this.room(gradWeight, weightSize), 'conv2dWeightGrad');
    const x = this.put(input, inputSize), go = this.put(gradOut, outputSize), dw = this.output(gradWeight, weightSize, true);
    if (split) (second as SecondThread).conv2dWeightGrad(x, go, dw, work, work2, N, F, g);
    else this.instance.conv2dWeightGrad(x, go, dw, work, N, F, g);
    this.get(dw, gradWeight, weightSize);
  }

  /** maxPoolForward of lib/modules/pooling/max-pool2d.ts in WebAssembly: Y = max of each window, argmax remembered. */
  maxPoolForward(input: Float64Array, g: WindowGeometry, N: number, output: Float64Array, argmax: Int32Array): void {
    const { inputSize, outputSize } = windowOperandSizes(N, g.channels, g); // a pooling layer keeps the channels
    this.begin(this.room(input, inputSize) + this.room(output, outputSize) + this.room(argmax, outputSize));
    const x = this.put(input, inputSize), y = this.output(output, outputSize, false), a = this.output(argmax, outputSize, false);
    const second = this.secondThread, planes = N * g.channels;
    if (second !== null && planes >= 2 && second.splitsEntries(inputSize)) second.maxPoolForward(x, y, a, planes, g);
    else this.instance.maxPoolForward(x, g, N, y, a);
    this.get(y, output, outputSize);
    this.get(a, argmax, outputSize);
  }

  /** maxPoolBackward of lib/modules/pooling/max-pool2d.ts in WebAssembly: ∂L/∂X[argmax[o]] += G[o]. */
  maxPoolBackward(gradOut: Float64Array, argmax: Int32Array, gradInput: Float64Array): void {
    const n = gradOut.length, inputSize = gradInput.length;
    this.begin(this.room(gradOut, n) + this.room(argmax, n) + this.room(gradInput, inputSize));
    const go = this.put(gradOut, n), a = this.put(argmax, n), gi = this.put(gradInput, inputSize);
    this.kernels.maxPoolBackward(go, a, gi, n);
    this.get(gi, gradInput, inputSize);
  }

  /** avgPoolForward of lib/modules/pooling/avg-pool2d.ts in WebAssembly: Y = mean of each window (padding as 0). */
  avgPoolForward(input: Float64Array, g: WindowGeometry, N: number, output: Float64Array): void {
    const { inputSize, outputSize } = windowOperandSizes(N, g.channels, g); // a pooling layer keeps the channels
    this.begin(this.room(input, inputSize) + this.room(output, outputSize));
    const x = this.put(input, inputSize), y = this.output(output, outputSize, false);
    this.instance.avgPoolForward(x, g, N, y);
    this.get(y, output, outputSize);
  }

  /** avgPoolBackward of lib/modules/pooling/avg-pool2d.ts in WebAssembly: ∂L/∂X[window] += G / (kH·kW). */
  avgPoolBackward(gradOut: Float64Array, g: WindowGeometry, N: number, gradInput: Float64Array): void {
    const { inputSize, outputSize } = windowOperandSizes(N, g.channels, g); // a pooling layer keeps the channels
    this.begin(this.room(gradOut, outputSize) + this.room(gradInput, inputSize));
    const go = this.put(gradOut, outputSize), gi = this.put(gradInput, inputSize);
    this.instance.avgPoolBackward(go, g, N, gi);
    this.get(gi, gradInput, inputSize);
  }

  /** An element-wise kernel of activation layers in WebAssembly: y = f(x) over n entries. */
  map(kind: MapKind, x: Float64Array, y: Float64Array, n: number, slope: number): void {
    this.begin(this.room(x, n) + this.room(y, n));
    const xo = this.put(x, n), yo = this.output(y, n, false);
    const second = this.secondThread;
    if (second !== null && kind === 'reluForward' && second.splitsEntries(n)) second.elementwise(kind, [xo, yo], n);
    else this.kernels[kind](xo, yo, n, slope);
    this.get(yo, y, n);
  }

  /** An element-wise backward kernel of activation layers in WebAssembly: dx = f(a, g) over n entries. */
  mapWithGrad(kind: MapWithGradKind, a: Float64Array, g: Float64Array, dx: Float64Array, n: number, slope: number): void {
    this.begin(this.room(a, n) + this.room(g, n) + this.room(dx, n));
    const ao = this.put(a, n), go = this.put(g, n), dxo = this.output(dx, n, false);
    const second = this.secondThread;
    if (second !== null && kind !== 'leakyReluBackward' && second.splitsEntries(n)) second.elementwise(kind, [ao, go, dxo], n);
    else this.kernels[kind](ao, go, dxo, n, slope);
    this.get(dxo, dx, n);
  }

  /** sgdUpdate of lib/optim/sgd.ts in WebAssembly (w and the buffer are updated in place). */
  sgdStep(w: Float64Array, grad: Float64Array, buffer: Float64Array | null, n: number, h: SgdUpdate): void {
    this.begin(this.room(w, n) + this.room(grad, n) + (buffer === null ? 0 : this.room(buffer, n)));
    const wo = this.put(w, n), go = this.put(grad, n), bo = buffer === null ? 0 : this.put(buffer, n);
    this.kernels.sgdStep(wo, go, bo, n, h.lr, h.momentum, h.dampening, h.weightDecay, h.nesterov, h.firstStep);
    this.get(wo, w, n);
    if (buffer !== null) this.get(bo, buffer, n);
  }

  /** adamUpdate of lib/optim/adam.ts in WebAssembly (w, m and v are updated in place). */
  adamStep(w: Float64Array, grad: Float64Array, m: Float64Array, v: Float64Array, n: number, h: AdamUpdate): void {
    this.begin(this.room(w, n) + this.room(grad, n) + this.room(m, n) + this.room(v, n));
    const wo = this.put(w, n), go = this.put(grad, n), mo = this.put(m, n), vo = this.put(v, n);
    this.kernels.adamStep(wo, go, mo, vo, n, h.beta1, h.beta2, h.eps, h.weightDecay, h.stepSize, h.biasCorrection2Sqrt);
    this.get(wo, w, n);
    this.get(mo, m, n);
    this.get(vo, v, n);
  }
}

/** The floating-point operations of one direct convolution pass: 2·N·F·K·OH·OW (K = C·kH·kW). */
function convFlops(N: number, F: number, g: WindowGeometry): number {
  return 2 * N * F * g.channels * g.kernelH * g.kernelW * g.outH * g.outW;
}
