import { checkArgumentCount, checkInteger, MinidlError, formatShape } from '../errors';
import { Init, fillInit, isInitLike, planInit } from '../init/init';
import { OptionSpec, aBoolean, instanceOf, oneOf, readOptions, satisfying } from '../options';
import { Rng, defaultRng } from '../random/rng';
import { configBoolean, configNumber } from '../serialization/config-values';
import { registerModule } from '../serialization/module-registry';
import { matmul, matmulTransA, matmulTransB, sumRows } from '../tensor/ops';
import { Tensor } from '../tensor/tensor';
import { Module } from './module';
import { Parameter } from './parameter';
import { UncomputedGradient } from './uncomputed-gradient';

/** Options of `Linear`. */
export interface LinearOptions {
  /** Learn an additive bias b (default true). */
  bias?: boolean;
  /** How to initialise W (default `'default'`, PyTorch's U(−1/√in, 1/√in)); see lib/init/init.ts. */
  init?: Init;
  /** How to initialise b: `'default'` (U(−1/√in, 1/√in), as PyTorch) or `'zeros'` (default `'default'`). */
  biasInit?: 'default' | 'zeros';
  /** The generator to draw the initial values from (default: the one `manualSeed` seeds). */
  rng?: Rng;
  /**
   * Weight sharing: use the weight and bias Parameters of this other Linear (same sizes and
   * same bias setting) instead of new ones. Both layers then read the same values, and each
   * adds its share of the gradient to the same `grad`.
   */
  share?: Linear;
}

/**
 * Fully connected layer:  Y = X·W + b
 *
 * Shapes: X [N, in] → Y [N, out];  W [in, out];  b [1, out]
 *         As PyTorch's Linear, any leading axes are allowed: X [N, T, …, in] → Y [N, T, …, out]
 *         is computed on the rows of X seen as a matrix [N·T·…, in], and X [in] → Y [out].
 * Init:   W, b ~ U(−1/√in, 1/√in)  (PyTorch's default; see lib/init/init.ts for others)
 *
 * Backward, given G = ∂L/∂Y [N, out]:
 *   ∂L/∂X = G·Wᵀ          ∂L/∂W += Xᵀ·G          ∂L/∂b += Σₙ G[n, :]
 * With `inputNeedsGrad` false (NeuralNet's first layer, see Module), the input's gradient is
 * not computed and backward returns an UncomputedGradient, whose values cannot be read.
 *
 * (W is stored [in, out], the transpose of PyTorch's [out, in], so that the forward pass
 * reads Y = X·W like the formula.)
 *
 * Errors: sizes that are not whole numbers ≥ 1, options that are not an options object (a
 * positional Rng or `true`), unknown or mistyped options, `init`/`biasInit` together with `share`
 * (the shared parameters are already initialised) or `biasInit` with `bias: false`, and an input
 * that is not a finite Tensor [*, in] all throw a MinidlError before anything is drawn or set.
 *
 * ```ts
 * const layer = new Linear(2, 25);                       // 2 inputs, 25 outputs
 * const y = layer.forward(Tensor.from([[0.1, 0.7]]));    // shape [1, 25]
 * const twin = new Linear(2, 25, { share: layer });      // same Parameters: weight sharing
 * ```
 */
