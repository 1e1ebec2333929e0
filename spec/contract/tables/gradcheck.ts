import { CrossEntropyLoss } from '../../../lib/losses/cross-entropy';
import { MSELoss } from '../../../lib/losses/mse';
import { Tanh } from '../../../lib/modules/activations/tanh';
import { Sequential } from '../../../lib/modules/containers/sequential';
import { Linear } from '../../../lib/modules/linear';
import { Module } from '../../../lib/modules/module';
import { BatchNorm1d } from '../../../lib/modules/normalization/batch-norm1d';
import { Parameter } from '../../../lib/modules/parameter';
import { Dropout } from '../../../lib/modules/regularization/dropout';
import { Rng } from '../../../lib/random/rng';
import { withTemporaryTensors } from '../../../lib/tensor/temporaries';
import { Tensor } from '../../../lib/tensor/tensor';
import { gradcheck } from '../../../lib/tools/gradcheck';
import { ContractRow, ContractTable, Keeps, row } from '../harness';

/*
 * gradcheck: its arguments (what is checked, the input, a loss's target, the options and their
 * ranges) and every way the module under check can fail midway (in the first forward, in the
 * second backward, during the differences of the input or of a parameter, a forward that gives
 * two results for the same point). Whatever the failure, parameters, gradients (stale ones
 * included), buffers, training modes and generators — the module's own and the global one — are
 * as before, and the input is unchanged.
 */

const call = gradcheck as (...args: unknown[]) => unknown;

/** x ↦ x², whose backward is right; from the `failAt`-th forward on it throws (0: never). */
class Square extends Module {
  private calls = 0;
  private armed = false;
  private input: Tensor | null = null;
  constructor(private readonly failAt = 0, private readonly failIn: 'forward' | 'backward' = 'forward') {
    super();
  }
  /** Starts counting forward calls (after the fixture's own forward). */
  arm(): void {
    this.calls = 0;
    this.armed = true;
  }
  forward(input: Tensor): Tensor {
    this.calls++;
    if (this.armed && this.failIn === 'forward' && this.failAt > 0 && this.calls >= this.failAt) this.fail('forward', `fails on call ${this.calls}`);
    this.input = input;
    const out = new Tensor(input.shape);
    for (let i = 0; i < out.size; i++) out.data[i] = input.data[i] ** 2;
    return this.rememberOutput(out);
  }
  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    if (this.armed && this.failIn === 'backward' && this.calls >= this.failAt) this.fail('backward', `fails after forward call ${this.calls}`);
    const x = (this.input as Tensor).data;
    const g = new Tensor(gradOut.shape);
    for (let i = 0; i < g.size; i++) g.data[i] = 2 * x[i] * gradOut.data[i];
    return g;
  }
  toString(): string {
    return 'Square';
  }
}

/** A module whose forward or backward returns something wrong, or whose forward is not a function of its input. */
class Odd extends Module {
  private calls = 0;
  constructor(private readonly fault: 'backward shape' | 'backward not a tensor' | 'forward not a tensor' | 'output shape changes' | 'counter' | 'hidden noise') {
    super();
  }
  /** Starts counting forward calls (after the fixture's own forward). */
  arm(): void {
    this.calls = 0;
  }
  forward(input: Tensor): Tensor {
    this.calls++;
    if (this.fault === 'forward not a tensor') return [1, 2] as unknown as Tensor;
    if (this.fault === 'output shape changes' && this.calls > 1) return this.rememberOutput(Tensor.ones([1, 1]));
    const out = input.clone();
    if (this.fault === 'counter') out.data[0] += this.calls;
    if (this.fault === 'hidden noise') for (let i = 0; i < out.size; i++) out.data[i] += hiddenNoise.uniform();
    return this.rememberOutput(out);
  }
  backward(gradOut: Tensor): Tensor {
    if (this.fault === 'backward shape') return Tensor.ones([1, 1]);
    if (this.fault === 'backward not a tensor') return 0 as unknown as Tensor;
    return gradOut.clone();
  }
  toString(): string {
    return `Odd(${this.fault})`;
  }
}

/** A generator held outside every module, which gradcheck cannot see. */
const hiddenNoise = new Rng('hidden');

/** A tensor released with the step that made it. */
function releasedTensor(shape: number[]): Tensor {
  let t: Tensor | null = null;
  withTemporaryTensors(() => {
    t = Tensor.ones(shape);
    return 0;
  });
  return t as unknown as Tensor;
}

