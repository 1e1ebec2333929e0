import { Tensor } from '../tensor/tensor';

/**
 * A learnable tensor and its gradient: the (value, grad) pair every module's `params()` lists.
 *
 * `backward` adds (+=) into `grad`; an optimizer reads `grad` to update `value`; `zeroGrad`
 * clears `grad` before the next batch. Two modules may hold the same Parameter (weight
 * sharing): each adds its share of the gradient to the same `grad`.
 */
export class Parameter {
  /** The learnable numbers. */
  readonly value: Tensor;
  /** ∂L/∂value, accumulated by `backward`; same shape as `value`. */
  readonly grad: Tensor;
  /** A name for messages and saved files, such as `weight` or `bias`. */
  readonly name: string;

  constructor(value: Tensor, name = 'param') {
    this.value = value;
    this.grad = Tensor.zeros(value.shape);
    this.name = name;
  }

  /** The parameter's shape. */
  get shape(): readonly number[] {
    return this.value.shape;
  }

  /** Sets every entry of the gradient to zero. */
  zeroGrad(): void {
    this.grad.data.fill(0);
  }

  /** `Parameter weight [2,25]`, for messages. */
  toString(): string {
    return `Parameter ${this.name} [${this.value.shape.join(',')}]`;
  }
}
