import { Linear, Rng } from '../minidl';
import { caseTensor, configNumber, hasTensor } from '../reference-data';
import { biasNotSummed, weightGradientTransposed } from '../mistakes';
import { ModuleTask } from './module-task';

/**
 * Linear: Y = X·W + b, ∂L/∂X = G·Wᵀ, ∂L/∂W += Xᵀ·G, ∂L/∂b += Σₙ G[n, :].
 * Cases: batch sizes 1 to 6, a square layer (where a transposed dW still has W's shape), a
 * layer without bias. Mistakes looked for: dW transposed, db not summed over the batch.
 */
export const linearTask: ModuleTask = {
  id: 'linear',
  build: (c) => new Linear(c.in as number, c.out as number, { bias: c.bias !== false, rng: new Rng(0) }),
  cases: [
    { name: 'N=4, 3→5', config: { in: 3, out: 5, gradcheck: true }, inputShape: [4, 3] },
    { name: 'N=1, 3→5', config: { in: 3, out: 5, gradcheck: true }, inputShape: [1, 3] },
    { name: 'N=6, 4→4', config: { in: 4, out: 4 }, inputShape: [6, 4] },
    { name: 'N=3, 2→25', config: { in: 2, out: 25 }, inputShape: [3, 2] },
    { name: 'N=5, 3→2, no bias', config: { in: 3, out: 2, bias: false, gradcheck: true }, inputShape: [5, 3] },
  ],
  mistakes(c, run) {
    const rows = c.tensors.input.shape[0];
    const hints = [];
    if (run.paramGrads[0]) {
      hints.push(weightGradientTransposed(run.paramGrads[0].data, caseTensor(c, 'grad:0').data, configNumber(c, 'in'), configNumber(c, 'out')));
    }
    if (hasTensor(c, 'grad:1') && run.paramGrads[1]) {
      hints.push(biasNotSummed(run.paramGrads[1].data, caseTensor(c, 'gradOut').data, rows, caseTensor(c, 'grad:1').data));
    }
    return hints;
  },
};
