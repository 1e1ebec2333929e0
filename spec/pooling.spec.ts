import { Rng, Tensor, gradcheck } from '../lib';
import { AvgPool2d } from '../lib/modules/pooling/avg-pool2d';
import { MaxPool2d } from '../lib/modules/pooling/max-pool2d';
import { Flatten } from '../lib/modules/reshape/flatten';
import { Module } from '../lib/modules/module';
import { expectMinidlError, randn } from './helpers';

/**
 * Reference numbers from PyTorch 1.13 in float64 (torch.nn.functional.max_pool2d / avg_pool2d
 * and autograd), obtained with:
 *
 *   g = torch.Generator().manual_seed(0)
 *   lit = lambda shape, lo=-9, hi=10, div=10: torch.randint(lo, hi, shape, generator=g).double() / div
 *   # (after the three convolution cases of spec/convolution.spec.ts, which drew from g first)
 *   for each case: x = <input below>.requires_grad_(); y = <call below>; gy = lit(y.shape); y.backward(gy)
 *     max1: x = lit((1,2,4,5), -2, 3, 1);   y = F.max_pool2d(x, 2)
 *     max2: x = -lit((2,1,5,5), 1, 4, 1);   y = F.max_pool2d(x, 3, stride=2, padding=1)
 *     max3: x = lit((1,1,4,5), 0, 3, 1);    y = F.max_pool2d(x, (3,2), stride=(1,2), padding=(1,0))
 *     avg1: x = lit((2,1,5,5));             y = F.avg_pool2d(x, 3, stride=2, padding=1)
 *     avg2: x = lit((1,2,3,4));             y = F.avg_pool2d(x, (2,3), stride=1, padding=(1,1))
 *
 * and every tensor printed flat (row-major) with Python's repr. The max-pooling inputs are small
 * integers, so most windows hold ties: x.grad shows which entry PyTorch routes the gradient to.
 */
