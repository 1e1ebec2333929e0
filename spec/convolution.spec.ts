import { LeakyReLU, Linear, Module, Rng, Sequential, Tanh, Tensor, gradcheck } from '../lib';
import { Conv2d, Conv2dOptions } from '../lib/modules/convolution/conv2d';
import { MaxPool2d } from '../lib/modules/pooling/max-pool2d';
import { Flatten } from '../lib/modules/reshape/flatten';
import { slidingOutputSize } from '../lib/modules/convolution/window';
import { WindowGeometry, col2im, im2col } from '../lib/tensor/kernels';
import { expectMinidlError, randn } from './helpers';

/**
 * Reference numbers from PyTorch 1.13 in float64 (torch.nn.functional.conv2d and autograd),
 * obtained with:
 *
 *   g = torch.Generator().manual_seed(0)
 *   lit = lambda shape: torch.randint(-9, 10, shape, generator=g).double() / 10
 *   x = lit((2,2,5,4)); w = lit((3,2,3,2)); b = lit((3,))          # then requires_grad_()
 *   y = F.conv2d(x, w, b, stride=(2,1), padding=(1,0)); gy = lit(y.shape); y.backward(gy)
 *   x = lit((1,1,3,3)); w = lit((2,1,2,2)); y = F.conv2d(x, w, None, stride=1, padding=2)
 *   x = lit((1,3,6,5)); w = lit((2,3,3,3)); b = lit((2,)); y = F.conv2d(x, w, b, stride=2, padding=1)
 *
 * and every tensor printed flat (row-major) with Python's repr, which round-trips float64.
 */
