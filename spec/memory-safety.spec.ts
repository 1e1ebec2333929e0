import { MinidlError } from '../lib/errors';
import { Loss } from '../lib/losses/loss';
import { MSELoss } from '../lib/losses/mse';
import { ReLU } from '../lib/modules/activations/relu';
import { Sequential } from '../lib/modules/containers/sequential';
import { Linear } from '../lib/modules/linear';
import { Module } from '../lib/modules/module';
import { BatchNorm1d } from '../lib/modules/normalization/batch-norm1d';
import { Parameter } from '../lib/modules/parameter';
import { Optimizer } from '../lib/optim/optimizer';
import { SGD } from '../lib/optim/sgd';
import { Rng } from '../lib/random/rng';
import { BackendName, setBackend } from '../lib/tensor/backend/select';
import * as kernels from '../lib/tensor/kernels';
import { memoryChecks, runStep } from '../lib/tensor/memory';
import { matmul } from '../lib/tensor/ops';
import { withTemporaryTensors } from '../lib/tensor/temporaries';
import { Tensor } from '../lib/tensor/tensor';
import { NeuralNet } from '../lib/training/neural-net';
import { activeWasm, bits, expectMinidlError, randn } from './helpers';

/*
 * Tensors that never lie (lib/tensor/memory.ts). Code a student writes on top of minidl — an
 * optimizer that makes its state lazily, a layer that keeps a statistic, a loss that keeps its
 * inputs, a loop that keeps a step's output — gives the same bits on both backends; a tensor the
 * library released can no longer be read (a MinidlError, never stale numbers); kernels refuse
 * sizes their arrays do not have and outputs that overlap their inputs.
 */

const BACKENDS: BackendName[] = ['js', 'wasm'];
afterAll(() => setBackend('js'));

/** A small disk-like problem: inputs [n,2], one-hot targets [n,2]. */
function data(seed: number, n: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const x = randn(rng, [n, 2]);
  const y = new Tensor([n, 2]);
  for (let i = 0; i < n; i++) y.data[2 * i + (x.data[2 * i] ** 2 + x.data[2 * i + 1] ** 2 < 1 ? 1 : 0)] = 1;
  return { x, y };
}

function mlp(rng: Rng, extra: Module[] = []): Sequential {
  return new Sequential(new Linear(2, 12, { rng }), ...extra, new ReLU(), new Linear(12, 2, { rng }));
}

/** SGD with momentum written the PyTorch way: the buffers are made with Tensor.zeros at the first step. */
class StudentMomentum extends Optimizer {
  private readonly buffers = new Map<Parameter, Tensor>();
  constructor(params: Parameter[], lr: number, private readonly momentum = 0.9) {
    super('StudentMomentum', params, lr);
  }

  step(): void {
    for (const p of this.params) {
      let buffer = this.buffers.get(p);
      if (buffer === undefined) {
        buffer = Tensor.zeros(p.shape);
        this.buffers.set(p, buffer);
      }
      const b = buffer.data, g = p.grad.data, w = p.value.data;
      for (let i = 0; i < b.length; i++) {
        b[i] = this.momentum * b[i] + g[i];
        w[i] -= this.lr * b[i];
      }
    }
  }

  toString(): string {
    return 'StudentMomentum';
  }
}

/** The same optimizer with its buffers from `stateTensor` (state that outlives any step). */
class StateTensorMomentum extends StudentMomentum {
  override step(): void {
    for (const p of this.params) {
      const b = this.stateTensor(p, 'momentumBuffer').data, g = p.grad.data, w = p.value.data;
      for (let i = 0; i < b.length; i++) {
        b[i] = 0.9 * b[i] + g[i];
        w[i] -= this.lr * b[i];
      }
    }
  }
}

