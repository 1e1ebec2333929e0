/**
 * How one row of a course report's table is run, written as plain data: the network layer by
 * layer, the initialisation, the loss, the optimizer and its parameters, the epochs, the batch
 * size, the data. Plain data so that one description serves both runs: minidl builds it
 * (./build.ts) and `npm run reports -- --export DIR` writes it, with the data sets, for the
 * PyTorch script (./pytorch_reports.py), which builds the same network from the same words.
 *
 * The rows themselves are in ./rows.ts.
 */

/** The course reports, by the number that starts their file name. */
export type ReportId = '000' | '001' | '002' | '003' | '004';
export const REPORT_IDS: readonly ReportId[] = ['000', '001', '002', '003', '004'];

/** One layer. Linear's sizes are [in, out]; Conv2d is square with stride 1. */
export type LayerSpec =
  | { kind: 'linear'; in: number; out: number }
  | { kind: 'relu' }
  | { kind: 'tanh' }
  | { kind: 'sigmoid' }
  | { kind: 'batchNorm1d'; features: number }
  | { kind: 'conv2d'; in: number; out: number; kernel: number; padding: number }
  | { kind: 'maxPool2d'; size: number }
  | { kind: 'flatten' }
  /**
   * Weight sharing: the input's columns cut into `groups` groups of `width`, each through the
   * same `branch` (one set of weights; their gradient is the sum over the groups), the outputs
   * side by side (minidl's ColumnSplit with Linear's `share`).
   */
  | { kind: 'sharedColumns'; groups: number; width: number; branch: LayerSpec[] };

/**
 * How the weights start:
 *   pytorch      PyTorch's default: W, b ~ U(−1/√in, 1/√in) (Conv2d: in = channels·k²)
 *   normal       W and b ~ N(0, std²)
 *   glorotOrHe   W ~ U(±√6/√(in+out)) (Glorot) before a Tanh or no activation, U(±√6/√in)
 *                (He, Kaiming uniform with gain √2) before a ReLU; b = 0
 */
export type InitSpec = { kind: 'pytorch' } | { kind: 'normal'; std: number } | { kind: 'glorotOrHe' };

/**
 * The loss, with PyTorch's names and reductions:
 *   mse             mean over every entry of (ŷ − y)²
 *   mseSum          the sum over every entry of (ŷ − y)² (reduction 'sum')
 *   bce             binary cross-entropy of a probability (after a Sigmoid)
 *   bceWithLogits   binary cross-entropy of a logit
 *   crossEntropy    softmax cross-entropy of class scores against class indices
 */
export type LossName = 'mse' | 'mseSum' | 'bce' | 'bceWithLogits' | 'crossEntropy';

/** The optimizer; PyTorch's defaults for everything not given (Adam: betas 0.9, 0.999, eps 1e-8). */
export type OptimizerSpec =
  | { kind: 'sgd'; lr: number; momentum?: number; weightDecay?: number }
  | { kind: 'adam'; lr: number };

/** A learning-rate schedule, stepped after every epoch: cosine from lr to 0 over the row's epochs (CosineAnnealingLR, T_max = epochs). */
export type ScheduleSpec = { kind: 'cosine' };

/**
 * The data of a row:
 *   disk    1000 train / 1000 test points in [0,1]², label 1 inside the disk of radius 1/√(2π)
 *           centred at (0.5, 0.5); the inputs standardized with the training set's mean and
 *           standard deviation, or raw; targets one-hot [N,2] (argmax decides) or a 0/1 column
 *           [N,1] (> 0.5 decides, or > 0 for a logit)
 *   conv    1000 train / 1000 test images [3,4,4] uniform in [0,1), label 1 when ‖x − 0.5‖₂ < 2;
 *           raw or centred (x − 0.5); optionally each centred entry's sign flipped with
 *           probability 1/2 every epoch (the label does not change); a 0/1 column target
 *   mnist   the offline digits (7996 train / 2004 test) or the standard files with --data;
 *           pixels in [0,1] as flat rows [N,784], or as images [N,1,28,28] for a convolutional
 *           network (`images: true`); class indices as targets; with `shift` s (images
 *           only), every epoch each training image is moved by its own random whole-pixel
 *           shift of at most s pixels each way, the pixels that come in 0
 *           (./random-shifts.ts); the test images are never moved
 */
export type DataSpec =
  | { task: 'disk'; inputs: 'standardized' | 'raw'; targets: 'oneHot' | 'column' }
  | { task: 'conv'; inputs: 'raw' | 'centred'; reflect: boolean }
  | { task: 'mnist'; images: boolean; shift?: number };

/** A figure a report published, in the report's own metric. */
export interface Published {
  /** `error`: lower is better; `accuracy`: higher is better. Fractions (0.0352 for 3.52 %). */
  metric: 'error' | 'accuracy';
  /** The test figure (mean, when the report gives a mean). */
  test: number;
  /** Its standard deviation over the report's runs, when it gives one. */
  testStd?: number;
  /** The training figure and its standard deviation, when given. */
  train?: number;
  trainStd?: number;
  /** How the report got it, in a few words ("10 runs", "one run", "full 60k MNIST"). */
  runs: string;
}

/** One row of a report's table: its protocol, the report's figure, and the choices made for what it leaves out. */
export interface ReportRow {
  /** Unique, used by --row and in file names: `<report>-<name>`. */
  id: string;
  report: ReportId;
  /** What the report calls it (its table's row name, or our words when it has none). */
  label: string;
  /** The report's figure; null for a variant (it is compared with the figure of the row it varies). */
  published: Published | null;
  /** The row whose figure a variant must beat; null for a row of the report's own protocol. */
  variantOf: string | null;
  /** For a variant: exactly what changed from `variantOf`, and why it helps. */
  changed: string | null;
  network: LayerSpec[];
  init: InitSpec;
  loss: LossName;
  optimizer: OptimizerSpec;
  schedule: ScheduleSpec | null;
  epochs: number;
  batchSize: number;
  rounds: number;
  data: DataSpec;
  /** Settings as the report states them, in its words where it helps. */
  stated: string;
  /** Each setting the report leaves out and what was chosen, one line each. */
  choices: string[];
  /**
   * Why minidl's figure is below the report's when it is (the verdict shows it then): what in
   * the protocol or the data makes the gap, as measured.
   */
  belowReason: string | null;
}