export class Linear extends Module {
  /** Number of input features (columns of X). */
  readonly inFeatures: number;
  /** Number of output features (columns of Y). */
  readonly outFeatures: number;
  /** W [in, out]. */
  readonly weight: Parameter;
  /** b [1, out], or null when built with `bias: false`. */
  readonly bias: Parameter | null;
  private input: Tensor | null = null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    checkArgumentCount('Linear', arguments.length, ['inFeatures', 'outFeatures', 'options']);
    this.inFeatures = checkInteger('Linear', 'inFeatures', inFeatures);
    this.outFeatures = checkInteger('Linear', 'outFeatures', outFeatures);
    const who = `Linear(${inFeatures}→${outFeatures})`;
    const o = readOptions(who, options, linearOptions());
    const bias = o.bias ?? true;
    if (o.share !== undefined) {
      const other = o.share;
      for (const key of ['init', 'biasInit'] as const) {
        if (o[key] !== undefined) {
          throw new MinidlError(`${who}: '${key}' has no effect with 'share' (the shared parameters of ${other} are already initialised); leave it out`);
        }
      }
      if (other.inFeatures !== inFeatures || other.outFeatures !== outFeatures || (other.bias !== null) !== bias) {
        throw new MinidlError(`${who}: cannot share the parameters of ${other}: sizes and bias must match`);
      }
      this.weight = other.weight;
      this.bias = other.bias;
      return;
    }
    if (!bias && o.biasInit !== undefined) {
      throw new MinidlError(`${who}: 'biasInit' has no effect with bias: false (there is no bias to initialise); leave it out`);
    }
    // every setting is checked before the first number is drawn from rng
    const weightDraw = planInit(o.init ?? 'default', inFeatures, outFeatures, who);
    const biasDraw = bias ? planInit(o.biasInit ?? 'default', inFeatures, outFeatures, who) : null;
    const rng = o.rng ?? defaultRng();
    this.weight = new Parameter(Tensor.zeros([inFeatures, outFeatures]), 'weight');
    fillInit(this.weight.value, weightDraw, rng);
    if (biasDraw !== null) {
      this.bias = new Parameter(Tensor.zeros([1, outFeatures]), 'bias');
      fillInit(this.bias.value, biasDraw, rng);
    } else {
      this.bias = null;
    }
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    if (input.rank === 0 || input.shape[input.rank - 1] !== this.inFeatures) {
      const expected = input.rank === 2 ? `[N,${this.inFeatures}]` : `[N,…,${this.inFeatures}] (the ${this.inFeatures} input features on the last axis)`;
      this.fail('forward', `input has shape ${formatShape(input.shape)}, expected ${expected}`);
    }
    const leadingAxes = input.shape.slice(0, -1); // [N], or [N, T, …] for a sequence, or [] for one sample
    // X [rows, in]: a 2-D input as it is, any other as the matrix of its rows (a view, no copy)
    const rows = input.rank === 2 ? input : input.reshape([input.size / this.inFeatures, this.inFeatures]);
    this.input = rows;
    const output = this.forwardRows(rows); // Y [rows, out]
    return this.rememberOutput(input.rank === 2 ? output : output.reshape([...leadingAxes, this.outFeatures]));
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const input = this.input as Tensor; // X [rows, in]
    const gradRows = gradOut.rank === 2 ? gradOut : gradOut.reshape([input.shape[0], this.outFeatures]);
    const gradInput = this.backwardRows(input, gradRows); // ∂L/∂X [rows, in]
    const inputShape = gradOut.rank === 2 ? input.shape : [...gradOut.shape.slice(0, -1), this.inFeatures];
    if (gradInput === null) return new UncomputedGradient(inputShape, `${this}.backward`); // inputNeedsGrad is false
    return gradOut.rank === 2 ? gradInput : gradInput.reshape(inputShape);
  }

  /** Y = X·W + b for X [rows, in] → Y [rows, out]. */
  private forwardRows(input: Tensor): Tensor {
    // exercise Linear.forward ▼
    return this.bias // Y = X·W + b (the kernel adds b as it stores each entry of X·W)
      ? matmul(input, this.weight.value, { bias: this.bias.value })
      : matmul(input, this.weight.value);
    // exercise ▲
  }

  /**
   * Given X [rows, in] and G = ∂L/∂Y [rows, out]: accumulates ∂L/∂W and ∂L/∂b, returns ∂L/∂X
   * [rows, in] — or null, not computing it, when `inputNeedsGrad` is false (see Module).
   */
  private backwardRows(input: Tensor, gradOut: Tensor): Tensor | null {
    // exercise Linear.backward ▼
    matmulTransA(input, gradOut, { into: this.weight.grad, accumulate: true }); //  ∂L/∂W += Xᵀ·G
    if (this.bias) sumRows(gradOut, { into: this.bias.grad, accumulate: true }); // ∂L/∂b += Σₙ G[n, :]
    // exercise ▲
    if (!this.inputNeedsGrad) return null; //                                       nobody reads ∂L/∂X
    // exercise Linear.backward ▼
    return matmulTransB(gradOut, this.weight.value); //                             ∂L/∂X  = G·Wᵀ
    // exercise ▲
  }

  override params(): Parameter[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  toString(): string {
    return `Linear(${this.inFeatures}→${this.outFeatures}${this.bias === null ? ', bias=false' : ''})`;
  }

  /** The sizes and whether there is a bias: `{ inFeatures, outFeatures, bias }` (the initialisation is not kept: the values are saved). */
  override config(): Record<string, unknown> {
    return { inFeatures: this.inFeatures, outFeatures: this.outFeatures, bias: this.bias !== null };
  }

  /** A Linear from `config()`'s values; on the Parameters of `shareWith` (a Linear) when the saved model shares them. */
  static fromConfig(config: Record<string, unknown>, _children: Module[], shareWith: Module | null): Linear {
    const inFeatures = configNumber(config, 'inFeatures'), outFeatures = configNumber(config, 'outFeatures');
    const bias = configBoolean(config, 'bias');
    if (shareWith === null) return new Linear(inFeatures, outFeatures, { bias });
    if (!(shareWith instanceof Linear)) throw new MinidlError(`cannot share the parameters of ${shareWith}`);
    return new Linear(inFeatures, outFeatures, { bias, share: shareWith });
  }
}
registerModule(Linear, 'Linear');

/** The options Linear reads (a function, since it names the class Linear defined above). */
function linearOptions(): OptionSpec<LinearOptions> {
  return {
    bias: aBoolean,
    init: satisfying("an init name such as 'xavierUniform' or a spec such as { kind: 'normal', std: 0.1 }", isInitLike), // planInit says what is wrong
    biasInit: oneOf('default', 'zeros'),
    rng: instanceOf(Rng, 'an Rng such as new Rng(42)'),
    share: instanceOf(Linear, 'a Linear whose parameters to share'),
  };
}
