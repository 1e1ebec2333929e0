import { checkArgumentCount } from '../../errors';
import { configPair } from '../../serialization/config-values';
import { registerModule } from '../../serialization/module-registry';
import { WindowGeometry, fastLoop } from '../../tensor/loops';
import { Tensor } from '../../tensor/tensor';
import { SizePair, checkHalfKernel, describeWindow, readPair, windowGeometry } from '../convolution/window';
import { Module } from '../module';

/**
 * 2-D average pooling, channel by channel:
 *
 *   Y[n, c, oh, ow] = 1/(kH·kW) · Σ over i < kH, j < kW of X[n, c, oh·sH − pH + i, ow·sW − pW + j]
 *
 * The padding counts as zeros that belong to the window, so the divisor is always kH·kW
 * (PyTorch's default count_include_pad = true).
 *
 * Shapes: X [N, C, H, W] → Y [N, C, OH, OW],  OH = ⌊(H + 2pH − kH)/sH⌋ + 1,  OW = ⌊(W + 2pW − kW)/sW⌋ + 1
 *         (PyTorch's floor mode). Defaults as PyTorch: stride = kernelSize, padding = 0, and
 *         the padding may be at most half the kernel (pH ≤ ⌊kH/2⌋, pW ≤ ⌊kW/2⌋).
 * No parameters. Errors: sizes that are not whole numbers (or pairs of them) in range, more
 * than three arguments (PyTorch's ceil_mode, count_include_pad and divisor_override are not
 * supported), an input that is not a finite Tensor [N, C, H, W] the window fits in: a MinidlError.
 *
 * Backward, given G = ∂L/∂Y: every entry of a window counts 1/(kH·kW) in its output, so each
 * G[n, c, oh, ow] is spread evenly over its window:
 *   ∂L/∂X[n, c, oh·sH − pH + i, ow·sW − pW + j] += G[n, c, oh, ow] / (kH·kW)
 * (the share that falls in the padding is dropped; overlapping windows add up).
 *
 * The loops are below the class; the 'wasm' backend runs a twin of each (same bits).
 *
 * ```ts
 * const pool = new AvgPool2d(2);                              // 2×2 windows, stride 2
 * const y = pool.forward(Tensor.ones([1, 3, 28, 28]));       // shape [1, 3, 14, 14], all 1
 * ```
 */
export class AvgPool2d extends Module {
  /** [kH, kW]. */
  readonly kernelSize: readonly [number, number];
  /** [sH, sW]. */
  readonly stride: readonly [number, number];
  /** [pH, pW]. */
  readonly padding: readonly [number, number];
  private geometry: WindowGeometry | null = null;
  private inputShape: readonly number[] | null = null;

  constructor(kernelSize: SizePair, stride: SizePair = kernelSize, padding: SizePair = 0) {
    super();
    checkArgumentCount('AvgPool2d', arguments.length, ['kernelSize', 'stride', 'padding']);
    const hint = ` (AvgPool2d takes its sizes as positional arguments, new AvgPool2d(kernelSize, stride, padding), such as new AvgPool2d(2, 2, 0))`;
    this.kernelSize = readPair('AvgPool2d', 'kernelSize', kernelSize, 1, hint);
    this.stride = readPair('AvgPool2d', 'stride', stride, 1, hint);
    this.padding = readPair('AvgPool2d', 'padding', padding, 0, hint);
    checkHalfKernel(this.toString(), this.kernelSize, this.padding);
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    const g = windowGeometry(input, this.kernelSize, this.stride, this.padding, (m) => this.fail('forward', m));
    const N = input.shape[0];
    const output = new Tensor([N, g.channels, g.outH, g.outW]);
    fastLoop('avgPoolForward', avgPoolForward)(input.data, g, N, output.data); // Y = mean of each window (padding counted as 0)
    this.geometry = g;
    this.inputShape = input.shape;
    return this.rememberOutput(output);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const inputShape = this.inputShape as readonly number[];
    const gradInput = new Tensor(inputShape);
    fastLoop('avgPoolBackward', avgPoolBackward)(gradOut.data, this.geometry as WindowGeometry, inputShape[0], gradInput.data); // ∂L/∂X[window] += G / (kH·kW)
    return gradInput;
  }

