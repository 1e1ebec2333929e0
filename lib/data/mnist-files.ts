import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { MinidlError, describeValue } from '../errors';
import { IdxArray, parseIdx } from './idx';
import { MNIST_FILES, MnistData, mnistSplitFromIdx } from './mnist';

/**
 * Reading MNIST's four IDX files from a folder (see mnist.ts for what they hold). One of the
 * few files of minidl that use Node's `fs`, `zlib` and `path`, so it is exported by the entry
 * point `minidl/node`, not by the browser-safe `minidl`.
 */

const DESCRIPTIONS: Record<keyof typeof MNIST_FILES, string> = {
  trainImages: 'training images',
  trainLabels: 'training labels',
  testImages: 'test images',
  testLabels: 'test labels',
};

/**
 * Reads MNIST from the folder `dir`, which holds the four standard files, each plain or
 * gzipped. Returns images scaled to [0, 1] as [N, 784] tensors and labels as Int32Arrays.
 *
 * Throws a MinidlError naming the file when one is missing (listing the names looked for),
 * is not valid IDX, or does not match its partner (image and label counts must agree).
 *
 * ```ts
 * const mnist = loadMnist('data/mnist');
 * mnist.train.images.shape;     // [60000, 784]
 * asImageBatch(mnist.test);     // the same numbers seen as [10000, 1, 28, 28]
 * ```
 */
export function loadMnist(dir: string): MnistData {
  if (typeof dir !== 'string' || dir === '') throw new MinidlError(`loadMnist: dir must be a folder name, got ${typeof dir === 'string' ? "''" : describeValue(dir)}`);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new MinidlError(`loadMnist: '${dir}' is not a folder; expected a folder holding ${Object.values(MNIST_FILES).join(', ')} (each optionally .gz)`);
  }
  const read = (key: keyof typeof MNIST_FILES): { array: IdxArray; file: string } => {
    const base = MNIST_FILES[key];
    const candidates = [base, `${base}.gz`];
    const found = candidates.map((name) => path.join(dir, name)).find((file) => fs.existsSync(file));
    if (found === undefined) {
      throw new MinidlError(`loadMnist: cannot find the ${DESCRIPTIONS[key]} in '${dir}': looked for ${candidates.join(' and ')}`);
    }
    return { array: parseIdx(readMaybeGzipped(found), path.basename(found)), file: path.basename(found) };
  };
  const trainImages = read('trainImages');
  const trainLabels = read('trainLabels');
  const testImages = read('testImages');
  const testLabels = read('testLabels');
  const train = mnistSplitFromIdx(trainImages.array, trainLabels.array, trainImages.file, trainLabels.file);
  const test = mnistSplitFromIdx(testImages.array, testLabels.array, testImages.file, testLabels.file);
  if (train.rows !== test.rows || train.cols !== test.cols) {
    throw new MinidlError(`loadMnist: ${trainImages.file} holds ${train.rows}×${train.cols} images but ${testImages.file} holds ${test.rows}×${test.cols} images; they must have the same size`);
  }
  return { train, test, source: dir };
}

/** The bytes of a file, gunzipped if they start with gzip's magic bytes 0x1F 0x8B. */
function readMaybeGzipped(file: string): Uint8Array {
  const bytes = fs.readFileSync(file);
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  try {
    const plain = zlib.gunzipSync(bytes);
    return new Uint8Array(plain.buffer, plain.byteOffset, plain.byteLength);
  } catch (err) {
    throw new MinidlError(`loadMnist: ${path.basename(file)} starts like a gzip file (0x1F 0x8B) but cannot be gunzipped: ${(err as Error).message}`, { cause: err });
  }
}
