import { MinidlError, checkInRange, checkInteger, checkPositive, describeValue } from '../../errors';
import { aBoolean, aNumber, anInteger, oneOf, readOptions } from '../../options';
import { Optimizer } from '../optimizer';
import { LRScheduler, SchedulerState } from './lr-scheduler';

/** Options of `OneCycleLR`; every default is PyTorch's. */
export interface OneCycleLROptions {
  /** The highest rate, reached at the end of the warm-up (required; PyTorch's max_lr). */
  maxLr: number;
  /** The number of steps (batches) of the whole cycle; or give epochs and stepsPerEpoch. */
  totalSteps?: number;
  /** With stepsPerEpoch, instead of totalSteps: totalSteps = epochs · stepsPerEpoch. */
  epochs?: number;
  /** With epochs, instead of totalSteps: the number of batches of an epoch. */
  stepsPerEpoch?: number;
  /** The fraction of the cycle spent raising the rate, in (0, 1) (default 0.3). */
  pctStart?: number;
  /** How the rate moves within a phase: 'cos' (half a cosine) or 'linear' (default 'cos'). */
  annealStrategy?: 'cos' | 'linear';
  /** Move the momentum against the rate, between maxMomentum and baseMomentum (default true). */
  cycleMomentum?: boolean;
  /** The momentum at the peak of the rate (default 0.85). */
  baseMomentum?: number;
  /** The momentum at the start and the end of the cycle (default 0.95). */
  maxMomentum?: number;
  /** The initial rate is maxLr / divFactor (default 25). */
  divFactor?: number;
  /** The final rate is the initial rate / finalDivFactor (default 1e4). */
  finalDivFactor?: number;
  /** Three phases (up, down to the initial rate, down to the final rate) instead of two (default false). */
  threePhase?: boolean;
}

/** One phase of the cycle: from the end of the previous one (step 0 for the first) to `endStep`. */
interface Phase {
  /** The step at which the phase ends (a float, as PyTorch's `end_step`). */
  endStep: number;
  /** The rate at the start of the phase. */
  startLr: number;
  /** The rate at its end. */
  endLr: number;
  /** The momentum at its start. */
  startMomentum: number;
  /** The momentum at its end. */
  endMomentum: number;
}

/**
 * The 1cycle policy (PyTorch's `OneCycleLR`, from Smith & Topin 2017, "Super-Convergence"),
 * stepped once per batch: the rate rises from maxLr / divFactor to maxLr during the first
 * pctStart of the totalSteps steps, then falls to (maxLr / divFactor) / finalDivFactor, while
 * the momentum moves the other way, from maxMomentum down to baseMomentum and back.
 *
 *   initialLr = maxLr / divFactor          minLr = initialLr / finalDivFactor
 *
 *   phase   ends at step (endStep)        rate                  momentum
 *   1       pctStart·totalSteps − 1       initialLr → maxLr     maxMomentum → baseMomentum
 *   2       totalSteps − 1                maxLr → minLr         baseMomentum → maxMomentum
 *
 * or, with threePhase:
 *
 *   1       pctStart·totalSteps − 1       initialLr → maxLr     maxMomentum → baseMomentum
 *   2       2·pctStart·totalSteps − 2     maxLr → initialLr     baseMomentum → maxMomentum
 *   3       totalSteps − 1                initialLr → minLr     maxMomentum → maxMomentum
 *
 * At step t, in the phase that runs from step a (the previous phase's end, or 0) to step b,
 * with p = (t − a) / (b − a), each value goes from its start s to its end e by
 *
 *   'cos':     e + (s − e) / 2 · (cos(π·p) + 1)
 *   'linear':  (e − s)·p + s
 *
 * This is PyTorch's `get_lr`, a closed form (from the step; it does not read the optimizer's
 * rate), in its order of operations; with 'cos', the cosine is JavaScript's `Math.cos`, which
 * may differ from C's `cos` (PyTorch's) in the last bit (see CosineAnnealingLR). The constructor makes step 0 (lr = initialLr, up to the
 * last bit of the formula) and records initialLr, maxLr and minLr (PyTorch writes them in the
 * parameter group); `step()` may be called totalSteps times — once after each batch — and
 * refuses the next.
 *
 * The momentum is Adam's β₁ (`betas[0]` in its options, `beta1` on the optimizer) or SGD's
 * `momentum` — whichever field the optimizer has, β₁ first, as PyTorch looks for `betas` then
 * `momentum` — set at every step when cycleMomentum is true, even on an SGD made without
 * momentum, as in PyTorch; an optimizer with neither needs cycleMomentum: false.
 *
 * Throws a MinidlError, changing nothing, for an optimizer that is not a minidl Optimizer,
 * unknown options, maxLr missing or not a finite number > 0; neither totalSteps nor epochs and
 * stepsPerEpoch, or both, or any of them not an integer ≥ 1; pctStart outside (0, 1), or so small
 * that the warm-up lasts 1 step or less (pctStart·totalSteps ≤ 1; PyTorch would compute 0/0),
 * or, with threePhase, so large that the third phase has no step; annealStrategy other than
 * 'cos' or 'linear'; divFactor or finalDivFactor not a finite number > 0; with cycleMomentum,
 * an optimizer with neither field, or a momentum the optimizer would refuse (β₁: [0, 1);
 * momentum: ≥ 0, > 0 with Nesterov). `step()` past totalSteps throws and changes nothing.
 */
