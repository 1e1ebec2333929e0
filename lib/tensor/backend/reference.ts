/**
 * The reference kernels: the readable TypeScript loops of the kernels several layers share (the
 * 'js' backend). The WebAssembly backend (lib/tensor/wasm) computes the same operations in the
 * same order, so both give the same bits.
 *
 * Each takes raw row-major `Float64Array`s with explicit sizes and writes into an output array
 * its caller provides, so it allocates nothing. Nothing here checks sizes: lib/tensor/kernels.ts
 * does, before it calls a backend.
 *
 * ## The three matrix products
 *
 *   matmul        C = A·B     A [M,K], B [K,N]   (Linear forward:        X·W)
 *   matmulTransB  C = A·Bᵀ    A [M,K], B [N,K]   (Linear backward, input: G·Wᵀ)
 *   matmulTransA  C = Aᵀ·B    A [K,M], B [K,N]   (Linear backward, weight: Xᵀ·G)
 *
 * None of them builds a transposed copy: the transposed operand is simply read along the
 * other axis. With `accumulate` the product is added to C (C += …), which is how parameter
 * gradients accumulate.
 *
 * Each entry is the sum  C[i,j] = Σₖ A[i,k]·B[k,j]  taken for k = 0, 1, …, K−1, starting from 0,
 * then added to C[i,j] when accumulating. A plain triple loop computes exactly that:
 *
 *   for i, for j:  s = 0;  for k: s += A[i·K + k]·B[k·N + j];  C[i·N + j] = accumulate ? C[i·N + j] + s : s
 *
 * The loops below compute the same sums in the same order, so they give the same bits, but a
 * 4×4 block of C at a time: in each step along k they load 4 numbers of A and 4 of B and do
 * 16 multiply-adds with them, keeping the 16 partial sums in local variables (CPU registers).
 * That is about three times faster in JavaScript than the triple loop, which does one
 * multiply-add per two loads. Rows and columns left over when M or N is not a multiple of 4
 * are finished by 4×1, 1×4 and 1×1 blocks.
 *
 * ## Images (NCHW)
 *
 * An image batch X [N, C, H, W] is stored row-major: X[n, c, h, w] lives at ((n·C + c)·H + h)·W + w.
 * A window of kH × kW positions slides over each image with stride (sH, sW) after pH rows and
 * pW columns of padding are added on each side; output position (oh, ow) reads input rows
 * h = oh·sH − pH + i (i < kH) and columns w = ow·sW − pW + j (j < kW). A position outside the
 * image is padding and reads 0. Instead of testing every (h, w) against the borders, im2col and
 * col2im compute the range of output positions whose input lies inside the image
 * (`firstInside`, `endInside`) and run over that range only.
 */
import type { Kernels, WindowGeometry } from './interface';

/**
 * C[M,N] (+)= A[M,K] · B[K,N], then C[i, :] += bias for every row when a bias row [N] is
 * given (Linear's Y = X·W + b). The WebAssembly kernel adds the bias as it stores each entry
 * (a fused epilogue, one pass over C instead of two); here the product is finished first and
 * `addRowVector` adds the bias: the same two additions per entry, in the same order.
 */
function matmul(
  A: Float64Array, B: Float64Array, C: Float64Array,
  M: number, K: number, N: number, accumulate: boolean, bias: Float64Array | null,
): void {
  matmulLoops(A, B, C, M, K, N, accumulate);
  if (bias !== null) addRowVector(C, bias, M, N);
}

