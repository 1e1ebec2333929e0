import { Adagrad, Adam, AdamW, Linear, MSELoss, NeuralNet, Optimizer, Parameter, RMSprop, Rng, SGD, Tensor } from '../lib';
import { bits, randn } from './helpers';

/*
 * RMSprop, Adagrad, AdamW and Adam's amsgrad step by step, against references written here from
 * PyTorch's `_single_tensor_rmsprop`, `_single_tensor_adagrad`, `_single_tensor_adamw` and
 * `_single_tensor_adam` (torch/optim, 2.x; the CPU path on float64 tensors), line by line, with
 * the elementwise operations written
 * as ATen's CPU kernels compute them one entry at a time:
 *
 *   torch.add(a, b, alpha=k)       a + k·b
 *   a.mul_(s)                      a·s
 *   a.addcmul_(t1, t2, value=k)    a + k·t1·t2        ((k·t1)·t2, left to right)
 *   a.addcdiv_(t1, t2, value=k)    a + k·t1/t2        ((k·t1)/t2)
 *   a.lerp_(b, w)                  a + w·(b − a) if |w| < ½, else b − (b − a)·(1 − w)
 *   torch.maximum(a, b), a.sqrt(), a.add_(s)
 *
 * so the library must match them bit for bit (no torch here to run; these references take its
 * place). On long tensors PyTorch's vectorised loops may fuse a multiply and an add (AVX2 FMA)
 * and differ in the last bit; the entry-by-entry path above is the one of short tensors.
 *
 * A second, textbook reference per optimizer follows the formulas of PyTorch's documentation
 * (m̂ = m/(1 − β₁ᵗ) and so on) and must agree to 1e-12: the two writings check each other.
 */

// ---------------------------------------------------------------------------------------------
// The problem: three parameters and six steps of gradients with exact zeros (A's gradient is 0 at
// step 3, B's middle entry is always 0, C's gradient is always 0).
// ---------------------------------------------------------------------------------------------

const START = [[0.5, -1.25, 2.0, 0.75], [0.3, -0.2, 1.1], [1.5, -2.5]];
const GRADS: number[][][] = [ // GRADS[t][k]: the gradient of parameter k at step t + 1
  [[0.1, -0.2, 0.3, 0.4], [1.0, 0, 0.5], [0, 0]],
  [[-0.5, 0.25, 0.05, -0.15], [0.25, 0, -1.5], [0, 0]],
  [[0, 0, 0, 0], [-0.4, 0, 0.2], [0, 0]],
  [[0.7, -0.3, -0.2, 0.6], [0.0, 0, -0.6], [0, 0]],
  [[-0.05, 0.45, 0.35, -0.25], [0.9, 0, 0.05], [0, 0]],
  [[2.5, -0.01, 0.0, 1e-4], [-3.0, 0, 0.001], [0, 0]],
];
const STEPS = GRADS.length;
const SHAPES = [[2, 2], [1, 3], [2]];

/** The values of every parameter after each step: [step][parameter][entry]. */
type Trajectory = number[][][];

/** Runs `make`'s optimizer on the problem; `lrs` sets its lr before each step (a schedule). */
function runMinidl(make: (params: Parameter[]) => Optimizer, lrs?: number[]): Trajectory {
  const params = START.map((v, k) => new Parameter(new Tensor(SHAPES[k], Float64Array.from(v)), 'ABC'[k]));
  const optimizer = make(params);
  const out: Trajectory = [];
  for (let t = 0; t < STEPS; t++) {
    if (lrs) optimizer.lr = lrs[t];
    optimizer.zeroGrad();
    params.forEach((p, k) => p.grad.data.set(GRADS[t][k]));
    optimizer.step();
    out.push(params.map((p) => Array.from(p.value.data)));
  }
  return out;
}

/** A reference for one parameter: its values after each step, from its start and its gradients. */
type Reference = (w0: number[], grads: number[][], lrAt: (t: number) => number) => number[][];

/** Runs a per-parameter reference on every parameter of the problem. */
function runReference(reference: Reference, lr: number, lrs?: number[]): Trajectory {
  const perParam = START.map((w0, k) => reference(w0, GRADS.map((g) => g[k]), (t) => (lrs ? lrs[t] : lr)));
  return GRADS.map((_, t) => perParam.map((traj) => traj[t]));
}

