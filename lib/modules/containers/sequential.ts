import { MinidlError } from '../../errors';
import { Tensor } from '../../tensor/tensor';
import { Module, describe, runInChild } from '../module';

/**
 * A chain of modules applied one after the other.
 *
 *   forward:   x → m₀ → m₁ → … → mₖ → y
 *   backward:  ∂L/∂y → mₖ.backward → … → m₀.backward → ∂L/∂x   (the chain rule, in reverse order)
 *
 * An error thrown inside a module is re-thrown with the module's position in front, e.g.
 * `Sequential[4] Linear(25→25).backward: gradOut has shape [10,24], expected [10,25]`.
 *
 * ```ts
 * const net = new Sequential(new Linear(2, 25), new ReLU(), new Linear(25, 2));
 * net.append(new Sigmoid());
 * ```
 */
export class Sequential extends Module {
  /** The modules, in the order `forward` applies them. */
  readonly modules: Module[] = [];

  constructor(...modules: Module[]) {
    super();
    for (const m of modules) this.append(m);
  }

  /** Adds a module at the end of the chain. Returns this Sequential. */
  append(module: Module): this {
    if (!(module instanceof Module)) {
      throw new MinidlError(`Sequential.append: expected a Module, got ${describe(module)}`);
    }
    this.modules.push(module);
    return this;
  }

  /** How many modules the chain holds. */
  get length(): number {
    return this.modules.length;
  }

  forward(input: Tensor): Tensor {
    let x = input;
    for (let i = 0; i < this.modules.length; i++) {
      x = this.run(i, 'forward', x);
    }
    return this.rememberOutput(x);
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    let g = gradOut;
    for (let i = this.modules.length - 1; i >= 0; i--) {
      g = this.run(i, 'backward', g);
    }
    return g;
  }

  override children(): Module[] {
    return this.modules;
  }

  toString(): string {
    return `Sequential(${this.modules.map((m) => m.toString()).join(', ')})`;
  }

  /** Runs module i's forward or backward; an error gets `Sequential[i] ` in front of its message. */
  private run(i: number, method: 'forward' | 'backward', x: Tensor): Tensor {
    const m = this.modules[i];
    return runInChild(`Sequential[${i}]`, m, method, () => m[method](x));
  }
}
