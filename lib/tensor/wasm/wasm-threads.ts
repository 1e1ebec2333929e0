import { MinidlError, describeValue } from '../../errors';
import type { WindowGeometry } from '../backend/interface';
import type { WasmKernels } from './wasm-kernels';
import { KERNEL_WORKER_SOURCE } from './wasm-worker-source';

/**
 * A second thread for the WebAssembly kernels: the calling thread and one worker share the work
 * of a large product or convolution pass, each computing whole output rows.
 *
 * ## How a call is split
 *
 * The worker holds a second instance of the same compiled module on the same shared memory
 * (the shared build imports its memory, demos/build-kernels.ts), so both instances read the
 * operands and write the result in place. The output is cut in two by rows, and each thread
 * computes its rows with the kernel the single thread would have used:
 *
 *   product C = A·B, A·Bᵀ, Aᵀ·B       rows 0 … m−1 here, m … M−1 in the worker (m ≈ M/2, a multiple of 4)
 *   conv2dForward  Y [N, F, OH, OW]   samples 0 … n−1 here, n … N−1 in the worker (Wᵀ copied once, before)
 *   conv2dWeightGrad ∂L/∂W [F, K]     filters 0 … f−1 here, f … F−1 in the worker (f a multiple of 4)
 *
 * **Why the bits are the same.** Each output entry is still one sum, computed by one thread, over
 * the same terms in the same order from 0 (for the weight gradient: sample after sample, as with
 * one thread): only which thread computes it changes. So one thread and two give the same bits,
 * and both the same as the TypeScript reference.
 *
 * ## Waiting by spinning
 *
 * Calling and waking a thread through the operating system (`Atomics.wait` / `Atomics.notify`)
 * costs about 20 µs; reading a shared integer in a loop ("spinning") notices a change within a
 * fraction of a microsecond. The two threads talk through a control block of 32-bit integers in
 * the shared memory (`CONTROL_SLOTS`):
 *
 *   calling thread                              worker
 *   writes KERNEL and ARGS, then SEQ ← seq      spins on SEQ (a bounded while, then sleeps in
 *   (wakes the worker if SLEEPING)                Atomics.wait with SLEEPING ← 1)
 *   computes its own rows                       claims the task: CLAIMED seq − 1 → seq
 *   claims the task itself if the worker        computes the other rows, then DONE ← seq
 *     has not: then computes the other rows
 *   else spins until DONE = seq (then sleeps
 *     on DONE where the thread may, WAITING ← 1)
 *
 * A task is claimed by exactly one thread (one compare-and-exchange each), so a worker that is
 * asleep or not scheduled never makes the caller wait: the caller then does all the work, as with
 * one thread. An idle worker spins `WORKER_SPIN_MICROSECONDS` and then sleeps, using no processor
 * time between training runs.
 *
 * ## When the worker fails or ends
 *
 *   its kernel throws           the worker writes the message (MESSAGE), FAILED ← 1, DONE ← seq: the
 *                               call throws a MinidlError with that message; the worker stays
 *   it ends (process.exit, an   ENDED ← 1 on its way out (Node.js), or the starter's onError: the
 *     uncaught error, onError)    calling thread stops waiting (it sleeps at most 100 ms between
 *                                 looks); from then on every call runs on the calling thread
 *                                 (`active` is false, getThreads() is 1, `reason` says why)
 *     before claiming the task  the calling thread claims it and computes it: the same bits
 *     after claiming it         its rows of the output may be half written (and a gradient the
 *                                 call adds into cannot be restored): the call throws a MinidlError
 *
 * A worker ended from outside (its `terminate` called by someone else) while it computes a claimed
 * half cannot be told apart from a slow one: only `stop` should end it.
 *
 * ## When a call is split
 *
 * Only above `SPLIT_FLOPS` floating-point operations (2·M·K·N for a product, 2·N·F·K·OH·OW for a
 * convolution pass), for products of at least 8 rows and weight gradients of at least 8 filters:
 * below it the gain is small next to the processor time the worker spends awake. (With the
 * threshold at 100,000, the course network's [100,25]·[25,25] products were split and a course
 * round took at most 10 % less wall-clock time for twice the CPU time: docs/performance.md.) The
 * course network stays on one thread; the MNIST networks' large products, both passes of their
 * convolutions and the second convolution's per-sample Wᵀ·Gₙ are split. Element-wise passes
 * (ReLU, and the backward passes of Tanh and Sigmoid) and max pooling's forward pass are split
 * from `SPLIT_ENTRIES` input entries on, by halves of their entries or planes; col2im by channels
 * from `SPLIT_COL2IM_ENTRIES` entries of cols on.
 */

