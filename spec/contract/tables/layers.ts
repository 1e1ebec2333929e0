import { ELU } from '../../../lib/modules/activations/elu';
import { GELU } from '../../../lib/modules/activations/gelu';
import { LeakyReLU } from '../../../lib/modules/activations/leaky-relu';
import { ReLU } from '../../../lib/modules/activations/relu';
import { Sigmoid } from '../../../lib/modules/activations/sigmoid';
import { Softmax } from '../../../lib/modules/activations/softmax';
import { Tanh } from '../../../lib/modules/activations/tanh';
import { Conv2d } from '../../../lib/modules/convolution/conv2d';
import { Linear } from '../../../lib/modules/linear';
import { Module } from '../../../lib/modules/module';
import { BatchNorm1d } from '../../../lib/modules/normalization/batch-norm1d';
import { BatchNorm2d } from '../../../lib/modules/normalization/batch-norm2d';
import { Parameter } from '../../../lib/modules/parameter';
import { AvgPool2d } from '../../../lib/modules/pooling/avg-pool2d';
import { MaxPool2d } from '../../../lib/modules/pooling/max-pool2d';
import { Dropout } from '../../../lib/modules/regularization/dropout';
import { Flatten } from '../../../lib/modules/reshape/flatten';
import { Rng } from '../../../lib/random/rng';
import { withTemporaryTensors } from '../../../lib/tensor/temporaries';
import { Tensor } from '../../../lib/tensor/tensor';
import { ContractRow, ContractTable, any, constructorRow, moduleCallRow, row } from '../harness';

/*
 * Layers and activations: their constructors (options objects read by lib/options.ts, positional
 * sizes and settings type-checked, extra arguments refused, initialisers checked before any number
 * is drawn), forward (inputs that are not finite Tensors of the expected shape) and backward
 * (before forward, a gradOut that is not the last output's shape). A refused constructor leaves
 * the generator it was given, and the global one, where they were; a refused forward or backward
 * leaves the module's parameters, gradients, buffers and mode and its input as they were.
 */


/** A constructor call with its own generator, which must not move (nor the global one). */
const build = (name: string, make: (rng: Rng) => unknown, ...message: RegExp[]): ContractRow => constructorRow('layers', name, make, ...message);

/** A call on a fresh module (after `prepare`, e.g. a forward), which must leave it and `input` as they were. */
const on = moduleCallRow;

/** A Linear(2→3) with non-zero gradients, after a forward of a [4,2] batch (so backward is allowed). */
function trainedLinear(): Linear {
  const layer = new Linear(2, 3, { rng: new Rng(1) });
  for (const p of layer.params()) p.grad.data.fill(0.25);
  layer.forward(Tensor.fromArray([1, 2, 3, 4, 5, 6, 7, 8], [4, 2]));
  return layer;
}

/** A [4,2] batch. */
const x42 = (): Tensor => Tensor.fromArray([0.5, -1, 2, 0.25, -0.75, 1.5, 1, 0], [4, 2]);
/** A [1,1,4,4] image. */
const img = (): Tensor => Tensor.fromArray(Array.from({ length: 16 }, (_, i) => i / 8 - 1), [1, 1, 4, 4]);
/** A tensor that was a temporary of a step that has ended. */
function released(): Tensor {
  let inside: Tensor | null = null;
  withTemporaryTensors(() => {
    inside = Tensor.zeros([4, 2]);
    return 0;
  });
  return inside as unknown as Tensor;
}
/** A [4,2] batch holding NaN. */
const nan42 = (): Tensor => Tensor.fromArray([0.5, -1, NaN, 0.25, -0.75, 1.5, 1, 0], [4, 2]);