/** A layer that keeps the mean of each feature over its last training batch, and subtracts it in eval mode. */
class CenterByLastBatch extends Module {
  lastMean: Tensor | null = null;

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    const [n, f] = input.shape;
    if (this.training) {
      const mean = new Tensor([f]); // made in forward, kept for eval(): the habit a course teaches
      for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) mean.data[j] += input.data[i * f + j] / n;
      this.lastMean = mean;
    }
    const out = new Tensor(input.shape);
    const mean = this.lastMean?.data ?? new Float64Array(f);
    for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) out.data[i * f + j] = input.data[i * f + j] - mean[j];
    return this.rememberOutput(out);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    return gradOut.clone();
  }

  toString(): string {
    return 'CenterByLastBatch';
  }
}

/** MSE that keeps every prediction it saw (a student's loss with state). */
class RecordingMSE extends Loss {
  readonly reduction = 'mean' as const;
  readonly seen: Tensor[] = [];
  private readonly inner = new MSELoss();

  forward(pred: Tensor, target: Tensor): number {
    this.seen.push(pred);
    return this.inner.forward(pred, target);
  }

  backward(): Tensor {
    return this.inner.backward();
  }

  toString(): string {
    return 'RecordingMSE';
  }
}

/** Trains with fit on a backend; returns the bits of the parameters and of the history. */
function fitOn(backend: BackendName, build: (rng: Rng) => { net: NeuralNet; model: Module }, epochs = 4) {
  setBackend(backend);
  const { net, model } = build(new Rng(3));
  const train = data(1, 120), valid = data(2, 60);
  const history = net.fit(train.x, train.y, { epochs, batchSize: 16, validation: { inputs: valid.x, targets: valid.y } });
  return { model, net, params: model.params().map((p) => bits(p.value.data)), history: bits(Float64Array.from([...history.loss, ...history.validationLoss])) };
}

describe('code a student writes gives the same bits on both backends', () => {
  test('the spec setup turned memory checks on', () => {
    expect(memoryChecks()).toBe(true);
  });

  test('an optimizer that makes its momentum buffers with Tensor.zeros at its first step (with a validation set)', () => {
    const runs = BACKENDS.map((backend) => fitOn(backend, (rng) => {
      const model = mlp(rng);
      return { model, net: new NeuralNet(model, { optimizer: new StudentMomentum(model.params(), 0.05), rng: new Rng(4) }) };
    }, 6));
    expect(runs[1].params).toEqual(runs[0].params);
    expect(runs[1].history).toEqual(runs[0].history);
    // and it is the same optimizer as minidl's SGD with momentum 0.9, dampening 0
    const reference = fitOn('js', (rng) => {
      const model = mlp(rng);
      return { model, net: new NeuralNet(model, { optimizer: new SGD(model.params(), { lr: 0.05, momentum: 0.9 }), rng: new Rng(4) }) };
    }, 6);
    expect(runs[0].params).toEqual(reference.params);
  });

  test('a layer that keeps a batch statistic made in forward reads it right after fit and after evaluate', () => {
    const means: number[][] = [];
    for (const backend of BACKENDS) {
      const { model, net } = fitOn(backend, (rng) => {
        const model = mlp(rng, [new CenterByLastBatch()]);
        return { model, net: new NeuralNet(model, { lr: 0.05, rng: new Rng(4) }) };
      });
      const layer = model.children()[1] as CenterByLastBatch;
      const afterFit = Array.from((layer.lastMean as Tensor).data);
      const check = data(7, 50);
      const first = net.evaluate(check.x, check.y);
      expect(net.evaluate(check.x, check.y)).toEqual(first);
      expect(Array.from((layer.lastMean as Tensor).data)).toEqual(afterFit);
      means.push(afterFit);
    }
    expect(means[1]).toEqual(means[0]);
    expect(means[0].every(Number.isFinite)).toBe(true);
  });

  test('a loss that keeps every prediction: each still reads what it was', () => {
    const kept: number[][][] = [];
    for (const backend of BACKENDS) {
      setBackend(backend);
      const rng = new Rng(5);
      const model = mlp(rng);
      const loss = new RecordingMSE();
      const net = new NeuralNet(model, { loss, lr: 0.05, rng: new Rng(6) });
      const { x, y } = data(1, 48);
      net.fit(x, y, { epochs: 2, batchSize: 16 });
      expect(loss.seen).toHaveLength(6);
      // the first prediction, recomputed from scratch, is what the loss kept
      kept.push(loss.seen.map((t) => Array.from(t.data)));
    }
    expect(kept[1]).toEqual(kept[0]);
  });

  test("NeuralNet.step's output is the caller's: it keeps its values through later steps", () => {
    for (const backend of BACKENDS) {
      setBackend(backend);
      const rng = new Rng(8);
      const model = mlp(rng);
      const net = new NeuralNet(model, { lr: 0.1, rng });
      const a = data(1, 16), b = data(2, 16);
      const first = net.step(a.x, a.y);
      const copy = Array.from(first.output.data);
      for (let i = 0; i < 5; i++) net.step(b.x, b.y);
      expect(Array.from(first.output.data)).toEqual(copy);
      const wasm = activeWasm();
      if (wasm !== null && wasm.store !== null) expect(wasm.store.arena.holds(first.output.data)).toBe(false);
    }
  });

  test('BatchNorm built inside withTemporaryTensors keeps its running statistics (registered buffers are long-lived)', () => {
    const runs: bigint[][][] = [];
    for (const backend of BACKENDS) {
      setBackend(backend);
      const model = withTemporaryTensors(() => new Sequential(new Linear(2, 8, { rng: new Rng(1) }), new BatchNorm1d(8), new ReLU(), new Linear(8, 2, { rng: new Rng(2) })));
      const net = new NeuralNet(model, { lr: 0.05, rng: new Rng(3) });
      const { x, y } = data(1, 64);
      net.fit(x, y, { epochs: 3, batchSize: 16 });
      runs.push(model.buffers().map((b) => bits(b.value.data)));
    }
    expect(runs[1]).toEqual(runs[0]);
    expect(runs[0].flat().length).toBe(17); // runningMean [8], runningVar [8], numBatchesTracked [1]
  });
});

