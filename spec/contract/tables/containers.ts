import { MSELoss } from '../../../lib/losses/mse';
import { ReLU } from '../../../lib/modules/activations/relu';
import { Tanh } from '../../../lib/modules/activations/tanh';
import { ColumnSplit } from '../../../lib/modules/containers/column-split';
import { Sequential } from '../../../lib/modules/containers/sequential';
import { Linear } from '../../../lib/modules/linear';
import { Module } from '../../../lib/modules/module';
import { BatchNorm1d } from '../../../lib/modules/normalization/batch-norm1d';
import { Parameter } from '../../../lib/modules/parameter';
import { Dropout } from '../../../lib/modules/regularization/dropout';
import { Rng } from '../../../lib/random/rng';
import { withTemporaryTensors } from '../../../lib/tensor/temporaries';
import { Tensor } from '../../../lib/tensor/tensor';
import { ContractRow, ContractTable, row } from '../harness';

/*
 * Containers: Sequential and ColumnSplit. What may enter them (constructor arguments, append),
 * the rule that each module instance appears once in a model (direct, nested, through a
 * ColumnSplit, a container inside itself; checked again by forward and backward), ColumnSplit's
 * sizes, and forward/backward inputs. A refused call leaves every module (parameters, gradients,
 * buffers, mode), every generator and the chain's length as they were; a forward that fails
 * midway gives back the running statistics and the dropout generators the modules before the
 * failing one had moved.
 */

/** Fresh modules for one row: layers with parameters, buffers and their own generator. */
function parts() {
  const rng = new Rng('containers');
  const dropRng = new Rng('drop');
  dropRng.uniform(); // mid-sequence
  const lin = new Linear(2, 2, { rng });
  const tanh = new Tanh();
  const relu = new ReLU();
  const bn = new BatchNorm1d(2);
  const drop = new Dropout(0.5, { rng: dropRng });
  const x = Tensor.fromArray([0.5, -1, 2, 0.25, -0.75, 1.5], [3, 2]);
  return { rng, dropRng, lin, tanh, relu, bn, drop, x };
}

/** A row that builds something from fresh parts; it keeps the parts and the generators. */
function buildRow(name: string, build: (p: ReturnType<typeof parts>) => unknown, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const p = parts();
    return { act: () => build(p), keeps: { modules: [p.lin, p.tanh, p.relu, p.bn, p.drop], rngs: [p.rng, p.dropRng], tensors: [p.x] } };
  }, ...message);
}

/** A row calling `act` on a Sequential(lin, bn, drop, tanh) that has run one forward; its length must not change. */
function chainRow(name: string, act: (net: Sequential, p: ReturnType<typeof parts>) => unknown, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const p = parts();
    const net = new Sequential(p.lin, p.bn, p.drop, p.tanh);
    net.forward(p.x);
    const length = net.length;
    return {
      act: () => {
        try {
          return act(net, p);
        } finally {
          if (net.length !== length) throw new Error(`the chain's length changed from ${length} to ${net.length}`);
        }
      },
      keeps: { modules: [net, p.relu], rngs: [p.rng, p.dropRng], tensors: [p.x] },
    };
  }, ...message);
}

/** A module that lists one child twice (a container written by hand, which minidl's cannot check from inside). */
class Twice extends Module {
  constructor(private readonly inner: Module) {
    super();
  }
  forward(input: Tensor): Tensor {
    return this.rememberOutput(this.inner.forward(this.inner.forward(input)));
  }
  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    return this.inner.backward(this.inner.backward(gradOut));
  }
  override children(): Module[] {
    return [this.inner, this.inner];
  }
  toString(): string {
    return 'Twice';
  }
}

/** Returns one row whatever the batch size (a module whose output has the wrong number of rows). */
class OneRow extends Module {
  forward(input: Tensor): Tensor {
    return this.rememberOutput(Tensor.zeros([1, input.shape[1]]));
  }
  backward(gradOut: Tensor): Tensor {
    return gradOut;
  }
  toString(): string {
    return 'OneRow';
  }
}

