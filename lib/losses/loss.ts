import { MinidlError, checkArgumentCount, formatShape } from '../errors';
import { OptionSpec, oneOf, readOptions } from '../options';
import { describe } from '../modules/module';
import { argmaxRows } from '../tensor/ops';
import { Tensor } from '../tensor/tensor';

/** How a loss combines the per-entry losses into one number. */
export type Reduction = 'mean' | 'sum';

/** Options shared by the losses that average over entries. */
export interface ReductionOptions {
  /** `'mean'` (the default, as PyTorch) divides the sum by the number of entries; `'sum'` does not. */
  reduction?: Reduction;
}

/**
 * The base class of the losses.
 *
 * `forward(pred, target)` returns the loss as a number and keeps what `backward` needs;
 * `backward()` returns ∂L/∂pred, a tensor of the shape of `pred`. A loss is the end of the
 * chain, so its backward takes no argument: the chain rule starts here with ∂L/∂L = 1.
 *
 * Errors (MinidlError, naming the loss and the method): constructor options other than
 * `{ reduction: 'mean' | 'sum' }` (a bare `'sum'`, an unknown key, null, another string, a second
 * argument); a pred or target that is not a readable Tensor, a target of another shape (nothing
 * is broadcast) or holding NaN or ±Infinity; `backward` with no successful `forward` before it.
 */
export abstract class Loss {
  /** How the per-entry losses are combined: `'mean'` or `'sum'`. */
  abstract readonly reduction: Reduction;
  /** True once a forward has completed (a failed forward sets it back to false). */
  private hasForward = false;
  /** Rows (samples) of the last forward's pred, for `meanWeight`. */
  private lastRows = 0;
  /** The divisor of the last forward's mean (`reduce`'s count). */
  protected lastCount = 0;

  /** The loss of the prediction `pred` against `target`. */
  abstract forward(pred: Tensor, target: Tensor): number;

  /** ∂L/∂pred for the last `forward`. */
  abstract backward(): Tensor;

  /** The loss and its reduction, e.g. `MSELoss(reduction=mean)`. */
  abstract toString(): string;

  /**
   * The decision rule behind error rates: the class each row of `output` [N, …] predicts, as
   * `NeuralNet` counts errors with it. With several output columns, the column of the largest
   * score (argmax, the first one on a tie); with one column, class 1 when the score is above 0.5
   * (a probability, as BCELoss and MSELoss on 0/1 targets see it), else 0. A loss whose outputs
   * mean something else overrides it: BCEWithLogitsLoss's scores are logits, above 0.
   * Throws a MinidlError for an output of rank 3 or more ([N, C, T]: several predictions per sample).
   */
  classify(output: Tensor): Int32Array {
    if (output.rank > 2) {
      this.fail('classify', `an error rate needs one prediction per sample, but an output of shape ${formatShape(output.shape)} holds several per sample; give the model's scores as rows [N,C] (for a sequence, [N·T,C] with one target per row)`);
    }
    const cols = output.cols;
    if (cols > 1) return argmaxRows(output.rank === 2 ? output : output.reshape([output.shape[0], cols]));
    return thresholdRows(output, 0.5);
  }

  /** Call at the start of `forward`: checks that `pred` is a readable Tensor and forgets the previous forward. */
  protected checkPred(pred: Tensor): void {
    this.hasForward = false;
    if (!(pred instanceof Tensor)) this.fail('forward', `pred must be a Tensor, got ${describe(pred)}${arrayHint(pred)}`);
    if (!pred.readable) this.fail('forward', `pred ${pred} was a temporary of a step that has ended; its values can no longer be read`);
    this.lastRows = pred.shape[0];
  }

  /**
   * How much the last forward's mean counts when the means of several batches are combined into
   * the mean of the whole set, as `NeuralNet` does for an epoch's loss and for `evaluate`
   * (Σ weightᵦ·meanᵦ / Σ weightᵦ): the number of samples (rows of pred) by default, the right
   * weight for a mean over the same number of entries per sample. A loss whose mean divides by
   * something else overrides it: CrossEntropyLoss and NLLLoss with class weights or ignored
   * targets divide by the summed weights of the counted targets, and count with that.
   */
  meanWeight(): number {
    return this.lastRows;
  }

  /**
   * Call at the end of `forward`: applies the reduction to the sum of the per-entry losses
   * (divides by `count` for `'mean'`) and records that `backward` may now be called.
   */
  protected reduce(total: number, count: number): number {
    this.hasForward = true;
    this.lastCount = count;
    return this.reduction === 'mean' ? total / count : total;
  }

  /** Checks that `target` is a finite Tensor of the shape of `pred` (nothing is broadcast). */
  protected checkSameShapeTarget(pred: Tensor, target: Tensor): void {
    if (!(target instanceof Tensor)) this.fail('forward', `target must be a Tensor, got ${describe(target)}${arrayHint(target)}`);
    if (!target.readable) this.fail('forward', `target ${target} was a temporary of a step that has ended; its values can no longer be read`);
    if (!target.hasShape(pred.shape)) {
      this.fail('forward', `target has shape ${formatShape(target.shape)} but pred has shape ${formatShape(pred.shape)}; they must match exactly`);
    }
    this.checkFiniteTarget(target);
  }

  /** Refuses a target holding NaN or ±Infinity, naming the loss. */
  protected checkFiniteTarget(target: Tensor): void {
    const bad = target.firstNonFinite();
    if (bad >= 0) this.fail('forward', `target holds a non-finite value (${target.data[bad]}) at flat index ${bad}`);
  }

  /** Refuses `backward` before any `forward`. */
  protected checkBackward(): void {
    if (!this.hasForward) this.fail('backward', 'called before forward (or after a forward that failed): there is no loss to take the gradient of');
  }

  /** Throws a MinidlError that names this loss and the method: `MSELoss.forward: …`. */
  protected fail(method: string, message: string): never {
    throw new MinidlError(`${this.toString()}.${method}: ${message}`);
  }
}

/** The one option of the losses. */
const REDUCTION_OPTIONS: OptionSpec<ReductionOptions> = { reduction: oneOf('mean', 'sum') };

/**
 * Reads the options of a loss's constructor, `{ reduction }` (by lib/options.ts: a bare `'sum'`,
 * an unknown key such as `label_smoothing`, a null or another string is refused with a
 * MinidlError naming `who`), and returns the reduction (default `'mean'`). `argumentCount`, the
 * constructor's `arguments.length`, refuses a second argument.
 */
export function readReduction(who: string, options: ReductionOptions, argumentCount = 1): Reduction {
  checkArgumentCount(who, argumentCount, ['options']);
  return readOptions(who, options, REDUCTION_OPTIONS, { positional: 'reduction' }).reduction ?? 'mean';
}

/** For a plain array where a Tensor belongs: how to make one. */
function arrayHint(value: unknown): string {
  return Array.isArray(value) ? ' (make one with Tensor.from, e.g. Tensor.from([[0.5]]))' : '';
}

/** Class 1 where a single-column score is above `threshold`, else 0: the rule of one-output classifiers. */
export function thresholdRows(output: Tensor, threshold: number): Int32Array {
  const classes = new Int32Array(output.shape[0]);
  const scores = output.data;
  for (let i = 0; i < classes.length; i++) classes[i] = scores[i] > threshold ? 1 : 0;
  return classes;
}
