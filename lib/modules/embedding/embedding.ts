import { MinidlError, checkArgumentCount, checkInteger, describeValue, formatShape } from '../../errors';
import { Init, fillInit, isInitLike, planInit } from '../../init/init';
import { OptionSpec, anInteger, instanceOf, orNull, readOptions, satisfying } from '../../options';
import { Rng, defaultRng } from '../../random/rng';
import { configNumber } from '../../serialization/config-values';
import { registerModule } from '../../serialization/module-registry';
import { Tensor } from '../../tensor/tensor';
import { Module } from '../module';
import { Parameter } from '../parameter';

/** Options of `Embedding`. */
export interface EmbeddingOptions {
  /**
   * The row of padding (default none): its entries are set to 0 at initialisation and it never
   * receives a gradient, so it stays whatever it holds. A whole number in
   * [−numEmbeddings, numEmbeddings − 1]; a negative one counts from the end, as in PyTorch
   * (−1 is the last row). null is the same as leaving it out.
   */
  paddingIdx?: number | null;
  /**
   * How to initialise the weight (default `'normal'`, N(0, 1), PyTorch's Embedding; `'default'`
   * means the same here). The fans are PyTorch's for a weight [numEmbeddings, embeddingDim]:
   * fanIn = embeddingDim, fanOut = numEmbeddings. See lib/init/init.ts.
   */
  init?: Init;
  /** The generator to draw the initial values from (default: the one `manualSeed` seeds). */
  rng?: Rng;
}

/**
 * A lookup table: row i of `weight` is the vector of index i (a word, a token, a category).
 *
 *   y[…, :] = W[idx[…], :]
 *
 * Shapes: indices [*] (any shape, e.g. [N, T]) → Y [*, embeddingDim];  W [numEmbeddings, embeddingDim]
 * Init:   W ~ N(0, 1)  (PyTorch's `nn.Embedding`), then the `paddingIdx` row, if any, set to 0
 *
 * **How indices are passed.** minidl's tensors hold float64 numbers, so the indices are a
 * Tensor of whole numbers, e.g. `Tensor.from([[3, 1, 4], [1, 5, 0]])` for N = 2 sequences of
 * T = 3 tokens. Keeping them in a Tensor lets an Embedding stand first in a `Sequential` and
 * be trained by `NeuralNet` like any layer. An entry that is not a whole number in
 * [0, numEmbeddings − 1] is refused with a MinidlError naming its position (PyTorch refuses
 * negative indices too).
 *
 * Backward, given G = ∂L/∂Y [*, embeddingDim]: each position adds its gradient row to the row
 * of W it read, so an index used k times receives the sum of k rows:
 *
 *   ∂L/∂W[i, :] += Σ_{positions p with idx[p] = i} G[p, :]      (except i = paddingIdx: no gradient)
 *   ∂L/∂idx = 0
 *
 * The indices have no gradient (they are not numbers one can nudge; PyTorch gives them none),
 * but the Module contract says `backward` returns a tensor of the input's shape, so it returns
 * zeros of the indices' shape: a layer before an Embedding receives nothing to learn from.
 * `gradcheck` cannot check that input (a nudged index is no longer a whole number); the spec
 * checks W through a module that adds a float input to the looked-up rows.
 *
 * Not supported: PyTorch's `maxNorm`, `normType`, `scaleGradByFreq`, `sparse` and `_weight`
 * (refused as unknown options).
 *
 * Errors: sizes that are not whole numbers ≥ 1, a paddingIdx outside
 * [−numEmbeddings, numEmbeddings − 1] or not a whole number, unknown or mistyped options, and
 * indices that are not a finite Tensor of whole numbers in range all throw a MinidlError before
 * anything is drawn or set.
 *
 * ```ts
 * const embed = new Embedding(10, 3, { paddingIdx: 0 });   // 10 tokens, vectors of size 3
 * const y = embed.forward(Tensor.from([[3, 1, 4], [1, 5, 0]]));   // shape [2, 3, 3]
 * ```
 */
