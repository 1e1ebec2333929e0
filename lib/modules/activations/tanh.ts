import { checkArgumentCount } from '../../errors';
import { registerModule } from '../../serialization/module-registry';
import { fastLoop } from '../../tensor/loops';
import { Tensor } from '../../tensor/tensor';
import { Module } from '../module';

/**
 * Hyperbolic tangent, element-wise:  y = tanh(x) = (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ)
 *
 * Shapes: any → the same shape.
 *
 * Backward, given g = ∂L/∂y:
 *   ∂L/∂x = g · (1 − y²)          since tanh′(x) = 1 − tanh²(x)
 * (The output y is kept from the forward pass, so nothing is recomputed.)
 *
 * The forward loop uses JavaScript's Math.tanh on both backends (WebAssembly's tanh may differ
 * in the last bit); the backward loop, below the class, has a 'wasm' twin with the same bits.
 */
export class Tanh extends Module {
  private output: Tensor | null = null;

  /** Takes no arguments: one would be ignored (PyTorch's inplace is not supported), so it is refused. */
  constructor() {
    super();
    checkArgumentCount('Tanh', arguments.length, []);
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    const x = input.data;
    const output = new Tensor(input.shape);
    const y = output.data;
    // exercise Tanh.forward ▼
    for (let i = 0; i < x.length; i++) y[i] = Math.tanh(x[i]);
    // exercise ▲
    this.output = output;
    return this.rememberOutput(output);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const gradIn = new Tensor(gradOut.shape);
    // exercise Tanh.backward ▼
    fastLoop('tanhBackward', tanhBackward)((this.output as Tensor).data, gradOut.data, gradIn.data, gradIn.size); // ∂L/∂x = g · (1 − y²)
    // exercise ▲
    return gradIn;
  }

  toString(): string {
    return 'Tanh';
  }

  /** `{}`: the constructor takes no arguments. */
  override config(): Record<string, unknown> {
    return {};
  }

  /** A new Tanh (its config is empty). */
  static fromConfig(): Tanh {
    return new Tanh();
  }
}
registerModule(Tanh, 'Tanh');

// exercise Tanh.backward ▼
/** Tanh backward over n entries, from the layer's output y: ∂L/∂x = g · (1 − y²). */
export function tanhBackward(y: Float64Array, g: Float64Array, dx: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) dx[i] = g[i] * (1 - y[i] * y[i]);
}
// exercise ▲
