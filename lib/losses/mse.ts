import { Tensor } from '../tensor/tensor';
import { Loss, Reduction, ReductionOptions, readReduction } from './loss';

/**
 * Mean squared error:  L = (1/n) Σᵢ (ŷᵢ − yᵢ)²
 *
 * Shapes: pred ŷ and target y of the same shape; n = the number of entries (all of them, as
 * PyTorch's `MSELoss`, not only the batch size). With `reduction: 'sum'` the 1/n is dropped.
 *
 * Backward:  ∂L/∂ŷᵢ = (2/n)·(ŷᵢ − yᵢ)
 */
export class MSELoss extends Loss {
  readonly reduction: Reduction;
  private diff: Tensor | null = null;

  constructor(options: ReductionOptions = {}) {
    super();
    this.reduction = readReduction('MSELoss', options, arguments.length);
  }

  forward(pred: Tensor, target: Tensor): number {
    this.checkPred(pred);
    this.checkSameShapeTarget(pred, target);
    const diff = new Tensor(pred.shape);
    const d = diff.data, p = pred.data, t = target.data;
    let sum = 0;
    // exercise MSELoss.forward ▼
    for (let i = 0; i < d.length; i++) {
      d[i] = p[i] - t[i];
      sum += d[i] * d[i];
    }
    // exercise ▲
    this.diff = diff;
    return this.reduce(sum, d.length);
  }

  backward(): Tensor {
    this.checkBackward();
    const diff = this.diff as Tensor;
    // exercise MSELoss.backward ▼
    const scale = this.reduction === 'mean' ? 2 / diff.size : 2;
    const grad = new Tensor(diff.shape);
    const g = grad.data, d = diff.data;
    for (let i = 0; i < g.length; i++) g[i] = scale * d[i]; //                 ∂L/∂ŷ = 2·(ŷ − y)/n
    return grad;
    // exercise ▲
  }

  toString(): string {
    return this.reduction === 'mean' ? 'MSELoss' : "MSELoss(reduction='sum')";
  }
}
