import { checkArgumentCount, checkFinite } from '../../errors';
import { configNumber } from '../../serialization/config-values';
import { registerModule } from '../../serialization/module-registry';
import { Tensor } from '../../tensor/tensor';
import { Module } from '../module';

/**
 * Exponential linear unit, element-wise:  y = x if x > 0, else α·(eˣ − 1)
 *
 * Smooth for α = 1, and unlike ReLU it lets negative inputs through, saturating at −α.
 * (eˣ − 1 is computed with Math.expm1, exact also for x near 0.)
 *
 * Shapes: any → the same shape.   Default α: 1 (PyTorch's).
 *
 * Backward, given g = ∂L/∂y:
 *   ∂L/∂x = g if x > 0, else g·α·eˣ      (= g·(y + α) on that side)
 * (At x = 0 the exponential side is taken, α·e⁰ = α, as PyTorch does.)
 */
export class ELU extends Module {
  /** α: the value ELU approaches for very negative inputs is −α. */
  readonly alpha: number;
  private input: Tensor | null = null;

  /** Throws a MinidlError unless `alpha` is a finite number (given as a number, not an options object). */
  constructor(alpha = 1) {
    super();
    checkArgumentCount('ELU', arguments.length, ['alpha']);
    this.alpha = checkFinite('ELU', 'alpha', alpha);
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    this.input = input;
    const alpha = this.alpha;
    const x = input.data;
    const output = new Tensor(input.shape);
    const y = output.data;
    for (let i = 0; i < x.length; i++) y[i] = x[i] > 0 ? x[i] : alpha * Math.expm1(x[i]); // y = x, or α·(eˣ − 1)
    return this.rememberOutput(output);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const alpha = this.alpha;
    const x = (this.input as Tensor).data;
    const g = gradOut.data;
    const gradIn = new Tensor(gradOut.shape);
    const dx = gradIn.data;
    for (let i = 0; i < x.length; i++) dx[i] = x[i] > 0 ? g[i] : g[i] * alpha * Math.exp(x[i]); // g, or g·α·eˣ
    return gradIn;
  }

  toString(): string {
    return this.alpha === 1 ? 'ELU' : `ELU(${this.alpha})`;
  }

  /** α: `{ alpha }`. */
  override config(): Record<string, unknown> {
    return { alpha: this.alpha };
  }

  /** An ELU with the saved α. */
  static fromConfig(config: Record<string, unknown>): ELU {
    return new ELU(configNumber(config, 'alpha'));
  }
}
registerModule(ELU, 'ELU');