function matmulLoops(
  A: Float64Array, B: Float64Array, C: Float64Array,
  M: number, K: number, N: number, accumulate: boolean,
): void {
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    const a0 = i * K, a1 = a0 + K, a2 = a1 + K, a3 = a2 + K;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let k = 0, b = j; k < K; k++, b += N) {
        const b0 = B[b], b1 = B[b + 1], b2 = B[b + 2], b3 = B[b + 3];
        let a = A[a0 + k]; c00 += a * b0; c01 += a * b1; c02 += a * b2; c03 += a * b3;
        a = A[a1 + k]; c10 += a * b0; c11 += a * b1; c12 += a * b2; c13 += a * b3;
        a = A[a2 + k]; c20 += a * b0; c21 += a * b1; c22 += a * b2; c23 += a * b3;
        a = A[a3 + k]; c30 += a * b0; c31 += a * b1; c32 += a * b2; c33 += a * b3;
      }
      store4x4(C, i * N + j, N, accumulate,
        c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33);
    }
    for (; j < N; j++) {
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let k = 0, b = j; k < K; k++, b += N) {
        const bv = B[b];
        c0 += A[a0 + k] * bv; c1 += A[a1 + k] * bv; c2 += A[a2 + k] * bv; c3 += A[a3 + k] * bv;
      }
      store4x1(C, i * N + j, N, accumulate, c0, c1, c2, c3);
    }
  }
  for (; i < M; i++) {
    const a0 = i * K;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let k = 0, b = j; k < K; k++, b += N) {
        const a = A[a0 + k];
        c0 += a * B[b]; c1 += a * B[b + 1]; c2 += a * B[b + 2]; c3 += a * B[b + 3];
      }
      store1x4(C, i * N + j, accumulate, c0, c1, c2, c3);
    }
    for (; j < N; j++) {
      let s = 0;
      for (let k = 0, b = j; k < K; k++, b += N) s += A[a0 + k] * B[b];
      C[i * N + j] = accumulate ? C[i * N + j] + s : s;
    }
  }
}

/** C[M,N] (+)= A[M,K] · B[N,K]ᵀ  — row i of A dotted with row j of B. */
function matmulTransB(
  A: Float64Array, B: Float64Array, C: Float64Array,
  M: number, K: number, N: number, accumulate: boolean,
): void {
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    const a0 = i * K, a1 = a0 + K, a2 = a1 + K, a3 = a2 + K;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const b0 = j * K, b1 = b0 + K, b2 = b1 + K, b3 = b2 + K;
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let k = 0; k < K; k++) {
        const v0 = B[b0 + k], v1 = B[b1 + k], v2 = B[b2 + k], v3 = B[b3 + k];
        let a = A[a0 + k]; c00 += a * v0; c01 += a * v1; c02 += a * v2; c03 += a * v3;
        a = A[a1 + k]; c10 += a * v0; c11 += a * v1; c12 += a * v2; c13 += a * v3;
        a = A[a2 + k]; c20 += a * v0; c21 += a * v1; c22 += a * v2; c23 += a * v3;
        a = A[a3 + k]; c30 += a * v0; c31 += a * v1; c32 += a * v2; c33 += a * v3;
      }
      store4x4(C, i * N + j, N, accumulate,
        c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33);
    }
    for (; j < N; j++) {
      const b0 = j * K;
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let k = 0; k < K; k++) {
        const v = B[b0 + k];
        c0 += A[a0 + k] * v; c1 += A[a1 + k] * v; c2 += A[a2 + k] * v; c3 += A[a3 + k] * v;
      }
      store4x1(C, i * N + j, N, accumulate, c0, c1, c2, c3);
    }
  }
  for (; i < M; i++) {
    const a0 = i * K;
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const b0 = j * K, b1 = b0 + K, b2 = b1 + K, b3 = b2 + K;
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let k = 0; k < K; k++) {
        const a = A[a0 + k];
        c0 += a * B[b0 + k]; c1 += a * B[b1 + k]; c2 += a * B[b2 + k]; c3 += a * B[b3 + k];
      }
      store1x4(C, i * N + j, accumulate, c0, c1, c2, c3);
    }
    for (; j < N; j++) {
      const b0 = j * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += A[a0 + k] * B[b0 + k];
      C[i * N + j] = accumulate ? C[i * N + j] + s : s;
    }
  }
}

