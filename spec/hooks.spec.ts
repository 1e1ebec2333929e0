import { MinidlError } from '../lib/errors';
import { MSELoss } from '../lib/losses/mse';
import { ReLU } from '../lib/modules/activations/relu';
import { Tanh } from '../lib/modules/activations/tanh';
import { ColumnSplit } from '../lib/modules/containers/column-split';
import { Residual } from '../lib/modules/containers/residual';
import { Sequential } from '../lib/modules/containers/sequential';
import { Linear } from '../lib/modules/linear';
import { Module } from '../lib/modules/module';
import { BatchNorm1d } from '../lib/modules/normalization/batch-norm1d';
import { Dropout } from '../lib/modules/regularization/dropout';
import { SGD } from '../lib/optim/sgd';
import { Rng, defaultRng, manualSeed } from '../lib/random/rng';
import { BackendName, setBackend } from '../lib/tensor/backend/select';
import { withTemporaryTensors } from '../lib/tensor/temporaries';
import { Tensor } from '../lib/tensor/tensor';
import * as libraryCode from '../lib/training/library-code';
import { isLibraryModel, onlyLibraryCode } from '../lib/training/library-code';
import { NeuralNet } from '../lib/training/neural-net';
import { bits, expectMinidlError, randn } from './helpers';

/*
 * Forward and backward hooks (lib/modules/module.ts): PyTorch's order (pre-hooks, forward, forward
 * hooks; backward hooks after the module's backward), the tensors they are given, removal, the
 * errors, modules a student writes, and the trainer with a hook that keeps the tensors it is given.
 */

const BACKENDS: BackendName[] = ['js', 'wasm'];
afterAll(() => setBackend('js'));

/** A module of a student's own: y = 2x, written without any of minidl's layers. */
class Doubler extends Module {
  forward(input: Tensor): Tensor {
    return this.rememberOutput(new Tensor(input.shape, input.data.map((v) => 2 * v)));
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    return new Tensor(gradOut.shape, gradOut.data.map((v) => 2 * v));
  }

  toString(): string {
    return 'Doubler';
  }
}

/** A container of a student's own: calls its two children's forward and backward itself. */
class TwoInARow extends Module {
  constructor(readonly first: Module, readonly second: Module) {
    super();
  }

  forward(input: Tensor): Tensor {
    return this.rememberOutput(this.second.forward(this.first.forward(input)));
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    return this.first.backward(this.second.backward(gradOut));
  }

  override children(): Module[] {
    return [this.first, this.second];
  }

  toString(): string {
    return `TwoInARow(${this.first}, ${this.second})`;
  }
}

/** One hook call, as the hooks below record it. */
interface Event {
  who: string;
  kind: 'pre' | 'forward' | 'backward';
  /** The tensors the hook was given, in order. */
  tensors: Tensor[];
}

/** Registers the three hooks on `module`, each recording its call into `events` under `who`. */
function record(events: Event[], who: string, module: Module): void {
  module.registerForwardPreHook((m, input) => {
    expect(m).toBe(module);
    events.push({ who, kind: 'pre', tensors: [input] });
  });
  module.registerForwardHook((m, input, output) => {
    expect(m).toBe(module);
    events.push({ who, kind: 'forward', tensors: [input, output] });
  });
  module.registerFullBackwardHook((m, gradInput, gradOutput) => {
    expect(m).toBe(module);
    events.push({ who, kind: 'backward', tensors: [gradInput, gradOutput] });
  });
}

/** A nested model with every kind of container and a student's modules, and a name for each module. */
function nestedModel(): { model: Module; named: [string, Module][] } {
  const rng = new Rng(4);
  const l0 = new Linear(3, 4, { rng });
  const innerLinear = new Linear(4, 4, { rng });
  const tanh = new Tanh();
  const inner = new Sequential(innerLinear, tanh);
  const residual = new Residual(inner);
  const left = new Linear(2, 2, { rng });
  const doubler = new Doubler();
  const split = new ColumnSplit([2, 2], [left, doubler]);
  const relu = new ReLU();
  const studentFirst = new Linear(4, 3, { rng });
  const studentSecond = new Doubler();
  const student = new TwoInARow(studentFirst, studentSecond);
  const model = new Sequential(l0, residual, split, relu, student);
  return {
    model,
    named: [
      ['model', model], ['l0', l0], ['residual', residual], ['inner', inner], ['innerLinear', innerLinear], ['tanh', tanh],
      ['split', split], ['left', left], ['doubler', doubler], ['relu', relu], ['student', student], ['studentFirst', studentFirst],
      ['studentSecond', studentSecond],
    ],
  };
}

