import { MinidlError, checkInteger, checkPositive, describeValue, formatShape } from '../errors';
import { BCELoss } from '../losses/bce';
import { Loss } from '../losses/loss';
import { MSELoss } from '../losses/mse';
import { Module, ownGenerators } from '../modules/module';
import { modulesInTree, withStateKeptByCaller } from '../modules/containers/sequential';
import { Dropout } from '../modules/regularization/dropout';
import { BatchNorm1d } from '../modules/normalization/batch-norm1d';
import { Optimizer } from '../optim/optimizer';
import { LRScheduler } from '../optim/schedulers/lr-scheduler';
import { OneCycleLR } from '../optim/schedulers/one-cycle-lr';
import { ReduceLROnPlateau } from '../optim/schedulers/reduce-lr-on-plateau';
import { SGD } from '../optim/sgd';
import { OptionCheck, aBoolean, aFunction, aNumber, anInteger, instanceOf, oneOf, readOptions } from '../options';
import { Rng, defaultRng } from '../random/rng';
import { runStep } from '../tensor/memory';
import { clipGradNorm, clipGradValue } from '../tools/clip-grad';
import { argmaxRows, takeRows } from '../tensor/ops';
import { copyOut } from '../tensor/temporaries';
import { Tensor } from '../tensor/tensor';
import { isLibraryInstance, onlyLibraryCode } from './library-code';
import { dataReader, withoutInputGradient } from './input-gradient';
import { StepCheckpoint } from './step-checkpoint';
import { StepDecisions } from './step-decisions';

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
  /**
   * Generator for shuffling the training set each epoch (default: the one `manualSeed` seeds,
   * looked up at each epoch, so a `manualSeed` after `new NeuralNet(…)` counts).
   */
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
  /**
   * Class of each training sample, for the error rate (default: read from the targets). Refused
   * for a model whose output has no error rate (several predictions per sample; see the class doc).
   */
  labels?: ArrayLike<number>;
  /** Evaluated after every epoch; its loss and error rate go into the history. */
  validation?: ValidationSet;
  /** Called after every epoch; return `false` to stop training there. */
  onEpoch?: (report: EpochReport) => void | boolean;
  /**
   * A learning-rate schedule of this net's optimizer, stepped as in PyTorch's loops: after every
   * batch's update (interval 'batch'), or after every epoch, once the validation set is evaluated
   * (interval 'epoch'). ReduceLROnPlateau is given the epoch's validation loss, or its training
   * loss without a validation set.
   */
  scheduler?: LRScheduler;
  /** When the scheduler steps: 'batch' for OneCycleLR (built for it), 'epoch' for the others (the defaults). */
  schedulerInterval?: 'epoch' | 'batch';
  /**
   * Clip the gradients by their total 2-norm before every update: `clipGradNorm(params,
   * clipGradNorm)` between backward and the optimizer's step, as PyTorch's loops do
   * (lib/tools/clip-grad.ts). A number > 0; default: no clipping.
   */
  clipGradNorm?: number;
  /** Clip every gradient entry into [−clipGradValue, clipGradValue] before every update (`clipGradValue`). A number > 0. */
  clipGradValue?: number;
  /** Called after every batch's update; return `false` to stop training there (the epoch is then not reported). */
  onBatch?: (report: BatchReport) => void | boolean;
  /**
   * Stop when the validation metric has not improved for `patience` epochs (Keras' EarlyStopping,
   * with its names in camelCase): needs a validation set. The history then ends at the stopping
   * epoch and says which epoch was best.
   */
  earlyStopping?: EarlyStoppingOptions;
  /**
   * Save the run every `every` epochs: after the epoch's scheduler step, `save` is given
   * everything a checkpoint holds ({ model, optimizer, scheduler, rng, epoch }), ready for
   * `saveCheckpoint(file, state)` from `minidl/node` (this entry point writes no files itself).
   */
  checkpoint?: CheckpointOptions;
}

/** Options of `fit`'s periodic checkpoints. */
export interface CheckpointOptions {
  /** Save after every `every`-th epoch (counted with `epochsDone`): a whole number ≥ 1. */
  every: number;
  /** Called with the run's state; e.g. `(state) => saveCheckpoint(\`run-${state.epoch}.ckpt.json\`, state)`. An error it throws stops fit and is passed on. */
  save: (state: TrainingState) => void;
  /** Epochs done before this fit (a run resumed from a checkpoint of epoch 5 passes 5), so `epoch` and `every` count the whole run. Default 0. */
  epochsDone?: number;
}

/**
 * A training run's state after an epoch, as `fit`'s checkpoint option hands it out: what
 * `saveCheckpoint` (minidl/node) saves and `loadCheckpoint` puts back. Loaded into a model,
 * optimizer, scheduler and generator built the same way, training goes on to the bit. (Early
 * stopping's count of epochs without improvement is not part of it.)
 */
export interface TrainingState {
  /** The model being trained. */
  model: Module;
  /** The net's optimizer. */
  optimizer: Optimizer;
  /** The scheduler given to fit, if any. */
  scheduler?: LRScheduler;
  /** The generator fit shuffles with: the net's `rng`, or the global one (`defaultRng()`) — the one a Dropout without `rng` draws from too. */
  rng: Rng;
  /** Epochs done: `epochsDone` + the epochs of this fit so far. */
  epoch: number;
}

/** What `onBatch` receives after each batch's update. */
export interface BatchReport {
  /** 1 for the first epoch. */
  epoch: number;
  /** 1 for the first batch of the epoch. */
  batch: number;
  /** The batch's loss, before the update. */
  loss: number;
  /** The learning rate the update used. */
  lr: number;
}

