import { MinidlError } from '../lib/errors';
import { CrossEntropyLoss } from '../lib/losses/cross-entropy';
import { MSELoss } from '../lib/losses/mse';
import { ReLU } from '../lib/modules/activations/relu';
import { Sequential } from '../lib/modules/containers/sequential';
import { Conv2d } from '../lib/modules/convolution/conv2d';
import { Linear } from '../lib/modules/linear';
import { Module } from '../lib/modules/module';
import { MaxPool2d } from '../lib/modules/pooling/max-pool2d';
import { Flatten } from '../lib/modules/reshape/flatten';
import { Adam } from '../lib/optim/adam';
import { Optimizer } from '../lib/optim/optimizer';
import { SGD } from '../lib/optim/sgd';
import { Rng } from '../lib/random/rng';
import { BackendName, backendReason, getBackend, setBackend } from '../lib/tensor/backend/select';
import * as kernels from '../lib/tensor/kernels';
import { avgPoolBackward, avgPoolForward } from '../lib/modules/pooling/avg-pool2d';
import { maxPoolBackward, maxPoolForward } from '../lib/modules/pooling/max-pool2d';
import { fastLoop } from '../lib/tensor/loops';
import { matmul, matmulTransA, matmulTransB, sumRows, addRowVector } from '../lib/tensor/ops';
import { Tensor } from '../lib/tensor/tensor';
import { NeuralNet } from '../lib/training/neural-net';
import { gradcheck } from '../lib/tools/gradcheck';
import { bits, expectMinidlError, randn, wasmScratch } from './helpers';
import * as lib from '../lib';

/*
 * The two backends: 'js' (the TypeScript kernels) and 'wasm' (the WebAssembly SIMD kernels).
 * Products, sums, im2col/col2im and the channel bias are bit-identical in both, so a network of
 * Linear, Conv2d, ReLU, MaxPool2d, MSE or cross-entropy and SGD or Adam must train to the same
 * bits on either backend, even when the backend changes between two steps.
 */

afterAll(() => setBackend('js'));

function parameterBits(model: Module): bigint[][] {
  return model.params().map((p) => bits(p.value.data));
}

interface Run {
  losses: number[];
  params: bigint[][];
  outputBits: bigint[];
}

/** Trains a seeded network for `steps` steps; `backendAt(step)` picks the backend of each step. */
function train(
  build: (rng: Rng) => { model: Module; loss: MSELoss | CrossEntropyLoss; optimizer: (m: Module) => Optimizer; x: Tensor; y: Tensor },
  steps: number, backendAt: (step: number) => BackendName, between?: (step: number) => void,
): Run {
  const rng = new Rng(7);
  const { model, loss, optimizer, x, y } = build(rng);
  const opt = optimizer(model);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    setBackend(backendAt(step));
    between?.(step);
    opt.zeroGrad();
    losses.push(loss.forward(model.forward(x), y));
    model.backward(loss.backward());
    opt.step();
  }
  return { losses, params: parameterBits(model), outputBits: bits(model.forward(x).data) };
}

function mlp(rng: Rng) {
  const model = new Sequential(new Linear(5, 13, { rng }), new ReLU(), new Linear(13, 7, { rng }), new ReLU(), new Linear(7, 3, { rng }));
  return {
    model, loss: new MSELoss(), optimizer: (m: Module) => new SGD(m.params(), { lr: 0.05, momentum: 0.9 }),
    x: randn(rng, [17, 5]), y: randn(rng, [17, 3]),
  };
}

function cnn(rng: Rng) {
  const model = new Sequential(
    new Conv2d(2, 4, 3, { padding: 1, rng }), new ReLU(), new MaxPool2d(2),
    new Conv2d(4, 5, [2, 3], { stride: [1, 2], rng }), new ReLU(), new Flatten(), new Linear(5 * 2 * 1, 3, { rng }),
  );
  const labels = new Tensor([6]);
  for (let i = 0; i < 6; i++) labels.data[i] = i % 3;
  return {
    model, loss: new CrossEntropyLoss(), optimizer: (m: Module) => new Adam(m.params(), { lr: 0.01 }),
    x: randn(rng, [6, 2, 6, 7]), y: labels,
  };
}

