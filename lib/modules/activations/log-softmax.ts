import { MinidlError, checkArgumentCount, describeValue, formatShape } from '../../errors';
import { registerModule } from '../../serialization/module-registry';
import { Tensor } from '../../tensor/tensor';
import { Module } from '../module';

/**
 * Log-softmax over the last axis, row by row:  y_k = x_k − log Σ_j e^(x_j)
 *
 * The logarithm of Softmax's probabilities, computed without them: as x_k − max − log Σ_j
 * e^(x_j − max), where no exponential overflows (the largest exponent is 0) and no probability
 * is rounded to 0 before its logarithm is taken (log(Softmax) gives −Infinity there). Followed by
 * NLLLoss it is CrossEntropyLoss, as in PyTorch (the same operations as CrossEntropyLoss's
 * `logSoftmaxRows`, so the same bits).
 *
 * Shapes: X [N, K] → Y [N, K]   (PyTorch's LogSoftmax(dim=-1)).
 *
 * Backward, given g = ∂L/∂y for one row: ∂y_k/∂x_j = δ_kj − p_j with p = softmax(x) = e^y, so
 *   ∂L/∂x_j = Σ_k g_k·(δ_kj − p_j) = g_j − p_j·Σ_k g_k
 * i.e.  ∂L/∂x = g − e^y ⊙ Σ g.
 *
 * `dim` is the axis, as in PyTorch: the last one, −1 (or 1, the same axis of an [N, K] input),
 * the only one supported; any other value throws a MinidlError.
 */
export class LogSoftmax extends Module {
  private output: Tensor | null = null;

  /** Only the last axis, dim = −1 (the default) or 1, is supported; anything else is refused. */
  constructor(dim = -1) {
    super();
    checkArgumentCount('LogSoftmax', arguments.length, ['dim']);
    if (dim !== -1 && dim !== 1) {
      throw new MinidlError(`LogSoftmax: dim must be -1 or 1 (the last axis of an [N,K] input, the only one supported), got ${typeof dim === 'number' ? dim : describeValue(dim)}`);
    }
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    if (input.rank !== 2) this.fail('forward', `input has shape ${formatShape(input.shape)}, expected [N,K] (log-softmax over the last axis)`);
    const [n, k] = input.shape;
    const x = input.data;
    const output = new Tensor(input.shape);
    const y = output.data;
    for (let r = 0; r < n * k; r += k) {
      let max = -Infinity;
      for (let j = r; j < r + k; j++) if (x[j] > max) max = x[j]; //        max of the row
      let sumExp = 0;
      for (let j = r; j < r + k; j++) sumExp += Math.exp(x[j] - max); //    Σ e^(x_j − max)
      const logSum = Math.log(sumExp);
      for (let j = r; j < r + k; j++) y[j] = x[j] - max - logSum; //       y_j = x_j − max − log Σ
    }
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
    for (let r = 0; r < n * k; r += k) {
      let sum = 0;
      for (let j = r; j < r + k; j++) sum += g[j]; //                        Σ g
      for (let j = r; j < r + k; j++) dx[j] = g[j] - Math.exp(y[j]) * sum; // ∂L/∂x = g − e^y ⊙ Σ g
    }
    return gradIn;
  }

  toString(): string {
    return 'LogSoftmax';
  }

  /** `{}`: the only `dim` supported is the last axis, so there is nothing to keep. */
  override config(): Record<string, unknown> {
    return {};
  }

  /** A new LogSoftmax (its config is empty). */
  static fromConfig(): LogSoftmax {
    return new LogSoftmax();
  }
}
registerModule(LogSoftmax, 'LogSoftmax');
