import { MinidlError } from '../errors';
import { describe } from '../modules/module';
import { Parameter } from '../modules/parameter';

/**
 * The base class of the optimizers: something that, given the parameters' gradients, moves
 * their values (`step`), and clears the gradients for the next batch (`zeroGrad`).
 *
 * A training step is always:
 *   optimizer.zeroGrad();  loss.forward(model.forward(x), y);
 *   model.backward(loss.backward());  optimizer.step();
 */
export abstract class Optimizer {
  /** The parameters this optimizer updates, as passed to the constructor (`model.params()`). */
  readonly params: readonly Parameter[];
  /** The learning rate; may be changed between steps (a learning-rate schedule). */
  lr: number;

  constructor(who: string, params: Parameter[], lr: number) {
    if (!Array.isArray(params)) {
      throw new MinidlError(`${who}: params must be an array of Parameters (e.g. model.params()), got ${describe(params)}`);
    }
    if (params.length === 0) throw new MinidlError(`${who}: got an empty parameter list`);
    const seen = new Set<Parameter>();
    params.forEach((p, i) => {
      if (!(p instanceof Parameter)) throw new MinidlError(`${who}: params[${i}] is not a Parameter, got ${describe(p)}`);
      if (seen.has(p)) throw new MinidlError(`${who}: params[${i}] (${p}) appears twice; it would be updated twice per step`);
      seen.add(p);
    });
    this.params = params.slice();
    this.lr = lr;
  }

  /** Updates every parameter from its gradient. */
  abstract step(): void;

  /** Sets every parameter's gradient to zero. */
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }

  /** The optimizer and its hyper-parameters, e.g. `SGD(lr=0.1)`. */
  abstract toString(): string;
}
