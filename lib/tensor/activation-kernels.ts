/**
 * Element-wise kernels of the activation layers, over n entries of row-major arrays.
 *
 * The layer files (lib/modules/activations) state the math and call these loops; like the
 * products of kernels.ts, each loop first asks `wasmBackend()` whether to hand the call to
 * the WebAssembly version (lib/tensor/wasm/assembly/elementwise.ts), which computes the same
 * operations in the same order, two entries per f64x2 vector: bit-identical results.
 *
 * The indicator 1[x > 0] is written `+(x > 0)` (true → 1, false → 0): a multiplication
 * instead of an if, which runs about twice as fast because the processor never mispredicts a
 * branch on the signs. The `+ 0` turns the −0 of a negative times 0 into 0.
 *
 * Tanh and Sigmoid keep their forward loops in their layer files: the WebAssembly `tanh` and
 * `exp` may differ from the JavaScript engine's in the last bit, and the two backends must
 * give the same bits.
 */
import { wasmBackend } from './backend';

/** ReLU forward: y = x · 1[x > 0] + 0. */
export function reluForward(x: Float64Array, y: Float64Array, n: number): void {
  const wasm = wasmBackend();
  if (wasm !== null) return wasm.map('reluForward', x, y, n, 0);
  for (let i = 0; i < n; i++) y[i] = x[i] * +(x[i] > 0) + 0;
}

/** ReLU backward, from the layer's input x: ∂L/∂x = g · 1[x > 0] + 0. */
export function reluBackward(x: Float64Array, g: Float64Array, dx: Float64Array, n: number): void {
  const wasm = wasmBackend();
  if (wasm !== null) return wasm.mapWithGrad('reluBackward', x, g, dx, n, 0);
  for (let i = 0; i < n; i++) dx[i] = g[i] * +(x[i] > 0) + 0;
}

/** LeakyReLU forward: y = x if x > 0, else slope · x. */
export function leakyReluForward(x: Float64Array, y: Float64Array, n: number, slope: number): void {
  const wasm = wasmBackend();
  if (wasm !== null) return wasm.map('leakyReluForward', x, y, n, slope);
  for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : x[i] * slope;
}

/** LeakyReLU backward, from the layer's input x: ∂L/∂x = g if x > 0, else slope · g. */
export function leakyReluBackward(x: Float64Array, g: Float64Array, dx: Float64Array, n: number, slope: number): void {
  const wasm = wasmBackend();
  if (wasm !== null) return wasm.mapWithGrad('leakyReluBackward', x, g, dx, n, slope);
  for (let i = 0; i < n; i++) dx[i] = x[i] > 0 ? g[i] : g[i] * slope;
}

/** Tanh backward, from the layer's output y: ∂L/∂x = g · (1 − y²). */
export function tanhBackward(y: Float64Array, g: Float64Array, dx: Float64Array, n: number): void {
  const wasm = wasmBackend();
  if (wasm !== null) return wasm.mapWithGrad('tanhBackward', y, g, dx, n, 0);
  for (let i = 0; i < n; i++) dx[i] = g[i] * (1 - y[i] * y[i]);
}

/** Sigmoid backward, from the layer's output y: ∂L/∂x = g · (1 − y) · y. */
export function sigmoidBackward(y: Float64Array, g: Float64Array, dx: Float64Array, n: number): void {
  const wasm = wasmBackend();
  if (wasm !== null) return wasm.mapWithGrad('sigmoidBackward', y, g, dx, n, 0);
  for (let i = 0; i < n; i++) dx[i] = g[i] * (1 - y[i]) * y[i];
}