const TORCH = {
// max1: F.max_pool2d(x, 2) on integers in [-2, 2] (many ties), then y.backward(gy)
  max1_x: { shape: [1, 2, 4, 5], data: [2.0, -1.0, 0.0, -2.0, -2.0, -1.0, 1.0, 2.0, -1.0, -1.0, -2.0, 2.0, -2.0, -1.0, 2.0, -2.0, -2.0, 2.0, -2.0, 2.0, 1.0, -2.0, 0.0, 0.0, -1.0, 2.0, 0.0, -2.0, -1.0, -2.0, -2.0, 2.0, -2.0, 1.0, 0.0, -1.0, 0.0, -2.0, 0.0, -2.0] },
  max1_y: { shape: [1, 2, 2, 2], data: [2.0, 2.0, 2.0, 2.0, 2.0, 0.0, 2.0, 1.0] },
  max1_gy: { shape: [1, 2, 2, 2], data: [0.4, 0.1, -0.5, -0.5, 0.6, -0.3, 0.3, -0.6] },
  max1_gx: { shape: [1, 2, 4, 5], data: [0.4, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.1, 0.0, 0.0, 0.0, -0.5, 0.0, 0.0, 0.0, 0.0, 0.0, -0.5, 0.0, 0.0, 0.0, 0.0, -0.3, 0.0, 0.0, 0.6, 0.0, 0.0, 0.0, 0.0, 0.0, 0.3, 0.0, -0.6, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0] },
// max2: F.max_pool2d(x, 3, stride=2, padding=1) on negative integers (ties; padding must never win), then y.backward(gy)
  max2_x: { shape: [2, 1, 5, 5], data: [-3.0, -3.0, -3.0, -3.0, -3.0, -1.0, -2.0, -3.0, -1.0, -1.0, -1.0, -2.0, -1.0, -1.0, -2.0, -2.0, -3.0, -3.0, -1.0, -3.0, -3.0, -1.0, -2.0, -3.0, -2.0, -2.0, -3.0, -1.0, -2.0, -1.0, -1.0, -2.0, -3.0, -2.0, -2.0, -2.0, -3.0, -2.0, -2.0, -3.0, -1.0, -3.0, -3.0, -3.0, -1.0, -2.0, -2.0, -2.0, -2.0, -1.0] },
  max2_y: { shape: [2, 1, 3, 3], data: [-1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, -2.0, -1.0, -1.0, -2.0, -1.0] },
  max2_gy: { shape: [2, 1, 3, 3], data: [0.4, 0.3, 0.9, 0.1, -0.2, -0.7, 0.1, -0.9, 0.1, 0.5, 0.3, -0.3, 0.0, 0.9, 0.9, 0.4, 0.4, -0.4] },
  max2_gx: { shape: [2, 1, 5, 5], data: [0.0, 0.0, 0.0, 0.0, 0.0, 0.5, 0.0, 0.0, 0.30000000000000004, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.8, 0.0, 0.0, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0, 0.3, 0.0, -0.3, 0.5, 0.9, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.4, 0.0, 0.0, 0.0, 0.5, 0.0, 0.4, 0.0, 0.0, 0.0] },
// max3: F.max_pool2d(x, (3,2), stride=(1,2), padding=(1,0)) on integers in [0, 2], then y.backward(gy)
  max3_x: { shape: [1, 1, 4, 5], data: [1.0, 1.0, 1.0, 0.0, 2.0, 1.0, 1.0, 2.0, 2.0, 1.0, 2.0, 0.0, 0.0, 1.0, 2.0, 2.0, 1.0, 2.0, 2.0, 0.0] },
  max3_y: { shape: [1, 1, 4, 2], data: [1.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0, 2.0] },
  max3_gy: { shape: [1, 1, 4, 2], data: [-0.4, 0.7, -0.3, -0.7, -0.4, -0.8, -0.1, -0.8] },
  max3_gx: { shape: [1, 1, 4, 5], data: [-0.4, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.8, 0.0, 0.0, -0.7999999999999999, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.8, 0.0, 0.0] },
// avg1: F.avg_pool2d(x, 3, stride=2, padding=1) (count_include_pad=True), then y.backward(gy)
  avg1_x: { shape: [2, 1, 5, 5], data: [-0.8, 0.0, -0.2, 0.4, -0.8, 0.5, -0.1, 0.6, -0.5, -0.6, 0.2, 0.1, -0.3, 0.0, 0.2, 0.8, 0.2, -0.8, -0.1, -0.8, 0.0, 0.4, 0.5, 0.3, -0.9, -0.1, 0.7, 0.9, 0.6, -0.5, -0.3, 0.9, 0.7, -0.6, -0.5, -0.9, -0.6, 0.2, -0.4, -0.5, -0.3, -0.9, 0.0, -0.1, -0.7, 0.8, 0.1, -0.4, -0.5, 0.3] },
  avg1_y: { shape: [2, 1, 3, 3], data: [-0.044444444444444446, 0.022222222222222216, -0.16666666666666666, 0.18888888888888888, -0.1, -0.20000000000000004, 0.15555555555555556, 0.05555555555555555, -0.16666666666666666, 0.13333333333333333, 0.3555555555555555, -0.1111111111111111, -0.23333333333333334, -0.08888888888888888, -0.3111111111111111, -0.033333333333333326, -0.2, -0.11111111111111109] },
  avg1_gy: { shape: [2, 1, 3, 3], data: [-0.7, 0.2, 0.1, 0.3, 0.5, -0.2, -0.8, -0.3, 0.2, -0.4, -0.6, 0.4, 0.9, -0.3, 0.7, 0.3, 0.0, 0.0] },
  avg1_gx: { shape: [2, 1, 5, 5], data: [-0.07777777777777778, -0.05555555555555555, 0.022222222222222223, 0.03333333333333333, 0.011111111111111112, -0.044444444444444446, 0.03333333333333333, 0.07777777777777778, 0.06666666666666665, -0.011111111111111112, 0.03333333333333333, 0.08888888888888888, 0.05555555555555555, 0.033333333333333326, -0.022222222222222223, -0.05555555555555556, -0.03333333333333335, 0.02222222222222222, 0.022222222222222216, 0.0, -0.08888888888888889, -0.12222222222222223, -0.03333333333333333, -0.01111111111111111, 0.022222222222222223, -0.044444444444444446, -0.1111111111111111, -0.06666666666666667, -0.02222222222222222, 0.044444444444444446, 0.05555555555555556, -0.04444444444444443, -0.1, 0.022222222222222227, 0.12222222222222223, 0.1, 0.06666666666666668, -0.03333333333333333, 0.044444444444444446, 0.07777777777777778, 0.13333333333333333, 0.1, -0.03333333333333333, 0.044444444444444446, 0.07777777777777778, 0.03333333333333333, 0.03333333333333333, 0.0, 0.0, 0.0] },
// avg2: F.avg_pool2d(x, (2,3), stride=1, padding=(1,1)), then y.backward(gy)
  avg2_x: { shape: [1, 2, 3, 4], data: [-0.2, 0.1, 0.7, 0.5, -0.6, 0.8, 0.6, 0.5, 0.5, -0.8, 0.0, -0.7, 0.9, 0.8, -0.5, 0.3, 0.4, 0.3, 0.1, 0.6, -0.1, 0.8, -0.4, 0.0] },
  avg2_y: { shape: [1, 2, 4, 4], data: [-0.016666666666666666, 0.09999999999999999, 0.21666666666666665, 0.19999999999999998, 0.01666666666666668, 0.2333333333333333, 0.5333333333333333, 0.3833333333333333, -0.016666666666666663, 0.08333333333333333, 0.06666666666666665, 0.0666666666666667, -0.05000000000000001, -0.05000000000000001, -0.25, -0.11666666666666665, 0.2833333333333334, 0.20000000000000004, 0.10000000000000002, -0.03333333333333333, 0.39999999999999997, 0.3333333333333333, 0.26666666666666666, 0.08333333333333333, 0.2333333333333333, 0.18333333333333335, 0.2333333333333333, 0.04999999999999999, 0.11666666666666668, 0.05000000000000001, 0.06666666666666667, -0.06666666666666667] },
  avg2_gy: { shape: [1, 2, 4, 4], data: [0.4, 0.4, -0.4, -0.7, -0.1, 0.9, 0.0, 0.8, -0.8, -0.4, 0.2, 0.8, -0.2, 0.9, 0.5, 0.9, -0.1, 0.8, 0.0, 0.9, -0.6, 0.8, 0.3, 0.4, -0.1, 0.9, -0.3, 0.4, 0.2, 0.9, -0.9, 0.8] },
  avg2_gx: { shape: [1, 2, 3, 4], data: [0.26666666666666666, 0.2, 0.16666666666666669, -0.04999999999999999, -0.06666666666666667, -0.03333333333333333, 0.3833333333333333, 0.3, -0.08333333333333334, 0.03333333333333331, 0.4833333333333333, 0.4, 0.15000000000000002, 0.2, 0.5333333333333333, 0.26666666666666666, 0.16666666666666666, 0.16666666666666669, 0.4166666666666667, 0.13333333333333336, 0.31666666666666665, 0.11666666666666667, 0.3, 0.0] },
};

