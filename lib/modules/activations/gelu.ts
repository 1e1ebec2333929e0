import { MinidlError, checkArgumentCount, describeValue } from '../../errors';
import { registerModule } from '../../serialization/module-registry';
import { erfc } from '../../tensor/erf';
import { Tensor } from '../../tensor/tensor';
import { Module } from '../module';

/** Which formula GELU uses: the exact one with erf, or the tanh approximation. */
export type GeluApproximation = 'none' | 'tanh';

/** 1/√2 */
const SQRT1_2 = Math.SQRT1_2;
/** 1/√(2π), the peak of the standard normal density φ. */
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
/** √(2/π), the slope of the tanh approximation's inner polynomial at 0. */
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
/** The cubic coefficient of the tanh approximation. */
const KAPPA = 0.044715;

/**
 * Gaussian error linear unit, element-wise (PyTorch's two forms):
 *
 *   'none' (exact):  y = x·Φ(x),   Φ(x) = ½·(1 + erf(x/√2)) = ½·erfc(−x/√2)   (the normal CDF)
 *   'tanh':          y = ½·x·(1 + tanh(u)),   u = √(2/π)·(x + 0.044715·x³)
 *
 * Φ is computed as ½·erfc(−x/√2) (lib/tensor/erf.ts), which keeps its relative accuracy for
 * very negative x where 1 + erf(…) would cancel.
 *
 * Shapes: any → the same shape.   Default: 'none' (PyTorch's).
 *
 * Backward, given g = ∂L/∂y:
 *   'none':  ∂L/∂x = g·(Φ(x) + x·φ(x)),   φ(x) = e^(−x²/2)/√(2π)   (the normal density)
 *   'tanh':  ∂L/∂x = g·(½·(1 + t) + ½·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²)),   t = tanh(u)
 */
export class GELU extends Module {
  /** `'none'`: the exact x·Φ(x) with erf; `'tanh'`: the tanh approximation (as PyTorch's `approximate`). */
  readonly approximate: GeluApproximation;
  private input: Tensor | null = null;

  /** Throws a MinidlError unless `approximate` is the string 'none' or 'tanh'. */
  constructor(approximate: GeluApproximation = 'none') {
    super();
    checkArgumentCount('GELU', arguments.length, ['approximate']);
    if (approximate !== 'none' && approximate !== 'tanh') {
      const got = typeof approximate === 'string' ? JSON.stringify(approximate) : describeValue(approximate);
      const hint = typeof approximate === 'object' && approximate !== null ? " (GELU takes the string itself: new GELU('tanh'))" : '';
      throw new MinidlError(`GELU: approximate must be 'none' or 'tanh', got ${got}${hint}`);
    }
    this.approximate = approximate;
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    this.input = input;
    const x = input.data;
    const output = new Tensor(input.shape);
    const y = output.data;
    if (this.approximate === 'none') {
      for (let i = 0; i < x.length; i++) y[i] = x[i] * 0.5 * erfc(-x[i] * SQRT1_2); //   y = x·Φ(x)
    } else {
      for (let i = 0; i < x.length; i++) {
        const u = SQRT_2_OVER_PI * (x[i] + KAPPA * x[i] * x[i] * x[i]); //             u = √(2/π)·(x + κx³)
        y[i] = 0.5 * x[i] * (1 + Math.tanh(u)); //                                      y = ½·x·(1 + tanh u)
      }
    }
    return this.rememberOutput(output);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const x = (this.input as Tensor).data;
    const g = gradOut.data;
    const gradIn = new Tensor(gradOut.shape);
    const dx = gradIn.data;
    if (this.approximate === 'none') {
      for (let i = 0; i < x.length; i++) {
        const cdf = 0.5 * erfc(-x[i] * SQRT1_2); //                                      Φ(x)
        const pdf = INV_SQRT_2PI * Math.exp(-0.5 * x[i] * x[i]); //                      φ(x)
        dx[i] = g[i] * (cdf + x[i] * pdf); //                                            ∂L/∂x = g·(Φ + x·φ)
      }
    } else {
      for (let i = 0; i < x.length; i++) {
        const x2 = x[i] * x[i];
        const t = Math.tanh(SQRT_2_OVER_PI * (x[i] + KAPPA * x2 * x[i])); //             t = tanh u
        const du = SQRT_2_OVER_PI * (1 + 3 * KAPPA * x2); //                             du/dx
        dx[i] = g[i] * (0.5 * (1 + t) + 0.5 * x[i] * (1 - t * t) * du); //               ∂L/∂x
      }
    }
    return gradIn;
  }

  toString(): string {
    return this.approximate === 'none' ? 'GELU' : "GELU(approximate='tanh')";
  }

  /** Which formula: `{ approximate }`, 'none' or 'tanh'. */
  override config(): Record<string, unknown> {
    return { approximate: this.approximate };
  }

  /** A GELU with the saved formula; throws a MinidlError unless it is "none" or "tanh". */
  static fromConfig(config: Record<string, unknown>): GELU {
    const approximate = config.approximate;
    if (approximate !== 'none' && approximate !== 'tanh') throw new MinidlError(`config.approximate must be "none" or "tanh", got ${JSON.stringify(approximate)}`);
    return new GELU(approximate);
  }
}
registerModule(GELU, 'GELU');
