/**
 * A report row's protocol (./protocol.ts) built with minidl: the network, its initial weights,
 * the loss, the optimizer and the schedule. The PyTorch script builds the same from the same
 * words (./pytorch_reports.py).
 */
import {
  Adam, BCELoss, BCEWithLogitsLoss, BatchNorm1d, ColumnSplit, Conv2d, CosineAnnealingLR, CrossEntropyLoss, Flatten, LRScheduler, Linear,
  Loss, MSELoss, MaxPool2d, Module, Optimizer, ReLU, Rng, SGD, Sequential, Sigmoid, Tanh,
} from '../../lib';
import { InitSpec, LayerSpec, LossName, OptimizerSpec, ReportRow } from './protocol';

/** The layers of `specs`, their weights drawn from `rng` as `init` says. */
export function buildNetwork(specs: readonly LayerSpec[], init: InitSpec, rng: Rng): Module {
  return new Sequential(...buildLayers(specs, init, rng));
}

function buildLayers(specs: readonly LayerSpec[], init: InitSpec, rng: Rng): Module[] {
  return specs.map((spec, i) => {
    switch (spec.kind) {
      case 'linear':
        return linear(spec.in, spec.out, init, specs[i + 1]?.kind === 'relu', rng);
      case 'relu':
        return new ReLU();
      case 'tanh':
        return new Tanh();
      case 'sigmoid':
        return new Sigmoid();
      case 'batchNorm1d':
        return new BatchNorm1d(spec.features);
      case 'conv2d':
        if (init.kind !== 'pytorch') throw new Error(`reports: Conv2d is built with PyTorch's default initialisation only, got ${init.kind}`);
        return new Conv2d(spec.in, spec.out, spec.kernel, { padding: spec.padding, rng });
      case 'maxPool2d':
        return new MaxPool2d(spec.size);
      case 'flatten':
        return new Flatten();
      case 'sharedColumns':
        return sharedColumns(spec.groups, spec.width, spec.branch, init, rng);
    }
  });
}

/** A Linear layer initialised as `init` says (see InitSpec); `beforeReLU` picks He over Glorot. */
function linear(inFeatures: number, outFeatures: number, init: InitSpec, beforeReLU: boolean, rng: Rng): Linear {
  switch (init.kind) {
    case 'pytorch':
      return new Linear(inFeatures, outFeatures, { rng });
    case 'glorotOrHe':
      return new Linear(inFeatures, outFeatures, { init: beforeReLU ? 'kaimingUniform' : 'xavierUniform', biasInit: 'zeros', rng });
    case 'normal': {
      const layer = new Linear(inFeatures, outFeatures, { init: { kind: 'normal', std: init.std }, rng });
      const b = (layer.bias as NonNullable<Linear['bias']>).value.data;
      for (let i = 0; i < b.length; i++) b[i] = rng.normal(0, init.std); // Linear draws b uniformly: the report draws it as W
      return layer;
    }
  }
}

/** `groups` copies of `branch` sharing one set of weights, each on its own `width` columns. */
function sharedColumns(groups: number, width: number, branch: readonly LayerSpec[], init: InitSpec, rng: Rng): Module {
  const first = buildLayers(branch, init, rng);
  const twins = Array.from({ length: groups - 1 }, () => first.map((layer, i) => {
    if (layer instanceof Linear) return new Linear(layer.inFeatures, layer.outFeatures, { share: layer });
    const spec = branch[i];
    if (spec.kind === 'relu' || spec.kind === 'tanh' || spec.kind === 'sigmoid') return buildLayers([spec], init, rng)[0];
    throw new Error(`reports: a shared branch holds Linear layers and activations only, got ${spec.kind}`);
  }));
  return new ColumnSplit(Array(groups).fill(width), [first, ...twins].map((layers) => new Sequential(...layers)));
}

/** The row's loss. */
export function buildLoss(name: LossName): Loss {
  switch (name) {
    case 'mse':
      return new MSELoss();
    case 'mseSum':
      return new MSELoss({ reduction: 'sum' });
    case 'bce':
      return new BCELoss();
    case 'bceWithLogits':
      return new BCEWithLogitsLoss();
    case 'crossEntropy':
      return new CrossEntropyLoss();
  }
}

/** The row's optimizer over the model's parameters. */
export function buildOptimizer(spec: OptimizerSpec, model: Module): Optimizer {
  if (spec.kind === 'adam') return new Adam(model.params(), { lr: spec.lr });
  return new SGD(model.params(), { lr: spec.lr, momentum: spec.momentum ?? 0, weightDecay: spec.weightDecay ?? 0 });
}

/** The row's schedule (stepped after every epoch), or null. */
export function buildSchedule(row: ReportRow, optimizer: Optimizer): LRScheduler | null {
  return row.schedule === null ? null : new CosineAnnealingLR(optimizer, { tMax: row.epochs });
}

/** The settings in a few words, for the table: `SGD lr 0.5, weight decay 1e-4, batch 100, 250 epochs`. */
export function describeSettings(row: ReportRow): string {
  const o = row.optimizer;
  const optimizer = o.kind === 'adam'
    ? `Adam lr ${o.lr}`
    : `SGD lr ${o.lr}${o.momentum ? `, momentum ${o.momentum}` : ''}${o.weightDecay ? `, weight decay ${o.weightDecay}` : ''}`;
  const loss = { mse: 'MSE', mseSum: 'MSE (sum)', bce: 'BCE', bceWithLogits: 'BCE with logits', crossEntropy: 'cross-entropy' }[row.loss];
  const schedule = row.schedule ? ', cosine schedule to 0' : '';
  const shift = row.data.task === 'mnist' && row.data.shift ? `, each training image shifted at random by up to ${row.data.shift} pixels each way every epoch` : '';
  return `${loss}, ${optimizer}${schedule}, batch ${row.batchSize}, ${row.epochs} epochs${shift}`;
}

/** The network in a few words: `2-25-25-25-1, Tanh/ReLU/ReLU, Sigmoid output`. */
export function describeNetwork(specs: readonly LayerSpec[]): string {
  const words = (layers: readonly LayerSpec[]): string[] => layers.map((s) => {
    switch (s.kind) {
      case 'linear': return `Linear(${s.in}→${s.out})`;
      case 'relu': return 'ReLU';
      case 'tanh': return 'Tanh';
      case 'sigmoid': return 'Sigmoid';
      case 'batchNorm1d': return `BatchNorm1d(${s.features})`;
      case 'conv2d': return `Conv2d(${s.in}→${s.out}, ${s.kernel}×${s.kernel}${s.padding ? `, padding ${s.padding}` : ''})`;
      case 'maxPool2d': return `MaxPool2d(${s.size})`;
      case 'flatten': return 'Flatten';
      case 'sharedColumns': return `${s.groups} × [${words(s.branch).join(', ')}] with shared weights, one per ${s.width === 1 ? 'input column' : `group of ${s.width} columns`}`;
    }
  });
  return words(specs).join(', ');
}
