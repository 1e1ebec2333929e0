import { MinidlError, describeValue, formatShape } from '../errors';
import { OptionSpec, aBoolean, instanceOf, readOptions } from '../options';
import { activeBackend } from './backend/select';
import { Tensor, tensorToOverwrite } from './tensor';

/**
 * Tensor operations used by the layers: shape-checked wrappers around the kernels.
 *
 * The sizes a kernel gets here come from the tensors' shapes, which are checked against each
 * other first, and an `into` may not share memory with an operand; so these call the backend's
 * kernels directly, without the raw-array checks of kernels.ts.
 *
 * Each product returns a new tensor, or, when `into` is given, writes into that tensor
 * (`accumulate: true` adds to it instead of overwriting: that is how `backward` accumulates
 * parameter gradients without a temporary). Nothing is ever broadcast silently: a size that
 * does not match throws an error naming the operation and both shapes. Every operand must be a
 * Tensor and every options object is read by lib/options.ts: an unknown key (`{ acumulate: true }`),
 * a wrong type (`{ accumulate: 'yes' }`) or a null is refused before anything is computed.
 */
export interface ProductOptions {
  /** Write the result into this tensor instead of a new one. */
  into?: Tensor;
  /** Add the result to `into` (C += …) instead of overwriting it. */
  accumulate?: boolean;
}

/** The options every product reads. */
const PRODUCT_OPTIONS: OptionSpec<ProductOptions> = {
  into: instanceOf(Tensor, 'a Tensor'),
  accumulate: aBoolean,
};

/** The options matmul reads: those of every product, and a bias row. */
const MATMUL_OPTIONS: OptionSpec<MatmulOptions> = { ...PRODUCT_OPTIONS, bias: instanceOf(Tensor, 'a Tensor') };

/** Throws unless `t` is a Tensor: `op: name must be a Tensor, got …`. */
function checkTensor(op: string, name: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) {
    const hint = Array.isArray(t) ? ' (wrap nested arrays with Tensor.from)' : '';
    throw new MinidlError(`${op}: ${name} must be a Tensor, got ${describeValue(t)}${hint}`);
  }
  if (!t.readable) {
    throw new MinidlError(`${op}: ${name} ${t} was a temporary of a step that has ended; its values can no longer be read ` +
      '(keep values past a step by copying them while it runs)');
  }
}

function matrixSize(op: string, name: string, t: Tensor): [number, number] {
  checkTensor(op, name, t);
  if (t.rank !== 2) {
    throw new MinidlError(`${op}: ${name} must be a 2-D matrix, got shape ${formatShape(t.shape)}`);
  }
  return [t.shape[0], t.shape[1]];
}

function output(op: string, rows: number, cols: number, options: ProductOptions, a: Tensor, b: Tensor, bias?: Tensor): Tensor {
  const into = options.into;
  if (into === undefined) {
    if (options.accumulate) throw new MinidlError(`${op}: accumulate needs an 'into' tensor to add to`);
    return tensorToOverwrite([rows, cols]); // the product stores every entry
  }
  checkTensor(op, "'into'", into);
  if (into.rank !== 2 || into.shape[0] !== rows || into.shape[1] !== cols) {
    throw new MinidlError(`${op}: result has shape [${rows},${cols}] but 'into' has shape ${formatShape(into.shape)}`);
  }
  const intoData = into.data;
  if (sharesMemory(intoData, a.data) || sharesMemory(intoData, b.data) || (bias !== undefined && sharesMemory(intoData, bias.data))) {
    throw new MinidlError(`${op}: 'into' shares memory with an operand; the result would overwrite values the product still reads (write into a separate tensor)`);
  }
  return into;
}

/**
 * The options of a product, read with `readOptions` — after a quick look that lets the usual
 * case through without it: a plain object whose only keys are `into` (a Tensor), `accumulate` (a
 * boolean) and, for matmul, `bias` (a Tensor). The layers call the products at every step.
 */
function productOptions<T extends MatmulOptions>(op: string, options: T, spec: OptionSpec<T>): T {
  if (typeof options === 'object' && options !== null && Object.getPrototypeOf(options) === Object.prototype) {
    const { into, accumulate, bias } = options;
    let keys = 0;
    for (const key in options) if (Object.prototype.hasOwnProperty.call(options, key)) keys++;
    const given = (into !== undefined ? 1 : 0) + (accumulate !== undefined ? 1 : 0) + (bias !== undefined ? 1 : 0);
    if (keys === given && (into === undefined || into instanceof Tensor) && (accumulate === undefined || typeof accumulate === 'boolean') &&
      (bias === undefined || ('bias' in spec && bias instanceof Tensor))) return options;
  }
  return readOptions(op, options, spec) as T; // the slow path, which names what is wrong
}

