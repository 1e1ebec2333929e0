import { describeValue, formatShape } from '../errors';
import { describe } from '../modules/module';
import { Tensor } from '../tensor/tensor';
import { Loss, Reduction, ReductionOptions, readReduction } from './loss';

/**
 * Cross-entropy from logits (softmax + negative log-likelihood in one, numerically stable).
 *
 * For logits x [N, C] and class indices t (N of them, each in 0..C-1):
 *   log pᵢ = xᵢ − m − log Σ_c exp(x_{i,c} − m)      with m = max_c x_{i,c}   (log-softmax)
 *   L = −(1/N) Σᵢ log pᵢ[tᵢ]
 * Subtracting the row maximum m changes nothing mathematically but keeps exp from overflowing.
 *
 * Targets can also be class probabilities y [N, C] (e.g. one-hot rows):
 *   L = −(1/N) Σᵢ Σ_c y_{i,c} · log p_{i,c}
 *
 * Backward, with p = softmax(x):
 *   ∂L/∂x_{i,c} = (1/N) · (p_{i,c} − 1[c = tᵢ])            (class indices)
 *   ∂L/∂x_{i,c} = (1/N) · (p_{i,c} · Σ_k y_{i,k} − y_{i,c})   (probabilities)
 *
 * `target` may be a Tensor of shape [N] (indices), a Tensor of shape [N, C] (probabilities),
 * or a plain array / Int32Array of indices. Anything else throws a MinidlError saying which of
 * these was expected: a label column [N, 1], an index that is a string, NaN, negative, not whole
 * or ≥ C, a count that is not N, non-finite probabilities.
 */
export class CrossEntropyLoss extends Loss {
  readonly reduction: Reduction;
  private logProbs: Tensor | null = null;
  private indices: Int32Array | null = null;
  private probs: Tensor | null = null;

  constructor(options: ReductionOptions = {}) {
    super();
    this.reduction = readReduction('CrossEntropyLoss', options, arguments.length);
  }

  forward(pred: Tensor, target: Tensor | ArrayLike<number>): number {
    this.checkPred(pred);
    if (pred.rank !== 2) this.fail('forward', `pred must be logits of shape [N,C], got ${formatShape(pred.shape)}`);
    const [n, c] = pred.shape;
    const logProbs = logSoftmaxRows(pred);
    const lp = logProbs.data;
    let sum = 0;
    if (target instanceof Tensor && target.rank === 2) {
      if (!target.hasShape(pred.shape)) this.wrongTargetShape(target, n, c);
      this.checkSameShapeTarget(pred, target);
      const y = target.data;
      // exercise CrossEntropyLoss.forward ▼
      for (let i = 0; i < n * c; i++) sum -= y[i] * lp[i];
      this.probs = target;
      this.indices = null;
      // exercise ▲
    } else {
      const indices = this.classIndices(target, n, c);
      // exercise CrossEntropyLoss.forward ▼
      for (let i = 0; i < n; i++) sum -= lp[i * c + indices[i]];
      this.indices = indices;
      this.probs = null;
      // exercise ▲
    }
    this.logProbs = logProbs;
    return this.reduce(sum, n);
  }

  backward(): Tensor {
    this.checkBackward();
    const logProbs = this.logProbs as Tensor;
    const [n, c] = logProbs.shape;
    // exercise CrossEntropyLoss.backward ▼
    const w = this.reduction === 'mean' ? 1 / n : 1;
    const lp = logProbs.data;
    const grad = new Tensor(logProbs.shape);
    const g = grad.data;
    for (let i = 0; i < n; i++) {
      const row = i * c;
      if (this.indices !== null) {
        for (let j = 0; j < c; j++) g[row + j] = Math.exp(lp[row + j]) * w;
        g[row + this.indices[i]] -= w;
      } else {
        const y = (this.probs as Tensor).data;
        let total = 0;
        for (let j = 0; j < c; j++) total += y[row + j];
        for (let j = 0; j < c; j++) g[row + j] = Math.exp(lp[row + j]) * total * w - y[row + j] * w;
      }
    }
    return grad;
    // exercise ▲
  }

  toString(): string {
    return this.reduction === 'mean' ? 'CrossEntropyLoss' : "CrossEntropyLoss(reduction='sum')";
  }

  /** Refuses a target Tensor that is neither [N] nor [N, C], saying which shapes are taken (and how to fix a label column [N, 1]). */
  private wrongTargetShape(target: Tensor, n: number, c: number): never {
    const column = target.rank === 2 && target.shape[0] === n && target.shape[1] === 1
      ? ` (a column of labels: give the class indices as a Tensor of shape [${n}], e.g. labels.reshape([${n}]), or as an array)`
      : '';
    this.fail('forward', `target must be class indices of shape [${n}] or probabilities (such as one-hot rows) of shape [${n},${c}], got ${formatShape(target.shape)}${column}`);
  }

  /** Reads class indices from a Tensor [N] or an array, checking they are integers in 0..C-1. */
  private classIndices(target: Tensor | ArrayLike<number>, n: number, c: number): Int32Array {
    let values: ArrayLike<unknown>;
    if (target instanceof Tensor) {
      if (target.rank !== 1) this.wrongTargetShape(target, n, c);
      if (!target.readable) this.fail('forward', `target ${target} was a temporary of a step that has ended; its values can no longer be read`);
      values = target.data;
    } else if (Array.isArray(target) || (ArrayBuffer.isView(target) && !(target instanceof DataView))) {
      values = target as ArrayLike<unknown>;
    } else {
      this.fail('forward', `target must be a Tensor or an array of class indices, got ${describe(target)}`);
    }
    if (values.length !== n) {
      this.fail('forward', `target has ${values.length} class indices but pred has ${n} rows`);
    }
    const indices = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const t = values[i];
      if (typeof t !== 'number') {
        const hint = Array.isArray(t) ? ' (for one-hot or probability rows, give a Tensor of shape [N,C]: Tensor.from(rows))' : '';
        this.fail('forward', `target[${i}] is ${describeValue(t)}, expected a class index: a whole number in 0..${c - 1}${hint}`);
      }
      if (!Number.isInteger(t) || t < 0 || t >= c) {
        this.fail('forward', `target[${i}] = ${t} is not a class index in 0..${c - 1}`);
      }
      indices[i] = t;
    }
    return indices;
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
