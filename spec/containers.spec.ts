import {
  BatchNorm1d, ColumnSplit, Dropout, Linear, MSELoss, MinidlError, Module, ReLU, Residual, Rng, Sequential, Sigmoid, Tanh, Tensor,
  defaultRng, gradcheck,
} from '../lib';
import { bits, expectMinidlError, randn } from './helpers';

/** Params, grads, buffers and training modes of a model, as bits. */
function modelBits(model: Module): unknown {
  return {
    params: model.params().map((p) => [bits(p.value.data), bits(p.grad.data)]),
    buffers: model.buffers().map((b) => [b.name, bits(b.value.data)]),
    training: model.training,
  };
}

/**
 * A container that does what Sequential refuses: it runs the same module at several places of
 * the chain. It shows why the refusal is needed.
 */
class UncheckedChain extends Module {
  constructor(private readonly chain: Module[]) {
    super();
  }
  forward(input: Tensor): Tensor {
    return this.rememberOutput(this.chain.reduce((x, m) => m.forward(x), input));
  }
  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    return this.chain.reduceRight((g, m) => m.backward(g), gradOut);
  }
  override children(): Module[] {
    return [...new Set(this.chain)];
  }
  toString(): string {
    return 'UncheckedChain';
  }
}

describe('why a module instance may appear only once', () => {
  test('the same Tanh twice in a chain gives wrong gradients; Sequential refuses it', () => {
    const rng = new Rng(1);
    const tanh = new Tanh();
    const l1 = new Linear(3, 3, { rng }), l2 = new Linear(3, 3, { rng });
    const reused = new UncheckedChain([l1, tanh, l2, tanh]);
    const report = gradcheck(reused, randn(rng, [4, 3]));
    expect(report.ok).toBe(false); // the backward of the first Tanh used the second one's input
    expect(report.worstRelError).toBeGreaterThan(1e-2);
    expectMinidlError(() => new Sequential(l1, tanh, l2, tanh),
      /^Sequential: Tanh is used twice, at \[1\] and at \[3\]: one instance remembers the input of its last forward only/,
      /wrong gradients/, /Use a new Tanh for each place/, /\{ share: first \}/);
    // Two instances: the gradients are right.
    expect(gradcheck(new Sequential(l1, new Tanh(), l2, new Tanh()), randn(rng, [4, 3])).ok).toBe(true);
  });

  test('the same Linear twice in a ColumnSplit: wrong gradients; refused, pointing to { share }', () => {
    const rng = new Rng(2);
    const shared = new Linear(2, 2, { rng });
    class UncheckedSplit extends Module {
      forward(input: Tensor): Tensor {
        const a = shared.forward(new Tensor([input.shape[0], 2], input.data.filter((_, i) => i % 4 < 2)));
        const a2 = a.clone();
        const b = shared.forward(new Tensor([input.shape[0], 2], input.data.filter((_, i) => i % 4 >= 2)));
        const out = new Tensor([input.shape[0], 4]);
        for (let n = 0; n < input.shape[0]; n++) {
          for (let j = 0; j < 2; j++) {
            out.data[n * 4 + j] = a2.data[n * 2 + j];
            out.data[n * 4 + 2 + j] = b.data[n * 2 + j];
          }
        }
        return this.rememberOutput(out);
      }
      backward(gradOut: Tensor): Tensor {
        this.checkGradOut(gradOut);
        const n = gradOut.shape[0];
        const g1 = new Tensor([n, 2], gradOut.data.filter((_, i) => i % 4 < 2));
        const g2 = new Tensor([n, 2], gradOut.data.filter((_, i) => i % 4 >= 2));
        const d1 = shared.backward(g1), d2 = shared.backward(g2);
        const out = new Tensor([n, 4]);
        for (let r = 0; r < n; r++) for (let j = 0; j < 2; j++) {
          out.data[r * 4 + j] = d1.data[r * 2 + j];
          out.data[r * 4 + 2 + j] = d2.data[r * 2 + j];
        }
        return out;
      }
      override children(): Module[] {
        return [shared];
      }
      toString(): string {
        return 'UncheckedSplit';
      }
    }
    expect(gradcheck(new UncheckedSplit(), randn(rng, [3, 4])).ok).toBe(false);
    expectMinidlError(() => new ColumnSplit([2, 2], [shared, shared]),
      /^ColumnSplit: Linear\(2→2\) is used twice, at \[0\] and at \[1\]/,
      /To share its weights, use a second layer on the same Parameters: new Linear\(2, 2, \{ share: first \}\)/);
    const right = new ColumnSplit([2, 2], [shared, new Linear(2, 2, { share: shared })]);
    expect(gradcheck(right, randn(rng, [3, 4])).ok).toBe(true);
  });
});

