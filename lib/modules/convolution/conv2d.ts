import { checkArgumentCount, checkInteger, formatShape } from '../../errors';
import { Init, fillInit, isInitLike, planInit } from '../../init/init';
import { OptionSpec, aBoolean, instanceOf, readOptions, satisfying } from '../../options';
import { Rng, defaultRng } from '../../random/rng';
import { configBoolean, configNumber, configPair } from '../../serialization/config-values';
import { registerModule } from '../../serialization/module-registry';
import { WindowGeometry, addChannelBias, col2im, conv2dForward, conv2dWeightGrad, matmulTransA, sumChannels } from '../../tensor/kernels';
import { Tensor, tensorToOverwrite } from '../../tensor/tensor';
import { Module } from '../module';
import { Parameter } from '../parameter';
import { UncomputedGradient } from '../uncomputed-gradient';
import { SizePair, formatPair, readPair, windowGeometry } from './window';

/** Options of `Conv2d`. */
export interface Conv2dOptions {
  /** How far the kernel moves between output positions, [height, width] or one number for both (default 1). */
  stride?: SizePair;
  /** Rows and columns of zeros added on each side of the input, [height, width] or one number (default 0). */
  padding?: SizePair;
  /** Learn one additive bias per output channel (default true). */
  bias?: boolean;
  /** How to initialise the weight (default `'default'`, PyTorch's U(−1/√fanIn, 1/√fanIn)); see lib/init/init.ts. */
  init?: Init;
  /** The generator to draw the initial values from (default: the one `manualSeed` seeds). */
  rng?: Rng;
}

/**
 * 2-D convolution (strictly, cross-correlation, as in every deep-learning library):
 *
 *   Y[n, f, oh, ow] = b[f] + Σ_c Σ_i Σ_j  W[f, c, i, j] · X[n, c, oh·sH − pH + i, ow·sW − pW + j]
 *
 * with X read as 0 in the padding: each output entry is a dot product of the weights of filter f
 * with the window of X it sees. `conv2dForward` computes these sums for the whole batch straight
 * from X (a direct convolution, lib/tensor/backend/reference.ts).
 *
 * The same sums are a matrix product per sample (im2col): colsₙ = im2col(X[n]) [K, P] holds every
 * window as a column, with K = C·kH·kW entries per window and P = OH·OW windows, and
 *
 *   Y[n] = W·colsₙ + b        W seen as a matrix [F, K],  Y[n] as [F, P]  (already NCHW).
 *
 * The direct kernels add the terms of each entry in the order of that product, so they give its
 * bits exactly, without making colsₙ.
 *
 * Shapes: X [N, C, H, W] → Y [N, F, OH, OW],  OH = ⌊(H + 2pH − kH)/sH⌋ + 1,  OW = ⌊(W + 2pW − kW)/sW⌋ + 1;
 *         W [F, C, kH, kW] (PyTorch's layout);  b [F]
 * Init:   W, b ~ U(−1/√fanIn, 1/√fanIn), fanIn = C·kH·kW (PyTorch's default); other inits of
 *         lib/init/init.ts get PyTorch's fans, fanIn = C·kH·kW and fanOut = F·kH·kW.
 *
 * Backward, given G = ∂L/∂Y, with Gₙ = G[n] as [F, OH·OW]:
 *   ∂L/∂W[f, c, i, j] += Σₙ Σ_oh Σ_ow G[n, f, oh, ow]·X[n, c, oh·sH − pH + i, ow·sW − pW + j]
 *                                          (= Σₙ Gₙ·colsₙᵀ; `conv2dWeightGrad`, directly from X)
 *   ∂L/∂b += Σₙ Σ_positions G[n, f, :]
 *   ∂L/∂colsₙ = Wᵀ·Gₙ          ∂L/∂X[n] = col2im(∂L/∂colsₙ)   (each window's gradient added back
 *                                                             to the input entries it read)
 *
 * Forward keeps only X (by reference) for backward, no matrix per sample; backward works in one
 * sample's ∂L/∂colsₙ [K, P] at a time. With `inputNeedsGrad` false (NeuralNet's first layer, see
 * Module), backward computes ∂L/∂W and ∂L/∂b only and returns an UncomputedGradient for ∂L/∂X.
 *
 * Errors: sizes that are not whole numbers ≥ 1 (or pairs of them), options that are not an
 * options object (PyTorch's positional stride: `new Conv2d(1, 8, 5, 2)`), unknown options
 * (dilation and groups are not supported) or mistyped ones, and an input that is not a finite
 * Tensor [N, C, H, W] with C = inChannels and room for the window all throw a MinidlError before
 * anything is drawn or set.
 *
 * ```ts
 * const conv = new Conv2d(3, 5, 3, { padding: 1 });          // 3 → 5 channels, 3×3 kernel
 * const y = conv.forward(Tensor.zeros([2, 3, 4, 4]));        // shape [2, 5, 4, 4]
 * ```
 */