/** Positions of the control block's 32-bit integers. */
export const CONTROL_SLOTS = {
  /** Number of the latest task (the calling thread writes it last, to publish the task). */
  SEQ: 0,
  /** Number of the latest task claimed, by either thread. */
  CLAIMED: 1,
  /** Number of the latest task the worker finished. */
  DONE: 2,
  /** 0 while the worker starts, 1 once it runs, −1 if it could not instantiate the module. */
  READY: 3,
  /** 1 while the worker sleeps in Atomics.wait on SEQ. */
  SLEEPING: 4,
  /** 1 while the calling thread sleeps in Atomics.wait on DONE. */
  WAITING: 5,
  /** 1 when the worker's kernel threw (the calling thread then throws, with the worker's MESSAGE). */
  FAILED: 6,
  /**
   * 1 once the worker has ended (set on its way out where it can tell: Node.js's 'exit' event of
   * a worker thread, which follows process.exit and an uncaught error). The calling thread then
   * stops waiting for it.
   */
  ENDED: 7,
  /** Which kernel (an index into SPLIT_KERNELS), or −1: stop. */
  KERNEL: 8,
  /** The first of the kernel's arguments (at most 20). */
  ARGS: 9,
  /** How many characters of MESSAGE the worker wrote. */
  MESSAGE_LENGTH: 29,
  /** The worker's last error message (why a kernel threw, or the module did not instantiate): one UTF-16 code unit per integer, up to SIZE. */
  MESSAGE: 30,
  /** Integers in the block (an even number: the block is allocated in doubles). */
  SIZE: 230,
} as const;

/** The kernels a worker runs, by the number written in the KERNEL slot. */
export const SPLIT_KERNELS = [
  'matmul', 'matmulTransARows', 'conv2dForwardSamples', 'conv2dWeightGradFilters',
  'reluForward', 'reluBackward', 'tanhBackward', 'sigmoidBackward', 'maxPoolForwardPlanes', 'col2im',
] as const;

/**
 * The element-wise kernels that are split by halves of their entries (those whose arguments are
 * all whole numbers: the control block passes 32-bit integers, so LeakyReLU's slope cannot go).
 */
export type SplitElementwiseKind = 'reluForward' | 'reluBackward' | 'tanhBackward' | 'sigmoidBackward';

/** A call is split between the two threads only above this many floating-point operations (measured: docs/performance.md). */
export const SPLIT_FLOPS = 400_000;

/**
 * An element-wise pass or a max pooling is split only from this many entries (of the input) on:
 * such a pass costs about a nanosecond an entry, so this is some 50 µs of work, against about a
 * microsecond to hand half of it over.
 */
export const SPLIT_ENTRIES = 65_536;

/**
 * col2im is split from this many entries of cols on: it adds about 0.9 ns an entry (the MNIST CNN's
 * second convolution: 12,800 entries a sample, 11 µs), and it runs right after the split Wᵀ·Gₙ
 * product, while the worker still spins, so handing half over costs about a microsecond.
 */
export const SPLIT_COL2IM_ENTRIES = 8_192;

/** How long an idle worker spins, in microseconds, before it sleeps in Atomics.wait. */
export const WORKER_SPIN_MICROSECONDS = 200;

/** How long the calling thread spins for the worker's rows before it sleeps (where a thread may sleep). */
const CALLER_SPIN_MICROSECONDS = 200;

/** The first message a worker receives: everything `runKernelWorker` needs. */
export interface KernelWorkerMessage {
  /** The compiled kernel module (a `WebAssembly.Module`). */
  module: object;
  /** The shared memory the module imports (a shared `WebAssembly.Memory`). */
  memory: object;
  /** Byte offset of the control block in the memory. */
  control: number;
  /** The exports the worker runs, in the order of their numbers. */
  kernels: readonly string[];
  /** The control block's layout. */
  slots: typeof CONTROL_SLOTS;
  /** How long an idle worker spins before it sleeps. */
  spinMicroseconds: number;
}

