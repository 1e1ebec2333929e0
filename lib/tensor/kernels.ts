/**
 * The shared kernels — matrix products, row and channel sums, im2col / col2im, direct
 * convolution, two scans — on raw row-major `Float64Array`s with explicit sizes, checked before
 * they run.
 *
 * The loops themselves are in backend/reference.ts (the 'js' backend, the ones to read) and in
 * lib/tensor/wasm (the 'wasm' backend, the same bits). These wrappers are the door to them, for
 * the layers and for anyone (they are exported as `kernels`): every size must be a whole number
 * and every array at least as long as its sizes say, and an output may not share memory with
 * an input, or a MinidlError names the kernel and the operand. So no call can write outside its
 * operands, on either backend. Most code wants the shape-checked Tensor versions in ops.ts.
 *
 *   matmul        C = A·B     A [M,K], B [K,N]   (Linear forward:        X·W)
 *   matmulTransB  C = A·Bᵀ    A [M,K], B [N,K]   (Linear backward, input: G·Wᵀ)
 *   matmulTransA  C = Aᵀ·B    A [K,M], B [K,N]   (Linear backward, weight: Xᵀ·G)
 */
import { MinidlError } from '../errors';
import type { WindowGeometry } from './backend/interface';
import { activeBackend } from './backend/select';
import { checkNotReleased } from './memory';

export type { WindowGeometry } from './backend/interface';

/** C[M,N] (+)= A[M,K]·B[K,N], then C[i,:] += bias for every row when a bias row [N] is given. */
export function matmul(
  A: Float64Array, B: Float64Array, C: Float64Array,
  M: number, K: number, N: number, accumulate = false, bias: Float64Array | null = null,
): void {
  checkProduct('matmul', A, B, C, M, K, N, accumulate, bias);
  activeBackend().kernels.matmul(A, B, C, M, K, N, accumulate, bias);
}

/** C[M,N] (+)= A[M,K]·B[N,K]ᵀ — row i of A dotted with row j of B. */
export function matmulTransB(
  A: Float64Array, B: Float64Array, C: Float64Array, M: number, K: number, N: number, accumulate = false,
): void {
  checkProduct('matmulTransB', A, B, C, M, K, N, accumulate, null);
  activeBackend().kernels.matmulTransB(A, B, C, M, K, N, accumulate);
}

/** C[M,N] (+)= A[K,M]ᵀ·B[K,N] — a sum over k of outer products of row k of A and row k of B. */
export function matmulTransA(
  A: Float64Array, B: Float64Array, C: Float64Array, M: number, K: number, N: number, accumulate = false,
): void {
  checkProduct('matmulTransA', A, B, C, M, K, N, accumulate, null);
  activeBackend().kernels.matmulTransA(A, B, C, M, K, N, accumulate);
}

/** out[N] (+)= Σᵢ G[i,:] — the sum of the M rows of G [M,N] (a bias gradient). */
export function sumRows(G: Float64Array, out: Float64Array, M: number, N: number, accumulate = false): void {
  const who = 'kernels.sumRows';
  size(who, 'M', M);
  size(who, 'N', N);
  flag(who, accumulate);
  operand(who, 'G', G, M * N, '[M,N]');
  operand(who, 'out', out, N, '[N]');
  apart(who, 'out', out, N, 'G', G, M * N);
  activeBackend().kernels.sumRows(G, out, M, N, accumulate);
}

/** C[i,:] += b for every row i of C [M,N] (broadcasting a bias row over a batch). */
export function addRowVector(C: Float64Array, b: Float64Array, M: number, N: number): void {
  const who = 'kernels.addRowVector';
  size(who, 'M', M);
  size(who, 'N', N);
  operand(who, 'C', C, M * N, '[M,N]');
  operand(who, 'b', b, N, '[N]');
  apart(who, 'C', C, M * N, 'b', b, N);
  activeBackend().kernels.addRowVector(C, b, M, N);
}

/** a[i] = 0 for every entry (a cleared gradient). */
export function fillZeros(a: Float64Array): void {
  operand('kernels.fillZeros', 'a', a, 0, '');
  activeBackend().kernels.fillZeros(a);
}

/** The index of the first entry of `a` that is NaN or ±Infinity, or −1. */
export function firstNonFinite(a: Float64Array): number {
  operand('kernels.firstNonFinite', 'a', a, 0, '');
  return activeBackend().kernels.firstNonFinite(a);
}

/**
 * im2col: unrolls the windows of one image — the C·H·W values of `image` from `imageOffset`
 * (sample n of an NCHW batch: n·C·H·W) — into cols [C·kH·kW, OH·OW] (see backend/reference.ts).
 */
