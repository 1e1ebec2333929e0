import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  Adagrad, Adam, AdamW, AvgPool2d, BCELoss, BCEWithLogitsLoss, BatchNorm, BatchNorm1d, BatchNorm2d, Conv2d, CosineAnnealingLR,
  CrossEntropyLoss, ELU, Embedding, ExponentialLR, GELU, GRU, HuberLoss, KLDivLoss, L1Loss, LSTM, LRScheduler, LayerNorm,
  LeakyReLU, Linear, LinearLR, LogSoftmax, Loss, MAELoss, MSELoss, MaxPool2d, Module, MultiStepLR, MultiheadAttention, NLLLoss,
  OneCycleLR, Optimizer, Parameter, RMSprop, RNN, ReLU, ReduceLROnPlateau, SGD, Sigmoid, SmoothL1Loss, Softmax, StepLR, Tanh,
  Tensor, clipGradNorm, clipGradValue, scaledDotProductAttention, scaledDotProductAttentionBackward,
} from '../lib';
import type {
  BatchNormOptions, Conv2dOptions, CrossEntropyLossOptions, EmbeddingOptions, GeluApproximation, HuberLossOptions,
  KLDivLossOptions, LayerNormOptions, LinearOptions, MultiheadAttentionOptions, NLLLossOptions, RNNOptions, RecurrentOptions,
  ReductionOptions, ScaledDotProductAttentionOptions, SizePair, SmoothL1LossOptions,
} from '../lib';

/*
 * minidl against PyTorch 1.13 itself: every layer, loss, optimizer and scheduler on the float64
 * numbers PyTorch computed for the same inputs and parameters, stored in spec/fixtures/torch/*.json
 * by demos/reference/torch_fixtures.py (its header says how to run it again; each file records
 * the torch version it was made with). For a module: the output, and the gradients of
 * L = sum(output·R) with respect to the input, the initial states and every parameter; for a loss,
 * its value and ∂L/∂pred; for an optimizer, the parameters after every step; for a scheduler, the
 * rate (and momentum) after every step; for clipping, the total norm and the clipped gradients.
 *
 * A tensor matches when max |minidl − torch| ≤ 1e-12 · max |torch| over its entries (the relative
 * error of the whole tensor; an all-zero reference must be matched exactly).
 * Sums taken in another order differ in the last bits, so most results cannot be compared bit by
 * bit; what minidl computes with PyTorch's own operations in PyTorch's order is compared exactly:
 * the rates of the schedulers without a cosine, ReLU, LeakyReLU, max pooling, Embedding and
 * gradient clipping by value.
 *
 * Below that tolerance, on entries far smaller than the largest, minidl differs from PyTorch 1.13
 * in a few places, where it computes more accurately: BCELoss takes log(1 − p) as log1p(−p) (1.13: log(1 − p);
 * the loss of p = 1e-10 against 0 differs by 8e-8 of itself), BCEWithLogitsLoss takes log σ(x) with
 * log1p (1.13: log(e^(−m) + e^(−x−m)); the loss of the logit 20 against 1 differs by 3e-8), ELU
 * takes eˣ − 1 as expm1(x) (differs for |x| below about 1e-8), GELU takes Φ as ½·erfc(−x/√2)
 * (1.13: ½·(1 + erf(x/√2)), which cancels for x below about −5); and Tanh's backward rounds y²
 * before 1 − y², where PyTorch 1.13's CPU kernel gives 1 − y² rounded once (2e-9 of the gradient
 * at |x| = 10). The cases here stay where those differences are below 1e-12 of each tensor.
 */

const FIXTURES = path.join(__dirname, 'fixtures', 'torch');
const TOLERANCE = 1e-12;

/** A tensor as the fixtures write it: its shape and its values, row-major. */
interface FixtureTensor {
  shape: number[];
  values: number[];
}