describe('the order hooks fire in', () => {
  test("PyTorch's order across a nested model: pre-hooks, forward, forward hooks; backward hooks after each backward, children first", () => {
    const { model, named } = nestedModel();
    const events: Event[] = [];
    for (const [who, m] of named) record(events, who, m);
    const x = randn(new Rng(1), [5, 3]);
    const y = model.forward(x);
    model.backward(Tensor.ones(y.shape));
    expect(events.map((e) => `${e.who} ${e.kind}`)).toEqual([
      'model pre',
      'l0 pre', 'l0 forward',
      'residual pre', 'inner pre', 'innerLinear pre', 'innerLinear forward', 'tanh pre', 'tanh forward', 'inner forward', 'residual forward',
      'split pre', 'left pre', 'left forward', 'doubler pre', 'doubler forward', 'split forward',
      'relu pre', 'relu forward',
      'student pre', 'studentFirst pre', 'studentFirst forward', 'studentSecond pre', 'studentSecond forward', 'student forward',
      'model forward',
      'studentSecond backward', 'studentFirst backward', 'student backward',
      'relu backward',
      'left backward', 'doubler backward', 'split backward', //             ColumnSplit's groups are independent: it runs their backward in order
      'tanh backward', 'innerLinear backward', 'inner backward', 'residual backward',
      'l0 backward',
      'model backward',
    ]);
  });

  test('hooks of one kind on one module fire in the order they were registered; a hook added during a call fires from the next call', () => {
    const relu = new ReLU();
    const calls: string[] = [];
    relu.registerForwardHook(() => {
      calls.push('first');
      if (calls.length === 1) relu.registerForwardHook(() => { calls.push('added'); });
    });
    relu.registerForwardHook(() => { calls.push('second'); });
    relu.forward(Tensor.from([[1, -1]]));
    expect(calls).toEqual(['first', 'second']);
    relu.forward(Tensor.from([[1, -1]]));
    expect(calls).toEqual(['first', 'second', 'first', 'second', 'added']);
  });
});

describe('what hooks are given', () => {
  test('the tensors themselves: the input given, the output returned, the gradient given and the gradient returned', () => {
    const rng = new Rng(2);
    const a = new Linear(3, 4, { rng });
    const relu = new ReLU();
    const b = new Linear(4, 2, { rng });
    const model = new Sequential(a, relu, b);
    const events: Event[] = [];
    for (const [who, m] of [['model', model], ['a', a], ['relu', relu], ['b', b]] as [string, Module][]) record(events, who, m);
    const x = randn(rng, [6, 3]);
    const y = model.forward(x);
    const g = randn(rng, y.shape as number[]);
    const gx = model.backward(g);
    const get = (who: string, kind: Event['kind']): Tensor[] => (events.find((e) => e.who === who && e.kind === kind) as Event).tensors;

    expect(get('model', 'pre')[0]).toBe(x);
    expect(get('model', 'forward')[0]).toBe(x);
    expect(get('model', 'forward')[1]).toBe(y);
    expect(get('a', 'pre')[0]).toBe(x);
    expect(get('relu', 'pre')[0]).toBe(get('a', 'forward')[1]); //        each module's input is the output of the one before
    expect(get('b', 'pre')[0]).toBe(get('relu', 'forward')[1]);
    expect(get('b', 'forward')[1]).toBe(y);

    expect(get('model', 'backward')[1]).toBe(g); //                          gradOutput: what backward was given
    expect(get('model', 'backward')[0]).toBe(gx); //                         gradInput: what it returned
    expect(get('b', 'backward')[1]).toBe(g);
    expect(get('relu', 'backward')[1]).toBe(get('b', 'backward')[0]); //  each gradOutput is the gradInput of the module after
    expect(get('a', 'backward')[1]).toBe(get('relu', 'backward')[0]);
    expect(get('a', 'backward')[0]).toBe(gx);

    // The values: ReLU's output is max(0, input); its gradInput is gradOutput where the input is > 0.
    const [reluIn, reluOut] = get('relu', 'forward');
    expect(Array.from(reluOut.data)).toEqual(Array.from(reluIn.data).map((v) => Math.max(0, v)));
    const [reluGradIn, reluGradOut] = get('relu', 'backward');
    expect(Array.from(reluGradIn.data)).toEqual(Array.from(reluGradOut.data).map((v, i) => (reluIn.data[i] > 0 ? v : 0)));
  });

  test('hooks change no number: the output, the input gradient and the parameter gradients have the same bits with and without them', () => {
    const run = (hooked: boolean): bigint[][] => {
      const { model, named } = nestedModel();
      if (hooked) for (const [who, m] of named) record([], who, m);
      const y = model.forward(randn(new Rng(7), [5, 3]));
      const gx = model.backward(randn(new Rng(8), y.shape as number[]));
      return [bits(y.data), bits(gx.data), ...model.params().map((p) => bits(p.grad.data))];
    };
    expect(run(true)).toEqual(run(false));
  });
});

