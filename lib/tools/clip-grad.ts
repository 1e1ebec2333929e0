import { MinidlError, checkArgumentCount, describeValue } from '../errors';
import { Module } from '../modules/module';
import { Parameter } from '../modules/parameter';
import { OptionSpec, aBoolean, aNumber, readOptions } from '../options';

/** Options of `clipGradNorm` (PyTorch's defaults). */
export interface ClipGradNormOptions {
  /** p of the p-norm: a number > 0, or Infinity for the largest |entry| (default 2). */
  normType?: number;
  /** Throw, and change nothing, when the total norm is NaN or ±Infinity (default false: scale by it anyway, as PyTorch). */
  errorIfNonfinite?: boolean;
}

/**
 * Gradient clipping by norm (PyTorch's `torch.nn.utils.clip_grad_norm_`): call it between
 * `backward` and the optimizer's `step`, so that one huge gradient (an exploding RNN, a bad
 * batch) cannot throw the weights far away. All the gradients together are seen as one long
 * vector g, and scaled down when its norm is larger than maxNorm:
 *
 *   total = ‖g‖_p = (Σ |gᵢ|^p)^(1/p)          (p = Infinity: total = max |gᵢ|)
 *   c     = min(1, maxNorm / (total + 1e-6))
 *   g     ← c·g                                 (every gradient, in place)
 *
 * The direction of g is kept; only its length changes. The 1e-6 keeps c finite when total is 0.
 * As in PyTorch, the norm of each gradient is taken first and then the norm of those norms
 * (the same number), and every gradient is multiplied by c even when c = 1 (no change then).
 * With a non-finite total and `errorIfNonfinite: false`, c is 0 (total = Infinity) or NaN, as in
 * PyTorch: the gradients become 0 or NaN, and the returned total says why.
 *
 * Returns the total norm **before** clipping (log it: it shows when clipping acts).
 *
 * `params` is an array of Parameters, usually `model.params()` (or one Parameter); a Parameter
 * listed twice counts once (PyTorch would count and scale it twice). An empty list returns 0.
 *
 * Throws a MinidlError, and changes nothing, for params that are not a Parameter or an array of
 * them (a Module gets the hint `model.params()`), a maxNorm that is not a number ≥ 0, a normType
 * that is not a number > 0 or Infinity (PyTorch's 0 and −Infinity are not supported), unknown
 * or mistyped options, and, with `errorIfNonfinite: true`, a total norm that is NaN or ±Infinity.
 *
 * ```ts
 * model.zeroGrad();
 * lossFn.forward(model.forward(x), y);
 * model.backward(lossFn.backward());
 * const norm = clipGradNorm(model.params(), 1.0);   // the norm before clipping
 * optimizer.step();
 * ```
 */
export function clipGradNorm(params: Parameter | readonly Parameter[], maxNorm: number, options: ClipGradNormOptions = {}): number {
  const who = 'clipGradNorm';
  checkArgumentCount(who, arguments.length, ['params', 'maxNorm', 'options']);
  const list = readParams(who, params);
  if (typeof maxNorm !== 'number' || !(maxNorm >= 0)) {
    throw new MinidlError(`${who}: maxNorm must be a number ≥ 0 (the largest norm the gradients may keep), got ${shown(maxNorm)}`);
  }
  const o = readOptions(who, options, CLIP_GRAD_NORM_OPTIONS, { positional: 'normType' });
  const p = o.normType ?? 2;
  if (!(p > 0)) {
    throw new MinidlError(`${who}: normType must be a number > 0 (2 for the Euclidean norm, 1) or Infinity (the largest |entry|), got ${p}`);
  }
  if (list.length === 0) return 0;
  const norms = Float64Array.from(list, (param) => vectorNorm(param.grad.data, p)); // ‖gradient‖_p of each parameter
  const total = vectorNorm(norms, p); //                                               total = ‖(‖g₁‖_p, ‖g₂‖_p, …)‖_p = ‖g‖_p
  if (o.errorIfNonfinite === true && !Number.isFinite(total)) {
    throw new MinidlError(`${who}: the total norm of order ${p} of the gradients is ${total}, so it cannot be clipped (nothing was changed); find where the gradients stop being finite, or set errorIfNonfinite: false to scale them by it anyway`);
  }
  const coef = Math.min(maxNorm / (total + 1e-6), 1); //                               c = min(1, maxNorm / (total + 1e-6))
  for (const param of list) scaleInPlace(param.grad.data, coef); //                    g ← c·g
  return total;
}