export class OneCycleLR extends LRScheduler {
  /** The number of steps of the cycle. */
  readonly totalSteps: number;
  /** The fraction of the cycle spent raising the rate. */
  readonly pctStart: number;
  /** 'cos' or 'linear'. */
  readonly annealStrategy: 'cos' | 'linear';
  /** Three phases instead of two. */
  readonly threePhase: boolean;
  /** Whether the momentum is set at every step. */
  readonly cycleMomentum: boolean;
  /** The rate at step 0: maxLr / divFactor (PyTorch's group['initial_lr']). */
  readonly initialLr: number;
  /** The highest rate (PyTorch's group['max_lr']). */
  readonly maxLr: number;
  /** The rate at the last step: initialLr / finalDivFactor (PyTorch's group['min_lr']). */
  readonly minLr: number;
  /** The momentum at the peak of the rate. */
  readonly baseMomentum: number;
  /** The momentum at the start and the end. */
  readonly maxMomentum: number;

  constructor(optimizer: Optimizer, options: OneCycleLROptions) {
    super('OneCycleLR', optimizer);
    const who = 'OneCycleLR';
    const o = readOptions<OneCycleLROptions>(who, options, {
      maxLr: aNumber, totalSteps: anInteger, epochs: anInteger, stepsPerEpoch: anInteger, pctStart: aNumber,
      annealStrategy: oneOf('cos', 'linear'), cycleMomentum: aBoolean, baseMomentum: aNumber, maxMomentum: aNumber,
      divFactor: aNumber, finalDivFactor: aNumber, threePhase: aBoolean,
    }, { positional: 'maxLr' });
    if (o.maxLr === undefined) throw new MinidlError(`${who}: option 'maxLr' is required (the highest rate), as in { maxLr: 0.1, totalSteps: 1000 }`);
    const maxLr = checkPositive(who, "option 'maxLr'", o.maxLr);
    this.totalSteps = totalStepsOf(who, o);
    this.pctStart = o.pctStart ?? 0.3;
    this.threePhase = o.threePhase ?? false;
    checkPhases(who, "option 'pctStart'", this.totalSteps, this.pctStart, this.threePhase);
    this.annealStrategy = o.annealStrategy ?? 'cos';
    const divFactor = checkPositive(who, "option 'divFactor'", o.divFactor ?? 25.0);
    const finalDivFactor = checkPositive(who, "option 'finalDivFactor'", o.finalDivFactor ?? 1e4);
    this.cycleMomentum = o.cycleMomentum ?? true;
    this.baseMomentum = o.baseMomentum ?? 0.85;
    this.maxMomentum = o.maxMomentum ?? 0.95;
    if (this.cycleMomentum) {
      checkMomentum(who, "option 'baseMomentum'", optimizer, this.baseMomentum);
      checkMomentum(who, "option 'maxMomentum'", optimizer, this.maxMomentum);
    }
    this.initialLr = maxLr / divFactor;
    this.maxLr = maxLr;
    this.minLr = this.initialLr / finalDivFactor;
    this.initialStep(this.initialLr); // PyTorch: base_lrs = [initial_lr]; lr and momentum of step 0
  }

  /** The phases of the cycle, as PyTorch's `_schedule_phases` (with the values instead of their names). */
  private phases(): Phase[] {
    const { totalSteps, pctStart, initialLr, maxLr, minLr, baseMomentum, maxMomentum } = this;
    if (this.threePhase) {
      return [
        { endStep: pctStart * totalSteps - 1, startLr: initialLr, endLr: maxLr, startMomentum: maxMomentum, endMomentum: baseMomentum },
        { endStep: 2 * pctStart * totalSteps - 2, startLr: maxLr, endLr: initialLr, startMomentum: baseMomentum, endMomentum: maxMomentum },
        { endStep: totalSteps - 1, startLr: initialLr, endLr: minLr, startMomentum: maxMomentum, endMomentum: maxMomentum },
      ];
    }
    return [
      { endStep: pctStart * totalSteps - 1, startLr: initialLr, endLr: maxLr, startMomentum: maxMomentum, endMomentum: baseMomentum },
      { endStep: totalSteps - 1, startLr: maxLr, endLr: minLr, startMomentum: baseMomentum, endMomentum: maxMomentum },
    ];
  }

