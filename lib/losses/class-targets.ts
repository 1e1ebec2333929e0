import { MinidlError, describeValue, formatShape, sameShape } from '../errors';
import { describe } from '../modules/module';
import { OptionCheck, satisfying } from '../options';
import { Tensor } from '../tensor/tensor';

/**
 * How the classification losses (`CrossEntropyLoss`, `NLLLoss`) read their inputs: the layouts
 * of pred, the class-index targets, the class weights.
 *
 * Layouts (PyTorch's, with one addition: shapes that can be read two ways are refused):
 *
 *   pred [N, C]             targets: class indices [N] (a Tensor, number[] or Int32Array),
 *                           or probabilities [N, C] (CrossEntropyLoss only)
 *   pred [N, C, d₁, …, d_k] targets: class indices, a Tensor [N, d₁, …, d_k]  (classes on axis 1,
 *                           PyTorch's layout: one prediction per position (n, d₁, …, d_k))
 *
 * A sequence model naturally gives [N, T, C] (classes last), which is not PyTorch's layout: give
 * the logits as rows, `pred.reshape([N * T, C])`, with targets `[N * T]` (and reshape the
 * gradient back to [N, T, C]). Refused with a MinidlError saying which layout is expected:
 *   - index targets [N, d₁, …] that would also fit pred read classes-last ([N, T, C] with T = C,
 *     or more generally when every size of pred after N is the same): the shapes cannot tell;
 *   - probability targets of rank ≥ 3: they have pred's shape whichever axis holds the classes;
 *   - index targets of pred's shape without its last axis (the [N, T, C] mistake), with the
 *     reshape to use.
 * Internally pred [N, C, d₁, …] is gathered into rows [N·d₁·…, C], one row per position (row
 * p = n·S + s with S = d₁·…·d_k), the loss computed on rows, and the gradient scattered back.
 */

/** The option `weight`: a Tensor [C] or an array of C numbers. */
export const CLASS_WEIGHTS: OptionCheck = satisfying(
  'a Tensor [C] or an array of numbers (one weight per class)',
  (v) => v instanceof Tensor || Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView)),
);

/**
 * Reads the option `weight` (already of the right kind by `CLASS_WEIGHTS`): a copy of its numbers,
 * each finite and ≥ 0; null when absent. Its length is checked against C at each forward (C is
 * only known then). Throws a MinidlError naming `who` for a Tensor that is not 1-D or was
 * released, an empty list, a non-number, a non-finite or negative weight.
 */
export function readClassWeights(who: string, weight: Tensor | ArrayLike<number> | undefined): Float64Array | null {
  if (weight === undefined) return null;
  let values: ArrayLike<unknown>;
  if (weight instanceof Tensor) {
    if (!weight.readable) throw new MinidlError(`${who}: option 'weight' ${weight} was a temporary of a step that has ended; its values can no longer be read`);
    if (weight.rank !== 1) throw new MinidlError(`${who}: option 'weight' must be one weight per class, a Tensor of shape [C], got shape ${formatShape(weight.shape)}`);
    values = weight.data;
  } else {
    values = weight as ArrayLike<unknown>;
  }
  if (values.length === 0) throw new MinidlError(`${who}: option 'weight' is empty; give one weight per class`);
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number') throw new MinidlError(`${who}: option 'weight' must hold numbers, got ${describeValue(v)} at index ${i}`);
    if (!Number.isFinite(v) || v < 0) throw new MinidlError(`${who}: every class weight must be a finite number ≥ 0, got ${v} at index ${i}`);
    out[i] = v;
  }
  return out;
}

/** `weight=[1,2,0.5]` for toString (the first 6 weights, then …). */
export function formatWeights(weights: Float64Array): string {
  const shown = Array.from(weights.subarray(0, 6)).join(',');
  return `weight=[${shown}${weights.length > 6 ? ',…' : ''}]`;
}

/** pred seen as rows of classes. */
export interface ClassLayout {
  /** pred's shape, [N, C] or [N, C, d₁, …]. */
  shape: readonly number[];
  /** Rows: one per position, N·d₁·…·d_k. */
  rows: number;
  /** C, the size of axis 1. */
  classes: number;
  /** S = d₁·…·d_k (1 for [N, C]): the distance between two classes of one position in pred's data. */
  inner: number;
}

