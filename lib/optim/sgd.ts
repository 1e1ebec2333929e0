import { MinidlError, checkPositive } from '../errors';
import { Parameter } from '../modules/parameter';
import { aBoolean, aNumber, readOptions } from '../options';
import { SgdUpdate, fastLoop } from '../tensor/loops';
import { Optimizer } from './optimizer';
import { HyperParameters, StateKinds } from './optimizer-state';

/** Options of `SGD`; every default is PyTorch's. */
export interface SGDOptions {
  /** Learning rate η (default 1e-3). */
  lr?: number;
  /** Momentum μ (default 0: plain SGD). */
  momentum?: number;
  /** Dampening τ of the momentum (default 0). */
  dampening?: number;
  /** Use Nesterov momentum (default false; needs momentum > 0 and dampening 0). */
  nesterov?: boolean;
  /** Weight decay λ, an L2 penalty (λ/2)·‖w‖² added to the loss (default 0). */
  weightDecay?: number;
}

/**
 * Stochastic gradient descent, with PyTorch's update rule (`torch.optim.SGD`).
 *
 * For each parameter w with gradient ∂L/∂w, at step t = 1, 2, …:
 *
 *   g ← ∂L/∂w + λ·w                      weight decay (coupled L2)
 *   if μ ≠ 0:
 *     b ← g                 at t = 1
 *     b ← μ·b + (1 − τ)·g   after
 *     g ← g + μ·b  if Nesterov, else  g ← b
 *   w ← w − η·g
 *
 * Weight decay λ is the gradient of an extra (λ/2)·‖w‖² term in the loss. The momentum buffer
 * b of each parameter is `state.get(p).momentumBuffer`, made at its first step.
 *
 * Throws a MinidlError for options that are not an object of known keys, a hyper-parameter that
 * is not a finite number ≥ 0 (PyTorch's ranges), or Nesterov without momentum > 0 and dampening 0;
 * `step()` checks them again (lr may be changed between steps) before it moves anything.
 */
export class SGD extends Optimizer {
  /** μ: the fraction of the previous step kept in the velocity buffer (0: plain SGD). May be changed between steps (OneCycleLR does); `step()` checks it first. */
  momentum: number;
  /** τ: the gradient enters the velocity buffer scaled by 1 − τ (PyTorch's dampening). */
  readonly dampening: number;
  /** Nesterov's variant: step along g + μ·b instead of b. */
  readonly nesterov: boolean;
  /** λ: L2 penalty; λ·θ is added to the gradient before the step. */
  readonly weightDecay: number;

  constructor(params: Parameter[], options: SGDOptions = {}) {
    const o = readOptions<SGDOptions>('SGD', options, {
      lr: aNumber, momentum: aNumber, dampening: aNumber, nesterov: aBoolean, weightDecay: aNumber,
    }, { positional: 'lr' });
    super('SGD', params, o.lr ?? 1e-3);
    this.momentum = o.momentum ?? 0;
    this.dampening = o.dampening ?? 0;
    this.weightDecay = o.weightDecay ?? 0;
    this.nesterov = o.nesterov ?? false;
    this.checkHyperParameters('SGD');
  }

  /** The options of the constructor, as `stateDict()` writes them in `paramGroups[0]`. */
  protected override hyperParameters(): HyperParameters {
    return { lr: this.lr, momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov, weightDecay: this.weightDecay };
  }

  /** The state of each parameter, as `stateDict()` writes it and `loadStateDict` accepts it. */
  protected override stateKinds(): StateKinds {
    return { momentumBuffer: 'tensor' };
  }

  /** Refuses a hyper-parameter out of PyTorch's range (`who` names the caller). */
  protected override checkHyperParameters(who: string): void {
    checkPositive(who, 'lr', this.lr, true);
    checkPositive(who, 'momentum', this.momentum, true);
    checkPositive(who, 'dampening', this.dampening, true);
    checkPositive(who, 'weightDecay', this.weightDecay, true);
    if (typeof this.nesterov !== 'boolean') throw new MinidlError(`${who}: nesterov must be true or false, got ${String(this.nesterov)}`);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new MinidlError(`${who}: Nesterov momentum requires momentum > 0 and dampening = 0, got momentum ${this.momentum} and dampening ${this.dampening}`);
    }
  }

  step(): void {
    this.checkHyperParameters('SGD.step'); //                   lr may have been changed since: check before moving anything
    this.checkGradients('SGD.step');       // a NaN or ±Infinity gradient: refused before anything moves
    const { lr, momentum, dampening, nesterov, weightDecay } = this;
    for (const p of this.params) {
      const firstStep = this.stateOf(p).momentumBuffer === undefined;
      const buffer = momentum !== 0 ? this.stateTensor(p, 'momentumBuffer').data : null; // b, zeros at the first step
      // exercise SGD.step ▼
      fastLoop('sgdUpdate', sgdUpdate)(p.value.data, p.grad.data, buffer, p.value.size, { lr, momentum, dampening, weightDecay, nesterov, firstStep });
      // exercise ▲
    }
  }

  toString(): string {
    const parts = [`lr=${this.lr}`];
    if (this.momentum) parts.push(`momentum=${this.momentum}`);
    if (this.dampening) parts.push(`dampening=${this.dampening}`);
    if (this.nesterov) parts.push('nesterov');
    if (this.weightDecay) parts.push(`weightDecay=${this.weightDecay}`);
    return `SGD(${parts.join(', ')})`;
  }
}

// exercise SGD.step ▼
/**
 * One SGD step over the n weights w with gradients grad and the momentum buffer (null without
 * momentum), the rule of the class comment, entry by entry:
 *
 *   g ← grad + λ·w;   b ← g (first step) or μ·b + (1 − τ)·g;   g ← g + μ·b (Nesterov) or b;   w ← w − η·g
 */
export function sgdUpdate(w: Float64Array, grad: Float64Array, buffer: Float64Array | null, n: number, h: SgdUpdate): void {
  const { lr, momentum, dampening, weightDecay, nesterov, firstStep } = h;
  for (let i = 0; i < n; i++) {
    let g = weightDecay !== 0 ? grad[i] + weightDecay * w[i] : grad[i]; //      g ← ∂L/∂w + λ·w
    if (buffer !== null) {
      buffer[i] = firstStep ? g : momentum * buffer[i] + (1 - dampening) * g; // b ← g, or μ·b + (1 − τ)·g
      g = nesterov ? g + momentum * buffer[i] : buffer[i]; //                    g ← g + μ·b, or b
    }
    w[i] -= lr * g; //                                                           w ← w − η·g
  }
}
// exercise ▲