type Literal = { shape: number[]; data: number[] };
const tensor = (t: Literal): Tensor => Tensor.fromArray(t.data, t.shape);

function expectClose(actual: Tensor, expected: Literal, digits = 12): void {
  expect(actual.shape).toEqual(expected.shape);
  actual.data.forEach((v, i) => expect(Math.abs(v - expected.data[i])).toBeLessThan(10 ** -digits));
}

type Pair = number | [number, number];
interface PoolConfig { batch: number; channels: number; height: number; width: number; kernel: Pair; stride?: Pair; padding?: Pair }

/** Odd sizes, overlapping windows (stride < kernel), gaps (stride > kernel), padding, non-square windows. */
const POOL_CONFIGS: PoolConfig[] = [
  { batch: 1, channels: 1, height: 4, width: 4, kernel: 2 },
  { batch: 3, channels: 2, height: 5, width: 7, kernel: 2 },
  { batch: 2, channels: 3, height: 7, width: 5, kernel: 3, stride: 2, padding: 1 },
  { batch: 1, channels: 2, height: 6, width: 6, kernel: 3, stride: 1 },
  { batch: 2, channels: 1, height: 5, width: 6, kernel: [3, 2], stride: [1, 2], padding: [1, 0] },
  { batch: 3, channels: 3, height: 8, width: 9, kernel: 2, stride: 3 },
  { batch: 1, channels: 1, height: 3, width: 3, kernel: 3, padding: 1 },
  { batch: 2, channels: 2, height: 1, width: 5, kernel: [1, 4], stride: [1, 1], padding: [0, 2] },
];