export class Embedding extends Module {
  /** Number of rows of the table (the size of the vocabulary). */
  readonly numEmbeddings: number;
  /** Length of each vector (columns of the table). */
  readonly embeddingDim: number;
  /** The padding row, from 0 (a negative one given to the constructor is stored counted from the start), or null. */
  readonly paddingIdx: number | null;
  /** W [numEmbeddings, embeddingDim]. */
  readonly weight: Parameter;
  private indices: Tensor | null = null;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    super();
    checkArgumentCount('Embedding', arguments.length, ['numEmbeddings', 'embeddingDim', 'options']);
    this.numEmbeddings = checkInteger('Embedding', 'numEmbeddings', numEmbeddings);
    this.embeddingDim = checkInteger('Embedding', 'embeddingDim', embeddingDim);
    const who = `Embedding(${numEmbeddings}, ${embeddingDim})`;
    const o = readOptions(who, options, EMBEDDING_OPTIONS);
    this.paddingIdx = resolvePaddingIdx(who, o.paddingIdx ?? null, numEmbeddings);
    // every setting is checked before the first number is drawn from rng
    const init = o.init === undefined || o.init === 'default' ? 'normal' : o.init;
    const draw = planInit(init, embeddingDim, numEmbeddings, who);
    const rng = o.rng ?? defaultRng();
    this.weight = new Parameter(Tensor.zeros([numEmbeddings, embeddingDim]), 'weight');
    fillInit(this.weight.value, draw, rng); //                                      W ~ N(0, 1)
    if (this.paddingIdx !== null) zeroRow(this.weight.value.data, this.paddingIdx, embeddingDim); // W[paddingIdx, :] = 0
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    this.checkIndices(input);
    this.indices = input;
    const output = new Tensor([...input.shape, this.embeddingDim]);
    gatherRows(this.weight.value.data, input.data, this.embeddingDim, output.data); // y[p, :] = W[idx[p], :]
    return this.rememberOutput(output);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const indices = this.indices as Tensor;
    scatterAddRows(gradOut.data, indices.data, this.embeddingDim, this.paddingIdx, this.weight.grad.data); // ∂L/∂W[idx[p], :] += G[p, :]  (not the padding row)
    return new Tensor(indices.shape); //                                                                      ∂L/∂idx = 0 (indices have no gradient)
  }

  override params(): Parameter[] {
    return [this.weight];
  }

  toString(): string {
    return `Embedding(${this.numEmbeddings}, ${this.embeddingDim}${this.paddingIdx === null ? '' : `, paddingIdx=${this.paddingIdx}`})`;
  }

  /** The sizes and the padding row: `{ numEmbeddings, embeddingDim, paddingIdx }` (the values are saved apart). */
  override config(): Record<string, unknown> {
    return { numEmbeddings: this.numEmbeddings, embeddingDim: this.embeddingDim, paddingIdx: this.paddingIdx };
  }

  /** An Embedding from `config()`'s values. */
  static fromConfig(config: Record<string, unknown>): Embedding {
    const paddingIdx = config.paddingIdx === null ? null : configNumber(config, 'paddingIdx');
    return new Embedding(configNumber(config, 'numEmbeddings'), configNumber(config, 'embeddingDim'), { paddingIdx });
  }

  /** Refuses an entry that is not a whole number in [0, numEmbeddings − 1], naming its position. */
  private checkIndices(input: Tensor): void {
    const values = input.data;
    for (let p = 0; p < values.length; p++) {
      const i = values[p];
      if (!Number.isInteger(i) || i < 0 || i >= this.numEmbeddings) {
        const what = Number.isInteger(i) ? 'out of range' : 'not a whole number';
        this.fail('forward', `input holds ${i} at ${formatShape(positionOf(p, input.shape))} (flat index ${p}) of shape ${formatShape(input.shape)}, ${what}; ` +
          `expected row indices, whole numbers 0…${this.numEmbeddings - 1} (the rows of weight [${this.numEmbeddings},${this.embeddingDim}])`);
      }
    }
  }
}
registerModule(Embedding, 'Embedding');

/** The options Embedding reads (ranges are checked by the constructor). */
const EMBEDDING_OPTIONS: OptionSpec<EmbeddingOptions> = {
  paddingIdx: orNull(anInteger),
  init: satisfying("an init name such as 'normal' or a spec such as { kind: 'normal', std: 0.1 }", isInitLike), // planInit says what is wrong
  rng: instanceOf(Rng, 'an Rng such as new Rng(42)'),
};

/**
 * PyTorch's rule: a paddingIdx in [−numEmbeddings, numEmbeddings − 1], a negative one counted
 * from the end (numEmbeddings + paddingIdx); null stays null.
 */
function resolvePaddingIdx(who: string, paddingIdx: number | null, numEmbeddings: number): number | null {
  if (paddingIdx === null) return null;
  if (paddingIdx < -numEmbeddings || paddingIdx >= numEmbeddings) {
    throw new MinidlError(`${who}: paddingIdx must be within numEmbeddings, a whole number in [${-numEmbeddings}, ${numEmbeddings - 1}] (negative counts from the end), got ${describeValue(paddingIdx)}`);
  }
  return paddingIdx < 0 ? numEmbeddings + paddingIdx : paddingIdx;
}

/** The index [i₀, i₁, …] of flat position p in a row-major tensor of `shape`. */
function positionOf(p: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index[axis] = p % shape[axis];
    p = Math.floor(p / shape[axis]);
  }
  return index;
}

/** W[row, :] = 0. */
function zeroRow(w: Float64Array, row: number, dim: number): void {
  w.fill(0, row * dim, (row + 1) * dim);
}

/** y[p, :] = W[idx[p], :] for every position p (rows of length `dim`). */
function gatherRows(w: Float64Array, idx: Float64Array, dim: number, y: Float64Array): void {
  for (let p = 0; p < idx.length; p++) {
    const from = idx[p] * dim, to = p * dim;
    for (let k = 0; k < dim; k++) y[to + k] = w[from + k];
  }
}

/** dW[idx[p], :] += G[p, :] for every position p whose index is not `paddingIdx` (repeated indices add up). */
function scatterAddRows(g: Float64Array, idx: Float64Array, dim: number, paddingIdx: number | null, dw: Float64Array): void {
  for (let p = 0; p < idx.length; p++) {
    if (idx[p] === paddingIdx) continue;
    const from = p * dim, to = idx[p] * dim;
    for (let k = 0; k < dim; k++) dw[to + k] += g[from + k];
  }
}
