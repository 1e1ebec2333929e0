import { ReLU } from '../lib/modules/activations/relu';
import { Sigmoid } from '../lib/modules/activations/sigmoid';
import { Tanh } from '../lib/modules/activations/tanh';
import { Residual } from '../lib/modules/containers/residual';
import { Sequential } from '../lib/modules/containers/sequential';
import { Linear } from '../lib/modules/linear';
import { Module } from '../lib/modules/module';
import { SGD } from '../lib/optim/sgd';
import { Rng } from '../lib/random/rng';
import { Tensor } from '../lib/tensor/tensor';
import { TrainingMonitor } from '../lib/tools/monitor';
import { isLibraryModel } from '../lib/training/library-code';
import { NeuralNet } from '../lib/training/neural-net';
import { expectMinidlError, randn } from './helpers';

/*
 * The training monitor (lib/tools/monitor.ts): every statistic computed by hand on a tiny model,
 * dead ReLU units, saturated tanh and sigmoid units, gradient norms, the update-to-weight ratio,
 * what counts (training mode only) and what it leaves behind (nothing, once detached).
 */

/** A Linear with the weights W [in, out] and bias b given. */
function linear(weight: number[][], bias: number[]): Linear {
  const layer = new Linear(weight.length, weight[0].length, { rng: new Rng(0) });
  layer.weight.value.data.set(weight.flat());
  (layer.bias as { value: Tensor }).value.data.set(bias);
  return layer;
}

/**
 * x → Linear(2→2) → ReLU → Linear(2→1), with
 *   W1 = [[1, 0], [0, −1]], b1 = 0;   W2 = [[1], [1]], b2 = 0.
 * For x = [[1, 2], [3, 1]]: Linear1 gives [[1, −2], [3, −1]], ReLU [[1, 0], [3, 0]] (its second
 * unit is 0 for both samples: dead), Linear2 [[1], [3]].
 */
function tinyModel(): { model: Sequential; first: Linear; second: Linear } {
  const first = linear([[1, 0], [0, -1]], [0, 0]);
  const second = linear([[1], [1]], [0]);
  return { model: new Sequential(first, new ReLU(), second), first, second };
}

const x = Tensor.from([[1, 2], [3, 1]]);
const g = Tensor.from([[1], [2]]);

/** Mean and population standard deviation of a list, the long way. */
function meanStd(values: number[]): [number, number] {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return [mean, Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length)];
}

