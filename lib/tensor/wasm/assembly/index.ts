/**
 * The WebAssembly kernels of minidl, compiled by `npm run build:kernels` (AssemblyScript,
 * f64x2 SIMD) into ../kernels-wasm-bytes.ts.
 *
 * Every kernel takes byte addresses ("pointers") into this module's memory and sizes; the
 * JavaScript side (../wasm-kernels.ts) allocates the arrays in that memory (../wasm-memory.ts).
 */
export { matmul, matmulTransA, matmulTransARows, matmulTransB, transpose } from './matmul';
export { firstNonFinite, sumRows } from './reductions';
export {
  addRowVector, copyValues, fillZeros, leakyReluBackward, leakyReluForward, reluBackward, reluForward,
  sigmoidBackward, sigmoidForward, tanhBackward, tanhForward,
} from './elementwise';
export { addChannelBias, col2im, im2col, sumChannels } from './image';
export {
  conv2dForward, conv2dForwardSamples, conv2dWeightGrad, conv2dWeightGradFilters, filtersLast, filtersLastPaired,
} from './convolution';
export { avgPoolBackward, avgPoolForward, maxPoolBackward, maxPoolForward, maxPoolForwardPlanes } from './pooling';
export { adamStep, sgdStep } from './optimizers';

/** The first byte after the module's static data: the JavaScript allocator starts at or after it. */
export function heapBase(): usize {
  return __heap_base;
}