/** True when two arrays overlap in memory. */
function sharesMemory(a: Float64Array, b: Float64Array): boolean {
  return a.buffer === b.buffer && a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

/** Options of `matmul`: those of every product, and a bias row. */
export interface MatmulOptions extends ProductOptions {
  /** A row b [1,N] or [N] added to every row of the result: A·B + b (Linear's forward pass). */
  bias?: Tensor;
}

/** A·B for A [M,K] and B [K,N] → [M,N]; with `bias`, A·B + b (b added to every row). */
export function matmul(a: Tensor, b: Tensor, options: MatmulOptions = {}): Tensor {
  options = productOptions('matmul', options, MATMUL_OPTIONS);
  const [m, k] = matrixSize('matmul', 'A', a);
  const [k2, n] = matrixSize('matmul', 'B', b);
  if (k !== k2) {
    throw new MinidlError(`matmul: A·B needs A's columns to equal B's rows, got A ${formatShape(a.shape)} and B ${formatShape(b.shape)}`);
  }
  const bias = options.bias;
  if (bias !== undefined) checkRowVector('matmul', 'bias', bias, 'A·B', m, n);
  const c = output('matmul', m, n, options, a, b, bias);
  activeBackend().kernels.matmul(a.data, b.data, c.data, m, k, n, options.accumulate === true, bias === undefined ? null : bias.data);
  return c;
}

/** Throws unless `row` has shape [1,N] or [N], to be added to every row of an [M,N] matrix. */
function checkRowVector(op: string, name: string, row: Tensor, matrix: string, m: number, n: number): void {
  checkTensor(op, name, row);
  if (row.size !== n || (row.rank === 2 && row.shape[0] !== 1) || row.rank > 2) {
    throw new MinidlError(`${op}: cannot add ${name} ${formatShape(row.shape)} to each row of ${matrix} [${m},${n}]: ${name} must have shape [1,${n}] or [${n}]`);
  }
}

/** A·Bᵀ for A [M,K] and B [N,K] → [M,N] (the 'wasm' backend multiplies a transposed copy of B for A of 8 rows or more; the same bits). */
export function matmulTransB(a: Tensor, b: Tensor, options: ProductOptions = {}): Tensor {
  options = productOptions('matmulTransB', options, PRODUCT_OPTIONS);
  const [m, k] = matrixSize('matmulTransB', 'A', a);
  const [n, k2] = matrixSize('matmulTransB', 'B', b);
  if (k !== k2) {
    throw new MinidlError(`matmulTransB: A·Bᵀ needs A and B to have the same number of columns, got A ${formatShape(a.shape)} and B ${formatShape(b.shape)}`);
  }
  const c = output('matmulTransB', m, n, options, a, b);
  activeBackend().kernels.matmulTransB(a.data, b.data, c.data, m, k, n, options.accumulate === true);
  return c;
}

/** Aᵀ·B for A [K,M] and B [K,N] → [M,N], without forming Aᵀ. */
export function matmulTransA(a: Tensor, b: Tensor, options: ProductOptions = {}): Tensor {
  options = productOptions('matmulTransA', options, PRODUCT_OPTIONS);
  const [k, m] = matrixSize('matmulTransA', 'A', a);
  const [k2, n] = matrixSize('matmulTransA', 'B', b);
  if (k !== k2) {
    throw new MinidlError(`matmulTransA: Aᵀ·B needs A and B to have the same number of rows, got A ${formatShape(a.shape)} and B ${formatShape(b.shape)}`);
  }
  const c = output('matmulTransA', m, n, options, a, b);
  activeBackend().kernels.matmulTransA(a.data, b.data, c.data, m, k, n, options.accumulate === true);
  return c;
}

/**
 * Σᵢ G[i, :] — the sum over the rows of G [M,N], as a row vector [1,N].
 * (Used for bias gradients; `into` may have shape [1,N] or [N].)
 */
export function sumRows(g: Tensor, options: ProductOptions = {}): Tensor {
  options = productOptions('sumRows', options, PRODUCT_OPTIONS);
  const [m, n] = matrixSize('sumRows', 'G', g);
  const into = options.into;
  if (into !== undefined && (into.size !== n || into.rank > 2 || (into.rank === 2 && into.shape[0] !== 1))) {
    throw new MinidlError(`sumRows: the row sum of ${formatShape(g.shape)} has shape [1,${n}] but 'into' has shape ${formatShape(into.shape)}; expected [1,${n}] or [${n}]`);
  }
  if (into === undefined && options.accumulate) throw new MinidlError(`sumRows: accumulate needs an 'into' tensor to add to`);
  if (into !== undefined && sharesMemory(into.data, g.data)) {
    throw new MinidlError(`sumRows: 'into' shares memory with G; write into a separate tensor`);
  }
  const out = into ?? new Tensor([1, n]);
  activeBackend().kernels.sumRows(g.data, out.data, m, n, options.accumulate === true);
  return out;
}

/** X[i, :] += b for every row of X [M,N]; b has shape [1,N] or [N]. Changes X in place and returns it. */
export function addRowVector(x: Tensor, b: Tensor): Tensor {
  const [m, n] = matrixSize('addRowVector', 'X', x);
  checkTensor('addRowVector', 'b', b);
  checkRowVector('addRowVector', 'b', b, 'X', m, n);
  activeBackend().kernels.addRowVector(x.data, b.data, m, n);
  return x;
}

/**
 * For each row of X [M,N], the column index of its largest entry. As in PyTorch, the first
 * one wins a tie and a NaN counts as larger than any number.
 */
export function argmaxRows(x: Tensor): Int32Array {
  const [m, n] = matrixSize('argmaxRows', 'X', x);
  const out = new Int32Array(m);
  const d = x.data;
  for (let i = 0; i < m; i++) {
    let best = 0;
    let bestValue = d[i * n];
    for (let j = 1; j < n; j++) {
      const v = d[i * n + j];
      if (v > bestValue || (Number.isNaN(v) && !Number.isNaN(bestValue))) {
        best = j;
        bestValue = v;
      }
    }
    out[i] = best;
  }
  return out;
}

/**
 * The rows of T (its entries along the first axis) at the given indices, in that order:
 * a mini-batch. T may have any rank; the result has shape [indices.length, …T.shape[1:]].
 */
export function takeRows(t: Tensor, indices: ArrayLike<number>): Tensor {
  checkTensor('takeRows', 'T', t);
  const n = t.shape[0];
  const rowSize = t.size / n;
  if (!Array.isArray(indices) && !(ArrayBuffer.isView(indices) && !(indices instanceof DataView))) {
    throw new MinidlError(`takeRows: indices must be an array or typed array of row indices, got ${describeValue(indices)}`);
  }
  if (indices.length === 0) throw new MinidlError('takeRows: no row indices given');
  for (let r = 0; r < indices.length; r++) {
    const i: unknown = indices[r];
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= n) {
      const got = typeof i === 'number' ? String(i) : describeValue(i);
      throw new MinidlError(`takeRows: row index ${got} is out of range for shape ${formatShape(t.shape)} (indices[${r}]; expected a whole number 0…${n - 1})`);
    }
  }
  const out = tensorToOverwrite([indices.length, ...t.shape.slice(1)]); // every row copied below
  const source = t.data, rows = out.data;
  for (let r = 0; r < indices.length; r++) {
    const from = indices[r] * rowSize, to = r * rowSize; //          row r of the result = row indices[r] of T
    if (rowSize >= 64) rows.set(source.subarray(from, from + rowSize), to); // long rows (images): one bulk copy
    else for (let j = 0; j < rowSize; j++) rows[to + j] = source[from + j]; // short rows: a subarray per row costs more than the copy
  }
  return out;
}

