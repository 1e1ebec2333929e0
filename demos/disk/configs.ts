import {
  Adam, BCELoss, BatchNorm1d, ColumnSplit, Linear, Loss, MAELoss, MSELoss, Module, Optimizer, ReLU, Rng, SGD, Sequential, Sigmoid, Tanh,
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

/**
 * The batch-normalised network of the course report that used batch normalisation:
 * 2-100-50-20-1, each hidden layer Linear → BatchNorm1d → ReLU, then Linear(20→1), trained
 * with MSE on 0/1 targets by plain SGD (lr 2e-3, weight decay 0.05), about 97.7 % test accuracy.
 *
 * Config `bn` keeps the report's settings, batches of 64 included. Over 10 rounds this
 * recipe does not quite reach the report's single-run figure: 2.43 ± 0.54 % test error after
 * 300 epochs — PyTorch 1.13 on the same protocol, with its own random draws, gives
 * 2.30 ± 0.49 % — and 2.73 ± 0.66 % after the report's 1000 epochs. What limits it is the
 * batch size: smaller batches give noisier batch statistics (batch 32: 3.5 %). Config
 * `bn-batch100` changes only that, to the protocol's batch of 100 that every other config
 * uses: 2.10 ± 0.53 % after 300 epochs (2.07 ± 0.57 % after 1000), beating the report.
 */
function batchNormNet(rng: Rng): Module {
  const layers: Module[] = [];
  let width = 2;
  for (const size of [100, 50, 20]) {
    layers.push(new Linear(width, size, { rng }), new BatchNorm1d(size), new ReLU());
    width = size;
  }
  layers.push(new Linear(width, 1, { rng }));
  return new Sequential(...layers);
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
  {
    name: 'bn',
    description: '2-100-50-20-1, Linear→BatchNorm1d→ReLU ×3 then Linear, MSE on 0/1 targets, SGD lr 2e-3, weight decay 0.05, batch 64 (the course report\'s BN net)',
    model: batchNormNet,
    loss: () => new MSELoss(),
    optimizer: sgd(2e-3, 0.05),
    targets: 'column',
    batchSize: 64,
  },
  {
    name: 'bn-batch100',
    description: 'as bn, with the protocol\'s batch of 100 instead of 64 (less noisy batch statistics)',
    model: batchNormNet,
    loss: () => new MSELoss(),
    optimizer: sgd(2e-3, 0.05),
    targets: 'column',
    batchSize: 100,
  },
];

export function findConfig(name: string): DiskConfig | undefined {
  return DISK_CONFIGS.find((c) => c.name === name);
}