const linear: ContractRow[] = [
  build('new Linear(2, 25, rng): a positional generator', (rng) => new Linear(2, 25, any(rng)),
    /^Linear\(2→25\): expected an options object such as \{ rng: … \}, got a Rng; known options: bias, init, biasInit, rng, share$/),
  build('new Linear(2, 3, false): a positional bias', () => new Linear(2, 3, any(false)),
    /^Linear\(2→3\): expected an options object such as \{ bias: false \}, got boolean false \(options are passed by name\)/),
  build("new Linear(2, 3, 'zeros')", () => new Linear(2, 3, any('zeros')), /^Linear\(2→3\): expected an options object .*got string 'zeros'/),
  build("new Linear(2, 3, { bias: 'no' })", (rng) => new Linear(2, 3, any({ bias: 'no', rng })), /^Linear\(2→3\): option 'bias' must be true or false, got string 'no'$/),
  build('new Linear(2, 3, { bias: null })', (rng) => new Linear(2, 3, any({ bias: null, rng })), /^Linear\(2→3\): option 'bias' is null; give true or false, or leave it out for the default$/),
  build('new Linear(2, 3, { rng: null })', () => new Linear(2, 3, any({ rng: null })), /^Linear\(2→3\): option 'rng' is null; give an Rng such as new Rng\(42\)/),
  build('new Linear(2, 3, { rng: 42 })', () => new Linear(2, 3, any({ rng: 42 })), /^Linear\(2→3\): option 'rng' must be an Rng such as new Rng\(42\), got number 42$/),
  build('new Linear(2, 3, { bias_init })', (rng) => new Linear(2, 3, any({ bias_init: 'zeros', rng })), /^Linear\(2→3\): unknown option 'bias_init' \(did you mean 'biasInit'\?\); known options: bias, init, biasInit, rng, share$/),
  build('new Linear(2, 3, { weightInit })', (rng) => new Linear(2, 3, any({ weightInit: 'zeros', rng })), /^Linear\(2→3\): unknown option 'weightInit'; known options/),
  build("new Linear(2, 3, { biasInit: 'ones' }): checked before the weight is drawn", (rng) => new Linear(2, 3, any({ biasInit: 'ones', rng })),
    /^Linear\(2→3\): option 'biasInit' must be one of 'default', 'zeros', got string 'ones'$/),
  build("new Linear(2, 3, { bias: false, biasInit: 'zeros' })", (rng) => new Linear(2, 3, { bias: false, biasInit: 'zeros', rng }),
    /^Linear\(2→3\): 'biasInit' has no effect with bias: false \(there is no bias to initialise\); leave it out$/),
  build('new Linear(2, 3, { init: a function })', (rng) => new Linear(2, 3, any({ init: () => 0.1, rng })),
    /^Linear\(2→3\): init must be a name such as 'xavierUniform' .*got a function \(there are no init functions: write into layer\.weight\.value after building the layer\)/),
  build("new Linear(2, 3, { init: 'glorot' })", (rng) => new Linear(2, 3, any({ init: 'glorot', rng })), /^Linear\(2→3\): unknown init "glorot"; expected one of default, normal, xavierUniform/),
  build('new Linear(2, 3, { init: 7 })', (rng) => new Linear(2, 3, any({ init: 7, rng })), /^Linear\(2→3\): option 'init' must be an init name such as 'xavierUniform' or a spec such as \{ kind: 'normal', std: 0\.1 \}, got number 7$/),
  build('init normal with std Infinity', (rng) => new Linear(2, 3, { init: { kind: 'normal', std: Infinity }, rng }), /^Linear\(2→3\): init std must be a finite number ≥ 0, got Infinity$/),
  build('init normal with std 1e308: draws would overflow', (rng) => new Linear(2, 3, { init: { kind: 'normal', std: 1e308 }, rng }),
    /^Linear\(2→3\): init \{"kind":"normal","std":1e\+308\} for fans 2 and 3: N\(mean, std²\) needs a finite mean and a finite std ≥ 0/),
  build("init normal with 'stdev'", (rng) => new Linear(2, 3, any({ init: { kind: 'normal', stdev: 0.1 }, rng })), /^Linear\(2→3\): init 'normal': unknown option 'stdev'; known options: kind, std$/),
  build('init xavierUniform with std: a setting it does not read', (rng) => new Linear(2, 3, any({ init: { kind: 'xavierUniform', std: 0.1 }, rng })),
    /^Linear\(2→3\): init 'xavierUniform': unknown option 'std'; known options: kind, gain$/),
  build('init xavierUniform with gain NaN', (rng) => new Linear(2, 3, { init: { kind: 'xavierUniform', gain: NaN }, rng }), /^Linear\(2→3\): init gain must be a finite number > 0, got NaN$/),
  build('init xavierUniform with gain 1e308: an infinite width', (rng) => new Linear(2, 3, { init: { kind: 'xavierUniform', gain: 1e308 }, rng }),
    /^Linear\(2→3\): init .*U\(low, high\) needs finite numbers low ≤ high \(and a finite width high − low\)/),
  build("init xavierNormal with gain '2'", (rng) => new Linear(2, 3, any({ init: { kind: 'xavierNormal', gain: '2' }, rng })), /^Linear\(2→3\): init 'xavierNormal': option 'gain' must be a number, got string '2'$/),
  build("init kaimingNormal: 'a' with relu", (rng) => new Linear(2, 3, { init: { kind: 'kaimingNormal', nonlinearity: 'relu', a: 0.1 }, rng }),
    /^Linear\(2→3\): init 'kaimingNormal': 'a' is the slope of leaky_relu and has no effect with nonlinearity 'relu' \(leave it out\)$/),
  build("init kaimingUniform: mode 'fan_in'", (rng) => new Linear(2, 3, { init: { kind: 'kaimingUniform', mode: 'fan_in' as 'fanIn' }, rng }), /^Linear\(2→3\): init mode must be 'fanIn' or 'fanOut', got "fan_in"$/),
  build('init kaimingUniform: non_linearity', (rng) => new Linear(2, 3, any({ init: { kind: 'kaimingUniform', non_linearity: 'relu' }, rng })),
    /^Linear\(2→3\): init 'kaimingUniform': unknown option 'non_linearity' \(did you mean 'nonlinearity'\?\)/),
  build("init kaimingUniform: nonlinearity 'swish'", (rng) => new Linear(2, 3, any({ init: { kind: 'kaimingUniform', nonlinearity: 'swish' }, rng })), /^calculateGain: unknown nonlinearity 'swish'/),
  build("init { kind: 'he' }", (rng) => new Linear(2, 3, any({ init: { kind: 'he' }, rng })), /^Linear\(2→3\): unknown init \{"kind":"he"\}; expected one of default, normal/),
  row("new Linear(2, 3, { share, init }): init has no effect", () => {
    const other = new Linear(2, 3, { rng: new Rng(2) });
    return { act: () => new Linear(2, 3, { share: other, init: 'zeros' }), keeps: { modules: [other] } };
  }, /^Linear\(2→3\): 'init' has no effect with 'share' \(the shared parameters of Linear\(2→3\) are already initialised\); leave it out$/),
  row('new Linear(3, 3, { share }): other sizes', () => {
    const other = new Linear(2, 3, { rng: new Rng(2) });
    return { act: () => new Linear(3, 3, { share: other }), keeps: { modules: [other] } };
  }, /^Linear\(3→3\): cannot share the parameters of Linear\(2→3\): sizes and bias must match$/),
  build('new Linear(2, 3, { share: {} })', () => new Linear(2, 3, any({ share: {} })), /^Linear\(2→3\): option 'share' must be a Linear whose parameters to share, got an Object$/),
  build("new Linear('2', 3)", () => new Linear(any('2'), 3), /^Linear: inFeatures must be an integer ≥ 1, got string '2'$/),
  build('new Linear(0, 3)', () => new Linear(0, 3), /^Linear: inFeatures must be an integer ≥ 1, got 0$/),
  build('new Linear(2, NaN)', () => new Linear(2, NaN), /^Linear: outFeatures must be an integer ≥ 1, got NaN$/),
  build('new Linear(2, Infinity)', () => new Linear(2, Infinity), /^Linear: outFeatures must be an integer ≥ 1, got Infinity$/),
  build('new Linear(2.5, 3)', () => new Linear(2.5, 3), /^Linear: inFeatures must be an integer ≥ 1, got 2\.5$/),
  build('new Linear(2, 3, {}, 4): an extra argument', () => new (Linear as unknown as new (...a: unknown[]) => Linear)(2, 3, {}, 4),
    /^Linear: takes at most 3 arguments \(inFeatures, outFeatures, options\), got 4; an extra argument would be ignored$/),
  on('linear.forward(undefined)', () => new Linear(2, 3, { rng: new Rng(1) }), (m) => m.forward(any(undefined)), x42, /^Linear\(2→3\)\.forward: input must be a Tensor, got undefined$/),
  on('linear.forward([[1, 2]])', () => new Linear(2, 3, { rng: new Rng(1) }), (m) => m.forward(any([[1, 2]])), x42,
    /^Linear\(2→3\)\.forward: input must be a Tensor, got an array \[\[1,2\]\] \(make one with Tensor\.from, e\.g\. Tensor\.from\(\[\[1, 2\]\]\)\)$/),
  on('linear.forward([10,3])', () => new Linear(2, 25, { rng: new Rng(1) }), (m) => m.forward(Tensor.zeros([10, 3])), x42, /^Linear\(2→25\)\.forward: input has shape \[10,3\], expected \[N,2\]$/),
  on('linear.forward(1-D)', () => new Linear(2, 3, { rng: new Rng(1) }), (m) => m.forward(Tensor.zeros([4])), x42, /^Linear\(2→3\)\.forward: input has shape \[4\], expected \[N,…,2\] \(the 2 input features on the last axis\)$/),
  on('linear.forward(NaN)', () => new Linear(2, 3, { rng: new Rng(1) }), (m, x) => m.forward(x), nan42, /^Linear\(2→3\)\.forward: input holds a non-finite value \(NaN\) at flat index 2 of shape \[4,2\]$/),
  on('linear.forward(a released temporary)', () => new Linear(2, 3, { rng: new Rng(1) }), (m, x) => m.forward(x), released,
    /^Linear\(2→3\)\.forward: input Tensor\[4,2\] \(released\) was a temporary of a step that has ended/),
  on('linear.backward before forward', () => new Linear(2, 3, { rng: new Rng(1) }), (m) => m.backward(Tensor.zeros([4, 3])), x42, /^Linear\(2→3\)\.backward: called before forward/),
  on('linear.backward(gradOut [4,2]): gradients unchanged', trainedLinear, (m) => m.backward(Tensor.ones([4, 2])), x42, /^Linear\(2→3\)\.backward: gradOut has shape \[4,2\], expected \[4,3\] \(the shape of the last output\)$/),
  on('linear.backward([[1, 2, 3]])', trainedLinear, (m) => m.backward(any([[1, 2, 3]])), x42, /^Linear\(2→3\)\.backward: gradOut must be a Tensor, got an array/),
  on('linear.backward(undefined)', trainedLinear, (m) => m.backward(any(undefined)), x42, /^Linear\(2→3\)\.backward: gradOut must be a Tensor, got undefined$/),
  on("linear.train('no'): mode unchanged", () => new Linear(2, 3, { rng: new Rng(1) }), (m) => m.train(any('no')), x42, /^Linear\(2→3\)\.train: mode must be true \(training\) or false \(evaluation\), got string 'no'$/),
];

