import { CrossEntropyLoss } from '../lib/losses/cross-entropy';
import { ReLU } from '../lib/modules/activations/relu';
import { Sigmoid } from '../lib/modules/activations/sigmoid';
import { Tanh } from '../lib/modules/activations/tanh';
import { Sequential } from '../lib/modules/containers/sequential';
import { Conv2d } from '../lib/modules/convolution/conv2d';
import { Linear } from '../lib/modules/linear';
import { MaxPool2d } from '../lib/modules/pooling/max-pool2d';
import { Flatten } from '../lib/modules/reshape/flatten';
import { Adam } from '../lib/optim/adam';
import { Rng } from '../lib/random/rng';
import { BackendName, getBackend, loadedWasmBackend, setBackend } from '../lib/tensor/backend/select';
import { nodeWorkers } from '../lib/tensor/node-workers';
import { matmul } from '../lib/tensor/ops';
import { Tensor } from '../lib/tensor/tensor';
import { getThreads, setThreads, threadsReason } from '../lib/tensor/threads';
import {
  KernelWorkerMessage, SPLIT_COL2IM_ENTRIES, SPLIT_ENTRIES, SPLIT_FLOPS, SecondThread, StartedWorker, WorkerStarter,
} from '../lib/tensor/wasm/wasm-threads';
import { NeuralNet } from '../lib/training/neural-net';
import { bits, expectMinidlError } from './helpers';

/*
 * A second thread (setThreads(2)) splits the 'wasm' backend's large products and both direct
 * convolution passes by output rows, and large element-wise passes, max pooling and col2im by
 * entries, planes and channels; every output entry is still computed in the same order, so a
 * CNN trained with two threads has the bits of one trained with one thread, and of one trained on
 * the 'js' backend. The layers below are large enough for every split kernel to be split (and
 * small enough for the spec to take a few seconds).
 */

const initialBackend = getBackend();
afterAll(async () => {
  await setThreads(1);
  setBackend(initialBackend);
});

/** Trains the CNN for 2 epochs (batches of 32, 32 and 6) with NeuralNet and Adam; every parameter's bits and the losses. */
function train(backend: BackendName): { params: bigint[][]; losses: number[] } {
  setBackend(backend);
  const rng = new Rng('threads spec');
  const model = new Sequential(
    new Conv2d(1, 8, 5, { padding: 2, rng }), new ReLU(), new MaxPool2d(2), //   [N,1,16,16] → [N,8,8,8]: 2·32·8·25·256 flops
    new Conv2d(8, 12, 3, { rng }), new ReLU(), new Flatten(), //                  → [N,12,6,6]: 12 filters, split 8 | 4
    new Linear(12 * 6 * 6, 32, { rng }), new ReLU(), new Linear(32, 10, { rng }), // products [32,432]·[432,32] and back
  );
  const x = new Tensor([70, 1, 16, 16]);
  rng.fillNormal(x.data);
  const y = new Tensor([70]);
  for (let i = 0; i < 70; i++) y.data[i] = (i * 7) % 10;
  const net = new NeuralNet(model, { loss: new CrossEntropyLoss(), optimizer: new Adam(model.params(), { lr: 0.01 }), rng: new Rng(5) });
  const history = net.fit(x, y, { epochs: 2, batchSize: 32 });
  return { params: model.params().map((p) => bits(p.value.data)), losses: history.loss };
}

function secondThread(): SecondThread {
  const second = loadedWasmBackend()?.scratch.secondThread;
  expect(second).toBeInstanceOf(SecondThread);
  return second as SecondThread;
}

describe('setThreads(2): the same bits as one thread and as the js backend', () => {
  test('a CNN trained by NeuralNet on js, on wasm with 1 thread and with 2: every parameter to the last bit', async () => {
    expect(SPLIT_FLOPS).toBeLessThan(2 * 32 * 8 * 25 * 256);
    const reference = train('js');
    expect(reference.losses.every((l) => Number.isFinite(l))).toBe(true);
    await setThreads(1);
    expect(getThreads()).toBe(1);
    expect({ threads: 1, ...train('wasm') }).toEqual({ threads: 1, ...reference });

    await setThreads(2, nodeWorkers);
    expect(getThreads()).toBe(2);
    const second = secondThread();
    // the worker computes every second half (the calling thread never takes one back)
    second.mayTakeBack = false;
    expect({ threads: 2, ...train('wasm') }).toEqual({ threads: 2, ...reference });
    expect(second.takenBack).toBe(0);
    const split = second.splitCalls;
    // 2 epochs × 2 batches of 32 with 2 convolution passes each, and the large products
    expect(split).toBeGreaterThanOrEqual(2 * 2 * 4);

    // the default: the calling thread may take a half back when the worker is late; same bits
    second.mayTakeBack = true;
    expect({ threads: 2, ...train('wasm') }).toEqual({ threads: 2, ...reference });
    expect(second.splitCalls).toBeGreaterThan(split);

    await setThreads(1);
    expect(getThreads()).toBe(1);
    expect(loadedWasmBackend()?.scratch.secondThread).toBeNull();
  }, 30_000);
});

