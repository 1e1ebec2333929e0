/**
 * The kernel interface: what a backend provides, and the words it is described with.
 *
 * A backend is one implementation of minidl's arithmetic. Two exist:
 *
 *   'js'    the readable TypeScript loops (reference.ts, and each layer's own loops in its file)
 *   'wasm'  the same loops compiled to WebAssembly SIMD (lib/tensor/wasm): the same operations in
 *           the same order, so the same bits, four to six times faster
 *
 * This file is a leaf: it imports nothing, so every implementation can depend on it without
 * depending on each other. `select.ts` is the one place that chooses which implementation runs.
 *
 * Every array is a row-major `Float64Array` (max pooling's argmax an `Int32Array`), sizes count
 * entries, and a kernel writes into an array its caller provides: kernels allocate nothing. The
 * interface trusts its caller; lib/tensor/kernels.ts is the checked door to it.
 */

/** The name of a backend. */
export type BackendName = 'js' | 'wasm';

/** The sizes of one sliding-window operation on an image batch stored NCHW (convolution, pooling). */
export interface WindowGeometry {
  /** C: channels of the input. */
  channels: number;
  /** H: height of the input. */
  height: number;
  /** W: width of the input. */
  width: number;
  /** kH: the window's height. */
  kernelH: number;
  /** kW: the window's width. */
  kernelW: number;
  /** sH: how far the window moves down between output rows. */
  strideH: number;
  /** sW: how far the window moves right between output columns. */
  strideW: number;
  /** pH: rows of padding above and below. */
  padH: number;
  /** pW: columns of padding left and right. */
  padW: number;
  /** OH = ⌊(H + 2pH − kH)/sH⌋ + 1: output height. */
  outH: number;
  /** OW = ⌊(W + 2pW − kW)/sW⌋ + 1: output width. */
  outW: number;
}

/** Hyper-parameters of one SGD update (lib/optim/sgd.ts). */
export interface SgdUpdate {
  /** η, the learning rate. */
  lr: number;
  /** μ, the momentum (0: no momentum buffer). */
  momentum: number;
  /** τ, the dampening. */
  dampening: number;
  /** λ, the weight decay. */
  weightDecay: number;
  /** Nesterov's variant. */
  nesterov: boolean;
  /** True at the momentum buffer's first use (b ← g). */
  firstStep: boolean;
}

/** Hyper-parameters of one Adam update (lib/optim/adam.ts), with the bias corrections of step t. */
export interface AdamUpdate {
  /** β₁ */
  beta1: number;
  /** β₂ */
  beta2: number;
  /** ε */
  eps: number;
  /** λ */
  weightDecay: number;
  /** η / (1 − β₁ᵗ) */
  stepSize: number;
  /** √(1 − β₂ᵗ) */
  biasCorrection2Sqrt: number;
}

/**
 * The kernels several layers share: matrix products, row and channel sums, im2col / col2im,
 * direct convolution (forward and weight gradient), and two scans. The readable versions are in reference.ts.
 */
export interface Kernels {
  /** C[M,N] (+)= A[M,K]·B[K,N], then C[i,:] += bias for every row when a bias row [N] is given. */
  matmul(A: Float64Array, B: Float64Array, C: Float64Array, M: number, K: number, N: number,
    accumulate: boolean, bias: Float64Array | null): void;
  /** C[M,N] (+)= A[M,K]·B[N,K]ᵀ. */
  matmulTransB(A: Float64Array, B: Float64Array, C: Float64Array, M: number, K: number, N: number, accumulate: boolean): void;
  /** C[M,N] (+)= A[K,M]ᵀ·B[K,N]. */
  matmulTransA(A: Float64Array, B: Float64Array, C: Float64Array, M: number, K: number, N: number, accumulate: boolean): void;
  /** out[N] (+)= Σᵢ G[i,:] for G [M,N]. */
  sumRows(G: Float64Array, out: Float64Array, M: number, N: number, accumulate: boolean): void;
  /** C[i,:] += b for every row of C [M,N]. */
  addRowVector(C: Float64Array, b: Float64Array, M: number, N: number): void;
  /** a[i] = 0 for every entry. */
  fillZeros(a: Float64Array): void;
  /** target[i] = source[i] for every entry of source (target at least as long; the two do not overlap). */
  copyValues(source: Float64Array, target: Float64Array): void;
  /** The index of the first NaN or ±Infinity in a, or −1. */
  firstNonFinite(a: Float64Array): number;
  /** Unrolls the windows of one image (C·H·W values from `imageOffset`) into cols [C·kH·kW, OH·OW]. */
  im2col(image: Float64Array, imageOffset: number, g: WindowGeometry, cols: Float64Array): void;
  /** The adjoint of im2col: ADDS each entry of cols back to the image entry it came from. */
  col2im(cols: Float64Array, g: WindowGeometry, image: Float64Array, imageOffset: number): void;
  /** Y[n,f,:] += b[f] for Y [N,F,P]. */
  addChannelBias(output: Float64Array, bias: Float64Array, N: number, F: number, P: number): void;
  /** out[f] (+)= Σₙ Σₚ G[n,f,p] for G [N,F,P]. */
  sumChannels(grad: Float64Array, out: Float64Array, N: number, F: number, P: number, accumulate: boolean): void;
  /**
   * Direct convolution of a batch X [N,C,H,W] with W [F,C,kH,kW] into Y [N,F,OH,OW] (no bias):
   * Y[n,f,oh,ow] = Σ_c Σ_i Σ_j W[f,c,i,j]·X[n,c,oh·sH−pH+i,ow·sW−pW+j], each entry summed from 0 in
   * the order of k = (c·kH + i)·kW + j, as W·im2col(X[n]) sums it.
   */
  conv2dForward(input: Float64Array, weight: Float64Array, output: Float64Array, N: number, F: number, g: WindowGeometry): void;
  /**
   * ∂L/∂W[f,c,i,j] += Σ_oh Σ_ow G[n,f,oh,ow]·X[n,c,oh·sH−pH+i,ow·sW−pW+j] for n = 0, …, N−1 in turn,
   * each sample's sum taken over the positions in order from 0, as Gₙ·im2col(X[n])ᵀ sums it.
   */
  conv2dWeightGrad(input: Float64Array, gradOut: Float64Array, gradWeight: Float64Array, N: number, F: number, g: WindowGeometry): void;
}

