import { CrossEntropyLoss } from '../../../lib/losses/cross-entropy';
import { MSELoss } from '../../../lib/losses/mse';
import { ReLU } from '../../../lib/modules/activations/relu';
import { Sequential } from '../../../lib/modules/containers/sequential';
import { Linear } from '../../../lib/modules/linear';
import { BatchNorm1d } from '../../../lib/modules/normalization/batch-norm1d';
import { Adam } from '../../../lib/optim/adam';
import { SGD } from '../../../lib/optim/sgd';
import { Rng } from '../../../lib/random/rng';
import { Tensor } from '../../../lib/tensor/tensor';
import { NeuralNet, Targets } from '../../../lib/training/neural-net';
import { ContractRow, ContractTable, Keeps, row } from '../harness';

/*
 * NeuralNet: its constructor's options, fit's, step's, predict's and evaluate's inputs and
 * options. A fit that throws before its first step leaves the model, the optimizer and every
 * generator (its own `rng` and the global one) as they were; one that throws mid-training
 * leaves them as before the failing step.
 */

/** A small classifier on 2 features, 3 classes, its data (10 samples) and a trainer with its own generator. */
function setup(options: { batchNorm?: boolean; optimizer?: 'sgd' | 'adam'; loss?: 'mse' | 'ce' } = {}) {
  const rng = new Rng(7);
  const model = new Sequential(new Linear(2, 4, { rng }), ...(options.batchNorm ? [new BatchNorm1d(4)] : []), new ReLU(), new Linear(4, 3, { rng }));
  const optimizer = options.optimizer === 'adam' ? new Adam(model.params(), { lr: 0.01 }) : new SGD(model.params(), { lr: 0.1, momentum: 0.9 });
  const shuffle = new Rng(8);
  const net = new NeuralNet(model, { loss: options.loss === 'ce' ? new CrossEntropyLoss() : new MSELoss(), optimizer, rng: shuffle });
  const x = Tensor.fromArray(Array.from({ length: 20 }, (_, i) => Math.sin(i + 1)), [10, 2]);
  const classes = [0, 1, 2, 0, 1, 2, 0, 1, 2, 0];
  const y = Tensor.zeros([10, 3]);
  classes.forEach((c, i) => y.set([i, c], 1));
  // one step first, so that the optimizer has state to keep
  net.fit(x, options.loss === 'ce' ? classes : y, { epochs: 1, batchSize: 5 });
  const keeps: Keeps = { modules: [model], optimizers: [optimizer], rngs: [shuffle, rng], tensors: [x, y] };
  return { model, optimizer, net, x, y, classes, keeps, shuffle };
}

/** What a step that fails mid-training keeps: parameters, buffers, optimizer state; not the gradients or the epoch's order. */
function midTraining(s: ReturnType<typeof setup>): Keeps {
  return { modules: [s.model], grads: false, optimizers: [s.optimizer], tensors: [s.x, s.y] };
}

/** A row whose call is `act(net, data)` on a fresh setup. */
function fitRow(name: string, act: (s: ReturnType<typeof setup>) => unknown, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const s = setup();
    return { act: () => act(s), keeps: s.keeps };
  }, ...message);
}