/**
 * Runs `run` on two threads (the worker computing every second half), then on the calling thread
 * alone; returns both results and how many calls were split.
 */
async function twoThenOne<T>(run: () => T): Promise<{ two: T; one: T; splits: number }> {
  setBackend('wasm');
  await setThreads(2, nodeWorkers);
  const second = secondThread(), scratch = loadedWasmBackend()!.scratch;
  second.mayTakeBack = false;
  try {
    const before = second.splitCalls;
    const two = run();
    const splits = second.splitCalls - before;
    scratch.secondThread = null;
    return { two, one: run(), splits };
  } finally {
    scratch.secondThread = second;
    second.mayTakeBack = true;
  }
}

describe('element-wise passes, max pooling and col2im, split by halves', () => {
  afterEach(() => setThreads(1));

  test('ReLU forward and backward, Tanh and Sigmoid backward, MaxPool2d forward on odd sizes: the bits of one thread, each call split', async () => {
    const rng = new Rng('threads element-wise');
    const x = new Tensor([3, 5, 67, 71]), g = new Tensor([3, 5, 67, 71]); // 71,355 entries, an odd count
    expect(x.size).toBeGreaterThanOrEqual(SPLIT_ENTRIES);
    rng.fillNormal(x.data);
    rng.fillNormal(g.data);
    // every output and input gradient, as bytes (a byte-for-byte comparison: the same bits)
    const { two, one, splits } = await twoThenOne(() => [new ReLU(), new Tanh(), new Sigmoid(), new MaxPool2d(3, 2, 1)].flatMap((layer) => {
      const y = layer.forward(x);
      const gradOut = new Tensor([...y.shape], g.data.slice(0, y.size));
      return [Buffer.from(y.data.slice().buffer), Buffer.from(layer.backward(gradOut).data.slice().buffer)];
    }));
    // ReLU forward and backward, Tanh and Sigmoid backward, MaxPool2d forward (its backward scatters: one thread)
    expect(splits).toBe(5);
    expect(two.map((bytes, i) => bytes.equals(one[i]))).toEqual(one.map(() => true));
  }, 20_000);

  test("Conv2d's input gradient: one col2im per sample, split by channels; the bits of one thread", async () => {
    const rng = new Rng('threads col2im');
    const conv = new Conv2d(5, 6, 3, { padding: 1, rng }); // cols of a sample: 5·3·3 rows × 20·18 positions
    const x = new Tensor([2, 5, 20, 18]), g = new Tensor([2, 6, 20, 18]);
    expect(5 * 9 * 20 * 18).toBeGreaterThanOrEqual(SPLIT_COL2IM_ENTRIES);
    expect(2 * 2 * 6 * 45 * 20 * 18).toBeLessThan(SPLIT_FLOPS); // the convolution passes and Wᵀ·Gₙ stay on one thread
    rng.fillNormal(x.data);
    rng.fillNormal(g.data);
    const { two, one, splits } = await twoThenOne(() => {
      conv.forward(x);
      return Buffer.from(conv.backward(g).data.slice().buffer);
    });
    expect(splits).toBe(2); // one col2im per sample
    expect(two.equals(one)).toBe(true);
  }, 20_000);
});

