/**
 * One training run of the disk network, one mini-batch step at a time.
 *
 * It is the same computation as `NeuralNet.fit` (demos/disk/experiment.ts's protocol): one
 * generator seeded by the settings draws the 1000 training points, the 1000 test points, the
 * initial weights and, at the start of every epoch, the order of the samples; each mini-batch
 * is one `NeuralNet.step`
 *
 *   zeroGrad → forward → loss → backward → optimizer step
 *
 * The page watches the run through hooks (lib/modules/module.ts) instead of a copy of the step:
 *
 * - on every module of the Sequential, a forward hook and a full backward hook keep a copy of
 *   what entered and left it on the last training batch (its input X, output Y, the gradient
 *   G = ∂L/∂Y its backward received and the gradient ∂L/∂X it returned), for the inspector;
 * - a `TrainingMonitor` (lib/tools/monitor.ts) sums, over each epoch, every layer's output mean
 *   and spread, dead ReLU units, saturated tanh/σ values, the gradient norm entering its
 *   backward, and every parameter's gradient norm and update-to-weight ratio.
 *
 * Both look only at calls in training mode, so the evaluations after each epoch and the
 * decision map's predictions (evaluation mode) change nothing they show.
 *
 * No DOM here: Node runs this file too.
 */
import {
  Adam, BCEWithLogitsLoss, CrossEntropyLoss, FeatureStats, LabelledData, LeakyReLU, Linear, Loss, MSELoss, MinidlError, Module,
  MonitorHistory, NeuralNet, Optimizer, ReLU, Rng, SGD, Sequential, Sigmoid, Tanh, Tensor, TrainingMonitor, generateDisk,
  labelColumn, oneHot, standardize, takeRows,
} from '../../../lib';
import { ActivationName, LossName, Settings, copySettings, validateSettings } from './settings';

/** The course protocol's sizes. */
export const TRAIN_SIZE = 1000;
export const TEST_SIZE = 1000;

/**
 * What went into and out of one module of the Sequential during the last training step, as
 * copies taken by the session's hooks (the next step cannot change them).
 */
export interface LayerTrace {
  /** The module's input X on the last batch. */
  input: Tensor;
  /** Its output Y. */
  output: Tensor;
  /** G = ∂L/∂Y, the gradient its `backward` received. */
  gradOut: Tensor;
  /** ∂L/∂X, the gradient its `backward` returned. */
  gradInput: Tensor;
}

/** A LayerTrace being filled by the hooks during a step (a field stays null until its hook fires). */
type PartialTrace = { [K in keyof LayerTrace]: Tensor | null };

/** The last training step, for the layer inspector. */
export interface StepTrace {
  /** Epoch (1-based) and batch within the epoch (1-based). */
  epoch: number;
  batch: number;
  /** Samples in the batch. */
  batchSize: number;
  /** The batch's loss, before the optimizer step. */
  loss: number;
  /** One entry per module of the Sequential. */
  layers: LayerTrace[];
}

/**
 * Per-epoch curves, measured on the whole training and test sets: entry e is after epoch e
 * (entry 0: the untrained network).
 */
export interface History {
  trainLoss: number[];
  testLoss: number[];
  trainError: number[];
  testError: number[];
}

/** The Module for an activation name. */
export function makeActivation(name: ActivationName): Module {
  switch (name) {
    case 'relu': return new ReLU();
    case 'tanh': return new Tanh();
    case 'sigmoid': return new Sigmoid();
    case 'leaky-relu': return new LeakyReLU(0.01);
  }
}

export function makeLoss(name: LossName): Loss {
  switch (name) {
    case 'mse': return new MSELoss();
    case 'cross-entropy': return new CrossEntropyLoss();
    case 'bce-logits': return new BCEWithLogitsLoss();
  }
}

/** Network outputs: two (one per class) for MSE and cross-entropy, one logit for BCE with logits. */
export function outputCount(loss: LossName): number {
  return loss === 'bce-logits' ? 1 : 2;
}

/** Training targets: one-hot rows [N, 2], or a 0/1 column [N, 1] for the single-output network. */
export function makeTargets(loss: LossName, labels: Int32Array): Tensor {
  return outputCount(loss) === 1 ? labelColumn(labels) : oneHot(labels, 2);
}

