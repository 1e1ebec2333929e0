import { checkArgumentCount } from '../../errors';
import { configPair } from '../../serialization/config-values';
import { registerModule } from '../../serialization/module-registry';
import { WindowGeometry, fastLoop } from '../../tensor/loops';
import { Tensor, tensorToOverwrite } from '../../tensor/tensor';
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
 * No parameters. Errors: sizes that are not whole numbers (or pairs of them) in range, more than
 * three arguments (PyTorch's dilation and ceil_mode are not supported), an input that is not a
 * finite Tensor [N, C, H, W] the window fits in: a MinidlError.
 *
 * Backward, given G = ∂L/∂Y: the maximum is the only entry of a window that moves its output,
 * so each G[n, c, oh, ow] goes to the input entry that was the maximum (its argmax, kept by
 * forward), and the other entries of the window get nothing:
 *   ∂L/∂X[argmax(n, c, oh, ow)] += G[n, c, oh, ow]
 * (an entry that is the maximum of several overlapping windows receives the sum).
 *
 * The loops are below the class; the 'wasm' backend runs a twin of each (same bits, the same
 * tie rule).
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

  constructor(kernelSize: SizePair, stride: SizePair = kernelSize, padding: SizePair = 0) {
    super();
    checkArgumentCount('MaxPool2d', arguments.length, ['kernelSize', 'stride', 'padding']);
    const hint = ` (MaxPool2d takes its sizes as positional arguments, new MaxPool2d(kernelSize, stride, padding), such as new MaxPool2d(2, 2, 0))`;
    this.kernelSize = readPair('MaxPool2d', 'kernelSize', kernelSize, 1, hint);
    this.stride = readPair('MaxPool2d', 'stride', stride, 1, hint);
    this.padding = readPair('MaxPool2d', 'padding', padding, 0, hint);
    checkHalfKernel(this.toString(), this.kernelSize, this.padding);
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    const g = windowGeometry(input, this.kernelSize, this.stride, this.padding, (m) => this.fail('forward', m));
    const N = input.shape[0];
    const output = tensorToOverwrite([N, g.channels, g.outH, g.outW]); // every entry written below
    const argmax = this.indexWorkspace('argmax', output.size); // for each output, the input index of its maximum
    // exercise MaxPool2d.forward ▼
    fastLoop('maxPoolForward', maxPoolForward)(input.data, g, N, output.data, argmax); // Y = max over each window
    // exercise ▲
    this.inputShape = input.shape;
    return this.rememberOutput(output);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const gradInput = new Tensor(this.inputShape as readonly number[]);
    const argmax = this.indexWorkspace('argmax', gradOut.size); //                    kept by forward
    // exercise MaxPool2d.backward ▼
    fastLoop('maxPoolBackward', maxPoolBackward)(gradOut.data, argmax, gradInput.data); // ∂L/∂X[argmax] += G
    // exercise ▲
    return gradInput;
  }

  toString(): string {
    return `MaxPool2d(${describeWindow(this.kernelSize, this.stride, this.padding)})`;
  }

  /** The window: `{ kernelSize, stride, padding }`, each a pair [height, width]. */
  override config(): Record<string, unknown> {
    return { kernelSize: this.kernelSize.slice(), stride: this.stride.slice(), padding: this.padding.slice() };
  }

  /** A MaxPool2d with the saved window. */
  static fromConfig(config: Record<string, unknown>): MaxPool2d {
    return new MaxPool2d(configPair(config, 'kernelSize'), configPair(config, 'stride'), configPair(config, 'padding'));
  }
}
registerModule(MaxPool2d, 'MaxPool2d');

// exercise MaxPool2d.forward ▼
/**
 * Max pooling of a batch [N, C, H, W] → [N, C, OH, OW]:
 *
 *   Y[n, c, oh, ow] = max over i < kH, j < kW of X[n, c, oh·sH − pH + i, ow·sW − pW + j]
 *
 * with the padding counting as −∞ (so it is never the maximum; the caller ensures pad ≤
 * kernel/2, which leaves at least one real entry in every window). `argmax[o]` receives the flat
 * index in `input` of the entry that gave output o: the first maximum of the window in
 * row-major order (i, then j), as PyTorch's CPU kernel picks it on ties. (`argmax` may be
 * longer than the output: its first entries are written.)
 */
export function maxPoolForward(
  input: Float64Array, g: WindowGeometry, N: number, output: Float64Array, argmax: Int32Array,
): void {
  const H = g.height, W = g.width, kH = g.kernelH, kW = g.kernelW;
  const sH = g.strideH, sW = g.strideW, pH = g.padH, pW = g.padW, OH = g.outH, OW = g.outW;
  let o = 0;
  for (let plane = 0, end = N * g.channels * H * W; plane < end; plane += H * W) {
    for (let oh = 0; oh < OH; oh++) {
      const h0 = oh * sH - pH, hLo = h0 > 0 ? h0 : 0, hHi = h0 + kH < H ? h0 + kH : H; // the window's rows inside the image
      for (let ow = 0; ow < OW; ow++, o++) {
        const w0 = ow * sW - pW, wLo = w0 > 0 ? w0 : 0, wHi = w0 + kW < W ? w0 + kW : W;
        let best = -Infinity;
        let bestIndex = plane + hLo * W + wLo;
        for (let h = hLo; h < hHi; h++) {
          for (let k = plane + h * W + wLo, kEnd = plane + h * W + wHi; k < kEnd; k++) {
            if (input[k] > best) { // strictly greater: the first maximum wins a tie
              best = input[k];
              bestIndex = k;
            }
          }
        }
        output[o] = best;
        argmax[o] = bestIndex;
      }
    }
  }
}
// exercise ▲

// exercise MaxPool2d.backward ▼
/**
 * Backward of max pooling: each output's gradient goes to the input entry that was its
 * maximum, and only there,
 *
 *   ∂L/∂X[argmax[o]] += G[o]      for every output o,
 *
 * accumulating when windows overlap (stride < kernel) and share their maximum. `gradInput` is
 * not cleared first; only the first G.length entries of `argmax` are read.
 */
export function maxPoolBackward(gradOut: Float64Array, argmax: Int32Array, gradInput: Float64Array): void {
  for (let o = 0; o < gradOut.length; o++) gradInput[argmax[o]] += gradOut[o];
}
// exercise ▲