/** C[M,N] (+)= A[K,M]ᵀ · B[K,N]  — a sum over k of outer products of row k of A and row k of B. */
function matmulTransA(
  A: Float64Array, B: Float64Array, C: Float64Array,
  M: number, K: number, N: number, accumulate: boolean,
): void {
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      for (let k = 0, a = i, b = j; k < K; k++, a += M, b += N) {
        const b0 = B[b], b1 = B[b + 1], b2 = B[b + 2], b3 = B[b + 3];
        let v = A[a]; c00 += v * b0; c01 += v * b1; c02 += v * b2; c03 += v * b3;
        v = A[a + 1]; c10 += v * b0; c11 += v * b1; c12 += v * b2; c13 += v * b3;
        v = A[a + 2]; c20 += v * b0; c21 += v * b1; c22 += v * b2; c23 += v * b3;
        v = A[a + 3]; c30 += v * b0; c31 += v * b1; c32 += v * b2; c33 += v * b3;
      }
      store4x4(C, i * N + j, N, accumulate,
        c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33);
    }
    for (; j < N; j++) {
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let k = 0, a = i, b = j; k < K; k++, a += M, b += N) {
        const bv = B[b];
        c0 += A[a] * bv; c1 += A[a + 1] * bv; c2 += A[a + 2] * bv; c3 += A[a + 3] * bv;
      }
      store4x1(C, i * N + j, N, accumulate, c0, c1, c2, c3);
    }
  }
  for (; i < M; i++) {
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      for (let k = 0, a = i, b = j; k < K; k++, a += M, b += N) {
        const v = A[a];
        c0 += v * B[b]; c1 += v * B[b + 1]; c2 += v * B[b + 2]; c3 += v * B[b + 3];
      }
      store1x4(C, i * N + j, accumulate, c0, c1, c2, c3);
    }
    for (; j < N; j++) {
      let s = 0;
      for (let k = 0, a = i, b = j; k < K; k++, a += M, b += N) s += A[a] * B[b];
      C[i * N + j] = accumulate ? C[i * N + j] + s : s;
    }
  }
}

/** out[N] (+)= Σᵢ G[i, :]  — the sum of the M rows of G [M,N] (a bias gradient). */
function sumRows(G: Float64Array, out: Float64Array, M: number, N: number, accumulate: boolean): void {
  if (!accumulate) out.fill(0, 0, N);
  for (let i = 0; i < M; i++) {
    const row = i * N;
    for (let j = 0; j < N; j++) out[j] += G[row + j];
  }
}

/** C[i, :] += b  for every row i of C [M,N]  (broadcasting a bias row over a batch). */
function addRowVector(C: Float64Array, b: Float64Array, M: number, N: number): void {
  for (let i = 0; i < M; i++) {
    const row = i * N;
    for (let j = 0; j < N; j++) C[row + j] += b[j];
  }
}

/** a[i] = 0 for every entry (a cleared gradient). */
function fillZeros(a: Float64Array): void {
  a.fill(0);
}

/** target[i] = source[i] for every entry of source (a checkpoint of a training step). */
function copyValues(source: Float64Array, target: Float64Array): void {
  target.set(source);
}

/**
 * The index of the first entry of `a` that is NaN or ±Infinity, or −1 (every layer checks its
 * input with it). v − v is 0 for every finite v and NaN for NaN and ±Infinity: a plain
 * subtraction is faster than calling Number.isFinite on every entry.
 */
function firstNonFinite(a: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (a[i] - a[i] !== 0) return i;
  return -1;
}

function store4x4(
  C: Float64Array, c: number, N: number, accumulate: boolean,
  c00: number, c01: number, c02: number, c03: number, c10: number, c11: number, c12: number, c13: number,
  c20: number, c21: number, c22: number, c23: number, c30: number, c31: number, c32: number, c33: number,
): void {
  store1x4(C, c, accumulate, c00, c01, c02, c03);
  store1x4(C, c + N, accumulate, c10, c11, c12, c13);
  store1x4(C, c + 2 * N, accumulate, c20, c21, c22, c23);
  store1x4(C, c + 3 * N, accumulate, c30, c31, c32, c33);
}

function store1x4(C: Float64Array, c: number, accumulate: boolean, v0: number, v1: number, v2: number, v3: number): void {
  if (accumulate) {
    C[c] += v0; C[c + 1] += v1; C[c + 2] += v2; C[c + 3] += v3;
  } else {
    C[c] = v0; C[c + 1] = v1; C[c + 2] = v2; C[c + 3] = v3;
  }
}

function store4x1(C: Float64Array, c: number, N: number, accumulate: boolean, v0: number, v1: number, v2: number, v3: number): void {
  if (accumulate) {
    C[c] += v0; C[c + N] += v1; C[c + 2 * N] += v2; C[c + 3 * N] += v3;
  } else {
    C[c] = v0; C[c + N] = v1; C[c + 2 * N] = v2; C[c + 3 * N] = v3;
  }
}

/**
 * The first output position o ≥ 0 with o·stride − pad + offset ≥ 0 (inside the image):
 * ⌈(pad − offset) / stride⌉, or 0. (Integer arithmetic with `| 0` and comparisons rather than
 * Math.ceil and Math.max, here and in the pooling loops: a call to a Math function costs far
 * more than the arithmetic in some JavaScript sandboxes, Jest's among them.)
 */