const TORCH = {
// convA: F.conv2d(x, w, b, stride=(2,1), padding=(1,0)), then y.backward(gy)
  convA_x: { shape: [2, 2, 5, 4], data: [0.6, -0.5, -0.9, -0.9, 0.2, -0.2, -0.4, 0.0, 0.0, -0.5, 0.4, -0.8, -0.6, -0.2, 0.7, 0.6, -0.8, 0.2, 0.9, -0.3, 0.1, 0.9, 0.0, 0.1, 0.5, -0.8, 0.1, 0.6, 0.5, 0.0, 0.8, 0.5, 0.1, 0.5, -0.1, 0.9, -0.4, -0.9, -0.1, -0.6, -0.4, 0.2, 0.7, 0.4, -0.8, -0.4, 0.4, 0.2, -0.6, 0.8, -0.1, 0.3, 0.4, -0.1, -0.9, 0.2, 0.3, 0.7, -0.4, 0.4, 0.6, -0.7, 0.3, 0.9, 0.4, -0.4, 0.0, -0.6, 0.9, -0.8, -0.5, -0.5, -0.4, 0.2, -0.9, -0.3, 0.1, -0.7, -0.9, 0.5] },
  convA_w: { shape: [3, 2, 3, 2], data: [0.1, 0.3, 0.5, 0.1, 0.6, 0.7, 0.1, 0.6, -0.8, 0.7, 0.7, 0.1, 0.2, -0.7, -0.7, -0.8, 0.2, 0.1, -0.1, 0.4, -0.4, -0.1, -0.2, -0.7, -0.1, -0.4, 0.0, 0.7, -0.1, -0.4, 0.7, 0.7, 0.5, -0.4, -0.8, 0.1] },
  convA_b: { shape: [3], data: [0.4, -0.6, 0.4] },
  convA_y: { shape: [2, 3, 3, 3], data: [1.4499999999999997, -1.61, -0.18, -0.9, 1.2999999999999998, 1.42, -0.09999999999999998, 1.4200000000000002, 1.2600000000000002, -0.27, 0.12000000000000001, 0.22000000000000014, -1.1, -0.2900000000000001, -0.8699999999999999, 0.26, -1.7099999999999995, -0.7999999999999996, -0.6799999999999999, 1.0500000000000003, -0.25, 0.2600000000000001, -0.6199999999999999, 0.43000000000000016, 1.2600000000000002, 0.6400000000000001, 0.6300000000000001, -1.27, 1.0999999999999999, 1.5, -1.59, 0.48000000000000015, -0.89, 0.13999999999999996, -0.16000000000000014, 1.01, -0.6500000000000001, -1.0099999999999998, -1.0999999999999999, -1.17, -0.5499999999999999, -0.59, -1.0699999999999998, -0.16999999999999993, -0.6800000000000002, 1.0, 0.62, 0.2899999999999998, 2.31, -0.14999999999999997, 0.72, 1.0799999999999998, 0.010000000000000064, -0.8] },
  convA_gy: { shape: [2, 3, 3, 3], data: [-0.8, 0.5, 0.3, 0.4, 0.4, 0.5, -0.6, 0.1, 0.4, 0.4, 0.2, -0.2, 0.3, -0.5, -0.9, 0.5, -0.2, 0.9, 0.7, -0.8, 0.6, -0.9, -0.9, -0.9, -0.6, 0.5, -0.8, 0.9, -0.9, 0.1, 0.1, -0.2, 0.8, 0.3, -0.6, 0.7, -0.1, 0.3, 0.3, 0.8, -0.8, 0.6, -0.6, 0.3, 0.1, -0.9, 0.2, 0.9, 0.2, -0.5, -0.7, -0.8, 0.9, 0.4] },
  convA_gx: { shape: [2, 2, 5, 4], data: [-0.6799999999999999, 0.19999999999999987, -0.37999999999999995, 0.61, -0.27999999999999997, -0.07999999999999985, 1.56, 1.09, -0.009999999999999981, -0.2799999999999999, 0.6900000000000001, 0.14000000000000012, 0.49, 0.5299999999999998, 1.07, 0.43000000000000005, -0.6499999999999999, -0.69, 0.09000000000000002, -1.24, 0.8300000000000001, -1.76, 0.79, -0.010000000000000009, -1.8199999999999998, -0.14999999999999997, -1.48, -0.4600000000000001, -0.8900000000000001, 0.039999999999999925, 0.19999999999999996, 0.8, 0.41000000000000003, 0.6400000000000001, 1.27, 0.6300000000000002, -0.020000000000000018, 0.020000000000000018, -1.1900000000000002, 0.51, 0.52, -1.12, -0.35, 0.4, 0.76, -0.26, 0.32000000000000006, -0.1600000000000001, -0.5099999999999999, -0.030000000000000138, 0.25000000000000017, -0.8899999999999999, 0.19000000000000003, 0.5800000000000001, -0.05000000000000002, 0.8799999999999999, 0.57, -0.5599999999999999, 0.61, 0.26999999999999996, -1.1300000000000001, 1.7000000000000002, -0.49, -0.32000000000000006, 1.4400000000000002, -0.5499999999999999, -2.25, 0.12000000000000006, -0.30000000000000004, 0.14000000000000007, -1.0899999999999999, 0.7799999999999999, -0.72, -0.18999999999999972, 2.2199999999999998, 0.33, -0.4, 1.4000000000000001, -1.21, 0.3199999999999999] },
  convA_gw: { shape: [3, 2, 3, 2], data: [0.2899999999999999, 0.88, -1.52, -0.2499999999999999, -1.33, 0.08999999999999997, -0.8700000000000001, -0.05999999999999997, 1.9500000000000002, -0.3400000000000001, -0.6600000000000001, 1.02, 0.4499999999999999, -0.27000000000000013, -0.30000000000000004, 0.5300000000000002, -0.6499999999999999, -0.13, 1.1700000000000002, -0.8500000000000001, 0.06000000000000011, -1.3900000000000001, -1.2900000000000003, -0.47, -0.95, -0.54, 1.0399999999999996, 0.7700000000000004, 1.9100000000000004, 0.10000000000000009, 0.8700000000000001, -1.73, -2.5, 2.38, 0.61, -0.9300000000000002] },
  convA_gb: { shape: [3], data: [2.3999999999999995, 1.4, -3.4] },
// convB: F.conv2d(x, w, None, stride=1, padding=2)
  convB_x: { shape: [1, 1, 3, 3], data: [0.7, 0.8, 0.5, 0.1, -0.4, 0.0, -0.5, -0.4, 0.9] },
  convB_w: { shape: [2, 1, 2, 2], data: [-0.7, 0.6, 0.4, -0.6, -0.6, 0.7, -0.3, 0.3] },
  convB_y: { shape: [1, 2, 6, 6], data: [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.42, -0.2, 0.020000000000000073, 0.2, 0.0, 0.0, 0.36, 0.27, -0.42, -0.35, 0.0, 0.0, 0.36, -0.27, -0.4200000000000001, 0.36000000000000004, 0.0, 0.0, -0.3, 0.10999999999999999, 0.8200000000000001, -0.63, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.21, 0.03, -0.09, -0.15, 0.0, 0.0, 0.5199999999999999, -0.010000000000000037, -0.010000000000000009, -0.3, 0.0, 0.0, -0.08, -0.30999999999999994, 0.63, -0.27, 0.0, 0.0, -0.35, 0.020000000000000018, 0.87, -0.54, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0] },
// convC: F.conv2d(x, w, b, stride=2, padding=1)
  convC_x: { shape: [1, 3, 6, 5], data: [0.0, -0.8, -0.1, 0.5, -0.7, -0.4, -0.9, 0.4, -0.9, 0.8, 0.5, 0.7, -0.7, 0.9, 0.2, -0.6, 0.0, -0.4, 0.4, 0.8, -0.4, -0.2, -0.1, 0.2, -0.4, 0.6, 0.4, 0.4, 0.7, -0.3, 0.7, -0.5, 0.0, -0.6, -0.1, 0.1, 0.4, -0.5, 0.9, 0.9, -0.5, -0.4, 0.3, -0.2, 0.5, -0.7, 0.4, -0.8, 0.4, 0.6, 0.1, 0.1, -0.6, 0.2, -0.7, 0.5, -0.6, 0.9, 0.1, 0.1, 0.4, 0.1, 0.0, -0.6, 0.5, -0.6, -0.3, 0.2, 0.6, -0.4, 0.7, -0.1, 0.3, 0.0, 0.1, -0.6, 0.5, -0.6, -0.7, 0.6, 0.9, 0.6, 0.8, -0.8, 0.9, -0.4, 0.6, -0.6, 0.7, 0.7] },
  convC_w: { shape: [2, 3, 3, 3], data: [0.4, 0.7, 0.4, 0.9, 0.6, -0.7, -0.8, 0.8, 0.5, 0.8, 0.1, -0.3, 0.9, -0.4, 0.4, 0.2, 0.4, -0.1, -0.4, -0.8, -0.3, -0.7, -0.4, -0.8, -0.8, -0.4, 0.2, -0.3, 0.5, 0.7, 0.5, -0.5, 0.8, -0.8, -0.3, 0.7, -0.7, 0.4, -0.7, -0.1, 0.8, 0.0, 0.5, -0.4, 0.7, 0.9, 0.0, -0.8, 0.7, 0.3, 0.5, -0.2, 0.6, 0.3] },
  convC_b: { shape: [2], data: [0.9, -0.3] },
  convC_y: { shape: [1, 2, 3, 3], data: [0.1499999999999999, 0.15000000000000008, 2.2300000000000004, -0.08999999999999977, -1.4899999999999998, 3.460000000000001, 0.9000000000000001, 1.8000000000000005, 0.8200000000000001, -0.9300000000000003, 0.9300000000000004, 0.21999999999999986, -0.5299999999999997, -0.06999999999999965, 1.3400000000000003, -1.45, -1.020000000000001, -1.4399999999999997] },
};

