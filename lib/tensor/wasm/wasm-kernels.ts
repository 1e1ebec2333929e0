import type { WindowGeometry } from '../backend/interface';
import { KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64 } from './kernels-wasm-bytes';
import { GrowableMemory, WasmMemory, isShared } from './wasm-memory';

/**
 * Loads the WebAssembly SIMD kernels (compiled from ./assembly by `npm run build:kernels`) and
 * wraps them in typed methods.
 *
 * The kernels work on float64 arrays that live in the module's own memory: allocate them with
 * `kernels.memory` (a WasmMemory), fill them through `kernels.memory.view()`, and pass their
 * byte offsets. Sizes are element counts. The wrappers do not check their arguments (a kernel
 * trusts its caller as the TypeScript kernels do): an offset outside the memory makes the
 * WebAssembly code trap with a RuntimeError, overlapping arrays give meaningless results.
 *
 * Products, sumRows, addRowVector, ReLU, LeakyReLU, the backward passes of Tanh and Sigmoid,
 * im2col, col2im, the channel bias and its gradient, direct convolution (forward and weight
 * gradient), max and average pooling, and both optimizer
 * steps give results bit-identical to lib/tensor/backend/reference.ts, the layer files and
 * lib/optim (same operations in the same order; WebAssembly never fuses a multiply and an add).
 * Only the forward passes of Tanh and Sigmoid may differ in the last bit, as they use
 * AssemblyScript's tanh and exp instead of the JavaScript engine's.
 *
 * ```
 * const kernels = loadWasmKernels();               // null without WebAssembly SIMD
 * if (kernels !== null) {
 *   const mem = kernels.memory;
 *   const a = mem.allocateFrom(aValues), b = mem.allocateFrom(bValues), c = mem.allocate(M * N);
 *   kernels.matmul(a, b, c, M, K, N);              // C = A·B
 *   const result = mem.read(c, M * N);
 * }
 * ```
 */

