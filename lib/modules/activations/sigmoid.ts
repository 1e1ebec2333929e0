import { checkArgumentCount } from '../../errors';
import { registerModule } from '../../serialization/module-registry';
import { fastLoop } from '../../tensor/loops';
import { Tensor } from '../../tensor/tensor';
import { Module } from '../module';

/**
 * Logistic sigmoid, element-wise:  y = σ(x) = 1 / (1 + e⁻ˣ)
 *
 * Shapes: any → the same shape.
 *
 * Backward, given g = ∂L/∂y:
 *   ∂L/∂x = g · (1 − y) · y          since σ′(x) = σ(x)·(1 − σ(x))
 *
 * Large |x| is safe in floating point: for x ≪ 0 (below about −709), e⁻ˣ overflows to +∞ and
 * 1/(1 + ∞) = 0; for x ≫ 0, 1 + e⁻ˣ rounds to 1 (from about x = 37) and y = 1. No NaN appears.
 *
 * The forward loop uses JavaScript's Math.exp on both backends (WebAssembly's exp may differ in
 * the last bit); the backward loop, below the class, has a 'wasm' twin with the same bits.
 */
export class Sigmoid extends Module {
  private output: Tensor | null = null;

  /** Takes no arguments: one would be ignored (PyTorch's inplace is not supported), so it is refused. */
  constructor() {
    super();
    checkArgumentCount('Sigmoid', arguments.length, []);
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    const x = input.data;
    const output = new Tensor(input.shape);
    const y = output.data;
    // exercise Sigmoid.forward ▼
    for (let i = 0; i < x.length; i++) y[i] = 1 / (1 + Math.exp(-x[i]));
    // exercise ▲
    this.output = output;
    return this.rememberOutput(output);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const gradIn = new Tensor(gradOut.shape);
    // exercise Sigmoid.backward ▼
    fastLoop('sigmoidBackward', sigmoidBackward)((this.output as Tensor).data, gradOut.data, gradIn.data, gradIn.size); // ∂L/∂x = g · (1 − y) · y
    // exercise ▲
    return gradIn;
  }

  toString(): string {
    return 'Sigmoid';
  }

  /** `{}`: the constructor takes no arguments. */
  override config(): Record<string, unknown> {
    return {};
  }

  /** A new Sigmoid (its config is empty). */
  static fromConfig(): Sigmoid {
    return new Sigmoid();
  }
}
registerModule(Sigmoid, 'Sigmoid');

// exercise Sigmoid.backward ▼
/** Sigmoid backward over n entries, from the layer's output y: ∂L/∂x = g · (1 − y) · y. */
export function sigmoidBackward(y: Float64Array, g: Float64Array, dx: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) dx[i] = g[i] * (1 - y[i]) * y[i];
}
// exercise ▲