/** One file of fixtures. */
interface FixtureFile<C> {
  /** The torch version that computed the numbers. */
  torch: string;
  dtype: string;
  madeBy: string;
  cases: C[];
}

function load<C>(group: string): FixtureFile<C> {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, `${group}.json`), 'utf8')) as FixtureFile<C>;
}

function tensor(t: FixtureTensor): Tensor {
  return Tensor.fromArray(t.values, t.shape);
}

/**
 * Checks that `actual` has the shape of `expected` and max |a − e| ≤ tolerance · max |e| (0: the
 * same numbers exactly); throws an error naming `what` and the worst entry otherwise.
 */
function expectClose(what: string, actual: Tensor, expected: FixtureTensor, tolerance = TOLERANCE): void {
  if (actual.shape.join(',') !== expected.shape.join(',')) {
    throw new Error(`${what}: shape [${actual.shape.join(',')}], PyTorch's is [${expected.shape.join(',')}]`);
  }
  const a = actual.data, e = expected.values;
  let scale = 0, worst = 0, at = -1;
  for (let i = 0; i < e.length; i++) scale = Math.max(scale, Math.abs(e[i]));
  for (let i = 0; i < e.length; i++) {
    const diff = Math.abs(a[i] - e[i]);
    if (!(diff <= worst)) {
      worst = diff;
      at = i;
    }
  }
  if (!(worst <= tolerance * scale)) {
    throw new Error(`${what}: entry ${at} is ${a[at]}, PyTorch's is ${e[at]} (|difference| ${worst}, ${worst / scale} of the largest |entry| ${scale}; allowed ${tolerance})`);
  }
}

/** |actual − expected| ≤ tolerance · |expected|, for one number. */
function expectCloseNumber(what: string, actual: number, expected: number, tolerance = TOLERANCE): void {
  const diff = Math.abs(actual - expected);
  if (!(diff <= tolerance * Math.abs(expected))) {
    throw new Error(`${what}: ${actual}, PyTorch's is ${expected} (relative difference ${diff / Math.abs(expected)}; allowed ${tolerance})`);
  }
}

/** The test table of a file: [case name, case]. */
function casesOf<C extends { name: string }>(file: FixtureFile<C>): [string, C][] {
  return file.cases.map((c) => [c.name, c]);
}

/** Sets each parameter of `module`, found by its `name`, to the fixture's values; the names must be the same. */
function setParams(module: Module, values: Record<string, FixtureTensor>): Map<string, Parameter> {
  const byName = new Map(module.params().map((p) => [p.name, p]));
  expect([...byName.keys()].sort()).toEqual(Object.keys(values).sort());
  for (const [name, t] of Object.entries(values)) {
    const p = byName.get(name) as Parameter;
    expect(p.shape).toEqual(t.shape);
    p.value.data.set(t.values);
  }
  return byName;
}

/** Compares the gradient of every parameter with PyTorch's. */
function expectParamGrads(byName: Map<string, Parameter>, grads: Record<string, FixtureTensor>, tolerance = TOLERANCE): void {
  for (const [name, t] of Object.entries(grads)) expectClose(`∂L/∂${name}`, (byName.get(name) as Parameter).grad, t, tolerance);
}

describe('the fixtures', () => {
  test.each(['layers', 'recurrent', 'attention', 'losses', 'optimizers', 'schedulers', 'clip-grad'])('%s.json was made by PyTorch 1.13 in float64', (group) => {
    const file = load<{ name: string }>(group);
    expect(file.torch).toMatch(/^1\.13\./);
    expect(file.dtype).toBe('float64');
    expect(file.madeBy).toBe('demos/reference/torch_fixtures.py');
    expect(file.cases.length).toBeGreaterThan(0);
  });
});

// ------------------------------------------------------------------------------------------------
// Layers
// ------------------------------------------------------------------------------------------------

