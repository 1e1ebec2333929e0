import { checkArgumentCount, checkPositive } from '../errors';
import { aNumber, oneOf, readOptions } from '../options';
import { Tensor } from '../tensor/tensor';
import { Loss, Reduction } from './loss';

/** Options of `SmoothL1Loss`; every default is PyTorch's. */
export interface SmoothL1LossOptions {
  /** β, the size of error below which the loss is quadratic (default 1; finite and ≥ 0; 0 gives the L1 loss). */
  beta?: number;
  /** `'mean'` (the default) divides the sum by the number of entries; `'sum'` does not. */
  reduction?: Reduction;
}

/**
 * Smooth L1 loss (PyTorch's `SmoothL1Loss`, Fast R-CNN's box loss): the absolute error, with
 * its corner at 0 rounded off into a parabola of width 2β. With dᵢ = ŷᵢ − yᵢ:
 *
 *   ℓᵢ = ½·dᵢ² / β           if |dᵢ| < β
 *   ℓᵢ = |dᵢ| − ½·β           otherwise
 *   L  = (1/n) Σᵢ ℓᵢ
 *
 * Shapes: pred ŷ and target y of the same shape; n = the number of entries. With
 * `reduction: 'sum'` the 1/n is dropped. β = 0 gives the values of the L1 loss (MAELoss), as in
 * PyTorch. SmoothL1Loss with β is HuberLoss with δ = β, divided by β.
 *
 * Backward (the error divided by β, clipped to [−1, 1]), with PyTorch 1.13's branches in its order:
 *   ∂L/∂ŷᵢ = −1/n                  if dᵢ ≤ −β
 *   ∂L/∂ŷᵢ = 1/n                   else if dᵢ ≥ β
 *   ∂L/∂ŷᵢ = (1/n)·dᵢ / β          otherwise (|dᵢ| < β)
 * With β = 0 this is sign(dᵢ)/n, except at dᵢ = 0, which takes the first branch: −1/n, the
 * gradient PyTorch 1.13's smooth_l1_loss gives there (MAELoss's is 0).
 *
 * Errors (MinidlError): options other than `{ beta, reduction }`, β not a finite number ≥ 0
 * (PyTorch refuses β < 0 too), and those of every loss (see `Loss`).
 */
export class SmoothL1Loss extends Loss {
  readonly reduction: Reduction;
  /** β: errors smaller than β are squared (and divided by 2β), larger ones count linearly. */
  readonly beta: number;
  private diff: Tensor | null = null;

  constructor(options: SmoothL1LossOptions = {}) {
    super();
    checkArgumentCount('SmoothL1Loss', arguments.length, ['options']);
    const o = readOptions<SmoothL1LossOptions>('SmoothL1Loss', options, { beta: aNumber, reduction: oneOf('mean', 'sum') });
    this.beta = checkPositive('SmoothL1Loss', 'beta', o.beta ?? 1, true);
    this.reduction = o.reduction ?? 'mean';
  }

  forward(pred: Tensor, target: Tensor): number {
    this.checkPred(pred);
    this.checkSameShapeTarget(pred, target);
    const beta = this.beta;
    const diff = new Tensor(pred.shape);
    const d = diff.data, p = pred.data, t = target.data;
    let sum = 0;
    for (let i = 0; i < d.length; i++) {
      d[i] = p[i] - t[i]; //                                                    d = ŷ − y
      const z = Math.abs(d[i]);
      sum += z < beta ? (0.5 * z * z) / beta : z - 0.5 * beta; //              ½·d²/β, or |d| − ½·β
    }
    this.diff = diff;
    return this.reduce(sum, d.length);
  }

  backward(): Tensor {
    this.checkBackward();
    const diff = this.diff as Tensor;
    const beta = this.beta;
    const scale = this.reduction === 'mean' ? 1 / diff.size : 1;
    const grad = new Tensor(diff.shape);
    const g = grad.data, d = diff.data;
    for (let i = 0; i < g.length; i++) {
      g[i] = d[i] <= -beta ? -scale : d[i] >= beta ? scale : (scale * d[i]) / beta; // (d/β)/n clipped to ±1/n (β = 0, d = 0: −1/n)
    }
    return grad;
  }

  toString(): string {
    const parts: string[] = [];
    if (this.beta !== 1) parts.push(`beta=${this.beta}`);
    if (this.reduction !== 'mean') parts.push(`reduction='${this.reduction}'`);
    return parts.length === 0 ? 'SmoothL1Loss' : `SmoothL1Loss(${parts.join(', ')})`;
  }
}