export class Conv2d extends Module {
  /** C: channels of the input images. */
  readonly inChannels: number;
  /** F: channels of the output (the number of filters). */
  readonly outChannels: number;
  /** [kH, kW]. */
  readonly kernelSize: readonly [number, number];
  /** [sH, sW]. */
  readonly stride: readonly [number, number];
  /** [pH, pW]. */
  readonly padding: readonly [number, number];
  /** W [F, C, kH, kW]. */
  readonly weight: Parameter;
  /** b [F], or null when built with `bias: false`. */
  readonly bias: Parameter | null;
  private input: Tensor | null = null;
  private geometry: WindowGeometry | null = null;

  constructor(inChannels: number, outChannels: number, kernelSize: SizePair, options: Conv2dOptions = {}) {
    super();
    checkArgumentCount('Conv2d', arguments.length, ['inChannels', 'outChannels', 'kernelSize', 'options']);
    this.inChannels = checkInteger('Conv2d', 'inChannels', inChannels);
    this.outChannels = checkInteger('Conv2d', 'outChannels', outChannels);
    this.kernelSize = readPair('Conv2d', 'kernelSize', kernelSize, 1);
    const [kH, kW] = this.kernelSize;
    const o = readOptions(`Conv2d(${inChannels}→${outChannels}, ${kH}×${kW})`, options, CONV2D_OPTIONS, { positional: 'stride' });
    this.stride = readPair('Conv2d', 'stride', o.stride ?? 1, 1);
    this.padding = readPair('Conv2d', 'padding', o.padding ?? 0, 0);
    const bias = o.bias ?? true;
    const who = this.toStringWithBias(bias);
    const fanIn = inChannels * kH * kW, fanOut = outChannels * kH * kW;
    // every setting is checked before the first number is drawn from rng
    const weightDraw = planInit(o.init ?? 'default', fanIn, fanOut, who);
    const biasDraw = bias ? planInit('default', fanIn, fanOut, who) : null; // PyTorch: U(−1/√fanIn, 1/√fanIn) whatever the weight's init
    const rng = o.rng ?? defaultRng();
    this.weight = new Parameter(Tensor.zeros([outChannels, inChannels, kH, kW]), 'weight');
    fillInit(this.weight.value, weightDraw, rng);
    if (biasDraw !== null) {
      this.bias = new Parameter(Tensor.zeros([outChannels]), 'bias');
      fillInit(this.bias.value, biasDraw, rng);
    } else {
      this.bias = null;
    }
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    if (input.rank === 4 && input.shape[1] !== this.inChannels) {
      const plural = this.inChannels === 1 ? '' : 's';
      this.fail('forward', `expects ${this.inChannels} input channel${plural}, got ${input.shape[1]} (input shape ${formatShape(input.shape)}, expected [N,${this.inChannels},H,W])`);
    }
    const g = windowGeometry(input, this.kernelSize, this.stride, this.padding, (m) => this.fail('forward', m));
    this.input = input;
    this.geometry = g;
    const N = input.shape[0], F = this.outChannels, P = g.outH * g.outW;
    const output = tensorToOverwrite([N, F, g.outH, g.outW]); //                      every entry written below
    // exercise Conv2d.forward ▼
    conv2dForward(input.data, this.weight.value.data, output.data, N, F, g); //    Y[n, f, oh, ow] = Σ_c Σ_i Σ_j W[f, c, i, j]·X[n, c, h, w]
    if (this.bias) addChannelBias(output.data, this.bias.value.data, N, F, P); //  Y[n, f, :] += b[f]
    // exercise ▲
    return this.rememberOutput(output);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const input = this.input as Tensor, g = this.geometry as WindowGeometry;
    const N = input.shape[0], F = this.outChannels;
    const K = g.channels * g.kernelH * g.kernelW, P = g.outH * g.outW, imageSize = g.channels * g.height * g.width;
    // exercise Conv2d.backward ▼
    conv2dWeightGrad(input.data, gradOut.data, this.weight.grad.data, N, F, g); //    ∂L/∂W += Σₙ Σ_positions G[n, f, oh, ow]·X[n, c, h, w]
    if (this.bias) sumChannels(gradOut.data, this.bias.grad.data, N, F, P, true); // ∂L/∂b += Σₙ Σₚ G[n, f, p]
    // exercise ▲
    if (!this.inputNeedsGrad) return new UncomputedGradient(input.shape, `${this}.backward`); // nobody reads ∂L/∂X
    const gradInput = new Tensor(input.shape);
    const gradCols = this.workspace('gradCols', K * P); //                               one sample's ∂L/∂cols [K, P]
    // exercise Conv2d.backward ▼
    for (let n = 0; n < N; n++) {
      const G = gradOut.data.subarray(n * F * P, (n + 1) * F * P); //                       Gₙ  [F, P]
      matmulTransA(this.weight.value.data, G, gradCols, K, F, P); //                       ∂L/∂colsₙ = Wᵀ·Gₙ
      col2im(gradCols, g, gradInput.data, n * imageSize); //                               ∂L/∂X[n] = col2im(∂L/∂colsₙ)
    }
    // exercise ▲
    return gradInput;
  }

