/**
 * Numeric kernels: the loops that do the arithmetic of every layer, in one place.
 *
 * They work on raw row-major `Float64Array`s with explicit sizes and write into an output
 * array the caller provides, so they allocate nothing. Layer files do not call them
 * directly: they call the shape-checked wrappers in `ops.ts`.
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
 * ## Why the loops look the way they do
 *
 * A plain triple loop does one multiply-add per two loads from memory. These kernels compute
 * a 4×4 block of C at a time: in each step along k they load 4 numbers of A and 4 of B and do
 * 16 multiply-adds with them, keeping the 16 partial sums in local variables (CPU registers).
 * That is about three times faster in JavaScript. Rows and columns left over when M or N is
 * not a multiple of 4 are finished by 4×1, 1×4 and 1×1 blocks. Every entry of C is summed in
 * the same order (k = 0, 1, …, K-1) whatever block computes it, so a result never depends on
 * where its row or column fell in the blocking.
 *
 * ## Two backends
 *
 * Each kernel first asks `wasmBackend()` (backend.ts) whether the WebAssembly backend is
 * selected (the default where the engine has WebAssembly SIMD). If so, it hands the call to
 * the WebAssembly version of the same loops (lib/tensor/wasm), which gives bit-identical
 * results; otherwise the TypeScript below runs. `setBackend('js')` makes it run always.
 */
import { wasmBackend } from './backend';

/**
 * C[M,N] (+)= A[M,K] · B[K,N], then C[i, :] += bias for every row when a bias row [N] is
 * given (Linear's Y = X·W + b). The WebAssembly kernel adds the bias as it stores each entry
 * (a fused epilogue, one pass over C instead of two); here the product is finished first and
 * `addRowVector` adds the bias: the same two additions per entry, in the same order.
 */
export function matmul(
  A: Float64Array, B: Float64Array, C: Float64Array,
  M: number, K: number, N: number, accumulate = false, bias: Float64Array | null = null,
): void {
  const wasm = wasmBackend();
  if (wasm !== null) return wasm.product('matmul', A, B, C, M, K, N, accumulate, bias); // the same loops in WebAssembly
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
export function matmulTransB(
  A: Float64Array, B: Float64Array, C: Float64Array,
  M: number, K: number, N: number, accumulate = false,
): void {
  const wasm = wasmBackend();
  if (wasm !== null) return wasm.product('matmulTransB', A, B, C, M, K, N, accumulate);
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
export function matmulTransA(
  A: Float64Array, B: Float64Array, C: Float64Array,
  M: number, K: number, N: number, accumulate = false,
): void {
  const wasm = wasmBackend();
  if (wasm !== null) return wasm.product('matmulTransA', A, B, C, M, K, N, accumulate);
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
export function sumRows(G: Float64Array, out: Float64Array, M: number, N: number, accumulate = false): void {
  const wasm = wasmBackend();
  if (wasm !== null) return wasm.sumRows(G, out, M, N, accumulate);
  if (!accumulate) out.fill(0, 0, N);
  for (let i = 0; i < M; i++) {
    const row = i * N;
    for (let j = 0; j < N; j++) out[j] += G[row + j];
  }
}

/** C[i, :] += b  for every row i of C [M,N]  (broadcasting a bias row over a batch). */
export function addRowVector(C: Float64Array, b: Float64Array, M: number, N: number): void {
  const wasm = wasmBackend();
  if (wasm !== null) return wasm.addRowVector(C, b, M, N);
  for (let i = 0; i < M; i++) {
    const row = i * N;
    for (let j = 0; j < N; j++) C[row + j] += b[j];
  }
}

/**
 * a[i] = 0 for every entry (a cleared gradient). Under 'wasm', an array that lives in the
 * kernels' memory is cleared by WebAssembly's bulk fill: `fill(0)` on a view of a shared
 * memory writes entry by entry and is about ten times slower.
 */
export function fillZeros(a: Float64Array): void {
  const wasm = wasmBackend();
  if (wasm !== null && wasm.instance.memory.holds(a)) return wasm.kernels.fillZeros(a.byteOffset, a.length);
  a.fill(0);
}

/**
 * The index of the first entry of `a` that is NaN or ±Infinity, or −1 (every layer checks its
 * input with it). v − v is 0 for every finite v and NaN for NaN and ±Infinity: a plain
 * subtraction is faster than calling Number.isFinite on every entry. Under 'wasm', an array
 * that lives in the kernels' memory is scanned by WebAssembly, four entries per step.
 */
export function firstNonFinite(a: Float64Array): number {
  const wasm = wasmBackend();
  if (wasm !== null && wasm.instance.memory.holds(a)) return wasm.kernels.firstNonFinite(a.byteOffset, a.length);
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