export function im2col(image: Float64Array, imageOffset: number, g: WindowGeometry, cols: Float64Array): void {
  const who = 'kernels.im2col';
  const { imageSize, colsSize } = checkGeometry(who, g);
  size(who, 'imageOffset', imageOffset, 0);
  operand(who, 'image', image, imageOffset + imageSize, '[offset + C·H·W]');
  operand(who, 'cols', cols, colsSize, '[C·kH·kW, OH·OW]');
  apartAt(who, 'cols', cols, 0, colsSize, 'image', image, imageOffset, imageSize);
  activeBackend().kernels.im2col(image, imageOffset, g, cols);
}

/** col2im: the adjoint of im2col, ADDING each entry of cols [C·kH·kW, OH·OW] back to the image entry it came from. */
export function col2im(cols: Float64Array, g: WindowGeometry, image: Float64Array, imageOffset: number): void {
  const who = 'kernels.col2im';
  const { imageSize, colsSize } = checkGeometry(who, g);
  size(who, 'imageOffset', imageOffset, 0);
  operand(who, 'cols', cols, colsSize, '[C·kH·kW, OH·OW]');
  operand(who, 'image', image, imageOffset + imageSize, '[offset + C·H·W]');
  apartAt(who, 'image', image, imageOffset, imageSize, 'cols', cols, 0, colsSize);
  activeBackend().kernels.col2im(cols, g, image, imageOffset);
}

/** Y[n,f,:] += b[f] for a batch Y [N,F,P] (P = OH·OW): one bias per output channel. */
export function addChannelBias(output: Float64Array, bias: Float64Array, N: number, F: number, P: number): void {
  const who = 'kernels.addChannelBias';
  size(who, 'N', N);
  size(who, 'F', F);
  size(who, 'P', P);
  operand(who, 'output', output, N * F * P, '[N,F,P]');
  operand(who, 'bias', bias, F, '[F]');
  apart(who, 'output', output, N * F * P, 'bias', bias, F);
  activeBackend().kernels.addChannelBias(output, bias, N, F, P);
}

/** out[f] (+)= Σₙ Σₚ G[n,f,p] for G [N,F,P]: the gradient of a per-channel bias. */
export function sumChannels(grad: Float64Array, out: Float64Array, N: number, F: number, P: number, accumulate = false): void {
  const who = 'kernels.sumChannels';
  size(who, 'N', N);
  size(who, 'F', F);
  size(who, 'P', P);
  flag(who, accumulate);
  operand(who, 'grad', grad, N * F * P, '[N,F,P]');
  operand(who, 'out', out, F, '[F]');
  apart(who, 'out', out, F, 'grad', grad, N * F * P);
  activeBackend().kernels.sumChannels(grad, out, N, F, P, accumulate);
}

/**
 * Direct convolution of a whole batch (see backend/reference.ts): Y[n,f,oh,ow] =
 * Σ_c Σ_i Σ_j W[f,c,i,j]·X[n,c,oh·sH−pH+i,ow·sW−pW+j], for X [N,C,H,W], W [F,C,kH,kW],
 * Y [N,F,OH,OW] (overwritten; no bias). The same bits as W·im2col(X[n]) for every n.
 */
export function conv2dForward(
  input: Float64Array, weight: Float64Array, output: Float64Array, N: number, F: number, g: WindowGeometry,
): void {
  const who = 'kernels.conv2dForward';
  const { imageSize } = checkGeometry(who, g);
  size(who, 'N', N);
  size(who, 'F', F);
  const K = g.channels * g.kernelH * g.kernelW, P = g.outH * g.outW;
  operand(who, 'input', input, N * imageSize, '[N,C,H,W]');
  operand(who, 'weight', weight, F * K, '[F,C,kH,kW]');
  operand(who, 'output', output, N * F * P, '[N,F,OH,OW]');
  apart(who, 'output', output, N * F * P, 'input', input, N * imageSize);
  apart(who, 'output', output, N * F * P, 'weight', weight, F * K);
  activeBackend().kernels.conv2dForward(input, weight, output, N, F, g);
}

/**
 * The weight gradient of a convolution over a whole batch, ADDED to gradWeight [F,C,kH,kW]:
 * ∂L/∂W[f,c,i,j] += Σ_oh Σ_ow G[n,f,oh,ow]·X[n,c,oh·sH−pH+i,ow·sW−pW+j] for each sample n in turn,
 * with X [N,C,H,W] and G = gradOut [N,F,OH,OW]. The same bits as ∂L/∂W += Gₙ·im2col(X[n])ᵀ for n = 0, 1, ….
 */
export function conv2dWeightGrad(
  input: Float64Array, gradOut: Float64Array, gradWeight: Float64Array, N: number, F: number, g: WindowGeometry,
): void {
  const who = 'kernels.conv2dWeightGrad';
  const { imageSize } = checkGeometry(who, g);
  size(who, 'N', N);
  size(who, 'F', F);
  const K = g.channels * g.kernelH * g.kernelW, P = g.outH * g.outW;
  operand(who, 'input', input, N * imageSize, '[N,C,H,W]');
  operand(who, 'gradOut', gradOut, N * F * P, '[N,F,OH,OW]');
  operand(who, 'gradWeight', gradWeight, F * K, '[F,C,kH,kW]');
  apart(who, 'gradWeight', gradWeight, F * K, 'input', input, N * imageSize);
  apart(who, 'gradWeight', gradWeight, F * K, 'gradOut', gradOut, N * F * P);
  activeBackend().kernels.conv2dWeightGrad(input, gradOut, gradWeight, N, F, g);
}

