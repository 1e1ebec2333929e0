import {
  FeatureStats, LabelledData, MinidlError, MonitorHistory, NeuralNet, Rng, Tensor, TrainingMonitor, aBoolean, aString, anInteger, checkInteger,
  describeValue, generateDisk, labelColumn, oneHot, readOptions, standardize,
} from '../../lib';
import { DiskConfig } from './configs';

/** The course protocol's sizes. */
export const TRAIN_SIZE = 1000;
export const TEST_SIZE = 1000;

/** What one round (fresh data, fresh initial weights) produced. */
export interface RoundResult {
  round: number;
  seed: string;
  trainError: number;
  testError: number;
  /** Loss over the training set at the end of training. */
  finalLoss: number;
  /** Per-epoch curves: the epoch's training loss, training error and test error after the epoch (empty when not tracked). */
  curves: { loss: number[]; trainError: number[]; testError: number[] };
  /** Seconds spent training, without the per-epoch test evaluation. */
  trainSeconds: number;
  /** What a TrainingMonitor saw, epoch by epoch, when the round was watched (`npm run disk -- --monitor`); else null. */
  monitor: MonitorHistory | null;
}

/** Mean, standard deviation (n − 1), min and max of a list of numbers. */
export interface Stats {
  mean: number;
  std: number;
  min: number;
  max: number;
}

/** What a round leaves behind besides its numbers: the trained network and its data (for figures). */
export interface TrainedRound {
  net: NeuralNet;
  /** The training set's statistics the inputs were standardized with. */
  stats: FeatureStats;
  /** The raw (not standardized) data. */
  train: LabelledData;
  test: LabelledData;
}

export interface ConfigResult {
  config: DiskConfig;
  model: string;
  loss: string;
  optimizer: string;
  rounds: RoundResult[];
  trainError: Stats;
  testError: Stats;
  trainSeconds: Stats;
  /** The first round's trained network and data. */
  firstRound: TrainedRound;
}

/** The seed of round r (1-based) of a run started with `seed`: every round gets its own data and weights. */
export function roundSeed(seed: string, round: number): string {
  return `disk-${seed}-round-${round}`;
}

export function stats(values: number[]): Stats {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1) : 0;
  return { mean, std: Math.sqrt(variance), min: Math.min(...values), max: Math.max(...values) };
}

/**
 * One round of the disk experiment: 1000 train and 1000 test points, inputs standardized
 * with the training statistics, a fresh network trained for `epochs` epochs.
 * Everything random (data, initial weights, shuffling) is drawn from one Rng seeded by `seed`.
 * With `monitor`, a TrainingMonitor watches the training (closing an epoch at the end of each
 * epoch) and its history is returned; the numbers are the same bits either way.
 */
export function runRound(
  config: DiskConfig, seed: string, round: number, epochs: number, trackTestError = true, monitor = false,
): RoundResult & TrainedRound {
  const rng = new Rng(seed);
  const train = generateDisk(TRAIN_SIZE, rng);
  const test = generateDisk(TEST_SIZE, rng);
  const { train: xTrain, test: xTest, stats } = standardize(train.inputs, test.inputs);
  const targets = (labels: Int32Array): Tensor => (config.targets === 'oneHot' ? oneHot(labels, 2) : labelColumn(labels));
  const yTrain = targets(train.labels);
  const yTest = targets(test.labels);

  const model = config.model(rng);
  const net = new NeuralNet(model, { loss: config.loss(), optimizer: config.optimizer(model), rng });
  const watcher = monitor ? new TrainingMonitor(model) : null;
  const testErrorCurve: number[] = [];
  let evalMs = 0;
  const history = net.fit(xTrain, yTrain, {
    epochs,
    batchSize: config.batchSize,
    labels: train.labels,
    onEpoch: () => {
      watcher?.endEpoch();
      if (!trackTestError) return;
      const start = performance.now();
      testErrorCurve.push(net.evaluate(xTest, yTest, { labels: test.labels }).errorRate);
      evalMs += performance.now() - start;
    },
  });
  watcher?.detach();
  const trainEval = net.evaluate(xTrain, yTrain, { labels: train.labels });
  const testEval = net.evaluate(xTest, yTest, { labels: test.labels });
  return {
    round,
    seed,
    trainError: trainEval.errorRate,
    testError: testEval.errorRate,
    finalLoss: trainEval.loss,
    curves: { loss: history.loss, trainError: history.trainError, testError: testErrorCurve },
    trainSeconds: history.seconds - evalMs / 1000,
    monitor: watcher === null ? null : watcher.history(),
    net,
    stats,
    train,
    test,
  };
}