describe('released tensors cannot be read', () => {
  test("after fit, a layer's saved input is released: reading it throws, on both backends", () => {
    for (const backend of BACKENDS) {
      setBackend(backend);
      const rng = new Rng(9);
      const relu = new ReLU();
      const model = new Sequential(new Linear(2, 4, { rng }), relu, new Linear(4, 2, { rng }));
      const { x, y } = data(1, 32);
      new NeuralNet(model, { lr: 0.1, rng }).fit(x, y, { epochs: 1, batchSize: 16 });
      const saved = (relu as unknown as { input: Tensor }).input;
      expect(saved.readable).toBe(false);
      expectMinidlError(() => saved.data, /Tensor\[16,4\]: this tensor was a temporary of a NeuralNet training step and was released when it ended/);
      expect(String(saved)).toBe('Tensor[16,4] (released)');
      expect(saved.size).toBe(64); // the shape is still known
      // forward again and backward works as before
      const out = model.forward(x);
      model.backward(Tensor.ones(out.shape));
    }
  });

  test('a tensor made inside withTemporaryTensors is released when it returns; a returned Tensor is copied out', () => {
    for (const backend of BACKENDS) {
      setBackend(backend);
      let inside: Tensor | null = null;
      const returned = withTemporaryTensors(() => {
        inside = Tensor.full([2, 3], 4);
        return inside.reshape([3, 2]);
      });
      expect(returned.toArray()).toEqual([[4, 4], [4, 4], [4, 4]]);
      expectMinidlError(() => (inside as unknown as Tensor).data, /temporary of withTemporaryTensors/);
      withTemporaryTensors(() => Tensor.full([100], 7)); // reuses the bytes
      expect(returned.toArray()).toEqual([[4, 4], [4, 4], [4, 4]]);
    }
  });

  test('the PyTorch habit inside withTemporaryTensors is refused loudly, the same on both backends; stateTensor works', () => {
    /** A fresh model and a hand-written step of `optimizer` on it, inside withTemporaryTensors. */
    const setup = (makeOptimizer: (params: Parameter[]) => Optimizer) => {
      const model = mlp(new Rng(10));
      const lossFn = new MSELoss();
      const { x, y } = data(1, 16);
      const optimizer = makeOptimizer(model.params());
      const step = () => withTemporaryTensors(() => {
        optimizer.zeroGrad();
        lossFn.forward(model.forward(x), y);
        model.backward(lossFn.backward());
        optimizer.step();
      });
      return { model, step };
    };
    for (const backend of BACKENDS) {
      setBackend(backend);
      const { step } = setup((params) => new StudentMomentum(params, 0.05));
      step();
      expectMinidlError(step, /was a temporary of withTemporaryTensors and was released/);
    }
    const results: bigint[][][] = [];
    for (const backend of BACKENDS) {
      setBackend(backend);
      const { model, step } = setup((params) => new StateTensorMomentum(params, 0.05));
      for (let i = 0; i < 5; i++) step();
      results.push(model.params().map((p) => bits(p.value.data)));
    }
    expect(results[1]).toEqual(results[0]);
  });

  test('with memory checks on, a kernel refuses the raw array of a released tensor, and released step memory reads NaN', () => {
    for (const backend of BACKENDS) {
      setBackend(backend);
      let raw: Float64Array = new Float64Array(0);
      runStep('a test step', () => {
        raw = Tensor.full([2, 2], 3).data;
      });
      const out = new Float64Array(4);
      expectMinidlError(() => kernels.matmul(raw, new Float64Array([1, 0, 0, 1]), out, 2, 2, 2), /kernels\.matmul: A is the array of a tensor released when a test step ended/);
      expect(Array.from(out)).toEqual([0, 0, 0, 0]);
      if (backend === 'wasm') expect(Array.from(raw).every(Number.isNaN)).toBe(true); // poisoned, not stale
    }
  });
});