/** Bit-for-bit equality, naming the first step, parameter and entry that differ. */
function expectSameBits(actual: Trajectory, expected: Trajectory): void {
  for (let t = 0; t < STEPS; t++) {
    for (let k = 0; k < START.length; k++) {
      const a = Float64Array.from(actual[t][k]), e = Float64Array.from(expected[t][k]);
      if (JSON.stringify(bits(a).map(String)) !== JSON.stringify(bits(e).map(String))) {
        const i = a.findIndex((v, j) => !Object.is(v, e[j]));
        throw new Error(`step ${t + 1}, parameter ${'ABC'[k]}, entry ${i}: got ${a[i]}, expected ${e[i]}`);
      }
    }
  }
}

/** |a − e| ≤ rtol·(|e| + 1) entry by entry. */
function expectClose(actual: Trajectory, expected: Trajectory, rtol = 1e-12): void {
  for (let t = 0; t < STEPS; t++) {
    for (let k = 0; k < START.length; k++) {
      actual[t][k].forEach((a, i) => {
        const e = expected[t][k][i];
        if (!(Math.abs(a - e) <= rtol * (Math.abs(e) + 1))) throw new Error(`step ${t + 1}, parameter ${'ABC'[k]}, entry ${i}: got ${a}, expected ${e}`);
      });
    }
  }
}

// ---------------------------------------------------------------------------------------------
// ATen's elementwise CPU operations, one entry at a time (new arrays; the references reassign).
// ---------------------------------------------------------------------------------------------

const add = (a: number[], b: number[], alpha = 1): number[] => a.map((x, i) => x + alpha * b[i]);
const mul = (a: number[], s: number): number[] => a.map((x) => x * s);
const addScalar = (a: number[], s: number): number[] => a.map((x) => x + s);
const div = (a: number[], s: number): number[] => a.map((x) => x / s);
const sqrt = (a: number[]): number[] => a.map((x) => Math.sqrt(x));
const addcmul = (a: number[], t1: number[], t2: number[], value = 1): number[] => a.map((x, i) => x + value * t1[i] * t2[i]);
const addcdiv = (a: number[], t1: number[], t2: number[], value = 1): number[] => a.map((x, i) => x + (value * t1[i]) / t2[i]);
const lerp = (a: number[], b: number[], w: number): number[] =>
  a.map((x, i) => (Math.abs(w) < 0.5 ? x + w * (b[i] - x) : b[i] - (b[i] - x) * (1 - w)));
const maximum = (a: number[], b: number[]): number[] => a.map((x, i) => Math.max(x, b[i]));
const zeros = (n: number): number[] => new Array<number>(n).fill(0);

// ---------------------------------------------------------------------------------------------
// References transcribed from PyTorch's _single_tensor_* functions
// ---------------------------------------------------------------------------------------------

interface RMSpropRef { alpha?: number; eps?: number; weightDecay?: number; momentum?: number; centered?: boolean }

/** torch/optim/rmsprop.py, _single_tensor_rmsprop (maximize=False). */
function torchRmsprop(o: RMSpropRef): Reference {
  const alpha = o.alpha ?? 0.99, eps = o.eps ?? 1e-8, weightDecay = o.weightDecay ?? 0, momentum = o.momentum ?? 0;
  return (w0, grads, lrAt) => {
    let param = w0.slice(), squareAvg = zeros(w0.length), gradAvg = zeros(w0.length), buf = zeros(w0.length);
    const out: number[][] = [];
    grads.forEach((g, t) => {
      const lr = lrAt(t);
      let grad = g;
      if (weightDecay !== 0) grad = add(grad, param, weightDecay); //          grad = grad.add(param, alpha=weight_decay)
      squareAvg = addcmul(mul(squareAvg, alpha), grad, grad, 1 - alpha); //    square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
      let avg: number[];
      if (o.centered) {
        gradAvg = lerp(gradAvg, grad, 1 - alpha); //                          grad_avg.lerp_(grad, 1 - alpha)
        avg = sqrt(addcmul(squareAvg, gradAvg, gradAvg, -1)); //              square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
      } else {
        avg = sqrt(squareAvg); //                                             square_avg.sqrt()
      }
      avg = addScalar(avg, eps); //                                           avg.add_(eps)
      if (momentum > 0) {
        buf = addcdiv(mul(buf, momentum), grad, avg); //                      buf.mul_(momentum).addcdiv_(grad, avg)
        param = add(param, buf, -lr); //                                      param.add_(buf, alpha=-lr)
      } else {
        param = addcdiv(param, grad, avg, -lr); //                            param.addcdiv_(grad, avg, value=-lr)
      }
      out.push(param.slice());
    });
    return out;
  };
}

interface AdagradRef { lrDecay?: number; weightDecay?: number; initialAccumulatorValue?: number; eps?: number }

