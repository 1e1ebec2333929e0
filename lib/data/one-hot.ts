import { MinidlError, checkInteger } from '../errors';
import { Tensor } from '../tensor/tensor';

/**
 * One-hot rows: label k of `numClasses` becomes a row of zeros with a 1 in column k.
 *   oneHot([1, 0], 2) → [[0, 1], [1, 0]]
 */
export function oneHot(labels: ArrayLike<number>, numClasses: number): Tensor {
  checkInteger('oneHot', 'numClasses', numClasses);
  if (labels.length === 0) throw new MinidlError('oneHot: labels is empty');
  const out = new Tensor([labels.length, numClasses]);
  for (let i = 0; i < labels.length; i++) {
    const k = labels[i];
    if (!Number.isInteger(k) || k < 0 || k >= numClasses) {
      throw new MinidlError(`oneHot: labels[${i}] = ${k} is not a class index in 0..${numClasses - 1}`);
    }
    out.data[i * numClasses + k] = 1;
  }
  return out;
}

/** The labels as a column [n, 1] of 0/1 numbers: the target of a single-output (sigmoid) network. */
export function labelColumn(labels: ArrayLike<number>): Tensor {
  if (labels.length === 0) throw new MinidlError('labelColumn: labels is empty');
  return Tensor.fromArray(labels, [labels.length, 1]);
}