const badOptions: [string, unknown, RegExp][] = [
  ['a number where the options belong (epochs?)', 300, /NeuralNet\.fit: expected an options object such as \{ epochs: 300 \}, got number 300 \(options are passed by name\)/],
  ['a string', 'fast', /NeuralNet\.fit: expected an options object/],
  ['an array', [1, 2], /NeuralNet\.fit: expected an options object .* got an array \[1,2\]/],
  ['null', null, /NeuralNet\.fit: expected an options object .* got null/],
  ['batch_size (snake_case)', { batch_size: 5 }, /unknown option 'batch_size' \(did you mean 'batchSize'\?\)/, ],
  ['an unknown option', { learningRate: 0.1 }, /unknown option 'learningRate'; known options: epochs, batchSize, shuffle, labels, validation, onEpoch/],
  ['epochs as a string', { epochs: '3' }, /option 'epochs' must be a whole number, got string '3'/],
  ['epochs 0', { epochs: 0 }, /NeuralNet\.fit: epochs must be an integer ≥ 1, got 0/],
  ['epochs 2.5', { epochs: 2.5 }, /option 'epochs' must be a whole number, got number 2\.5/],
  ['epochs Infinity', { epochs: Infinity }, /option 'epochs' must be a whole number, got number Infinity/],
  ['epochs null', { epochs: null }, /option 'epochs' is null; give a whole number, or leave it out for the default/],
  ['batchSize 0', { batchSize: 0 }, /NeuralNet\.fit: batchSize must be an integer ≥ 1, got 0/],
  ['batchSize -4', { batchSize: -4 }, /batchSize must be an integer ≥ 1, got -4/],
  ['batchSize NaN', { batchSize: NaN }, /option 'batchSize' must be a whole number, got number NaN/],
  ['shuffle "no"', { shuffle: 'no' }, /option 'shuffle' must be true or false, got string 'no'/],
  ['shuffle 0', { shuffle: 0 }, /option 'shuffle' must be true or false, got number 0/],
  ['onEpoch not a function', { onEpoch: 'log' }, /option 'onEpoch' must be a function, got string 'log'/],
  ['onEpoch an object', { onEpoch: { epoch: 1 } }, /option 'onEpoch' must be a function, got an Object/],
  ['scheduler not a scheduler', { scheduler: { step() {} } }, /option 'scheduler' must be a learning-rate scheduler such as new StepLR\(net\.optimizer, \{ stepSize: 30 \}\), got an Object/],
  ['schedulerInterval "step"', { schedulerInterval: 'step' }, /option 'schedulerInterval' must be one of 'epoch', 'batch', got string 'step'/],
  ['onBatch not a function', { onBatch: 1 }, /option 'onBatch' must be a function, got number 1/],
  ['earlyStopping without a validation set', { earlyStopping: { patience: 2 } }, /NeuralNet\.fit: earlyStopping watches the validation set/],
  ['earlyStopping a number', { earlyStopping: 3 }, /option 'earlyStopping' must be an options object, got number 3/],
  ['clipGradNorm 0', { clipGradNorm: 0 }, /NeuralNet\.fit: clipGradNorm must be .*got 0/],
  ['clipGradNorm and clipGradValue', { clipGradNorm: 1, clipGradValue: 1 }, /give clipGradNorm or clipGradValue, not both/],
  ['labels a number', { labels: 3 }, /option 'labels' must be an array of class numbers, got number 3/],
  ['labels of another length', { labels: [0, 1, 2] }, /NeuralNet\.fit: labels has 3 entries but inputs have 10 rows/],
  ['labels not whole numbers', { labels: [0, 1, 2, 0, 1, 2, 0, 1, 2, 0.5] }, /labels must be whole class numbers ≥ 0, got number 0\.5 at index 9/],
  ['labels negative', { labels: [0, 1, 2, 0, 1, 2, 0, 1, 2, -1] }, /labels must be whole class numbers ≥ 0, got number -1 at index 9/],
  ['labels beyond the model\'s classes', { labels: [0, 1, 2, 0, 1, 2, 0, 1, 2, 3] }, /label 3 of sample 9 is not a class of the model's output \(3 classes, 0\.\.2\)/],
  ['labels as strings', { labels: ['0', '1', '2', '0', '1', '2', '0', '1', '2', '0'] }, /labels must be whole class numbers ≥ 0, got string '0' at index 0/],
  ['validation a Tensor', { validation: Tensor.zeros([2, 2]) }, /option 'validation' must be an object \{ inputs, targets, labels\? \}, got a Tensor/],
  ['validation without targets', { validation: { inputs: Tensor.zeros([2, 2]) } }, /NeuralNet\.fit \(validation set\): expected \{ inputs, targets \}.*got no targets/],
  ['validation with an unknown key', { validation: { inputs: Tensor.zeros([2, 2]), targets: [0, 1], weights: [1, 1] } }, /NeuralNet\.fit \(validation set\): unknown option 'weights'/],
];

const rows: ContractRow[] = [
  ...badOptions.map(([name, options, message]) => fitRow(`fit options: ${name}`, (s) => s.net.fit(s.x, s.y, options as never), message)),

  // the data
  fitRow('fit: inputs an array of arrays', (s) => s.net.fit([[1, 2]] as never, s.y), /NeuralNet\.fit: inputs must be a Tensor, got an array/),
  fitRow('fit: inputs null', (s) => s.net.fit(null as never, s.y), /NeuralNet\.fit: inputs must be a Tensor, got null/),
  fitRow('fit: inputs holding NaN', (s) => {
    const x = s.x.clone();
    x.data[7] = NaN;
    return s.net.fit(x, s.y);
  }, /NeuralNet\.fit: inputs hold a non-finite value \(NaN\) in row 3/),
  fitRow('fit: inputs holding -Infinity', (s) => {
    const x = s.x.clone();
    x.data[0] = -Infinity;
    return s.net.fit(x, s.y);
  }, /inputs hold a non-finite value \(-Infinity\) in row 0/),
  fitRow('fit: targets a string', (s) => s.net.fit(s.x, 'abc' as never), /targets must be a Tensor or an array of class indices, got string 'abc'/),
  fitRow('fit: targets with fewer rows', (s) => s.net.fit(s.x, Tensor.zeros([9, 3])), /inputs have 10 rows \(shape \[10,2\]\) but targets have 9 \(shape \[9,3\]\)/),
  fitRow('fit: targets holding NaN', (s) => {
    const y = s.y.clone();
    y.data[29] = NaN;
    return s.net.fit(s.x, y);
  }, /targets hold a non-finite value \(NaN\) in row 9/),
  fitRow('fit: targets with the wrong number of columns for the loss', (s) => s.net.fit(s.x, Tensor.zeros([10, 2])),
    /NeuralNet\.fit: the targets \(shape \[10,2\]\) do not suit MSELoss and the model's output \(shape \[10,3\]\)/),
  fitRow('fit: class indices as strings', (s) => s.net.fit(s.x, ['0', '1', '2', '0', '1', '2', '0', '1', '2', '0'] as never),
    /targets given as an array must be whole class numbers, got string '0' at index 0/),
  fitRow('fit: class indices with a fraction', (s) => s.net.fit(s.x, [0, 1, 2, 0, 1, 2, 0, 1, 2, 1.5]),
    /targets given as an array must be whole class numbers, got number 1\.5 at index 9/),
  fitRow('fit: inputs the model cannot take (3 features for 2)', (s) => s.net.fit(Tensor.zeros([10, 3]), s.y),
    /NeuralNet\.fit: the model cannot take these inputs \(shape \[10,3\]\): Sequential\[0\] Linear\(2→4\)\.forward: input has shape \[1,3\], expected \[N,2\]/),
  fitRow('fit: a validation set with the wrong number of columns (found before the first epoch)', (s) => s.net.fit(s.x, s.y, { validation: { inputs: Tensor.zeros([4, 3]), targets: Tensor.zeros([4, 3]) } }),
    /NeuralNet\.fit \(validation set\): the model cannot take these inputs \(shape \[4,3\]\)/),
  fitRow('fit: validation targets that do not suit the loss', (s) => s.net.fit(s.x, s.y, { validation: { inputs: Tensor.zeros([4, 2]), targets: Tensor.zeros([4, 5]) } }),
    /NeuralNet\.fit \(validation set\): the targets \(shape \[4,5\]\) do not suit MSELoss/),
  fitRow('fit: validation inputs holding Infinity', (s) => s.net.fit(s.x, s.y, { validation: { inputs: Tensor.full([4, 2], Infinity), targets: Tensor.zeros([4, 3]) } }),
    /NeuralNet\.fit \(validation set\): inputs hold a non-finite value \(Infinity\) in row 0/),
  row('fit with cross-entropy: a class index out of range in a later batch (found before the first step)', () => {
    const s = setup({ loss: 'ce' });
    const classes = [...s.classes];
    classes[9] = 3;
    return { act: () => s.net.fit(s.x, classes, { batchSize: 5, shuffle: false }), keeps: s.keeps };
  }, /NeuralNet\.fit: the targets \(shape \[10\]\) do not suit CrossEntropyLoss/, /3/),
  row('fit with BatchNorm1d: a last batch of one sample (found before the first step)', () => {
    const s = setup({ batchNorm: true });
    return { act: () => s.net.fit(s.x, s.y, { batchSize: 3 }), keeps: s.keeps };
  }, /NeuralNet\.fit: the last batch of each epoch holds \(10 samples in batches of 3\) one sample, and BatchNorm1d cannot take batch statistics of one value in training mode/),
  row('fit with BatchNorm1d: batches of one sample', () => {
    const s = setup({ batchNorm: true });
    return { act: () => s.net.fit(s.x, s.y, { batchSize: 1 }), keeps: s.keeps };
  }, /every batch holds one sample, and BatchNorm1d cannot/),

  // failing mid-training: parameters, buffers and optimizer state as before the failing step
  // (the gradients were cleared by the step, and the epoch's order was drawn)
  row('fit: the learning rate set to NaN between fits (caught by the optimizer before it moves anything)', () => {
    const s = setup();
    s.optimizer.lr = NaN;
    return { act: () => s.net.fit(s.x, s.y, { batchSize: 5 }), keeps: midTraining(s) };
  }, /NeuralNet \(epoch 1, batch 1\): SGD\.step: lr must be a finite number ≥ 0, got NaN; the parameters, buffers and optimizer state are back to their values before this step/),
  row('fit: an update that overflows a weight (finite loss, finite gradient, a huge step)', () => {
    const s = setup({ optimizer: 'sgd' });
    s.optimizer.lr = 1e308;
    const far = s.y.clone();
    for (let i = 0; i < far.size; i++) far.data[i] *= 1e6; // gradients of about 1e6: a step of 1e314
    return { act: () => s.net.fit(s.x, far, { batchSize: 10 }), keeps: midTraining(s) };
  }, /NeuralNet \(epoch 1, batch 1\): training diverged: Sequential\[\d\] Linear\([24]→[34]\) (weight|bias) became -?Infinity/, /try a smaller learning rate/),
  row('fit with BatchNorm1d: a running variance that overflows in the forward pass', () => {
    const s = setup({ batchNorm: true });
    const huge = s.x.clone();
    for (let i = 0; i < huge.size; i++) huge.data[i] *= 1e160;
    return { act: () => s.net.fit(huge, s.y, { batchSize: 5 }), keeps: { ...midTraining(s), tensors: [huge, s.y] } };
  }, /training diverged: Sequential\[1\] BatchNorm1d\(4\) runningVar became Infinity/),
  row('step: a weight made huge by hand makes the next layer refuse a non-finite input: reported as divergence', () => {
    const s = setup();
    const first = s.model.children()[0] as Linear;
    first.weight.value.data.fill(1.7e308); // two features of about 0.9: their sum overflows
    return { act: () => s.net.step(s.x, s.y, 4, 2), keeps: midTraining(s) };
  }, /NeuralNet \(epoch 4, batch 2\): training diverged: .*non-finite/, /try a smaller learning rate/),

  // step, predict, evaluate
  fitRow('step: xBatch not a Tensor', (s) => s.net.step([[1, 2]] as never, s.y), /NeuralNet\.step: xBatch must be a Tensor, got an array/),
  fitRow('step: yBatch undefined', (s) => s.net.step(s.x, undefined as never), /NeuralNet\.step: yBatch must be a Tensor, got undefined/),
  fitRow('step: epoch 0', (s) => s.net.step(s.x, s.y, 0), /NeuralNet\.step: epoch must be an integer ≥ 1, got 0/),
  fitRow('step: inputs holding NaN', (s) => s.net.step(Tensor.full([10, 2], NaN), s.y), /NeuralNet\.step: inputs hold a non-finite value \(NaN\)/),
  row('step: targets the loss refuses', () => {
    const s = setup();
    return { act: () => s.net.step(s.x, Tensor.zeros([10, 2])), keeps: midTraining(s) };
  }, /NeuralNet \(epoch 1, batch 1\): MSELoss\.forward: target has shape \[10,2\] but pred has shape \[10,3\]/, /back to their values before this step/),
  fitRow('predict: a positional batch size', (s) => s.net.predict(s.x, 100 as never), /NeuralNet\.predict: expected an options object such as \{ batchSize: 100 \}/),
  fitRow('predict: batchSize 0', (s) => s.net.predict(s.x, { batchSize: 0 }), /NeuralNet\.predict: batchSize must be an integer ≥ 1, got 0/),
  fitRow('predict: batch_size', (s) => s.net.predict(s.x, { batch_size: 10 } as never), /unknown option 'batch_size' \(did you mean 'batchSize'\?\)/),
  fitRow('predict: inputs a string', (s) => s.net.predict('x' as never), /NeuralNet\.predict: inputs must be a Tensor, got string 'x'/),
  fitRow('predict: inputs holding NaN', (s) => s.net.predict(Tensor.full([3, 2], NaN)), /NeuralNet\.predict: inputs hold a non-finite value \(NaN\) in row 0/),
  fitRow('predict: inputs the model cannot take', (s) => s.net.predict(Tensor.zeros([3, 5])), /Linear\(2→4\)\.forward: input has shape \[3,5\], expected \[N,2\]/),
  fitRow('evaluate: batchSize 1.5', (s) => s.net.evaluate(s.x, s.y, { batchSize: 1.5 }), /NeuralNet\.evaluate: option 'batchSize' must be a whole number, got number 1\.5/),
  fitRow('evaluate: an unknown option', (s) => s.net.evaluate(s.x, s.y, { epochs: 2 } as never), /NeuralNet\.evaluate: unknown option 'epochs'; known options: labels, batchSize/),
  fitRow('evaluate: targets of another length', (s) => s.net.evaluate(s.x, [0, 1] as Targets), /NeuralNet\.evaluate: inputs have 10 rows .* but targets have 2/),
  fitRow('evaluate: targets that do not suit the loss', (s) => s.net.evaluate(s.x, Tensor.zeros([10, 7])), /NeuralNet\.evaluate: the targets \(shape \[10,7\]\) do not suit MSELoss/),

  // the constructor
  row('new NeuralNet: a Loss where the options belong', () => {
    const model = new Linear(2, 2, { rng: new Rng(1) });
    return { act: () => new NeuralNet(model, new CrossEntropyLoss() as never), keeps: { modules: [model] } };
  }, /NeuralNet: expected an options object such as \{ loss: … \}, got a CrossEntropyLoss/),
  row('new NeuralNet: model a Linear class, not an instance', () => ({ act: () => new NeuralNet(Linear as never) }), /NeuralNet: model must be a Module, got a function/),
  row('new NeuralNet: model undefined', () => ({ act: () => new NeuralNet(undefined as never) }), /NeuralNet: model must be a Module, got undefined/),
  ...([
    ['learning_rate', { learning_rate: 0.1 }, /unknown option 'learning_rate'; known options: loss, optimizer, lr, weightDecay, rng/],
    ['weight_decay', { weight_decay: 0.1 }, /unknown option 'weight_decay' \(did you mean 'weightDecay'\?\)/],
    ['lr a string', { lr: '0.1' }, /option 'lr' must be a number, got string '0\.1'/],
    ['lr null', { lr: null }, /option 'lr' is null; give a number, or leave it out for the default/],
    ['lr -1', { lr: -1 }, /NeuralNet: lr must be a finite number ≥ 0, got -1/],
    ['lr NaN', { lr: NaN }, /NeuralNet: lr must be a finite number ≥ 0, got NaN/],
    ['weightDecay Infinity', { weightDecay: Infinity }, /NeuralNet: weightDecay must be a finite number ≥ 0, got Infinity/],
    ['loss a string', { loss: 'mse' }, /option 'loss' must be a Loss such as new MSELoss\(\), got string 'mse'/],
    ['loss a Loss class', { loss: MSELoss }, /option 'loss' must be a Loss such as new MSELoss\(\), got a function/],
    ['optimizer an object', { optimizer: { step() {} } }, /option 'optimizer' must be an Optimizer such as new SGD/],
    ['rng a number', { rng: 42 }, /option 'rng' must be an Rng such as new Rng\(0\), got number 42/],
    ['lr with a custom optimizer', 'custom-lr', /NeuralNet: lr and weightDecay configure the default SGD optimizer/],
    ['an optimizer of another model', 'foreign', /NeuralNet: the optimizer SGD\(lr=0\.1\) updates none of the model's parameters/],
  ] as [string, unknown, RegExp][]).map(([name, options, message]) => row(`new NeuralNet: ${name}`, () => {
    const model = new Linear(2, 2, { rng: new Rng(1) });
    const opts = options === 'custom-lr' ? { optimizer: new SGD(model.params(), { lr: 0.1 }), lr: 0.5 }
      : options === 'foreign' ? { optimizer: new SGD(new Linear(2, 2, { rng: new Rng(2) }).params(), { lr: 0.1 }) } : options;
    return { act: () => new NeuralNet(model, opts as never), keeps: { modules: [model] } };
  }, message)),
];

/** Fit's, step's and the constructor's rows. */
export const table: ContractTable = { title: 'training', rows };