interface ModuleCase {
  name: string;
  kind: string;
  args: unknown[];
  options: Record<string, unknown> | null;
  params: Record<string, FixtureTensor>;
  input: FixtureTensor;
  R: FixtureTensor;
  output: FixtureTensor;
  gradInput?: FixtureTensor;
  gradParams: Record<string, FixtureTensor>;
}

interface BatchNormStep {
  training: boolean;
  input: FixtureTensor;
  R: FixtureTensor;
  output: FixtureTensor;
  gradInput: FixtureTensor;
  gradParams: Record<string, FixtureTensor>;
  runningMean: FixtureTensor;
  runningVar: FixtureTensor;
  numBatchesTracked: number;
}

interface BatchNormCase {
  name: string;
  kind: 'BatchNorm1d' | 'BatchNorm2d';
  args: [number];
  options: BatchNormOptions;
  params: Record<string, FixtureTensor>;
  steps: BatchNormStep[];
}

/** The minidl module of each kind, from the case's positional arguments and options. */
const MODULES: Record<string, (args: unknown[], options: Record<string, unknown> | null) => Module> = {
  Linear: (a, o) => new Linear(a[0] as number, a[1] as number, o as LinearOptions),
  Conv2d: (a, o) => new Conv2d(a[0] as number, a[1] as number, a[2] as SizePair, o as Conv2dOptions),
  MaxPool2d: (a) => new MaxPool2d(a[0] as SizePair, a[1] as SizePair, a[2] as SizePair),
  AvgPool2d: (a) => new AvgPool2d(a[0] as SizePair, a[1] as SizePair, a[2] as SizePair),
  BatchNorm1d: (a, o) => new BatchNorm1d(a[0] as number, o as BatchNormOptions),
  BatchNorm2d: (a, o) => new BatchNorm2d(a[0] as number, o as BatchNormOptions),
  LayerNorm: (a, o) => new LayerNorm(a[0] as number | number[], o as LayerNormOptions),
  Embedding: (a, o) => new Embedding(a[0] as number, a[1] as number, o as EmbeddingOptions),
  ReLU: () => new ReLU(),
  LeakyReLU: (a) => (a.length === 0 ? new LeakyReLU() : new LeakyReLU(a[0] as number)),
  Tanh: () => new Tanh(),
  Sigmoid: () => new Sigmoid(),
  ELU: (a) => (a.length === 0 ? new ELU() : new ELU(a[0] as number)),
  GELU: (a) => (a.length === 0 ? new GELU() : new GELU(a[0] as GeluApproximation)),
  Softmax: (a) => new Softmax(a[0] as number),
  LogSoftmax: (a) => new LogSoftmax(a[0] as number),
};

/** The modules whose forward and backward are PyTorch's operations exactly (a comparison, a copy, a product by a constant). */
const EXACT_MODULES = new Set(['ReLU', 'LeakyReLU', 'MaxPool2d', 'Embedding']);

describe('layers against PyTorch 1.13', () => {
  const file = load<ModuleCase | BatchNormCase>('layers');

  test.each(casesOf(file).filter(([, c]) => !c.kind.startsWith('BatchNorm')) as [string, ModuleCase][])('%s', (_, c) => {
    const module = MODULES[c.kind](c.args, c.options);
    const byName = setParams(module, c.params);
    const tolerance = EXACT_MODULES.has(c.kind) ? 0 : TOLERANCE;
    const input = tensor(c.input);
    expectClose('output', module.forward(input), c.output, tolerance);
    const gradInput = module.backward(tensor(c.R));
    if (c.gradInput !== undefined) {
      expectClose('∂L/∂input', gradInput, c.gradInput, tolerance);
    } else {
      expect(Array.from(gradInput.data)).toEqual(new Array(input.size).fill(0)); // indices: no gradient
    }
    expectParamGrads(byName, c.gradParams, tolerance);
  });

  test.each(casesOf(file).filter(([, c]) => c.kind.startsWith('BatchNorm')) as [string, BatchNormCase][])('%s', (_, c) => {
    const bn = MODULES[c.kind](c.args, c.options as Record<string, unknown>) as BatchNorm;
    const byName = setParams(bn, c.params);
    c.steps.forEach((step, i) => {
      const at = `step ${i + 1} (${step.training ? 'training' : 'evaluation'})`;
      bn.train(step.training);
      bn.zeroGrad();
      expectClose(`${at}: output`, bn.forward(tensor(step.input)), step.output);
      expectClose(`${at}: ∂L/∂input`, bn.backward(tensor(step.R)), step.gradInput);
      for (const [name, t] of Object.entries(step.gradParams)) expectClose(`${at}: ∂L/∂${name}`, (byName.get(name) as Parameter).grad, t);
      expectClose(`${at}: runningMean`, bn.runningMean, step.runningMean);
      expectClose(`${at}: runningVar`, bn.runningVar, step.runningVar);
      expect(bn.numBatchesTracked.data[0]).toBe(step.numBatchesTracked);
    });
  });
});

