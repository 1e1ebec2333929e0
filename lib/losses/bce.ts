import { Tensor } from '../tensor/tensor';
import { Loss, Reduction, ReductionOptions, readReduction } from './loss';

/** PyTorch's floor on p·(1 − p) in the BCE gradient: the float32 number nearest 1e-12. */
const EPSILON = Math.fround(1e-12);

/**
 * Binary cross-entropy on probabilities:
 *   L = −(1/n) Σᵢ [ yᵢ·log(pᵢ) + (1 − yᵢ)·log(1 − pᵢ) ]
 *
 * Shapes: pred p (probabilities in [0, 1], e.g. after a Sigmoid) and target y (in [0, 1]) of
 * the same shape; n = the number of entries.
 *
 * As in PyTorch, each log is clamped at −100, so p = 0 or p = 1 gives a large but finite loss.
 *
 * Backward:  ∂L/∂pᵢ = (1/n) · (pᵢ − yᵢ) / max(pᵢ·(1 − pᵢ), ε)      with ε = 1e-12 (as float32)
 * This is the derivative of the unclamped loss (as in PyTorch): where a log is clamped, the
 * loss is flat but the gradient stays large and points the right way.
 *
 * For numbers that are more accurate near p = 0 or 1, drop the Sigmoid and use
 * `BCEWithLogitsLoss` on the raw outputs.
 */
export class BCELoss extends Loss {
  readonly reduction: Reduction;
  private pred: Tensor | null = null;
  private target: Tensor | null = null;

  constructor(options: ReductionOptions = {}) {
    super();
    this.reduction = readReduction('BCELoss', options, arguments.length);
  }

  forward(pred: Tensor, target: Tensor): number {
    this.checkPred(pred);
    this.checkSameShapeTarget(pred, target);
    const p = pred.data, y = target.data;
    let sum = 0;
    for (let i = 0; i < p.length; i++) {
      if (!(p[i] >= 0 && p[i] <= 1)) this.fail('forward', `every entry of pred must be a probability in [0, 1], got ${p[i]} at flat index ${i} (apply a Sigmoid first, or use BCEWithLogitsLoss)`);
      if (!(y[i] >= 0 && y[i] <= 1)) this.fail('forward', `every entry of target must be in [0, 1], got ${y[i]} at flat index ${i}`);
      // exercise BCELoss.forward ▼
      sum += (y[i] - 1) * Math.max(Math.log1p(-p[i]), -100) - y[i] * Math.max(Math.log(p[i]), -100);
      // exercise ▲
    }
    this.pred = pred;
    this.target = target;
    return this.reduce(sum, p.length);
  }

  backward(): Tensor {
    this.checkBackward();
    const p = (this.pred as Tensor).data, y = (this.target as Tensor).data;
    // exercise BCELoss.backward ▼
    const n = this.reduction === 'mean' ? p.length : 1;
    const grad = new Tensor((this.pred as Tensor).shape);
    for (let i = 0; i < p.length; i++) {
      grad.data[i] = (p[i] - y[i]) / Math.max((1 - p[i]) * p[i], EPSILON) / n;
    }
    return grad;
    // exercise ▲
  }

  toString(): string {
    return this.reduction === 'mean' ? 'BCELoss' : "BCELoss(reduction='sum')";
  }
}