describe('containers refuse an instance they already hold, anywhere in the tree', () => {
  test('a module inside a nested Sequential inside a ColumnSplit counts', () => {
    const relu = new ReLU();
    const split = new ColumnSplit([2, 2], [new Sequential(new Linear(2, 2), relu), new Tanh()]);
    expectMinidlError(() => new Sequential(split, relu), /^Sequential: ReLU is used twice, at \[0\]\[0\]\[1\] and at \[1\]/);
    expectMinidlError(() => new ColumnSplit([2, 2], [new Sequential(relu), new Sequential(new Tanh(), relu)]),
      /^ColumnSplit: ReLU is used twice, at \[0\]\[0\] and at \[1\]\[1\]/);
  });

  test('the same container twice, and a bias-free Linear (the hint keeps bias: false)', () => {
    const block = new Sequential(new Linear(2, 2), new Tanh());
    expectMinidlError(() => new Sequential(block, block), /Sequential\(Linear\(2→2\), Tanh\) is used twice, at \[0\] and at \[1\]/, /Build a separate Sequential/);
    const noBias = new Linear(3, 3, { bias: false });
    expectMinidlError(() => new Sequential(noBias, noBias), /new Linear\(3, 3, \{ share: first, bias: false \}\)/);
  });

  test('append refuses a module already held, the Sequential itself, or a Sequential that holds it; nothing is added', () => {
    const tanh = new Tanh();
    const inner = new Sequential(tanh);
    const net = new Sequential(new Linear(2, 2), inner);
    expectMinidlError(() => net.append(tanh), /^Sequential\(Linear\(2→2\), Sequential\(Tanh\)\)\.append: Tanh is used twice, at \[1\]\[0\] and at \[2\]/);
    expectMinidlError(() => net.append(net), /\.append: a container cannot hold itself, got Sequential\(Linear\(2→2\), Sequential\(Tanh\)\) at \[2\]/);
    expectMinidlError(() => inner.append(net), /^Sequential\(Tanh\)\.append: a container cannot hold itself, got Sequential\(Tanh\) at \[1\]\[1\]/);
    expect(net.length).toBe(2);
    expect(inner.length).toBe(1);
    net.append(new Tanh()); // a new instance is fine
    expect(net.length).toBe(3);
  });

  test('one instance in two separate models is allowed until they are combined', () => {
    const tanh = new Tanh();
    const a = new Sequential(new Linear(2, 2), tanh);
    const b = new Sequential(tanh, new Linear(2, 1));
    expect(a.forward(Tensor.ones([1, 2])).shape).toEqual([1, 2]);
    expectMinidlError(() => new Sequential(a, b), /Tanh is used twice, at \[0\]\[1\] and at \[1\]\[0\]/);
  });

  test('Linear layers that share Parameters through { share } are different instances: allowed', () => {
    const first = new Linear(3, 3);
    const net = new Sequential(first, new Tanh(), new Linear(3, 3, { share: first }));
    expect(net.params()).toEqual([first.weight, first.bias]);
  });

  test('forward and backward check again: an inner container that gained a held module after the outer one was built', () => {
    const rng = new Rng(3);
    const dropRng = new Rng('drop');
    const drop = new Dropout(0.5, { rng: dropRng });
    const bn = new BatchNorm1d(2);
    const inner = new Sequential(new Linear(2, 2, { rng }));
    const net = new Sequential(bn, drop, inner);
    const x = randn(rng, [4, 2]);
    net.forward(x);
    inner.append(bn); // inner alone does not hold bn yet, so this passes
    const before = modelBits(net);
    const dropState = dropRng.state();
    expectMinidlError(() => net.forward(x), /^Sequential\(.*\)\.forward: BatchNorm1d\(2\) is used twice, at \[0\] and at \[2\]\[1\]/);
    expectMinidlError(() => net.backward(Tensor.ones([4, 2])), /^Sequential\(.*\)\.backward: BatchNorm1d\(2\) is used twice/);
    expect(modelBits(net)).toEqual(before);
    expect(dropRng.state()).toEqual(dropState);
  });

  test('the modules list cannot be changed behind the container\'s back', () => {
    const net = new Sequential(new Tanh());
    expect(Object.isFrozen(net.modules)).toBe(true);
    expect(() => net.modules.push(new ReLU())).toThrow(TypeError);
    net.children().push(net); // a copy
    expect(net.length).toBe(1);
    const split = new ColumnSplit([1], [new Tanh()]);
    expect(Object.isFrozen(split.modules) && Object.isFrozen(split.sizes)).toBe(true);
  });
});

