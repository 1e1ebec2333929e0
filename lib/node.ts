/**
 * minidl's Node-only entry point, `minidl/node`: the helpers that read and write files with
 * Node's `fs`, and the way to start the kernels' second thread with Node's worker_threads
 * (`setThreads(2, nodeWorkers)`). Everything else is in the browser-safe entry point `minidl`
 * (lib/index.ts).
 *
 * ```ts
 * import { Linear } from 'minidl';
 * import { saveModel, loadModel, loadMnist } from 'minidl/node';
 * ```
 *
 * @module Node file helpers
 */

// Saving and loading models
export { saveModel, loadModel, readModelFile } from './serialization/model-file';

// Checkpoints: a training run saved and resumed exactly
export { saveCheckpoint, loadCheckpoint, CHECKPOINT_FORMAT, CHECKPOINT_FORMAT_VERSION } from './serialization/checkpoint-file';
export type { CheckpointContents, CheckpointTargets, LoadedCheckpoint, SavedCheckpoint, SavedOptimizer, SavedScheduler } from './serialization/checkpoint-file';

// Data
export { loadMnist } from './data/mnist-files';

// A second thread for the WebAssembly kernels: setThreads(2, nodeWorkers) (setThreads and the WorkerStarter type are in 'minidl')
export { nodeWorkers } from './tensor/node-workers';
