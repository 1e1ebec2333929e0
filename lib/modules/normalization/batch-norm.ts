import { checkInRange, checkInteger, checkPositive, formatShape } from '../../errors';
import { OptionSpec, aBoolean, aNumber, orNull, readOptions } from '../../options';
import { Tensor } from '../../tensor/tensor';
import { Module } from '../module';
import { Parameter } from '../parameter';

/** Options of `BatchNorm1d` and `BatchNorm2d` (PyTorch's defaults). */
export interface BatchNormOptions {
  /** Added to the variance before the square root: σ = √(var + eps) (default 1e-5). */
  eps?: number;
  /**
   * Weight of the new batch in the running statistics, in [0, 1] (default 0.1); null for the
   * cumulative moving average, where batch t weighs 1/t (PyTorch's `momentum=None`).
   */
  momentum?: number | null;
  /** Learn a scale γ (`weight`) and a shift β (`bias`) per channel (default true). */
  affine?: boolean;
}

/**
 * How the loops of this file see a tensor: three nested axes [outer, C, inner], row-major, so
 * entry (o, c, i) lives at data[(o·C + c)·inner + i]:
 *
 *   BatchNorm1d on [N, F]:        outer = N, C = F, inner = 1
 *   BatchNorm2d on [N, C, H, W]:  outer = N, C = C, inner = H·W
 *
 * A channel c is the set of m = outer·inner entries with that c: its statistics are taken over
 * the batch (and, for images, over every pixel). The loops walk the data in memory order, one
 * contiguous run of `inner` numbers at a time.
 */
export interface ChannelLayout {
  /** Number of blocks before the channel axis (the batch size N). */
  outer: number;
  /** Number of values after the channel axis (H·W for BatchNorm2d, 1 for BatchNorm1d). */
  inner: number;
}

/** A layout with its channel count: what every loop below walks. */
interface Channels extends ChannelLayout {
  /** C: the number of channels. */
  C: number;
}

/** The defaults, written once. */
export const BATCH_NORM_DEFAULTS = { eps: 1e-5, momentum: 0.1, affine: true } as const;

/** The options BatchNorm1d and BatchNorm2d read (ranges are checked by the constructor). */
const BATCH_NORM_OPTIONS: OptionSpec<BatchNormOptions> = { eps: aNumber, momentum: orNull(aNumber), affine: aBoolean };

