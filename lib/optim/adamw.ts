import { MinidlError, checkInRange, checkPositive } from '../errors';
import { Parameter } from '../modules/parameter';
import { OptionCheck, aBoolean, aNumber, readOptions } from '../options';
import { Optimizer } from './optimizer';
import { HyperParameters, StateKinds } from './optimizer-state';

/** Options of `AdamW`; every default is PyTorch's. */
export interface AdamWOptions {
  /** Learning rate η (default 1e-3). */
  lr?: number;
  /** Decay rates (β₁, β₂) of the first and second moment estimates (default [0.9, 0.999]). */
  betas?: [number, number];
  /** ε added to the denominator, outside the square root (default 1e-8). */
  eps?: number;
  /** Decoupled weight decay λ: each step multiplies the weights by 1 − η·λ (default 0.01). */
  weightDecay?: number;
  /** Divide by the largest v so far instead of the current one (AMSGrad; default false). */
  amsgrad?: boolean;
}

/** The hyper-parameters of one AdamW step on one parameter, as `adamwUpdate` takes them. */
export interface AdamWUpdate {
  beta1: number;
  beta2: number;
  eps: number;
  /** 1 − η·λ, the factor the weights are multiplied by first. */
  decay: number;
  /** η / (1 − β₁ᵗ). */
  stepSize: number;
  /** √(1 − β₂ᵗ). */
  biasCorrection2Sqrt: number;
}

/** AdamW's betas: an array of two numbers. */
const A_PAIR: OptionCheck = { expected: 'a pair [β₁, β₂] of numbers', accepts: (v) => Array.isArray(v) && v.length === 2 && v.every((b) => typeof b === 'number') };

/**
 * AdamW (Loshchilov & Hutter, 2019): Adam with decoupled weight decay, with PyTorch's update
 * rule (`torch.optim.AdamW`).
 *
 * For each parameter w, at its step t = 1, 2, …, with m = v = v_max = 0 at first:
 *
 *   w ← w·(1 − η·λ)                     decoupled weight decay, before the Adam step
 *   m ← β₁·m + (1 − β₁)·g               (computed as m + (1 − β₁)·(g − m), as PyTorch)
 *   v ← β₂·v + (1 − β₂)·g²
 *   v_max ← max(v_max, v)   and use v_max in place of v below         (amsgrad only)
 *   w ← w − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 *
 * with g = ∂L/∂w, the gradient alone. The last line is Adam's w ← w − η·m̂/(√v̂ + ε) with the
 * bias corrections m̂ = m/(1 − β₁ᵗ), v̂ = v/(1 − β₂ᵗ), in PyTorch's order of operations.
 *
 * Decoupled means the decay does not pass through the moments: Adam's coupled λ·w is added to g
 * and so is divided by √v̂ like the gradient, which shrinks weights with large gradients less;
 * here every weight shrinks by the same factor 1 − η·λ per step, as weight decay does in plain SGD.
 *
 * State of each parameter p (`state.get(p)`, PyTorch's names): `step` t, `expAvg` m,
 * `expAvgSq` v and, with amsgrad, `maxExpAvgSq` v_max, made at its first step.
 *
 * Throws a MinidlError for options that are not an object of known keys, lr, eps or weightDecay
 * not a finite number ≥ 0, a β outside [0, 1) (PyTorch's ranges), or amsgrad not true or false;
 * `step()` checks them again (lr may be changed between steps) before it moves anything.
 */
export class AdamW extends Optimizer {
  /** β₁: decay rate of the first-moment (mean) estimate. May be changed between steps (OneCycleLR does); `step()` checks it first. */
  beta1: number;
  /** β₂: decay rate of the second-moment (uncentred variance) estimate. */
  readonly beta2: number;
  /** ε: added to √v̂ in the denominator, for numerical safety. */
  readonly eps: number;
  /** λ: decoupled weight decay; each step multiplies the weights by 1 − η·λ before the Adam step. */
  readonly weightDecay: number;
  /** AMSGrad: divide by the largest second-moment estimate so far. */
  readonly amsgrad: boolean;