const conv: ContractRow[] = [
  build('new Conv2d(1, 8, 5, { dilation: 2 }): not supported', (rng) => new Conv2d(1, 8, 5, any({ dilation: 2, rng })), /^Conv2d\(1→8, 5×5\): unknown option 'dilation'; known options: stride, padding, bias, init, rng$/),
  build('new Conv2d(1, 8, 5, { groups: 2 })', (rng) => new Conv2d(1, 8, 5, any({ groups: 2, rng })), /^Conv2d\(1→8, 5×5\): unknown option 'groups'/),
  build('new Conv2d(1, 8, 5, 2): a positional stride', () => new Conv2d(1, 8, 5, any(2)), /^Conv2d\(1→8, 5×5\): expected an options object such as \{ stride: 2 \}, got number 2 \(options are passed by name\)/),
  build('new Conv2d(1, 8, 5, rng)', (rng) => new Conv2d(1, 8, 5, any(rng)), /^Conv2d\(1→8, 5×5\): expected an options object such as \{ rng: … \}, got a Rng/),
  build("new Conv2d(1, 8, 5, { stride: '2' })", (rng) => new Conv2d(1, 8, 5, any({ stride: '2', rng })), /^Conv2d\(1→8, 5×5\): option 'stride' must be a whole number or a pair \[height, width\], got string '2'$/),
  build('new Conv2d(1, 8, 5, { padding: -1 })', (rng) => new Conv2d(1, 8, 5, { padding: -1, rng }), /^Conv2d: padding must be an integer ≥ 0 or a pair \[height, width\] of them, got -1$/),
  build('new Conv2d(1, 8, 5, { padding: [1] })', (rng) => new Conv2d(1, 8, 5, any({ padding: [1], rng })), /^Conv2d: padding must be .*got \[1\]$/),
  build("new Conv2d(1, 8, 5, { stride: [1, '2'] })", (rng) => new Conv2d(1, 8, 5, any({ stride: [1, '2'], rng })), /^Conv2d: stride must be .*got \[1,string '2'\]$/),
  build("new Conv2d(1, 8, 5, { bias: 'yes' })", (rng) => new Conv2d(1, 8, 5, any({ bias: 'yes', rng })), /^Conv2d\(1→8, 5×5\): option 'bias' must be true or false, got string 'yes'$/),
  build("new Conv2d(1, 8, 5, { init: 'bogus' })", (rng) => new Conv2d(1, 8, 5, any({ init: 'bogus', rng })), /^Conv2d\(1→8, 5×5, stride 1, padding 0\): unknown init "bogus"/),
  build("new Conv2d(1, 8, 5, { rng: 'seed' })", () => new Conv2d(1, 8, 5, any({ rng: 'seed' })), /^Conv2d\(1→8, 5×5\): option 'rng' must be an Rng such as new Rng\(42\), got string 'seed'$/),
  build('new Conv2d(1, 8, { k: 5 })', () => new Conv2d(1, 8, any({ k: 5 })), /^Conv2d: kernelSize must be an integer ≥ 1 or a pair \[height, width\] of them, got an Object$/),
  build('new Conv2d(1, 8, 0)', () => new Conv2d(1, 8, 0), /^Conv2d: kernelSize must be .*got 0$/),
  build("new Conv2d('1', 8, 5)", () => new Conv2d(any('1'), 8, 5), /^Conv2d: inChannels must be an integer ≥ 1, got string '1'$/),
  build('new Conv2d(1, 8, 5, {}, 1)', () => new (Conv2d as unknown as new (...a: unknown[]) => Conv2d)(1, 8, 5, {}, 1), /^Conv2d: takes at most 4 arguments \(inChannels, outChannels, kernelSize, options\), got 5/),
  on('conv.forward([4,9])', () => new Conv2d(1, 2, 3, { rng: new Rng(1) }), (m) => m.forward(Tensor.zeros([4, 9])), img, /^Conv2d\(1→2, 3×3, stride 1, padding 0\)\.forward: input has shape \[4,9\], expected \[N,C,H,W\]/),
  on('conv.forward(3 channels)', () => new Conv2d(1, 2, 3, { rng: new Rng(1) }), (m) => m.forward(Tensor.zeros([1, 3, 4, 4])), img, /\.forward: expects 1 input channel, got 3/),
  on('conv.forward(a window that does not fit)', () => new Conv2d(1, 2, 5, { rng: new Rng(1) }), (m, x) => m.forward(x), img, /\.forward: the 5×5 window does not fit in the padded input: 4×4/),
  on('conv.backward before forward', () => new Conv2d(1, 2, 3, { rng: new Rng(1) }), (m) => m.backward(Tensor.zeros([1, 2, 2, 2])), img, /^Conv2d\(1→2, 3×3, stride 1, padding 0\)\.backward: called before forward/),
];