/** A started worker. */
export interface StartedWorker {
  /** Stops the worker (it is first told to leave its loop). */
  terminate(): void;
}

/**
 * How to start a worker where minidl runs: Node's worker_threads (`nodeWorkers`, from
 * 'minidl/node') or a browser's Web Workers (`webWorkers()`). The library itself imports no
 * Node built-in, so the Node way is passed in.
 */
export interface WorkerStarter {
  /** What starts the workers, for messages: 'worker_threads' or 'Web Workers'. */
  readonly name: string;
  /** How many threads the machine runs at once (os.availableParallelism(), navigator.hardwareConcurrency). */
  readonly cores: number;
  /**
   * Starts a worker running `source` (JavaScript that defines `runKernelWorker(message)`) and
   * calls `runKernelWorker(message)` in it. `onError` receives an error the worker raises, or
   * why it ended, whenever that happens (calls after `terminate` are ignored): from then on one
   * thread computes. The worker must not keep the program alive. A `start` that throws makes
   * `setThreads` throw a MinidlError with that error as its cause.
   */
  start(source: string, message: KernelWorkerMessage, onError: (error: unknown) => void): StartedWorker;
}

/** The browser globals a Web Worker needs (declared here: the library is compiled without the DOM types). */
interface WebWorkerGlobals {
  Worker?: new (url: string) => { postMessage(message: unknown): void; terminate(): void; onerror: ((event: unknown) => void) | null };
  Blob?: new (parts: string[], options: { type: string }) => object;
  URL?: { createObjectURL(blob: object): string; revokeObjectURL(url: string): void };
  navigator?: { hardwareConcurrency?: number };
  crossOriginIsolated?: boolean;
}

/**
 * The browser's Web Workers as a `WorkerStarter`, or null where they cannot share the kernels'
 * memory: no `Worker`, or a page that is not cross-origin isolated (no SharedArrayBuffer). The
 * worker's program is a Blob URL, so no file is fetched.
 */
export function webWorkers(): WorkerStarter | null {
  const g = globalThis as unknown as WebWorkerGlobals;
  const { Worker, Blob, URL } = g;
  if (Worker === undefined || Blob === undefined || URL === undefined || g.crossOriginIsolated !== true) return null;
  return {
    name: 'Web Workers',
    cores: g.navigator?.hardwareConcurrency ?? 1,
    start(source, message, onError) {
      const url = URL.createObjectURL(new Blob([`${source}\nself.onmessage = function (event) { runKernelWorker(event.data); };\n`],
        { type: 'text/javascript' }));
      const worker = new Worker(url);
      worker.onerror = onError;
      worker.postMessage(message);
      URL.revokeObjectURL(url);
      return { terminate: () => worker.terminate() };
    },
  };
}

/** Integers of a 32-bit view: offsets and sizes, booleans as 0 or 1. */
type KernelArgument = number | boolean;

/** The clock the spinning loops read (performance.now where it exists). */
const clock: { now(): number } = typeof performance !== 'undefined' ? performance : Date;

/**
 * The worker of one instance of the kernels, and the split calls. Made by `setThreads`
 * (lib/tensor/threads.ts); the 'wasm' backend's scratch area (wasm-scratch.ts) calls `product`,
 * `conv2dForward` and `conv2dWeightGrad` when `splits(flops)` says a call is worth splitting.
 */
export class SecondThread {
  /** The instance the calling thread runs. */
  readonly instance: WasmKernels;
  /** What started the worker. */
  readonly starter: WorkerStarter;
  /**
   * Resolves to true once the worker runs; to false if it could not start (`reason` says why)
   * or was stopped before it ran. Never rejects.
   */
  readonly started: Promise<boolean>;
  /** Calls split between the two threads so far. */
  splitCalls = 0;
  /** Of those, the calls whose second half the calling thread took because the worker had not claimed it. */
  takenBack = 0;
  /**
   * True (the default): the calling thread takes the worker's half back when the worker has not
   * claimed it by the time its own half is done. False: it always waits for the worker (the specs
   * use it to be sure the worker computed every second half).
   */
  mayTakeBack = true;
  private readonly controlOffset: number;
  private readonly control: Int32Array;
  private worker: StartedWorker | null = null;
  private running = false;
  private stopped = false;
  /** Why the worker does not run (it could not start, it ended), or null. Set once, by `end`. */
  private failure: string | null = null;
  private seq = 0;
  /** False where this thread may not sleep in Atomics.wait (a browser's main thread). */
  private canWait = true;