/** The exports of the compiled module, as they are called from JavaScript (booleans may be passed as 0/1). */
export interface WasmKernelExports {
  /** The module's memory, where every array lives. */
  readonly memory: GrowableMemory;
  /** The first byte after the module's static data. */
  heapBase(): number;
  /** C (+)= A·B (+ bias row) (then ReLU); bias is an offset or 0. */
  matmul(a: number, b: number, c: number, M: number, K: number, N: number, accumulate: boolean, bias: number, relu: boolean): void;
  /** C (+)= A·Bᵀ (+ bias row) (then ReLU); bias is an offset or 0. */
  matmulTransB(a: number, b: number, c: number, M: number, K: number, N: number, accumulate: boolean, bias: number, relu: boolean): void;
  /** T[K,N] = B[N,K]ᵀ (matmulTransB's B, for the matmul kernel: wasm-scratch.ts). */
  transpose(b: number, t: number, N: number, K: number): void;
  /** C (+)= Aᵀ·B (+ bias row) (then ReLU); bias is an offset or 0. */
  matmulTransA(a: number, b: number, c: number, M: number, K: number, N: number, accumulate: boolean, bias: number, relu: boolean): void;
  /** Rows rowStart … rowEnd−1 of matmulTransA's C (one thread's share of a split product). */
  matmulTransARows(a: number, b: number, c: number, M: number, K: number, N: number, accumulate: boolean, bias: number, relu: boolean,
    rowStart: number, rowEnd: number): void;
  /** out (+)= Σᵢ G[i, :]. */
  sumRows(g: number, out: number, M: number, N: number, accumulate: boolean): void;
  /** C[i, :] += b. */
  addRowVector(c: number, b: number, M: number, N: number): void;
  /** x[i] = 0 for n doubles. */
  fillZeros(x: number, n: number): void;
  /** target[i] = source[i] for n doubles (bulk copy; no overlap). */
  copyValues(source: number, target: number, n: number): void;
  /** Index of the first of n doubles that is NaN or ±Infinity, or −1. */
  firstNonFinite(x: number, n: number): number;
  /** y = x·1[x > 0] + 0. */
  reluForward(x: number, y: number, n: number): void;
  /** dx = g·1[x > 0] + 0. */
  reluBackward(x: number, g: number, dx: number, n: number): void;
  /** y = x > 0 ? x : slope·x. */
  leakyReluForward(x: number, y: number, n: number, slope: number): void;
  /** dx = x > 0 ? g : slope·g. */
  leakyReluBackward(x: number, g: number, dx: number, n: number, slope: number): void;
  /** y = tanh(x). */
  tanhForward(x: number, y: number, n: number): void;
  /** dx = g·(1 − y²). */
  tanhBackward(y: number, g: number, dx: number, n: number): void;
  /** y = 1 / (1 + e⁻ˣ). */
  sigmoidForward(x: number, y: number, n: number): void;
  /** dx = g·(1 − y)·y. */
  sigmoidBackward(y: number, g: number, dx: number, n: number): void;
  /** im2col of the image at byte offset `image` into cols; the geometry as eleven sizes (C, H, W, kH, kW, sH, sW, pH, pW, OH, OW). */
  im2col(image: number, cols: number, C: number, H: number, W: number, kH: number, kW: number,
    sH: number, sW: number, pH: number, pW: number, OH: number, OW: number): void;
  /** col2im of cols, accumulated into the image at byte offset `image`; the geometry as for im2col. */
  col2im(cols: number, image: number, C: number, H: number, W: number, kH: number, kW: number,
    sH: number, sW: number, pH: number, pW: number, OH: number, OW: number): void;
  /** Y[n, f, :] += b[f] for Y [N, F, P]. */
  addChannelBias(output: number, bias: number, N: number, F: number, P: number): void;
  /** out[f] (+)= Σₙ Σₚ G[n, f, p] for G [N, F, P]. */
  sumChannels(grad: number, out: number, N: number, F: number, P: number, accumulate: boolean): void;
  /** Direct convolution Y = W ⋆ X of a batch (no bias); scratch: K·F4 doubles; the geometry as for im2col after N and F. */
  conv2dForward(x: number, w: number, y: number, scratch: number, N: number, F: number, C: number, H: number, W: number,
    kH: number, kW: number, sH: number, sW: number, pH: number, pW: number, OH: number, OW: number): void;
  /** T [M, F4] = A [F, M] with the filters as the last axis (the forward pass's Wᵀ, copied once before a split). */
  filtersLast(a: number, t: number, F: number, M: number, F4: number): void;
  /** T [M, F4, 2] = A [F, M] filters last, each value twice (the forward pass's paired Wᵀ, after Wᵀ in its scratch). */
  filtersLastPaired(a: number, t: number, F: number, M: number, F4: number): void;
  /** Samples n0 … n1−1 of conv2dForward, with Wᵀ [K, F4] already in `wt` (one thread's share of a split batch). */
  conv2dForwardSamples(x: number, wt: number, y: number, n0: number, n1: number, F: number, C: number, H: number, W: number,
    kH: number, kW: number, sH: number, sW: number, pH: number, pW: number, OH: number, OW: number): void;
  /** Filters f0 … f1−1 of conv2dWeightGrad (one thread's share); scratch: P·F4' doubles, F4' = f1 − f0 rounded up to 4. */
  conv2dWeightGradFilters(x: number, g: number, dw: number, scratch: number, N: number, F: number, f0: number, f1: number,
    C: number, H: number, W: number, kH: number, kW: number, sH: number, sW: number, pH: number, pW: number, OH: number, OW: number): void;
  /** ∂L/∂W += the weight gradient of a direct convolution, sample by sample; scratch: P·F4 doubles; the geometry as for im2col. */
  conv2dWeightGrad(x: number, g: number, dw: number, scratch: number, N: number, F: number, C: number, H: number, W: number,
    kH: number, kW: number, sH: number, sW: number, pH: number, pW: number, OH: number, OW: number): void;
  /** Max pooling of `planes` = N·C planes; argmax (i32 entries) receives the input index of each maximum. */
  maxPoolForward(input: number, output: number, argmax: number, planes: number, H: number, W: number, kH: number, kW: number,
    sH: number, sW: number, pH: number, pW: number, OH: number, OW: number): void;
  /** Planes plane0 … plane1−1 of maxPoolForward (one thread's share of a split batch; pointers are the whole batch's). */
  maxPoolForwardPlanes(input: number, output: number, argmax: number, plane0: number, plane1: number, H: number, W: number,
    kH: number, kW: number, sH: number, sW: number, pH: number, pW: number, OH: number, OW: number): void;
  /** ∂L/∂X[argmax[o]] += G[o] for n outputs. */
  maxPoolBackward(gradOut: number, argmax: number, gradInput: number, n: number): void;
  /** Average pooling of `planes` = N·C planes (padding counted as zeros). */
  avgPoolForward(input: number, output: number, planes: number, H: number, W: number, kH: number, kW: number,
    sH: number, sW: number, pH: number, pW: number, OH: number, OW: number): void;
  /** ∂L/∂X[window] += G[o] / (kH·kW) over `planes` = N·C planes. */
  avgPoolBackward(gradOut: number, gradInput: number, planes: number, H: number, W: number, kH: number, kW: number,
    sH: number, sW: number, pH: number, pW: number, OH: number, OW: number): void;
  /** One SGD step over n parameters; buffer is an offset or 0 (no momentum). */
  sgdStep(w: number, grad: number, buffer: number, n: number, lr: number, momentum: number, dampening: number,
    weightDecay: number, nesterov: boolean, firstStep: boolean): void;
  /** One Adam step over n parameters, with stepSize = η/(1 − β₁ᵗ) and biasCorrection2Sqrt = √(1 − β₂ᵗ). */
  adamStep(w: number, grad: number, m: number, v: number, n: number, beta1: number, beta2: number, eps: number,
    weightDecay: number, stepSize: number, biasCorrection2Sqrt: number): void;
}