describe('selecting a backend', () => {
  test("the default is 'wasm' where WebAssembly SIMD loads (this Node.js has it)", () => {
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const fresh = require('../lib/tensor/backend/select') as typeof import('../lib/tensor/backend/select');
      expect(fresh.getBackend()).toBe('wasm');
      expect(fresh.backendReason()).toBeNull();
    });
  });

  test('loadWasmBackendAsync (browsers): TypeScript kernels while the module compiles, then WebAssembly', async () => {
    let fresh: typeof import('../lib/tensor/backend/select') | null = null;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      fresh = require('../lib/tensor/backend/select') as typeof import('../lib/tensor/backend/select');
    });
    const backend = fresh as unknown as typeof import('../lib/tensor/backend/select');
    const loading = backend.loadWasmBackendAsync();
    expect(backend.getBackend()).toBe('js');
    expect(backend.backendReason()).toMatch(/still loading/);
    expect(await loading).toBe('wasm');
    expect(backend.getBackend()).toBe('wasm');
  });

  test('setBackend switches and getBackend reports it; both are exported from the package', () => {
    setBackend('js');
    expect(getBackend()).toBe('js');
    expect(wasmScratch()).toBeNull();
    expect(backendReason()).toMatch(/'js' backend was selected/);
    lib.setBackend('wasm');
    expect(lib.getBackend()).toBe('wasm');
    expect(wasmScratch()).not.toBeNull();
    expect(backendReason()).toBeNull();
  });

  test('an unknown backend is refused and the backend stays what it was', () => {
    setBackend('wasm');
    expectMinidlError(() => setBackend('gpu' as BackendName), /setBackend: the backend must be 'js' or 'wasm', got "gpu"/);
    expect(getBackend()).toBe('wasm');
    setBackend('js');
    expectMinidlError(() => setBackend(undefined as unknown as BackendName), /setBackend/);
    expect(getBackend()).toBe('js');
  });
});

describe('the kernels give bit-identical results on both backends', () => {
  const rng = new Rng(3);
  test.each([[1, 1, 1], [3, 5, 2], [13, 17, 7], [64, 33, 10]])('products, sumRows, addRowVector for M=%i K=%i N=%i', (M, K, N) => {
    const A = randn(rng, [M, K]), B = randn(rng, [K, N]), Bt = randn(rng, [N, K]), At = randn(rng, [K, M]);
    const C0 = randn(rng, [M, N]), b = randn(rng, [1, N]);
    const results: Record<BackendName, bigint[][]> = { js: [], wasm: [] };
    for (const backend of ['js', 'wasm'] as const) {
      setBackend(backend);
      const acc = new Tensor([M, N], C0.data.slice());
      matmul(A, B, { into: acc, accumulate: true });
      matmulTransB(A, Bt, { into: acc, accumulate: true });
      matmulTransA(At, B, { into: acc, accumulate: true });
      const bias = new Tensor([1, N], b.data.slice());
      sumRows(acc, { into: bias, accumulate: true });
      results[backend] = [
        bits(matmul(A, B).data), bits(matmulTransB(A, Bt).data), bits(matmulTransA(At, B).data),
        bits(acc.data), bits(sumRows(acc).data), bits(bias.data), bits(addRowVector(acc, b).data),
        bits(matmul(A, B, { bias: b }).data), bits(matmul(A, B, { into: acc, accumulate: true, bias: b }).data),
      ];
    }
    expect(results.wasm).toEqual(results.js);
  });

  test('a product writing into part of a larger array leaves the rest alone', () => {
    for (const backend of ['js', 'wasm'] as const) {
      setBackend(backend);
      const out = new Float64Array(10).fill(9);
      kernels.matmul(new Float64Array([1, 2]), new Float64Array([3, 4]), out.subarray(4, 8), 2, 1, 2);
      expect(Array.from(out)).toEqual([9, 9, 9, 9, 3, 4, 6, 8, 9, 9]);
    }
  });

  test('im2col, col2im, addChannelBias, sumChannels (a sample inside a batch), max and average pooling (ordinary arrays, copied through the scratch area)', () => {
    const g: kernels.WindowGeometry = {
      channels: 3, height: 5, width: 6, kernelH: 3, kernelW: 2, strideH: 2, strideW: 1, padH: 1, padW: 1, outH: 3, outW: 7,
    };
    const size = 3 * 5 * 6, cols = 3 * 3 * 2 * 3 * 7;
    const images = randn(rng, [2 * size]).data, colsIn = randn(rng, [cols]).data, bias = randn(rng, [3]).data;
    const results: Record<BackendName, bigint[][]> = { js: [], wasm: [] };
    for (const backend of ['js', 'wasm'] as const) {
      setBackend(backend);
      const out = new Float64Array(cols);
      kernels.im2col(images, size, g, out);
      const grad = images.slice();
      kernels.col2im(colsIn, g, grad, size);
      const y = colsIn.slice(0, 2 * 3 * 21);
      kernels.addChannelBias(y, bias, 2, 3, 21);
      const sums = bias.slice();
      kernels.sumChannels(y, sums, 2, 3, 21, true);
      const pool: kernels.WindowGeometry = { ...g, kernelH: 3, kernelW: 2, strideH: 2, strideW: 1, padH: 1, padW: 1, outH: 3, outW: 7 };
      const pooled = new Float64Array(2 * 3 * 21), argmax = new Int32Array(2 * 3 * 21), poolGrad = images.slice();
      fastLoop('maxPoolForward', maxPoolForward)(images, pool, 2, pooled, argmax);
      fastLoop('maxPoolBackward', maxPoolBackward)(colsIn.subarray(0, 2 * 3 * 21), argmax, poolGrad);
      const averaged = new Float64Array(2 * 3 * 21);
      fastLoop('avgPoolForward', avgPoolForward)(images, pool, 2, averaged);
      fastLoop('avgPoolBackward', avgPoolBackward)(colsIn.subarray(0, 2 * 3 * 21), pool, 2, poolGrad);
      results[backend] = [bits(out), bits(grad), bits(y), bits(sums), bits(pooled), Array.from(argmax, BigInt), bits(averaged), bits(poolGrad)];
    }
    expect(results.wasm).toEqual(results.js);
  });
});

