import {
  DISK_CENTER, DISK_RADIUS, MinidlError, Rng, Tensor, applyStandardization, diskLabel, featureStats, generateDisk,
  labelColumn, oneHot, standardize,
} from '../lib';
import { expectMinidlError } from './helpers';


describe('generateDisk', () => {
  test('the disk has radius 1/√(2π) around (0.5, 0.5), so its area is 1/2', () => {
    expect(DISK_RADIUS).toBeCloseTo(0.3989422804014327, 15);
    expect(Math.PI * DISK_RADIUS ** 2).toBeCloseTo(0.5, 15);
    expect(DISK_CENTER).toEqual([0.5, 0.5]);
  });

  test('diskLabel: 1 strictly inside, 0 outside', () => {
    expect(diskLabel(0.5, 0.5)).toBe(1);
    expect(diskLabel(0, 0)).toBe(0);
    expect(diskLabel(0.5 + 0.999 * DISK_RADIUS, 0.5)).toBe(1);
    expect(diskLabel(0.5 + 1.001 * DISK_RADIUS, 0.5)).toBe(0);
    expect(diskLabel(0.5, 0.5 - 0.999 * DISK_RADIUS)).toBe(1);
    expect(diskLabel(0.5 + 0.3, 0.5 + 0.3)).toBe(0); // distance 0.424 > 0.399
    expect(diskLabel(0.5 + 0.28, 0.5 + 0.28)).toBe(1); // distance 0.396 < 0.399
  });

  test('shape, range and labels', () => {
    const { inputs, labels } = generateDisk(1000, new Rng(1));
    expect(inputs.shape).toEqual([1000, 2]);
    expect(labels).toBeInstanceOf(Int32Array);
    expect(labels.length).toBe(1000);
    for (let i = 0; i < 1000; i++) {
      const x = inputs.data[2 * i], y = inputs.data[2 * i + 1];
      expect(x >= 0 && x < 1 && y >= 0 && y < 1).toBe(true);
      const inside = (x - 0.5) ** 2 + (y - 0.5) ** 2 < 1 / (2 * Math.PI) ? 1 : 0;
      if (labels[i] !== inside) throw new Error(`point ${i} (${x}, ${y}) labelled ${labels[i]}, expected ${inside}`);
    }
    // Both classes and the whole square are represented.
    expect(new Set(labels).size).toBe(2);
    const xs = Array.from({ length: 1000 }, (_, i) => inputs.data[2 * i]);
    expect(Math.min(...xs)).toBeLessThan(0.01);
    expect(Math.max(...xs)).toBeGreaterThan(0.99);
  });

  test('about half of 10000 points are inside', () => {
    const { labels } = generateDisk(10000, new Rng(2));
    const inside = labels.reduce((s, l) => s + l, 0) / labels.length;
    expect(inside).toBeGreaterThan(0.45);
    expect(inside).toBeLessThan(0.55);
  });

  test('each point draws x then y from the rng; the same seed gives the same set', () => {
    const a = generateDisk(50, new Rng(3));
    const b = generateDisk(50, new Rng(3));
    expect(Array.from(b.inputs.data)).toEqual(Array.from(a.inputs.data));
    expect(Array.from(b.labels)).toEqual(Array.from(a.labels));
    const rng = new Rng(3);
    expect([a.inputs.data[0], a.inputs.data[1], a.inputs.data[2]]).toEqual([rng.uniform(), rng.uniform(), rng.uniform()]);
    const c = generateDisk(50, new Rng(4));
    expect(Array.from(c.inputs.data)).not.toEqual(Array.from(a.inputs.data));
  });

  test('two sets drawn one after the other from one rng differ', () => {
    const rng = new Rng(5);
    const train = generateDisk(20, rng), test = generateDisk(20, rng);
    expect(Array.from(test.inputs.data)).not.toEqual(Array.from(train.inputs.data));
  });

  test.each([0, -5, 2.5, NaN])('n = %p is refused', (n) => {
    expectMinidlError(() => generateDisk(n, new Rng(0)), /^generateDisk: n must be an integer ≥ 1, got/);
  });
});

