import { checkArgumentCount, checkFinite } from '../../errors';
import { configNumber } from '../../serialization/config-values';
import { registerModule } from '../../serialization/module-registry';
import { fastLoop } from '../../tensor/loops';
import { Tensor } from '../../tensor/tensor';
import { Module } from '../module';

/**
 * Leaky ReLU, element-wise:  y = x if x > 0, else slope·x
 *
 * Shapes: any → the same shape.   Default slope: 0.01 (PyTorch's).
 *
 * Backward, given g = ∂L/∂y:
 *   ∂L/∂x = g if x > 0, else slope·g
 * (At x = 0 the slope side is taken, as PyTorch does.) The loops are below the class; the
 * 'wasm' backend runs a twin of each (same bits).
 */
export class LeakyReLU extends Module {
  /** The slope for negative inputs. */
  readonly negativeSlope: number;
  private input: Tensor | null = null;

  /** Throws a MinidlError unless `negativeSlope` is a finite number (given as a number, not an options object). */
  constructor(negativeSlope = 0.01) {
    super();
    checkArgumentCount('LeakyReLU', arguments.length, ['negativeSlope']);
    this.negativeSlope = checkFinite('LeakyReLU', 'negativeSlope', negativeSlope);
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    this.input = input;
    const output = new Tensor(input.shape);
    // exercise LeakyReLU.forward ▼
    fastLoop('leakyReluForward', leakyReluForward)(input.data, output.data, output.size, this.negativeSlope); //  y = x if x > 0, else slope·x
    // exercise ▲
    return this.rememberOutput(output);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const gradIn = new Tensor(gradOut.shape);
    // exercise LeakyReLU.backward ▼
    fastLoop('leakyReluBackward', leakyReluBackward)((this.input as Tensor).data, gradOut.data, gradIn.data, gradIn.size, this.negativeSlope); // ∂L/∂x = g if x > 0, else slope·g
    // exercise ▲
    return gradIn;
  }

  toString(): string {
    return `LeakyReLU(${this.negativeSlope})`;
  }

  /** The slope: `{ negativeSlope }`. */
  override config(): Record<string, unknown> {
    return { negativeSlope: this.negativeSlope };
  }

  /** A LeakyReLU with the saved slope. */
  static fromConfig(config: Record<string, unknown>): LeakyReLU {
    return new LeakyReLU(configNumber(config, 'negativeSlope'));
  }
}
registerModule(LeakyReLU, 'LeakyReLU');

// exercise LeakyReLU.forward ▼
/** LeakyReLU forward over n entries: y = x if x > 0, else slope · x. */
export function leakyReluForward(x: Float64Array, y: Float64Array, n: number, slope: number): void {
  for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : x[i] * slope;
}
// exercise ▲

// exercise LeakyReLU.backward ▼
/** LeakyReLU backward over n entries, from the layer's input x: ∂L/∂x = g if x > 0, else slope · g. */
export function leakyReluBackward(x: Float64Array, g: Float64Array, dx: Float64Array, n: number, slope: number): void {
  for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? g[i] : g[i] * slope;
}
// exercise ▲
