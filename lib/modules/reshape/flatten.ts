import { checkArgumentCount, formatShape } from '../../errors';
import { registerModule } from '../../serialization/module-registry';
import { Tensor } from '../../tensor/tensor';
import { Module } from '../module';

/**
 * Flattens each sample into one row (PyTorch's nn.Flatten, start_dim = 1):
 *
 *   Y[n, k] = X[n, d₁, d₂, …]   with  k = (d₁·D₂ + d₂)·D₃ + …  (row-major order)
 *
 * The bridge from convolutional layers, which work on images [N, C, H, W], to Linear layers,
 * which work on rows [N, features]: Flatten then Linear(C·H·W, …).
 *
 * Shapes: X [N, D₁, D₂, …] → Y [N, D₁·D₂·…]. No parameters. The numbers are not moved
 * (row-major storage already lists each sample's entries one after the other): Y shares X's data.
 *
 * Backward, given G = ∂L/∂Y [N, D₁·D₂·…]: the same numbers seen with the input's shape,
 *   ∂L/∂X = G reshaped to [N, D₁, D₂, …].
 *
 * ```ts
 * const y = new Flatten().forward(Tensor.zeros([2, 16, 4, 4])); // shape [2, 256]
 * ```
 */
export class Flatten extends Module {
  private inputShape: readonly number[] | null = null;

  /** Takes no arguments: one would be ignored (PyTorch's start_dim and end_dim are not supported: Flatten keeps the first axis), so it is refused. */
  constructor() {
    super();
    checkArgumentCount('Flatten', arguments.length, []);
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    if (input.rank < 2) {
      this.fail('forward', `input has shape ${formatShape(input.shape)}, expected at least 2 axes [N, D₁, …] (the first axis is the batch)`);
    }
    this.inputShape = input.shape;
    return this.rememberOutput(input.reshape([input.shape[0], input.cols])); // Y = X as [N, D₁·D₂·…]
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    return gradOut.reshape(this.inputShape as readonly number[]); //         ∂L/∂X = G as [N, D₁, D₂, …]
  }

  toString(): string {
    return 'Flatten';
  }

  /** `{}`: the constructor takes no arguments. */
  override config(): Record<string, unknown> {
    return {};
  }

  /** A new Flatten (its config is empty). */
  static fromConfig(): Flatten {
    return new Flatten();
  }
}
registerModule(Flatten, 'Flatten');