type Literal = { shape: number[]; data: number[] };
const tensor = (t: Literal): Tensor => Tensor.fromArray(t.data, t.shape);

/** Every entry of `actual` within 1e-12 of `expected` (PyTorch sums in another order). */
function expectClose(actual: Tensor, expected: Literal): void {
  expect(actual.shape).toEqual(expected.shape);
  actual.data.forEach((v, i) => expect(Math.abs(v - expected.data[i])).toBeLessThan(1e-12));
}

/** A Conv2d whose weight and bias are set to the given values. */
function convWith(weight: Literal, bias: Literal | null, options: Conv2dOptions): Conv2d {
  const [F, C, kH, kW] = weight.shape;
  const conv = new Conv2d(C, F, [kH, kW], { ...options, bias: bias !== null, rng: new Rng(0) });
  conv.weight.value.data.set(weight.data);
  if (bias) (conv.bias as NonNullable<Conv2d['bias']>).value.data.set(bias.data);
  return conv;
}

/** The convolution written as its definition, one output entry at a time (no im2col). */
function directConv(x: Tensor, conv: Conv2d): Tensor {
  const [N, C, H, W] = x.shape;
  const [kH, kW] = conv.kernelSize, [sH, sW] = conv.stride, [pH, pW] = conv.padding;
  const F = conv.outChannels, OH = slidingOutputSize(H, kH, sH, pH), OW = slidingOutputSize(W, kW, sW, pW);
  const y = new Tensor([N, F, OH, OW]);
  for (let n = 0; n < N; n++) for (let f = 0; f < F; f++) for (let oh = 0; oh < OH; oh++) for (let ow = 0; ow < OW; ow++) {
    let s = conv.bias ? conv.bias.value.data[f] : 0;
    for (let c = 0; c < C; c++) for (let i = 0; i < kH; i++) for (let j = 0; j < kW; j++) {
      const h = oh * sH - pH + i, w = ow * sW - pW + j;
      if (h >= 0 && h < H && w >= 0 && w < W) s += conv.weight.value.get(f, c, i, j) * x.get(n, c, h, w);
    }
    y.set([n, f, oh, ow], s);
  }
  return y;
}