/** Options of `fit`'s early stopping (Keras' `EarlyStopping`: monitor, min_delta, patience, restore_best_weights). */
export interface EarlyStoppingOptions {
  /** What to watch on the validation set: 'validationLoss' (default) or 'validationError'; lower is better. */
  monitor?: 'validationLoss' | 'validationError';
  /**
   * Stop once this many epochs in a row have not improved (default 0; as in Keras, 0 and 1 both
   * stop at the first epoch that does not improve).
   */
  patience?: number;
  /** An improvement must lower the best value by more than this (default 0). */
  minDelta?: number;
  /** At the end of fit (stopped early or not), put back the parameters and buffers of the best epoch (default false; optimizer state is not put back, as in Keras). */
  restoreBest?: boolean;
}

/** What `onEpoch` receives after each epoch. */
export interface EpochReport {
  /** 1 for the first epoch. */
  epoch: number;
  /** The epoch's loss over all its samples, each counted with the parameters of its batch's step. */
  loss: number;
  /** Fraction of training samples misclassified, each when its batch was processed (before the step); NaN when the output has no error rate (see NeuralNet). */
  trainError: number;
  /** Loss on the validation set after the epoch (null without one). */
  validationLoss: number | null;
  /** Error rate on the validation set after the epoch (null without one; NaN when the output has no error rate). */
  validationError: number | null;
  /** Seconds the epoch took, validation included. */
  seconds: number;
}

/** What `fit` returns: one entry per epoch in each list. */
export interface TrainingHistory {
  /** Mean training loss of each epoch (each batch's loss taken before its update). */
  loss: number[];
  /** Fraction of training samples misclassified during each epoch (NaN when the output has no error rate, see NeuralNet). */
  trainError: number[];
  /** Empty without a validation set. */
  validationLoss: number[];
  /** With early stopping: the epoch (1-based) whose validation metric was best. */
  bestEpoch?: number;
  /** With early stopping: true when it stopped training before the last epoch. */
  stoppedEarly?: boolean;
  /** Empty without a validation set. */
  validationError: number[];
  /** Total seconds spent in `fit`. */
  seconds: number;
}