/** torch/optim/adagrad.py, _single_tensor_adagrad (dense gradients, maximize=False). */
function torchAdagrad(o: AdagradRef): Reference {
  const lrDecay = o.lrDecay ?? 0, weightDecay = o.weightDecay ?? 0, eps = o.eps ?? 1e-10;
  return (w0, grads, lrAt) => {
    let param = w0.slice(), stateSum = w0.map(() => o.initialAccumulatorValue ?? 0); // torch.full_like(p, initial_accumulator_value)
    let stepT = 0;
    const out: number[][] = [];
    grads.forEach((g, t) => {
      stepT += 1; //                                                          step_t += 1
      let grad = g;
      if (weightDecay !== 0) grad = add(grad, param, weightDecay); //          grad = grad.add(param, alpha=weight_decay)
      const clr = lrAt(t) / (1 + (stepT - 1) * lrDecay); //                    clr = lr / (1 + (step - 1) * lr_decay)
      stateSum = addcmul(stateSum, grad, grad, 1); //                         state_sum.addcmul_(grad, grad, value=1)
      const std = addScalar(sqrt(stateSum), eps); //                          std = state_sum.sqrt().add_(eps)
      param = addcdiv(param, grad, std, -clr); //                             param.addcdiv_(grad, std, value=-clr)
      out.push(param.slice());
    });
    return out;
  };
}

interface AdamRef { betas?: [number, number]; eps?: number; weightDecay?: number; amsgrad?: boolean }

/**
 * torch/optim/adamw.py, _single_tensor_adamw (not capturable, maximize=False), with `decoupled`;
 * without it, torch/optim/adam.py's _single_tensor_adam, which adds λ·w to the gradient instead.
 */
function torchAdam(o: AdamRef, decoupled: boolean): Reference {
  const [beta1, beta2] = o.betas ?? [0.9, 0.999];
  const eps = o.eps ?? 1e-8, weightDecay = o.weightDecay ?? (decoupled ? 1e-2 : 0);
  return (w0, grads, lrAt) => {
    let param = w0.slice(), expAvg = zeros(w0.length), expAvgSq = zeros(w0.length), maxExpAvgSq = zeros(w0.length);
    let stepT = 0;
    const out: number[][] = [];
    grads.forEach((g, t) => {
      const lr = lrAt(t);
      let grad = g;
      stepT += 1; //                                                          step_t += 1
      if (decoupled) param = mul(param, 1 - lr * weightDecay); //             param.mul_(1 - lr * weight_decay)
      else if (weightDecay !== 0) grad = add(grad, param, weightDecay); //    grad = grad.add(param, alpha=weight_decay)
      expAvg = lerp(expAvg, grad, 1 - beta1); //                              exp_avg.lerp_(grad, 1 - beta1)
      expAvgSq = addcmul(mul(expAvgSq, beta2), grad, grad, 1 - beta2); //     exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
      const biasCorrection1 = 1 - beta1 ** stepT;
      const biasCorrection2 = 1 - beta2 ** stepT;
      const stepSize = lr / biasCorrection1;
      const biasCorrection2Sqrt = Math.sqrt(biasCorrection2); //              _dispatch_sqrt(bias_correction2)
      let denom: number[];
      if (o.amsgrad) {
        maxExpAvgSq = maximum(maxExpAvgSq, expAvgSq); //                      torch.maximum(max_exp_avg_sqs[i], exp_avg_sq, out=…)
        denom = addScalar(div(sqrt(maxExpAvgSq), biasCorrection2Sqrt), eps); // (max_exp_avg_sqs[i].sqrt() / bias_correction2_sqrt).add_(eps)
      } else {
        denom = addScalar(div(sqrt(expAvgSq), biasCorrection2Sqrt), eps); //  (exp_avg_sq.sqrt() / bias_correction2_sqrt).add_(eps)
      }
      param = addcdiv(param, expAvg, denom, -stepSize); //                    param.addcdiv_(exp_avg, denom, value=-step_size)
      out.push(param.slice());
    });
    return out;
  };
}

// ---------------------------------------------------------------------------------------------
// Textbook references: the formulas of PyTorch's documentation pages, entry by entry
// ---------------------------------------------------------------------------------------------

/** torch.optim.RMSprop's algorithm box. */
function textbookRmsprop(o: RMSpropRef): Reference {
  const alpha = o.alpha ?? 0.99, eps = o.eps ?? 1e-8, lambda = o.weightDecay ?? 0, mu = o.momentum ?? 0;
  return (w0, grads, lrAt) => {
    const w = w0.slice(), v = zeros(w.length), gAve = zeros(w.length), b = zeros(w.length);
    return grads.map((grad, t) => {
      for (let i = 0; i < w.length; i++) {
        const g = grad[i] + lambda * w[i];
        v[i] = alpha * v[i] + (1 - alpha) * g ** 2;
        let vTilde = v[i];
        if (o.centered) {
          gAve[i] = gAve[i] * alpha + (1 - alpha) * g;
          vTilde -= gAve[i] ** 2;
        }
        if (mu > 0) {
          b[i] = mu * b[i] + g / (Math.sqrt(vTilde) + eps);
          w[i] -= lrAt(t) * b[i];
        } else {
          w[i] -= (lrAt(t) * g) / (Math.sqrt(vTilde) + eps);
        }
      }
      return w.slice();
    });
  };
}

