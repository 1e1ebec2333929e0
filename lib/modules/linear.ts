import { checkInteger, MinidlError, formatShape } from '../errors';
import { Init, initialize } from '../init/init';
import { Rng, defaultRng } from '../random/rng';
import { matmul, matmulTransA, matmulTransB, sumRows } from '../tensor/ops';
import { Tensor } from '../tensor/tensor';
import { Module } from './module';
import { Parameter } from './parameter';

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
 * Init:   W, b ~ U(−1/√in, 1/√in)  (PyTorch's default; see lib/init/init.ts for others)
 *
 * Backward, given G = ∂L/∂Y [N, out]:
 *   ∂L/∂X = G·Wᵀ          ∂L/∂W += Xᵀ·G          ∂L/∂b += Σₙ G[n, :]
 *
 * (W is stored [in, out], the transpose of PyTorch's [out, in], so that the forward pass
 * reads Y = X·W like the formula.)
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
    this.inFeatures = checkInteger('Linear', 'inFeatures', inFeatures);
    this.outFeatures = checkInteger('Linear', 'outFeatures', outFeatures);
    const who = this.toString();
    if (options.share !== undefined) {
      const other = options.share;
      if (!(other instanceof Linear)) throw new MinidlError(`${who}: share must be a Linear, got ${String(other)}`);
      const wantBias = options.bias ?? true;
      if (other.inFeatures !== inFeatures || other.outFeatures !== outFeatures || (other.bias !== null) !== wantBias) {
        throw new MinidlError(`${who}: cannot share the parameters of ${other}: sizes and bias must match`);
      }
      this.weight = other.weight;
      this.bias = other.bias;
      return;
    }
    const rng = options.rng ?? defaultRng();
    this.weight = new Parameter(Tensor.zeros([inFeatures, outFeatures]), 'weight');
    initialize(this.weight.value, options.init ?? 'default', inFeatures, outFeatures, rng, who);
    if (options.bias ?? true) {
      this.bias = new Parameter(Tensor.zeros([1, outFeatures]), 'bias');
      const biasInit = options.biasInit ?? 'default';
      if (biasInit !== 'default' && biasInit !== 'zeros') {
        throw new MinidlError(`${who}: biasInit must be 'default' or 'zeros', got ${JSON.stringify(biasInit)}`);
      }
      initialize(this.bias.value, biasInit, inFeatures, outFeatures, rng, who);
    } else {
      this.bias = null;
    }
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    if (input.rank !== 2 || input.shape[1] !== this.inFeatures) {
      this.fail('forward', `input has shape ${formatShape(input.shape)}, expected [N,${this.inFeatures}]`);
    }
    this.input = input;
    const output = this.bias // Y = X·W + b (the kernel adds b as it stores each entry of X·W)
      ? matmul(input, this.weight.value, { bias: this.bias.value })
      : matmul(input, this.weight.value);
    return this.rememberOutput(output);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const input = this.input as Tensor;
    matmulTransA(input, gradOut, { into: this.weight.grad, accumulate: true }); //  ∂L/∂W += Xᵀ·G
    if (this.bias) sumRows(gradOut, { into: this.bias.grad, accumulate: true }); // ∂L/∂b += Σₙ G[n, :]
    return matmulTransB(gradOut, this.weight.value); //                             ∂L/∂X  = G·Wᵀ
  }

  override params(): Parameter[] {
    return this.bias ? [this.weight, this.bias] : [this.weight];
  }

  toString(): string {
    return `Linear(${this.inFeatures}→${this.outFeatures}${this.bias === null ? ', bias=false' : ''})`;
  }
}
