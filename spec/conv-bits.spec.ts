import { CrossEntropyLoss } from '../lib/losses/cross-entropy';
import { ReLU } from '../lib/modules/activations/relu';
import { Sequential } from '../lib/modules/containers/sequential';
import { Conv2d } from '../lib/modules/convolution/conv2d';
import { windowGeometry } from '../lib/modules/convolution/window';
import { Linear } from '../lib/modules/linear';
import { Module } from '../lib/modules/module';
import { Parameter } from '../lib/modules/parameter';
import { MaxPool2d } from '../lib/modules/pooling/max-pool2d';
import { Flatten } from '../lib/modules/reshape/flatten';
import { Adam } from '../lib/optim/adam';
import { Rng } from '../lib/random/rng';
import { BackendName, getBackend, setBackend } from '../lib/tensor/backend/select';
import * as kernels from '../lib/tensor/kernels';
import { Tensor } from '../lib/tensor/tensor';
import { NeuralNet } from '../lib/training/neural-net';
import { bits, expectMinidlError } from './helpers';

/*
 * Direct convolution (kernels.conv2dForward and kernels.conv2dWeightGrad, which Conv2d uses) gives
 * the bits of the im2col path it replaced: colsₙ = im2col(X[n]), Y[n] = W·colsₙ, ∂L/∂W += Gₙ·colsₙᵀ
 * sample by sample. The old path is kept here, as kernel calls and as a layer (Im2colConv2d, the
 * former Conv2d's forward and backward), and everything is compared to the last bit on both
 * backends: the kernels on many geometries, and CNNs trained by NeuralNet.
 */

const BACKENDS: BackendName[] = ['js', 'wasm'];
const initialBackend = getBackend();
afterAll(() => setBackend(initialBackend));

/** Standard normal values, with a few exact zeros and negative zeros (signs of zero must survive). */
function values(rng: Rng, n: number): Float64Array {
  const a = rng.fillNormal(new Float64Array(n));
  for (let i = 0; i < n; i += 7) a[i] = i % 14 === 0 ? 0 : -0;
  return a;
}

/** [C, H, W, kH, kW, sH, sW, pH, pW, N, F]: strides, paddings, windows as large as the padded image, F and K not multiples of 4. */
const GEOMETRIES: number[][] = [
  [1, 28, 28, 5, 5, 1, 1, 0, 0, 3, 8], //   the MNIST CNN's first convolution
  [8, 12, 12, 5, 5, 1, 1, 0, 0, 2, 16], //  and its second
  [3, 6, 7, 3, 3, 1, 1, 1, 1, 2, 5], //    padding 1 (the disk CNN)
  [5, 6, 7, 3, 3, 1, 1, 1, 1, 1, 1],
  [2, 9, 8, 3, 2, 2, 3, 1, 2, 2, 3], //    strides and paddings differ on the two axes
  [2, 5, 5, 5, 5, 1, 1, 2, 2, 1, 6], //    every window reaches into the padding
  [1, 2, 1, 5, 5, 1, 1, 2, 2, 2, 9], //    an image smaller than the window
  [3, 4, 4, 4, 4, 1, 1, 0, 0, 2, 7], //    one output position
  [4, 10, 13, 1, 1, 1, 1, 0, 0, 2, 4], //  1×1 window
  [1, 11, 9, 2, 4, 3, 2, 0, 3, 3, 2],
  [6, 7, 9, 3, 5, 2, 1, 2, 0, 2, 10],
  [3, 9, 8, 3, 3, 2, 2, 0, 0, 3, 2], //    no padding, strided, K odd, two filters: the weight gradient's two-sample tiles
  [2, 7, 6, 3, 2, 1, 2, 0, 0, 4, 6], //    with a group of four filters and one of two
];

function geometryOf([C, H, W, kH, kW, sH, sW, pH, pW]: number[]): kernels.WindowGeometry {
  const outH = Math.floor((H + 2 * pH - kH) / sH) + 1, outW = Math.floor((W + 2 * pW - kW) / sW) + 1;
  return { channels: C, height: H, width: W, kernelH: kH, kernelW: kW, strideH: sH, strideW: sW, padH: pH, padW: pW, outH, outW };
}

/** The im2col path: Y[n] = W·colsₙ, and ∂L/∂W += Gₙ·colsₙᵀ for n = 0, 1, … (or in the given order of samples). */
function im2colPath(x: Float64Array, w: Float64Array, grad: Float64Array, dw: Float64Array, N: number, F: number, g: kernels.WindowGeometry, order?: number[]) {
  const K = g.channels * g.kernelH * g.kernelW, P = g.outH * g.outW, imageSize = g.channels * g.height * g.width;
  const y = new Float64Array(N * F * P), cols = new Float64Array(K * P), gradWeight = dw.slice();
  for (const n of order ?? Array.from({ length: N }, (_, i) => i)) {
    kernels.im2col(x, n * imageSize, g, cols);
    kernels.matmul(w, cols, y.subarray(n * F * P, (n + 1) * F * P), F, K, P);
    kernels.matmulTransB(grad.subarray(n * F * P, (n + 1) * F * P), cols, gradWeight, F, P, K, true);
  }
  return { y, gradWeight };
}