// ------------------------------------------------------------------------------------------------
// Recurrent layers
// ------------------------------------------------------------------------------------------------

interface RecurrentCase {
  name: string;
  kind: 'RNN' | 'LSTM' | 'GRU';
  args: [number, number];
  options: RNNOptions;
  params: Record<string, FixtureTensor>;
  input: FixtureTensor;
  R: FixtureTensor;
  output: FixtureTensor;
  gradInput: FixtureTensor;
  gradParams: Record<string, FixtureTensor>;
  /** The final states [numLayers, N, H] (cN for an LSTM). */
  hN: FixtureTensor;
  cN?: FixtureTensor;
  /** Present when the case gives a state and takes ∂L/∂hN (and ∂L/∂cN) into the loss. */
  h0?: FixtureTensor;
  c0?: FixtureTensor;
  RH?: FixtureTensor;
  RC?: FixtureTensor;
  gradH0?: FixtureTensor;
  gradC0?: FixtureTensor;
}

/** From a zero state through the plain Module contract, forward and backward; then the final states, from forwardWithState. */
function checkFromZeroState(layer: RNN | LSTM | GRU, c: RecurrentCase): void {
  const input = tensor(c.input);
  expectClose('output', layer.forward(input), c.output);
  expectClose('∂L/∂input', layer.backward(tensor(c.R)), c.gradInput);
  expectClose('hN', layer.forwardWithState(input).hN, c.hN);
  if (layer instanceof LSTM) expectClose('cN', layer.forwardWithState(input).cN, c.cN as FixtureTensor);
}

/** From the case's state, with ∂L/∂hN (and ∂L/∂cN) in the loss: forwardWithState and backwardWithState. */
function checkWithState(layer: RNN | LSTM | GRU, c: RecurrentCase): void {
  const input = tensor(c.input);
  const h0 = tensor(c.h0 as FixtureTensor), hN = tensor(c.RH as FixtureTensor);
  if (layer instanceof LSTM) {
    const result = layer.forwardWithState(input, c.c0 === undefined ? { h0 } : { h0, c0: tensor(c.c0) });
    expectClose('cN', result.cN, c.cN as FixtureTensor);
    expectClose('output', result.output, c.output);
    expectClose('hN', result.hN, c.hN);
    const grads = layer.backwardWithState(tensor(c.R), { hN, cN: tensor(c.RC as FixtureTensor) });
    expectClose('∂L/∂input', grads.gradInput, c.gradInput);
    expectClose('∂L/∂h0', grads.gradH0, c.gradH0 as FixtureTensor);
    if (c.gradC0 !== undefined) expectClose('∂L/∂c0', grads.gradC0, c.gradC0);
  } else {
    const result = layer.forwardWithState(input, { h0 });
    expectClose('output', result.output, c.output);
    expectClose('hN', result.hN, c.hN);
    const grads = layer.backwardWithState(tensor(c.R), { hN });
    expectClose('∂L/∂input', grads.gradInput, c.gradInput);
    expectClose('∂L/∂h0', grads.gradH0, c.gradH0 as FixtureTensor);
  }
}

