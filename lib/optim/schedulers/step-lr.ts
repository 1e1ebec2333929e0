import { MinidlError, checkInteger, checkPositive } from '../../errors';
import { aNumber, anInteger, readOptions } from '../../options';
import { Optimizer } from '../optimizer';
import { LRScheduler, SchedulerState } from './lr-scheduler';

/** Options of `StepLR`; every default is PyTorch's. */
export interface StepLROptions {
  /** The period of the decay, in epochs (required; PyTorch's step_size). */
  stepSize: number;
  /** γ, the factor the rate is multiplied by every stepSize epochs (default 0.1). */
  gamma?: number;
}

/**
 * Step decay (PyTorch's `StepLR`): the rate is multiplied by γ every `stepSize` epochs.
 *
 *   lr(t) = lr₀ · γ^⌊t / stepSize⌋          (the closed form)
 *
 * computed as PyTorch's `step()` does, in the recursive ("chainable") form, from the rate the
 * optimizer holds:
 *
 *   lr(t) = lr(t−1) · γ   if t > 0 and t is a multiple of stepSize
 *   lr(t) = lr(t−1)       otherwise
 *
 * so 0.1 with γ = 0.1 reads 0.1 · 0.1 = 0.010000000000000002 from epoch 30 on, as in PyTorch.
 *
 * Options: `{ stepSize, gamma = 0.1 }`. Throws a MinidlError, changing nothing, for an optimizer
 * that is not a minidl Optimizer, unknown options, stepSize missing or not an integer ≥ 1, or γ
 * not a finite number > 0.
 */
export class StepLR extends LRScheduler {
  /** The period of the decay, in epochs. */
  readonly stepSize: number;
  /** γ: the rate is multiplied by it every stepSize epochs. */
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: StepLROptions) {
    super('StepLR', optimizer);
    const o = readOptions<StepLROptions>('StepLR', options, { stepSize: anInteger, gamma: aNumber }, { positional: 'stepSize' });
    if (o.stepSize === undefined) throw new MinidlError("StepLR: option 'stepSize' is required (the period of the decay, in epochs), as in { stepSize: 30 }");
    this.stepSize = checkInteger('StepLR', "option 'stepSize'", o.stepSize);
    this.gamma = checkPositive('StepLR', "option 'gamma'", o.gamma ?? 0.1);
    this.initialStep();
  }

  /** PyTorch's `StepLR.get_lr` (recursive): lr · γ at each multiple of stepSize, else lr. */
  protected getLr(epoch: number): number {
    const lr = this.optimizer.lr;
    if (epoch === 0 || epoch % this.stepSize !== 0) return lr;
    return lr * this.gamma;
  }

  /** stepSize and gamma. */
  protected settings(): SchedulerState {
    return { stepSize: this.stepSize, gamma: this.gamma };
  }

  /** stepSize an integer ≥ 1, gamma a finite number > 0. */
  protected checkSettings(who: string, state: Record<string, unknown>): void {
    checkInteger(who, 'stepSize', state.stepSize);
    checkPositive(who, 'gamma', state.gamma);
  }

  toString(): string {
    return `StepLR(stepSize=${this.stepSize}, gamma=${this.gamma})`;
  }
}
