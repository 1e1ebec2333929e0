import { storePair, storeSingle } from './epilogue';

/**
 * The three matrix products, in f64x2 SIMD (two doubles per 128-bit vector):
 *
 *   matmul        C (+)= A·B     A [M,K], B [K,N]
 *   matmulTransB  C (+)= A·Bᵀ    A [M,K], B [N,K]
 *   matmulTransA  C (+)= Aᵀ·B    A [K,M], B [K,N]
 *
 * Arguments are byte addresses in this module's memory and sizes; matrices are row-major f64.
 * `accumulate` adds to C instead of overwriting it; `bias` (the address of a row vector of N
 * entries, or 0 for none) is added to every row of the result; `relu` applies max(0, ·) last
 * (see epilogue.ts for the exact order).
 *
 * ## Tiling
 *
 * C is computed in 4×4 tiles held in 8 vector registers: row r of the tile is the pair of
 * vectors (C[r, j..j+1], C[r, j+2..j+3]). For each k the tile needs A[i..i+3, k] (each value
 * broadcast to both lanes) and B[k, j..j+3] (two vectors), then does 8 vector multiplies and
 * 8 vector adds: 32 flops for 6 loads. Columns left over are done by 4×2 tiles and a scalar
 * 4×1 column, rows left over by 1×4, 1×2 and 1×1 tiles.
 *
 * The flags are tested once per call: the common combinations (plain, accumulate, bias, bias
 * with ReLU) each get their own copy of the loops with the flags folded in as constants, which
 * halves the time of small products such as [100,2]·[2,25].
 *
 * Every entry of C is one lane of one accumulator, summed in the order k = 0, 1, …, K−1 from
 * 0 with a separate multiply and add (WebAssembly never fuses them), exactly as the plain
 * TypeScript kernels do: the results are bit-identical to lib/tensor/backend/reference.ts.
 *
 * matmul and matmulTransA differ only in where A[i, k] lives (address a + i·strideI + k·strideK),
 * so both call `productWithRowsOfB`. In matmulTransB the lanes (j, j+1) come from two rows of
 * B: two k at a time are loaded from each row and interleaved with a shuffle.
 */

/** C[M,N] (+)= A[M,K] · B[K,N]  (+ bias, ReLU) */
export function matmul(a: usize, b: usize, c: usize, M: i32, K: i32, N: i32, accumulate: bool, bias: usize, relu: bool): void {
  productWithRowsOfBFor(a, <usize>K << 3, 8, false, b, c, M, K, N, accumulate, bias, relu);
}

/** C[M,N] (+)= A[K,M]ᵀ · B[K,N]  (+ bias, ReLU) */
export function matmulTransA(a: usize, b: usize, c: usize, M: i32, K: i32, N: i32, accumulate: bool, bias: usize, relu: bool): void {
  productWithRowsOfBFor(a, 8, <usize>M << 3, true, b, c, M, K, N, accumulate, bias, relu);
}

/**
 * Rows rowStart … rowEnd−1 of C[M,N] (+)= A[K,M]ᵀ · B[K,N] (+ bias, ReLU): the share of one thread
 * when two split a product by rows (lib/tensor/wasm/wasm-threads.ts). Row i of C reads column i
 * of A, whose entries lie M doubles apart, so the rows cannot be taken by moving the pointers
 * alone as they can for matmul and matmulTransB. Each entry is computed exactly as by
 * matmulTransA: the same bits.
 */
export function matmulTransARows(
  a: usize, b: usize, c: usize, M: i32, K: i32, N: i32, accumulate: bool, bias: usize, relu: bool, rowStart: i32, rowEnd: i32,
): void {
  productWithRowsOfBFor(a + (<usize>rowStart << 3), 8, <usize>M << 3, true, b, c + <usize>rowStart * (<usize>N << 3),
    rowEnd - rowStart, K, N, accumulate, bias, relu);
}

/**
 * Calls `productWithRowsOfB` with the flags of the common combinations as constants (each call
 * below is inlined into its own copy of the loops); A[i, k] is at a + i·strideI + k·strideK, and
 * `unitI` (a constant at each call) says strideI is 8: A[i+1, k] follows A[i, k].
 */