describe('recurrent layers against PyTorch 1.13', () => {
  test.each(casesOf(load<RecurrentCase>('recurrent')))('%s', (_, c) => {
    const [inputSize, hiddenSize] = c.args;
    const layer = c.kind === 'RNN' ? new RNN(inputSize, hiddenSize, c.options)
      : c.kind === 'LSTM' ? new LSTM(inputSize, hiddenSize, c.options as RecurrentOptions)
        : new GRU(inputSize, hiddenSize, c.options as RecurrentOptions);
    const byName = setParams(layer, c.params);
    if (c.h0 === undefined) checkFromZeroState(layer, c);
    else checkWithState(layer, c);
    expectParamGrads(byName, c.gradParams); // the last backward's (forwardWithState leaves the gradients alone)
  });
});

// ------------------------------------------------------------------------------------------------
// Attention
// ------------------------------------------------------------------------------------------------

interface MultiheadAttentionCase {
  name: string;
  kind: 'MultiheadAttention';
  args: [number, number];
  options: MultiheadAttentionOptions;
  params: Record<string, FixtureTensor>;
  input: FixtureTensor;
  R: FixtureTensor;
  output: FixtureTensor;
  /** The weights averaged over the heads [N, T, T] (need_weights=True, average_attn_weights=True). */
  attentionWeights: FixtureTensor;
  gradInput: FixtureTensor;
  gradParams: Record<string, FixtureTensor>;
}

interface AttentionFunctionCase {
  name: string;
  kind: 'scaledDotProductAttention';
  options: ScaledDotProductAttentionOptions;
  q: FixtureTensor;
  k: FixtureTensor;
  v: FixtureTensor;
  R: FixtureTensor;
  output: FixtureTensor;
  weights: FixtureTensor;
  gradQ: FixtureTensor;
  gradK: FixtureTensor;
  gradV: FixtureTensor;
}

describe('attention against PyTorch 1.13', () => {
  const cases = casesOf(load<MultiheadAttentionCase | AttentionFunctionCase>('attention'));

  test.each(cases.filter(([, c]) => c.kind === 'MultiheadAttention') as [string, MultiheadAttentionCase][])('%s', (_, c) => {
    const attention = new MultiheadAttention(c.args[0], c.args[1], c.options);
    const byName = setParams(attention, c.params);
    expectClose('output', attention.forward(tensor(c.input)), c.output);
    expectClose('averaged attention weights', attention.lastAttentionWeights as Tensor, c.attentionWeights);
    expectClose('∂L/∂input', attention.backward(tensor(c.R)), c.gradInput);
    expectParamGrads(byName, c.gradParams);
  });

  test.each(cases.filter(([, c]) => c.kind === 'scaledDotProductAttention') as [string, AttentionFunctionCase][])('%s', (_, c) => {
    const result = scaledDotProductAttention(tensor(c.q), tensor(c.k), tensor(c.v), c.options);
    expectClose('output', result.output, c.output);
    expectClose('weights', result.weights, c.weights);
    const { gradQ, gradK, gradV } = scaledDotProductAttentionBackward(tensor(c.R), result);
    expectClose('∂L/∂q', gradQ, c.gradQ);
    expectClose('∂L/∂k', gradK, c.gradK);
    expectClose('∂L/∂v', gradV, c.gradV);
  });
});

// ------------------------------------------------------------------------------------------------
// Losses
// ------------------------------------------------------------------------------------------------

interface LossCase {
  name: string;
  kind: string;
  options: Record<string, unknown>;
  pred: FixtureTensor;
  target: FixtureTensor;
  loss: number;
  gradPred: FixtureTensor;
  /** pred [N, T, C] and targets [N, T] given to minidl as rows [N·T, C] and [N·T]. */
  asRows?: boolean;
}