/** What `evaluate` returns. */
export interface Evaluation {
  /** The loss over the whole set (the loss's reduction applied to all samples at once). */
  loss: number;
  /** Fraction of samples classified correctly (NaN when the output has no error rate, see NeuralNet). */
  accuracy: number;
  /** Fraction of samples classified wrongly: (count − correct) / count, i.e. 1 − accuracy (NaN as accuracy). */
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
 * Nothing is lost when something goes wrong:
 *
 * - `fit` checks everything it can before its first step, and before it draws a single random
 *   number: its options, the data (finite, rows matching, labels whole class numbers), the
 *   inputs against the model and the targets against the loss (a forward pass on one sample in
 *   evaluation mode, which changes nothing), the validation set the same way, the callback, and
 *   batch sizes the model cannot take (a batch of one sample through BatchNorm1d in training).
 * - A step that fails — a layer that refuses its input, a loss or gradient that is NaN or
 *   infinite, an optimizer hyper-parameter made invalid, an update that overflows a weight, a
 *   running statistic that becomes infinite — leaves the parameters, the buffers and the
 *   optimizer's state as they were before that step (a `StepCheckpoint` is taken before each
 *   step and put back), and the error names the epoch, the batch and the cause, with advice when
 *   training diverged (try a smaller learning rate).
 *
 * `fit` puts the model in training mode, `evaluate`/`predict` in evaluation mode (then restore
 * the mode it was in).
 *
 * ```ts
 * const net = new NeuralNet(model, { lr: 0.1 });
 * const history = net.fit(trainX, trainY, { epochs: 300, batchSize: 100 });
 * const { errorRate } = net.evaluate(testX, testY);
 * ```
 *
 * Class predictions (for error rates) are the loss's decision rule, `loss.classify(output)`: the
 * argmax of each output row, or, for a single output, output > 0.5 (output > 0 with
 * `BCEWithLogitsLoss`, whose outputs are logits).
 *
 * An output with several predictions per sample — [N, T, F] for a sequence, [N, C, d] — gives no
 * class per sample, and the loss's rule refuses it. Such a model still trains and is evaluated on
 * its loss (MSELoss with targets [N, T, F], say, or CrossEntropyLoss with logits [N, C, T] and
 * targets [N, T]); it just has no error rate: `trainError`, `validationError`, and `evaluate`'s
 * `accuracy` and `errorRate` are NaN, and what needs an error rate is refused before the first
 * step (`labels`, early stopping on 'validationError'). For an error rate per position, give the
 * scores as rows [N·T, C].
 *
 * The error rate also needs targets that name classes: class indices [N], rows that are all
 * one-hot at the same two levels (0/1, −1/1, label smoothing's 0.05/0.9) or all probabilities
 * (entries in [0, 1] summing to 1), or one column of values in [0, 1] (thresholded at 0.5).
 * Targets of a regression — other real values, or several 1s in a row (multi-label) — name no
 * class: without `labels` their error rates are NaN too (the argmax of such a row would count
 * something that is not an error), and early stopping on 'validationError' is refused. Give
 * `labels` to count errors against classes of your own.
 *
 * Speed: when the model, the loss and the optimizer are all minidl's own classes, each step and
 * evaluation batch runs as a step whose tensors are temporaries (lib/tensor/memory.ts): on the
 * 'wasm' backend they live in the kernels' memory and nothing is copied. With a class of your
 * own anywhere, your code may keep any tensor, so no step is opened: the same numbers, slower.
 * `fit` decides this once, and again after a hook was registered or removed or a container
 * changed (lib/training/step-decisions.ts). During a step the module that reads the data is told its input needs no gradient
 * (`inputNeedsGrad = false`, lib/training/input-gradient.ts): a first Conv2d or Linear skips ∂L/∂X.
 */
export class NeuralNet {
  /** The network being trained. */
  readonly model: Module;
  /** The loss it is trained on. */
  readonly loss: Loss;
  /** The optimizer that updates `model.params()`. */
  readonly optimizer: Optimizer;
  /** The generator given as `rng`, or null for the global one (looked up at each epoch). */
  private readonly rng: Rng | null;
  /** What a step changes, kept to undo a failing step (made at the first step, again by each `fit`). */
  private checkpoint: StepCheckpoint | null = null;
  /** The clipping `fit` was asked for, applied between backward and the update; null: none. */
  private clipping: { norm: number | null; value: number | null } | null = null;

  /**
   * A trainer for `model`. Throws a MinidlError for a model that is not a Module, options that
   * are not an object of known keys (a Loss passed where `{ loss }` belongs says so), an
   * optimizer that updates none of the model's parameters, or `lr` / `weightDecay` next to an
   * optimizer of your own (they configure the default SGD).
   */
  constructor(model: Module, options: NeuralNetOptions = {}) {
    if (!(model instanceof Module)) throw new MinidlError(`NeuralNet: model must be a Module, got ${describeValue(model)}`);
    const o = readOptions<NeuralNetOptions>('NeuralNet', options, {
      loss: instanceOf(Loss, 'a Loss such as new MSELoss()'),
      optimizer: instanceOf(Optimizer, 'an Optimizer such as new SGD(model.params(), { lr: 0.1 })'),
      lr: aNumber,
      weightDecay: aNumber,
      rng: instanceOf(Rng, 'an Rng such as new Rng(0)'),
    });
    if (o.optimizer !== undefined && (o.lr !== undefined || o.weightDecay !== undefined)) {
      throw new MinidlError('NeuralNet: lr and weightDecay configure the default SGD optimizer; with your own optimizer, set them on it');
    }
    if (o.optimizer !== undefined) {
      const own = new Set(model.params());
      if (own.size > 0 && !o.optimizer.params.some((p) => own.has(p))) {
        throw new MinidlError(`NeuralNet: the optimizer ${o.optimizer} updates none of the model's parameters (make it with model.params() of this model)`);
      }
    }
    const lr = checkPositive('NeuralNet', 'lr', o.lr ?? 0.1, true);
    const weightDecay = checkPositive('NeuralNet', 'weightDecay', o.weightDecay ?? 0, true);
    this.model = model;
    this.loss = o.loss ?? new MSELoss();
    this.optimizer = o.optimizer ?? new SGD(model.params(), { lr, weightDecay });
    this.rng = o.rng ?? null;
  }

  /**
   * Trains the model; returns the per-epoch history. Everything it can check is checked before
   * the first step (see the class doc); a step that fails is undone and named. Throws a
   * MinidlError for any bad input, leaving the model, the optimizer and the generator as they
   * were; an error thrown by `onEpoch` is passed on as it is.
   */
  fit(inputs: Tensor, targets: Targets, options: FitOptions = {}): TrainingHistory {
    const who = 'NeuralNet.fit';
    const o = readOptions<FitOptions>(who, options, {
      epochs: anInteger, batchSize: anInteger, shuffle: aBoolean, labels: CLASS_LIST, validation: A_VALIDATION_SET, onEpoch: aFunction,
      scheduler: A_SCHEDULER,
      schedulerInterval: oneOf('epoch', 'batch'),
      clipGradNorm: aNumber, clipGradValue: aNumber, onBatch: aFunction, earlyStopping: AN_OPTIONS_OBJECT, checkpoint: AN_OPTIONS_OBJECT,
    }, { positional: 'epochs' });
    const epochs = checkInteger(who, 'epochs', o.epochs ?? 1);
    const batchSize = checkInteger(who, 'batchSize', o.batchSize ?? 100);
    const shuffle = o.shuffle ?? true;
    const data = this.checkData(who, inputs, targets, o.labels);
    const validationData = o.validation === undefined ? null : this.readValidation(o.validation);
    const decisions = new StepDecisions(this.model, this.loss, this.optimizer); // the fast path and the data's reader, found again only when a hook or a container changed
    const fast = decisions.fast;
    const { x, y } = data;
    const labels = this.checkAgainstModel(who, data, fast);
    const validation = validationData === null ? null
      : { x: validationData.x, y: validationData.y, labels: this.checkAgainstModel(`${who} (validation set)`, validationData, fast) };
    this.checkBatchSizes(who, x.shape[0], batchSize);
    const clipping = this.readClipping(who, o.clipGradNorm, o.clipGradValue);
    const stopping = o.earlyStopping === undefined ? null : readEarlyStopping(who, o.earlyStopping, validation !== null);
    if (stopping !== null && stopping.monitor === 'validationError' && labels === null) {
      throw new MinidlError(`${who}: earlyStopping monitors 'validationError', but this run has no error rate (the model's output holds several predictions per sample, or the targets name no classes: see the class doc); monitor 'validationLoss'`);
    }
    const scheduler = o.scheduler ?? null;
    const interval = o.schedulerInterval ?? (scheduler instanceof OneCycleLR ? 'batch' : 'epoch');
    if (scheduler !== null) this.checkScheduler(who, scheduler, interval, epochs, epochs * Math.ceil(x.shape[0] / batchSize));
    const saving = o.checkpoint === undefined ? null : readCheckpointOptions(who, o.checkpoint);
    if (saving !== null) this.checkOneGenerator(who);
    this.checkpoint = new StepCheckpoint(this.model, this.optimizer);
    this.clipping = clipping;
    try {
      return this.fitChecked(x, y, labels, decisions, { epochs, batchSize, shuffle, validation, scheduler, interval, onEpoch: o.onEpoch, onBatch: o.onBatch, stopping, saving });
    } finally {
      this.clipping = null; // clipping is an option of this fit only (step() called later does not clip)
    }
  }

  /** `fit` once everything is checked: the epochs. */
  private fitChecked(x: Tensor, y: Tensor, labels: Int32Array | null, decisions: StepDecisions, run: {
    epochs: number; batchSize: number; shuffle: boolean; validation: { x: Tensor; y: Tensor; labels: Int32Array | null } | null;
    scheduler: LRScheduler | null; interval: 'epoch' | 'batch'; onEpoch?: (report: EpochReport) => void | boolean;
    onBatch?: (report: BatchReport) => void | boolean; stopping: Required<EarlyStoppingOptions> | null; saving: Required<CheckpointOptions> | null;
  }): TrainingHistory {
    const { epochs, batchSize, shuffle, validation, scheduler, interval, stopping, saving } = run;
    const n = x.shape[0];
    let best = Infinity;
    let bestEpoch = 0;
    let wait = 0;
    let bestValues: Float64Array[] | null = null;
    let stop = false;
    const history: TrainingHistory = { loss: [], trainError: [], validationLoss: [], validationError: [], seconds: 0 };
    const fitStart = now();
    for (let epoch = 1; epoch <= epochs; epoch++) {
      const epochStart = now();
      this.model.train();
      const order = shuffle ? (this.rng ?? defaultRng()).permutation(n) : identity(n);
      let lossTotal = 0;
      let weightTotal = 0;
      let wrong = 0;
      for (let start = 0, batch = 1; start < n; start += batchSize, batch++) {
        const indices = order.subarray(start, Math.min(start + batchSize, n));
        const lr = this.optimizer.lr;
        let batchLoss = 0;
        // with only minidl's code, every tensor of the step is a temporary: the next step reuses its memory
        // (decided again after a hook was registered or removed: one that onBatch or onEpoch adds makes it code of yours)
        this.asStep(decisions.fast, 'a NeuralNet training step', () => {
          const result = this.guardedStep(takeRows(x, indices), takeRows(y, indices), `epoch ${epoch}, batch ${batch}`, decisions.dataReader);
          batchLoss = result.loss;
          const weight = this.loss.meanWeight(); //                         the batch mean's weight in the epoch's mean
          lossTotal += this.loss.reduction === 'mean' ? result.loss * weight : result.loss;
          weightTotal += weight;
          if (labels !== null) { //                                         (null: this output has no error rate)
            const predicted = this.classifyOutput(result.output);
            for (let i = 0; i < indices.length; i++) if (predicted[i] !== labels[indices[i]]) wrong++;
          }
        });
        if (scheduler !== null && interval === 'batch') scheduler.step(); // after the batch's update, as PyTorch's loop
        if (run.onBatch !== undefined && run.onBatch({ epoch, batch, loss: batchLoss, lr }) === false) {
          stop = true;
          break;
        }
      }
      if (stop) break;
      history.loss.push(this.loss.reduction === 'mean' ? lossTotal / weightTotal : lossTotal);
      history.trainError.push(labels === null ? NaN : wrong / n);
      let validationLoss: number | null = null;
      let validationError: number | null = null;
      if (validation !== null) {
        const v = this.evaluateChecked(validation.x, validation.y, validation.labels);
        validationLoss = v.loss;
        validationError = v.errorRate;
        history.validationLoss.push(validationLoss);
        history.validationError.push(validationError);
      }
      if (scheduler instanceof ReduceLROnPlateau) scheduler.step(validationLoss ?? history.loss[epoch - 1]); // the metric it watches
      else if (scheduler !== null && interval === 'epoch') scheduler.step(); //                          after the epoch's updates
      const report: EpochReport = {
        epoch,
        loss: history.loss[epoch - 1],
        trainError: history.trainError[epoch - 1],
        validationLoss,
        validationError,
        seconds: (now() - epochStart) / 1000,
      };
      if (stopping !== null) {
        // Keras' EarlyStopping: an improvement lowers the best value by more than minDelta
        const current = stopping.monitor === 'validationLoss' ? (validationLoss as number) : (validationError as number);
        if (current < best - stopping.minDelta) {
          best = current;
          bestEpoch = epoch;
          wait = 0;
          if (stopping.restoreBest) bestValues = this.stateValues();
        } else {
          wait += 1;
        }
        history.bestEpoch = bestEpoch;
        history.stoppedEarly = false;
        if (wait > 0 && wait >= stopping.patience) history.stoppedEarly = epoch < epochs; // Keras: wait ≥ patience
      }
      const epochsDone = saving === null ? 0 : saving.epochsDone + epoch;
      if (saving !== null && epochsDone % saving.every === 0) {
        const state: TrainingState = { model: this.model, optimizer: this.optimizer, rng: this.rng ?? defaultRng(), epoch: epochsDone };
        if (scheduler !== null) state.scheduler = scheduler;
        saving.save(state);
      }
      if (run.onEpoch !== undefined && run.onEpoch(report) === false) break;
      if (history.stoppedEarly === true) break;
    }
    if (bestValues !== null) this.putStateValues(bestValues);
    history.seconds = (now() - fitStart) / 1000;
    return history;
  }

  /**
   * One optimisation step on one mini-batch: zeroGrad, forward, loss, backward, and the
   * optimizer's update. Returns the loss (before the update) and the model's output (an
   * ordinary tensor, yours to keep). A loop of your own may call it for `fit`'s speed — make the
   * batch inside `withTemporaryTensors` too (`withTemporaryTensors(() => net.step(takeRows(x, i),
   * takeRows(y, i)).loss)`), so that its rows live where the kernels read them in place. A step
   * that fails leaves the parameters, buffers and optimizer state as they were (see the class
   * doc); `epoch` and `batch` only name the step in messages.
   */
  step(xBatch: Tensor, yBatch: Tensor, epoch = 1, batch = 1): StepResult {
    const who = 'NeuralNet.step';
    if (!(xBatch instanceof Tensor)) throw new MinidlError(`${who}: xBatch must be a Tensor, got ${describeValue(xBatch)}`);
    if (!(yBatch instanceof Tensor)) throw new MinidlError(`${who}: yBatch must be a Tensor, got ${describeValue(yBatch)}`);
    checkInteger(who, 'epoch', epoch);
    checkInteger(who, 'batch', batch);
    checkSamples(who, xBatch, yBatch); // no labels: a step does not need them
    const fast = onlyLibraryCode(this.model, this.loss, this.optimizer);
    return this.asStep(fast, 'a NeuralNet training step', () => {
      const result = this.guardedStep(xBatch, yBatch, `epoch ${epoch}, batch ${batch}`, dataReader(this.model));
      return fast ? { loss: result.loss, output: copyOut(result.output) } : result;
    });
  }

  /**
   * For fit's checkpoints: refuses a model with a module that draws from another generator than
   * the one fit shuffles with (the net's `rng`, or the global one). A checkpoint holds one
   * generator, so such a run could not resume exactly. The generators are a Dropout's (its `rng`,
   * else the global one) and any Rng a module keeps in a field (a module of yours that draws).
   */
  private checkOneGenerator(who: string): void {
    const runs = this.rng ?? defaultRng();
    for (const m of modulesInTree(this.model)) {
      const own = ownGenerators(m);
      const draws = own.length === 0 && m instanceof Dropout ? [defaultRng()] : own;
      if (draws.some((rng) => rng !== runs)) {
        throw new MinidlError(`${who}: checkpoint: ${m} draws from another generator than the one fit shuffles with (${this.rng === null ? 'the global one' : "the net's rng"}); ` +
          'a checkpoint holds one generator, so the run could not resume exactly. Give the same Rng to NeuralNet and to every Dropout, or to none of them');
      }
    }
  }

  /** Runs `fn` as a step whose tensors are temporaries when `fast`, else plainly (see the class doc). */
  private asStep<T>(fast: boolean, label: string, fn: () => T): T {
    return fast ? runStep(label, fn) : fn();
  }

  /**
   * A step that is undone if it fails: the checkpoint is saved, the step runs, and the
   * parameters, buffers and optimizer state are checked to be finite; on any error they are put
   * back, and the error is re-thrown naming `where` (epoch and batch) and the cause. `reader`, the
   * module that reads the data (`dataReader`), is told during the step that its input needs no gradient.
   */
  private guardedStep(xBatch: Tensor, yBatch: Tensor, where: string, reader: Module | null): StepResult {
    const checkpoint = (this.checkpoint ??= new StepCheckpoint(this.model, this.optimizer));
    checkpoint.save();
    try {
      // the checkpoint gives back what a failure changed; the first layer is told its input (the data) needs no gradient
      const result = withStateKeptByCaller(() => withoutInputGradient(reader, () => this.stepOn(xBatch, yBatch)));
      const bad = checkpoint.firstNonFinite();
      if (bad !== null) {
        throw new DivergedError(`${bad.label} became ${bad.value} (at flat index ${bad.index}) in this step`);
      }
      return result;
    } catch (err) {
      checkpoint.restore();
      throw stepError(err, where);
    }
  }

  /** The step itself: zeroGrad, forward, loss, the NaN guard on the loss and gradients, backward, the optimizer's update. */
  private stepOn(xBatch: Tensor, yBatch: Tensor): StepResult {
    // exercise NeuralNet.stepOn ▼
    this.optimizer.zeroGrad();
    const output = this.model.forward(xBatch);
    const loss = this.loss.forward(output, yBatch);
    if (!Number.isFinite(loss)) throw new DivergedError(`the loss is ${loss}`);
    this.model.backward(this.loss.backward());
    for (const p of this.optimizer.params) {
      const bad = p.grad.firstNonFinite();
      if (bad >= 0) throw new DivergedError(`the gradient of ${p} is ${p.grad.data[bad]} at flat index ${bad}`);
    }
    // exercise ▲
    this.clipGradients(); // fit's clipGradNorm / clipGradValue: between backward and the update, as PyTorch's loops clip
    // exercise NeuralNet.stepOn ▼
    this.optimizer.step();
    return { loss, output };
    // exercise ▲
  }

  /**
   * The model's outputs for `inputs`, computed in evaluation mode, `batchSize` rows at a time
   * (default 1000). Throws a MinidlError for inputs that are not a finite Tensor or bad options.
   */
  predict(inputs: Tensor, options: { batchSize?: number } = {}): Tensor {
    const who = 'NeuralNet.predict';
    const o = readOptions<{ batchSize?: number }>(who, options, { batchSize: anInteger }, { positional: 'batchSize' });
    const batchSize = checkInteger(who, 'batchSize', o.batchSize ?? 1000);
    checkInputs(who, inputs);
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

  /**
   * Loss, accuracy and error rate of the model on a data set, in evaluation mode. Throws a
   * MinidlError for data that `fit` would refuse, or bad options.
   */
  evaluate(inputs: Tensor, targets: Targets, options: { labels?: ArrayLike<number>; batchSize?: number } = {}): Evaluation {
    const who = 'NeuralNet.evaluate';
    const o = readOptions<{ labels?: ArrayLike<number>; batchSize?: number }>(who, options, { labels: CLASS_LIST, batchSize: anInteger });
    const batchSize = checkInteger(who, 'batchSize', o.batchSize ?? 1000);
    const data = this.checkData(who, inputs, targets, o.labels);
    const labels = this.checkAgainstModel(who, data, onlyLibraryCode(this.model, this.loss, null));
    return this.evaluateChecked(data.x, data.y, labels, batchSize);
  }

  /** `NeuralNet(model, loss, optimizer)`, for messages. */
  toString(): string {
    return `NeuralNet(${this.model}, ${this.loss}, ${this.optimizer})`;
  }

  /** evaluate once everything is checked; `labels` null: the output has no error rate (accuracy and errorRate NaN). */
  private evaluateChecked(x: Tensor, y: Tensor, labels: Int32Array | null, batchSize = 1000): Evaluation {
    const fast = onlyLibraryCode(this.model, this.loss, null);
    return this.inEvalMode(() => {
      const n = x.shape[0];
      let lossTotal = 0;
      let weightTotal = 0;
      let correct = 0;
      for (let start = 0; start < n; start += batchSize) {
        this.asStep(fast, 'a NeuralNet evaluation batch', () => {
          const indices = rangeOf(start, Math.min(start + batchSize, n));
          const output = this.model.forward(takeRows(x, indices));
          const loss = this.loss.forward(output, takeRows(y, indices));
          const weight = this.loss.meanWeight(); //                         the batch mean's weight in the whole set's mean
          lossTotal += this.loss.reduction === 'mean' ? loss * weight : loss;
          weightTotal += weight;
          if (labels !== null) { //                                         (null: this output has no error rate)
            const predicted = this.classifyOutput(output);
            for (let i = 0; i < indices.length; i++) if (predicted[i] === labels[indices[i]]) correct++;
          }
        });
      }
      // Both as fractions of n, each rounded once: 21 errors in 1000 give 0.021, not 1 − 0.979.
      const loss = this.loss.reduction === 'mean' ? lossTotal / weightTotal : lossTotal;
      if (labels === null) return { loss, accuracy: NaN, errorRate: NaN, count: n };
      return { loss, accuracy: correct / n, errorRate: (n - correct) / n, count: n };
    });
  }

  /** Predicted classes from outputs: the loss's decision rule (`Loss.classify`). */
  private classifyOutput(output: Tensor): Int32Array {
    return this.loss.classify(output);
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

  /** Reads `fit`'s validation option: `{ inputs, targets, labels? }`, checked as training data. */
  private readValidation(validation: ValidationSet): CheckedData {
    const who = 'NeuralNet.fit (validation set)';
    const v = readOptions<ValidationSet>(who, validation, { inputs: instanceOf(Tensor, 'a Tensor'), targets: TARGETS, labels: CLASS_LIST }, { argument: 'validation' });
    if (v.inputs === undefined || v.targets === undefined) {
      throw new MinidlError(`${who}: expected { inputs, targets } (and optionally labels), got no ${v.inputs === undefined ? 'inputs' : 'targets'}`);
    }
    return this.checkData(who, v.inputs, v.targets, v.labels);
  }

  /**
   * Before any step: the model takes the inputs (one sample, forward in evaluation mode, which
   * changes no parameter, buffer or generator), the loss takes the targets (all of them, against
   * a stand-in prediction of the model's output shape, for minidl's own losses), and the labels
   * name classes the output has. Returns the labels to count errors with, or null when the output
   * holds several predictions per sample ([N, T, F]) and the loss's decision rule refuses it (labels
   * given by the caller are then refused, they could not be used), or when no labels were given and
   * the targets name no classes (a regression's): then the run has no error rate.
   */
  private checkAgainstModel(who: string, data: CheckedData, fast: boolean): Int32Array | null {
    const { x, y, labels } = data;
    const outputShape = this.inEvalMode(() => this.asStep(fast, `a ${who} check`, () => {
      try {
        return this.model.forward(takeRows(x, Int32Array.of(0))).shape;
      } catch (err) {
        throw new MinidlError(`${who}: the model cannot take these inputs (shape ${formatShape(x.shape)}): ${messageOf(err)}`, { cause: err });
      }
    }));
    const n = x.shape[0];
    if (isLibraryInstance(this.loss)) {
      this.asStep(fast, `a ${who} check`, () => {
        const standIn = Tensor.full([n, ...outputShape.slice(1)], this.loss instanceof BCELoss ? 0.5 : 0);
        try {
          this.loss.forward(standIn, y);
        } catch (err) {
          throw new MinidlError(`${who}: the targets (shape ${formatShape(y.shape)}) do not suit ${this.loss} and the model's output (shape [${n},${outputShape.slice(1).join(',')}]): ${messageOf(err)}`, { cause: err });
        }
      });
    }
    try {
      this.loss.classify(Tensor.zeros([1, ...outputShape.slice(1)])); // the decision rule must take this output
    } catch (err) {
      const shape = `[${n},${outputShape.slice(1).join(',')}]`;
      if (outputShape.length <= 2) {
        throw new MinidlError(`${who}: the error rate cannot be counted for the model's output (shape ${shape}): ${messageOf(err)}`, { cause: err });
      }
      if (data.labelsGiven) {
        throw new MinidlError(`${who}: labels were given, but the model's output (shape ${shape}) holds several predictions per sample, ` +
          `so there is no class per sample to compare them with (${messageOf(err)}); leave labels out to train on the loss alone (the error rates are then NaN)`, { cause: err });
      }
      return null; // several predictions per sample: trained on the loss alone, no error rate
    }
    if (!data.labelsGiven && !targetsNameClasses(data.y)) return null; // a regression's targets: no error rate (see the class doc)
    const classes = outputShape.slice(1).reduce((a, b) => a * b, 1);
    const possible = classes > 1 ? classes : 2;
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= possible) {
        throw new MinidlError(`${who}: label ${labels[i]} of sample ${i} is not a class of the model's output (${classes > 1 ? `${classes} classes, 0..${classes - 1}` : 'one column: classes 0 and 1'})`);
      }
    }
    return labels;
  }

  /** Refuses batch sizes the model cannot train on: a batch of one sample through BatchNorm1d. */
  /**
   * A scheduler `fit` can step: one of this net's optimizer, ReduceLROnPlateau only once per
   * epoch (it needs the epoch's metric), and a OneCycleLR with enough steps left for the whole run
   * (stepping it past its cycle throws, and would do so mid-training).
   */
  private checkScheduler(who: string, scheduler: LRScheduler, interval: 'epoch' | 'batch', epochs: number, batches: number): void {
    if (scheduler.optimizer !== this.optimizer) {
      throw new MinidlError(`${who}: the scheduler sets the lr of another optimizer (${scheduler.optimizer}), not of this net's (${this.optimizer}); make it with new …(net.optimizer, …)`);
    }
    if (scheduler instanceof ReduceLROnPlateau && interval === 'batch') {
      throw new MinidlError(`${who}: ReduceLROnPlateau steps once per epoch, with the epoch's loss; schedulerInterval 'batch' cannot give it one`);
    }
    if (scheduler instanceof OneCycleLR) {
      const needed = interval === 'batch' ? batches : epochs;
      const left = scheduler.totalSteps - scheduler.lastEpoch;
      if (needed > left) {
        throw new MinidlError(`${who}: this run steps the OneCycleLR ${needed} times (once per ${interval}) but it has ${left} steps left of its totalSteps ${scheduler.totalSteps}; make it with { epochs, stepsPerEpoch } matching fit's`);
      }
    }
  }

  /** Copies of the model's parameter values and buffers, in order (for restoreBest). */
  private stateValues(): Float64Array[] {
    return [...this.model.params().map((p) => p.value), ...this.model.buffers().map((b) => b.value)].map((t) => Float64Array.from(t.data));
  }

  /** Puts back what stateValues copied. */
  private putStateValues(values: Float64Array[]): void {
    [...this.model.params().map((p) => p.value), ...this.model.buffers().map((b) => b.value)].forEach((t, i) => t.data.set(values[i]));
  }

  /** fit's clipping options: numbers > 0, at most one of the two (which one acts first would be a guess). */
  private readClipping(who: string, norm: number | undefined, value: number | undefined): { norm: number | null; value: number | null } | null {
    if (norm !== undefined) checkPositive(who, 'clipGradNorm', norm);
    if (value !== undefined) checkPositive(who, 'clipGradValue', value);
    if (norm !== undefined && value !== undefined) {
      throw new MinidlError(`${who}: give clipGradNorm or clipGradValue, not both (got ${norm} and ${value})`);
    }
    return norm === undefined && value === undefined ? null : { norm: norm ?? null, value: value ?? null };
  }

  /** Clips the gradients as fit was asked to (nothing when it was not). */
  private clipGradients(): void {
    if (this.clipping === null) return;
    if (this.clipping.norm !== null) clipGradNorm(this.optimizer.params, this.clipping.norm);
    if (this.clipping.value !== null) clipGradValue(this.optimizer.params, this.clipping.value);
  }

  private checkBatchSizes(who: string, n: number, batchSize: number): void {
    const last = n % batchSize === 0 ? Math.min(batchSize, n) : n % batchSize;
    if (Math.min(last, batchSize, n) > 1 || !containsModule(this.model, BatchNorm1d)) return;
    const which = batchSize === 1 || n === 1 ? 'every batch holds' : `the last batch of each epoch holds (${n} samples in batches of ${batchSize})`;
    throw new MinidlError(`${who}: ${which} one sample, and BatchNorm1d cannot take batch statistics of one value in training mode; choose a batchSize that leaves at least 2 samples in the last batch`);
  }

  /** Validates a data set and returns its targets as a Tensor and its class labels. */
  private checkData(who: string, inputs: Tensor, targets: Targets, labels?: ArrayLike<number>): CheckedData {
    const y = checkSamples(who, inputs, targets);
    const n = inputs.shape[0];
    let classes: Int32Array;
    if (labels !== undefined) {
      if (labels.length !== n) throw new MinidlError(`${who}: labels has ${labels.length} entries but inputs have ${n} rows`);
      for (let i = 0; i < n; i++) {
        if (typeof labels[i] !== 'number' || !Number.isInteger(labels[i]) || labels[i] < 0) {
          throw new MinidlError(`${who}: labels must be whole class numbers ≥ 0, got ${describeValue(labels[i])} at index ${i}`);
        }
      }
      classes = Int32Array.from(labels);
    } else {
      classes = labelsFromTargets(y);
    }
    return { x: inputs, y, labels: classes, labelsGiven: labels !== undefined };
  }
}

/** A data set after `checkData`: inputs, targets as a Tensor, and class labels (given, or read from the targets). */
interface CheckedData {
  x: Tensor;
  y: Tensor;
  labels: Int32Array;
  /** True when the caller gave the labels (false: read from the targets). */
  labelsGiven: boolean;
}

/** Validates inputs and targets (finite, one row of targets per input row) and returns the targets as a Tensor. */
function checkSamples(who: string, inputs: Tensor, targets: Targets): Tensor {
  checkInputs(who, inputs);
  const n = inputs.shape[0];
  let y: Tensor;
  if (targets instanceof Tensor) {
    y = targets;
  } else if (targets instanceof Int32Array || Array.isArray(targets)) {
    const bad = Array.prototype.findIndex.call(targets, (v: unknown) => typeof v !== 'number' || !Number.isInteger(v));
    if (bad >= 0) throw new MinidlError(`${who}: targets given as an array must be whole class numbers, got ${describeValue(targets[bad])} at index ${bad}`);
    y = Tensor.fromArray(targets, [targets.length]);
  } else {
    throw new MinidlError(`${who}: targets must be a Tensor or an array of class indices, got ${describeValue(targets)}`);
  }
  if (y.shape[0] !== n) {
    throw new MinidlError(`${who}: inputs have ${n} rows (shape ${formatShape(inputs.shape)}) but targets have ${y.shape[0]} (shape ${formatShape(y.shape)})`);
  }
  const badTarget = y.firstNonFinite();
  if (badTarget >= 0) throw new MinidlError(`${who}: targets hold a non-finite value (${y.data[badTarget]}) in row ${Math.floor(badTarget / y.cols)}`);
  return y;
}

/** Refuses inputs that are not a Tensor holding only finite values. */
function checkInputs(who: string, inputs: Tensor): void {
  if (!(inputs instanceof Tensor)) throw new MinidlError(`${who}: inputs must be a Tensor, got ${describeValue(inputs)}`);
  const bad = inputs.firstNonFinite();
  if (bad >= 0) throw new MinidlError(`${who}: inputs hold a non-finite value (${inputs.data[bad]}) in row ${Math.floor(bad / inputs.cols)}`);
}

/** True when `model` or a module inside it is an instance of `cls`. */
function containsModule(model: Module, cls: abstract new (...args: never[]) => Module): boolean {
  const children: Module[] = model.children();
  return model instanceof cls || children.some((child) => containsModule(child, cls));
}

/** `fit`'s and `evaluate`'s `labels`: an array (or typed array) of numbers. */
const CLASS_LIST: OptionCheck = {
  expected: 'an array of class numbers',
  accepts: (v) => Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView)),
};