/** The options of `runConfig`. */
export interface RunConfigOptions {
  /** The run's seed; round r is seeded by `roundSeed(seed, r)`. Required, not empty. */
  seed: string;
  /** Rounds, an integer ≥ 1. Required. */
  rounds: number;
  /** Epochs per round, an integer ≥ 1. Required. */
  epochs: number;
  /** Measure the test error after every epoch, for the curves (default true). */
  trackTestError?: boolean;
}

/**
 * All rounds of one configuration. `onRound` is told after each round (for progress output).
 * Throws a MinidlError naming `runConfig` for options that are missing, unknown or of the
 * wrong type, or a seed, rounds or epochs out of range, before any round.
 */
export function runConfig(
  config: DiskConfig,
  runOptions: RunConfigOptions,
  onRound?: (result: RoundResult) => void,
): ConfigResult {
  const c = config as Partial<DiskConfig> | null;
  if (c === null || typeof c !== 'object' || typeof c.name !== 'string' || typeof c.model !== 'function' || typeof c.loss !== 'function' || typeof c.optimizer !== 'function') {
    throw new MinidlError(`runConfig: expected a configuration of DISK_CONFIGS (demos/disk/configs.ts), got ${describeValue(config)}`);
  }
  const options = readRunConfigOptions(runOptions);
  if (onRound !== undefined && typeof onRound !== 'function') throw new MinidlError(`runConfig: onRound must be a function, got ${describeValue(onRound)}`);
  const rounds: RoundResult[] = [];
  let firstRound: TrainedRound | null = null;
  for (let r = 1; r <= options.rounds; r++) {
    const { net, stats: featureStats, train, test, ...result } = runRound(config, roundSeed(options.seed, r), r, options.epochs, options.trackTestError ?? true);
    if (firstRound === null) firstRound = { net, stats: featureStats, train, test };
    rounds.push(result);
    if (onRound) onRound(result);
  }
  return summarizeConfig(config, rounds, firstRound as TrainedRound);
}

/** A configuration's result from its rounds (in order) and its first round's network and data. */
export function summarizeConfig(config: DiskConfig, rounds: RoundResult[], first: TrainedRound): ConfigResult {
  return {
    config,
    model: first.net.model.toString(),
    loss: first.net.loss.toString(),
    optimizer: first.net.optimizer.toString(),
    firstRound: first,
    rounds,
    trainError: stats(rounds.map((r) => r.trainError)),
    testError: stats(rounds.map((r) => r.testError)),
    trainSeconds: stats(rounds.map((r) => r.trainSeconds)),
  };
}

function readRunConfigOptions(options: unknown): Required<RunConfigOptions> {
  if (options === undefined) throw new MinidlError('runConfig: expected options such as { seed: \'0\', rounds: 10, epochs: 300 }, got undefined');
  const o = readOptions<RunConfigOptions>('runConfig', options, { seed: aString, rounds: anInteger, epochs: anInteger, trackTestError: aBoolean }, { positional: 'seed' });
  if (typeof o.seed !== 'string' || o.seed.trim() === '') throw new MinidlError(`runConfig: option 'seed' must be a non-empty string, got ${describeValue(o.seed)}`);
  return {
    seed: o.seed,
    rounds: checkInteger('runConfig', "option 'rounds'", o.rounds),
    epochs: checkInteger('runConfig', "option 'epochs'", o.epochs),
    trackTestError: o.trackTestError ?? true,
  };
}
