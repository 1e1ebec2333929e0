import {
  BatchNorm2d,
  Conv2d,
  Flatten,
  Init,
  InitName,
  LeakyReLU,
  Linear,
  MaxPool2d,
  MinidlError,
  Module,
  Parameter,
  ReLU,
  Rng,
  Sequential,
  Sigmoid,
  Tanh,
  Tensor,
  gradcheck,
} from '../lib';
import { bits, expectMinidlError, randn } from './helpers';

/** Seeded entries with |x| in [0.05, 2]: safe for the kink of the ReLU family. */
function awayFromZero(rng: Rng, shape: number[]): Tensor {
  const t = new Tensor(shape);
  for (let i = 0; i < t.size; i++) t.data[i] = (rng.uniform() < 0.5 ? -1 : 1) * rng.uniform(0.05, 2);
  return t;
}

/** Smallest |x| that reaches a ReLU or LeakyReLU inside `net` for this input. */
function closestToKink(net: Sequential, input: Tensor): number {
  let x = input;
  let smallest = Infinity;
  for (const m of net.modules) {
    if (m instanceof ReLU || m instanceof LeakyReLU) for (const v of x.data) smallest = Math.min(smallest, Math.abs(v));
    x = m.forward(x);
  }
  return smallest;
}

function expectGradcheckPasses(module: Module, input: Tensor): void {
  const report = gradcheck(module, input);
  if (!report.ok) throw new Error(report.summary);
  expect(report.ok).toBe(true);
  expect(report.worstRelError).toBeLessThan(1e-7);
  expect(report.entries).toHaveLength(1 + module.params().length);
}

const SHAPES: Array<[number, number, number]> = [[1, 3, 4], [1, 1, 1], [2, 1, 5], [5, 4, 3], [7, 6, 2]];
const INITS: Init[] = [
  'default', 'normal', 'xavierUniform', 'xavierNormal', 'kaimingUniform', 'kaimingNormal', 'zeros',
  { kind: 'normal', std: 0.3 },
  { kind: 'kaimingUniform', mode: 'fanOut', nonlinearity: 'tanh' },
];

describe('gradcheck', () => {
  describe.each(INITS.map((init) => [JSON.stringify(init), init] as const))('Linear, init %s', (initName, init) => {
    test.each(SHAPES)('batch %i, %i→%i, with and without bias', (n, inF, outF) => {
      const rng = new Rng(`${initName}-${n}-${inF}-${outF}`);
      const withBias = new Linear(inF, outF, { init, rng });
      const noBias = new Linear(inF, outF, { init, rng, bias: false });
      expect(withBias.params()).toHaveLength(2);
      expect(noBias.params()).toHaveLength(1);
      expectGradcheckPasses(withBias, randn(rng, [n, inF]));
      expectGradcheckPasses(noBias, randn(rng, [n, inF]));
      const report = gradcheck(withBias, randn(rng, [n, inF]));
      expect(report.accumulates).toBe(true);
      expect(report.entries.map((e) => e.name)).toEqual(['input', 'params[0] weight', 'params[1] bias']);
    });
  });

  const activations: Array<[string, () => Module, boolean]> = [
    ['ReLU', () => new ReLU(), true],
    ['LeakyReLU()', () => new LeakyReLU(), true],
    ['LeakyReLU(0.2)', () => new LeakyReLU(0.2), true],
    ['LeakyReLU(-0.5)', () => new LeakyReLU(-0.5), true],
    ['Tanh', () => new Tanh(), false],
    ['Sigmoid', () => new Sigmoid(), false],
  ];
  describe.each(activations)('%s', (name, make, hasKink) => {
    test.each([[1, 1], [1, 6], [3, 4], [8, 5]])('input [%i,%i]', (n, d) => {
      const rng = new Rng(`${name}-${n}-${d}`);
      const x = hasKink ? awayFromZero(rng, [n, d]) : randn(rng, [n, d]);
      const module = make();
      expectGradcheckPasses(module, x);
      expect(gradcheck(module, x).accumulates).toBeNull(); // no parameters
    });

    test('a 3-D input keeps its shape', () => {
      const rng = new Rng(`${name}-3d`);
      const x = awayFromZero(rng, [2, 3, 2]);
      const module = make();
      expect(module.forward(x).shape).toEqual([2, 3, 2]);
      expectGradcheckPasses(module, x);
    });
  });

  test.each([1, 3, 6])('Sequential(Linear, Tanh, Linear, Sigmoid), batch %i', (n) => {
    const rng = new Rng(`seq-tanh-${n}`);
    const net = new Sequential(new Linear(3, 5, { rng }), new Tanh(), new Linear(5, 4, { rng }), new Sigmoid());
    expectGradcheckPasses(net, randn(rng, [n, 3]));
  });

  test.each([1, 4])('Sequential with ReLU and LeakyReLU and a nested Sequential, batch %i', (n) => {
    const rng = new Rng(`seq-relu-${n}`);
    const net = new Sequential(
      new Linear(2, 6, { rng }), new ReLU(),
      new Sequential(new Linear(6, 3, { rng }), new Tanh()),
      new Linear(3, 4, { rng }), new LeakyReLU(0.1),
      new Linear(4, 2, { rng, bias: false }),
    );
    const x = randn(rng, [n, 2]);
    expect(closestToKink(net, x)).toBeGreaterThan(1e-3);
    expectGradcheckPasses(net, x);
    expect(net.params()).toHaveLength(7);
  });
});

