import { MinidlError, checkFinite, checkInteger, checkPositive, describeValue } from '../../errors';
import { aNumber, anInteger, oneOf, readOptions } from '../../options';
import { Optimizer } from '../optimizer';
import { LRScheduler, SchedulerState } from './lr-scheduler';

/** Options of `ReduceLROnPlateau`; every default is PyTorch's. */
export interface ReduceLROnPlateauOptions {
  /** 'min': the metric should fall (a loss); 'max': it should rise (an accuracy) (default 'min'). */
  mode?: 'min' | 'max';
  /** The factor the rate is multiplied by on a plateau, in (0, 1) (default 0.1). */
  factor?: number;
  /** The number of epochs without improvement allowed before the rate falls (default 10). */
  patience?: number;
  /** How much better a metric must be to count as an improvement (default 1e-4). */
  threshold?: number;
  /** 'rel': better by a fraction threshold of the best; 'abs': by threshold itself (default 'rel'). */
  thresholdMode?: 'rel' | 'abs';
  /** The number of epochs after a fall during which bad epochs are not counted (default 0). */
  cooldown?: number;
  /** The lowest rate (default 0; PyTorch's min_lr). */
  minLr?: number;
  /** A fall smaller than eps is not made (default 1e-8). */
  eps?: number;
}

/**
 * Lower the rate when a metric stops improving (PyTorch's `ReduceLROnPlateau`). Its `step` takes
 * the metric of the epoch — a validation loss, an accuracy: `scheduler.step(validationLoss)`.
 *
 * An epoch's metric m improves on the best so far when (PyTorch's `_is_better`):
 *
 *   mode 'min', 'rel':  m < best · (1 − threshold)        mode 'max', 'rel':  m > best · (threshold + 1)
 *   mode 'min', 'abs':  m < best − threshold              mode 'max', 'abs':  m > best + threshold
 *
 * (the first metric always does). Then, at each step (PyTorch's order):
 *
 *   if m improves:  best ← m,  numBadEpochs ← 0     else  numBadEpochs ← numBadEpochs + 1
 *   if cooldownCounter > 0:  cooldownCounter ← cooldownCounter − 1,  numBadEpochs ← 0
 *   if numBadEpochs > patience:
 *     new ← max(lr · factor, minLr);   if lr − new > eps:  lr ← new
 *     cooldownCounter ← cooldown,  numBadEpochs ← 0
 *
 * The rate is not a function of the epoch: the constructor changes nothing (no initial step, as
 * in PyTorch), and the rate changes only on a plateau. `best` is null until the first metric
 * (PyTorch starts it at ±inf, which JSON cannot hold).
 *
 * Options: `{ mode = 'min', factor = 0.1, patience = 10, threshold = 1e-4, thresholdMode = 'rel',
 * cooldown = 0, minLr = 0, eps = 1e-8 }`. Throws a MinidlError, changing nothing, for an
 * optimizer that is not a minidl Optimizer, unknown options, mode not 'min' or 'max',
 * thresholdMode not 'rel' or 'abs', factor outside (0, 1), patience or cooldown not an integer
 * ≥ 0, threshold, minLr or eps not a finite number ≥ 0, or threshold ≥ 1 in mode 'min' with
 * 'rel' (best · (1 − threshold) would never be beaten); `step` throws for a metric that is not
 * a finite number, and changes nothing.
 */
export class ReduceLROnPlateau extends LRScheduler {
  /** 'min' or 'max': whether the metric should fall or rise. */
  readonly mode: 'min' | 'max';
  /** The factor the rate is multiplied by on a plateau. */
  readonly factor: number;
  /** The number of bad epochs allowed before the rate falls. */
  readonly patience: number;
  /** The margin of an improvement. */
  readonly threshold: number;
  /** 'rel' or 'abs': how threshold is applied. */
  readonly thresholdMode: 'rel' | 'abs';
  /** The number of epochs after a fall during which bad epochs are not counted. */
  readonly cooldown: number;
  /** The lowest rate. */
  readonly minLr: number;
  /** The smallest fall of the rate that is made. */
  readonly eps: number;
  /** The best metric so far, null before the first one. */
  best: number | null = null;
  /** The number of epochs since the last improvement (or fall, or cooldown). */
  numBadEpochs = 0;
  /** The number of epochs of cooldown left. */
  cooldownCounter = 0;

  constructor(optimizer: Optimizer, options: ReduceLROnPlateauOptions = {}) {
    super('ReduceLROnPlateau', optimizer);
    const who = 'ReduceLROnPlateau';
    const o = readOptions<ReduceLROnPlateauOptions>(who, options, {
      mode: oneOf('min', 'max'), factor: aNumber, patience: anInteger, threshold: aNumber, thresholdMode: oneOf('rel', 'abs'),
      cooldown: anInteger, minLr: aNumber, eps: aNumber,
    }, { positional: 'mode' });
    this.mode = o.mode ?? 'min';
    this.factor = checkFactor(who, "option 'factor'", o.factor ?? 0.1);
    this.patience = checkInteger(who, "option 'patience'", o.patience ?? 10, 0);
    this.thresholdMode = o.thresholdMode ?? 'rel';
    this.threshold = checkThreshold(who, "option 'threshold'", o.threshold ?? 1e-4, this.mode, this.thresholdMode);
    this.cooldown = checkInteger(who, "option 'cooldown'", o.cooldown ?? 0, 0);
    this.minLr = checkPositive(who, "option 'minLr'", o.minLr ?? 0, true);
    this.eps = checkPositive(who, "option 'eps'", o.eps ?? 1e-8, true);
    // No initial step (PyTorch's ReduceLROnPlateau does not call LRScheduler's constructor).
    this.baseLrs = [optimizer.lr];
    this.lastEpoch = 0;
    this.lastLr = [optimizer.lr];
  }