const pooling: ContractRow[] = [];
for (const [kind, Pool] of [['MaxPool2d', MaxPool2d], ['AvgPool2d', AvgPool2d]] as const) {
  const make = Pool as unknown as new (...a: unknown[]) => Module;
  pooling.push(
    build(`new ${kind}(2, { stride: 2 }): options where sizes belong`, () => new make(2, { stride: 2 }),
      new RegExp(`^${kind}: stride must be an integer ≥ 1 or a pair \\[height, width\\] of them, got an Object \\(${kind} takes its sizes as positional arguments, new ${kind}\\(kernelSize, stride, padding\\)`)),
    build(`new ${kind}('2')`, () => new make('2'), new RegExp(`^${kind}: kernelSize must be .*got string '2'`)),
    build(`new ${kind}(2, 2, 0, 1): an extra argument (dilation, ceil_mode)`, () => new make(2, 2, 0, 1),
      new RegExp(`^${kind}: takes at most 3 arguments \\(kernelSize, stride, padding\\), got 4; an extra argument would be ignored$`)),
    build(`new ${kind}(3, 1, 2): padding more than half the kernel`, () => new make(3, 1, 2), new RegExp(`^${kind}\\(3×3, stride 1, padding 2\\): padding \\[2,2\\] must be at most half the kernel \\[3,3\\]`)),
    build(`new ${kind}([2, 0])`, () => new make([2, 0]), new RegExp(`^${kind}: kernelSize must be .*got \\[2,0\\]`)),
    build(`new ${kind}(2, null)`, () => new make(2, null), new RegExp(`^${kind}: stride must be .*got null`)),
    on(`${kind.toLowerCase()}.forward([3,8])`, () => new make(2), (m) => m.forward(Tensor.zeros([3, 8])), img, new RegExp(`^${kind}\\(2×2, stride 2\\)\\.forward: input has shape \\[3,8\\], expected \\[N,C,H,W\\]`)),
    on(`${kind.toLowerCase()}.forward(NaN)`, () => new make(2), (m) => m.forward(Tensor.full([1, 1, 2, 2], NaN)), img, new RegExp(`^${kind}\\(2×2, stride 2\\)\\.forward: input holds a non-finite value \\(NaN\\)`)),
  );
}

