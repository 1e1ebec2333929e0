import { fillZeros } from '../tensor/kernels';
import { persistentTensorValues } from '../tensor/storage';
import { Tensor } from '../tensor/tensor';

/**
 * A learnable tensor and its gradient: the (value, grad) pair every module's `params()` lists.
 *
 * `backward` adds (+=) into `grad`; an optimizer reads `grad` to update `value`; `zeroGrad`
 * clears `grad` before the next batch. Two modules may hold the same Parameter (weight
 * sharing): each adds its share of the gradient to the same `grad`.
 *
 * The constructor copies the values it is given into the parameter's own storage, which
 * outlives training steps: on the 'wasm' backend, the kernels' memory, where the kernels read
 * them in place (see lib/tensor/storage.ts). Read and write them through `value`.
 */
export class Parameter {
  /** The learnable numbers. */
  readonly value: Tensor;
  /** ∂L/∂value, accumulated by `backward`; same shape as `value`. */
  readonly grad: Tensor;
  /** A name for messages and saved files, such as `weight` or `bias`. */
  readonly name: string;

  /** A parameter holding a copy of `value`'s numbers, with a zero gradient. */
  constructor(value: Tensor, name = 'param') {
    const values = persistentTensorValues(value.size);
    values.set(value.data);
    this.value = new Tensor(value.shape, values);
    this.grad = new Tensor(value.shape, persistentTensorValues(value.size));
    this.name = name;
  }

  /** The parameter's shape. */
  get shape(): readonly number[] {
    return this.value.shape;
  }

  /** Sets every entry of the gradient to zero. */
  zeroGrad(): void {
    fillZeros(this.grad.data);
  }

  /** `Parameter weight [2,25]`, for messages. */
  toString(): string {
    return `Parameter ${this.name} [${this.value.shape.join(',')}]`;
  }
}
