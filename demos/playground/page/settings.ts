/**
 * The playground's settings: everything that defines a run, in one plain object that is
 * written to and read from the page's URL hash (so a link reproduces a run).
 *
 * Same settings ⇒ same run: the seed fixes the data, the initial weights and the order of the
 * mini-batches, and nothing else is random.
 *
 * This file knows nothing of the page (no DOM), so the same code runs in Node.
 */

/** The hidden layers' activation. */
export type ActivationName = 'relu' | 'tanh' | 'sigmoid' | 'leaky-relu';
/** The loss, which also fixes the output layer: two outputs for MSE and cross-entropy, one for BCE. */
export type LossName = 'mse' | 'cross-entropy' | 'bce-logits';
export type OptimizerName = 'sgd' | 'adam';

export interface Settings {
  /** Width of each hidden layer, input side first (may be empty: a linear classifier). */
  hidden: number[];
  /** Activation after every hidden Linear layer. */
  activation: ActivationName;
  loss: LossName;
  optimizer: OptimizerName;
  /** Learning rate η. */
  lr: number;
  /** SGD's momentum μ (ignored by Adam). */
  momentum: number;
  /** Samples per mini-batch. */
  batchSize: number;
  /** Weight decay λ (coupled L2, as PyTorch: g ← g + λ·w). */
  weightDecay: number;
  /** Seed of the one generator that draws the data, the initial weights and the batch order. */
  seed: string;
  /** Training pauses by itself after this epoch (0: never). Not part of the run: changing it restarts nothing. */
  stopAtEpoch: number;
}

export const ACTIVATIONS: ReadonlyArray<{ value: ActivationName; label: string }> = [
  { value: 'relu', label: 'ReLU' },
  { value: 'tanh', label: 'Tanh' },
  { value: 'sigmoid', label: 'Sigmoid' },
  { value: 'leaky-relu', label: 'LeakyReLU (0.01)' },
];

export const LOSSES: ReadonlyArray<{ value: LossName; label: string }> = [
  { value: 'mse', label: 'MSE, one-hot (2 outputs)' },
  { value: 'cross-entropy', label: 'Cross-entropy (2 outputs)' },
  { value: 'bce-logits', label: 'BCE with logits (1 output)' },
];

export const OPTIMIZERS: ReadonlyArray<{ value: OptimizerName; label: string }> = [
  { value: 'sgd', label: 'SGD with momentum' },
  { value: 'adam', label: 'Adam' },
];

/** The course network (three hidden layers of 25, ReLU, MSE) with momentum to make it quick to watch. */
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  hidden: [25, 25, 25],
  activation: 'relu',
  loss: 'mse',
  optimizer: 'sgd',
  lr: 0.05,
  momentum: 0.9,
  batchSize: 100,
  weightDecay: 0,
  seed: '1',
  stopAtEpoch: 300,
} as Settings);

/** Limits the page enforces (a browser tab should stay responsive). */
export const LIMITS = {
  maxHiddenLayers: 6,
  maxWidth: 128,
  maxBatchSize: 1000,
  maxEpoch: 100000,
};

/** A setting that was refused, and why. */
export interface SettingError {
  field: keyof Settings;
  message: string;
}

export function copySettings(s: Settings): Settings {
  return { ...s, hidden: [...s.hidden] };
}