function firstInside(pad: number, offset: number, stride: number): number {
  const before = pad - offset; // padding rows (or columns) to skip
  return before <= 0 ? 0 : ((before + stride - 1) / stride) | 0;
}

/** One past the last output position o < out with o·stride − pad + offset ≤ size − 1; at least `start`. */
function endInside(size: number, pad: number, offset: number, stride: number, out: number, start: number): number {
  const room = size - 1 + pad - offset; // how far o·stride may go
  if (room < 0) return start;
  const end = ((room / stride) | 0) + 1;
  return end > out ? out : end < start ? start : end;
}

/**
 * im2col: unrolls the windows of one image into the columns of a matrix.
 *
 * The image is X[n] (C × H × W values starting at `imageOffset` in `image`); `cols` receives a
 * [C·kH·kW, OH·OW] matrix, row-major:
 *
 *   cols[r, q] = X[n, c, oh·sH − pH + i, ow·sW − pW + j]   (0 in the padding)
 *   with  r = (c·kH + i)·kW + j   and   q = oh·OW + ow.
 *
 * Column q holds the window of output position q; row r holds one (channel, i, j) offset of
 * the window for every position. A convolution with weight W [F, C·kH·kW] is then one matrix
 * product: Y[n] = W·cols, [F, OH·OW], which is already the NCHW layout of the output.
 */
function im2col(image: Float64Array, imageOffset: number, g: WindowGeometry, cols: Float64Array): void {
  const H = g.height, W = g.width, kH = g.kernelH, kW = g.kernelW;
  const sH = g.strideH, sW = g.strideW, pH = g.padH, pW = g.padW, OH = g.outH, OW = g.outW;
  const P = OH * OW;
  let row = 0;
  for (let c = 0; c < g.channels; c++) {
    const plane = imageOffset + c * H * W;
    for (let i = 0; i < kH; i++) {
      const ohLo = firstInside(pH, i, sH), ohHi = endInside(H, pH, i, sH, OH, ohLo);
      for (let j = 0; j < kW; j++, row += P) {
        const owLo = firstInside(pW, j, sW), owHi = endInside(W, pW, j, sW, OW, owLo);
        for (let q = row; q < row + ohLo * OW; q++) cols[q] = 0; //       rows of padding above
        for (let oh = ohLo; oh < ohHi; oh++) {
          const q = row + oh * OW;
          const src = plane + (oh * sH - pH + i) * W - pW + j; //          X[n, c, h, w] at ow = 0
          for (let ow = 0; ow < owLo; ow++) cols[q + ow] = 0; //          padding on the left
          if (sW === 1) {
            for (let ow = owLo; ow < owHi; ow++) cols[q + ow] = image[src + ow];
          } else {
            for (let ow = owLo; ow < owHi; ow++) cols[q + ow] = image[src + ow * sW];
          }
          for (let ow = owHi; ow < OW; ow++) cols[q + ow] = 0; //         padding on the right
        }
        for (let q = row + ohHi * OW; q < row + P; q++) cols[q] = 0; //   rows of padding below
      }
    }
  }
}

/**
 * col2im: the adjoint (transpose) of im2col, **accumulating** into the image.
 *
 *   X[n, c, oh·sH − pH + i, ow·sW − pW + j] += cols[r, q]   for every r = (c·kH + i)·kW + j,
 *                                                              q = oh·OW + ow inside the image
 *
 * An input entry that lies in several windows receives the sum of all their entries (this is
 * the backward pass of im2col: ∂L/∂X = col2im(∂L/∂cols)). Entries that fall in the padding are
 * dropped. Nothing is cleared first: zero the image range before, if needed.
 */
function col2im(cols: Float64Array, g: WindowGeometry, image: Float64Array, imageOffset: number): void {
  const H = g.height, W = g.width, kH = g.kernelH, kW = g.kernelW;
  const sH = g.strideH, sW = g.strideW, pH = g.padH, pW = g.padW, OH = g.outH, OW = g.outW;
  const P = OH * OW;
  let row = 0;
  for (let c = 0; c < g.channels; c++) {
    const plane = imageOffset + c * H * W;
    for (let i = 0; i < kH; i++) {
      const ohLo = firstInside(pH, i, sH), ohHi = endInside(H, pH, i, sH, OH, ohLo);
      for (let j = 0; j < kW; j++, row += P) {
        const owLo = firstInside(pW, j, sW), owHi = endInside(W, pW, j, sW, OW, owLo);
        for (let oh = ohLo; oh < ohHi; oh++) {
          const q = row + oh * OW;
          const dst = plane + (oh * sH - pH + i) * W - pW + j;
          if (sW === 1) {
            for (let ow = owLo; ow < owHi; ow++) image[dst + ow] += cols[q + ow];
          } else {
            for (let ow = owLo; ow < owHi; ow++) image[dst + ow * sW] += cols[q + ow];
          }
        }
      }
    }
  }
}