  override params(): Parameter[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  toString(): string {
    return this.toStringWithBias(this.bias !== null);
  }

  private toStringWithBias(bias: boolean): string {
    const [kH, kW] = this.kernelSize;
    return `Conv2d(${this.inChannels}→${this.outChannels}, ${kH}×${kW}, stride ${formatPair(this.stride)}, ` +
      `padding ${formatPair(this.padding)}${bias ? '' : ', bias=false'})`;
  }

  /**
   * The sizes, the window and whether there is a bias:
   * `{ inChannels, outChannels, kernelSize, stride, padding, bias }` (the initialisation is not kept: the values are saved).
   */
  override config(): Record<string, unknown> {
    return {
      inChannels: this.inChannels, outChannels: this.outChannels, kernelSize: this.kernelSize.slice(),
      stride: this.stride.slice(), padding: this.padding.slice(), bias: this.bias !== null,
    };
  }

  /** A Conv2d from `config()`'s values. */
  static fromConfig(config: Record<string, unknown>): Conv2d {
    return new Conv2d(configNumber(config, 'inChannels'), configNumber(config, 'outChannels'), configPair(config, 'kernelSize'), {
      stride: configPair(config, 'stride'), padding: configPair(config, 'padding'), bias: configBoolean(config, 'bias'),
    });
  }
}
registerModule(Conv2d, 'Conv2d');

/** A size option: a number or a pair (readPair then checks the values). */
const SIZE = satisfying('a whole number or a pair [height, width]', (v) => typeof v === 'number' || Array.isArray(v));

/** The options Conv2d reads. */
const CONV2D_OPTIONS: OptionSpec<Conv2dOptions> = {
  stride: SIZE,
  padding: SIZE,
  bias: aBoolean,
  init: satisfying("an init name such as 'kaimingUniform' or a spec such as { kind: 'normal', std: 0.1 }", isInitLike), // planInit says what is wrong
  rng: instanceOf(Rng, 'an Rng such as new Rng(42)'),
};
