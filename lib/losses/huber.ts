import { checkArgumentCount, checkPositive } from '../errors';
import { aNumber, oneOf, readOptions } from '../options';
import { Tensor } from '../tensor/tensor';
import { Loss, Reduction } from './loss';

/** Options of `HuberLoss`; every default is PyTorch's. */
export interface HuberLossOptions {
  /** δ, the size of error where the loss turns from quadratic to linear (default 1; finite and > 0). */
  delta?: number;
  /** `'mean'` (the default) divides the sum by the number of entries; `'sum'` does not. */
  reduction?: Reduction;
}

/**
 * Huber loss (PyTorch's `HuberLoss`): squared error for small errors, absolute error for large
 * ones, so that a few outliers do not dominate the gradient. With dᵢ = ŷᵢ − yᵢ:
 *
 *   ℓᵢ = ½·dᵢ²               if |dᵢ| < δ
 *   ℓᵢ = δ·(|dᵢ| − ½·δ)       otherwise
 *   L  = (1/n) Σᵢ ℓᵢ
 *
 * Shapes: pred ŷ and target y of the same shape; n = the number of entries. With
 * `reduction: 'sum'` the 1/n is dropped. The two pieces meet at |d| = δ with the same value ½·δ²
 * and the same slope δ. HuberLoss with δ is δ times SmoothL1Loss with β = δ.
 *
 * Backward (the error, clipped to [−δ, δ]):
 *   ∂L/∂ŷᵢ = (1/n)·dᵢ              if |dᵢ| < δ
 *   ∂L/∂ŷᵢ = (1/n)·δ·sign(dᵢ)      otherwise
 *
 * Errors (MinidlError): options other than `{ delta, reduction }`, δ not a finite number > 0
 * (PyTorch refuses δ ≤ 0 too), and those of every loss (see `Loss`).
 */
export class HuberLoss extends Loss {
  readonly reduction: Reduction;
  /** δ: errors smaller than δ are squared, larger ones count linearly. */
  readonly delta: number;
  private diff: Tensor | null = null;

  constructor(options: HuberLossOptions = {}) {
    super();
    checkArgumentCount('HuberLoss', arguments.length, ['options']);
    const o = readOptions<HuberLossOptions>('HuberLoss', options, { delta: aNumber, reduction: oneOf('mean', 'sum') });
    this.delta = checkPositive('HuberLoss', 'delta', o.delta ?? 1);
    this.reduction = o.reduction ?? 'mean';
  }

  forward(pred: Tensor, target: Tensor): number {
    this.checkPred(pred);
    this.checkSameShapeTarget(pred, target);
    const delta = this.delta;
    const diff = new Tensor(pred.shape);
    const d = diff.data, p = pred.data, t = target.data;
    let sum = 0;
    for (let i = 0; i < d.length; i++) {
      d[i] = p[i] - t[i]; //                                                    d = ŷ − y
      const z = Math.abs(d[i]);
      sum += z < delta ? 0.5 * z * z : delta * (z - 0.5 * delta); //           ½·d², or δ·(|d| − ½·δ)
    }
    this.diff = diff;
    return this.reduce(sum, d.length);
  }

  backward(): Tensor {
    this.checkBackward();
    const diff = this.diff as Tensor;
    const delta = this.delta;
    const scale = this.reduction === 'mean' ? 1 / diff.size : 1;
    const grad = new Tensor(diff.shape);
    const g = grad.data, d = diff.data;
    for (let i = 0; i < g.length; i++) {
      g[i] = d[i] <= -delta ? -scale * delta : d[i] >= delta ? scale * delta : scale * d[i]; // d/n clipped to ±δ/n
    }
    return grad;
  }

  toString(): string {
    const parts: string[] = [];
    if (this.delta !== 1) parts.push(`delta=${this.delta}`);
    if (this.reduction !== 'mean') parts.push(`reduction='${this.reduction}'`);
    return parts.length === 0 ? 'HuberLoss' : `HuberLoss(${parts.join(', ')})`;
  }
}
