import {
  Adam, AdamW, CosineAnnealingLR, ExponentialLR, LRScheduler, Linear, LinearLR, MinidlError, MultiStepLR, OneCycleLR, Optimizer, Parameter,
  RMSprop, ReduceLROnPlateau, Rng, SGD, StepLR,
  CrossEntropyLoss, NeuralNet, ReLU, Sequential, Tensor, generateDisk, oneHot, takeRows,
} from '../lib';
import type { SchedulerState } from '../lib';
import { expectMinidlError } from './helpers';

/*
 * The learning-rate schedulers against PyTorch's code (torch/optim/lr_scheduler.py, PyTorch 2.x).
 *
 * Below is a second, independent writing of that code in float64: the machinery of its
 * LRScheduler (__init__ with last_epoch = −1, _initial_step, step) and the get_lr of each class,
 * transcribed line by line with PyTorch's names, for one parameter group. Each scheduler's
 * sequence of rates (and OneCycleLR's momenta) must equal it to the bit over many steps. The
 * transcription calls Math.cos where PyTorch calls C's cos (through Python's math.cos); numbers
 * computed with CPython below show how far apart the two cosines leave the sequences (a few
 * units in the last place), and that everything else is the same to the bit. The hand-checked
 * values after them say what the sequences are in plain numbers.
 */

// ---------------------------------------------------------------------------------------------
// The transcription of PyTorch's code
// ---------------------------------------------------------------------------------------------

/** A parameter group: the fields PyTorch's schedulers read and write. */
interface Group {
  lr: number;
  initial_lr?: number;
  max_lr?: number;
  min_lr?: number;
  momentum?: number;
  betas?: [number, number];
  max_momentum?: number;
  base_momentum?: number;
}

/** `self` of a PyTorch scheduler: the fields of LRScheduler. */
interface TorchSelf {
  param_groups: Group[];
  last_epoch: number;
  _step_count: number;
  _is_initial: boolean;
  base_lrs: number[];
  _last_lr: number[];
}

type GetLr = (self: TorchSelf) => number[];

/** Python's a % b (the sign of b). */
function pyMod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** LRScheduler.__init__(optimizer, last_epoch=-1), which ends with _initial_step(). */
function torchInit(group: Group, get_lr: GetLr): TorchSelf {
  const self: TorchSelf = { param_groups: [group], last_epoch: -1, _step_count: 0, _is_initial: false, base_lrs: [], _last_lr: [] };
  for (const g of self.param_groups) if (g.initial_lr === undefined) g.initial_lr = g.lr; // group.setdefault("initial_lr", ...)
  self.base_lrs = self.param_groups.map((g) => g.initial_lr as number);
  self.last_epoch = -1;
  self._step_count = 0; //                                                                  _initial_step
  self._is_initial = true;
  torchStep(self, get_lr);
  self._is_initial = false;
  return self;
}

/** LRScheduler.step() (epoch None): _step_count += 1, then _update_lr. */
function torchStep(self: TorchSelf, get_lr: GetLr): void {
  self._step_count += 1;
  self.last_epoch += 1;
  const values = get_lr(self);
  self.param_groups.forEach((g, i) => { g.lr = values[i]; });
  self._last_lr = self.param_groups.map((g) => g.lr);
}

function torchStepLR(step_size: number, gamma: number): GetLr {
  return (self) => {
    if (self.last_epoch === 0 || self.last_epoch % step_size !== 0) return self.param_groups.map((g) => g.lr);
    return self.param_groups.map((g) => g.lr * gamma);
  };
}

function torchMultiStepLR(milestoneList: number[], gamma: number): GetLr {
  const milestones = new Map<number, number>(); //                                          Counter(milestones)
  for (const m of milestoneList) milestones.set(m, (milestones.get(m) ?? 0) + 1);
  return (self) => {
    if (!milestones.has(self.last_epoch)) return self.param_groups.map((g) => g.lr);
    return self.param_groups.map((g) => g.lr * gamma ** (milestones.get(self.last_epoch) as number));
  };
}

function torchExponentialLR(gamma: number): GetLr {
  return (self) => {
    if (self._is_initial) return self.param_groups.map((g) => g.lr);
    return self.param_groups.map((g) => g.lr * gamma);
  };
}

function torchCosineAnnealingLR(T_max: number, eta_min: number): GetLr {
  return (self) => {
    if (self._is_initial) {
      return self.param_groups.map((g) => g.lr);
    } else if (self._step_count === 1 && self.last_epoch > 0) {
      return self.base_lrs.map((base_lr) => eta_min + (base_lr - eta_min) * (1 + Math.cos((self.last_epoch) * Math.PI / T_max)) / 2);
    } else if (pyMod(self.last_epoch - 1 - T_max, 2 * T_max) === 0) {
      return self.param_groups.map((g, i) => g.lr + (self.base_lrs[i] - eta_min) * (1 - Math.cos(Math.PI / T_max)) / 2);
    }
    return self.param_groups.map((g) =>
      (1 + Math.cos(Math.PI * self.last_epoch / T_max)) / (1 + Math.cos(Math.PI * (self.last_epoch - 1) / T_max)) * (g.lr - eta_min) + eta_min);
  };
}

/** CosineAnnealingLR._get_closed_form_lr (what step(epoch) would use; not what step() uses). */
function torchCosineClosedForm(base_lr: number, T_max: number, eta_min: number, last_epoch: number): number {
  return eta_min + (base_lr - eta_min) * (1 + Math.cos(Math.PI * last_epoch / T_max)) / 2;
}

function torchLinearLR(start_factor: number, end_factor: number, total_iters: number): GetLr {
  return (self) => {
    if (self.last_epoch === 0) return self.param_groups.map((g) => g.lr * start_factor);
    if (self._is_initial || self.last_epoch > total_iters) return self.param_groups.map((g) => g.lr);
    return self.param_groups.map((g) =>
      g.lr * (1.0 + (end_factor - start_factor) / (total_iters * start_factor + (self.last_epoch - 1) * (end_factor - start_factor))));
  };
}

interface TorchOneCycle {
  total_steps: number;
  pct_start?: number;
  anneal_strategy?: 'cos' | 'linear';
  cycle_momentum?: boolean;
  base_momentum?: number;
  max_momentum?: number;
  div_factor?: number;
  final_div_factor?: number;
  three_phase?: boolean;
}

