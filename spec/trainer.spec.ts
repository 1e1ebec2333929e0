import {
  Adam, BCEWithLogitsLoss, BatchNorm1d, CrossEntropyLoss, Linear, MSELoss, MinidlError, Module, NeuralNet, Optimizer, Parameter,
  ReLU, Rng, SGD, Sequential, Tanh, Tensor, TrainingHistory, generateDisk, labelColumn, labelsFromTargets, manualSeed, oneHot,
  standardize, clipGradNorm, clipGradValue, takeRows, LSTM,
} from '../lib';
import { bits, expectMinidlError, randn } from './helpers';

// ---------------------------------------------------------------------------------------------
// Small modules written for these tests
// ---------------------------------------------------------------------------------------------

/**
 * y = X·w with w [cols, 1]: a linear layer without bias, written by hand. It records the first
 * column of every input it sees in training mode (the sample's id in the tests), and the mode of
 * every call.
 */
class Spy extends Module {
  readonly w: Parameter;
  readonly seen: number[][] = [];
  readonly modes: boolean[] = [];
  private input: Tensor | null = null;

  constructor(cols: number, init = 0) {
    super();
    this.w = new Parameter(Tensor.full([cols, 1], init), 'w');
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    const [n, c] = input.shape;
    const rows: number[] = [];
    const out = new Tensor([n, 1]);
    for (let i = 0; i < n; i++) {
      rows.push(input.data[i * c]);
      let s = 0;
      for (let j = 0; j < c; j++) s += input.data[i * c + j] * this.w.value.data[j];
      out.data[i] = s;
    }
    if (this.training) this.seen.push(rows); // fit's sanity check (one sample, evaluation mode) is not a batch
    this.modes.push(this.training);
    this.input = input;
    return this.rememberOutput(out);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const x = this.input as Tensor;
    const [n, c] = x.shape;
    const gradIn = new Tensor(x.shape);
    for (let i = 0; i < n; i++) {
      const g = gradOut.data[i];
      for (let j = 0; j < c; j++) {
        this.w.grad.data[j] += x.data[i * c + j] * g;
        gradIn.data[i * c + j] = this.w.value.data[j] * g;
      }
    }
    return gradIn;
  }

  override params(): Parameter[] {
    return [this.w];
  }

  toString(): string {
    return `Spy(${this.w.value.size}→1)`;
  }
}

/** Returns its input unchanged; holds one unused parameter so that an optimizer can be built. */
class PassThrough extends Module {
  readonly unused = new Parameter(Tensor.zeros([1]), 'unused');
  readonly modes: boolean[] = [];

  forward(input: Tensor): Tensor {
    this.modes.push(this.training);
    return this.rememberOutput(input.clone());
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    return gradOut.clone();
  }

  override params(): Parameter[] {
    return [this.unused];
  }

  toString(): string {
    return 'PassThrough';
  }
}

/**
 * y = √a · x with a learnable a [1,1]. At a = 0 the loss is finite but ∂y/∂a = x / (2√a) is
 * infinite: a natural way to get a non-finite gradient.
 */
class SqrtGain extends Module {
  readonly a = new Parameter(Tensor.zeros([1, 1]), 'gain');
  private input: Tensor | null = null;

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    this.input = input;
    const out = new Tensor(input.shape);
    const s = Math.sqrt(this.a.value.data[0]);
    for (let i = 0; i < out.size; i++) out.data[i] = s * input.data[i];
    return this.rememberOutput(out);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const x = (this.input as Tensor).data;
    const s = Math.sqrt(this.a.value.data[0]);
    const gradIn = new Tensor(gradOut.shape);
    let dA = 0;
    for (let i = 0; i < gradOut.size; i++) {
      dA += (gradOut.data[i] * x[i]) / (2 * s);
      gradIn.data[i] = gradOut.data[i] * s;
    }
    this.a.grad.data[0] += dA;
    return gradIn;
  }

  override params(): Parameter[] {
    return [this.a];
  }

  toString(): string {
    return 'SqrtGain';
  }
}

/** An SGD that keeps a copy of every parameter after each step (the first entry: before any). */
class RecordingSGD extends SGD {
  readonly snapshots: number[][][];

  constructor(params: Parameter[], lr: number) {
    super(params, { lr });
    this.snapshots = [this.copy()];
  }

  override step(): void {
    super.step();
    this.snapshots.push(this.copy());
  }

