import { MinidlError, checkPositive } from '../errors';
import { Rng } from '../random/rng';
import { Tensor } from '../tensor/tensor';

/**
 * Weight initialisation, with PyTorch's formulas and bounds (`torch.nn.init`).
 *
 * For a weight of shape [in, out] (minidl's Linear), fanIn = in and fanOut = out.
 *
 * | name             | distribution                                   |
 * |------------------|------------------------------------------------|
 * | `default`        | U(−1/√fanIn, 1/√fanIn) — PyTorch's Linear      |
 * | `normal`         | N(0, std²), std = 1 unless given               |
 * | `xavierUniform`  | U(−a, a), a = gain·√(6 / (fanIn + fanOut))     |
 * | `xavierNormal`   | N(0, σ²), σ = gain·√(2 / (fanIn + fanOut))     |
 * | `kaimingUniform` | U(−b, b), b = gain·√(3 / fan)                  |
 * | `kaimingNormal`  | N(0, σ²), σ = gain / √fan                      |
 * | `zeros`          | 0                                              |
 *
 * Xavier's gain is 1 unless given. Kaiming's fan is fanIn (mode `fanIn`, the default) or fanOut,
 * and its gain is `calculateGain(nonlinearity, a)`, with PyTorch's defaults
 * nonlinearity = 'leaky_relu' and a = 0, i.e. gain = √2 (He et al., 2015).
 */
export type InitName =
  | 'default'
  | 'normal'
  | 'xavierUniform'
  | 'xavierNormal'
  | 'kaimingUniform'
  | 'kaimingNormal'
  | 'zeros';

/** An initialiser with its settings, e.g. `{ kind: 'normal', std: 0.1 }`. */
export interface InitSpec {
  /** Which initialiser. */
  kind: InitName;
  /** Standard deviation for `normal` (default 1). */
  std?: number;
  /** Gain for the Xavier initialisers (default 1). */
  gain?: number;
  /** Which fan the Kaiming initialisers scale by (default `fanIn`). */
  mode?: 'fanIn' | 'fanOut';
  /** Nonlinearity that follows, for the Kaiming gain (default `leaky_relu`). */
  nonlinearity?: Nonlinearity;
  /** Negative slope of the leaky ReLU, for the Kaiming gain (default 0). */
  a?: number;
}

/** An initialiser by name, or with its settings. */
export type Init = InitName | InitSpec;

/** The nonlinearities `calculateGain` knows. */
export type Nonlinearity = 'linear' | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';

const INIT_NAMES: readonly InitName[] = ['default', 'normal', 'xavierUniform', 'xavierNormal', 'kaimingUniform', 'kaimingNormal', 'zeros'];

/**
 * The recommended gain for a nonlinearity, as `torch.nn.init.calculate_gain`:
 * linear and sigmoid 1, tanh 5/3, relu √2, leaky_relu √(2 / (1 + slope²)) (slope 0.01 unless
 * given), selu 3/4.
 */
export function calculateGain(nonlinearity: Nonlinearity, slope?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const s = slope ?? 0.01;
      if (!Number.isFinite(s)) throw new MinidlError(`calculateGain: negative slope must be a finite number, got ${s}`);
      return Math.sqrt(2 / (1 + s * s));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new MinidlError(`calculateGain: unknown nonlinearity '${String(nonlinearity)}'; expected one of linear, sigmoid, tanh, relu, leaky_relu, selu`);
  }
}

/** Fills `tensor` with U(low, high) draws. */
export function uniformInit(tensor: Tensor, low: number, high: number, rng: Rng): Tensor {
  rng.fillUniform(tensor.data, low, high);
  return tensor;
}

/** Fills `tensor` with N(mean, std²) draws. */
export function normalInit(tensor: Tensor, mean: number, std: number, rng: Rng): Tensor {
  rng.fillNormal(tensor.data, mean, std);
  return tensor;
}

/**
 * Fills `tensor` (a weight with the given fans) by the initialiser `init`.
 * `who` names the caller in error messages.
 */
export function initialize(tensor: Tensor, init: Init, fanIn: number, fanOut: number, rng: Rng, who = 'initialize'): Tensor {
  const spec: InitSpec = typeof init === 'string' ? { kind: init } : init;
  if (!spec || !INIT_NAMES.includes(spec.kind)) {
    throw new MinidlError(`${who}: unknown init ${JSON.stringify(init)}; expected one of ${INIT_NAMES.join(', ')}`);
  }
  switch (spec.kind) {
    case 'default': {
      const bound = 1 / Math.sqrt(fanIn);
      return uniformInit(tensor, -bound, bound, rng);
    }
    case 'normal':
      return normalInit(tensor, 0, checkPositive(who, 'init std', spec.std ?? 1, true), rng);
    case 'xavierUniform': {
      const gain = checkPositive(who, 'init gain', spec.gain ?? 1);
      const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
      return uniformInit(tensor, -bound, bound, rng);
    }
    case 'xavierNormal': {
      const gain = checkPositive(who, 'init gain', spec.gain ?? 1);
      return normalInit(tensor, 0, gain * Math.sqrt(2 / (fanIn + fanOut)), rng);
    }
    case 'kaimingUniform':
    case 'kaimingNormal': {
      const mode = spec.mode ?? 'fanIn';
      if (mode !== 'fanIn' && mode !== 'fanOut') {
        throw new MinidlError(`${who}: init mode must be 'fanIn' or 'fanOut', got ${JSON.stringify(mode)}`);
      }
      const fan = mode === 'fanIn' ? fanIn : fanOut;
      const gain = calculateGain(spec.nonlinearity ?? 'leaky_relu', spec.a ?? 0);
      if (spec.kind === 'kaimingUniform') {
        const bound = gain * Math.sqrt(3 / fan);
        return uniformInit(tensor, -bound, bound, rng);
      }
      return normalInit(tensor, 0, gain / Math.sqrt(fan), rng);
    }
    case 'zeros':
      tensor.data.fill(0);
      return tensor;
  }
}
