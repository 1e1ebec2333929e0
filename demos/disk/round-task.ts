/**
 * One round of the disk experiment as a task for a worker thread (demos/common/parallel-rounds.ts):
 * the task names its configuration, seed, round and epochs; the outcome is plain data — the
 * round's numbers and, for the first round, its trained network (as `modelToJSON`) with its
 * data and input statistics, which the figures and `--save` need.
 *
 * Both `--jobs 1` and `--jobs N` go through `runDiskRoundTask` and `trainedRoundFromOutcome`,
 * so the network the figures draw is rebuilt from the same saved numbers either way (saved
 * models come back to the bit: lib/serialization/exact-numbers.ts).
 */
import { FeatureStats, LabelledData, NeuralNet, Rng, SavedModel, Tensor, modelFromJSON, modelToJSON } from '../../lib';
import { findConfig } from './configs';
import { RoundResult, TrainedRound, runRound } from './experiment';

/** What one worker runs: round `round` of configuration `config`, seeded by `seed`. */
export interface DiskRoundTask {
  /** A name of DISK_CONFIGS. */
  config: string;
  /** The round's own seed (`roundSeed(runSeed, round)`). */
  seed: string;
  round: number;
  epochs: number;
  /** Measure the test error after every epoch, for the curves. */
  trackTestError: boolean;
  /** Send back the trained network and its data (the first round of each configuration). */
  keepNetwork: boolean;
  /** Watch the training with a TrainingMonitor and send back its history (`--monitor`, the first round; default false). */
  monitor?: boolean;
}

/** A labelled data set as plain arrays. */
export interface PlainData {
  inputs: Float64Array;
  shape: number[];
  labels: Int32Array;
}

/** The first round's network and data, as plain data. */
export interface PlainTrainedRound {
  model: SavedModel;
  mean: Float64Array;
  std: Float64Array;
  train: PlainData;
  test: PlainData;
}

/** What a task sends back. */
export interface DiskRoundOutcome {
  result: RoundResult;
  network: PlainTrainedRound | null;
}

/** Runs one round (runRound of demos/disk/experiment.ts) and returns plain data. Throws for an unknown configuration. */
export function runDiskRoundTask(task: DiskRoundTask): DiskRoundOutcome {
  const config = findConfig(task.config);
  if (config === undefined) throw new Error(`no disk configuration named '${task.config}'`);
  const { net, stats, train, test, ...result } = runRound(config, task.seed, task.round, task.epochs, task.trackTestError, task.monitor ?? false);
  if (!task.keepNetwork) return { result, network: null };
  return {
    result,
    network: {
      model: modelToJSON(net.model),
      mean: stats.mean.data.slice(),
      std: stats.std.data.slice(),
      train: plainData(train),
      test: plainData(test),
    },
  };
}

/** The trained round of an outcome, rebuilt: the network (with the configuration's loss and optimizer), its data and statistics. */
export function trainedRoundFromOutcome(configName: string, network: PlainTrainedRound, seed: string): TrainedRound {
  const config = findConfig(configName);
  if (config === undefined) throw new Error(`no disk configuration named '${configName}'`);
  const model = modelFromJSON(network.model);
  const net = new NeuralNet(model, { loss: config.loss(), optimizer: config.optimizer(model), rng: new Rng(seed) });
  const stats: FeatureStats = { mean: Tensor.fromArray(network.mean, [1, network.mean.length]), std: Tensor.fromArray(network.std, [1, network.std.length]) };
  return { net, stats, train: labelledData(network.train), test: labelledData(network.test) };
}

function plainData(data: LabelledData): PlainData {
  return { inputs: data.inputs.data.slice(), shape: [...data.inputs.shape], labels: data.labels.slice() };
}

function labelledData(data: PlainData): LabelledData {
  return { inputs: Tensor.fromArray(data.inputs, data.shape), labels: data.labels };
}
