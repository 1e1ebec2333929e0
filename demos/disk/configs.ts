import {
  Adam, BCELoss, ColumnSplit, Linear, Loss, MAELoss, MSELoss, Module, Optimizer, ReLU, Rng, SGD, Sequential, Sigmoid, Tanh,
} from '../../lib';

/** How the disk labels are turned into training targets. */
export type TargetKind = 'oneHot' | 'column';

/** One variant of the disk experiment, as the course reports compare them. */
export interface DiskConfig {
  name: string;
  /** One line for tables. */
  description: string;
  /** Builds the network (drawing its initial weights from `rng`). */
  model(rng: Rng): Module;
  loss(): Loss;
  optimizer(model: Module): Optimizer;
  /** `oneHot`: two outputs, one-hot targets; `column`: one sigmoid output, 0/1 targets. */
  targets: TargetKind;
  batchSize: number;
}

/** The course network's three hidden layers of 25, with the given activations. */
function hidden25(rng: Rng, activations: Array<() => Module>, outputs: number): Module[] {
  const layers: Module[] = [];
  let width = 2;
  for (const activation of activations) {
    layers.push(new Linear(width, 25, { rng }), activation());
    width = 25;
  }
  layers.push(new Linear(width, outputs, { rng }));
  return layers;
}

/**
 * A weight-sharing network: 2 → 50, then the 50 units are cut into two groups of 25 that go
 * through the *same* Linear(25→25) (one weight matrix, its gradient summed over both groups),
 * then 50 → 2.
 */
function sharedTwins(rng: Rng): Module {
  const shared = new Linear(25, 25, { rng });
  return new Sequential(
    new Linear(2, 50, { rng }), new ReLU(),
    new ColumnSplit([25, 25], [shared, new Linear(25, 25, { share: shared })]), new ReLU(),
    new Linear(50, 2, { rng }),
  );
}

const relu3 = [() => new ReLU(), () => new ReLU(), () => new ReLU()];
const sgd = (lr: number, weightDecay = 0) => (model: Module) => new SGD(model.params(), { lr, weightDecay });

/** Every configuration `--config` accepts, in the order `--config all` runs them. */
export const DISK_CONFIGS: readonly DiskConfig[] = [
  {
    name: 'course',
    description: '2-25-25-25-2 ReLU, MSE, SGD lr 0.1',
    model: (rng) => new Sequential(...hidden25(rng, relu3, 2)),
    loss: () => new MSELoss(),
    optimizer: sgd(0.1),
    targets: 'oneHot',
    batchSize: 100,
  },
  {
    name: 'mixed',
    description: '2-25-25-25-2 ReLU/Tanh/Sigmoid, MSE, SGD lr 0.1',
    model: (rng) => new Sequential(...hidden25(rng, [() => new ReLU(), () => new Tanh(), () => new Sigmoid()], 2)),
    loss: () => new MSELoss(),
    optimizer: sgd(0.1),
    targets: 'oneHot',
    batchSize: 100,
  },
  {
    name: 'bce',
    description: '2-25-25-25-1 ReLU + Sigmoid output, BCE, SGD lr 0.1',
    model: (rng) => new Sequential(...hidden25(rng, relu3, 1), new Sigmoid()),
    loss: () => new BCELoss(),
    optimizer: sgd(0.1),
    targets: 'column',
    batchSize: 100,
  },
  {
    name: 'adam',
    description: '2-25-25-25-2 ReLU, MSE, Adam lr 1e-3',
    model: (rng) => new Sequential(...hidden25(rng, relu3, 2)),
    loss: () => new MSELoss(),
    optimizer: (model) => new Adam(model.params(), { lr: 1e-3 }),
    targets: 'oneHot',
    batchSize: 100,
  },
  {
    name: 'mae',
    description: '2-25-25-25-2 ReLU, MAE, SGD lr 0.1',
    model: (rng) => new Sequential(...hidden25(rng, relu3, 2)),
    loss: () => new MAELoss(),
    optimizer: sgd(0.1),
    targets: 'oneHot',
    batchSize: 100,
  },
  {
    name: 'weight-decay',
    description: '2-25-25-25-2 ReLU, MSE, SGD lr 0.1, weight decay 1e-3',
    model: (rng) => new Sequential(...hidden25(rng, relu3, 2)),
    loss: () => new MSELoss(),
    optimizer: sgd(0.1, 1e-3),
    targets: 'oneHot',
    batchSize: 100,
  },
  {
    name: 'weight-sharing',
    description: '2-50-2 ReLU, the 50 units as two groups of 25 through one shared Linear(25→25), MSE, Adam lr 1e-3',
    model: sharedTwins,
    loss: () => new MSELoss(),
    optimizer: (model) => new Adam(model.params(), { lr: 1e-3 }),
    targets: 'oneHot',
    batchSize: 100,
  },
];

export function findConfig(name: string): DiskConfig | undefined {
  return DISK_CONFIGS.find((c) => c.name === name);
}
