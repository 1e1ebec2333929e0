/**
 * One training run of the disk network, one mini-batch step at a time.
 *
 * It is the same computation as `NeuralNet.fit` (demos/disk/experiment.ts's protocol): one
 * generator seeded by the settings draws the 1000 training points, the 1000 test points, the
 * initial weights and, at the start of every epoch, the order of the samples; each mini-batch
 * is one step
 *
 *   zeroGrad → forward → loss → backward → optimizer step
 *
 * The difference: the forward and backward passes go through the Sequential's modules one by
 * one, so the page can show what entered and left every layer on the last batch (the Module
 * contract allows this: a Sequential's backward is exactly the modules' backwards in reverse).
 *
 * No DOM here: Node runs this file too.
 */
import {
  Adam, BCEWithLogitsLoss, CrossEntropyLoss, FeatureStats, LabelledData, LeakyReLU, Linear, Loss, MSELoss, MinidlError, Module,
  NeuralNet, Optimizer, ReLU, Rng, SGD, Sequential, Sigmoid, Tanh, Tensor, generateDisk, labelColumn, oneHot,
  standardize, takeRows,
} from '../../../lib';
import { ActivationName, LossName, Settings, copySettings, validateSettings } from './settings';

/** The course protocol's sizes. */
export const TRAIN_SIZE = 1000;
export const TEST_SIZE = 1000;

/** What went into and out of one module of the Sequential during the last training step. */
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
  /** Used for evaluation and prediction only (training goes through `step`). */
  readonly net: NeuralNet;
  readonly history: History = { trainLoss: [], testLoss: [], trainError: [], testError: [] };
  /** Completed epochs. */
  epoch = 0;
  /** Optimizer steps taken. */
  steps = 0;
  /** The last step, or null before the first one. */
  lastStep: StepTrace | null = null;
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
    this.measure(); // epoch 0: the untrained network (evaluation draws nothing from the generator)
  }

  /** Steps per epoch (the last batch of an epoch may be smaller). */
  get batchesPerEpoch(): number {
    return Math.ceil(TRAIN_SIZE / this.settings.batchSize);
  }

  /**
   * One optimizer step on the next mini-batch. Returns true when it completed an epoch (the
   * curves then have a new point). Throws, before the optimizer step, if the loss or a
   * gradient is not finite.
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
    const where = `epoch ${this.epoch + 1}, batch ${this.batchInEpoch}`;

    this.model.train();
    this.optimizer.zeroGrad();
    const modules = this.model.modules;
    const inputs: Tensor[] = [];
    const outputs: Tensor[] = [];
    let activation = x;
    for (const m of modules) { //                      forward: X → m₀ → m₁ → … → ŷ
      inputs.push(activation);
      activation = m.forward(activation);
      outputs.push(activation);
    }
    const loss = this.loss.forward(activation, y); //   L(ŷ, y)
    if (!Number.isFinite(loss)) {
      throw new Error(`the loss is ${loss} at ${where}; training stopped before the optimizer step (try a smaller learning rate)`);
    }
    const gradOuts: Tensor[] = new Array(modules.length);
    const gradInputs: Tensor[] = new Array(modules.length);
    let grad = this.loss.backward(); //                 ∂L/∂ŷ
    for (let i = modules.length - 1; i >= 0; i--) { // backward: the chain rule, last module first
      gradOuts[i] = grad;
      grad = modules[i].backward(grad);
      gradInputs[i] = grad;
    }
    for (const p of this.optimizer.params) {
      const bad = p.grad.firstNonFinite();
      if (bad >= 0) throw new Error(`the gradient of ${p} is ${p.grad.data[bad]} at ${where}; training stopped before the optimizer step`);
    }
    this.optimizer.step();
    this.steps += 1;
    this.lastStep = {
      epoch: this.epoch + 1,
      batch: this.batchInEpoch,
      batchSize: indices.length,
      loss,
      layers: modules.map((_, i) => ({ input: inputs[i], output: outputs[i], gradOut: gradOuts[i], gradInput: gradInputs[i] })),
    };

    if (this.cursor < n) return false;
    this.order = null;
    this.epoch += 1;
    this.measure();
    return true;
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