/**
 * Loops that belong to one layer or optimizer. Each is written in TypeScript in that layer's
 * own file, under its formula (ReLU's in relu.ts, Adam's in adam.ts, …); a backend may provide
 * a faster twin under the same name, with the same signature and the same bits, which the
 * layer's call `runLoop('reluForward', reluForward, …)` then runs instead (lib/tensor/loops.ts).
 */
export interface LayerLoops {
  /** ReLU forward: y = x·1[x > 0] + 0, n entries. */
  reluForward(x: Float64Array, y: Float64Array, n: number): void;
  /** ReLU backward: dx = g·1[x > 0] + 0. */
  reluBackward(x: Float64Array, g: Float64Array, dx: Float64Array, n: number): void;
  /** LeakyReLU forward: y = x if x > 0, else slope·x. */
  leakyReluForward(x: Float64Array, y: Float64Array, n: number, slope: number): void;
  /** LeakyReLU backward: dx = g if x > 0, else slope·g. */
  leakyReluBackward(x: Float64Array, g: Float64Array, dx: Float64Array, n: number, slope: number): void;
  /** Tanh backward from the output y: dx = g·(1 − y²). */
  tanhBackward(y: Float64Array, g: Float64Array, dx: Float64Array, n: number): void;
  /** Sigmoid backward from the output y: dx = g·(1 − y)·y. */
  sigmoidBackward(y: Float64Array, g: Float64Array, dx: Float64Array, n: number): void;
  /** Max pooling of N images: each output the first maximum of its window; argmax its flat input index. */
  maxPoolForward(input: Float64Array, g: WindowGeometry, N: number, output: Float64Array, argmax: Int32Array): void;
  /** Max pooling backward: gradInput[argmax[o]] += gradOut[o] for every output o. */
  maxPoolBackward(gradOut: Float64Array, argmax: Int32Array, gradInput: Float64Array): void;
  /** Average pooling of N images (padding counted as zeros). */
  avgPoolForward(input: Float64Array, g: WindowGeometry, N: number, output: Float64Array): void;
  /** Average pooling backward: gradInput[window] += gradOut / (kH·kW). */
  avgPoolBackward(gradOut: Float64Array, g: WindowGeometry, N: number, gradInput: Float64Array): void;
  /** One SGD step over n weights (buffer null without momentum). */
  sgdUpdate(w: Float64Array, grad: Float64Array, buffer: Float64Array | null, n: number, h: SgdUpdate): void;
  /** One Adam step over n weights with moment estimates m and v. */
  adamUpdate(w: Float64Array, grad: Float64Array, m: Float64Array, v: Float64Array, n: number, h: AdamUpdate): void;
}

/** A position of a backend's step memory, to release everything allocated after it. */
export interface StepMark {
  /** Opaque to callers. */
  readonly position: unknown;
}

/**
 * Memory a backend offers to tensors so that its kernels read them in place (WebAssembly's
 * linear memory). Every request may be refused (null): the budget is spent, or the memory cannot
 * grow; the tensor is then an ordinary array, which the kernels copy in and out. lib/tensor/memory.ts
 * is the only user.
 */
export interface TensorStore {
  /**
   * n doubles that stay valid until `endStep` releases the step they were made in: zeros, or with
   * `zeroed` false as the memory holds them (for tensor.ts `tensorToOverwrite`, whose maker writes
   * every entry before anything reads it).
   */
  stepValues(n: number, zeroed: boolean): Float64Array | null;
  /** The current position of the step memory. */
  markStep(): StepMark;
  /** Releases every step array made after `mark`; with `poison`, fills their bytes with NaN first. */
  releaseStep(mark: StepMark, poison: boolean): void;
  /** n zero doubles that stay valid as long as the array is reachable (parameters, buffers, state). */
  keptValues(n: number): Float64Array | null;
  /** n zero 32-bit integers, kept as `keptValues`. */
  keptIndices(n: number): Int32Array | null;
  /** True when the array lives in this store (a kernel then reads it in place). */
  holds(values: Float64Array | Int32Array): boolean;
  /** The most bytes the store may take; requests past it are refused. */
  budgetBytes: number;
  /** Bytes the store takes now (its memory's used region). */
  readonly bytesUsed: number;
}

/** One backend: its shared kernels, the twins it has of layers' loops, and its tensor memory. */
export interface Backend {
  /** 'js' or 'wasm'. */
  readonly name: BackendName;
  /** The shared kernels. */
  readonly kernels: Kernels;
  /** Faster twins of layers' loops, by name (the 'js' backend has none: the layers' own loops run). */
  readonly loops: Partial<LayerLoops>;
  /** Where tensors may live for the kernels to read them in place, or null (ordinary arrays only). */
  readonly store: TensorStore | null;
}
