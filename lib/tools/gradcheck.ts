import { MinidlError, checkPositive, describeValue, formatShape } from '../errors';
import { Loss } from '../losses/loss';
import { generatorsOf, modulesInTree } from '../modules/containers/sequential';
import { Module } from '../modules/module';
import { Parameter } from '../modules/parameter';
import { aNumber, readOptions, satisfying } from '../options';
import { Rng, RngState } from '../random/rng';
import { Tensor } from '../tensor/tensor';

/** Options of `gradcheck`. */
export interface GradcheckOptions {
  /** Step h of the central differences: a finite number > 0 (default 1e-6). */
  h?: number;
  /** Largest relative error that passes: a finite number > 0 (default 1e-6). */
  tolerance?: number;
  /** Seed of the random upstream gradient R, for a module only (default 0). */
  seed?: number | string;
}

/** The comparison for one tensor: the input, or one parameter. */
export interface GradcheckEntry {
  /** `input`, or the parameter's position and name, e.g. `params[0] weight`. */
  name: string;
  /** Its shape. */
  shape: readonly number[];
  /** max |analytic − numeric|. */
  maxAbsError: number;
  /** max |analytic − numeric| / max(1e-8, largest |analytic| or |numeric| in the tensor). */
  maxRelError: number;
  /** Flat index of the worst entry. */
  worstIndex: number;
  /** The backward pass's value where the relative error is largest. */
  analyticAtWorst: number;
  /** The finite-difference value at the same place. */
  numericAtWorst: number;
  /** True when `maxRelError` is within the tolerance. */
  ok: boolean;
}

/** What `gradcheck` returns. */
export interface GradcheckReport {
  /** True when every entry passes (and, for a module, its backward accumulates). */
  ok: boolean;
  /** The largest relative error that passes. */
  tolerance: number;
  /** One comparison per checked tensor: the input, then each parameter. */
  entries: GradcheckEntry[];
  /** The largest relative error over all entries. */
  worstRelError: number;
  /**
   * For a module with parameters: true when a second backward adds to the parameter
   * gradients (+=) instead of overwriting them (=), as the Module contract requires.
   */
  accumulates: boolean | null;
  /**
   * True when the forward pass drew random numbers (Dropout in training mode): every evaluation
   * then started each generator from the same state, so the check is of one fixed draw (one
   * dropout mask), and the summary says so.
   */
  heldRandomness: boolean;
  /** A readable table of the results. */
  summary: string;
}

/**
 * Checks a module's (or a loss's) analytic gradients against central finite differences,
 * for the input and for every parameter.
 *
 * For a module, a random upstream gradient R (seeded) turns the output into a number,
 *   f(x, θ) = Σ R ⊙ module.forward(x),
 * so ∂f/∂x = module.backward(R), and ∂f/∂θ is what backward accumulates into each θ.grad.
 * For a loss, f(pred) = loss.forward(pred, target) and ∂f/∂pred = loss.backward().
 * Each entry v of the input and of every parameter is then checked against
 *   (f(v + h) − f(v − h)) / 2h.
 *
 * Computation is in float64, so a correct layer gives relative errors around 1e-9 or smaller.
 * Keep inputs of ReLU-like layers away from the kink at 0 (a difference across a kink is not a
 * derivative).
 *
 * **Every evaluation starts from the same state.** Before each forward, gradcheck puts back the
 * buffers (BatchNorm's running statistics) and the generators: the global one (`manualSeed`)
 * and every `Rng` held in a field of a module of the tree (Dropout's `rng` option). So Dropout in
 * training mode draws the same mask every time and is checked with that mask
 * (`report.heldRandomness`). A forward that still gives two results for the same input (random
 * numbers from elsewhere, or state kept from call to call) makes gradcheck throw: differences
 * of it would mean nothing.
 *
 * **Nothing is left changed.** Afterwards — also when it throws midway — the parameters, their
 * gradients, the buffers, the training mode of every module and the generators are exactly as
 * before (like PyTorch's `gradcheck`, which leaves `.grad` alone). The input is not changed.
 *
 * Throws a MinidlError for a first argument that is neither a Module nor a Loss, an input that
 * is not a readable Tensor of finite values, a loss without its target, options that
 * `readOptions` refuses (unknown key, wrong type, null), h or tolerance not finite and > 0, a
 * seed that is NaN or ±Infinity, a seed for a loss (it has no upstream gradient), or extra
 * arguments.
 *
 * ```ts
 * const report = gradcheck(new Linear(3, 4), Tensor.from([[1, 2, 3], [4, 5, 6]]));
 * console.log(report.summary);        // one line per tensor; report.ok is true
 * ```
 */
