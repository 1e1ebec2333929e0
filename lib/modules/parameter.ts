import { MinidlError, describeValue, formatShape } from '../errors';
import { fillZeros } from '../tensor/kernels';
import { longLivedValues } from '../tensor/memory';
import { Tensor, keptTensor } from '../tensor/tensor';

/**
 * A learnable tensor and its gradient: the (value, grad) pair every module's `params()` lists.
 *
 * `backward` adds (+=) into `grad`; an optimizer reads `grad` to update `value`; `zeroGrad`
 * clears `grad` before the next batch. Two modules may hold the same Parameter (weight
 * sharing): each adds its share of the gradient to the same `grad`.
 *
 * The constructor copies the values it is given into the parameter's own long-lived storage
 * (lib/tensor/memory.ts: on the 'wasm' backend, the kernels' memory, where the kernels read
 * them in place). Read and write them through `value`.
 */
export class Parameter {
  /** The learnable numbers. */
  readonly value: Tensor;
  /** ∂L/∂value, accumulated by `backward`; same shape as `value`. */
  readonly grad: Tensor;
  /** A name for messages and saved files, such as `weight` or `bias`. */
  readonly name: string;

  /**
   * A parameter holding a copy of `value`'s numbers, with a zero gradient. Throws a MinidlError
   * when `value` is not a Tensor or holds NaN or ±Infinity (training would only spread it), or
   * `name` is not a string.
   */
  constructor(value: Tensor, name = 'param') {
    if (!(value instanceof Tensor)) throw new MinidlError(`Parameter: value must be a Tensor, got ${describeValue(value)}`);
    if (typeof name !== 'string') throw new MinidlError(`Parameter: name must be a string, got ${describeValue(name)}`);
    const bad = value.firstNonFinite();
    if (bad >= 0) {
      throw new MinidlError(`Parameter ${name}: value holds a non-finite value (${value.data[bad]}) at flat index ${bad} of shape ${formatShape(value.shape)}; a parameter starts from finite numbers`);
    }
    this.value = keptTensor(value.shape, longLivedValues(value.size));
    this.value.data.set(value.data);
    this.grad = keptTensor(value.shape, longLivedValues(value.size));
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
