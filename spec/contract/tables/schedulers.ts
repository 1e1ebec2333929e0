import { Linear } from '../../../lib/modules/linear';
import { Parameter } from '../../../lib/modules/parameter';
import { Adam } from '../../../lib/optim/adam';
import { Optimizer } from '../../../lib/optim/optimizer';
import { CosineAnnealingLR } from '../../../lib/optim/schedulers/cosine-annealing-lr';
import { ExponentialLR } from '../../../lib/optim/schedulers/exponential-lr';
import { LinearLR } from '../../../lib/optim/schedulers/linear-lr';
import { LRScheduler, SchedulerState } from '../../../lib/optim/schedulers/lr-scheduler';
import { MultiStepLR } from '../../../lib/optim/schedulers/multi-step-lr';
import { OneCycleLR } from '../../../lib/optim/schedulers/one-cycle-lr';
import { ReduceLROnPlateau } from '../../../lib/optim/schedulers/reduce-lr-on-plateau';
import { StepLR } from '../../../lib/optim/schedulers/step-lr';
import { SGD } from '../../../lib/optim/sgd';
import { Rng } from '../../../lib/random/rng';
import { ContractRow, ContractTable, row } from '../harness';

/*
 * The learning-rate schedulers: their optimizer and options, `step` where it can be refused
 * (OneCycleLR past its last step, ReduceLROnPlateau without a finite metric), and
 * `loadStateDict`. Each row keeps the optimizer (its lr, momentum and state); rows that call a
 * scheduler's method also check that the scheduler's own state is unchanged (`keepingState`).
 */

/** A layer whose gradients are set. */
function layer(): Linear {
  const model = new Linear(3, 2, { rng: new Rng(3) });
  for (const p of model.params()) p.grad.data.fill(0.5);
  return model;
}

/** An SGD with momentum over a fresh layer. */
function sgd(): SGD {
  return new SGD(layer().params(), { lr: 0.1, momentum: 0.9 });
}

/** An optimizer of one's own, with neither momentum nor betas. */
class PlainDescent extends Optimizer {
  constructor(params: Parameter[]) {
    super('PlainDescent', params, 0.1);
  }
  step(): void {
    for (const p of this.params) for (let i = 0; i < p.value.size; i++) p.value.data[i] -= this.lr * p.grad.data[i];
  }
  toString(): string {
    return 'PlainDescent';
  }
}

/** The call, which must also leave the scheduler's state as it was (the harness does not look at schedulers). */
function keepingState(scheduler: LRScheduler, call: () => unknown): () => unknown {
  return () => {
    const before = JSON.stringify(scheduler.stateDict());
    try {
      return call();
    } finally {
      const after = JSON.stringify(scheduler.stateDict());
      if (after !== before) throw new Error(`the scheduler's state changed\n  before: ${before}\n  after:  ${after}`); // replaces the MinidlError: the row fails
    }
  };
}

type Make = (optimizer: Optimizer, options: unknown) => LRScheduler;
const makers: [string, Make, unknown][] = [
  ['StepLR', (o, options) => new StepLR(o, options as never), { stepSize: 3 }],
  ['MultiStepLR', (o, options) => new MultiStepLR(o, options as never), { milestones: [2, 4] }],
  ['ExponentialLR', (o, options) => new ExponentialLR(o, options as never), { gamma: 0.9 }],
  ['CosineAnnealingLR', (o, options) => new CosineAnnealingLR(o, options as never), { tMax: 10 }],
  ['LinearLR', (o, options) => new LinearLR(o, options as never), {}],
  ['OneCycleLR', (o, options) => new OneCycleLR(o, options as never), { maxLr: 0.5, totalSteps: 20 }],
  ['ReduceLROnPlateau', (o, options) => new ReduceLROnPlateau(o, options as never), {}],
];

const rows: ContractRow[] = [];

