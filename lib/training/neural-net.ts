import { MinidlError, checkInteger, checkPositive, formatShape } from '../errors';
import { BCEWithLogitsLoss } from '../losses/bce-with-logits';
import { Loss } from '../losses/loss';
import { MSELoss } from '../losses/mse';
import { Module, describe } from '../modules/module';
import { Optimizer } from '../optim/optimizer';
import { SGD } from '../optim/sgd';
import { Rng, defaultRng } from '../random/rng';
import { argmaxRows, takeRows } from '../tensor/ops';
import { runStep } from '../tensor/memory';
import { copyOut } from '../tensor/temporaries';
import { Tensor } from '../tensor/tensor';
import { onlyLibraryCode } from './library-code';

/**
 * Targets of a data set: a Tensor with one row per sample (e.g. one-hot rows [N, C], a column
 * [N, 1] of 0/1, or class indices [N]), or class indices as an array.
 */
export type Targets = Tensor | Int32Array | number[];

/** Options of `NeuralNet`. */
export interface NeuralNetOptions {
  /** The loss to minimise (default `new MSELoss()`, the course's). */
  loss?: Loss;
  /** The optimizer (default: `new SGD(model.params(), { lr, weightDecay })`). */
  optimizer?: Optimizer;
  /** Learning rate of the default SGD optimizer (default 0.1, the course's disk setting). */
  lr?: number;
  /** Weight decay λ of the default SGD optimizer (default 0). */
  weightDecay?: number;
  /** Generator for shuffling the training set each epoch (default: the one `manualSeed` seeds). */
  rng?: Rng;
}

/** What `NeuralNet.step` returns. */
export interface StepResult {
  /** The loss on the batch, before the update. */
  loss: number;
  /** The model's output on the batch, before the update. */
  output: Tensor;
}

/** A validation set for `fit`. */
export interface ValidationSet {
  /** Inputs [n, features]. */
  inputs: Tensor;
  /** Targets, in the same form as for `fit`. */
  targets: Targets;
  /** Class of each sample, for the error rate (default: read from the targets). */
  labels?: ArrayLike<number>;
}

/** Options of `NeuralNet.fit`. */
export interface FitOptions {
  /** Number of passes over the training set (default 1). */
  epochs?: number;
  /** Samples per mini-batch (default 100); the last batch of an epoch may be smaller. */
  batchSize?: number;
  /** Draw a new random order of the samples each epoch (default true). */
  shuffle?: boolean;
  /** Class of each training sample, for the error rate (default: read from the targets). */
  labels?: ArrayLike<number>;
  /** Evaluated after every epoch; its loss and error rate go into the history. */
  validation?: ValidationSet;
  /** Called after every epoch; return `false` to stop training there. */
  onEpoch?: (report: EpochReport) => void | boolean;
}

/** What `onEpoch` receives after each epoch. */
export interface EpochReport {
  /** 1 for the first epoch. */
  epoch: number;
  /** The epoch's loss over all its samples, each counted with the parameters of its batch's step. */
  loss: number;
  /** Fraction of training samples misclassified, each when its batch was processed (before the step). */
  trainError: number;
  /** Loss on the validation set after the epoch (null without one). */
  validationLoss: number | null;
  /** Error rate on the validation set after the epoch (null without one). */
  validationError: number | null;
  /** Seconds the epoch took, validation included. */
  seconds: number;
}

/** What `fit` returns: one entry per epoch in each list. */
export interface TrainingHistory {
  /** Mean training loss of each epoch (each batch's loss taken before its update). */
  loss: number[];
  /** Fraction of training samples misclassified during each epoch. */
  trainError: number[];
  /** Empty without a validation set. */
  validationLoss: number[];
  /** Empty without a validation set. */
  validationError: number[];
  /** Total seconds spent in `fit`. */
  seconds: number;
}

/** What `evaluate` returns. */
export interface Evaluation {
  /** The loss over the whole set (the loss's reduction applied to all samples at once). */
  loss: number;
  /** Fraction of samples classified correctly. */
  accuracy: number;
  /** 1 − accuracy. */
  errorRate: number;
  /** Number of samples. */
  count: number;
}

