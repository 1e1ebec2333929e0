import { reluBackward, reluForward } from '../../tensor/activation-kernels';
import { Tensor } from '../../tensor/tensor';
import { Module } from '../module';

/**
 * Rectified linear unit, element-wise:  y = max(0, x) = x · 1[x > 0]
 *
 * Shapes: any → the same shape.
 *
 * Backward, given g = ∂L/∂y:
 *   ∂L/∂x = g · 1[x > 0]
 * (At x = 0 the derivative is taken to be 0, as PyTorch does.)
 *
 * The loops are in lib/tensor/activation-kernels.ts (with a WebAssembly twin under the 'wasm'
 * backend): `y[i] = x[i] · +(x[i] > 0) + 0` and `dx[i] = g[i] · +(x[i] > 0) + 0`.
 */
export class ReLU extends Module {
  private input: Tensor | null = null;

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    this.input = input;
    const output = new Tensor(input.shape);
    reluForward(input.data, output.data, output.size); //                y = x · 1[x > 0]
    return this.rememberOutput(output);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const gradIn = new Tensor(gradOut.shape);
    reluBackward((this.input as Tensor).data, gradOut.data, gradIn.data, gradIn.size); // ∂L/∂x = g · 1[x > 0]
    return gradIn;
  }

  toString(): string {
    return 'ReLU';
  }
}