/** An instance of a WebAssembly module. */
export interface WasmInstanceLike {
  /** The instance's exported functions and memory. */
  readonly exports: object;
}

/** `WebAssembly.Module`: synchronous compilation. */
export interface WasmModuleConstructor {
  /** Compiles the bytes (Node; browsers refuse large modules on the main thread). */
  new (bytes: Uint8Array): object;
}

/** What `WebAssembly.Memory` is given: sizes in pages of 64 KiB. */
export interface WasmMemoryDescriptor {
  /** Pages at the start. */
  initial: number;
  /** The most pages it may grow to (required for a shared memory). */
  maximum: number;
  /** True for a shared memory, whose buffer is a SharedArrayBuffer. */
  shared: boolean;
}

/** `WebAssembly.Memory`: a memory made in JavaScript, to be imported by a module. */
export interface WasmMemoryConstructor {
  /** Makes a memory; throws where the engine refuses shared memory. */
  new (descriptor: WasmMemoryDescriptor): GrowableMemory;
}

/** `WebAssembly.Instance`: synchronous instantiation. */
export interface WasmInstanceConstructor {
  /** Instantiates a compiled module with the given imports. */
  new (module: object, imports: object): WasmInstanceLike;
}

/** The part of the `WebAssembly` global the loader uses (declared here: the library is compiled without the DOM types). */
export interface WebAssemblyApi {
  /** True when the bytes are a module this engine can compile. */
  validate(bytes: Uint8Array): boolean;
  /** Compiles synchronously. */
  readonly Module: WasmModuleConstructor;
  /** Instantiates a compiled module synchronously. */
  readonly Instance: WasmInstanceConstructor;
  /** Compiles asynchronously. */
  compile(bytes: Uint8Array): Promise<object>;
  /** Instantiates a compiled module asynchronously. */
  instantiate(module: object, imports: object): Promise<WasmInstanceLike>;
  /** Makes a memory (the shared build imports its memory; without this constructor only the plain build loads). */
  readonly Memory?: WasmMemoryConstructor;
}

/** Where the loader looks for `WebAssembly`: `globalThis` unless a test passes a stand-in. */
export interface WasmEnvironment {
  /** The WebAssembly API, if the engine has one. */
  WebAssembly?: WebAssemblyApi;
}