/** Linear(2→h₁), act, Linear(h₁→h₂), act, …, Linear(hₖ→outputs), drawing the initial weights from `rng`. */
export function makeModel(settings: Settings, rng: Rng): Sequential {
  const layers: Module[] = [];
  let width = 2;
  for (const h of settings.hidden) {
    layers.push(new Linear(width, h, { rng }), makeActivation(settings.activation));
    width = h;
  }
  layers.push(new Linear(width, outputCount(settings.loss), { rng }));
  return new Sequential(...layers);
}

export function makeOptimizer(settings: Settings, model: Module): Optimizer {
  return settings.optimizer === 'sgd'
    ? new SGD(model.params(), { lr: settings.lr, momentum: settings.momentum, weightDecay: settings.weightDecay })
    : new Adam(model.params(), { lr: settings.lr, weightDecay: settings.weightDecay });
}

export class TrainingSession {
  readonly settings: Settings;
  readonly rng: Rng;
  /** Raw points in the unit square and their labels (1: inside the disk). */
  readonly train: LabelledData;
  readonly test: LabelledData;
  /** Mean and standard deviation of the training inputs, used to standardize every input. */
  readonly stats: FeatureStats;
  readonly xTrain: Tensor;
  readonly yTrain: Tensor;
  readonly xTest: Tensor;
  readonly yTest: Tensor;
  readonly model: Sequential;
  readonly loss: Loss;
  readonly optimizer: Optimizer;
  /** Trains (`NeuralNet.step`), evaluates and predicts. */
  readonly net: NeuralNet;
  /** Watches every layer and parameter while the network trains; one `endEpoch()` per epoch. */
  readonly monitor: TrainingMonitor;
  /** What the monitor measured, one entry of `epochs` per completed epoch (epoch 1 first). */
  monitorHistory: MonitorHistory;
  readonly history: History = { trainLoss: [], testLoss: [], trainError: [], testError: [] };
  /** Completed epochs. */
  epoch = 0;
  /** Optimizer steps taken. */
  steps = 0;
  /** The last step, or null before the first one. */
  lastStep: StepTrace | null = null;
  /** What the hooks copied during the step under way, one entry per module of the Sequential. */
  private traces: PartialTrace[] = [];
  /** The order of the training samples in the current epoch (null between epochs). */
  private order: Int32Array | null = null;
  /** Position of the next batch in `order`. */
  private cursor = 0;
  private batchInEpoch = 0;

