import { MinidlError, checkInRange, checkInteger, checkPositive, formatShape } from '../../errors';
import {
  batchNormInputGrad, channelGradSums, channelMoments, inverseStd, normalizeChannels, scaleChannels, updateRunningAverage,
} from '../../tensor/normalization-kernels';
import { Tensor } from '../../tensor/tensor';
import { Module, ModuleBuffer } from '../module';
import { Parameter } from '../parameter';

/** Options of `BatchNorm1d` and `BatchNorm2d` (PyTorch's defaults). */
export interface BatchNormOptions {
  /** Added to the variance before the square root: σ = √(var + eps) (default 1e-5). */
  eps?: number;
  /** Weight of the new batch in the running statistics, in [0, 1] (default 0.1). */
  momentum?: number;
  /** Learn a scale γ (`weight`) and a shift β (`bias`) per channel (default true). */
  affine?: boolean;
}

/** The defaults, written once. */
/** How the normalization kernels see an input: [outer, C, inner] (outer = N, inner = H·W for images, 1 for features). */
export interface ChannelLayout {
  /** Number of blocks before the channel axis (the batch size N). */
  outer: number;
  /** Number of values after the channel axis (H·W for BatchNorm2d, 1 for BatchNorm1d). */
  inner: number;
}

export const BATCH_NORM_DEFAULTS = { eps: 1e-5, momentum: 0.1, affine: true } as const;

/**
 * Batch normalisation, per channel c (the part BatchNorm1d and BatchNorm2d share; they only
 * say which axis holds the channels):
 *
 *   x̂ = (x − μ_c) / σ_c,      σ_c = √(var_c + eps),      y = γ_c·x̂ + β_c
 *
 * Training mode: μ_c and var_c are the mean and the **biased** variance (divide by m) of the
 * m values of channel c in this batch, and the running statistics move towards them:
 *
 *   runningMean ← (1 − momentum)·runningMean + momentum·μ_c
 *   runningVar  ← (1 − momentum)·runningVar  + momentum·var_c·m/(m − 1)     (the **unbiased** variance)
 *
 * Evaluation mode: μ_c = runningMean[c], var_c = runningVar[c], and nothing is updated.
 * (These are PyTorch's rules, eps placement and momentum convention included.)
 *
 * Init: γ (`weight`) = 1, β (`bias`) = 0; runningMean = 0, runningVar = 1 (buffers, not parameters).
 *
 * ## Backward, given g = ∂L/∂y
 *
 *   ∂L/∂γ_c += Σ g·x̂          ∂L/∂β_c += Σ g          (sums over the m entries of channel c)
 *
 * Evaluation mode: μ and σ are constants, so x̂ is an affine function of x and
 *
 *   ∂L/∂x = (γ/σ)·g
 *
 * Training mode: μ and σ depend on every x of the channel. Write ĝ = ∂L/∂x̂ = γ·g and follow
 * the graph x → (μ, var) → x̂ backwards:
 *
 *   x̂_k = (x_k − μ)/σ,   μ = (1/m) Σ_k x_k,   var = (1/m) Σ_k (x_k − μ)²,   σ = √(var + eps)
 *
 *   ∂L/∂var = Σ_k ĝ_k·(x_k − μ)·(−½)(var + eps)^(−3/2) = −(1/(2σ²)) Σ_k ĝ_k·x̂_k
 *   ∂L/∂μ   = −(1/σ) Σ_k ĝ_k  +  ∂L/∂var·(−2/m) Σ_k (x_k − μ) = −(1/σ) Σ_k ĝ_k      (the second sum is 0)
 *   ∂L/∂x_k = ĝ_k/σ + ∂L/∂var·2(x_k − μ)/m + ∂L/∂μ/m
 *           = (1/σ)·(ĝ_k − mean(ĝ) − x̂_k·mean(ĝ·x̂))
 *
 * and with ĝ = γ·g (γ is the same for the whole channel):
 *
 *   ∂L/∂x = (γ/σ)·(g − mean(g) − x̂·mean(g·x̂))
 *
 * docs/normalization.md goes through these steps in more detail.
 */
export abstract class BatchNorm extends Module {
  /** `BatchNorm1d` or `BatchNorm2d`, for messages. */
  readonly kind: string;
  /** Number of channels C (features for BatchNorm1d). */
  readonly numFeatures: number;
  /** ε, added to the variance under the square root. */
  readonly eps: number;
  /** Weight of the new batch statistics in the running ones (PyTorch's convention, default 0.1). */
  readonly momentum: number;
  /** Whether the layer learns γ (`weight`) and β (`bias`). */
  readonly affine: boolean;
  /** γ [C], or null when built with `affine: false`. */
  readonly weight: Parameter | null;
  /** β [C], or null when built with `affine: false`. */
  readonly bias: Parameter | null;
  /** The running estimate of each channel's mean [C], used in evaluation mode. */
  readonly runningMean: Tensor;
  /** The running estimate of each channel's (unbiased) variance [C], used in evaluation mode. */
  readonly runningVar: Tensor;

  private xHat: Tensor | null = null;
  private invStd: Float64Array | null = null;
  private usedBatchStats = false;
  private outer = 0;
  private inner = 0;

