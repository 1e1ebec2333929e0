import { MinidlError } from '../../errors';
import { WasmBackend, wasmBackend } from '../wasm/wasm-backend';
import { loadWasmKernels, loadWasmKernelsAsync, wasmKernelsUnavailableReason } from '../wasm/wasm-kernels';
import type { Backend, BackendName } from './interface';

export type { BackendName } from './interface';
import { referenceKernels } from './reference';

/**
 * Which backend runs: the one place that decides.
 *
 *   'js'    the TypeScript loops (reference.ts and each layer's own loops) — the ones to read
 *   'wasm'  the WebAssembly SIMD kernels of lib/tensor/wasm — the same arithmetic in the same
 *           order, bit-identical results, four to six times faster on large products
 *
 * Nothing else asks which backend is selected: lib/tensor/kernels.ts, lib/tensor/loops.ts and
 * lib/tensor/memory.ts call `activeBackend()` and use whatever it returns.
 *
 * The default is 'wasm' wherever the engine has WebAssembly SIMD. In Node.js the module is
 * compiled synchronously the first time a kernel runs. In a browser, whose main thread may
 * refuse to compile synchronously, call `loadWasmBackendAsync()` early: until it resolves,
 * the TypeScript kernels run. Where WebAssembly SIMD is missing, the backend is 'js' and
 * `setBackend('wasm')` throws an error that says why. Switching is allowed at any time, even
 * between two training steps: a tensor is a Float64Array both backends can read.
 */

/** The 'js' backend: the reference kernels, no twins (the layers' own loops run), ordinary arrays. */
export const jsBackend: Backend = { name: 'js', kernels: referenceKernels, loops: {}, store: null };

/** The 'wasm' backend once loaded, null when it cannot load, undefined before the first attempt. */
let wasm: WasmBackend | null | undefined;
/** The backend the program asked for, or null for the default (wasm where it loads). */
let requested: BackendName | null = null;
/** In a browser, the default stays 'js' until loadWasmBackendAsync has finished. */
let defaultDeferred = false;
/** The backend every call uses, once decided (null: decide at the next call). */
let active: Backend | null = null;

function decide(): Backend {
  if (requested === 'js') return jsBackend;
  if (requested === null && defaultDeferred && wasm === undefined) return jsBackend; // still loading
  if (wasm === undefined) wasm = loadWasm();
  if (wasm === null) return jsBackend;
  return wasm;
}

function loadWasm(): WasmBackend | null {
  const instance = loadWasmKernels();
  return instance === null ? null : wasmBackend(instance);
}

/** The backend in use (the first call under the default loads the WebAssembly module). */
export function activeBackend(): Backend {
  if (active !== null) return active;
  const chosen = decide();
  const waiting = requested === null && defaultDeferred && wasm === undefined;
  if (!waiting) active = chosen; // keep asking while the asynchronous load runs
  return chosen;
}

/** The loaded 'wasm' backend (its instance, scratch area and tensor memory), or null; for specs and benchmarks. */
export function loadedWasmBackend(): WasmBackend | null {
  if (wasm === undefined && !defaultDeferred) wasm = loadWasm();
  return wasm ?? null;
}

/** The backend the kernels use now: 'wasm' or 'js'. */
export function getBackend(): BackendName {
  return activeBackend().name;
}

/**
 * Selects the kernels' implementation for every later call: 'js' (the TypeScript loops) or
 * 'wasm' (WebAssembly SIMD; loaded synchronously if it is not yet). Results do not depend on
 * the choice. Throws a MinidlError, and keeps the current backend, when 'wasm' cannot load here
 * or the name is neither.
 */
export function setBackend(name: BackendName): void {
  if (name !== 'js' && name !== 'wasm') {
    throw new MinidlError(`setBackend: the backend must be 'js' or 'wasm', got ${JSON.stringify(name)}`);
  }
  if (name === 'wasm') {
    if (wasm === undefined) wasm = loadWasm();
    if (wasm === null) {
      throw new MinidlError(`setBackend: the 'wasm' backend is not available: ${wasmKernelsUnavailableReason() ?? 'the module did not load'}`);
    }
  }
  requested = name;
  active = null;
}

/**
 * For browsers: compiles the WebAssembly kernels asynchronously and, once they are ready,
 * makes them the default backend (a backend chosen with `setBackend` stays chosen). The
 * TypeScript kernels run until then. Resolves to the backend in use afterwards; never rejects
 * (without WebAssembly SIMD the backend stays 'js').
 */
export async function loadWasmBackendAsync(): Promise<BackendName> {
  if (wasm === undefined || wasm === null) {
    defaultDeferred = true;
    active = null;
    const loaded = await loadWasmKernelsAsync();
    if (wasm === undefined || wasm === null) wasm = loaded === null ? null : wasmBackend(loaded); // a refused synchronous load may have come first
    active = null;
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
  if (wasm === undefined) return 'the WebAssembly kernels are still loading';
  return wasmKernelsUnavailableReason() ?? 'the WebAssembly kernels did not load';
}