/** A tensor released with the step that made it. */
function releasedTensor(): Tensor {
  let t: Tensor | null = null;
  withTemporaryTensors(() => {
    t = Tensor.ones([3, 2]);
    return 0;
  });
  return t as unknown as Tensor;
}

// ---------------------------------------------------------------------------------------------
// What may enter: every kind of non-module, at every entry point.
// ---------------------------------------------------------------------------------------------

const notModules: [string, () => unknown, RegExp][] = [
  ['undefined', () => undefined, /got undefined/],
  ['null', () => null, /got null/],
  ['0', () => 0, /got number 0/],
  ['NaN', () => NaN, /got number NaN/],
  ['Infinity', () => Infinity, /got number Infinity/],
  ['-1', () => -1, /got number -1/],
  ["the string 'Tanh'", () => 'Tanh', /got string 'Tanh'/],
  ['true', () => true, /got boolean true/],
  ['an empty object', () => ({}), /got an Object/],
  ['an object with forward and backward', () => ({ forward: (x: Tensor) => x, backward: (g: Tensor) => g }), /got an Object/],
  ['an empty array', () => [], /got an array \(give the modules one by one: new Sequential\(a, b\), or spread a list: new Sequential\(\.\.\.list\)\)/],
  ['an array of modules', () => [new Tanh(), new ReLU()], /got an array \(give the modules one by one/],
  ['the class Tanh', () => Tanh, /got the class Tanh, not an instance \(did you mean new Tanh\(…\)\?\)/],
  ['the class Linear', () => Linear, /got the class Linear, not an instance \(did you mean new Linear\(…\)\?\)/],
  ['a Tensor', () => Tensor.zeros([2, 2]), /got a Tensor/],
  ['a Parameter', () => new Parameter(Tensor.zeros([2, 2])), /got a Parameter/],
  ['a loss', () => new MSELoss(), /got a MSELoss \(a loss is not a layer: call it on the model's output, or give it to NeuralNet as its loss\)/],
  ['a function', () => (x: Tensor) => x, /got a function/],
];

const childRows: ContractRow[] = notModules.flatMap(([name, value, got]) => [
  buildRow(`new Sequential(${name})`, () => new Sequential(value() as Module), /^Sequential\.append: expected a Module, /, got, /\(argument 0 of new Sequential\)/),
  buildRow(`new Sequential(tanh, ${name})`, (p) => new Sequential(p.tanh, value() as Module), /^Sequential\.append: expected a Module, /, got, /\(argument 1 of new Sequential\)/),
  chainRow(`net.append(${name})`, (net) => net.append(value() as Module), /^Sequential\(Linear\(2→2\), BatchNorm1d\(2\), Dropout\(p=0\.5\), Tanh\)\.append: expected a Module, /, got),
  buildRow(`new ColumnSplit([1, 1], [tanh, ${name}])`, (p) => new ColumnSplit([1, 1], [p.tanh, value() as Module]), /^ColumnSplit: expected a Module, /, got, /at modules\[1\]/),
]);

// ---------------------------------------------------------------------------------------------
// One instance, one place.
// ---------------------------------------------------------------------------------------------

const twice = /one instance remembers the input of its last forward only, so the backward of its first use would be computed from the input of its second use \(wrong gradients\)/;

const reuseRows: ContractRow[] = [
  buildRow('new Sequential(tanh, tanh): the same activation twice in a row', (p) => new Sequential(p.tanh, p.tanh),
    /^Sequential: Tanh is used twice, at \[0\] and at \[1\]/, twice, /Use a new Tanh for each place/, /\{ share: first \}/),
  buildRow('new Sequential(lin, tanh, lin, tanh): the shape of the silent bug', (p) => new Sequential(p.lin, p.tanh, p.lin, p.tanh),
    /^Sequential: Linear\(2→2\) is used twice, at \[0\] and at \[2\]/, /new Linear\(2, 2, \{ share: first \}\)/),
  buildRow('new Sequential(relu, tanh, relu)', (p) => new Sequential(p.relu, p.tanh, p.relu), /^Sequential: ReLU is used twice, at \[0\] and at \[2\]/, /Use a new ReLU/),
  buildRow('a bias-free Linear twice: the hint keeps bias: false', () => {
    const noBias = new Linear(3, 3, { bias: false, rng: new Rng(1) });
    return new Sequential(noBias, new Tanh(), noBias);
  }, /Linear\(3→3, bias=false\) is used twice/, /new Linear\(3, 3, \{ share: first, bias: false \}\)/),
  buildRow('BatchNorm1d twice: a layer with parameters that cannot share', (p) => new Sequential(p.bn, p.tanh, p.bn),
    /BatchNorm1d\(2\) is used twice, at \[0\] and at \[2\]/, /Build a separate BatchNorm1d for each place/, /new Linear\(in, out, \{ share: first \}\)/),
  buildRow('Dropout twice', (p) => new Sequential(p.drop, p.lin, p.drop), /Dropout\(p=0\.5\) is used twice, at \[0\] and at \[2\]/, /Use a new Dropout/),
  buildRow('a module in a nested Sequential and again outside', (p) => new Sequential(new Sequential(p.lin, p.tanh), p.tanh),
    /^Sequential: Tanh is used twice, at \[0\]\[1\] and at \[1\]/, twice),
  buildRow('three levels deep', (p) => new Sequential(new Sequential(new Sequential(p.relu)), p.lin, p.relu),
    /^Sequential: ReLU is used twice, at \[0\]\[0\]\[0\] and at \[2\]/),
  buildRow('the same Linear at both groups of a ColumnSplit (weight sharing done wrong)', (p) => new ColumnSplit([2, 2], [p.lin, p.lin]),
    /^ColumnSplit: Linear\(2→2\) is used twice, at \[0\] and at \[1\]/, twice, /To share its weights, use a second layer on the same Parameters: new Linear\(2, 2, \{ share: first \}\)/),
  buildRow('ColumnSplit: the same Linear inside the Sequential of each group', (p) =>
    new ColumnSplit([2, 2], [new Sequential(p.lin, p.tanh), new Sequential(p.lin, new Tanh())]),
  /^ColumnSplit: Linear\(2→2\) is used twice, at \[0\]\[0\] and at \[1\]\[0\]/),
  buildRow('ColumnSplit: a shared activation in both groups', (p) =>
    new ColumnSplit([2, 2], [new Sequential(new Linear(2, 2, { share: p.lin }), p.tanh), new Sequential(p.lin, p.tanh)]),
  /^ColumnSplit: Tanh is used twice, at \[0\]\[1\] and at \[1\]\[1\]/),
  buildRow('a module inside a nested Sequential inside a ColumnSplit, and again after it', (p) =>
    new Sequential(new ColumnSplit([2, 2], [new Sequential(p.lin, p.relu), new Tanh()]), p.relu),
  /^Sequential: ReLU is used twice, at \[0\]\[0\]\[1\] and at \[1\]/),
  buildRow('the same Sequential block twice', (p) => {
    const block = new Sequential(p.lin, p.tanh);
    return new Sequential(block, block);
  }, /^Sequential: Sequential\(Linear\(2→2\), Tanh\) is used twice, at \[0\] and at \[1\]/, /Build a separate Sequential/),
  buildRow('the same ColumnSplit twice', (p) => {
    const split = new ColumnSplit([1, 1], [p.tanh, p.relu]);
    return new Sequential(split, split);
  }, /^Sequential: ColumnSplit\(\[1, 1\], Tanh, ReLU\) is used twice, at \[0\] and at \[1\]/),
  buildRow('two models that share a module, combined', (p) => {
    const a = new Sequential(p.lin, p.tanh);
    const b = new Sequential(p.tanh, new Linear(2, 1, { rng: new Rng(9) }));
    return new Sequential(a, b);
  }, /^Sequential: Tanh is used twice, at \[0\]\[1\] and at \[1\]\[0\]/),
  buildRow('two models that share a module, side by side in a ColumnSplit', (p) => {
    const a = new Sequential(p.lin, p.tanh);
    const b = new Sequential(new Linear(2, 2, { rng: new Rng(9) }), p.tanh);
    return new ColumnSplit([2, 2], [a, b]);
  }, /^ColumnSplit: Tanh is used twice, at \[0\]\[1\] and at \[1\]\[1\]/),
  buildRow('a hand-written container listing one child twice, put in a Sequential', (p) => new Sequential(new Twice(p.tanh)),
    /^Sequential: Tanh is used twice, at \[0\]\[0\] and at \[0\]\[1\]/),
  chainRow('net.append(a module it holds)', (net, p) => net.append(p.tanh), /\.append: Tanh is used twice, at \[3\] and at \[4\]/, twice),
  chainRow('net.append(a Linear it holds)', (net, p) => net.append(p.lin), /\.append: Linear\(2→2\) is used twice, at \[0\] and at \[4\]/, /new Linear\(2, 2, \{ share: first \}\)/),
  chainRow('net.append(itself)', (net) => net.append(net), /\.append: a container cannot hold itself, got Sequential\(.*\) at \[4\]/, /would call itself forever/),
  chainRow('net.append(a Sequential holding one of its modules)', (net, p) => net.append(new Sequential(p.relu, p.bn)),
    /\.append: BatchNorm1d\(2\) is used twice, at \[1\] and at \[4\]\[1\]/),
  chainRow('net.append(a ColumnSplit holding one of its modules)', (net, p) => net.append(new ColumnSplit([1, 1], [p.relu, p.tanh])),
    /\.append: Tanh is used twice, at \[3\] and at \[4\]\[1\]/),
  chainRow('net.append(a Sequential that holds net): a cycle', (net, p) => net.append(new Sequential(p.relu, net)),
    /\.append: a container cannot hold itself, got Sequential\(.*\) at \[4\]\[1\]/),
  row('inner.append(outer), where outer holds inner: a cycle', () => {
    const p = parts();
    const inner = new Sequential(p.lin);
    const outer = new Sequential(inner, p.tanh);
    return { act: () => inner.append(outer), keeps: { modules: [outer], rngs: [p.rng, p.dropRng] } };
  }, /^Sequential\(Linear\(2→2\)\)\.append: a container cannot hold itself, got Sequential\(Linear\(2→2\)\) at \[1\]\[0\]/),
  ...(['forward', 'backward'] as const).map((method) => row(`Sequential.${method} after a nested Sequential gained a module the outer one holds`, () => {
    const p = parts();
    const inner = new Sequential(p.relu);
    const net = new Sequential(p.lin, p.bn, p.drop, inner);
    net.forward(p.x);
    inner.append(p.bn);
    return {
      act: () => (method === 'forward' ? net.forward(p.x) : net.backward(Tensor.ones([3, 2]))),
      keeps: { modules: [net], rngs: [p.rng, p.dropRng], tensors: [p.x] },
    };
  }, new RegExp(`^Sequential\\(.*\\)\\.${method}: BatchNorm1d\\(2\\) is used twice, at \\[1\\] and at \\[3\\]\\[1\\]`), twice)),
  ...(['forward', 'backward'] as const).map((method) => row(`ColumnSplit.${method} after a group's Sequential gained the other group's module`, () => {
    const p = parts();
    const left = new Sequential(p.lin, p.bn);
    const split = new ColumnSplit([2, 2], [left, p.drop]);
    const x = Tensor.fromArray([0.5, -1, 2, 0.25, -0.75, 1.5, 1, 0.1, -0.3, 0.8, 0.2, -2], [3, 4]);
    split.forward(x);
    left.append(p.drop);
    return {
      act: () => (method === 'forward' ? split.forward(x) : split.backward(Tensor.ones([3, 4]))),
      keeps: { modules: [split], rngs: [p.rng, p.dropRng], tensors: [x] },
    };
  }, new RegExp(`^ColumnSplit\\(.*\\)\\.${method}: Dropout\\(p=0\\.5\\) is used twice, at \\[0\\]\\[2\\] and at \\[1\\]`))),
];

// ---------------------------------------------------------------------------------------------
// ColumnSplit's sizes and modules.
// ---------------------------------------------------------------------------------------------

const splitArgs = (sizes: unknown, modules: unknown, ...more: unknown[]) => (p: ReturnType<typeof parts>) =>
  new (ColumnSplit as unknown as new (...a: unknown[]) => ColumnSplit)(sizes, typeof modules === 'function' ? (modules as (q: typeof p) => unknown)(p) : modules, ...more);

const columnSplitRows: ContractRow[] = [
  buildRow('new ColumnSplit(): nothing at all', splitArgs(undefined, undefined), /^ColumnSplit: sizes must be an array of group widths such as \[2, 3\], got undefined/),
  buildRow('sizes a number', splitArgs(4, (p: ReturnType<typeof parts>) => [p.tanh]), /^ColumnSplit: sizes must be an array of group widths such as \[2, 3\], got number 4/),
  buildRow('sizes null', splitArgs(null, (p: ReturnType<typeof parts>) => [p.tanh]), /sizes must be an array .*got null/),
  buildRow("sizes a string '2,2'", splitArgs('2,2', (p: ReturnType<typeof parts>) => [p.tanh, p.relu]), /sizes must be an array .*got string '2,2'/),
  buildRow('sizes an object', splitArgs({ 0: 2 }, (p: ReturnType<typeof parts>) => [p.tanh]), /sizes must be an array .*got an Object/),
  buildRow('sizes a Tensor', splitArgs(Tensor.from([2, 2]), (p: ReturnType<typeof parts>) => [p.tanh, p.relu]), /sizes must be an array .*got a Tensor/),
  buildRow('modules a single module', splitArgs([2], (p: ReturnType<typeof parts>) => p.tanh),
    /^ColumnSplit: modules must be an array with one module per group, got a Tanh \(give the modules as one array: new ColumnSplit\(\[2, 3\], \[a, b\]\)\)/),
  buildRow('modules spread instead of a list', (p) => new (ColumnSplit as unknown as new (...a: unknown[]) => ColumnSplit)([2, 2], p.tanh, p.relu),
    /^ColumnSplit: takes at most 2 arguments \(sizes, modules\), got 3/),
  buildRow('modules null', splitArgs([2], null), /modules must be an array with one module per group, got null/),
  buildRow('modules undefined', splitArgs([2], undefined), /modules must be an array with one module per group, got undefined/),
  buildRow('modules a Sequential', splitArgs([2], (p: ReturnType<typeof parts>) => new Sequential(p.tanh)), /modules must be an array .*got a Sequential \(give the modules as one array/),
  buildRow('swapped: modules first, then sizes', splitArgs([Tanh, ReLU].map((C) => new C()), [2, 2]), /^ColumnSplit: the group sizes come first, got modules then sizes \(write new ColumnSplit\(\[2, 2\], \[modules…\]\)\)/),
  buildRow('no groups', splitArgs([], []), /^ColumnSplit: expected as many group sizes as modules \(at least one group\), got 0 sizes and 0 modules/),
  buildRow('one size, two modules', splitArgs([2], (p: ReturnType<typeof parts>) => [p.tanh, p.relu]), /expected as many group sizes as modules .*got 1 size and 2 modules/),
  buildRow('three sizes, two modules', splitArgs([1, 1, 1], (p: ReturnType<typeof parts>) => [p.tanh, p.relu]), /got 3 sizes and 2 modules/),
  buildRow('sizes without modules', splitArgs([2, 2], []), /got 2 sizes and 0 modules/),
  ...([
    ['0', 0, /got number 0/], ['-1', -1, /got number -1/], ['2.5', 2.5, /got number 2\.5/], ['NaN', NaN, /got number NaN/],
    ['Infinity', Infinity, /got number Infinity/], ['-Infinity', -Infinity, /got number -Infinity/], ["'2'", '2', /got string '2'/],
    ['null', null, /got null/], ['undefined', undefined, /got undefined/], ['true', true, /got boolean true/], ['[2]', [2], /got an array \[2\]/],
  ] as [string, unknown, RegExp][]).map(([name, bad, got]) =>
    buildRow(`sizes[1] = ${name}`, splitArgs([2, bad], (p: ReturnType<typeof parts>) => [p.lin, p.tanh]),
      /^ColumnSplit: sizes\[1\] must be a whole number ≥ 1 \(a group's width\), /, got)),
  buildRow('a hole in sizes', splitArgs([2, , 2], (p: ReturnType<typeof parts>) => [p.lin, p.tanh, p.relu]), /sizes\[1\] must be a whole number ≥ 1 .*got undefined/), // eslint-disable-line no-sparse-arrays
  buildRow('a hole in modules', splitArgs([2, 2], (p: ReturnType<typeof parts>) => [p.lin, , ]), /^ColumnSplit: expected a Module, got undefined at modules\[1\]/), // eslint-disable-line no-sparse-arrays
  buildRow('an options object as third argument (there are none)', splitArgs([2], (p: ReturnType<typeof parts>) => [p.lin], { share: true }),
    /^ColumnSplit: takes at most 2 arguments \(sizes, modules\), got 3; an extra argument would be ignored/),
];

// ---------------------------------------------------------------------------------------------
// Forward and backward inputs.
// ---------------------------------------------------------------------------------------------

const SEQ = 'Sequential\\(Linear\\(2→2\\), BatchNorm1d\\(2\\), Dropout\\(p=0\\.5\\), Tanh\\)';

const notTensors: [string, () => unknown, RegExp][] = [
  ['undefined', () => undefined, /got undefined/],
  ['null', () => null, /got null/],
  ['a number', () => 3, /got number 3/],
  ['a nested array', () => [[1, 2]], /got an array \[\[1,2\]\]/],
  ['a Float64Array', () => new Float64Array(2), /got a Float64Array/],
];

const flowRows: ContractRow[] = [
  ...notTensors.map(([name, value, got]) => chainRow(`Sequential.forward(${name})`, (net) => net.forward(value() as Tensor),
    new RegExp(`^${SEQ}\\.forward: input must be a Tensor, `), got)),
  row('an empty Sequential refuses a non-tensor (it would hand it back)', () => ({ act: () => new Sequential().forward('x' as unknown as Tensor) }),
    /^Sequential\(\)\.forward: input must be a Tensor, got string 'x'/),
  chainRow('Sequential.forward: wrong width at the first layer', (net) => net.forward(Tensor.ones([3, 5])),
    /^Sequential\[0\] Linear\(2→2\)\.forward: input has shape \[3,5\], expected \[N,2\]/),
  chainRow('Sequential.forward: rank 3', (net) => net.forward(Tensor.ones([3, 2, 1])), /^Sequential\[0\] Linear\(2→2\)\.forward: input has shape \[3,2,1\], expected \[N,…,2\]/),
  chainRow('Sequential.forward: NaN', (net) => net.forward(Tensor.fromArray([1, NaN], [1, 2])), /^Sequential\[0\] Linear\(2→2\)\.forward: input holds a non-finite value \(NaN\) at flat index 1/),
  chainRow('Sequential.forward: -Infinity', (net) => net.forward(Tensor.fromArray([-Infinity, 1], [1, 2])), /input holds a non-finite value \(-Infinity\) at flat index 0/),
  chainRow('Sequential.forward: a released temporary', (net) => net.forward(releasedTensor()), /^Sequential\[0\] Linear\(2→2\)\.forward: input .*temporary of a step that has ended/),
  chainRow('Sequential.forward: one row while BatchNorm trains', (net) => net.forward(Tensor.ones([1, 2])), /^Sequential\[1\] BatchNorm1d\(2\)\.forward: Expected more than 1 value per channel when training/),
  row('Sequential.forward fails at the last layer after BatchNorm and two Dropouts ran: statistics and generators given back', () => {
    const p = parts();
    const net = new Sequential(p.bn, p.drop, new Dropout(0.3), new Linear(3, 1));
    return { act: () => net.forward(p.x), keeps: { modules: [net], rngs: [p.dropRng], tensors: [p.x] } };
  }, /^Sequential\[3\] Linear\(3→1\)\.forward: input has shape \[3,2\], expected \[N,3\]/),
  row('a nested Sequential fails deep inside: the outer BatchNorm is given back', () => {
    const p = parts();
    const net = new Sequential(p.bn, new Sequential(p.drop, new Sequential(p.tanh, new Linear(4, 1))));
    return { act: () => net.forward(p.x), keeps: { modules: [net], rngs: [p.dropRng], tensors: [p.x] } };
  }, /^Sequential\[1\] Sequential\[1\] Sequential\[1\] Linear\(4→1\)\.forward: input has shape \[3,2\], expected \[N,4\]/),
  row('Sequential.backward before any forward', () => {
    const p = parts();
    const net = new Sequential(p.lin, p.tanh);
    return { act: () => net.backward(Tensor.ones([3, 2])), keeps: { modules: [net] } };
  }, /^Sequential\(Linear\(2→2\), Tanh\)\.backward: called before forward/),
  row('an empty Sequential: backward before forward', () => ({ act: () => new Sequential().backward(Tensor.ones([1, 1])) }), /^Sequential\(\)\.backward: called before forward/),
  chainRow('Sequential.backward: gradOut of the wrong shape', (net) => net.backward(Tensor.ones([3, 3])),
    new RegExp(`^${SEQ}\\.backward: gradOut has shape \\[3,3\\], expected \\[3,2\\] \\(the shape of the last output\\)`)),
  chainRow('Sequential.backward: gradOut transposed', (net) => net.backward(Tensor.ones([2, 3])), /gradOut has shape \[2,3\], expected \[3,2\]/),
  ...notTensors.map(([name, value, got]) => chainRow(`Sequential.backward(${name})`, (net) => net.backward(value() as Tensor),
    new RegExp(`^${SEQ}\\.backward: gradOut must be a Tensor, `), got)),
  chainRow('Sequential.backward: a released temporary', (net) => net.backward(releasedTensor()), /\.backward: gradOut .*temporary of a step that has ended/),
];

/** A ColumnSplit([2, 2], [Sequential(lin, bn, drop), tanh]) that has run one forward on [3, 4]. */
function splitRow(name: string, act: (split: ColumnSplit) => unknown, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const p = parts();
    const split = new ColumnSplit([2, 2], [new Sequential(p.lin, p.bn, p.drop), p.tanh]);
    const x = Tensor.fromArray([0.5, -1, 2, 0.25, -0.75, 1.5, 1, 0.1, -0.3, 0.8, 0.2, -2], [3, 4]);
    split.forward(x);
    return { act: () => act(split), keeps: { modules: [split], rngs: [p.rng, p.dropRng], tensors: [x] } };
  }, ...message);
}

const SPLIT = 'ColumnSplit\\(\\[2, 2\\], Sequential\\(Linear\\(2→2\\), BatchNorm1d\\(2\\), Dropout\\(p=0\\.5\\)\\), Tanh\\)';

const splitFlowRows: ContractRow[] = [
  splitRow('ColumnSplit.forward: width 5 instead of 2 + 2', (s) => s.forward(Tensor.ones([3, 5])),
    new RegExp(`^${SPLIT}\\.forward: input has shape \\[3,5\\], expected \\[N,4\\] \\(groups of 2 \\+ 2 columns\\)`)),
  splitRow('ColumnSplit.forward: rank 1', (s) => s.forward(Tensor.ones([4])), /\.forward: input has shape \[4\], expected \[N,4\]/),
  splitRow('ColumnSplit.forward: rank 3', (s) => s.forward(Tensor.ones([3, 4, 1])), /\.forward: input has shape \[3,4,1\], expected \[N,4\]/),
  splitRow('ColumnSplit.forward: NaN', (s) => s.forward(Tensor.fromArray([1, 2, NaN, 4], [1, 4])), /\.forward: input holds a non-finite value \(NaN\) at flat index 2/),
  splitRow('ColumnSplit.forward: Infinity', (s) => s.forward(Tensor.fromArray([Infinity, 2, 3, 4], [1, 4])), /input holds a non-finite value \(Infinity\)/),
  ...notTensors.map(([name, value, got]) => splitRow(`ColumnSplit.forward(${name})`, (s) => s.forward(value() as Tensor), /\.forward: input must be a Tensor, /, got)),
  splitRow('ColumnSplit.forward: one row while the first group\'s BatchNorm trains', (s) => s.forward(Tensor.ones([1, 4])),
    /^ColumnSplit\[0\] Sequential\[1\] BatchNorm1d\(2\)\.forward: Expected more than 1 value per channel/),
  row('ColumnSplit.forward: the second group fails after the first ran BatchNorm and Dropout: given back', () => {
    const p = parts();
    const split = new ColumnSplit([2, 2], [new Sequential(p.bn, p.drop), new Linear(3, 1)]);
    const x = Tensor.ones([3, 4]);
    x.data[0] = 2;
    return { act: () => split.forward(x), keeps: { modules: [split], rngs: [p.dropRng], tensors: [x] } };
  }, /^ColumnSplit\[1\] Linear\(3→1\)\.forward: input has shape \[3,2\], expected \[N,3\]/),
  row('ColumnSplit.forward: a group returns the wrong number of rows', () => {
    const p = parts();
    const split = new ColumnSplit([2, 2], [new Sequential(p.bn, p.drop), new OneRow()]);
    const x = Tensor.fromArray([0.5, -1, 2, 0.25, -0.75, 1.5, 1, 0.1, -0.3, 0.8, 0.2, -2], [3, 4]);
    return { act: () => split.forward(x), keeps: { modules: [split], rngs: [p.dropRng], tensors: [x] } };
  }, /\.forward: group 1 \(OneRow\) returned shape \[1,2\], expected \[3,…\]/),
  row('ColumnSplit.backward before any forward', () => {
    const split = new ColumnSplit([1, 1], [new Tanh(), new ReLU()]);
    return { act: () => split.backward(Tensor.ones([2, 2])), keeps: { modules: [split] } };
  }, /^ColumnSplit\(\[1, 1\], Tanh, ReLU\)\.backward: called before forward/),
  splitRow('ColumnSplit.backward: gradOut of the wrong shape', (s) => s.backward(Tensor.ones([3, 3])),
    new RegExp(`^${SPLIT}\\.backward: gradOut has shape \\[3,3\\], expected \\[3,4\\]`)),
  ...notTensors.map(([name, value, got]) => splitRow(`ColumnSplit.backward(${name})`, (s) => s.backward(value() as Tensor), /\.backward: gradOut must be a Tensor, /, got)),
];

const appendRows: ContractRow[] = [
  chainRow('net.append() with no module', (net) => (net.append as () => unknown)(), /\.append: expected a Module, got undefined/),
  chainRow('net.append(a, b): two modules at once', (net, p) => (net.append as (...m: Module[]) => unknown)(p.relu, new ReLU()),
    /\.append: takes at most 1 argument \(module\), got 2; an extra argument would be ignored/),
  chainRow('net.append([a, b]): a list', (net, p) => net.append([p.relu] as unknown as Module), /\.append: expected a Module, got an array \(give the modules one by one/),
];

export const table: ContractTable = {
  title: 'containers',
  rows: [...childRows, ...reuseRows, ...columnSplitRows, ...flowRows, ...splitFlowRows, ...appendRows],
};