const describePool = (c: PoolConfig): string =>
  `batch ${c.batch}, ${c.channels} channel(s), ${c.height}×${c.width}, kernel ${JSON.stringify(c.kernel)}, ` +
  `stride ${JSON.stringify(c.stride ?? c.kernel)}, padding ${JSON.stringify(c.padding ?? 0)}`;

const KINDS: Array<[string, (c: PoolConfig) => Module]> = [
  ['MaxPool2d', (c) => new MaxPool2d(c.kernel, c.stride, c.padding)],
  ['AvgPool2d', (c) => new AvgPool2d(c.kernel, c.stride, c.padding)],
];

describe.each(KINDS)('%s', (kind, make) => {
  test.each(POOL_CONFIGS.map((c) => [describePool(c), c] as const))('gradcheck: %s', (name, config) => {
    const rng = new Rng(`${kind} ${name}`);
    // Seeded normal draws: a window whose two largest entries were within h of each other would
    // switch its maximum under a finite-difference step (max is not differentiable at a tie);
    // these seeds have none, or the check would fail.
    const report = gradcheck(make(config), randn(rng, [config.batch, config.channels, config.height, config.width]));
    if (!report.ok) throw new Error(report.summary);
    expect(report.worstRelError).toBeLessThan(1e-8);
    expect(report.entries.map((e) => e.name)).toEqual(['input']);
  });

  test('stride defaults to the kernel size; floor mode drops the last partial window', () => {
    const pool = make({ batch: 1, channels: 1, height: 1, width: 1, kernel: 3 });
    expect(pool.forward(Tensor.zeros([2, 4, 7, 8])).shape).toEqual([2, 4, 2, 2]);
    expect(make({ batch: 1, channels: 1, height: 1, width: 1, kernel: [2, 3], stride: 1, padding: [1, 0] })
      .forward(Tensor.zeros([1, 1, 4, 5])).shape).toEqual([1, 1, 5, 3]);
  });

  test('errors: padding more than half the kernel, invalid sizes, an input that is not [N,C,H,W], a window that does not fit', () => {
    expectMinidlError(() => make({ batch: 1, channels: 1, height: 1, width: 1, kernel: 3, stride: 1, padding: 2 }),
      new RegExp(`^${kind}\\(3×3, stride 1, padding 2\\): padding \\[2,2\\] must be at most half the kernel \\[3,3\\] \\(≤ \\[1,1\\]\\), as in PyTorch`));
    expectMinidlError(() => make({ batch: 1, channels: 1, height: 1, width: 1, kernel: [4, 1], padding: [2, 1] }),
      /padding \[2,1\] must be at most half the kernel \[4,1\] \(≤ \[2,0\]\)/);
    expectMinidlError(() => make({ batch: 1, channels: 1, height: 1, width: 1, kernel: 0 }),
      new RegExp(`^${kind}: kernelSize must be an integer ≥ 1 or a pair \\[height, width\\] of them, got 0`));
    expectMinidlError(() => make({ batch: 1, channels: 1, height: 1, width: 1, kernel: 2, stride: [2, 0] }), /stride must be an integer ≥ 1 .* got \[2,0\]/);
    expectMinidlError(() => make({ batch: 1, channels: 1, height: 1, width: 1, kernel: 2, padding: 0.5 }), /padding must be an integer ≥ 0 .* got 0\.5/);
    const pool = make({ batch: 1, channels: 1, height: 1, width: 1, kernel: 2 });
    expectMinidlError(() => pool.forward(Tensor.zeros([3, 8])), new RegExp(`^${kind}\\(2×2, stride 2\\)\\.forward: input has shape \\[3,8\\], expected \\[N,C,H,W\\]`));
    expectMinidlError(() => pool.forward(Tensor.zeros([1, 3, 1, 8])), /the 2×2 window does not fit in the padded input: 1×8/);
    expectMinidlError(() => pool.backward(Tensor.zeros([1, 1, 1, 1])), /backward: called before forward/);
    pool.forward(Tensor.zeros([1, 1, 4, 4]));
    expectMinidlError(() => pool.backward(Tensor.zeros([1, 1, 4, 4])), /gradOut has shape \[1,1,4,4\], expected \[1,1,2,2\]/);
  });

  test('toString', () => {
    expect(make({ batch: 1, channels: 1, height: 1, width: 1, kernel: 2 }).toString()).toBe(`${kind}(2×2, stride 2)`);
    expect(make({ batch: 1, channels: 1, height: 1, width: 1, kernel: [3, 2], stride: [2, 1], padding: [1, 0] }).toString())
      .toBe(`${kind}(3×2, stride [2,1], padding [1,0])`);
  });
});

