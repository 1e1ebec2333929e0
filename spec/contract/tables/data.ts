import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { diskLabel, generateDisk } from '../../../lib/data/disk';
import { encodeIdx, parseIdx } from '../../../lib/data/idx';
import { MNIST_FILES, asImageBatch, mnistSplitFromIdx } from '../../../lib/data/mnist';
import { loadMnist } from '../../../lib/data/mnist-files';
import { labelColumn, oneHot } from '../../../lib/data/one-hot';
import { applyStandardization, featureStats, standardize } from '../../../lib/data/standardize';
import { Rng } from '../../../lib/random/rng';
import { Tensor } from '../../../lib/tensor/tensor';
import { ContractRow, ContractTable, any, row } from '../harness';

/*
 * Data: labels that are not whole class indices (1.5, NaN, −1, a string, a Tensor), label columns
 * that are not 0/1, data holding NaN or ±Infinity (named by row and column rather than blamed on a
 * "constant feature"), the disk generator without a generator, IDX bytes and MNIST folders. A
 * refused call leaves its tensors, its generator and the files it read as they were.
 */


/** Where the MNIST rows write their folders (removed when the spec ends). */
const scratchRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-contract-data-'));
if (typeof afterAll === 'function') afterAll(() => fs.rmSync(scratchRoot, { recursive: true, force: true }));

/** A call whose arguments need no state of their own. */
function call(name: string, act: () => unknown, ...message: RegExp[]): ContractRow {
  return row(name, () => ({ act }), ...message);
}

/** A call on fresh tensors, which must stay as they were. */
function onTensors(name: string, make: () => Tensor[], act: (...t: Tensor[]) => unknown, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const tensors = make();
    return { act: () => act(...tensors), keeps: { tensors } };
  }, ...message);
}

const labels: ContractRow[] = [
  call('oneHot([0, 1.5], 2)', () => oneHot([0, 1.5], 2), /^oneHot: labels\[1\] = 1\.5 is not a class index in 0\.\.1$/),
  call('oneHot([NaN], 2)', () => oneHot([NaN], 2), /^oneHot: labels\[0\] = NaN is not a class index in 0\.\.1$/),
  call('oneHot([-1], 2)', () => oneHot([-1], 2), /^oneHot: labels\[0\] = -1 is not a class index in 0\.\.1$/),
  call('oneHot([2], 2)', () => oneHot([2], 2), /^oneHot: labels\[0\] = 2 is not a class index in 0\.\.1$/),
  call("oneHot(['1', '0'], 2): string labels", () => oneHot(any(['1', '0']), 2), /^oneHot: labels\[0\] is string '1', expected a class index in 0\.\.1$/),
  call('oneHot([null], 2)', () => oneHot(any([null]), 2), /^oneHot: labels\[0\] is null, expected a class index/),
  onTensors('oneHot(a Tensor of labels, 2)', () => [Tensor.from([0, 1])], (t) => oneHot(any(t), 2),
    /^oneHot: labels must be an array or typed array of class indices, got a Tensor of shape \[2\] \(for a Tensor of labels, pass its data\)$/),
  call("oneHot('01', 2)", () => oneHot(any('01'), 2), /^oneHot: labels must be an array or typed array of class indices, got string '01'$/),
  call('oneHot([], 2)', () => oneHot([], 2), /^oneHot: labels is empty$/),
  call('oneHot([0], 0)', () => oneHot([0], 0), /^oneHot: numClasses must be an integer ≥ 1, got 0$/),
  call("oneHot([0], '2')", () => oneHot([0], any('2')), /^oneHot: numClasses must be an integer ≥ 1, got string '2'$/),
  call('labelColumn([0, 2]): not 0 or 1', () => labelColumn([0, 2]), /^labelColumn: labels\[1\] = 2 is not 0 or 1 \(a label column is the target of a single-output network; for more classes use oneHot\(labels, numClasses\)\)$/),
  call('labelColumn([0.5])', () => labelColumn([0.5]), /^labelColumn: labels\[0\] = 0\.5 is not 0 or 1/),
  call('labelColumn([-1])', () => labelColumn([-1]), /^labelColumn: labels\[0\] = -1 is not 0 or 1/),
  call('labelColumn([NaN])', () => labelColumn([NaN]), /^labelColumn: labels\[0\] = NaN is not 0 or 1/),
  call("labelColumn(['1'])", () => labelColumn(any(['1'])), /^labelColumn: labels\[0\] is string '1', expected 0 or 1/),
  call('labelColumn([])', () => labelColumn([]), /^labelColumn: labels is empty$/),
  call('labelColumn(undefined)', () => labelColumn(any(undefined)), /^labelColumn: labels must be an array or typed array of class indices, got undefined$/),
];

