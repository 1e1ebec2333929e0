/**
 * Kernels of batch normalisation: per-channel statistics, the normalisation, and the loops of
 * its backward pass (see lib/modules/normalization/batch-norm.ts for the formulas).
 *
 * ## The layout
 *
 * Every kernel sees its tensor as three nested axes [outer, C, inner], row-major:
 *
 *   entry (o, c, i) lives at data[(o·C + c)·inner + i]
 *
 *   BatchNorm1d on [N, F]:        outer = N, C = F, inner = 1
 *   BatchNorm2d on [N, C, H, W]:  outer = N, C = C, inner = H·W
 *
 * A channel c is then the set of m = outer·inner entries with that c: its statistics are taken
 * over the batch (and, for images, over every pixel). The kernels walk the data in memory
 * order, one contiguous run of `inner` numbers at a time, write into arrays the caller
 * provides and allocate nothing.
 */

/**
 * Per channel c:  mean[c] = (1/m) Σ x,   sqDev[c] = Σ (x − mean[c])²   (m = outer·inner)
 *
 * Two passes (the mean first, then the squared deviations from it) rather than Σx² − m·mean²,
 * which loses every digit when the mean is large next to the spread.
 */
export function channelMoments(
  x: Float64Array, outer: number, C: number, inner: number,
  mean: Float64Array, sqDev: Float64Array,
): void {
  const m = outer * inner;
  mean.fill(0, 0, C);
  sqDev.fill(0, 0, C);
  for (let o = 0, p = 0; o < outer; o++) {
    for (let c = 0; c < C; c++) {
      let s = 0;
      for (let i = 0; i < inner; i++, p++) s += x[p];
      mean[c] += s;
    }
  }
  for (let c = 0; c < C; c++) mean[c] /= m;
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
export function inverseStd(v: Float64Array, scale: number, eps: number, invStd: Float64Array, C: number): void {
  for (let c = 0; c < C; c++) invStd[c] = 1 / Math.sqrt(v[c] * scale + eps);
}

/**
 * running[c] = (1 − momentum)·running[c] + momentum·scale·batch[c]
 *
 * (The exponential moving average PyTorch keeps; `scale` turns a sum of squared deviations
 * into the unbiased variance, 1/(m − 1), or is 1 for the mean.)
 */
export function updateRunningAverage(
  running: Float64Array, batch: Float64Array, momentum: number, scale: number, C: number,
): void {
  for (let c = 0; c < C; c++) running[c] = momentum * (batch[c] * scale) + (1 - momentum) * running[c];
}

/**
 * x̂ = (x − mean[c])·invStd[c]  and  y = gamma[c]·x̂ + beta[c]   for every entry of channel c.
 * Without `gamma` and `beta` (null), y = x̂.
 */
export function normalizeChannels(
  x: Float64Array, outer: number, C: number, inner: number,
  mean: Float64Array, invStd: Float64Array, gamma: Float64Array | null, beta: Float64Array | null,
  xHat: Float64Array, y: Float64Array,
): void {
  for (let o = 0, p = 0; o < outer; o++) {
    for (let c = 0; c < C; c++) {
      const mu = mean[c], s = invStd[c];
      const g = gamma === null ? 1 : gamma[c];
      const b = beta === null ? 0 : beta[c];
      for (let i = 0; i < inner; i++, p++) {
        const h = (x[p] - mu) * s;
        xHat[p] = h;
        y[p] = g * h + b;
      }
    }
  }
}

/** Per channel c:  sumG[c] = Σ g,   sumGXHat[c] = Σ g·x̂   (sums over the m entries of the channel). */
export function channelGradSums(
  g: Float64Array, xHat: Float64Array, outer: number, C: number, inner: number,
  sumG: Float64Array, sumGXHat: Float64Array,
): void {
  sumG.fill(0, 0, C);
  sumGXHat.fill(0, 0, C);
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
export function batchNormInputGrad(
  g: Float64Array, xHat: Float64Array, outer: number, C: number, inner: number,
  gamma: Float64Array | null, invStd: Float64Array, sumG: Float64Array, sumGXHat: Float64Array,
  dx: Float64Array,
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

/**
 * Evaluation mode (fixed statistics), for every entry of channel c:  dx = (γ_c/σ_c)·g
 * (γ_c = 1 when `gamma` is null).
 */
export function scaleChannels(
  g: Float64Array, outer: number, C: number, inner: number,
  gamma: Float64Array | null, invStd: Float64Array, dx: Float64Array,
): void {
  for (let o = 0, p = 0; o < outer; o++) {
    for (let c = 0; c < C; c++) {
      const s = (gamma === null ? 1 : gamma[c]) * invStd[c];
      for (let i = 0; i < inner; i++, p++) dx[p] = s * g[p];
    }
  }
}