describe('the worker shares the memory as it grows', () => {
  test('a product on pages added after the worker started: the worker computes its half there, the same bits', async () => {
    setBackend('wasm');
    await setThreads(2, nodeWorkers);
    const second = secondThread();
    second.mayTakeBack = false;
    const backend = loadedWasmBackend()!;
    const memory = backend.instance.memory;
    const before = backend.instance.exports.memory.buffer.byteLength;
    const [M, K, N] = [64, 100, 100];
    const rng = new Rng('threads growth');
    // one block larger than the whole memory: the memory grows, and the operands at its end lie in the new pages
    const block = memory.allocate(before / 8 + M * K + K * N + M * N);
    const end = block + before;
    const A = memory.array(end, M * K), B = memory.array(end + M * K * 8, K * N), C = memory.array(end + (M * K + K * N) * 8, M * N);
    rng.fillNormal(A);
    rng.fillNormal(B);
    try {
      const split = second.splitCalls;
      backend.scratch.product('matmul', A, B, C, M, K, N, false);
      expect(second.splitCalls).toBe(split + 1);
      const alone = new Float64Array(M * N);
      backend.scratch.secondThread = null;
      backend.scratch.product('matmul', A, B, alone, M, K, N, false);
      backend.scratch.secondThread = second;
      expect(bits(C)).toEqual(bits(alone));
    } finally {
      second.mayTakeBack = true;
      memory.free(block);
    }
    await setThreads(1);
  }, 20_000);
});

/** A starter like nodeWorkers whose worker first runs `prefix` (to make it fail on purpose); `starts` counts its workers. */
function starterWith(name: string, prefix: string): WorkerStarter & { starts: number; handles: StartedWorker[] } {
  const starter = {
    name,
    cores: nodeWorkers.cores,
    starts: 0,
    handles: [] as StartedWorker[],
    start(source: string, message: KernelWorkerMessage, onError: (error: unknown) => void): StartedWorker {
      starter.starts++;
      const handle = nodeWorkers.start(`${prefix}\n${source}`, message, onError);
      starter.handles.push(handle);
      return handle;
    },
  };
  return starter;
}

/** Worker code that replaces every kernel the worker instantiates by `body` (a function's body). */
function kernelsThat(body: string): string {
  return `{ const RealInstance = WebAssembly.Instance;
    WebAssembly.Instance = function (module, imports) {
      const exports = Object.assign({}, new RealInstance(module, imports).exports);
      for (const name of Object.keys(exports)) if (typeof exports[name] === 'function') exports[name] = function () { ${body} };
      return { exports };
    }; }`;
}

/** A product [64,784]·[784,100] (split between the threads) and the same product on one thread. */
function splitProduct(): { a: Tensor; b: Tensor; alone: bigint[] } {
  setBackend('wasm');
  const rng = new Rng('threads failures');
  const a = new Tensor([64, 784]), b = new Tensor([784, 100]);
  rng.fillNormal(a.data);
  rng.fillNormal(b.data);
  expect(2 * 64 * 784 * 100).toBeGreaterThan(SPLIT_FLOPS);
  const second = loadedWasmBackend()!.scratch.secondThread;
  loadedWasmBackend()!.scratch.secondThread = null;
  const alone = bits(matmul(a, b).data);
  loadedWasmBackend()!.scratch.secondThread = second;
  return { a, b, alone };
}