describe('training gives the same bits on both backends', () => {
  test('an MLP (Linear, ReLU, MSE, SGD with momentum): js, wasm, and switching every other step', () => {
    const js = train(mlp, 12, () => 'js');
    const wasm = train(mlp, 12, () => 'wasm');
    const alternating = train(mlp, 12, (step) => (step % 2 === 0 ? 'wasm' : 'js'));
    expect(js.losses[11]).toBeLessThan(js.losses[0]);
    expect(wasm.losses).toEqual(js.losses);
    expect(wasm.params).toEqual(js.params);
    expect(wasm.outputBits).toEqual(js.outputBits);
    expect(alternating.params).toEqual(js.params);
  });

  test('a CNN (Conv2d, ReLU, MaxPool2d, Linear, cross-entropy, Adam): js, wasm, and a switch mid-run', () => {
    const js = train(cnn, 6, () => 'js');
    const wasm = train(cnn, 6, () => 'wasm');
    const switched = train(cnn, 6, (step) => (step < 3 ? 'js' : 'wasm'));
    expect(js.losses[5]).toBeLessThan(js.losses[0]);
    expect(wasm.losses).toEqual(js.losses);
    expect(wasm.params).toEqual(js.params);
    expect(switched.params).toEqual(js.params);
  });

  test('the same seed gives the same bits twice on the wasm backend', () => {
    expect(train(cnn, 3, () => 'wasm')).toEqual(train(cnn, 3, () => 'wasm'));
  });
});

