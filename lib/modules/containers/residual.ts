import { MinidlError, checkArgumentCount, describeValue, formatShape, sameShape } from '../../errors';
import { registerModule } from '../../serialization/module-registry';
import { Tensor } from '../../tensor/tensor';
import { Module, runInChild } from '../module';
import { checkHeldOnce, checkIsModule, checkTree, keepStateOnFailure, structureChanged } from './sequential';

/**
 * A skip connection around one module f (He et al., 2016, the block of a ResNet; each sub-layer
 * of a Transformer):
 *
 *   y = x + f(x)
 *
 * Shapes: X [*] → Y [*], the same: f must return a tensor of its input's shape (a Linear(d, d),
 * a LayerNorm, an activation, a Sequential of them that ends at width d).
 *
 * Backward, given g = ∂L/∂y: the sum splits the gradient into both paths, and the skip path
 * passes it unchanged:
 *
 *   ∂L/∂x = g + f.backward(g)          (f accumulates its own parameters' gradients)
 *
 * So the gradient reaches x even when f's is small: what makes deep stacks of such blocks
 * trainable. The parameters are f's (`params()` collects them from `children()`).
 *
 * It is a container, like Sequential: an error thrown inside f is re-thrown with `Residual[0]`
 * in front of its message, a forward that fails midway gives back the buffers and generators f
 * had changed, and the constructor refuses an instance held twice anywhere in the tree (f inside
 * itself, or a module appearing twice inside f), for the reason Sequential gives.
 *
 * Throws a MinidlError for an `inner` that is not a Module, a module held twice, a second
 * argument, an input that is not a finite Tensor, and an f whose output has another shape than
 * its input (naming both shapes).
 *
 * ```ts
 * const block = new Residual(new Sequential(new LayerNorm(16), new Linear(16, 64), new GELU(), new Linear(64, 16)));
 * const y = block.forward(x);     // x [N, 16] → y [N, 16] = x + f(x)
 * ```
 */
export class Residual extends Module {
  private readonly wrapped: Module;

  constructor(inner: Module) {
    super();
    checkArgumentCount('Residual', arguments.length, ['inner']);
    checkIsModule('Residual', inner, ' (the module to add a skip connection around: new Residual(new Linear(16, 16)))');
    checkHeldOnce('Residual', this, [inner]);
    this.wrapped = inner;
    structureChanged();
  }

  /**
   * f, the module the skip connection goes around. It cannot be replaced (a getter without a
   * setter: assigning throws a TypeError), since a trainer may have learned the tree already;
   * make a new Residual instead.
   */
  get inner(): Module {
    return this.wrapped;
  }

  forward(input: Tensor): Tensor {
    this.checkInput(input);
    checkTree(this, 'forward');
    return keepStateOnFailure(this, () => {
      const fx = runInChild('Residual[0]', this.inner, 'forward', () => this.inner.forward(input));
      if (!(fx instanceof Tensor) || !sameShape(fx.shape, input.shape)) {
        const got = fx instanceof Tensor ? `shape ${formatShape(fx.shape)}` : describeValue(fx);
        this.fail('forward', `${this.inner} returned ${got} for an input of shape ${formatShape(input.shape)}; y = x + f(x) needs f to keep the shape`);
      }
      return this.rememberOutput(sum(input, fx)); //                                                 y = x + f(x)
    });
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    checkTree(this, 'backward');
    const innerGrad = runInChild('Residual[0]', this.inner, 'backward', () => this.inner.backward(gradOut));
    if (!(innerGrad instanceof Tensor) || !sameShape(innerGrad.shape, gradOut.shape)) {
      const got = innerGrad instanceof Tensor ? `shape ${formatShape(innerGrad.shape)}` : describeValue(innerGrad);
      this.fail('backward', `${this.inner}.backward returned ${got}, expected ${formatShape(gradOut.shape)} (the shape of its input)`);
    }
    return sum(gradOut, innerGrad); //                                                                 ∂L/∂x = g + f.backward(g)
  }

  override children(): Module[] {
    return [this.inner];
  }

  toString(): string {
    return `Residual(${this.inner})`;
  }

  /** Nothing: f is saved as its one child, apart from the config, which is `{}`. */
  override config(): Record<string, unknown> {
    return {};
  }

  /** A Residual around the one rebuilt child. */
  static fromConfig(_config: Record<string, unknown>, children: Module[]): Residual {
    if (children.length !== 1) throw new MinidlError(`Residual: a saved Residual holds exactly one module, got ${children.length}`);
    return new Residual(children[0]);
  }
}
registerModule(Residual, 'Residual');

/** a + b, entry by entry, as a new tensor of their (equal) shape. */
function sum(a: Tensor, b: Tensor): Tensor {
  const out = new Tensor(a.shape);
  const x = a.data, y = b.data, z = out.data;
  for (let i = 0; i < z.length; i++) z[i] = x[i] + y[i];
  return out;
}
