import { MinidlError, checkInRange, checkPositive } from '../errors';
import { Parameter } from '../modules/parameter';
import { aBoolean, aNumber, readOptions } from '../options';
import { Optimizer } from './optimizer';
import { HyperParameters, StateKinds } from './optimizer-state';

/** Options of `RMSprop`; every default is PyTorch's. */
export interface RMSpropOptions {
  /** Learning rate η (default 1e-2). */
  lr?: number;
  /** Smoothing constant α of the running averages (default 0.99). */
  alpha?: number;
  /** ε added to the denominator, outside the square root (default 1e-8). */
  eps?: number;
  /** Weight decay λ, added to the gradient as in SGD (coupled L2; default 0). */
  weightDecay?: number;
  /** Momentum μ (default 0: none). */
  momentum?: number;
  /** Divide by an estimate of the gradient's variance instead of its mean square (default false). */
  centered?: boolean;
}

/** The hyper-parameters of one RMSprop step, as `rmspropUpdate` takes them. */
export interface RMSpropUpdate {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
}

/**
 * RMSprop (Hinton's lecture notes; centered: Graves, 2013), with PyTorch's update rule
 * (`torch.optim.RMSprop`): each weight's step is divided by the root of a running average of its
 * squared gradients.
 *
 * For each parameter w, at each step, with v = ḡ = b = 0 at first:
 *
 *   g ← ∂L/∂w + λ·w                          weight decay (coupled L2)
 *   v ← α·v + (1 − α)·g²                      running mean square
 *   if centered:
 *     ḡ ← α·ḡ + (1 − α)·g                     running mean (computed as ḡ + (1 − α)·(g − ḡ))
 *     s ← √(v − ḡ²) + ε                       root of the variance estimate
 *   else:
 *     s ← √v + ε
 *   if μ > 0:   b ← μ·b + g / s;   w ← w − η·b
 *   else:       w ← w − η·g / s
 *
 * ε is added outside the square root, as PyTorch (TensorFlow adds it inside). There is no bias
 * correction: v starts at 0, so the first step moves each weight by about η/√(1 − α) (10·η for
 * α = 0.99), more than later ones. ḡ is updated as PyTorch's `lerp` does for α > ½; for α ≤ ½
 * PyTorch computes g − (g − ḡ)·α instead, the same number up to rounding.
 *
 * State of each parameter p (`state.get(p)`, PyTorch's names): `step`, `squareAvg` v,
 * `momentumBuffer` b (with momentum), `gradAvg` ḡ (centered), made at its first step.
 *
 * Throws a MinidlError for options that are not an object of known keys, lr, eps, weightDecay or
 * momentum not a finite number ≥ 0 (PyTorch's ranges), α outside [0, 1] (PyTorch only asks α ≥ 0;
 * above 1 the average could turn negative), or centered not true or false; `step()` checks them
 * again (lr may be changed between steps) before it moves anything.
 */
export class RMSprop extends Optimizer {
  /** α: the fraction of the running averages kept at each step. */
  readonly alpha: number;
  /** ε: added to the root in the denominator, for numerical safety. */
  readonly eps: number;
  /** λ: L2 penalty; λ·w is added to the gradient before anything else. */
  readonly weightDecay: number;
  /** μ: the fraction of the previous step kept in the momentum buffer (0: none). May be changed between steps (OneCycleLR does); `step()` checks it first. */
  momentum: number;
  /** Centered RMSprop: divide by √(v − ḡ²), the root of the gradient's variance. */
  readonly centered: boolean;

  constructor(params: Parameter[], options: RMSpropOptions = {}) {
    const o = readOptions<RMSpropOptions>('RMSprop', options, {
      lr: aNumber, alpha: aNumber, eps: aNumber, weightDecay: aNumber, momentum: aNumber, centered: aBoolean,
    }, { positional: 'lr' });
    super('RMSprop', params, o.lr ?? 1e-2);
    this.alpha = o.alpha ?? 0.99;
    this.eps = o.eps ?? 1e-8;
    this.weightDecay = o.weightDecay ?? 0;
    this.momentum = o.momentum ?? 0;
    this.centered = o.centered ?? false;
    this.checkHyperParameters('RMSprop');
  }

  /** The options of the constructor, as `stateDict()` writes them in `paramGroups[0]`. */
  protected override hyperParameters(): HyperParameters {
    return { lr: this.lr, alpha: this.alpha, eps: this.eps, weightDecay: this.weightDecay, momentum: this.momentum, centered: this.centered };
  }