/** A BatchNorm1d(2) in training mode whose running statistics have moved. */
function usedBatchNorm(): BatchNorm1d {
  const bn = new BatchNorm1d(2);
  bn.forward(Tensor.fromArray([1, 2, 3, 5, -1, 0], [3, 2]));
  return bn;
}

const batchNorm: ContractRow[] = [
  build('new BatchNorm1d(3, 1e-3): a positional eps', () => new BatchNorm1d(3, any(1e-3)), /^BatchNorm1d\(3\): expected an options object such as \{ eps: 0\.001 \}, got number 0\.001 \(options are passed by name\); known options: eps, momentum, affine$/),
  // momentum null is PyTorch's cumulative average (accepted: spec/checkpoint.spec.ts); these are not
  build("new BatchNorm1d(3, { momentum: 'none' })", () => new BatchNorm1d(3, any({ momentum: 'none' })), /^BatchNorm1d\(3\): option 'momentum' must be a number or null, got string 'none'$/),
  build('new BatchNorm2d(3, { momentum: NaN })', () => new BatchNorm2d(3, { momentum: NaN }), /^BatchNorm2d\(3\): momentum must be in \[0, 1\], got NaN$/),
  build('new BatchNorm1d(3, { momentum: -0.1 })', () => new BatchNorm1d(3, { momentum: -0.1 }), /^BatchNorm1d\(3\): momentum must be in \[0, 1\], got -0\.1$/),
  build('new BatchNorm2d(3, { track_running_stats: false })', () => new BatchNorm2d(3, any({ track_running_stats: false })), /^BatchNorm2d\(3\): unknown option 'track_running_stats'; known options: eps, momentum, affine$/),
  build('new BatchNorm1d(3, { Momentum: 0.1 })', () => new BatchNorm1d(3, any({ Momentum: 0.1 })), /^BatchNorm1d\(3\): unknown option 'Momentum' \(did you mean 'momentum'\?\)/),
  build('new BatchNorm1d(3, { momentum: 1.5 })', () => new BatchNorm1d(3, { momentum: 1.5 }), /^BatchNorm1d\(3\): momentum must be in \[0, 1\], got 1\.5$/),
  build('new BatchNorm1d(3, { eps: 0 })', () => new BatchNorm1d(3, { eps: 0 }), /^BatchNorm1d\(3\): eps must be a finite number > 0, got 0$/),
  build("new BatchNorm1d(3, { eps: '1e-5' })", () => new BatchNorm1d(3, any({ eps: '1e-5' })), /^BatchNorm1d\(3\): option 'eps' must be a number, got string '1e-5'$/),
  build("new BatchNorm2d(3, { affine: 'yes' })", () => new BatchNorm2d(3, any({ affine: 'yes' })), /^BatchNorm2d\(3\): option 'affine' must be true or false, got string 'yes'$/),
  build("new BatchNorm1d('3')", () => new BatchNorm1d(any('3')), /^BatchNorm1d: numFeatures must be an integer ≥ 1, got string '3'$/),
  build('new BatchNorm2d(0)', () => new BatchNorm2d(0), /^BatchNorm2d\(0\): numFeatures must be an integer ≥ 1, got 0$/),
  build('new BatchNorm1d(3, {}, 1)', () => new (BatchNorm1d as unknown as new (...a: unknown[]) => BatchNorm1d)(3, {}, 1), /^BatchNorm1d: takes at most 2 arguments \(numFeatures, options\), got 3/),
  on('bn.forward(one sample) in training mode: running statistics unchanged', usedBatchNorm, (m) => m.forward(Tensor.from([[1, 2]])), x42,
    /^BatchNorm1d\(2\)\.forward: Expected more than 1 value per channel when training, got input shape \[1,2\]/),
  on('bn.forward(NaN): running statistics unchanged', usedBatchNorm, (m, x) => m.forward(x), nan42, /^BatchNorm1d\(2\)\.forward: input holds a non-finite value \(NaN\)/),
  on('bn.forward(3 features)', usedBatchNorm, (m) => m.forward(Tensor.zeros([4, 3])), x42, /^BatchNorm1d\(2\)\.forward: input has shape \[4,3\], expected \[N,2\]$/),
  on('bn2d.forward([4,2])', () => new BatchNorm2d(2), (m, x) => m.forward(x), x42, /^BatchNorm2d\(2\)\.forward: input has shape \[4,2\], expected \[N,2,H,W\]$/),
  on('bn.backward(gradOut [3,3]): gradients unchanged', usedBatchNorm, (m) => m.backward(Tensor.ones([3, 3])), x42, /^BatchNorm1d\(2\)\.backward: gradOut has shape \[3,3\], expected \[3,2\]/),
  on('bn.train(1): mode unchanged', usedBatchNorm, (m) => m.train(any(1)), x42, /^BatchNorm1d\(2\)\.train: mode must be true \(training\) or false \(evaluation\), got number 1$/),
];