// Every scheduler: an optimizer that is not one, options that are not an options object.
for (const [name, make, good] of makers) {
  rows.push(row(`new ${name}: a plain object for the optimizer`, () => ({ act: () => make({ lr: 0.1 } as never, good) }),
    new RegExp(`^${name}: optimizer must be a minidl Optimizer \\(such as new SGD\\(model\\.params\\(\\), \\{ lr: 0\\.1 \\}\\)\\), got an Object`)));
  rows.push(row(`new ${name}: a model for the optimizer`, () => ({ act: () => make(layer() as never, good) }),
    new RegExp(`^${name}: optimizer must be a minidl Optimizer .*got a Linear`)));
  rows.push(row(`new ${name}: options as an array`, () => {
    const o = sgd();
    return { act: () => make(o, [good]), keeps: { optimizers: [o] } };
  }, new RegExp(`^${name}: expected an options object`)));
  rows.push(row(`new ${name}: an unknown option`, () => {
    const o = sgd();
    return { act: () => make(o, { ...(good as object), last_epoch: 5 }), keeps: { optimizers: [o] } };
  }, new RegExp(`^${name}: unknown option 'last_epoch'; known options: `)));
}

/** Constructor rows of one class: [what, options, message]. */
const constructorRows: [string, Make, [string, unknown, RegExp][]][] = [
  ['StepLR', makers[0][1], [
    ['a positional step size', 30, /^StepLR: expected an options object such as \{ stepSize: 30 \}, got number 30/],
    ['no options', undefined, /^StepLR: option 'stepSize' is required \(the period of the decay, in epochs\)/],
    ['step_size', { step_size: 30 }, /^StepLR: unknown option 'step_size' \(did you mean 'stepSize'\?\); known options: stepSize, gamma/],
    ['stepSize 0', { stepSize: 0 }, /^StepLR: option 'stepSize' must be an integer ≥ 1, got 0/],
    ['stepSize 2.5', { stepSize: 2.5 }, /^StepLR: option 'stepSize' must be a whole number, got number 2\.5/],
    ['stepSize null', { stepSize: null }, /^StepLR: option 'stepSize' is null/],
    ['gamma 0', { stepSize: 3, gamma: 0 }, /^StepLR: option 'gamma' must be a finite number > 0, got 0/],
    ['gamma -0.1', { stepSize: 3, gamma: -0.1 }, /^StepLR: option 'gamma' must be a finite number > 0, got -0\.1/],
    ['gamma NaN', { stepSize: 3, gamma: NaN }, /^StepLR: option 'gamma' must be a finite number > 0, got NaN/],
    ['gamma a string', { stepSize: 3, gamma: '0.1' }, /^StepLR: option 'gamma' must be a number, got string '0\.1'/],
  ]],
  ['MultiStepLR', makers[1][1], [
    ['no milestones', {}, /^MultiStepLR: option 'milestones' is required/],
    ['a number for milestones', { milestones: 30 }, /^MultiStepLR: option 'milestones' must be a list of epochs such as \[30, 80\], got number 30/],
    ['milestones with a string', { milestones: [30, '80'] }, /^MultiStepLR: option 'milestones' must be a list of epochs/],
    ['a milestone -3', { milestones: [30, -3] }, /^MultiStepLR: option 'milestones'\[1\] must be an integer ≥ 1 \(an epoch\), got -3/],
    ['a milestone Infinity', { milestones: [Infinity] }, /^MultiStepLR: option 'milestones'\[0\] must be an integer ≥ 1 \(an epoch\), got Infinity/],
    ['milestone 0', { milestones: [0, 10] }, /^MultiStepLR: option 'milestones'\[0\] must be an integer ≥ 1 \(an epoch\), got 0/],
    ['milestone 1.5', { milestones: [1.5] }, /^MultiStepLR: option 'milestones'\[0\] must be an integer ≥ 1 \(an epoch\), got 1\.5/],
    ['milestone NaN', { milestones: [3, NaN] }, /^MultiStepLR: option 'milestones'\[1\] must be an integer ≥ 1 \(an epoch\), got NaN/],
    ['gamma 0', { milestones: [3], gamma: 0 }, /^MultiStepLR: option 'gamma' must be a finite number > 0, got 0/],
  ]],
  ['ExponentialLR', makers[2][1], [
    ['no gamma', {}, /^ExponentialLR: option 'gamma' is required \(the factor of each epoch\), as in \{ gamma: 0\.95 \}/],
    ['a positional gamma', 0.95, /^ExponentialLR: expected an options object such as \{ gamma: 0\.95 \}/],
    ['gamma 0', { gamma: 0 }, /^ExponentialLR: option 'gamma' must be a finite number > 0, got 0/],
    ['gamma -1', { gamma: -1 }, /^ExponentialLR: option 'gamma' must be a finite number > 0, got -1/],
    ['gamma Infinity', { gamma: Infinity }, /^ExponentialLR: option 'gamma' must be a finite number > 0, got Infinity/],
  ]],
  ['CosineAnnealingLR', makers[3][1], [
    ['no tMax', {}, /^CosineAnnealingLR: option 'tMax' is required/],
    ['T_max', { T_max: 10 }, /^CosineAnnealingLR: unknown option 'T_max' \(did you mean 'tMax'\?\)/],
    ['eta_min', { tMax: 10, eta_min: 0 }, /^CosineAnnealingLR: unknown option 'eta_min' \(did you mean 'etaMin'\?\)/],
    ['tMax 0', { tMax: 0 }, /^CosineAnnealingLR: option 'tMax' must be an integer ≥ 1, got 0/],
    ['tMax 2.5', { tMax: 2.5 }, /^CosineAnnealingLR: option 'tMax' must be a whole number, got number 2\.5/],
    ['etaMin -0.1', { tMax: 10, etaMin: -0.1 }, /^CosineAnnealingLR: option 'etaMin' must be a finite number ≥ 0, got -0\.1/],
    ['etaMin NaN', { tMax: 10, etaMin: NaN }, /^CosineAnnealingLR: option 'etaMin' must be a finite number ≥ 0, got NaN/],
  ]],
  ['LinearLR', makers[4][1], [
    ['start_factor', { start_factor: 0.5 }, /^LinearLR: unknown option 'start_factor' \(did you mean 'startFactor'\?\)/],
    ['startFactor 0', { startFactor: 0 }, /^LinearLR: option 'startFactor' must be in \(0, 1\], got 0/],
    ['startFactor 1.5', { startFactor: 1.5 }, /^LinearLR: option 'startFactor' must be in \(0, 1\], got 1\.5/],
    ['endFactor 1.5', { endFactor: 1.5 }, /^LinearLR: option 'endFactor' must be in \[0, 1\], got 1\.5/],
    ['endFactor -0.1', { endFactor: -0.1 }, /^LinearLR: option 'endFactor' must be in \[0, 1\], got -0\.1/],
    ['totalIters 0', { totalIters: 0 }, /^LinearLR: option 'totalIters' must be an integer ≥ 1, got 0/],
    ['totalIters a string', { totalIters: '5' }, /^LinearLR: option 'totalIters' must be a whole number, got string '5'/],
  ]],
  ['OneCycleLR', makers[5][1], [
    ['no maxLr', { totalSteps: 10 }, /^OneCycleLR: option 'maxLr' is required \(the highest rate\)/],
    ['max_lr', { max_lr: 0.1, totalSteps: 10 }, /^OneCycleLR: unknown option 'max_lr' \(did you mean 'maxLr'\?\)/],
    ['maxLr 0', { maxLr: 0, totalSteps: 10 }, /^OneCycleLR: option 'maxLr' must be a finite number > 0, got 0/],
    ['no length', { maxLr: 0.1 }, /^OneCycleLR: give totalSteps, or epochs and stepsPerEpoch \(totalSteps = epochs · stepsPerEpoch\), got neither/],
    ['epochs without stepsPerEpoch', { maxLr: 0.1, epochs: 3 }, /^OneCycleLR: give totalSteps, or epochs and stepsPerEpoch .*got epochs without stepsPerEpoch/],
    ['stepsPerEpoch without epochs', { maxLr: 0.1, stepsPerEpoch: 3 }, /got stepsPerEpoch without epochs/],
    ['totalSteps and epochs', { maxLr: 0.1, totalSteps: 10, epochs: 2, stepsPerEpoch: 5 }, /^OneCycleLR: give totalSteps, or epochs and stepsPerEpoch, not both \(got totalSteps 10 and epochs 2\)/],
    ['totalSteps 0', { maxLr: 0.1, totalSteps: 0 }, /^OneCycleLR: option 'totalSteps' must be an integer ≥ 1, got 0/],
    ['epochs 0', { maxLr: 0.1, epochs: 0, stepsPerEpoch: 5 }, /^OneCycleLR: option 'epochs' must be an integer ≥ 1, got 0/],
    ['stepsPerEpoch 2.5', { maxLr: 0.1, epochs: 2, stepsPerEpoch: 2.5 }, /^OneCycleLR: option 'stepsPerEpoch' must be a whole number, got number 2\.5/],
    ['pctStart 0', { maxLr: 0.1, totalSteps: 10, pctStart: 0 }, /^OneCycleLR: option 'pctStart' must be in \(0, 1\), got 0/],
    ['pctStart 1', { maxLr: 0.1, totalSteps: 10, pctStart: 1 }, /^OneCycleLR: option 'pctStart' must be in \(0, 1\), got 1/],
    ['pctStart 1.2', { maxLr: 0.1, totalSteps: 10, pctStart: 1.2 }, /^OneCycleLR: option 'pctStart' must be in \(0, 1\), got 1\.2/],
    ['a warm-up of one step (PyTorch: 0/0)', { maxLr: 0.1, totalSteps: 10, pctStart: 0.1 }, /^OneCycleLR: the warm-up would last pctStart·totalSteps = 0\.1·10 = 1 steps; it must last more than 1/],
    ['three phases without a third', { maxLr: 0.1, totalSteps: 10, pctStart: 0.6, threePhase: true }, /^OneCycleLR: with threePhase the third phase would have no step/],
    ['annealStrategy cosine', { maxLr: 0.1, totalSteps: 10, annealStrategy: 'cosine' }, /^OneCycleLR: option 'annealStrategy' must be one of 'cos', 'linear', got string 'cosine'/],
    ['divFactor 0', { maxLr: 0.1, totalSteps: 10, divFactor: 0 }, /^OneCycleLR: option 'divFactor' must be a finite number > 0, got 0/],
    ['finalDivFactor -1', { maxLr: 0.1, totalSteps: 10, finalDivFactor: -1 }, /^OneCycleLR: option 'finalDivFactor' must be a finite number > 0, got -1/],
    ['maxMomentum -0.1 (SGD)', { maxLr: 0.1, totalSteps: 10, maxMomentum: -0.1 }, /^OneCycleLR: option 'maxMomentum' \(the optimizer's momentum\) must be a finite number ≥ 0, got -0\.1/],
    ['cycleMomentum "yes"', { maxLr: 0.1, totalSteps: 10, cycleMomentum: 'yes' }, /^OneCycleLR: option 'cycleMomentum' must be true or false, got string 'yes'/],
  ]],
  ['ReduceLROnPlateau', makers[6][1], [
    ['a positional mode', 'min', /^ReduceLROnPlateau: expected an options object such as \{ mode: 'min' \}/],
    ['mode minimum', { mode: 'minimum' }, /^ReduceLROnPlateau: option 'mode' must be one of 'min', 'max', got string 'minimum'/],
    ['threshold_mode', { threshold_mode: 'abs' }, /^ReduceLROnPlateau: unknown option 'threshold_mode' \(did you mean 'thresholdMode'\?\)/],
    ['min_lr', { min_lr: 0.001 }, /^ReduceLROnPlateau: unknown option 'min_lr' \(did you mean 'minLr'\?\)/],
    ['thresholdMode relative', { thresholdMode: 'relative' }, /^ReduceLROnPlateau: option 'thresholdMode' must be one of 'rel', 'abs', got string 'relative'/],
    ['factor 1', { factor: 1 }, /^ReduceLROnPlateau: option 'factor' must be in \(0, 1\) \(new rate = rate · factor\), got 1/],
    ['factor 0', { factor: 0 }, /^ReduceLROnPlateau: option 'factor' must be in \(0, 1\)/],
    ['patience -1', { patience: -1 }, /^ReduceLROnPlateau: option 'patience' must be an integer ≥ 0, got -1/],
    ['patience 1.5', { patience: 1.5 }, /^ReduceLROnPlateau: option 'patience' must be a whole number, got number 1\.5/],
    ['threshold -1e-4', { threshold: -1e-4 }, /^ReduceLROnPlateau: option 'threshold' must be a finite number ≥ 0, got -0\.0001/],
    ['threshold 1 in mode min, rel', { threshold: 1 }, /^ReduceLROnPlateau: option 'threshold' must be below 1 in mode 'min' with thresholdMode 'rel'/],
    ['cooldown -1', { cooldown: -1 }, /^ReduceLROnPlateau: option 'cooldown' must be an integer ≥ 0, got -1/],
    ['minLr -1', { minLr: -1 }, /^ReduceLROnPlateau: option 'minLr' must be a finite number ≥ 0, got -1/],
    ['eps NaN', { eps: NaN }, /^ReduceLROnPlateau: option 'eps' must be a finite number ≥ 0, got NaN/],
  ]],
];
for (const [name, make, cases] of constructorRows) {
  for (const [what, options, message] of cases) {
    rows.push(row(`new ${name}: ${what}`, () => {
      const o = sgd();
      return { act: () => make(o, options), keeps: { optimizers: [o] } };
    }, message));
  }
}

// OneCycleLR's momentum against the optimizer it would be written into.
rows.push(row('new OneCycleLR: baseMomentum 1 with Adam (β₁ must be below 1)', () => {
  const o = new Adam(layer().params(), { lr: 0.1 });
  return { act: () => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, baseMomentum: 1 }), keeps: { optimizers: [o] } };
}, /^OneCycleLR: option 'baseMomentum' \(the optimizer's betas\[0\]\) must be in \[0, 1\), got 1/));
rows.push(row('new OneCycleLR: baseMomentum 0 with Nesterov SGD', () => {
  const o = new SGD(layer().params(), { lr: 0.1, momentum: 0.9, nesterov: true });
  return { act: () => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10, baseMomentum: 0 }), keeps: { optimizers: [o] } };
}, /^OneCycleLR: option 'baseMomentum' \(the optimizer's momentum, with Nesterov\) must be a finite number > 0, got 0/));
rows.push(row('new OneCycleLR: cycleMomentum with an optimizer that has no momentum', () => {
  const o = new PlainDescent(layer().params());
  return { act: () => new OneCycleLR(o, { maxLr: 0.1, totalSteps: 10 }), keeps: { optimizers: [o] } };
}, /^OneCycleLR: cycleMomentum needs an optimizer with a momentum \(SGD\) or betas \(Adam\), got a PlainDescent; give cycleMomentum: false/));

// step() where it can be refused.
rows.push(row('OneCycleLR.step past totalSteps', () => {
  const o = sgd();
  const s = new OneCycleLR(o, { maxLr: 0.5, totalSteps: 5 });
  for (let t = 0; t < 5; t++) s.step();
  return { act: keepingState(s, () => s.step()), keeps: { optimizers: [o] } };
}, /^OneCycleLR\.step: tried to step 6 times; the cycle has totalSteps = 5 \(call step\(\) once after each batch\)/));
const badMetrics: [string, unknown, RegExp][] = [
  ['NaN', NaN, /^ReduceLROnPlateau\.step: metric must be a finite number, got NaN/],
  ['Infinity', Infinity, /^ReduceLROnPlateau\.step: metric must be a finite number, got Infinity/],
  ['a string', '0.5', /^ReduceLROnPlateau\.step: metric must be a finite number, got string '0\.5'/],
  ['null', null, /^ReduceLROnPlateau\.step: metric must be a finite number, got null/],
  ['nothing', undefined, /^ReduceLROnPlateau\.step: needs the metric it watches, as in scheduler\.step\(validationLoss\), got none/],
];
for (const [what, metric, message] of badMetrics) {
  rows.push(row(`ReduceLROnPlateau.step: a metric that is ${what}`, () => {
    const o = sgd();
    const s = new ReduceLROnPlateau(o, { patience: 0 });
    s.step(1);
    s.step(2); // one fall of the rate: something to keep
    return { act: keepingState(s, () => s.step(metric as number)), keeps: { optimizers: [o] } };
  }, message));
}

// loadStateDict: the state is checked whole before anything is written.
/** A StepLR after a few steps, and its state with `change` applied. */
function stepLRState(change: (state: Record<string, unknown>) => void): { s: StepLR; o: SGD; state: unknown } {
  const o = sgd();
  const s = new StepLR(o, { stepSize: 2 });
  for (let t = 0; t < 3; t++) s.step();
  const state = s.stateDict() as Record<string, unknown>;
  change(state);
  return { s, o, state };
}
const badStates: [string, (state: Record<string, unknown>) => void, RegExp][] = [
  ['lastEpoch -1', (st) => { st.lastEpoch = -1; }, /^StepLR\.loadStateDict: lastEpoch must be an integer ≥ 0, got -1/],
  ['lastEpoch 1.5', (st) => { st.lastEpoch = 1.5; }, /^StepLR\.loadStateDict: lastEpoch must be an integer ≥ 0, got 1\.5/],
  ['lastEpoch a string', (st) => { st.lastEpoch = '3'; }, /^StepLR\.loadStateDict: lastEpoch must be an integer ≥ 0, got string '3'/],
  ['baseLrs a number', (st) => { st.baseLrs = 0.1; }, /^StepLR\.loadStateDict: baseLrs must be a list of one learning rate \(one per parameter group; minidl's optimizers have one\), got number 0\.1/],
  ['baseLrs of two groups', (st) => { st.baseLrs = [0.1, 0.2]; }, /^StepLR\.loadStateDict: baseLrs must be a list of one learning rate .*got an array \[0\.1,0\.2\]/],
  ['lastLr [NaN]', (st) => { st.lastLr = [NaN]; }, /^StepLR\.loadStateDict: lastLr\[0\] must be a finite number ≥ 0, got NaN/],
  ['lastLr [-0.1]', (st) => { st.lastLr = [-0.1]; }, /^StepLR\.loadStateDict: lastLr\[0\] must be a finite number ≥ 0, got -0\.1/],
  ['an unknown key', (st) => { st.step_size = 2; }, /^StepLR\.loadStateDict: unknown key 'step_size'; the state of a StepLR has stepSize, gamma, lastEpoch, baseLrs, lastLr/],
  ['a missing key', (st) => { delete st.gamma; }, /^StepLR\.loadStateDict: key 'gamma' is missing; the state of a StepLR has stepSize, gamma, lastEpoch, baseLrs, lastLr/],
  ['stepSize 0', (st) => { st.stepSize = 0; }, /^StepLR\.loadStateDict: stepSize must be an integer ≥ 1, got 0/],
  ['gamma null', (st) => { st.gamma = null; }, /^StepLR\.loadStateDict: gamma must be a finite number > 0, got null/],
];
for (const [what, change, message] of badStates) {
  rows.push(row(`StepLR.loadStateDict: ${what}`, () => {
    const { s, o, state } = stepLRState(change);
    return { act: keepingState(s, () => s.loadStateDict(state as SchedulerState)), keeps: { optimizers: [o] } };
  }, message));
}
const notStates: [string, unknown, RegExp][] = [
  ['a number', 3, /^StepLR\.loadStateDict: expected a state object such as scheduler\.stateDict\(\) returns, got number 3/],
  ['null', null, /^StepLR\.loadStateDict: expected a state object .*got null/],
  ['an array', [1, 2], /^StepLR\.loadStateDict: expected a state object .*got an array \[1,2\]/],
  ['a scheduler', 'scheduler', /^StepLR\.loadStateDict: expected a state object .*got a StepLR/],
];
for (const [what, value, message] of notStates) {
  rows.push(row(`StepLR.loadStateDict: ${what}`, () => {
    const { s, o } = stepLRState(() => undefined);
    return { act: keepingState(s, () => s.loadStateDict((value === 'scheduler' ? s : value) as SchedulerState)), keeps: { optimizers: [o] } };
  }, message));
}

/** Rows of other schedulers' own fields: [name, make, change of its state, message]. */
const otherStates: [string, () => { s: LRScheduler; o: Optimizer }, (state: Record<string, unknown>) => void, RegExp][] = [
  ['MultiStepLR: milestones [3, 0]', () => { const o = sgd(); return { o, s: new MultiStepLR(o, { milestones: [2, 3] }) }; },
    (st) => { st.milestones = [3, 0]; }, /^MultiStepLR\.loadStateDict: milestones\[1\] must be an integer ≥ 1 \(an epoch\), got 0/],
  ['ExponentialLR: gamma -1', () => { const o = sgd(); return { o, s: new ExponentialLR(o, { gamma: 0.5 }) }; },
    (st) => { st.gamma = -1; }, /^ExponentialLR\.loadStateDict: gamma must be a finite number > 0, got -1/],
  ['CosineAnnealingLR: tMax 0', () => { const o = sgd(); return { o, s: new CosineAnnealingLR(o, { tMax: 5 }) }; },
    (st) => { st.tMax = 0; }, /^CosineAnnealingLR\.loadStateDict: tMax must be an integer ≥ 1, got 0/],
  ['LinearLR: startFactor 0', () => { const o = sgd(); return { o, s: new LinearLR(o) }; },
    (st) => { st.startFactor = 0; }, /^LinearLR\.loadStateDict: startFactor must be in \(0, 1\], got 0/],
  ['OneCycleLR: lastEpoch past totalSteps', () => { const o = sgd(); return { o, s: new OneCycleLR(o, { maxLr: 0.5, totalSteps: 20 }) }; },
    (st) => { st.lastEpoch = 21; }, /^OneCycleLR\.loadStateDict: lastEpoch must be at most totalSteps = 20, got 21/],
  ['OneCycleLR: pctStart 2', () => { const o = sgd(); return { o, s: new OneCycleLR(o, { maxLr: 0.5, totalSteps: 20 }) }; },
    (st) => { st.pctStart = 2; }, /^OneCycleLR\.loadStateDict: pctStart must be in \(0, 1\), got 2/],
  ['OneCycleLR: annealStrategy "cosine"', () => { const o = sgd(); return { o, s: new OneCycleLR(o, { maxLr: 0.5, totalSteps: 20 }) }; },
    (st) => { st.annealStrategy = 'cosine'; }, /^OneCycleLR\.loadStateDict: annealStrategy must be one of 'cos', 'linear', got string 'cosine'/],
  ['OneCycleLR: maxMomentum 1 into an Adam', () => { const o = new Adam(layer().params(), { lr: 0.1 }); return { o, s: new OneCycleLR(o, { maxLr: 0.5, totalSteps: 20 }) }; },
    (st) => { st.maxMomentum = 1; }, /^OneCycleLR\.loadStateDict: maxMomentum \(the optimizer's betas\[0\]\) must be in \[0, 1\), got 1/],
  ['ReduceLROnPlateau: mode "minimum"', () => { const o = sgd(); return { o, s: new ReduceLROnPlateau(o) }; },
    (st) => { st.mode = 'minimum'; }, /^ReduceLROnPlateau\.loadStateDict: mode must be one of 'min', 'max', got string 'minimum'/],
  ['ReduceLROnPlateau: best "0.5"', () => { const o = sgd(); return { o, s: new ReduceLROnPlateau(o) }; },
    (st) => { st.best = '0.5'; }, /^ReduceLROnPlateau\.loadStateDict: best \(null before the first metric\) must be a finite number, got string '0\.5'/],
  ['ReduceLROnPlateau: numBadEpochs -1', () => { const o = sgd(); return { o, s: new ReduceLROnPlateau(o) }; },
    (st) => { st.numBadEpochs = -1; }, /^ReduceLROnPlateau\.loadStateDict: numBadEpochs must be an integer ≥ 0, got -1/],
];
for (const [what, make, change, message] of otherStates) {
  rows.push(row(`${what.split(':')[0]}.loadStateDict:${what.slice(what.indexOf(':') + 1)}`, () => {
    const { s, o } = make();
    if (s instanceof ReduceLROnPlateau) s.step(1);
    else s.step();
    const state = s.stateDict() as Record<string, unknown>;
    change(state);
    return { act: keepingState(s, () => s.loadStateDict(state as SchedulerState)), keeps: { optimizers: [o] } };
  }, message));
}

/** The learning-rate schedulers' rows. */
export const table: ContractTable = { title: 'schedulers', rows };