describe('TrainingMonitor: the statistics, by hand', () => {
  test('names the layers and parameters by where they sit, as the trainer does', () => {
    const inner = new Sequential(new Linear(2, 2, { rng: new Rng(1) }), new Tanh());
    const monitor = new TrainingMonitor(new Sequential(new Linear(2, 2, { rng: new Rng(1) }), new Residual(inner), new Sigmoid()));
    expect(monitor.history()).toEqual({
      layers: ['Sequential[0] Linear(2→2)', 'Sequential[1] Residual[0] Sequential[0] Linear(2→2)', 'Sequential[1] Residual[0] Sequential[1] Tanh', 'Sequential[2] Sigmoid'],
      params: [
        'Sequential[0] Linear(2→2) weight', 'Sequential[0] Linear(2→2) bias',
        'Sequential[1] Residual[0] Sequential[0] Linear(2→2) weight', 'Sequential[1] Residual[0] Sequential[0] Linear(2→2) bias',
      ],
      epochs: [],
    });
  });

  test('activation mean and std, dead units, gradient norms entering each backward and of each parameter', () => {
    const { model } = tinyModel();
    const monitor = new TrainingMonitor(model);
    model.forward(x);
    model.backward(g);
    const epoch = monitor.endEpoch();
    expect(epoch.epoch).toBe(1);
    const [l1, relu, l2] = epoch.layers;

    expect(l1.name).toBe('Sequential[0] Linear(2→2)');
    expect(l1.kind).toBe('Linear');
    expect(l1.forwardCalls).toBe(1);
    const [m1, s1] = meanStd([1, -2, 3, -1]);
    expect(l1.mean).toBeCloseTo(m1, 14);
    expect(l1.std).toBeCloseTo(s1, 14); //                                 √3.6875
    expect(l1.deadFraction).toBeNull();
    expect(l1.saturatedFraction).toBeNull();

    expect(relu.kind).toBe('ReLU');
    expect(relu.mean).toBeCloseTo(1, 14); //                               [1, 0, 3, 0]
    expect(relu.std).toBeCloseTo(Math.sqrt(1.5), 14);
    expect(relu.deadFraction).toBe(0.5); //                                the second unit is 0 for every sample
    expect(relu.saturatedFraction).toBeNull();

    // gradOutput of Linear2 is g; of ReLU g·W2ᵀ = [[1, 1], [2, 2]]; of Linear1 that, where ReLU's input > 0: [[1, 0], [2, 0]]
    expect(l2.gradOutputNorm).toBeCloseTo(Math.sqrt(5), 14);
    expect(relu.gradOutputNorm).toBeCloseTo(Math.sqrt(10), 14);
    expect(l1.gradOutputNorm).toBeCloseTo(Math.sqrt(5), 14);
    expect(l1.backwardCalls).toBe(1);

    // ∂L/∂W1 = xᵀ·[[1, 0], [2, 0]] = [[7, 0], [4, 0]], ∂L/∂b1 = [3, 0], ∂L/∂W2 = [[1, 0], [3, 0]]ᵀ·g = [[7], [0]], ∂L/∂b2 = [3]
    expect(epoch.params.map((p) => p.name)).toEqual([
      'Sequential[0] Linear(2→2) weight', 'Sequential[0] Linear(2→2) bias', 'Sequential[2] Linear(2→1) weight', 'Sequential[2] Linear(2→1) bias',
    ]);
    const gradNorms = epoch.params.map((p) => p.gradNorm as number);
    [Math.sqrt(65), 3, 7, 3].forEach((expected, i) => expect(gradNorms[i]).toBeCloseTo(expected, 14));
    expect(epoch.params.every((p) => p.backwardCalls === 1)).toBe(true);
    // No optimizer stepped: endEpoch closes the update with Δθ = 0 (the biases, of norm 0, give no ratio)
    expect(epoch.params.map((p) => [p.updates, p.updateRatio])).toEqual([[1, 0], [0, null], [1, 0], [0, null]]);
  });

  test('several calls of an epoch combine: the statistics of all their values together; a unit alive in one call is not dead', () => {
    const { model } = tinyModel();
    const monitor = new TrainingMonitor(model);
    const second = Tensor.from([[0, -1], [2, 0.5], [-1, -1]]); //            Linear1: [[0, 1], [2, −0.5], [−1, 1]]: unit 2 is alive here
    model.forward(x);
    model.forward(second);
    const [l1, relu] = monitor.endEpoch().layers;
    expect(l1.forwardCalls).toBe(2);
    const [m, s] = meanStd([1, -2, 3, -1, 0, 1, 2, -0.5, -1, 1]);
    expect(l1.mean).toBeCloseTo(m, 14);
    expect(l1.std).toBeCloseTo(s, 14);
    const [rm, rs] = meanStd([1, 0, 3, 0, 0, 1, 2, 0, 0, 1]);
    expect(relu.mean).toBeCloseTo(rm, 14);
    expect(relu.std).toBeCloseTo(rs, 14);
    expect(relu.deadFraction).toBe(0);
    expect(l1.gradOutputNorm).toBeNull(); //                                no backward in this epoch
    expect(l1.backwardCalls).toBe(0);

    // The next epoch starts from zero.
    model.forward(x);
    const next = monitor.endEpoch();
    expect(next.epoch).toBe(2);
    expect(next.layers[1].deadFraction).toBe(0.5);
    expect(next.layers[1].forwardCalls).toBe(1);
  });

  test('saturated fractions: |tanh| > 0.99, σ outside [0.01, 0.99]', () => {
    const tanhModel = new Sequential(linear([[1]], [0]), new Tanh());
    const tanhMonitor = new TrainingMonitor(tanhModel);
    tanhModel.forward(Tensor.from([[-5], [0], [0.1], [3]])); //              tanh: −0.99991, 0, 0.0997, 0.99505
    expect(tanhMonitor.endEpoch().layers[1].saturatedFraction).toBe(0.5);

    const sigmoidModel = new Sequential(linear([[1]], [0]), new Sigmoid());
    const sigmoidMonitor = new TrainingMonitor(sigmoidModel);
    sigmoidModel.forward(Tensor.from([[-5], [0], [5], [2], [-4.5]])); //    σ: 0.0067, 0.5, 0.9933, 0.881, 0.0110
    const stats = sigmoidMonitor.endEpoch().layers[1];
    expect(stats.saturatedFraction).toBe(0.4);
    expect(stats.deadFraction).toBeNull();
  });

  test('the update-to-weight ratio ‖Δθ‖/‖θ‖: measured from the end of a backward to the next training forward or endEpoch; a parameter of norm 0 is not counted', () => {
    const { model, first, second } = tinyModel();
    const monitor = new TrainingMonitor(model);
    const optimizer = new SGD(model.params(), { lr: 0.1 });
    const steps = (count: number): number[][] => {
      const ratios: number[][] = [];
      for (let s = 0; s < count; s++) {
        const before = model.params().map((p) => Array.from(p.value.data));
        optimizer.zeroGrad();
        model.forward(x);
        model.backward(g);
        optimizer.step();
        ratios.push(model.params().map((p, i) => {
          const change = Math.hypot(...Array.from(p.value.data).map((v, k) => v - before[i][k]));
          const size = Math.hypot(...before[i]);
          return change / size; //                                            Infinity or NaN for a bias that was 0
        }));
      }
      return ratios;
    };
    const byHand = steps(3);
    const epoch = monitor.endEpoch();
    // W1 = [[1, 0], [0, −1]] and its first update −0.1·[[7, 0], [4, 0]]: ratio 0.1·√65/√2
    expect(byHand[0][0]).toBeCloseTo((0.1 * Math.sqrt(65)) / Math.sqrt(2), 14);
    const weight = epoch.params[0];
    expect(weight.updates).toBe(3); //                                        two closed by the next forward, the last by endEpoch
    expect(weight.updateRatio).toBeCloseTo((byHand[0][0] + byHand[1][0]  + byHand[2][0]) / 3, 14);
    expect(epoch.params[2].updateRatio).toBeCloseTo((byHand[0][2] + byHand[1][2] + byHand[2][2]) / 3, 14);
    // The biases start at 0: their first update has no ratio, the later ones do.
    expect(epoch.params[1].updates).toBe(2);
    expect(epoch.params[1].updateRatio).toBeCloseTo((byHand[1][1] + byHand[2][1]) / 2, 14);
    expect(first.bias).not.toBeNull();
    expect(second.weight.value.data[0]).not.toBe(1);
  });

  test('only calls in training mode count: an evaluation neither adds statistics nor closes an update', () => {
    const { model } = tinyModel();
    const monitor = new TrainingMonitor(model);
    model.forward(x);
    model.backward(g);
    model.params().forEach((p) => p.value.data.fill(2));
    model.eval();
    model.forward(Tensor.from([[100, 100]]));
    model.train();
    const epoch = monitor.endEpoch();
    expect(epoch.layers[0].forwardCalls).toBe(1);
    expect(epoch.layers[0].mean).toBeCloseTo(0.25, 14);
    expect(epoch.params[0].updates).toBe(1); //                              closed by endEpoch, not by the evaluation
    expect(epoch.params[0].updateRatio).toBeCloseTo(Math.hypot(1, 2, 2, 3) / Math.SQRT2, 14); // W1 → all 2s

    model.eval();
    model.forward(x);
    const empty = monitor.endEpoch().layers[0];
    expect(empty).toEqual({
      name: 'Sequential[0] Linear(2→2)', kind: 'Linear', forwardCalls: 0, mean: null, std: null, deadFraction: null,
      saturatedFraction: null, backwardCalls: 0, gradOutputNorm: null,
    });
  });
});

