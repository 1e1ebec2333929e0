import { Linear } from '../../../lib/modules/linear';
import { Parameter } from '../../../lib/modules/parameter';
import { Adagrad } from '../../../lib/optim/adagrad';
import { Adam } from '../../../lib/optim/adam';
import { AdamW } from '../../../lib/optim/adamw';
import { Optimizer } from '../../../lib/optim/optimizer';
import { RMSprop } from '../../../lib/optim/rmsprop';
import { SGD } from '../../../lib/optim/sgd';
import { Rng } from '../../../lib/random/rng';
import { Tensor } from '../../../lib/tensor/tensor';
import { ContractRow, ContractTable, row } from '../harness';

/*
 * SGD, Adam, AdamW, RMSprop and Adagrad: their constructors' parameters and options, and
 * `step()` after a hyper-parameter was changed to something invalid (it refuses before moving
 * any weight).
 */

/** A layer whose gradients are set, so that a step would move it. */
function layer(): Linear {
  const model = new Linear(3, 2, { rng: new Rng(3) });
  for (const p of model.params()) p.grad.data.fill(0.5);
  return model;
}

type Make = (params: Parameter[], options: unknown) => Optimizer;
const makers: [string, Make][] = [
  ['SGD', (params, options) => new SGD(params, options as never)],
  ['Adam', (params, options) => new Adam(params, options as never)],
  ['AdamW', (params, options) => new AdamW(params, options as never)],
  ['RMSprop', (params, options) => new RMSprop(params, options as never)],
  ['Adagrad', (params, options) => new Adagrad(params, options as never)],
];

/** Rows that apply to every optimizer: `${name}` stands for the optimizer's name in the messages. */
const shared: [string, (params: Parameter[]) => unknown[], unknown, (name: string) => RegExp][] = [
  ['a positional learning rate', (p) => p, 0.1, (n) => new RegExp(`^${n}: expected an options object such as \\{ lr: 0\\.1 \\}, got number 0\\.1 \\(options are passed by name\\)`)],
  ['a string for options', (p) => p, 'fast', (n) => new RegExp(`^${n}: expected an options object`)],
  ['null for options', (p) => p, null, (n) => new RegExp(`^${n}: expected an options object .*got null`)],
  ['options as an array', (p) => p, [0.1], (n) => new RegExp(`^${n}: expected an options object .*got an array \\[0\\.1\\]`)],
  ['weight_decay', (p) => p, { weight_decay: 0.5 }, (n) => new RegExp(`^${n}: unknown option 'weight_decay' \\(did you mean 'weightDecay'\\?\\)`)],
  ['learning_rate', (p) => p, { learning_rate: 0.5 }, (n) => new RegExp(`^${n}: unknown option 'learning_rate'; known options: lr`)],
  ['LR in capitals', (p) => p, { LR: 0.5 }, (n) => new RegExp(`^${n}: unknown option 'LR' \\(did you mean 'lr'\\?\\)`)],
  ['lr null', (p) => p, { lr: null }, (n) => new RegExp(`^${n}: option 'lr' is null; give a number, or leave it out for the default`)],
  ['lr a string', (p) => p, { lr: '0.1' }, (n) => new RegExp(`^${n}: option 'lr' must be a number, got string '0\\.1'`)],
  ['lr -0.1', (p) => p, { lr: -0.1 }, (n) => new RegExp(`^${n}: lr must be a finite number ≥ 0, got -0\\.1`)],
  ['lr NaN', (p) => p, { lr: NaN }, (n) => new RegExp(`^${n}: lr must be a finite number ≥ 0, got NaN`)],
  ['lr Infinity', (p) => p, { lr: Infinity }, (n) => new RegExp(`^${n}: lr must be a finite number ≥ 0, got Infinity`)],
  ['weightDecay -1', (p) => p, { weightDecay: -1 }, (n) => new RegExp(`^${n}: weightDecay must be a finite number ≥ 0, got -1`)],
  ['weightDecay true', (p) => p, { weightDecay: true }, (n) => new RegExp(`^${n}: option 'weightDecay' must be a number, got boolean true`)],
  ['params not an array', () => [], 'not-array', (n) => new RegExp(`^${n}: params must be an array of Parameters`)],
  ['an empty parameter list', () => [], {}, (n) => new RegExp(`^${n}: got an empty parameter list`)],
  ['a parameter twice', (p) => [p[0], p[0]], {}, (n) => new RegExp(`^${n}: params\\[1\\] \\(Parameter weight \\[3,2\\]\\) appears twice`)],
  ['a tensor in the list', (p) => [p[0], Tensor.zeros([2])], {}, (n) => new RegExp(`^${n}: params\\[1\\] is not a Parameter, got a Tensor`)],
];