/** OneCycleLR.__init__ up to super().__init__ (which writes the group), and its get_lr. */
function torchOneCycleLR(group: Group, max_lr: number, a: TorchOneCycle): GetLr {
  const { total_steps, pct_start = 0.3, anneal_strategy = 'cos', cycle_momentum = true, base_momentum = 0.85, max_momentum = 0.95,
    div_factor = 25.0, final_div_factor = 1e4, three_phase = false } = a;
  type Name = 'initial_lr' | 'max_lr' | 'min_lr' | 'max_momentum' | 'base_momentum';
  type Phase = { end_step: number; start_lr: Name; end_lr: Name; start_momentum: Name; end_momentum: Name };
  const _schedule_phases: Phase[] = three_phase
    ? [
      { end_step: pct_start * total_steps - 1, start_lr: 'initial_lr', end_lr: 'max_lr', start_momentum: 'max_momentum', end_momentum: 'base_momentum' },
      { end_step: 2 * pct_start * total_steps - 2, start_lr: 'max_lr', end_lr: 'initial_lr', start_momentum: 'base_momentum', end_momentum: 'max_momentum' },
      { end_step: total_steps - 1, start_lr: 'initial_lr', end_lr: 'min_lr', start_momentum: 'max_momentum', end_momentum: 'max_momentum' },
    ]
    : [
      { end_step: pct_start * total_steps - 1, start_lr: 'initial_lr', end_lr: 'max_lr', start_momentum: 'max_momentum', end_momentum: 'base_momentum' },
      { end_step: total_steps - 1, start_lr: 'max_lr', end_lr: 'min_lr', start_momentum: 'base_momentum', end_momentum: 'max_momentum' },
    ];
  group.initial_lr = max_lr / div_factor;
  group.max_lr = max_lr;
  group.min_lr = group.initial_lr / final_div_factor;
  const use_beta1 = group.betas !== undefined;
  if (cycle_momentum) {
    if (use_beta1) group.betas = [max_momentum, (group.betas as [number, number])[1]];
    else group.momentum = max_momentum;
    group.max_momentum = max_momentum;
    group.base_momentum = base_momentum;
  }
  const _annealing_cos = (start: number, end: number, pct: number): number => {
    const cos_out = Math.cos(Math.PI * pct) + 1;
    return end + (start - end) / 2.0 * cos_out;
  };
  const _annealing_linear = (start: number, end: number, pct: number): number => (end - start) * pct + start;
  const anneal = anneal_strategy === 'cos' ? _annealing_cos : _annealing_linear;
  return (self) => {
    const lrs: number[] = [];
    const step_num = self.last_epoch;
    if (step_num > total_steps) throw new Error(`Tried to step ${step_num} times. The specified number of total steps is ${total_steps}`);
    for (const g of self.param_groups) {
      let start_step = 0.0;
      let computed_lr = NaN, computed_momentum = NaN;
      for (let i = 0; i < _schedule_phases.length; i++) {
        const phase = _schedule_phases[i];
        const end_step = phase.end_step;
        if (step_num <= end_step || i === _schedule_phases.length - 1) {
          const pct = (step_num - start_step) / (end_step - start_step);
          computed_lr = anneal(g[phase.start_lr] as number, g[phase.end_lr] as number, pct);
          if (cycle_momentum) computed_momentum = anneal(g[phase.start_momentum] as number, g[phase.end_momentum] as number, pct);
          break;
        }
        start_step = phase.end_step;
      }
      lrs.push(computed_lr);
      if (cycle_momentum) {
        if (use_beta1) g.betas = [computed_momentum, (g.betas as [number, number])[1]];
        else g.momentum = computed_momentum;
      }
    }
    return lrs;
  };
}

/** ReduceLROnPlateau: __init__, step(metrics), _reduce_lr and _is_better; returns the lr after each metric. */
function torchReduceLROnPlateau(lr: number, metrics: number[], a: {
  mode?: 'min' | 'max'; factor?: number; patience?: number; threshold?: number; threshold_mode?: 'rel' | 'abs'; cooldown?: number; min_lr?: number; eps?: number;
} = {}): number[] {
  const { mode = 'min', factor = 0.1, patience = 10, threshold = 1e-4, threshold_mode = 'rel', cooldown = 0, min_lr = 0, eps = 1e-8 } = a;
  const group = { lr };
  const min_lrs = [min_lr];
  const mode_worse = mode === 'min' ? Infinity : -Infinity;
  let best = mode_worse, cooldown_counter = 0, num_bad_epochs = 0, last_epoch = 0;
  const _is_better = (x: number, b: number): boolean => {
    if (mode === 'min' && threshold_mode === 'rel') return x < b * (1.0 - threshold);
    else if (mode === 'min' && threshold_mode === 'abs') return x < b - threshold;
    else if (mode === 'max' && threshold_mode === 'rel') return x > b * (threshold + 1.0);
    return x > b + threshold;
  };
  const out: number[] = [];
  for (const current of metrics) {
    last_epoch = last_epoch + 1;
    if (_is_better(current, best)) {
      best = current;
      num_bad_epochs = 0;
    } else {
      num_bad_epochs += 1;
    }
    if (cooldown_counter > 0) {
      cooldown_counter -= 1;
      num_bad_epochs = 0;
    }
    if (num_bad_epochs > patience) {
      const old_lr = group.lr; //                                                              _reduce_lr
      const new_lr = Math.max(old_lr * factor, min_lrs[0]);
      if (old_lr - new_lr > eps) group.lr = new_lr;
      cooldown_counter = cooldown;
      num_bad_epochs = 0;
    }
    out.push(group.lr);
  }
  return out;
}

/** The rates of a PyTorch scheduler: after the constructor, then after each of `steps` steps. */
function torchRates(group: Group, get_lr: GetLr, steps: number): number[] {
  const self = torchInit(group, get_lr);
  const rates = [group.lr];
  for (let t = 0; t < steps; t++) {
    torchStep(self, get_lr);
    rates.push(group.lr);
  }
  return rates;
}

// ---------------------------------------------------------------------------------------------
// minidl's side
// ---------------------------------------------------------------------------------------------

/** An SGD (or Adam) over a small layer, with rate `lr`. */
function sgd(lr: number, options: { momentum?: number; nesterov?: boolean } = {}): SGD {
  return new SGD(new Linear(2, 1, { rng: new Rng(1) }).params(), { lr, ...options });
}
function adam(lr: number): Adam {
  return new Adam(new Linear(2, 1, { rng: new Rng(1) }).params(), { lr, betas: [0.9, 0.999] });
}

/** The rates of a minidl scheduler: after the constructor, then after each of `steps` steps; checks getLastLr on the way. */
function minidlRates(optimizer: Optimizer, make: (o: Optimizer) => LRScheduler, steps: number): number[] {
  const scheduler = make(optimizer);
  expect(scheduler.lastEpoch).toBe(0);
  const rates = [optimizer.lr];
  for (let t = 0; t < steps; t++) {
    scheduler.step();
    expect(scheduler.lastEpoch).toBe(t + 1);
    expect(scheduler.getLastLr()).toEqual([optimizer.lr]);
    rates.push(optimizer.lr);
  }
  return rates;
}

