import {
  Adam, BCEWithLogitsLoss, Conv2d, Flatten, Linear, Loss, MSELoss, Module, NeuralNet, Optimizer, ReLU, Rng, SGD, Sequential, Tensor,
  labelColumn,
} from '../../lib';

/** The report's sizes: 1000 training and 1000 test samples. */
export const TRAIN_SIZE = 1000;
export const TEST_SIZE = 1000;
/** Each sample is a 3-channel 4×4 image. */
export const IMAGE_SHAPE: readonly [number, number, number] = [3, 4, 4];
/** A sample is labelled 1 when ‖x − 0.5‖₂ < RADIUS, over its 48 entries. */
export const RADIUS = 2;

/** Samples [n, 3, 4, 4] and their 0/1 labels. */
export interface ImageData {
  inputs: Tensor;
  labels: Int32Array;
}

/**
 * The course's small convolutional task: n images of 3 × 4 × 4 entries drawn uniformly in
 * [0, 1), labelled 1 when ‖x − 0.5‖₂ < 2 over all 48 entries. Each entry contributes
 * (x − 0.5)², whose mean is 1/12, so ‖x − 0.5‖² is 4 on average: the threshold 2² sits at the
 * mean and the classes are nearly balanced (about 50.7 % of samples are positive).
 */
export function generateConvDisk(n: number, rng: Rng): ImageData {
  const inputs = new Tensor([n, ...IMAGE_SHAPE]);
  const labels = new Int32Array(n);
  const size = inputs.size / n;
  for (let i = 0; i < n; i++) {
    let squaredNorm = 0;
    for (let k = i * size; k < (i + 1) * size; k++) {
      const v = rng.uniform();
      inputs.data[k] = v;
      squaredNorm += (v - 0.5) ** 2;
    }
    labels[i] = squaredNorm < RADIUS * RADIUS ? 1 : 0;
  }
  return { inputs, labels };
}

/**
 * The report's network: Conv2d(3→5, 3×3, padding 1), ReLU, Conv2d(5→1, 3×3, padding 1), ReLU,
 * Flatten, Linear(16→10), ReLU, Linear(10→1). Weight shapes (5,3,3,3), (1,5,3,3), then
 * [16,10] and [10,1] (minidl's Linear stores [in, out]).
 */
export function convDiskNetwork(rng: Rng): Module {
  return new Sequential(
    new Conv2d(3, 5, 3, { padding: 1, rng }), new ReLU(),
    new Conv2d(5, 1, 3, { padding: 1, rng }), new ReLU(),
    new Flatten(),
    new Linear(16, 10, { rng }), new ReLU(),
    new Linear(10, 1, { rng }),
  );
}

/** One way of training the network, as `--config` names it. */
export interface ConvDiskConfig {
  name: string;
  /** One line for tables. */
  description: string;
  loss(): Loss;
  optimizer(model: Module): Optimizer;
  /** Subtract 0.5 from every entry (the centre of the uniform distribution) before training. */
  centre: boolean;
  /**
   * Each epoch, flip the sign of every centred entry with probability 1/2 (x − 0.5 → 0.5 − x).
   * The label depends on the entries only through (x − 0.5)², so it does not change: the
   * network sees new samples of the same task, and cannot fit the training set by heart.
   */
  reflect: boolean;
  batchSize: number;
}

/** Every configuration `--config` accepts, in the order `--config all` runs them. */
export const CONV_DISK_CONFIGS: readonly ConvDiskConfig[] = [
  {
    name: 'course',
    description: 'as the report: MSE on the 0/1 label, SGD lr 3e-3, weight decay 0.05, raw inputs',
    loss: () => new MSELoss(),
    optimizer: (model) => new SGD(model.params(), { lr: 3e-3, weightDecay: 0.05 }),
    centre: false,
    reflect: false,
    batchSize: 64,
  },
  {
    name: 'adam',
    description: 'BCEWithLogits, Adam lr 3e-3, inputs centred (x − 0.5)',
    loss: () => new BCEWithLogitsLoss(),
    optimizer: (model) => new Adam(model.params(), { lr: 3e-3 }),
    centre: true,
    reflect: false,
    batchSize: 64,
  },
  {
    name: 'adam-reflect',
    description: 'BCEWithLogits, Adam lr 3e-3, inputs centred, each entry reflected about 0.5 at random every epoch',
    loss: () => new BCEWithLogitsLoss(),
    optimizer: (model) => new Adam(model.params(), { lr: 3e-3 }),
    centre: true,
    reflect: true,
    batchSize: 64,
  },
];

export function findConvDiskConfig(name: string): ConvDiskConfig | undefined {
  return CONV_DISK_CONFIGS.find((c) => c.name === name);
}

