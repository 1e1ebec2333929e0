/**
 * Tensors and random numbers: the n-dimensional array every layer computes with, its products,
 * the two backends that compute them (and the second thread of the WebAssembly one: `setThreads`;
 * its Node.js starter `nodeWorkers` is in 'minidl/node'), where tensors live in memory, the
 * seeded random generator, and the error every check throws.
 *
 * Everything here is imported from `minidl` (lib/index.ts exports every chapter); this file
 * lists one chapter of it, as the API reference shows it.
 *
 * @module Tensors and random numbers
 */
export { Tensor } from './tensor';
export type { NestedArray } from './tensor';
export {
  matmul, matmulTransA, matmulTransB, sumRows, addRowVector, argmaxRows, takeRows, sliceColumns, concatColumns,
} from './ops';
export type { MatmulOptions, ProductOptions } from './ops';
export * as kernels from './kernels';
export { setBackend, getBackend, loadWasmBackendAsync, backendReason } from './backend/select';
export { setThreads, getThreads, threadsReason, webWorkers } from './threads';
export type { WorkerStarter, StartedWorker, KernelWorkerMessage } from './threads';
export { withTemporaryTensors } from './temporaries';
export { setMemoryBudget, memoryBudget, memoryInUse, setMemoryChecks, memoryChecks, DEFAULT_MEMORY_BUDGET } from './memory';
export type { BackendName, WindowGeometry } from './backend/interface';
export { Rng, manualSeed, defaultRng } from '../random/rng';
export type { RngState, AleaState } from '../random/rng';
export { MinidlError } from '../errors';