const x3 = (): Tensor => Tensor.fromArray([1, 2, 3, 5, 2, 2], [3, 2]);
const standardizing: ContractRow[] = [
  onTensors('standardize(train holding NaN): named by row and column', () => [Tensor.fromArray([1, 2, NaN, 3, 2, 2], [3, 2])], (t) => standardize(t),
    /^standardize: train holds NaN at row 1, column 0; every value must be a finite number$/),
  onTensors('standardize(train, test holding Infinity)', () => [x3(), Tensor.fromArray([1, Infinity], [1, 2])], (a, b) => standardize(a, b),
    /^standardize: test holds Infinity at row 0, column 1; every value must be a finite number$/),
  onTensors('standardize(train, test with other columns)', () => [x3(), Tensor.from([[1, 2, 3]])], (a, b) => standardize(a, b),
    /^standardize: test has shape \[1,3\], expected \[n,2\] \(the features of train \[3,2\]\)$/),
  onTensors('standardize(train, null)', () => [x3()], (a) => standardize(a, any(null)), /^standardize: test must be a Tensor \[n, features\], got null$/),
  call('standardize([[1, 2], [3, 4]]): nested arrays', () => standardize(any([[1, 2], [3, 4]])), /^standardize: train must be a Tensor \[n, features\], got an array/),
  onTensors('standardize(train 1-D)', () => [Tensor.from([1, 2, 3])], (t) => standardize(t), /^standardize: train must be \[n, features\], got \[3\]$/),
  onTensors('standardize(one sample)', () => [Tensor.from([[1, 2]])], (t) => standardize(t), /^featureStats: need at least 2 samples to estimate a standard deviation, got 1$/),
  onTensors('standardize(a constant feature)', () => [Tensor.from([[1, 7], [2, 7], [3, 7]])], (t) => standardize(t), /^standardize: feature 1 has standard deviation 0; it is constant and cannot be standardized$/),
  onTensors('featureStats(x holding -Infinity)', () => [Tensor.fromArray([1, 2, 3, -Infinity], [2, 2])], (t) => featureStats(t), /^featureStats: x holds -Infinity at row 1, column 1/),
  call("featureStats('x')", () => featureStats(any('x')), /^featureStats: x must be a Tensor \[n, features\], got string 'x'$/),
  onTensors('applyStandardization(x, {})', () => [x3()], (t) => applyStandardization(t, any({})), /^applyStandardization: stats must be \{ mean, std \} as featureStats returns them, got an Object$/),
  onTensors('applyStandardization(x, stats of 3 features)', () => [x3()], (t) => applyStandardization(t, featureStats(Tensor.from([[1, 2, 3], [2, 3, 5]]))),
    /^applyStandardization: x has shape \[3,2\], expected \[n,3\]$/),
  onTensors('applyStandardization(x holding NaN, stats)', () => [x3(), Tensor.fromArray([NaN, 1], [1, 2])], (a, b) => applyStandardization(b, featureStats(a)),
    /^applyStandardization: x holds NaN at row 0, column 0/),
  onTensors('applyStandardization(x, stats whose std is 0)', () => [Tensor.from([[1, 7], [2, 7]]), x3()], (a, b) => applyStandardization(b, featureStats(a)),
    /^applyStandardization: feature 1 has standard deviation 0; it is constant/),
];

/** A call given a fresh generator, which must not move. */
function withRng(name: string, act: (rng: Rng) => unknown, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const rng = new Rng('data');
    return { act: () => act(rng), keeps: { rngs: [rng] } };
  }, ...message);
}

const disk: ContractRow[] = [
  call('generateDisk(10): no generator', () => (generateDisk as (n: number) => unknown)(10), /^generateDisk: rng must be an Rng such as new Rng\(42\) \(or defaultRng\(\)\), got undefined$/),
  call('generateDisk(10, 42): a seed for the generator', () => generateDisk(10, any(42)), /^generateDisk: rng must be an Rng .*got number 42$/),
  withRng('generateDisk(0, rng)', (rng) => generateDisk(0, rng), /^generateDisk: n must be an integer ≥ 1, got 0$/),
  withRng("generateDisk('10', rng)", (rng) => generateDisk(any('10'), rng), /^generateDisk: n must be an integer ≥ 1, got string '10'$/),
  withRng('generateDisk(2.5, rng)', (rng) => generateDisk(2.5, rng), /^generateDisk: n must be an integer ≥ 1, got 2\.5$/),
  call("diskLabel('0.5', 0.5)", () => diskLabel(any('0.5'), 0.5), /^diskLabel: x must be a finite number, got string '0\.5'$/),
  call('diskLabel(0.5, NaN)', () => diskLabel(0.5, NaN), /^diskLabel: y must be a finite number, got NaN$/),
];

