import * as os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WorkerStarter } from './threads';

/**
 * Node.js's worker_threads as a `WorkerStarter`, for `setThreads(2, nodeWorkers)`:
 *
 * ```ts
 * import { setThreads } from 'minidl';
 * import { nodeWorkers } from 'minidl/node';
 * await setThreads(2, nodeWorkers);
 * ```
 *
 * `cores` is `os.availableParallelism()` (the processors this process may run on). The worker's
 * program is a string (`eval: true`), so it runs the same from the TypeScript sources and from the
 * compiled package; the worker is `unref`-ed: it never keeps the program alive. Its 'error' event
 * and its 'exit' event (the worker ended: process.exit, an uncaught error, terminate) are passed
 * to `onError`; after `terminate` from setThreads they are ignored.
 */
export const nodeWorkers: WorkerStarter = {
  name: 'worker_threads',
  cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length,
  start(source, message, onError) {
    const worker = new Worker(`${source}\nrequire('node:worker_threads').parentPort.once('message', runKernelWorker);\n`, { eval: true });
    worker.on('error', onError);
    worker.on('exit', (code: number) => onError(`it ended with exit code ${code}`));
    worker.unref();
    worker.postMessage(message);
    return { terminate: () => void worker.terminate() };
  },
};
