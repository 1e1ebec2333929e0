/**
 * Training on MNIST for the demo and the benchmark: mini-batch SGD with momentum on
 * cross-entropy, one epoch at a time, reporting after every batch (for a progress bar) and
 * after every epoch (accuracy on the training and test parts).
 *
 * Each epoch visits the training images once in a new order drawn from the run's seeded
 * generator, in batches of 64 (the last one smaller: 7996 = 124·64 + 60), exactly as
 * `NeuralNet.fit` does; the optimisation step itself is `NeuralNet.step` (zeroGrad → forward →
 * loss → backward → SGD step). The loop is written out here so that a student sees an epoch as
 * what it is — a shuffle, then one step per batch — and so that each epoch's timing leaves out
 * the accuracy measurement (`fit`'s `onBatch` would serve the progress bar too).
 *
 * With `monitor`, a `TrainingMonitor` (lib/tools/monitor.ts) watches the model through hooks and
 * closes an epoch after each epoch's steps: per layer the outputs' mean and spread, dead ReLU
 * units and the gradient norm, per parameter the gradient norm and the update-to-weight ratio.
 * It only observes, so the numbers are the same bits; the steps are slower (a hooked model
 * trains without temporaries).
 */
import {
  CrossEntropyLoss, ImageSplit, MinidlError, MnistData, Module, MonitorHistory, NeuralNet, Rng, SGD, Tensor, TrainingMonitor, aBoolean,
  aFunction, aString, anInteger, asImageBatch, checkInteger, describeValue, oneOf, readOptions, takeRows, withTemporaryTensors,
} from '../../lib';
import { MNIST_MODEL_NAMES, MnistModelName, MNIST_MODELS } from './models';

/** The stated training settings. */
export const MNIST_SETTINGS = { batchSize: 64, lr: 0.01, momentum: 0.9 } as const;

/** Options of `trainMnist`. */
export interface TrainMnistOptions {
  model: MnistModelName;
  epochs: number;
  /** Seeds the one generator used for the initial weights, then for shuffling. */
  seed: string;
  /** Called after every batch. */
  onBatch?: (progress: BatchProgress) => void;
  /** Called after every epoch. */
  onEpoch?: (result: EpochResult) => void;
  /** Skip the accuracy measurements after each epoch (for timing training alone). */
  skipEvaluation?: boolean;
  /** Watch the training with a TrainingMonitor and return its history (default false). */
  monitor?: boolean;
}

/** What `onBatch` receives. */
export interface BatchProgress {
  epoch: number;
  /** 1 for the first batch of the epoch. */
  batch: number;
  batches: number;
  /** Mean loss over the samples of the epoch so far. */
  runningLoss: number;
}

/** One epoch's numbers. */
export interface EpochResult {
  epoch: number;
  /** Mean cross-entropy over the epoch's samples, each with the weights of its batch's step. */
  trainLoss: number;
  /** Fraction of training images classified correctly after the epoch (evaluation mode). */
  trainAccuracy: number;
  /** Fraction of test images classified correctly after the epoch. */
  testAccuracy: number;
  /** Seconds of training (the optimisation steps; not the accuracy measurements). */
  seconds: number;
}

/** What `trainMnist` returns. */
export interface MnistRun {
  model: Module;
  net: NeuralNet;
  epochs: EpochResult[];
  /** What the TrainingMonitor saw, one entry per epoch, with the option `monitor`; else null. */
  monitor: MonitorHistory | null;
}

/** The inputs a model reads: flat rows [N, 784] or images [N, 1, 28, 28]. */
export function modelInputs(name: MnistModelName, split: ImageSplit): Tensor {
  return MNIST_MODELS[name].input === 'image' ? asImageBatch(split) : split.images;
}

/**
 * Trains a fresh model of the given kind on `data`; see the file's doc comment. Throws a
 * MinidlError naming `trainMnist` for options that are missing, unknown, of the wrong type or
 * out of range, before anything is drawn or trained.
 */
