import { MinidlError, Rng, Tensor } from '../lib';
import { getBackend, loadedWasmBackend } from '../lib/tensor/backend/select';
import type { WasmBackend } from '../lib/tensor/wasm/wasm-backend';
import type { WasmScratch } from '../lib/tensor/wasm/wasm-scratch';

/** The 'wasm' backend (instance, scratch area, tensor memory) when it is the active one, else null. */
export function activeWasm(): WasmBackend | null {
  return getBackend() === 'wasm' ? loadedWasmBackend() : null;
}

/** The scratch area of the active 'wasm' backend (with `copiedValues` and the instance), or null on 'js'. */
export function wasmScratch(): WasmScratch | null {
  return activeWasm()?.scratch ?? null;
}

/** Runs `fn`, expects it to throw a MinidlError whose message matches every pattern, and returns the error. */
export function expectMinidlError(fn: () => unknown, ...patterns: RegExp[]): MinidlError {
  let caught: unknown = null;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(MinidlError);
  for (const pattern of patterns) expect((caught as Error).message).toMatch(pattern);
  return caught as MinidlError;
}

/** A tensor of the given shape filled with standard normal draws from `rng`. */
export function randn(rng: Rng, shape: number[]): Tensor {
  const t = new Tensor(shape);
  rng.fillNormal(t.data);
  return t;
}

/** The bits of a Float64Array, to compare with toEqual (−0 ≠ +0, NaN of the same bits equal). */
export function bits(a: Float64Array): bigint[] {
  return Array.from(new BigUint64Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength)));
}