/**
 * A model with every kind of state gradcheck could disturb: parameters with stale gradients,
 * BatchNorm's running statistics (moved by one forward), Dropout with its own generator, and a
 * last module `last` (a plain Tanh unless a row puts a faulty one there).
 */
function fixture(last: Module = new Tanh()) {
  const rng = new Rng('gradcheck');
  const dropRng = new Rng('dropout');
  const model = new Sequential(new Linear(2, 3, { rng }), new BatchNorm1d(3), new Dropout(0.5, { rng: dropRng }), last);
  const x = Tensor.fromArray([0.5, -1, 2, 0.25, -0.75, 1.5, 0.3, 0.9], [4, 2]);
  model.forward(x);
  for (const p of model.params()) p.grad.data.fill(0.125);
  const keeps: Keeps = { modules: [model], rngs: [rng, dropRng], tensors: [x] };
  return { model, x, keeps };
}

/** A row calling `act(model, x)` on a fresh fixture. */
function moduleRow(name: string, act: (model: Sequential, x: Tensor) => unknown, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const f = fixture();
    return { act: () => act(f.model, f.x), keeps: f.keeps };
  }, ...message);
}

/** A row checking a fixture whose last module is `last()`, which fails somewhere. */
function failingRow(name: string, last: () => Square | Odd, input: (x: Tensor) => Tensor, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const lastModule = last();
    const f = fixture(lastModule);
    lastModule.arm();
    return { act: () => gradcheck(f.model, input(f.x)), keeps: { ...f.keeps, modules: [f.model, lastModule] } };
  }, ...message);
}

/** A row for a loss: pred, targets, and the global generator (always kept). */
function lossRow(name: string, act: (pred: Tensor, target: Tensor) => unknown, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const pred = Tensor.fromArray([0.5, -1, 2, 0.25], [2, 2]);
    const target = Tensor.fromArray([0, 1, 1, 0], [2, 2]);
    return { act: () => act(pred, target), keeps: { tensors: [pred, target] } };
  }, ...message);
}

// ---------------------------------------------------------------------------------------------

const notCheckable: [string, () => unknown, RegExp][] = [
  ['undefined', () => undefined, /got undefined$/],
  ['null', () => null, /got null$/],
  ['a number', () => 3, /got number 3$/],
  ["the string 'Linear'", () => 'Linear', /got string 'Linear'$/],
  ['an object', () => ({ forward: () => 0 }), /got an Object$/],
  ['an array of modules', () => [new Tanh()], /got an array/],
  ['the class Linear', () => Linear, /got the class Linear, not an instance \(did you mean new Linear\(…\)\?\)/],
  ['the class MSELoss', () => MSELoss, /got the class MSELoss, not an instance \(did you mean new MSELoss\(…\)\?\)/],
  ['a function', () => (x: Tensor) => x, /got a function$/],
  ['a Parameter', () => new Parameter(Tensor.ones([2, 2])), /got a Parameter$/],
  ['an Rng', () => new Rng(1), /got a Rng$/],
];

const targetRows: ContractRow[] = [
  ...notCheckable.map(([name, value, got]) => moduleRow(`gradcheck(${name}, x)`, (_m, x) => call(value(), x),
    /^gradcheck: expected a Module or a Loss as first argument, /, got)),
  moduleRow('gradcheck(x, model): the arguments swapped', (model, x) => call(x, model),
    /^gradcheck: expected a Module or a Loss as first argument, got a Tensor of shape \[4,2\] \(the module comes first: gradcheck\(module, input\)\)/),
];

const notInputs: [string, () => unknown, RegExp][] = [
  ['undefined', () => undefined, /must be a Tensor, got undefined$/],
  ['null', () => null, /must be a Tensor, got null$/],
  ['a number', () => 0.5, /must be a Tensor, got number 0\.5$/],
  ['a nested array', () => [[0.5, -1]], /must be a Tensor, got an array \[\[0\.5,-1\]\] \(make one with Tensor\.from\(\[\[…\]\]\)\)/],
  ['a Float64Array', () => new Float64Array(8), /must be a Tensor, got a Float64Array$/],
  ['a string', () => 'x', /must be a Tensor, got string 'x'$/],
  ['a Parameter', () => new Parameter(Tensor.ones([4, 2])), /must be a Tensor, got a Parameter$/],
  ['a released temporary', () => releasedTensor([4, 2]), /is a temporary tensor whose step has ended; its values can no longer be read/],
  ['a tensor holding NaN', () => Tensor.fromArray([0.5, NaN], [1, 2]), /holds a non-finite value \(NaN\) at flat index 1 of shape \[1,2\]/],
  ['a tensor holding Infinity', () => Tensor.fromArray([Infinity, 1], [1, 2]), /holds a non-finite value \(Infinity\) at flat index 0/],
  ['a tensor holding -Infinity', () => Tensor.fromArray([1, 2, 3, -Infinity], [2, 2]), /holds a non-finite value \(-Infinity\) at flat index 3 of shape \[2,2\]/],
];