/** torch.optim.Adagrad's algorithm box. */
function textbookAdagrad(o: AdagradRef): Reference {
  const eta = o.lrDecay ?? 0, lambda = o.weightDecay ?? 0, eps = o.eps ?? 1e-10;
  return (w0, grads, lrAt) => {
    const w = w0.slice(), sum = w.map(() => o.initialAccumulatorValue ?? 0);
    return grads.map((grad, k) => {
      const t = k + 1;
      const gammaTilde = lrAt(k) / (1 + (t - 1) * eta);
      for (let i = 0; i < w.length; i++) {
        const g = grad[i] + lambda * w[i];
        sum[i] += g ** 2;
        w[i] -= (gammaTilde * g) / (Math.sqrt(sum[i]) + eps);
      }
      return w.slice();
    });
  };
}

/**
 * torch.optim.AdamW's algorithm box (v_max the running maximum of v, as the code keeps it);
 * without `decoupled`, torch.optim.Adam's, whose λ·w is added to the gradient.
 */
function textbookAdam(o: AdamRef, decoupled: boolean): Reference {
  const [b1, b2] = o.betas ?? [0.9, 0.999];
  const eps = o.eps ?? 1e-8, lambda = o.weightDecay ?? (decoupled ? 1e-2 : 0);
  return (w0, grads, lrAt) => {
    const w = w0.slice(), m = zeros(w.length), v = zeros(w.length), vMax = zeros(w.length);
    return grads.map((grad, k) => {
      const t = k + 1, gamma = lrAt(k);
      for (let i = 0; i < w.length; i++) {
        const g = decoupled ? grad[i] : grad[i] + lambda * w[i];
        if (decoupled) w[i] = w[i] - gamma * lambda * w[i];
        m[i] = b1 * m[i] + (1 - b1) * g;
        v[i] = b2 * v[i] + (1 - b2) * g ** 2;
        const mHat = m[i] / (1 - b1 ** t);
        vMax[i] = Math.max(vMax[i], v[i]);
        const vHat = (o.amsgrad ? vMax[i] : v[i]) / (1 - b2 ** t);
        w[i] = w[i] - (gamma * mHat) / (Math.sqrt(vHat) + eps);
      }
      return w.slice();
    });
  };
}

// ---------------------------------------------------------------------------------------------
// The cases
// ---------------------------------------------------------------------------------------------

interface Case {
  name: string;
  make: (params: Parameter[]) => Optimizer;
  lr: number;
  torch: Reference;
  textbook: Reference;
  lrs?: number[];
}

const rms = (lr: number, o: RMSpropRef): Pick<Case, 'make' | 'lr' | 'torch' | 'textbook'> =>
  ({ make: (p) => new RMSprop(p, { lr, ...o }), lr, torch: torchRmsprop(o), textbook: textbookRmsprop(o) });
const ada = (lr: number, o: AdagradRef): Pick<Case, 'make' | 'lr' | 'torch' | 'textbook'> =>
  ({ make: (p) => new Adagrad(p, { lr, ...o }), lr, torch: torchAdagrad(o), textbook: textbookAdagrad(o) });
const adamw = (lr: number, o: AdamRef): Pick<Case, 'make' | 'lr' | 'torch' | 'textbook'> =>
  ({ make: (p) => new AdamW(p, { lr, ...o }), lr, torch: torchAdam(o, true), textbook: textbookAdam(o, true) });
const adam = (lr: number, o: AdamRef): Pick<Case, 'make' | 'lr' | 'torch' | 'textbook'> =>
  ({ make: (p) => new Adam(p, { lr, ...o }), lr, torch: torchAdam(o, false), textbook: textbookAdam(o, false) });

const SCHEDULE = [0.01, 0.02, 0.005, 0.0, 0.04, 0.01];

