import { MinidlError, checkInRange, checkPositive } from '../errors';
import { Parameter } from '../modules/parameter';
import { OptionCheck, aBoolean, aNumber, readOptions } from '../options';
import { AdamUpdate, fastLoop } from '../tensor/loops';
import { Optimizer } from './optimizer';
import { HyperParameters, StateKinds } from './optimizer-state';

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
  /** Divide by the largest v so far instead of the current one (AMSGrad; default false). */
  amsgrad?: boolean;
}

/** Adam's betas: an array of two numbers. */
const A_PAIR: OptionCheck = { expected: 'a pair [β₁, β₂] of numbers', accepts: (v) => Array.isArray(v) && v.length === 2 && v.every((b) => typeof b === 'number') };

/**
 * Adam (Kingma & Ba, 2015), with PyTorch's update rule (`torch.optim.Adam`).
 *
 * For each parameter w, at its step t = 1, 2, …:
 *
 *   g ← ∂L/∂w + λ·w
 *   m ← β₁·m + (1 − β₁)·g              (computed as m + (1 − β₁)·(g − m), as PyTorch)
 *   v ← β₂·v + (1 − β₂)·g²
 *   v_max ← max(v_max, v)   and use v_max in place of v below         (amsgrad only)
 *   m̂ = m / (1 − β₁ᵗ)    v̂ = v / (1 − β₂ᵗ)            (bias correction)
 *   w ← w − η · m̂ / (√v̂ + ε)
 *
 * evaluated in PyTorch's order: w ← w − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε).
 *
 * State of each parameter p (`state.get(p)`, PyTorch's names): `step` t, `expAvg` m,
 * `expAvgSq` v and, with amsgrad, `maxExpAvgSq` v_max, made at its first step.
 *
 * Throws a MinidlError for options that are not an object of known keys, lr, eps or weightDecay
 * not a finite number ≥ 0, a β outside [0, 1) (PyTorch's ranges), or amsgrad not true or false;
 * `step()` checks them again (lr may be changed between steps) before it moves anything.
 */
export class Adam extends Optimizer {
  /** β₁: decay rate of the first-moment (mean) estimate. May be changed between steps (OneCycleLR does); `step()` checks it first. */
  beta1: number;
  /** β₂: decay rate of the second-moment (uncentred variance) estimate. */
  readonly beta2: number;
  /** ε: added to √v̂ in the denominator, for numerical safety. */
  readonly eps: number;
  /** λ: L2 penalty; λ·θ is added to the gradient before the moments are updated (not AdamW). */
  readonly weightDecay: number;
  /** AMSGrad: divide by the largest second-moment estimate so far. */
  readonly amsgrad: boolean;

  constructor(params: Parameter[], options: AdamOptions = {}) {
    const o = readOptions<AdamOptions>('Adam', options, { lr: aNumber, betas: A_PAIR, eps: aNumber, weightDecay: aNumber, amsgrad: aBoolean }, { positional: 'lr' });
    super('Adam', params, o.lr ?? 1e-3);
    const betas = o.betas ?? [0.9, 0.999];
    this.beta1 = betas[0];
    this.beta2 = betas[1];
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? 0;
    this.amsgrad = o.amsgrad ?? false;
    this.checkHyperParameters('Adam');
  }

  /** The options of the constructor, as `stateDict()` writes them in `paramGroups[0]`. */
  protected override hyperParameters(): HyperParameters {
    return { lr: this.lr, betas: [this.beta1, this.beta2], eps: this.eps, weightDecay: this.weightDecay, amsgrad: this.amsgrad };
  }

  /** Sets the hyper-parameters from checked values (`betas` into beta1 and beta2). */
  protected override setHyperParameters(h: HyperParameters): void {
    const betas = h.betas as number[];
    Object.assign(this, { lr: h.lr, beta1: betas[0], beta2: betas[1], eps: h.eps, weightDecay: h.weightDecay, amsgrad: h.amsgrad });
  }

  /** The state of each parameter, as `stateDict()` writes it and `loadStateDict` accepts it. */
  protected override stateKinds(): StateKinds {
    return { step: 'number', expAvg: 'tensor', expAvgSq: 'tensor', maxExpAvgSq: 'tensor' };
  }

  /** Refuses a hyper-parameter out of PyTorch's range (`who` names the caller). */
  protected override checkHyperParameters(who: string): void {
    checkPositive(who, 'lr', this.lr, true);
    checkInRange(who, 'betas[0]', this.beta1, 0, 1);
    checkInRange(who, 'betas[1]', this.beta2, 0, 1);
    checkPositive(who, 'eps', this.eps, true);
    checkPositive(who, 'weightDecay', this.weightDecay, true);
    if (typeof this.amsgrad !== 'boolean') throw new MinidlError(`${who}: amsgrad must be true or false, got ${String(this.amsgrad)}`);
  }

