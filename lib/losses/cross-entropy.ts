import { MinidlError, checkArgumentCount } from '../errors';
import { aNumber, anInteger, oneOf, readOptions } from '../options';
import { Tensor } from '../tensor/tensor';
import {
  CLASS_WEIGHTS, ClassLayout, IGNORED, classRows, formatWeights, fromClassRows, readClassIndices, readClassLayout,
  readClassWeights, weightsFor,
} from './class-targets';
import { Loss, Reduction } from './loss';

/** Options of `CrossEntropyLoss`; every default is PyTorch's, except `ignoreIndex` (see there). */
export interface CrossEntropyLossOptions {
  /** `'mean'` (the default) divides by the summed weights of the counted targets (see the class doc); `'sum'` does not divide. */
  reduction?: Reduction;
  /** One weight w_c ≥ 0 per class, a Tensor [C] or an array (copied); default: every weight 1. */
  weight?: Tensor | ArrayLike<number>;
  /**
   * Class-index targets equal to this whole number are left out of the loss, of the mean's
   * divisor and of the gradient (e.g. the padding of sequences). Default: none. PyTorch's default
   * is -100, which ignores targets of -100 silently; minidl refuses them unless asked.
   */
  ignoreIndex?: number;
  /** ε in [0, 1]: each target is mixed with the uniform distribution, (1 − ε)·target + ε/C. Default 0. */
  labelSmoothing?: number;
}

/**
 * Cross-entropy from logits (softmax + negative log-likelihood in one, numerically stable),
 * PyTorch's `CrossEntropyLoss` with its options `weight`, `ignore_index` and `label_smoothing`.
 *
 * For logits x [N, C] and class indices t (N of them, each in 0..C-1):
 *   log pᵢ = xᵢ − m − log Σ_c exp(x_{i,c} − m)      with m = max_c x_{i,c}   (log-softmax)
 *   L = −(1/N) Σᵢ log pᵢ[tᵢ]
 * Subtracting the row maximum m changes nothing mathematically but keeps exp from overflowing.
 *
 * With class weights w (default all 1), an ignored set I (targets equal to `ignoreIndex`) and
 * label smoothing ε (default 0), as PyTorch's cross_entropy_loss_label_smoothing computes it:
 *   ℓᵢ = (1 − ε)·(−w_{tᵢ}·log pᵢ[tᵢ]) + (ε/C)·(−Σ_c w_c·log p_{i,c})     for i ∉ I   (0 for i ∈ I)
 *   L  = Σᵢ ℓᵢ / W   with W = Σ_{i ∉ I} w_{tᵢ}  ('mean': the weights of the counted targets, their
 *                                                count without weights);   L = Σᵢ ℓᵢ  ('sum')
 * (The smoothing term sums over every class, the ignored class's weight included, as PyTorch's.)
 * A 'mean' over no counted target (every target ignored, or all their weights 0) is refused
 * with a MinidlError: PyTorch returns NaN.
 *
 * Targets can also be class probabilities y [N, C] (e.g. one-hot rows), smoothed to
 * y' = (1 − ε)·y + ε/C when ε > 0 (cross_entropy_loss_prob_target):
 *   L = −(1/N) Σᵢ Σ_c w_c · y'_{i,c} · log p_{i,c}
 * Here the mean divides by N whatever the weights (PyTorch's rule for probability targets).
 * `ignoreIndex` does not apply to them and is refused (PyTorch refuses an ignore_index ≥ 0).
 *
 * Backward, with p = softmax(x) and s = 1/W for 'mean' (1/N for probabilities), 1 for 'sum':
 *   ∂L/∂x_{i,c} = s · [(1 − ε)·w_{tᵢ}·(p_{i,c} − 1[c = tᵢ]) + (ε/C)·(p_{i,c}·Σ_k w_k − w_c)]   (indices; 0 for i ∈ I)
 *   ∂L/∂x_{i,c} = s · (p_{i,c} · Σ_k w_k·y'_{i,k} − w_c·y'_{i,c})                              (probabilities)
 * With no weights and ε = 0 these are (1/N)·(p − 1[c = t]) and (1/N)·(p·Σ_k y_k − y).
 *
 * Layouts (lib/losses/class-targets.ts): logits [N, C] with targets [N] (a Tensor, or a plain
 * array / Int32Array of indices) or probabilities [N, C]; or PyTorch's [N, C, d₁, …] (classes on
 * axis 1) with index targets, a Tensor [N, d₁, …], each position counted as one sample. A
 * sequence model's [N, T, C] (classes last) is given as rows: `loss.forward(logits.reshape([N*T,
 * C]), targets.reshape([N*T]))`, then `loss.backward().reshape([N, T, C])`. Shapes that can be
 * read both ways ([N, T, C] with T = C and targets [N, T]; probabilities of rank ≥ 3) are refused.
 *
 * Errors (MinidlError): options other than `{ reduction, weight, ignoreIndex, labelSmoothing }`,
 * a weight that is not finite and ≥ 0, an ignoreIndex that is not a whole number, a
 * labelSmoothing outside [0, 1]; at forward, a weight list whose length is not C, a target of
 * another shape or kind (with the expected layout), a label column [N, 1], an index that is a
 * string, NaN, negative, not whole or ≥ C (and not the ignoreIndex), a count that is not N,
 * non-finite probabilities, ignoreIndex with probability targets, a mean over no target.
 */