describe('kernels cannot corrupt', () => {
  const arrays = () => ({ A: new Float64Array([1, 2, 3, 4, 5, 6]), B: new Float64Array([1, 2, 3, 4, 5, 6]), C: new Float64Array(4) });

  test.each(BACKENDS)('sizes larger than the arrays are refused before anything is written (%s)', (backend) => {
    setBackend(backend);
    const { A, B, C } = arrays();
    const guard = new Float64Array(64).fill(5);
    expectMinidlError(() => kernels.matmul(A, B, C, 2, 1, 3), /kernels\.matmul: C has 4 entries, but C \[M,N\] needs 6/);
    expectMinidlError(() => kernels.matmul(A, B, C, 4, 3, 1), /kernels\.matmul: A has 6 entries, but A \[M,K\] needs 12/);
    expectMinidlError(() => kernels.matmulTransB(A, B, C, 2, 4, 2), /matmulTransB: A has 6 entries/);
    expectMinidlError(() => kernels.matmulTransA(A, B, C, 2, 2.5, 2), /K must be a whole number/);
    expectMinidlError(() => kernels.sumRows(A, C, 2, 5), /kernels\.sumRows: G has 6 entries, but G \[M,N\] needs 10/);
    expectMinidlError(() => kernels.addRowVector(C, A, 1, 8), /kernels\.addRowVector: C has 4 entries/);
    expectMinidlError(() => kernels.addChannelBias(guard, A, 2, 8, 4), /addChannelBias: bias has 6 entries, but bias \[F\] needs 8/);
    expectMinidlError(() => kernels.sumChannels(A, C, 1, 6, 2), /sumChannels: grad has 6 entries, but grad \[N,F,P\] needs 12/);
    const g = { channels: 1, height: 3, width: 3, kernelH: 2, kernelW: 2, strideH: 1, strideW: 1, padH: 0, padW: 0, outH: 2, outW: 2 };
    expectMinidlError(() => kernels.im2col(A, 0, g, guard), /im2col: image has 6 entries, but image \[offset \+ C·H·W\] needs 9/);
    expectMinidlError(() => kernels.im2col(guard, 60, g, guard.slice()), /needs 69/);
    expectMinidlError(() => kernels.im2col(guard, 0, { ...g, outH: 9 }, new Float64Array(64)), /outH × outW is 9×2, but .* gives 2×2/);
    expectMinidlError(() => kernels.col2im(new Float64Array(3), g, guard, 0), /col2im: cols has 3 entries, but cols \[C·kH·kW, OH·OW\] needs 16/);
    expectMinidlError(() => kernels.matmul(A, [1, 2] as unknown as Float64Array, C, 1, 1, 1), /kernels\.matmul: B must be a Float64Array, got a Array/);
    expect(Array.from(C)).toEqual([0, 0, 0, 0]);
    expect(guard.every((v) => v === 5)).toBe(true);
  });

  test.each(BACKENDS)('an output that overlaps an input is refused (%s)', (backend) => {
    setBackend(backend);
    const { A, B } = arrays();
    const shared = new Float64Array(12).fill(1);
    expectMinidlError(() => kernels.matmul(A, B, A, 2, 1, 2), /kernels\.matmul: C shares memory with A; an output may not overlap an input/);
    expectMinidlError(() => kernels.matmul(shared.subarray(0, 4), B, shared.subarray(2, 6), 2, 2, 2), /C shares memory with A/);
    expectMinidlError(() => kernels.matmulTransA(A, shared, shared.subarray(2), 2, 2, 2), /C shares memory with B/);
    expectMinidlError(() => kernels.sumRows(shared, shared.subarray(10), 6, 2), /out shares memory with G/);
    const C = new Float64Array(4);
    expectMinidlError(() => kernels.matmul(A, B, C, 2, 1, 2, false, C.subarray(2)), /C shares memory with bias/);
    kernels.matmul(A, B, C, 2, 1, 2, false, A.subarray(4)); // a bias that is part of an input is fine
    expect(Array.from(C)).toEqual([6, 8, 7, 10]);
    expect(Array.from(A)).toEqual([1, 2, 3, 4, 5, 6]);
    // neighbours that do not overlap are fine
    kernels.matmul(shared.subarray(0, 4), shared.subarray(4, 8), shared.subarray(8, 12), 2, 2, 2);
    expect(Array.from(shared.subarray(8, 12))).toEqual([2, 2, 2, 2]);
    // the Tensor products refuse 'into' an operand
    const t = Tensor.from([[1, 2], [3, 4]]);
    expectMinidlError(() => matmul(t, t, { into: t }), /matmul: 'into' shares memory with an operand/);
    expect(t.toArray()).toEqual([[1, 2], [3, 4]]);
  });
});

