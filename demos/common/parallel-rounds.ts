/**
 * Independent rounds on every core: a list of tasks (one seeded round each) run on worker
 * threads, the results handed back in the order of the tasks.
 *
 *   const results = await runTasks({ tasks, jobs: 2, workerFile, runHere: runDiskTask });
 *
 * Why the results do not depend on `jobs`: every task carries everything it needs (its
 * configuration's name, its round seed, its epochs), a round draws all its random numbers from
 * its own generator seeded by that seed, and nothing is shared between rounds. So a task gives
 * the same numbers whichever thread runs it and whenever; `runTasks` then puts result i in
 * place i. The kernels are the same arithmetic in every thread (each worker loads its own
 * WebAssembly instance), so the bits are the same too. A spec compares `--jobs 1` and
 * `--jobs 2` byte for byte.
 *
 * How it runs:
 *   - jobs = 1: every task runs here, in order, through `runHere` — no thread at all.
 *   - jobs = n > 1: min(n, tasks) worker threads (node:worker_threads) each load `workerFile`,
 *     which calls `serveTasks(run)` with the same function. A thread is handed the next task
 *     as soon as it is free (a shared queue, so a long round does not hold short ones back).
 *     A thread costs about 1 s of CPU time to start (tsx compiles the modules it loads, and it
 *     makes its own WebAssembly instance), once per run, not per task (docs/experiments.md,
 *     section 6, measures it with the speed-up).
 *
 * Tasks and results cross between threads by the structured clone algorithm (the one
 * `postMessage` uses): plain objects, arrays, numbers, strings and typed arrays, which arrive
 * with the same bits (−0 and NaN included). A class instance arrives as a plain object without
 * its methods, so a task's result must be plain data (a trained network as `modelToJSON`).
 *
 * The worker file is TypeScript: the threads load it through tsx's require hook
 * (`--require tsx/cjs` in the thread's execArgv), as `npm run` loads the demos.
 *
 * Errors: a task that throws rejects the whole run with `task <i> (<label>): <message>` and
 * stops every thread; so does a thread that exits or fails to load.
 */
import * as os from 'node:os';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { MinidlError } from '../../lib';
import { FlagSpec, intFlag } from './cli';

/** What `runTasks` needs. */
export interface ParallelRun<Task, Result> {
  /** The tasks, plain data (see the file's comment); run each once. */
  tasks: readonly Task[];
  /** Threads to use: an integer ≥ 1 (1: run here, in order, without a thread). */
  jobs: number;
  /** Absolute path of the module a worker thread loads; it calls `serveTasks` with the function `runHere` is. */
  workerFile: string;
  /** Runs one task here: the function the worker file serves. */
  runHere: (task: Task) => Result;
  /** Told after each task, in the order they finish (which depends on `jobs`: use it for progress lines only). */
  onResult?: (result: Result, index: number) => void;
  /** A task's name in an error message (default: its index). */
  label?: (task: Task) => string;
}

/** What the main thread sends a worker: one task to run. */
interface TaskMessage<Task> {
  index: number;
  task: Task;
}

/** What a worker answers: the task's result, or the message of what it threw. */
type ResultMessage<Result> = { index: number; result: Result } | { index: number; error: string };