describe('removing hooks', () => {
  test('remove() stops a hook; a second remove() does nothing; the same function registered twice fires twice, each handle removing one', () => {
    const relu = new ReLU();
    let count = 0;
    const hook = (): void => { count++; };
    const h1 = relu.registerForwardHook(hook);
    const h2 = relu.registerForwardHook(hook);
    relu.forward(Tensor.from([[1]]));
    expect(count).toBe(2);
    h1.remove();
    h1.remove();
    relu.forward(Tensor.from([[1]]));
    expect(count).toBe(3);
    h2.remove();
    relu.forward(Tensor.from([[1]]));
    expect(count).toBe(3);
  });

  test('after the last hook is removed, the module is exactly its class again (no own forward or backward) and back on the fast path', () => {
    const model = new Sequential(new Linear(2, 3, { rng: new Rng(1) }), new ReLU());
    const relu = model.modules[1];
    expect(isLibraryModel(model)).toBe(true);
    const handles = [relu.registerForwardPreHook(() => undefined), relu.registerFullBackwardHook(() => undefined)];
    expect(relu.hasHooks()).toBe(true);
    expect(model.hasHooks()).toBe(false); //                                  a module's own hooks only
    expect(Object.getOwnPropertyDescriptor(relu, 'forward')).toBeDefined();
    expect(isLibraryModel(model)).toBe(false);
    expect(onlyLibraryCode(model, new MSELoss(), null)).toBe(false);
    handles[0].remove();
    expect(relu.hasHooks()).toBe(true);
    handles[1].remove();
    expect(relu.hasHooks()).toBe(false);
    expect(Object.getOwnPropertyDescriptor(relu, 'forward')).toBeUndefined();
    expect(Object.getOwnPropertyDescriptor(relu, 'backward')).toBeUndefined();
    expect(isLibraryModel(model)).toBe(true);
  });

  test('a forward a student assigned to one object is kept under the hooks and put back after them', () => {
    const relu = new ReLU();
    const own = (input: Tensor): Tensor => input;
    (relu as unknown as { forward: unknown }).forward = own;
    const seen: Tensor[] = [];
    const handle = relu.registerForwardHook((_m, _x, y) => { seen.push(y); });
    const x = Tensor.from([[-1, 2]]);
    expect(relu.forward(x)).toBe(x); //                                       the assigned function ran, under the hook
    expect(seen).toEqual([x]);
    handle.remove();
    expect(relu.forward).toBe(own);
  });
});

