import { MinidlError, describeValue, formatShape } from '../errors';
import { Tensor } from '../tensor/tensor';
import { IdxArray } from './idx';

/**
 * MNIST: 28×28 grey-level images of handwritten digits, 60,000 for training and 10,000 for
 * testing, in four IDX files (see lib/data/idx.ts for the format):
 *
 *   train-images-idx3-ubyte   ubyte [60000, 28, 28]   pixels, 0 = background … 255 = ink
 *   train-labels-idx1-ubyte   ubyte [60000]           the digit of each image, 0 … 9
 *   t10k-images-idx3-ubyte    ubyte [10000, 28, 28]
 *   t10k-labels-idx1-ubyte    ubyte [10000]
 *
 * Each may also be gzipped, as distributed (the same name with `.gz`); a file is recognised as
 * gzip by its first two bytes, 0x1F 0x8B, whatever its name.
 *
 * This file is browser-safe: it turns parsed IDX arrays into tensors. Reading the four files
 * from a folder (Node's `fs`, `zlib` and `path`) is `loadMnist` in mnist-files.ts, exported
 * by the entry point `minidl/node`.
 */

/** One part of an image classification set (MNIST's training or test part). */
export interface ImageSplit {
  /** Pixels scaled to [0, 1] (byte / 255), one flattened image per row: [N, rows·cols]. */
  images: Tensor;
  /** The class of each image (its digit, 0 … 9). */
  labels: Int32Array;
  /** Image height in pixels (28 for MNIST). */
  rows: number;
  /** Image width in pixels (28 for MNIST). */
  cols: number;
}

/** A training and a test part, and where they were read from. */
export interface MnistData {
  /** The images to train on (60,000 in MNIST). */
  train: ImageSplit;
  /** The images to measure the accuracy on (10,000 in MNIST). */
  test: ImageSplit;
  /** Where the data came from (e.g. the folder read), for reports. */
  source: string;
}

/** The number of classes (digits 0 … 9). */
export const MNIST_CLASSES = 10;

/** The standard file names, without `.gz`. */
export const MNIST_FILES = {
  /** The training images, ubyte [N, 28, 28]. */
  trainImages: 'train-images-idx3-ubyte',
  /** The training labels, ubyte [N]. */
  trainLabels: 'train-labels-idx1-ubyte',
  /** The test images, ubyte [N, 28, 28]. */
  testImages: 't10k-images-idx3-ubyte',
  /** The test labels, ubyte [N]. */
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/**
 * An ImageSplit from parsed IDX arrays: images ubyte [N, rows, cols], labels ubyte [N] with
 * values 0 … 9. Pixels are divided by 255. The names are used in error messages.
 * (Browser-safe: no file access.)
 */
export function mnistSplitFromIdx(images: IdxArray, labels: IdxArray, imagesName = 'images', labelsName = 'labels'): ImageSplit {
  const fail = (message: string): never => {
    throw new MinidlError(`MNIST: ${message}`);
  };
  for (const [array, name] of [[images, imagesName], [labels, labelsName]] as const) {
    const a = array as Partial<IdxArray> | null;
    if (typeof a !== 'object' || a === null || !Array.isArray(a.dims) || typeof a.type !== 'string' || !ArrayBuffer.isView(a.data)) {
      fail(`${String(name)}: expected a parsed IDX array { dims, type, data } (from parseIdx), got ${describeValue(array)}`);
    }
  }
  if (images.type !== 'ubyte' || images.dims.length !== 3) {
    fail(`${imagesName}: expected images as ubyte dims [N,rows,cols], got ${images.type} dims ${formatShape(images.dims)}`);
  }
  if (labels.type !== 'ubyte' || labels.dims.length !== 1) {
    fail(`${labelsName}: expected labels as ubyte dims [N], got ${labels.type} dims ${formatShape(labels.dims)}`);
  }
  const [n, rows, cols] = images.dims;
  if (labels.dims[0] !== n) {
    fail(`${labelsName} holds ${labels.dims[0]} labels (dims ${formatShape(labels.dims)}) but ${imagesName} holds ${n} images (dims ${formatShape(images.dims)}); the counts must match`);
  }
  if (n === 0 || rows === 0 || cols === 0) fail(`${imagesName}: dims ${formatShape(images.dims)} hold no image`);
  const pixels = new Float64Array(images.data.length);
  for (let i = 0; i < pixels.length; i++) pixels[i] = images.data[i] / 255;
  const classes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = labels.data[i];
    if (label >= MNIST_CLASSES) fail(`${labelsName}: label ${i} is ${label}, expected a digit 0…${MNIST_CLASSES - 1}`);
    classes[i] = label;
  }
  return { images: new Tensor([n, rows * cols], pixels), labels: classes, rows, cols };
}

/** The images of a split seen as a batch of one-channel images [N, 1, rows, cols] (NCHW; shares the data). */
export function asImageBatch(split: ImageSplit): Tensor {
  const s = split as Partial<ImageSplit> | null;
  if (typeof s !== 'object' || s === null || !(s.images instanceof Tensor) || typeof s.rows !== 'number' || typeof s.cols !== 'number') {
    throw new MinidlError(`asImageBatch: expected an ImageSplit { images, labels, rows, cols } (such as loadMnist(dir).test), got ${describeValue(split)}`);
  }
  if (s.images.rank !== 2 || s.images.shape[1] !== s.rows * s.cols) {
    throw new MinidlError(`asImageBatch: images has shape ${formatShape(s.images.shape)}, expected [N,${s.rows * s.cols}] (rows ${s.rows} × cols ${s.cols})`);
  }
  return split.images.reshape([split.images.shape[0], 1, split.rows, split.cols]);
}
