import { ColumnSplit, Linear, ReLU, Rng, Sequential, Tanh, Tensor, concatColumns, gradcheck, sliceColumns } from '../lib';
import { expectMinidlError, randn } from './helpers';

describe('sliceColumns and concatColumns', () => {
  const x = Tensor.from([[1, 2, 3, 4], [5, 6, 7, 8]]);
  test('slice and concatenate back', () => {
    expect(sliceColumns(x, 1, 3).toArray()).toEqual([[2, 3], [6, 7]]);
    expect(concatColumns([sliceColumns(x, 0, 1), sliceColumns(x, 1, 4)]).toArray()).toEqual(x.toArray());
  });
  test('bad ranges and row counts are refused', () => {
    expectMinidlError(() => sliceColumns(x, 2, 5), /sliceColumns: cannot take columns 2…4 of X \[2,4\]/);
    expectMinidlError(() => concatColumns([x, Tensor.zeros([3, 1])]), /parts\[1\] has 3 rows \(shape \[3,1\]\) but parts\[0\] has 2/);
  });
});

describe('weight sharing', () => {
  test('Linear({ share }) holds the very same Parameters', () => {
    const a = new Linear(3, 2, { rng: new Rng(1) });
    const b = new Linear(3, 2, { share: a });
    expect(b.weight).toBe(a.weight);
    expect(b.bias).toBe(a.bias);
    expectMinidlError(() => new Linear(3, 4, { share: a }), /cannot share the parameters of Linear\(3→2\): sizes and bias must match/);
    expectMinidlError(() => new Linear(3, 2, { share: a, bias: false }), /sizes and bias must match/);
  });

  test('a shared weight gets the sum of both uses\' gradients and is listed once', () => {
    const rng = new Rng(2);
    const shared = new Linear(2, 2, { rng });
    const split = new ColumnSplit([2, 2], [shared, new Linear(2, 2, { share: shared })]);
    expect(split.params()).toEqual([shared.weight, shared.bias]);
    const x = randn(rng, [3, 4]);
    const g = randn(rng, [3, 4]);
    split.forward(x);
    split.backward(g);
    // By hand: each group contributes Xₖᵀ·Gₖ to the one weight gradient.
    const expected = new Float64Array(4);
    for (const k of [0, 1]) {
      const xk = sliceColumns(x, 2 * k, 2 * k + 2), gk = sliceColumns(g, 2 * k, 2 * k + 2);
      for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) for (let n = 0; n < 3; n++) expected[i * 2 + j] += xk.get(n, i) * gk.get(n, j);
    }
    Array.from(expected).forEach((v, i) => expect(shared.weight.grad.data[i]).toBeCloseTo(v, 12));
  });

  test('gradcheck of a weight-sharing network, batch sizes 1 and 5', () => {
    for (const n of [1, 5]) {
      const rng = new Rng(`ws-${n}`);
      const shared = new Linear(3, 3, { rng });
      const net = new Sequential(
        new Linear(2, 6, { rng }), new Tanh(),
        new ColumnSplit([3, 3], [shared, new Linear(3, 3, { share: shared })]), new Tanh(),
        new Linear(6, 2, { rng }),
      );
      const report = gradcheck(net, randn(rng, [n, 2]));
      expect(report.ok).toBe(true);
      expect(report.worstRelError).toBeLessThan(1e-7);
      expect(report.entries).toHaveLength(1 + 6); // input + 3 Linear layers × (weight, bias), shared listed once
    }
  });

  test('ColumnSplit checks its input width and names the failing group', () => {
    const split = new ColumnSplit([2, 3], [new ReLU(), new Linear(2, 1)]);
    expectMinidlError(() => split.forward(Tensor.zeros([4, 4])), /ColumnSplit\(\[2, 3\], ReLU, Linear\(2→1\)\)\.forward: input has shape \[4,4\], expected \[N,5\] \(groups of 2 \+ 3 columns\)/);
    expectMinidlError(() => split.forward(Tensor.ones([4, 5])), /^ColumnSplit\[1\] Linear\(2→1\)\.forward: input has shape \[4,3\], expected \[N,2\]/);
    expectMinidlError(() => new ColumnSplit([2], [new ReLU(), new ReLU()]), /expected as many group sizes as modules/);
  });

  test('toString', () => {
    expect(String(new ColumnSplit([1, 1], [new ReLU(), new Tanh()]))).toBe('ColumnSplit([1, 1], ReLU, Tanh)');
  });
});

describe('weight sharing means two layers on the same Parameters, never one instance twice', () => {
  test('the same Linear at both groups of a ColumnSplit is refused, with the { share } spelling to use', () => {
    const shared = new Linear(3, 3, { rng: new Rng(7) });
    expectMinidlError(() => new ColumnSplit([3, 3], [shared, shared]),
      /^ColumnSplit: Linear\(3→3\) is used twice, at \[0\] and at \[1\]/,
      /new Linear\(3, 3, \{ share: first \}\)/);
  });

  test('nested on both sides: Sequential(shared, Tanh) and Sequential(twin, Tanh) in a ColumnSplit pass gradcheck', () => {
    const rng = new Rng(8);
    const shared = new Linear(2, 2, { rng });
    const split = new ColumnSplit([2, 2], [
      new Sequential(shared, new Tanh()),
      new Sequential(new Linear(2, 2, { share: shared }), new Tanh()),
    ]);
    expect(split.params()).toEqual([shared.weight, shared.bias]);
    const report = gradcheck(split, randn(rng, [3, 4]));
    expect(report.ok).toBe(true);
    expect(report.entries).toHaveLength(3);
  });
});