const rows: ContractRow[] = [];
for (const [name, make] of makers) {
  for (const [what, params, options, message] of shared) {
    rows.push(row(`new ${name}: ${what}`, () => {
      const model = layer();
      const list = options === 'not-array' ? model.params()[0] : params(model.params());
      return { act: () => make(list as Parameter[], options === 'not-array' ? {} : options), keeps: { modules: [model] } };
    }, message(name)));
  }
}

const sgdOnly: [string, unknown, RegExp][] = [
  ['momentum -0.5', { momentum: -0.5 }, /^SGD: momentum must be a finite number ≥ 0, got -0\.5/],
  ['momentum a string', { momentum: 'high' }, /^SGD: option 'momentum' must be a number, got string 'high'/],
  ['dampening NaN', { dampening: NaN }, /^SGD: dampening must be a finite number ≥ 0, got NaN/],
  ['nesterov "yes"', { nesterov: 'yes' }, /^SGD: option 'nesterov' must be true or false, got string 'yes'/],
  ['nesterov without momentum', { nesterov: true }, /^SGD: Nesterov momentum requires momentum > 0 and dampening = 0, got momentum 0 and dampening 0/],
  ['nesterov with dampening', { nesterov: true, momentum: 0.9, dampening: 0.1 }, /^SGD: Nesterov momentum requires momentum > 0 and dampening = 0/],
  ['an Adam option', { betas: [0.9, 0.99] }, /^SGD: unknown option 'betas'; known options: lr, momentum, dampening, nesterov, weightDecay/],
];
for (const [what, options, message] of sgdOnly) {
  rows.push(row(`new SGD: ${what}`, () => {
    const model = layer();
    return { act: () => new SGD(model.params(), options as never), keeps: { modules: [model] } };
  }, message));
}

const adamOnly: [string, unknown, RegExp][] = [
  ['betas a number', { betas: 0.9 }, /^Adam: option 'betas' must be a pair \[β₁, β₂\] of numbers, got number 0\.9/],
  ['betas of three', { betas: [0.9, 0.99, 0.5] }, /^Adam: option 'betas' must be a pair .*got an array \[0\.9,0\.99,0\.5\]/],
  ['betas with a string', { betas: [0.9, '0.99'] }, /^Adam: option 'betas' must be a pair/],
  ['β₁ = 1', { betas: [1, 0.999] }, /^Adam: betas\[0\] must be in \[0, 1\), got 1/],
  ['β₂ = -0.1', { betas: [0.9, -0.1] }, /^Adam: betas\[1\] must be in \[0, 1\), got -0\.1/],
  ['eps -1e-8', { eps: -1e-8 }, /^Adam: eps must be a finite number ≥ 0, got -1e-8/],
  ['eps null', { eps: null }, /^Adam: option 'eps' is null/],
  ['amsgrad "yes"', { amsgrad: 'yes' }, /^Adam: option 'amsgrad' must be true or false, got string 'yes'/],
  ['amsgrad null', { amsgrad: null }, /^Adam: option 'amsgrad' is null; give true or false, or leave it out for the default/],
  ['decoupled (not an option)', { decoupled: true }, /^Adam: unknown option 'decoupled'; known options: lr, betas, eps, weightDecay, amsgrad/],
  ['momentum (an SGD option)', { momentum: 0.9 }, /^Adam: unknown option 'momentum'/],
];
for (const [what, options, message] of adamOnly) {
  rows.push(row(`new Adam: ${what}`, () => {
    const model = layer();
    return { act: () => new Adam(model.params(), options as never), keeps: { modules: [model] } };
  }, message));
}