function directPath(x: Float64Array, w: Float64Array, grad: Float64Array, dw: Float64Array, N: number, F: number, g: kernels.WindowGeometry) {
  const y = new Float64Array(N * F * g.outH * g.outW).fill(7); // overwritten
  const gradWeight = dw.slice();
  kernels.conv2dForward(x, w, y, N, F, g);
  kernels.conv2dWeightGrad(x, grad, gradWeight, N, F, g);
  return { y, gradWeight };
}

describe('conv2dForward and conv2dWeightGrad give the bits of im2col + product', () => {
  test.each(GEOMETRIES.map((s) => [s.join(' '), s] as const))('C H W kH kW sH sW pH pW N F = %s, on both backends', (_name, sizes) => {
    const g = geometryOf(sizes);
    const N = sizes[9], F = sizes[10], K = g.channels * g.kernelH * g.kernelW;
    const rng = new Rng(`conv-bits ${sizes.join(',')}`);
    const x = values(rng, N * g.channels * g.height * g.width), w = values(rng, F * K);
    const grad = values(rng, N * F * g.outH * g.outW), dw = values(rng, F * K);
    for (const backend of BACKENDS) {
      setBackend(backend);
      const old = im2colPath(x, w, grad, dw, N, F, g), direct = directPath(x, w, grad, dw, N, F, g);
      expect({ backend, y: bits(direct.y) }).toEqual({ backend, y: bits(old.y) });
      expect({ backend, dw: bits(direct.gradWeight) }).toEqual({ backend, dw: bits(old.gradWeight) });
    }
  });

  test('the comparison can fail: the same weight gradient with the samples summed in reverse order has other bits', () => {
    const sizes = GEOMETRIES[1], g = geometryOf(sizes), N = sizes[9], F = sizes[10], K = g.channels * 25;
    const rng = new Rng('conv-bits order');
    const x = values(rng, N * g.channels * g.height * g.width), w = values(rng, F * K);
    const grad = values(rng, N * F * g.outH * g.outW), dw = values(rng, F * K);
    for (const backend of BACKENDS) {
      setBackend(backend);
      const reversed = im2colPath(x, w, grad, dw, N, F, g, [1, 0]), direct = directPath(x, w, grad, dw, N, F, g);
      expect(bits(direct.gradWeight)).not.toEqual(bits(reversed.gradWeight));
    }
  });

  test('the checked door refuses short arrays and an output that overlaps an input, writing nothing', () => {
    const g = geometryOf([2, 5, 5, 3, 3, 1, 1, 0, 0]);
    const x = new Float64Array(2 * 50), w = new Float64Array(4 * 18), y = new Float64Array(2 * 4 * 9).fill(5);
    for (const backend of BACKENDS) {
      setBackend(backend);
      expectMinidlError(() => kernels.conv2dForward(x.subarray(1), w, y, 2, 4, g), /kernels.conv2dForward: input has 99 entries, but input \[N,C,H,W\] needs 100/);
      expectMinidlError(() => kernels.conv2dForward(x, w, y.subarray(0, 71), 2, 4, g), /output has 71 entries/);
      expectMinidlError(() => kernels.conv2dWeightGrad(x, y, w.subarray(0, 70), 2, 4, g), /kernels.conv2dWeightGrad: gradWeight has 70 entries, but gradWeight \[F,C,kH,kW\] needs 72/);
      const shared = new Float64Array(300);
      expectMinidlError(() => kernels.conv2dForward(shared.subarray(0, 100), w, shared.subarray(90, 162), 2, 4, g), /output shares memory with input/);
      expectMinidlError(() => kernels.conv2dWeightGrad(x, shared.subarray(0, 72), shared.subarray(50, 122), 2, 4, g), /gradWeight shares memory with gradOut/);
      expectMinidlError(() => kernels.conv2dForward(x, w, y, 2, 4, { ...g, outH: 4 }), /outH × outW is 4×3/);
      expect(Array.from(y)).toEqual(new Array(72).fill(5));
    }
  });
});

/**
 * The Conv2d of before the direct kernels: forward keeps every sample's colsₙ = im2col(X[n]) and
 * computes Y[n] = W·colsₙ + b; backward computes ∂L/∂W += Gₙ·colsₙᵀ, ∂L/∂colsₙ = Wᵀ·Gₙ and
 * ∂L/∂X[n] = col2im(∂L/∂colsₙ) sample by sample, then ∂L/∂b. It trains the parameters of a Conv2d.
 */
class Im2colConv2d extends Module {
  private input: Tensor | null = null;
  private cols = new Float64Array(0);