/**
 * The course's trainer: mini-batch gradient descent on a model, a loss and an optimizer.
 *
 * Each epoch visits every training sample once, in a new order drawn from the seeded `rng`,
 * in mini-batches of `batchSize` (the last one may be smaller). Each mini-batch is one step:
 *
 *   zeroGrad → forward → loss → backward → optimizer step
 *
 * If a loss (or a gradient) is NaN or infinite, training stops with an error naming the epoch
 * and the batch *before* the optimizer step, so the parameters keep their last finite values.
 * `fit` puts the model in training mode, `evaluate`/`predict` in evaluation mode (then restore
 * the mode it was in).
 *
 * ```ts
 * const net = new NeuralNet(model, { lr: 0.1 });
 * const history = net.fit(trainX, trainY, { epochs: 300, batchSize: 100 });
 * const { errorRate } = net.evaluate(testX, testY);
 * ```
 *
 * Class predictions (for error rates): the argmax of each output row, or, for a single output,
 * output > 0.5 (output > 0 with `BCEWithLogitsLoss`, whose outputs are logits).
 *
 * Speed: when the model, the loss and the optimizer are all minidl's own classes, each step and
 * evaluation batch runs as a step whose tensors are temporaries (lib/tensor/memory.ts): on the
 * 'wasm' backend they live in the kernels' memory and nothing is copied. With a class of your
 * own anywhere, your code may keep any tensor, so no step is opened: the same numbers, slower.
 */
export class NeuralNet {
  /** The network being trained. */
  readonly model: Module;
  /** The loss it is trained on. */
  readonly loss: Loss;
  /** The optimizer that updates `model.params()`. */
  readonly optimizer: Optimizer;
  private readonly rng: Rng;

  constructor(model: Module, options: NeuralNetOptions = {}) {
    if (!(model instanceof Module)) throw new MinidlError(`NeuralNet: model must be a Module, got ${describe(model)}`);
    if (options.loss !== undefined && !(options.loss instanceof Loss)) {
      throw new MinidlError(`NeuralNet: loss must be a Loss (e.g. new MSELoss()), got ${describe(options.loss)}`);
    }
    if (options.optimizer !== undefined && !(options.optimizer instanceof Optimizer)) {
      throw new MinidlError(`NeuralNet: optimizer must be an Optimizer (e.g. new SGD(model.params(), { lr: 0.1 })), got ${describe(options.optimizer)}`);
    }
    if (options.optimizer !== undefined && (options.lr !== undefined || options.weightDecay !== undefined)) {
      throw new MinidlError('NeuralNet: lr and weightDecay configure the default SGD optimizer; with your own optimizer, set them on it');
    }
    this.model = model;
    this.loss = options.loss ?? new MSELoss();
    this.optimizer = options.optimizer ?? new SGD(model.params(), {
      lr: checkPositive('NeuralNet', 'lr', options.lr ?? 0.1, true),
      weightDecay: checkPositive('NeuralNet', 'weightDecay', options.weightDecay ?? 0, true),
    });
    this.rng = options.rng ?? defaultRng();
  }

  /** Trains the model; returns the per-epoch history. */
  fit(inputs: Tensor, targets: Targets, options: FitOptions = {}): TrainingHistory {
    const epochs = checkInteger('NeuralNet.fit', 'epochs', options.epochs ?? 1);
    const batchSize = checkInteger('NeuralNet.fit', 'batchSize', options.batchSize ?? 100);
    const { x, y, labels } = this.checkData('NeuralNet.fit', inputs, targets, options.labels);
    const validation = options.validation
      ? this.checkData('NeuralNet.fit (validation)', options.validation.inputs, options.validation.targets, options.validation.labels)
      : null;
    const shuffle = options.shuffle ?? true;
    const n = x.shape[0];
    const history: TrainingHistory = { loss: [], trainError: [], validationLoss: [], validationError: [], seconds: 0 };
    const fitStart = now();
    const fast = onlyLibraryCode(this.model, this.loss, this.optimizer);

    for (let epoch = 1; epoch <= epochs; epoch++) {
      const epochStart = now();
      this.model.train();
      const order = shuffle ? this.rng.permutation(n) : identity(n);
      let lossTotal = 0;
      let wrong = 0;
      for (let start = 0, batch = 1; start < n; start += batchSize, batch++) {
        const indices = order.subarray(start, Math.min(start + batchSize, n));
        // with only minidl's code, every tensor of the step is a temporary: the next step reuses its memory
        this.asStep(fast, 'a NeuralNet training step', () => {
          const result = this.stepOn(takeRows(x, indices), takeRows(y, indices), epoch, batch);
          lossTotal += this.loss.reduction === 'mean' ? result.loss * indices.length : result.loss;
          const predicted = this.classifyOutput(result.output);
          for (let i = 0; i < indices.length; i++) if (predicted[i] !== labels[indices[i]]) wrong++;
        });
      }
      history.loss.push(this.loss.reduction === 'mean' ? lossTotal / n : lossTotal);
      history.trainError.push(wrong / n);
      let validationLoss: number | null = null;
      let validationError: number | null = null;
      if (validation) {
        const v = this.evaluateChecked(validation.x, validation.y, validation.labels);
        validationLoss = v.loss;
        validationError = v.errorRate;
        history.validationLoss.push(validationLoss);
        history.validationError.push(validationError);
      }
      const report: EpochReport = {
        epoch,
        loss: history.loss[epoch - 1],
        trainError: history.trainError[epoch - 1],
        validationLoss,
        validationError,
        seconds: (now() - epochStart) / 1000,
      };
      if (options.onEpoch && options.onEpoch(report) === false) break;
    }
    history.seconds = (now() - fitStart) / 1000;
    return history;
  }

