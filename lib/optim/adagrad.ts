import { checkPositive } from '../errors';
import { Parameter } from '../modules/parameter';
import { aNumber, readOptions } from '../options';
import { Optimizer } from './optimizer';
import { HyperParameters, StateKinds } from './optimizer-state';

/** Options of `Adagrad`; every default is PyTorch's. */
export interface AdagradOptions {
  /** Learning rate η (default 1e-2). */
  lr?: number;
  /** Learning-rate decay d: step t uses η / (1 + (t − 1)·d) (default 0). */
  lrDecay?: number;
  /** Weight decay λ, added to the gradient as in SGD (coupled L2; default 0). */
  weightDecay?: number;
  /** The value s₀ every entry of the sum of squares starts from (default 0). */
  initialAccumulatorValue?: number;
  /** ε added to the denominator, outside the square root (default 1e-10). */
  eps?: number;
}

/** The hyper-parameters of one Adagrad step, as `adagradUpdate` takes them. */
export interface AdagradUpdate {
  /** The learning rate of this step, η / (1 + (t − 1)·d). */
  clr: number;
  eps: number;
  weightDecay: number;
}

/**
 * Adagrad (Duchi, Hazan & Singer, 2011), with PyTorch's update rule (`torch.optim.Adagrad`):
 * each weight's step is divided by the root of the sum of all its squared gradients so far, so
 * weights that received large gradients slow down.
 *
 * For each parameter w, at its step t = 1, 2, …, with s = s₀ (initialAccumulatorValue) at first:
 *
 *   g ← ∂L/∂w + λ·w                  weight decay (coupled L2)
 *   η_t = η / (1 + (t − 1)·d)         learning-rate decay
 *   s ← s + g²                        sum of squares
 *   w ← w − η_t · g / (√s + ε)
 *
 * ε is added outside the square root, as PyTorch. Since s only grows, the steps shrink over
 * time even without decay.
 *
 * State of each parameter p (`state.get(p)`, PyTorch's names): `step` t and `sum` s, made at its
 * first step.
 *
 * Throws a MinidlError for options that are not an object of known keys, or lr, lrDecay,
 * weightDecay, initialAccumulatorValue or eps not a finite number ≥ 0 (PyTorch's ranges);
 * `step()` checks them again (lr may be changed between steps) before it moves anything.
 */
export class Adagrad extends Optimizer {
  /** d: the learning rate of step t is η / (1 + (t − 1)·d). */
  readonly lrDecay: number;
  /** λ: L2 penalty; λ·w is added to the gradient before anything else. */
  readonly weightDecay: number;
  /** s₀: the starting value of every entry of the sum of squared gradients. */
  readonly initialAccumulatorValue: number;
  /** ε: added to the root in the denominator, for numerical safety. */
  readonly eps: number;

  constructor(params: Parameter[], options: AdagradOptions = {}) {
    const o = readOptions<AdagradOptions>('Adagrad', options, {
      lr: aNumber, lrDecay: aNumber, weightDecay: aNumber, initialAccumulatorValue: aNumber, eps: aNumber,
    }, { positional: 'lr' });
    super('Adagrad', params, o.lr ?? 1e-2);
    this.lrDecay = o.lrDecay ?? 0;
    this.weightDecay = o.weightDecay ?? 0;
    this.initialAccumulatorValue = o.initialAccumulatorValue ?? 0;
    this.eps = o.eps ?? 1e-10;
    this.checkHyperParameters('Adagrad');
  }

  /** The options of the constructor, as `stateDict()` writes them in `paramGroups[0]`. */
  protected override hyperParameters(): HyperParameters {
    return { lr: this.lr, lrDecay: this.lrDecay, weightDecay: this.weightDecay, initialAccumulatorValue: this.initialAccumulatorValue, eps: this.eps };
  }

  /** The state of each parameter, as `stateDict()` writes it and `loadStateDict` accepts it. */
  protected override stateKinds(): StateKinds {
    return { step: 'number', sum: 'tensor' };
  }

  /** Refuses a hyper-parameter out of PyTorch's range (`who` names the caller). */
  protected override checkHyperParameters(who: string): void {
    checkPositive(who, 'lr', this.lr, true);
    checkPositive(who, 'lrDecay', this.lrDecay, true);
    checkPositive(who, 'weightDecay', this.weightDecay, true);
    checkPositive(who, 'initialAccumulatorValue', this.initialAccumulatorValue, true);
    checkPositive(who, 'eps', this.eps, true);
  }

  step(): void {
    this.checkHyperParameters('Adagrad.step'); //               lr may have been changed since: check before moving anything
    this.checkGradients('Adagrad.step');       // a NaN or ±Infinity gradient: refused before anything moves
    const { lr, lrDecay, weightDecay, eps } = this;
    for (const p of this.params) {
      const s = this.stateOf(p);
      if (s.sum === undefined) this.stateTensor(p, 'sum').data.fill(this.initialAccumulatorValue); // s = s₀ at the first step
      const sum = this.stateTensor(p, 'sum');
      const step = (s.step = ((s.step as number | undefined) ?? 0) + 1); //           t
      const clr = lr / (1 + (step - 1) * lrDecay); //                                 η_t = η / (1 + (t − 1)·d)
      adagradUpdate(p.value.data, p.grad.data, sum.data, p.value.size, { clr, eps, weightDecay });
    }
  }

  toString(): string {
    const parts = [`lr=${this.lr}`];
    if (this.lrDecay) parts.push(`lrDecay=${this.lrDecay}`);
    if (this.weightDecay) parts.push(`weightDecay=${this.weightDecay}`);
    if (this.initialAccumulatorValue) parts.push(`initialAccumulatorValue=${this.initialAccumulatorValue}`);
    parts.push(`eps=${this.eps}`);
    return `Adagrad(${parts.join(', ')})`;
  }
}

/**
 * One Adagrad step on the n weights w with gradients grad and the sums of squares, entry by
 * entry, in the order of PyTorch's `_single_tensor_adagrad`:
 *
 *   g ← grad + λ·w;   s ← s + g·g;   w ← w + (−η_t·g) / (√s + ε)
 */
export function adagradUpdate(w: Float64Array, grad: Float64Array, sum: Float64Array, n: number, h: AdagradUpdate): void {
  const { clr, eps, weightDecay } = h;
  for (let i = 0; i < n; i++) {
    const g = weightDecay !== 0 ? grad[i] + weightDecay * w[i] : grad[i]; //  g ← ∂L/∂w + λ·w
    sum[i] += g * g; //                                                      s ← s + g²
    const std = Math.sqrt(sum[i]) + eps; //                                  √s + ε
    w[i] += (-clr * g) / std; //                                             w ← w − η_t·g/(√s + ε)
  }
}