const inputRows: ContractRow[] = [
  ...notInputs.map(([name, value, message]) => moduleRow(`gradcheck(model, ${name})`, (model) => call(model, value()), /^gradcheck: input /, message)),
  ...notInputs.map(([name, value, message]) => lossRow(`gradcheck(loss, ${name}, target)`, (_p, target) => call(new MSELoss(), value(), target), /^gradcheck: pred /, message)),
];

const badOptions: [string, unknown, ...RegExp[]][] = [
  ['a positional step 1e-5', 1e-5, /^gradcheck: expected an options object such as \{ h: …, tolerance: … \}, got number 0\.00001 \(options are passed by name\)/, /known options: h, tolerance, seed/],
  ["a string 'strict'", 'strict', /^gradcheck: expected an options object .*got string 'strict'/],
  ['true', true, /^gradcheck: expected an options object .*got boolean true/],
  ['an array [1e-6, 1e-6]', [1e-6, 1e-6], /^gradcheck: the third argument of gradcheck\(module, input, options\?\) is the options object, got an array \[0\.000001,0\.000001\]/],
  ['null', null, /^gradcheck: expected an options object .*got null/],
  ['a function', () => 1e-6, /^gradcheck: expected an options object .*got a function/],
  ["PyTorch's eps", { eps: 1e-6 }, /^gradcheck: unknown option 'eps'; known options: h, tolerance, seed/],
  ["PyTorch's atol", { atol: 1e-5 }, /^gradcheck: unknown option 'atol'/],
  ["PyTorch's rtol", { rtol: 1e-3 }, /^gradcheck: unknown option 'rtol'/],
  ['Tolerance (capitalised)', { Tolerance: 1e-6 }, /unknown option 'Tolerance' \(did you mean 'tolerance'\?\)/],
  ['SEED (upper case)', { SEED: 1 }, /unknown option 'SEED' \(did you mean 'seed'\?\)/],
  ['max_rel_error (snake_case, no such option)', { max_rel_error: 1e-6 }, /unknown option 'max_rel_error'; known options: h, tolerance, seed/],
  ['h 0', { h: 0 }, /^gradcheck: h must be a finite number > 0, got 0/],
  ['h -1e-6', { h: -1e-6 }, /^gradcheck: h must be a finite number > 0, got -0\.000001/],
  ['h NaN', { h: NaN }, /^gradcheck: h must be a finite number > 0, got NaN/],
  ['h Infinity', { h: Infinity }, /^gradcheck: h must be a finite number > 0, got Infinity/],
  ['h -Infinity', { h: -Infinity }, /^gradcheck: h must be a finite number > 0, got -Infinity/],
  ["h '1e-6'", { h: '1e-6' }, /^gradcheck: option 'h' must be a number, got string '1e-6'/],
  ['h null', { h: null }, /^gradcheck: option 'h' is null; give a number, or leave it out for the default/],
  ['h true', { h: true }, /^gradcheck: option 'h' must be a number, got boolean true/],
  ['h [1e-6]', { h: [1e-6] }, /^gradcheck: option 'h' must be a number, got an array/],
  ['tolerance 0', { tolerance: 0 }, /^gradcheck: tolerance must be a finite number > 0, got 0/],
  ['tolerance -1', { tolerance: -1 }, /^gradcheck: tolerance must be a finite number > 0, got -1/],
  ['tolerance NaN', { tolerance: NaN }, /^gradcheck: tolerance must be a finite number > 0, got NaN/],
  ['tolerance Infinity (would pass anything)', { tolerance: Infinity }, /^gradcheck: tolerance must be a finite number > 0, got Infinity/],
  ["tolerance '1e-6'", { tolerance: '1e-6' }, /^gradcheck: option 'tolerance' must be a number, got string '1e-6'/],
  ['tolerance null', { tolerance: null }, /^gradcheck: option 'tolerance' is null/],
  ['tolerance false', { tolerance: false }, /^gradcheck: option 'tolerance' must be a number, got boolean false/],
  ['seed NaN', { seed: NaN }, /^gradcheck: seed must be a finite number or a string, got NaN/],
  ['seed Infinity', { seed: Infinity }, /^gradcheck: seed must be a finite number or a string, got Infinity/],
  ['seed -Infinity', { seed: -Infinity }, /^gradcheck: seed must be a finite number or a string, got -Infinity/],
  ['seed null', { seed: null }, /^gradcheck: option 'seed' is null; give a number or a string/],
  ['seed true', { seed: true }, /^gradcheck: option 'seed' must be a number or a string, got boolean true/],
  ['seed an object', { seed: { value: 1 } }, /^gradcheck: option 'seed' must be a number or a string, got an Object/],
  ['seed an Rng', { seed: new Rng(1) }, /^gradcheck: option 'seed' must be a number or a string, got a Rng/],
  ['a valid h with an unknown key: nothing is read', { h: 1e-4, step: 1 }, /^gradcheck: unknown option 'step'/],
];

