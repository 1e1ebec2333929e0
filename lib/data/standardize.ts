import { MinidlError, formatShape } from '../errors';
import { Tensor } from '../tensor/tensor';

/** Per-feature statistics used to standardize inputs. */
/** What `standardize(train)` returns. */
export interface StandardizedTrain {
  /** The training inputs, standardized with their own statistics. */
  train: Tensor;
  /** The training set's per-feature mean and standard deviation. */
  stats: FeatureStats;
}

/** What `standardize(train, test)` returns. */
export interface StandardizedSplit extends StandardizedTrain {
  /** The test inputs, standardized with the *training* statistics. */
  test: Tensor;
}

/** Per-feature statistics of a training set, as `featureStats` computes them. */
export interface FeatureStats {
  /** Mean of each feature over the training set, [1, features]. */
  mean: Tensor;
  /** Standard deviation of each feature over the training set, [1, features]. */
  std: Tensor;
}

/**
 * Per-feature mean and standard deviation of x [n, features]. The standard deviation is the
 * unbiased one (divides by n − 1), as PyTorch's `x.std(0)`.
 */
export function featureStats(x: Tensor): FeatureStats {
  if (x.rank !== 2) throw new MinidlError(`featureStats: x must be [n, features], got ${formatShape(x.shape)}`);
  const [n, f] = x.shape;
  if (n < 2) throw new MinidlError(`featureStats: need at least 2 samples to estimate a standard deviation, got ${n}`);
  const mean = new Tensor([1, f]);
  const std = new Tensor([1, f]);
  for (let j = 0; j < f; j++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += x.data[i * f + j];
    const mu = sum / n;
    let sq = 0;
    for (let i = 0; i < n; i++) sq += (x.data[i * f + j] - mu) ** 2;
    mean.data[j] = mu;
    std.data[j] = Math.sqrt(sq / (n - 1));
  }
  return { mean, std };
}

/** (x − mean) / std for each feature, with statistics from `featureStats`. Returns a new tensor. */
export function applyStandardization(x: Tensor, stats: FeatureStats): Tensor {
  const f = stats.mean.size;
  if (x.rank !== 2 || x.shape[1] !== f) {
    throw new MinidlError(`applyStandardization: x has shape ${formatShape(x.shape)}, expected [n,${f}]`);
  }
  const out = new Tensor(x.shape);
  for (let j = 0; j < f; j++) {
    const s = stats.std.data[j];
    if (!(s > 0)) throw new MinidlError(`applyStandardization: feature ${j} has standard deviation ${s}; it is constant and cannot be standardized`);
  }
  for (let i = 0; i < x.data.length; i++) {
    const j = i % f;
    out.data[i] = (x.data[i] - stats.mean.data[j]) / stats.std.data[j];
  }
  return out;
}

/**
 * Standardizes a training set and, with the *training set's* statistics, a test set (the test
 * set must not leak into the statistics):
 *   x̃ = (x − μ_train) / σ_train
 *
 * ```ts
 * const { train, test, stats } = standardize(trainInputs, testInputs);
 * ```
 */
export function standardize(train: Tensor): StandardizedTrain;
export function standardize(train: Tensor, test: Tensor): StandardizedSplit;
export function standardize(train: Tensor, test?: Tensor): StandardizedTrain & { test?: Tensor } {
  const stats = featureStats(train);
  const result: StandardizedTrain & { test?: Tensor } = { train: applyStandardization(train, stats), stats };
  if (test !== undefined) result.test = applyStandardization(test, stats);
  return result;
}
