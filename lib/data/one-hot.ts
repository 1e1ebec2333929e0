import { MinidlError, checkInteger, describeValue } from '../errors';
import { Tensor } from '../tensor/tensor';

/**
 * Throws unless `labels` is a non-empty array or typed array whose every entry is a whole number
 * accepted by `accepts` (described as `expected` in the message, e.g. 'a class index in 0..2').
 */
function checkLabels(who: string, labels: unknown, accepts: (k: number) => boolean, expected: string): asserts labels is ArrayLike<number> {
  if (!Array.isArray(labels) && !(ArrayBuffer.isView(labels) && !(labels instanceof DataView))) {
    const hint = labels instanceof Tensor ? ' (for a Tensor of labels, pass its data)' : '';
    throw new MinidlError(`${who}: labels must be an array or typed array of class indices, got ${labels instanceof Tensor ? `a Tensor of shape [${labels.shape.join(',')}]` : describeValue(labels)}${hint}`);
  }
  const list = labels as ArrayLike<unknown>;
  if (list.length === 0) throw new MinidlError(`${who}: labels is empty`);
  for (let i = 0; i < list.length; i++) {
    const k = list[i];
    if (typeof k !== 'number') throw new MinidlError(`${who}: labels[${i}] is ${describeValue(k)}, expected ${expected}`);
    if (!Number.isInteger(k) || !accepts(k)) throw new MinidlError(`${who}: labels[${i}] = ${k} is not ${expected}`);
  }
}

/**
 * One-hot rows: label k of `numClasses` becomes a row of zeros with a 1 in column k.
 *   oneHot([1, 0], 2) → [[0, 1], [1, 0]]
 * Throws a MinidlError unless `labels` is a non-empty array of whole numbers in 0..numClasses−1
 * (not 1.5, NaN, −1 or '1') and `numClasses` a whole number ≥ 1.
 */
export function oneHot(labels: ArrayLike<number>, numClasses: number): Tensor {
  checkInteger('oneHot', 'numClasses', numClasses);
  checkLabels('oneHot', labels, (k) => k >= 0 && k < numClasses, `a class index in 0..${numClasses - 1}`);
  const out = new Tensor([labels.length, numClasses]);
  for (let i = 0; i < labels.length; i++) out.data[i * numClasses + labels[i]] = 1;
  return out;
}

/**
 * The labels as a column [n, 1] of 0/1 numbers: the target of a single-output (sigmoid) network.
 * Throws a MinidlError unless `labels` is a non-empty array of 0s and 1s (for more classes, use
 * `oneHot(labels, numClasses)`).
 */
export function labelColumn(labels: ArrayLike<number>): Tensor {
  checkLabels('labelColumn', labels, (k) => k === 0 || k === 1, '0 or 1 (a label column is the target of a single-output network; for more classes use oneHot(labels, numClasses))');
  return Tensor.fromArray(labels, [labels.length, 1]);
}