function checkProduct(
  name: string, A: Float64Array, B: Float64Array, C: Float64Array,
  M: number, K: number, N: number, accumulate: boolean, bias: Float64Array | null,
): void {
  const who = name === 'matmul' ? 'kernels.matmul' : name === 'matmulTransB' ? 'kernels.matmulTransB' : 'kernels.matmulTransA';
  size(who, 'M', M);
  size(who, 'K', K);
  size(who, 'N', N);
  flag(who, accumulate);
  operand(who, 'A', A, M * K, name === 'matmulTransA' ? '[K,M]' : '[M,K]');
  operand(who, 'B', B, K * N, name === 'matmulTransB' ? '[N,K]' : '[K,N]');
  operand(who, 'C', C, M * N, '[M,N]');
  apart(who, 'C', C, M * N, 'A', A, M * K);
  apart(who, 'C', C, M * N, 'B', B, K * N);
  if (bias !== null) {
    operand(who, 'bias', bias, N, '[N]');
    apart(who, 'C', C, M * N, 'bias', bias, N);
  }
}

/** A size: a whole number ≥ min. */
function size(who: string, name: string, v: number, min = 0): void {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min) {
    throw new MinidlError(`${who}: ${name} must be a whole number ≥ ${min}, got ${String(v)}`);
  }
}

function flag(who: string, accumulate: unknown): void {
  if (typeof accumulate !== 'boolean') throw new MinidlError(`${who}: accumulate must be true or false, got ${String(accumulate)}`);
}

/** A Float64Array with at least `needed` entries, not the array of a released tensor. */
function operand(who: string, name: string, values: Float64Array, needed: number, shape: string): void {
  if (!(values instanceof Float64Array)) {
    throw new MinidlError(`${who}: ${name} must be a Float64Array, got ${values === null ? 'null' : typeof values === 'object' ? `a ${(values as object).constructor?.name}` : typeof values}`);
  }
  if (values.length < needed) {
    throw new MinidlError(`${who}: ${name} has ${values.length} entries, but ${name} ${shape} needs ${needed}`);
  }
  checkNotReleased(who, name, values);
}

/** Refuses an output whose first n entries share memory with the first m entries of an input. */
function apart(who: string, out: string, o: Float64Array, n: number, input: string, a: Float64Array, m: number): void {
  apartAt(who, out, o, 0, n, input, a, 0, m);
}

function apartAt(
  who: string, out: string, o: Float64Array, oFrom: number, n: number,
  input: string, a: Float64Array, aFrom: number, m: number,
): void {
  if (o.buffer !== a.buffer || n === 0 || m === 0) return;
  const oStart = o.byteOffset + 8 * oFrom, aStart = a.byteOffset + 8 * aFrom;
  if (oStart < aStart + 8 * m && aStart < oStart + 8 * n) {
    throw new MinidlError(`${who}: ${out} shares memory with ${input}; an output may not overlap an input (write into a separate array)`);
  }
}

/** Checks that a window geometry is consistent (so no loop reads or writes outside its image); returns its sizes. */
function checkGeometry(who: string, g: WindowGeometry): { imageSize: number; colsSize: number } {
  if (typeof g !== 'object' || g === null) throw new MinidlError(`${who}: the geometry must be a WindowGeometry object, got ${String(g)}`);
  const { channels, height, width, kernelH, kernelW, strideH, strideW, padH, padW, outH, outW } = g;
  size(who, 'channels', channels, 1);
  size(who, 'height', height, 1);
  size(who, 'width', width, 1);
  size(who, 'kernelH', kernelH, 1);
  size(who, 'kernelW', kernelW, 1);
  size(who, 'strideH', strideH, 1);
  size(who, 'strideW', strideW, 1);
  size(who, 'padH', padH, 0);
  size(who, 'padW', padW, 0);
  size(who, 'outH', outH, 0);
  size(who, 'outW', outW, 0);
  const expectH = Math.floor((height + 2 * padH - kernelH) / strideH) + 1;
  const expectW = Math.floor((width + 2 * padW - kernelW) / strideW) + 1;
  if (outH !== expectH || outW !== expectW || expectH < 1 || expectW < 1) {
    throw new MinidlError(`${who}: outH × outW is ${outH}×${outW}, but a ${kernelH}×${kernelW} window with stride ${strideH}×${strideW} and padding ${padH}×${padW} over ${height}×${width} gives ${expectH}×${expectW}`);
  }
  return { imageSize: channels * height * width, colsSize: channels * kernelH * kernelW * outH * outW };
}
