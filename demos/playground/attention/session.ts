/**
 * One training run of the attention page, one mini-batch step at a time.
 *
 * One generator, seeded by the settings, draws (in this order) the held-out sequences, the
 * initial weights and then a fresh batch of random sequences at every step: there is no fixed
 * training set to learn by heart, and the held-out accuracy measures the rule itself. Each step:
 *
 *   zeroGrad → forward → CrossEntropyLoss (ignoreIndex: the positions without a target) → backward → Adam step
 *
 * No DOM here: Node runs this file too.
 */
import { Adam, CrossEntropyLoss, MinidlError, Rng, Tensor, argmaxRows } from '../../../lib';
import { AttentionModel } from './model';
import { AttentionSettings, validateAttentionSettings } from './settings';
import { Batch, Example, NO_TARGET, TaskName, batchOf, makeBatch, makeExample } from './tasks';

/** Sequences per training step. */
export const BATCH_SIZE = 32;
/** Held-out sequences the accuracy is measured on. */
export const HELD_OUT_SIZE = 200;
/** The held-out accuracy is measured every this many steps (and at step 0). */
export const MEASURE_EVERY = 10;

/** The curves: the loss of every step's batch, and the held-out accuracy every MEASURE_EVERY steps. */
export interface AttentionHistory {
  /** Entry s − 1: the batch loss of step s (before its update). */
  batchLoss: number[];
  /** The steps at which the accuracy was measured (0, 10, 20, …). */
  accuracySteps: number[];
  /** The fraction of held-out positions with a target whose letter the model gets right. */
  accuracy: number[];
}

/** What the model does on one sequence, for the page to draw. */
export interface ExampleView {
  example: Example;
  /** Each head's attention weights [T, T] (row: query position, column: key position). */
  heads: Tensor[];
  /** Their mean over the heads, as MultiheadAttention keeps it (`lastAttentionWeights`) [T, T]. */
  mean: Tensor;
  /** The model's token at every position (the largest logit). */
  predicted: number[];
}

export class AttentionSession {
  readonly settings: AttentionSettings;
  readonly rng: Rng;
  readonly heldOut: Batch;
  readonly model: AttentionModel;
  readonly optimizer: Adam;
  readonly loss: CrossEntropyLoss;
  readonly history: AttentionHistory = { batchLoss: [], accuracySteps: [], accuracy: [] };
  /** Optimizer steps taken. */
  steps = 0;

  constructor(settings: AttentionSettings) {
    const errors = validateAttentionSettings(settings);
    if (errors.length > 0) throw new MinidlError(`AttentionSession: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`);
    this.settings = { ...settings };
    this.rng = new Rng(settings.seed);
    this.heldOut = makeBatch(settings.task, HELD_OUT_SIZE, this.rng);
    this.model = new AttentionModel(settings.numHeads, this.rng);
    this.optimizer = new Adam(this.model.params(), { lr: settings.lr });
    this.loss = new CrossEntropyLoss({ ignoreIndex: NO_TARGET });
    this.measure();
  }

  get task(): TaskName {
    return this.settings.task;
  }

  /** One optimizer step on a fresh batch. Throws, before the update, if the loss or a gradient is not finite. */
  step(): void {
    const batch = makeBatch(this.task, BATCH_SIZE, this.rng);
    this.optimizer.zeroGrad();
    const logits = this.model.forward(batch.tokens); //              [N·T, V]
    const loss = this.loss.forward(logits, batch.targets); //        mean over the positions that have a target
    if (!Number.isFinite(loss)) throw new Error(`the loss is ${loss} at step ${this.steps + 1}; training stopped before the update (try a smaller learning rate)`);
    this.model.backward(this.loss.backward());
    for (const p of this.optimizer.params) {
      const bad = p.grad.firstNonFinite();
      if (bad >= 0) throw new Error(`the gradient of ${p} is ${p.grad.data[bad]} at step ${this.steps + 1}; training stopped before the update`);
    }
    this.optimizer.step();
    this.steps += 1;
    this.history.batchLoss.push(loss);
    if (this.steps % MEASURE_EVERY === 0) this.measure();
  }

  /** The fraction of positions with a target, among `batch`'s, whose letter the model gets right. */
  accuracyOn(batch: Batch): number {
    const logits = this.model.forward(batch.tokens);
    const predicted = argmaxRows(logits);
    let right = 0, counted = 0;
    batch.targets.data.forEach((t, row) => {
      if (t === NO_TARGET) return;
      counted += 1;
      if (predicted[row] === t) right += 1;
    });
    return right / counted;
  }

  /** The model on one sequence of `letters`: each head's weights, their mean and the predicted letters. */
  view(letters: readonly number[]): ExampleView {
    const example = makeExample(this.task, letters);
    const { tokens } = batchOf([example]);
    const predicted = Array.from(argmaxRows(this.model.forward(tokens)));
    const mean = this.model.attention.lastAttentionWeights as Tensor; //   [1, T, T], from the forward just run
    const T = tokens.shape[1];
    return { example, heads: this.model.headWeights(tokens), mean: mean.reshape([T, T]), predicted };
  }

  /** Adds the held-out accuracy of the current weights to the history. */
  private measure(): void {
    this.history.accuracySteps.push(this.steps);
    this.history.accuracy.push(this.accuracyOn(this.heldOut));
  }
}