  protected constructor(kind: string, numFeatures: number, options: BatchNormOptions) {
    super();
    this.kind = kind;
    const who = `${kind}(${String(numFeatures)})`;
    this.numFeatures = checkInteger(who, 'numFeatures', numFeatures);
    this.eps = checkPositive(who, 'eps', options.eps ?? BATCH_NORM_DEFAULTS.eps);
    this.momentum = checkInRange(who, 'momentum', options.momentum ?? BATCH_NORM_DEFAULTS.momentum, 0, 1, true);
    const affine = options.affine ?? BATCH_NORM_DEFAULTS.affine;
    if (typeof affine !== 'boolean') throw new MinidlError(`${who}: affine must be true or false, got ${String(affine)}`);
    this.affine = affine;
    this.weight = affine ? new Parameter(Tensor.ones([numFeatures]), 'weight') : null;
    this.bias = affine ? new Parameter(Tensor.zeros([numFeatures]), 'bias') : null;
    this.runningMean = Tensor.zeros([numFeatures]);
    this.runningVar = Tensor.ones([numFeatures]);
  }

  /**
   * Checks the input's shape and returns how the kernels see it, [outer, C, inner]
   * (see lib/tensor/normalization-kernels.ts).
   */
  protected abstract layout(input: Tensor): ChannelLayout;

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    const { outer, inner } = this.layout(input);
    const C = this.numFeatures;
    const m = outer * inner;
    if (this.training && m < 2) {
      this.fail('forward', `Expected more than 1 value per channel when training, got input shape ${formatShape(input.shape)} (the batch statistics of one value are meaningless; use eval() or a larger batch)`);
    }
    const mean = new Float64Array(C);
    const invStd = new Float64Array(C);
    if (this.training) {
      const sqDev = new Float64Array(C);
      channelMoments(input.data, outer, C, inner, mean, sqDev); //                 μ = Σx/m,  S = Σ(x − μ)²
      inverseStd(sqDev, 1 / m, this.eps, invStd, C); //                               1/σ = 1/√(S/m + eps)   (biased)
      updateRunningAverage(this.runningMean.data, mean, this.momentum, 1, C); //      runningMean ← (1−momentum)·runningMean + momentum·μ
      updateRunningAverage(this.runningVar.data, sqDev, this.momentum, 1 / (m - 1), C); // runningVar ← (1−momentum)·runningVar + momentum·S/(m−1)
    } else {
      mean.set(this.runningMean.data); //                                              μ = runningMean
      inverseStd(this.runningVar.data, 1, this.eps, invStd, C); //                      1/σ = 1/√(runningVar + eps)
    }
    const xHat = new Tensor(input.shape);
    const output = new Tensor(input.shape);
    normalizeChannels(input.data, outer, C, inner, mean, invStd, //                    x̂ = (x − μ)/σ
      this.weight && this.weight.value.data, this.bias && this.bias.value.data, //     y = γ·x̂ + β
      xHat.data, output.data);
    this.xHat = xHat;
    this.invStd = invStd;
    this.usedBatchStats = this.training;
    this.outer = outer;
    this.inner = inner;
    return this.rememberOutput(output);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const g = gradOut.data;
    const xHat = (this.xHat as Tensor).data;
    const invStd = this.invStd as Float64Array;
    const gamma = this.weight && this.weight.value.data;
    const C = this.numFeatures, outer = this.outer, inner = this.inner;
    const sumG = new Float64Array(C);
    const sumGXHat = new Float64Array(C);
    channelGradSums(g, xHat, outer, C, inner, sumG, sumGXHat); //                     Σ g,  Σ g·x̂  per channel
    if (this.weight && this.bias) {
      addInto(this.weight.grad.data, sumGXHat); //                                     ∂L/∂γ += Σ g·x̂
      addInto(this.bias.grad.data, sumG); //                                           ∂L/∂β += Σ g
    }
    const gradInput = new Tensor(gradOut.shape);
    if (this.usedBatchStats) {
      batchNormInputGrad(g, xHat, outer, C, inner, gamma, invStd, sumG, sumGXHat, gradInput.data); // ∂L/∂x = (γ/σ)·(g − mean(g) − x̂·mean(g·x̂))
    } else {
      scaleChannels(g, outer, C, inner, gamma, invStd, gradInput.data); //                         ∂L/∂x = (γ/σ)·g
    }
    return gradInput;
  }

  override params(): Parameter[] {
    return this.weight && this.bias ? [this.weight, this.bias] : [];
  }

  override buffers(): ModuleBuffer[] {
    return [{ name: 'runningMean', value: this.runningMean }, { name: 'runningVar', value: this.runningVar }];
  }

  toString(): string {
    const extra: string[] = [];
    if (this.eps !== BATCH_NORM_DEFAULTS.eps) extra.push(`eps=${this.eps}`);
    if (this.momentum !== BATCH_NORM_DEFAULTS.momentum) extra.push(`momentum=${this.momentum}`);
    if (!this.affine) extra.push('affine=false');
    return `${this.kind}(${[String(this.numFeatures), ...extra].join(', ')})`;
  }
}

function addInto(target: Float64Array, values: Float64Array): void {
  for (let i = 0; i < values.length; i++) target[i] += values[i];
}
