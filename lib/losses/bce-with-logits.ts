import { Tensor } from '../tensor/tensor';
import { Loss, thresholdRows, Reduction, ReductionOptions, readReduction } from './loss';

/**
 * Binary cross-entropy on logits (a Sigmoid and BCELoss in one, numerically stable):
 *   L = (1/n) Σᵢ [ (1 − yᵢ)·xᵢ − log σ(xᵢ) ]
 * which equals BCELoss(σ(x), y) without ever computing log(0) (and without BCELoss's clamp
 * of each log at −100, so very wrong confident outputs keep a loss that grows with |x|). Here
 *   log σ(x) = min(x, 0) − log(1 + e^(−|x|))
 * never overflows, whatever the size of x.
 *
 * Shapes: pred x (any real numbers) and target y (usually in [0, 1]; as in PyTorch, other
 * finite values are accepted) of the same shape;
 * n = the number of entries.
 *
 * Backward:  ∂L/∂xᵢ = (1/n) · (σ(xᵢ) − yᵢ)
 */
export class BCEWithLogitsLoss extends Loss {
  readonly reduction: Reduction;
  private pred: Tensor | null = null;
  private target: Tensor | null = null;

  constructor(options: ReductionOptions = {}) {
    super();
    this.reduction = readReduction('BCEWithLogitsLoss', options, arguments.length);
  }

  forward(pred: Tensor, target: Tensor): number {
    this.checkPred(pred);
    this.checkSameShapeTarget(pred, target);
    const x = pred.data, y = target.data;
    let sum = 0;
    for (let i = 0; i < x.length; i++) {
      const logSigmoid = Math.min(x[i], 0) - Math.log1p(Math.exp(-Math.abs(x[i])));
      sum += (1 - y[i]) * x[i] - logSigmoid;
    }
    this.pred = pred;
    this.target = target;
    return this.reduce(sum, x.length);
  }

  backward(): Tensor {
    this.checkBackward();
    const x = (this.pred as Tensor).data, y = (this.target as Tensor).data;
    const scale = this.reduction === 'mean' ? 1 / x.length : 1;
    const grad = new Tensor((this.pred as Tensor).shape);
    for (let i = 0; i < x.length; i++) {
      const sigmoid = 1 / (1 + Math.exp(-x[i]));
      grad.data[i] = (sigmoid - y[i]) * scale;
    }
    return grad;
  }

  /** The class of each logit: 1 above 0 (a probability above 0.5), else 0. */
  override classify(output: Tensor): Int32Array {
    return output.cols > 1 ? super.classify(output) : thresholdRows(output, 0);
  }

  toString(): string {
    return this.reduction === 'mean' ? 'BCEWithLogitsLoss' : "BCEWithLogitsLoss(reduction='sum')";
  }
}
