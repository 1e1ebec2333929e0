/**
 * One seeded round of one report row, as a task for a worker thread
 * (demos/common/parallel-rounds.ts): draw the round's data, build the row's network, train it
 * for the row's epochs, measure the train and test error. The outcome is plain data.
 *
 * The round's seed is the one the demos use for the same data, so that every row of a report
 * sees the same points in round r, and a row that is also a config of `npm run disk` or
 * `npm run conv-disk` gives the same numbers there:
 *
 *   disk    `disk-<seed>-round-<r>`        (demos/disk/experiment.ts)
 *   conv    `conv-disk-<seed>-round-<r>`   (demos/conv-disk/experiment.ts)
 *   mnist   `mnist-<seed>-round-<r>`       (the data is fixed; the seed draws the weights and the order)
 *
 * One generator, seeded by it, draws everything in this order: the training set, the test set
 * (disk and conv), the initial weights (again while a conv network starts dead: see
 * `outputIsConstant`), then, epoch by epoch, the augmentation (the conv task's reflections, the
 * MNIST images' shifts: `epochAugmentation`) and the order of the batches.
 */
import {
  FeatureStats, ImageSplit, LabelledData, MnistData, NeuralNet, Rng, SavedModel, Tensor, asImageBatch, generateDisk, labelColumn, modelToJSON,
  oneHot, standardize,
} from '../../lib';
import { loadMnist } from '../../lib/node';
import { convDiskRoundSeed, generateConvDisk, outputIsConstant } from '../conv-disk/experiment';
import { roundSeed } from '../disk/experiment';
import { loadOfflineDigits } from '../mnist/offline-digits';
import { buildLoss, buildNetwork, buildOptimizer, buildSchedule } from './build';
import { ReportRow } from './protocol';
import { shiftImagesAtRandom } from './random-shifts';
import { findRow } from './rows';

/** What a worker runs: round `round` of row `row`, with the run's seed and the run's epochs for the row. */
export interface ReportRoundTask {
  row: string;
  /** The run's seed (the round's own seed is derived from it, see the file's comment). */
  seed: string;
  round: number;
  /** The epochs of this run for the row (its own, unless --epochs overrides them). */
  epochs: number;
  /** For mnist rows: the folder of the standard files, or null for the offline digits. */
  dataDir: string | null;
  /** Send back the trained network and the test set (round 1 of a disk row: its decision map). */
  keepNetwork: boolean;
}

/** A disk round's trained network, its input statistics and test set, as plain data. */
export interface PlainNetwork {
  model: SavedModel;
  mean: Float64Array;
  std: Float64Array;
  testInputs: Float64Array;
  testLabels: Int32Array;
}

/** What a round sends back. */
export interface ReportRoundOutcome {
  row: string;
  round: number;
  /** The round's own seed. */
  seed: string;
  trainError: number;
  testError: number;
  /** The loss over the training set after training. */
  finalLoss: number;
  /** Per epoch: the epoch's training loss and the test error after it. */
  curves: { loss: number[]; testError: number[] };
  /** Seconds of training, without the per-epoch test evaluation. */
  trainSeconds: number;
  /** Conv rows: initial networks drawn again because their output was constant. */
  redrawn: number;
  /** `toString()` of the network, the loss and the optimizer. */
  model: string;
  loss: string;
  optimizer: string;
  network: PlainNetwork | null;
}

/** The round's own seed (see the file's comment). */
export function reportRoundSeed(row: ReportRow, seed: string, round: number): string {
  switch (row.data.task) {
    case 'disk': return roundSeed(seed, round);
    case 'conv': return convDiskRoundSeed(seed, round);
    case 'mnist': return `mnist-${seed}-round-${round}`;
  }
}

/** A round's inputs and targets, ready for the trainer. */
interface RoundData {
  xTrain: Tensor;
  yTrain: Tensor;
  trainLabels: Int32Array;
  xTest: Tensor;
  yTest: Tensor;
  testLabels: Int32Array;
  /** Disk: the statistics the inputs were standardized with (mean 0, std 1 for raw inputs). */
  stats: FeatureStats | null;
  /** Disk: the test points as drawn, before any standardization (for the decision map). */
  rawTest: Tensor | null;
}

