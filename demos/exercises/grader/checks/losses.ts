import { BCELoss, CrossEntropyLoss, MAELoss, MSELoss } from '../minidl';
import { CaseConfig } from '../reference-data';
import { LossTask } from './loss-task';

/** `{ reduction }` from a case's config. */
function reductionOf(c: CaseConfig): { reduction: 'mean' | 'sum' } {
  return { reduction: c.reduction === 'sum' ? 'sum' : 'mean' };
}

export const mseTask: LossTask = {
  id: 'mse',
  build: (c) => new MSELoss(reductionOf(c)),
  meanOver: 'entries',
  cases: [
    { name: 'N=4, 3 outputs', config: { target: 'values', gradcheck: true }, predShape: [4, 3] },
    { name: 'N=1, 2 outputs', config: { target: 'values', gradcheck: true }, predShape: [1, 2] },
    { name: 'N=5, 1 output', config: { target: 'values' }, predShape: [5, 1] },
    { name: "N=3, 2 outputs, reduction 'sum'", config: { target: 'values', reduction: 'sum', gradcheck: true }, predShape: [3, 2] },
  ],
};

export const maeTask: LossTask = {
  id: 'mae',
  build: (c) => new MAELoss(reductionOf(c)),
  meanOver: 'entries',
  cases: [
    { name: 'N=4, 3 outputs', config: { target: 'values', gradcheck: true }, predShape: [4, 3] },
    { name: 'N=1, 2 outputs', config: { target: 'values', gradcheck: true }, predShape: [1, 2] },
    { name: 'N=6, 1 output', config: { target: 'values' }, predShape: [6, 1] },
    { name: "N=3, 2 outputs, reduction 'sum'", config: { target: 'values', reduction: 'sum' }, predShape: [3, 2] },
  ],
};

export const bceTask: LossTask = {
  id: 'bce',
  build: (c) => new BCELoss(reductionOf(c)),
  meanOver: 'entries',
  cases: [
    { name: 'N=5, 1 output, 0/1 targets', config: { target: 'binary', gradcheck: true }, predShape: [5, 1], probabilities: true },
    { name: 'N=1, 1 output', config: { target: 'binary', gradcheck: true }, predShape: [1, 1], probabilities: true },
    { name: 'N=3, 4 outputs, targets in [0, 1]', config: { target: 'unit', gradcheck: true }, predShape: [3, 4], probabilities: true },
    { name: "N=4, 2 outputs, reduction 'sum'", config: { target: 'binary', reduction: 'sum' }, predShape: [4, 2], probabilities: true },
  ],
};

export const crossEntropyTask: LossTask = {
  id: 'cross-entropy',
  build: (c) => new CrossEntropyLoss(reductionOf(c)),
  meanOver: 'rows',
  cases: [
    { name: 'N=4, 3 classes, class indices', config: { target: 'indices', gradcheck: true }, predShape: [4, 3] },
    { name: 'N=1, 5 classes, class indices', config: { target: 'indices', gradcheck: true }, predShape: [1, 5] },
    { name: 'N=3, 4 classes, probabilities', config: { target: 'probabilities', gradcheck: true }, predShape: [3, 4] },
    { name: 'N=3, 4 classes, logits near 1000', config: { target: 'indices' }, predShape: [3, 4], predShift: 1000, predScale: 5 },
    { name: "N=5, 2 classes, reduction 'sum'", config: { target: 'indices', reduction: 'sum' }, predShape: [5, 2] },
  ],
};