  /**
   * One optimisation step on one mini-batch: zeroGrad, forward, loss, backward, and the
   * optimizer's update. Returns the loss (before the update) and the model's output (an
   * ordinary tensor, yours to keep). A loop of your own may call it for `fit`'s speed.
   */
  step(xBatch: Tensor, yBatch: Tensor, epoch = 1, batch = 1): StepResult {
    const fast = onlyLibraryCode(this.model, this.loss, this.optimizer);
    return this.asStep(fast, 'a NeuralNet training step', () => {
      const result = this.stepOn(xBatch, yBatch, epoch, batch);
      return fast ? { loss: result.loss, output: copyOut(result.output) } : result;
    });
  }

  /** Runs `fn` as a step whose tensors are temporaries when `fast`, else plainly (see the class doc). */
  private asStep<T>(fast: boolean, label: string, fn: () => T): T {
    return fast ? runStep(label, fn) : fn();
  }

  /** The step itself: zeroGrad, forward, loss, the NaN guard, backward, the optimizer's update. */
  private stepOn(xBatch: Tensor, yBatch: Tensor, epoch: number, batch: number): StepResult {
    const where = `epoch ${epoch}, batch ${batch}`;
    try {
      this.optimizer.zeroGrad();
      const output = this.model.forward(xBatch);
      const loss = this.loss.forward(output, yBatch);
      if (!Number.isFinite(loss)) {
        throw new NonFiniteError(`NeuralNet: the loss is ${loss} at ${where}; training stopped before the optimizer step, so the parameters keep their last finite values (try a smaller learning rate)`);
      }
      this.model.backward(this.loss.backward());
      for (const p of this.optimizer.params) {
        const bad = p.grad.firstNonFinite();
        if (bad >= 0) {
          throw new NonFiniteError(`NeuralNet: the gradient of ${p} is ${p.grad.data[bad]} at flat index ${bad} at ${where}; training stopped before the optimizer step, so the parameters keep their last finite values`);
        }
      }
      this.optimizer.step();
      return { loss, output };
    } catch (err) {
      if (err instanceof NonFiniteError || !(err instanceof Error)) throw err;
      throw new MinidlError(`NeuralNet (${where}): ${err.message}`, { cause: err });
    }
  }

  /** The model's outputs for `inputs`, computed in evaluation mode, `batchSize` rows at a time (default 1000). */
  predict(inputs: Tensor, options: { batchSize?: number } = {}): Tensor {
    if (!(inputs instanceof Tensor)) throw new MinidlError(`NeuralNet.predict: inputs must be a Tensor, got ${describe(inputs)}`);
    const batchSize = checkInteger('NeuralNet.predict', 'batchSize', options.batchSize ?? 1000);
    const fast = onlyLibraryCode(this.model, this.loss, null);
    return this.inEvalMode(() => {
      const n = inputs.shape[0];
      let result: Tensor | null = null;
      for (let start = 0; start < n; start += batchSize) {
        const output = this.asStep(fast, 'a NeuralNet.predict batch', () => {
          const batchOutput = this.model.forward(takeRows(inputs, rangeOf(start, Math.min(start + batchSize, n))));
          if (result === null) return copyOut(batchOutput); //       the first batch: its shape gives the result's
          result.data.set(batchOutput.data, start * (batchOutput.size / batchOutput.shape[0]));
          return null;
        });
        if (output !== null) {
          const rowSize = output.size / output.shape[0];
          result = new Tensor([n, ...output.shape.slice(1)], new Float64Array(n * rowSize)); // made outside any step
          result.data.set(output.data);
        }
      }
      return result as unknown as Tensor;
    });
  }

  /** The predicted class of each row of `inputs` (see the class doc for the rule). */
  classify(inputs: Tensor): Int32Array {
    return this.classifyOutput(this.predict(inputs));
  }

  /** Loss, accuracy and error rate of the model on a data set, in evaluation mode. */
  evaluate(inputs: Tensor, targets: Targets, options: { labels?: ArrayLike<number>; batchSize?: number } = {}): Evaluation {
    const { x, y, labels } = this.checkData('NeuralNet.evaluate', inputs, targets, options.labels);
    return this.evaluateChecked(x, y, labels, options.batchSize);
  }

  /** `NeuralNet(model, loss, optimizer)`, for messages. */
  toString(): string {
    return `NeuralNet(${this.model}, ${this.loss}, ${this.optimizer})`;
  }