/** Targets: a Tensor, or an array of class indices. */
const TARGETS: OptionCheck = {
  expected: 'a Tensor or an array of class indices',
  accepts: (v) => v instanceof Tensor || v instanceof Int32Array || Array.isArray(v),
};

/** `fit`'s `validation`: an object `{ inputs, targets, labels? }` (read in detail by `readValidation`). */
/** An options object (checked key by key by its own reader). */
const AN_OPTIONS_OBJECT: OptionCheck = {
  expected: 'an options object',
  accepts: (v) => typeof v === 'object' && v !== null && [Object.prototype, null].includes(Object.getPrototypeOf(v)),
};

/** fit's earlyStopping option, read and checked, with Keras' defaults; it needs a validation set. */
function readEarlyStopping(who: string, options: EarlyStoppingOptions, hasValidation: boolean): Required<EarlyStoppingOptions> {
  const o = readOptions<EarlyStoppingOptions>(`${who} (earlyStopping)`, options, {
    monitor: oneOf('validationLoss', 'validationError'), patience: anInteger, minDelta: aNumber, restoreBest: aBoolean,
  }, { argument: 'earlyStopping' });
  if (!hasValidation) throw new MinidlError(`${who}: earlyStopping watches the validation set; give one with { validation: { inputs, targets } }`);
  const patience = o.patience ?? 0;
  if (patience < 0) throw new MinidlError(`${who}: earlyStopping.patience must be an integer ≥ 0, got ${patience}`);
  const minDelta = checkPositive(who, 'earlyStopping.minDelta', o.minDelta ?? 0, true);
  return { monitor: o.monitor ?? 'validationLoss', patience, minDelta, restoreBest: o.restoreBest ?? false };
}