describe('hooks on modules a student writes', () => {
  test('a subclass of Module fires its hooks called directly, inside a Sequential, and as the root given to NeuralNet', () => {
    const doubler = new Doubler();
    const calls: string[] = [];
    doubler.registerForwardPreHook(() => { calls.push('pre'); });
    doubler.registerForwardHook((_m, x, y) => {
      calls.push('forward');
      expect(Array.from(y.data)).toEqual(Array.from(x.data).map((v) => 2 * v));
    });
    doubler.registerFullBackwardHook(() => { calls.push('backward'); });
    const y = doubler.forward(Tensor.from([[1, 2]]));
    doubler.backward(Tensor.ones(y.shape));
    expect(calls).toEqual(['pre', 'forward', 'backward']);

    calls.length = 0;
    const model = new Sequential(new Linear(2, 2, { rng: new Rng(3) }), doubler);
    model.backward(Tensor.ones(model.forward(Tensor.from([[1, 2]])).shape));
    expect(calls).toEqual(['pre', 'forward', 'backward']);

    const root = new TwoInARow(new Linear(2, 2, { rng: new Rng(3) }), new Tanh());
    const rootCalls: string[] = [];
    root.registerForwardPreHook((_m, x) => { rootCalls.push(`pre ${x.shape[0]}`); });
    root.registerFullBackwardHook((_m, gradInput) => { rootCalls.push(`backward ${gradInput.shape[0]}`); });
    const net = new NeuralNet(root, { lr: 0.1, rng: new Rng(5) });
    net.fit(randn(new Rng(6), [8, 2]), randn(new Rng(7), [8, 2]), { epochs: 1, batchSize: 4 });
    // fit's check (one sample, evaluation mode), then two steps of 4 samples
    expect(rootCalls).toEqual(['pre 1', 'pre 4', 'backward 4', 'pre 4', 'backward 4']);
  });
});

describe('refusals and errors', () => {
  test('a hook that is not a function, or a second argument, is refused naming the method; nothing is registered', () => {
    const relu = new ReLU();
    expectMinidlError(() => relu.registerForwardPreHook(3 as never), /^ReLU\.registerForwardPreHook: hook must be a function \(module, input\) => void, got number 3$/);
    expectMinidlError(() => relu.registerForwardHook(null as never), /^ReLU\.registerForwardHook: hook must be a function \(module, input, output\) => void, got null$/);
    expectMinidlError(() => relu.registerFullBackwardHook({} as never), /^ReLU\.registerFullBackwardHook: hook must be a function \(module, gradInput, gradOutput\) => void, got an Object$/);
    expectMinidlError(() => (relu.registerForwardHook as (...args: unknown[]) => unknown)(() => undefined, { prepend: true }),
      /^ReLU\.registerForwardHook: takes at most 1 argument \(hook\), got 2/);
    expect(relu.hasHooks()).toBe(false);
    expect(Object.getOwnPropertyDescriptor(relu, 'forward')).toBeUndefined();
  });

  test('a hook that throws: a MinidlError naming the path, the module and the hook, with the original as its cause', () => {
    const model = new Sequential(new Linear(2, 3, { rng: new Rng(1) }), new ReLU());
    const original = new Error('my check failed');
    model.modules[1].registerForwardHook(function checkPositive() { throw original; });
    const err = expectMinidlError(() => model.forward(Tensor.from([[1, 2]])),
      /^Sequential\[1\] ReLU\.forward: forward hook 0 \(checkPositive\) threw: my check failed$/);
    const causeOf = (e: unknown): unknown => (e as { cause?: unknown }).cause;
    expect(causeOf(causeOf(err))).toBe(original); //                            Sequential's MinidlError ← the hook's MinidlError ← the hook's own error

    const linear = new Linear(2, 2, { rng: new Rng(1) });
    linear.registerFullBackwardHook(() => { throw new RangeError('too steep'); });
    linear.forward(Tensor.from([[1, 2]]));
    expectMinidlError(() => linear.backward(Tensor.from([[1, 1]])), /^Linear\(2→2\)\.backward: backward hook 0 threw: too steep$/);
    const pre = new ReLU();
    pre.registerForwardPreHook(() => { throw 'a string'; }); // eslint-disable-line no-throw-literal
    expectMinidlError(() => pre.forward(Tensor.from([[1]])), /^ReLU\.forward: forward pre-hook 0 threw: a string$/);
  });

  test('a hook that returns a value is refused (hooks observe): the message says how to write it', () => {
    const relu = new ReLU();
    const kept: Tensor[] = [];
    relu.registerForwardHook((_m, _x, y) => kept.push(y) as unknown as void);
    expectMinidlError(() => relu.forward(Tensor.from([[1]])),
      /^ReLU\.forward: forward hook 0 returned number 1; hooks observe and return nothing/, /\(m, x, y\) => \{ list\.push\(y\); \}/);
    const other = new ReLU();
    other.registerForwardPreHook((_m, x) => x as unknown as void);
    expectMinidlError(() => other.forward(Tensor.from([[1]])), /forward pre-hook 0 returned a Tensor of shape \[1,1\]/);
    const linear = new Linear(1, 1, { rng: new Rng(1) });
    linear.registerFullBackwardHook((_m, gradInput) => gradInput as unknown as void);
    linear.forward(Tensor.from([[1]]));
    expectMinidlError(() => linear.backward(Tensor.from([[1]])), /^Linear\(1→1\)\.backward: backward hook 0 returned a Tensor/);
  });

  test('after a forward whose hook threw, backward refuses: it would differentiate the input of a call that failed', () => {
    const layer = new Linear(2, 1, { rng: new Rng(3) });
    layer.forward(Tensor.from([[1, 1]]));
    let calls = 0;
    layer.registerForwardHook(() => { if (calls++ > 0) throw new Error('boom'); });
    layer.forward(Tensor.from([[1, 1]]));
    expect(() => layer.forward(Tensor.from([[10, -10]]))).toThrow(/forward hook 0 threw: boom/);
    expect(() => layer.backward(Tensor.from([[1]]))).toThrow(/^Linear\(2→1\)\.backward: the last forward failed/);
    expect(Array.from(layer.weight.grad.data)).toEqual([0, 0]);
  });

  test('a forward whose hook throws gives back the running statistics and the generators it changed', () => {
    const bn = new BatchNorm1d(3);
    const dropRng = new Rng(11);
    const model = new Sequential(new Dropout(0.5, { rng: dropRng }), bn, new Dropout(0.5));
    manualSeed(12);
    const before = model.buffers().map((b) => bits(b.value.data));
    const generatorsBefore = [dropRng.state(), defaultRng().state()];
    model.registerForwardHook(() => { throw new Error('no'); }); //                   on the root: after the Sequential's own forward succeeded
    expectMinidlError(() => model.forward(randn(new Rng(2), [4, 3])), /^Sequential\(.*\)\.forward: forward hook 0 threw: no$/);
    expect(model.buffers().map((b) => bits(b.value.data))).toEqual(before);
    expect([dropRng.state(), defaultRng().state()]).toEqual(generatorsBefore);

    // A leaf on its own, too: BatchNorm1d's running statistics are put back.
    const leaf = new BatchNorm1d(2);
    leaf.registerForwardHook(() => { throw new Error('no'); });
    const leafBefore = leaf.buffers().map((b) => bits(b.value.data));
    expectMinidlError(() => leaf.forward(randn(new Rng(3), [4, 2])), /^BatchNorm1d\(2\)\.forward: forward hook 0 threw: no$/);
    expect(leaf.buffers().map((b) => bits(b.value.data))).toEqual(leafBefore);
  });
});