export function gradcheck(target: Module, input: Tensor, options?: GradcheckOptions): GradcheckReport;
export function gradcheck(target: Loss, pred: Tensor, lossTarget: Tensor | ArrayLike<number>, options?: GradcheckOptions): GradcheckReport;
export function gradcheck(
  target: Module | Loss,
  input: Tensor,
  third?: Tensor | ArrayLike<number> | GradcheckOptions,
  fourth?: GradcheckOptions,
  ...extra: unknown[]
): GradcheckReport {
  const count = 4 + extra.length;
  if (target instanceof Loss) {
    if (extra.length > 0) throw new MinidlError(`gradcheck: expected (loss, pred, target, options?), got ${count} arguments`);
    checkInput('pred', input);
    if (third === undefined || third === null) {
      throw new MinidlError(`gradcheck: checking ${target} needs the loss's target as third argument: gradcheck(loss, pred, target, options?), got ${describeValue(third)}`);
    }
    if (isPlainObject(third)) {
      throw new MinidlError(`gradcheck: checking ${target} needs the loss's target as third argument, got an options object (write gradcheck(loss, pred, target, options))`);
    }
    const settings = readSettings(fourth, 'loss');
    return checkLoss(target, input, third as Tensor, settings);
  }
  if (target instanceof Module) {
    if (fourth !== undefined || extra.length > 0) {
      throw new MinidlError(`gradcheck: expected (module, input, options?) for a Module, got a fourth argument ${describeValue(fourth)} (a target is only for a Loss)`);
    }
    checkInput('input', input);
    if (third instanceof Tensor || Array.isArray(third) || ArrayBuffer.isView(third)) {
      throw new MinidlError(`gradcheck: the third argument of gradcheck(module, input, options?) is the options object, got ${describeValue(third)} (a target is only for a Loss)`);
    }
    return checkModule(target, input, readSettings(third, 'module'));
  }
  throw new MinidlError(`gradcheck: expected a Module or a Loss as first argument, got ${describeTarget(target)}`);
}

/** What the first argument is, with a hint for a class instead of an instance and for swapped arguments. */
function describeTarget(value: unknown): string {
  if (typeof value === 'function' && ((value as { prototype?: unknown }).prototype instanceof Module || (value as { prototype?: unknown }).prototype instanceof Loss)) {
    const name = (value as { name: string }).name;
    return `the class ${name}, not an instance (did you mean new ${name}(…)?)`;
  }
  if (value instanceof Tensor) return `${describeValue(value)} of shape ${formatShape(value.shape)} (the module comes first: gradcheck(module, input))`;
  return describeValue(value);
}

/** Refuses an input that is not a Tensor, a released temporary, or that holds NaN or ±Infinity. */
function checkInput(name: string, input: Tensor): void {
  if (!(input instanceof Tensor)) {
    const hint = Array.isArray(input) ? ' (make one with Tensor.from([[…]]))' : '';
    throw new MinidlError(`gradcheck: ${name} must be a Tensor, got ${describeValue(input)}${hint}`);
  }
  if (!input.readable) throw new MinidlError(`gradcheck: ${name} is a temporary tensor whose step has ended; its values can no longer be read`);
  const bad = input.firstNonFinite();
  if (bad >= 0) {
    throw new MinidlError(`gradcheck: ${name} holds a non-finite value (${input.data[bad]}) at flat index ${bad} of shape ${formatShape(input.shape)}`);
  }
}