  toString(): string {
    return `AvgPool2d(${describeWindow(this.kernelSize, this.stride, this.padding)})`;
  }

  /** The window: `{ kernelSize, stride, padding }`, each a pair [height, width]. */
  override config(): Record<string, unknown> {
    return { kernelSize: this.kernelSize.slice(), stride: this.stride.slice(), padding: this.padding.slice() };
  }

  /** A AvgPool2d with the saved window. */
  static fromConfig(config: Record<string, unknown>): AvgPool2d {
    return new AvgPool2d(configPair(config, 'kernelSize'), configPair(config, 'stride'), configPair(config, 'padding'));
  }
}
registerModule(AvgPool2d, 'AvgPool2d');

/**
 * Average pooling of a batch [N, C, H, W] → [N, C, OH, OW], counting the padding as zeros
 * that are part of the window (PyTorch's count_include_pad = true):
 *
 *   Y[n, c, oh, ow] = 1/(kH·kW) · Σ over i < kH, j < kW of X[n, c, oh·sH − pH + i, ow·sW − pW + j]
 *
 * (In floor mode every window ends within the padded image, so the divisor is always kH·kW.)
 */
export function avgPoolForward(input: Float64Array, g: WindowGeometry, N: number, output: Float64Array): void {
  const H = g.height, W = g.width, kH = g.kernelH, kW = g.kernelW;
  const sH = g.strideH, sW = g.strideW, pH = g.padH, pW = g.padW, OH = g.outH, OW = g.outW;
  const count = kH * kW;
  let o = 0;
  for (let plane = 0, end = N * g.channels * H * W; plane < end; plane += H * W) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sH - pH, hLo = h0 > 0 ? h0 : 0, hHi = h0 + kH < H ? h0 + kH : H; // the window's rows inside the image
      for (let ow = 0; ow < OW; ow++, o++) {
        const w0 = ow * sW - pW, wLo = w0 > 0 ? w0 : 0, wHi = w0 + kW < W ? w0 + kW : W;
        let sum = 0;
        for (let h = hLo; h < hHi; h++) {
          for (let k = plane + h * W + wLo, kEnd = plane + h * W + wHi; k < kEnd; k++) sum += input[k];
        }
        output[o] = sum / count;
      }
    }
  }
}

/**
 * Backward of average pooling: each output's gradient is spread evenly over its window,
 *
 *   ∂L/∂X[n, c, oh·sH − pH + i, ow·sW − pW + j] += G[n, c, oh, ow] / (kH·kW)
 *
 * for every window entry inside the image (the share of the padding is dropped). `gradInput`
 * is not cleared first.
 */
export function avgPoolBackward(gradOut: Float64Array, g: WindowGeometry, N: number, gradInput: Float64Array): void {
  const H = g.height, W = g.width, kH = g.kernelH, kW = g.kernelW;
  const sH = g.strideH, sW = g.strideW, pH = g.padH, pW = g.padW, OH = g.outH, OW = g.outW;
  const count = kH * kW;
  let o = 0;
  for (let plane = 0, end = N * g.channels * H * W; plane < end; plane += H * W) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sH - pH, hLo = h0 > 0 ? h0 : 0, hHi = h0 + kH < H ? h0 + kH : H; // the window's rows inside the image
      for (let ow = 0; ow < OW; ow++, o++) {
        const w0 = ow * sW - pW, wLo = w0 > 0 ? w0 : 0, wHi = w0 + kW < W ? w0 + kW : W;
        const share = gradOut[o] / count;
        for (let h = hLo; h < hHi; h++) {
          for (let k = plane + h * W + wLo, kEnd = plane + h * W + wHi; k < kEnd; k++) gradInput[k] += share;
        }
      }
    }
  }
}