describe('MaxPool2d', () => {
  test.each([
    ['2×2, stride 2, with ties', 'max1', () => new MaxPool2d(2)],
    ['3×3, stride 2, padding 1, overlapping windows, negative entries with ties', 'max2', () => new MaxPool2d(3, 2, 1)],
    ['3×2, stride (1,2), padding (1,0)', 'max3', () => new MaxPool2d([3, 2], [1, 2], [1, 0])],
  ] as const)('forward and backward match PyTorch: %s', (_name, key, make) => {
    const pool = make();
    const lit = (part: string): Literal => (TORCH as Record<string, Literal>)[`${key}_${part}`];
    expectClose(pool.forward(tensor(lit('x'))), lit('y'));
    expectClose(pool.backward(tensor(lit('gy'))), lit('gx'));
  });

  test('a tie goes to the first maximum in row-major order', () => {
    const pool = new MaxPool2d(2);
    // Window 1 has its maximum 3 at (0,1) and (1,0): (0,1) comes first. Window 2 is all equal: (0,2) wins.
    const x = Tensor.from([[[[1, 3, 5, 5], [3, 2, 5, 5]]]]);
    expect(pool.forward(x).toArray()).toEqual([[[[3, 5]]]]);
    expect(pool.backward(Tensor.from([[[[10, 20]]]])).toArray()).toEqual([[[[0, 10, 20, 0], [0, 0, 0, 0]]]]);
  });

  test('the padding is never the maximum, even when every entry is negative', () => {
    const pool = new MaxPool2d(3, 1, 1);
    const x = Tensor.from([[[[-5, -4], [-3, -6]]]]);
    expect(pool.forward(x).toArray()).toEqual([[[[-3, -3], [-3, -3]]]]);
    // The four windows share their maximum: its gradient is the sum of the four outputs' gradients.
    expect(pool.backward(Tensor.from([[[[1, 2], [3, 4]]]])).toArray()).toEqual([[[[0, 0], [10, 0]]]]);
  });

  test('a second backward returns the same gradient (no state is accumulated in the layer)', () => {
    const pool = new MaxPool2d(2);
    pool.forward(randn(new Rng(5), [2, 2, 4, 4]));
    const g = randn(new Rng(6), [2, 2, 2, 2]);
    expect(pool.backward(g).data).toEqual(pool.backward(g).data);
  });

  test('a smaller batch after a larger one (the argmax of the larger is reused): the same as a fresh layer', () => {
    const rng = new Rng(8);
    const large = randn(rng, [5, 2, 6, 6]), small = randn(rng, [2, 2, 6, 6]), g = randn(rng, [2, 2, 3, 3]);
    const reused = new MaxPool2d(2);
    reused.forward(large);
    reused.backward(randn(rng, [5, 2, 3, 3]));
    const fresh = new MaxPool2d(2);
    expect(reused.forward(small).data).toEqual(fresh.forward(small).data);
    expect(reused.backward(g).data).toEqual(fresh.backward(g).data);
  });
});