const CASES: Case[] = [
  { name: 'RMSprop, defaults', ...rms(0.01, {}) },
  { name: 'RMSprop, weight decay', ...rms(0.01, { weightDecay: 0.1 }) },
  { name: 'RMSprop, momentum', ...rms(0.005, { momentum: 0.9 }) },
  { name: 'RMSprop, centered', ...rms(0.01, { centered: true }) },
  { name: 'RMSprop, centered with momentum and weight decay', ...rms(0.003, { centered: true, momentum: 0.5, weightDecay: 0.05, alpha: 0.9, eps: 1e-6 }) },
  { name: 'RMSprop, alpha 0.6 and eps 1e-3', ...rms(0.02, { alpha: 0.6, eps: 1e-3 }) },
  { name: 'RMSprop, a learning-rate schedule', ...rms(0.01, { momentum: 0.8 }), lrs: SCHEDULE },
  { name: 'Adagrad, defaults', ...ada(0.01, {}) },
  { name: 'Adagrad, lrDecay', ...ada(0.1, { lrDecay: 0.3 }) },
  { name: 'Adagrad, weight decay', ...ada(0.05, { weightDecay: 0.2 }) },
  { name: 'Adagrad, initialAccumulatorValue and eps', ...ada(0.05, { initialAccumulatorValue: 0.1, eps: 1e-6 }) },
  { name: 'Adagrad, everything and a schedule', ...ada(0.05, { lrDecay: 0.1, weightDecay: 0.01, initialAccumulatorValue: 0.5 }), lrs: SCHEDULE },
  { name: 'AdamW, defaults (weightDecay 0.01)', ...adamw(1e-3, {}) },
  { name: 'AdamW, strong decay', ...adamw(0.05, { weightDecay: 0.5 }) },
  { name: 'AdamW, amsgrad', ...adamw(0.02, { amsgrad: true }) },
  { name: 'AdamW, amsgrad with betas and eps', ...adamw(0.02, { amsgrad: true, betas: [0.8, 0.9], eps: 1e-4, weightDecay: 0.1 }) },
  { name: 'AdamW, β₁ = 0 and no decay', ...adamw(0.03, { betas: [0, 0.99], eps: 1e-12, weightDecay: 0 }) },
  { name: 'AdamW, a learning-rate schedule', ...adamw(0.01, { weightDecay: 0.1, amsgrad: true }), lrs: SCHEDULE },
  { name: 'Adam, amsgrad', ...adam(0.02, { amsgrad: true }) },
  { name: 'Adam, amsgrad with weight decay, betas and eps', ...adam(0.05, { amsgrad: true, weightDecay: 0.1, betas: [0.8, 0.9], eps: 1e-4 }) },
  { name: 'Adam, amsgrad and a schedule', ...adam(0.01, { amsgrad: true, betas: [0.9, 0.5] }), lrs: SCHEDULE },
  { name: 'Adam, without amsgrad (the same reference)', ...adam(0.01, { weightDecay: 0.05 }) },
];

describe('RMSprop, Adagrad, AdamW and Adam with amsgrad follow PyTorch step by step (t = 1..6)', () => {
  describe.each(CASES)('$name', (c) => {
    test('bit for bit as PyTorch\'s _single_tensor_ function', () => {
      expectSameBits(runMinidl(c.make, c.lrs), runReference(c.torch, c.lr, c.lrs));
    });

    test('as the documentation\'s algorithm, to 1e-12', () => {
      expectClose(runMinidl(c.make, c.lrs), runReference(c.textbook, c.lr, c.lrs));
    });
  });

  test('the cases differ from each other (no two trajectories alike)', () => {
    const finals = CASES.map((c) => JSON.stringify(runMinidl(c.make, c.lrs)[STEPS - 1]));
    expect(new Set(finals).size).toBe(finals.length);
  });

  // PyTorch's lerp switches to b − (b − a)·(1 − w) for w ≥ ½; minidl always writes a + w·(b − a).
  test.each([
    ['RMSprop centered, alpha 0.3', (p: Parameter[]) => new RMSprop(p, { lr: 0.01, alpha: 0.3, centered: true }), torchRmsprop({ alpha: 0.3, centered: true }), 0.01],
    ['AdamW, β₁ = 0.5', (p: Parameter[]) => new AdamW(p, { lr: 0.02, betas: [0.5, 0.8] }), torchAdam({ betas: [0.5, 0.8] }, true), 0.02],
  ])('%s: the other form of lerp, the same numbers to 1e-13', (_name, make, reference, lr) => {
    expectClose(runMinidl(make), runReference(reference, lr), 1e-13);
  });
});

// ---------------------------------------------------------------------------------------------
// Numbers by hand, and properties of each rule
// ---------------------------------------------------------------------------------------------

