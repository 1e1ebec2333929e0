import { MinidlError, checkInteger, checkPositive, describeValue, jsonOrDescription } from '../errors';
import { OptionCheck, OptionSpec, aNumber, aString, readOptions } from '../options';
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
 *
 * Everything is checked before the first number is drawn, so a refused initialiser leaves the
 * tensor and the generator as they were: an unknown name, a spec with a setting its kind does
 * not read (`{ kind: 'xavierUniform', std: 0.1 }`, `a` with a nonlinearity other than
 * leaky_relu), a setting of the wrong type, and settings whose bound or standard deviation is
 * not a finite number (a gain of 1e308) are refused with a MinidlError. There are no init
 * functions: to set weights by hand, write into `layer.weight.value` after building the layer.
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

/** The settings each kind of init spec reads (any other key is refused). */
const SPEC_OPTIONS: Record<InitName, OptionSpec<InitSpec>> = (() => {
  const reads = (settings: Partial<Record<keyof InitSpec, OptionCheck>>): OptionSpec<InitSpec> =>
    ({ kind: aString, ...settings }) as unknown as OptionSpec<InitSpec>;
  const kaiming = reads({ mode: aString, nonlinearity: aString, a: aNumber });
  return {
    default: reads({}),
    zeros: reads({}),
    normal: reads({ std: aNumber }),
    xavierUniform: reads({ gain: aNumber }),
    xavierNormal: reads({ gain: aNumber }),
    kaimingUniform: kaiming,
    kaimingNormal: kaiming,
  };
})();

/**
 * The recommended gain for a nonlinearity, as `torch.nn.init.calculate_gain`:
 * linear and sigmoid 1, tanh 5/3, relu √2, leaky_relu √(2 / (1 + slope²)) (slope 0.01 unless
 * given), selu 3/4. A slope is read by leaky_relu only: given with another nonlinearity, it is
 * refused (PyTorch ignores it) rather than ignored.
 */
export function calculateGain(nonlinearity: Nonlinearity, slope?: number): number {
  if (slope !== undefined && nonlinearity !== 'leaky_relu' && NONLINEARITIES.includes(nonlinearity)) {
    throw new MinidlError(`calculateGain: a negative slope is read by 'leaky_relu' only; got slope ${describeNumber(slope)} with '${nonlinearity}' (leave it out)`);
  }
  switch (nonlinearity) {
    case 'linear':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const s = slope === undefined ? 0.01 : slope; // null is not a slope
      if (typeof s !== 'number' || !Number.isFinite(s)) throw new MinidlError(`calculateGain: negative slope must be a finite number, got ${describeNumber(s)}`);
      return Math.sqrt(2 / (1 + s * s));
    }
    case 'selu':
      return 3 / 4;
    default:
      throw new MinidlError(`calculateGain: unknown nonlinearity ${typeof nonlinearity === 'string' ? `'${nonlinearity}'` : describeValue(nonlinearity)}; expected one of ${NONLINEARITIES.join(', ')}`);
  }
}