describe('AvgPool2d', () => {
  test.each([
    ['3×3, stride 2, padding 1 (the padding counts in the divisor 9)', 'avg1', () => new AvgPool2d(3, 2, 1)],
    ['2×3, stride 1, padding (1,1)', 'avg2', () => new AvgPool2d([2, 3], 1, [1, 1])],
  ] as const)('forward and backward match PyTorch: %s', (_name, key, make) => {
    const pool = make();
    const lit = (part: string): Literal => (TORCH as Record<string, Literal>)[`${key}_${part}`];
    expectClose(pool.forward(tensor(lit('x'))), lit('y'));
    expectClose(pool.backward(tensor(lit('gy'))), lit('gx'));
  });

  test('each window\'s gradient is spread evenly over it', () => {
    const pool = new AvgPool2d(2);
    expect(pool.forward(Tensor.from([[[[1, 2, 9], [3, 6, 9]]]])).toArray()).toEqual([[[[3]]]]);
    expect(pool.backward(Tensor.from([[[[8]]]])).toArray()).toEqual([[[[2, 2, 0], [2, 2, 0]]]]);
  });
});

describe('Flatten', () => {
  test('[N, C, H, W] → [N, C·H·W] in row-major order; backward gives the input\'s shape', () => {
    const flatten = new Flatten();
    const x = Tensor.fromArray(Array.from({ length: 24 }, (_, i) => i), [2, 3, 2, 2]);
    const y = flatten.forward(x);
    expect(y.shape).toEqual([2, 12]);
    expect(y.toArray()).toEqual([Array.from({ length: 12 }, (_, i) => i), Array.from({ length: 12 }, (_, i) => 12 + i)]);
    const g = Tensor.fromArray(Array.from({ length: 24 }, (_, i) => -i), [2, 12]);
    const gradIn = flatten.backward(g);
    expect(gradIn.shape).toEqual([2, 3, 2, 2]);
    expect(gradIn.get(1, 2, 1, 0)).toBe(-(12 + 2 * 4 + 1 * 2 + 0));
  });

  test('other ranks: [N, D] stays [N, D], [N, a, b, c, d] becomes [N, a·b·c·d]', () => {
    expect(new Flatten().forward(Tensor.zeros([3, 4])).shape).toEqual([3, 4]);
    expect(new Flatten().forward(Tensor.zeros([2, 1, 3, 1, 5])).shape).toEqual([2, 15]);
  });

  test('gradcheck', () => {
    const report = gradcheck(new Flatten(), randn(new Rng('flatten'), [3, 2, 3, 5]));
    if (!report.ok) throw new Error(report.summary);
    expect(report.entries).toHaveLength(1);
  });

  test('errors and toString', () => {
    const flatten = new Flatten();
    expect(flatten.toString()).toBe('Flatten');
    expectMinidlError(() => flatten.forward(Tensor.zeros([5])), /^Flatten\.forward: input has shape \[5\], expected at least 2 axes/);
    expectMinidlError(() => flatten.backward(Tensor.zeros([5, 1])), /Flatten\.backward: called before forward/);
    flatten.forward(Tensor.zeros([2, 3, 4]));
    expectMinidlError(() => flatten.backward(Tensor.zeros([2, 3, 4])), /gradOut has shape \[2,3,4\], expected \[2,12\]/);
  });
});