  constructor(params: Parameter[], options: AdamWOptions = {}) {
    const o = readOptions<AdamWOptions>('AdamW', options, {
      lr: aNumber, betas: A_PAIR, eps: aNumber, weightDecay: aNumber, amsgrad: aBoolean,
    }, { positional: 'lr' });
    super('AdamW', params, o.lr ?? 1e-3);
    const betas = o.betas ?? [0.9, 0.999];
    this.beta1 = betas[0];
    this.beta2 = betas[1];
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? 0.01;
    this.amsgrad = o.amsgrad ?? false;
    this.checkHyperParameters('AdamW');
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
    this.checkHyperParameters('AdamW.step'); //                 lr may have been changed since: check before moving anything
    this.checkGradients('AdamW.step');       // a NaN or ±Infinity gradient: refused before anything moves
    // exercise AdamW.step ▼
    const { lr, beta1, beta2, eps, weightDecay } = this;
    for (const p of this.params) {
      const s = this.stateOf(p);
      const m = this.stateTensor(p, 'expAvg'), v = this.stateTensor(p, 'expAvgSq'); //    zeros at the first step
      const vMax = this.amsgrad ? this.stateTensor(p, 'maxExpAvgSq').data : null; //       v_max
      const step = (s.step = ((s.step as number | undefined) ?? 0) + 1); //                t
      const decay = 1 - lr * weightDecay; //                                               1 − η·λ
      const biasCorrection1 = 1 - beta1 ** step; //                                       1 − β₁ᵗ
      const biasCorrection2Sqrt = Math.sqrt(1 - beta2 ** step); //                        √(1 − β₂ᵗ)
      const stepSize = lr / biasCorrection1; //                                            η / (1 − β₁ᵗ)
      adamwUpdate(p.value.data, p.grad.data, m.data, v.data, vMax, p.value.size, { beta1, beta2, eps, decay, stepSize, biasCorrection2Sqrt });
    }
    // exercise ▲
  }

  toString(): string {
    const parts = [`lr=${this.lr}`, `betas=[${this.beta1}, ${this.beta2}]`, `eps=${this.eps}`, `weightDecay=${this.weightDecay}`];
    if (this.amsgrad) parts.push('amsgrad');
    return `AdamW(${parts.join(', ')})`;
  }
}

// exercise AdamW.step ▼
/**
 * One AdamW step on the n weights w with gradients grad, moment estimates m, v and their
 * running maximum vMax (null without amsgrad), entry by entry, in the order of PyTorch's
 * `_single_tensor_adamw`:
 *
 *   w ← w·(1 − η·λ);   m ← m + (1 − β₁)·(g − m);   v ← v·β₂ + (1 − β₂)·g·g;   v_max ← max(v_max, v);
 *   w ← w + (−stepSize·m) / (√v / √(1 − β₂ᵗ) + ε)        (√v_max with amsgrad)
 */
export function adamwUpdate(w: Float64Array, grad: Float64Array, m: Float64Array, v: Float64Array, vMax: Float64Array | null,
  n: number, h: AdamWUpdate): void {
  const { beta1, beta2, eps, decay, stepSize, biasCorrection2Sqrt } = h;
  for (let i = 0; i < n; i++) {
    const g = grad[i];
    w[i] *= decay; //                                                       w ← w·(1 − η·λ)
    m[i] += (1 - beta1) * (g - m[i]); //                                    m ← β₁·m + (1 − β₁)·g
    v[i] = v[i] * beta2 + (1 - beta2) * g * g; //                          v ← β₂·v + (1 − β₂)·g²
    let second = v[i];
    if (vMax !== null) second = vMax[i] = Math.max(vMax[i], v[i]); //      v_max ← max(v_max, v)
    const denom = Math.sqrt(second) / biasCorrection2Sqrt + eps; //        √v̂ + ε
    w[i] += (-stepSize * m[i]) / denom; //                                 w ← w − η·m̂/(√v̂ + ε)
  }
}
// exercise ▲