/** Rows of one optimizer's own options: `new Name(params, options)` must throw `message`. */
function only(name: string, make: Make, list: [string, unknown, RegExp][]): void {
  for (const [what, options, message] of list) {
    rows.push(row(`new ${name}: ${what}`, () => {
      const model = layer();
      return { act: () => make(model.params(), options), keeps: { modules: [model] } };
    }, message));
  }
}

only('AdamW', (p, o) => new AdamW(p, o as never), [
  ['betas a number', { betas: 0.9 }, /^AdamW: option 'betas' must be a pair \[β₁, β₂\] of numbers, got number 0\.9/],
  ['β₁ = 1', { betas: [1, 0.999] }, /^AdamW: betas\[0\] must be in \[0, 1\), got 1/],
  ['β₂ = NaN', { betas: [0.9, NaN] }, /^AdamW: betas\[1\] must be in \[0, 1\), got NaN/],
  ['eps -1e-8', { eps: -1e-8 }, /^AdamW: eps must be a finite number ≥ 0, got -1e-8/],
  ['amsgrad "yes"', { amsgrad: 'yes' }, /^AdamW: option 'amsgrad' must be true or false, got string 'yes'/],
  ['momentum (an SGD option)', { momentum: 0.9 }, /^AdamW: unknown option 'momentum'; known options: lr, betas, eps, weightDecay, amsgrad/],
]);
only('RMSprop', (p, o) => new RMSprop(p, o as never), [
  ['alpha -0.1', { alpha: -0.1 }, /^RMSprop: alpha must be in \[0, 1\], got -0\.1/],
  ['alpha 1.5', { alpha: 1.5 }, /^RMSprop: alpha must be in \[0, 1\], got 1\.5/],
  ['alpha NaN', { alpha: NaN }, /^RMSprop: alpha must be in \[0, 1\], got NaN/],
  ['eps -1', { eps: -1 }, /^RMSprop: eps must be a finite number ≥ 0, got -1/],
  ['momentum -0.5', { momentum: -0.5 }, /^RMSprop: momentum must be a finite number ≥ 0, got -0\.5/],
  ['centered "yes"', { centered: 'yes' }, /^RMSprop: option 'centered' must be true or false, got string 'yes'/],
  ['an Adam option', { betas: [0.9, 0.99] }, /^RMSprop: unknown option 'betas'; known options: lr, alpha, eps, weightDecay, momentum, centered/],
]);
only('Adagrad', (p, o) => new Adagrad(p, o as never), [
  ['lrDecay -0.1', { lrDecay: -0.1 }, /^Adagrad: lrDecay must be a finite number ≥ 0, got -0\.1/],
  ['lr_decay', { lr_decay: 0.1 }, /^Adagrad: unknown option 'lr_decay' \(did you mean 'lrDecay'\?\)/],
  ['initialAccumulatorValue -1', { initialAccumulatorValue: -1 }, /^Adagrad: initialAccumulatorValue must be a finite number ≥ 0, got -1/],
  ['initial_accumulator_value', { initial_accumulator_value: 0.1 }, /^Adagrad: unknown option 'initial_accumulator_value' \(did you mean 'initialAccumulatorValue'\?\)/],
  ['eps NaN', { eps: NaN }, /^Adagrad: eps must be a finite number ≥ 0, got NaN/],
  ['eps a string', { eps: '1e-10' }, /^Adagrad: option 'eps' must be a number, got string '1e-10'/],
  ['momentum (an SGD option)', { momentum: 0.9 }, /^Adagrad: unknown option 'momentum'; known options: lr, lrDecay, weightDecay, initialAccumulatorValue, eps/],
]);

