import { inspect } from 'node:util';
import {
  MinidlError,
  Rng,
  Tensor,
  addRowVector,
  argmaxRows,
  matmul,
  matmulTransA,
  matmulTransB,
  sumRows,
  takeRows,
  withTemporaryTensors,
} from '../lib';

/** A [rows, cols] tensor of seeded uniform numbers in [-1, 1). */
function randomMatrix(rng: Rng, rows: number, cols: number): Tensor {
  return new Tensor([rows, cols], rng.fillUniform(new Float64Array(rows * cols), -1, 1));
}

/** The textbook triple loop: C[i][j] = Σ_k A[i][k]·B[k][j], with A and B read through accessors. */
function naiveProduct(
  m: number, k: number, n: number,
  a: (i: number, p: number) => number,
  b: (p: number, j: number) => number,
): number[][] {
  const c: number[][] = [];
  for (let i = 0; i < m; i++) {
    const row: number[] = [];
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a(i, p) * b(p, j);
      row.push(s);
    }
    c.push(row);
  }
  return c;
}

/** Largest |actual − expected| over every entry; throws on a shape mismatch. */
function maxAbsDiff(actual: Tensor, expected: number[][]): number {
  expect(actual.shape).toEqual([expected.length, expected[0].length]);
  let worst = 0;
  expected.forEach((row, i) => row.forEach((v, j) => {
    worst = Math.max(worst, Math.abs(actual.get(i, j) - v));
  }));
  return worst;
}

const SIZES = [1, 2, 3, 5, 7, 13];