/** Reads and checks fit's `checkpoint` option. */
function readCheckpointOptions(who: string, options: CheckpointOptions): Required<CheckpointOptions> {
  const o = readOptions<CheckpointOptions>(`${who} (checkpoint)`, options, { every: anInteger, save: aFunction, epochsDone: anInteger }, { argument: 'checkpoint' });
  if (o.every === undefined || o.save === undefined) {
    throw new MinidlError(`${who}: checkpoint needs { every, save }: e.g. { every: 5, save: (state) => saveCheckpoint(file, state) }`);
  }
  const epochsDone = o.epochsDone ?? 0;
  if (epochsDone < 0) throw new MinidlError(`${who}: checkpoint.epochsDone must be a whole number ≥ 0, got ${epochsDone}`);
  return { every: checkInteger(who, 'checkpoint.every', o.every), save: o.save, epochsDone };
}

/** The scheduler option: any of minidl's learning-rate schedulers. */
const A_SCHEDULER: OptionCheck = {
  expected: 'a learning-rate scheduler such as new StepLR(net.optimizer, { stepSize: 30 })',
  accepts: (v) => v instanceof LRScheduler,
};

const A_VALIDATION_SET: OptionCheck = {
  expected: 'an object { inputs, targets, labels? }',
  accepts: (v) => typeof v === 'object' && v !== null && [Object.prototype, null].includes(Object.getPrototypeOf(v)),
};

