import { MinidlError, formatShape } from '../errors';
import { Loss } from '../losses/loss';
import { Module, describe } from '../modules/module';
import { Rng } from '../random/rng';
import { Tensor } from '../tensor/tensor';

/** Options of `gradcheck`. */
export interface GradcheckOptions {
  /** Step h of the central differences (default 1e-6). */
  h?: number;
  /** Largest relative error that passes (default 1e-6). */
  tolerance?: number;
  /** Seed of the random upstream gradient R for a module (default 0). */
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
  /** True when every tensor passed and (for a module) parameter gradients accumulate. */
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
 * derivative). The module is left with zeroed parameter gradients and unchanged parameters.
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
): GradcheckReport {
  if (!(input instanceof Tensor)) throw new MinidlError(`gradcheck: input must be a Tensor, got ${describe(input)}`);
  if (target instanceof Loss) {
    if (third === undefined) throw new MinidlError(`gradcheck: checking ${target} needs the loss's target as third argument`);
    return checkLoss(target, input, third as Tensor, fourth ?? {});
  }
  if (target instanceof Module) return checkModule(target, input, (third as GradcheckOptions | undefined) ?? {});
  throw new MinidlError(`gradcheck: expected a Module or a Loss, got ${describe(target)}`);
}

function readOptions(options: GradcheckOptions): { h: number; tolerance: number } {
  const h = options.h ?? 1e-6;
  const tolerance = options.tolerance ?? 1e-6;
  if (!(h > 0 && Number.isFinite(h))) throw new MinidlError(`gradcheck: h must be a finite number > 0, got ${h}`);
  if (!(tolerance > 0)) throw new MinidlError(`gradcheck: tolerance must be > 0, got ${tolerance}`);
  return { h, tolerance };
}

function checkModule(module: Module, input: Tensor, options: GradcheckOptions): GradcheckReport {
  const { h, tolerance } = readOptions(options);
  const params = module.params();
  const x = input.clone();

  // Analytic gradients.
  module.zeroGrad();
  const output = module.forward(x);
  const upstream = new Rng(options.seed ?? 0).fillNormal(new Float64Array(output.size));
  const R = new Tensor(output.shape, upstream);
  const analyticInput = module.backward(R).clone();
  const analyticParams = params.map((p) => p.grad.clone());

  // A second backward must add to the parameter gradients (the Module contract).
  let accumulates: boolean | null = null;
  if (params.length > 0) {
    module.forward(x);
    module.backward(R);
    accumulates = params.every((p, k) => p.grad.data.every((g, i) => closeTo(g, 2 * analyticParams[k].data[i])));
  }
  module.zeroGrad();

  const f = (): number => {
    const y = module.forward(x).data;
    let s = 0;
    for (let i = 0; i < y.length; i++) s += upstream[i] * y[i];
    return s;
  };
  if (!analyticInput.hasShape(x.shape)) {
    throw new MinidlError(`gradcheck: ${module}.backward returned shape ${formatShape(analyticInput.shape)}, expected the input's shape ${formatShape(x.shape)}`);
  }
  const entries = [compare('input', analyticInput, numericGradient(x.data, f, h), tolerance)];
  params.forEach((p, k) => {
    entries.push(compare(`params[${k}] ${p.name}`, analyticParams[k], numericGradient(p.value.data, f, h), tolerance));
  });
  return report(entries, tolerance, accumulates, `${module}`);
}

function checkLoss(loss: Loss, pred: Tensor, target: Tensor, options: GradcheckOptions): GradcheckReport {
  const { h, tolerance } = readOptions(options);
  const p = pred.clone();
  loss.forward(p, target);
  const analytic = loss.backward().clone();
  if (!analytic.hasShape(p.shape)) {
    throw new MinidlError(`gradcheck: ${loss}.backward returned shape ${formatShape(analytic.shape)}, expected pred's shape ${formatShape(p.shape)}`);
  }
  const numeric = numericGradient(p.data, () => loss.forward(p, target), h);
  return report([compare('pred', analytic, numeric, tolerance)], tolerance, null, `${loss}`);
}

/** Central differences of f with respect to every entry of `values` (changed in place, then restored). */
function numericGradient(values: Float64Array, f: () => number, h: number): Float64Array {
  const grad = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const saved = values[i];
    values[i] = saved + h;
    const plus = f();
    values[i] = saved - h;
    const minus = f();
    values[i] = saved;
    grad[i] = (plus - minus) / (2 * h);
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

function report(entries: GradcheckEntry[], tolerance: number, accumulates: boolean | null, who: string): GradcheckReport {
  const worstRelError = Math.max(...entries.map((e) => (Number.isNaN(e.maxRelError) ? Infinity : e.maxRelError)));
  const ok = entries.every((e) => e.ok) && accumulates !== false;
  const lines = [`gradcheck ${who}: ${ok ? 'ok' : 'FAILED'} (tolerance ${tolerance})`];
  for (const e of entries) {
    lines.push(`  ${e.ok ? 'ok  ' : 'FAIL'} ${e.name.padEnd(20)} ${formatShape(e.shape).padEnd(12)} max rel error ${e.maxRelError.toExponential(2)}` +
      (e.ok ? '' : ` (worst at flat index ${e.worstIndex}: analytic ${e.analyticAtWorst}, numeric ${e.numericAtWorst})`));
  }
  if (accumulates === false) lines.push('  FAIL backward overwrites the parameter gradients (=) instead of adding to them (+=)');
  return { ok, tolerance, entries, worstRelError, accumulates, summary: lines.join('\n') };
}

function closeTo(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b));
}
