import { BatchNorm1d, BatchNorm2d, Tensor } from '../minidl';
import { caseTensor, configNumber, hasTensor } from '../reference-data';
import { biasedRunningVariance } from '../mistakes';
import { ModuleTask, isTraining } from './module-task';

/**
 * BatchNorm1d and BatchNorm2d (the code they share): training mode (batch statistics, running
 * statistics updated with the unbiased variance) and evaluation mode (running statistics),
 * with and without γ and β. The running statistics before (drawn at random for evaluation
 * cases) and after each forward are in the reference.
 */
export const batchNormTask: ModuleTask = {
  id: 'batch-norm',
  build: (c) => {
    const options = { momentum: c.momentum as number, affine: c.affine !== false };
    return c.kind === '2d' ? new BatchNorm2d(c.features as number, options) : new BatchNorm1d(c.features as number, options);
  },
  cases: [
    { name: '1d, N=5, 3 features, training', config: { kind: '1d', features: 3, momentum: 0.1, gradcheck: true }, inputShape: [5, 3], inputShift: 2, inputScale: 3, drawBuffers: true },
    { name: '1d, N=2, 4 features, training', config: { kind: '1d', features: 4, momentum: 0.3, gradcheck: true }, inputShape: [2, 4], drawBuffers: true },
    { name: '1d, N=1, 3 features, evaluation', config: { kind: '1d', features: 3, momentum: 0.1, training: false, gradcheck: true }, inputShape: [1, 3], drawBuffers: true },
    { name: '1d, N=4, no affine, training', config: { kind: '1d', features: 2, momentum: 0.1, affine: false, gradcheck: true }, inputShape: [4, 2], drawBuffers: true },
    { name: '2d, N=2, 3 channels 3×3, training', config: { kind: '2d', features: 3, momentum: 0.1, gradcheck: true }, inputShape: [2, 3, 3, 3], drawBuffers: true },
    { name: '2d, N=1, 2 channels 2×3, training', config: { kind: '2d', features: 2, momentum: 0.2 }, inputShape: [1, 2, 2, 3], drawBuffers: true },
    { name: '2d, N=2, 2 channels, evaluation', config: { kind: '2d', features: 2, momentum: 0.1, training: false }, inputShape: [2, 2, 2, 2], drawBuffers: true },
  ],
  mistakes: (c, run) => {
    if (!isTraining(c.config) || !hasTensor(c, 'bufferAfter:1') || !(run.buffers[1] instanceof Tensor)) return [];
    const shape = c.tensors.input.shape;
    const m = shape[0] * (shape.length === 4 ? shape[2] * shape[3] : 1);
    return [biasedRunningVariance(run.buffers[1].data, caseTensor(c, 'buffer:1').data, caseTensor(c, 'bufferAfter:1').data, configNumber(c, 'momentum'), m)];
  },
};
