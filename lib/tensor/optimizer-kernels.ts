/**
 * The optimizer updates over one parameter's whole buffer of n values: the loops of
 * lib/optim/sgd.ts and lib/optim/adam.ts (whose doc comments give the rules, PyTorch's).
 *
 * As in kernels.ts, each first asks `wasmBackend()` whether to run the WebAssembly version
 * (lib/tensor/wasm/assembly/optimizers.ts: the same operations in the same order, two
 * parameters per f64x2 vector), which gives bit-identical new weights.
 */
import { wasmBackend } from './backend';

/** Hyper-parameters of one SGD update. */
export interface SgdUpdate {
  /** η */
  lr: number;
  /** μ (0: no momentum buffer) */
  momentum: number;
  /** τ */
  dampening: number;
  /** λ */
  weightDecay: number;
  /** Nesterov's variant */
  nesterov: boolean;
  /** True at the momentum buffer's first use (b ← g). */
  firstStep: boolean;
}

/**
 * One SGD step on the n weights w with gradients grad, and the momentum buffer (null without
 * momentum):  g ← grad + λ·w;  b ← g (first step) or μ·b + (1 − τ)·g;  g ← g + μ·b (Nesterov)
 * or b;  w ← w − η·g.
 */
export function sgdUpdate(w: Float64Array, grad: Float64Array, buffer: Float64Array | null, n: number, h: SgdUpdate): void {
  const wasm = wasmBackend();
  if (wasm !== null) return wasm.sgdStep(w, grad, buffer, n, h);
  const { lr, momentum, dampening, weightDecay, nesterov, firstStep } = h;
  for (let i = 0; i < n; i++) {
    let g = weightDecay !== 0 ? grad[i] + weightDecay * w[i] : grad[i];
    if (buffer !== null) {
      buffer[i] = firstStep ? g : momentum * buffer[i] + (1 - dampening) * g;
      g = nesterov ? g + momentum * buffer[i] : buffer[i];
    }
    w[i] -= lr * g;
  }
}

/** Hyper-parameters of one Adam update, with the bias corrections of step t. */
export interface AdamUpdate {
  /** β₁ */
  beta1: number;
  /** β₂ */
  beta2: number;
  /** ε */
  eps: number;
  /** λ */
  weightDecay: number;
  /** η / (1 − β₁ᵗ) */
  stepSize: number;
  /** √(1 − β₂ᵗ) */
  biasCorrection2Sqrt: number;
}

/**
 * One Adam step on the n weights w with gradients grad and moment estimates m, v:
 * g ← grad + λ·w;  m ← m + (1 − β₁)·(g − m);  v ← v·β₂ + (1 − β₂)·g·g;
 * w ← w + (−stepSize·m) / (√v / √(1 − β₂ᵗ) + ε).
 */
export function adamUpdate(w: Float64Array, grad: Float64Array, m: Float64Array, v: Float64Array, n: number, h: AdamUpdate): void {
  const wasm = wasmBackend();
  if (wasm !== null) return wasm.adamStep(w, grad, m, v, n, h);
  const { beta1, beta2, eps, weightDecay, stepSize, biasCorrection2Sqrt } = h;
  for (let i = 0; i < n; i++) {
    const g = weightDecay !== 0 ? grad[i] + weightDecay * w[i] : grad[i];
    m[i] += (1 - beta1) * (g - m[i]);
    v[i] = v[i] * beta2 + (1 - beta2) * g * g;
    const denom = Math.sqrt(v[i]) / biasCorrection2Sqrt + eps;
    w[i] += (-stepSize * m[i]) / denom;
  }
}
