import { checkArgumentCount } from '../errors';
import { anInteger, oneOf, readOptions } from '../options';
import { Tensor } from '../tensor/tensor';
import {
  CLASS_WEIGHTS, ClassLayout, IGNORED, classRows, formatWeights, fromClassRows, readClassIndices, readClassLayout,
  readClassWeights, weightsFor,
} from './class-targets';
import { Loss, Reduction } from './loss';

/** Options of `NLLLoss`; every default is PyTorch's, except `ignoreIndex` (see there). */
export interface NLLLossOptions {
  /** `'mean'` (the default) divides by the summed weights of the counted targets; `'sum'` does not divide. */
  reduction?: Reduction;
  /** One weight w_c ≥ 0 per class, a Tensor [C] or an array (copied); default: every weight 1. */
  weight?: Tensor | ArrayLike<number>;
  /**
   * Targets equal to this whole number are left out of the loss, of the mean's divisor and of
   * the gradient. Default: none (PyTorch's -100 would ignore targets of -100 silently).
   */
  ignoreIndex?: number;
}

/**
 * Negative log-likelihood (PyTorch's `NLLLoss`): the loss on **log-probabilities** x, e.g. the
 * output of a log-softmax (`logSoftmaxRows`). NLLLoss on logSoftmaxRows(z) is CrossEntropyLoss on
 * the logits z (the same numbers, to the bit, without label smoothing).
 *
 * For x [N, C], class indices t (each in 0..C−1), class weights w (default all 1) and the set I
 * of ignored targets (those equal to `ignoreIndex`), as PyTorch's nll_loss computes it:
 *   L = Σ_{i ∉ I} −w_{tᵢ}·x_{i,tᵢ} / W     with W = Σ_{i ∉ I} w_{tᵢ}      ('mean')
 *   L = Σ_{i ∉ I} −w_{tᵢ}·x_{i,tᵢ}                                        ('sum')
 * Without weights W is the number of counted targets; with no ignoreIndex it is N. A 'mean' over
 * no counted target (all ignored, or their weights all 0) is refused with a MinidlError
 * (PyTorch returns NaN). x is not checked to hold log-probabilities: any numbers are taken.
 *
 * Backward, with s = 1/W for 'mean', 1 for 'sum':
 *   ∂L/∂x_{i,c} = −s·w_{tᵢ}   where c = tᵢ and i ∉ I;   0 everywhere else
 *
 * Layouts (lib/losses/class-targets.ts, as CrossEntropyLoss): x [N, C] with targets [N] (a
 * Tensor, or a plain array / Int32Array), or PyTorch's [N, C, d₁, …] (classes on axis 1) with
 * targets a Tensor [N, d₁, …]; a sequence's [N, T, C] is given as rows [N·T, C] with targets
 * [N·T]. Probability targets are not taken (PyTorch's nll_loss takes none either): use
 * CrossEntropyLoss on logits, or KLDivLoss on log-probabilities.
 *
 * Errors (MinidlError): options other than `{ reduction, weight, ignoreIndex }`, a weight that is
 * not finite and ≥ 0, an ignoreIndex that is not a whole number; at forward, a weight list
 * whose length is not C, a target of another shape or kind (with the expected layout), an index
 * that is not a whole number in 0..C−1 (nor the ignoreIndex), a count that is not N, a mean
 * over no target.
 */
export class NLLLoss extends Loss {
  readonly reduction: Reduction;
  /** The class weights (a copy), or null for all 1. */
  readonly weight: Float64Array | null;
  /** The class index whose targets are ignored, or null for none. */
  readonly ignoreIndex: number | null;
  private indices: Int32Array | null = null;
  private classWeights: Float64Array | null = null;
  private divisor = 1;
  private layout: ClassLayout | null = null;

  constructor(options: NLLLossOptions = {}) {
    super();
    checkArgumentCount('NLLLoss', arguments.length, ['options']);
    const o = readOptions<NLLLossOptions>('NLLLoss', options, {
      reduction: oneOf('mean', 'sum'), weight: CLASS_WEIGHTS, ignoreIndex: anInteger,
    }, { positional: 'reduction' });
    this.weight = readClassWeights('NLLLoss', o.weight);
    this.reduction = o.reduction ?? 'mean';
    this.ignoreIndex = o.ignoreIndex ?? null;
  }

  forward(pred: Tensor, target: Tensor | ArrayLike<number>): number {
    this.checkPred(pred);
    const who = `${this}.forward`;
    const { layout } = readClassLayout(who, pred, target, 'log-probabilities', false);
    const indices = readClassIndices(who, target, layout, this.ignoreIndex);
    const x = classRows(pred, layout).data;
    const n = layout.rows, c = layout.classes;
    const w = weightsFor(who, this.weight, c);
    let sum = 0;
    let divisor = 0;
    for (let i = 0; i < n; i++) {
      const t = indices[i];
      if (t === IGNORED) continue; //            ignored targets count nowhere
      sum -= w[t] * x[i * c + t]; //            −w_t·x_t
      divisor += w[t]; //                       W = Σ w_t over the counted targets
    }
    if (divisor === 0 && this.reduction === 'mean') {
      this.fail('forward', indices.every((t) => t === IGNORED)
        ? `every target equals the ignoreIndex ${this.ignoreIndex}: a mean over no targets is undefined (PyTorch returns NaN); use { reduction: 'sum' }, or leave such batches out`
        : "the class weights of the counted targets sum to 0: their weighted mean is undefined (PyTorch returns NaN); use { reduction: 'sum' }, or give those classes a weight > 0");
    }
    this.indices = indices;
    this.classWeights = w;
    this.divisor = divisor;
    this.layout = layout;
    return this.reduce(sum, divisor);
  }

  backward(): Tensor {
    this.checkBackward();
    const layout = this.layout as ClassLayout;
    const indices = this.indices as Int32Array;
    const w = this.classWeights as Float64Array;
    const c = layout.classes;
    const scale = this.reduction === 'mean' ? 1 / this.divisor : 1;
    const grad = new Tensor([layout.rows, c]);
    for (let i = 0; i < layout.rows; i++) {
      const t = indices[i];
      if (t !== IGNORED) grad.data[i * c + t] = -(scale * w[t]); // ∂L/∂x_{i,t} = −s·w_t
    }
    return fromClassRows(grad, layout);
  }

  /**
   * The weight of the last forward's mean among batches: its divisor (the number of counted
   * targets, or their summed class weights), so that the means of batches combine into PyTorch's
   * mean over the whole set.
   */
  override meanWeight(): number {
    return this.lastCount;
  }

  toString(): string {
    const parts: string[] = [];
    if (this.reduction === 'sum') parts.push("reduction='sum'");
    if (this.weight !== null) parts.push(formatWeights(this.weight));
    if (this.ignoreIndex !== null) parts.push(`ignoreIndex=${this.ignoreIndex}`);
    return parts.length === 0 ? 'NLLLoss' : `NLLLoss(${parts.join(', ')})`;
  }
}