describe('numbers a reader can check by hand', () => {
  const one = (values: number[]): Parameter => new Parameter(Tensor.from(values), 'w');

  test('RMSprop\'s first step: v = (1 − α)·g², so each weight moves by η·g/(√(1 − α)·|g| + ε) ≈ 10·η', () => {
    const p = one([1, -2, 3]);
    const optimizer = new RMSprop([p], { lr: 0.01 });
    p.grad.data.set([0.5, -4, 0]);
    optimizer.step();
    // (1 − α)·g² with α = 0.99; for g = 0 the step is 0/ε = 0
    const expected = [1 - (0.01 * 0.5) / (Math.sqrt(0.01) * 0.5 + 1e-8), -2 + (0.01 * 4) / (Math.sqrt(0.01) * 4 + 1e-8), 3];
    Array.from(p.value.data).forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
    expect(p.value.data[0]).toBeCloseTo(1 - 0.1, 6);
    expect(p.value.data[1]).toBeCloseTo(-2 + 0.1, 6);
    expect(p.value.data[2]).toBe(3);
  });

  test('Adagrad\'s first steps: √s = |g| at step 1, so each weight moves by about η; lrDecay divides η by 1 + (t − 1)·d', () => {
    const p = one([0, 0]);
    const optimizer = new Adagrad([p], { lr: 0.5, lrDecay: 1 });
    p.grad.data.set([2, -0.25]);
    optimizer.step();
    expect(p.value.data[0]).toBeCloseTo(-0.5, 9);
    expect(p.value.data[1]).toBeCloseTo(0.5, 9);
    p.grad.data.set([2, -0.25]);
    optimizer.step(); // η₂ = 0.5/2, s = 2·g²: w moves by η₂·g/(√2·|g|) more
    expect(p.value.data[0]).toBeCloseTo(-0.5 - 0.25 / Math.SQRT2, 9);
    expect(optimizer.state.get(p)?.step).toBe(2);
    expect(Array.from((optimizer.state.get(p)?.sum as Tensor).data)).toEqual([8, 0.125]);
  });

  test('AdamW with zero gradients only shrinks the weights: w·(1 − η·λ)ᵗ exactly', () => {
    const p = one([1.5, -2.5, 0]);
    const optimizer = new AdamW([p], { lr: 0.1, weightDecay: 0.5 });
    let expected = [1.5, -2.5, 0];
    for (let t = 0; t < 5; t++) {
      optimizer.step(); // the gradient stays 0: m = v = 0, the Adam step is 0/ε = 0
      expected = expected.map((w) => w * (1 - 0.1 * 0.5));
      expect(Array.from(p.value.data)).toEqual(expected);
    }
  });

  test('AdamW with weightDecay 0 is Adam, bit for bit, with and without amsgrad', () => {
    const run = (make: (p: Parameter[]) => Optimizer): Trajectory => runMinidl(make, SCHEDULE);
    for (const amsgrad of [false, true]) {
      expectSameBits(run((p) => new AdamW(p, { weightDecay: 0, betas: [0.8, 0.99], amsgrad })), run((p) => new Adam(p, { betas: [0.8, 0.99], amsgrad })));
    }
  });

  test('AdamW\'s decay is decoupled: it differs from Adam\'s coupled weight decay of the same λ', () => {
    const decoupled = runMinidl((p) => new AdamW(p, { lr: 0.05, weightDecay: 0.1 }));
    const coupled = runMinidl((p) => new Adam(p, { lr: 0.05, weightDecay: 0.1 }));
    // C's gradient is 0: AdamW shrinks it by 1 − η·λ per step; Adam's g = λ·w makes it move by ≈ η.
    expect(decoupled[0][2]).toEqual([1.5 * (1 - 0.005), -2.5 * (1 - 0.005)]);
    expect(coupled[0][2][0]).toBeCloseTo(1.5 - 0.05, 6);
  });

  test.each([
    ['AdamW', (p: Parameter[], amsgrad: boolean): Optimizer => new AdamW(p, { lr: 0.1, betas: [0.0, 0.5], weightDecay: 0, amsgrad })],
    ['Adam', (p: Parameter[], amsgrad: boolean): Optimizer => new Adam(p, { lr: 0.1, betas: [0.0, 0.5], amsgrad })],
  ])('%s: AMSGrad never lets the denominator shrink: after a large gradient, small ones take small steps', (_name, make) => {
    const steps = (amsgrad: boolean): number[] => {
      const p = one([0]);
      const optimizer = make([p], amsgrad);
      const moves: number[] = [];
      for (const g of [10, 0.1, 0.1, 0.1]) {
        const before = p.value.data[0];
        p.grad.data[0] = g;
        optimizer.step();
        moves.push(before - p.value.data[0]);
      }
      return moves;
    };
    const plain = steps(false), ams = steps(true);
    expect(ams[0]).toBe(plain[0]);
    // Plain Adam's v forgets the 10 (β₂ = 0.5), so its steps grow back; AMSGrad divides by the largest v so far.
    for (const t of [1, 2, 3]) expect(ams[t]).toBeLessThan(plain[t]);
    expect(plain[3]).toBeGreaterThan(plain[1]);
    expect(ams[3] / plain[3]).toBeLessThan(0.5);
  });

  test('momentum keeps RMSprop moving at a step where the gradient is 0; without it the weights stay', () => {
    const withMomentum = runMinidl((p) => new RMSprop(p, { lr: 0.01, momentum: 0.9 }));
    const plain = runMinidl((p) => new RMSprop(p, { lr: 0.01 }));
    expect(withMomentum[2][0].every((v, i) => v !== withMomentum[1][0][i])).toBe(true);
    expect(plain[2][0]).toEqual(plain[1][0]); // A's gradient is 0 at step 3
    for (const traj of [withMomentum, plain, runMinidl((p) => new Adagrad(p))]) {
      for (let t = 0; t < STEPS; t++) expect(traj[t][2]).toEqual(START[2]); // C's gradient is always 0
    }
  });
});