/**
 * Batch normalisation, per channel c (the part BatchNorm1d and BatchNorm2d share; they only
 * say which axis holds the channels):
 *
 *   x̂ = (x − μ_c) / σ_c,      σ_c = √(var_c + eps),      y = γ_c·x̂ + β_c
 *
 * Training mode: μ_c and var_c are the mean and the **biased** variance (divide by m) of the
 * m values of channel c in this batch, the batch is counted, and the running statistics move
 * towards them with the factor f:
 *
 *   numBatchesTracked ← numBatchesTracked + 1
 *   f = momentum,  or  f = 1/numBatchesTracked  when momentum is null (the cumulative average)
 *   runningMean ← (1 − f)·runningMean + f·μ_c
 *   runningVar  ← (1 − f)·runningVar  + f·var_c·m/(m − 1)     (the **unbiased** variance)
 *
 * With momentum null, the running statistics are the plain mean of the statistics of every
 * batch seen so far (the first batch, f = 1, replaces the initial 0 and 1).
 *
 * Evaluation mode: μ_c = runningMean[c], var_c = runningVar[c], and nothing is updated.
 * (These are PyTorch's rules, eps placement and momentum convention included.)
 *
 * Init: γ (`weight`) = 1, β (`bias`) = 0; runningMean = 0, runningVar = 1, numBatchesTracked = 0
 * (buffers, not parameters: saved with the model, untouched by optimizers).
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
  /** Weight of the new batch statistics in the running ones (PyTorch's convention, default 0.1); null: the cumulative average, f = 1/numBatchesTracked. */
  readonly momentum: number | null;
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
  /**
   * The number of batches seen in training mode [1] (PyTorch's `num_batches_tracked`): a whole
   * number kept in a float64 tensor, as every buffer (PyTorch keeps an int64; a float64 holds
   * every count up to 2⁵³ exactly). It sets the factor when momentum is null.
   */
  readonly numBatchesTracked: Tensor;

  private xHat: Tensor | null = null;
  private invStd: Float64Array | null = null;
  private usedBatchStats = false;
  private channels: Channels = { outer: 0, C: 0, inner: 0 };

  /**
   * Checks everything before making any state: `numFeatures` a whole number ≥ 1, `options` an
   * options object (PyTorch's positional eps, `new BatchNorm1d(3, 1e-3)`, is refused with the hint
   * `{ eps: 0.001 }`) whose keys are known and of the right type, eps a finite number > 0,
   * momentum in [0, 1] or null (PyTorch's cumulative average).
   */
  protected constructor(kind: string, numFeatures: number, options: BatchNormOptions) {
    super();
    this.kind = kind;
    const who = typeof numFeatures === 'number' ? `${kind}(${numFeatures})` : kind;
    this.numFeatures = checkInteger(who, 'numFeatures', numFeatures);
    const o = readOptions(who, options, BATCH_NORM_OPTIONS, { positional: 'eps' });
    this.eps = checkPositive(who, 'eps', o.eps ?? BATCH_NORM_DEFAULTS.eps);
    this.momentum = o.momentum === null ? null : checkInRange(who, 'momentum', o.momentum ?? BATCH_NORM_DEFAULTS.momentum, 0, 1, true);
    const affine = o.affine ?? BATCH_NORM_DEFAULTS.affine;
    this.affine = affine;
    this.weight = affine ? new Parameter(Tensor.ones([numFeatures]), 'weight') : null;
    this.bias = affine ? new Parameter(Tensor.zeros([numFeatures]), 'bias') : null;
    this.runningMean = this.registerBuffer('runningMean', Tensor.zeros([numFeatures]));
    this.runningVar = this.registerBuffer('runningVar', Tensor.ones([numFeatures]));
    this.numBatchesTracked = this.registerBuffer('numBatchesTracked', Tensor.zeros([1]));
  }

  /**
   * Checks the input's shape and returns how the loops see it, [outer, C, inner]
   * (see `ChannelLayout`).
   */
  protected abstract layout(input: Tensor): ChannelLayout;

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    const { outer, inner } = this.layout(input);
    const C = this.numFeatures;
    const m = outer * inner;
    const layout: Channels = { outer, C, inner };
    if (this.training && m < 2) {
      this.fail('forward', `Expected more than 1 value per channel when training, got input shape ${formatShape(input.shape)} (the batch statistics of one value are meaningless; use eval() or a larger batch)`);
    }
    const mean = new Float64Array(C);
    const invStd = new Float64Array(C);
    // exercise BatchNorm.forward ▼
    if (this.training) {
      const sqDev = new Float64Array(C);
      channelMoments(input.data, layout, mean, sqDev); //                                 μ = Σx/m,  S = Σ(x − μ)²
      inverseStd(sqDev, 1 / m, this.eps, invStd); //                                      1/σ = 1/√(S/m + eps)   (biased)
      const count = (this.numBatchesTracked.data[0] += 1); //                             numBatchesTracked ← numBatchesTracked + 1
      const factor = this.momentum === null ? 1 / count : this.momentum; //                f = momentum, or 1/numBatchesTracked (cumulative average)
      updateRunningAverage(this.runningMean.data, mean, factor, 1); //                     runningMean ← (1−f)·runningMean + f·μ
      updateRunningAverage(this.runningVar.data, sqDev, factor, 1 / (m - 1)); //           runningVar ← (1−f)·runningVar + f·S/(m−1)
    } else {
      mean.set(this.runningMean.data); //                                                  μ = runningMean
      inverseStd(this.runningVar.data, 1, this.eps, invStd); //                           1/σ = 1/√(runningVar + eps)
    }
    // exercise ▲
    const xHat = new Tensor(input.shape);
    const output = new Tensor(input.shape);
    // exercise BatchNorm.forward ▼
    const gamma = this.weight && this.weight.value.data, beta = this.bias && this.bias.value.data;
    normalizeChannels(input.data, layout, mean, invStd, xHat.data); //                   x̂ = (x − μ)/σ
    scaleAndShift(xHat.data, layout, gamma, beta, output.data); //                         y = γ·x̂ + β
    // exercise ▲
    this.xHat = xHat;
    this.invStd = invStd;
    this.usedBatchStats = this.training;
    this.channels = layout;
    return this.rememberOutput(output);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const g = gradOut.data;
    const xHat = (this.xHat as Tensor).data;
    const invStd = this.invStd as Float64Array;
    const gamma = this.weight && this.weight.value.data;
    const layout = this.channels;
    // exercise BatchNorm.backward ▼
    const sumG = new Float64Array(layout.C);
    const sumGXHat = new Float64Array(layout.C);
    channelGradSums(g, xHat, layout, sumG, sumGXHat); //                                 Σ g,  Σ g·x̂  per channel
    if (this.weight && this.bias) {
      addInto(this.weight.grad.data, sumGXHat); //                                        ∂L/∂γ += Σ g·x̂
      addInto(this.bias.grad.data, sumG); //                                              ∂L/∂β += Σ g
    }
    const gradInput = new Tensor(gradOut.shape);
    if (this.usedBatchStats) {
      batchNormInputGrad(g, xHat, layout, gamma, invStd, sumG, sumGXHat, gradInput.data); // ∂L/∂x = (γ/σ)·(g − mean(g) − x̂·mean(g·x̂))
    } else {
      scaleChannels(g, layout, gamma, invStd, gradInput.data); //                            ∂L/∂x = (γ/σ)·g
    }
    return gradInput;
    // exercise ▲
  }

  override params(): Parameter[] {
    return this.weight && this.bias ? [this.weight, this.bias] : [];
  }

  toString(): string {
    const extra: string[] = [];
    if (this.eps !== BATCH_NORM_DEFAULTS.eps) extra.push(`eps=${this.eps}`);
    if (this.momentum !== BATCH_NORM_DEFAULTS.momentum) extra.push(`momentum=${this.momentum}`);
    if (!this.affine) extra.push('affine=false');
    return `${this.kind}(${[String(this.numFeatures), ...extra].join(', ')})`;
  }

  /**
   * The size and the options: `{ numFeatures, eps, momentum, affine }`, momentum a number or
   * null (the running statistics and the batch count are state, saved apart; BatchNorm1d and
   * BatchNorm2d each rebuild themselves from it).
   */
  override config(): Record<string, unknown> {
    return { numFeatures: this.numFeatures, eps: this.eps, momentum: this.momentum, affine: this.affine };
  }
}