/**
 * Gradient clipping by value (PyTorch's `torch.nn.utils.clip_grad_value_`): every entry of
 * every gradient is clamped into [−clipValue, clipValue], in place:
 *
 *   gᵢ ← min(max(gᵢ, −clipValue), clipValue)
 *
 * Unlike `clipGradNorm`, this changes the direction of the gradient. A NaN entry stays NaN.
 *
 * Throws a MinidlError, and changes nothing, for params that are not a Parameter or an array of
 * Parameters (a Module gets the hint `model.params()`), a clipValue that is not a number ≥ 0,
 * or a third argument.
 *
 * ```ts
 * clipGradValue(model.params(), 0.5);   // every gradient entry now in [−0.5, 0.5]
 * ```
 */
export function clipGradValue(params: Parameter | readonly Parameter[], clipValue: number): void {
  const who = 'clipGradValue';
  checkArgumentCount(who, arguments.length, ['params', 'clipValue']);
  const list = readParams(who, params);
  if (typeof clipValue !== 'number' || !(clipValue >= 0)) {
    throw new MinidlError(`${who}: clipValue must be a number ≥ 0 (gradients are clamped into [−clipValue, clipValue]), got ${shown(clipValue)}`);
  }
  for (const param of list) clampInPlace(param.grad.data, clipValue); //               gᵢ ← min(max(gᵢ, −clipValue), clipValue)
}

/** The options clipGradNorm reads (ranges are checked by the function). */
const CLIP_GRAD_NORM_OPTIONS: OptionSpec<ClipGradNormOptions> = { normType: aNumber, errorIfNonfinite: aBoolean };

/** One Parameter as [it], an array of Parameters without repeats; anything else is refused. */
function readParams(who: string, params: unknown): Parameter[] {
  if (params instanceof Parameter) return [params];
  if (!Array.isArray(params)) {
    const hint = params instanceof Module ? ' (give its parameters: model.params())' : '';
    throw new MinidlError(`${who}: params must be an array of Parameters such as model.params(), got ${describeValue(params)}${hint}`);
  }
  for (let i = 0; i < params.length; i++) {
    const item: unknown = params[i];
    if (!(item instanceof Parameter)) {
      const hint = item instanceof Module ? ' (give the parameters of a module: model.params())' : '';
      throw new MinidlError(`${who}: params[${i}] must be a Parameter, got ${describeValue(item)}${hint}`);
    }
  }
  return [...new Set(params as Parameter[])];
}

/** A number as itself (`-1`, `NaN`), anything else described. */
function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : describeValue(value);
}

/** ‖v‖_p = (Σ |vᵢ|^p)^(1/p);  p = Infinity: max |vᵢ|;  p = 2 and 1 written out. A NaN entry gives NaN. */
function vectorNorm(v: ArrayLike<number>, p: number): number {
  let s = 0;
  if (p === Infinity) {
    for (let i = 0; i < v.length; i++) s = Math.max(s, Math.abs(v[i]));
    return s;
  }
  if (p === 2) {
    for (let i = 0; i < v.length; i++) s += v[i] * v[i];
    return Math.sqrt(s);
  }
  if (p === 1) {
    for (let i = 0; i < v.length; i++) s += Math.abs(v[i]);
    return s;
  }
  for (let i = 0; i < v.length; i++) s += Math.abs(v[i]) ** p;
  return s ** (1 / p);
}

/** g ← c·g. */
function scaleInPlace(g: Float64Array, c: number): void {
  for (let i = 0; i < g.length; i++) g[i] *= c;
}

/** gᵢ ← min(max(gᵢ, −limit), limit). */
function clampInPlace(g: Float64Array, limit: number): void {
  for (let i = 0; i < g.length; i++) g[i] = Math.min(Math.max(g[i], -limit), limit);
}