describe('hooks during training', () => {
  /** A disk-like problem: inputs [n,2], one-hot targets [n,2]. */
  function data(seed: number, n: number): { x: Tensor; y: Tensor } {
    const rng = new Rng(seed);
    const x = randn(rng, [n, 2]);
    const y = new Tensor([n, 2]);
    for (let i = 0; i < n; i++) y.data[2 * i + (x.data[2 * i] ** 2 + x.data[2 * i + 1] ** 2 < 1 ? 1 : 0)] = 1;
    return { x, y };
  }

  /** A seeded 2-8-2 ReLU network and its trainer (SGD lr 0.1, with `momentum`); the ReLU is returned for hooks. */
  function smallNet(seed: number, momentum = 0): { relu: ReLU; model: Sequential; net: NeuralNet } {
    const rng = new Rng(seed);
    const relu = new ReLU();
    const model = new Sequential(new Linear(2, 8, { rng }), relu, new Linear(8, 2, { rng }));
    const net = new NeuralNet(model, { optimizer: new SGD(model.params(), { lr: 0.1, momentum }), rng });
    return { relu, model, net };
  }

  /** Trains a fresh seeded model for 3 epochs, with or without a hook that keeps every tensor it is given. */
  function train(hooked: boolean): { params: bigint[][]; kept: { input: Tensor; output: Tensor; copy: Float64Array; gradInput: Tensor; gradOutput: Tensor }[] } {
    const { relu, model, net } = smallNet(21, 0.9);
    const kept: { input: Tensor; output: Tensor; copy: Float64Array; gradInput: Tensor; gradOutput: Tensor }[] = [];
    if (hooked) {
      relu.registerForwardHook((_m, input, output) => {
        if (relu.training) kept.push({ input, output, copy: output.data.slice(), gradInput: null as never, gradOutput: null as never });
      });
      relu.registerFullBackwardHook((_m, gradInput, gradOutput) => {
        Object.assign(kept[kept.length - 1], { gradInput, gradOutput });
      });
    }
    expect(onlyLibraryCode(model, net.loss, net.optimizer)).toBe(!hooked);
    const { x, y } = data(22, 40);
    net.fit(x, y, { epochs: 3, batchSize: 16 });
    return { params: model.params().map((p) => bits(p.value.data)), kept };
  }

  test('a hook registered during fit (in onEpoch) takes the next batches off the fast path: what it keeps stays readable and right', () => {
    const { relu, net } = smallNet(23);
    const { x, y } = data(24, 40);
    const kept: { output: Tensor; copy: Float64Array }[] = [];
    net.fit(x, y, {
      epochs: 3,
      batchSize: 10,
      onEpoch: (report) => {
        if (report.epoch === 1) relu.registerForwardHook((_m, _input, output) => { if (relu.training) kept.push({ output, copy: output.data.slice() }); });
      },
    });
    expect(kept).toHaveLength(8); //                                          epochs 2 and 3, 4 batches each
    for (const k of kept) expect(bits(k.output.data)).toEqual(bits(k.copy));
  });

  test('fit reads the model tree once, and again only after a hook was registered or removed (onBatch: from the next batch)', () => {
    const { relu, net } = smallNet(25);
    const { x, y } = data(26, 40);
    const walks = jest.spyOn(libraryCode, 'onlyLibraryCode');
    try {
      net.fit(x, y, { epochs: 3, batchSize: 10 });
      expect(walks).toHaveBeenCalledTimes(1); //                               3 epochs × 4 batches, one decision
      walks.mockClear();
      const kept: { output: Tensor; copy: Float64Array; at: string }[] = [];
      let handle: { remove(): void } | null = null;
      net.fit(x, y, {
        epochs: 3,
        batchSize: 10,
        onBatch: ({ epoch, batch }) => {
          if (epoch === 1 && batch === 2) {
            handle = relu.registerForwardHook((_m, _input, output) => { if (relu.training) kept.push({ output, copy: output.data.slice(), at: `${epoch}.${batch}` }); });
          }
          if (epoch === 2 && batch === 2) (handle as unknown as { remove(): void }).remove();
        },
      });
      expect(walks).toHaveBeenCalledTimes(3); //                               at the start, after the hook came, after it went
      expect(kept).toHaveLength(4); //                                          epoch 1 batches 3, 4; epoch 2 batches 1, 2
      for (const k of kept) expect(bits(k.output.data)).toEqual(bits(k.copy)); // off the fast path: nothing released or reused
    } finally {
      walks.mockRestore();
    }
  });

  test('a hook that keeps the activations and gradients reads correct values after fit, on both backends; training has the same bits', () => {
    const results: bigint[][][] = [];
    for (const backend of BACKENDS) {
      setBackend(backend);
      const plain = train(false);
      const hooked = train(true);
      expect(hooked.params).toEqual(plain.params); //                            the hooked model trained on the ordinary path: same bits
      expect(hooked.kept).toHaveLength(9); //                                     3 epochs × 3 batches (16, 16, 8)
      for (const k of hooked.kept) {
        // nothing kept was released or overwritten by a later step
        expect(bits(k.output.data)).toEqual(bits(k.copy));
        expect(Array.from(k.output.data)).toEqual(Array.from(k.input.data).map((v) => Math.max(0, v)));
        expect(Array.from(k.gradInput.data)).toEqual(Array.from(k.gradOutput.data).map((g, i) => (k.input.data[i] > 0 ? g : 0)));
      }
      expect(hooked.kept[8].output.shape).toEqual([8, 8]);
      results.push(hooked.params);
    }
    expect(results[1]).toEqual(results[0]);
  });

  test('inside withTemporaryTensors a kept tensor is released with the step: reading it throws, never stale numbers', () => {
    for (const backend of BACKENDS) {
      setBackend(backend);
      const relu = new ReLU();
      let kept: Tensor | null = null;
      relu.registerForwardHook((_m, _x, y) => { kept = y; });
      withTemporaryTensors(() => { relu.forward(Tensor.from([[1, -2]])); });
      expectMinidlError(() => (kept as unknown as Tensor).data, /released|temporary/);
    }
  });
});
