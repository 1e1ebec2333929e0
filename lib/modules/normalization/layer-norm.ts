import { MinidlError, checkArgumentCount, checkPositive, describeValue, formatShape } from '../../errors';
import { OptionSpec, aBoolean, aNumber, readOptions } from '../../options';
import { configBoolean, configNumber, configNumbers } from '../../serialization/config-values';
import { registerModule } from '../../serialization/module-registry';
import { Tensor } from '../../tensor/tensor';
import { Module } from '../module';
import { Parameter } from '../parameter';

/** Options of `LayerNorm` (PyTorch's defaults). */
export interface LayerNormOptions {
  /** Added to the variance before the square root: σ = √(var + eps) (default 1e-5). */
  eps?: number;
  /** Learn a scale γ (`weight`, and a shift β, `bias`) of shape normalizedShape (default true). */
  elementwiseAffine?: boolean;
  /** Learn the shift β too (default true; with `elementwiseAffine: false` there is none, and `bias: true` is refused). */
  bias?: boolean;
}

/** The defaults, written once. */
export const LAYER_NORM_DEFAULTS = { eps: 1e-5, elementwiseAffine: true, bias: true } as const;

/**
 * Layer normalisation (Ba, Kiros & Hinton, 2016): each sample is normalised over its last
 * D = normalizedShape.length axes, on its own (no batch statistics, no running averages, the
 * same in training and evaluation mode):
 *
 *   x̂ = (x − μ) / σ,      σ = √(var + eps),      y = γ ⊙ x̂ + β
 *
 * where μ and var are the mean and the **biased** variance (divide by K) of the K entries of
 * one row, K = the product of normalizedShape. (PyTorch's rules, eps placement included.)
 *
 * Shapes: X [*, ...normalizedShape] → Y of the same shape;  γ, β [...normalizedShape]
 *         (e.g. new LayerNorm(16) on [N, T, 16]: μ and σ per (n, t))
 * Init:   γ (`weight`) = 1, β (`bias`) = 0
 *
 * ## Backward, given g = ∂L/∂y
 *
 *   ∂L/∂γ += Σ_rows g ⊙ x̂          ∂L/∂β += Σ_rows g          (sums over every row, per feature)
 *
 * For the input, write ĝ = ∂L/∂x̂ = g ⊙ γ. Within one row, μ and σ depend on all K entries;
 * following x → (μ, var) → x̂ backwards, as for BatchNorm (batch-norm.ts) but over the row:
 *
 *   ∂L/∂var = −(1/(2σ²)) Σ_k ĝ_k·x̂_k          ∂L/∂μ = −(1/σ) Σ_k ĝ_k
 *   ∂L/∂x_k = ĝ_k/σ + ∂L/∂var·2(x_k − μ)/K + ∂L/∂μ/K
 *           = (1/σ)·(ĝ_k − mean(ĝ) − x̂_k·mean(ĝ ⊙ x̂))                  (means over the row)
 *
 * Unlike BatchNorm, γ varies inside the row, so it stays inside the means (ĝ = g ⊙ γ).
 *
 * Errors: a normalizedShape that is not a whole number ≥ 1 or a non-empty list of them, eps not
 * a finite number > 0, `bias: true` with `elementwiseAffine: false`, unknown or mistyped options, and an
 * input whose last axes are not normalizedShape all throw a MinidlError before anything is set.
 *
 * ```ts
 * const norm = new LayerNorm(16);                      // normalise the last axis, of size 16
 * const y = norm.forward(x);                           // x [N, T, 16] → y [N, T, 16]
 * ```
 */
export class LayerNorm extends Module {
  /** The sizes of the last axes normalised over (frozen); a number given to the constructor becomes [n]. */
  readonly normalizedShape: readonly number[];
  /** ε, added to the variance under the square root. */
  readonly eps: number;
  /** Whether the layer learns γ (and β). */
  readonly elementwiseAffine: boolean;
  /** γ [...normalizedShape], or null when built with `elementwiseAffine: false`. */
  readonly weight: Parameter | null;
  /** β [...normalizedShape], or null when built with `elementwiseAffine: false` or `bias: false`. */
  readonly bias: Parameter | null;
  private xHat: Tensor | null = null;
  private invStd: Float64Array | null = null;

