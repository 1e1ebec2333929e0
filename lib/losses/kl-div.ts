import { checkArgumentCount } from '../errors';
import { aBoolean, oneOf, readOptions } from '../options';
import { Tensor } from '../tensor/tensor';
import { Loss, Reduction } from './loss';

/** Options of `KLDivLoss`; every default is PyTorch's. */
export interface KLDivLossOptions {
  /**
   * `'mean'` (the default, as PyTorch) divides the sum by the number of entries N·C; `'batchmean'`
   * divides it by the number of rows N, which gives the KL divergence per sample; `'sum'` does not divide.
   */
  reduction?: 'mean' | 'sum' | 'batchmean';
  /** The target holds log-probabilities log q instead of probabilities q (default false). */
  logTarget?: boolean;
}

/**
 * Kullback-Leibler divergence (PyTorch's `KLDivLoss`) of the predicted distribution from the
 * target's. `pred` holds **log-probabilities** xᵢ = log pᵢ (for example log-softmax outputs, see
 * `logSoftmaxRows`); `target` holds probabilities qᵢ, or log-probabilities when `logTarget`:
 *
 *   ℓᵢ = qᵢ·(log qᵢ − xᵢ)              (0 where qᵢ = 0: PyTorch's xlogy(q, q) − q·x)
 *   ℓᵢ = e^{yᵢ}·(yᵢ − xᵢ)              with logTarget, yᵢ = log qᵢ
 *   L  = Σᵢ ℓᵢ / n
 *
 * Shapes: pred and target of the same shape, N rows first (e.g. [N, C]). The divisor n is the
 * number of entries N·C for `'mean'` (PyTorch computes this, and warns that it is not the
 * divergence's mean), N for `'batchmean'` (the mathematical KL divergence, averaged over the
 * samples), 1 for `'sum'`. For rows of q that sum to 1, the row's Σ ℓ is KL(q ‖ p) ≥ 0.
 *
 * Backward (only the −q·x term depends on pred):
 *   ∂L/∂xᵢ = −qᵢ / n                    (−e^{yᵢ} / n with logTarget)
 *
 * Errors (MinidlError): options other than `{ reduction, logTarget }`; a target (without
 * logTarget) holding a negative number, which is no probability; and those of every loss (see
 * `Loss`), among them a non-finite target: with logTarget, a probability 0 is log 0 = −Infinity
 * (PyTorch's loss is then NaN); give such targets as probabilities.
 */
export class KLDivLoss extends Loss {
  /**
   * `'sum'`, or `'mean'` for both of PyTorch's means (`batchmean` tells which: divided by the
   * rows N, or by every entry). Either way the loss is an average, and NeuralNet weights each
   * batch by its rows when it averages over a data set; `toString` shows the reduction asked for.
   */
  readonly reduction: Reduction;
  /** True for `reduction: 'batchmean'`: the sum is divided by the number of rows N. */
  readonly batchmean: boolean;
  /** Whether the target holds log-probabilities. */
  readonly logTarget: boolean;
  private target: Tensor | null = null;
  private divisor = 1;

  constructor(options: KLDivLossOptions = {}) {
    super();
    checkArgumentCount('KLDivLoss', arguments.length, ['options']);
    const o = readOptions<KLDivLossOptions>('KLDivLoss', options, { reduction: oneOf('mean', 'sum', 'batchmean'), logTarget: aBoolean });
    const reduction = o.reduction ?? 'mean';
    this.batchmean = reduction === 'batchmean';
    this.reduction = reduction === 'sum' ? 'sum' : 'mean';
    this.logTarget = o.logTarget ?? false;
  }

  forward(pred: Tensor, target: Tensor): number {
    this.checkPred(pred);
    this.checkSameShapeTarget(pred, target);
    const x = pred.data, y = target.data;
    let sum = 0;
    if (this.logTarget) {
      for (let i = 0; i < x.length; i++) sum += Math.exp(y[i]) * (y[i] - x[i]); //   e^y·(y − x)
    } else {
      for (let i = 0; i < x.length; i++) {
        if (!(y[i] >= 0)) this.fail('forward', `every entry of target must be a probability ≥ 0, got ${y[i]} at flat index ${i} (for log-probabilities, use { logTarget: true })`);
        sum += (y[i] === 0 ? 0 : y[i] * Math.log(y[i])) - y[i] * x[i]; //               q·log q − q·x
      }
    }
    this.target = target;
    this.divisor = this.batchmean ? pred.shape[0] : x.length;
    return this.reduce(sum, this.divisor);
  }

  backward(): Tensor {
    this.checkBackward();
    const target = this.target as Tensor;
    const y = target.data;
    const scale = this.reduction === 'mean' ? 1 / this.divisor : 1;
    const grad = new Tensor(target.shape);
    const g = grad.data;
    for (let i = 0; i < g.length; i++) g[i] = -(scale * (this.logTarget ? Math.exp(y[i]) : y[i])); // ∂L/∂x = −q/n
    return grad;
  }

  toString(): string {
    const parts: string[] = [];
    if (this.batchmean) parts.push("reduction='batchmean'");
    else if (this.reduction === 'sum') parts.push("reduction='sum'");
    if (this.logTarget) parts.push('logTarget');
    return parts.length === 0 ? 'KLDivLoss' : `KLDivLoss(${parts.join(', ')})`;
  }
}
