import { LeakyReLU, ReLU, Sigmoid, Softmax, Tanh, Tensor } from '../minidl';
import { caseTensor } from '../reference-data';
import { largestMagnitude } from '../compare';
import { reluMaskedByGradient, softmaxOverflow } from '../mistakes';
import { ModuleCaseSpec, ModuleTask } from './module-task';

/**
 * The element-wise activations and Softmax. Inputs are kept at least 0.05 away from 0, where
 * ReLU-like derivatives jump (a finite difference across the kink is no derivative). Cases:
 * rank 2 and rank 4, batch size 1, and, for Tanh/Sigmoid/Softmax, large inputs.
 */
function elementwiseCases(extra: ModuleCaseSpec[] = []): ModuleCaseSpec[] {
  return [
    { name: 'N=4, 5 features', config: { gradcheck: true }, inputShape: [4, 5], gap: 0.05 },
    { name: 'N=1, 3 features', config: { gradcheck: true }, inputShape: [1, 3], gap: 0.05 },
    { name: 'N=2, images 2×3×3', config: {}, inputShape: [2, 2, 3, 3], inputScale: 2, gap: 0.05 },
    ...extra,
  ];
}

export const reluTask: ModuleTask = {
  id: 'relu',
  build: () => new ReLU(),
  cases: elementwiseCases(),
  mistakes: (c, run) => (run.gradInput instanceof Tensor
    ? [reluMaskedByGradient(caseTensor(c, 'gradOut').data, run.gradInput.data, caseTensor(c, 'gradInput').data)]
    : []),
};

export const leakyReluTask: ModuleTask = {
  id: 'leaky-relu',
  build: (c) => (typeof c.slope === 'number' ? new LeakyReLU(c.slope) : new LeakyReLU()),
  cases: elementwiseCases([
    { name: 'N=3, 4 features, slope 0.2', config: { slope: 0.2, gradcheck: true }, inputShape: [3, 4], gap: 0.05 },
  ]),
};

export const tanhTask: ModuleTask = {
  id: 'tanh',
  build: () => new Tanh(),
  cases: elementwiseCases([{ name: 'N=2, large inputs', config: {}, inputShape: [2, 4], inputScale: 30 }]),
};

export const sigmoidTask: ModuleTask = {
  id: 'sigmoid',
  build: () => new Sigmoid(),
  cases: elementwiseCases([{ name: 'N=2, large inputs', config: {}, inputShape: [2, 4], inputScale: 800 }]),
};

export const softmaxTask: ModuleTask = {
  id: 'softmax',
  build: () => new Softmax(),
  cases: [
    { name: 'N=4, 5 classes', config: { gradcheck: true }, inputShape: [4, 5] },
    { name: 'N=1, 3 classes', config: { gradcheck: true }, inputShape: [1, 3] },
    { name: 'N=3, 2 classes', config: {}, inputShape: [3, 2], inputScale: 3 },
    { name: 'N=3, 4 classes, inputs near 1000', config: {}, inputShape: [3, 4], inputShift: 1000, inputScale: 5 },
  ],
  mistakes: (c, run) => {
    const input = caseTensor(c, 'input').data;
    if (!(run.output instanceof Tensor)) return [];
    return [softmaxOverflow(run.output.data, caseTensor(c, 'output').data, Math.round(largestMagnitude(input)))];
  },
};