// ---------------------------------------------------------------------------------------------
// State, defaults, names
// ---------------------------------------------------------------------------------------------

describe('state, defaults and names', () => {
  const one = (): Parameter => new Parameter(Tensor.from([1, 2]), 'w');

  test.each([
    ['RMSprop', (p: Parameter[]) => new RMSprop(p), ['step', 'squareAvg']],
    ['RMSprop with momentum, centered', (p: Parameter[]) => new RMSprop(p, { momentum: 0.5, centered: true }), ['step', 'squareAvg', 'gradAvg', 'momentumBuffer']],
    ['Adagrad', (p: Parameter[]) => new Adagrad(p, { initialAccumulatorValue: 0.3 }), ['sum', 'step']],
    ['AdamW', (p: Parameter[]) => new AdamW(p), ['expAvg', 'expAvgSq', 'step']],
    ['AdamW with amsgrad', (p: Parameter[]) => new AdamW(p, { amsgrad: true }), ['expAvg', 'expAvgSq', 'maxExpAvgSq', 'step']],
    ['Adam with amsgrad', (p: Parameter[]) => new Adam(p, { amsgrad: true }), ['expAvg', 'expAvgSq', 'maxExpAvgSq', 'step']],
    ['Adam', (p: Parameter[]) => new Adam(p), ['expAvg', 'expAvgSq', 'step']],
  ])('%s keeps PyTorch\'s state names, made at the first step', (_name, make, names) => {
    const p = one();
    const optimizer = make([p]);
    expect(optimizer.state.size).toBe(0);
    p.grad.data.set([0.5, -1]);
    optimizer.step();
    const state = optimizer.state.get(p) as Record<string, unknown>;
    expect(Object.keys(state).sort()).toEqual([...names].sort());
    expect(state.step).toBe(1);
    for (const name of names) if (name !== 'step') expect((state[name] as Tensor).shape).toEqual([2]);
  });

  test('Adagrad\'s sum starts at initialAccumulatorValue', () => {
    const p = one();
    const optimizer = new Adagrad([p], { initialAccumulatorValue: 0.3 });
    p.grad.data.set([0.5, -1]);
    optimizer.step();
    expect(Array.from((optimizer.state.get(p)?.sum as Tensor).data)).toEqual([0.3 + 0.25, 0.3 + 1]);
  });

  test('defaults are PyTorch\'s', () => {
    const r = new RMSprop([one()]);
    expect([r.lr, r.alpha, r.eps, r.weightDecay, r.momentum, r.centered]).toEqual([1e-2, 0.99, 1e-8, 0, 0, false]);
    const a = new Adagrad([one()]);
    expect([a.lr, a.lrDecay, a.weightDecay, a.initialAccumulatorValue, a.eps]).toEqual([1e-2, 0, 0, 0, 1e-10]);
    const w = new AdamW([one()]);
    expect([w.lr, w.beta1, w.beta2, w.eps, w.weightDecay, w.amsgrad]).toEqual([1e-3, 0.9, 0.999, 1e-8, 1e-2, false]);
    expect(new Adam([one()]).amsgrad).toBe(false);
  });

  test('toString shows the hyper-parameters', () => {
    expect(String(new RMSprop([one()]))).toBe('RMSprop(lr=0.01, alpha=0.99, eps=1e-8)');
    expect(String(new RMSprop([one()], { momentum: 0.9, centered: true, weightDecay: 0.1 }))).toBe('RMSprop(lr=0.01, alpha=0.99, eps=1e-8, weightDecay=0.1, momentum=0.9, centered)');
    expect(String(new Adagrad([one()]))).toBe('Adagrad(lr=0.01, eps=1e-10)');
    expect(String(new Adagrad([one()], { lrDecay: 0.1, initialAccumulatorValue: 0.5 }))).toBe('Adagrad(lr=0.01, lrDecay=0.1, initialAccumulatorValue=0.5, eps=1e-10)');
    expect(String(new AdamW([one()]))).toBe('AdamW(lr=0.001, betas=[0.9, 0.999], eps=1e-8, weightDecay=0.01)');
    expect(String(new AdamW([one()], { amsgrad: true }))).toBe('AdamW(lr=0.001, betas=[0.9, 0.999], eps=1e-8, weightDecay=0.01, amsgrad)');
    expect(String(new Adam([one()], { amsgrad: true }))).toBe('Adam(lr=0.001, betas=[0.9, 0.999], eps=1e-8, amsgrad)');
  });

  test.each([
    ['RMSprop', (p: Parameter[]) => new RMSprop(p, { lr: 0.01, momentum: 0.7, centered: true, weightDecay: 0.01 })],
    ['Adagrad', (p: Parameter[]) => new Adagrad(p, { lr: 0.1, lrDecay: 0.2 })],
    ['AdamW', (p: Parameter[]) => new AdamW(p, { lr: 0.05, amsgrad: true })],
  ])('%s: each parameter evolves as if it had its own optimizer', (_name, make) => {
    const together = runMinidl(make);
    for (const k of [0, 1]) {
      const p = new Parameter(new Tensor(SHAPES[k], Float64Array.from(START[k])));
      const optimizer = make([p]);
      for (let t = 0; t < STEPS; t++) {
        p.grad.data.set(GRADS[t][k]);
        optimizer.step();
        expect(Array.from(p.value.data)).toEqual(together[t][k]);
      }
    }
  });
});