/** Compares two sequences to the bit, naming the first step that differs. */
function expectSameBits(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  const first = actual.findIndex((v, i) => !Object.is(v, expected[i]));
  expect(first === -1 ? 'all equal' : `step ${first}: ${actual[first]} vs PyTorch's ${expected[first]}`).toBe('all equal');
}

/** OneCycleLR({ maxLr: 0.1, totalSteps: 20 })'s rate and momentum at step t, as an SGD sees them. */
function sgdLrAndMomentum(t: number): [number, number] {
  const optimizer = sgd(0.5, { momentum: 0.9 });
  const scheduler = new OneCycleLR(optimizer, { maxLr: 0.1, totalSteps: 20 });
  for (let i = 0; i < t; i++) scheduler.step();
  return [optimizer.lr, optimizer.momentum];
}

// ---------------------------------------------------------------------------------------------
// Each schedule against the transcription, to the bit
// ---------------------------------------------------------------------------------------------

describe("each scheduler's rates are those of PyTorch's code (transcribed above), to the bit", () => {
  const cases: [string, number, (o: Optimizer) => LRScheduler, GetLr, number][] = [
    ['StepLR stepSize 30', 0.1, (o) => new StepLR(o, { stepSize: 30 }), torchStepLR(30, 0.1), 200],
    ['StepLR stepSize 7, γ 0.5', 0.05, (o) => new StepLR(o, { stepSize: 7, gamma: 0.5 }), torchStepLR(7, 0.5), 100],
    ['StepLR stepSize 1, γ 0.9', 0.3, (o) => new StepLR(o, { stepSize: 1, gamma: 0.9 }), torchStepLR(1, 0.9), 100],
    ['MultiStepLR [30, 80]', 0.05, (o) => new MultiStepLR(o, { milestones: [30, 80] }), torchMultiStepLR([30, 80], 0.1), 120],
    ['MultiStepLR [1, 2, 5, 13], γ 0.7', 0.2, (o) => new MultiStepLR(o, { milestones: [1, 2, 5, 13], gamma: 0.7 }), torchMultiStepLR([1, 2, 5, 13], 0.7), 30],
    ['ExponentialLR γ 0.95', 0.1, (o) => new ExponentialLR(o, { gamma: 0.95 }), torchExponentialLR(0.95), 200],
    ['ExponentialLR γ 0.999', 0.01, (o) => new ExponentialLR(o, { gamma: 0.999 }), torchExponentialLR(0.999), 300],
    ['CosineAnnealingLR tMax 10', 0.1, (o) => new CosineAnnealingLR(o, { tMax: 10 }), torchCosineAnnealingLR(10, 0), 65],
    ['CosineAnnealingLR tMax 7, etaMin 0.001', 0.05, (o) => new CosineAnnealingLR(o, { tMax: 7, etaMin: 0.001 }), torchCosineAnnealingLR(7, 0.001), 60],
    ['CosineAnnealingLR tMax 100', 0.1, (o) => new CosineAnnealingLR(o, { tMax: 100 }), torchCosineAnnealingLR(100, 0), 250],
    ['CosineAnnealingLR tMax 1', 0.1, (o) => new CosineAnnealingLR(o, { tMax: 1, etaMin: 0.01 }), torchCosineAnnealingLR(1, 0.01), 9],
    ['LinearLR defaults', 0.05, (o) => new LinearLR(o), torchLinearLR(1 / 3, 1, 5), 12],
    ['LinearLR 0.05 → 1 over 40', 0.05, (o) => new LinearLR(o, { startFactor: 0.05, totalIters: 40 }), torchLinearLR(0.05, 1, 40), 60],
    ['LinearLR decay 1 → 0.1 over 9', 0.3, (o) => new LinearLR(o, { startFactor: 1, endFactor: 0.1, totalIters: 9 }), torchLinearLR(1, 0.1, 9), 15],
    ['LinearLR to 0', 0.3, (o) => new LinearLR(o, { startFactor: 0.5, endFactor: 0, totalIters: 4 }), torchLinearLR(0.5, 0, 4), 8],
  ];
  test.each(cases)('%s', (_name, lr, make, getLr, steps) => {
    expectSameBits(minidlRates(sgd(lr), make, steps), torchRates({ lr }, getLr, steps));
  });

  const oneCycles: [string, { maxLr: number } & Record<string, unknown>, TorchOneCycle][] = [
    ['defaults, 100 steps', { maxLr: 0.1, totalSteps: 100 }, { total_steps: 100 }],
    ['epochs 5 × stepsPerEpoch 13', { maxLr: 0.01, epochs: 5, stepsPerEpoch: 13 }, { total_steps: 65 }],
    ['linear', { maxLr: 0.1, totalSteps: 50, annealStrategy: 'linear' }, { total_steps: 50, anneal_strategy: 'linear' }],
    ['three phases', { maxLr: 0.1, totalSteps: 40, threePhase: true }, { total_steps: 40, three_phase: true }],
    ['three phases, linear, pctStart 0.25', { maxLr: 0.2, totalSteps: 37, threePhase: true, annealStrategy: 'linear', pctStart: 0.25 },
      { total_steps: 37, three_phase: true, anneal_strategy: 'linear', pct_start: 0.25 }],
    ['every factor changed', { maxLr: 0.3, totalSteps: 31, pctStart: 0.45, divFactor: 10, finalDivFactor: 100, baseMomentum: 0.8, maxMomentum: 0.9 },
      { total_steps: 31, pct_start: 0.45, div_factor: 10, final_div_factor: 100, base_momentum: 0.8, max_momentum: 0.9 }],
  ];
  test.each(oneCycles)('OneCycleLR %s, with SGD: rates and momenta', (_name, options, torch) => {
    const optimizer = sgd(0.5, { momentum: 0.9 });
    const scheduler = new OneCycleLR(optimizer, options as never);
    const group: Group = { lr: 0.5, momentum: 0.9 };
    const get_lr = torchOneCycleLR(group, options.maxLr, torch);
    const self = torchInit(group, get_lr);
    const rates = [optimizer.lr], momenta = [optimizer.momentum], torchRatesSeen = [group.lr], torchMomenta = [group.momentum as number];
    for (let t = 0; t < torch.total_steps; t++) {
      optimizer.step(); // the schedule's momentum is one the optimizer takes
      scheduler.step();
      torchStep(self, get_lr);
      rates.push(optimizer.lr);
      momenta.push(optimizer.momentum);
      torchRatesSeen.push(group.lr);
      torchMomenta.push(group.momentum as number);
    }
    expectSameBits(rates, torchRatesSeen);
    expectSameBits(momenta, torchMomenta);
    expect(scheduler.initialLr).toBe(group.initial_lr);
    expect(scheduler.maxLr).toBe(group.max_lr);
    expect(scheduler.minLr).toBe(group.min_lr);
    expect(scheduler.baseLrs).toEqual([group.initial_lr]);
    expect(() => torchStep(self, get_lr)).toThrow(/Tried to step/); // PyTorch refuses the next step too
  });

  test.each(oneCycles)('OneCycleLR %s, with Adam: rates and β₁ (β₂ untouched)', (_name, options, torch) => {
    const optimizer = adam(0.5);
    const scheduler = new OneCycleLR(optimizer, options as never);
    const group: Group = { lr: 0.5, betas: [0.9, 0.999] };
    const get_lr = torchOneCycleLR(group, options.maxLr, torch);
    const self = torchInit(group, get_lr);
    expect([optimizer.lr, optimizer.beta1, optimizer.beta2]).toEqual([group.lr, ...(group.betas as number[])]);
    for (let t = 0; t < torch.total_steps; t++) {
      optimizer.step();
      scheduler.step();
      torchStep(self, get_lr);
      expectSameBits([optimizer.lr, optimizer.beta1, optimizer.beta2], [group.lr, ...(group.betas as number[])]);
    }
  });

  test('OneCycleLR finds the momentum as PyTorch does: β₁ when the optimizer has betas (AdamW), else its momentum (RMSprop)', () => {
    const params = (): Parameter[] => new Linear(2, 1, { rng: new Rng(1) }).params();
    const adamw = new AdamW(params(), { lr: 0.5, betas: [0.9, 0.99] });
    const rmsprop = new RMSprop(params(), { lr: 0.5, momentum: 0.5 });
    const a = new OneCycleLR(adamw, { maxLr: 0.1, totalSteps: 20 });
    const r = new OneCycleLR(rmsprop, { maxLr: 0.1, totalSteps: 20 });
    for (let t = 0; t < 20; t++) {
      adamw.step();
      rmsprop.step();
      a.step();
      r.step();
      expect([adamw.lr, adamw.beta1, adamw.beta2]).toEqual([sgdLrAndMomentum(t + 1)[0], sgdLrAndMomentum(t + 1)[1], 0.99]);
      expect([rmsprop.lr, rmsprop.momentum]).toEqual(sgdLrAndMomentum(t + 1));
    }
  });

  test('OneCycleLR without cycleMomentum leaves the momentum alone', () => {
    const optimizer = sgd(0.5, { momentum: 0.7 });
    const scheduler = new OneCycleLR(optimizer, { maxLr: 0.1, totalSteps: 20, cycleMomentum: false });
    const group: Group = { lr: 0.5, momentum: 0.7 };
    const rates = torchRates(group, torchOneCycleLR(group, 0.1, { total_steps: 20, cycle_momentum: false }), 20);
    const mine = [optimizer.lr];
    for (let t = 0; t < 20; t++) {
      scheduler.step();
      mine.push(optimizer.lr);
      expect(optimizer.momentum).toBe(0.7);
    }
    expectSameBits(mine, rates);
  });

  const plateaus: [string, number[], Record<string, unknown>, Record<string, unknown>][] = [
    ['defaults on a loss that stalls', [1, 0.9, 0.8, ...Array(25).fill(0.8), 0.5, ...Array(15).fill(0.6)], {}, {}],
    ['patience 2, cooldown 3', [5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 3.9, 3.9, 3.9, 3.9, 3.9, 3.9, 3.9, 3.9], { patience: 2, cooldown: 3 }, { patience: 2, cooldown: 3 }],
    ['threshold rel 0.1: small gains do not count', [1, 0.95, 0.91, 0.89, 0.85, 0.8, 0.79, 0.78], { patience: 1, threshold: 0.1 }, { patience: 1, threshold: 0.1 }],
    ['threshold abs 0.05', [1, 0.96, 0.94, 0.93, 0.88, 0.87, 0.86, 0.85], { patience: 1, threshold: 0.05, thresholdMode: 'abs' },
      { patience: 1, threshold: 0.05, threshold_mode: 'abs' }],
    ['mode max (an accuracy)', [0.5, 0.6, 0.6, 0.6, 0.61, 0.7, 0.7, 0.7, 0.7], { mode: 'max', patience: 1 }, { mode: 'max', patience: 1 }],
    ['mode max, abs', [0.5, 0.6, 0.6, 0.6, 0.65, 0.7, 0.7, 0.7], { mode: 'max', patience: 0, threshold: 0.02, thresholdMode: 'abs' },
      { mode: 'max', patience: 0, threshold: 0.02, threshold_mode: 'abs' }],
    ['minLr stops the fall', Array(20).fill(1), { patience: 0, factor: 0.5, minLr: 0.02 }, { patience: 0, factor: 0.5, min_lr: 0.02 }],
    ['eps: a fall smaller than eps is not made', Array(12).fill(1), { patience: 0, factor: 0.5, eps: 0.01 }, { patience: 0, factor: 0.5, eps: 0.01 }],
    ['negative losses, rel', [-1, -1.05, -1.2, -1.2, -1.2, -1.3], { patience: 1 }, { patience: 1 }],
  ];
  test.each(plateaus)('ReduceLROnPlateau %s', (_name, metrics, options, torch) => {
    const optimizer = sgd(0.1);
    const scheduler = new ReduceLROnPlateau(optimizer, options as never);
    expect(optimizer.lr).toBe(0.1); // no initial step
    expect(scheduler.lastEpoch).toBe(0);
    const rates = metrics.map((m) => {
      scheduler.step(m);
      expect(scheduler.getLastLr()).toEqual([optimizer.lr]);
      return optimizer.lr;
    });
    expect(scheduler.lastEpoch).toBe(metrics.length);
    expectSameBits(rates, torchReduceLROnPlateau(0.1, metrics, torch));
  });
});