/** What a classification loss's target is, once its shape is read against pred's. */
export type TargetKind = 'indices' | 'probabilities';

/**
 * Reads pred's layout and which kind of target goes with it (see the file's doc comment), or
 * throws a MinidlError starting `who: ` that says which shapes are expected. `what` names pred's
 * numbers in messages ('logits', 'log-probabilities'); `probabilities` says whether the loss
 * takes probability targets.
 */
export function readClassLayout(who: string, pred: Tensor, target: unknown, what: string, probabilities: boolean): { layout: ClassLayout; kind: TargetKind } {
  const shape = pred.shape;
  if (pred.rank < 2) {
    throw new MinidlError(`${who}: pred must be ${what} of shape [N,C], got ${formatShape(shape)} (or [N,C,d1,…], PyTorch's layout with the classes on axis 1)`);
  }
  const [n, c] = shape;
  const inner = shape.slice(2).reduce((a, b) => a * b, 1);
  const layout: ClassLayout = { shape, rows: n * inner, classes: c, inner };
  if (pred.rank === 2) {
    if (!(target instanceof Tensor) || target.rank === 1) return { layout, kind: 'indices' };
    if (probabilities && target.hasShape(shape)) return { layout, kind: 'probabilities' };
    const column = target.rank === 2 && target.shape[0] === n && target.shape[1] === 1
      ? ` (a column of labels: give the class indices as a Tensor of shape [${n}], e.g. labels.reshape([${n}]), or as an array)`
      : '';
    const probs = probabilities ? ` or probabilities (such as one-hot rows) of shape [${n},${c}]` : '';
    const indicesOnly = !probabilities && target.hasShape(shape)
      ? ' (this loss takes class indices only, as PyTorch\'s nll_loss; for probability targets use CrossEntropyLoss on logits)' : '';
    throw new MinidlError(`${who}: target must be class indices of shape [${n}]${probs}, got ${formatShape(target.shape)}${column}${indicesOnly}`);
  }
  // rank ≥ 3: classes on axis 1, PyTorch's layout
  const indexShape = [n, ...shape.slice(2)];
  const classesLast = shape.slice(0, -1);
  const expected = `class indices, a Tensor of shape ${formatShape(indexShape)} for ${what} ${formatShape(shape)} read as [N,C,d1,…] (PyTorch's layout: C = ${c} classes on axis 1)`;
  const rows = `if the classes are on the last axis ([N,T,C], as a sequence model gives), give rows: pred.reshape([N*T, C]) with targets of shape [N*T]`;
  if (!(target instanceof Tensor)) {
    throw new MinidlError(`${who}: target must be ${expected}, got ${describe(target)}`);
  }
  if (target.hasShape(shape)) {
    throw new MinidlError(`${who}: ${probabilities ? 'probability targets' : 'a target'} of pred's shape ${formatShape(shape)} cannot be read: the shapes do not tell whether the classes are on axis 1 ([N,C,d1,…]) or last ([N,T,C]); ${probabilities ? 'give probabilities as rows [positions, C] with pred as rows of the same shape (reshape both)' : `the target must be ${expected}`}`);
  }
  if (sameShape(target.shape, indexShape)) {
    if (sameShape(indexShape, classesLast)) {
      throw new MinidlError(`${who}: ${what} ${formatShape(shape)} with targets ${formatShape(target.shape)} can be read two ways: [N,C,d1,…] (PyTorch's layout, classes on axis 1, which minidl reads) or [N,T,C] (classes last) fit the same shapes; give ${what} as rows [positions, C] (e.g. pred.reshape([N*T, C])) with targets [positions]`);
    }
    return { layout, kind: 'indices' };
  }
  const hint = sameShape(target.shape, classesLast) ? `; these shapes look like [N,T,C] with the classes last: ${rows}` : `; ${rows}`;
  throw new MinidlError(`${who}: target must be ${expected}, got ${formatShape(target.shape)}${hint}`);
}