/** A row building a Dropout from a fresh generator that must not move. */
const dropout: ContractRow[] = [
  build('new Dropout({ p: 0.2 }): options where p belongs', () => new Dropout(any({ p: 0.2 })),
    /^Dropout: p must be in \[0, 1\], got an Object \(Dropout takes p as its first argument and options second: new Dropout\(0\.2, \{ rng \}\)\)$/),
  build('new Dropout(1.5)', () => new Dropout(1.5), /^Dropout: p must be in \[0, 1\], got 1\.5$/),
  build('new Dropout(-0.1)', () => new Dropout(-0.1), /^Dropout: p must be in \[0, 1\], got -0\.1$/),
  build('new Dropout(NaN)', () => new Dropout(NaN), /^Dropout: p must be in \[0, 1\], got NaN$/),
  build("new Dropout('0.5')", () => new Dropout(any('0.5')), /^Dropout: p must be in \[0, 1\], got string '0\.5'$/),
  build('new Dropout(0.2, rng): a positional generator', (rng) => new Dropout(0.2, any(rng)), /^Dropout\(p=0\.2\): expected an options object such as \{ rng: … \}, got a Rng; known options: rng$/),
  build('new Dropout(0.2, true): PyTorch\'s inplace', () => new Dropout(0.2, any(true)), /^Dropout\(p=0\.2\): expected an options object .*got boolean true/),
  build('new Dropout(0.2, { seed: 1 })', () => new Dropout(0.2, any({ seed: 1 })), /^Dropout\(p=0\.2\): unknown option 'seed'; known options: rng$/),
  build('new Dropout(0.2, { rng: null })', () => new Dropout(0.2, any({ rng: null })), /^Dropout\(p=0\.2\): option 'rng' is null/),
  build('new Dropout(0.2, {}, 1)', () => new (Dropout as unknown as new (...a: unknown[]) => Dropout)(0.2, {}, 1), /^Dropout: takes at most 2 arguments \(p, options\), got 3/),
  on('dropout.forward(NaN): draws no mask', () => new Dropout(0.5), (m, x) => m.forward(x), nan42, /^Dropout\(p=0\.5\)\.forward: input holds a non-finite value \(NaN\)/),
  on('dropout.forward(undefined)', () => new Dropout(0.5), (m) => m.forward(any(undefined)), x42, /^Dropout\(p=0\.5\)\.forward: input must be a Tensor, got undefined$/),
];