/** A training step that went wrong because the numbers diverged (NaN, ±Infinity). */
class DivergedError extends MinidlError {}

/** The message of anything thrown. */
function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * The error a failed step re-throws: it names the step, says that the state is back to what it
 * was before it, and, when the numbers diverged — a NaN or infinite loss, gradient, parameter,
 * buffer or state, or a layer refusing a non-finite input, whichever check saw it first — says
 * what to try.
 */
function stepError(err: unknown, where: string): Error {
  if (!(err instanceof Error)) return new MinidlError(`NeuralNet (${where}): ${String(err)}`);
  const diverged = err instanceof DivergedError || (err instanceof MinidlError && /non-finite/.test(err.message));
  const restored = 'the parameters, buffers and optimizer state are back to their values before this step';
  if (diverged) {
    return new MinidlError(`NeuralNet (${where}): training diverged: ${err.message}; ${restored} (try a smaller learning rate)`, { cause: err });
  }
  return new MinidlError(`NeuralNet (${where}): ${err.message}; ${restored}`, { cause: err });
}

/**
 * True when targets name classes (see NeuralNet's class doc): class indices (rank 1); one column
 * of values in [0, 1]; rows [N, C] that are all one-hot at the same two levels (one entry at the
 * high level, the others at the low one: 0/1, −1/1, label smoothing's 0.05/0.9), or all
 * probabilities (entries in [0, 1] summing to 1 within 1e-9·C). Anything else is a regression's
 * targets, whose argmax or threshold is no class.
 */
