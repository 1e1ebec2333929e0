/**
 * Optimizer updates over a whole parameter buffer of n doubles, with the update rules of
 * lib/optim/sgd.ts and lib/optim/adam.ts (PyTorch's), written with the same operations in the
 * same order so the new weights are bit-identical. Two entries per f64x2 vector, then a scalar
 * step for an odd n. The flags are the same for every entry, so their branches cost nothing.
 */

/**
 * One SGD step (torch.optim.SGD):
 *
 *   g ← ∂L/∂w + λ·w                                  (only when λ ≠ 0)
 *   b ← g  at the first step,  b ← μ·b + (1 − τ)·g   after      (only with a momentum buffer)
 *   g ← g + μ·b  (Nesterov)  or  g ← b
 *   w ← w − η·g
 *
 * `buffer` is the address of the momentum buffer b, or 0 when μ = 0 (plain SGD).
 */
export function sgdStep(
  w: usize, grad: usize, buffer: usize, n: i32,
  lr: f64, momentum: f64, dampening: f64, weightDecay: f64, nesterov: bool, firstStep: bool,
): void {
  const end = <usize>n << 3, pairs = end & ~15;
  const decay = weightDecay != 0, hasBuffer = buffer != 0;
  const lrV = f64x2.splat(lr), muV = f64x2.splat(momentum), keepV = f64x2.splat(1 - dampening), wdV = f64x2.splat(weightDecay);
  for (let o: usize = 0; o < pairs; o += 16) {
    const wv = v128.load(w + o);
    let g = v128.load(grad + o);
    if (decay) g = f64x2.add(g, f64x2.mul(wdV, wv));
    if (hasBuffer) {
      const b = firstStep ? g : f64x2.add(f64x2.mul(muV, v128.load(buffer + o)), f64x2.mul(keepV, g));
      v128.store(buffer + o, b);
      g = nesterov ? f64x2.add(g, f64x2.mul(muV, b)) : b;
    }
    v128.store(w + o, f64x2.sub(wv, f64x2.mul(lrV, g)));
  }
  if (pairs < end) {
    const o = pairs;
    const wv = load<f64>(w + o);
    let g = load<f64>(grad + o);
    if (decay) g = g + weightDecay * wv;
    if (hasBuffer) {
      const b = firstStep ? g : momentum * load<f64>(buffer + o) + (1 - dampening) * g;
      store<f64>(buffer + o, b);
      g = nesterov ? g + momentum * b : b;
    }
    store<f64>(w + o, wv - lr * g);
  }
}

/**
 * One Adam step (torch.optim.Adam), in PyTorch's order of operations:
 *
 *   g ← ∂L/∂w + λ·w                                  (only when λ ≠ 0)
 *   m ← m + (1 − β₁)·(g − m)
 *   v ← v·β₂ + (1 − β₂)·g·g
 *   w ← w + (−stepSize·m) / (√v / biasCorrection2Sqrt + ε)
 *
 * with stepSize = η / (1 − β₁ᵗ) and biasCorrection2Sqrt = √(1 − β₂ᵗ) computed by the caller
 * (in JavaScript, so that the powers are exactly those of lib/optim/adam.ts).
 */
export function adamStep(
  w: usize, grad: usize, m: usize, v: usize, n: i32,
  beta1: f64, beta2: f64, eps: f64, weightDecay: f64, stepSize: f64, biasCorrection2Sqrt: f64,
): void {
  const end = <usize>n << 3, pairs = end & ~15;
  const decay = weightDecay != 0;
  const wdV = f64x2.splat(weightDecay), keep1 = f64x2.splat(1 - beta1), beta2V = f64x2.splat(beta2), keep2 = f64x2.splat(1 - beta2);
  const epsV = f64x2.splat(eps), stepV = f64x2.splat(-stepSize), bc2V = f64x2.splat(biasCorrection2Sqrt);
  for (let o: usize = 0; o < pairs; o += 16) {
    const wv = v128.load(w + o);
    let g = v128.load(grad + o);
    if (decay) g = f64x2.add(g, f64x2.mul(wdV, wv));
    const mv = v128.load(m + o);
    const mNew = f64x2.add(mv, f64x2.mul(keep1, f64x2.sub(g, mv)));
    const vNew = f64x2.add(f64x2.mul(v128.load(v + o), beta2V), f64x2.mul(f64x2.mul(keep2, g), g));
    v128.store(m + o, mNew);
    v128.store(v + o, vNew);
    const denom = f64x2.add(f64x2.div(f64x2.sqrt(vNew), bc2V), epsV);
    v128.store(w + o, f64x2.add(wv, f64x2.div(f64x2.mul(stepV, mNew), denom)));
  }
  if (pairs < end) {
    const o = pairs;
    const wv = load<f64>(w + o);
    let g = load<f64>(grad + o);
    if (decay) g = g + weightDecay * wv;
    const mv = load<f64>(m + o);
    const mNew = mv + (1 - beta1) * (g - mv);
    const vNew = load<f64>(v + o) * beta2 + (1 - beta2) * g * g;
    store<f64>(m + o, mNew);
    store<f64>(v + o, vNew);
    const denom = Math.sqrt(vNew) / biasCorrection2Sqrt + eps;
    store<f64>(w + o, wv + (-stepSize * mNew) / denom);
  }
}
