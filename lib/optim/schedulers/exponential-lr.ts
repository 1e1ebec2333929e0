import { MinidlError, checkPositive } from '../../errors';
import { aNumber, readOptions } from '../../options';
import { Optimizer } from '../optimizer';
import { LRScheduler, SchedulerState } from './lr-scheduler';

/** Options of `ExponentialLR`. */
export interface ExponentialLROptions {
  /** γ, the factor the rate is multiplied by at every epoch (required). */
  gamma: number;
}

/**
 * Exponential decay (PyTorch's `ExponentialLR`): the rate is multiplied by γ at every epoch.
 *
 *   lr(t) = lr₀ · γᵗ                        (the closed form)
 *
 * computed as PyTorch's `step()` does, in the recursive ("chainable") form:
 *
 *   lr(t) = lr(t−1) · γ   for t ≥ 1
 *
 * so lr(t) is t products, which may differ in the last bits from lr₀ · γᵗ.
 *
 * Options: `{ gamma }`. Throws a MinidlError, changing nothing, for an optimizer that is not a
 * minidl Optimizer, unknown options, or γ missing or not a finite number > 0.
 */
export class ExponentialLR extends LRScheduler {
  /** γ: the rate is multiplied by it at every epoch. */
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: ExponentialLROptions) {
    super('ExponentialLR', optimizer);
    const o = readOptions<ExponentialLROptions>('ExponentialLR', options, { gamma: aNumber }, { positional: 'gamma' });
    if (o.gamma === undefined) throw new MinidlError("ExponentialLR: option 'gamma' is required (the factor of each epoch), as in { gamma: 0.95 }");
    this.gamma = checkPositive('ExponentialLR', "option 'gamma'", o.gamma);
    this.initialStep();
  }

  /** PyTorch's `ExponentialLR.get_lr` (recursive): lr at the initial step, lr · γ after. */
  protected getLr(epoch: number): number {
    const lr = this.optimizer.lr;
    if (epoch === 0) return lr;
    return lr * this.gamma;
  }

  /** gamma. */
  protected settings(): SchedulerState {
    return { gamma: this.gamma };
  }

  /** gamma a finite number > 0. */
  protected checkSettings(who: string, state: Record<string, unknown>): void {
    checkPositive(who, 'gamma', state.gamma);
  }

  toString(): string {
    return `ExponentialLR(gamma=${this.gamma})`;
  }
}