describe('standardize', () => {
  test('the training set gets mean 0 and unbiased standard deviation 1 per feature', () => {
    const rng = new Rng(6);
    const raw = new Tensor([200, 3]);
    for (let i = 0; i < 200; i++) {
      raw.data[3 * i] = rng.normal(5, 2);
      raw.data[3 * i + 1] = rng.uniform(-100, 300);
      raw.data[3 * i + 2] = rng.normal(-0.01, 0.001);
    }
    const rawCopy = Array.from(raw.data);
    const result = standardize(raw);
    const { train, stats } = result;
    expect('test' in result).toBe(false); // no test set given, none returned
    expect(train.shape).toEqual([200, 3]);
    for (let j = 0; j < 3; j++) {
      let sum = 0, sq = 0;
      for (let i = 0; i < 200; i++) sum += train.data[3 * i + j];
      const mean = sum / 200;
      for (let i = 0; i < 200; i++) sq += (train.data[3 * i + j] - mean) ** 2;
      expect(Math.abs(mean)).toBeLessThan(1e-12);
      expect(Math.sqrt(sq / 199)).toBeCloseTo(1, 12);
      // The biased (÷n) standard deviation is not 1: the statistics are the unbiased ones.
      expect(Math.abs(Math.sqrt(sq / 200) - 1)).toBeGreaterThan(1e-3);
    }
    expect(stats.mean.shape).toEqual([1, 3]);
    expect(stats.std.shape).toEqual([1, 3]);
    expect(stats.mean.data[0]).toBeGreaterThan(4);
    expect(stats.mean.data[0]).toBeLessThan(6);
    // The input is not modified.
    expect(Array.from(raw.data)).toEqual(rawCopy);
  });

  test('statistics by hand, and the test set uses the training statistics', () => {
    const train = Tensor.from([[1, 10], [2, 20], [3, 30], [4, 40]]);
    const test = Tensor.from([[5, 0], [2.5, 25]]);
    const { train: t, test: s, stats } = standardize(train, test);
    // mean 2.5 and 25; unbiased variance ((1.5² + 0.5²)·2)/3 = 5/3, and 100 times that.
    const sd = Math.sqrt(5 / 3);
    expect(Array.from(stats.mean.data)).toEqual([2.5, 25]);
    expect(stats.std.data[0]).toBeCloseTo(sd, 15);
    expect(stats.std.data[1]).toBeCloseTo(10 * sd, 14);
    expect(t.get(0, 0)).toBeCloseTo(-1.5 / sd, 15);
    const standardizedTest = s as Tensor;
    expect(standardizedTest.get(0, 0)).toBeCloseTo(2.5 / sd, 15);
    expect(standardizedTest.get(0, 1)).toBeCloseTo(-25 / (10 * sd), 14);
    expect(standardizedTest.get(1, 0)).toBe(0);
    expect(standardizedTest.get(1, 1)).toBe(0);
    // With its own statistics the test set would have mean 0; with the training ones it does not.
    expect(standardizedTest.get(0, 0) + standardizedTest.get(1, 0)).not.toBeCloseTo(0, 3);
  });

  test('featureStats matches a hand computation, applyStandardization reuses it', () => {
    const x = Tensor.from([[0, 1], [2, 1.5], [4, 5]]);
    const stats = featureStats(x);
    expect(Array.from(stats.mean.data)).toEqual([2, 2.5]);
    expect(stats.std.data[0]).toBeCloseTo(2, 15); // (4 + 0 + 4)/2 = 4
    expect(stats.std.data[1]).toBeCloseTo(Math.sqrt((2.25 + 1 + 6.25) / 2), 15);
    const again = applyStandardization(Tensor.from([[6, 2.5]]), stats);
    expect(again.get(0, 0)).toBeCloseTo(2, 15);
    expect(again.get(0, 1)).toBe(0);
  });

  test('a constant feature cannot be standardized', () => {
    expectMinidlError(() => standardize(Tensor.from([[1, 7], [2, 7], [3, 7]])),
      /feature 1 has standard deviation 0/, /constant/);
  });

  test('bad shapes and too few samples', () => {
    expectMinidlError(() => featureStats(Tensor.from([[1, 2]])), /^featureStats: need at least 2 samples/, /got 1/);
    expectMinidlError(() => featureStats(Tensor.from([1, 2, 3])), /^featureStats: x must be \[n, features\], got \[3\]/);
    expectMinidlError(() => standardize(Tensor.from([[1, 2], [3, 5]]), Tensor.from([[1, 2, 3]])),
      /^standardize: test has shape \[1,3\], expected \[n,2\] \(the features of train \[2,2\]\)/);
  });
});

describe('oneHot and labelColumn', () => {
  test('oneHot rows', () => {
    const t = oneHot([1, 0, 2, 1], 3);
    expect(t.shape).toEqual([4, 3]);
    expect(t.toArray()).toEqual([[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]]);
    expect(oneHot(Int32Array.from([0, 1]), 2).toArray()).toEqual([[1, 0], [0, 1]]);
    // More classes than appear in the labels still gives numClasses columns.
    expect(oneHot([0], 4).toArray()).toEqual([[1, 0, 0, 0]]);
  });

  test('oneHot errors', () => {
    expectMinidlError(() => oneHot([0, 3], 3), /^oneHot: labels\[1\] = 3 is not a class index in 0\.\.2/);
    expectMinidlError(() => oneHot([-1], 2), /labels\[0\] = -1/);
    expectMinidlError(() => oneHot([0.5], 2), /labels\[0\] = 0\.5/);
    expectMinidlError(() => oneHot([NaN], 2), /labels\[0\] = NaN/);
    expectMinidlError(() => oneHot([], 2), /^oneHot: labels is empty/);
    expectMinidlError(() => oneHot([0], 0), /^oneHot: numClasses must be an integer ≥ 1, got 0/);
    expectMinidlError(() => oneHot([0], 2.5), /numClasses must be an integer ≥ 1, got 2\.5/);
  });

  test('labelColumn', () => {
    const t = labelColumn(Int32Array.from([1, 0, 1]));
    expect(t.shape).toEqual([3, 1]);
    expect(Array.from(t.data)).toEqual([1, 0, 1]);
    expect(t.data).toBeInstanceOf(Float64Array);
    expectMinidlError(() => labelColumn([]), /^labelColumn: labels is empty/);
  });
});

describe('labels in typed arrays', () => {
  test('oneHot and labelColumn take any array or typed array of whole labels', () => {
    expect(oneHot(Float64Array.from([1, 0]), 2).toArray()).toEqual([[0, 1], [1, 0]]);
    expect(oneHot(Uint8Array.from([2]), 3).toArray()).toEqual([[0, 0, 1]]);
    expect(labelColumn(Float64Array.from([0, 1, 1])).toArray()).toEqual([[0], [1], [1]]);
    expect(labelColumn([1, 0]).toArray()).toEqual([[1], [0]]);
  });

  test('standardize checks the test set before computing anything; a NaN is named, not blamed on a constant feature', () => {
    expectMinidlError(() => standardize(Tensor.from([[1, 2], [NaN, 3], [2, 2]])), /^standardize: train holds NaN at row 1, column 0/);
    expectMinidlError(() => featureStats(Tensor.from([[1, 2], [3, NaN]])), /^featureStats: x holds NaN at row 1, column 1/);
  });
});
