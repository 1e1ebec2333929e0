import { MinidlError } from '../errors';
import { WasmKernels, loadWasmKernels, loadWasmKernelsAsync, wasmKernelsUnavailableReason } from './wasm/wasm-kernels';
import { WasmScratch } from './wasm/wasm-scratch';
import { WasmTensorMemory } from './wasm/wasm-tensor-memory';

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
 * Where the module's memory is shared (Node.js; cross-origin-isolated browser pages), tensors
 * of a training step live in it and the kernels work on them in place (storage.ts); other
 * tensors are ordinary Float64Arrays, which a WebAssembly call copies into the module's
 * memory and back. Either way a tensor is a Float64Array that both backends can read, so
 * switching is allowed at any time, even between two training steps.
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
/** Where tensors live in the instance's memory, when it is shared (null for the plain build). */
let residentMemory: WasmTensorMemory | null = null;
/** `residentMemory` while the backend is 'wasm', else null. */
let activeTensorMemory: WasmTensorMemory | null = null;
/** In a browser, the default stays 'js' until loadWasmBackendAsync has finished. */
let defaultDeferred = false;
/** True once the active backend has been decided (no more lazy loading on each call). */
let settled = false;

function useInstance(loaded: WasmKernels | null): void {
  instance = loaded;
  scratch = loaded === null ? null : new WasmScratch(loaded);
  residentMemory = loaded !== null && loaded.sharedMemory ? new WasmTensorMemory(loaded) : null;
}

function settle(): void {
  if (requested === 'js') active = null;
  else if (requested === 'wasm') active = scratch;
  else if (defaultDeferred && instance === undefined) active = null; // waiting for the asynchronous load
  else {
    if (instance === undefined) useInstance(loadWasmKernels());
    active = scratch;
  }
  activeTensorMemory = active === null ? null : residentMemory;
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

/**
 * Where new tensors may live in the kernels' memory: the instance's tensor memory when the
 * backend is 'wasm' and the memory is shared, else null (ordinary Float64Arrays). See storage.ts.
 */
export function tensorMemory(): WasmTensorMemory | null {
  if (!settled) settle();
  return activeTensorMemory;
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