describe('Tensor construction', () => {
  test('from nested arrays gives the shape and row-major data', () => {
    const t = Tensor.from([[1, 2, 3], [4, 5, 6]]);
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(t.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(t.data).toBeInstanceOf(Float64Array);
    expect(t.rows).toBe(2);
    expect(t.cols).toBe(3);
    expect(t.size).toBe(6);
    expect(t.rank).toBe(2);
  });

  test('from a flat list, a scalar and a 3-D array', () => {
    const v = Tensor.from([7, 8, 9]);
    expect(v.shape).toEqual([3]);
    expect(Array.from(v.data)).toEqual([7, 8, 9]);

    const s = Tensor.from(4.5);
    expect(s.shape).toEqual([1]);
    expect(s.data[0]).toBe(4.5);

    const c = Tensor.from([[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]);
    expect(c.shape).toEqual([2, 3, 2]);
    expect(Array.from(c.data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    expect(c.get(1, 2, 0)).toBe(11);
    expect(c.cols).toBe(6);
  });

  test('ragged arrays are refused', () => {
    expect(() => Tensor.from([[1, 2], [3]])).toThrow(MinidlError);
    expect(() => Tensor.from([[1, 2], [3]])).toThrow(/ragged/);
    expect(() => Tensor.from([[1, 2], 3] as unknown as number[][])).toThrow(/ragged/);
    expect(() => Tensor.from([1, [2]] as unknown as number[])).toThrow(/ragged/);
    expect(() => Tensor.from([[[1], [2]], [3, 4]] as unknown as number[][][])).toThrow(MinidlError);
  });

  test('an empty array is refused (every size must be ≥ 1)', () => {
    expect(() => Tensor.from([])).toThrow(MinidlError);
    expect(() => Tensor.from([])).toThrow(/integer ≥ 1/);
  });

  test('constructor refuses data whose length does not match the shape', () => {
    expect(() => new Tensor([2, 3], new Float64Array(5))).toThrow(MinidlError);
    expect(() => new Tensor([2, 3], new Float64Array(5))).toThrow(/\[2,3\] holds 6 values, but data has 5/);
  });

  test('constructor refuses bad shapes', () => {
    expect(() => new Tensor([])).toThrow(/non-empty/);
    expect(() => new Tensor([2, 0])).toThrow(/\[2,0\]/);
    expect(() => new Tensor([2, 1.5])).toThrow(MinidlError);
    expect(() => new Tensor([-1, 3])).toThrow(MinidlError);
  });

  test('constructor uses the data it is given without copying, and zero-fills otherwise', () => {
    const data = new Float64Array([1, 2, 3, 4]);
    const t = new Tensor([2, 2], data);
    expect(t.data).toBe(data);
    data[3] = 40;
    expect(t.get(1, 1)).toBe(40);
    expect(Array.from(new Tensor([2, 2]).data)).toEqual([0, 0, 0, 0]);
  });

  test('zeros, ones, full and fromArray', () => {
    expect(Array.from(Tensor.zeros([2, 2]).data)).toEqual([0, 0, 0, 0]);
    expect(Array.from(Tensor.ones([3]).data)).toEqual([1, 1, 1]);
    expect(Array.from(Tensor.full([1, 2], -2.5).data)).toEqual([-2.5, -2.5]);
    const source = [1, 2, 3, 4, 5, 6];
    const t = Tensor.fromArray(source, [3, 2]);
    source[0] = 100; // fromArray copies
    expect(t.toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
  });

  test('the shape is a frozen copy', () => {
    const shape = [2, 3];
    const t = new Tensor(shape);
    shape[0] = 99;
    expect(t.shape).toEqual([2, 3]);
    expect(Object.isFrozen(t.shape)).toBe(true);
  });

  test('reshape shares the data; a wrong size is refused', () => {
    const t = Tensor.from([[1, 2, 3], [4, 5, 6]]);
    const r = t.reshape([3, 2]);
    expect(r.shape).toEqual([3, 2]);
    expect(r.data).toBe(t.data);
    r.set([2, 1], 60);
    expect(t.get(1, 2)).toBe(60);
    expect(r.toArray()).toEqual([[1, 2], [3, 4], [5, 60]]);
    expect(() => t.reshape([4, 2])).toThrow(MinidlError);
    expect(() => t.reshape([4, 2])).toThrow(/\[2,3\] \(6 values\) as \[4,2\] \(8 values\)/);
  });

  test('get / set / offset are row-major', () => {
    const t = Tensor.zeros([2, 3, 4]);
    expect(t.offset([0, 0, 0])).toBe(0);
    expect(t.offset([0, 0, 3])).toBe(3);
    expect(t.offset([0, 2, 1])).toBe(9);
    expect(t.offset([1, 2, 3])).toBe(23);
    t.set([1, 0, 2], 3.25);
    expect(t.data[14]).toBe(3.25);
    expect(t.get(1, 0, 2)).toBe(3.25);
  });

  test('get / set / offset refuse out-of-range, non-integer or wrongly sized indices', () => {
    const t = Tensor.zeros([2, 3]);
    expect(() => t.get(2, 0)).toThrow(MinidlError);
    expect(() => t.get(2, 0)).toThrow(/index \[2,0\] is out of range for shape \[2,3\]/);
    expect(() => t.get(0, 3)).toThrow(/out of range/);
    expect(() => t.get(-1, 0)).toThrow(/out of range/);
    expect(() => t.get(0.5, 0)).toThrow(/out of range/);
    expect(() => t.get(1)).toThrow(/has 1 axes, tensor has shape \[2,3\]/);
    expect(() => t.set([0, 0, 0], 1)).toThrow(/has 3 axes/);
    expect(() => t.set([0, 3], 1)).toThrow(MinidlError);
    expect(() => t.offset([1, -1])).toThrow(MinidlError);
    expect(Array.from(t.data)).toEqual([0, 0, 0, 0, 0, 0]); // failed sets changed nothing
  });

  test('toArray gives nested arrays for every rank', () => {
    expect(Tensor.from([1, 2]).toArray()).toEqual([1, 2]);
    expect(Tensor.from([[1, 2], [3, 4], [5, 6]]).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    const three = [[[1, 2, 3]], [[4, 5, 6]]];
    expect(Tensor.from(three).toArray()).toEqual(three);
  });

  test('clone is independent of the original', () => {
    const t = Tensor.from([[1, 2], [3, 4]]);
    const c = t.clone();
    expect(c.data).not.toBe(t.data);
    expect(c.shape).toEqual([2, 2]);
    c.set([0, 0], -1);
    t.set([1, 1], 40);
    expect(t.toArray()).toEqual([[1, 2], [3, 40]]);
    expect(c.toArray()).toEqual([[-1, 2], [3, 4]]);
  });

  test('isFinite / firstNonFinite / hasShape / toString', () => {
    const t = Tensor.from([[1, 2], [Infinity, NaN]]);
    expect(t.isFinite()).toBe(false);
    expect(t.firstNonFinite()).toBe(2);
    expect(Tensor.from([1, 2]).isFinite()).toBe(true);
    expect(Tensor.from([1, 2]).firstNonFinite()).toBe(-1);
    expect(t.hasShape([2, 2])).toBe(true);
    expect(t.hasShape([4])).toBe(false);
    expect(t.hasShape([2, 2, 1])).toBe(false);
    expect(Tensor.from([[1, 2]]).toString()).toBe('Tensor[1,2] [[1,2]]');
    expect(Tensor.zeros([10, 10]).toString()).toBe('Tensor[10,10]');
  });
});

describe('matrix products against a naive triple loop', () => {
  const rng = new Rng('tensor-ops');
  const shapes: Array<[number, number, number]> = [];
  for (const m of SIZES) for (const n of SIZES) shapes.push([m, SIZES[(m + n) % SIZES.length], n]);
  shapes.push([4, 4, 4], [8, 6, 12], [9, 1, 10], [1, 13, 1], [17, 11, 6]);

  test.each(shapes)('matmul [%i,%i]·[%i-col]', (m, k, n) => {
    const a = randomMatrix(rng, m, k);
    const b = randomMatrix(rng, k, n);
    const expected = naiveProduct(m, k, n, (i, p) => a.get(i, p), (p, j) => b.get(p, j));
    expect(maxAbsDiff(matmul(a, b), expected)).toBeLessThanOrEqual(1e-14 * k);
  });

  test.each(shapes)('matmulTransB A[%i,%i]·B[n,k]ᵀ with n=%i', (m, k, n) => {
    const a = randomMatrix(rng, m, k);
    const b = randomMatrix(rng, n, k);
    const expected = naiveProduct(m, k, n, (i, p) => a.get(i, p), (p, j) => b.get(j, p));
    expect(maxAbsDiff(matmulTransB(a, b), expected)).toBeLessThanOrEqual(1e-14 * k);
  });

  test.each(shapes)('matmulTransA A[k,m]ᵀ·B[k,n] with m=%i k=%i n=%i', (m, k, n) => {
    const a = randomMatrix(rng, k, m);
    const b = randomMatrix(rng, k, n);
    const expected = naiveProduct(m, k, n, (i, p) => a.get(p, i), (p, j) => b.get(p, j));
    expect(maxAbsDiff(matmulTransA(a, b), expected)).toBeLessThanOrEqual(1e-14 * k);
  });

  test('a small matmul by hand', () => {
    const a = Tensor.from([[1, 2], [3, 4], [5, 6]]);
    const b = Tensor.from([[1, 0, -1], [2, 1, 0]]);
    expect(matmul(a, b).toArray()).toEqual([[5, 2, -1], [11, 4, -3], [17, 6, -5]]);
    expect(matmulTransB(a, Tensor.from([[1, 2], [0, 1], [-1, 0]])).toArray()).toEqual([[5, 2, -1], [11, 4, -3], [17, 6, -5]]);
    expect(matmulTransA(Tensor.from([[1, 3, 5], [2, 4, 6]]), b).toArray()).toEqual([[5, 2, -1], [11, 4, -3], [17, 6, -5]]);
  });

  test('the operands are left unchanged', () => {
    const a = randomMatrix(rng, 5, 7);
    const b = randomMatrix(rng, 7, 3);
    const a0 = a.clone(), b0 = b.clone();
    matmul(a, b);
    matmulTransA(b, randomMatrix(rng, 7, 2));
    expect(a.data).toEqual(a0.data);
    expect(b.data).toEqual(b0.data);
  });
});

describe('into / accumulate', () => {
  const rng = new Rng(11);

  test.each([
    ['matmul', (a: Tensor, b: Tensor, o: object) => matmul(a, b, o), [5, 7], [7, 6]],
    ['matmulTransB', (a: Tensor, b: Tensor, o: object) => matmulTransB(a, b, o), [5, 7], [6, 7]],
    ['matmulTransA', (a: Tensor, b: Tensor, o: object) => matmulTransA(a, b, o), [7, 5], [7, 6]],
  ] as const)('%s writes into `into`, or adds to it with accumulate', (_name, op, aShape, bShape) => {
    const a = randomMatrix(rng, aShape[0], aShape[1]);
    const b = randomMatrix(rng, bShape[0], bShape[1]);
    const fresh = op(a, b, {});
    expect(fresh.shape).toEqual([5, 6]);

    const into = Tensor.full([5, 6], 123);
    const written = op(a, b, { into });
    expect(written).toBe(into);
    expect(into.data).toEqual(fresh.data); // overwritten, the 123s are gone

    const acc = randomMatrix(rng, 5, 6);
    const before = acc.clone();
    expect(op(a, b, { into: acc, accumulate: true })).toBe(acc);
    for (let i = 0; i < acc.size; i++) expect(acc.data[i]).toBe(before.data[i] + fresh.data[i]);

    // accumulating twice into zeros doubles
    const twice = Tensor.zeros([5, 6]);
    op(a, b, { into: twice, accumulate: true });
    op(a, b, { into: twice, accumulate: true });
    for (let i = 0; i < twice.size; i++) expect(twice.data[i]).toBeCloseTo(2 * fresh.data[i], 14);
  });

  test('into of the wrong shape, or accumulate without into, is refused', () => {
    const a = randomMatrix(rng, 2, 3);
    const b = randomMatrix(rng, 3, 4);
    expect(() => matmul(a, b, { into: Tensor.zeros([4, 2]) })).toThrow(MinidlError);
    expect(() => matmul(a, b, { into: Tensor.zeros([4, 2]) })).toThrow(/matmul: result has shape \[2,4\] but 'into' has shape \[4,2\]/);
    expect(() => matmul(a, b, { into: Tensor.zeros([8]) })).toThrow(/'into' has shape \[8\]/);
    expect(() => matmul(a, b, { accumulate: true })).toThrow(/accumulate needs an 'into'/);
    expect(() => matmulTransB(a, a, { accumulate: true })).toThrow(/matmulTransB: accumulate/);
    expect(() => matmulTransA(a, a, { into: Tensor.zeros([2, 2]) })).toThrow(/matmulTransA: result has shape \[3,3\]/);
    expect(() => sumRows(a, { accumulate: true })).toThrow(/sumRows: accumulate needs an 'into'/);
  });
});

describe('shape mismatches name both shapes', () => {
  test('matmul', () => {
    const a = Tensor.zeros([2, 3]);
    const b = Tensor.zeros([4, 5]);
    expect(() => matmul(a, b)).toThrow(MinidlError);
    expect(() => matmul(a, b)).toThrow(/matmul: .*A \[2,3\] and B \[4,5\]/);
  });

  test('matmulTransB', () => {
    expect(() => matmulTransB(Tensor.zeros([2, 3]), Tensor.zeros([2, 4])))
      .toThrow(/matmulTransB: .*A \[2,3\] and B \[2,4\]/);
  });

  test('matmulTransA', () => {
    expect(() => matmulTransA(Tensor.zeros([2, 3]), Tensor.zeros([3, 3])))
      .toThrow(/matmulTransA: .*A \[2,3\] and B \[3,3\]/);
  });

  test('non-matrices are refused', () => {
    expect(() => matmul(Tensor.zeros([3]), Tensor.zeros([3, 1]))).toThrow(/matmul: A must be a 2-D matrix, got shape \[3\]/);
    expect(() => matmul(Tensor.zeros([1, 3]), Tensor.zeros([3, 1, 1]))).toThrow(/B must be a 2-D matrix, got shape \[3,1,1\]/);
    expect(() => sumRows(Tensor.zeros([3]))).toThrow(/sumRows: G must be a 2-D matrix/);
    expect(() => argmaxRows(Tensor.zeros([3]))).toThrow(/argmaxRows: X must be a 2-D matrix/);
  });

  test('addRowVector', () => {
    const x = Tensor.zeros([3, 4]);
    expect(() => addRowVector(x, Tensor.zeros([3]))).toThrow(MinidlError);
    expect(() => addRowVector(x, Tensor.zeros([3]))).toThrow(/b \[3\] .*X \[3,4\]/);
    expect(() => addRowVector(x, Tensor.zeros([2, 2]))).toThrow(/b \[2,2\]/);
    expect(() => addRowVector(x, Tensor.zeros([4, 1]))).toThrow(/b \[4,1\]/);
    expect(() => addRowVector(x, Tensor.zeros([1, 1, 4]))).toThrow(/b \[1,1,4\]/);
    expect(Array.from(x.data).every((v) => v === 0)).toBe(true);
  });

  test('sumRows into of the wrong size', () => {
    expect(() => sumRows(Tensor.zeros([3, 4]), { into: Tensor.zeros([1, 3]) }))
      .toThrow(/sumRows: the row sum of \[3,4\] has shape \[1,4\] but 'into' has shape \[1,3\]/);
  });

  test('sumRows refuses an `into` of the right size but not of shape [1,N] or [N]', () => {
    // The doc promises `into` of shape [1,N] or [N] and that nothing is silently reshaped.
    expect(() => sumRows(Tensor.zeros([3, 4]), { into: Tensor.zeros([2, 2]) })).toThrow(MinidlError);
    expect(() => sumRows(Tensor.zeros([3, 4]), { into: Tensor.zeros([4, 1]) })).toThrow(MinidlError);
  });
});

describe('sumRows / addRowVector', () => {
  const rng = new Rng(5);

  test.each(SIZES.map((m) => [m, SIZES[(m * 3) % SIZES.length]]))('sumRows of a [%i,%i] matrix', (m, n) => {
    const g = randomMatrix(rng, m, n);
    const out = sumRows(g);
    expect(out.shape).toEqual([1, n]);
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let i = 0; i < m; i++) s += g.get(i, j);
      expect(out.data[j]).toBeCloseTo(s, 13);
    }
  });

  test('sumRows by hand, into a [N] vector, and with accumulate', () => {
    const g = Tensor.from([[1, 2, 3], [10, 20, 30]]);
    expect(sumRows(g).toArray()).toEqual([[11, 22, 33]]);
    const into = Tensor.from([5, 5, 5]);
    expect(sumRows(g, { into })).toBe(into);
    expect(into.toArray()).toEqual([11, 22, 33]);
    sumRows(g, { into, accumulate: true });
    expect(into.toArray()).toEqual([22, 44, 66]);
    const row = Tensor.from([[1, 1, 1]]);
    sumRows(g, { into: row, accumulate: true });
    expect(row.toArray()).toEqual([[12, 23, 34]]);
  });

  test('matmul with a bias: A·B + b, by hand, with into and accumulate; the same bits as matmul then addRowVector', () => {
    const a = Tensor.from([[1, 2], [3, 4], [5, 6]]);
    const b = Tensor.from([[1, 0, -1], [0, 1, 2]]);
    expect(matmul(a, b, { bias: Tensor.from([[10, 20, 30]]) }).toArray()).toEqual([[11, 22, 33], [13, 24, 35], [15, 26, 37]]);
    const into = Tensor.from([[1, 1, 1], [2, 2, 2], [3, 3, 3]]);
    expect(matmul(a, b, { into, accumulate: true, bias: Tensor.from([100, 200, 300]) })).toBe(into);
    expect(into.toArray()).toEqual([[102, 203, 304], [105, 206, 307], [108, 209, 310]]);
    const rng = new Rng(31);
    for (const [m, k, n] of [[1, 1, 1], [3, 5, 2], [7, 9, 13], [100, 25, 25]]) {
      const x = randomMatrix(rng, m, k), w = randomMatrix(rng, k, n), bias = randomMatrix(rng, 1, n);
      const fused = matmul(x, w, { bias });
      const separate = addRowVector(matmul(x, w), bias);
      expect(Array.from(fused.data)).toEqual(Array.from(separate.data));
    }
  });

  test('matmul refuses a bias that is not one row of the result', () => {
    const a = Tensor.zeros([3, 2]), b = Tensor.zeros([2, 4]);
    expect(() => matmul(a, b, { bias: Tensor.zeros([1, 3]) })).toThrow(/matmul: cannot add bias \[1,3\] to each row of A·B \[3,4\]: bias must have shape \[1,4\] or \[4\]/);
    expect(() => matmul(a, b, { bias: Tensor.zeros([4, 1]) })).toThrow(/bias \[4,1\]/);
    expect(() => matmul(a, b, { bias: Tensor.zeros([3, 4]) })).toThrow(/bias \[3,4\]/);
    expect(() => matmul(a, b, { bias: Tensor.zeros([1, 1, 4]) })).toThrow(/bias \[1,1,4\]/);
  });

  test('addRowVector adds b to every row in place, for b [1,N] and [N]', () => {
    const x = Tensor.from([[1, 2], [3, 4], [5, 6]]);
    expect(addRowVector(x, Tensor.from([[10, 20]]))).toBe(x);
    expect(x.toArray()).toEqual([[11, 22], [13, 24], [15, 26]]);
    addRowVector(x, Tensor.from([-1, -2]));
    expect(x.toArray()).toEqual([[10, 20], [12, 22], [14, 24]]);
  });
});

describe('argmaxRows', () => {
  test('the index of each row maximum', () => {
    const x = Tensor.from([[0.1, 0.9, 0.3], [5, -1, 2], [-3, -2, -1], [7, 7.5, 7.25]]);
    expect(Array.from(argmaxRows(x))).toEqual([1, 0, 2, 1]);
    expect(argmaxRows(x)).toBeInstanceOf(Int32Array);
  });

  test('ties go to the first index (as torch.argmax)', () => {
    const x = Tensor.from([[1, 3, 3], [-1, -1, -2], [4, 4, 4], [0, 2, 1]]);
    expect(Array.from(argmaxRows(x))).toEqual([1, 0, 0, 1]);
  });

  test('NaN counts as the maximum; the first NaN wins (torch: [[1,3,3],[nan,5,nan],[2,nan,9],[-1,-1,-2]].argmax(1) = [1,0,1,0])', () => {
    const x = Tensor.from([[1, 3, 3], [NaN, 5, NaN], [2, NaN, 9], [-1, -1, -2]]);
    expect(Array.from(argmaxRows(x))).toEqual([1, 0, 1, 0]);
    expect(Array.from(argmaxRows(Tensor.from([[-Infinity, -Infinity], [3, Infinity]])))).toEqual([0, 1]);
  });

  test('a single column gives zeros; random rows agree with a naive scan', () => {
    expect(Array.from(argmaxRows(Tensor.from([[3], [-2]])))).toEqual([0, 0]);
    const rng = new Rng(99);
    for (const [m, n] of [[1, 1], [3, 7], [13, 5], [2, 13]]) {
      const x = randomMatrix(rng, m, n);
      const got = argmaxRows(x);
      for (let i = 0; i < m; i++) {
        let best = 0;
        for (let j = 1; j < n; j++) if (x.get(i, j) > x.get(i, best)) best = j;
        expect(got[i]).toBe(best);
      }
    }
  });
});

describe('takeRows', () => {
  test('picks rows in the given order, repeats allowed, any rank', () => {
    const t = Tensor.from([[0, 1], [10, 11], [20, 21], [30, 31]]);
    const picked = takeRows(t, [2, 0, 2]);
    expect(picked.shape).toEqual([3, 2]);
    expect(picked.toArray()).toEqual([[20, 21], [0, 1], [20, 21]]);
    expect(takeRows(t, new Int32Array([3])).toArray()).toEqual([[30, 31]]);

    const cube = Tensor.from([[[1, 2], [3, 4]], [[5, 6], [7, 8]], [[9, 10], [11, 12]]]);
    const c = takeRows(cube, [1, 2]);
    expect(c.shape).toEqual([2, 2, 2]);
    expect(c.toArray()).toEqual([[[5, 6], [7, 8]], [[9, 10], [11, 12]]]);

    const v = takeRows(Tensor.from([4, 5, 6]), [2, 1]);
    expect(v.shape).toEqual([2]);
    expect(Array.from(v.data)).toEqual([6, 5]);
  });

  test('the result is a copy', () => {
    const t = Tensor.from([[1, 2], [3, 4]]);
    const r = takeRows(t, [0]);
    r.set([0, 0], 100);
    expect(t.get(0, 0)).toBe(1);
  });

  test('bad indices are refused', () => {
    const t = Tensor.zeros([4, 2]);
    expect(() => takeRows(t, [4])).toThrow(MinidlError);
    expect(() => takeRows(t, [4])).toThrow(/row index 4 is out of range for shape \[4,2\]/);
    expect(() => takeRows(t, [-1])).toThrow(/row index -1/);
    expect(() => takeRows(t, [1.5])).toThrow(/row index 1.5/);
    expect(() => takeRows(t, [])).toThrow(/no row indices/);
  });
});

describe('valid input is still accepted as it is', () => {
  test('NaN and ±Infinity are numbers: Tensor.from, fromArray, full and set keep them', () => {
    expect(Array.from(Tensor.from([NaN, Infinity, -Infinity]).data)).toEqual([NaN, Infinity, -Infinity]);
    expect(Array.from(Tensor.fromArray([NaN, 1], [2]).data)).toEqual([NaN, 1]);
    expect(Array.from(Tensor.full([2], -Infinity).data)).toEqual([-Infinity, -Infinity]);
    const t = Tensor.zeros([2]);
    t.set([1], NaN);
    expect(Number.isNaN(t.get(1))).toBe(true);
  });

  test('fromArray copies typed arrays of any number type', () => {
    expect(Array.from(Tensor.fromArray(Int32Array.from([1, -2, 3, 4]), [2, 2]).data)).toEqual([1, -2, 3, 4]);
    expect(Array.from(Tensor.fromArray(Uint8Array.from([255, 0]), [2]).data)).toEqual([255, 0]);
  });

  test('a refused set or reshape changes nothing', () => {
    const t = Tensor.from([[1, 2], [3, 4]]);
    expect(() => t.set([0, 0], '5' as unknown as number)).toThrow(MinidlError);
    expect(() => t.set(0 as unknown as number[], 5)).toThrow(MinidlError);
    expect(() => t.reshape([-1, 4])).toThrow(/-1 is not inferred/);
    expect(t.toArray()).toEqual([[1, 2], [3, 4]]);
  });

  test('ops accept their documented options, and an into of shape [N] for sumRows', () => {
    const g = Tensor.from([[1, 2], [3, 4]]);
    const into = Tensor.zeros([2]);
    sumRows(g, { into, accumulate: true });
    sumRows(g, { into, accumulate: true }); // twice: [4,6] + [4,6]
    expect(Array.from(into.data)).toEqual([8, 12]);
    expect(() => sumRows(g, { into, accumulate: true, extra: 1 } as never)).toThrow(/unknown option 'extra'/);
    expect(Array.from(into.data)).toEqual([8, 12]);
  });
});

describe('what console.log and JSON.stringify show', () => {
  test('a small tensor: its values, as toString; a large one: shape, first and last values, count', () => {
    const small = Tensor.from([[1, 2], [3, 4.5]]);
    expect(inspect(small)).toBe('Tensor[2,2] [[1,2],[3,4.5]]');
    expect(inspect({ nested: small })).toBe('{ nested: Tensor[2,2] [[1,2],[3,4.5]] }');
    const large = new Tensor([10, 10], Float64Array.from({ length: 100 }, (_, i) => i));
    expect(inspect(large)).toBe('Tensor[10,10] [0, 1, 2, 3, 4, 5, …, 97, 98, 99] (100 values)');
    expect(JSON.parse(JSON.stringify(small))).toEqual({ shape: [2, 2], data: [1, 2, 3, 4.5] });
  });

  test('a temporary whose step has ended: "(released)", never the numbers its memory holds now', () => {
    let kept: Tensor | null = null;
    withTemporaryTensors(() => {
      kept = matmul(Tensor.from([[1, 2], [3, 4]]), Tensor.from([[1, 2], [3, 4]]));
      return 0;
    });
    withTemporaryTensors(() => Tensor.full([2, 2], 100).size); // may take the released bytes
    const released = kept as unknown as Tensor;
    if (released.readable) return; // kept memory on this backend: nothing was released
    expect(inspect(released)).toBe('Tensor[2,2] (released)');
    expect(() => JSON.stringify(released)).toThrow(MinidlError);
  });
});
