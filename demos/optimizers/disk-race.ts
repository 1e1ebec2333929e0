import { MinidlError, NeuralNet, Rng, generateDisk, oneHot, standardize } from '../../lib';
import { findConfig } from '../disk/configs';
import { TEST_SIZE, TRAIN_SIZE, roundSeed } from '../disk/experiment';
import { Contender } from './contenders';

/**
 * Part 1 of `npm run optimizers`: the course network of the disk task trained by one contender.
 *
 * Everything but the optimizer is the first round of `npm run disk`'s `course` configuration
 * with the same seed: one generator seeded `roundSeed(seed, 1)` draws the 1000 training and
 * 1000 test points, then the initial weights of the 2-25-25-25-2 ReLU network, then the order
 * of every epoch's batches of 100. Each contender starts a fresh generator from that seed, so
 * all of them start from the same weights and see the batches in the same order (and the SGD
 * row is `npm run disk`'s round 1 to the bit). The loss is MSE on one-hot targets.
 */

/** The training loss (an epoch's mean MSE) the table counts the epochs to: low enough that only a good run reaches it in a few epochs. */
export const LOSS_THRESHOLD = 0.03;

/** The disk network's batch size (the course protocol's). */
export const DISK_BATCH_SIZE = 100;

/** What one contender did on the disk task. */
export interface DiskRaceResult {
  contender: Contender;
  /** The optimizer as it prints itself, e.g. `SGD(lr=0.1, momentum=0.9)`. */
  optimizer: string;
  /** The training loss of every epoch (each batch's loss taken before its update, as fit reports it). */
  loss: number[];
  /** The loss over the whole training set after training. */
  finalTrainLoss: number;
  /** Fraction of training points misclassified after training. */
  trainError: number;
  /** Fraction of test points misclassified after training. */
  testError: number;
  /** The first epoch (1-based) whose training loss is ≤ LOSS_THRESHOLD, or null when none is. */
  epochsToThreshold: number | null;
  /** Seconds spent in fit (for the progress line only; never written to a file). */
  seconds: number;
}

/** Trains the course network with `contender`'s disk settings for `epochs` epochs (see the file's comment). */
export function runDiskRace(contender: Contender, seed: string, epochs: number): DiskRaceResult {
  const course = findConfig('course');
  if (course === undefined) throw new MinidlError('runDiskRace: the disk configuration "course" is missing from demos/disk/configs.ts');
  const rng = new Rng(roundSeed(seed, 1));
  const train = generateDisk(TRAIN_SIZE, rng);
  const test = generateDisk(TEST_SIZE, rng);
  const { train: xTrain, test: xTest } = standardize(train.inputs, test.inputs);
  const yTrain = oneHot(train.labels, 2);
  const yTest = oneHot(test.labels, 2);

  const model = course.model(rng);
  const optimizer = contender.disk.optimizer(model.params());
  const scheduler = contender.disk.scheduler?.(optimizer, epochs); //   stepped by fit after every epoch
  const net = new NeuralNet(model, { loss: course.loss(), optimizer, rng });
  const history = net.fit(xTrain, yTrain, { epochs, batchSize: DISK_BATCH_SIZE, labels: train.labels, scheduler });

  const trainEval = net.evaluate(xTrain, yTrain, { labels: train.labels });
  const testEval = net.evaluate(xTest, yTest, { labels: test.labels });
  const reached = history.loss.findIndex((l) => l <= LOSS_THRESHOLD);
  return {
    contender,
    optimizer: optimizer.toString(),
    loss: history.loss,
    finalTrainLoss: trainEval.loss,
    trainError: trainEval.errorRate,
    testError: testEval.errorRate,
    epochsToThreshold: reached < 0 ? null : reached + 1,
    seconds: history.seconds,
  };
}