/** Runs one round (see the file's comment). Throws for an unknown row. */
export function runReportRound(task: ReportRoundTask): ReportRoundOutcome {
  const found = findRow(task.row);
  if (found === undefined) throw new Error(`no report row named '${task.row}'`);
  const row: ReportRow = { ...found, epochs: task.epochs };
  const seed = reportRoundSeed(row, task.seed, task.round);
  const rng = new Rng(seed);
  const data = roundData(row, rng, task.dataDir);

  let model = buildNetwork(row.network, row.init, rng);
  let redrawn = 0;
  if (row.data.task === 'conv') {
    while (outputIsConstant(model, data.xTrain)) {
      if (++redrawn > 100) throw new Error(`100 initialisations in a row give a constant output (seed ${seed})`);
      model = buildNetwork(row.network, row.init, rng);
    }
  }
  const optimizer = buildOptimizer(row.optimizer, model);
  const net = new NeuralNet(model, { loss: buildLoss(row.loss), optimizer, rng });
  const scheduler = buildSchedule(row, optimizer);
  const evalOptions = row.data.task === 'mnist' ? { batchSize: 500 } : {};
  const curves: ReportRoundOutcome['curves'] = { loss: [], testError: [] };
  let trainSeconds = 0;
  const testError = (): number => net.evaluate(data.xTest, data.yTest, { labels: data.testLabels, ...evalOptions }).errorRate;

  const augment = epochAugmentation(row, rng, data.xTrain);
  if (augment !== null) {
    for (let epoch = 1; epoch <= row.epochs; epoch++) {
      const start = performance.now();
      const inputs = augment();
      const history = net.fit(inputs, data.yTrain, { epochs: 1, batchSize: row.batchSize, labels: data.trainLabels, ...(scheduler ? { scheduler } : {}) });
      trainSeconds += (performance.now() - start) / 1000;
      curves.loss.push(history.loss[0]);
      curves.testError.push(testError());
    }
  } else {
    let evalMs = 0;
    const history = net.fit(data.xTrain, data.yTrain, {
      epochs: row.epochs,
      batchSize: row.batchSize,
      labels: data.trainLabels,
      ...(scheduler ? { scheduler } : {}),
      onEpoch: () => {
        const start = performance.now();
        curves.testError.push(testError());
        evalMs += performance.now() - start;
      },
    });
    curves.loss.push(...history.loss);
    trainSeconds = history.seconds - evalMs / 1000;
  }
  const trainEval = net.evaluate(data.xTrain, data.yTrain, { labels: data.trainLabels, ...evalOptions });
  const testEval = net.evaluate(data.xTest, data.yTest, { labels: data.testLabels, ...evalOptions });
  const network: PlainNetwork | null = task.keepNetwork && data.stats !== null && data.rawTest !== null
    ? {
      model: modelToJSON(model),
      mean: data.stats.mean.data.slice(),
      std: data.stats.std.data.slice(),
      testInputs: data.rawTest.data.slice(),
      testLabels: data.testLabels.slice(),
    }
    : null;
  return {
    row: row.id,
    round: task.round,
    seed,
    trainError: trainEval.errorRate,
    testError: testEval.errorRate,
    finalLoss: trainEval.loss,
    curves,
    trainSeconds,
    redrawn,
    model: model.toString(),
    loss: net.loss.toString(),
    optimizer: net.optimizer.toString(),
    network,
  };
}

/** Draws (or loads) the round's data as the row's DataSpec says. */
function roundData(row: ReportRow, rng: Rng, dataDir: string | null): RoundData {
  const spec = row.data;
  if (spec.task === 'disk') {
    const train: LabelledData = generateDisk(1000, rng);
    const test: LabelledData = generateDisk(1000, rng);
    let xTrain = train.inputs, xTest = test.inputs;
    let stats: FeatureStats = { mean: Tensor.fromArray([0, 0], [1, 2]), std: Tensor.fromArray([1, 1], [1, 2]) };
    if (spec.inputs === 'standardized') ({ train: xTrain, test: xTest, stats } = standardize(train.inputs, test.inputs));
    const targets = (labels: Int32Array): Tensor => (spec.targets === 'oneHot' ? oneHot(labels, 2) : labelColumn(labels));
    return {
      xTrain, yTrain: targets(train.labels), trainLabels: train.labels,
      xTest, yTest: targets(test.labels), testLabels: test.labels, stats, rawTest: test.inputs,
    };
  }
  if (spec.task === 'conv') {
    const train = generateConvDisk(1000, rng);
    const test = generateConvDisk(1000, rng);
    const prepare = (x: Tensor): Tensor => (spec.inputs === 'centred' ? centred(x) : x);
    return {
      xTrain: prepare(train.inputs), yTrain: labelColumn(train.labels), trainLabels: train.labels,
      xTest: prepare(test.inputs), yTest: labelColumn(test.labels), testLabels: test.labels, stats: null, rawTest: null,
    };
  }
  const mnist = mnistData(dataDir);
  const classes = (labels: Int32Array): Tensor => Tensor.fromArray(labels, [labels.length]);
  const inputs = (split: ImageSplit): Tensor => (spec.images ? asImageBatch(split) : split.images);
  return {
    xTrain: inputs(mnist.train), yTrain: classes(mnist.train.labels), trainLabels: mnist.train.labels,
    xTest: inputs(mnist.test), yTest: classes(mnist.test.labels), testLabels: mnist.test.labels, stats: null, rawTest: null,
  };
}

/** The MNIST data of this thread, read once per source. */
const mnistCache = new Map<string, MnistData>();

function mnistData(dataDir: string | null): MnistData {
  const key = dataDir ?? '';
  let data = mnistCache.get(key);
  if (data === undefined) {
    data = dataDir === null ? loadOfflineDigits() : loadMnist(dataDir);
    mnistCache.set(key, data);
  }
  return data;
}

/**
 * The row's augmentation, drawn anew before every epoch (before the epoch's order): a function
 * giving the epoch's training inputs (one tensor, rewritten each epoch), or null for a row that
 * trains on its inputs as they are. The conv task's reflections; the MNIST images' random shifts.
 */
function epochAugmentation(row: ReportRow, rng: Rng, xTrain: Tensor): (() => Tensor) | null {
  const spec = row.data;
  const out = new Tensor(xTrain.shape);
  if (spec.task === 'conv' && spec.reflect) return () => reflectEntries(xTrain, rng, out);
  if (spec.task === 'mnist' && spec.shift !== undefined && spec.shift > 0) {
    const maxShift = spec.shift;
    return () => shiftImagesAtRandom(xTrain, maxShift, rng, out);
  }
  return null;
}

/** x − 0.5 for every entry (a new tensor). */
function centred(x: Tensor): Tensor {
  const out = new Tensor(x.shape);
  for (let i = 0; i < x.size; i++) out.data[i] = x.data[i] - 0.5;
  return out;
}

/** Writes into `out` the centred inputs with each entry's sign flipped with probability 1/2, and returns it. */
function reflectEntries(x: Tensor, rng: Rng, out: Tensor): Tensor {
  for (let i = 0; i < x.size; i++) out.data[i] = rng.uniform() < 0.5 ? -x.data[i] : x.data[i];
  return out;
}
