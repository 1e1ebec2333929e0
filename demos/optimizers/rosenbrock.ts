import { Module, Parameter, Tensor } from '../../lib';

/** f(x, y; a, b) = (a − x)² + b·(y − x²)², Rosenbrock's function (see RosenbrockSurface). */
export function rosenbrock(x: number, y: number, a: number, b: number): number {
  return (a - x) ** 2 + b * (y - x * x) ** 2;
}

/**
 * Rosenbrock's function (1960), the classic test surface of optimisation, as a Module whose one
 * Parameter is the point w = (x, y) being optimised:
 *
 *   f(x, y; a, b) = (a − x)² + b·(y − x²)²          minimum f = 0 at (x, y) = (a, a²)
 *
 * With the usual a = 1, b = 100 the minimum is at (1, 1), at the end of a long, narrow, curved
 * valley along the parabola y = x². Across the valley the surface is steep (curvature about
 * 2b·(1 + 4x²) ≈ 1000 at the minimum), along its floor nearly flat (about 0.4 there): a
 * condition number of about 2500. That is why it separates the optimizers: plain gradient
 * descent must keep η below 2/1000 to stay stable across the valley and then crawls along the
 * floor; momentum gathers speed along the floor; Adagrad, RMSprop and Adam rescale each
 * coordinate by its own gradient history and take steps of about η whatever the slope, which
 * helps on the flat floor, but the valley is curved, so no per-coordinate scale fits it all the
 * way. (An elongated quadratic would show the zigzag as well, but its valley is straight and
 * aligned with an axis, which per-coordinate scaling fixes entirely.)
 *
 * The surface is the whole model and its output is the loss: the input is the pair of
 * constants (a, b), one row [1, 2]; the output is f, one number [1, 1]. The gradient is written
 * by hand:
 *
 *   ∂f/∂x = −2·(a − x) − 4b·x·(y − x²)        ∂f/∂y = 2b·(y − x²)
 *   ∂f/∂a =  2·(a − x)                        ∂f/∂b = (y − x²)²
 *
 * Backward, given G = ∂L/∂f [1, 1]:  point.grad += G·(∂f/∂x, ∂f/∂y), and it returns
 * G·(∂f/∂a, ∂f/∂b) [1, 2]. One optimisation step is then the usual one, started with ∂f/∂f = 1:
 *
 *   optimizer.zeroGrad();  surface.forward(constants);  surface.backward(Tensor.ones([1, 1]));  optimizer.step();
 *
 * Throws a MinidlError (naming the module) for a start that is not two finite numbers, an
 * input that is not a finite [1, 2] tensor, and the Module contract's misuses of backward.
 */
export class RosenbrockSurface extends Module {
  /** The point (x, y) on the surface, one row [1, 2]: what the optimizer moves. */
  readonly point: Parameter;
  /** The input of the last forward: the constants (a, b). */
  private constants: Tensor | null = null;

  /** A surface whose point starts at `start` = [x₀, y₀]. */
  constructor(start: readonly [number, number]) {
    super();
    if (!Array.isArray(start) || start.length !== 2 || !start.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      this.fail('constructor', `start must be a pair [x, y] of finite numbers, got ${String(start)}`);
    }
    this.point = new Parameter(Tensor.from([[start[0], start[1]]]), 'point');
  }

  override params(): Parameter[] {
    return [this.point];
  }

  /** f(x, y; a, b) for the constants `input` = [[a, b]]: a [1, 1] tensor. */
  forward(input: Tensor): Tensor {
    this.checkInput(input);
    if (input.shape.length !== 2 || input.shape[0] !== 1 || input.shape[1] !== 2) {
      this.fail('forward', `input must be the constants [[a, b]], shape [1,2], got shape [${input.shape.join(',')}]`);
    }
    this.constants = input;
    const [a, b] = input.data;
    const [x, y] = this.point.value.data;
    return this.rememberOutput(Tensor.from([[rosenbrock(x, y, a, b)]]));
  }

  /** Adds G·∇f into the point's gradient; returns G·(∂f/∂a, ∂f/∂b). */
  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    const [a, b] = (this.constants as Tensor).data;
    const [x, y] = this.point.value.data;
    const g = gradOut.data[0];
    const valley = y - x * x; //                                                y − x²
    this.point.grad.data[0] += g * (-2 * (a - x) - 4 * b * x * valley); //      ∂f/∂x = −2(a − x) − 4b·x·(y − x²)
    this.point.grad.data[1] += g * (2 * b * valley); //                         ∂f/∂y = 2b·(y − x²)
    return Tensor.from([[g * 2 * (a - x), g * valley * valley]]); //            ∂f/∂a = 2(a − x),  ∂f/∂b = (y − x²)²
  }

  toString(): string {
    return 'RosenbrockSurface';
  }
}