interface Config {
  batch: number; inC: number; outC: number; height: number; width: number;
  kernel: number | [number, number]; stride?: number | [number, number]; padding?: number | [number, number]; bias: boolean;
}

/** Odd sizes, stride 2 and 3, padding 1 and 2, non-square kernels, batch 1 and 3, channels 1/2/3, bias on and off. */
const CONFIGS: Config[] = [
  { batch: 1, inC: 1, outC: 1, height: 5, width: 5, kernel: 3, bias: true },
  { batch: 3, inC: 2, outC: 3, height: 7, width: 6, kernel: 3, stride: 2, padding: 1, bias: true },
  { batch: 2, inC: 3, outC: 2, height: 5, width: 7, kernel: [2, 3], stride: [2, 1], padding: [1, 2], bias: false },
  { batch: 1, inC: 3, outC: 4, height: 4, width: 4, kernel: 3, padding: 2, bias: true },
  { batch: 3, inC: 1, outC: 2, height: 6, width: 5, kernel: [3, 1], stride: [1, 2], padding: [0, 1], bias: false },
  { batch: 2, inC: 2, outC: 1, height: 3, width: 3, kernel: 3, stride: 3, padding: 1, bias: true },
  { batch: 3, inC: 2, outC: 2, height: 1, width: 1, kernel: 1, bias: true },
  { batch: 2, inC: 1, outC: 2, height: 2, width: 2, kernel: 4, padding: 1, bias: false },
  { batch: 1, inC: 3, outC: 3, height: 8, width: 7, kernel: 2, stride: 3, bias: true },
  { batch: 3, inC: 3, outC: 5, height: 4, width: 4, kernel: 3, padding: 1, bias: true },
];

const describeConfig = (c: Config): string =>
  `batch ${c.batch}, ${c.inC}→${c.outC}, ${c.height}×${c.width}, kernel ${JSON.stringify(c.kernel)}, stride ${JSON.stringify(c.stride ?? 1)}, ` +
  `padding ${JSON.stringify(c.padding ?? 0)}, bias ${c.bias}`;