@inline function productWithRowsOfBFor(
  a: usize, strideI: usize, strideK: usize, unitI: bool, b: usize, c: usize, M: i32, K: i32, N: i32, accumulate: bool, bias: usize, relu: bool,
): void {
  if (bias == 0 && !relu) {
    if (!accumulate) productWithRowsOfB(a, strideI, strideK, unitI, b, c, M, K, N, false, false, 0, false);
    else productWithRowsOfB(a, strideI, strideK, unitI, b, c, M, K, N, true, false, 0, false);
  } else if (bias != 0 && !accumulate) {
    if (!relu) productWithRowsOfB(a, strideI, strideK, unitI, b, c, M, K, N, false, true, bias, false);
    else productWithRowsOfB(a, strideI, strideK, unitI, b, c, M, K, N, false, true, bias, true);
  } else {
    productWithRowsOfB(a, strideI, strideK, unitI, b, c, M, K, N, accumulate, bias != 0, bias, relu);
  }
}

/** C[M,N] (+)= A[M,K] · B[N,K]ᵀ  (+ bias, ReLU): row i of A dotted with row j of B. */
export function matmulTransB(a: usize, b: usize, c: usize, M: i32, K: i32, N: i32, accumulate: bool, bias: usize, relu: bool): void {
  if (bias == 0 && !relu) {
    if (!accumulate) productWithTransposedB(a, b, c, M, K, N, false, false, 0, false);
    else productWithTransposedB(a, b, c, M, K, N, true, false, 0, false);
  } else if (bias != 0 && !accumulate) {
    if (!relu) productWithTransposedB(a, b, c, M, K, N, false, true, bias, false);
    else productWithTransposedB(a, b, c, M, K, N, false, true, bias, true);
  } else {
    productWithTransposedB(a, b, c, M, K, N, accumulate, bias != 0, bias, relu);
  }
}