describe('TrainingMonitor with NeuralNet', () => {
  function train(): { monitor: TrainingMonitor; model: Module } {
    const rng = new Rng(5);
    const model = new Sequential(new Linear(2, 6, { rng }), new ReLU(), new Linear(6, 6, { rng }), new Tanh(), new Linear(6, 2, { rng }));
    const monitor = new TrainingMonitor(model);
    const net = new NeuralNet(model, { lr: 0.1, rng });
    const xs = randn(new Rng(6), [20, 2]);
    const ys = randn(new Rng(7), [20, 2]);
    net.fit(xs, ys, { epochs: 3, batchSize: 8, validation: { inputs: xs, targets: ys }, onEpoch: () => { monitor.endEpoch(); } });
    return { monitor, model };
  }

  test("an epoch's statistics are over its training batches only (not fit's check or the validation set); history() is plain JSON data", () => {
    const { monitor } = train();
    const history = monitor.history();
    expect(history.epochs).toHaveLength(3);
    for (const epoch of history.epochs) {
      for (const layer of epoch.layers) {
        expect(layer.forwardCalls).toBe(3); //                               batches of 8, 8, 4
        expect(layer.backwardCalls).toBe(3);
        expect(layer.std).toBeGreaterThan(0);
      }
      for (const p of epoch.params) {
        expect(p.backwardCalls).toBe(3);
        expect(p.updates).toBe(3);
        expect(p.updateRatio).toBeGreaterThan(0);
      }
      expect(epoch.layers[1].deadFraction).not.toBeNull();
      expect(epoch.layers[3].saturatedFraction).not.toBeNull();
    }
    expect(JSON.parse(JSON.stringify(history))).toEqual(history);
    // Two identical runs give identical histories.
    expect(JSON.stringify(train().monitor.history())).toBe(JSON.stringify(history));
  });

  test('detach() removes every hook (the model is back on the fast path); history() stays; a copy cannot change it', () => {
    const { monitor, model } = train();
    expect(isLibraryModel(model)).toBe(false);
    monitor.detach();
    monitor.detach();
    expect(isLibraryModel(model)).toBe(true);
    const history = monitor.history();
    history.epochs[0].layers[0].mean = 12345;
    expect(monitor.history().epochs[0].layers[0].mean).not.toBe(12345);
    model.forward(Tensor.from([[1, 2]]));
    expect(monitor.endEpoch().layers[0].forwardCalls).toBe(0);
  });
});

describe('TrainingMonitor: refusals', () => {
  test('a model that is not a Module, and arguments the methods do not take', () => {
    expectMinidlError(() => new TrainingMonitor(3 as never), /^TrainingMonitor: model must be a Module, got number 3$/);
    const Monitor = TrainingMonitor as unknown as new (...args: unknown[]) => TrainingMonitor;
    expectMinidlError(() => new Monitor(new ReLU(), {}), /^TrainingMonitor: takes at most 1 argument \(model\), got 2/);
    const monitor = new TrainingMonitor(new ReLU());
    expectMinidlError(() => (monitor.endEpoch as (...args: unknown[]) => unknown)(1), /^TrainingMonitor\.endEpoch: takes no arguments, got 1/);
    expectMinidlError(() => (monitor.history as (...args: unknown[]) => unknown)('all'), /^TrainingMonitor\.history: takes no arguments, got 1/);
  });
});
