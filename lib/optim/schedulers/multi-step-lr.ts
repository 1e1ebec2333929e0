import { MinidlError, checkPositive, describeValue } from '../../errors';
import { aNumber, readOptions, satisfying } from '../../options';
import { Optimizer } from '../optimizer';
import { LRScheduler, SchedulerState } from './lr-scheduler';

/** Options of `MultiStepLR`; every default is PyTorch's. */
export interface MultiStepLROptions {
  /** The epochs at which the rate is multiplied by γ: integers ≥ 1 in any order, a repeated one counting each time (required). */
  milestones: number[];
  /** γ, the factor the rate is multiplied by at each milestone (default 0.1). */
  gamma?: number;
}

/** A list of numbers (the detailed rule is checked by `checkMilestones`). */
const A_LIST = satisfying('a list of epochs such as [30, 80]', (v) => Array.isArray(v) && v.every((m) => typeof m === 'number'));

/**
 * Decay at chosen epochs (PyTorch's `MultiStepLR`): the rate is multiplied by γ when the epoch
 * reaches each milestone.
 *
 *   lr(t) = lr₀ · γ^(number of milestones ≤ t)          (the closed form)
 *
 * computed as PyTorch's `step()` does, in the recursive ("chainable") form, from the rate the
 * optimizer holds:
 *
 *   lr(t) = lr(t−1) · γ   if t is a milestone
 *   lr(t) = lr(t−1)       otherwise
 *
 * Milestones may come in any order, and one given twice decays by γ² there, as PyTorch's
 * `Counter(milestones)` does (its milestone 0, which would decay at construction, is refused).
 *
 * Options: `{ milestones, gamma = 0.1 }`. Throws a MinidlError, changing nothing, for an
 * optimizer that is not a minidl Optimizer, unknown options, milestones missing, not integers
 * ≥ 1, or γ not a finite number > 0.
 */
export class MultiStepLR extends LRScheduler {
  /** The epochs at which the rate is multiplied by γ, as given (a repeated one counts each time). */
  readonly milestones: readonly number[];
  /** γ: the rate is multiplied by it at each milestone. */
  readonly gamma: number;

  constructor(optimizer: Optimizer, options: MultiStepLROptions) {
    super('MultiStepLR', optimizer);
    const o = readOptions<MultiStepLROptions>('MultiStepLR', options, { milestones: A_LIST, gamma: aNumber }, { positional: 'milestones' });
    if (o.milestones === undefined) throw new MinidlError("MultiStepLR: option 'milestones' is required (the epochs at which the rate decays), as in { milestones: [30, 80] }");
    this.milestones = checkMilestones('MultiStepLR', "option 'milestones'", o.milestones).slice();
    this.gamma = checkPositive('MultiStepLR', "option 'gamma'", o.gamma ?? 0.1);
    this.initialStep();
  }

  /** PyTorch's `MultiStepLR.get_lr` (recursive): lr · γ^count at a milestone (count = 1 here), else lr. */
  protected getLr(epoch: number): number {
    const lr = this.optimizer.lr;
    const count = this.milestones.filter((m) => m === epoch).length; // PyTorch's Counter(milestones)[epoch]
    if (count === 0) return lr;
    return lr * this.gamma ** count;
  }

  /** milestones and gamma. */
  protected settings(): SchedulerState {
    return { milestones: this.milestones.slice(), gamma: this.gamma };
  }

  /** milestones integers ≥ 1, gamma a finite number > 0. */
  protected checkSettings(who: string, state: Record<string, unknown>): void {
    checkMilestones(who, 'milestones', state.milestones);
    checkPositive(who, 'gamma', state.gamma);
  }

  toString(): string {
    return `MultiStepLR(milestones=[${this.milestones.join(', ')}], gamma=${this.gamma})`;
  }
}

/** Returns `value` when it is a list of integers ≥ 1, each greater than the one before; throws a MinidlError otherwise. */
function checkMilestones(who: string, name: string, value: unknown): number[] {
  if (!Array.isArray(value)) throw new MinidlError(`${who}: ${name} must be a list of epochs such as [30, 80], got ${describeValue(value)}`);
  value.forEach((m: unknown, i) => {
    if (typeof m !== 'number' || !Number.isInteger(m) || m < 1) {
      throw new MinidlError(`${who}: ${name}[${i}] must be an integer ≥ 1 (an epoch), got ${typeof m === 'number' ? m : describeValue(m)}`);
    }
  });
  return value as number[];
}