/**
 * Y[n, f, :] += b[f] for a batch Y [N, F, P] (P = OH·OW): one bias per output channel, added
 * at every position.
 */
function addChannelBias(output: Float64Array, bias: Float64Array, N: number, F: number, P: number): void {
  for (let n = 0, o = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      const b = bias[f];
      for (let end = o + P; o < end; o++) output[o] += b;
    }
  }
}

/**
 * out[f] (+)= Σₙ Σₚ G[n, f, p] for G [N, F, P]: the gradient of a per-channel bias, which
 * was added at every position of every sample.
 */
function sumChannels(grad: Float64Array, out: Float64Array, N: number, F: number, P: number, accumulate: boolean): void {
  if (!accumulate) out.fill(0, 0, F);
  for (let n = 0, o = 0; n < N; n++) {
    for (let f = 0; f < F; f++) {
      let s = 0;
      for (let end = o + P; o < end; o++) s += grad[o];
      out[f] += s;
    }
  }
}

/**
 * Direct convolution, forward, of a whole batch: no im2col matrix is made.
 *
 *   Y[n, f, oh, ow] = Σ_c Σ_i Σ_j  W[f, c, i, j] · X[n, c, oh·sH − pH + i, ow·sW − pW + j]
 *
 * for X [N, C, H, W], W [F, C, kH, kW] and Y [N, F, OH, OW] (the bias is added apart, by
 * `addChannelBias`). It is the product Y[n] = W·colsₙ of im2col without building colsₙ: the
 * entry colsₙ[k, q] is read where it lives in X, at k = (c·kH + i)·kW + j and q = oh·OW + ow.
 *
 * Same sums, same order, same bits: each Y entry starts at 0 and receives its terms for
 * k = 0, 1, …, K−1 (c, then i, then j), as in the product. A term in the padding is skipped:
 * there the product adds W·0 = ±0, which leaves a sum unchanged (a sum that starts at +0 never
 * becomes −0), so skipping it gives the same bits whenever W is finite.
 *
 * The loops run over the rows i and columns j of the window that lie inside the image
 * (iLo ≤ i < iHi, jLo ≤ j < jHi), and compute four filters at a time, so that each X entry
 * loaded serves four sums (F not a multiple of 4: the last group has fewer filters).
 */
function conv2dForward(
  input: Float64Array, weight: Float64Array, output: Float64Array, N: number, F: number, g: WindowGeometry,
): void {
  const C = g.channels, H = g.height, W = g.width, kH = g.kernelH, kW = g.kernelW;
  const sH = g.strideH, sW = g.strideW, pH = g.padH, pW = g.padW, OH = g.outH, OW = g.outW;
  const K = C * kH * kW, P = OH * OW;
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f += 4) {
      // filters f … f+3; past F, the last filter is computed again and not stored
      const w0 = f * K, w1 = (f + 1 < F ? f + 1 : F - 1) * K, w2 = (f + 2 < F ? f + 2 : F - 1) * K, w3 = (f + 3 < F ? f + 3 : F - 1) * K;
      for (let oh = 0; oh < OH; oh++) {
        const h0 = oh * sH - pH; //                                              the window's top row in X
        const iLo = h0 < 0 ? -h0 : 0, iHi = h0 + kH > H ? H - h0 : kH;
        for (let ow = 0; ow < OW; ow++) {
          const c0 = ow * sW - pW; //                                            the window's left column in X
          const jLo = c0 < 0 ? -c0 : 0, jHi = c0 + kW > W ? W - c0 : kW;
          let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          for (let c = 0; c < C; c++) {
            for (let i = iLo; i < iHi; i++) {
              const x = ((n * C + c) * H + h0 + i) * W + c0; //                  X[n, c, h0 + i, c0]
              const k = (c * kH + i) * kW; //                                     W[·, c, i, 0]
              for (let j = jLo; j < jHi; j++) {
                const v = input[x + j];
                s0 += weight[w0 + k + j] * v; s1 += weight[w1 + k + j] * v;
                s2 += weight[w2 + k + j] * v; s3 += weight[w3 + k + j] * v;
              }
            }
          }
          const y = (n * F + f) * P + oh * OW + ow; //                             Y[n, f, oh, ow]
          output[y] = s0;
          if (f + 1 < F) output[y + P] = s1;
          if (f + 2 < F) output[y + 2 * P] = s2;
          if (f + 3 < F) output[y + 3 * P] = s3;
        }
      }
    }
  }
}

