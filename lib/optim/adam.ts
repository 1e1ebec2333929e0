import { MinidlError, checkInRange, checkPositive } from '../errors';
import { Parameter } from '../modules/parameter';
import { adamUpdate } from '../tensor/optimizer-kernels';
import { persistentTensorValues } from '../tensor/storage';
import { Optimizer } from './optimizer';

/** Options of `Adam`; every default is PyTorch's. */
export interface AdamOptions {
  /** Learning rate η (default 1e-3). */
  lr?: number;
  /** Decay rates (β₁, β₂) of the first and second moment estimates (default [0.9, 0.999]). */
  betas?: [number, number];
  /** ε added to the denominator for numerical stability (default 1e-8). */
  eps?: number;
  /** Weight decay λ, added to the gradient as in SGD (coupled L2; default 0). */
  weightDecay?: number;
}

/** Per-parameter state of Adam. */
interface AdamState {
  /** Number of steps taken. */
  step: number;
  /** First moment estimate m (running mean of g). */
  expAvg: Float64Array;
  /** Second moment estimate v (running mean of g²). */
  expAvgSq: Float64Array;
}

/**
 * Adam (Kingma & Ba, 2015), with PyTorch's update rule (`torch.optim.Adam`).
 *
 * For each parameter w, at its step t = 1, 2, …:
 *
 *   g ← ∂L/∂w + λ·w
 *   m ← β₁·m + (1 − β₁)·g              (computed as m + (1 − β₁)·(g − m), as PyTorch)
 *   v ← β₂·v + (1 − β₂)·g²
 *   m̂ = m / (1 − β₁ᵗ)    v̂ = v / (1 − β₂ᵗ)            (bias correction)
 *   w ← w − η · m̂ / (√v̂ + ε)
 *
 * evaluated in PyTorch's order: w ← w − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
 */
export class Adam extends Optimizer {
  /** β₁: decay rate of the first-moment (mean) estimate. */
  readonly beta1: number;
  /** β₂: decay rate of the second-moment (uncentred variance) estimate. */
  readonly beta2: number;
  /** ε: added to √v̂ in the denominator, for numerical safety. */
  readonly eps: number;
  /** λ: L2 penalty; λ·θ is added to the gradient before the moments are updated (not AdamW). */
  readonly weightDecay: number;
  private readonly state = new Map<Parameter, AdamState>();

  constructor(params: Parameter[], options: AdamOptions = {}) {
    super('Adam', params, checkPositive('Adam', 'lr', options.lr ?? 1e-3, true));
    const betas = options.betas ?? [0.9, 0.999];
    if (!Array.isArray(betas) || betas.length !== 2) {
      throw new MinidlError(`Adam: betas must be a pair [β₁, β₂], got ${JSON.stringify(betas)}`);
    }
    this.beta1 = checkInRange('Adam', 'betas[0]', betas[0], 0, 1);
    this.beta2 = checkInRange('Adam', 'betas[1]', betas[1], 0, 1);
    this.eps = checkPositive('Adam', 'eps', options.eps ?? 1e-8, true);
    this.weightDecay = checkPositive('Adam', 'weightDecay', options.weightDecay ?? 0, true);
  }

  step(): void {
    const { lr, beta1, beta2, eps, weightDecay } = this;
    for (const p of this.params) {
      let s = this.state.get(p);
      if (s === undefined) { //                    kept across steps (not temporaries)
        s = { step: 0, expAvg: persistentTensorValues(p.value.size), expAvgSq: persistentTensorValues(p.value.size) };
        this.state.set(p, s);
      }
      s.step += 1;
      const biasCorrection1 = 1 - beta1 ** s.step;
      const biasCorrection2 = 1 - beta2 ** s.step;
      const stepSize = lr / biasCorrection1;
      const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
      // the loop of the rule above, in lib/tensor/optimizer-kernels.ts
      adamUpdate(p.value.data, p.grad.data, s.expAvg, s.expAvgSq, p.value.size,
        { beta1, beta2, eps, weightDecay, stepSize, biasCorrection2Sqrt });
    }
  }

  toString(): string {
    const parts = [`lr=${this.lr}`, `betas=[${this.beta1}, ${this.beta2}]`, `eps=${this.eps}`];
    if (this.weightDecay) parts.push(`weightDecay=${this.weightDecay}`);
    return `Adam(${parts.join(', ')})`;
  }
}