describe('with NeuralNet', () => {
  test.each([
    ['RMSprop', (p: Parameter[]) => new RMSprop(p, { lr: 0.01, momentum: 0.5 })],
    ['Adagrad', (p: Parameter[]) => new Adagrad(p, { lr: 0.3 })],
    ['AdamW', (p: Parameter[]) => new AdamW(p, { lr: 0.05, amsgrad: true })],
  ])('%s trains a linear regression down', (_name, make) => {
    const rng = new Rng('optim-extra');
    const x = randn(rng, [64, 3]);
    const w = [0.5, -1, 2];
    const y = new Tensor([64, 1]);
    for (let i = 0; i < 64; i++) y.data[i] = w[0] * x.data[3 * i] + w[1] * x.data[3 * i + 1] + w[2] * x.data[3 * i + 2];
    const model = new Linear(3, 1, { rng });
    const net = new NeuralNet(model, { loss: new MSELoss(), optimizer: make(model.params()), rng });
    const history = net.fit(x, y, { epochs: 30, batchSize: 16 });
    expect(history.loss[history.loss.length - 1]).toBeLessThan(history.loss[0] / 10);
  });
});

describe('a NaN or ±Infinity gradient is refused by step(), before anything moves', () => {
  const makers: Array<[string, (params: Parameter[]) => Optimizer]> = [
    ['SGD', (ps) => new SGD(ps, { lr: 0.1, momentum: 0.9 })],
    ['Adam', (ps) => new Adam(ps, { lr: 0.1, amsgrad: true })],
    ['AdamW', (ps) => new AdamW(ps, { lr: 0.1 })],
    ['RMSprop', (ps) => new RMSprop(ps, { lr: 0.1, centered: true, momentum: 0.5 })],
    ['Adagrad', (ps) => new Adagrad(ps, { lr: 0.1 })],
  ];
  test.each(makers)('%s: a MinidlError naming the parameter and the index; parameters and state as they were', (name, make) => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const a = new Parameter(Tensor.from([1, 2]), 'a'), b = new Parameter(Tensor.from([3, 4, 5]), 'b');
      const optimizer = make([a, b]);
      a.grad.data.set([0.5, -1]);
      b.grad.data.set([1, 2, 3]);
      optimizer.step(); //                                             a first step makes the state
      const values = [Array.from(a.value.data), Array.from(b.value.data)];
      const state = JSON.stringify(optimizer.stateDict());
      b.grad.data.set([1, bad, 3]);
      expect(() => optimizer.step()).toThrow(new RegExp(`^${name}\\.step: the gradient of parameter 1 \\(Parameter b \\[3\\]\\) holds ${String(bad).replace('+', '')} at flat index 1; nothing was updated`));
      expect([Array.from(a.value.data), Array.from(b.value.data)]).toEqual(values);
      expect(JSON.stringify(optimizer.stateDict())).toBe(state);
    }
  });
});
