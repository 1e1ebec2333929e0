import { MinidlError, describeValue } from '../errors';
import { loadedWasmBackend } from './backend/select';
import { SecondThread, WorkerStarter, errorText, webWorkers } from './wasm/wasm-threads';

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
 * const threads = await setThreads(2, nodeWorkers); // 2 once the worker runs (1 if it could not start: threadsReason())
 * // … train as usual: same results, faster on large layers …
 * await setThreads(1);                               // back to one thread, the worker ends
 * ```
 *
 * Until the worker has started (a few tens of milliseconds), calls run on one thread: awaiting
 * the promise is needed only to know whether the second thread is in use. The promise never
 * rejects, so a call that is not awaited never ends the program with an unhandled rejection:
 * it resolves to the threads in use once the request is settled (`getThreads()` then) —
 *
 * - 2 once the worker runs;
 * - 1 when the worker could not start (`threadsReason()` says why; one thread stays);
 * - 1 when a later call replaced the request before the worker ran: `setThreads(1)`, or
 *   `setThreads(2, …)` with another starter (whose own promise tells about its worker);
 * - 1 at once for `setThreads(1)`.
 *
 * `setThreads(2, …)` again with the same starter while its worker starts or runs returns the
 * same promise and starts nothing. A worker that ends later (Node.js: process.exit or an
 * uncaught error in it) is noticed at the next split call, or during it: every call then runs
 * on one thread (getThreads() is 1, `threadsReason()` says why), and a call whose half the
 * worker had claimed throws a MinidlError (docs/performance.md, "A second thread").
 *
 * @param threads 1 or 2 (the calling thread and at most one worker).
 * @param starter How to start the worker: `nodeWorkers` in Node.js; by default `webWorkers()`.
 *   Not used with 1.
 * @returns A promise of the threads in use once the request is settled: 2, or 1. Never rejects.
 * @throws MinidlError, at once and with nothing changed, when `threads` is not the number 1 or
 *   2; when `starter` is not a `WorkerStarter` ({ name, cores, start }); when 2 is more than the
 *   machine's cores (`starter.cores`: os.availableParallelism(), navigator.hardwareConcurrency);
 *   when there is no way to start a worker (Node.js without a starter, a page that is not
 *   cross-origin isolated); when the 'wasm' backend with its shared memory is not loaded; or
 *   when `starter.start` throws (the MinidlError's `cause` is what it threw).
 */
export function setThreads(threads: number, starter?: WorkerStarter): Promise<number> {
  if (threads !== 1 && threads !== 2) {
    throw new MinidlError(`setThreads: expected 1 or 2 threads (the calling thread and at most one worker), got ${describeValue(threads)}`);
  }
  const backend = loadedWasmBackend();
  if (threads === 1) {
    if (backend !== null && backend.scratch.secondThread !== null) {
      backend.scratch.secondThread.stop();
      backend.scratch.secondThread = null;
    }
    return Promise.resolve(1);
  }
  const start = starter ?? webWorkers();
  if (start === null) {
    throw new MinidlError('setThreads: expected a way to start a worker — in Node.js pass nodeWorkers from \'minidl/node\' '
      + '(setThreads(2, nodeWorkers)), in a browser a cross-origin-isolated page with Web Workers — got none');
  }
  checkStarter(start);
  if (!(threads <= start.cores)) {
    throw new MinidlError(`setThreads: expected at most ${start.cores} threads, the cores this machine runs at once `
      + `(${start.name}), got ${threads}: more spinning threads than cores make every kernel wait`);
  }
  if (backend === null || !backend.instance.sharedMemory || backend.instance.module === null) {
    throw new MinidlError(`setThreads: expected the 'wasm' backend with its shared memory, got ${backend === null
      ? 'no WebAssembly kernels (still loading, or no WebAssembly SIMD here)' : 'the build with an ordinary memory (a page that is not cross-origin isolated)'}`);
  }
  const current = backend.scratch.secondThread;
  if (current !== null && current.starter === start && current.live) return current.started.then(getThreads);
  let second: SecondThread;
  try {
    second = new SecondThread(backend.instance, start);
  } catch (error) {
    if (error instanceof MinidlError) throw error;
    throw new MinidlError(`setThreads: expected the starter (${start.name}) to start a worker, but its start threw ${errorText(error)}`,
      { cause: error });
  }
  if (current !== null) current.stop();
  backend.scratch.secondThread = second;
  return second.started.then(getThreads);
}

/** Throws unless `starter` has a string `name`, a whole number `cores` ≥ 1 and a function `start`, naming what is wrong. */
function checkStarter(starter: unknown): asserts starter is WorkerStarter {
  const fields = (typeof starter === 'object' && starter !== null ? starter : {}) as Record<string, unknown>;
  const wrong: string[] = [];
  if (typeof fields.name !== 'string') wrong.push(`name ${describeValue(fields.name)} (expected a string)`);
  if (typeof fields.cores !== 'number' || !Number.isInteger(fields.cores) || fields.cores < 1) {
    wrong.push(`cores ${describeValue(fields.cores)} (expected a whole number ≥ 1)`);
  }
  if (typeof fields.start !== 'function') wrong.push(`start ${describeValue(fields.start)} (expected a function)`);
  if (wrong.length === 0) return;
  const got = typeof starter === 'object' && starter !== null ? `${describeValue(starter)} with ${wrong.join(', ')}` : describeValue(starter);
  throw new MinidlError(`setThreads: expected a WorkerStarter { name, cores, start } (nodeWorkers from 'minidl/node', or webWorkers()), got ${got}`);
}

/**
 * The threads the 'wasm' backend's kernels use now: 2 while a worker started by `setThreads(2)`
 * runs; 1 before it runs, after `setThreads(1)`, and once the worker could not start or ended
 * (`threadsReason()` says why).
 */
export function getThreads(): number {
  const backend = loadedWasmBackend();
  return backend !== null && backend.scratch.secondThread !== null && backend.scratch.secondThread.active ? 2 : 1;
}

/**
 * Why the kernels run on one thread although `setThreads(2, …)` was the last call — the worker
 * could not start, or it ended — or null: two threads run, the worker is still starting, or one
 * thread was asked for. For example `the second thread (worker_threads) is not running: it ended
 * with exit code 1`.
 */
export function threadsReason(): string | null {
  const backend = loadedWasmBackend();
  return backend === null || backend.scratch.secondThread === null ? null : backend.scratch.secondThread.reason;
}
