import { MinidlError, describeValue, formatShape } from '../errors';
import { Tensor } from '../tensor/tensor';

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
 * Throws unless `x` is a 2-D Tensor [n, features] of finite numbers (`name` is what the caller
 * calls it). A NaN or ±Infinity is named by row and column: every statistic computed from it
 * would be NaN, and the message would otherwise blame the wrong thing.
 */
function checkData(who: string, name: string, x: unknown): asserts x is Tensor {
  if (!(x instanceof Tensor)) throw new MinidlError(`${who}: ${name} must be a Tensor [n, features], got ${describeValue(x)}`);
  if (x.rank !== 2) throw new MinidlError(`${who}: ${name} must be [n, features], got ${formatShape(x.shape)}`);
  const bad = x.firstNonFinite();
  if (bad >= 0) {
    const f = x.shape[1];
    throw new MinidlError(`${who}: ${name} holds ${x.data[bad]} at row ${Math.floor(bad / f)}, column ${bad % f}; every value must be a finite number`);
  }
}

/** Throws unless `stats` is { mean, std } as featureStats returns them: two [1, features] Tensors, std > 0 for every feature. */
function checkStats(who: string, stats: unknown): asserts stats is FeatureStats {
  const s = stats as Partial<FeatureStats> | null;
  if (typeof stats !== 'object' || s === null || !(s.mean instanceof Tensor) || !(s.std instanceof Tensor)) {
    throw new MinidlError(`${who}: stats must be { mean, std } as featureStats returns them, got ${describeValue(stats)}`);
  }
  if (s.mean.size !== s.std.size) {
    throw new MinidlError(`${who}: stats.mean has shape ${formatShape(s.mean.shape)} but stats.std has ${formatShape(s.std.shape)}; they must describe the same features`);
  }
}

/**
 * Per-feature mean and standard deviation of x [n, features]. The standard deviation is the
 * unbiased one (divides by n − 1), as PyTorch's `x.std(0)`. Throws a MinidlError when x is not
 * a Tensor [n, features] with n ≥ 2, or holds NaN or ±Infinity (named by row and column).
 */
export function featureStats(x: Tensor): FeatureStats {
  checkData('featureStats', 'x', x);
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

/**
 * (x − mean) / std for each feature, with statistics from `featureStats`. Returns a new tensor.
 * Throws a MinidlError when x is not a finite Tensor [n, features] with the statistics' number of
 * features, or a feature has a standard deviation that is not > 0 (a constant feature).
 */
export function applyStandardization(x: Tensor, stats: FeatureStats): Tensor {
  return standardizeWith('applyStandardization', 'x', x, stats);
}

/** `applyStandardization`, naming `who` and the tensor's `name` in messages. */
function standardizeWith(who: string, name: string, x: Tensor, stats: FeatureStats): Tensor {
  checkStats(who, stats);
  const f = stats.mean.size;
  if (!(x instanceof Tensor) || x.rank !== 2 || x.shape[1] !== f) {
    throw new MinidlError(`${who}: ${name} has ${x instanceof Tensor ? `shape ${formatShape(x.shape)}` : `no shape: it is ${describeValue(x)}`}, expected [n,${f}]`);
  }
  checkData(who, name, x);
  for (let j = 0; j < f; j++) {
    const s = stats.std.data[j];
    if (!(s > 0) || !Number.isFinite(s)) throw new MinidlError(`${who}: feature ${j} has standard deviation ${s}; it is constant and cannot be standardized`);
  }
  const out = new Tensor(x.shape);
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
 * Both are checked first (Tensors [n, features] of finite numbers, the same features): a NaN is
 * named by row and column, a constant training feature by its column.
 *
 * ```ts
 * const { train, test, stats } = standardize(trainInputs, testInputs);
 * ```
 */
export function standardize(train: Tensor): StandardizedTrain;
export function standardize(train: Tensor, test: Tensor): StandardizedSplit;
export function standardize(train: Tensor, test?: Tensor): StandardizedTrain & { test?: Tensor } {
  checkData('standardize', 'train', train);
  if (test !== undefined) {
    checkData('standardize', 'test', test);
    if (test.shape[1] !== train.shape[1]) {
      throw new MinidlError(`standardize: test has shape ${formatShape(test.shape)}, expected [n,${train.shape[1]}] (the features of train ${formatShape(train.shape)})`);
    }
  }
  const stats = featureStats(train);
  const result: StandardizedTrain & { test?: Tensor } = { train: standardizeWith('standardize', 'train', train, stats), stats };
  if (test !== undefined) result.test = standardizeWith('standardize', 'test', test, stats);
  return result;
}