describe('forward and backward values by hand', () => {
  function handLinear(): Linear {
    const layer = new Linear(2, 3, { rng: new Rng(0) });
    layer.weight.value.data.set([1, 2, 3, 4, 5, 6]); // W = [[1,2,3],[4,5,6]]  ([in, out])
    (layer.bias as Parameter).value.data.set([0.5, -1, 2]);
    return layer;
  }
  const X = Tensor.from([[1, 1], [2, -1]]);
  const G = Tensor.from([[1, 0, -1], [0.5, 2, 1]]);

  test('Linear forward Y = X·W + b', () => {
    const layer = handLinear();
    expect(layer.weight.value.shape).toEqual([2, 3]);
    expect((layer.bias as Parameter).value.shape).toEqual([1, 3]);
    expect(layer.forward(X).toArray()).toEqual([[5.5, 6, 11], [-1.5, -2, 2]]);
  });

  test('Linear without bias', () => {
    const layer = new Linear(2, 3, { bias: false, rng: new Rng(0) });
    layer.weight.value.data.set([1, 2, 3, 4, 5, 6]);
    expect(layer.bias).toBeNull();
    expect(layer.forward(X).toArray()).toEqual([[5, 7, 9], [-2, -1, 0]]);
  });

  test('Linear backward: ∂X = G·Wᵀ, ∂W += Xᵀ·G, ∂b += Σ G', () => {
    const layer = handLinear();
    layer.forward(X);
    expect(layer.backward(G).toArray()).toEqual([[-2, -2], [7.5, 18]]);
    expect(layer.weight.grad.toArray()).toEqual([[2, 4, 1], [0.5, -2, -2]]);
    expect((layer.bias as Parameter).grad.toArray()).toEqual([[1.5, 2, 0]]);
  });

  test('Linear on [N, T, in] and [in]: each row as in [N·T, in], as PyTorch; gradients the sums over every row', () => {
    const layer = handLinear();
    // X [2, 2, 2]: rows (1,1), (2,−1), (2,−1), (1,1)
    const X3 = Tensor.from([[[1, 1], [2, -1]], [[2, -1], [1, 1]]]);
    const y = layer.forward(X3);
    expect(y.shape).toEqual([2, 2, 3]);
    expect(y.toArray()).toEqual([[[5.5, 6, 11], [-1.5, -2, 2]], [[-1.5, -2, 2], [5.5, 6, 11]]]);
    const G3 = Tensor.from([[[1, 0, -1], [0.5, 2, 1]], [[0.5, 2, 1], [1, 0, -1]]]);
    const gx = layer.backward(G3);
    expect(gx.shape).toEqual([2, 2, 2]);
    expect(gx.toArray()).toEqual([[[-2, -2], [7.5, 18]], [[7.5, 18], [-2, -2]]]);
    expect(layer.weight.grad.toArray()).toEqual([[4, 8, 2], [1, -4, -4]]); // twice the [2, 2] case
    expect((layer.bias as Parameter).grad.toArray()).toEqual([[3, 4, 0]]);
    expect(() => layer.backward(G)).toThrow('Linear(2→3).backward: gradOut has shape [2,3], expected [2,2,3]');

    const one = handLinear();
    expect(one.forward(Tensor.from([1, 1])).toArray()).toEqual([5.5, 6, 11]);
    expect(one.backward(Tensor.from([1, 0, -1])).toArray()).toEqual([-2, -2]);
    expect(() => one.forward(Tensor.from([[[1, 1, 1]]]))).toThrow('Linear(2→3).forward: input has shape [1,1,3], expected [N,…,2] (the 2 input features on the last axis)');
  });

  test.each([[[3, 4, 2]], [[1, 1, 2]], [[2, 3, 1, 2]], [[2]]])('Linear on %j passes gradcheck (input and parameters)', (shape) => {
    const rng = new Rng(7);
    expectGradcheckPasses(new Linear(2, 3, { rng }), randn(rng, shape));
  });

  test('two backward calls double the parameter gradients, not the input gradient', () => {
    const layer = handLinear();
    layer.forward(X);
    const first = layer.backward(G);
    const second = layer.backward(G);
    expect(second.toArray()).toEqual(first.toArray());
    expect(layer.weight.grad.toArray()).toEqual([[4, 8, 2], [1, -4, -4]]);
    expect((layer.bias as Parameter).grad.toArray()).toEqual([[3, 4, 0]]);
  });

  test('zeroGrad clears every gradient, also inside a Sequential', () => {
    const layer = handLinear();
    const rng = new Rng(1);
    const other = new Linear(3, 2, { rng });
    const net = new Sequential(layer, new Tanh(), other);
    net.forward(X);
    net.backward(Tensor.ones([2, 2]));
    const nonZero = (p: Parameter): boolean => p.grad.data.some((v) => v !== 0);
    expect(net.params().every(nonZero)).toBe(true);
    net.zeroGrad();
    expect(net.params().some(nonZero)).toBe(false);
    layer.forward(X);
    layer.backward(G);
    layer.zeroGrad();
    expect(Array.from(layer.weight.grad.data)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  test('ReLU: max(0, x); gradient 0 at x = 0 (as PyTorch)', () => {
    const relu = new ReLU();
    const x = Tensor.from([[-2, -0.5, 0, 0.5, 3]]);
    expect(relu.forward(x).toArray()).toEqual([[0, 0, 0, 0.5, 3]]);
    expect(relu.backward(Tensor.from([[10, 20, 30, 40, 50]])).toArray()).toEqual([[0, 0, 0, 40, 50]]);
  });

  test('LeakyReLU default slope 0.01; the slope side is taken at x = 0 (as PyTorch)', () => {
    const leaky = new LeakyReLU();
    expect(leaky.negativeSlope).toBe(0.01);
    const x = Tensor.from([[-2, -0.5, 0, 0.5, 3]]);
    const y = leaky.forward(x).toArray() as number[][];
    [-0.02, -0.005, 0, 0.5, 3].forEach((v, i) => expect(y[0][i]).toBeCloseTo(v, 15));
    const g = leaky.backward(Tensor.from([[10, 20, 30, 40, 50]])).toArray() as number[][];
    [0.1, 0.2, 0.3, 40, 50].forEach((v, i) => expect(g[0][i]).toBeCloseTo(v, 14));
  });

  test('LeakyReLU with a custom slope', () => {
    const leaky = new LeakyReLU(0.25);
    expect(leaky.forward(Tensor.from([-4, 2])).toArray()).toEqual([-1, 2]);
    expect(leaky.backward(Tensor.from([8, 8])).toArray()).toEqual([2, 8]);
  });

  test('Tanh and Sigmoid values and derivatives', () => {
    const xs = [-3, -1, 0, 0.5, 2];
    const tanh = new Tanh();
    const ty = tanh.forward(Tensor.from([xs])).data;
    const tg = tanh.backward(Tensor.from([[1, 1, 1, 1, 2]])).data;
    xs.forEach((x, i) => {
      expect(ty[i]).toBeCloseTo(Math.tanh(x), 15);
      expect(tg[i]).toBeCloseTo((i === 4 ? 2 : 1) * (1 - Math.tanh(x) ** 2), 14);
    });
    expect(ty[2]).toBe(0);
    expect(tg[2]).toBe(1);

    const sigmoid = new Sigmoid();
    const sy = sigmoid.forward(Tensor.from([xs])).data;
    const sg = sigmoid.backward(Tensor.from([[1, 1, 1, 1, 1]])).data;
    xs.forEach((x, i) => {
      const s = 1 / (1 + Math.exp(-x));
      expect(sy[i]).toBeCloseTo(s, 15);
      expect(sg[i]).toBeCloseTo(s * (1 - s), 15);
    });
    expect(sy[2]).toBe(0.5);
    expect(sg[2]).toBe(0.25);
    expect(sy[1]).toBeCloseTo(0.2689414213699951, 15);
  });

  test('Sigmoid and Tanh at |x| = 800: exact limits, zero gradients, no NaN', () => {
    const x = Tensor.from([[-800, 800, -40, 40]]);
    const sigmoid = new Sigmoid();
    const sy = sigmoid.forward(x).data;
    expect(sy[0]).toBe(0);
    expect(sy[1]).toBe(1);
    expect(sy[2]).toBeGreaterThan(0);
    expect(sy[2]).toBeLessThan(1e-17);
    const sg = sigmoid.backward(Tensor.ones([1, 4])).data;
    expect(Array.from(sg.subarray(0, 2))).toEqual([0, 0]);
    expect(Array.from(sg).every(Number.isFinite)).toBe(true);

    const tanh = new Tanh();
    expect(Array.from(tanh.forward(x).data)).toEqual([-1, 1, -1, 1]);
    expect(Array.from(tanh.backward(Tensor.ones([1, 4])).data)).toEqual([0, 0, 0, 0]);
  });

  test('the activations leave their input unchanged', () => {
    const x = Tensor.from([[-1, 2], [3, -4]]);
    for (const m of [new ReLU(), new LeakyReLU(), new Tanh(), new Sigmoid()]) {
      m.forward(x);
      expect(x.toArray()).toEqual([[-1, 2], [3, -4]]);
    }
  });

  test('Sequential chains the forward and backward passes', () => {
    const rng = new Rng(21);
    const l1 = new Linear(3, 4, { rng });
    const l2 = new Linear(4, 2, { rng });
    const net = new Sequential(l1, new Tanh(), l2);
    const x = randn(rng, [5, 3]);
    const y = net.forward(x);
    const byHand = l2.forward(new Tanh().forward(l1.forward(x)));
    expect(y.data).toEqual(byHand.data);
    expect(net.length).toBe(3);
    expect(new Sequential().forward(x)).toBe(x); // empty chain: identity
  });
});

describe('parameters', () => {
  test('params() lists (value, grad) pairs of matching shapes, in order', () => {
    const rng = new Rng(2);
    const l1 = new Linear(2, 5, { rng });
    const l2 = new Linear(5, 3, { rng, bias: false });
    const net = new Sequential(l1, new ReLU(), l2);
    const ps = net.params();
    expect(ps).toEqual([l1.weight, l1.bias, l2.weight]);
    expect(ps.map((p) => p.name)).toEqual(['weight', 'bias', 'weight']);
    for (const p of ps) {
      expect(p).toBeInstanceOf(Parameter);
      expect(p.grad.shape).toEqual(p.value.shape);
      expect(p.grad.data).not.toBe(p.value.data);
    }
    expect(ps.map((p) => p.shape)).toEqual([[2, 5], [1, 5], [5, 3]]);
    expect(net.numParams()).toBe(10 + 5 + 15);
    expect(new ReLU().params()).toEqual([]);
    expect(new Sigmoid().numParams()).toBe(0);
  });

  test('a Parameter shared by two Linear modules is listed once and gets both gradients', () => {
    const rng = new Rng(3);
    const a = new Linear(3, 3, { rng });
    const b = new Linear(3, 3, { rng });
    (b as unknown as { weight: Parameter }).weight = a.weight; // weight sharing
    const shared = new Sequential(a, new Tanh(), b);
    const ps = shared.params();
    expect(ps).toHaveLength(3);
    expect(ps.filter((p) => p === a.weight)).toHaveLength(1);
    expect(shared.numParams()).toBe(9 + 3 + 3);

    // The same network with two separate (equal) weights: the shared gradient is the sum of theirs.
    const a2 = new Linear(3, 3, { rng });
    const b2 = new Linear(3, 3, { rng });
    a2.weight.value.data.set(a.weight.value.data);
    b2.weight.value.data.set(a.weight.value.data);
    (a2.bias as Parameter).value.data.set((a.bias as Parameter).value.data);
    (b2.bias as Parameter).value.data.set((b.bias as Parameter).value.data);
    const separate = new Sequential(a2, new Tanh(), b2);

    const x = randn(rng, [4, 3]);
    const g = randn(rng, [4, 3]);
    shared.forward(x);
    shared.backward(g);
    separate.forward(x);
    separate.backward(g);
    for (let i = 0; i < 9; i++) {
      expect(a.weight.grad.data[i]).toBeCloseTo(a2.weight.grad.data[i] + b2.weight.grad.data[i], 13);
    }
    expect(Math.max(...Array.from(b2.weight.grad.data, Math.abs))).toBeGreaterThan(1e-3);

    expectGradcheckPasses(shared, x);
  });

  test('train() / eval() propagate to every child, nested ones included', () => {
    const inner = new Sequential(new ReLU(), new Tanh());
    const lin = new Linear(2, 2, { rng: new Rng(0) });
    const net = new Sequential(lin, inner);
    const all = [net, lin, inner, ...inner.modules];
    expect(all.every((m) => m.training)).toBe(true);
    expect(net.eval()).toBe(net);
    expect(all.every((m) => !m.training)).toBe(true);
    expect(net.train()).toBe(net);
    expect(all.every((m) => m.training)).toBe(true);
    net.train(false);
    expect(all.some((m) => m.training)).toBe(false);
  });
});

describe('toString', () => {
  test('layers and containers describe themselves', () => {
    const rng = new Rng(0);
    expect(new Linear(2, 25, { rng }).toString()).toBe('Linear(2→25)');
    expect(new Linear(2, 3, { rng, bias: false }).toString()).toBe('Linear(2→3, bias=false)');
    expect(new ReLU().toString()).toBe('ReLU');
    expect(new LeakyReLU().toString()).toBe('LeakyReLU(0.01)');
    expect(new LeakyReLU(0.2).toString()).toBe('LeakyReLU(0.2)');
    expect(new Tanh().toString()).toBe('Tanh');
    expect(new Sigmoid().toString()).toBe('Sigmoid');
    const net = new Sequential(new Linear(2, 25, { rng }), new ReLU(), new Linear(25, 2, { rng }), new Sigmoid());
    expect(net.toString()).toBe('Sequential(Linear(2→25), ReLU, Linear(25→2), Sigmoid)');
    expect(`${new Sequential(new Sequential(new Tanh()), new LeakyReLU(0.5))}`).toBe('Sequential(Sequential(Tanh), LeakyReLU(0.5))');
  });
});

describe('contract checks', () => {
  const rng = new Rng(4);

  test.each([
    ['Linear(2→3)', () => new Linear(2, 3, { rng })],
    ['ReLU', () => new ReLU()],
    ['LeakyReLU(0.01)', () => new LeakyReLU()],
    ['Tanh', () => new Tanh()],
    ['Sigmoid', () => new Sigmoid()],
    ['Sequential(Linear(2→3), ReLU)', () => new Sequential(new Linear(2, 3, { rng }), new ReLU())],
  ] as Array<[string, () => Module]>)('%s: backward before forward throws', (name, make) => {
    const m = make();
    const escaped = name.replace(/[()]/g, '\\$&');
    expect(() => m.backward(Tensor.zeros([1, 3]))).toThrow(MinidlError);
    expect(() => m.backward(Tensor.zeros([1, 3]))).toThrow(new RegExp(`^${escaped}\\.backward: called before forward`));
  });

  test('Linear: gradOut of the wrong shape names the module and both shapes', () => {
    const layer = new Linear(2, 3, { rng });
    layer.forward(randn(rng, [4, 2]));
    expect(() => layer.backward(Tensor.zeros([4, 2]))).toThrow(MinidlError);
    expect(() => layer.backward(Tensor.zeros([4, 2]))).toThrow(/^Linear\(2→3\)\.backward: gradOut has shape \[4,2\], expected \[4,3\]/);
    expect(() => layer.backward(Tensor.zeros([3, 3]))).toThrow(/gradOut has shape \[3,3\], expected \[4,3\]/);
    expect(() => layer.backward(Tensor.zeros([12]))).toThrow(/gradOut has shape \[12\], expected \[4,3\]/);
    expect(() => layer.backward([[1, 2, 3]] as unknown as Tensor)).toThrow(/gradOut must be a Tensor/);
    // nothing was accumulated by the refused calls
    expect(layer.weight.grad.data.every((v) => v === 0)).toBe(true);
  });

  test.each([
    ['ReLU', new ReLU()],
    ['LeakyReLU\\(0.01\\)', new LeakyReLU()],
    ['Tanh', new Tanh()],
    ['Sigmoid', new Sigmoid()],
  ] as Array<[string, Module]>)('%s: gradOut of the wrong shape is refused', (name, m) => {
    m.forward(Tensor.ones([2, 3]));
    expect(() => m.backward(Tensor.ones([3, 2]))).toThrow(new RegExp(`^${name}\\.backward: gradOut has shape \\[3,2\\], expected \\[2,3\\]`));
  });

  test('the gradOut check follows the last forward', () => {
    const layer = new Linear(2, 3, { rng });
    layer.forward(randn(rng, [4, 2]));
    layer.forward(randn(rng, [1, 2]));
    expect(() => layer.backward(Tensor.zeros([4, 3]))).toThrow(/expected \[1,3\]/);
    expect(layer.backward(Tensor.ones([1, 3])).shape).toEqual([1, 2]);
  });

  test('non-finite input is refused, naming the value and its position', () => {
    const layer = new Linear(2, 3, { rng });
    expect(() => layer.forward(Tensor.from([[1, NaN]]))).toThrow(MinidlError);
    expect(() => layer.forward(Tensor.from([[1, NaN]]))).toThrow(/^Linear\(2→3\)\.forward: input holds a non-finite value \(NaN\) at flat index 1 of shape \[1,2\]/);
    expect(() => new ReLU().forward(Tensor.from([[0, Infinity]]))).toThrow(/^ReLU\.forward: .*non-finite value \(Infinity\)/);
    expect(() => new Tanh().forward(Tensor.from([-Infinity]))).toThrow(/^Tanh\.forward: .*-Infinity/);
    expect(() => new Sigmoid().forward(Tensor.from([NaN]))).toThrow(MinidlError);
    expect(() => new LeakyReLU().forward(Tensor.from([NaN]))).toThrow(MinidlError);
    expect(() => new Tanh().forward([1, 2] as unknown as Tensor)).toThrow(/input must be a Tensor/);
  });

  test('Linear refuses the wrong number of input features, naming [N,in]', () => {
    const layer = new Linear(2, 3, { rng });
    expect(() => layer.forward(Tensor.zeros([4, 3]))).toThrow(MinidlError);
    expect(() => layer.forward(Tensor.zeros([4, 3]))).toThrow(/^Linear\(2→3\)\.forward: input has shape \[4,3\], expected \[N,2\]/);
    expect(() => layer.forward(Tensor.zeros([3]))).toThrow(/input has shape \[3\], expected \[N,…,2\]/);
    expect(() => layer.forward(Tensor.zeros([1, 2, 1]))).toThrow(/input has shape \[1,2,1\], expected \[N,…,2\]/);
  });

  test('an error inside a Sequential names the index and the layer', () => {
    const net = new Sequential(new Linear(2, 3, { rng }), new ReLU(), new Linear(4, 5, { rng }));
    expect(() => net.forward(Tensor.ones([5, 2]))).toThrow(MinidlError);
    expect(() => net.forward(Tensor.ones([5, 2]))).toThrow(/^Sequential\[2\] Linear\(4→5\)\.forward: input has shape \[5,3\], expected \[N,4\]$/);
    expect(() => net.forward(Tensor.ones([5, 3]))).toThrow(/^Sequential\[0\] Linear\(2→3\)\.forward: input has shape \[5,3\], expected \[N,2\]$/);
  });

  test('nested Sequentials give both prefixes', () => {
    const net = new Sequential(new Linear(2, 3, { rng }), new Sequential(new Tanh(), new Linear(4, 1, { rng })));
    expect(() => net.forward(Tensor.ones([1, 2]))).toThrow(/^Sequential\[1\] Sequential\[1\] Linear\(4→1\)\.forward: input has shape \[1,3\], expected \[N,4\]$/);
  });

  test('a backward error inside a Sequential is prefixed too', () => {
    /** Passes its input through but returns a gradient of the wrong width. */
    class WrongGradient extends Module {
      forward(input: Tensor): Tensor {
        return this.rememberOutput(input);
      }
      backward(gradOut: Tensor): Tensor {
        this.checkGradOut(gradOut);
        return Tensor.zeros([gradOut.rows, gradOut.cols + 1]);
      }
      toString(): string {
        return 'WrongGradient';
      }
    }
    const net = new Sequential(new Linear(2, 3, { rng }), new WrongGradient());
    net.forward(Tensor.ones([4, 2]));
    expect(() => net.backward(Tensor.ones([4, 3]))).toThrow(/^Sequential\[0\] Linear\(2→3\)\.backward: gradOut has shape \[4,4\], expected \[4,3\]/);
    expect(() => net.backward(Tensor.ones([4, 2]))).toThrow(/^Sequential\(Linear\(2→3\), WrongGradient\)\.backward: gradOut has shape \[4,2\], expected \[4,3\]/);
  });

  test('a plain Error from a child is wrapped into a MinidlError with the child named, keeping the cause', () => {
    const boom = new RangeError('boom');
    class Exploding extends Module {
      forward(): Tensor {
        throw boom;
      }
      backward(g: Tensor): Tensor {
        return g;
      }
      toString(): string {
        return 'Exploding';
      }
    }
    const net = new Sequential(new Tanh(), new Exploding());
    let caught: unknown;
    try {
      net.forward(Tensor.ones([1, 1]));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(MinidlError);
    expect((caught as Error).message).toBe('Sequential[1] Exploding.forward: boom');
    expect((caught as { cause?: unknown }).cause).toBe(boom);
  });

  test('Sequential.append refuses a non-module', () => {
    expect(() => new Sequential().append({} as unknown as Module)).toThrow(MinidlError);
    expect(() => new Sequential(new Tanh(), 3 as unknown as Module)).toThrow(/Sequential.append: expected a Module, got number 3/);
  });
});

describe('invalid constructor arguments', () => {
  test('Linear sizes must be integers ≥ 1', () => {
    expect(() => new Linear(0, 3)).toThrow(MinidlError);
    expect(() => new Linear(0, 3)).toThrow(/^Linear: inFeatures must be an integer ≥ 1, got 0/);
    expect(() => new Linear(2.5, 3)).toThrow(/inFeatures must be an integer ≥ 1, got 2.5/);
    expect(() => new Linear(2, -1)).toThrow(/outFeatures must be an integer ≥ 1, got -1/);
    expect(() => new Linear(2, NaN)).toThrow(MinidlError);
  });

  test('Linear refuses an unknown init or biasInit', () => {
    const rng = new Rng(0);
    expect(() => new Linear(2, 3, { init: 'glorot' as InitName, rng })).toThrow(MinidlError);
    expect(() => new Linear(2, 3, { init: 'glorot' as InitName, rng })).toThrow(/^Linear\(2→3\): unknown init "glorot"/);
    expect(() => new Linear(2, 3, { init: { kind: 'he' as InitName }, rng })).toThrow(/unknown init/);
    expect(() => new Linear(2, 3, { biasInit: 'ones' as 'zeros', rng })).toThrow(/^Linear\(2→3\): option 'biasInit' must be one of 'default', 'zeros', got string 'ones'/);
  });

  test('LeakyReLU needs a finite slope', () => {
    expect(() => new LeakyReLU(NaN)).toThrow(MinidlError);
    expect(() => new LeakyReLU(NaN)).toThrow(/^LeakyReLU: negativeSlope must be a finite number, got NaN/);
    expect(() => new LeakyReLU(Infinity)).toThrow(MinidlError);
    expect(() => new LeakyReLU('0.1' as unknown as number)).toThrow(MinidlError);
  });
});

describe('checked constructors keep their numbers and accept what they document', () => {
  test('Linear draws W then b from its generator, U(−1/√in, 1/√in), as before the checks', () => {
    const layer = new Linear(3, 2, { rng: new Rng('draws') });
    const rng = new Rng('draws');
    const bound = 1 / Math.sqrt(3);
    const expected = Array.from(rng.fillUniform(new Float64Array(8), -bound, bound));
    expect([...layer.weight.value.data, ...(layer.bias as Parameter).value.data]).toEqual(expected);
  });

  test("a refused biasInit draws nothing: the generator is where it was", () => {
    const rng = new Rng('refused');
    const before = rng.state();
    expect(() => new Linear(3, 2, { rng, biasInit: 'ones' as 'zeros' })).toThrow(MinidlError);
    expect(() => new Linear(3, 2, { rng, init: { kind: 'xavierUniform', gain: 1e308 } })).toThrow(MinidlError);
    expect(rng.state()).toEqual(before);
  });

  test('share with rng and bias (as a saved model is rebuilt) is accepted; share with init is not', () => {
    const a = new Linear(2, 3, { rng: new Rng(1) });
    const b = new Linear(2, 3, { share: a, rng: new Rng(2), bias: true });
    expect(b.weight).toBe(a.weight);
    expect(() => new Linear(2, 3, { share: a, biasInit: 'zeros' })).toThrow(/'biasInit' has no effect with 'share'/);
  });

  test('options given positionally are refused with the option they meant', () => {
    const rng = new Rng(3);
    expect(() => new Linear(2, 25, rng as never)).toThrow(/^Linear\(2→25\): expected an options object such as \{ rng: … \}/);
    expect(() => new Linear(2, 25, false as never)).toThrow(/such as \{ bias: false \}/);
  });

  test('activations take no argument they would ignore', () => {
    expect(() => new (ReLU as unknown as new (a: unknown) => ReLU)(true)).toThrow(/^ReLU: takes no arguments, got 1/);
    expect(() => new (LeakyReLU as unknown as new (a: unknown, b: unknown) => LeakyReLU)(0.1, true)).toThrow(/^LeakyReLU: takes at most 1 argument/);
    expect(new LeakyReLU(0.2).negativeSlope).toBe(0.2);
  });

  test('train(mode) takes true or false only, and changes nothing otherwise', () => {
    const net = new Sequential(new Linear(2, 2, { rng: new Rng(4) }), new Tanh());
    expect(() => net.train('no' as unknown as boolean)).toThrow(/^Sequential.*\.train: mode must be true \(training\) or false \(evaluation\), got string 'no'$/);
    expect(net.training).toBe(true);
    expect(net.train(false).training).toBe(false);
  });
});

describe('a gradOut holding NaN or ±Infinity', () => {
  // as forward refuses an input that holds one: every gradient after it would be NaN, silently
  const rng = new Rng('gradOut not finite');
  const cases: Array<[string, () => Module, number[]]> = [
    ['Linear(3→2)', () => new Linear(3, 2, { rng }), [4, 3]],
    ['ReLU', () => new ReLU(), [2, 5]],
    ['Conv2d(2→3, 3×3, stride 1, padding 1)', () => new Conv2d(2, 3, 3, { padding: 1, rng }), [2, 2, 5, 5]],
    ['MaxPool2d', () => new MaxPool2d(2), [2, 3, 4, 4]],
    ['BatchNorm2d(3', () => new BatchNorm2d(3), [4, 3, 2, 2]],
    ['Sequential(Conv2d', () => new Sequential(new Conv2d(1, 2, 3, { rng }), new ReLU(), new Flatten(), new Linear(2 * 3 * 3, 2, { rng })), [3, 1, 5, 5]],
  ];
  test.each(cases)('%s….backward refuses it by name and index, and no gradient changes', (name, make, inputShape) => {
    const module = make();
    const y = module.forward(randn(rng, inputShape));
    const gradBefore = module.params().map((p) => bits(p.grad.data));
    const who = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'); //               the message starts with the module
    for (const [value, shown] of [[NaN, 'NaN'], [Infinity, 'Infinity'], [-Infinity, '-Infinity']] as const) {
      const gradOut = randn(rng, [...y.shape]);
      const at = gradOut.size - 1;
      gradOut.data[at] = value;
      expectMinidlError(() => module.backward(gradOut), new RegExp(`^${who}.*\\.backward: gradOut holds a non-finite value \\(${shown}\\) at flat index ${at} of shape`));
      expect(module.params().map((p) => bits(p.grad.data))).toEqual(gradBefore);
    }
    expect(() => module.backward(randn(rng, [...y.shape]))).not.toThrow(); //  a finite one is taken: the forward still stands
  });
});