// ---------------------------------------------------------------------------------------------
// Numbers from CPython
// ---------------------------------------------------------------------------------------------

/*
 * Computed once with CPython 3 on Linux (its math.cos is glibc's cos, as PyTorch's is there),
 * running the get_lr code of torch/optim/lr_scheduler.py for these settings (the recursions of
 * ExponentialLR, LinearLR and CosineAnnealingLR, and OneCycleLR's phases and _annealing_cos),
 * and printed with repr().
 */
describe('numbers computed with CPython', () => {
  /** |a − b| in units of the last place of b. */
  const ulps = (a: number, b: number): number => Math.abs(a - b) / (Number.EPSILON * 2 ** Math.floor(Math.log2(Math.abs(b))));

  test('ExponentialLR (γ 0.95 from 0.1) and LinearLR (defaults from 0.3): the same to the bit', () => {
    const exp = minidlRates(sgd(0.1), (o) => new ExponentialLR(o, { gamma: 0.95 }), 100);
    expect([exp[1], exp[2], exp[10], exp[100]]).toEqual([0.095, 0.09025, 0.05987369392383786, 0.0005920529220333994]);
    expect(0.1 * 0.95 ** 100).toBe(0.0005920529220333997); // the closed form: other last bits
    const lin = minidlRates(sgd(0.3), (o) => new LinearLR(o), 8);
    expect(lin).toEqual([0.09999999999999999, 0.14, 0.18000000000000002, 0.22000000000000006, 0.26000000000000006,
      0.30000000000000004, 0.30000000000000004, 0.30000000000000004, 0.30000000000000004]);
  });

  test('CosineAnnealingLR (tMax 100 from 0.1): within a few units in the last place (Math.cos is not C\'s cos)', () => {
    const rates = minidlRates(sgd(0.1), (o) => new CosineAnnealingLR(o, { tMax: 100 }), 250);
    const cpython: [number, number][] = [[25, 0.0853553390593274], [50, 0.05000000000000004], [99, 2.4671981713420017e-05],
      [150, 0.04999999999999995], [250, 0.05000000000000006]];
    for (const [t, value] of cpython) expect(ulps(rates[t], value)).toBeLessThanOrEqual(8);
  });

  test('OneCycleLR (maxLr 0.1, 100 steps): rates and momenta within a unit or two in the last place', () => {
    const optimizer = sgd(0.1, { momentum: 0.9 });
    const scheduler = new OneCycleLR(optimizer, { maxLr: 0.1, totalSteps: 100 });
    const seen: [number, number][] = [[optimizer.lr, optimizer.momentum]];
    for (let t = 0; t < 100; t++) {
      scheduler.step();
      seen.push([optimizer.lr, optimizer.momentum]);
    }
    const cpython: [number, number, number][] = [[0, 0.0040000000000000036, 0.95], [10, 0.029516394846410082, 0.9234204220349895],
      [29, 0.1, 0.85], [30, 0.09994965352845243, 0.8500503466729342], [60, 0.05892800902855288, 0.8910721552600681],
      [99, 4e-07, 0.95], [100, 5.074647154757325e-05, 0.9499496533270657]];
    for (const [t, lr, momentum] of cpython) {
      expect(ulps(seen[t][0], lr)).toBeLessThanOrEqual(2);
      expect(ulps(seen[t][1], momentum)).toBeLessThanOrEqual(2);
    }
    expect(seen[0][0]).toBe(0.0040000000000000036); // maxLr + (maxLr/25 − maxLr)/2·2: not quite 0.004, in PyTorch too
  });
});