  /** The rate does not follow the epoch: it is the one the optimizer holds (PyTorch's class has no get_lr). */
  protected getLr(): number {
    return this.optimizer.lr;
  }

  /** True when `a` improves on `best` (PyTorch's `_is_better`; anything improves on no best). */
  private isBetter(a: number, best: number | null): boolean {
    if (best === null) return true;
    if (this.mode === 'min' && this.thresholdMode === 'rel') return a < best * (1.0 - this.threshold);
    if (this.mode === 'min') return a < best - this.threshold;
    if (this.thresholdMode === 'rel') return a > best * (this.threshold + 1.0);
    return a > best + this.threshold;
  }

  /**
   * Ends an epoch whose metric was `metric` (the rule of the class comment): lastEpoch grows by
   * one, and the rate falls on a plateau. Throws a MinidlError, changing nothing, for a metric
   * that is not a finite number.
   *
   * @param metric The metric of the epoch (required; optional in the signature only because
   *   LRScheduler's `step()` takes none).
   */
  override step(metric?: number): void {
    if (metric === undefined) {
      throw new MinidlError('ReduceLROnPlateau.step: needs the metric it watches, as in scheduler.step(validationLoss), got none');
    }
    const current = checkFinite('ReduceLROnPlateau.step', 'metric', metric);
    this.lastEpoch += 1;
    if (this.isBetter(current, this.best)) {
      this.best = current;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs += 1;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.numBadEpochs = 0; // bad epochs during the cooldown are not counted
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = [this.optimizer.lr];
  }

  /** new ← max(lr · factor, minLr); the rate becomes new when it falls by more than eps (PyTorch's `_reduce_lr`). */
  private reduceLr(): void {
    const oldLr = this.optimizer.lr;
    const newLr = Math.max(oldLr * this.factor, this.minLr);
    if (oldLr - newLr > this.eps) this.optimizer.lr = newLr;
  }

  /** The options, and best, numBadEpochs and cooldownCounter. */
  protected settings(): SchedulerState {
    return {
      mode: this.mode, factor: this.factor, patience: this.patience, threshold: this.threshold, thresholdMode: this.thresholdMode,
      cooldown: this.cooldown, minLr: this.minLr, eps: this.eps,
      best: this.best, numBadEpochs: this.numBadEpochs, cooldownCounter: this.cooldownCounter,
    };
  }

  /** The constructor's rules; best null or a finite number; numBadEpochs and cooldownCounter integers ≥ 0. */
  protected checkSettings(who: string, state: Record<string, unknown>): void {
    if (state.mode !== 'min' && state.mode !== 'max') throw new MinidlError(`${who}: mode must be one of 'min', 'max', got ${describeValue(state.mode)}`);
    if (state.thresholdMode !== 'rel' && state.thresholdMode !== 'abs') {
      throw new MinidlError(`${who}: thresholdMode must be one of 'rel', 'abs', got ${describeValue(state.thresholdMode)}`);
    }
    checkFactor(who, 'factor', state.factor);
    checkInteger(who, 'patience', state.patience, 0);
    checkThreshold(who, 'threshold', state.threshold, state.mode, state.thresholdMode);
    checkInteger(who, 'cooldown', state.cooldown, 0);
    checkPositive(who, 'minLr', state.minLr, true);
    checkPositive(who, 'eps', state.eps, true);
    if (state.best !== null) checkFinite(who, 'best (null before the first metric)', state.best);
    checkInteger(who, 'numBadEpochs', state.numBadEpochs, 0);
    checkInteger(who, 'cooldownCounter', state.cooldownCounter, 0);
  }

  toString(): string {
    return `ReduceLROnPlateau(mode='${this.mode}', factor=${this.factor}, patience=${this.patience}, threshold=${this.threshold}, thresholdMode='${this.thresholdMode}'` +
      `${this.cooldown ? `, cooldown=${this.cooldown}` : ''}${this.minLr ? `, minLr=${this.minLr}` : ''}, eps=${this.eps})`;
  }
}

/** Returns `value` when it is a finite number in (0, 1) (a fall of the rate); throws a MinidlError otherwise. */
function checkFactor(who: string, name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value >= 1) {
    throw new MinidlError(`${who}: ${name} must be in (0, 1) (new rate = rate · factor), got ${typeof value === 'number' ? value : describeValue(value)}`);
  }
  return value;
}

/** Returns `value` when it is a finite number ≥ 0, below 1 in mode 'min' with 'rel'; throws a MinidlError otherwise. */
function checkThreshold(who: string, name: string, value: unknown, mode: 'min' | 'max', thresholdMode: 'rel' | 'abs'): number {
  const threshold = checkPositive(who, name, value, true);
  if (mode === 'min' && thresholdMode === 'rel' && threshold >= 1) {
    throw new MinidlError(`${who}: ${name} must be below 1 in mode 'min' with thresholdMode 'rel' (a metric must fall below best · (1 − threshold)), got ${threshold}`);
  }
  return threshold;
}