/**
 * Direct convolution, weight gradient, of a whole batch (PyTorch's
 * `torch.nn.grad.conv2d_weight`), **accumulating** into ∂L/∂W:
 *
 *   ∂L/∂W[f, c, i, j] += Σ_oh Σ_ow  G[n, f, oh, ow] · X[n, c, oh·sH − pH + i, ow·sW − pW + j]
 *
 * for every sample n in turn, with G = ∂L/∂Y [N, F, OH, OW]. It is im2col's product
 * ∂L/∂W += Gₙ·colsₙᵀ without building colsₙ, with the same sums in the same order: for each n,
 * a sum started at 0 over the positions q = oh·OW + ow in increasing order, then added to
 * ∂L/∂W[f, c, i, j]. Terms in the padding are skipped (they add G·0 = ±0, as in the forward pass):
 * the loops run over the positions whose term lies inside the image (ohLo ≤ oh < ohHi,
 * owLo ≤ ow < owHi), four filters at a time (each X entry loaded serves four sums).
 */
function conv2dWeightGrad(
  input: Float64Array, gradOut: Float64Array, gradWeight: Float64Array, N: number, F: number, g: WindowGeometry,
): void {
  const C = g.channels, H = g.height, W = g.width, kH = g.kernelH, kW = g.kernelW;
  const sH = g.strideH, sW = g.strideW, pH = g.padH, pW = g.padW, OH = g.outH, OW = g.outW;
  const K = C * kH * kW, P = OH * OW;
  for (let n = 0; n < N; n++) {
    for (let f = 0; f < F; f += 4) {
      // G[n, f … f+3, 0, 0]; past F, the last filter is summed again and not stored
      const g0 = (n * F + f) * P, last = (n * F + F - 1) * P;
      const g1 = f + 1 < F ? g0 + P : last, g2 = f + 2 < F ? g0 + 2 * P : last, g3 = f + 3 < F ? g0 + 3 * P : last;
      for (let c = 0; c < C; c++) {
        const xc = (n * C + c) * H * W; //                                       X[n, c, 0, 0]
        for (let i = 0; i < kH; i++) {
          const ohLo = firstInside(pH, i, sH), ohHi = endInside(H, pH, i, sH, OH, ohLo);
          for (let j = 0; j < kW; j++) {
            const owLo = firstInside(pW, j, sW), owHi = endInside(W, pW, j, sW, OW, owLo);
            let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (let oh = ohLo; oh < ohHi; oh++) {
              const q = oh * OW, x = xc + (oh * sH - pH + i) * W - pW + j; //   X[n, c, h, j − pW]
              for (let ow = owLo; ow < owHi; ow++) {
                const v = input[x + ow * sW];
                s0 += gradOut[g0 + q + ow] * v; s1 += gradOut[g1 + q + ow] * v;
                s2 += gradOut[g2 + q + ow] * v; s3 += gradOut[g3 + q + ow] * v;
              }
            }
            const k = f * K + (c * kH + i) * kW + j; //                           ∂L/∂W[f, c, i, j]
            gradWeight[k] += s0;
            if (f + 1 < F) gradWeight[k + K] += s1;
            if (f + 2 < F) gradWeight[k + 2 * K] += s2;
            if (f + 3 < F) gradWeight[k + 3 * K] += s3;
          }
        }
      }
    }
  }
}

/** The reference kernels, as the 'js' backend provides them. */
export const referenceKernels: Kernels = {
  matmul, matmulTransB, matmulTransA, sumRows, addRowVector, fillZeros, copyValues, firstNonFinite,
  im2col, col2im, addChannelBias, sumChannels, conv2dForward, conv2dWeightGrad,
};
