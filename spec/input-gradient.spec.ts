import { inspect } from 'node:util';
import { CrossEntropyLoss } from '../lib/losses/cross-entropy';
import { MSELoss } from '../lib/losses/mse';
import { ReLU } from '../lib/modules/activations/relu';
import { Residual } from '../lib/modules/containers/residual';
import { Sequential } from '../lib/modules/containers/sequential';
import { Conv2d } from '../lib/modules/convolution/conv2d';
import { Linear } from '../lib/modules/linear';
import { Module } from '../lib/modules/module';
import { MaxPool2d } from '../lib/modules/pooling/max-pool2d';
import { Flatten } from '../lib/modules/reshape/flatten';
import { UncomputedGradient } from '../lib/modules/uncomputed-gradient';
import { SGD } from '../lib/optim/sgd';
import { Rng } from '../lib/random/rng';
import { BackendName, activeBackend, getBackend, setBackend } from '../lib/tensor/backend/select';
import { Tensor } from '../lib/tensor/tensor';
import { dataReader, withoutInputGradient } from '../lib/training/input-gradient';
import { NeuralNet } from '../lib/training/neural-net';
import { gradcheck } from '../lib/tools/gradcheck';
import { bits, expectMinidlError, randn } from './helpers';

/*
 * The data's gradient is not computed: NeuralNet tells the module that reads the data that its
 * input needs no gradient (Module.inputNeedsGrad = false) during each training step; Conv2d and
 * Linear then skip ∂L/∂X and return an UncomputedGradient, whose values throw when read. The
 * parameters' gradients, and so the training run, keep their bits; everywhere else the flag is
 * true and backward keeps the contract.
 */

const initialBackend = getBackend();
afterEach(() => jest.restoreAllMocks());
afterAll(() => setBackend(initialBackend));