  /**
   * Starts the worker on `instance`'s shared memory; `instance.module` must be the compiled module.
   * Throws what `starter.start` throws (the control block is then given back), and a MinidlError
   * when it returns no `{ terminate() }`.
   */
  constructor(instance: WasmKernels, starter: WorkerStarter) {
    if (instance.module === null || !instance.sharedMemory) {
      throw new MinidlError('SecondThread: expected an instance of the shared-memory build of the kernels, got one with an ordinary memory');
    }
    this.instance = instance;
    this.starter = starter;
    this.controlOffset = instance.memory.tryAllocate(CONTROL_SLOTS.SIZE / 2, true);
    if (this.controlOffset < 0) throw new MinidlError("SecondThread: the kernels' memory cannot grow to hold the control block");
    this.control = new Int32Array(instance.exports.memory.buffer, this.controlOffset, CONTROL_SLOTS.SIZE);
    this.control.fill(0);
    const message: KernelWorkerMessage = {
      module: instance.module,
      memory: instance.exports.memory,
      control: this.controlOffset,
      kernels: SPLIT_KERNELS,
      slots: CONTROL_SLOTS,
      spinMicroseconds: WORKER_SPIN_MICROSECONDS,
    };
    let worker: unknown;
    try {
      worker = starter.start(KERNEL_WORKER_SOURCE, message, (error) => this.end(this.startFailure() ?? errorText(error)));
    } catch (error) {
      instance.memory.free(this.controlOffset); // no worker to read it
      throw error;
    }
    if (typeof worker !== 'object' || worker === null || typeof (worker as Partial<StartedWorker>).terminate !== 'function') {
      // a worker may run all the same: the control block stays, and stop() ends the worker's loop
      this.stopped = true;
      this.stopWorkerLoop();
      throw new MinidlError(`setThreads: expected the starter's start (${starter.name}) to return a started worker { terminate() }, got ${describeValue(worker)}`);
    }
    this.worker = worker as StartedWorker;
    if (this.failure !== null) this.worker.terminate(); // onError came during start
    this.started = this.waitUntilStarted();
  }

  /** True while the worker runs (until it has started, and after it ended or was stopped, every call runs on the calling thread alone). */
  get active(): boolean {
    if (this.stopped) return false;
    if (Atomics.load(this.control, CONTROL_SLOTS.ENDED) !== 0) {
      this.end(this.workerMessage());
      return false;
    }
    if (!this.running) this.running = Atomics.load(this.control, CONTROL_SLOTS.READY) === 1;
    return this.running;
  }

  /** True while the worker starts or runs: false once it was stopped, could not start or ended. */
  get live(): boolean {
    if (!this.stopped) void this.active; // notices a worker that ended
    return !this.stopped;
  }

  /**
   * Why the worker does not run — it could not start, or it ended — as a sentence that names the
   * starter; null while it runs or starts, and after `stop`.
   */
  get reason(): string | null {
    if (!this.stopped) void this.active; // notices a worker that ended
    return this.failure === null ? null : `the second thread (${this.starter.name}) is not running: ${this.failure}`;
  }

  /** True when a call of `flops` floating-point operations is split: the worker runs and the call is large enough. */
  splits(flops: number): boolean {
    return flops >= SPLIT_FLOPS && this.active;
  }

  /**
   * True when a pass over `entries` entries is split: an element-wise pass or a pooling from
   * `SPLIT_ENTRIES` input entries on, col2im from `SPLIT_COL2IM_ENTRIES` entries of cols on.
   */
  splitsEntries(entries: number, threshold: number = SPLIT_ENTRIES): boolean {
    return entries >= threshold && this.active;
  }