const LOSSES: Record<string, (options: Record<string, unknown>) => Loss> = {
  MSELoss: (o) => new MSELoss(o as ReductionOptions),
  L1Loss: (o) => new L1Loss(o as ReductionOptions),
  MAELoss: (o) => new MAELoss(o as ReductionOptions),
  BCELoss: (o) => new BCELoss(o as ReductionOptions),
  BCEWithLogitsLoss: (o) => new BCEWithLogitsLoss(o as ReductionOptions),
  CrossEntropyLoss: (o) => new CrossEntropyLoss(o as CrossEntropyLossOptions),
  NLLLoss: (o) => new NLLLoss(o as NLLLossOptions),
  HuberLoss: (o) => new HuberLoss(o as HuberLossOptions),
  SmoothL1Loss: (o) => new SmoothL1Loss(o as SmoothL1LossOptions),
  KLDivLoss: (o) => new KLDivLoss(o as KLDivLossOptions),
};

describe('losses against PyTorch 1.13', () => {
  test.each(casesOf(load<LossCase>('losses')))('%s', (_, c) => {
    const loss = LOSSES[c.kind](c.options);
    let pred = tensor(c.pred), target = tensor(c.target);
    if (c.asRows === true) {
      const classes = pred.shape[pred.rank - 1];
      pred = pred.reshape([pred.size / classes, classes]);
      target = target.reshape([target.size]);
    }
    expectCloseNumber('loss', loss.forward(pred, target), c.loss);
    expectClose('∂L/∂pred', loss.backward().reshape(c.pred.shape), c.gradPred);
  });
});

// ------------------------------------------------------------------------------------------------
// Optimizers
// ------------------------------------------------------------------------------------------------

interface OptimizerCase {
  name: string;
  kind: string;
  options: Record<string, unknown>;
  start: FixtureTensor[];
  grads: FixtureTensor[][];
  /** after[t][k]: parameter k after step t + 1. */
  after: FixtureTensor[][];
}

const OPTIMIZERS: Record<string, (params: Parameter[], options: Record<string, unknown>) => Optimizer> = {
  SGD: (p, o) => new SGD(p, o),
  Adam: (p, o) => new Adam(p, o),
  AdamW: (p, o) => new AdamW(p, o),
  RMSprop: (p, o) => new RMSprop(p, o),
  Adagrad: (p, o) => new Adagrad(p, o),
};

describe('optimizers against PyTorch 1.13, step by step', () => {
  test.each(casesOf(load<OptimizerCase>('optimizers')))('%s', (_, c) => {
    const params = c.start.map((t, k) => new Parameter(tensor(t), `p${k}`));
    const optimizer = OPTIMIZERS[c.kind](params, c.options);
    c.grads.forEach((grads, t) => {
      params.forEach((p, k) => p.grad.data.set(grads[k].values));
      optimizer.step();
      params.forEach((p, k) => expectClose(`step ${t + 1}, parameter ${k}`, p.value, c.after[t][k]));
    });
  });
});

// ------------------------------------------------------------------------------------------------
// Schedulers
// ------------------------------------------------------------------------------------------------

interface SchedulerCase {
  name: string;
  kind: string;
  options: Record<string, unknown>;
  optimizer: 'SGD' | 'Adam';
  optimizerOptions: Record<string, unknown>;
  steps: number;
  /** The rate after the constructor, then after each step. */
  lrs: number[];
  /** OneCycleLR: SGD's momentum or Adam's β₁ after the constructor, then after each step. */
  momenta?: number[];
  /** ReduceLROnPlateau: the metric of each step, and its counters after each step. */
  metrics?: number[];
  plateau?: { best: number; numBadEpochs: number; cooldownCounter: number }[];
}