/**
 * The smallest module using a 128-bit vector: `(func (result v128) (v128.const i64x2 0 0))`.
 * An engine without WebAssembly SIMD refuses it.
 */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, //          \0asm, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, //                types: () → v128
  0x03, 0x02, 0x01, 0x00, //                                  one function of type 0
  0x0a, 0x16, 0x01, 0x14, 0x00, 0xfd, 0x0c, //                code: no locals, v128.const
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b, //    16 zero bytes, end
]);

function environment(env: WasmEnvironment | undefined): WasmEnvironment {
  return env ?? (globalThis as unknown as WasmEnvironment);
}

/**
 * Why the WebAssembly kernels cannot run here, or null when they can: the engine has no
 * WebAssembly at all, or its WebAssembly lacks SIMD (128-bit vectors).
 */
export function wasmSimdUnavailableReason(env?: WasmEnvironment): string | null {
  const wasm = environment(env).WebAssembly;
  if (wasm === undefined || typeof wasm.validate !== 'function') return 'this JavaScript engine has no WebAssembly';
  let simd = false;
  try {
    simd = wasm.validate(SIMD_PROBE);
  } catch {
    simd = false;
  }
  return simd ? null : "this JavaScript engine's WebAssembly has no SIMD (128-bit vectors)";
}

/** Decodes standard base64 (A–Z a–z 0–9 + /, padded with =) without relying on Buffer or atob. */
export function decodeBase64(text: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const value = new Int16Array(128).fill(-1);
  for (let i = 0; i < alphabet.length; i++) value[alphabet.charCodeAt(i)] = i;
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0, count = 0, o = 0;
  for (let i = 0; i < clean.length; i++) {
    const code = clean.charCodeAt(i);
    const v = code < 128 ? value[code] : -1;
    if (v < 0) throw new Error(`decodeBase64: invalid character ${JSON.stringify(clean[i])} at ${i}`);
    bits = (bits << 6) | v;
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[o++] = (bits >> count) & 0xff;
    }
  }
  return out;
}

/**
 * The two builds of the kernel module (demos/build-kernels.ts): 'shared' has a shared
 * memory, which growing never empties a view of, so tensors can live in it; 'plain' has an
 * ordinary memory, for engines that refuse shared memory (a browser page that is not
 * cross-origin isolated), where every call copies its operands in and its result out.
 */
export type WasmKernelBuild = 'shared' | 'plain';

const decodedBytes: Partial<Record<WasmKernelBuild, Uint8Array>> = {};

/** The bytes of one build of the compiled kernel module (decoded once from kernels-wasm-bytes.ts). */
export function wasmKernelBytes(build: WasmKernelBuild = 'plain'): Uint8Array {
  return (decodedBytes[build] ??= decodeBase64(build === 'shared' ? KERNELS_SHARED_WASM_BASE64 : KERNELS_WASM_BASE64));
}

const compiled: Partial<Record<WasmKernelBuild, object>> = {};
let lastFailure: string | null = null;

/** Options of the loaders. */
export interface WasmLoadOptions {
  /** Which builds to try, in order (default: 'shared', then 'plain' if the engine refuses it). */
  builds?: readonly WasmKernelBuild[];
}

const DEFAULT_BUILDS: readonly WasmKernelBuild[] = ['shared', 'plain'];

/** The largest shared memory, in pages of 64 KiB (4 GiB, the most a 32-bit module can address). */
export const SHARED_MEMORY_MAXIMUM_PAGES = 65536;

/**
 * The imports of one build: the shared build imports its memory (`env.memory`), which the loader
 * makes here, one page to start with, so that a second instance can later run on the same memory
 * (wasm-threads.ts); the plain build makes its own memory and imports nothing.
 */
function importsFor(build: WasmKernelBuild, wasm: WebAssemblyApi): object {
  if (build === 'plain') return {};
  if (wasm.Memory === undefined) throw new Error('this engine has no WebAssembly.Memory constructor');
  return { env: { memory: new wasm.Memory({ initial: 1, maximum: SHARED_MEMORY_MAXIMUM_PAGES, shared: true }) } };
}

