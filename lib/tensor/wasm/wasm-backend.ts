import type { Backend, Kernels, LayerLoops } from '../backend/interface';
import type { WasmKernels } from './wasm-kernels';
import { WasmScratch } from './wasm-scratch';
import { WasmTensorMemory } from './wasm-tensor-memory';

/** The 'wasm' backend, with what the specs and benchmarks look at: the scratch area and the instance. */
export interface WasmBackend extends Backend {
  /** How calls reach the kernels (`copiedValues` counts what was copied). */
  readonly scratch: WasmScratch;
  /** The loaded instance, with the allocator of its memory. */
  readonly instance: WasmKernels;
  /** Where tensors live in the module's memory (null for the plain build). */
  readonly store: WasmTensorMemory | null;
}

/**
 * The 'wasm' backend: the kernels of backend/interface.ts on one loaded instance of the
 * WebAssembly module. Every call goes through the scratch area (wasm-scratch.ts), which passes
 * operands that live in the module's memory in place and copies the others; with the
 * shared-memory build, tensors may live there (wasm-tensor-memory.ts), so a training step copies
 * nothing.
 *
 * Twins of the layers' own loops: ReLU, LeakyReLU, the backward passes of Tanh and Sigmoid, max
 * and average pooling, the SGD and Adam updates. Tanh and Sigmoid's forward passes have none:
 * WebAssembly's `tanh` and `exp` may differ from the JavaScript engine's in the last bit, and the
 * two backends must give the same bits. BatchNorm's loops have none either (they are a small
 * share of a step).
 */
export function wasmBackend(instance: WasmKernels): WasmBackend {
  const scratch = new WasmScratch(instance);
  const raw = scratch.kernels;
  const memory = instance.memory;
  const kernels: Kernels = {
    matmul: (A, B, C, M, K, N, accumulate, bias) => scratch.product('matmul', A, B, C, M, K, N, accumulate, bias),
    matmulTransB: (A, B, C, M, K, N, accumulate) => scratch.product('matmulTransB', A, B, C, M, K, N, accumulate),
    matmulTransA: (A, B, C, M, K, N, accumulate) => scratch.product('matmulTransA', A, B, C, M, K, N, accumulate),
    sumRows: (G, out, M, N, accumulate) => scratch.sumRows(G, out, M, N, accumulate),
    addRowVector: (C, b, M, N) => scratch.addRowVector(C, b, M, N),
    // a view of a shared memory fills entry by entry, ten times slower than the module's bulk fill
    fillZeros: (a) => (memory.holds(a) ? raw.fillZeros(a.byteOffset, a.length) : a.fill(0)),
    // the module's bulk copy; a copy into or out of an ordinary array is an ordinary one
    copyValues: (source, target) => (memory.holds(source) && memory.holds(target)
      ? raw.copyValues(source.byteOffset, target.byteOffset, source.length) : target.set(source)),
    firstNonFinite: (a) => (memory.holds(a) ? raw.firstNonFinite(a.byteOffset, a.length) : scanNonFinite(a)),
    im2col: (image, imageOffset, g, cols) => scratch.im2col(image, imageOffset, g, cols),
    col2im: (cols, g, image, imageOffset) => scratch.col2im(cols, g, image, imageOffset),
    addChannelBias: (output, bias, N, F, P) => scratch.addChannelBias(output, bias, N, F, P),
    sumChannels: (grad, out, N, F, P, accumulate) => scratch.sumChannels(grad, out, N, F, P, accumulate),
    conv2dForward: (input, weight, output, N, F, g) => scratch.conv2dForward(input, weight, output, N, F, g),
    conv2dWeightGrad: (input, gradOut, gradWeight, N, F, g) => scratch.conv2dWeightGrad(input, gradOut, gradWeight, N, F, g),
  };
  const loops: Partial<LayerLoops> = {
    reluForward: (x, y, n) => scratch.map('reluForward', x, y, n, 0),
    reluBackward: (x, g, dx, n) => scratch.mapWithGrad('reluBackward', x, g, dx, n, 0),
    leakyReluForward: (x, y, n, slope) => scratch.map('leakyReluForward', x, y, n, slope),
    leakyReluBackward: (x, g, dx, n, slope) => scratch.mapWithGrad('leakyReluBackward', x, g, dx, n, slope),
    tanhBackward: (y, g, dx, n) => scratch.mapWithGrad('tanhBackward', y, g, dx, n, 0),
    sigmoidBackward: (y, g, dx, n) => scratch.mapWithGrad('sigmoidBackward', y, g, dx, n, 0),
    maxPoolForward: (input, g, N, output, argmax) => scratch.maxPoolForward(input, g, N, output, argmax),
    maxPoolBackward: (gradOut, argmax, gradInput) => scratch.maxPoolBackward(gradOut, argmax, gradInput),
    avgPoolForward: (input, g, N, output) => scratch.avgPoolForward(input, g, N, output),
    avgPoolBackward: (gradOut, g, N, gradInput) => scratch.avgPoolBackward(gradOut, g, N, gradInput),
    sgdUpdate: (w, grad, buffer, n, h) => scratch.sgdStep(w, grad, buffer, n, h),
    adamUpdate: (w, grad, m, v, n, h) => scratch.adamStep(w, grad, m, v, n, h),
  };
  const store = instance.sharedMemory ? new WasmTensorMemory(instance) : null;
  return { name: 'wasm', kernels, loops, store, scratch, instance };
}

/** The first NaN or ±Infinity of an array outside the module's memory (v − v is NaN only for those). */
function scanNonFinite(a: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] - a[i] !== 0) return i;
  return -1;
}