  /** The phase step `t` is in, and p: how far into it (0 at its start, 1 at its end; past 1 after the last). */
  private phaseAt(t: number): { phase: Phase; pct: number } {
    const phases = this.phases();
    let startStep = 0.0;
    for (let i = 0; i < phases.length - 1; i++) {
      if (t <= phases[i].endStep) return { phase: phases[i], pct: (t - startStep) / (phases[i].endStep - startStep) };
      startStep = phases[i].endStep;
    }
    const last = phases[phases.length - 1];
    return { phase: last, pct: (t - startStep) / (last.endStep - startStep) };
  }

  /** From `start` to `end` as p goes from 0 to 1: PyTorch's `_annealing_cos` or `_annealing_linear`. */
  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'cos') {
      const cosOut = Math.cos(Math.PI * pct) + 1;
      return end + (start - end) / 2.0 * cosOut;
    }
    return (end - start) * pct + start;
  }

  /** PyTorch's `OneCycleLR.get_lr` (closed form): the rate of step `epoch`; refuses a step past totalSteps. */
  protected getLr(epoch: number): number {
    if (epoch > this.totalSteps) {
      throw new MinidlError(`OneCycleLR.step: tried to step ${epoch} times; the cycle has totalSteps = ${this.totalSteps} (call step() once after each batch)`);
    }
    const { phase, pct } = this.phaseAt(epoch);
    return this.anneal(phase.startLr, phase.endLr, pct);
  }

  /** The momentum of step `t`, computed as the rate is (PyTorch's `computed_momentum`). */
  momentumAt(t: number): number {
    const { phase, pct } = this.phaseAt(t);
    return this.anneal(phase.startMomentum, phase.endMomentum, pct);
  }

  /** Moves to the next step: the rate, then (with cycleMomentum) the momentum of that step. */
  override step(): void {
    super.step(); // refuses a step past totalSteps before changing anything
    if (this.cycleMomentum) setMomentum(this.optimizer, this.momentumAt(this.lastEpoch));
  }

  /** Puts back the last rate and, with cycleMomentum, the momentum of step lastEpoch. */
  protected override restoreOptimizer(): void {
    super.restoreOptimizer();
    if (this.cycleMomentum) setMomentum(this.optimizer, this.momentumAt(this.lastEpoch));
  }

  /** Every option the schedule depends on (divFactor and finalDivFactor through initialLr and minLr). */
  protected settings(): SchedulerState {
    return {
      totalSteps: this.totalSteps, pctStart: this.pctStart, annealStrategy: this.annealStrategy, threePhase: this.threePhase,
      cycleMomentum: this.cycleMomentum, initialLr: this.initialLr, maxLr: this.maxLr, minLr: this.minLr,
      baseMomentum: this.baseMomentum, maxMomentum: this.maxMomentum,
    };
  }

  /** The constructor's rules, and lastEpoch ≤ totalSteps. */
  protected checkSettings(who: string, state: Record<string, unknown>): void {
    const totalSteps = checkInteger(who, 'totalSteps', state.totalSteps);
    if (typeof state.threePhase !== 'boolean') throw new MinidlError(`${who}: threePhase must be true or false, got ${describeValue(state.threePhase)}`);
    checkPhases(who, 'pctStart', totalSteps, state.pctStart, state.threePhase);
    if (state.annealStrategy !== 'cos' && state.annealStrategy !== 'linear') {
      throw new MinidlError(`${who}: annealStrategy must be one of 'cos', 'linear', got ${describeValue(state.annealStrategy)}`);
    }
    for (const name of ['initialLr', 'maxLr', 'minLr']) checkPositive(who, name, state[name]);
    if (typeof state.cycleMomentum !== 'boolean') throw new MinidlError(`${who}: cycleMomentum must be true or false, got ${describeValue(state.cycleMomentum)}`);
    for (const name of ['baseMomentum', 'maxMomentum']) {
      if (state.cycleMomentum) checkMomentum(who, name, this.optimizer, state[name]);
      else if (typeof state[name] !== 'number') throw new MinidlError(`${who}: ${name} must be a number, got ${describeValue(state[name])}`);
    }
    if ((state.lastEpoch as number) > totalSteps) {
      throw new MinidlError(`${who}: lastEpoch must be at most totalSteps = ${totalSteps}, got ${String(state.lastEpoch)}`);
    }
  }

  toString(): string {
    return `OneCycleLR(maxLr=${this.maxLr}, totalSteps=${this.totalSteps}, pctStart=${this.pctStart}, annealStrategy='${this.annealStrategy}'` +
      `${this.threePhase ? ', threePhase' : ''}${this.cycleMomentum ? `, momentum ${this.maxMomentum}→${this.baseMomentum}` : ''})`;
  }
}

