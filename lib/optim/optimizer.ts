import { MinidlError } from '../errors';
import { describe } from '../modules/module';
import { Parameter } from '../modules/parameter';
import { longLivedValues } from '../tensor/memory';
import { Tensor, keptTensor } from '../tensor/tensor';

/**
 * What an optimizer keeps for one parameter between steps (PyTorch's `optimizer.state[p]`):
 * tensors such as a momentum buffer, and numbers such as a step count.
 */
export type ParamState = Record<string, Tensor | number>;

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
  /**
   * Per-parameter state, filled by `step()` (PyTorch's `optimizer.state`): SGD's
   * `momentumBuffer`, Adam's `step`, `expAvg` and `expAvgSq`. Read it; let `step` write it.
   */
  readonly state = new Map<Parameter, ParamState>();

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

  /** The state of parameter `p`, an empty record before its first step. */
  protected stateOf(p: Parameter): ParamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /**
   * The state tensor `name` of parameter `p` (a momentum buffer, a moment estimate): zeros of
   * p's shape made at its first use, then the same tensor at every step. It outlives steps, so
   * an optimizer of your own can make its state here inside `step()` as PyTorch's do.
   */
  protected stateTensor(p: Parameter, name: string): Tensor {
    const s = this.stateOf(p);
    const existing = s[name];
    if (existing instanceof Tensor) return existing;
    const made = keptTensor(p.shape, longLivedValues(p.value.size));
    s[name] = made;
    return made;
  }

  /** Sets every parameter's gradient to zero. */
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }

  /** The optimizer and its hyper-parameters, e.g. `SGD(lr=0.1)`. */
  abstract toString(): string;
}