/** C[M,N] (+)= A·B[K,N] where A[i, k] is at a + i·strideI + k·strideK. */
@inline function productWithRowsOfB(
  a: usize, strideI: usize, strideK: usize, unitI: bool, b: usize, c: usize,
  M: i32, K: i32, N: i32, accumulate: bool, hasBias: bool, bias: usize, relu: bool,
): void {
  const rowB = <usize>N << 3, rowC = rowB;
  const stride2 = strideI << 1, stride3 = stride2 + strideI;
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    const ai = a + <usize>i * strideI;
    const c0 = c + <usize>i * rowC, c1 = c0 + rowC, c2 = c1 + rowC, c3 = c2 + rowC;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const jo = <usize>j << 3;
      let s00 = f64x2.splat(0), s01 = f64x2.splat(0), s10 = f64x2.splat(0), s11 = f64x2.splat(0);
      let s20 = f64x2.splat(0), s21 = f64x2.splat(0), s30 = f64x2.splat(0), s31 = f64x2.splat(0);
      let pa = ai, pb = b + jo;
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(pb), b1 = v128.load(pb, 16);
        let v = v128.load64_splat(pa);
        s00 = f64x2.add(s00, f64x2.mul(v, b0)); s01 = f64x2.add(s01, f64x2.mul(v, b1));
        // Aᵀ·B (unitI, A[i+1, k] the next double): A[i+1..i+3, k] at immediate offsets, no address arithmetic
        v = unitI ? v128.load64_splat(pa, 8) : v128.load64_splat(pa + strideI);
        s10 = f64x2.add(s10, f64x2.mul(v, b0)); s11 = f64x2.add(s11, f64x2.mul(v, b1));
        v = unitI ? v128.load64_splat(pa, 16) : v128.load64_splat(pa + stride2);
        s20 = f64x2.add(s20, f64x2.mul(v, b0)); s21 = f64x2.add(s21, f64x2.mul(v, b1));
        v = unitI ? v128.load64_splat(pa, 24) : v128.load64_splat(pa + stride3);
        s30 = f64x2.add(s30, f64x2.mul(v, b0)); s31 = f64x2.add(s31, f64x2.mul(v, b1));
        pa += strideK; pb += rowB;
      }
      const bj = bias + jo;
      storePair(c0 + jo, s00, accumulate, hasBias, bj, relu); storePair(c0 + jo + 16, s01, accumulate, hasBias, bj + 16, relu);
      storePair(c1 + jo, s10, accumulate, hasBias, bj, relu); storePair(c1 + jo + 16, s11, accumulate, hasBias, bj + 16, relu);
      storePair(c2 + jo, s20, accumulate, hasBias, bj, relu); storePair(c2 + jo + 16, s21, accumulate, hasBias, bj + 16, relu);
      storePair(c3 + jo, s30, accumulate, hasBias, bj, relu); storePair(c3 + jo + 16, s31, accumulate, hasBias, bj + 16, relu);
    }
    for (; j + 2 <= N; j += 2) {
      const jo = <usize>j << 3;
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
      let pa = ai, pb = b + jo;
      for (let k = 0; k < K; k++) {
        const b0 = v128.load(pb);
        s0 = f64x2.add(s0, f64x2.mul(v128.load64_splat(pa), b0));
        s1 = f64x2.add(s1, f64x2.mul(v128.load64_splat(pa + strideI), b0));
        s2 = f64x2.add(s2, f64x2.mul(v128.load64_splat(pa + stride2), b0));
        s3 = f64x2.add(s3, f64x2.mul(v128.load64_splat(pa + stride3), b0));
        pa += strideK; pb += rowB;
      }
      const bj = bias + jo;
      storePair(c0 + jo, s0, accumulate, hasBias, bj, relu); storePair(c1 + jo, s1, accumulate, hasBias, bj, relu);
      storePair(c2 + jo, s2, accumulate, hasBias, bj, relu); storePair(c3 + jo, s3, accumulate, hasBias, bj, relu);
    }
    if (j < N) {
      const jo = <usize>j << 3;
      let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
      let pa = ai, pb = b + jo;
      for (let k = 0; k < K; k++) {
        const bv = load<f64>(pb);
        s0 += load<f64>(pa) * bv; s1 += load<f64>(pa + strideI) * bv;
        s2 += load<f64>(pa + stride2) * bv; s3 += load<f64>(pa + stride3) * bv;
        pa += strideK; pb += rowB;
      }
      const bj = bias + jo;
      storeSingle(c0 + jo, s0, accumulate, hasBias, bj, relu); storeSingle(c1 + jo, s1, accumulate, hasBias, bj, relu);
      storeSingle(c2 + jo, s2, accumulate, hasBias, bj, relu); storeSingle(c3 + jo, s3, accumulate, hasBias, bj, relu);
    }
  }
  for (; i < M; i++) {
    const ai = a + <usize>i * strideI;
    const c0 = c + <usize>i * rowC;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const jo = <usize>j << 3;
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
      let pa = ai, pb = b + jo;
      for (let k = 0; k < K; k++) {
        const v = v128.load64_splat(pa);
        s0 = f64x2.add(s0, f64x2.mul(v, v128.load(pb)));
        s1 = f64x2.add(s1, f64x2.mul(v, v128.load(pb, 16)));
        pa += strideK; pb += rowB;
      }
      const bj = bias + jo;
      storePair(c0 + jo, s0, accumulate, hasBias, bj, relu); storePair(c0 + jo + 16, s1, accumulate, hasBias, bj + 16, relu);
    }
    for (; j + 2 <= N; j += 2) {
      const jo = <usize>j << 3;
      let s0 = f64x2.splat(0);
      let pa = ai, pb = b + jo;
      for (let k = 0; k < K; k++) {
        s0 = f64x2.add(s0, f64x2.mul(v128.load64_splat(pa), v128.load(pb)));
        pa += strideK; pb += rowB;
      }
      storePair(c0 + jo, s0, accumulate, hasBias, bias + jo, relu);
    }
    if (j < N) {
      const jo = <usize>j << 3;
      let s0: f64 = 0;
      let pa = ai, pb = b + jo;
      for (let k = 0; k < K; k++) {
        s0 += load<f64>(pa) * load<f64>(pb);
        pa += strideK; pb += rowB;
      }
      storeSingle(c0 + jo, s0, accumulate, hasBias, bias + jo, relu);
    }
  }
}

/** (x[k], y[k]) from two rows x, y: a vector with one entry of each. */
@inline function gather(x: usize, y: usize): v128 {
  return v128.load64_lane(y, v128.load64_zero(x), 1);
}