  constructor(readonly conv: Conv2d) {
    super();
  }

  forward(input: Tensor): Tensor {
    const c = this.conv;
    const g = windowGeometry(input, c.kernelSize, c.stride, c.padding, (m) => this.fail('forward', m));
    const N = input.shape[0], F = c.outChannels, K = g.channels * g.kernelH * g.kernelW, P = g.outH * g.outW;
    const imageSize = g.channels * g.height * g.width;
    this.input = input;
    this.cols = new Float64Array(N * K * P);
    const output = new Tensor([N, F, g.outH, g.outW]);
    for (let n = 0; n < N; n++) {
      const cols = this.cols.subarray(n * K * P, (n + 1) * K * P);
      kernels.im2col(input.data, n * imageSize, g, cols);
      kernels.matmul(c.weight.value.data, cols, output.data.subarray(n * F * P, (n + 1) * F * P), F, K, P);
    }
    if (c.bias) kernels.addChannelBias(output.data, c.bias.value.data, N, F, P);
    return this.rememberOutput(output);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const c = this.conv, input = this.input as Tensor;
    const g = windowGeometry(input, c.kernelSize, c.stride, c.padding, (m) => this.fail('backward', m));
    const N = input.shape[0], F = c.outChannels, K = g.channels * g.kernelH * g.kernelW, P = g.outH * g.outW;
    const imageSize = g.channels * g.height * g.width;
    const gradInput = new Tensor(input.shape), gradCols = new Float64Array(K * P);
    for (let n = 0; n < N; n++) {
      const G = gradOut.data.subarray(n * F * P, (n + 1) * F * P), cols = this.cols.subarray(n * K * P, (n + 1) * K * P);
      kernels.matmulTransB(G, cols, c.weight.grad.data, F, P, K, true);
      kernels.matmulTransA(c.weight.value.data, G, gradCols, K, F, P);
      kernels.col2im(gradCols, g, gradInput.data, n * imageSize);
    }
    if (c.bias) kernels.sumChannels(gradOut.data, c.bias.grad.data, N, F, P, true);
    return gradInput;
  }

  override params(): Parameter[] {
    return this.conv.params();
  }

  toString(): string {
    return `Im2colConv2d(${this.conv})`;
  }
}

/** Two CNNs of the course's kinds: padded and strided convolutions, and the MNIST CNN's 5×5 ones. */
const MODELS: Record<string, { build: (rng: Rng) => Module[]; input: number[] }> = {
  'padded, strided': {
    build: (rng) => [
      new Conv2d(2, 5, 3, { padding: 1, rng }), new ReLU(), new MaxPool2d(2),
      new Conv2d(5, 6, [2, 3], { stride: [1, 2], padding: [0, 1], rng }), new ReLU(), new Flatten(), new Linear(6 * 2 * 2, 3, { rng }),
    ],
    input: [2, 6, 7],
  },
  'MNIST-like, 5×5': {
    build: (rng) => [
      new Conv2d(1, 8, 5, { rng }), new ReLU(), new MaxPool2d(2),
      new Conv2d(8, 16, 5, { rng }), new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(16, 3, { rng }),
    ],
    input: [1, 16, 16],
  },
};

/** Trains one model for 3 epochs of 4 batches with NeuralNet and Adam; returns every parameter's bits and the losses. */
function train(name: string, backend: BackendName, im2col: boolean): { params: bigint[][]; losses: number[] } {
  setBackend(backend);
  const spec = MODELS[name];
  const rng = new Rng(`conv-bits ${name}`);
  const layers = spec.build(rng);
  const model = new Sequential(...layers.map((m) => (im2col && m instanceof Conv2d ? new Im2colConv2d(m) : m)));
  const x = new Tensor([20, ...spec.input]);
  rng.fillNormal(x.data);
  const y = new Tensor([20]);
  for (let i = 0; i < 20; i++) y.data[i] = i % 3;
  const net = new NeuralNet(model, { loss: new CrossEntropyLoss(), optimizer: new Adam(model.params(), { lr: 0.01 }), rng: new Rng(5) });
  const history = net.fit(x, y, { epochs: 3, batchSize: 5 });
  return { params: model.params().map((p) => bits(p.value.data)), losses: history.loss };
}

describe('a CNN trained with Conv2d has the bits of one trained with the im2col layer', () => {
  test.each(Object.keys(MODELS))('%s: on js and wasm, every parameter to the last bit', (name) => {
    const reference = train(name, 'js', true);
    expect(reference.losses.every((l) => Number.isFinite(l))).toBe(true);
    for (const backend of BACKENDS) {
      expect({ backend, im2col: true, ...train(name, backend, true) }).toEqual({ backend, im2col: true, ...reference });
      expect({ backend, im2col: false, ...train(name, backend, false) }).toEqual({ backend, im2col: false, ...reference });
    }
  });
});