describe('inputNeedsGrad = false: Conv2d and Linear skip ∂L/∂input', () => {
  const cases: Array<[string, (rng: Rng) => Module, number[]]> = [
    ['Conv2d, padded and strided', (rng) => new Conv2d(2, 3, 3, { padding: 1, stride: 2, rng }), [2, 2, 5, 6]],
    ['Linear', (rng) => new Linear(4, 3, { rng }), [5, 4]],
    ['Linear on [N, T, in]', (rng) => new Linear(4, 3, { rng }), [2, 3, 4]],
    ['Linear on [in]', (rng) => new Linear(4, 3, { rng }), [4]],
  ];

  test.each(cases)('%s: the same parameter gradients, and an UncomputedGradient of the input shape that cannot be read', (_name, build, shape) => {
    const rng = new Rng(1);
    const told = build(new Rng(2)), untold = build(new Rng(2));
    const x = randn(rng, shape);
    const g = randn(rng, told.forward(x).shape as number[]);
    untold.forward(x);
    told.inputNeedsGrad = false;
    const skipped = told.backward(g), computed = untold.backward(g);
    expect(told.params().map((p) => bits(p.grad.data))).toEqual(untold.params().map((p) => bits(p.grad.data)));
    expect(skipped).toBeInstanceOf(UncomputedGradient);
    expect(skipped.shape).toEqual(shape);
    expect(computed.shape).toEqual(shape);
    const err = expectMinidlError(() => skipped.data, /\.backward: ∂L\/∂input \[[\d,]+\] was not computed, because the module's inputNeedsGrad is false/, /set inputNeedsGrad = true/);
    expect(err.message).toContain(told.toString());
    expectMinidlError(() => skipped.toArray(), /was not computed/);
    expectMinidlError(() => skipped.firstNonFinite(), /was not computed/);
    expect(String(skipped)).toMatch(/^Tensor\[[\d,]+\] \(not computed: .*skipped ∂L\/∂input, inputNeedsGrad being false\)$/);
    // console.log and JSON show no stand-in zeros either
    expect(inspect(skipped)).toBe(String(skipped));
    expectMinidlError(() => JSON.stringify(skipped), /was not computed/);
    // told again, backward keeps the contract
    told.inputNeedsGrad = true;
    told.forward(x);
    expect(bits(told.backward(g).data)).toEqual(bits(computed.data));
  });

  test('the default is true for every module, and gradcheck checks ∂L/∂input', () => {
    const conv = new Conv2d(1, 2, 3, { rng: new Rng(3) });
    expect([conv, new ReLU(), new Sequential(new Linear(2, 2))].map((m) => m.inputNeedsGrad)).toEqual([true, true, true]);
    const report = gradcheck(conv, randn(new Rng(4), [2, 1, 5, 5]));
    expect(report.ok).toBe(true);
    expect(report.entries[0].name).toBe('input');
  });
});

describe("NeuralNet tells the module that reads the data, during its steps only", () => {
  function cnn(rng: Rng): Sequential {
    return new Sequential(
      new Sequential(new Conv2d(1, 4, 3, { rng }), new ReLU(), new MaxPool2d(2)),
      new Conv2d(4, 5, 3, { rng }), new ReLU(), new Flatten(), new Linear(5 * 2 * 2, 3, { rng }),
    );
  }

  test('dataReader: through minidl\'s Sequentials to the first module; not into other containers, subclasses or hooked modules', () => {
    const model = cnn(new Rng(1));
    const first = (model.children()[0] as Sequential).children()[0];
    expect(dataReader(model)).toBe(first);
    const linear = new Linear(2, 2);
    expect(dataReader(linear)).toBe(linear);
    const residual = new Residual(new Linear(2, 2));
    expect(dataReader(new Sequential(residual, new ReLU()))).toBe(residual);
    class MyLinear extends Linear {}
    expect(dataReader(new Sequential(new MyLinear(2, 2), new ReLU()))).toBeNull();
    const hooked = new Linear(2, 2);
    const handle = hooked.registerFullBackwardHook(() => undefined);
    expect(dataReader(new Sequential(hooked))).toBeNull();
    handle.remove();
    expect(dataReader(new Sequential(hooked))).toBe(hooked);
  });

  test('withoutInputGradient sets the flag for fn and puts it back, also when fn throws', () => {
    const model = cnn(new Rng(1));
    const first = dataReader(model) as Module;
    expect(withoutInputGradient(first, () => first.inputNeedsGrad)).toBe(false);
    expect(first.inputNeedsGrad).toBe(true);
    expect(() => withoutInputGradient(first, () => { throw new Error('boom'); })).toThrow('boom');
    expect(first.inputNeedsGrad).toBe(true);
    expect(withoutInputGradient(null, () => first.inputNeedsGrad)).toBe(true); // null: nobody is told
  });

  test.each(['js', 'wasm'] as BackendName[])('%s: the first convolution runs no col2im, the parameters have the bits of a run that computes ∂L/∂X, the flag is true after fit', (backend) => {
    setBackend(backend);
    const rng = new Rng(5);
    const x = randn(rng, [12, 1, 10, 10]);
    const y = new Tensor([12]);
    for (let i = 0; i < 12; i++) y.data[i] = i % 3;
    const train = (hookFirst: boolean): { params: bigint[][]; col2im: number; first: Module } => {
      const model = cnn(new Rng(6));
      const first = dataReader(model) as Module;
      const seen: Tensor[] = [];
      // a hook on the first module: NeuralNet does not tell it (its hook is given ∂L/∂X), and trains without temporaries
      if (hookFirst) first.registerFullBackwardHook((_m, gradInput) => { seen.push(gradInput); });
      const spy = jest.spyOn(activeBackend().kernels, 'col2im');
      const net = new NeuralNet(model, { loss: new CrossEntropyLoss(), optimizer: new SGD(model.params(), { lr: 0.1, momentum: 0.9 }), rng: new Rng(7) });
      net.fit(x, y, { epochs: 2, batchSize: 4 });
      const calls = spy.mock.calls.length;
      spy.mockRestore();
      if (hookFirst) expect(seen.every((g) => !(g instanceof UncomputedGradient) && g.data.length === 4 * 100)).toBe(true);
      return { params: model.params().map((p) => bits(p.value.data)), col2im: calls, first };
    };
    const told = train(false), untold = train(true);
    expect(told.params).toEqual(untold.params);
    // 2 epochs × 3 batches × 4 samples: col2im for each sample of the second convolution only, or of both
    expect([told.col2im, untold.col2im]).toEqual([24, 48]);
    expect(told.first.inputNeedsGrad).toBe(true);
  });

  test('a step that fails puts the flag back; NeuralNet.step tells the first Linear too', () => {
    const model = new Sequential(new Linear(3, 4, { rng: new Rng(1) }), new ReLU(), new Linear(4, 2, { rng: new Rng(2) }));
    const first = model.children()[0];
    const net = new NeuralNet(model, { loss: new MSELoss(), optimizer: new SGD(model.params(), { lr: 0.1 }) });
    const spy = jest.spyOn(activeBackend().kernels, 'matmulTransB');
    net.step(randn(new Rng(3), [5, 3]), randn(new Rng(4), [5, 2]));
    expect(spy.mock.calls.length).toBe(1); //  G·Wᵀ for the second Linear only
    expect(first.inputNeedsGrad).toBe(true);
    expectMinidlError(() => net.step(randn(new Rng(3), [5, 3]), Tensor.full([5, 2], 1e200)), /the loss is Infinity/); // fails inside the step
    expect(first.inputNeedsGrad).toBe(true);
  });

  test('fit: a step that fails puts the flag back; a backward hook put on the first module in onEpoch is given ∂L/∂X from the next batch', () => {
    const model = new Sequential(new Linear(3, 4, { rng: new Rng(1) }), new ReLU(), new Linear(4, 2, { rng: new Rng(2) }));
    const first = model.children()[0];
    const x = randn(new Rng(3), [8, 3]);
    const failing = new NeuralNet(model, { loss: new MSELoss(), optimizer: new SGD(model.params(), { lr: 0.1 }) });
    expectMinidlError(() => failing.fit(x, Tensor.full([8, 2], 1e200), { epochs: 1, batchSize: 4 }), /epoch 1, batch 1.*the loss is Infinity/);
    expect(first.inputNeedsGrad).toBe(true);

    const net = new NeuralNet(model, { loss: new MSELoss(), optimizer: new SGD(model.params(), { lr: 0.1 }), rng: new Rng(5) });
    const seen: Tensor[] = [];
    net.fit(x, randn(new Rng(4), [8, 2]), {
      epochs: 2,
      batchSize: 4,
      onEpoch: ({ epoch }) => {
        if (epoch === 1) first.registerFullBackwardHook((_m, gradInput) => { seen.push(gradInput); });
      },
    });
    expect(seen).toHaveLength(2); //                                  epoch 2's two batches
    for (const g of seen) {
      expect(g).not.toBeInstanceOf(UncomputedGradient);
      expect(g.shape).toEqual([4, 3]);
      expect(g.firstNonFinite()).toBe(-1); //                          its values can be read
    }
    expect(first.inputNeedsGrad).toBe(true);
  });
});
