import { beginTemporaries, endTemporaries, persistentTensorValues } from './storage';
import { Tensor } from './tensor';

/**
 * Runs `fn` with every tensor it creates made as a temporary, freed when `fn` returns.
 *
 * This is how a training loop keeps the kernels' memory from growing: `NeuralNet` runs each
 * training step (forward, loss, backward, optimizer step) and each evaluation batch in it,
 * so every step reuses the bytes of the one before. Write your own loop the same way:
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
 * The rule: a tensor made inside must not be used after the next `withTemporaryTensors`
 * starts, since its values are then overwritten. The layers follow it (they keep their input
 * only until the next forward pass). A Tensor that `fn` returns is copied out, so it stays
 * valid; to keep any other, copy its values (`Array.from(t.data)`) before the scope ends.
 *
 * On the 'js' backend, and where the WebAssembly memory is not shared, the tensors are
 * ordinary arrays and this just calls `fn`. Scopes may be nested.
 */
export function withTemporaryTensors<T>(fn: () => T): T {
  const scope = beginTemporaries();
  if (scope === null) return fn();
  try {
    const result = fn();
    if (result instanceof Tensor && scope.memory.arena.holds(result.data)) {
      const kept = persistentTensorValues(result.size);
      kept.set(result.data);
      return new Tensor(result.shape, kept) as unknown as T;
    }
    return result;
  } finally {
    endTemporaries(scope);
  }
}