  /** The state of each parameter, as `stateDict()` writes it and `loadStateDict` accepts it. */
  protected override stateKinds(): StateKinds {
    return { step: 'number', squareAvg: 'tensor', gradAvg: 'tensor', momentumBuffer: 'tensor' };
  }

  /** Refuses a hyper-parameter out of range (`who` names the caller). */
  protected override checkHyperParameters(who: string): void {
    checkPositive(who, 'lr', this.lr, true);
    checkInRange(who, 'alpha', this.alpha, 0, 1, true);
    checkPositive(who, 'eps', this.eps, true);
    checkPositive(who, 'weightDecay', this.weightDecay, true);
    checkPositive(who, 'momentum', this.momentum, true);
    if (typeof this.centered !== 'boolean') throw new MinidlError(`${who}: centered must be true or false, got ${String(this.centered)}`);
  }

  step(): void {
    this.checkHyperParameters('RMSprop.step'); //               lr may have been changed since: check before moving anything
    this.checkGradients('RMSprop.step');       // a NaN or ±Infinity gradient: refused before anything moves
    const { lr, alpha, eps, weightDecay, momentum, centered } = this;
    for (const p of this.params) {
      const s = this.stateOf(p);
      s.step = ((s.step as number | undefined) ?? 0) + 1; //                         counted as PyTorch does (the rule does not use it)
      const squareAvg = this.stateTensor(p, 'squareAvg'); //                          v, zeros at the first step
      const gradAvg = centered ? this.stateTensor(p, 'gradAvg').data : null; //       ḡ
      const buffer = momentum > 0 ? this.stateTensor(p, 'momentumBuffer').data : null; // b
      rmspropUpdate(p.value.data, p.grad.data, squareAvg.data, gradAvg, buffer, p.value.size, { lr, alpha, eps, weightDecay, momentum });
    }
  }

  toString(): string {
    const parts = [`lr=${this.lr}`, `alpha=${this.alpha}`, `eps=${this.eps}`];
    if (this.weightDecay) parts.push(`weightDecay=${this.weightDecay}`);
    if (this.momentum) parts.push(`momentum=${this.momentum}`);
    if (this.centered) parts.push('centered');
    return `RMSprop(${parts.join(', ')})`;
  }
}

/**
 * One RMSprop step on the n weights w with gradients grad, the mean square v, the mean gradient
 * gradAvg (null unless centered) and the momentum buffer (null without momentum), entry by
 * entry, in the order of PyTorch's `_single_tensor_rmsprop`:
 *
 *   g ← grad + λ·w;   v ← v·α + (1 − α)·g·g;   ḡ ← ḡ + (1 − α)·(g − ḡ);   s ← √(v − ḡ·ḡ) + ε  (or √v + ε);
 *   b ← b·μ + g/s;  w ← w + (−η)·b     or, without momentum,     w ← w + (−η·g)/s
 */
export function rmspropUpdate(w: Float64Array, grad: Float64Array, squareAvg: Float64Array, gradAvg: Float64Array | null,
  buffer: Float64Array | null, n: number, h: RMSpropUpdate): void {
  const { lr, alpha, eps, weightDecay, momentum } = h;
  for (let i = 0; i < n; i++) {
    const g = weightDecay !== 0 ? grad[i] + weightDecay * w[i] : grad[i]; //  g ← ∂L/∂w + λ·w
    squareAvg[i] = squareAvg[i] * alpha + (1 - alpha) * g * g; //           v ← α·v + (1 − α)·g²
    let root: number;
    if (gradAvg !== null) {
      gradAvg[i] += (1 - alpha) * (g - gradAvg[i]); //                        ḡ ← α·ḡ + (1 − α)·g
      root = Math.sqrt(squareAvg[i] - gradAvg[i] * gradAvg[i]); //           √(v − ḡ²)
    } else {
      root = Math.sqrt(squareAvg[i]); //                                      √v
    }
    const denom = root + eps; //                                              s = √… + ε
    if (buffer !== null) {
      buffer[i] = buffer[i] * momentum + g / denom; //                        b ← μ·b + g/s
      w[i] += -lr * buffer[i]; //                                             w ← w − η·b
    } else {
      w[i] += (-lr * g) / denom; //                                           w ← w − η·g/s
    }
  }
}