describe('the WebAssembly memory', () => {
  test('stops growing after the first step, and a growth mid-training leaves no stale view', () => {
    setBackend('wasm');
    const scratch = wasmScratch();
    if (scratch === null) throw new Error('no wasm backend');
    const sizes: number[] = [];
    let grown = -1;
    const reference = train(mlp, 10, () => 'js');
    const run = train(mlp, 10, () => 'wasm', (step) => {
      sizes.push(scratch.memoryBytes);
      if (step === 5) {
        // Another user of the module's memory grows it: the buffer is replaced, old views are emptied.
        const before = scratch.memoryBytes;
        const block = scratch.instance.memory.allocate(before / 8);
        scratch.instance.memory.free(block);
        grown = scratch.memoryBytes;
        expect(grown).toBeGreaterThan(before);
      }
    });
    expect(run.params).toEqual(reference.params);
    expect(new Set(sizes.slice(2, 6)).size).toBe(1);
    expect(new Set(sizes.slice(6)).size).toBe(1);
    expect(sizes[9]).toBe(grown);
  });
});

describe('the WebAssembly memory over many epochs', () => {
  test('a CNN trained by NeuralNet.fit for 8 epochs: the memory has its final size after the first', () => {
    setBackend('wasm');
    const scratch = wasmScratch();
    if (scratch === null) throw new Error('no wasm backend');
    const { model, loss, optimizer, x, y } = cnn(new Rng(5));
    const net = new NeuralNet(model, { loss, optimizer: optimizer(model), rng: new Rng(6) });
    const sizes: number[] = [];
    net.fit(x, y, { epochs: 8, batchSize: 4, onEpoch: () => { sizes.push(scratch.memoryBytes); } });
    expect(sizes).toHaveLength(8);
    expect(new Set(sizes).size).toBe(1);
  });
});

describe('gradients are right on the wasm backend', () => {
  beforeAll(() => setBackend('wasm'));
  const rng = new Rng(11);

  test.each([[1, 3, 4], [5, 4, 3], [7, 6, 2]])('Linear, batch %i, %i→%i', (n, inF, outF) => {
    const report = gradcheck(new Linear(inF, outF, { rng }), randn(rng, [n, inF]));
    if (!report.ok) throw new Error(report.summary);
    expect(report.worstRelError).toBeLessThan(1e-7);
  });

  test.each([
    [2, 3, 5, 6, 3, 1, 1], [1, 1, 4, 4, 2, 2, 0], [3, 2, 7, 5, 3, 2, 1],
  ])('Conv2d, batch %i, %i channels, %i×%i, kernel %i, stride %i, padding %i', (n, c, h, w, k, stride, padding) => {
    const conv = new Conv2d(c, 3, k, { stride, padding, rng });
    const report = gradcheck(conv, randn(rng, [n, c, h, w]));
    if (!report.ok) throw new Error(report.summary);
    expect(report.worstRelError).toBeLessThan(1e-7);
  });
});

describe('bad input gets the same errors on both backends', () => {
  const cases: Array<[string, () => unknown]> = [
    ['matmul', () => matmul(Tensor.zeros([2, 3]), Tensor.zeros([2, 3]))],
    ['matmulTransB', () => matmulTransB(Tensor.zeros([2, 3]), Tensor.zeros([2, 4]))],
    ['addRowVector', () => addRowVector(Tensor.zeros([2, 3]), Tensor.zeros([2, 3]))],
    ['matmul bias', () => matmul(Tensor.zeros([2, 3]), Tensor.zeros([3, 4]), { bias: Tensor.zeros([1, 3]) })],
    ['Linear', () => new Linear(3, 2, { rng: new Rng(1) }).forward(Tensor.zeros([4, 5]))],
    ['Conv2d', () => new Conv2d(2, 3, 3, { rng: new Rng(1) }).forward(Tensor.zeros([1, 2, 2, 2]))],
    ['Linear NaN', () => new Linear(1, 1, { rng: new Rng(1) }).forward(Tensor.from([[NaN]]))],
    ['MaxPool2d', () => new MaxPool2d(3).forward(Tensor.zeros([1, 2, 2, 2]))],
    ['MaxPool2d backward before forward', () => new MaxPool2d(2).backward(Tensor.zeros([1, 1, 1, 1]))],
  ];
  test.each(cases)('%s', (_name, fn) => {
    const messages: string[] = [];
    for (const backend of ['js', 'wasm'] as const) {
      setBackend(backend);
      const err = expectMinidlError(fn);
      expect(err).toBeInstanceOf(MinidlError);
      messages.push(err.message);
    }
    expect(messages[1]).toBe(messages[0]);
  });
});
