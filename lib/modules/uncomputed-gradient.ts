import { MinidlError, formatShape } from '../errors';
import { Tensor } from '../tensor/tensor';

/**
 * What `backward` returns in place of ∂L/∂input when its module was told that nobody needs that
 * gradient (`module.inputNeedsGrad = false`; see `Module.inputNeedsGrad`). `NeuralNet` tells the
 * model's first module so during its training steps: that module's input is the data, whose
 * gradient nothing reads — PyTorch does not compute it either (its `grad_input` is None there).
 *
 * The contract says `backward` returns a Tensor of the input's shape, and this is one, so a
 * container passes it on as any gradient; but its values were never computed. Reading `data` —
 * and so any method or kernel that reads values — throws a MinidlError that says which module
 * skipped it and how to get it (`inputNeedsGrad = true`): a gradient nobody computed can never be
 * mistaken for one (no zeros stand in for it). Its `toString()` says the same.
 *
 * Code that may be handed one (a container of yours that passes gradients on, say) can test
 * `grad instanceof UncomputedGradient`: the class is exported from `minidl`.
 */
export class UncomputedGradient extends Tensor {
  /** Who skipped it, e.g. `Conv2d(1→8, 5×5, stride 1, padding 0).backward`. */
  readonly skippedBy: string;

  /** An uncomputed gradient of the given shape, skipped by `skippedBy`. */
  constructor(shape: readonly number[], skippedBy: string) {
    super(shape);
    this.skippedBy = skippedBy;
  }

  /** Throws: the values were not computed. */
  override get data(): Float64Array {
    throw new MinidlError(
      `${this.skippedBy}: ∂L/∂input ${formatShape(this.shape)} was not computed, because the module's inputNeedsGrad is false ` +
      "(NeuralNet sets it on the model's first module during its training steps: nothing reads the data's gradient). " +
      'To have it computed, set inputNeedsGrad = true on the module before calling backward.',
    );
  }

  override toString(): string {
    return `Tensor${formatShape(this.shape)} (not computed: ${this.skippedBy} skipped ∂L/∂input, inputNeedsGrad being false)`;
  }

  /** What console.log shows: toString() whatever the size (there are no values to show). */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}
