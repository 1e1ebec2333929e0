import * as minidl from '../lib';
import { Linear as LinearInside } from '../lib/modules/linear';
import { exportedClasses } from './contract/tables/classes';

/**
 * The classes of the entry point `minidl` are exported through requireNew (lib/require-new.ts):
 * called without `new` they throw a MinidlError (the contract table 'classes' checks that for
 * each); in every other way a program can see, they are the classes themselves.
 */
describe('the classes minidl exports', () => {
  test('are all there: every class of the course, none missing', () => {
    expect(exportedClasses.map(([name]) => name).sort()).toEqual([
      'AvgPool2d', 'BCELoss', 'BCEWithLogitsLoss', 'BatchNorm', 'BatchNorm1d', 'BatchNorm2d', 'ColumnSplit', 'Conv2d',
      'CrossEntropyLoss', 'Dropout', 'ELU', 'Flatten', 'GELU', 'LeakyReLU', 'Linear', 'Loss', 'MAELoss', 'MSELoss',
      'MaxPool2d', 'MinidlError', 'Module', 'NeuralNet', 'Optimizer', 'Parameter', 'ReLU', 'Rng', 'SGD', 'Sequential',
      'Sigmoid', 'Softmax', 'LogSoftmax', 'Tanh', 'Tensor', 'Adam',
      'L1Loss', 'HuberLoss', 'SmoothL1Loss', 'KLDivLoss', 'AdamW', 'RMSprop', 'Adagrad',
      'LRScheduler', 'StepLR', 'MultiStepLR', 'ExponentialLR', 'CosineAnnealingLR', 'LinearLR', 'OneCycleLR', 'ReduceLROnPlateau',
      'Embedding', 'LayerNorm', 'Residual',
      'NLLLoss',
      'RNN', 'LSTM', 'GRU',
      'MultiheadAttention',
      'TrainingMonitor',
      'UncomputedGradient',
    ].sort());
  });

  test('each is named as it is exported (the name messages use, even after a bundler renamed the class)', () => {
    for (const [name, cls] of exportedClasses) expect((cls as { name: string }).name).toBe(name);
  });

  test('build with new as the classes themselves: same prototype, constructor, name, instanceof', () => {
    const layer = new minidl.Linear(2, 3, { rng: new minidl.Rng(1) });
    expect(Object.getPrototypeOf(layer)).toBe(LinearInside.prototype);
    expect(layer.constructor).toBe(minidl.Linear);
    expect(layer).toBeInstanceOf(minidl.Linear);
    expect(layer).toBeInstanceOf(LinearInside);
    expect(layer).toBeInstanceOf(minidl.Module);
    expect(minidl.Linear.name).toBe('Linear');
    expect(minidl.Linear.length).toBe(LinearInside.length);
    expect(String(layer)).toBe('Linear(2→3)');
    // The arguments reach the constructor unchanged: the same seed gives the same weights.
    const inside = new LinearInside(2, 3, { rng: new minidl.Rng(1) });
    expect(Array.from(layer.weight.value.data)).toEqual(Array.from(inside.weight.value.data));
  });

  test('static members are reachable, with the class as `this`', () => {
    const zeros = minidl.Tensor.zeros([2, 3]);
    expect(zeros).toBeInstanceOf(minidl.Tensor);
    expect(zeros.shape).toEqual([2, 3]);
  });

  test('a subclass of an exported class is built with new, and is an instance of both', () => {
    class Doubler extends minidl.Module {
      forward(input: minidl.Tensor): minidl.Tensor { return new minidl.Tensor(input.shape, input.data.map((v) => 2 * v)); }
      backward(gradOut: minidl.Tensor): minidl.Tensor { return new minidl.Tensor(gradOut.shape, gradOut.data.map((v) => 2 * v)); }
      toString(): string { return 'Doubler'; }
    }
    const layer = new Doubler();
    expect(layer).toBeInstanceOf(Doubler);
    expect(layer).toBeInstanceOf(minidl.Module);
    expect(layer.constructor).toBe(Doubler);
    expect(Array.from(layer.forward(minidl.Tensor.fromArray([1, 2], [1, 2])).data)).toEqual([2, 4]);
    class Louder extends minidl.Linear {}
    const louder = new Louder(2, 2);
    expect(louder).toBeInstanceOf(minidl.Linear);
    expect(Object.getPrototypeOf(Object.getPrototypeOf(louder))).toBe(LinearInside.prototype);
  });

  test('a gradient a layer skipped is an instance of the exported UncomputedGradient', () => {
    const layer = new minidl.Linear(2, 3, { rng: new minidl.Rng(1) });
    layer.forward(minidl.Tensor.zeros([1, 2]));
    layer.inputNeedsGrad = false;
    const skipped = layer.backward(minidl.Tensor.zeros([1, 3]));
    expect(skipped).toBeInstanceOf(minidl.UncomputedGradient);
    expect(skipped).toBeInstanceOf(minidl.Tensor);
    expect(skipped.constructor).toBe(minidl.UncomputedGradient);
    layer.inputNeedsGrad = true;
    expect(layer.backward(minidl.Tensor.zeros([1, 3]))).not.toBeInstanceOf(minidl.UncomputedGradient);
  });

  test('errors the library throws are instances of the exported MinidlError', () => {
    let caught: unknown = null;
    try {
      new minidl.Linear(2, 3).forward(minidl.Tensor.zeros([1, 5]));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(minidl.MinidlError);
    expect((caught as Error).constructor).toBe(minidl.MinidlError);
    expect((caught as Error).name).toBe('MinidlError');
  });
});