  /** Polls the READY slot every 10 ms (at most 30 s): true once the worker runs, false if it failed or was stopped. */
  private async waitUntilStarted(): Promise<boolean> {
    for (let tries = 0; ; tries++) {
      if (this.stopped) return false;
      const state = Atomics.load(this.control, CONTROL_SLOTS.READY);
      if (state === 1) return this.active;
      if (state === -1) {
        this.end(this.startFailure() as string);
        return false;
      }
      if (tries >= 3000) {
        this.end('it did not start within 30 s');
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  /** Why the worker could not start when it could not instantiate the kernels (READY −1), else null. */
  private startFailure(): string | null {
    if (Atomics.load(this.control, CONTROL_SLOTS.READY) !== -1) return null;
    return `it could not instantiate the kernels on the shared memory: ${this.workerMessage()}`;
  }

  /** Tells the worker to leave its loop and ends it (a worker that ended on its own: records why, once). */
  private end(why: string): void {
    if (this.stopped) return;
    this.failure = why;
    this.stop();
  }

  /** Tells the worker to leave its loop and ends it. The control block stays allocated: a worker that has not yet seen the stop may still read it. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.running = false;
    this.stopWorkerLoop();
    if (this.worker !== null) this.worker.terminate();
  }

  /** Publishes the task "stop" (KERNEL −1) and wakes the worker if it sleeps. */
  private stopWorkerLoop(): void {
    Atomics.store(this.control, CONTROL_SLOTS.KERNEL, -1);
    Atomics.store(this.control, CONTROL_SLOTS.SEQ, (this.seq + 1) | 0);
    Atomics.notify(this.control, CONTROL_SLOTS.SEQ);
  }

  /** The message the worker last wrote (MESSAGE_LENGTH characters from MESSAGE), or 'no message' when it wrote none. */
  private workerMessage(): string {
    const length = Math.min(Atomics.load(this.control, CONTROL_SLOTS.MESSAGE_LENGTH), CONTROL_SLOTS.SIZE - CONTROL_SLOTS.MESSAGE);
    if (length <= 0) return 'no message';
    return String.fromCharCode(...this.control.subarray(CONTROL_SLOTS.MESSAGE, CONTROL_SLOTS.MESSAGE + length));
  }

  /**
   * C (+)= the product `kind` of A and B (+ bias row), rows split between the two threads: rows
   * 0 … m−1 here, m … M−1 in the worker. Arguments as the raw exports (byte offsets; bias 0 for none).
   */
  product(kind: 'matmul' | 'matmulTransA', a: number, b: number, c: number,
    M: number, K: number, N: number, accumulate: boolean, bias: number): void {
    const m = splitPoint(M);
    const k = this.instance.exports;
    if (kind === 'matmulTransA') {
      this.post('matmulTransARows', [a, b, c, M, K, N, accumulate, bias, false, m, M]);
      k.matmulTransARows(a, b, c, M, K, N, accumulate, bias, false, 0, m);
    } else {
      // rows m … M−1 of A [M, K] and C [M, N] start m·K and m·N doubles further
      this.post('matmul', [a + m * K * 8, b, c + m * N * 8, M - m, K, N, accumulate, bias, false]);
      k.matmul(a, b, c, m, K, N, accumulate, bias, false);
    }
    this.finish();
  }

  /**
   * An element-wise kernel over n entries with its entries split: 0 … h−1 here, h … n−1 in the
   * worker (h even, about n/2). `operands` are the byte offsets of the kernel's arrays in its
   * order (x, y for a forward pass; the layer's input or output, g and dx for a backward one).
   * Each entry is computed on its own: the same bits.
   */
  elementwise(kind: SplitElementwiseKind, operands: readonly number[], n: number): void {
    const h = (n >> 1) & ~1;
    this.post(kind, [...operands.map((at) => at + h * 8), n - h]);
    (this.instance.exports[kind] as (...args: number[]) => void)(...operands, h);
    this.finish();
  }

  /**
   * maxPoolForward of `planes` = N·C planes with the planes split: 0 … p−1 here, p … planes−1 in
   * the worker. Each plane is pooled on its own and argmax holds indices into the whole batch:
   * the same bits.
   */
  maxPoolForward(x: number, y: number, argmax: number, planes: number, g: WindowGeometry): void {
    const p = planes >> 1;
    const geometry = [g.height, g.width, g.kernelH, g.kernelW, g.strideH, g.strideW, g.padH, g.padW, g.outH, g.outW] as const;
    this.post('maxPoolForwardPlanes', [x, y, argmax, p, planes, ...geometry]);
    this.instance.exports.maxPoolForwardPlanes(x, y, argmax, 0, p, ...geometry);
    this.finish();
  }

  /**
   * col2im of one image with the channels split: channels 0 … c−1 here, c … C−1 in the worker.
   * Channel c of the image receives only the rows c·kH·kW … (c+1)·kH·kW − 1 of cols, in the same
   * order either way: the same bits.
   */
  col2im(cols: number, image: number, g: WindowGeometry): void {
    const c = g.channels >> 1;
    const rowsBefore = c * g.kernelH * g.kernelW, P = g.outH * g.outW;
    const window = [g.kernelH, g.kernelW, g.strideH, g.strideW, g.padH, g.padW, g.outH, g.outW] as const;
    this.post('col2im',
      [cols + rowsBefore * P * 8, image + c * g.height * g.width * 8, g.channels - c, g.height, g.width, ...window]);
    this.instance.exports.col2im(cols, image, c, g.height, g.width, ...window);
    this.finish();
  }

  /**
   * conv2dForward with the batch split: the weights are copied filters-last (and paired) into `work` once,
   * then samples 0 … n−1 are computed here and n … N−1 in the worker.
   */
  conv2dForward(x: number, w: number, y: number, work: number, N: number, F: number, g: WindowGeometry): void {
    const k = this.instance.exports;
    const K = g.channels * g.kernelH * g.kernelW, F4 = (F + 3) & ~3;
    k.filtersLast(w, work, F, K, F4);
    if (g.strideW === 1) k.filtersLastPaired(w, work + K * F4 * 8, F, K, F4); // the paired copy, after Wᵀ (convolution.ts)
    const n = N >> 1;
    const geometry = [g.channels, g.height, g.width, g.kernelH, g.kernelW, g.strideH, g.strideW, g.padH, g.padW, g.outH, g.outW];
    this.post('conv2dForwardSamples', [x, work, y, n, N, F, ...geometry]);
    k.conv2dForwardSamples(x, work, y, 0, n, F, g.channels, g.height, g.width, g.kernelH, g.kernelW,
      g.strideH, g.strideW, g.padH, g.padW, g.outH, g.outW);
    this.finish();
  }

  /**
   * conv2dWeightGrad with the filters split: filters 0 … f−1 here (working space `work`), f … F−1
   * in the worker (working space `work2`); both hold `convWeightGradScratchDoubles(F, g)` doubles. F ≥ 8.
   */
  conv2dWeightGrad(x: number, gradOut: number, dw: number, work: number, work2: number, N: number, F: number, g: WindowGeometry): void {
    const k = this.instance.exports;
    const f = splitPoint(F);
    const geometry = [g.channels, g.height, g.width, g.kernelH, g.kernelW, g.strideH, g.strideW, g.padH, g.padW, g.outH, g.outW];
    this.post('conv2dWeightGradFilters', [x, gradOut, dw, work2, N, F, f, F, ...geometry]);
    k.conv2dWeightGradFilters(x, gradOut, dw, work, N, F, 0, f, g.channels, g.height, g.width, g.kernelH, g.kernelW,
      g.strideH, g.strideW, g.padH, g.padW, g.outH, g.outW);
    this.finish();
  }

  /** Publishes a task for the worker: its arguments, its kernel, then its number (and wakes the worker if it sleeps). */
  private post(kernel: (typeof SPLIT_KERNELS)[number], args: readonly KernelArgument[]): void {
    const control = this.control;
    for (let i = 0; i < args.length; i++) control[CONTROL_SLOTS.ARGS + i] = +args[i];
    control[CONTROL_SLOTS.KERNEL] = SPLIT_KERNELS.indexOf(kernel);
    this.seq = (this.seq + 1) | 0;
    Atomics.store(control, CONTROL_SLOTS.SEQ, this.seq);
    if (Atomics.load(control, CONTROL_SLOTS.SLEEPING) === 1) Atomics.notify(control, CONTROL_SLOTS.SEQ);
    this.splitCalls++;
  }

  /**
   * After computing its own rows: takes the worker's task back if the worker has not claimed it
   * (and computes it here), or waits until the worker has finished it. A worker that ended
   * before claiming it: computed here too; after claiming it: a MinidlError (its rows are lost).
   * A kernel that threw in the worker: a MinidlError with the worker's message.
   */
  private finish(): void {
    const control = this.control, seq = this.seq, before = (seq - 1) | 0;
    if (this.mayTakeBack && Atomics.compareExchange(control, CONTROL_SLOTS.CLAIMED, before, seq) === before) {
      this.takenBack++;
      this.runHere();
      return;
    }
    const kernel = SPLIT_KERNELS[control[CONTROL_SLOTS.KERNEL]];
    if (!this.waitForWorker(seq)) {
      const why = this.failure ?? this.workerMessage();
      const claimedHere = Atomics.compareExchange(control, CONTROL_SLOTS.CLAIMED, before, seq) === before;
      if (claimedHere) {
        this.takenBack++;
        this.runHere();
      }
      this.end(why); // from now on one thread (a reason onError gave first stays)
      if (claimedHere) return;
      throw new MinidlError(`${kernel}: the second thread (${this.starter.name}) ended while computing its half of this call (${why}), `
        + 'so that half is lost: compute the call again (an output or gradient the call adds into may be half updated). '
        + 'One thread computes from now on (getThreads() is 1); setThreads(2, …) starts a new worker.');
    }
    if (Atomics.load(control, CONTROL_SLOTS.FAILED) !== 0) {
      Atomics.store(control, CONTROL_SLOTS.FAILED, 0);
      throw new MinidlError(`${kernel}: the second thread's half of the call failed: ${this.workerMessage()} `
        + '(setThreads(1) computes every call on the calling thread alone)');
    }
  }

  /** Runs the posted task on this thread (the worker never claimed it). */
  private runHere(): void {
    const c = this.control, A = CONTROL_SLOTS.ARGS;
    const kernel = this.instance.exports[SPLIT_KERNELS[c[CONTROL_SLOTS.KERNEL]]] as (...args: number[]) => void;
    kernel(c[A], c[A + 1], c[A + 2], c[A + 3], c[A + 4], c[A + 5], c[A + 6], c[A + 7], c[A + 8], c[A + 9],
      c[A + 10], c[A + 11], c[A + 12], c[A + 13], c[A + 14], c[A + 15], c[A + 16], c[A + 17], c[A + 18], c[A + 19]);
  }

  /**
   * Spins until DONE = seq; past CALLER_SPIN_MICROSECONDS, sleeps on DONE where this thread may,
   * at most 100 ms at a time. Every 256 turns it looks whether the worker has ended (ENDED, or
   * the starter's onError): then it returns false, else true once the worker has finished.
   */
  private waitForWorker(seq: number): boolean {
    const control = this.control;
    const start = clock.now();
    let n = 0;
    while (Atomics.load(control, CONTROL_SLOTS.DONE) !== seq) {
      if ((++n & 255) !== 0) continue;
      if (Atomics.load(control, CONTROL_SLOTS.ENDED) !== 0 || this.failure !== null) return false;
      if (!this.canWait || clock.now() - start < CALLER_SPIN_MICROSECONDS / 1000) continue;
      Atomics.store(control, CONTROL_SLOTS.WAITING, 1);
      const done = Atomics.load(control, CONTROL_SLOTS.DONE);
      try {
        if (done !== seq) Atomics.wait(control, CONTROL_SLOTS.DONE, done, 100);
      } catch {
        this.canWait = false; // a browser's main thread may not sleep: spin only
      }
      Atomics.store(control, CONTROL_SLOTS.WAITING, 0);
    }
    return true;
  }
}

/**
 * An error's message for a sentence: `Error: boom` (an error's name and message, from any realm),
 * a string as it is, an event's message, or the value described.
 */
export function errorText(error: unknown): string {
  if (typeof error === 'string') return error;
  const { name, message } = (typeof error === 'object' && error !== null ? error : {}) as { name?: unknown; message?: unknown };
  if (typeof message !== 'string') return describeValue(error);
  return typeof name === 'string' ? `${name}: ${message}` : message;
}

/** Where to cut `rows` rows in two: about half, a multiple of 4 (the kernels' tiles), at least 4. */
export function splitPoint(rows: number): number {
  return Math.max(4, Math.min(rows - 1, ((rows >> 1) + 2) & ~3));
}