/** Columns start … end−1 of X [M,N], as a new [M, end−start] tensor. */
export function sliceColumns(x: Tensor, start: number, end: number): Tensor {
  const [m, n] = matrixSize('sliceColumns', 'X', x);
  if (typeof start !== 'number' || typeof end !== 'number' || !Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > n || start >= end) {
    const show = (v: unknown): string => (typeof v === 'number' ? String(v) : describeValue(v));
    const range = typeof start === 'number' && typeof end === 'number' ? `columns ${start}…${end - 1}` : `columns from ${show(start)} to ${show(end)}`;
    throw new MinidlError(`sliceColumns: cannot take ${range} of X ${formatShape(x.shape)} (start and end must be whole numbers, 0 ≤ start < end ≤ ${n}; got start ${show(start)}, end ${show(end)})`);
  }
  const width = end - start;
  const out = new Tensor([m, width]);
  const source = x.data, target = out.data;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < width; j++) target[i * width + j] = source[i * n + start + j];
  }
  return out;
}

/** The matrices side by side: [M,N₁], [M,N₂], … → [M, N₁+N₂+…]. All must have M rows. */
export function concatColumns(parts: Tensor[]): Tensor {
  if (!Array.isArray(parts)) throw new MinidlError(`concatColumns: parts must be an array of Tensors, got ${describeValue(parts)}`);
  if (parts.length === 0) throw new MinidlError('concatColumns: nothing to concatenate');
  const m = matrixSize('concatColumns', 'parts[0]', parts[0])[0];
  let total = 0;
  parts.forEach((p, k) => {
    const [rows, cols] = matrixSize('concatColumns', `parts[${k}]`, p);
    if (rows !== m) {
      throw new MinidlError(`concatColumns: parts[${k}] has ${rows} rows (shape ${formatShape(p.shape)}) but parts[0] has ${m}`);
    }
    total += cols;
  });
  const out = new Tensor([m, total]);
  let offset = 0;
  const target = out.data;
  for (const p of parts) {
    const width = p.shape[1], source = p.data;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < width; j++) target[i * total + offset + j] = source[i * width + j];
    }
    offset += width;
  }
  return out;
}