  step(): void {
    this.checkHyperParameters('Adam.step'); //                  lr may have been changed since: check before moving anything
    this.checkGradients('Adam.step');       // a NaN or ±Infinity gradient: refused before anything moves
    const { lr, beta1, beta2, eps, weightDecay } = this;
    for (const p of this.params) {
      const s = this.stateOf(p);
      const m = this.stateTensor(p, 'expAvg'), v = this.stateTensor(p, 'expAvgSq'); // zeros at the first step
      // exercise Adam.step ▼
      const step = (s.step = ((s.step as number | undefined) ?? 0) + 1); //                t
      const biasCorrection1 = 1 - beta1 ** step; //                                       1 − β₁ᵗ
      const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step); //                        √(1 − β₂ᵗ)
      const stepSize = lr / biasCorrection1; //                                            η / (1 − β₁ᵗ)
      if (this.amsgrad) {
        const vMax = this.stateTensor(p, 'maxExpAvgSq'); //                                 v_max, zeros at the first step
        adamAmsgradUpdate(p.value.data, p.grad.data, m.data, v.data, vMax.data, p.value.size,
          { beta1, beta2, eps, weightDecay, stepSize, biasCorrection2Sqrt });
      } else {
        fastLoop('adamUpdate', adamUpdate)(p.value.data, p.grad.data, m.data, v.data, p.value.size,
          { beta1, beta2, eps, weightDecay, stepSize, biasCorrection2Sqrt });
      }
      // exercise ▲
    }
  }

  toString(): string {
    const parts = [`lr=${this.lr}`, `betas=[${this.beta1}, ${this.beta2}]`, `eps=${this.eps}`];
    if (this.weightDecay) parts.push(`weightDecay=${this.weightDecay}`);
    if (this.amsgrad) parts.push('amsgrad');
    return `Adam(${parts.join(', ')})`;
  }
}

// exercise Adam.step ▼
/**
 * One Adam step on the n weights w with gradients grad and moment estimates m, v, entry by
 * entry, in PyTorch's order of operations:
 *
 *   g ← grad + λ·w;   m ← m + (1 − β₁)·(g − m);   v ← v·β₂ + (1 − β₂)·g·g;
 *   w ← w + (−stepSize·m) / (√v / √(1 − β₂ᵗ) + ε)
 */
export function adamUpdate(w: Float64Array, grad: Float64Array, m: Float64Array, v: Float64Array, n: number, h: AdamUpdate): void {
  const { beta1, beta2, eps, weightDecay, stepSize, biasCorrection2Sqrt } = h;
  for (let i = 0; i < n; i++) {
    const g = weightDecay !== 0 ? grad[i] + weightDecay * w[i] : grad[i]; // g ← ∂L/∂w + λ·w
    m[i] += (1 - beta1) * (g - m[i]); //                                    m ← β₁·m + (1 − β₁)·g
    v[i] = v[i] * beta2 + (1 - beta2) * g * g; //                          v ← β₂·v + (1 − β₂)·g²
    const denom = Math.sqrt(v[i]) / biasCorrection2Sqrt + eps; //          √v̂ + ε
    w[i] += (-stepSize * m[i]) / denom; //                                 w ← w − η·m̂/(√v̂ + ε)
  }
}

/**
 * One AMSGrad step (Adam with `amsgrad: true`): adamUpdate's rule, with the running maximum
 * vMax of v in the denominator, in the order of PyTorch's `_single_tensor_adam`:
 *
 *   g ← grad + λ·w;   m ← m + (1 − β₁)·(g − m);   v ← v·β₂ + (1 − β₂)·g·g;   v_max ← max(v_max, v);
 *   w ← w + (−stepSize·m) / (√v_max / √(1 − β₂ᵗ) + ε)
 */
export function adamAmsgradUpdate(w: Float64Array, grad: Float64Array, m: Float64Array, v: Float64Array, vMax: Float64Array, n: number, h: AdamUpdate): void {
  const { beta1, beta2, eps, weightDecay, stepSize, biasCorrection2Sqrt } = h;
  for (let i = 0; i < n; i++) {
    const g = weightDecay !== 0 ? grad[i] + weightDecay * w[i] : grad[i]; // g ← ∂L/∂w + λ·w
    m[i] += (1 - beta1) * (g - m[i]); //                                    m ← β₁·m + (1 − β₁)·g
    v[i] = v[i] * beta2 + (1 - beta2) * g * g; //                          v ← β₂·v + (1 − β₂)·g²
    vMax[i] = Math.max(vMax[i], v[i]); //                                  v_max ← max(v_max, v)
    const denom = Math.sqrt(vMax[i]) / biasCorrection2Sqrt + eps; //       √v̂_max + ε
    w[i] += (-stepSize * m[i]) / denom; //                                 w ← w − η·m̂/(√v̂_max + ε)
  }
}
// exercise ▲