/** C[M,N] (+)= A[M,K] · B[N,K]ᵀ, lanes (j, j+1) gathered from two rows of B. */
@inline function productWithTransposedB(
  a: usize, b: usize, c: usize, M: i32, K: i32, N: i32, accumulate: bool, hasBias: bool, bias: usize, relu: bool,
): void {
  const rowK = <usize>K << 3, rowC = <usize>N << 3;
  const pairs = K & ~1; // the k processed two at a time; an odd K leaves one more
  const last = <usize>pairs << 3;
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    const a0 = a + <usize>i * rowK, a1 = a0 + rowK, a2 = a1 + rowK, a3 = a2 + rowK;
    const c0 = c + <usize>i * rowC, c1 = c0 + rowC, c2 = c1 + rowC, c3 = c2 + rowC;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const b0 = b + <usize>j * rowK, b1 = b0 + rowK, b2 = b1 + rowK, b3 = b2 + rowK;
      let s00 = f64x2.splat(0), s01 = f64x2.splat(0), s10 = f64x2.splat(0), s11 = f64x2.splat(0);
      let s20 = f64x2.splat(0), s21 = f64x2.splat(0), s30 = f64x2.splat(0), s31 = f64x2.splat(0);
      for (let ko: usize = 0; ko < last; ko += 16) {
        const x0 = v128.load(b0 + ko), x1 = v128.load(b1 + ko);
        const p = f64x2.shuffle(x0, x1, 0, 2), q = f64x2.shuffle(x0, x1, 1, 3); // (B[j,k], B[j+1,k]), same at k+1
        const x2 = v128.load(b2 + ko), x3 = v128.load(b3 + ko);
        const r = f64x2.shuffle(x2, x3, 0, 2), t = f64x2.shuffle(x2, x3, 1, 3); // columns j+2, j+3
        let v = v128.load64_splat(a0 + ko);
        s00 = f64x2.add(s00, f64x2.mul(v, p)); s01 = f64x2.add(s01, f64x2.mul(v, r));
        v = v128.load64_splat(a1 + ko);
        s10 = f64x2.add(s10, f64x2.mul(v, p)); s11 = f64x2.add(s11, f64x2.mul(v, r));
        v = v128.load64_splat(a2 + ko);
        s20 = f64x2.add(s20, f64x2.mul(v, p)); s21 = f64x2.add(s21, f64x2.mul(v, r));
        v = v128.load64_splat(a3 + ko);
        s30 = f64x2.add(s30, f64x2.mul(v, p)); s31 = f64x2.add(s31, f64x2.mul(v, r));
        v = v128.load64_splat(a0 + ko, 8);
        s00 = f64x2.add(s00, f64x2.mul(v, q)); s01 = f64x2.add(s01, f64x2.mul(v, t));
        v = v128.load64_splat(a1 + ko, 8);
        s10 = f64x2.add(s10, f64x2.mul(v, q)); s11 = f64x2.add(s11, f64x2.mul(v, t));
        v = v128.load64_splat(a2 + ko, 8);
        s20 = f64x2.add(s20, f64x2.mul(v, q)); s21 = f64x2.add(s21, f64x2.mul(v, t));
        v = v128.load64_splat(a3 + ko, 8);
        s30 = f64x2.add(s30, f64x2.mul(v, q)); s31 = f64x2.add(s31, f64x2.mul(v, t));
      }
      if (pairs < K) {
        const p = gather(b0 + last, b1 + last), r = gather(b2 + last, b3 + last);
        let v = v128.load64_splat(a0 + last);
        s00 = f64x2.add(s00, f64x2.mul(v, p)); s01 = f64x2.add(s01, f64x2.mul(v, r));
        v = v128.load64_splat(a1 + last);
        s10 = f64x2.add(s10, f64x2.mul(v, p)); s11 = f64x2.add(s11, f64x2.mul(v, r));
        v = v128.load64_splat(a2 + last);
        s20 = f64x2.add(s20, f64x2.mul(v, p)); s21 = f64x2.add(s21, f64x2.mul(v, r));
        v = v128.load64_splat(a3 + last);
        s30 = f64x2.add(s30, f64x2.mul(v, p)); s31 = f64x2.add(s31, f64x2.mul(v, r));
      }
      const jo = <usize>j << 3, bj = bias + jo;
      storePair(c0 + jo, s00, accumulate, hasBias, bj, relu); storePair(c0 + jo + 16, s01, accumulate, hasBias, bj + 16, relu);
      storePair(c1 + jo, s10, accumulate, hasBias, bj, relu); storePair(c1 + jo + 16, s11, accumulate, hasBias, bj + 16, relu);
      storePair(c2 + jo, s20, accumulate, hasBias, bj, relu); storePair(c2 + jo + 16, s21, accumulate, hasBias, bj + 16, relu);
      storePair(c3 + jo, s30, accumulate, hasBias, bj, relu); storePair(c3 + jo + 16, s31, accumulate, hasBias, bj + 16, relu);
    }
    for (; j + 2 <= N; j += 2) {
      const b0 = b + <usize>j * rowK, b1 = b0 + rowK;
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0), s2 = f64x2.splat(0), s3 = f64x2.splat(0);
      for (let ko: usize = 0; ko < last; ko += 16) {
        const x0 = v128.load(b0 + ko), x1 = v128.load(b1 + ko);
        const p = f64x2.shuffle(x0, x1, 0, 2), q = f64x2.shuffle(x0, x1, 1, 3);
        s0 = f64x2.add(s0, f64x2.mul(v128.load64_splat(a0 + ko), p));
        s1 = f64x2.add(s1, f64x2.mul(v128.load64_splat(a1 + ko), p));
        s2 = f64x2.add(s2, f64x2.mul(v128.load64_splat(a2 + ko), p));
        s3 = f64x2.add(s3, f64x2.mul(v128.load64_splat(a3 + ko), p));
        s0 = f64x2.add(s0, f64x2.mul(v128.load64_splat(a0 + ko, 8), q));
        s1 = f64x2.add(s1, f64x2.mul(v128.load64_splat(a1 + ko, 8), q));
        s2 = f64x2.add(s2, f64x2.mul(v128.load64_splat(a2 + ko, 8), q));
        s3 = f64x2.add(s3, f64x2.mul(v128.load64_splat(a3 + ko, 8), q));
      }
      if (pairs < K) {
        const p = gather(b0 + last, b1 + last);
        s0 = f64x2.add(s0, f64x2.mul(v128.load64_splat(a0 + last), p));
        s1 = f64x2.add(s1, f64x2.mul(v128.load64_splat(a1 + last), p));
        s2 = f64x2.add(s2, f64x2.mul(v128.load64_splat(a2 + last), p));
        s3 = f64x2.add(s3, f64x2.mul(v128.load64_splat(a3 + last), p));
      }
      const jo = <usize>j << 3, bj = bias + jo;
      storePair(c0 + jo, s0, accumulate, hasBias, bj, relu); storePair(c1 + jo, s1, accumulate, hasBias, bj, relu);
      storePair(c2 + jo, s2, accumulate, hasBias, bj, relu); storePair(c3 + jo, s3, accumulate, hasBias, bj, relu);
    }
    if (j < N) {
      const b0 = b + <usize>j * rowK;
      let s0: f64 = 0, s1: f64 = 0, s2: f64 = 0, s3: f64 = 0;
      for (let ko: usize = 0; ko < rowK; ko += 8) {
        const bv = load<f64>(b0 + ko);
        s0 += load<f64>(a0 + ko) * bv; s1 += load<f64>(a1 + ko) * bv;
        s2 += load<f64>(a2 + ko) * bv; s3 += load<f64>(a3 + ko) * bv;
      }
      const jo = <usize>j << 3, bj = bias + jo;
      storeSingle(c0 + jo, s0, accumulate, hasBias, bj, relu); storeSingle(c1 + jo, s1, accumulate, hasBias, bj, relu);
      storeSingle(c2 + jo, s2, accumulate, hasBias, bj, relu); storeSingle(c3 + jo, s3, accumulate, hasBias, bj, relu);
    }
  }
  for (; i < M; i++) {
    const a0 = a + <usize>i * rowK;
    const c0 = c + <usize>i * rowC;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const b0 = b + <usize>j * rowK, b1 = b0 + rowK, b2 = b1 + rowK, b3 = b2 + rowK;
      let s0 = f64x2.splat(0), s1 = f64x2.splat(0);
      for (let ko: usize = 0; ko < last; ko += 16) {
        const x0 = v128.load(b0 + ko), x1 = v128.load(b1 + ko), x2 = v128.load(b2 + ko), x3 = v128.load(b3 + ko);
        let v = v128.load64_splat(a0 + ko);
        s0 = f64x2.add(s0, f64x2.mul(v, f64x2.shuffle(x0, x1, 0, 2)));
        s1 = f64x2.add(s1, f64x2.mul(v, f64x2.shuffle(x2, x3, 0, 2)));
        v = v128.load64_splat(a0 + ko, 8);
        s0 = f64x2.add(s0, f64x2.mul(v, f64x2.shuffle(x0, x1, 1, 3)));
        s1 = f64x2.add(s1, f64x2.mul(v, f64x2.shuffle(x2, x3, 1, 3)));
      }
      if (pairs < K) {
        const v = v128.load64_splat(a0 + last);
        s0 = f64x2.add(s0, f64x2.mul(v, gather(b0 + last, b1 + last)));
        s1 = f64x2.add(s1, f64x2.mul(v, gather(b2 + last, b3 + last)));
      }
      const jo = <usize>j << 3, bj = bias + jo;
      storePair(c0 + jo, s0, accumulate, hasBias, bj, relu); storePair(c0 + jo + 16, s1, accumulate, hasBias, bj + 16, relu);
    }
    for (; j + 2 <= N; j += 2) {
      const b0 = b + <usize>j * rowK, b1 = b0 + rowK;
      let s0 = f64x2.splat(0);
      for (let ko: usize = 0; ko < last; ko += 16) {
        const x0 = v128.load(b0 + ko), x1 = v128.load(b1 + ko);
        s0 = f64x2.add(s0, f64x2.mul(v128.load64_splat(a0 + ko), f64x2.shuffle(x0, x1, 0, 2)));
        s0 = f64x2.add(s0, f64x2.mul(v128.load64_splat(a0 + ko, 8), f64x2.shuffle(x0, x1, 1, 3)));
      }
      if (pairs < K) s0 = f64x2.add(s0, f64x2.mul(v128.load64_splat(a0 + last), gather(b0 + last, b1 + last)));
      const jo = <usize>j << 3;
      storePair(c0 + jo, s0, accumulate, hasBias, bias + jo, relu);
    }
    if (j < N) {
      const b0 = b + <usize>j * rowK;
      let s0: f64 = 0;
      for (let ko: usize = 0; ko < rowK; ko += 8) s0 += load<f64>(a0 + ko) * load<f64>(b0 + ko);
      const jo = <usize>j << 3;
      storeSingle(c0 + jo, s0, accumulate, hasBias, bias + jo, relu);
    }
  }
}

