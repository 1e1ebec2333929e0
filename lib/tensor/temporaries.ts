import { MinidlError } from '../errors';
import { runStep } from './memory';
import { Tensor, keptTensor } from './tensor';

/**
 * Runs `fn` as a step whose tensors are temporaries, released when `fn` returns.
 *
 * This is the speed `NeuralNet` gets for its own steps, for a loop you write yourself: on the
 * 'wasm' backend every tensor `fn` makes lives in the kernels' memory and the next call reuses
 * the same bytes, so nothing is copied and the memory stops growing.
 *
 * ```ts
 * for (let step = 0; step < steps; step++) {
 *   const loss = withTemporaryTensors(() => {
 *     optimizer.zeroGrad();
 *     const value = lossFn.forward(model.forward(x), y);
 *     model.backward(lossFn.backward());
 *     optimizer.step();
 *     return value;                        // a number: fine to keep
 *   });
 * }
 * ```
 *
 * The rule, the same on both backends: a tensor made inside is released when `fn` returns, and
 * reading its `data` afterwards throws a MinidlError (it never gives stale numbers). A Tensor
 * that `fn` returns is copied into an ordinary array, so it stays valid. State that must outlive
 * the step — a layer's statistics, an optimizer's buffers — is made with `Module.registerBuffer`
 * / `workspace` and `Optimizer.stateTensor`, or outside. Without this function every tensor is
 * ordinary and the rule does not apply. Scopes may be nested.
 */
export function withTemporaryTensors<T>(fn: () => T): T {
  if (typeof fn !== 'function') {
    throw new MinidlError(`withTemporaryTensors: expected a function to run, got ${fn === null ? 'null' : typeof fn}`);
  }
  return runStep('withTemporaryTensors', () => {
    const value = fn();
    return (value instanceof Tensor ? copyOut(value) : value) as T;
  });
}

/** A copy of `t` in an ordinary array that outlives every step (what a step hands back to its caller). */
export function copyOut(t: Tensor): Tensor {
  const values = new Float64Array(t.size);
  values.set(t.data);
  return keptTensor(t.shape, values);
}