function isPlainObject(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A number or a string, as `Rng` accepts for a seed. */
const aSeed = satisfying('a number or a string', (v) => typeof v === 'number' || typeof v === 'string');

/** The options, read whole and checked before anything is touched. */
interface Settings {
  h: number;
  tolerance: number;
  seed: number | string;
}

function readSettings(options: unknown, kind: 'module' | 'loss'): Settings {
  const read = readOptions<GradcheckOptions>('gradcheck', options, { h: aNumber, tolerance: aNumber, seed: aSeed });
  const h = checkPositive('gradcheck', 'h', read.h ?? 1e-6);
  const tolerance = checkPositive('gradcheck', 'tolerance', read.tolerance ?? 1e-6);
  const seed = read.seed ?? 0;
  if (typeof seed === 'number' && !Number.isFinite(seed)) {
    throw new MinidlError(`gradcheck: seed must be a finite number or a string, got ${seed}`);
  }
  if (kind === 'loss' && read.seed !== undefined) {
    throw new MinidlError(`gradcheck: option 'seed' picks the random upstream gradient of a module; a loss has none (its output is already a number), so leave it out`);
  }
  return { h, tolerance, seed };
}

/**
 * What gradcheck may change, saved at the start: parameters (values and gradients), buffers,
 * the training mode of every module, and the generators. `startEvaluation` puts back the
 * buffers and the generators before each forward; `restore` puts back everything at the end.
 */
class SavedState {
  private readonly params: { p: Parameter; value: Float64Array; grad: Float64Array }[];
  private readonly buffers: { tensor: Tensor; saved: Float64Array }[];
  private readonly modes: { m: Module; training: boolean }[];
  private readonly generators: { rng: Rng; state: RngState; text: string }[];

  constructor(owner: Module | Loss) {
    const modules = owner instanceof Module ? modulesInTree(owner) : [];
    const params = new Set<Parameter>();
    for (const m of modules) for (const p of m.params()) params.add(p);
    this.params = [...params].map((p) => ({ p, value: p.value.data.slice(), grad: p.grad.data.slice() }));
    const buffers = new Set<Tensor>();
    for (const m of modules) for (const b of m.buffers()) buffers.add(b.value);
    this.buffers = [...buffers].map((tensor) => ({ tensor, saved: tensor.data.slice() }));
    this.modes = modules.map((m) => ({ m, training: m.training }));
    this.generators = generatorsOf([owner, ...modules]).map((rng) => {
      const state = rng.state();
      return { rng, state, text: JSON.stringify(state) };
    });
  }

  /** Puts back the buffers and the generators, so the next forward sees what the first one saw. */
  startEvaluation(): void {
    for (const b of this.buffers) b.tensor.data.set(b.saved);
    for (const g of this.generators) g.rng.setState(g.state);
  }

  /** True when some generator has moved since the last `startEvaluation`. */
  randomnessUsed(): boolean {
    return this.generators.some((g) => JSON.stringify(g.rng.state()) !== g.text);
  }

  /** Puts back everything saved. */
  restore(): void {
    for (const s of this.params) {
      s.p.value.data.set(s.value);
      s.p.grad.data.set(s.grad);
    }
    this.startEvaluation();
    for (const s of this.modes) s.m.training = s.training;
  }
}

function checkModule(module: Module, input: Tensor, settings: Settings): GradcheckReport {
  const saved = new SavedState(module);
  try {
    return compareModule(module, input, settings, saved);
  } finally {
    saved.restore();
  }
}

function compareModule(module: Module, input: Tensor, { h, tolerance, seed }: Settings, saved: SavedState): GradcheckReport {
  const params = module.params();
  const x = input.clone();
  const zeroGrads = (): void => { for (const p of params) p.grad.data.fill(0); };
  let outputShape: readonly number[] | null = null;
  /** One forward from the saved state; its output must be a Tensor of the first output's shape. */
  const forward = (): Tensor => {
    saved.startEvaluation();
    const y = module.forward(x);
    if (!(y instanceof Tensor)) throw new MinidlError(`gradcheck: ${module}.forward returned ${describeValue(y)}, expected a Tensor`);
    if (outputShape !== null && !y.hasShape(outputShape)) {
      throw new MinidlError(`gradcheck: ${module}.forward returned shape ${formatShape(outputShape)} at first, then ${formatShape(y.shape)}, for the same input`);
    }
    return y;
  };

  // Analytic gradients.
  zeroGrads();
  const output = forward();
  outputShape = output.shape;
  const heldRandomness = saved.randomnessUsed();
  const upstream = new Rng(seed).fillNormal(new Float64Array(output.size));
  /** f = Σ R ⊙ y. */
  const weigh = (y: Tensor): number => {
    const values = y.data;
    let s = 0;
    for (let i = 0; i < values.length; i++) s += upstream[i] * values[i];
    return s;
  };
  const atStart = weigh(output);
  const analyticInput = module.backward(new Tensor(outputShape, upstream.slice()));
  if (!(analyticInput instanceof Tensor) || !analyticInput.hasShape(x.shape)) {
    const got = analyticInput instanceof Tensor ? `shape ${formatShape(analyticInput.shape)}` : describeValue(analyticInput);
    throw new MinidlError(`gradcheck: ${module}.backward returned ${got}, expected the input's shape ${formatShape(x.shape)}`);
  }
  const analyticInputCopy = analyticInput.clone();
  const analyticParams = params.map((p) => p.grad.clone());

  // A second backward must add to the parameter gradients (the Module contract).
  let accumulates: boolean | null = null;
  if (params.length > 0) {
    forward();
    module.backward(new Tensor(outputShape, upstream.slice()));
    accumulates = params.every((p, k) => p.grad.data.every((g, i) => closeTo(g, 2 * analyticParams[k].data[i])));
  }
  zeroGrads();

  const f = (): number => weigh(forward());
  checkRepeatable(`${module}.forward`, atStart, f());
  const entries = [compare('input', analyticInputCopy, numericGradient(x, f, h), tolerance)];
  params.forEach((p, k) => {
    entries.push(compare(`params[${k}] ${p.name}`, analyticParams[k], numericGradient(p.value, f, h), tolerance));
  });
  return report(entries, tolerance, accumulates, heldRandomness, `${module}`);
}

function checkLoss(loss: Loss, pred: Tensor, target: Tensor, { h, tolerance }: Settings): GradcheckReport {
  const saved = new SavedState(loss);
  try {
    const p = pred.clone();
    const f = (): number => {
      saved.startEvaluation();
      return loss.forward(p, target);
    };
    const atStart = f();
    const heldRandomness = saved.randomnessUsed();
    const analytic = loss.backward();
    if (!(analytic instanceof Tensor) || !analytic.hasShape(p.shape)) {
      const got = analytic instanceof Tensor ? `shape ${formatShape(analytic.shape)}` : describeValue(analytic);
      throw new MinidlError(`gradcheck: ${loss}.backward returned ${got}, expected pred's shape ${formatShape(p.shape)}`);
    }
    const analyticCopy = analytic.clone();
    checkRepeatable(`${loss}.forward`, atStart, f());
    const numeric = numericGradient(p, f, h);
    return report([compare('pred', analyticCopy, numeric, tolerance)], tolerance, null, heldRandomness, `${loss}`);
  } finally {
    saved.restore();
  }
}

/** Throws when the same evaluation gave two different numbers: finite differences of it would mean nothing. */
function checkRepeatable(who: string, first: number, again: number): void {
  if (Object.is(first, again)) return;
  throw new MinidlError(
    `gradcheck: ${who} gave ${first}, then ${again}, for the same input and parameters, so finite differences of it mean nothing. ` +
    'It draws random numbers gradcheck cannot hold fixed (it holds the global generator and every Rng kept in a field of a module), ' +
    'or keeps state from call to call: switch such modules to eval(), or give them their generator as an rng option',
  );
}

/**
 * Central differences of f with respect to every entry of `tensor` (changed in place, then put
 * back; if f throws, the caller's `restore` puts it back).
 */
function numericGradient(tensor: Tensor, f: () => number, h: number): Float64Array {
  const values = tensor.data;
  const grad = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const saved = values[i];
    try {
      values[i] = saved + h;
      const plus = f();
      values[i] = saved - h;
      const minus = f();
      grad[i] = (plus - minus) / (2 * h);
    } finally {
      values[i] = saved;
    }
  }
  return grad;
}