describe('what may enter a container', () => {
  test.each([
    ['undefined', undefined, /got undefined \(argument 1 of new Sequential\)/],
    ['null', null, /got null \(argument 1 of new Sequential\)/],
    ['a number', 3, /got number 3/],
    ['an object', {}, /got an Object/],
    ['a class instead of an instance', Tanh, /got the class Tanh, not an instance \(did you mean new Tanh\(…\)\?\)/],
    ['a list', [new Tanh()], /got an array \(give the modules one by one: new Sequential\(a, b\), or spread a list: new Sequential\(\.\.\.list\)\)/],
    ['a loss', new MSELoss(), /got a MSELoss \(a loss is not a layer: call it on the model's output, or give it to NeuralNet as its loss\)/],
  ])('new Sequential(m, %s) is refused', (_name, bad, message) => {
    expectMinidlError(() => new Sequential(new Linear(2, 2), bad as Module), /^Sequential\.append: expected a Module, got/, message);
  });

  test('append: a non-module, or two modules at once', () => {
    const net = new Sequential(new Tanh());
    expectMinidlError(() => net.append(Linear as unknown as Module), /^Sequential\(Tanh\)\.append: expected a Module, got the class Linear/);
    expectMinidlError(() => (net.append as (...m: Module[]) => unknown)(new ReLU(), new Sigmoid()),
      /^Sequential\(Tanh\)\.append: takes at most 1 argument \(module\), got 2; an extra argument would be ignored/);
    expect(net.length).toBe(1);
  });

  test('an empty Sequential is the identity (as PyTorch); a non-tensor input is refused by Sequential itself', () => {
    const x = Tensor.from([[1, 2]]);
    expect(new Sequential().forward(x)).toBe(x);
    expectMinidlError(() => new Sequential().forward([[1, 2]] as unknown as Tensor), /^Sequential\(\)\.forward: input must be a Tensor, got an array/);
    expectMinidlError(() => new Sequential(new Tanh()).forward(undefined as unknown as Tensor), /^Sequential\(Tanh\)\.forward: input must be a Tensor, got undefined/);
  });

  test.each([
    ['sizes not a list', () => new ColumnSplit(4 as unknown as number[], [new Tanh()]), /^ColumnSplit: sizes must be an array of group widths such as \[2, 3\], got number 4/],
    ['modules not a list', () => new ColumnSplit([2], new Tanh() as unknown as Module[]), /^ColumnSplit: modules must be an array with one module per group, got a Tanh \(give the modules as one array/],
    ['swapped arguments', () => new ColumnSplit([new Tanh()] as unknown as number[], [2] as unknown as Module[]), /^ColumnSplit: the group sizes come first/],
    ['no groups', () => new ColumnSplit([], []), /expected as many group sizes as modules \(at least one group\), got 0 sizes and 0 modules/],
    ['one size, two modules', () => new ColumnSplit([2], [new Tanh(), new ReLU()]), /got 1 size and 2 modules/],
    ['a zero width', () => new ColumnSplit([2, 0], [new Tanh(), new ReLU()]), /^ColumnSplit: sizes\[1\] must be a whole number ≥ 1 \(a group's width\), got number 0/],
    ['a fractional width', () => new ColumnSplit([2.5], [new Tanh()]), /sizes\[0\] must be a whole number ≥ 1 \(a group's width\), got number 2\.5/],
    ['NaN', () => new ColumnSplit([NaN], [new Tanh()]), /got number NaN/],
    ['a string width', () => new ColumnSplit(['2'] as unknown as number[], [new Tanh()]), /got string '2'/],
    ['a non-module', () => new ColumnSplit([1, 1], [new Tanh(), null as unknown as Module]), /^ColumnSplit: expected a Module, got null at modules\[1\]/],
    ['a third argument', () => new (ColumnSplit as unknown as new (...a: unknown[]) => unknown)([1], [new Tanh()], {}), /^ColumnSplit: takes at most 2 arguments \(sizes, modules\), got 3/],
  ])('new ColumnSplit: %s', (_name, build, message) => {
    expectMinidlError(build, message);
  });
});

describe('a forward that fails midway gives back what the modules before the failing one changed', () => {
  test('after a forward that failed midway, backward refuses (the modules that ran hold the failed input) until a forward succeeds', () => {
    const first = new Linear(2, 2, { rng: new Rng(1) }), last = new Linear(2, 1, { rng: new Rng(2) });
    first.weight.value.data.fill(1e308); // [[1, 1]] then gives Infinity: the next Linear refuses it
    const inner = new Sequential(last, new ReLU());
    const net = new Sequential(first, inner);
    const good = Tensor.from([[1e-300, 1e-300]]);
    net.forward(good);
    expectMinidlError(() => net.forward(Tensor.from([[1, 1]])), /^Sequential\[1\] Sequential\[0\] Linear\(2→1\)\.forward: input holds a non-finite value/);
    const refused = /the last forward failed, so there is no output to take the gradient of; call forward again$/;
    expectMinidlError(() => net.backward(Tensor.from([[1]])), refused);
    expectMinidlError(() => inner.backward(Tensor.from([[1]])), refused);
    expect(Array.from(first.weight.grad.data)).toEqual([0, 0, 0, 0]);
    net.forward(good);
    net.backward(Tensor.from([[1]]));
    expect(first.weight.grad.data.some((g) => g !== 0)).toBe(true);
  });

  test('Sequential: BatchNorm and Dropout ran, then a Linear of the wrong size failed', () => {
    const dropRng = new Rng('drop');
    const net = new Sequential(new BatchNorm1d(2), new Dropout(0.5, { rng: dropRng }), new Dropout(0.5), new Linear(3, 1));
    const before = modelBits(net);
    const dropState = dropRng.state(), globalState = defaultRng().state();
    expectMinidlError(() => net.forward(randn(new Rng(4), [4, 2])), /^Sequential\[3\] Linear\(3→1\)\.forward: input has shape \[4,2\], expected \[N,3\]/);
    expect(modelBits(net)).toEqual(before);
    expect(dropRng.state()).toEqual(dropState);
    expect(defaultRng().state()).toEqual(globalState);
  });

  test('ColumnSplit inside a Sequential: the first group ran, the second failed', () => {
    const dropRng = new Rng('split');
    const split = new ColumnSplit([2, 2], [new Sequential(new BatchNorm1d(2), new Dropout(0.2, { rng: dropRng })), new Linear(3, 1)]);
    const net = new Sequential(new Tanh(), split);
    const before = modelBits(net);
    const dropState = dropRng.state();
    expectMinidlError(() => net.forward(randn(new Rng(5), [3, 4])), /^Sequential\[1\] ColumnSplit\[1\] Linear\(3→1\)\.forward: input has shape \[3,2\], expected \[N,3\]/);
    expect(modelBits(net)).toEqual(before);
    expect(dropRng.state()).toEqual(dropState);
    // The same split called on its own gives back too.
    expectMinidlError(() => split.forward(randn(new Rng(5), [3, 4])), /^ColumnSplit\[1\] Linear/);
    expect(modelBits(net)).toEqual(before);
    expect(dropRng.state()).toEqual(dropState);
  });

  test('a successful forward keeps its changes (running statistics move)', () => {
    const bn = new BatchNorm1d(2);
    new Sequential(bn).forward(randn(new Rng(6), [4, 2]));
    expect(Array.from(bn.runningMean.data).some((v) => v !== 0)).toBe(true);
  });

  test('the error thrown is the child\'s, a MinidlError', () => {
    let caught: unknown = null;
    try {
      new Sequential(new Linear(2, 2)).forward(Tensor.ones([1, 3]));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MinidlError);
  });
});

describe("a container's children cannot be swapped behind its back", () => {
  // A trainer learns a model's tree once per fit (which module reads the data, whether every
  // module is the library's); children change only through what the containers offer (append).
  test('Residual.inner, ColumnSplit.modules and .sizes, Sequential.modules: assigning throws, nothing changes', () => {
    const f = new Linear(2, 2);
    const block = new Residual(f);
    expect(() => { (block as unknown as { inner: Module }).inner = new Linear(2, 2); }).toThrow(TypeError);
    expect(block.inner).toBe(f);
    const a = new Linear(1, 1), b = new Linear(1, 1);
    const split = new ColumnSplit([1, 1], [a, b]);
    expect(() => { (split as unknown as { modules: Module[] }).modules = [b, a]; }).toThrow(TypeError);
    expect(() => { (split as unknown as { sizes: number[] }).sizes = [2]; }).toThrow(TypeError);
    expect(() => { (split.modules as Module[])[0] = b; }).toThrow(TypeError);
    expect(split.modules).toEqual([a, b]);
    expect(split.sizes).toEqual([1, 1]);
    const seq = new Sequential(new ReLU());
    expect(() => { (seq as unknown as { modules: Module[] }).modules = []; }).toThrow(TypeError);
    expect(seq.length).toBe(1);
  });
});
