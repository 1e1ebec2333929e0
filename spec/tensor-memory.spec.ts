import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { CrossEntropyLoss } from '../lib/losses/cross-entropy';
import { MSELoss } from '../lib/losses/mse';
import { ReLU } from '../lib/modules/activations/relu';
import { Tanh } from '../lib/modules/activations/tanh';
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
import { BackendName, setBackend } from '../lib/tensor/backend/select';
import { longLivedIndices } from '../lib/tensor/memory';
import { withTemporaryTensors } from '../lib/tensor/temporaries';
import { Tensor } from '../lib/tensor/tensor';
import { WasmScratch } from '../lib/tensor/wasm/wasm-scratch';
import { WasmTensorMemory } from '../lib/tensor/wasm/wasm-tensor-memory';
import { NeuralNet } from '../lib/training/neural-net';
import { activeWasm, bits, randn } from './helpers';

/*
 * Tensors that live in the kernels' (shared) WebAssembly memory, lib/tensor/memory.ts:
 * no copy between JavaScript and WebAssembly memory in a training step's steady state, a
 * memory that stops growing, growth that corrupts nothing, temporaries recycled by
 * withTemporaryTensors, and long-lived blocks reclaimed once their tensors are dropped.
 */

afterAll(() => setBackend('js'));

function wasmParts(): { scratch: WasmScratch; memory: WasmTensorMemory } {
  setBackend('wasm');
  const wasm = activeWasm();
  if (wasm === null || wasm.store === null) throw new Error('the shared-memory wasm backend did not load');
  return { scratch: wasm.scratch, memory: wasm.store };
}

interface Problem {
  model: Module;
  loss: MSELoss | CrossEntropyLoss;
  optimizer: Optimizer;
  x: Tensor;
  y: Tensor;
}

function diskLike(rng: Rng): Problem {
  const model = new Sequential(
    new Linear(2, 25, { rng }), new ReLU(), new Linear(25, 25, { rng }), new Tanh(), new Linear(25, 2, { rng }),
  );
  const x = randn(rng, [230, 2]);
  const y = new Tensor([230, 2]);
  for (let i = 0; i < 230; i++) y.data[2 * i + (x.data[2 * i] * x.data[2 * i + 1] > 0 ? 1 : 0)] = 1;
  return { model, loss: new MSELoss(), optimizer: new SGD(model.params(), { lr: 0.1, momentum: 0.9, weightDecay: 1e-3 }), x, y };
}

function cnn(rng: Rng): Problem {
  const model = new Sequential(
    new Conv2d(1, 3, 3, { rng, padding: 1 }), new ReLU(), new MaxPool2d(2), new Conv2d(3, 4, 3, { rng }), new ReLU(),
    new Flatten(), new Linear(4, 3, { rng }),
  );
  const x = randn(rng, [22, 1, 6, 6]);
  const y = Tensor.fromArray(Array.from({ length: 22 }, (_, i) => i % 3), [22]);
  return { model, loss: new CrossEntropyLoss(), optimizer: new Adam(model.params(), { lr: 0.01 }), x, y };
}

/** Trains with NeuralNet.fit on a backend; `onEpoch` runs after every epoch. */
function fit(build: (rng: Rng) => Problem, backend: BackendName, epochs: number, batchSize: number, onEpoch?: (epoch: number) => void) {
  setBackend(backend);
  const { model, loss, optimizer, x, y } = build(new Rng(11));
  const net = new NeuralNet(model, { loss, optimizer, rng: new Rng(12) });
  const history = net.fit(x, y, { epochs, batchSize, onEpoch: (report) => { onEpoch?.(report.epoch); } });
  return { model, net, x, history, params: model.params().map((p) => bits(p.value.data)) };
}