// ## The loops (no backend twin: they are a small share of a step)

// exercise BatchNorm.backward ▼
/** target[c] += values[c] for every channel. */
function addInto(target: Float64Array, values: Float64Array): void {
  for (let i = 0; i < values.length; i++) target[i] += values[i];
}
// exercise ▲

// exercise BatchNorm.forward ▼
/**
 * Per channel c:  mean[c] = (1/m) Σ x,   sqDev[c] = Σ (x − mean[c])²   (m = outer·inner)
 *
 * Two passes (the mean first, then the squared deviations from it) rather than Σx² − m·mean²,
 * which loses every digit when the mean is large next to the spread.
 */
function channelMoments(x: Float64Array, { outer, C, inner }: Channels, mean: Float64Array, sqDev: Float64Array): void {
  for (let o = 0, p = 0; o < outer; o++) {
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let i = 0; i < inner; i++, p++) s += x[p];
      mean[c] += s;
    }
  }
  for (let c = 0; c < C; c++) mean[c] /= outer * inner;
  for (let o = 0, p = 0; o < outer; o++) {
    for (let c = 0; c < C; c++) {
      const mu = mean[c];
      let s = 0;
      for (let i = 0; i < inner; i++, p++) {
        const d = x[p] - mu;
        s += d * d;
      }
      sqDev[c] += s;
    }
  }
}

/** invStd[c] = 1 / √(scale·v[c] + eps)   (v a sum of squared deviations with scale 1/m, or a variance with scale 1) */
function inverseStd(v: Float64Array, scale: number, eps: number, invStd: Float64Array): void {
  for (let c = 0; c < invStd.length; c++) invStd[c] = 1 / Math.sqrt(v[c] * scale + eps);
}

