import { MinidlError } from '../errors';
import { WasmKernels, loadWasmKernels, loadWasmKernelsAsync, wasmKernelsUnavailableReason } from './wasm/wasm-kernels';
import { WasmScratch } from './wasm/wasm-scratch';

/**
 * Which implementation of the kernels runs: the backend.
 *
 *   'js'    the TypeScript loops of kernels.ts and image-kernels.ts — the ones to read
 *   'wasm'  the WebAssembly SIMD kernels of lib/tensor/wasm — the same arithmetic in the same
 *           order, bit-identical results, four to six times faster on large products
 *
 * Layers never choose: they call the kernels of kernels.ts and image-kernels.ts, and each of
 * those asks `wasmBackend()` whether to run its own loop or the WebAssembly one.
 *
 * The default is 'wasm' wherever the engine has WebAssembly SIMD. In Node.js the module is
 * compiled synchronously the first time a kernel runs. In a browser, whose main thread may
 * refuse to compile synchronously, call `loadWasmBackendAsync()` early: until it resolves,
 * the kernels that run are the TypeScript ones. Where WebAssembly SIMD is missing, the
 * backend is 'js' and `setBackend('wasm')` throws an error that says why.
 *
 * Switching is allowed at any time, even between two training steps: the tensors live in
 * ordinary Float64Arrays and each WebAssembly call copies its operands into the module's
 * memory and its result back, so nothing depends on the backend that computed it.
 */
export type BackendName = 'js' | 'wasm';

/** The instance the 'wasm' backend uses, null when it cannot load, undefined before the first attempt. */
let instance: WasmKernels | null | undefined;
/** The backend the program asked for, or null for the default (wasm where it loads). */
let requested: BackendName | null = null;
/** The scratch area of the instance, made with it. */
let scratch: WasmScratch | null = null;
/** What the kernels ask on every call: the scratch area (with the kernels) when the backend is 'wasm', else null. */
let active: WasmScratch | null = null;
/** In a browser, the default stays 'js' until loadWasmBackendAsync has finished. */
let defaultDeferred = false;
/** True once the active backend has been decided (no more lazy loading on each call). */
let settled = false;

function useInstance(loaded: WasmKernels | null): void {
  instance = loaded;
  scratch = loaded === null ? null : new WasmScratch(loaded);
}

function settle(): void {
  if (requested === 'js') active = null;
  else if (requested === 'wasm') active = scratch;
  else if (defaultDeferred && instance === undefined) active = null; // waiting for the asynchronous load
  else {
    if (instance === undefined) useInstance(loadWasmKernels());
    active = scratch;
  }
  settled = requested !== null || !defaultDeferred || instance !== undefined;
}

/**
 * The WebAssembly kernels, with their scratch area, when the backend is 'wasm'; null when it
 * is 'js'. Called by every kernel; the first call under the default backend loads the module
 * (synchronously).
 */
export function wasmBackend(): WasmScratch | null {
  if (!settled) settle();
  return active;
}

/** The backend the kernels use now: 'wasm' or 'js'. */
export function getBackend(): BackendName {
  return wasmBackend() === null ? 'js' : 'wasm';
}

/**
 * Selects the kernels' implementation for every later call: 'js' (the TypeScript loops) or
 * 'wasm' (WebAssembly SIMD; loaded synchronously if it is not yet). Results do not depend on
 * the choice, except the last bit of Tanh and Sigmoid where those run in WebAssembly.
 * Throws a MinidlError, and keeps the current backend, when 'wasm' cannot load here.
 */
export function setBackend(name: BackendName): void {
  if (name !== 'js' && name !== 'wasm') {
    throw new MinidlError(`setBackend: the backend must be 'js' or 'wasm', got ${JSON.stringify(name)}`);
  }
  if (name === 'wasm') {
    if (instance === undefined) useInstance(loadWasmKernels());
    if (instance === null) {
      throw new MinidlError(`setBackend: the 'wasm' backend is not available: ${wasmKernelsUnavailableReason() ?? 'the module did not load'}`);
    }
  }
  requested = name;
  settled = false;
}

/**
 * For browsers: compiles the WebAssembly kernels asynchronously and, once they are ready,
 * makes them the default backend (a backend chosen with `setBackend` stays chosen). The
 * TypeScript kernels run until then. Resolves to the backend in use afterwards; never rejects
 * (without WebAssembly SIMD the backend stays 'js').
 */
export async function loadWasmBackendAsync(): Promise<BackendName> {
  if (instance === undefined || instance === null) {
    defaultDeferred = true;
    settled = false;
    const loaded = await loadWasmKernelsAsync();
    if (instance === undefined || instance === null) useInstance(loaded); // a refused synchronous load may have come first
    settled = false;
  }
  return getBackend();
}

/**
 * Why the 'wasm' backend is not in use, or null when it is: the backend 'js' was selected, or
 * the engine lacks WebAssembly SIMD (and what it lacks).
 */
export function backendReason(): string | null {
  if (getBackend() === 'wasm') return null;
  if (requested === 'js') return "the 'js' backend was selected";
  if (instance === undefined) return 'the WebAssembly kernels are still loading';
  return wasmKernelsUnavailableReason() ?? 'the WebAssembly kernels did not load';
}
