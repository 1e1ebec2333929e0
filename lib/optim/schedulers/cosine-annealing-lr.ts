import { MinidlError, checkInteger, checkPositive } from '../../errors';
import { aNumber, anInteger, readOptions } from '../../options';
import { Optimizer } from '../optimizer';
import { LRScheduler, SchedulerState } from './lr-scheduler';

/** Options of `CosineAnnealingLR`; every default is PyTorch's. */
export interface CosineAnnealingLROptions {
  /** T_max, the number of epochs from the initial rate down to etaMin (required; PyTorch's T_max). */
  tMax: number;
  /** η_min, the rate reached at epoch tMax (default 0; PyTorch's eta_min). */
  etaMin?: number;
}

/**
 * Cosine annealing (PyTorch's `CosineAnnealingLR`, from SGDR, Loshchilov & Hutter 2017, without
 * restarts): the rate follows half a cosine from η_max = lr₀ down to η_min in T_max epochs, then
 * back up over the next T_max, and so on.
 *
 *   lr(t) = η_min + (η_max − η_min) · (1 + cos(π·t / T_max)) / 2          (the closed form)
 *
 * computed as PyTorch's `step()` does, in the recursive ("chainable") form, from the rate the
 * optimizer holds:
 *
 *   lr(t) = (1 + cos(π·t / T_max)) / (1 + cos(π·(t−1) / T_max)) · (lr(t−1) − η_min) + η_min
 *   lr(t) = lr(t−1) + (η_max − η_min) · (1 − cos(π / T_max)) / 2     when (t − 1 − T_max) is a multiple of 2·T_max
 *
 * (the second line where the first would divide by 1 + cos(π) = 0, at the bottom of each
 * cosine). The two forms differ in the last bits: the recursive one is what PyTorch's
 * `scheduler.step()` gives, and what this class gives.
 *
 * cos is JavaScript's `Math.cos`; PyTorch's is Python's `math.cos`, C's `cos`. Neither is
 * required to return the double nearest to the exact cosine, and they do not always agree: V8's
 * and glibc's (Linux) differ in the last bit for about one argument π·t/T in thirty. The
 * recursive form carries such a difference on, so over a long schedule the rates may drift
 * from PyTorch's by a few units in the last place (measured: at most 6, about 1e-15 relative,
 * over 250 steps of tMax = 100); every other operation is PyTorch's, in its order.
 *
 * Options: `{ tMax, etaMin = 0 }`. Throws a MinidlError, changing nothing, for an optimizer that
 * is not a minidl Optimizer, unknown options, tMax missing or not an integer ≥ 1, or etaMin not
 * a finite number ≥ 0.
 */
export class CosineAnnealingLR extends LRScheduler {
  /** T_max: the number of epochs of half a cosine. */
  readonly tMax: number;
  /** η_min: the lowest rate. */
  readonly etaMin: number;

  constructor(optimizer: Optimizer, options: CosineAnnealingLROptions) {
    super('CosineAnnealingLR', optimizer);
    const o = readOptions<CosineAnnealingLROptions>('CosineAnnealingLR', options, { tMax: anInteger, etaMin: aNumber }, { positional: 'tMax' });
    if (o.tMax === undefined) throw new MinidlError("CosineAnnealingLR: option 'tMax' is required (the number of epochs of the annealing), as in { tMax: 100 }");
    this.tMax = checkInteger('CosineAnnealingLR', "option 'tMax'", o.tMax);
    this.etaMin = checkPositive('CosineAnnealingLR', "option 'etaMin'", o.etaMin ?? 0, true);
    this.initialStep();
  }

  /**
   * PyTorch's `CosineAnnealingLR.get_lr` (recursive), in its order of operations. (Its branch
   * for `_step_count == 1 and last_epoch > 0` serves a scheduler made with a `last_epoch`
   * argument, which minidl's do not take.)
   */
  protected getLr(epoch: number): number {
    const lr = this.optimizer.lr;
    const { tMax, etaMin } = this;
    if (epoch === 0) return lr;
    if ((epoch - 1 - tMax) % (2 * tMax) === 0) {
      return lr + (this.baseLrs[0] - etaMin) * (1 - Math.cos(Math.PI / tMax)) / 2;
    }
    return (1 + Math.cos(Math.PI * epoch / tMax)) / (1 + Math.cos(Math.PI * (epoch - 1) / tMax)) * (lr - etaMin) + etaMin;
  }

  /** tMax and etaMin. */
  protected settings(): SchedulerState {
    return { tMax: this.tMax, etaMin: this.etaMin };
  }

  /** tMax an integer ≥ 1, etaMin a finite number ≥ 0. */
  protected checkSettings(who: string, state: Record<string, unknown>): void {
    checkInteger(who, 'tMax', state.tMax);
    checkPositive(who, 'etaMin', state.etaMin, true);
  }

  toString(): string {
    return `CosineAnnealingLR(tMax=${this.tMax}, etaMin=${this.etaMin})`;
  }
}