/**
 * running[c] = (1 − f)·running[c] + f·scale·batch[c]: the moving average PyTorch keeps, with
 * f = momentum (exponential) or 1/numBatchesTracked (cumulative); `scale` turns a sum of
 * squared deviations into the unbiased variance, 1/(m − 1), or is 1 for the mean.
 */
function updateRunningAverage(running: Float64Array, batch: Float64Array, factor: number, scale: number): void {
  for (let c = 0; c < running.length; c++) running[c] = factor * (batch[c] * scale) + (1 - factor) * running[c];
}

/** x̂ = (x − mean[c])·invStd[c] for every entry of channel c. */
function normalizeChannels(x: Float64Array, { outer, C, inner }: Channels, mean: Float64Array, invStd: Float64Array, xHat: Float64Array): void {
  for (let o = 0, p = 0; o < outer; o++) {
    for (let c = 0; c < C; c++) {
      const mu = mean[c], s = invStd[c];
      for (let i = 0; i < inner; i++, p++) xHat[p] = (x[p] - mu) * s;
    }
  }
}

/** y = γ[c]·x̂ + β[c] for every entry of channel c; y = x̂ without γ and β (null). */
function scaleAndShift(xHat: Float64Array, { outer, C, inner }: Channels, gamma: Float64Array | null, beta: Float64Array | null, y: Float64Array): void {
  for (let o = 0, p = 0; o < outer; o++) {
    for (let c = 0; c < C; c++) {
      const g = gamma === null ? 1 : gamma[c];
      const b = beta === null ? 0 : beta[c];
      for (let i = 0; i < inner; i++, p++) y[p] = g * xHat[p] + b;
    }
  }
}
// exercise ▲

// exercise BatchNorm.backward ▼
/** Per channel c:  sumG[c] = Σ g,   sumGXHat[c] = Σ g·x̂   (sums over the m entries of the channel). */
function channelGradSums(g: Float64Array, xHat: Float64Array, { outer, C, inner }: Channels, sumG: Float64Array, sumGXHat: Float64Array): void {
  for (let o = 0, p = 0; o < outer; o++) {
    for (let c = 0; c < C; c++) {
      let sg = 0, sgx = 0;
      for (let i = 0; i < inner; i++, p++) {
        sg += g[p];
        sgx += g[p] * xHat[p];
      }
      sumG[c] += sg;
      sumGXHat[c] += sgx;
    }
  }
}

/**
 * Training mode (the batch's statistics), for every entry of channel c:
 *
 *   dx = (γ_c/σ_c)·(g − mean(g) − x̂·mean(g·x̂)),   mean(g) = sumG[c]/m,  mean(g·x̂) = sumGXHat[c]/m
 *
 * with m = outer·inner and γ_c = 1 when `gamma` is null.
 */
function batchNormInputGrad(
  g: Float64Array, xHat: Float64Array, { outer, C, inner }: Channels, gamma: Float64Array | null,
  invStd: Float64Array, sumG: Float64Array, sumGXHat: Float64Array, dx: Float64Array,
): void {
  const m = outer * inner;
  for (let o = 0, p = 0; o < outer; o++) {
    for (let c = 0; c < C; c++) {
      const s = (gamma === null ? 1 : gamma[c]) * invStd[c];
      const meanG = sumG[c] / m, meanGXHat = sumGXHat[c] / m;
      for (let i = 0; i < inner; i++, p++) dx[p] = s * (g[p] - meanG - xHat[p] * meanGXHat);
    }
  }
}

/** Evaluation mode (fixed statistics), for every entry of channel c:  dx = (γ_c/σ_c)·g  (γ_c = 1 when `gamma` is null). */
function scaleChannels(g: Float64Array, { outer, C, inner }: Channels, gamma: Float64Array | null, invStd: Float64Array, dx: Float64Array): void {
  for (let o = 0, p = 0; o < outer; o++) {
    for (let c = 0; c < C; c++) {
      const s = (gamma === null ? 1 : gamma[c]) * invStd[c];
      for (let i = 0; i < inner; i++, p++) dx[p] = s * g[p];
    }
  }
}
// exercise ▲
