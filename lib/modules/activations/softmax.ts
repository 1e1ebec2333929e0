import { MinidlError, checkArgumentCount, describeValue, formatShape } from '../../errors';
import { registerModule } from '../../serialization/module-registry';
import { Tensor } from '../../tensor/tensor';
import { Module } from '../module';

/**
 * Softmax over the last axis, row by row:  y_k = e^(x_k) / Σ_j e^(x_j)
 *
 * Each row of the output is a probability distribution (entries in (0, 1], summing to 1).
 * It is computed as e^(x_k − max) / Σ_j e^(x_j − max): the same value (the factor e^(−max)
 * cancels), but no exponential overflows, since the largest exponent is 0.
 *
 * Shapes: X [N, K] → Y [N, K]   (PyTorch's Softmax(dim=-1)).
 *
 * Backward, given g = ∂L/∂y for one row: the Jacobian is ∂y_k/∂x_j = y_k·(δ_kj − y_j), so
 *   ∂L/∂x_j = Σ_k g_k·y_k·(δ_kj − y_j) = y_j·(g_j − Σ_k g_k·y_k)
 * i.e.  ∂L/∂x = y ⊙ (g − Σ g ⊙ y)   — a product with the Jacobian without building it.
 *
 * (To train a classifier, give the raw scores to CrossEntropyLoss instead: it applies a
 * log-softmax itself, more accurately than log(Softmax).)
 *
 * `dim` is the axis the softmax runs over, as in PyTorch: the last one, −1 (or 1, the same axis
 * of an [N, K] input), the only one supported; any other value throws a MinidlError.
 */
export class Softmax extends Module {
  private output: Tensor | null = null;

  /** Only the last axis, dim = −1 (the default) or 1, is supported; anything else is refused. */
  constructor(dim = -1) {
    super();
    checkArgumentCount('Softmax', arguments.length, ['dim']);
    if (dim !== -1 && dim !== 1) {
      throw new MinidlError(`Softmax: dim must be -1 or 1 (the last axis of an [N,K] input, the only one supported), got ${typeof dim === 'number' ? dim : describeValue(dim)}`);
    }
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    if (input.rank !== 2) this.fail('forward', `input has shape ${formatShape(input.shape)}, expected [N,K] (softmax over the last axis)`);
    const [n, k] = input.shape;
    const x = input.data;
    const output = new Tensor(input.shape);
    const y = output.data;
    // exercise Softmax.forward ▼
    for (let r = 0; r < n * k; r += k) {
      let max = -Infinity;
      for (let j = r; j < r + k; j++) if (x[j] > max) max = x[j]; //       max of the row
      let sum = 0;
      for (let j = r; j < r + k; j++) sum += y[j] = Math.exp(x[j] - max); // e^(x_j − max), and their sum
      for (let j = r; j < r + k; j++) y[j] /= sum; //                      y_j = e^(x_j − max) / Σ
    }
    // exercise ▲
    this.output = output;
    return this.rememberOutput(output);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const y = (this.output as Tensor).data;
    const [n, k] = gradOut.shape;
    const g = gradOut.data;
    const gradIn = new Tensor(gradOut.shape);
    const dx = gradIn.data;
    // exercise Softmax.backward ▼
    for (let r = 0; r < n * k; r += k) {
      let dot = 0;
      for (let j = r; j < r + k; j++) dot += g[j] * y[j]; //              Σ g ⊙ y
      for (let j = r; j < r + k; j++) dx[j] = y[j] * (g[j] - dot); //     ∂L/∂x = y ⊙ (g − Σ g ⊙ y)
    }
    // exercise ▲
    return gradIn;
  }

  toString(): string {
    return 'Softmax';
  }

  /** `{}`: the only `dim` supported is the last axis, so there is nothing to keep. */
  override config(): Record<string, unknown> {
    return {};
  }

  /** A new Softmax (its config is empty). */
  static fromConfig(): Softmax {
    return new Softmax();
  }
}
registerModule(Softmax, 'Softmax');