/**
 * T[K,N] = B[N,K]ᵀ: entry (k, j) of T is entry (j, k) of B. Four rows of B are read two entries
 * at a time and their 4×2 block is written as T[k, j..j+3] and T[k+1, j..j+3] (two shuffles per
 * pair of rows): whole 32-byte runs of T, not single entries a row apart. Rows of B left over
 * (N not a multiple of 4) and an odd K's last column are copied entry by entry.
 */
export function transpose(b: usize, t: usize, N: i32, K: i32): void {
  const rowB = <usize>K << 3, rowT = <usize>N << 3;
  const N4 = N & ~3, evenK = <usize>(K & ~1) << 3;
  for (let j = 0; j < N4; j += 4) {
    const b0 = b + <usize>j * rowB, b1 = b0 + rowB, b2 = b1 + rowB, b3 = b2 + rowB;
    let tk = t + (<usize>j << 3); //                                     T[k, j]
    for (let ko: usize = 0; ko < evenK; ko += 16) {
      const x0 = v128.load(b0 + ko), x1 = v128.load(b1 + ko); //      B[j, k..k+1], B[j+1, k..k+1]
      const x2 = v128.load(b2 + ko), x3 = v128.load(b3 + ko); //      B[j+2, k..k+1], B[j+3, k..k+1]
      v128.store(tk, f64x2.shuffle(x0, x1, 0, 2)); v128.store(tk, f64x2.shuffle(x2, x3, 0, 2), 16); //               T[k, j..j+3]
      v128.store(tk + rowT, f64x2.shuffle(x0, x1, 1, 3)); v128.store(tk + rowT, f64x2.shuffle(x2, x3, 1, 3), 16); // T[k+1, j..j+3]
      tk += rowT << 1;
    }
    if (evenK < rowB) {
      store<f64>(tk, load<f64>(b0 + evenK)); store<f64>(tk, load<f64>(b1 + evenK), 8);
      store<f64>(tk, load<f64>(b2 + evenK), 16); store<f64>(tk, load<f64>(b3 + evenK), 24);
    }
  }
  for (let j = N4; j < N; j++) {
    const bj = b + <usize>j * rowB, tj = t + (<usize>j << 3);
    for (let k = 0; k < K; k++) store<f64>(tj + <usize>k * rowT, load<f64>(bj + (<usize>k << 3)));
  }
}