const activations: ContractRow[] = [
  build("new LeakyReLU('0.1')", () => new LeakyReLU(any('0.1')), /^LeakyReLU: negativeSlope must be a finite number, got string '0\.1'$/),
  build('new LeakyReLU({ negativeSlope: 0.2 })', () => new LeakyReLU(any({ negativeSlope: 0.2 })), /^LeakyReLU: negativeSlope must be a finite number, got an Object$/),
  build('new LeakyReLU(NaN)', () => new LeakyReLU(NaN), /^LeakyReLU: negativeSlope must be a finite number, got NaN$/),
  build('new LeakyReLU(0.1, true)', () => new (LeakyReLU as unknown as new (...a: unknown[]) => Module)(0.1, true), /^LeakyReLU: takes at most 1 argument \(negativeSlope\), got 2/),
  build('new ELU([1])', () => new ELU(any([1])), /^ELU: alpha must be a finite number, got an array \[1\]$/),
  build('new ELU(Infinity)', () => new ELU(Infinity), /^ELU: alpha must be a finite number, got Infinity$/),
  build("new GELU({ approximate: 'tanh' })", () => new GELU(any({ approximate: 'tanh' })), /^GELU: approximate must be 'none' or 'tanh', got an Object \(GELU takes the string itself: new GELU\('tanh'\)\)$/),
  build("new GELU('fast')", () => new GELU(any('fast')), /^GELU: approximate must be 'none' or 'tanh', got "fast"$/),
  build('new GELU(true)', () => new GELU(any(true)), /^GELU: approximate must be 'none' or 'tanh', got boolean true$/),
  build('new Softmax(0): not the last axis', () => new Softmax(0), /^Softmax: dim must be -1 or 1 \(the last axis of an \[N,K\] input, the only one supported\), got 0$/),
  build("new Softmax('x')", () => new Softmax(any('x')), /^Softmax: dim must be -1 or 1 .*got string 'x'$/),
  build('new Softmax(-1, 0)', () => new (Softmax as unknown as new (...a: unknown[]) => Module)(-1, 0), /^Softmax: takes at most 1 argument \(dim\), got 2/),
  build('new ReLU(true): PyTorch\'s inplace', () => new (ReLU as unknown as new (...a: unknown[]) => Module)(true), /^ReLU: takes no arguments, got 1; an extra argument would be ignored$/),
  build('new Tanh(1)', () => new (Tanh as unknown as new (...a: unknown[]) => Module)(1), /^Tanh: takes no arguments, got 1/),
  build('new Sigmoid({})', () => new (Sigmoid as unknown as new (...a: unknown[]) => Module)({}), /^Sigmoid: takes no arguments, got 1/),
  build('new Flatten(0): start_dim', () => new (Flatten as unknown as new (...a: unknown[]) => Module)(0), /^Flatten: takes no arguments, got 1/),
  on('softmax.forward([2,3,4])', () => new Softmax(), (m) => m.forward(Tensor.zeros([2, 3, 4])), x42, /^Softmax\.forward: input has shape \[2,3,4\], expected \[N,K\]/),
  on('flatten.forward([5])', () => new Flatten(), (m) => m.forward(Tensor.zeros([5])), x42, /^Flatten\.forward: input has shape \[5\], expected at least 2 axes/),
  on("tanh.forward('x')", () => new Tanh(), (m) => m.forward(any('x')), x42, /^Tanh\.forward: input must be a Tensor, got string x$/),
  on('relu.forward(a function)', () => new ReLU(), (m) => m.forward(any(() => 1)), x42, /^ReLU\.forward: input must be a Tensor, got a function$/),
  on('sigmoid.forward(Infinity)', () => new Sigmoid(), (m) => m.forward(Tensor.full([2], Infinity)), x42, /^Sigmoid\.forward: input holds a non-finite value \(Infinity\)/),
  on('gelu.backward before forward', () => new GELU(), (m) => m.backward(Tensor.zeros([4, 2])), x42, /^GELU\.backward: called before forward/),
  on('elu.backward(gradOut of another shape)', () => {
    const m = new ELU();
    m.forward(x42());
    return m;
  }, (m) => m.backward(Tensor.zeros([2, 4])), x42, /^ELU\.backward: gradOut has shape \[2,4\], expected \[4,2\]/),
];

const parameters: ContractRow[] = [
  build('new Parameter(NaN values)', () => new Parameter(Tensor.from([1, NaN])), /^Parameter param: value holds a non-finite value \(NaN\) at flat index 1 of shape \[2\]; a parameter starts from finite numbers$/),
  build('new Parameter([1, 2])', () => new Parameter(any([1, 2])), /^Parameter: value must be a Tensor, got an array \[1,2\]$/),
  build('new Parameter(t, 5): a name that is not a string', () => new Parameter(Tensor.zeros([2]), any(5)), /^Parameter: name must be a string, got number 5$/),
];

/** Layers and activations: constructors, forward, backward, train. */
export const table: ContractTable = {
  title: 'layers',
  rows: [...linear, ...conv, ...pooling, ...batchNorm, ...dropout, ...activations, ...parameters],
};
