import { MinidlError } from '../errors';
import { loadedWasmBackend } from './backend/select';
import { SecondThread, WorkerStarter, webWorkers } from './wasm/wasm-threads';

export type { KernelWorkerMessage, StartedWorker, WorkerStarter } from './wasm/wasm-threads';
export { webWorkers } from './wasm/wasm-threads';

/**
 * How many threads the 'wasm' backend's kernels use: 1 (the default) or 2.
 *
 * With 2, the calling thread and one worker share every large matrix product and both direct
 * convolution passes, each thread computing half of the output rows (docs/performance.md, "A
 * second thread"). Each output entry is still one sum over the same terms in the same order, so
 * the results are the same bits as with one thread, and as on the 'js' backend. Calls below
 * about 400,000 floating-point operations (the course network's products) stay on one thread:
 * there, handing work over would cost more than it saves.
 *
 * **Why one thread is the default.** A second thread takes a second core: while training it spins
 * (reads a shared integer in a loop) between kernels so that it can start within a microsecond,
 * and a spinning thread competes with everything else the machine runs — other programs, other
 * jobs, a browser's other tabs. More spinning threads than cores make every call wait for the
 * operating system and cost milliseconds. So the second thread is a choice you make, knowing the
 * machine has a core to spare. An idle worker spins 200 µs, then sleeps, and never keeps
 * a Node.js program alive.
 *
 * Where it works: Node.js (pass `nodeWorkers` from 'minidl/node') and browser pages that are
 * cross-origin isolated (Web Workers with the kernels' shared memory; `webWorkers()` is the
 * default starter). The 'js' backend always computes on one thread.
 *
 * ```ts
 * import { setThreads } from 'minidl';
 * import { nodeWorkers } from 'minidl/node';
 * await setThreads(2, nodeWorkers);   // resolves once the worker runs
 * // … train as usual: same results, faster on large layers …
 * await setThreads(1);                // back to one thread, the worker ends
 * ```
 *
 * Until the worker has started (a few tens of milliseconds), calls run on one thread: awaiting
 * the promise is needed only to be sure the second thread is in use.
 *
 * @param threads 1 or 2 (the calling thread and at most one worker).
 * @param starter How to start the worker: `nodeWorkers` in Node.js; by default `webWorkers()`.
 * @returns A promise that resolves when the requested threads run.
 * @throws MinidlError, with nothing changed, when `threads` is not 1 or 2; when it is more than
 *   the machine's cores (`starter.cores`: os.availableParallelism(), navigator.hardwareConcurrency);
 *   when there is no way to start a worker (Node.js without a starter, a page that is not
 *   cross-origin isolated); or when the 'wasm' backend with its shared memory is not loaded.
 *   The promise rejects with a MinidlError if the worker fails to start (one thread stays).
 */
export function setThreads(threads: number, starter?: WorkerStarter): Promise<void> {
  if (threads !== 1 && threads !== 2) {
    throw new MinidlError(`setThreads: expected 1 or 2 threads (the calling thread and at most one worker), got ${String(threads)}`);
  }
  const backend = loadedWasmBackend();
  if (threads === 1) {
    if (backend !== null && backend.scratch.secondThread !== null) {
      backend.scratch.secondThread.stop();
      backend.scratch.secondThread = null;
    }
    return Promise.resolve();
  }
  const start = starter ?? webWorkers();
  if (start === null) {
    throw new MinidlError('setThreads: expected a way to start a worker — in Node.js pass nodeWorkers from \'minidl/node\' '
      + '(setThreads(2, nodeWorkers)), in a browser a cross-origin-isolated page with Web Workers — got none');
  }
  if (!(threads <= start.cores)) {
    throw new MinidlError(`setThreads: expected at most ${start.cores} threads, the cores this machine runs at once `
      + `(${start.name}), got ${threads}: more spinning threads than cores make every kernel wait`);
  }
  if (backend === null || !backend.instance.sharedMemory || backend.instance.module === null) {
    throw new MinidlError(`setThreads: expected the 'wasm' backend with its shared memory, got ${backend === null
      ? 'no WebAssembly kernels (still loading, or no WebAssembly SIMD here)' : 'the build with an ordinary memory (a page that is not cross-origin isolated)'}`);
  }
  const current = backend.scratch.secondThread;
  if (current !== null && current.starter === start) return current.ready;
  const second = new SecondThread(backend.instance, start);
  if (current !== null) current.stop();
  backend.scratch.secondThread = second;
  return second.ready.catch((error: unknown) => {
    if (backend.scratch.secondThread === second) backend.scratch.secondThread = null;
    throw error;
  });
}

/**
 * The threads the 'wasm' backend's kernels use now: 2 once a worker started by `setThreads(2)`
 * runs, else 1.
 */
export function getThreads(): number {
  const backend = loadedWasmBackend();
  return backend !== null && backend.scratch.secondThread !== null && backend.scratch.secondThread.active ? 2 : 1;
}