export class CrossEntropyLoss extends Loss {
  readonly reduction: Reduction;
  /** The class weights (a copy), or null for all 1. */
  readonly weight: Float64Array | null;
  /** The class index whose targets are ignored, or null for none. */
  readonly ignoreIndex: number | null;
  /** ε, the label smoothing. */
  readonly labelSmoothing: number;
  private logProbs: Tensor | null = null;
  private indices: Int32Array | null = null;
  private probs: Tensor | null = null;
  /** The weights of the last forward (all 1 without `weight`), its mean's divisor and pred's layout. */
  private classWeights: Float64Array | null = null;
  private divisor = 1;
  private layout: ClassLayout | null = null;

  constructor(options: CrossEntropyLossOptions = {}) {
    super();
    checkArgumentCount('CrossEntropyLoss', arguments.length, ['options']);
    const o = readOptions<CrossEntropyLossOptions>('CrossEntropyLoss', options, {
      reduction: oneOf('mean', 'sum'), weight: CLASS_WEIGHTS, ignoreIndex: anInteger, labelSmoothing: aNumber,
    }, { positional: 'reduction' });
    const eps = o.labelSmoothing ?? 0;
    if (!(eps >= 0 && eps <= 1)) throw new MinidlError(`CrossEntropyLoss: labelSmoothing must be a number in [0, 1], got ${eps}`);
    this.weight = readClassWeights('CrossEntropyLoss', o.weight);
    this.reduction = o.reduction ?? 'mean';
    this.ignoreIndex = o.ignoreIndex ?? null;
    this.labelSmoothing = eps;
  }

  forward(pred: Tensor, target: Tensor | ArrayLike<number>): number {
    this.checkPred(pred);
    const who = `${this}.forward`;
    const { layout, kind } = readClassLayout(who, pred, target, 'logits', true);
    const logProbs = logSoftmaxRows(classRows(pred, layout));
    const lp = logProbs.data;
    const [n, c] = logProbs.shape; // n rows: one per position
    const w = weightsFor(who, this.weight, c);
    const eps = this.labelSmoothing;
    let sum = 0;
    let divisor = n;
    if (kind === 'probabilities') {
      const probs = target as Tensor;
      this.checkSameShapeTarget(pred, probs);
      if (this.ignoreIndex !== null) {
        this.fail('forward', `ignoreIndex (${this.ignoreIndex}) applies to class-index targets, not to probabilities (PyTorch refuses an ignore_index ≥ 0 with them); make the loss without it`);
      }
      const y = probs.data;
      // exercise CrossEntropyLoss.forward ▼
      for (let i = 0; i < n * c; i++) {
        const smoothed = eps > 0 ? (1 - eps) * y[i] + eps / c : y[i]; // y' = (1 − ε)·y + ε/C
        sum -= w[i % c] * smoothed * lp[i]; //                               L = −Σ w_c·y'·log p, ÷ N for the mean
      }
      this.probs = probs;
      this.indices = null;
      // exercise ▲
    } else {
      const indices = readClassIndices(who, target, layout, this.ignoreIndex);
      // exercise CrossEntropyLoss.forward ▼
      let nll = 0, smooth = 0;
      divisor = 0;
      for (let i = 0; i < n; i++) {
        const t = indices[i];
        if (t === IGNORED) continue; //                                    ignored targets count nowhere
        nll -= w[t] * lp[i * c + t]; //                                    −w_t·log p_t
        divisor += w[t]; //                                                W = Σ w_t over the counted targets
        if (eps > 0) for (let j = 0; j < c; j++) smooth -= w[j] * lp[i * c + j]; // −Σ_c w_c·log p_c
      }
      sum = eps > 0 ? (1 - eps) * nll + (eps / c) * smooth : nll; //     L = [(1 − ε)·nll + (ε/C)·smooth] / W
      this.indices = indices;
      this.probs = null;
      // exercise ▲
    }
    if (divisor === 0 && this.reduction === 'mean') this.fail('forward', this.emptyMean());
    this.logProbs = logProbs;
    this.classWeights = w;
    this.divisor = divisor;
    this.layout = layout;
    return this.reduce(sum, divisor);
  }