// ---------------------------------------------------------------------------------------------
// The same sequences in plain numbers
// ---------------------------------------------------------------------------------------------

describe('hand-checked values', () => {
  test('StepLR: 0.1 for epochs 0–29, 0.1·0.1 from 30, ·0.1 again at 60 (the recursive form: 0.010000000000000002)', () => {
    const rates = minidlRates(sgd(0.1), (o) => new StepLR(o, { stepSize: 30 }), 90);
    expect(rates.slice(0, 30).every((r) => r === 0.1)).toBe(true);
    expect(rates[30]).toBe(0.1 * 0.1);
    expect(rates[30]).toBe(0.010000000000000002);
    expect(rates[30]).toBeCloseTo(0.01, 17);
    expect(rates[59]).toBe(rates[30]);
    expect(rates[60]).toBe(0.1 * 0.1 * 0.1);
    expect(rates[89]).toBe(rates[60]);
    expect(rates[90]).toBeCloseTo(1e-4, 17);
  });

  test('MultiStepLR [30, 80]: 0.05, then 0.005 from 30, then 0.0005 from 80', () => {
    const rates = minidlRates(sgd(0.05), (o) => new MultiStepLR(o, { milestones: [30, 80] }), 100);
    expect(rates[29]).toBe(0.05);
    expect(rates[30]).toBe(0.05 * 0.1);
    expect(rates[79]).toBe(0.05 * 0.1);
    expect(rates[80]).toBe(0.05 * 0.1 * 0.1);
    expect(rates[80]).toBeCloseTo(0.0005, 17);
  });

  test('ExponentialLR: t products of γ, which may differ in the last bits from lr₀·γᵗ', () => {
    const rates = minidlRates(sgd(0.1), (o) => new ExponentialLR(o, { gamma: 0.95 }), 100);
    expect(rates[0]).toBe(0.1);
    expect(rates[1]).toBe(0.1 * 0.95);
    expect(rates[2]).toBe(0.1 * 0.95 * 0.95);
    for (let t = 0; t <= 100; t++) expect(rates[t]).toBeCloseTo(0.1 * 0.95 ** t, 15);
  });

  test('CosineAnnealingLR: lr₀ at 0, the middle at tMax/2, etaMin at tMax, back up by 2·tMax; the recursive form differs from the closed one in the last bits', () => {
    const rates = minidlRates(sgd(0.1), (o) => new CosineAnnealingLR(o, { tMax: 10, etaMin: 0.002 }), 40);
    expect(rates[0]).toBe(0.1);
    expect(rates[5]).toBeCloseTo(0.051, 15);
    expect(rates[10]).toBeCloseTo(0.002, 15);
    expect(rates[20]).toBeCloseTo(0.1, 15);
    expect(rates[30]).toBeCloseTo(0.002, 15);
    const closed = rates.map((_, t) => torchCosineClosedForm(0.1, 10, 0.002, t));
    for (let t = 0; t <= 40; t++) expect(rates[t]).toBeCloseTo(closed[t], 15);
    expect(rates.some((r, t) => r !== closed[t])).toBe(true); // the two forms are not the same numbers
  });

  test('LinearLR: the constructor multiplies the rate by startFactor; it reaches lr₀·endFactor at totalIters and stays', () => {
    const optimizer = sgd(0.3);
    const scheduler = new LinearLR(optimizer);
    expect(optimizer.lr).toBe(0.3 * (1 / 3));
    expect(scheduler.baseLrs).toEqual([0.3]);
    const rates = [optimizer.lr];
    for (let t = 0; t < 8; t++) {
      scheduler.step();
      rates.push(optimizer.lr);
    }
    // lr₀·(1/3 + (2/3)·t/5): 0.1, 0.14, 0.18, 0.22, 0.26, 0.3
    [0.1, 0.14, 0.18, 0.22, 0.26, 0.3, 0.3, 0.3, 0.3].forEach((r, t) => expect(rates[t]).toBeCloseTo(r, 15));
    expect(rates[6]).toBe(rates[5]);
  });

  test('OneCycleLR: maxLr/25 at step 0 with momentum 0.95; maxLr and 0.85 at the end of the warm-up; maxLr/25/1e4 and 0.95 at the last step', () => {
    const optimizer = sgd(0.5, { momentum: 0.9 });
    const scheduler = new OneCycleLR(optimizer, { maxLr: 0.1, totalSteps: 101 });
    expect(scheduler.initialLr).toBe(0.1 / 25);
    expect(scheduler.minLr).toBe(0.1 / 25 / 1e4);
    expect(optimizer.lr).toBeCloseTo(0.004, 17);
    expect(optimizer.momentum).toBeCloseTo(0.95, 15);
    const rates = [optimizer.lr], momenta = [optimizer.momentum];
    for (let t = 0; t < 101; t++) {
      scheduler.step();
      rates.push(optimizer.lr);
      momenta.push(optimizer.momentum);
    }
    const peak = 0.3 * 101 - 1; // step 29.3: the highest rate is at step 29 or 30
    expect(Math.max(...rates)).toBe(Math.max(rates[29], rates[30]));
    expect(Math.max(...rates)).toBeCloseTo(0.1, 4);
    expect(Math.min(...momenta.slice(0, 101))).toBe(Math.min(momenta[29], momenta[30]));
    expect(peak).toBeCloseTo(29.3, 12);
    expect(rates[100]).toBeCloseTo(4e-7, 17);
    expect(momenta[100]).toBeCloseTo(0.95, 15);
    expect(scheduler.momentumAt(100)).toBe(momenta[100]);
  });

  test('OneCycleLR: step() may be called totalSteps times; the next one throws and changes nothing', () => {
    const optimizer = adam(0.5);
    const scheduler = new OneCycleLR(optimizer, { maxLr: 0.1, totalSteps: 10 });
    for (let t = 0; t < 10; t++) scheduler.step();
    const before = [optimizer.lr, optimizer.beta1, scheduler.lastEpoch];
    expectMinidlError(() => scheduler.step(), /^OneCycleLR\.step: tried to step 11 times; the cycle has totalSteps = 10/);
    expect([optimizer.lr, optimizer.beta1, scheduler.lastEpoch]).toEqual(before);
  });

  test('ReduceLROnPlateau: patience 2 lets two bad epochs pass and lowers the rate at the third; cooldown 1 ignores the next', () => {
    const optimizer = sgd(0.1);
    const scheduler = new ReduceLROnPlateau(optimizer, { patience: 2, cooldown: 1, factor: 0.5 });
    const rates = [1, 1, 1, 1, 1, 1, 1, 1].map((m) => { scheduler.step(m); return optimizer.lr; });
    // epoch 1 sets best; 2, 3 bad; 4 is the third bad: 0.05, cooldown 1; 5 in cooldown (not counted);
    // 6, 7 bad; 8 is the third: 0.025
    expect(rates).toEqual([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.025]);
    expect(scheduler.best).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// State, resumption, and the rest of the contract
// ---------------------------------------------------------------------------------------------

describe('stateDict and loadStateDict', () => {
  const makers: [string, (o: Optimizer) => LRScheduler, () => Optimizer, number, number][] = [
    ['StepLR', (o) => new StepLR(o, { stepSize: 4, gamma: 0.5 }), () => sgd(0.1), 9, 20],
    ['MultiStepLR', (o) => new MultiStepLR(o, { milestones: [3, 11, 12] }), () => sgd(0.1), 7, 20],
    ['ExponentialLR', (o) => new ExponentialLR(o, { gamma: 0.9 }), () => sgd(0.1), 7, 20],
    ['CosineAnnealingLR', (o) => new CosineAnnealingLR(o, { tMax: 6, etaMin: 0.001 }), () => sgd(0.1), 5, 30],
    ['LinearLR', (o) => new LinearLR(o, { startFactor: 0.25, totalIters: 8 }), () => sgd(0.1), 3, 12],
    ['OneCycleLR (SGD)', (o) => new OneCycleLR(o, { maxLr: 0.2, totalSteps: 30 }), () => sgd(0.1, { momentum: 0.9 }), 11, 19],
    ['OneCycleLR (Adam)', (o) => new OneCycleLR(o, { maxLr: 0.2, totalSteps: 30, threePhase: true, annealStrategy: 'linear' }), () => adam(0.1), 11, 19],
  ];
  /** The optimizer's rate and momentum (or β₁). */
  const seen = (o: Optimizer): number[] => [o.lr, (o as unknown as { momentum?: number; beta1?: number }).momentum ?? (o as Adam).beta1];

  test.each(makers)('%s: saved through JSON mid-way and loaded into a new scheduler and optimizer, it resumes the same sequence', (_name, make, newOptimizer, saveAt, more) => {
    const whole = newOptimizer();
    const straight = make(whole);
    const expected: number[][] = [];
    for (let t = 0; t < saveAt + more; t++) {
      straight.step();
      if (t >= saveAt) expected.push(seen(whole));
    }

    const first = newOptimizer();
    const before = make(first);
    for (let t = 0; t < saveAt; t++) before.step();
    const saved = JSON.parse(JSON.stringify(before.stateDict())) as SchedulerState;
    expect(saved).toEqual(before.stateDict());
    expect(saved.lastEpoch).toBe(saveAt);

    const second = newOptimizer(); //                    a new run: a fresh optimizer, a fresh scheduler
    const after = make(second);
    after.loadStateDict(saved);
    expect(after.stateDict()).toEqual(saved);
    expect(seen(second)).toEqual(seen(first));
    const resumed: number[][] = [];
    for (let t = 0; t < more; t++) {
      after.step();
      resumed.push(seen(second));
    }
    expectSameBits(resumed.flat(), expected.flat());
  });

  test('ReduceLROnPlateau: best, numBadEpochs and cooldownCounter survive; the sequence resumes', () => {
    const metrics = [1, 0.9, 0.9, 0.9, 0.95, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8];
    const straight = sgd(0.1), s = new ReduceLROnPlateau(straight, { patience: 1, cooldown: 2 });
    const expected = metrics.map((m) => { s.step(m); return straight.lr; });
    const first = sgd(0.1), a = new ReduceLROnPlateau(first, { patience: 1, cooldown: 2 });
    metrics.slice(0, 4).forEach((m) => a.step(m));
    const saved = JSON.parse(JSON.stringify(a.stateDict())) as SchedulerState;
    expect(saved.best).toBe(0.9);
    const second = sgd(0.1), b = new ReduceLROnPlateau(second, { patience: 1, cooldown: 2 });
    b.loadStateDict(saved);
    expect(second.lr).toBe(first.lr);
    const resumed = metrics.slice(4).map((m) => { b.step(m); return second.lr; });
    expect(resumed).toEqual(expected.slice(4));
  });

  test('ReduceLROnPlateau: best is null before the first metric (PyTorch: ±inf, which JSON cannot hold)', () => {
    const scheduler = new ReduceLROnPlateau(sgd(0.1));
    expect(scheduler.stateDict().best).toBeNull();
    const copy = new ReduceLROnPlateau(sgd(0.1), { mode: 'max' });
    copy.loadStateDict(JSON.parse(JSON.stringify(scheduler.stateDict())) as SchedulerState);
    expect(copy.mode).toBe('min');
    expect(copy.best).toBeNull();
  });

  test('loading overwrites the hyper-parameters, as PyTorch does', () => {
    const scheduler = new StepLR(sgd(0.1), { stepSize: 10 });
    scheduler.loadStateDict({ stepSize: 3, gamma: 0.5, lastEpoch: 2, baseLrs: [0.1], lastLr: [0.1] });
    expect(String(scheduler)).toBe('StepLR(stepSize=3, gamma=0.5)');
    scheduler.step();
    expect(scheduler.optimizer.lr).toBe(0.05);
  });

  test("the state is a copy: changing it changes nothing, and loading copies the caller's lists", () => {
    const scheduler = new ExponentialLR(sgd(0.1), { gamma: 0.5 });
    const state = scheduler.stateDict();
    (state.baseLrs as number[])[0] = 7;
    expect(scheduler.baseLrs).toEqual([0.1]);
    const given: SchedulerState = { gamma: 0.5, lastEpoch: 1, baseLrs: [0.1], lastLr: [0.05] };
    scheduler.loadStateDict(given);
    (given.baseLrs as number[])[0] = 9;
    expect(scheduler.baseLrs).toEqual([0.1]);
    expect(scheduler.getLastLr()).toEqual([0.05]);
    const last = scheduler.getLastLr();
    last[0] = 3;
    expect(scheduler.getLastLr()).toEqual([0.05]);
  });

  test('the keys of each state', () => {
    expect(Object.keys(new StepLR(sgd(0.1), { stepSize: 2 }).stateDict())).toEqual(['stepSize', 'gamma', 'lastEpoch', 'baseLrs', 'lastLr']);
    expect(Object.keys(new OneCycleLR(sgd(0.1), { maxLr: 1, totalSteps: 10 }).stateDict())).toEqual([
      'totalSteps', 'pctStart', 'annealStrategy', 'threePhase', 'cycleMomentum', 'initialLr', 'maxLr', 'minLr', 'baseMomentum', 'maxMomentum',
      'lastEpoch', 'baseLrs', 'lastLr',
    ]);
    expect(Object.keys(new ReduceLROnPlateau(sgd(0.1)).stateDict())).toEqual([
      'mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps', 'best', 'numBadEpochs', 'cooldownCounter',
      'lastEpoch', 'baseLrs', 'lastLr',
    ]);
  });
});

describe('construction and the rest', () => {
  test('the constructor sets the rate of epoch 0 and lastEpoch 0; baseLrs is the rate it started from', () => {
    const o = sgd(0.1);
    const s = new StepLR(o, { stepSize: 5 });
    expect([o.lr, s.lastEpoch, s.baseLrs, s.getLastLr()]).toEqual([0.1, 0, [0.1], [0.1]]);
    const c = new OneCycleLR(sgd(0.1), { maxLr: 1, totalSteps: 10 });
    expect(c.baseLrs).toEqual([1 / 25]);
  });

  test('a rate changed by hand between steps is what the chainable schedules continue from, as in PyTorch', () => {
    const o = sgd(0.1);
    const s = new ExponentialLR(o, { gamma: 0.5 });
    s.step();
    o.lr = 1;
    s.step();
    expect(o.lr).toBe(0.5);
  });

  test('toString', () => {
    const o = sgd(0.1, { momentum: 0.9 });
    expect(String(new StepLR(o, { stepSize: 30 }))).toBe('StepLR(stepSize=30, gamma=0.1)');
    expect(String(new MultiStepLR(sgd(0.1), { milestones: [30, 80] }))).toBe('MultiStepLR(milestones=[30, 80], gamma=0.1)');
    expect(String(new ExponentialLR(sgd(0.1), { gamma: 0.9 }))).toBe('ExponentialLR(gamma=0.9)');
    expect(String(new CosineAnnealingLR(sgd(0.1), { tMax: 10 }))).toBe('CosineAnnealingLR(tMax=10, etaMin=0)');
    expect(String(new LinearLR(sgd(0.1)))).toBe(`LinearLR(startFactor=${1 / 3}, endFactor=1, totalIters=5)`);
    expect(String(new OneCycleLR(o, { maxLr: 0.1, totalSteps: 100 }))).toBe("OneCycleLR(maxLr=0.1, totalSteps=100, pctStart=0.3, annealStrategy='cos', momentum 0.95→0.85)");
    expect(String(new ReduceLROnPlateau(sgd(0.1)))).toBe("ReduceLROnPlateau(mode='min', factor=0.1, patience=10, threshold=0.0001, thresholdMode='rel', eps=1e-8)");
  });

  test('ReduceLROnPlateau.step needs a finite metric, and LRScheduler.step() without one is refused', () => {
    const o = sgd(0.1);
    const s: LRScheduler = new ReduceLROnPlateau(o);
    expectMinidlError(() => s.step(), /^ReduceLROnPlateau\.step: needs the metric it watches/);
    expect(s.lastEpoch).toBe(0);
  });

  test('a scheduler of your own: getLr, settings and checkSettings', () => {
    class HalvingLR extends LRScheduler {
      constructor(optimizer: Optimizer) {
        super('HalvingLR', optimizer);
        this.initialStep();
      }
      protected getLr(epoch: number): number { return epoch === 0 ? this.optimizer.lr : this.optimizer.lr / 2; }
      protected settings(): SchedulerState { return {}; }
      protected checkSettings(): void { /* no settings */ }
      toString(): string { return 'HalvingLR'; }
    }
    const o = sgd(0.8);
    const s = new HalvingLR(o);
    s.step();
    s.step();
    expect(o.lr).toBe(0.2);
    expect(s.stateDict()).toEqual({ lastEpoch: 2, baseLrs: [0.8], lastLr: [0.2] });
    expect(s).toBeInstanceOf(LRScheduler);
  });

  test('errors are MinidlErrors', () => {
    expect(() => new StepLR({} as never, { stepSize: 1 })).toThrow(MinidlError);
  });
});

describe('through NeuralNet.fit', () => {
  /** The course's disk task, small: a fresh net and its data from one seed. */
  function setup(seed: number, optimizerOf: (model: Sequential) => Optimizer) {
    const rng = new Rng(seed);
    const data = generateDisk(120, rng);
    const model = new Sequential(new Linear(2, 8, { rng }), new ReLU(), new Linear(8, 2, { rng }));
    const net = new NeuralNet(model, { loss: new CrossEntropyLoss(), optimizer: optimizerOf(model), rng });
    return { net, x: data.inputs, y: data.labels, model };
  }
  const bitsOf = (model: Sequential) => model.params().map((p) => Array.from(p.value.data).join()).join(';');

  test('a per-epoch schedule gives the bits of the manual loop: fit one epoch, then scheduler.step()', () => {
    const a = setup(3, (m) => new SGD(m.params(), { lr: 0.1, momentum: 0.9 }));
    const schedulerA = new StepLR(a.net.optimizer, { stepSize: 2, gamma: 0.5 });
    a.net.fit(a.x, a.y, { epochs: 5, batchSize: 30, scheduler: schedulerA });
    const b = setup(3, (m) => new SGD(m.params(), { lr: 0.1, momentum: 0.9 }));
    const schedulerB = new StepLR(b.net.optimizer, { stepSize: 2, gamma: 0.5 });
    const lrs: number[] = [];
    for (let epoch = 0; epoch < 5; epoch++) {
      lrs.push(b.net.optimizer.lr);
      b.net.fit(b.x, b.y, { epochs: 1, batchSize: 30 });
      schedulerB.step();
    }
    expect(lrs).toEqual([0.1, 0.1, 0.05, 0.05, 0.025]);
    expect(a.net.optimizer.lr).toBe(b.net.optimizer.lr);
    expect(schedulerA.lastEpoch).toBe(5);
    expect(bitsOf(a.model)).toBe(bitsOf(b.model));
  });

  test("OneCycleLR steps after every batch (its default interval), as PyTorch's loop; lr and momentum follow its cycle", () => {
    const a = setup(4, (m) => new SGD(m.params(), { lr: 0.1, momentum: 0.9 }));
    const schedulerA = new OneCycleLR(a.net.optimizer, { maxLr: 0.5, epochs: 3, stepsPerEpoch: 4 });
    a.net.fit(a.x, a.y, { epochs: 3, batchSize: 30, shuffle: false, scheduler: schedulerA });
    expect(schedulerA.lastEpoch).toBe(12);
    const b = setup(4, (m) => new SGD(m.params(), { lr: 0.1, momentum: 0.9 }));
    const schedulerB = new OneCycleLR(b.net.optimizer, { maxLr: 0.5, epochs: 3, stepsPerEpoch: 4 });
    for (let batch = 0; batch < 12; batch++) {
      const rows = Int32Array.from({ length: 30 }, (_, i) => (batch % 4) * 30 + i);
      b.net.step(takeRows(b.x, rows), takeRows(oneHotOf(b.y), rows));
      schedulerB.step();
    }
    expect(bitsOf(a.model)).toBe(bitsOf(b.model));
    expect((a.net.optimizer as SGD).momentum).toBe((b.net.optimizer as SGD).momentum);
  });

  test('ReduceLROnPlateau watches the validation loss, or the training loss without a validation set', () => {
    const a = setup(5, (m) => new SGD(m.params(), { lr: 0.1 }));
    const plateau = new ReduceLROnPlateau(a.net.optimizer, { patience: 0, factor: 0.5, threshold: 10, thresholdMode: 'abs' });
    // threshold 10 in 'abs' mode: no epoch improves enough, so after the first (which sets best) every epoch halves lr.
    const history = a.net.fit(a.x, a.y, { epochs: 4, batchSize: 30, scheduler: plateau, validation: { inputs: a.x, targets: a.y } });
    expect(a.net.optimizer.lr).toBe(0.1 * 0.5 ** 3);
    expect(history.validationLoss.length).toBe(4);
    const b = setup(5, (m) => new SGD(m.params(), { lr: 0.1 }));
    const watched: number[] = [];
    const spy = new ReduceLROnPlateau(b.net.optimizer, { patience: 100 });
    const step = spy.step.bind(spy);
    spy.step = (metric?: number) => { watched.push(metric as number); step(metric); };
    const trained = b.net.fit(b.x, b.y, { epochs: 2, batchSize: 30, scheduler: spy });
    expect(watched).toEqual(trained.loss);
  });

  test('refused before the first step, nothing changed: another optimizer, ReduceLROnPlateau per batch, a OneCycleLR too short, not a scheduler', () => {
    const a = setup(6, (m) => new SGD(m.params(), { lr: 0.1 }));
    const before = bitsOf(a.model);
    const other = new SGD([new Parameter(new Tensor([1, 1]), 'w')], { lr: 0.1 });
    expectMinidlError(() => a.net.fit(a.x, a.y, { scheduler: new StepLR(other, { stepSize: 1 }) }),
      /^NeuralNet\.fit: the scheduler sets the lr of another optimizer/);
    expectMinidlError(() => a.net.fit(a.x, a.y, { scheduler: new ReduceLROnPlateau(a.net.optimizer), schedulerInterval: 'batch' }),
      /^NeuralNet\.fit: ReduceLROnPlateau steps once per epoch/);
    expectMinidlError(() => a.net.fit(a.x, a.y, { epochs: 3, batchSize: 30, scheduler: new OneCycleLR(a.net.optimizer, { maxLr: 0.5, totalSteps: 10 }) }),
      /^NeuralNet\.fit: this run steps the OneCycleLR 12 times \(once per batch\) but it has 10 steps left of its totalSteps 10/);
    expectMinidlError(() => a.net.fit(a.x, a.y, { scheduler: {} as never }),
      /^NeuralNet\.fit: .*scheduler.* must be a learning-rate scheduler such as new StepLR\(net\.optimizer, \{ stepSize: 30 \}\), got an Object/);
    expectMinidlError(() => a.net.fit(a.x, a.y, { schedulerInterval: 'step' as never }), /schedulerInterval/);
    expect(bitsOf(a.model)).toBe(before);
  });
});

/** One-hot targets [N, 2] of class indices, as fit makes them for CrossEntropyLoss's step. */
function oneHotOf(labels: Int32Array): Tensor {
  return oneHot(labels, 2);
}

test("MultiStepLR takes milestones in any order, a repeated one decaying by γ² (PyTorch's Counter): [5, 2, 5] with γ = 0.5 as PyTorch 1.13", () => {
  const p = new Parameter(Tensor.zeros([1]), 'p');
  const optimizer = new SGD([p], { lr: 1 });
  const scheduler = new MultiStepLR(optimizer, { milestones: [5, 2, 5], gamma: 0.5 });
  const lrs: number[] = [];
  for (let i = 0; i < 7; i++) {
    optimizer.step();
    scheduler.step();
    lrs.push(optimizer.lr);
  }
  expect(lrs).toEqual([1, 0.5, 0.5, 0.5, 0.125, 0.125, 0.125]); // PyTorch 1.13: [1.0, 0.5, 0.5, 0.5, 0.125, 0.125, 0.125]
});