/** Every core of the machine: the default of `--jobs`. */
export function defaultJobs(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** The most worker threads `--jobs` accepts. */
export const MAX_JOBS = 256;

/** The `--jobs N` flag of a demo whose rounds run here (`npm run conv-disk`). */
export const JOBS_FLAG: FlagSpec = {
  type: 'string', value: 'N', help: `worker threads running the rounds, from 1 to ${MAX_JOBS} (default: every core, here ${defaultJobs()})`,
};

/** Reads `--jobs` as `parseFlags` gives it: every core when absent (''), else an integer from 1 to MAX_JOBS (a UsageError otherwise). */
export function readJobsFlag(value: string | boolean | undefined): number {
  return value === '' || value === undefined ? defaultJobs() : intFlag('jobs', value, 1, MAX_JOBS);
}

/**
 * Where runTasks runs `taskCount` tasks with `jobs`, for the line a demo prints before it starts:
 * 'on this thread' (one job or one task), else 'on N worker threads', N = min(jobs, taskCount).
 */
export function whereTasksRun(jobs: number, taskCount: number): string {
  const threads = Math.min(jobs, taskCount);
  return threads <= 1 ? 'on this thread' : `on ${threads} worker threads`;
}

/**
 * Runs every task, on `jobs` threads, and resolves to their results in the order of `tasks`
 * (see the file's comment). Rejects with a MinidlError naming the task that failed.
 */
export async function runTasks<Task, Result>(run: ParallelRun<Task, Result>): Promise<Result[]> {
  const { tasks, jobs } = run;
  if (!Number.isInteger(jobs) || jobs < 1) throw new MinidlError(`runTasks: jobs must be an integer ≥ 1, got ${String(jobs)}`);
  const label = (i: number): string => `task ${i + 1}${run.label ? ` (${run.label(tasks[i])})` : ''}`;
  const results: Result[] = new Array(tasks.length);
  if (jobs === 1 || tasks.length <= 1) {
    for (let i = 0; i < tasks.length; i++) {
      try {
        results[i] = run.runHere(tasks[i]);
      } catch (err) {
        throw new MinidlError(`${label(i)}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
      }
      run.onResult?.(results[i], i);
    }
    return results;
  }
  return new Promise<Result[]>((resolve, reject) => {
    const workers: Worker[] = [];
    let next = 0;
    let done = 0;
    let failed = false;
    const stopped = new Set<Worker>();
    const stop = (worker: Worker): void => {
      stopped.add(worker);
      void worker.terminate();
    };
    const fail = (message: string): void => {
      if (failed) return;
      failed = true;
      for (const w of workers) stop(w);
      reject(new MinidlError(message));
    };
    const handOut = (worker: Worker): void => {
      if (next >= tasks.length) {
        stop(worker);
        return;
      }
      const message: TaskMessage<Task> = { index: next, task: tasks[next] };
      next++;
      worker.postMessage(message);
    };
    const threads = Math.min(jobs, tasks.length);
    for (let t = 0; t < threads; t++) {
      const worker = new Worker(run.workerFile, { execArgv: withTsx(process.execArgv) });
      workers.push(worker);
      worker.on('message', (message: ResultMessage<Result>) => {
        if (failed) return;
        if ('error' in message) {
          fail(`${label(message.index)}: ${message.error}`);
          return;
        }
        results[message.index] = message.result;
        done++;
        run.onResult?.(message.result, message.index);
        if (done === tasks.length) {
          for (const w of workers) stop(w);
          resolve(results);
        } else {
          handOut(worker);
        }
      });
      worker.on('error', (err) => fail(`a worker thread failed: ${err instanceof Error ? err.message : String(err)}`));
      worker.on('exit', (code) => {
        if (!stopped.has(worker)) fail(`a worker thread stopped (exit code ${code}) before its tasks were done`);
      });
      handOut(worker);
    }
  });
}

/** `execArgv` with tsx's require hook, so that the thread can load a .ts file (added when missing). */
function withTsx(execArgv: readonly string[]): string[] {
  return execArgv.some((arg) => arg.includes('tsx')) ? [...execArgv] : [...execArgv, '--require', require.resolve('tsx/cjs')];
}

/**
 * In a worker thread started by `runTasks`: runs each task it is sent through `run` and sends
 * back its result (or the message of what it threw). Does nothing on the main thread, so the
 * worker file can also be imported.
 */
export function serveTasks<Task, Result>(run: (task: Task) => Result): void {
  if (isMainThread || parentPort === null) return;
  const port = parentPort;
  port.on('message', ({ index, task }: TaskMessage<Task>) => {
    let answer: ResultMessage<Result>;
    try {
      answer = { index, result: run(task) };
    } catch (err) {
      answer = { index, error: err instanceof Error ? err.message : String(err) };
    }
    port.postMessage(answer);
  });
}