  constructor(settings: Settings) {
    const errors = validateSettings(settings);
    if (errors.length > 0) throw new MinidlError(`TrainingSession: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
    this.settings = copySettings(settings);
    this.rng = new Rng(settings.seed);
    this.train = generateDisk(TRAIN_SIZE, this.rng);
    this.test = generateDisk(TEST_SIZE, this.rng);
    const standardized = standardize(this.train.inputs, this.test.inputs);
    this.stats = standardized.stats;
    this.xTrain = standardized.train;
    this.xTest = standardized.test;
    this.yTrain = makeTargets(settings.loss, this.train.labels);
    this.yTest = makeTargets(settings.loss, this.test.labels);
    this.model = makeModel(settings, this.rng);
    this.loss = makeLoss(settings.loss);
    this.optimizer = makeOptimizer(settings, this.model);
    this.net = new NeuralNet(this.model, { loss: this.loss, optimizer: this.optimizer, rng: this.rng });
    this.monitor = new TrainingMonitor(this.model);
    this.monitorHistory = this.monitor.history();
    this.model.modules.forEach((module, i) => this.traceModule(module, i));
    this.measure(); // epoch 0: the untrained network (evaluation draws nothing from the generator)
  }

  /** Steps per epoch (the last batch of an epoch may be smaller). */
  get batchesPerEpoch(): number {
    return Math.ceil(TRAIN_SIZE / this.settings.batchSize);
  }

  /**
   * One optimizer step on the next mini-batch (`NeuralNet.step`). Returns true when it completed
   * an epoch (the curves and the monitor then have a new point). Throws `NeuralNet.step`'s error,
   * with the parameters and the optimizer as they were before the step, if the loss, a gradient
   * or a parameter is not finite.
   */
  step(): boolean {
    const n = this.xTrain.shape[0];
    if (this.order === null) {
      this.order = this.rng.permutation(n); // a new order of the samples each epoch
      this.cursor = 0;
      this.batchInEpoch = 0;
    }
    const indices = this.order.subarray(this.cursor, Math.min(this.cursor + this.settings.batchSize, n));
    this.cursor += indices.length;
    this.batchInEpoch += 1;
    const x = takeRows(this.xTrain, indices);
    const y = takeRows(this.yTrain, indices);

    this.model.train();
    this.traces = this.model.modules.map(() => ({ input: null, output: null, gradOut: null, gradInput: null }));
    const { loss } = this.net.step(x, y, this.epoch + 1, this.batchInEpoch); // the hooks fill this.traces
    this.steps += 1;
    this.lastStep = {
      epoch: this.epoch + 1,
      batch: this.batchInEpoch,
      batchSize: indices.length,
      loss,
      layers: this.traces.map((trace, i) => completeTrace(trace, this.model.modules[i])),
    };

    if (this.cursor < n) return false;
    this.order = null;
    this.epoch += 1;
    this.monitor.endEpoch();
    this.monitorHistory = this.monitor.history();
    this.measure();
    return true;
  }

  /**
   * Registers the hooks that copy what enters and leaves module `i` in training mode: forward
   * (X, Y) and full backward (∂L/∂X returned, G = ∂L/∂Y received). The hooks are handed the
   * model's own tensors; a copy is kept, so what the inspector shows stays the last step's.
   */
  private traceModule(module: Module, i: number): void {
    module.registerForwardHook((m, input, output) => {
      if (!m.training) return; // an evaluation or a prediction
      this.traces[i].input = input.clone();
      this.traces[i].output = output.clone();
    });
    module.registerFullBackwardHook((m, gradInput, gradOutput) => {
      if (!m.training) return;
      this.traces[i].gradOut = gradOutput.clone();
      this.traces[i].gradInput = gradInput.clone();
    });
  }

  /** Adds the current network's loss and error on the whole training and test sets to the history. */
  private measure(): void {
    const train = this.net.evaluate(this.xTrain, this.yTrain, { labels: this.train.labels });
    const test = this.net.evaluate(this.xTest, this.yTest, { labels: this.test.labels });
    this.history.trainLoss.push(train.loss);
    this.history.testLoss.push(test.loss);
    this.history.trainError.push(train.errorRate);
    this.history.testError.push(test.errorRate);
  }

  /** Steps until the current epoch is complete. */
  finishEpoch(): void {
    while (!this.step()) { /* next batch */ }
  }

  /** The predicted class (0 or 1) of each row of standardized inputs. */
  classify(x: Tensor): Int32Array {
    return this.net.classify(x);
  }

  /**
   * How sure the network is that each point is inside the disk, in [0, 1], with 0.5 exactly
   * on its decision boundary: softmax probability of class 1 for cross-entropy, σ(logit) for
   * BCE with logits, and for MSE on one-hot targets (o₁ − o₀ + 1)/2 clipped to [0, 1] (as
   * demos/figures/disk-figures.ts).
   */
  insideScore(output: Tensor): Float64Array {
    const n = output.shape[0];
    const score = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s: number;
      if (this.settings.loss === 'bce-logits') s = 1 / (1 + Math.exp(-output.data[i]));
      else if (this.settings.loss === 'cross-entropy') s = 1 / (1 + Math.exp(output.data[2 * i] - output.data[2 * i + 1]));
      else s = (output.data[2 * i + 1] - output.data[2 * i] + 1) / 2;
      score[i] = Math.min(1, Math.max(0, s));
    }
    return score;
  }
}

/** A trace whose four tensors the hooks copied; an error naming the module if a hook did not fire. */
function completeTrace(trace: PartialTrace, module: Module): LayerTrace {
  const { input, output, gradOut, gradInput } = trace;
  if (input === null || output === null || gradOut === null || gradInput === null) {
    throw new MinidlError(`TrainingSession.step: the hooks of ${module} saw no training ${input === null ? 'forward' : 'backward'} in this step`);
  }
  return { input, output, gradOut, gradInput };
}