// step() refuses a hyper-parameter changed since the constructor, before it moves anything
const changes: [string, (o: Optimizer) => void, RegExp][] = [
  ['lr = NaN', (o) => { o.lr = NaN; }, /\.step: lr must be a finite number ≥ 0, got NaN/],
  ['lr = -1', (o) => { o.lr = -1; }, /\.step: lr must be a finite number ≥ 0, got -1/],
  ['lr = Infinity', (o) => { o.lr = Infinity; }, /\.step: lr must be a finite number ≥ 0, got Infinity/],
  ['lr = "0.1"', (o) => { o.lr = '0.1' as never; }, /\.step: lr must be a finite number ≥ 0, got string '0\.1'/],
  ['weightDecay = NaN', (o) => { (o as unknown as { weightDecay: number }).weightDecay = NaN; }, /\.step: weightDecay must be a finite number ≥ 0, got NaN/],
];
for (const [name, make] of makers) {
  for (const [what, change, message] of changes) {
    rows.push(row(`${name}.step after ${what}`, () => {
      const model = layer();
      const optimizer = make(model.params(), { lr: 0.1 });
      optimizer.step(); // some state to keep
      change(optimizer);
      return { act: () => optimizer.step(), keeps: { modules: [model], optimizers: [optimizer] } };
    }, new RegExp(`^${name}${message.source}`)));
  }
}
rows.push(row('SGD.step after momentum = -1', () => {
  const model = layer();
  const optimizer = new SGD(model.params(), { lr: 0.1, momentum: 0.9 });
  optimizer.step();
  (optimizer as unknown as { momentum: number }).momentum = -1;
  return { act: () => optimizer.step(), keeps: { modules: [model], optimizers: [optimizer] } };
}, /^SGD\.step: momentum must be a finite number ≥ 0, got -1/));
rows.push(row('Adam.step after β₂ = 1', () => {
  const model = layer();
  const optimizer = new Adam(model.params(), { lr: 0.1 });
  optimizer.step();
  (optimizer as unknown as { beta2: number }).beta2 = 1;
  return { act: () => optimizer.step(), keeps: { modules: [model], optimizers: [optimizer] } };
}, /^Adam\.step: betas\[1\] must be in \[0, 1\), got 1/));

/** step() after one of an optimizer's own hyper-parameters was changed (`field = value`). */
const stepAfter: [string, (params: Parameter[]) => Optimizer, string, unknown, RegExp][] = [
  ['Adam', (p) => new Adam(p, { lr: 0.1, amsgrad: true }), 'amsgrad', 'yes', /^Adam\.step: amsgrad must be true or false, got yes/],
  ['AdamW', (p) => new AdamW(p, { lr: 0.1, amsgrad: true }), 'amsgrad', 1, /^AdamW\.step: amsgrad must be true or false, got 1/],
  ['AdamW', (p) => new AdamW(p, { lr: 0.1 }), 'beta1', -0.5, /^AdamW\.step: betas\[0\] must be in \[0, 1\), got -0\.5/],
  ['RMSprop', (p) => new RMSprop(p, { momentum: 0.9, centered: true }), 'alpha', 2, /^RMSprop\.step: alpha must be in \[0, 1\], got 2/],
  ['RMSprop', (p) => new RMSprop(p, { centered: true }), 'centered', 'yes', /^RMSprop\.step: centered must be true or false, got yes/],
  ['RMSprop', (p) => new RMSprop(p, { momentum: 0.9 }), 'momentum', NaN, /^RMSprop\.step: momentum must be a finite number ≥ 0, got NaN/],
  ['Adagrad', (p) => new Adagrad(p, { lrDecay: 0.1 }), 'lrDecay', -1, /^Adagrad\.step: lrDecay must be a finite number ≥ 0, got -1/],
  ['Adagrad', (p) => new Adagrad(p), 'eps', Infinity, /^Adagrad\.step: eps must be a finite number ≥ 0, got Infinity/],
];
for (const [name, make, field, value, message] of stepAfter) {
  rows.push(row(`${name}.step after ${field} = ${String(value)}`, () => {
    const model = layer();
    const optimizer = make(model.params());
    optimizer.step();
    (optimizer as unknown as Record<string, unknown>)[field] = value;
    return { act: () => optimizer.step(), keeps: { modules: [model], optimizers: [optimizer] } };
  }, message));
}

/** The optimizers' rows. */
export const table: ContractTable = { title: 'optimizers', rows };