const optionRows: ContractRow[] = [
  ...badOptions.map(([name, options, ...message]) => moduleRow(`gradcheck(model, x, ${name})`, (model, x) => call(model, x, options), ...message)),
  ...badOptions.filter(([name]) => /positional|eps|Tolerance|h 0|tolerance NaN|seed NaN|null$/.test(name)).map(([name, options, ...message]) =>
    lossRow(`gradcheck(loss, pred, target, ${name})`, (pred, target) => call(new MSELoss(), pred, target, options), ...message)),
];

const shapeRows: ContractRow[] = [
  moduleRow('a module with a target: gradcheck(model, x, target)', (model, x) => call(model, x, Tensor.zeros([4, 3])),
    /^gradcheck: the third argument of gradcheck\(module, input, options\?\) is the options object, got a Tensor \(a target is only for a Loss\)/),
  moduleRow('a module with class indices as third argument', (model, x) => call(model, x, [0, 1, 2, 0]),
    /^gradcheck: the third argument .* is the options object, got an array \[0,1,2,0\] \(a target is only for a Loss\)/),
  moduleRow('a module with a Float64Array as third argument', (model, x) => call(model, x, new Float64Array(4)), /is the options object, got a Float64Array/),
  moduleRow('a module with four arguments', (model, x) => call(model, x, Tensor.zeros([4, 3]), { h: 1e-6 }),
    /^gradcheck: expected \(module, input, options\?\) for a Module, got a fourth argument an Object \(a target is only for a Loss\)/),
  moduleRow('a module with options then undefined then more', (model, x) => call(model, x, {}, undefined, 1), /^gradcheck: expected \(module, input, options\?\) for a Module/),
  lossRow('a loss without its target', (pred) => call(new MSELoss(), pred),
    /^gradcheck: checking MSELoss needs the loss's target as third argument: gradcheck\(loss, pred, target, options\?\), got undefined/),
  lossRow('a loss with a null target', (pred) => call(new MSELoss(), pred, null), /needs the loss's target as third argument.*got null/),
  lossRow('a loss with the options where the target belongs', (pred) => call(new MSELoss(), pred, { tolerance: 1e-5 }),
    /^gradcheck: checking MSELoss needs the loss's target as third argument, got an options object \(write gradcheck\(loss, pred, target, options\)\)/),
  lossRow('a loss with a seed (it has no upstream gradient)', (pred, target) => call(new MSELoss(), pred, target, { seed: 3 }),
    /^gradcheck: option 'seed' picks the random upstream gradient of a module; a loss has none/),
  lossRow('a loss with five arguments', (pred, target) => call(new MSELoss(), pred, target, {}, {}), /^gradcheck: expected \(loss, pred, target, options\?\), got 5 arguments/),
  lossRow('MSELoss with a target of another shape', (pred) => call(new MSELoss(), pred, Tensor.zeros([2, 3])),
    /MSELoss.*target has shape \[2,3\] but pred has shape \[2,2\]/),
  lossRow('MSELoss with a target holding NaN', (pred) => call(new MSELoss(), pred, Tensor.fromArray([0, NaN, 0, 0], [2, 2])), /MSELoss.*target .*NaN/),
  lossRow('CrossEntropyLoss with a class out of range', (pred) => call(new CrossEntropyLoss(), pred, [0, 2]), /CrossEntropyLoss/, /2/),
  moduleRow('an input of the wrong width for the model', (model) => gradcheck(model, Tensor.ones([4, 5])),
    /^Sequential\[0\] Linear\(2→3\)\.forward: input has shape \[4,5\], expected \[N,2\]/),
  moduleRow('one row while BatchNorm trains (its statistics would be meaningless)', (model) => gradcheck(model, Tensor.ones([1, 2])),
    /^Sequential\[1\] BatchNorm1d\(3\)\.forward: Expected more than 1 value per channel when training/),
];

// The order of the forwards: 1 the analytic pass, 2 the accumulation check, 3 the repeat of the
// first point, then 2 per entry: the input's 8 (4–19), the weight's 6 (20–31), the bias's 3
// (32–37), BatchNorm's γ (38–43) and β (44–49).
const failingRows: ContractRow[] = [
  failingRow('the first forward fails', () => new Square(1), (x) => x, /^Sequential\[3\] Square\.forward: fails on call 1/),
  failingRow('the second forward (the accumulation check) fails', () => new Square(2), (x) => x, /^Sequential\[3\] Square\.forward: fails on call 2/),
  failingRow('the repeat of the first point fails', () => new Square(3), (x) => x, /^Sequential\[3\] Square\.forward: fails on call 3/),
  failingRow('a forward during the differences of the input fails', () => new Square(9), (x) => x, /^Sequential\[3\] Square\.forward: fails on call 9/),
  failingRow('a forward during the differences of the first weight fails', () => new Square(25), (x) => x, /fails on call 25/),
  failingRow('a forward during the differences of BatchNorm\'s γ fails', () => new Square(3 + 16 + 12 + 6 + 2), (x) => x, /fails on call 39/),
  failingRow('a forward during the differences of BatchNorm\'s β fails', () => new Square(3 + 16 + 12 + 6 + 6 + 3), (x) => x, /fails on call 46/),
  failingRow('the last forward fails', () => new Square(3 + 16 + 2 * (6 + 3 + 3 + 3)), (x) => x, /fails on call 49/),
  failingRow('the first backward fails', () => new Square(1, 'backward'), (x) => x, /^Sequential\[3\] Square\.backward: fails after forward call 1/),
  failingRow('the second backward fails', () => new Square(2, 'backward'), (x) => x, /^Sequential\[3\] Square\.backward: fails after forward call 2/),
  failingRow('backward returns the wrong shape', () => new Odd('backward shape'), (x) => x, /^Sequential\[2\] Dropout\(p=0\.5\)\.backward: gradOut has shape \[1,1\], expected \[4,3\]/),
  failingRow('backward returns a number', () => new Odd('backward not a tensor'), (x) => x, /^Sequential\[2\] Dropout\(p=0\.5\)\.backward: gradOut must be a Tensor, got number 0/),
  failingRow('forward returns an array', () => new Odd('forward not a tensor'), (x) => x, /^gradcheck: Sequential\(.*\)\.forward returned an array \[1,2\], expected a Tensor/),
  failingRow('the output\'s shape changes between evaluations', () => new Odd('output shape changes'), (x) => x,
    /^gradcheck: Sequential\(.*\)\.forward returned shape \[4,3\] at first, then \[1,1\], for the same input/),
  failingRow('forward keeps state from call to call (a counter)', () => new Odd('counter'), (x) => x,
    /^gradcheck: Sequential\(.*\)\.forward gave .+, then .+, for the same input and parameters, so finite differences of it mean nothing/, /keeps state from call to call/),
  failingRow('forward draws from a generator no module holds', () => new Odd('hidden noise'), (x) => x,
    /^gradcheck: Sequential\(.*\)\.forward gave .+, then .+, for the same input and parameters/, /draws random numbers gradcheck cannot hold fixed/, /eval\(\)/),
  row('a bare module (no container) that fails during the differences', () => {
    const square = new Square(10);
    square.arm();
    const x = Tensor.fromArray([0.5, -1, 2, 0.25], [2, 2]);
    return { act: () => gradcheck(square, x), keeps: { modules: [square], tensors: [x] } };
  }, /^Square\.forward: fails on call 10/),
  row('a bare Dropout with its own generator, failing through a later module', () => {
    const dropRng = new Rng('bare');
    const square = new Square(6);
    square.arm();
    const model = new Sequential(new Dropout(0.2, { rng: dropRng }), square);
    const x = Tensor.fromArray([0.5, -1, 2, 0.25], [2, 2]);
    return { act: () => gradcheck(model, x), keeps: { modules: [model], rngs: [dropRng], tensors: [x] } };
  }, /^Sequential\[1\] Square\.forward: fails on call 6/),
];

export const table: ContractTable = {
  title: 'gradcheck',
  rows: [...targetRows, ...inputRows, ...optionRows, ...shapeRows, ...failingRows],
};
