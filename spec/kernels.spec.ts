import { Rng } from '../lib';
import * as kernels from '../lib/tensor/kernels';

/*
 * The blocked kernels promise that every entry of C is summed in the order k = 0, 1, …, K-1,
 * starting from 0, whatever block computes it. A naive loop that does the same therefore gives
 * bit-identical results, which is what these tests require (toEqual on Float64Arrays).
 */

type Form = 'matmul' | 'matmulTransB' | 'matmulTransA';

/** Index of A's entry (i, k) of the product, and of B's entry (k, j), for each form. */
function layout(form: Form, M: number, K: number, N: number) {
  switch (form) {
    case 'matmul': //        A [M,K], B [K,N]
      return { a: (i: number, k: number) => i * K + k, b: (k: number, j: number) => k * N + j };
    case 'matmulTransB': //  A [M,K], B [N,K]
      return { a: (i: number, k: number) => i * K + k, b: (k: number, j: number) => j * K + k };
    case 'matmulTransA': //  A [K,M], B [K,N]
      return { a: (i: number, k: number) => k * M + i, b: (k: number, j: number) => k * N + j };
  }
}

function reference(form: Form, A: Float64Array, B: Float64Array, C: Float64Array, M: number, K: number, N: number, accumulate: boolean): void {
  const { a, b } = layout(form, M, K, N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += A[a(i, k)] * B[b(k, j)];
      C[i * N + j] = accumulate ? C[i * N + j] + s : s;
    }
  }
}

const FORMS: Form[] = ['matmul', 'matmulTransB', 'matmulTransA'];
const SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 17];
const TAIL = 3; // extra entries after C that a kernel must not touch
const SENTINEL = -777.5;

/** 60 seeded (M, K, N) triples covering every remainder mod 4 on each axis. */
function shapes(seed: number): Array<[number, number, number]> {
  const rng = new Rng(seed);
  const out: Array<[number, number, number]> = [[1, 1, 1], [4, 4, 4], [1, 13, 1], [13, 1, 13], [5, 3, 9]];
  while (out.length < 60) out.push([SIZES[rng.int(SIZES.length)], SIZES[rng.int(SIZES.length)], SIZES[rng.int(SIZES.length)]]);
  return out;
}

describe.each(FORMS)('%s kernel', (form) => {
  const kernel = kernels[form];
  const rng = new Rng(`kernels-${form}`);

  test.each(shapes(2024))('M=%i K=%i N=%i, overwrite and accumulate, bit-identical to a naive loop', (M, K, N) => {
    const A = rng.fillUniform(new Float64Array(M * K), -2, 2);
    const B = rng.fillUniform(new Float64Array(K * N), -2, 2);
    const A0 = A.slice(), B0 = B.slice();

    // accumulate = false: whatever was in C is overwritten
    const C = new Float64Array(M * N + TAIL).fill(SENTINEL);
    const expected = new Float64Array(M * N + TAIL).fill(SENTINEL);
    kernel(A, B, C, M, K, N, false);
    reference(form, A, B, expected, M, K, N, false);
    expect(C).toEqual(expected);

    // accumulate = true: added to a random starting C
    const start = rng.fillUniform(new Float64Array(M * N + TAIL), -1, 1);
    for (let t = M * N; t < start.length; t++) start[t] = SENTINEL;
    const Cacc = start.slice();
    const expectedAcc = start.slice();
    kernel(A, B, Cacc, M, K, N, true);
    reference(form, A, B, expectedAcc, M, K, N, true);
    expect(Cacc).toEqual(expectedAcc);
    // and the result really changed (a kernel that ignored accumulate would leave `start` or give the plain product)
    expect(Cacc.subarray(0, M * N)).not.toEqual(C.subarray(0, M * N));

    // the operands are not modified
    expect(A).toEqual(A0);
    expect(B).toEqual(B0);
  });

  test('accumulate is the default-off flag: omitting it overwrites', () => {
    const M = 6, K = 5, N = 7;
    const A = rng.fillUniform(new Float64Array(M * K), -1, 1);
    const B = rng.fillUniform(new Float64Array(K * N), -1, 1);
    const C = new Float64Array(M * N).fill(9);
    const expected = new Float64Array(M * N);
    kernel(A, B, C, M, K, N);
    reference(form, A, B, expected, M, K, N, false);
    expect(C).toEqual(expected);
  });

  test('K = 0 gives zeros, or leaves C as it was with accumulate', () => {
    const C = new Float64Array(5 * 6).fill(3);
    kernel(new Float64Array(0), new Float64Array(0), C, 5, 0, 6, true);
    expect(Array.from(C).every((v) => v === 3)).toBe(true);
    kernel(new Float64Array(0), new Float64Array(0), C, 5, 0, 6, false);
    expect(Array.from(C).every((v) => v === 0)).toBe(true);
  });

  test('a 2×3 · 3×2 product by hand', () => {
    // P = X·Y with X = [[1,2,3],[4,5,6]] and Y = [[7,8],[9,10],[11,12]] is [[58,64],[139,154]].
    const X = [1, 2, 3, 4, 5, 6], Y = [7, 8, 9, 10, 11, 12];
    const XT = [1, 4, 2, 5, 3, 6], YT = [7, 9, 11, 8, 10, 12];
    const operands: Record<Form, [number[], number[]]> = {
      matmul: [X, Y],
      matmulTransB: [X, YT],
      matmulTransA: [XT, Y],
    };
    const [A, B] = operands[form];
    const C = new Float64Array(4);
    kernel(Float64Array.from(A), Float64Array.from(B), C, 2, 3, 2, false);
    expect(Array.from(C)).toEqual([58, 64, 139, 154]);
    kernel(Float64Array.from(A), Float64Array.from(B), C, 2, 3, 2, true);
    expect(Array.from(C)).toEqual([116, 128, 278, 308]);
  });
});

describe('sumRows kernel', () => {
  const rng = new Rng('sumRows');

  test.each([[1, 1], [1, 5], [3, 1], [4, 4], [7, 13], [13, 6]])('M=%i N=%i', (M, N) => {
    const G = rng.fillUniform(new Float64Array(M * N), -1, 1);
    const expected = new Float64Array(N + TAIL).fill(SENTINEL);
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let i = 0; i < M; i++) s += G[i * N + j];
      expected[j] = s;
    }
    const out = new Float64Array(N + TAIL).fill(SENTINEL);
    kernels.sumRows(G, out, M, N, false);
    expect(out).toEqual(expected);

    const start = rng.fillUniform(new Float64Array(N), -1, 1);
    const acc = start.slice();
    kernels.sumRows(G, acc, M, N, true);
    const expectedAcc = start.slice();
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) expectedAcc[j] += G[i * N + j];
    expect(acc).toEqual(expectedAcc);
  });
});

describe('addRowVector kernel', () => {
  test.each([[1, 1], [3, 4], [5, 7]])('M=%i N=%i', (M, N) => {
    const rng = new Rng(M * 100 + N);
    const C = rng.fillUniform(new Float64Array(M * N + TAIL), -1, 1);
    for (let t = M * N; t < C.length; t++) C[t] = SENTINEL;
    const b = rng.fillUniform(new Float64Array(N), -1, 1);
    const expected = C.slice();
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) expected[i * N + j] += b[j];
    kernels.addRowVector(C, b, M, N);
    expect(C).toEqual(expected);
  });
});