function build(c: Config, rng: Rng): { conv: Conv2d; input: Tensor } {
  const conv = new Conv2d(c.inC, c.outC, c.kernel, { stride: c.stride, padding: c.padding, bias: c.bias, rng });
  return { conv, input: randn(rng, [c.batch, c.inC, c.height, c.width]) };
}

describe('Conv2d', () => {
  describe.each(CONFIGS.map((c) => [describeConfig(c), c] as const))('%s', (name, config) => {
    test('gradcheck of the input, the weight and the bias, in training and in evaluation mode', () => {
      const rng = new Rng(name);
      const { conv, input } = build(config, rng);
      for (const mode of ['train', 'eval'] as const) {
        conv[mode]();
        const report = gradcheck(conv, input, { seed: mode });
        if (!report.ok) throw new Error(report.summary);
        expect(report.worstRelError).toBeLessThan(1e-8);
        expect(report.accumulates).toBe(true);
        expect(report.entries.map((e) => e.name)).toEqual(config.bias ? ['input', 'params[0] weight', 'params[1] bias'] : ['input', 'params[0] weight']);
      }
    });

    test('forward equals the definition computed entry by entry', () => {
      const { conv, input } = build(config, new Rng(`${name}-direct`));
      const y = conv.forward(input);
      const expected = directConv(input, conv);
      expect(y.shape).toEqual(expected.shape);
      y.data.forEach((v, i) => expect(v).toBeCloseTo(expected.data[i], 12));
    });
  });

  test('forward and backward match PyTorch: stride (2,1), padding (1,0), 3×2 kernel, with bias', () => {
    const conv = convWith(TORCH.convA_w, TORCH.convA_b, { stride: [2, 1], padding: [1, 0] });
    expectClose(conv.forward(tensor(TORCH.convA_x)), TORCH.convA_y);
    expectClose(conv.backward(tensor(TORCH.convA_gy)), TORCH.convA_gx);
    expectClose(conv.weight.grad, TORCH.convA_gw);
    expectClose((conv.bias as NonNullable<Conv2d['bias']>).grad, TORCH.convA_gb);
  });

  test('forward matches PyTorch: padding 2 around a 3×3 image, no bias (the border outputs see only zeros)', () => {
    const conv = convWith(TORCH.convB_w, null, { padding: 2 });
    expectClose(conv.forward(tensor(TORCH.convB_x)), TORCH.convB_y);
  });

  test('forward matches PyTorch: 3 channels, 3×3 kernel, stride 2, padding 1 on a 6×5 image', () => {
    const conv = convWith(TORCH.convC_w, TORCH.convC_b, { stride: 2, padding: 1 });
    expectClose(conv.forward(tensor(TORCH.convC_x)), TORCH.convC_y);
  });

  test('a backward after an evaluation-mode forward gives the same gradients as after a training-mode one', () => {
    const rng = new Rng('modes');
    const { conv, input } = build(CONFIGS[1], rng);
    const gradOut = randn(rng, conv.forward(input).shape as number[]);
    const gradInTrain = conv.backward(gradOut);
    const gradWTrain = conv.weight.grad.clone();
    conv.zeroGrad();
    conv.eval();
    conv.forward(input);
    const gradInEval = conv.backward(gradOut);
    expect(gradInEval.data).toEqual(gradInTrain.data);
    expect(conv.weight.grad.data).toEqual(gradWTrain.data);
  });

  test('shapes: [N, C, H, W] → [N, F, ⌊(H + 2p − k)/s⌋ + 1, ⌊(W + 2p − k)/s⌋ + 1]; weight [F, C, kH, kW], bias [F]', () => {
    const conv = new Conv2d(3, 5, [3, 2], { stride: [2, 1], padding: [1, 0], rng: new Rng(1) });
    expect(conv.weight.shape).toEqual([5, 3, 3, 2]);
    expect(conv.bias?.shape).toEqual([5]);
    expect(conv.numParams()).toBe(5 * 3 * 3 * 2 + 5);
    expect(conv.forward(Tensor.zeros([4, 3, 8, 7])).shape).toEqual([4, 5, 4, 6]);
    expect(conv.forward(Tensor.zeros([1, 3, 9, 2])).shape).toEqual([1, 5, 5, 1]);
    expect(new Conv2d(1, 2, 2, { bias: false }).params()).toHaveLength(1);
  });

  test('default init is PyTorch\'s: weight and bias ~ U(−1/√fanIn, 1/√fanIn), fanIn = C·kH·kW; seeded', () => {
    const conv = new Conv2d(4, 64, [3, 2], { rng: new Rng('init') });
    const bound = 1 / Math.sqrt(4 * 3 * 2);
    const w = conv.weight.value.data, b = (conv.bias as NonNullable<Conv2d['bias']>).value.data;
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.98 * bound); // 1536 draws fill the interval
    expect(Math.max(...b.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...b.map(Math.abs))).toBeGreaterThan(0.8 * bound); //  64 draws
    const mean = w.reduce((s, v) => s + v, 0) / w.length;
    expect(Math.abs(mean)).toBeLessThan(0.1 * bound);
    expect(new Conv2d(4, 64, [3, 2], { rng: new Rng('init') }).weight.value.data).toEqual(w);
  });

  test('other inits get PyTorch\'s fans: fanIn = C·kH·kW, fanOut = F·kH·kW', () => {
    const kaiming = new Conv2d(2, 32, 3, { init: 'kaimingUniform', rng: new Rng(3) }).weight.value.data;
    const kaimingBound = Math.SQRT2 * Math.sqrt(3 / (2 * 9));
    expect(Math.max(...kaiming.map(Math.abs))).toBeLessThanOrEqual(kaimingBound);
    expect(Math.max(...kaiming.map(Math.abs))).toBeGreaterThan(0.95 * kaimingBound);
    const xavier = new Conv2d(2, 32, 3, { init: 'xavierUniform', rng: new Rng(3) }).weight.value.data;
    const xavierBound = Math.sqrt(6 / (2 * 9 + 32 * 9));
    expect(Math.max(...xavier.map(Math.abs))).toBeLessThanOrEqual(xavierBound);
    expect(Math.max(...xavier.map(Math.abs))).toBeGreaterThan(0.95 * xavierBound);
    const zeros = new Conv2d(2, 3, 3, { init: 'zeros', rng: new Rng(3) });
    expect(zeros.weight.value.data.every((v) => v === 0)).toBe(true);
    expect(zeros.bias?.value.data.some((v) => v !== 0)).toBe(true); // the bias keeps PyTorch's default
  });

  test('a 1×1 convolution is a Linear layer applied at every pixel', () => {
    const rng = new Rng('1x1');
    const conv = new Conv2d(3, 2, 1, { rng });
    const x = randn(rng, [2, 3, 2, 2]);
    const y = conv.forward(x);
    const linear = new Linear(3, 2, { rng });
    for (let f = 0; f < 2; f++) {
      for (let c = 0; c < 3; c++) linear.weight.value.set([c, f], conv.weight.value.get(f, c, 0, 0));
      linear.bias?.value.set([0, f], conv.bias?.value.get(f) as number);
    }
    for (let n = 0; n < 2; n++) for (let h = 0; h < 2; h++) for (let w = 0; w < 2; w++) {
      const pixel = linear.forward(Tensor.from([[0, 1, 2].map((c) => x.get(n, c, h, w))]));
      for (let f = 0; f < 2; f++) expect(y.get(n, f, h, w)).toBeCloseTo(pixel.get(0, f), 14);
    }
  });

  test('gradcheck through a small network: Conv2d, Tanh, MaxPool2d, Conv2d, LeakyReLU, Flatten, Linear', () => {
    const rng = new Rng('net');
    const net = new Sequential(
      new Conv2d(2, 3, 3, { padding: 1, rng }), new Tanh(), new MaxPool2d(2),
      new Conv2d(3, 2, [2, 1], { stride: [1, 2], rng }), new LeakyReLU(0.2), new Flatten(), new Linear(4, 2, { rng }),
    );
    const report = gradcheck(net, randn(rng, [2, 2, 5, 6]));
    if (!report.ok) throw new Error(report.summary);
    expect(report.entries).toHaveLength(1 + 6);
  });

  test('toString', () => {
    expect(new Conv2d(3, 5, 3, { padding: 1 }).toString()).toBe('Conv2d(3→5, 3×3, stride 1, padding 1)');
    expect(new Conv2d(2, 4, [3, 2], { stride: [2, 1], padding: [1, 0], bias: false }).toString())
      .toBe('Conv2d(2→4, 3×2, stride [2,1], padding [1,0], bias=false)');
  });

  describe('errors', () => {
    const conv = (): Conv2d => new Conv2d(1, 2, 3, { padding: 1, rng: new Rng(0) });

    test('an input that is not a batch of images [N, C, H, W]', () => {
      expectMinidlError(() => conv().forward(Tensor.zeros([4, 9])),
        /^Conv2d\(1→2, 3×3, stride 1, padding 1\)\.forward: input has shape \[4,9\], expected \[N,C,H,W\]/);
      expectMinidlError(() => conv().forward(Tensor.zeros([1, 5, 5])), /input has shape \[1,5,5\], expected \[N,C,H,W\]/);
    });

    test('the wrong number of channels', () => {
      expectMinidlError(() => conv().forward(Tensor.zeros([2, 3, 5, 5])),
        /Conv2d\(1→2, 3×3, stride 1, padding 1\)\.forward: expects 1 input channel, got 3 \(input shape \[2,3,5,5\], expected \[N,1,H,W\]\)/);
      expectMinidlError(() => new Conv2d(3, 2, 3).forward(Tensor.zeros([1, 1, 5, 5])), /expects 3 input channels, got 1/);
    });

    test('a kernel larger than the padded input', () => {
      expectMinidlError(() => new Conv2d(1, 1, 5, { padding: 1 }).forward(Tensor.zeros([1, 1, 2, 6])),
        /the 5×5 window does not fit in the padded input: 4×8 \(input \[1,1,2,6\], height 2 and width 6 plus padding 1 and 1 on each side\)/);
      expectMinidlError(() => new Conv2d(1, 1, [1, 3]).forward(Tensor.zeros([1, 1, 4, 2])), /the 1×3 window does not fit in the padded input: 4×2/);
    });

    test('invalid hyper-parameters are refused in the constructor', () => {
      expectMinidlError(() => new Conv2d(0, 2, 3), /Conv2d: inChannels must be an integer ≥ 1, got 0/);
      expectMinidlError(() => new Conv2d(1, 2.5, 3), /Conv2d: outChannels must be an integer ≥ 1, got 2\.5/);
      expectMinidlError(() => new Conv2d(1, 2, 0), /Conv2d: kernelSize must be an integer ≥ 1 or a pair \[height, width\] of them, got 0/);
      expectMinidlError(() => new Conv2d(1, 2, [3] as unknown as number), /kernelSize must be .* got \[3\]/);
      expectMinidlError(() => new Conv2d(1, 2, [3, 1.5]), /kernelSize must be .* got \[3,1\.5\]/);
      expectMinidlError(() => new Conv2d(1, 2, 3, { stride: 0 }), /Conv2d: stride must be an integer ≥ 1 or a pair \[height, width\] of them, got 0/);
      expectMinidlError(() => new Conv2d(1, 2, 3, { stride: [1, -1] }), /stride must be .* got \[1,-1\]/);
      expectMinidlError(() => new Conv2d(1, 2, 3, { padding: -1 }), /Conv2d: padding must be an integer ≥ 0 or a pair \[height, width\] of them, got -1/);
      expectMinidlError(() => new Conv2d(1, 2, 3, { padding: 0.5 }), /padding must be an integer ≥ 0 .* got 0\.5/);
      expectMinidlError(() => new Conv2d(1, 2, 3, { init: 'bogus' as never }), /Conv2d\(1→2, 3×3, stride 1, padding 0\): unknown init "bogus"/);
    });

    test('non-finite input, backward before forward, a gradOut of the wrong shape', () => {
      const c = conv();
      expectMinidlError(() => c.backward(Tensor.zeros([1, 2, 4, 4])), /Conv2d\(1→2, 3×3, stride 1, padding 1\)\.backward: called before forward/);
      const x = Tensor.zeros([1, 1, 4, 4]);
      x.data[5] = NaN;
      expectMinidlError(() => c.forward(x), /forward: input holds a non-finite value \(NaN\) at flat index 5/);
      c.forward(Tensor.zeros([1, 1, 4, 4]));
      expectMinidlError(() => c.backward(Tensor.zeros([1, 2, 4, 3])), /backward: gradOut has shape \[1,2,4,3\], expected \[1,2,4,4\]/);
    });
  });
});