describe('tensors in the WebAssembly memory', () => {
  test('inside withTemporaryTensors new tensors live in the arena; outside they are ordinary arrays; parameters are persistent', () => {
    const { memory } = wasmParts();
    const outside = new Tensor([3, 4]);
    expect(memory.memory.holds(outside.data)).toBe(false);
    const linear = new Linear(3, 4, { rng: new Rng(1) });
    expect(memory.memory.holds(linear.weight.value.data)).toBe(true);
    expect(memory.arena.holds(linear.weight.value.data)).toBe(false);
    expect(memory.memory.holds(linear.weight.grad.data)).toBe(true);
    withTemporaryTensors(() => {
      const inside = new Tensor([3, 4]);
      expect(memory.arena.holds(inside.data)).toBe(true);
      expect(Array.from(inside.data)).toEqual(new Array(12).fill(0)); // zero-filled, like any new tensor
      expect(memory.arena.holds(inside.clone().data)).toBe(true);
      expect(memory.arena.holds(inside.reshape([12]).data)).toBe(true);
    });
    const indices = longLivedIndices(7); // a max-pooling layer's argmax: 32-bit integers
    expect(indices).toBeInstanceOf(Int32Array);
    expect(memory.memory.holds(indices)).toBe(true);
    expect(memory.arena.holds(new Float64Array(indices.buffer, indices.byteOffset, 2))).toBe(false);
    expect(Array.from(indices)).toEqual(new Array(7).fill(0));
    // the same on 'js': ordinary arrays everywhere
    setBackend('js');
    withTemporaryTensors(() => expect(memory.memory.holds(new Tensor([2]).data)).toBe(false));
    expect(memory.memory.holds(new Linear(3, 4, { rng: new Rng(1) }).weight.value.data)).toBe(false);
    expect(memory.memory.holds(longLivedIndices(7))).toBe(false);
  });

  test('a Tensor returned by withTemporaryTensors is copied out and survives the next scope; nested scopes release in order', () => {
    const { memory } = wasmParts();
    const kept = withTemporaryTensors(() => Tensor.from([[1, 2], [3, 4]]).clone());
    expect(memory.arena.holds(kept.data)).toBe(false);
    const before = memory.arena.bytesInUse;
    withTemporaryTensors(() => {
      const a = Tensor.full([2, 2], 7);
      const inner = withTemporaryTensors(() => {
        Tensor.full([100], 9);
        return 5;
      });
      expect(inner).toBe(5);
      const b = Tensor.full([2, 2], 8); // takes the bytes the inner scope released
      expect(Array.from(a.data)).toEqual([7, 7, 7, 7]);
      expect(Array.from(b.data)).toEqual([8, 8, 8, 8]);
    });
    expect(memory.arena.bytesInUse).toBe(before);
    expect(kept.toArray()).toEqual([[1, 2], [3, 4]]);
  });

  test('NeuralNet.fit copies nothing between JavaScript and WebAssembly memory once the first epoch is done', () => {
    for (const build of [diskLike, cnn]) {
      const { scratch } = wasmParts();
      const copied: number[] = [];
      fit(build, 'wasm', 4, 32, () => copied.push(scratch.copiedValues));
      expect(copied[3] - copied[1]).toBe(0);
    }
  });

  test('the memory, the arena and the persistent blocks stop growing after the first epoch (30 epochs)', () => {
    const { scratch, memory } = wasmParts();
    const sizes: string[] = [];
    fit(diskLike, 'wasm', 30, 16, () => sizes.push(`${scratch.memoryBytes} ${memory.arena.bytesReserved} ${memory.memory.blockCount}`));
    expect(new Set(sizes.slice(1)).size).toBe(1);
    const cnnSizes: string[] = [];
    fit(cnn, 'wasm', 12, 5, () => cnnSizes.push(`${scratch.memoryBytes} ${memory.arena.bytesReserved} ${memory.memory.blockCount}`));
    expect(new Set(cnnSizes.slice(1)).size).toBe(1);
  });

  test('training gives the same bits on both backends, and a growth of the memory mid-training corrupts and detaches nothing', () => {
    for (const build of [diskLike, cnn]) {
      const reference = fit(build, 'js', 5, 8);
      const { memory } = wasmParts();
      let grown = 0;
      let firstWeights: Float64Array | null = null;
      const run = fit(build, 'wasm', 5, 8, (epoch) => {
        if (epoch !== 2) return;
        const bytes = memory.memory.memory.buffer.byteLength;
        const block = memory.memory.allocate(bytes / 8); // more than the whole memory: it must grow
        memory.memory.free(block);
        grown = memory.memory.memory.buffer.byteLength;
        expect(grown).toBeGreaterThan(bytes);
      });
      firstWeights = run.model.params()[0].value.data;
      expect(grown).toBeGreaterThan(0);
      expect(run.params).toEqual(reference.params);
      expect(run.history.loss).toEqual(reference.history.loss);
      expect(firstWeights.length).toBeGreaterThan(0); //          still a valid view of the grown memory
      expect(memory.memory.holds(firstWeights)).toBe(true);
      setBackend('wasm');
      expect(bits(run.net.predict(run.x).data)).toEqual(bits(reference.net.predict(reference.x).data));
    }
  });

  test('switching backend between epochs gives the same bits as staying on one', () => {
    const reference = fit(diskLike, 'js', 6, 20);
    setBackend('wasm');
    const { model, loss, optimizer, x, y } = diskLike(new Rng(11));
    const net = new NeuralNet(model, { loss, optimizer, rng: new Rng(12) });
    net.fit(x, y, { epochs: 6, batchSize: 20, onEpoch: (r) => setBackend(r.epoch % 2 === 0 ? 'wasm' : 'js') });
    expect(model.params().map((p) => bits(p.value.data))).toEqual(reference.params);
  });

  test('the persistent blocks of dropped parameters are reclaimed by the garbage collector (child process with --expose-gc)', () => {
    const script = `
      const { Linear, Rng, setBackend } = require('./lib');
      const { loadedWasmBackend } = require('./lib/tensor/backend/select');
      setBackend('wasm');
      const memory = loadedWasmBackend().store;
      new Linear(2, 2);
      const base = memory.memory.bytesInUse;
      for (let i = 0; i < 200; i++) new Linear(100, 100, { rng: new Rng(i) }); // 200 × 2 × 80 kB, dropped at once
      const peak = memory.memory.bytesInUse;
      const settle = (rounds) => new Promise((done) => {
        global.gc();
        setTimeout(() => (rounds > 0 ? settle(rounds - 1).then(done) : done()), 20);
      });
      settle(10).then(() => console.log(JSON.stringify({ base, peak, after: memory.memory.bytesInUse })));
    `;
    const run = spawnSync(process.execPath, ['--expose-gc', '--require', 'tsx/cjs', '-e', script], {
      cwd: path.join(__dirname, '..'), encoding: 'utf8', timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    const { base, peak, after } = JSON.parse(run.stdout.trim().split('\n').pop() as string);
    expect(peak - base).toBeGreaterThan(200 * 2 * 80_000);
    expect(after - base).toBeLessThan(0.05 * (peak - base));
  }, 60_000);
});