function failureMessage(err: unknown): string {
  return `the kernel module did not compile: ${err instanceof Error ? err.message : String(err)}`;
}

/**
 * Why the last `loadWasmKernels` / `loadWasmKernelsAsync` returned null (no WebAssembly, no
 * SIMD, or the module failed to compile), or null if it did not.
 */
export function wasmKernelsUnavailableReason(): string | null {
  return lastFailure;
}

/**
 * Compiles (once per process) and instantiates the kernels, synchronously: for Node.js and
 * workers. Each call makes a new instance with its own memory: the shared-memory build where
 * the engine allows it, else the plain one (`options.builds` changes the order). Returns null,
 * without throwing, when the engine has no WebAssembly SIMD or refuses to compile (a browser's
 * main thread refuses synchronous compilation of large modules: use `loadWasmKernelsAsync`
 * there); `wasmKernelsUnavailableReason()` then says why.
 */
export function loadWasmKernels(env?: WasmEnvironment, options: WasmLoadOptions = {}): WasmKernels | null {
  const reason = wasmSimdUnavailableReason(env);
  lastFailure = reason;
  if (reason !== null) return null;
  const wasm = environment(env).WebAssembly as WebAssemblyApi;
  for (const build of options.builds ?? DEFAULT_BUILDS) {
    try {
      const bytes = wasmKernelBytes(build);
      const module = env === undefined ? (compiled[build] ??= new wasm.Module(bytes)) : new wasm.Module(bytes);
      const kernels = new WasmKernels(new wasm.Instance(module, importsFor(build, wasm)).exports as WasmKernelExports, module);
      lastFailure = null;
      return kernels;
    } catch (err) {
      lastFailure = failureMessage(err);
    }
  }
  return null;
}

/**
 * Like `loadWasmKernels`, but compiles and instantiates asynchronously, which browsers allow
 * for modules of any size. Resolves to null, never rejects, when the kernels are unavailable.
 */
export async function loadWasmKernelsAsync(env?: WasmEnvironment, options: WasmLoadOptions = {}): Promise<WasmKernels | null> {
  const reason = wasmSimdUnavailableReason(env);
  lastFailure = reason;
  if (reason !== null) return null;
  const wasm = environment(env).WebAssembly as WebAssemblyApi;
  for (const build of options.builds ?? DEFAULT_BUILDS) {
    try {
      const bytes = wasmKernelBytes(build);
      const module = env === undefined ? (compiled[build] ??= await wasm.compile(bytes)) : await wasm.compile(bytes);
      const instance = await wasm.instantiate(module, importsFor(build, wasm));
      const kernels = new WasmKernels(instance.exports as WasmKernelExports, module);
      lastFailure = null;
      return kernels;
    } catch (err) {
      lastFailure = failureMessage(err);
    }
  }
  return null;
}

/**
 * The doubles of scratch space the forward convolution kernel needs for F filters: the weights
 * with the filters as the last axis, Wᵀ [K, F4], then the same values twice each, [K, F4, 2]
 * (F4 being F rounded up to a multiple of 4; convolution.ts).
 */
export function convForwardScratchDoubles(F: number, g: WindowGeometry): number {
  const F4 = (F + 3) & ~3;
  return 3 * F4 * g.channels * g.kernelH * g.kernelW;
}

/**
 * The doubles of scratch space the weight-gradient kernel needs for F filters: one sample's
 * gradient Gₙᵀ [OH·OW, F4], or for two samples at once (no padding) their images as pairs,
 * [C·H·W, 2], then, from the next 64-byte line, their gradients as pairs [F4/4, OH·OW, 4, 2]
 * (F4 being F rounded up to a multiple of 4; convolution.ts).
 */
export function convWeightGradScratchDoubles(F: number, g: WindowGeometry): number {
  const F4 = (F + 3) & ~3, P = g.outH * g.outW;
  return Math.max(F4 * P, 2 * g.channels * g.height * g.width + 8 + 2 * P * F4);
}

