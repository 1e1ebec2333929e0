import { MinidlError, checkInteger, checkPositive, describeValue } from '../../errors';
import { Optimizer } from '../optimizer';

/** One value of a scheduler's state: a number, a string, true or false, null, or a list of numbers. */
export type SchedulerStateValue = number | string | boolean | null | number[];

/**
 * A scheduler's state as plain JSON, what `stateDict()` returns and `loadStateDict` takes:
 * its fields by name (PyTorch's `state_dict()`, the scheduler's `__dict__` minus the optimizer).
 */
export type SchedulerState = Record<string, SchedulerStateValue>;

/**
 * The base class of the learning-rate schedulers (PyTorch's `torch.optim.lr_scheduler.LRScheduler`):
 * something that sets the optimizer's learning rate `optimizer.lr` at each `step()`, from the
 * number of steps made so far (`lastEpoch`) and, for the "chainable" schedules, from the rate the
 * optimizer holds now.
 *
 * The loop, as in PyTorch — `step()` once per epoch, after the epoch's optimizer steps:
 *
 *   const optimizer = new SGD(model.params(), { lr: 0.1 });
 *   const scheduler = new StepLR(optimizer, { stepSize: 30 });   // epoch 0 uses lr 0.1
 *   for (let epoch = 0; epoch < 100; epoch++) {
 *     for (const [x, y] of batches) {
 *       optimizer.zeroGrad();  loss.forward(model.forward(x), y);
 *       model.backward(loss.backward());  optimizer.step();
 *     }
 *     scheduler.step();                                          // the rate of the next epoch
 *   }
 *
 * (OneCycleLR is stepped once per batch instead, after `optimizer.step()`; ReduceLROnPlateau
 * takes the metric it watches: `scheduler.step(validationLoss)`.)
 *
 * The constructor makes PyTorch's initial step: `lastEpoch` becomes 0 and `optimizer.lr` the
 * rate of epoch 0 (unchanged for most schedules; LinearLR multiplies it by its startFactor,
 * OneCycleLR sets it to maxLr / divFactor). `baseLrs` keeps the rate the schedule started from.
 *
 * Each `step()`:   lastEpoch ← lastEpoch + 1;   optimizer.lr ← getLr(lastEpoch)
 *
 * where `getLr` is the subclass's rule, PyTorch's `get_lr` transcribed operation by operation in
 * float64, so that the sequence of rates is PyTorch's to the bit (its doc comment says whether
 * the form is closed — from the epoch — or recursive — from the current rate). One exception:
 * the cosine of CosineAnnealingLR and OneCycleLR is JavaScript's `Math.cos`, PyTorch's is C's
 * `cos`, and the two may differ in the last bit (see CosineAnnealingLR).
 *
 * minidl's optimizers have one parameter group, so `baseLrs` and `getLastLr()` hold one number
 * each (lists, as PyTorch's, one entry per group). PyTorch takes `base_lrs` from the group's
 * `initial_lr`, which the first scheduler made on an optimizer writes; minidl takes the rate the
 * optimizer holds when the scheduler is made — the same, unless two schedulers share an optimizer.
 *
 * Throws a MinidlError, before changing anything, for an optimizer that is not a minidl
 * `Optimizer`, and for options or a state that are not what the subclass documents.
 */
export abstract class LRScheduler {
  /** The optimizer whose `lr` this scheduler sets. */
  readonly optimizer: Optimizer;
  /** The rate the schedule started from, one per parameter group (PyTorch's `base_lrs`). */
  baseLrs: number[] = [];
  /** The number of steps made, the constructor's initial step being epoch 0 (PyTorch's `last_epoch`). */
  lastEpoch = -1;
  /** The rate the last step set (PyTorch's `_last_lr`); read it with `getLastLr()`. */
  protected lastLr: number[] = [];
  /** The class's name, which messages start with: 'StepLR'. */
  protected readonly className: string;

  /**
   * Checks the optimizer and keeps it; changes nothing. A subclass reads its options next, then
   * calls `initialStep()`.
   *
   * @param className The subclass's name, for messages ('StepLR').
   * @param optimizer The optimizer whose `lr` the scheduler sets.
   */
  protected constructor(className: string, optimizer: Optimizer) {
    if (!(optimizer instanceof Optimizer)) {
      throw new MinidlError(`${className}: optimizer must be a minidl Optimizer (such as new SGD(model.params(), { lr: 0.1 })), got ${describeValue(optimizer)}`);
    }
    this.className = className;
    this.optimizer = optimizer;
  }

  /**
   * PyTorch's initial step, made by the constructor of each subclass once its options are read:
   * baseLrs ← [baseLr];  lastEpoch ← −1;  step()  (so lastEpoch = 0 and lr = getLr(0)).
   *
   * @param baseLr The rate the schedule starts from (default: the optimizer's lr).
   */
  protected initialStep(baseLr: number = this.optimizer.lr): void {
    this.baseLrs = [baseLr];
    this.lastEpoch = -1;
    this.step();
  }

