import { closeValues, constantRatio, near } from './compare';

/**
 * The classic mistakes, recognised by their numbers: each function below compares what the
 * student's code gave with the reference (and the case's inputs) and returns the mistake's
 * hint when the numbers carry its signature, else null. The signatures are relations between
 * numbers (the student's dW equals the reference's dWᵀ; the loss gradient is N× the
 * reference), never a second implementation of the exercise.
 *
 * Each hint starts with the mistake's name (MISTAKE_NAMES), then says what to change.
 */
export const MISTAKE_NAMES = {
  overwritten: 'gradients overwritten instead of accumulated',
  reluSign: "ReLU's backward masked by the sign of the gradient instead of the input",
  lossMissingMean: 'the loss gradient is missing its 1/N',
  biasNotSummed: 'the bias gradient is not summed over the batch',
  weightTransposed: 'the weight gradient is transposed',
  biasedRunningVar: 'the running variance is biased',
  softmaxOverflow: 'softmax overflows without the max shift',
  adamMultiplied: "Adam's bias correction is multiplied instead of divided",
  dropoutNotRescaled: 'dropout is not rescaled by 1/(1 − p)',
} as const;

/**
 * Backward set (=) the parameter gradients instead of adding to them (+=): a second backward
 * with the same gradOut left some parameter's gradient as after the first (and not zero),
 * instead of doubling it.
 */
export function gradientsOverwritten(once: Float64Array[], twice: Float64Array[]): string | null {
  const overwritten = once.some((g, i) => g.some((v) => v !== 0) && !closeValues(twice[i], g.map((v) => 2 * v)) && closeValues(twice[i], g));
  if (!overwritten) return null;
  return `${MISTAKE_NAMES.overwritten}: backward must add (+=) into each parameter's grad, so that two backward calls double it and the trainer's zeroGrad starts each batch; yours sets it (=)`;
}

/** ReLU's ∂L/∂x came out as g · 1[g > 0] (the sign of the gradient) where it is g · 1[x > 0]. */
export function reluMaskedByGradient(gradOut: Float64Array, got: Float64Array, expected: Float64Array): string | null {
  if (closeValues(got, expected)) return null;
  const byGradient = gradOut.map((g) => (g > 0 ? g : 0));
  if (!closeValues(got, byGradient)) return null;
  return `${MISTAKE_NAMES.reluSign}: ∂L/∂x = g · 1[x > 0] keeps g where the forward's input x was positive (keep x in forward); yours keeps g where g itself is positive`;
}

/**
 * A loss gradient N times the reference, where N is the number the mean divides by (the
 * number of entries, or of rows for cross-entropy): the 1/N of the mean was left out.
 */
export function lossGradientMissingMean(got: Float64Array, expected: Float64Array, divisor: number, what: string): string | null {
  if (divisor < 2) return null;
  const ratio = constantRatio(got, expected);
  if (ratio === null || !near(ratio, divisor, 1e-6)) return null;
  return `${MISTAKE_NAMES.lossMissingMean}: the loss is a mean over ${what} (N = ${divisor} here), so every entry of ∂L/∂pred carries a factor 1/N; yours is N× the reference`;
}

/**
 * The bias gradient of a Linear is Σₙ G[n, :]; this recognises one row of G instead (the
 * first or the last sample only), or the mean over the batch.
 */
export function biasNotSummed(got: Float64Array, gradOut: Float64Array, rows: number, expected: Float64Array): string | null {
  if (rows < 2 || closeValues(got, expected)) return null;
  const cols = expected.length;
  const fix = `∂L/∂b += Σₙ G[n, :] adds the gradient of every sample of the batch`;
  for (let n = 0; n < rows; n++) {
    if (closeValues(got, gradOut.subarray(n * cols, (n + 1) * cols))) {
      return `${MISTAKE_NAMES.biasNotSummed}: ${fix}; yours equals row ${n} of G only`;
    }
  }
  if (closeValues(got, expected.map((v) => v / rows))) return `${MISTAKE_NAMES.biasNotSummed}: ${fix}; yours is the mean over the batch (the loss already averages)`;
  return null;
}

/**
 * The weight gradient's numbers are those of the reference's transpose: (Xᵀ·G)ᵀ = Gᵀ·X, read
 * in W's layout [in, out] (or written with the two indices swapped).
 */