/**
 * One instance of the kernels, with the allocator of its memory. Every array argument is a
 * byte offset returned by `memory.allocate` (or any 8-byte-aligned offset inside a block);
 * sizes count doubles. Matrices are row-major. Outputs may not overlap inputs, except in the
 * element-wise kernels and optimizer steps, where an output may be its own input.
 */
export class WasmKernels {
  /** The raw exports of the module (same kernels without default arguments, for the lowest call overhead). */
  readonly exports: WasmKernelExports;
  /** The allocator of the module's memory. */
  readonly memory: WasmMemory;
  /**
   * True for the shared-memory build: growing the memory leaves every Float64Array made on it
   * valid, so tensors may keep their values there (see lib/tensor/memory.ts).
   */
  readonly sharedMemory: boolean;
  /**
   * The compiled module (a `WebAssembly.Module`) the instance was made from, or null: a second
   * thread instantiates it again on the same shared memory (wasm-threads.ts).
   */
  readonly module: object | null;

  /** Wraps an instance's exports; use `loadWasmKernels()` or `loadWasmKernelsAsync()` to make one. */
  constructor(exports: WasmKernelExports, module: object | null = null) {
    this.exports = exports;
    this.module = module;
    this.memory = new WasmMemory(exports.memory, exports.heapBase());
    this.sharedMemory = isShared(exports.memory.buffer);
  }

  /**
   * C[M,N] (+)= A[M,K] · B[K,N], then + bias (a row of N entries, added to every row; offset
   * or 0 for none), then ReLU if `relu`. In that order: ((C +) A·B + bias) then ReLU, so
   * `matmul(x, w, y, M, K, N, false, b, true)` is Linear + ReLU's forward pass in one sweep.
   */
  matmul(a: number, b: number, c: number, M: number, K: number, N: number, accumulate = false, bias = 0, relu = false): void {
    this.exports.matmul(a, b, c, M, K, N, accumulate, bias, relu);
  }

  /** C[M,N] (+)= A[M,K] · B[N,K]ᵀ, then + bias, then ReLU (as `matmul`). Linear backward: ∂L/∂X = G·Wᵀ. */
  matmulTransB(a: number, b: number, c: number, M: number, K: number, N: number, accumulate = false, bias = 0, relu = false): void {
    this.exports.matmulTransB(a, b, c, M, K, N, accumulate, bias, relu);
  }

  /** C[M,N] (+)= A[K,M]ᵀ · B[K,N], then + bias, then ReLU (as `matmul`). Linear backward: ∂L/∂W += Xᵀ·G. */
  matmulTransA(a: number, b: number, c: number, M: number, K: number, N: number, accumulate = false, bias = 0, relu = false): void {
    this.exports.matmulTransA(a, b, c, M, K, N, accumulate, bias, relu);
  }

  /** out[N] (+)= Σᵢ G[i, :] for G [M,N] (a bias gradient). */
  sumRows(g: number, out: number, M: number, N: number, accumulate = false): void {
    this.exports.sumRows(g, out, M, N, accumulate);
  }

  /** C[i, :] += b for every row of C [M,N]. */
  addRowVector(c: number, b: number, M: number, N: number): void {
    this.exports.addRowVector(c, b, M, N);
  }

  /** y = max(0, x), computed as x·1[x > 0] + 0 (ReLU forward). */
  reluForward(x: number, y: number, n: number): void {
    this.exports.reluForward(x, y, n);
  }

  /** ∂L/∂x = g·1[x > 0] + 0, from the layer's input x (ReLU backward). */
  reluBackward(x: number, g: number, dx: number, n: number): void {
    this.exports.reluBackward(x, g, dx, n);
  }

  /** y = x if x > 0, else slope·x (LeakyReLU forward). */
  leakyReluForward(x: number, y: number, n: number, slope: number): void {
    this.exports.leakyReluForward(x, y, n, slope);
  }

  /** ∂L/∂x = g if x > 0, else slope·g, from the layer's input x (LeakyReLU backward). */
  leakyReluBackward(x: number, g: number, dx: number, n: number, slope: number): void {
    this.exports.leakyReluBackward(x, g, dx, n, slope);
  }