/** What one round (fresh data, fresh initial weights) produced. */
export interface ConvDiskRound {
  round: number;
  seed: string;
  trainAccuracy: number;
  testAccuracy: number;
  /** Fraction of positive labels in the training and test sets. */
  trainPositive: number;
  testPositive: number;
  /** Loss over the training set at the end of training. */
  finalLoss: number;
  /** Per epoch: the epoch's training loss and its accuracy on the batches it trained on, and the test accuracy after it (when tracked). */
  curves: { loss: number[]; trainAccuracy: number[]; testAccuracy: number[] };
  /** Seconds spent training, without the per-epoch test evaluation. */
  trainSeconds: number;
  /** How many initial networks were drawn again because they were dead (see `outputIsConstant`). */
  redrawn: number;
  /** Descriptions of the model, loss and optimizer. */
  model: string;
  loss: string;
  optimizer: string;
}

/** The seed of round r (1-based) of a run started with `seed`. */
export function convDiskRoundSeed(seed: string, round: number): string {
  return `conv-disk-${seed}-round-${round}`;
}

/**
 * One round: draws the training and test sets, builds a fresh network (again while it is dead
 * at the start, see `outputIsConstant`), trains it for `epochs` epochs with the NeuralNet
 * trainer, and measures the accuracy on both sets (also after every epoch on the test set, for
 * the curves, unless `trackTestAccuracy` is false). Everything random (data, initial weights,
 * shuffling, reflections) is drawn from one Rng seeded by `seed`.
 */
export function runConvDiskRound(
  config: ConvDiskConfig, seed: string, round: number, epochs: number, trackTestAccuracy = true,
): ConvDiskRound {
  const rng = new Rng(seed);
  const train = generateConvDisk(TRAIN_SIZE, rng);
  const test = generateConvDisk(TEST_SIZE, rng);
  const xTrain = config.centre ? centred(train.inputs) : train.inputs;
  const xTest = config.centre ? centred(test.inputs) : test.inputs;
  const yTrain = labelColumn(train.labels);
  const yTest = labelColumn(test.labels);

  let model = convDiskNetwork(rng);
  let redrawn = 0;
  while (outputIsConstant(model, xTrain)) {
    if (++redrawn > 100) throw new Error(`conv-disk: 100 initialisations in a row give a constant output (seed ${seed})`);
    model = convDiskNetwork(rng);
  }
  const net = new NeuralNet(model, { loss: config.loss(), optimizer: config.optimizer(model), rng });
  const curves: ConvDiskRound['curves'] = { loss: [], trainAccuracy: [], testAccuracy: [] };
  let trainSeconds = 0;
  const reflected = new Tensor(xTrain.shape);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const start = performance.now();
    const inputs = config.reflect ? reflectEntries(xTrain, rng, reflected) : xTrain;
    const history = net.fit(inputs, yTrain, { epochs: 1, batchSize: config.batchSize, labels: train.labels });
    trainSeconds += (performance.now() - start) / 1000;
    curves.loss.push(history.loss[0]);
    curves.trainAccuracy.push(1 - history.trainError[0]);
    if (trackTestAccuracy) curves.testAccuracy.push(net.evaluate(xTest, yTest, { labels: test.labels }).accuracy);
  }
  const trainEval = net.evaluate(xTrain, yTrain, { labels: train.labels });
  const testEval = net.evaluate(xTest, yTest, { labels: test.labels });
  return {
    round,
    seed,
    trainAccuracy: trainEval.accuracy,
    testAccuracy: testEval.accuracy,
    trainPositive: fractionPositive(train.labels),
    testPositive: fractionPositive(test.labels),
    finalLoss: trainEval.loss,
    curves,
    trainSeconds,
    redrawn,
    model: model.toString(),
    loss: net.loss.toString(),
    optimizer: net.optimizer.toString(),
  };
}

/**
 * True when the network gives the same output for every input: then the ReLU after the
 * one-channel Conv2d(5→1) is 0 on every position of every sample (its initial weights make it
 * negative everywhere), no gradient reaches the convolutions, and training can only fit a
 * constant. About one initialisation in forty of this network starts that way (24 of 1000
 * draws here, 26 of 1000 with PyTorch's default init, on centred inputs); such a network is
 * drawn again, and the round says so.
 */
export function outputIsConstant(model: Module, inputs: Tensor): boolean {
  const output = model.forward(inputs).data;
  for (let i = 1; i < output.length; i++) if (output[i] !== output[0]) return false;
  return true;
}

/** x − 0.5 for every entry (a new tensor). */
function centred(x: Tensor): Tensor {
  const out = new Tensor(x.shape);
  for (let i = 0; i < x.size; i++) out.data[i] = x.data[i] - 0.5;
  return out;
}

/** Writes into `out` the centred inputs with each entry's sign flipped with probability 1/2. */
function reflectEntries(x: Tensor, rng: Rng, out: Tensor): Tensor {
  for (let i = 0; i < x.size; i++) out.data[i] = rng.uniform() < 0.5 ? -x.data[i] : x.data[i];
  return out;
}

function fractionPositive(labels: Int32Array): number {
  let positive = 0;
  for (const l of labels) positive += l;
  return positive / labels.length;
}