const idx: ContractRow[] = [
  call('parseIdx([0, 0, 8, 1]): an array', () => parseIdx(any([0, 0, 8, 1])), /^parseIdx\(IDX data\): expected the file's bytes as a Uint8Array, got an array/),
  call('parseIdx(bytes, 5): a name that is not a string', () => parseIdx(new Uint8Array(4), any(5)), /^parseIdx: name must be a string \(the file's name, for messages\), got number 5$/),
  call('parseIdx(gzip bytes)', () => parseIdx(Uint8Array.from([0x1f, 0x8b, 8, 0]), 'a.gz'), /^parseIdx\(a\.gz\): bad magic number: expected the bytes 0x00 0x00, got 0x1F 0x8B \(these are gzip bytes: gunzip the file first\)$/),
  call('parseIdx(truncated)', () => parseIdx(Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 3, 1]), 'x'), /^parseIdx\(x\): truncated: dims \[3\] of type ubyte need/),
  call("encodeIdx(2, 'ubyte', [1, 2]): dims not a list", () => encodeIdx(any(2), 'ubyte', [1, 2]), /^encodeIdx: dims must be 1 to 255 sizes, each an integer in 0\.\.2³²−1, got number 2$/),
  call("encodeIdx(['2'], 'ubyte', [1, 2])", () => encodeIdx(any(['2']), 'ubyte', [1, 2]), /^encodeIdx: dims must be .*got \[string '2'\]$/),
  call("encodeIdx([2], 'ubyte', 'ab')", () => encodeIdx([2], 'ubyte', any('ab')), /^encodeIdx: data must be an array or typed array of numbers, got string 'ab'$/),
  call("encodeIdx([1], 'float', ['a'])", () => encodeIdx([1], 'float', any(['a'])), /^encodeIdx: data\[0\] = string 'a' cannot be stored as float \(a number\)$/),
  call("encodeIdx([2], 'ubyte', [1, 256])", () => encodeIdx([2], 'ubyte', [1, 256]), /^encodeIdx: data\[1\] = 256 cannot be stored as ubyte \(an integer in 0\.\.255\)$/),
  call('encodeIdx([1], 10n, [1])', () => encodeIdx([1], any(BigInt(10)), [1]), /^encodeIdx: unknown type bigint 10n; expected one of ubyte/),
  call("encodeIdx([1], 'long', [1])", () => encodeIdx([1], any('long'), [1]), /^encodeIdx: unknown type "long"; expected one of ubyte, byte, short, int, float, double$/),
  call('mnistSplitFromIdx({}, {})', () => mnistSplitFromIdx(any({}), any({})), /^MNIST: images: expected a parsed IDX array \{ dims, type, data \} \(from parseIdx\), got an Object$/),
  call('mnistSplitFromIdx(images, null)', () => mnistSplitFromIdx(parseIdx(encodeIdx([1, 2, 2], 'ubyte', [0, 1, 2, 3])), any(null)), /^MNIST: labels: expected a parsed IDX array .*got null$/),
  call('mnistSplitFromIdx(images, labels 10)', () => mnistSplitFromIdx(parseIdx(encodeIdx([1, 2, 2], 'ubyte', [0, 1, 2, 3])), parseIdx(encodeIdx([1], 'ubyte', [10]))),
    /^MNIST: labels: label 0 is 10, expected a digit 0…9$/),
  call('asImageBatch({})', () => asImageBatch(any({})), /^asImageBatch: expected an ImageSplit \{ images, labels, rows, cols \} \(such as loadMnist\(dir\)\.test\), got an Object$/),
  onTensors('asImageBatch: rows × cols not the image size', () => [Tensor.zeros([2, 6])], (t) => asImageBatch({ images: t, labels: new Int32Array(2), rows: 2, cols: 2 }),
    /^asImageBatch: images has shape \[2,6\], expected \[N,4\] \(rows 2 × cols 2\)$/),
  call('loadMnist(5)', () => loadMnist(any(5)), /^loadMnist: dir must be a folder name, got number 5$/),
  call("loadMnist('')", () => loadMnist(''), /^loadMnist: dir must be a folder name, got ''$/),
  row('loadMnist(a folder with a truncated file): files unchanged', () => {
    const dir = fs.mkdtempSync(path.join(scratchRoot, 'mnist-'));
    const images = encodeIdx([1, 2, 2], 'ubyte', [0, 1, 2, 3]), labels = encodeIdx([1], 'ubyte', [7]);
    fs.writeFileSync(path.join(dir, MNIST_FILES.trainImages), images);
    fs.writeFileSync(path.join(dir, MNIST_FILES.trainLabels), labels);
    fs.writeFileSync(path.join(dir, MNIST_FILES.testImages), images.subarray(0, images.length - 1));
    fs.writeFileSync(path.join(dir, MNIST_FILES.testLabels), labels);
    const files = Object.values(MNIST_FILES).map((f) => path.join(dir, f));
    return { act: () => loadMnist(dir), keeps: { files: [dir, ...files] } };
  }, /^parseIdx\(t10k-images-idx3-ubyte\): truncated: dims \[1,2,2\] of type ubyte need 16 header bytes \+ 4 × 1 value bytes = 20 bytes, but the data has only 19$/),
];

/** Labels, standardization, the disk data set, IDX and MNIST. */
export const table: ContractTable = {
  title: 'data',
  rows: [...labels, ...standardizing, ...disk, ...idx],
};