function compare(name: string, analytic: Tensor, numeric: Float64Array, tolerance: number): GradcheckEntry {
  let scale = 0;
  for (let i = 0; i < numeric.length; i++) scale = Math.max(scale, Math.abs(analytic.data[i]), Math.abs(numeric[i]));
  let maxAbsError = 0;
  let worstIndex = 0;
  for (let i = 0; i < numeric.length; i++) {
    const err = Math.abs(analytic.data[i] - numeric[i]);
    if (err > maxAbsError || Number.isNaN(err)) {
      maxAbsError = err;
      worstIndex = i;
      if (Number.isNaN(err)) break;
    }
  }
  const maxRelError = maxAbsError / Math.max(1e-8, scale);
  return {
    name,
    shape: analytic.shape,
    maxAbsError,
    maxRelError,
    worstIndex,
    analyticAtWorst: analytic.data[worstIndex],
    numericAtWorst: numeric[worstIndex],
    ok: maxRelError <= tolerance,
  };
}

function report(entries: GradcheckEntry[], tolerance: number, accumulates: boolean | null, heldRandomness: boolean, who: string): GradcheckReport {
  const worstRelError = Math.max(...entries.map((e) => (Number.isNaN(e.maxRelError) ? Infinity : e.maxRelError)));
  const ok = entries.every((e) => e.ok) && accumulates !== false;
  const lines = [`gradcheck ${who}: ${ok ? 'ok' : 'FAILED'} (tolerance ${tolerance})`];
  for (const e of entries) {
    lines.push(`  ${e.ok ? 'ok  ' : 'FAIL'} ${e.name.padEnd(20)} ${formatShape(e.shape).padEnd(12)} max rel error ${e.maxRelError.toExponential(2)}` +
      (e.ok ? '' : ` (worst at flat index ${e.worstIndex}: analytic ${e.analyticAtWorst}, numeric ${e.numericAtWorst})`));
  }
  if (accumulates === false) lines.push('  FAIL backward overwrites the parameter gradients (=) instead of adding to them (+=)');
  if (heldRandomness) lines.push('  note: forward draws random numbers; every evaluation started the generators from the same state (one fixed draw)');
  return { ok, tolerance, entries, worstRelError, accumulates, heldRandomness, summary: lines.join('\n') };
}

function closeTo(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b));
}