  constructor(normalizedShape: number | readonly number[], options: LayerNormOptions = {}) {
    super();
    checkArgumentCount('LayerNorm', arguments.length, ['normalizedShape', 'options']);
    this.normalizedShape = Object.freeze(readNormalizedShape(normalizedShape));
    const who = `LayerNorm(${formatShape(this.normalizedShape)})`;
    const o = readOptions(who, options, LAYER_NORM_OPTIONS, { positional: 'eps' });
    this.eps = checkPositive(who, 'eps', o.eps ?? LAYER_NORM_DEFAULTS.eps);
    this.elementwiseAffine = o.elementwiseAffine ?? LAYER_NORM_DEFAULTS.elementwiseAffine;
    if (!this.elementwiseAffine && o.bias === true) {
      throw new MinidlError(`${who}: bias: true has no effect with elementwiseAffine: false (there is no affine transform, so no shift); leave it out`);
    }
    const bias = o.bias ?? LAYER_NORM_DEFAULTS.bias;
    this.weight = this.elementwiseAffine ? new Parameter(Tensor.ones(this.normalizedShape), 'weight') : null;
    this.bias = this.elementwiseAffine && bias ? new Parameter(Tensor.zeros(this.normalizedShape), 'bias') : null;
  }

  /** K: the number of entries normalised together (the product of normalizedShape). */
  get rowSize(): number {
    return this.normalizedShape.reduce((a, b) => a * b, 1);
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    const D = this.normalizedShape.length;
    const last = input.shape.slice(input.rank - D);
    if (input.rank < D || !last.every((n, i) => n === this.normalizedShape[i])) {
      this.fail('forward', `input has shape ${formatShape(input.shape)}, expected [*,${this.normalizedShape.join(',')}] (its last ${D} ax${D === 1 ? 'is' : 'es'} must be normalizedShape)`);
    }
    const K = this.rowSize;
    const rows = input.size / K;
    const invStd = new Float64Array(rows);
    const xHat = new Tensor(input.shape);
    const output = new Tensor(input.shape);
    normalizeRows(input.data, K, this.eps, invStd, xHat.data); //                     x̂ = (x − μ)/σ,  σ = √(var + eps)  (per row)
    scaleAndShiftRows(xHat.data, K, this.weight && this.weight.value.data, this.bias && this.bias.value.data, output.data); // y = γ ⊙ x̂ + β
    this.xHat = xHat;
    this.invStd = invStd;
    return this.rememberOutput(output);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const g = gradOut.data;
    const xHat = (this.xHat as Tensor).data;
    const K = this.rowSize;
    if (this.weight) addColumnSums(g, xHat, K, this.weight.grad.data); //      ∂L/∂γ += Σ_rows g ⊙ x̂
    if (this.bias) addColumnSums(g, null, K, this.bias.grad.data); //          ∂L/∂β += Σ_rows g
    const gradInput = new Tensor(gradOut.shape);
    layerNormInputGrad(g, xHat, K, this.weight && this.weight.value.data, this.invStd as Float64Array, gradInput.data); // ∂L/∂x = (1/σ)·(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂)),  ĝ = g ⊙ γ
    return gradInput;
  }

  override params(): Parameter[] {
    const list: Parameter[] = [];
    if (this.weight) list.push(this.weight);
    if (this.bias) list.push(this.bias);
    return list;
  }

  toString(): string {
    const extra: string[] = [];
    if (this.eps !== LAYER_NORM_DEFAULTS.eps) extra.push(`eps=${this.eps}`);
    if (!this.elementwiseAffine) extra.push('elementwiseAffine=false');
    else if (this.bias === null) extra.push('bias=false');
    return `LayerNorm(${[formatShape(this.normalizedShape), ...extra].join(', ')})`;
  }

  /** The shape and the options: `{ normalizedShape, eps, elementwiseAffine, bias }`. */
  override config(): Record<string, unknown> {
    return { normalizedShape: this.normalizedShape.slice(), eps: this.eps, elementwiseAffine: this.elementwiseAffine, bias: this.bias !== null };
  }