describe('a worker that fails or ends', () => {
  afterEach(() => setThreads(1));

  test('it ends while computing its claimed half (process.exit): the call throws a MinidlError, one thread from then on', async () => {
    setBackend('wasm');
    const dying = starterWith('dying', kernelsThat('process.exit(1);'));
    await expect(setThreads(2, dying)).resolves.toBe(2);
    secondThread().mayTakeBack = false; // the worker claims its half, then ends in the kernel
    const { a, b, alone } = splitProduct();
    const splitBefore = secondThread().splitCalls;
    expectMinidlError(() => matmul(a, b),
      /^matmul: the second thread \(dying\) ended while computing its half of this call \(it ended with exit code 1\), so that half is lost: compute the call again/,
      /One thread computes from now on \(getThreads\(\) is 1\); setThreads\(2, …\) starts a new worker/);
    expect(secondThread().splitCalls).toBe(splitBefore + 1);
    expect(getThreads()).toBe(1);
    expect(threadsReason()).toBe('the second thread (dying) is not running: it ended with exit code 1');
    // the call again, on one thread: the same bits
    expect(bits(matmul(a, b).data)).toEqual(alone);
    expect(secondThread().splitCalls).toBe(splitBefore + 1);
    // setThreads(2) again starts a new worker
    await expect(setThreads(2, nodeWorkers)).resolves.toBe(2);
    expect(threadsReason()).toBeNull();
    expect(bits(matmul(a, b).data)).toEqual(alone);
  }, 20_000);

  test('it ends before claiming the task: the calling thread computes that half too, the same bits, one thread from then on', async () => {
    setBackend('wasm');
    // the worker ends where it would claim a task (its only compare-and-exchange)
    const dying = starterWith('dies before claiming', 'Atomics.compareExchange = function () { process.exit(3); };');
    await expect(setThreads(2, dying)).resolves.toBe(2);
    const second = secondThread();
    second.mayTakeBack = false; // the calling thread waits for the worker, then sees it ended
    const { a, b, alone } = splitProduct();
    const taken = second.takenBack;
    expect(bits(matmul(a, b).data)).toEqual(alone);
    expect(second.takenBack).toBe(taken + 1);
    expect(getThreads()).toBe(1);
    expect(threadsReason()).toBe('the second thread (dies before claiming) is not running: it ended with exit code 3');
  }, 20_000);

  test('it ends between calls (terminated): getThreads() is 1 and calls run on one thread', async () => {
    setBackend('wasm');
    const spied = starterWith('spied', '');
    await expect(setThreads(2, spied)).resolves.toBe(2);
    const { a, b, alone } = splitProduct();
    expect(bits(matmul(a, b).data)).toEqual(alone);
    const split = secondThread().splitCalls;
    expect(split).toBeGreaterThan(0);
    spied.handles[0].terminate(); // as if the worker died: its 'exit' event reaches onError
    for (let i = 0; i < 200 && getThreads() === 2; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(getThreads()).toBe(1);
    expect(threadsReason()).toMatch(/^the second thread \(spied\) is not running: it ended with exit code \d+$/);
    expect(bits(matmul(a, b).data)).toEqual(alone);
    expect(secondThread().splitCalls).toBe(split);
  }, 20_000);

  test("its kernel throws: a MinidlError with the worker's message and setThreads(1) as the remedy; the worker stays", async () => {
    setBackend('wasm');
    const failing = starterWith('failing', kernelsThat("throw new RangeError('kernel broke');"));
    await expect(setThreads(2, failing)).resolves.toBe(2);
    secondThread().mayTakeBack = false;
    const { a, b } = splitProduct();
    expectMinidlError(() => matmul(a, b),
      /^matmul: the second thread's half of the call failed: RangeError: kernel broke \(setThreads\(1\) computes every call on the calling thread alone\)$/);
    expect(getThreads()).toBe(2);
  }, 20_000);
});

describe('the promise of setThreads never rejects: it resolves to the threads in use', () => {
  afterEach(() => setThreads(1));

  test('setThreads(2) not awaited, then setThreads(1): both resolve to 1, the worker is stopped', async () => {
    setBackend('wasm');
    const counted = starterWith('counted', '');
    const two = setThreads(2, counted);
    const one = setThreads(1);
    await expect(two).resolves.toBe(1);
    await expect(one).resolves.toBe(1);
    expect(counted.starts).toBe(1);
    expect(getThreads()).toBe(1);
    expect(threadsReason()).toBeNull();
  }, 20_000);

  test('a second starter before the first worker runs: the first request resolves to 1, the second to 2', async () => {
    setBackend('wasm');
    const first = starterWith('first', ''), later = starterWith('later', '');
    const replaced = setThreads(2, first);
    const replacing = setThreads(2, later);
    await expect(replaced).resolves.toBe(1);
    await expect(replacing).resolves.toBe(2);
    expect(secondThread().starter).toBe(later);
    expect(getThreads()).toBe(2);
  }, 20_000);

  test('the same starter again while its worker starts or runs: the same worker', async () => {
    setBackend('wasm');
    const counted = starterWith('counted', '');
    const results = await Promise.all([setThreads(2, counted), setThreads(2, counted)]);
    expect(results).toEqual([2, 2]);
    await expect(setThreads(2, counted)).resolves.toBe(2);
    expect(counted.starts).toBe(1);
  }, 20_000);

  test('a worker that fails to start: the promise resolves to 1, threadsReason() says why, one thread stays', async () => {
    setBackend('wasm');
    const broken = starterWith('a broken starter', '');
    broken.start = (source, message, onError) => nodeWorkers.start(`${source}\nthrow new Error('no kernels here');`, message, onError);
    const started = setThreads(2, broken); // not awaited at first: no unhandled rejection either way
    await expect(started).resolves.toBe(1);
    expect(getThreads()).toBe(1);
    expect(threadsReason()).toMatch(/^the second thread \(a broken starter\) is not running: Error: no kernels here$/);
    await setThreads(1);
    expect(threadsReason()).toBeNull();
    expect(loadedWasmBackend()?.scratch.secondThread).toBeNull();
  }, 20_000);

  test('a worker that cannot instantiate the kernels: resolves to 1 with the engine\'s message', async () => {
    setBackend('wasm');
    const noInstance = starterWith('no instance', "WebAssembly.Instance = function () { throw new TypeError('no instances today'); };");
    await expect(setThreads(2, noInstance)).resolves.toBe(1);
    expect(threadsReason()).toBe('the second thread (no instance) is not running: it could not instantiate the kernels on the shared memory: TypeError: no instances today');
  }, 20_000);
});

describe('setThreads refuses, and changes nothing', () => {
  afterEach(() => setThreads(1));

  test('a number of threads other than 1 or 2', () => {
    for (const n of [0, 3, 1.5, NaN, -1]) {
      expectMinidlError(() => setThreads(n, nodeWorkers), /^setThreads: expected 1 or 2 threads/, new RegExp(`got number ${n}$`));
    }
    expectMinidlError(() => setThreads('2' as unknown as number, nodeWorkers), /^setThreads: expected 1 or 2 threads .*, got string '2'$/);
    expectMinidlError(() => setThreads([2] as unknown as number, nodeWorkers), /, got an array \[2\]$/);
    expect(getThreads()).toBe(1);
  });

  test('a starter that is not a WorkerStarter { name, cores, start }: what is wrong with it', () => {
    const expected = /^setThreads: expected a WorkerStarter \{ name, cores, start \} \(nodeWorkers from 'minidl\/node', or webWorkers\(\)\), got /;
    expectMinidlError(() => setThreads(2, {} as WorkerStarter), expected,
      /got an Object with name undefined \(expected a string\), cores undefined \(expected a whole number ≥ 1\), start undefined \(expected a function\)$/);
    expectMinidlError(() => setThreads(2, { cores: 2 } as WorkerStarter), expected,
      /got an Object with name undefined \(expected a string\), start undefined \(expected a function\)$/);
    expectMinidlError(() => setThreads(2, { ...nodeWorkers, cores: 0.5 }), expected, /got an Object with cores number 0.5 \(expected a whole number ≥ 1\)$/);
    expectMinidlError(() => setThreads(2, 'nodeWorkers' as unknown as WorkerStarter), expected, /got string 'nodeWorkers'$/);
    expect(getThreads()).toBe(1);
    expect(loadedWasmBackend()?.scratch.secondThread).toBeNull();
  });

  test("a starter whose start throws, or returns no { terminate() }: a MinidlError (the starter's error its cause), the worker that runs untouched", async () => {
    setBackend('wasm');
    await setThreads(2, nodeWorkers);
    const running = secondThread();
    const boom = new Error('boom');
    const throwing = { name: 'throwing', cores: 2, start(): StartedWorker { throw boom; } };
    const error = expectMinidlError(() => setThreads(2, throwing), /^setThreads: expected the starter \(throwing\) to start a worker, but its start threw Error: boom$/);
    expect((error as { cause?: unknown }).cause).toBe(boom);
    const handleless = { name: 'handleless', cores: 2, start: () => undefined as unknown as StartedWorker };
    expectMinidlError(() => setThreads(2, handleless), /^setThreads: expected the starter's start \(handleless\) to return a started worker \{ terminate\(\) \}, got undefined$/);
    expect(secondThread()).toBe(running);
    expect(getThreads()).toBe(2);
  }, 20_000);

  test('more threads than the machine has cores', () => {
    const oneCore = { ...nodeWorkers, cores: 1 };
    expectMinidlError(() => setThreads(2, oneCore), /^setThreads: expected at most 1 threads, the cores this machine runs at once \(worker_threads\), got 2/);
    expect(getThreads()).toBe(1);
    expect(loadedWasmBackend()?.scratch.secondThread).toBeNull();
  });

  test('no way to start a worker (Node.js has no Web Workers: nodeWorkers must be passed)', () => {
    expectMinidlError(() => setThreads(2), /^setThreads: expected a way to start a worker .* nodeWorkers from 'minidl\/node'.* got none$/);
    expect(getThreads()).toBe(1);
  });

});