export function targetsNameClasses(targets: Tensor): boolean {
  if (targets.rank === 1) return true;
  const y = targets.data;
  const n = targets.shape[0];
  const cols = y.length / n;
  if (cols === 1) {
    for (let i = 0; i < n; i++) if (!(y[i] >= 0 && y[i] <= 1)) return false;
    return true;
  }
  const rows = Array.from({ length: n }, (_, i) => y.subarray(i * cols, (i + 1) * cols));
  if (rows.every(isProbabilityRow)) return true;
  const high = Math.max(...rows[0]), low = Math.min(...rows[0]);
  return high > low && rows.every((row) => isOneHotRow(row, high, low));
}

/** Exactly one entry equal to `high`, every other equal to `low`. */
function isOneHotRow(row: Float64Array, high: number, low: number): boolean {
  let highs = 0;
  for (let j = 0; j < row.length; j++) {
    if (row[j] === high) highs++;
    else if (row[j] !== low) return false;
  }
  return highs === 1;
}

/** Entries in [0, 1] that sum to 1 (within 1e-9 per entry): a distribution over the classes. */
function isProbabilityRow(row: Float64Array): boolean {
  let sum = 0;
  for (let j = 0; j < row.length; j++) {
    if (!(row[j] >= 0 && row[j] <= 1)) return false;
    sum += row[j];
  }
  return Math.abs(sum - 1) <= 1e-9 * row.length;
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