  backward(): Tensor {
    this.checkBackward();
    const logProbs = this.logProbs as Tensor;
    const [n, c] = logProbs.shape;
    const w = this.classWeights as Float64Array;
    const eps = this.labelSmoothing;
    const grad = new Tensor(logProbs.shape);
    // exercise CrossEntropyLoss.backward ▼
    const scale = this.reduction === 'mean' ? 1 / this.divisor : 1;
    const lp = logProbs.data;
    const g = grad.data;
    let weightSum = 0; //                                                    Σ_k w_k
    for (let k = 0; k < c; k++) weightSum += w[k];
    for (let i = 0; i < n; i++) {
      const row = i * c;
      if (this.indices !== null) {
        const t = this.indices[i];
        if (t === IGNORED) continue; //                                    no gradient for an ignored target
        for (let j = 0; j < c; j++) {
          const p = Math.exp(lp[row + j]);
          let d = (1 - eps) * w[t] * (p - (j === t ? 1 : 0)); //           (1 − ε)·w_t·(p_j − 1[j = t])
          if (eps > 0) d += (eps / c) * (p * weightSum - w[j]); //          + (ε/C)·(p_j·Σ_k w_k − w_j)
          g[row + j] = scale * d;
        }
      } else {
        const y = (this.probs as Tensor).data;
        let total = 0; //                                                    Σ_k w_k·y'_k
        for (let j = 0; j < c; j++) total += w[j] * (eps > 0 ? (1 - eps) * y[row + j] + eps / c : y[row + j]);
        for (let j = 0; j < c; j++) {
          const smoothed = eps > 0 ? (1 - eps) * y[row + j] + eps / c : y[row + j];
          g[row + j] = scale * (Math.exp(lp[row + j]) * total - w[j] * smoothed); // p_j·Σ_k w_k·y'_k − w_j·y'_j
        }
      }
    }
    // exercise ▲
    return fromClassRows(grad, this.layout as ClassLayout);
  }

  /**
   * The weight of the last forward's mean among batches: its divisor (the number of counted
   * targets, or their summed class weights), so that the means of batches combine into PyTorch's
   * mean over the whole set.
   */
  override meanWeight(): number {
    return this.lastCount;
  }

  toString(): string {
    const parts: string[] = [];
    if (this.reduction === 'sum') parts.push("reduction='sum'");
    if (this.weight !== null) parts.push(formatWeights(this.weight));
    if (this.ignoreIndex !== null) parts.push(`ignoreIndex=${this.ignoreIndex}`);
    if (this.labelSmoothing !== 0) parts.push(`labelSmoothing=${this.labelSmoothing}`);
    return parts.length === 0 ? 'CrossEntropyLoss' : `CrossEntropyLoss(${parts.join(', ')})`;
  }

  /** Why a mean over the last targets is refused: every one ignored, or their weights summing to 0. */
  private emptyMean(): string {
    const indices = this.indices as Int32Array;
    if (indices.every((t) => t === IGNORED)) {
      return `every target equals the ignoreIndex ${this.ignoreIndex}: a mean over no targets is undefined (PyTorch returns NaN); use { reduction: 'sum' }, or leave such batches out`;
    }
    return 'the class weights of the counted targets sum to 0: their weighted mean is undefined (PyTorch returns NaN); use { reduction: \'sum\' }, or give those classes a weight > 0';
  }
}

/** Row-wise log-softmax of x [N, C]: xᵢ − mᵢ − log Σ_c exp(x_{i,c} − mᵢ). */
export function logSoftmaxRows(x: Tensor): Tensor {
  const [n, c] = x.shape;
  const out = new Tensor(x.shape);
  const xs = x.data, o = out.data;
  // exercise logSoftmaxRows ▼
  for (let i = 0; i < n; i++) {
    const row = i * c;
    let max = -Infinity;
    for (let j = 0; j < c; j++) if (xs[row + j] > max) max = xs[row + j];
    let sumExp = 0;
    for (let j = 0; j < c; j++) sumExp += Math.exp(xs[row + j] - max);
    const logSum = Math.log(sumExp);
    for (let j = 0; j < c; j++) o[row + j] = xs[row + j] - max - logSum;
  }
  // exercise ▲
  return out;
}