/** The reasons `s` cannot be trained (empty when it can). */
export function validateSettings(s: Settings): SettingError[] {
  const errors: SettingError[] = [];
  const isInt = (v: number, lo: number, hi: number): boolean => Number.isInteger(v) && v >= lo && v <= hi;
  if (s.hidden.length > LIMITS.maxHiddenLayers) {
    errors.push({ field: 'hidden', message: `at most ${LIMITS.maxHiddenLayers} hidden layers` });
  }
  if (!s.hidden.every((w) => isInt(w, 1, LIMITS.maxWidth))) {
    errors.push({ field: 'hidden', message: `each width must be a whole number from 1 to ${LIMITS.maxWidth}` });
  }
  if (!ACTIVATIONS.some((a) => a.value === s.activation)) errors.push({ field: 'activation', message: `unknown activation '${s.activation}'` });
  if (!LOSSES.some((l) => l.value === s.loss)) errors.push({ field: 'loss', message: `unknown loss '${s.loss}'` });
  if (!OPTIMIZERS.some((o) => o.value === s.optimizer)) errors.push({ field: 'optimizer', message: `unknown optimizer '${s.optimizer}'` });
  if (!(Number.isFinite(s.lr) && s.lr > 0)) errors.push({ field: 'lr', message: 'the learning rate must be a number > 0' });
  if (!(Number.isFinite(s.momentum) && s.momentum >= 0 && s.momentum < 1)) errors.push({ field: 'momentum', message: 'momentum must be in [0, 1)' });
  if (!isInt(s.batchSize, 1, LIMITS.maxBatchSize)) errors.push({ field: 'batchSize', message: `the batch size must be a whole number from 1 to ${LIMITS.maxBatchSize}` });
  if (!(Number.isFinite(s.weightDecay) && s.weightDecay >= 0)) errors.push({ field: 'weightDecay', message: 'weight decay must be a number ≥ 0' });
  if (s.seed.trim() === '') errors.push({ field: 'seed', message: 'the seed must not be empty' });
  if (!isInt(s.stopAtEpoch, 0, LIMITS.maxEpoch)) errors.push({ field: 'stopAtEpoch', message: `“stop at epoch” must be a whole number from 0 (never) to ${LIMITS.maxEpoch}` });
  return errors;
}

/** True when two settings give the same run (`stopAtEpoch` does not change the run). */
export function sameRun(a: Settings, b: Settings): boolean {
  return runKey(a) === runKey(b);
}

function runKey(s: Settings): string {
  return settingsToHash({ ...s, stopAtEpoch: 0 });
}

/** The settings as a URL hash, e.g. `#hidden=25,25,25&activation=relu&…&seed=1`. */
export function settingsToHash(s: Settings): string {
  const params = new URLSearchParams();
  params.set('hidden', s.hidden.join(','));
  params.set('activation', s.activation);
  params.set('loss', s.loss);
  params.set('optimizer', s.optimizer);
  params.set('lr', String(s.lr));
  if (s.optimizer === 'sgd') params.set('momentum', String(s.momentum));
  params.set('batch', String(s.batchSize));
  params.set('decay', String(s.weightDecay));
  params.set('seed', s.seed);
  params.set('stop', String(s.stopAtEpoch));
  return `#${params.toString()}`;
}

/**
 * Settings read from a URL hash; a missing entry takes its default. Invalid entries are
 * reported in `errors` and replaced by their default, so the page always starts.
 */
export function settingsFromHash(hash: string): { settings: Settings; errors: SettingError[] } {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const s = copySettings(DEFAULT_SETTINGS);
  const text = (key: string): string | null => params.get(key);
  const num = (key: string, fallback: number): number => {
    const v = text(key);
    return v === null || v.trim() === '' ? fallback : Number(v);
  };
  const hidden = text('hidden');
  if (hidden !== null) s.hidden = hidden.trim() === '' ? [] : hidden.split(',').map((w) => Number(w));
  s.activation = (text('activation') ?? s.activation) as ActivationName;
  s.loss = (text('loss') ?? s.loss) as LossName;
  s.optimizer = (text('optimizer') ?? s.optimizer) as OptimizerName;
  s.lr = num('lr', s.lr);
  s.momentum = num('momentum', s.momentum);
  s.batchSize = num('batch', s.batchSize);
  s.weightDecay = num('decay', s.weightDecay);
  s.seed = text('seed') ?? s.seed;
  s.stopAtEpoch = num('stop', s.stopAtEpoch);
  const errors = validateSettings(s);
  for (const e of errors) {
    const field = e.field;
    (s as unknown as Record<string, unknown>)[field] = field === 'hidden' ? [...DEFAULT_SETTINGS.hidden] : DEFAULT_SETTINGS[field];
  }
  return { settings: s, errors };
}