  /** A LayerNorm from `config()`'s values. */
  static fromConfig(config: Record<string, unknown>): LayerNorm {
    const elementwiseAffine = configBoolean(config, 'elementwiseAffine');
    const bias = configBoolean(config, 'bias');
    return new LayerNorm(configNumbers(config, 'normalizedShape'), { eps: configNumber(config, 'eps'), elementwiseAffine, bias });
  }
}
registerModule(LayerNorm, 'LayerNorm');

/** The options LayerNorm reads (ranges are checked by the constructor). */
const LAYER_NORM_OPTIONS: OptionSpec<LayerNormOptions> = { eps: aNumber, elementwiseAffine: aBoolean, bias: aBoolean };

/** A whole number n ≥ 1 as [n], or a non-empty list of them as a copy; anything else is refused. */
function readNormalizedShape(value: unknown): number[] {
  const sizes = typeof value === 'number' ? [value] : value;
  const ok = Array.isArray(sizes) && sizes.length > 0 && sizes.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 1);
  if (!ok) {
    throw new MinidlError(`LayerNorm: normalizedShape must be a whole number ≥ 1 or a non-empty list of them (the sizes of the last axes), such as 16 or [4, 4], got ${describeValue(value)}`);
  }
  return (sizes as number[]).slice();
}

// ## The loops: the data seen as rows of K consecutive entries, one row per normalised group

/**
 * Per row r (entries r·K … r·K + K − 1):  μ = Σx/K,  var = Σ(x − μ)²/K  (biased),
 * invStd[r] = 1/√(var + eps),  x̂ = (x − μ)·invStd[r].  Two passes, as BatchNorm's channelMoments.
 */
function normalizeRows(x: Float64Array, K: number, eps: number, invStd: Float64Array, xHat: Float64Array): void {
  for (let r = 0; r < invStd.length; r++) {
    const start = r * K;
    let sum = 0;
    for (let k = 0; k < K; k++) sum += x[start + k];
    const mean = sum / K;
    let sq = 0;
    for (let k = 0; k < K; k++) {
      const d = x[start + k] - mean;
      sq += d * d;
    }
    const s = 1 / Math.sqrt(sq / K + eps);
    invStd[r] = s;
    for (let k = 0; k < K; k++) xHat[start + k] = (x[start + k] - mean) * s;
  }
}

/** y = γ[k]·x̂ + β[k] for entry k of every row; γ = 1 and β = 0 when null. */
function scaleAndShiftRows(xHat: Float64Array, K: number, gamma: Float64Array | null, beta: Float64Array | null, y: Float64Array): void {
  for (let p = 0; p < xHat.length; p++) {
    const k = p % K;
    y[p] = (gamma === null ? 1 : gamma[k]) * xHat[p] + (beta === null ? 0 : beta[k]);
  }
}

/** target[k] += Σ_rows g·x̂ at k (or Σ_rows g when `xHat` is null). */
function addColumnSums(g: Float64Array, xHat: Float64Array | null, K: number, target: Float64Array): void {
  for (let p = 0; p < g.length; p++) target[p % K] += xHat === null ? g[p] : g[p] * xHat[p];
}

/**
 * Per row, with ĝ = g ⊙ γ (γ = 1 when null):
 *
 *   dx = invStd·(ĝ − mean(ĝ) − x̂·mean(ĝ ⊙ x̂))      (means over the K entries of the row)
 */
function layerNormInputGrad(g: Float64Array, xHat: Float64Array, K: number, gamma: Float64Array | null, invStd: Float64Array, dx: Float64Array): void {
  for (let r = 0; r < invStd.length; r++) {
    const start = r * K;
    let sumG = 0, sumGXHat = 0;
    for (let k = 0; k < K; k++) {
      const gh = g[start + k] * (gamma === null ? 1 : gamma[k]);
      sumG += gh;
      sumGXHat += gh * xHat[start + k];
    }
    const meanG = sumG / K, meanGXHat = sumGXHat / K, s = invStd[r];
    for (let k = 0; k < K; k++) {
      const gh = g[start + k] * (gamma === null ? 1 : gamma[k]);
      dx[start + k] = s * (gh - meanG - xHat[start + k] * meanGXHat);
    }
  }
}