/** The nonlinearities calculateGain knows, in PyTorch's order. */
const NONLINEARITIES: readonly Nonlinearity[] = ['linear', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu'];

/** A number as itself (`-1`, `NaN`), anything else described (`string '2'`). */
function describeNumber(value: unknown): string {
  return typeof value === 'number' ? String(value) : describeValue(value);
}

/** What an initialiser draws, once its settings are checked: every number finite. */
export type InitDraw =
  | { readonly distribution: 'uniform'; readonly low: number; readonly high: number }
  | { readonly distribution: 'normal'; readonly mean: number; readonly std: number }
  | { readonly distribution: 'zeros' };

/**
 * A normal draw is mean + std·z with |z| < 8.6 (Box–Muller from 53-bit uniforms): with
 * |mean| + 9·std finite, every draw is finite.
 */
const NORMAL_REACH = 9;

/** Throws unless U(low, high) is a finite interval whose every draw is finite. */
function checkUniform(who: string, low: unknown, high: unknown): void {
  if (typeof low !== 'number' || typeof high !== 'number' || !Number.isFinite(low) || !Number.isFinite(high) || !(low <= high) || !Number.isFinite(high - low)) {
    throw new MinidlError(`${who}: U(low, high) needs finite numbers low ≤ high (and a finite width high − low), got low ${describeNumber(low)}, high ${describeNumber(high)}`);
  }
}

/** Throws unless N(mean, std²) has a finite mean and a finite std ≥ 0 whose every draw is finite. */
function checkNormal(who: string, mean: unknown, std: unknown): void {
  const ok = typeof mean === 'number' && typeof std === 'number' && Number.isFinite(mean) && Number.isFinite(std) && std >= 0 &&
    Number.isFinite(Math.abs(mean) + NORMAL_REACH * std);
  if (!ok) {
    throw new MinidlError(`${who}: N(mean, std²) needs a finite mean and a finite std ≥ 0 (small enough that every draw is finite), got mean ${describeNumber(mean)}, std ${describeNumber(std)}`);
  }
}

/** Throws unless `rng` is an Rng. */
function checkRng(who: string, rng: unknown): asserts rng is Rng {
  if (!(rng instanceof Rng)) throw new MinidlError(`${who}: rng must be an Rng such as new Rng(42) or defaultRng(), got ${describeValue(rng)}`);
}

/** Throws unless `tensor` is a Tensor. */
function checkTensor(who: string, tensor: unknown): asserts tensor is Tensor {
  if (!(tensor instanceof Tensor)) throw new MinidlError(`${who}: tensor must be a Tensor, got ${describeValue(tensor)}`);
}

/** True for `{ … }` literals (not arrays, functions, class instances). */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * True for what could be an initialiser: a string, a `{ … }` spec, or a function (refused by
 * `planInit` with its own message). For option readers: an Rng or a number is not.
 */
export function isInitLike(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'function' || isPlainObject(value);
}

/**
 * Reads and checks the initialiser `init` for a weight with the given fans, and returns what it
 * draws; throws a MinidlError naming `who` for anything it would not use as written (see the
 * top of this file). Nothing is drawn: `fillInit` draws.
 */
export function planInit(init: unknown, fanIn: number, fanOut: number, who = 'initialize'): InitDraw {
  let spec: InitSpec;
  if (typeof init === 'string') {
    if (!INIT_NAMES.includes(init as InitName)) {
      throw new MinidlError(`${who}: unknown init ${jsonOrDescription(init)}; expected one of ${INIT_NAMES.join(', ')}`);
    }
    spec = { kind: init as InitName };
  } else if (isPlainObject(init)) {
    if (!INIT_NAMES.includes(init.kind as InitName)) {
      throw new MinidlError(`${who}: unknown init ${jsonOrDescription(init)}; expected one of ${INIT_NAMES.join(', ')} (as a name, or as the kind of a spec such as { kind: 'normal', std: 0.1 })`);
    }
    spec = readOptions(`${who}: init '${String(init.kind)}'`, init, SPEC_OPTIONS[init.kind as InitName]) as InitSpec;
  } else {
    const hint = typeof init === 'function' ? ' (there are no init functions: write into layer.weight.value after building the layer)' : '';
    throw new MinidlError(`${who}: init must be a name such as 'xavierUniform' or a spec such as { kind: 'normal', std: 0.1 }, got ${describeValue(init)}${hint}; names: ${INIT_NAMES.join(', ')}`);
  }
  const draw = drawOf(spec, fanIn, fanOut, who);
  // the settings are finite; their products may not be (a gain of 1e308): every draw must be finite
  const settings = `${who}: init ${typeof init === 'string' ? `'${init}'` : jsonOrDescription(init)} for fans ${fanIn} and ${fanOut}`;
  if (draw.distribution === 'uniform') checkUniform(settings, draw.low, draw.high);
  if (draw.distribution === 'normal') checkNormal(settings, draw.mean, draw.std);
  return draw;
}

/** What a read spec draws, by PyTorch's formulas (settings checked for type and sign, not yet the result). */
function drawOf(spec: InitSpec, fanIn: number, fanOut: number, who: string): InitDraw {
  switch (spec.kind) {
    case 'default': {
      const bound = 1 / Math.sqrt(fanIn);
      return { distribution: 'uniform', low: -bound, high: bound };
    }
    case 'normal':
      return { distribution: 'normal', mean: 0, std: checkPositive(who, 'init std', spec.std ?? 1, true) };
    case 'xavierUniform': {
      const gain = checkPositive(who, 'init gain', spec.gain ?? 1);
      const bound = gain * Math.sqrt(6 / (fanIn + fanOut));
      return { distribution: 'uniform', low: -bound, high: bound };
    }
    case 'xavierNormal': {
      const gain = checkPositive(who, 'init gain', spec.gain ?? 1);
      return { distribution: 'normal', mean: 0, std: gain * Math.sqrt(2 / (fanIn + fanOut)) };
    }
    case 'kaimingUniform':
    case 'kaimingNormal': {
      const mode = spec.mode ?? 'fanIn';
      if (mode !== 'fanIn' && mode !== 'fanOut') {
        throw new MinidlError(`${who}: init mode must be 'fanIn' or 'fanOut', got ${jsonOrDescription(mode)}`);
      }
      const fan = mode === 'fanIn' ? fanIn : fanOut;
      const nonlinearity = spec.nonlinearity ?? 'leaky_relu';
      if (spec.a !== undefined && nonlinearity !== 'leaky_relu') {
        throw new MinidlError(`${who}: init '${spec.kind}': 'a' is the slope of leaky_relu and has no effect with nonlinearity '${nonlinearity}' (leave it out)`);
      }
      const gain = calculateGain(nonlinearity, nonlinearity === 'leaky_relu' ? spec.a ?? 0 : undefined);
      if (spec.kind === 'kaimingUniform') {
        const bound = gain * Math.sqrt(3 / fan);
        return { distribution: 'uniform', low: -bound, high: bound };
      }
      return { distribution: 'normal', mean: 0, std: gain / Math.sqrt(fan) };
    }
    case 'zeros':
      return { distribution: 'zeros' };
  }
}

/** Fills `tensor` with the draws `draw` describes (from `planInit`), from `rng`. */
export function fillInit(tensor: Tensor, draw: InitDraw, rng: Rng): Tensor {
  switch (draw.distribution) {
    case 'uniform':
      rng.fillUniform(tensor.data, draw.low, draw.high);
      return tensor;
    case 'normal':
      rng.fillNormal(tensor.data, draw.mean, draw.std);
      return tensor;
    case 'zeros':
      tensor.data.fill(0);
      return tensor;
  }
}

/**
 * Fills `tensor` with U(low, high) draws. Throws a MinidlError, before drawing anything, unless
 * low ≤ high are finite (with a finite width) and `rng` is an Rng.
 */
export function uniformInit(tensor: Tensor, low: number, high: number, rng: Rng): Tensor {
  checkTensor('uniformInit', tensor);
  checkUniform('uniformInit', low, high);
  checkRng('uniformInit', rng);
  rng.fillUniform(tensor.data, low, high);
  return tensor;
}

/**
 * Fills `tensor` with N(mean, std²) draws. Throws a MinidlError, before drawing anything, unless
 * mean and std ≥ 0 are finite (every draw then is) and `rng` is an Rng.
 */
export function normalInit(tensor: Tensor, mean: number, std: number, rng: Rng): Tensor {
  checkTensor('normalInit', tensor);
  checkNormal('normalInit', mean, std);
  checkRng('normalInit', rng);
  rng.fillNormal(tensor.data, mean, std);
  return tensor;
}

/**
 * Fills `tensor` (a weight with the given fans, whole numbers ≥ 1) by the initialiser `init`.
 * `who` names the caller in error messages. Everything is checked before the first draw, so a
 * MinidlError leaves the tensor and `rng` as they were.
 */
export function initialize(tensor: Tensor, init: Init, fanIn: number, fanOut: number, rng: Rng, who = 'initialize'): Tensor {
  if (typeof who !== 'string') throw new MinidlError(`initialize: who must be a string (the caller's name, for messages), got ${describeValue(who)}`);
  checkTensor(who, tensor);
  checkInteger(who, 'fanIn', fanIn);
  checkInteger(who, 'fanOut', fanOut);
  checkRng(who, rng);
  return fillInit(tensor, planInit(init, fanIn, fanOut, who), rng);
}