describe('im2col and col2im (lib/tensor/backend/reference.ts)', () => {
  const geometries: WindowGeometry[] = CONFIGS.map((c) => {
    const [kH, kW] = typeof c.kernel === 'number' ? [c.kernel, c.kernel] : c.kernel;
    const [sH, sW] = typeof c.stride === 'number' ? [c.stride, c.stride] : (c.stride ?? [1, 1]);
    const [pH, pW] = typeof c.padding === 'number' ? [c.padding, c.padding] : (c.padding ?? [0, 0]);
    return {
      channels: c.inC, height: c.height, width: c.width, kernelH: kH, kernelW: kW, strideH: sH, strideW: sW, padH: pH, padW: pW,
      outH: slidingOutputSize(c.height, kH, sH, pH), outW: slidingOutputSize(c.width, kW, sW, pW),
    };
  });

  test.each(geometries.map((g, i) => [i, g] as const))('geometry %i: cols[(c·kH + i)·kW + j, oh·OW + ow] = X[c, oh·sH − pH + i, ow·sW − pW + j], 0 in the padding', (_i, g) => {
    const rng = new Rng(JSON.stringify(g));
    const imageSize = g.channels * g.height * g.width;
    const images = rng.fillNormal(new Float64Array(2 * imageSize));
    const P = g.outH * g.outW, K = g.channels * g.kernelH * g.kernelW;
    const cols = new Float64Array(K * P).fill(NaN); // every entry must be written
    im2col(images, imageSize, g, cols); // the second image
    for (let c = 0; c < g.channels; c++) for (let i = 0; i < g.kernelH; i++) for (let j = 0; j < g.kernelW; j++) {
      for (let oh = 0; oh < g.outH; oh++) for (let ow = 0; ow < g.outW; ow++) {
        const h = oh * g.strideH - g.padH + i, w = ow * g.strideW - g.padW + j;
        const inside = h >= 0 && h < g.height && w >= 0 && w < g.width;
        const expected = inside ? images[imageSize + (c * g.height + h) * g.width + w] : 0;
        expect(cols[((c * g.kernelH + i) * g.kernelW + j) * P + oh * g.outW + ow]).toBe(expected);
      }
    }
  });

  test.each(geometries.map((g, i) => [i, g] as const))('geometry %i: col2im is the adjoint of im2col (⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩) and accumulates', (_i, g) => {
    const rng = new Rng(`adjoint-${JSON.stringify(g)}`);
    const imageSize = g.channels * g.height * g.width;
    const K = g.channels * g.kernelH * g.kernelW, P = g.outH * g.outW;
    const x = rng.fillNormal(new Float64Array(imageSize));
    const c = rng.fillNormal(new Float64Array(K * P));
    const cols = new Float64Array(K * P);
    im2col(x, 0, g, cols);
    const back = new Float64Array(imageSize + 3).fill(1); // starts at 1: col2im adds; the tail is untouched
    col2im(c, g, back, 0);
    let left = 0, right = 0;
    for (let k = 0; k < K * P; k++) left += cols[k] * c[k];
    for (let k = 0; k < imageSize; k++) right += x[k] * (back[k] - 1);
    expect(right).toBeCloseTo(left, 10);
    expect(Array.from(back.subarray(imageSize))).toEqual([1, 1, 1]);
  });
});
