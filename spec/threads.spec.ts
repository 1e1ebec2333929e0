import { CrossEntropyLoss } from '../lib/losses/cross-entropy';
import { ReLU } from '../lib/modules/activations/relu';
import { Sequential } from '../lib/modules/containers/sequential';
import { Conv2d } from '../lib/modules/convolution/conv2d';
import { Linear } from '../lib/modules/linear';
import { MaxPool2d } from '../lib/modules/pooling/max-pool2d';
import { Flatten } from '../lib/modules/reshape/flatten';
import { Adam } from '../lib/optim/adam';
import { Rng } from '../lib/random/rng';
import { BackendName, getBackend, loadedWasmBackend, setBackend } from '../lib/tensor/backend/select';
import { nodeWorkers } from '../lib/tensor/node-workers';
import { Tensor } from '../lib/tensor/tensor';
import { getThreads, setThreads } from '../lib/tensor/threads';
import { SPLIT_FLOPS, SecondThread } from '../lib/tensor/wasm/wasm-threads';
import { NeuralNet } from '../lib/training/neural-net';
import { bits, expectMinidlError } from './helpers';

/*
 * A second thread (setThreads(2)) splits the 'wasm' backend's large products and both direct
 * convolution passes by output rows; every output entry is still one sum in the same order, so a
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

describe('setThreads refuses, and changes nothing', () => {
  afterEach(() => setThreads(1));

  test('a number of threads other than 1 or 2', () => {
    for (const n of [0, 3, 1.5, NaN, -1]) {
      expectMinidlError(() => setThreads(n, nodeWorkers), /^setThreads: expected 1 or 2 threads/, new RegExp(`got ${n}$`));
    }
    expect(getThreads()).toBe(1);
  });

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

  test('a worker that fails to start: the promise rejects, one thread stays', async () => {
    const broken = { ...nodeWorkers, start: nodeWorkers.start.bind(nodeWorkers), name: 'a broken starter' };
    broken.start = (source, message, onError) => nodeWorkers.start(`${source}\nthrow new Error('no kernels here');`, message, onError);
    await expect(setThreads(2, broken)).rejects.toThrow(/^setThreads: the second thread \(a broken starter\) is not running: .*no kernels here/);
    expect(getThreads()).toBe(1);
    expect(loadedWasmBackend()?.scratch.secondThread).toBeNull();
  }, 20_000);
});