/** totalSteps, or epochs · stepsPerEpoch (PyTorch's rule; giving both ways is refused here). */
function totalStepsOf(who: string, o: Partial<OneCycleLROptions>): number {
  const hasEpochs = o.epochs !== undefined, hasPerEpoch = o.stepsPerEpoch !== undefined;
  if (o.totalSteps !== undefined) {
    if (hasEpochs || hasPerEpoch) {
      throw new MinidlError(`${who}: give totalSteps, or epochs and stepsPerEpoch, not both (got totalSteps ${o.totalSteps} and ${hasEpochs ? `epochs ${o.epochs}` : `stepsPerEpoch ${o.stepsPerEpoch}`})`);
    }
    return checkInteger(who, "option 'totalSteps'", o.totalSteps);
  }
  if (!hasEpochs || !hasPerEpoch) {
    const got = hasEpochs ? 'epochs without stepsPerEpoch' : hasPerEpoch ? 'stepsPerEpoch without epochs' : 'neither';
    throw new MinidlError(`${who}: give totalSteps, or epochs and stepsPerEpoch (totalSteps = epochs · stepsPerEpoch), got ${got}`);
  }
  return checkInteger(who, "option 'epochs'", o.epochs) * checkInteger(who, "option 'stepsPerEpoch'", o.stepsPerEpoch);
}

/**
 * Refuses pctStart outside (0, 1), a warm-up of 1 step or less (pctStart·totalSteps − 1 ≤ 0:
 * PyTorch would divide 0 by 0 at step 0 when it is 0), and, with threePhase, a third phase
 * without a step (2·pctStart·totalSteps − 2 ≥ totalSteps − 1).
 */
function checkPhases(who: string, name: string, totalSteps: number, pctStart: unknown, threePhase: boolean): void {
  if (typeof pctStart !== 'number' || !Number.isFinite(pctStart) || pctStart <= 0 || pctStart >= 1) {
    throw new MinidlError(`${who}: ${name} must be in (0, 1), got ${typeof pctStart === 'number' ? pctStart : describeValue(pctStart)}`);
  }
  if (pctStart * totalSteps - 1 <= 0) {
    throw new MinidlError(`${who}: the warm-up would last pctStart·totalSteps = ${pctStart}·${totalSteps} = ${pctStart * totalSteps} steps; it must last more than 1 (a larger pctStart, or more steps)`);
  }
  if (threePhase && 2 * pctStart * totalSteps - 2 >= totalSteps - 1) {
    throw new MinidlError(`${who}: with threePhase the third phase would have no step: 2·pctStart·totalSteps − 2 = ${2 * pctStart * totalSteps - 2} is not below totalSteps − 1 = ${totalSteps - 1} (a smaller pctStart)`);
  }
}

/**
 * Which field holds the momentum: `beta1` when the optimizer has one (Adam: PyTorch's betas[0]),
 * else `momentum` when it has one (SGD), else null — PyTorch's test `"betas" in defaults`, then
 * `"momentum" in defaults`.
 */
function momentumField(optimizer: Optimizer): 'beta1' | 'momentum' | null {
  const fields = optimizer as unknown as Record<string, unknown>;
  if (typeof fields.beta1 === 'number') return 'beta1';
  if (typeof fields.momentum === 'number') return 'momentum';
  return null;
}

/** Refuses a momentum the optimizer would refuse at its next step (β₁ in [0, 1); momentum ≥ 0, > 0 with Nesterov). */
function checkMomentum(who: string, name: string, optimizer: Optimizer, value: unknown): void {
  const field = momentumField(optimizer);
  if (field === 'beta1') {
    checkInRange(who, `${name} (the optimizer's betas[0])`, value, 0, 1);
  } else if (field === 'momentum') {
    const nesterov = (optimizer as unknown as { nesterov?: unknown }).nesterov === true;
    checkPositive(who, `${name} (the optimizer's momentum${nesterov ? ', with Nesterov' : ''})`, value, !nesterov);
  } else {
    throw new MinidlError(`${who}: cycleMomentum needs an optimizer with a momentum (SGD) or betas (Adam), got ${describeValue(optimizer)}; give cycleMomentum: false`);
  }
}

/** Writes the momentum: the optimizer's `beta1` or `momentum` (PyTorch's group['betas'][0] or group['momentum']). */
function setMomentum(optimizer: Optimizer, value: number): void {
  // SGD's and RMSprop's `momentum`, Adam's and AdamW's `beta1` (β₁): the field the optimizer has.
  (optimizer as unknown as Record<string, number>)[momentumField(optimizer) as string] = value;
}