const SCHEDULERS: Record<string, (optimizer: Optimizer, options: Record<string, unknown>) => LRScheduler> = {
  StepLR: (o, x) => new StepLR(o, x as never),
  MultiStepLR: (o, x) => new MultiStepLR(o, x as never),
  ExponentialLR: (o, x) => new ExponentialLR(o, x as never),
  CosineAnnealingLR: (o, x) => new CosineAnnealingLR(o, x as never),
  LinearLR: (o, x) => new LinearLR(o, x),
  OneCycleLR: (o, x) => new OneCycleLR(o, x as never),
  ReduceLROnPlateau: (o, x) => new ReduceLROnPlateau(o, x),
};

/** The schedules with a cosine: JavaScript's Math.cos and C's cos may differ in the last bit (see CosineAnnealingLR). */
function schedulerTolerance(c: SchedulerCase): number {
  const cosine = c.kind === 'CosineAnnealingLR' || (c.kind === 'OneCycleLR' && c.options.annealStrategy !== 'linear');
  return cosine ? TOLERANCE : 0;
}

describe('schedulers against PyTorch 1.13, step by step', () => {
  test.each(casesOf(load<SchedulerCase>('schedulers')))('%s', (_, c) => {
    const param = new Parameter(Tensor.zeros([2]), 'p');
    const optimizer = c.optimizer === 'SGD' ? new SGD([param], c.optimizerOptions) : new Adam([param], c.optimizerOptions);
    const momentum = (): number => (optimizer instanceof Adam ? optimizer.beta1 : (optimizer as SGD).momentum);
    const scheduler = SCHEDULERS[c.kind](optimizer, c.options);
    const tolerance = schedulerTolerance(c);
    const check = (t: number): void => {
      const at = t === 0 ? 'after the constructor' : `after step ${t}`;
      expectCloseNumber(`lr ${at}`, optimizer.lr, c.lrs[t], tolerance);
      if (c.momenta !== undefined) expectCloseNumber(`momentum ${at}`, momentum(), c.momenta[t], tolerance);
    };
    check(0);
    for (let t = 1; t <= c.steps; t++) {
      if (scheduler instanceof ReduceLROnPlateau) {
        scheduler.step((c.metrics as number[])[t - 1]);
        const counters = (c.plateau as NonNullable<SchedulerCase['plateau']>)[t - 1];
        expect({ best: scheduler.best, numBadEpochs: scheduler.numBadEpochs, cooldownCounter: scheduler.cooldownCounter }).toEqual(counters);
      } else {
        scheduler.step();
      }
      check(t);
    }
  });
});

// ------------------------------------------------------------------------------------------------
// Gradient clipping
// ------------------------------------------------------------------------------------------------

interface ClipCase {
  name: string;
  kind: 'clipGradNorm' | 'clipGradValue';
  limit: number;
  normType?: number | 'Infinity';
  grads: FixtureTensor[];
  after: FixtureTensor[];
  totalNorm?: number;
}

describe('gradient clipping against PyTorch 1.13', () => {
  test.each(casesOf(load<ClipCase>('clip-grad')))('%s', (_, c) => {
    const params = c.grads.map((g, k) => {
      const p = new Parameter(Tensor.zeros(g.shape), `p${k}`);
      p.grad.data.set(g.values);
      return p;
    });
    if (c.kind === 'clipGradNorm') {
      const normType = c.normType === 'Infinity' ? Infinity : (c.normType as number);
      const total = clipGradNorm(params, c.limit, { normType });
      expectCloseNumber('total norm', total, c.totalNorm as number, normType === Infinity ? 0 : TOLERANCE);
      params.forEach((p, k) => expectClose(`gradient ${k}`, p.grad, c.after[k]));
    } else {
      clipGradValue(params, c.limit);
      params.forEach((p, k) => expectClose(`gradient ${k}`, p.grad, c.after[k], 0));
    }
  });
});