  /** y = tanh(x) (Tanh forward; may differ from Math.tanh in the last bit). */
  tanhForward(x: number, y: number, n: number): void {
    this.exports.tanhForward(x, y, n);
  }

  /** ∂L/∂x = g·(1 − y²), from the layer's output y (Tanh backward). */
  tanhBackward(y: number, g: number, dx: number, n: number): void {
    this.exports.tanhBackward(y, g, dx, n);
  }

  /** y = 1 / (1 + e⁻ˣ) (Sigmoid forward; may differ from the JavaScript formula in the last bit). */
  sigmoidForward(x: number, y: number, n: number): void {
    this.exports.sigmoidForward(x, y, n);
  }

  /** ∂L/∂x = g·(1 − y)·y, from the layer's output y (Sigmoid backward). */
  sigmoidBackward(y: number, g: number, dx: number, n: number): void {
    this.exports.sigmoidBackward(y, g, dx, n);
  }

  /**
   * im2col, as lib/tensor/backend/reference.ts: unrolls the windows of the image that starts
   * `imageOffset` doubles after byte offset `image` (sample n of a batch: n·C·H·W) into cols
   * [C·kH·kW, OH·OW]: cols[(c·kH + i)·kW + j, oh·OW + ow] = X[c, oh·sH − pH + i, ow·sW − pW + j],
   * 0 in the padding.
   */
  im2col(image: number, imageOffset: number, g: WindowGeometry, cols: number): void {
    this.exports.im2col(image + imageOffset * 8, cols, g.channels, g.height, g.width, g.kernelH, g.kernelW,
      g.strideH, g.strideW, g.padH, g.padW, g.outH, g.outW);
  }

  /**
   * col2im, as lib/tensor/backend/reference.ts: the adjoint of im2col, ADDING every entry of cols
   * to the image entry it came from (the image starts `imageOffset` doubles after byte offset
   * `image`); entries in the padding are dropped. The image is not cleared first.
   */
  col2im(cols: number, g: WindowGeometry, image: number, imageOffset: number): void {
    this.exports.col2im(cols, image + imageOffset * 8, g.channels, g.height, g.width, g.kernelH, g.kernelW,
      g.strideH, g.strideW, g.padH, g.padW, g.outH, g.outW);
  }

  /** Y[n, f, :] += b[f] for a batch Y [N, F, P] (P = OH·OW): a convolution's per-channel bias. */
  addChannelBias(output: number, bias: number, N: number, F: number, P: number): void {
    this.exports.addChannelBias(output, bias, N, F, P);
  }

  /** out[f] (+)= Σₙ Σₚ G[n, f, p] for G [N, F, P]: the per-channel bias gradient. */
  sumChannels(grad: number, out: number, N: number, F: number, P: number, accumulate = false): void {
    this.exports.sumChannels(grad, out, N, F, P, accumulate);
  }

  /**
   * Direct convolution, as conv2dForward of lib/tensor/backend/reference.ts: Y [N, F, OH, OW] at
   * `output` = Σ_c Σ_i Σ_j W[f, c, i, j]·X[n, c, oh·sH − pH + i, ow·sW − pW + j], for the batch
   * X [N, C, H, W] at `input` and the weight W [F, C, kH, kW] at `weight` (no bias). `scratch`
   * is room for `convForwardScratchDoubles(F, g)` doubles, which the kernel overwrites.
   */
  conv2dForward(input: number, weight: number, output: number, scratch: number, N: number, F: number, g: WindowGeometry): void {
    this.exports.conv2dForward(input, weight, output, scratch, N, F, g.channels, g.height, g.width, g.kernelH, g.kernelW,
      g.strideH, g.strideW, g.padH, g.padW, g.outH, g.outW);
  }