describe('the step fast path is only for minidl\'s own code', () => {
  test('a model with a class of yours trains without steps (its tensors stay readable)', () => {
    for (const backend of BACKENDS) {
      setBackend(backend);
      const rng = new Rng(12);
      const center = new CenterByLastBatch();
      const model = mlp(rng, [center]);
      const { x, y } = data(1, 32);
      new NeuralNet(model, { lr: 0.1, rng }).fit(x, y, { epochs: 1, batchSize: 16 });
      const relu = model.children()[2] as unknown as { input: Tensor };
      expect(relu.input.readable).toBe(true); // no step was opened
    }
  });

  test('a subclass of a library layer, or a replaced method, counts as code of yours', () => {
    class MyReLU extends ReLU {}
    setBackend('js');
    const rng = new Rng(13);
    const patched = new ReLU();
    (patched as unknown as { forward: (x: Tensor) => Tensor }).forward = (x: Tensor) => ReLU.prototype.forward.call(patched, x);
    for (const layer of [new MyReLU(), patched]) {
      const inner = new ReLU();
      const model = new Sequential(new Linear(2, 4, { rng }), layer, new Linear(4, 4, { rng }), inner, new Linear(4, 2, { rng }));
      const { x, y } = data(1, 16);
      new NeuralNet(model, { lr: 0.1, rng }).fit(x, y, { epochs: 1, batchSize: 16 });
      expect((inner as unknown as { input: Tensor }).input.readable).toBe(true);
    }
  });

  test('a released tensor is a MinidlError, not a TypeError', () => {
    setBackend('js');
    let t: Tensor | null = null;
    runStep('a test step', () => { t = new Tensor([1]); });
    let caught: unknown = null;
    try {
      (t as unknown as Tensor).toArray();
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MinidlError);
  });
});
