import { WindowGeometry, maxPoolBackward, maxPoolForward } from '../../tensor/image-kernels';
import { persistentIndexValues } from '../../tensor/storage';
import { Tensor } from '../../tensor/tensor';
import { SizePair, checkHalfKernel, describeWindow, readPair, windowGeometry } from '../convolution/window';
import { Module } from '../module';

/**
 * 2-D max pooling, channel by channel:
 *
 *   Y[n, c, oh, ow] = max over i < kH, j < kW of X[n, c, oh·sH − pH + i, ow·sW − pW + j]
 *
 * The padding counts as −∞: it widens the windows at the borders but is never the maximum.
 * On a tie the first maximum of the window in row-major order wins (as PyTorch's CPU kernel).
 *
 * Shapes: X [N, C, H, W] → Y [N, C, OH, OW],  OH = ⌊(H + 2pH − kH)/sH⌋ + 1,  OW = ⌊(W + 2pW − kW)/sW⌋ + 1
 *         (PyTorch's floor mode). Defaults as PyTorch: stride = kernelSize, padding = 0, and
 *         the padding may be at most half the kernel (pH ≤ ⌊kH/2⌋, pW ≤ ⌊kW/2⌋).
 * No parameters.
 *
 * Backward, given G = ∂L/∂Y: the maximum is the only entry of a window that moves its output,
 * so each G[n, c, oh, ow] goes to the input entry that was the maximum (its argmax, kept by
 * forward), and the other entries of the window get nothing:
 *   ∂L/∂X[argmax(n, c, oh, ow)] += G[n, c, oh, ow]
 * (an entry that is the maximum of several overlapping windows receives the sum).
 *
 * ```ts
 * const pool = new MaxPool2d(2);                              // 2×2 windows, stride 2
 * const y = pool.forward(Tensor.zeros([1, 3, 28, 28]));      // shape [1, 3, 14, 14]
 * ```
 */
export class MaxPool2d extends Module {
  /** [kH, kW]. */
  readonly kernelSize: readonly [number, number];
  /** [sH, sW]. */
  readonly stride: readonly [number, number];
  /** [pH, pW]. */
  readonly padding: readonly [number, number];
  private inputShape: readonly number[] | null = null;
  /**
   * For each output entry of the last forward pass, the flat index in the input of its
   * window's maximum (the first entries; allocated again only when too small, so a smaller
   * batch reuses it).
   */
  private argmax: Int32Array = new Int32Array(0);

  constructor(kernelSize: SizePair, stride: SizePair = kernelSize, padding: SizePair = 0) {
    super();
    this.kernelSize = readPair('MaxPool2d', 'kernelSize', kernelSize, 1);
    this.stride = readPair('MaxPool2d', 'stride', stride, 1);
    this.padding = readPair('MaxPool2d', 'padding', padding, 0);
    checkHalfKernel(this.toString(), this.kernelSize, this.padding);
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    const g = windowGeometry(input, this.kernelSize, this.stride, this.padding, (m) => this.fail('forward', m));
    const N = input.shape[0];
    const output = new Tensor([N, g.channels, g.outH, g.outW]);
    if (this.argmax.length < output.size) this.argmax = persistentIndexValues(output.size);
    maxPoolForward(input.data, g, N, output.data, this.argmax); // Y = max over each window, argmax remembered
    this.inputShape = input.shape;
    return this.rememberOutput(output);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const gradInput = new Tensor(this.inputShape as readonly number[]);
    maxPoolBackward(gradOut.data, this.argmax, gradInput.data); // ∂L/∂X[argmax] += G
    return gradInput;
  }

  toString(): string {
    return `MaxPool2d(${describeWindow(this.kernelSize, this.stride, this.padding)})`;
  }
}