  /**
   * The weight gradient of a direct convolution, as conv2dWeightGrad of lib/tensor/backend/reference.ts:
   * for each sample n in turn, ∂L/∂W[f, c, i, j] += Σ_oh Σ_ow G[n, f, oh, ow]·X[n, c, oh·sH − pH + i, ow·sW − pW + j],
   * with X at `input`, G at `gradOut` and ∂L/∂W at `gradWeight` (not cleared first). `scratch` is
   * room for `convWeightGradScratchDoubles(F, g)` doubles, which the kernel overwrites.
   */
  conv2dWeightGrad(input: number, gradOut: number, gradWeight: number, scratch: number, N: number, F: number, g: WindowGeometry): void {
    this.exports.conv2dWeightGrad(input, gradOut, gradWeight, scratch, N, F, g.channels, g.height, g.width, g.kernelH, g.kernelW,
      g.strideH, g.strideW, g.padH, g.padW, g.outH, g.outW);
  }

  /**
   * Max pooling of N images [C, H, W] (at byte offset `input`) into `output` [N, C, OH, OW], as
   * lib/modules/pooling/max-pool2d.ts: each output is the maximum of its window (the first maximum
   * wins a tie, padding never wins), and `argmax` (an array of 32-bit integers, 4 bytes each)
   * receives the flat index in the batch of the entry that gave it.
   */
  maxPoolForward(input: number, g: WindowGeometry, N: number, output: number, argmax: number): void {
    this.exports.maxPoolForward(input, output, argmax, N * g.channels, g.height, g.width, g.kernelH, g.kernelW,
      g.strideH, g.strideW, g.padH, g.padW, g.outH, g.outW);
  }

  /** Backward of max pooling: ∂L/∂X[argmax[o]] += G[o] for the n outputs (∂L/∂X is not cleared first). */
  maxPoolBackward(gradOut: number, argmax: number, gradInput: number, n: number): void {
    this.exports.maxPoolBackward(gradOut, argmax, gradInput, n);
  }

  /** Average pooling of N images, as lib/modules/pooling/avg-pool2d.ts: Y = (sum of the window, padding as 0) / (kH·kW). */
  avgPoolForward(input: number, g: WindowGeometry, N: number, output: number): void {
    this.exports.avgPoolForward(input, output, N * g.channels, g.height, g.width, g.kernelH, g.kernelW,
      g.strideH, g.strideW, g.padH, g.padW, g.outH, g.outW);
  }

  /** Backward of average pooling: ∂L/∂X[window] += G / (kH·kW), the padding's share dropped (not cleared first). */
  avgPoolBackward(gradOut: number, g: WindowGeometry, N: number, gradInput: number): void {
    this.exports.avgPoolBackward(gradOut, gradInput, N * g.channels, g.height, g.width, g.kernelH, g.kernelW,
      g.strideH, g.strideW, g.padH, g.padW, g.outH, g.outW);
  }

  /**
   * One SGD step over the n parameters at `w` with gradients at `grad`, as lib/optim/sgd.ts:
   * g ← ∂L/∂w + λ·w; with momentum, b ← g at the first step, else b ← μ·b + (1 − τ)·g, then
   * g ← g + μ·b (Nesterov) or g ← b; w ← w − η·g. `buffer` is the momentum buffer's offset,
   * or 0 for plain SGD (μ = 0); `firstStep` is true at the buffer's first use.
   */
  sgdStep(w: number, grad: number, buffer: number, n: number, lr: number, momentum: number, dampening: number,
    weightDecay: number, nesterov: boolean, firstStep: boolean): void {
    this.exports.sgdStep(w, grad, buffer, n, lr, momentum, dampening, weightDecay, nesterov, firstStep);
  }

  /**
   * Adam's step number `step` (1, 2, …) over the n parameters at `w`, with gradients at `grad`
   * and moment estimates at `m` and `v`, as lib/optim/adam.ts. The bias corrections
   * 1 − β₁ᵗ and √(1 − β₂ᵗ) are computed here, with the same `**` and `Math.sqrt`.
   */
  adamStep(w: number, grad: number, m: number, v: number, n: number, lr: number, beta1: number, beta2: number,
    eps: number, weightDecay: number, step: number): void {
    const biasCorrection1 = 1 - beta1 ** step;
    const biasCorrection2 = 1 - beta2 ** step;
    const stepSize = lr / biasCorrection1;
    this.exports.adamStep(w, grad, m, v, n, beta1, beta2, eps, weightDecay, stepSize, Math.sqrt(biasCorrection2));
  }
}
