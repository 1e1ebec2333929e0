import {
  Adam, BatchNorm1d, Dropout, FitOptions, Linear, MSELoss, Module, NeuralNet, Optimizer, ReLU, Rng, SGD, Sequential, StepLR, Tensor, manualSeed,
} from '../lib/index';

/**
 * One training run of spec/checkpoint.spec.ts, built the same way in the spec's process and in
 * the process it starts to resume from a checkpoint: 40 samples of y = sin(x₀) + x₁·x₂, a model
 * with BatchNorm1d and Dropout, an optimizer, a StepLR stepped once per epoch, and the one
 * generator that everything random during training draws from (the shuffling and the dropout
 * masks):
 *
 *   'sgd'   SGD with momentum and weight decay; Dropout and NeuralNet draw from the global
 *           generator (`manualSeed(7)`, what a Dropout without `rng` and a NeuralNet without
 *           `rng` use)
 *   'adam'  Adam; Dropout and NeuralNet are given the same `new Rng(11)`
 *
 * The initial weights come from a generator of their own: a resumed run overwrites them.
 */
export type RunKind = 'sgd' | 'adam';

/** What `makeRun` returns. */
export interface Run {
  model: Module;
  optimizer: Optimizer;
  scheduler: StepLR;
  /** The generator the run draws from. */
  rng: Rng;
  /** Trains `epochs` epochs (batches of 8, shuffled) and returns each epoch's loss; `options` are more of fit's options. */
  train(epochs: number, options?: FitOptions): number[];
}

/** A new run of `kind` (see above). */
export function makeRun(kind: RunKind): Run {
  const data = new Rng('checkpoint-data');
  const x = new Tensor([40, 3]);
  data.fillNormal(x.data);
  const y = new Tensor([40, 1]);
  for (let i = 0; i < 40; i++) y.data[i] = Math.sin(x.data[3 * i]) + x.data[3 * i + 1] * x.data[3 * i + 2];
  const init = new Rng(`checkpoint-init-${kind}`);
  const rng = kind === 'sgd' ? manualSeed(7) : new Rng(11);
  const dropout = kind === 'sgd' ? new Dropout(0.25) : new Dropout(0.25, { rng });
  const model = new Sequential(new Linear(3, 16, { rng: init }), new BatchNorm1d(16), new ReLU(), dropout, new Linear(16, 1, { rng: init }));
  const optimizer = kind === 'sgd'
    ? new SGD(model.params(), { lr: 0.05, momentum: 0.9, weightDecay: 1e-3 })
    : new Adam(model.params(), { lr: 0.01 });
  const scheduler = new StepLR(optimizer, { stepSize: 3, gamma: 0.5 });
  const net = new NeuralNet(model, kind === 'sgd' ? { optimizer, loss: new MSELoss() } : { optimizer, loss: new MSELoss(), rng });
  return { model, optimizer, scheduler, rng, train: (epochs, options = {}) => net.fit(x, y, { epochs, batchSize: 8, scheduler, ...options }).loss };
}

/** The bits of numbers, as hexadecimal strings (−0 and +0 told apart). */
export function numberBits(values: ArrayLike<number>): string[] {
  const out: string[] = [];
  const view = new DataView(new ArrayBuffer(8));
  for (let i = 0; i < values.length; i++) {
    view.setFloat64(0, values[i]);
    out.push(view.getBigUint64(0).toString(16));
  }
  return out;
}

/** The bits of every parameter and buffer of `model`, by name. */
export function modelBits(model: Module): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  model.params().forEach((p, i) => { out[`param ${i} ${p.name}`] = numberBits(p.value.data); });
  model.buffers().forEach((b, i) => { out[`buffer ${i} ${b.name}`] = numberBits(b.value.data); });
  return out;
}