/**
 * pred [N, C, d₁, …] gathered into rows [N·S, C] (S = d₁·…·d_k):  rows[n·S + s, c] = x[n, c, s].
 * pred [N, C] is returned as it is.
 */
export function classRows(x: Tensor, layout: ClassLayout): Tensor {
  if (x.rank === 2) return x;
  const { rows, classes: c, inner: s } = layout;
  const out = new Tensor([rows, c]);
  const xs = x.data, o = out.data;
  for (let p = 0; p < rows; p++) {
    const base = Math.floor(p / s) * c * s + (p % s);
    for (let j = 0; j < c; j++) o[p * c + j] = xs[base + j * s];
  }
  return out;
}

/** The inverse of `classRows`: rows [N·S, C] scattered back to `layout.shape` [N, C, d₁, …]. */
export function fromClassRows(rows: Tensor, layout: ClassLayout): Tensor {
  if (layout.shape.length === 2) return rows;
  const { classes: c, inner: s } = layout;
  const out = new Tensor(layout.shape);
  const r = rows.data, o = out.data;
  for (let p = 0; p < layout.rows; p++) {
    const base = Math.floor(p / s) * c * s + (p % s);
    for (let j = 0; j < c; j++) o[base + j * s] = r[p * c + j];
  }
  return out;
}

/** The mark of an ignored target in the indices `readClassIndices` returns. */
export const IGNORED = -1;

/**
 * Reads class indices, one per row of `layout`, from a Tensor or an array (arrays for pred
 * [N, C] only: `readClassLayout` has checked the shapes): each a whole number in 0..C−1, or
 * `ignoreIndex` (null: none), which is returned as IGNORED. Throws a MinidlError starting
 * `who: ` otherwise: a count that is not N, a string, NaN, a fraction, a number out of range.
 */
export function readClassIndices(who: string, target: Tensor | ArrayLike<number>, layout: ClassLayout, ignoreIndex: number | null): Int32Array {
  const n = layout.rows, c = layout.classes;
  let values: ArrayLike<unknown>;
  if (target instanceof Tensor) {
    if (!target.readable) throw new MinidlError(`${who}: target ${target} was a temporary of a step that has ended; its values can no longer be read`);
    values = target.data;
  } else if (Array.isArray(target) || (ArrayBuffer.isView(target) && !(target instanceof DataView))) {
    values = target as ArrayLike<unknown>;
  } else {
    throw new MinidlError(`${who}: target must be a Tensor or an array of class indices, got ${describe(target)}`);
  }
  if (values.length !== n) {
    throw new MinidlError(`${who}: target has ${values.length} class indices but pred has ${n} rows`);
  }
  const ignoring = ignoreIndex === null ? '' : ` (nor the ignoreIndex ${ignoreIndex})`;
  const indices = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = values[i];
    if (typeof t !== 'number') {
      const hint = Array.isArray(t) ? ' (for one-hot or probability rows, give a Tensor of shape [N,C]: Tensor.from(rows))' : '';
      throw new MinidlError(`${who}: target[${i}] is ${describeValue(t)}, expected a class index: a whole number in 0..${c - 1}${hint}`);
    }
    if (t === ignoreIndex) {
      indices[i] = IGNORED;
      continue;
    }
    if (!Number.isInteger(t) || t < 0 || t >= c) {
      const pytorch = t === -100 && ignoreIndex === null
        ? " (PyTorch ignores targets of -100 by default; minidl ignores none unless asked: { ignoreIndex: -100 })" : '';
      throw new MinidlError(`${who}: target[${i}] = ${t} is not a class index in 0..${c - 1}${ignoring}${pytorch}`);
    }
    indices[i] = t;
  }
  return indices;
}

/** The class weights for C classes: `weights` (checked to have C entries), or C ones. */
export function weightsFor(who: string, weights: Float64Array | null, c: number): Float64Array {
  if (weights === null) return new Float64Array(c).fill(1);
  if (weights.length !== c) throw new MinidlError(`${who}: option 'weight' has ${weights.length} entries but pred has ${c} classes (one weight per class)`);
  return weights;
}