  private copy(): number[][] {
    return this.params.map((p) => Array.from(p.value.data));
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------


function mlp(sizes: number[], rng: Rng): Sequential {
  const model = new Sequential();
  for (let i = 0; i + 1 < sizes.length; i++) {
    if (i > 0) model.append(new ReLU());
    model.append(new Linear(sizes[i], sizes[i + 1], { rng }));
  }
  return model;
}

const paramValues = (m: Module): number[][] => m.params().map((p) => Array.from(p.value.data));
const column = (values: number[]): Tensor => Tensor.fromArray(values, [values.length, 1]);

/** The history without its timings, which are the only part allowed to vary between runs. */
function withoutTime(h: TrainingHistory): Omit<TrainingHistory, 'seconds'> {
  return { loss: h.loss, trainError: h.trainError, validationLoss: h.validationLoss, validationError: h.validationError };
}

/** The course's disk problem, standardized, with a 2-25-25-2 ReLU network. */
function diskSetup(seed: number, nTrain: number, nTest: number) {
  const dataRng = new Rng(seed);
  const train = generateDisk(nTrain, dataRng);
  const test = generateDisk(nTest, dataRng);
  const { train: x, test: tx } = standardize(train.inputs, test.inputs);
  const model = mlp([2, 25, 25, 2], new Rng(seed + 100));
  return { x, tx: tx as Tensor, train, test, model };
}

// ---------------------------------------------------------------------------------------------
// Reproducibility and learning
// ---------------------------------------------------------------------------------------------

describe('reproducibility', () => {
  function run(dataSeed: number, shuffleSeed: number) {
    const { x, tx, train, test, model } = diskSetup(dataSeed, 200, 100);
    const net = new NeuralNet(model, { lr: 0.1, rng: new Rng(shuffleSeed) });
    const history = net.fit(x, oneHot(train.labels, 2), {
      epochs: 4, batchSize: 16, validation: { inputs: tx, targets: oneHot(test.labels, 2) },
    });
    return { history: withoutTime(history), params: paramValues(model) };
  }

  test('the same seeds give bit-identical histories and parameters', () => {
    const a = run(11, 12);
    const b = run(11, 12);
    expect(b.history).toEqual(a.history);
    expect(b.params).toEqual(a.params);
    expect(a.history.loss.length).toBe(4);
  });

  test('another data/init seed or another shuffling seed gives different results', () => {
    const a = run(11, 12);
    const otherData = run(13, 12);
    const otherShuffle = run(11, 99);
    expect(otherData.params[0]).not.toEqual(a.params[0]);
    expect(otherShuffle.params[0]).not.toEqual(a.params[0]);
    expect(otherShuffle.history.loss).not.toEqual(a.history.loss);
  });
});

describe('learning the disk', () => {
  test('2-25-25-2 ReLU, MSE, SGD lr 0.1, batch 50, 60 epochs: test error < 10%', () => {
    const { x, tx, train, test, model } = diskSetup(2, 500, 500);
    const net = new NeuralNet(model, { loss: new MSELoss(), lr: 0.1, rng: new Rng(202) });
    const history = net.fit(x, oneHot(train.labels, 2), { epochs: 60, batchSize: 50 });
    const result = net.evaluate(tx, oneHot(test.labels, 2));
    expect(result.count).toBe(500);
    expect(result.errorRate).toBeLessThan(0.1);
    // It learned: the loss fell well below its first value and the training error went down too.
    expect(history.loss[59]).toBeLessThan(0.5 * history.loss[0]);
    expect(history.trainError[59]).toBeLessThan(history.trainError[0]);
  });

  test('class indices as targets with CrossEntropyLoss: 30 epochs reach test error < 10%', () => {
    const { x, tx, train, test, model } = diskSetup(4, 500, 500);
    const net = new NeuralNet(model, { loss: new CrossEntropyLoss(), lr: 0.1, rng: new Rng(404) });
    const history = net.fit(x, train.labels, { epochs: 30, batchSize: 50 });
    expect(net.evaluate(tx, test.labels).errorRate).toBeLessThan(0.1);
    expect(history.loss[29]).toBeLessThan(0.5 * history.loss[0]);
  });

  test('class indices as Int32Array, number[] or one-hot rows train the same way', () => {
    const run = (make: (labels: Int32Array) => Int32Array | number[] | Tensor) => {
      const { x, train, model } = diskSetup(5, 100, 10);
      const net = new NeuralNet(model, { loss: new CrossEntropyLoss(), lr: 0.1, rng: new Rng(505) });
      return { history: withoutTime(net.fit(x, make(train.labels), { epochs: 3, batchSize: 32 })), params: paramValues(model) };
    };
    const fromInt32 = run((labels) => labels);
    const fromArray = run((labels) => Array.from(labels));
    const fromOneHot = run((labels) => oneHot(labels, 2));
    expect(fromArray).toEqual(fromInt32);
    fromOneHot.history.loss.forEach((l, i) => expect(l).toBeCloseTo(fromInt32.history.loss[i], 12));
    expect(fromOneHot.history.trainError).toEqual(fromInt32.history.trainError);
    fromOneHot.params.flat().forEach((v, i) => expect(v).toBeCloseTo(fromInt32.params.flat()[i], 12));
  });
});

// ---------------------------------------------------------------------------------------------
// Mini-batches
// ---------------------------------------------------------------------------------------------

describe('mini-batches', () => {
  const ids = Array.from({ length: 10 }, (_, i) => i);
  const x = column(ids);
  const y = column(ids.map(() => 0));

  test('shuffle false: batches 4, 4, 2 in order, every epoch', () => {
    const spy = new Spy(1);
    const net = new NeuralNet(spy, { lr: 0, rng: new Rng(1) });
    net.fit(x, y, { epochs: 2, batchSize: 4, shuffle: false });
    expect(spy.seen).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9], [0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
  });

  test('shuffle true: each epoch visits every sample exactly once, in the order the rng draws', () => {
    const spy = new Spy(1);
    const net = new NeuralNet(spy, { lr: 0, rng: new Rng(5) });
    net.fit(x, y, { epochs: 3, batchSize: 4 });
    expect(spy.seen.map((b) => b.length)).toEqual([4, 4, 2, 4, 4, 2, 4, 4, 2]);
    const expectedOrder = new Rng(5);
    const orders: number[][] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      const order = spy.seen.slice(3 * epoch, 3 * epoch + 3).flat();
      expect([...order].sort((a, b) => a - b)).toEqual(ids);
      expect(order).toEqual(Array.from(expectedOrder.permutation(10)));
      orders.push(order);
    }
    expect(orders[0]).not.toEqual(ids);
    expect(orders[1]).not.toEqual(orders[0]);
  });

  test('a batch larger than the data set is one batch of everything', () => {
    const spy = new Spy(1);
    new NeuralNet(spy, { lr: 0 }).fit(x, y, { epochs: 1, batchSize: 100, shuffle: false });
    expect(spy.seen).toEqual([ids]);
  });
});

// ---------------------------------------------------------------------------------------------
// History
// ---------------------------------------------------------------------------------------------

describe('history', () => {
  test('loss is the sample-weighted mean of the batch losses, trainError uses outputs before each step', () => {
    // x = 1, 2, 3 with targets 1, 0, 2; model y = w·x with w₀ = 0.4; batches {1, 2} and {3}.
    const xs = [1, 2, 3], ts = [1, 0, 2], lr = 0.1;
    const spy = new Spy(1, 0.4);
    const net = new NeuralNet(spy, { lr, rng: new Rng(0) });
    // a target of 2 names no class (a regression's): the classes are given as labels
    const labels = ts.map((t) => (t > 0.5 ? 1 : 0));
    const history = net.fit(column(xs), column(ts), { epochs: 2, batchSize: 2, shuffle: false, labels });

    // The same by hand: MSE over a batch, its gradient 2/n·Σ (w·x − t)·x, then w ← w − lr·grad.
    let w = 0.4;
    const losses: number[] = [], errors: number[] = [];
    for (let epoch = 0; epoch < 2; epoch++) {
      let total = 0, wrong = 0;
      for (const batch of [[0, 1], [2]]) {
        let loss = 0, grad = 0;
        for (const i of batch) {
          const out = w * xs[i];
          loss += (out - ts[i]) ** 2 / batch.length;
          grad += (2 / batch.length) * (out - ts[i]) * xs[i];
          if ((out > 0.5 ? 1 : 0) !== labels[i]) wrong++;
        }
        total += loss * batch.length;
        w -= lr * grad;
      }
      losses.push(total / xs.length);
      errors.push(wrong / xs.length);
    }
    // Epoch 1 written out: batch losses 0.5 and 1.21, weighted (2·0.5 + 1·1.21)/3, not (0.5 + 1.21)/2.
    expect(losses[0]).toBeCloseTo(2.21 / 3, 14);
    expect(errors[0]).toBeCloseTo(2 / 3, 15);
    expect(history.loss[0]).toBeCloseTo(losses[0], 14);
    expect(history.loss[1]).toBeCloseTo(losses[1], 14);
    expect(history.trainError).toEqual(errors);
    expect(spy.w.value.data[0]).toBeCloseTo(w, 14);
  });

  test('with reduction "sum" the epoch loss is the sum of the batch losses', () => {
    const spy = new Spy(1, 0.4);
    const net = new NeuralNet(spy, { lr: 0, loss: new MSELoss({ reduction: 'sum' }) });
    const history = net.fit(column([1, 2, 3]), column([1, 0, 2]), { epochs: 1, batchSize: 2, shuffle: false });
    expect(history.loss[0]).toBeCloseTo(0.6 ** 2 + 0.8 ** 2 + 0.8 ** 2, 14);
  });

  test('trainError counts predictions made before the step, not after', () => {
    // One sample x = 1, target 1, w = 0.4: output 0.4 → class 0 (wrong). The step w ← 0.4 − 0.5·2·(0.4 − 1)
    // makes w = 1, so after training the sample is classified right.
    const spy = new Spy(1, 0.4);
    const net = new NeuralNet(spy, { lr: 0.5 });
    const history = net.fit(column([1]), column([1]), { epochs: 1, batchSize: 1 });
    expect(history.trainError).toEqual([1]);
    expect(spy.w.value.data[0]).toBeCloseTo(1, 15);
    expect(net.evaluate(column([1]), column([1])).errorRate).toBe(0);
  });

  test('lengths equal the number of epochs; validation entries exist only with a validation set', () => {
    const { x, tx, train, test, model } = diskSetup(3, 60, 30);
    const net = new NeuralNet(model, { lr: 0.1, rng: new Rng(3) });
    const reports: Array<{ epoch: number; validationLoss: number | null; validationError: number | null }> = [];
    const plain = net.fit(x, oneHot(train.labels, 2), { epochs: 3, batchSize: 20, onEpoch: (r) => { reports.push(r); } });
    expect(plain.loss).toHaveLength(3);
    expect(plain.trainError).toHaveLength(3);
    expect(plain.validationLoss).toEqual([]);
    expect(plain.validationError).toEqual([]);
    expect(reports.map((r) => [r.epoch, r.validationLoss, r.validationError])).toEqual([[1, null, null], [2, null, null], [3, null, null]]);
    expect(plain.seconds).toBeGreaterThanOrEqual(0);

    const valTargets = oneHot(test.labels, 2);
    const seen: number[][] = [];
    const withVal = net.fit(x, oneHot(train.labels, 2), {
      epochs: 4, batchSize: 20, validation: { inputs: tx, targets: valTargets },
      onEpoch: (r) => {
        // The report's validation numbers are the model's evaluation after the epoch.
        const e = net.evaluate(tx, valTargets);
        seen.push([r.validationLoss as number, e.loss, r.validationError as number, e.errorRate]);
      },
    });
    expect(withVal.validationLoss).toHaveLength(4);
    expect(withVal.validationError).toHaveLength(4);
    seen.forEach(([reported, evaluated, reportedError, evaluatedError], i) => {
      expect(reported).toBe(evaluated);
      expect(reportedError).toBe(evaluatedError);
      expect(withVal.validationLoss[i]).toBe(reported);
    });
    // Training went on between the epochs, so the validation loss changes.
    expect(new Set(withVal.validationLoss).size).toBeGreaterThan(1);
  });

  test('validation labels, when given, decide the validation error', () => {
    const pass = new PassThrough();
    const net = new NeuralNet(pass, { lr: 0 });
    const x = column([0.9, 0.1, 0.8, 0.2]);
    const history = net.fit(x, column([1, 0, 1, 0]), {
      epochs: 1, validation: { inputs: x, targets: column([1, 0, 1, 0]), labels: [0, 0, 1, 1] },
    });
    expect(history.trainError).toEqual([0]);
    expect(history.validationError).toEqual([0.5]);
  });

  test('onEpoch returning false stops training after that epoch', () => {
    const spy = new Spy(1, 0.4);
    const net = new NeuralNet(spy, { lr: 0.01 });
    const epochs: number[] = [];
    const history = net.fit(column([1, 2, 3]), column([1, 0, 2]), {
      epochs: 10, batchSize: 3, onEpoch: (r) => { epochs.push(r.epoch); return r.epoch < 3; },
    });
    expect(epochs).toEqual([1, 2, 3]);
    expect(history.loss).toHaveLength(3);
    expect(history.trainError).toHaveLength(3);
    expect(spy.seen).toHaveLength(3);
  });
});

// ---------------------------------------------------------------------------------------------
// NaN and Infinity
// ---------------------------------------------------------------------------------------------

describe('non-finite losses and gradients', () => {
  test('an absurd learning rate stops with an error naming the epoch and batch; parameters stay finite', () => {
    const { x, train, model } = diskSetup(1, 100, 10);
    const optimizer = new RecordingSGD(model.params(), 1e6);
    const net = new NeuralNet(model, { optimizer, rng: new Rng(1) });
    const batchSize = 25, perEpoch = 4;
    const err = expectMinidlError(() => net.fit(x, oneHot(train.labels, 2), { epochs: 20, batchSize }),
      /NeuralNet/, /training diverged/, /(NaN|Infinity)/, /back to their values before this step/, /try a smaller learning rate/);
    // successful steps: a step whose update overflowed also recorded its (rolled back) values
    const done = optimizer.snapshots.filter((values) => values.flat().every(Number.isFinite)).length - 1;
    expect(done).toBeGreaterThanOrEqual(1);
    const epoch = Math.floor(done / perEpoch) + 1, batch = (done % perEpoch) + 1;
    expect(err.message).toContain(`epoch ${epoch}, batch ${batch}`);
    // The parameters are exactly those after the last successful step, and finite.
    expect(paramValues(model)).toEqual(optimizer.snapshots[done]);
    expect(model.params().every((p) => p.value.isFinite())).toBe(true);
  });

  test('the same through NeuralNet\'s own lr option (lr 1e6 on MSE)', () => {
    const { x, train, model } = diskSetup(1, 100, 10);
    const net = new NeuralNet(model, { lr: 1e6, loss: new MSELoss(), rng: new Rng(1) });
    // One batch per epoch, so the parameters after each epoch are those before the next step.
    const afterEpoch: number[][][] = [paramValues(model)];
    const err = expectMinidlError(
      () => net.fit(x, oneHot(train.labels, 2), { epochs: 50, batchSize: 100, onEpoch: () => { afterEpoch.push(paramValues(model)); } }),
      /the loss is (NaN|Infinity|-Infinity)/);
    const failing = afterEpoch.length; // epochs 1..failing-1 completed
    expect(err.message).toContain(`epoch ${failing}, batch 1`);
    expect(paramValues(model)).toEqual(afterEpoch[failing - 1]);
    expect(model.params().every((p) => p.value.isFinite())).toBe(true);
  });

  test('a non-finite gradient with a finite loss also stops training before the step', () => {
    const model = new SqrtGain();
    const net = new NeuralNet(model, { lr: 0.1 });
    const x = column([1, 2, 3]);
    expect(new MSELoss().forward(model.forward(x), column([1, 1, 1]))).toBe(1); // finite loss
    expectMinidlError(() => net.fit(x, column([1, 1, 1]), { epochs: 1, batchSize: 3 }),
      /gradient of Parameter gain \[1,1\] is -Infinity/, /epoch 1, batch 1/);
    expect(model.a.value.data[0]).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

describe('errors', () => {
  const x = Tensor.from([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6], [0.7, 0.8], [0.9, 1.0]]);
  const y = oneHot([0, 1, 0, 1, 1], 2);
  const makeNet = () => new NeuralNet(mlp([2, 3, 2], new Rng(1)), { lr: 0.1 });

  test('inputs or targets holding NaN', () => {
    const bad = x.clone();
    bad.data[5] = NaN;
    expectMinidlError(() => makeNet().fit(bad, y), /^NeuralNet\.fit: inputs hold a non-finite value \(NaN\) in row 2/);
    const badY = y.clone();
    badY.data[9] = Infinity;
    expectMinidlError(() => makeNet().fit(x, badY), /^NeuralNet\.fit: targets hold a non-finite value \(Infinity\) in row 4/);
    expectMinidlError(() => makeNet().evaluate(bad, y), /^NeuralNet\.evaluate: inputs hold a non-finite value/);
  });

  test('targets with a different number of rows', () => {
    expectMinidlError(() => makeNet().fit(x, oneHot([0, 1, 0, 1], 2)), /inputs have 5 rows/, /targets have 4/, /\[4,2\]/);
    expectMinidlError(() => makeNet().fit(x, [0, 1, 0]), /targets have 3/);
    expectMinidlError(() => makeNet().fit(x, y, { validation: { inputs: x, targets: [0, 1] } }),
      /NeuralNet\.fit \(validation set\)/, /targets have 2/);
  });

  test('inputs or targets of the wrong kind', () => {
    expectMinidlError(() => makeNet().fit([[1, 2]] as unknown as Tensor, y), /inputs must be a Tensor, got an array/);
    expectMinidlError(() => makeNet().predict('x' as unknown as Tensor), /^NeuralNet\.predict: inputs must be a Tensor, got string 'x'/);
    expectMinidlError(() => makeNet().fit(x, 'abc' as unknown as number[]), /targets must be a Tensor or an array of class indices/);
    expectMinidlError(() => makeNet().fit(x, y, { labels: [0, 1] }), /labels has 2 entries but inputs have 5 rows/);
  });

  test.each([['epochs', 0], ['epochs', -3], ['batchSize', 0], ['batchSize', -1]])('fit refuses %s = %p', (name, value) => {
    expectMinidlError(() => makeNet().fit(x, y, { [name]: value }),
      new RegExp(`^NeuralNet\\.fit: ${name} must be an integer ≥ 1, got ${String(value)}$`));
  });

  test.each([['epochs', 1.5], ['epochs', NaN], ['batchSize', 2.5]])('fit refuses %s = %p (not a whole number)', (name, value) => {
    expectMinidlError(() => makeNet().fit(x, y, { [name]: value }),
      new RegExp(`^NeuralNet\\.fit: option '${name}' must be a whole number, got number ${String(value)}$`));
  });

  test('predict and evaluate refuse a bad batchSize', () => {
    expectMinidlError(() => makeNet().predict(x, { batchSize: 0 }), /^NeuralNet\.predict: batchSize must be an integer ≥ 1, got 0/);
    expectMinidlError(() => makeNet().evaluate(x, y, { batchSize: 1.5 }), /option 'batchSize' must be a whole number, got number 1\.5/);
  });

  test('the model must be a Module, loss a Loss, optimizer an Optimizer', () => {
    expectMinidlError(() => new NeuralNet({} as unknown as Module), /^NeuralNet: model must be a Module, got an? Object/);
    expectMinidlError(() => new NeuralNet(new Linear(2, 2, { rng: new Rng(0) }), { loss: new Linear(2, 2) as unknown as MSELoss }),
      /option 'loss' must be a Loss/, /Linear/);
    expectMinidlError(() => new NeuralNet(new Linear(2, 2, { rng: new Rng(0) }), { optimizer: {} as unknown as SGD }),
      /option 'optimizer' must be an Optimizer/);
    expectMinidlError(() => new NeuralNet(new Linear(2, 2, { rng: new Rng(0) }), { lr: -1 }), /lr must be a finite number ≥ 0, got -1/);
  });

  test('lr or weightDecay together with a custom optimizer', () => {
    const model = mlp([2, 3, 2], new Rng(1));
    const optimizer = new SGD(model.params(), { lr: 0.1 });
    expectMinidlError(() => new NeuralNet(model, { optimizer, lr: 0.5 }), /^NeuralNet: lr and weightDecay/, /your own optimizer/);
    expectMinidlError(() => new NeuralNet(model, { optimizer, weightDecay: 0.5 }), /^NeuralNet: lr and weightDecay/);
    expect(new NeuralNet(model, { optimizer }).optimizer).toBe(optimizer);
  });

  test('a model that cannot take the inputs is found before the first step, naming the Sequential index', () => {
    const rng = new Rng(2);
    const model = new Sequential(new Linear(2, 3, { rng }), new Tanh(), new Linear(4, 2, { rng }));
    const net = new NeuralNet(model, { lr: 0.1 });
    const err = expectMinidlError(() => net.fit(x, y, { epochs: 1, batchSize: 2, shuffle: false }),
      /^NeuralNet\.fit: the model cannot take these inputs \(shape \[5,2\]\): Sequential\[2\] Linear\(4→2\)\.forward: input has shape \[1,3\], expected \[N,4\]/);
    expect((err as { cause?: unknown }).cause).toBeInstanceOf(MinidlError);
  });

  test('targets that do not fit the loss are found before the first step', () => {
    expectMinidlError(() => makeNet().fit(x, oneHot([0, 1, 0, 1, 2], 3), { batchSize: 5 }),
      /^NeuralNet\.fit: the targets \(shape \[5,3\]\) do not suit MSELoss and the model's output \(shape \[5,2\]\): MSELoss\.forward: target has shape \[5,3\] but pred has shape \[5,2\]/);
  });
});

// ---------------------------------------------------------------------------------------------
// evaluate, predict, classify, labels
// ---------------------------------------------------------------------------------------------

describe('evaluate, predict and classify', () => {
  const rng = new Rng(21);
  const x = new Tensor([13, 2], rng.fillNormal(new Float64Array(26)));
  const labels = Int32Array.from({ length: 13 }, () => rng.int(3));
  const y = oneHot(labels, 3);

  test('evaluate (in batches) agrees with a manual computation', () => {
    const model = mlp([2, 5, 3], new Rng(22));
    const net = new NeuralNet(model);
    const out = model.forward(x);
    const loss = new MSELoss().forward(out, y);
    let correct = 0;
    for (let i = 0; i < 13; i++) {
      const row = Array.from(out.data.subarray(3 * i, 3 * i + 3));
      if (row.indexOf(Math.max(...row)) === labels[i]) correct++;
    }
    for (const batchSize of [1, 4, 13, 1000]) {
      const e = net.evaluate(x, y, { batchSize });
      expect(e.count).toBe(13);
      expect(e.loss).toBeCloseTo(loss, 13);
      expect(e.accuracy).toBe(correct / 13);
      expect(e.errorRate).toBe((13 - correct) / 13);
    }
    // Explicit labels override the ones read from the targets.
    const flipped = Int32Array.from(net.classify(x), (c) => (c + 1) % 3);
    expect(net.evaluate(x, y, { labels: flipped }).accuracy).toBe(0);
    expect(net.evaluate(x, y, { labels: net.classify(x) }).accuracy).toBe(1);
  });

  test('evaluate with a "sum" loss sums over all samples', () => {
    const model = mlp([2, 5, 3], new Rng(22));
    const net = new NeuralNet(model, { loss: new MSELoss({ reduction: 'sum' }) });
    const total = new MSELoss({ reduction: 'sum' }).forward(model.forward(x), y);
    expect(net.evaluate(x, y, { batchSize: 5 }).loss).toBeCloseTo(total, 12);
  });

  test('predict in batches gives the same outputs as one forward', () => {
    const model = mlp([2, 5, 3], new Rng(23));
    const net = new NeuralNet(model);
    const whole = Array.from(model.forward(x).data);
    for (const batchSize of [1, 3, 5, 13, 50]) {
      const p = net.predict(x, { batchSize });
      expect(p.shape).toEqual([13, 3]);
      expect(Array.from(p.data)).toEqual(whole);
    }
  });

  test('predict and evaluate run in evaluation mode and restore the previous mode', () => {
    const spy = new Spy(2, 0.5);
    const net = new NeuralNet(spy);
    const target = column(new Array(13).fill(0));
    for (const startTraining of [true, false]) {
      spy.train(startTraining);
      spy.modes.length = 0;
      net.predict(x, { batchSize: 5 });
      net.evaluate(x, target, { batchSize: 5 });
      net.classify(x);
      expect(spy.modes.length).toBe(3 + (1 + 3) + 1); // evaluate's sanity check: one sample
      expect(spy.modes.every((m) => m === false)).toBe(true);
      expect(spy.training).toBe(startTraining);
    }
  });

  test('the mode is restored even when predict throws', () => {
    const model = mlp([3, 2], new Rng(1));
    const net = new NeuralNet(model);
    model.train();
    expectMinidlError(() => net.predict(x), /Linear\(3→2\)\.forward: input has shape \[13,2\]/);
    expect(model.training).toBe(true);
  });

  test('fit trains in training mode and validates in evaluation mode', () => {
    const spy = new Spy(1, 0.1);
    spy.eval();
    const net = new NeuralNet(spy, { lr: 0 });
    const x1 = column([1, 2, 3, 4]);
    net.fit(x1, column([0, 1, 0, 1]), { epochs: 1, batchSize: 2, validation: { inputs: x1, targets: column([0, 1, 0, 1]) } });
    // fit's sanity checks (one sample of each set, evaluation mode), two batches, the validation
    expect(spy.modes).toEqual([false, false, true, true, false]);
  });

  test('classify: argmax for several outputs; a single output at 0.5, or at 0 with BCEWithLogitsLoss', () => {
    const single = column([0.4, 0.6, 0.5, -0.1, 0.0, 0.51]);
    expect(Array.from(new NeuralNet(new PassThrough()).classify(single))).toEqual([0, 1, 0, 0, 0, 1]);
    expect(Array.from(new NeuralNet(new PassThrough(), { loss: new BCEWithLogitsLoss() }).classify(single)))
      .toEqual([1, 1, 1, 0, 0, 1]);
    const multi = Tensor.from([[0.1, 0.7, 0.2], [0.5, 0.5, 0], [-3, -2, -1], [2, 3, 1]]);
    expect(Array.from(new NeuralNet(new PassThrough()).classify(multi))).toEqual([1, 0, 2, 1]);
    // With several outputs, BCEWithLogitsLoss does not change the rule.
    expect(Array.from(new NeuralNet(new PassThrough(), { loss: new BCEWithLogitsLoss() }).classify(multi))).toEqual([1, 0, 2, 1]);
    // Inputs holding NaN have no meaningful class: refused.
    expectMinidlError(() => new NeuralNet(new PassThrough()).classify(Tensor.from([[2, NaN, 1]])), /^NeuralNet\.predict: inputs hold a non-finite value \(NaN\) in row 0/);
  });

  test('labels from targets: one-hot → argmax, [N,1] column → > 0.5, class indices as given', () => {
    expect(Array.from(labelsFromTargets(oneHot([2, 0, 1], 3)))).toEqual([2, 0, 1]);
    expect(Array.from(labelsFromTargets(column([0.2, 0.5, 0.51, 1])))).toEqual([0, 0, 1, 1]);
    expect(Array.from(labelsFromTargets(Tensor.from([3, 0, 2])))).toEqual([3, 0, 2]);
    expect(Array.from(labelsFromTargets(labelColumn([1, 0, 1])))).toEqual([1, 0, 1]);
  });

  test('evaluate reads the labels from the targets in each of these forms', () => {
    const net = new NeuralNet(new PassThrough());
    // Outputs classify as 1, 0, 1, 1 (single column, threshold 0.5).
    const out = column([0.9, 0.1, 0.7, 0.6]);
    expect(net.evaluate(out, column([1, 0, 0, 1])).accuracy).toBe(0.75);
    expect(net.evaluate(out, column([1, 0, 0, 1]), { labels: [1, 0, 1, 1] }).accuracy).toBe(1);
    const net3 = new NeuralNet(new PassThrough(), { loss: new CrossEntropyLoss() });
    const logits = Tensor.from([[3, 1, 0], [0, 2, 1], [0, 0, 5], [1, 0, 0]]); // argmax 0, 1, 2, 0
    expect(net3.evaluate(logits, [0, 1, 2, 2]).accuracy).toBe(0.75);
    expect(net3.evaluate(logits, Int32Array.from([0, 0, 2, 0])).accuracy).toBe(0.75);
    expect(net3.evaluate(logits, oneHot([1, 1, 2, 0], 3)).accuracy).toBe(0.75);
  });
});

// ---------------------------------------------------------------------------------------------
// A failing step is undone; the global generator is looked up when it is used
// ---------------------------------------------------------------------------------------------

/** A layer of your own that throws on its `failAt`-th forward in training mode. */
class Fragile extends Module {
  private calls = 0;
  constructor(private readonly failAt: number) {
    super();
  }

  forward(input: Tensor): Tensor {
    if (this.training && ++this.calls === this.failAt) throw new Error('Fragile: a fault of the layer');
    return this.rememberOutput(input.clone());
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    return gradOut.clone();
  }

  toString(): string {
    return 'Fragile';
  }
}

describe('a failing step is undone', () => {
  test('a layer failing in the 5th step: parameters, buffers and optimizer state are those after the 4th, to the bit', () => {
    const build = (failAt: number) => {
      const rng = new Rng(31);
      const model = new Sequential(new Linear(2, 6, { rng }), new BatchNorm1d(6), new Fragile(failAt), new ReLU(), new Linear(6, 2, { rng }));
      const optimizer = new Adam(model.params(), { lr: 0.05 });
      return { model, optimizer, net: new NeuralNet(model, { optimizer, rng: new Rng(32) }) };
    };
    const { x, train } = diskSetup(3, 40, 4);
    const y = oneHot(train.labels, 2);
    const reference = build(1000);
    reference.net.fit(x, y, { epochs: 1, batchSize: 10 }); // 4 steps
    const failing = build(5);
    expectMinidlError(() => failing.net.fit(x, y, { epochs: 2, batchSize: 10 }),
      /^NeuralNet \(epoch 2, batch 1\): Sequential\[2\] Fragile\.forward: Fragile: a fault of the layer; the parameters, buffers and optimizer state are back to their values before this step$/);
    const state = (o: Optimizer) => [...o.state.values()].map((s) => Object.entries(s).map(([k, v]) => `${k}=${v instanceof Tensor ? Array.from(v.data).join(',') : v}`).join(';'));
    expect(paramValues(failing.model)).toEqual(paramValues(reference.model));
    expect(failing.model.buffers().map((b) => Array.from(b.value.data))).toEqual(reference.model.buffers().map((b) => Array.from(b.value.data)));
    expect(state(failing.optimizer)).toEqual(state(reference.optimizer));
  });

  test('a step that fails at a parameter\'s first step leaves no optimizer state behind', () => {
    const rng = new Rng(33);
    const model = new Sequential(new Linear(2, 3, { rng }), new Fragile(1), new Linear(3, 2, { rng }));
    const optimizer = new Adam(model.params(), { lr: 0.05 });
    const net = new NeuralNet(model, { optimizer, rng });
    const { x, train } = diskSetup(3, 10, 2);
    const before = paramValues(model);
    expectMinidlError(() => net.fit(x, oneHot(train.labels, 2), { batchSize: 5 }), /epoch 1, batch 1/);
    expect(optimizer.state.size).toBe(0);
    expect(paramValues(model)).toEqual(before);
  });
});

describe('the global generator is looked up when it is used', () => {
  test('manualSeed after new NeuralNet(…) decides the shuffling', () => {
    const run = (seed: number) => {
      const { x, train, model } = diskSetup(4, 60, 4);
      const net = new NeuralNet(model, { lr: 0.1 }); // no rng: the global one
      manualSeed(seed);
      net.fit(x, oneHot(train.labels, 2), { epochs: 2, batchSize: 10 });
      return paramValues(model);
    };
    const one = run(1);
    expect(run(2)).not.toEqual(one);
    expect(run(1)).toEqual(one);
  });
});

describe('fit with gradient clipping', () => {
  function course(seed: number) {
    const rng = new Rng(seed);
    const data = generateDisk(60, rng);
    const model = new Sequential(new Linear(2, 8, { rng }), new Tanh(), new Linear(8, 2, { rng }));
    const loss = new MSELoss();
    const optimizer = new SGD(model.params(), { lr: 2, momentum: 0.9 });
    const net = new NeuralNet(model, { loss, optimizer, rng });
    return { model, loss, optimizer, net, x: data.inputs, y: oneHot(data.labels, 2) };
  }
  const bitsOf = (model: Module) => model.params().map((p) => Array.from(p.value.data).join()).join(';');

  test.each([
    ['clipGradNorm', { clipGradNorm: 0.5 }, (params: readonly Parameter[]) => clipGradNorm(params, 0.5)],
    ['clipGradValue', { clipGradValue: 0.01 }, (params: readonly Parameter[]) => clipGradValue(params, 0.01)],
  ] as const)('%s: the bits of the loop written out (zeroGrad, forward, loss, backward, clip, step)', (_name, option, clip) => {
    const a = course(11);
    a.net.fit(a.x, a.y, { epochs: 3, batchSize: 20, shuffle: false, ...option });
    const b = course(11);
    for (let epoch = 0; epoch < 3; epoch++) {
      for (let start = 0; start < 60; start += 20) {
        const rows = Int32Array.from({ length: 20 }, (_, i) => start + i);
        b.optimizer.zeroGrad();
        b.loss.forward(b.model.forward(takeRows(b.x, rows)), takeRows(b.y, rows));
        b.model.backward(b.loss.backward());
        clip(b.optimizer.params);
        b.optimizer.step();
      }
    }
    expect(bitsOf(a.model)).toBe(bitsOf(b.model));
    const unclipped = course(11);
    unclipped.net.fit(unclipped.x, unclipped.y, { epochs: 3, batchSize: 20, shuffle: false });
    expect(bitsOf(unclipped.model)).not.toBe(bitsOf(a.model)); // the clipping acted
    // and it was fit's option only: a later step does not clip
    const c = course(11);
    c.net.fit(c.x, c.y, { epochs: 1, batchSize: 60, shuffle: false, ...option });
    const d = course(11);
    d.net.fit(d.x, d.y, { epochs: 1, batchSize: 60, shuffle: false, ...option });
    c.net.step(c.x, c.y);
    d.optimizer.zeroGrad();
    d.loss.forward(d.model.forward(d.x), d.y);
    d.model.backward(d.loss.backward());
    d.optimizer.step();
    expect(bitsOf(c.model)).toBe(bitsOf(d.model));
  });

  test('refused before the first step, nothing changed: not a number > 0, or both', () => {
    const a = course(12);
    const before = bitsOf(a.model);
    expectMinidlError(() => a.net.fit(a.x, a.y, { clipGradNorm: 0 }), /^NeuralNet\.fit: clipGradNorm must be .*got 0/);
    expectMinidlError(() => a.net.fit(a.x, a.y, { clipGradValue: -1 }), /^NeuralNet\.fit: clipGradValue must be .*got -1/);
    expectMinidlError(() => a.net.fit(a.x, a.y, { clipGradNorm: '1' as never }), /option 'clipGradNorm' must be a number, got string '1'/);
    expectMinidlError(() => a.net.fit(a.x, a.y, { clipGradNorm: 1, clipGradValue: 1 }), /^NeuralNet\.fit: give clipGradNorm or clipGradValue, not both/);
    expect(bitsOf(a.model)).toBe(before);
  });
});

describe("fit: onBatch, early stopping, and the loss's decision rule", () => {
  function disk(seed: number, lr = 0.1) {
    const rng = new Rng(seed);
    const train = generateDisk(100, rng), valid = generateDisk(100, rng);
    const model = new Sequential(new Linear(2, 8, { rng }), new ReLU(), new Linear(8, 2, { rng }));
    const net = new NeuralNet(model, { loss: new CrossEntropyLoss(), lr, rng });
    return { model, net, x: train.inputs, y: train.labels, validation: { inputs: valid.inputs, targets: valid.labels } };
  }
  const bitsOf = (model: Module) => model.params().map((p) => Array.from(p.value.data).join()).join(';');

  test('onBatch sees every batch (epoch, batch, loss before the update, lr) and can stop training', () => {
    const a = disk(1);
    const seen: string[] = [];
    const losses: number[] = [];
    a.net.fit(a.x, a.y, { epochs: 2, batchSize: 40, onBatch: (r) => { seen.push(`${r.epoch}.${r.batch}@${r.lr}`); losses.push(r.loss); } });
    expect(seen).toEqual(['1.1@0.1', '1.2@0.1', '1.3@0.1', '2.1@0.1', '2.2@0.1', '2.3@0.1']);
    expect(losses.every((v) => Number.isFinite(v) && v > 0)).toBe(true);
    const b = disk(1);
    let calls = 0;
    const history = b.net.fit(b.x, b.y, { epochs: 5, batchSize: 40, onBatch: (r) => { calls++; return !(r.epoch === 2 && r.batch === 1); } });
    expect(calls).toBe(4);
    expect(history.loss.length).toBe(1); // the epoch stopped in is not reported
  });

  test("early stopping follows Keras' rule, reports the best epoch and can put it back", () => {
    // A learning rate far too large: the validation loss soon stops improving.
    const monitored: number[] = [];
    const a = disk(2, 5);
    const history = a.net.fit(a.x, a.y, {
      epochs: 40, batchSize: 20, validation: a.validation, earlyStopping: { patience: 2 },
      onEpoch: (r) => { monitored.push(r.validationLoss as number); },
    });
    // the same rule computed here: stop once 2 epochs in a row failed to beat the best
    let best = Infinity, bestEpoch = 0, wait = 0, stopAt = monitored.length;
    for (let e = 1; e <= monitored.length; e++) {
      if (monitored[e - 1] < best) { best = monitored[e - 1]; bestEpoch = e; wait = 0; } else if (++wait >= 2) { stopAt = e; break; }
    }
    expect(history.stoppedEarly).toBe(true);
    expect(history.loss.length).toBe(stopAt);
    expect(history.bestEpoch).toBe(bestEpoch);
    // restoreBest puts back the parameters of the best epoch: those of a run stopped there
    const b = disk(2, 5);
    b.net.fit(b.x, b.y, { epochs: 40, batchSize: 20, validation: b.validation, earlyStopping: { patience: 2, restoreBest: true } });
    const c = disk(2, 5);
    c.net.fit(c.x, c.y, { epochs: bestEpoch, batchSize: 20, validation: c.validation });
    expect(bitsOf(b.model)).toBe(bitsOf(c.model));
  });

  test('early stopping is refused without a validation set or with bad settings, before anything changes', () => {
    const a = disk(3);
    const before = bitsOf(a.model);
    expectMinidlError(() => a.net.fit(a.x, a.y, { earlyStopping: {} }), /^NeuralNet\.fit: earlyStopping watches the validation set; give one with \{ validation: \{ inputs, targets \} \}/);
    expectMinidlError(() => a.net.fit(a.x, a.y, { validation: a.validation, earlyStopping: { patience: -1 } }), /earlyStopping\.patience must be an integer ≥ 0, got -1/);
    expectMinidlError(() => a.net.fit(a.x, a.y, { validation: a.validation, earlyStopping: { monitor: 'accuracy' as never } }), /option 'monitor' must be one of 'validationLoss', 'validationError', got string 'accuracy'/);
    expectMinidlError(() => a.net.fit(a.x, a.y, { validation: a.validation, earlyStopping: { min_delta: 0.1 } as never }), /unknown option 'min_delta' \(did you mean 'minDelta'\?\)/);
    expectMinidlError(() => a.net.fit(a.x, a.y, { onBatch: 'log' as never }), /option 'onBatch' must be a function, got string 'log'/);
    expect(bitsOf(a.model)).toBe(before);
  });

  test("error rates follow the loss's decision rule: Loss.classify, which a loss of one's own may override", () => {
    const scores = Tensor.from([[0.2], [0.7], [-0.3], [0.6]]);
    expect(Array.from(new MSELoss().classify(scores))).toEqual([0, 1, 0, 1]);           // probabilities: above 0.5
    expect(Array.from(new BCEWithLogitsLoss().classify(scores))).toEqual([1, 1, 0, 1]); // logits: above 0
    expect(Array.from(new CrossEntropyLoss().classify(Tensor.from([[1, 3, 2], [5, 5, 0]])))).toEqual([1, 0]); // argmax, first on a tie
    class Inverted extends MSELoss {
      override classify(output: Tensor): Int32Array { return Int32Array.from(super.classify(output), (c) => 1 - c); }
    }
    const rng = new Rng(4);
    const data = generateDisk(50, rng);
    const model = new Sequential(new Linear(2, 1, { rng }));
    const plain = new NeuralNet(model, { loss: new MSELoss(), lr: 0 });
    const inverted = new NeuralNet(model, { loss: new Inverted(), lr: 0 });
    const y = labelColumn(data.labels);
    expect(inverted.evaluate(data.inputs, y).errorRate).toBeCloseTo(1 - plain.evaluate(data.inputs, y).errorRate, 15);
  });
});

describe('means of several batches combine into the mean of the whole set', () => {
  test('CrossEntropyLoss with class weights and ignored targets: evaluate in batches gives the one-batch loss', () => {
    const rng = new Rng(8);
    const x = new Tensor([12, 3], rng.fillNormal(new Float64Array(36), 0, 1));
    const labels = [0, 2, 1, 2, 2, 0, 1, 1, 2, 0, 2, 1];
    const model = new Sequential(new Linear(3, 3, { rng }));
    const loss = new CrossEntropyLoss({ weight: [0.2, 1, 3] });
    const net = new NeuralNet(model, { loss, lr: 0 });
    const whole = net.evaluate(x, labels, { batchSize: 12 }).loss;
    const inBatches = net.evaluate(x, labels, { batchSize: 5 }).loss;
    expect(inBatches).toBeCloseTo(whole, 14);
    // the batch means weighted by rows would not give it: the weights of the counted targets differ per batch
    const batchMeans = [0, 5, 10].map((start) => {
      const rows = Int32Array.from({ length: Math.min(5, 12 - start) }, (_, i) => start + i);
      return { mean: new CrossEntropyLoss({ weight: [0.2, 1, 3] }).forward(model.forward(takeRows(x, rows)), Array.from(rows, (r) => labels[r])), rows: rows.length };
    });
    const byRows = batchMeans.reduce((s, b) => s + b.mean * b.rows, 0) / 12;
    expect(Math.abs(byRows - whole)).toBeGreaterThan(1e-6);
  });

  test('an output with several predictions per sample ([N,C,T]) trains on its loss with no error rate; labels for it are refused', () => {
    class PerPosition extends Module {
      forward(input: Tensor): Tensor { return this.rememberOutput(new Tensor([input.shape[0], 2, 3])); }
      backward(gradOut: Tensor): Tensor { this.checkGradOut(gradOut); return new Tensor([gradOut.shape[0], 2]); }
      toString(): string { return 'PerPosition'; }
    }
    const net = new NeuralNet(new Sequential(new Linear(2, 2), new PerPosition()), { loss: new CrossEntropyLoss(), lr: 0.1 });
    const targets = new Tensor([4, 3]);
    expectMinidlError(() => net.fit(new Tensor([4, 2]), targets, { labels: [0, 1, 0, 1] }),
      /^NeuralNet\.fit: labels were given, but the model's output \(shape \[4,2,3\]\) holds several predictions per sample, so there is no class per sample .*CrossEntropyLoss.*classify: an error rate needs one prediction per sample.*leave labels out/);
    const history = net.fit(new Tensor([4, 2]), targets, { epochs: 2, batchSize: 2 });
    expect(history.loss).toEqual([Math.log(2), Math.log(2)]); //    uniform logits over 2 classes
    expect(history.trainError).toEqual([NaN, NaN]);
  });
});

describe("fit's checkpoints need one generator", () => {
  /** Adds noise drawn from the Rng it keeps in a field: a module of one's own that draws. */
  class Noisy extends Module {
    constructor(readonly noise: Rng) { super(); }
    forward(input: Tensor): Tensor {
      const out = input.clone();
      if (this.training) for (let i = 0; i < out.size; i++) out.data[i] += 0.01 * this.noise.normal();
      return this.rememberOutput(out);
    }
    backward(gradOut: Tensor): Tensor { this.checkGradOut(gradOut); return gradOut.clone(); }
    toString(): string { return 'Noisy'; }
  }

  test('a module of your own keeping another Rng in a field is refused before the first step; the net\'s own Rng is taken', () => {
    const rng = new Rng(3);
    const x = Tensor.ones([8, 3]), y = Tensor.zeros([8, 1]);
    const checkpoint = { every: 1, save: () => {} };
    const other = new Sequential(new Linear(3, 1, { rng }), new Noisy(new Rng(4)));
    const refused = new NeuralNet(other, { optimizer: new SGD(other.params(), { lr: 0.1 }), rng });
    const before = paramValues(other);
    expectMinidlError(() => refused.fit(x, y, { epochs: 1, batchSize: 4, checkpoint }),
      /^NeuralNet\.fit: checkpoint: Noisy draws from another generator than the one fit shuffles with \(the net's rng\)/);
    expect(paramValues(other)).toEqual(before);
    const same = new Sequential(new Linear(3, 1, { rng }), new Noisy(rng));
    const saves: number[] = [];
    new NeuralNet(same, { optimizer: new SGD(same.params(), { lr: 0.1 }), rng })
      .fit(x, y, { epochs: 2, batchSize: 4, checkpoint: { every: 1, save: (state) => { saves.push(state.epoch); } } });
    expect(saves).toEqual([1, 2]);
  });
});

describe('a regression loss on an output [N, T, F]: fit trains on the loss, with no error rate', () => {
  /** An LSTM over sequences [N, T, 3] (batchFirst) predicting 4 features at every step, and its data. */
  function setup(): { model: () => LSTM; x: Tensor; y: Tensor; vx: Tensor; vy: Tensor } {
    const rng = new Rng(31);
    return {
      model: () => new LSTM(3, 4, { batchFirst: true, rng: new Rng(32) }),
      x: randn(rng, [6, 5, 3]), y: randn(rng, [6, 5, 4]), vx: randn(rng, [4, 7, 3]), vy: randn(rng, [4, 7, 4]),
    };
  }

  test('MSELoss with targets of the output\'s shape: the steps of a loop written by hand, to the bit; error rates NaN', () => {
    const { model, x, y, vx, vy } = setup();
    const lstm = model();
    const net = new NeuralNet(lstm, { loss: new MSELoss(), lr: 0.1 });
    const history = net.fit(x, y, { epochs: 3, batchSize: 6, shuffle: false, validation: { inputs: vx, targets: vy } });

    const twin = model(), loss = new MSELoss(), sgd = new SGD(twin.params(), { lr: 0.1 });
    const losses: number[] = [];
    for (let epoch = 0; epoch < 3; epoch++) {
      sgd.zeroGrad();
      losses.push(loss.forward(twin.forward(x), y));
      twin.backward(loss.backward());
      sgd.step();
    }
    expect(lstm.params().map((p) => bits(p.value.data))).toEqual(twin.params().map((p) => bits(p.value.data)));
    expect(history.loss).toEqual(losses.map((l) => (l * 6) / 6)); //      the epoch's mean: Σ rows·mean / Σ rows, one batch of 6
    expect(history.loss[2]).toBeLessThan(history.loss[0]);
    expect(history.trainError).toEqual([NaN, NaN, NaN]);
    expect(history.validationError).toEqual([NaN, NaN, NaN]);
    const evaluation = net.evaluate(vx, vy);
    expect(evaluation.loss).toBe(history.validationLoss[2]); //        validation sequences of another length (T = 7)
    expect(evaluation.loss).toBe(new MSELoss().forward(twin.eval().forward(vx), vy));
    expect([evaluation.accuracy, evaluation.errorRate, evaluation.count]).toEqual([NaN, NaN, 4]);
  });

  test('what needs an error rate is refused before the first step, nothing changed; early stopping on the validation loss runs', () => {
    const { model, x, y, vx, vy } = setup();
    const lstm = model();
    const net = new NeuralNet(lstm, { loss: new MSELoss(), lr: 0.1 });
    const before = lstm.params().map((p) => bits(p.value.data));
    expectMinidlError(() => net.fit(x, y, { labels: [0, 1, 0, 1, 0, 1] }),
      /^NeuralNet\.fit: labels were given, but the model's output \(shape \[6,5,4\]\) holds several predictions per sample/);
    expectMinidlError(() => net.fit(x, y, { validation: { inputs: vx, targets: vy, labels: [0, 1, 0, 1] } }),
      /^NeuralNet\.fit \(validation set\): labels were given/);
    expectMinidlError(() => net.fit(x, y, { validation: { inputs: vx, targets: vy }, earlyStopping: { monitor: 'validationError' } }),
      /^NeuralNet\.fit: earlyStopping monitors 'validationError', but this run has no error rate \(the model's output holds several predictions per sample, .*monitor 'validationLoss'/);
    expectMinidlError(() => net.evaluate(vx, vy, { labels: [0, 1, 0, 1] }), /^NeuralNet\.evaluate: labels were given/);
    expectMinidlError(() => net.fit(x, randn(new Rng(1), [6, 5, 3])), /^NeuralNet\.fit: the targets \(shape \[6,5,3\]\) do not suit MSELoss/);
    expect(lstm.params().map((p) => bits(p.value.data))).toEqual(before);
    const history = net.fit(x, y, { epochs: 4, batchSize: 3, validation: { inputs: vx, targets: vy }, earlyStopping: { patience: 10 } });
    expect(history.loss).toHaveLength(4);
    expect(history.bestEpoch).toBeGreaterThanOrEqual(1);
  });
});

describe('targets that name no class give no error rate (never an argmax of a regression)', () => {
  const rng = new Rng(5);
  const x = randn(rng, [12, 3]);
  const train = (targets: Tensor, options: { labels?: number[] } = {}): number[] => {
    const model = new Linear(3, targets.rank === 1 ? 4 : targets.cols, { rng: new Rng(1) });
    const loss = targets.rank === 1 ? new CrossEntropyLoss() : new MSELoss();
    return new NeuralNet(model, { loss, lr: 0.01, rng: new Rng(2) }).fit(x, targets, { epochs: 2, batchSize: 4, ...options }).trainError;
  };
  const rows = (values: number[][]): Tensor => Tensor.from(Array.from({ length: 12 }, (_, i) => values[i % values.length]));

  test('regression targets, multi-hot rows, a column outside [0, 1]: NaN; with labels: counted', () => {
    expect(train(randn(new Rng(3), [12, 3]))).toEqual([NaN, NaN]);
    expect(train(randn(new Rng(3), [12, 2]))).toEqual([NaN, NaN]); //  two columns: each row has a larger entry, but no two levels
    expect(train(rows([[1, 1, 0], [0, 1, 1]]))).toEqual([NaN, NaN]); //      multi-label: no one class per row
    expect(train(rows([[2], [0.5]]))).toEqual([NaN, NaN]);
    const counted = train(randn(new Rng(3), [12, 3]), { labels: Array.from({ length: 12 }, (_, i) => i % 3) });
    expect(counted.every((e) => e >= 0 && e <= 1)).toBe(true);
    const model = new Linear(3, 2, { rng: new Rng(1) });
    expectMinidlError(() => new NeuralNet(model, { loss: new MSELoss(), lr: 0.01 }).fit(x, randn(new Rng(3), [12, 2]), {
      epochs: 1, validation: { inputs: x, targets: randn(new Rng(4), [12, 2]) }, earlyStopping: { monitor: 'validationError', patience: 1 },
    }), /this run has no error rate .*the targets name no classes/);
    expect(new NeuralNet(model, { loss: new MSELoss(), lr: 0.01 }).evaluate(x, randn(new Rng(3), [12, 2])).errorRate).toBeNaN();
  });

  test('class indices, one-hot rows at any two levels, probability rows, a 0/1 or [0, 1] column: counted', () => {
    const finite = (errors: number[]): boolean => errors.every((e) => Number.isFinite(e) && e >= 0 && e <= 1);
    expect(finite(train(Tensor.fromArray(Array.from({ length: 12 }, (_, i) => i % 4), [12])))).toBe(true);
    expect(finite(train(rows([[1, 0, 0], [0, 0, 1]])))).toBe(true);
    expect(finite(train(rows([[-1, 1, -1], [1, -1, -1]])))).toBe(true);
    expect(finite(train(rows([[0.05, 0.9, 0.05], [0.9, 0.05, 0.05]])))).toBe(true); // label smoothing
    expect(finite(train(rows([[0.2, 0.5, 0.3], [0.6, 0.4, 0]])))).toBe(true); //      probabilities
    expect(finite(train(rows([[1], [0]])))).toBe(true);
    expect(finite(train(rows([[0.7], [0.2]])))).toBe(true);
  });
});