  private evaluateChecked(x: Tensor, y: Tensor, labels: Int32Array, batchSize = 1000): Evaluation {
    checkInteger('NeuralNet.evaluate', 'batchSize', batchSize);
    const fast = onlyLibraryCode(this.model, this.loss, null);
    return this.inEvalMode(() => {
      const n = x.shape[0];
      let lossTotal = 0;
      let correct = 0;
      for (let start = 0; start < n; start += batchSize) {
        this.asStep(fast, 'a NeuralNet evaluation batch', () => {
          const indices = rangeOf(start, Math.min(start + batchSize, n));
          const output = this.model.forward(takeRows(x, indices));
          const loss = this.loss.forward(output, takeRows(y, indices));
          lossTotal += this.loss.reduction === 'mean' ? loss * indices.length : loss;
          const predicted = this.classifyOutput(output);
          for (let i = 0; i < indices.length; i++) if (predicted[i] === labels[indices[i]]) correct++;
        });
      }
      const accuracy = correct / n;
      return { loss: this.loss.reduction === 'mean' ? lossTotal / n : lossTotal, accuracy, errorRate: 1 - accuracy, count: n };
    });
  }

  /** Predicted classes from outputs: argmax per row, or a threshold for a single output column. */
  private classifyOutput(output: Tensor): Int32Array {
    const cols = output.cols;
    if (cols > 1) return argmaxRows(output.rank === 2 ? output : output.reshape([output.shape[0], cols]));
    const threshold = this.loss instanceof BCEWithLogitsLoss ? 0 : 0.5;
    const classes = new Int32Array(output.shape[0]);
    const scores = output.data;
    for (let i = 0; i < classes.length; i++) classes[i] = scores[i] > threshold ? 1 : 0;
    return classes;
  }

  private inEvalMode<T>(fn: () => T): T {
    const wasTraining = this.model.training;
    this.model.eval();
    try {
      return fn();
    } finally {
      this.model.train(wasTraining);
    }
  }

  /** Validates a data set and returns its targets as a Tensor and its class labels. */
  private checkData(who: string, inputs: Tensor, targets: Targets, labels?: ArrayLike<number>): { x: Tensor; y: Tensor; labels: Int32Array } {
    if (!(inputs instanceof Tensor)) throw new MinidlError(`${who}: inputs must be a Tensor, got ${describe(inputs)}`);
    const n = inputs.shape[0];
    const badInput = inputs.firstNonFinite();
    if (badInput >= 0) throw new MinidlError(`${who}: inputs hold a non-finite value (${inputs.data[badInput]}) in row ${Math.floor(badInput / inputs.cols)}`);
    let y: Tensor;
    if (targets instanceof Tensor) {
      y = targets;
    } else if (targets instanceof Int32Array || Array.isArray(targets)) {
      y = Tensor.fromArray(targets, [targets.length]);
    } else {
      throw new MinidlError(`${who}: targets must be a Tensor or an array of class indices, got ${describe(targets)}`);
    }
    if (y.shape[0] !== n) {
      throw new MinidlError(`${who}: inputs have ${n} rows (shape ${formatShape(inputs.shape)}) but targets have ${y.shape[0]} (shape ${formatShape(y.shape)})`);
    }
    const badTarget = y.firstNonFinite();
    if (badTarget >= 0) throw new MinidlError(`${who}: targets hold a non-finite value (${y.data[badTarget]}) in row ${Math.floor(badTarget / y.cols)}`);
    let classes: Int32Array;
    if (labels !== undefined) {
      if (labels.length !== n) throw new MinidlError(`${who}: labels has ${labels.length} entries but inputs have ${n} rows`);
      classes = Int32Array.from(labels);
    } else {
      classes = labelsFromTargets(y);
    }
    return { x: inputs, y, labels: classes };
  }
}

/** Class labels read from targets: indices as given, argmax of one-hot rows, or a 0/1 column thresholded at 0.5. */
export function labelsFromTargets(targets: Tensor): Int32Array {
  if (targets.rank === 1) return Int32Array.from(targets.data);
  const cols = targets.cols;
  if (cols > 1) return argmaxRows(targets.rank === 2 ? targets : targets.reshape([targets.shape[0], cols]));
  const out = new Int32Array(targets.shape[0]);
  for (let i = 0; i < out.length; i++) out[i] = targets.data[i] > 0.5 ? 1 : 0;
  return out;
}

/** Thrown when a loss or gradient is NaN/±Infinity; passed through `step` unwrapped. */
class NonFiniteError extends MinidlError {}

function identity(n: number): Int32Array {
  return rangeOf(0, n);
}

function rangeOf(start: number, end: number): Int32Array {
  const out = new Int32Array(end - start);
  for (let i = 0; i < out.length; i++) out[i] = start + i;
  return out;
}

function now(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}
