import { Tensor } from '../tensor/tensor';
import { Loss, Reduction, ReductionOptions, readReduction } from './loss';

/**
 * Mean absolute error (L1 loss):  L = (1/n) Σᵢ |ŷᵢ − yᵢ|
 *
 * Shapes: pred ŷ and target y of the same shape; n = the number of entries (PyTorch's
 * `L1Loss`). With `reduction: 'sum'` the 1/n is dropped.
 *
 * Backward:  ∂L/∂ŷᵢ = (1/n)·sign(ŷᵢ − yᵢ)      (sign(0) = 0, as PyTorch)
 */
export class MAELoss extends Loss {
  readonly reduction: Reduction;
  private diff: Tensor | null = null;

  constructor(options: ReductionOptions = {}) {
    super();
    this.reduction = readReduction('MAELoss', options, arguments.length);
  }

  forward(pred: Tensor, target: Tensor): number {
    this.checkPred(pred);
    this.checkSameShapeTarget(pred, target);
    const diff = new Tensor(pred.shape);
    const d = diff.data, p = pred.data, t = target.data;
    let sum = 0;
    // exercise MAELoss.forward ▼
    for (let i = 0; i < d.length; i++) {
      d[i] = p[i] - t[i];
      sum += Math.abs(d[i]);
    }
    // exercise ▲
    this.diff = diff;
    return this.reduce(sum, d.length);
  }

  backward(): Tensor {
    this.checkBackward();
    const diff = this.diff as Tensor;
    // exercise MAELoss.backward ▼
    const scale = this.reduction === 'mean' ? 1 / diff.size : 1;
    const grad = new Tensor(diff.shape);
    const g = grad.data, d = diff.data;
    for (let i = 0; i < g.length; i++) g[i] = Math.sign(d[i]) * scale; //      ∂L/∂ŷ = sign(ŷ − y)/n
    return grad;
    // exercise ▲
  }

  toString(): string {
    return this.reduction === 'mean' ? 'MAELoss' : "MAELoss(reduction='sum')";
  }
}