export function weightGradientTransposed(got: Float64Array, expected: Float64Array, rows: number, cols: number): string | null {
  if (rows === 1 || cols === 1 || closeValues(got, expected)) return null;
  const transposed = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) transposed[j * rows + i] = expected[i * cols + j];
  if (!closeValues(got, transposed)) return null;
  return `${MISTAKE_NAMES.weightTransposed}: ∂L/∂W = Xᵀ·G has W's shape [in, out] = [${rows}, ${cols}] (matmulTransA(input, gradOut)); yours holds its transpose Gᵀ·X`;
}

/**
 * BatchNorm's running variance moved towards the biased batch variance S/m instead of the
 * unbiased S/(m − 1). From the reference alone: with r₀ the running variance before the
 * forward and r the reference's after it, the momentum term of r is momentum·S/(m − 1), so
 * the biased update would have given
 *   r_biased = (1 − momentum)·r₀ + (r − (1 − momentum)·r₀)·(m − 1)/m
 */
export function biasedRunningVariance(got: Float64Array, before: Float64Array, expected: Float64Array, momentum: number, m: number): string | null {
  if (closeValues(got, expected) || m < 2 || momentum === 0) return null;
  const biased = expected.map((r, c) => (1 - momentum) * before[c] + (r - (1 - momentum) * before[c]) * (m - 1) / m);
  if (!closeValues(got, biased)) return null;
  return `${MISTAKE_NAMES.biasedRunningVar}: the batch is normalised with the biased variance (÷m), but the running variance is updated with the unbiased one, S/(m − 1) (m = ${m} values per channel here), as PyTorch`;
}

/** Non-finite outputs (NaN, Infinity) where the reference's are finite: e^x overflowed. */
export function softmaxOverflow(got: Float64Array, expected: Float64Array, largestInput: number): string | null {
  const overflowed = expected.some((e, i) => Number.isFinite(e) && !Number.isFinite(got[i]));
  if (!overflowed) return null;
  return `${MISTAKE_NAMES.softmaxOverflow}: for inputs as large as ${largestInput}, e^x overflows to Infinity (and Infinity/Infinity is NaN, log(Infinity) is Infinity); compute e^(x − max) with each row's max (the same value, since e^(−max) cancels)`;
}

/**
 * Adam's first step, w₁ − w₀, compared with the reference's: with both corrections divided,
 * m̂ = g and v̂ = g² at t = 1; multiplied instead, m̂ = (1 − β₁)²·g and √v̂ = (1 − β₂)·|g|, so the
 * step is (1 − β₁)²/(1 − β₂) times the reference's (or (1 − β₁)², or 1/(1 − β₂), when only one
 * of the two corrections is multiplied).
 */
export function adamCorrectionMultiplied(gotStep: Float64Array, expectedStep: Float64Array, beta1: number, beta2: number): string | null {
  const ratio = constantRatio(gotStep, expectedStep, 1e-3); // ε = 1e-8 next to √v̂ blurs the ratio a little
  if (ratio === null || near(ratio, 1, 1e-3)) return null;
  const signatures = [(1 - beta1) ** 2 / (1 - beta2), (1 - beta1) ** 2, 1 / (1 - beta2)];
  if (!signatures.some((s) => near(ratio, s, 1e-3))) return null;
  return `${MISTAKE_NAMES.adamMultiplied}: m̂ = m / (1 − β₁ᵗ) and v̂ = v / (1 − β₂ᵗ) (at t = 1 they give m̂ = g, v̂ = g²); your first step is ${ratio.toPrecision(4)}× the reference's`;
}

/**
 * Inverted dropout keeps an entry as x/(1 − p); this recognises kept entries equal to x
 * itself (the ratio y/x is 1 on every kept entry, with p > 0).
 */
export function dropoutNotRescaled(input: Float64Array, output: Float64Array, p: number): string | null {
  if (!(p > 0 && p < 1)) return null;
  let kept = 0;
  for (let i = 0; i < input.length; i++) {
    if (output[i] === 0 || input[i] === 0) continue;
    if (!near(output[i] / input[i], 1, 1e-9)) return null;
    kept++;
  }
  if (kept === 0) return null;
  return `${MISTAKE_NAMES.dropoutNotRescaled}: in training mode each kept entry is x/(1 − p) (= ${(1 / (1 - p)).toPrecision(4)}·x for p = ${p}), so that E[y] = x and evaluation mode needs no rescaling; yours keeps x as it is`;
}