export function trainMnist(data: MnistData, trainOptions: TrainMnistOptions): MnistRun {
  const options = readTrainMnistOptions(trainOptions);
  if (data === null || typeof data !== 'object' || !(data.train?.images instanceof Tensor) || !(data.test?.images instanceof Tensor)) {
    throw new MinidlError(`trainMnist: expected MNIST data { train, test } such as loadMnist or loadOfflineDigits return, got ${describeValue(data)}`);
  }
  const rng = new Rng(options.seed);
  const model = MNIST_MODELS[options.model].build(rng);
  const loss = new CrossEntropyLoss();
  const optimizer = new SGD(model.params(), { lr: MNIST_SETTINGS.lr, momentum: MNIST_SETTINGS.momentum });
  const net = new NeuralNet(model, { loss, optimizer, rng });
  const x = modelInputs(options.model, data.train);
  const y = Tensor.fromArray(data.train.labels, [data.train.labels.length]);
  const testX = modelInputs(options.model, data.test);
  const testY = Tensor.fromArray(data.test.labels, [data.test.labels.length]);
  const n = x.shape[0];
  const { batchSize } = MNIST_SETTINGS;
  const batches = Math.ceil(n / batchSize);
  const results: EpochResult[] = [];
  const watcher = options.monitor === true ? new TrainingMonitor(model) : null;

  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const start = performance.now();
    model.train();
    const order = rng.permutation(n);
    let lossTotal = 0;
    for (let batch = 1; batch <= batches; batch++) {
      const indices = order.subarray((batch - 1) * batchSize, Math.min(batch * batchSize, n));
      // the batch's rows and the step's tensors are temporaries: each step reuses the memory of the one
      // before, and the batch lives where the kernels read it in place (no copy per product)
      const loss = withTemporaryTensors(() => net.step(takeRows(x, indices), takeRows(y, indices), epoch, batch).loss);
      lossTotal += loss * indices.length; // the loss is a batch mean
      options.onBatch?.({ epoch, batch, batches, runningLoss: lossTotal / Math.min(batch * batchSize, n) });
    }
    const seconds = (performance.now() - start) / 1000;
    watcher?.endEpoch(); //                             before the accuracy measurements (evaluation mode: the monitor ignores them)
    const accuracy = (inputs: Tensor, targets: Tensor): number =>
      options.skipEvaluation ? NaN : net.evaluate(inputs, targets, { batchSize: 500 }).accuracy;
    const result: EpochResult = {
      epoch,
      trainLoss: lossTotal / n,
      trainAccuracy: accuracy(x, y),
      testAccuracy: accuracy(testX, testY),
      seconds,
    };
    results.push(result);
    options.onEpoch?.(result);
  }
  watcher?.detach();
  return { model, net, epochs: results, monitor: watcher === null ? null : watcher.history() };
}

function readTrainMnistOptions(options: unknown): TrainMnistOptions {
  if (options === undefined) throw new MinidlError("trainMnist: expected options such as { model: 'mlp', epochs: 20, seed: '0' }, got undefined");
  const o = readOptions<TrainMnistOptions>('trainMnist', options, {
    model: oneOf(...MNIST_MODEL_NAMES), epochs: anInteger, seed: aString, onBatch: aFunction, onEpoch: aFunction, skipEvaluation: aBoolean,
    monitor: aBoolean,
  }, { positional: 'model' });
  if (o.model === undefined) throw new MinidlError(`trainMnist: option 'model' is required: one of ${MNIST_MODEL_NAMES.join(', ')}`);
  checkInteger('trainMnist', "option 'epochs'", o.epochs);
  if (typeof o.seed !== 'string' || o.seed.trim() === '') throw new MinidlError(`trainMnist: option 'seed' must be a non-empty string, got ${describeValue(o.seed)}`);
  return o as TrainMnistOptions;
}