  /**
   * The rate of epoch `epoch` (= lastEpoch + 1, or 0 at the initial step): PyTorch's `get_lr`,
   * which reads `self.last_epoch` after incrementing it; here the epoch is passed in, so that a
   * refusal (OneCycleLR past its last step) leaves everything as it was. It changes nothing.
   *
   * @param epoch The epoch whose rate is asked.
   */
  protected abstract getLr(epoch: number): number;

  /** Moves to the next epoch: lastEpoch ← lastEpoch + 1, optimizer.lr ← getLr(lastEpoch). */
  step(): void {
    const epoch = this.lastEpoch + 1;
    const lr = this.getLr(epoch); // may throw: nothing is changed before
    this.lastEpoch = epoch;
    this.optimizer.lr = lr;
    this.lastLr = [lr];
  }

  /** The rate the last step set, one per parameter group (PyTorch's `get_last_lr()`). */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }

  /**
   * The subclass's own fields, by name, as they go into `stateDict()` (its hyper-parameters and
   * what it counts); `checkSettings` checks them on load.
   */
  protected abstract settings(): SchedulerState;

  /**
   * Throws a MinidlError naming `who` when a loaded value of the subclass's own fields is not
   * one the scheduler could hold (same rules as its constructor); changes nothing.
   *
   * @param who The start of the message: 'StepLR.loadStateDict'.
   * @param state The state being loaded; its keys are already known to be the right ones.
   */
  protected abstract checkSettings(who: string, state: Record<string, unknown>): void;

  /**
   * The scheduler's state as plain JSON (PyTorch's `state_dict()` minus the optimizer and its
   * private bookkeeping `_step_count`, `_get_lr_called_within_step`, `_is_initial`): the
   * subclass's fields, then `lastEpoch`, `baseLrs` and `lastLr`. A copy: changing it changes
   * nothing. `JSON.stringify` keeps it whole.
   */
  stateDict(): SchedulerState {
    return { ...this.settings(), lastEpoch: this.lastEpoch, baseLrs: this.baseLrs.slice(), lastLr: this.lastLr.slice() };
  }

  /**
   * Loads a state that `stateDict()` returned (PyTorch's `load_state_dict`: every field is
   * overwritten, the hyper-parameters included), then puts the last rate back into the
   * optimizer, as PyTorch's optimizer `load_state_dict` would (minidl's `loadStateDict` or
   * `loadCheckpoint` restore the optimizer's own state). The next `step()` then continues the
   * saved sequence.
   *
   * Throws a MinidlError, and changes nothing, for anything but a plain object, an unknown or a
   * missing key, or a value the scheduler could not hold: lastEpoch not an integer ≥ 0, baseLrs
   * or lastLr not a list of one finite number ≥ 0, or a hyper-parameter its constructor refuses.
   *
   * @param state What `stateDict()` returned (possibly through JSON).
   */
  loadStateDict(state: SchedulerState): void {
    const who = `${this.className}.loadStateDict`;
    const expected = Object.keys(this.stateDict());
    const listed = expected.join(', ');
    const proto = typeof state === 'object' && state !== null ? Object.getPrototypeOf(state) : undefined;
    if (typeof state !== 'object' || state === null || Array.isArray(state) || (proto !== Object.prototype && proto !== null)) {
      throw new MinidlError(`${who}: expected a state object such as scheduler.stateDict() returns, got ${describeValue(state)}`);
    }
    const given = state as Record<string, unknown>;
    for (const key of Object.keys(given)) {
      if (!expected.includes(key)) throw new MinidlError(`${who}: unknown key '${key}'; the state of a ${this.className} has ${listed}`);
    }
    for (const key of expected) {
      if (!Object.prototype.hasOwnProperty.call(given, key)) throw new MinidlError(`${who}: key '${key}' is missing; the state of a ${this.className} has ${listed}`);
    }
    checkInteger(who, 'lastEpoch', given.lastEpoch, 0);
    checkOneRate(who, 'baseLrs', given.baseLrs);
    checkOneRate(who, 'lastLr', given.lastLr);
    this.checkSettings(who, given);
    // Every value is checked: overwrite the fields, as PyTorch's self.__dict__.update(state_dict).
    for (const key of expected) {
      const value = given[key];
      (this as unknown as Record<string, unknown>)[key] = Array.isArray(value) ? value.slice() : value;
    }
    this.restoreOptimizer();
  }

  /**
   * After `loadStateDict`: puts back into the optimizer what PyTorch's optimizer state would
   * hold: its `lr`, the last rate (OneCycleLR also puts back the momentum).
   */
  protected restoreOptimizer(): void {
    this.optimizer.lr = this.lastLr[0];
  }

  /** The scheduler and its hyper-parameters, e.g. `StepLR(stepSize=30, gamma=0.1)`. */
  abstract toString(): string;
}

/** Refuses anything but a list of one finite number ≥ 0 (one rate per parameter group; minidl has one). */
function checkOneRate(who: string, name: string, value: unknown): void {
  if (!Array.isArray(value) || value.length !== 1) {
    throw new MinidlError(`${who}: ${name} must be a list of one learning rate (one per parameter group; minidl's optimizers have one), got ${describeValue(value)}`);
  }
  checkPositive(who, `${name}[0]`, value[0], true);
}
