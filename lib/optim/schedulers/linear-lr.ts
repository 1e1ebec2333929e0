import { MinidlError, checkInRange, checkInteger, describeValue } from '../../errors';
import { aNumber, anInteger, readOptions } from '../../options';
import { Optimizer } from '../optimizer';
import { LRScheduler, SchedulerState } from './lr-scheduler';

/** Options of `LinearLR`; every default is PyTorch's. */
export interface LinearLROptions {
  /** The factor of the rate at epoch 0, in (0, 1] (default 1/3; PyTorch's start_factor). */
  startFactor?: number;
  /** The factor of the rate from epoch totalIters on, in [0, 1] (default 1; PyTorch's end_factor). */
  endFactor?: number;
  /** The number of epochs over which the factor goes from startFactor to endFactor (default 5). */
  totalIters?: number;
}

/**
 * Linear warm-up or decay (PyTorch's `LinearLR`): the rate is lr₀ times a factor that goes in a
 * straight line from startFactor (s) to endFactor (e) over totalIters (T) epochs, then stays.
 *
 *   lr(t) = lr₀ · (s + (e − s) · min(t, T) / T)          (the closed form)
 *
 * The constructor multiplies the optimizer's rate by s (epoch 0), as PyTorch's does. Then each
 * step computes, as PyTorch's `step()` does, the recursive ("chainable") form, from the rate the
 * optimizer holds:
 *
 *   lr(t) = lr(t−1) · (1 + (e − s) / (T·s + (t − 1)·(e − s)))    for 1 ≤ t ≤ T
 *   lr(t) = lr(t−1)                                            for t > T
 *
 * Options: `{ startFactor = 1/3, endFactor = 1, totalIters = 5 }`. Throws a MinidlError,
 * changing nothing, for an optimizer that is not a minidl Optimizer, unknown options,
 * startFactor outside (0, 1], endFactor outside [0, 1] (PyTorch's ranges), or totalIters not an
 * integer ≥ 1.
 */
export class LinearLR extends LRScheduler {
  /** s: the factor at epoch 0. */
  readonly startFactor: number;
  /** e: the factor from epoch totalIters on. */
  readonly endFactor: number;
  /** T: the number of epochs of the ramp. */
  readonly totalIters: number;

  constructor(optimizer: Optimizer, options: LinearLROptions = {}) {
    super('LinearLR', optimizer);
    const o = readOptions<LinearLROptions>('LinearLR', options, { startFactor: aNumber, endFactor: aNumber, totalIters: anInteger });
    this.startFactor = checkStartFactor('LinearLR', "option 'startFactor'", o.startFactor ?? 1.0 / 3);
    this.endFactor = checkInRange('LinearLR', "option 'endFactor'", o.endFactor ?? 1.0, 0, 1, true);
    this.totalIters = checkInteger('LinearLR', "option 'totalIters'", o.totalIters ?? 5);
    this.initialStep();
  }

  /** PyTorch's `LinearLR.get_lr` (recursive), in its order of operations. */
  protected getLr(epoch: number): number {
    const lr = this.optimizer.lr;
    const { startFactor, endFactor, totalIters } = this;
    if (epoch === 0) return lr * startFactor;
    if (epoch > totalIters) return lr;
    return lr * (1.0 + (endFactor - startFactor) / (totalIters * startFactor + (epoch - 1) * (endFactor - startFactor)));
  }

  /** startFactor, endFactor and totalIters. */
  protected settings(): SchedulerState {
    return { startFactor: this.startFactor, endFactor: this.endFactor, totalIters: this.totalIters };
  }

  /** startFactor in (0, 1], endFactor in [0, 1], totalIters an integer ≥ 1. */
  protected checkSettings(who: string, state: Record<string, unknown>): void {
    checkStartFactor(who, 'startFactor', state.startFactor);
    checkInRange(who, 'endFactor', state.endFactor, 0, 1, true);
    checkInteger(who, 'totalIters', state.totalIters);
  }

  toString(): string {
    return `LinearLR(startFactor=${this.startFactor}, endFactor=${this.endFactor}, totalIters=${this.totalIters})`;
  }
}

/** Returns `value` when it is a finite number in (0, 1] (PyTorch's range for start_factor); throws a MinidlError otherwise. */
function checkStartFactor(who: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 1) {
    throw new MinidlError(`${who}: ${name} must be in (0, 1], got ${typeof value === 'number' ? value : describeValue(value)}`);
  }
  return value;
}
