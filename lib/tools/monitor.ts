import { MinidlError, checkArgumentCount, describeValue } from '../errors';
import { ReLU } from '../modules/activations/relu';
import { Sigmoid } from '../modules/activations/sigmoid';
import { Tanh } from '../modules/activations/tanh';
import { Module, RemovableHandle } from '../modules/module';
import { Parameter } from '../modules/parameter';
import { Tensor } from '../tensor/tensor';

/** |tanh(x)| above this counts as saturated: tanh′ = 1 − y² < 0.02 there. */
const TANH_SATURATION = 0.99;
/** σ(x) below this, or above 1 − this, counts as saturated: σ′ = σ(1 − σ) < 0.0099 there. */
const SIGMOID_SATURATION = 0.01;

/** What `TrainingMonitor` measured on one layer (a module without children) during one epoch. */
export interface LayerStats {
  /** Where the layer sits, e.g. `Sequential[2] ReLU` (the container's class and index, then the layer). */
  name: string;
  /** The layer's class, e.g. `ReLU`, `Linear`. */
  kind: string;
  /** How many forward calls in training mode the statistics below are taken over. */
  forwardCalls: number;
  /** Mean of every output value of those calls (all samples, all units); null without a call. */
  mean: number | null;
  /** Standard deviation (population, divided by the count) of the same values; null without a call. */
  std: number | null;
  /**
   * ReLU only (null for other layers, or when the output's per-sample size changed within the
   * epoch): the fraction of units that output 0 for every sample of every call of the epoch. A
   * unit is one entry of a sample's output: a column of [N, features], one (channel, position)
   * of [N, C, H, W].
   */
  deadFraction: number | null;
  /**
   * Tanh and Sigmoid only (null for other layers): the fraction of output values, over every
   * sample and unit of the epoch, in the flat part of the curve: |y| > 0.99 for Tanh, y < 0.01 or
   * y > 0.99 for Sigmoid.
   */
  saturatedFraction: number | null;
  /** How many backward calls in training mode `gradOutputNorm` is the mean over. */
  backwardCalls: number;
  /** ‖∂L/∂output‖₂ — the 2-norm of the whole gradOutput a backward call received — averaged over the epoch's calls; null without one. */
  gradOutputNorm: number | null;
}

/** What `TrainingMonitor` measured on one parameter during one epoch. */
export interface ParamStats {
  /** Where the parameter sits, e.g. `Sequential[0] Linear(2→25) weight`. */
  name: string;
  /** How many backward calls of the model (in training mode) `gradNorm` is the mean over. */
  backwardCalls: number;
  /** ‖∂L/∂θ‖₂ after the model's backward (before any clipping), averaged over the epoch's calls; null without one. */
  gradNorm: number | null;
  /** How many updates `updateRatio` is the mean over (updates of a parameter whose norm was 0 are not counted). */
  updates: number;
  /**
   * ‖Δθ‖₂ / ‖θ‖₂ per update, averaged over the epoch's updates; null without one. θ is the value
   * at the end of a backward of the model and Δθ its change by the next training forward (or
   * `endEpoch`): the optimizer's step. About 1e-3 is the usual rule of thumb.
   */
  updateRatio: number | null;
}

/** One epoch of `TrainingMonitor.history()`. */
export interface MonitorEpoch {
  /** 1 for the first `endEpoch`. */
  epoch: number;
  /** One entry per layer, in the order of `MonitorHistory.layers`. */
  layers: LayerStats[];
  /** One entry per parameter, in the order of `MonitorHistory.params`. */
  params: ParamStats[];
}

/** What `TrainingMonitor.history()` returns: plain numbers, strings and null, ready for `JSON.stringify`. */
export interface MonitorHistory {
  /** The names of the layers watched, in the order of the model's tree. */
  layers: string[];
  /** The names of the parameters watched (each shared parameter once), in the same order. */
  params: string[];
  /** One entry per `endEpoch` call. */
  epochs: MonitorEpoch[];
}

/** The running statistics of one layer in the epoch being recorded (`reset` starts the next epoch). */
class LayerRecord {
  forwardCalls = 0;
  /** How many values, their mean, and M2 = Σ (y − mean)², combined call by call (Chan et al.). */
  count = 0;
  mean = 0;
  m2 = 0;
  /** ReLU: 1 for each unit that gave a non-zero output in this epoch (null before the first call). */
  alive: Uint8Array | null = null;
  /** ReLU: true when a call's output had another number of units per sample than the first call's. */
  unitsChanged = false;
  /** Tanh, Sigmoid: how many output values were saturated. */
  saturated = 0;
  backwardCalls = 0;
  gradNormSum = 0;

  constructor(readonly name: string, readonly module: Module) {}

  reset(): void {
    this.forwardCalls = this.count = this.mean = this.m2 = this.saturated = this.backwardCalls = this.gradNormSum = 0;
    this.alive = null;
    this.unitsChanged = false;
  }
}

/** The running statistics of one parameter in the epoch being recorded (`reset` starts the next epoch). */
class ParamRecord {
  backwardCalls = 0;
  gradNormSum = 0;
  updates = 0;
  ratioSum = 0;
  /** θ at the end of the last backward of the model, while its update is awaited (`awaiting`). */
  readonly before: Float64Array;
  awaiting = false;

  constructor(readonly name: string, readonly param: Parameter) {
    this.before = new Float64Array(param.value.size);
  }

  reset(): void {
    this.backwardCalls = this.gradNormSum = this.updates = this.ratioSum = 0;
  }
}

/**
 * Watches a model while it trains, through hooks (lib/modules/module.ts), and gives per layer and
 * per epoch the numbers that tell whether training is healthy (CS231n's "babysitting the
 * learning process"):
 *
 * | per layer (module without children) | per parameter θ                         |
 * |--------------------------------------|-----------------------------------------|
 * | mean and std of its outputs          | ‖∂L/∂θ‖₂ after the model's backward      |
 * | ReLU: fraction of dead units         | ‖Δθ‖₂ / ‖θ‖₂ per update (rule: ≈ 1e-3)   |
 * | Tanh, Sigmoid: fraction saturated    |                                         |
 * | ‖∂L/∂output‖₂ entering its backward  |                                         |
 *
 * (`LayerStats` and `ParamStats` define each number exactly.) Only calls in training mode count,
 * so `NeuralNet`'s evaluations (its check before `fit`, the validation set, `evaluate`) do not
 * mix in. The numbers are summed over the calls of an epoch and closed by `endEpoch()`, which
 * `fit`'s `onEpoch` can call; `history()` returns every closed epoch as plain data.
 *
 * ```ts
 * const monitor = new TrainingMonitor(model);
 * net.fit(x, y, { epochs: 20, onEpoch: () => { monitor.endEpoch(); } });
 * monitor.detach();
 * const { epochs } = monitor.history();   // epochs[0].layers[1].deadFraction, …
 * ```
 *
 * The monitor registers a forward and a backward hook on every layer, and a forward pre-hook and
 * a backward hook on the model (for the parameters); it keeps numbers, never a tensor it is given.
 * A model with hooks trains without temporaries (the same bits, slower; see lib/training/library-code.ts);
 * `detach()` removes the hooks. The layers and parameters are those of the model when the monitor
 * is made: a module appended later is not watched.
 */
export class TrainingMonitor {
  /** The model watched. */
  readonly model: Module;
  private readonly layerRecords: LayerRecord[];
  private readonly paramRecords: ParamRecord[];
  private readonly handles: RemovableHandle[] = [];
  private readonly epochs: MonitorEpoch[] = [];

  /** Starts watching `model`. Throws a MinidlError for a model that is not a Module, or a second argument. */
  constructor(model: Module) {
    checkArgumentCount('TrainingMonitor', arguments.length, ['model']);
    if (!(model instanceof Module)) throw new MinidlError(`TrainingMonitor: model must be a Module, got ${describeValue(model)}`);
    this.model = model;
    const { layers, params } = namedParts(model);
    this.layerRecords = layers.map(({ name, module }) => new LayerRecord(name, module));
    this.paramRecords = params.map(({ name, param }) => new ParamRecord(name, param));
    for (const record of this.layerRecords) {
      this.handles.push(
        record.module.registerForwardHook((m, _input, output) => {
          if (m.training) observeOutput(record, output);
        }),
        record.module.registerFullBackwardHook((m, _gradInput, gradOutput) => {
          if (!m.training) return;
          record.backwardCalls++;
          record.gradNormSum += norm(gradOutput.data);
        }),
      );
    }
    this.handles.push(
      model.registerForwardPreHook((m) => {
        if (m.training) this.closeUpdates();
      }),
      model.registerFullBackwardHook((m) => {
        if (m.training) this.observeGradients();
      }),
    );
  }

  /**
   * Closes the epoch being recorded: returns its statistics (also added to `history()`) and starts
   * the next one from zero. Call it once per epoch, e.g. from `fit`'s `onEpoch`.
   */
  endEpoch(): MonitorEpoch {
    checkArgumentCount('TrainingMonitor.endEpoch', arguments.length, []);
    this.closeUpdates();
    const epoch: MonitorEpoch = {
      epoch: this.epochs.length + 1,
      layers: this.layerRecords.map(layerStats),
      params: this.paramRecords.map(paramStats),
    };
    for (const record of [...this.layerRecords, ...this.paramRecords]) record.reset();
    this.epochs.push(epoch);
    return copyEpoch(epoch);
  }

  /** Every epoch closed so far, as plain data (a copy: changing it changes nothing here). */
  history(): MonitorHistory {
    checkArgumentCount('TrainingMonitor.history', arguments.length, []);
    return {
      layers: this.layerRecords.map((r) => r.name),
      params: this.paramRecords.map((r) => r.name),
      epochs: this.epochs.map(copyEpoch),
    };
  }

  /** Removes every hook the monitor registered: it records nothing more, and `history()` stays. Calling it again does nothing. */
  detach(): void {
    checkArgumentCount('TrainingMonitor.detach', arguments.length, []);
    for (const handle of this.handles) handle.remove();
    this.handles.length = 0;
  }

  /** `TrainingMonitor(<model>)`, for messages. */
  toString(): string {
    return `TrainingMonitor(${this.model})`;
  }

  /** After the model's backward: each parameter's gradient norm, and its value, to measure the coming update. */
  private observeGradients(): void {
    this.closeUpdates();
    for (const record of this.paramRecords) {
      record.backwardCalls++;
      record.gradNormSum += norm(record.param.grad.data);
      record.before.set(record.param.value.data);
      record.awaiting = true;
    }
  }

  /** If an update is awaited (a backward came before): ‖Δθ‖ / ‖θ‖ of each parameter since that backward. */
  private closeUpdates(): void {
    for (const record of this.paramRecords) {
      if (!record.awaiting) continue;
      record.awaiting = false;
      const before = record.before;
      const now = record.param.value.data;
      let change = 0;
      for (let i = 0; i < now.length; i++) change += (now[i] - before[i]) ** 2;
      const size = norm(before);
      if (size > 0) {
        record.updates++;
        record.ratioSum += Math.sqrt(change) / size;
      }
    }
  }
}

/** Adds one training call's output to a layer's statistics. */
function observeOutput(record: LayerRecord, output: Tensor): void {
  const y = output.data;
  const n = y.length;
  if (n === 0) return;
  record.forwardCalls++;
  // This call's mean and M2, then Chan et al.'s rule for two groups:
  //   mean = mean_a + δ·n_b/n,   M2 = M2_a + M2_b + δ²·n_a·n_b/n,   δ = mean_b − mean_a
  let sum = 0;
  for (let i = 0; i < n; i++) sum += y[i];
  const callMean = sum / n;
  let callM2 = 0;
  for (let i = 0; i < n; i++) callM2 += (y[i] - callMean) ** 2;
  const total = record.count + n;
  const delta = callMean - record.mean;
  record.mean += (delta * n) / total;
  record.m2 += callM2 + (delta * delta * record.count * n) / total;
  record.count = total;

  if (record.module instanceof ReLU) {
    const samples = output.rank >= 2 ? output.shape[0] : 1;
    const units = n / samples;
    if (record.alive === null) record.alive = new Uint8Array(units);
    if (record.alive.length !== units) record.unitsChanged = true;
    else for (let i = 0; i < n; i++) if (y[i] !== 0) record.alive[i % units] = 1;
  } else if (record.module instanceof Tanh) {
    for (let i = 0; i < n; i++) if (Math.abs(y[i]) > TANH_SATURATION) record.saturated++;
  } else if (record.module instanceof Sigmoid) {
    for (let i = 0; i < n; i++) if (y[i] < SIGMOID_SATURATION || y[i] > 1 - SIGMOID_SATURATION) record.saturated++;
  }
}

/** A layer's statistics for the epoch, from its record. */
function layerStats(record: LayerRecord): LayerStats {
  const m = record.module;
  let deadFraction: number | null = null;
  if (m instanceof ReLU && record.alive !== null && !record.unitsChanged) {
    let dead = 0;
    for (const alive of record.alive) if (alive === 0) dead++;
    deadFraction = dead / record.alive.length;
  }
  const saturates = m instanceof Tanh || m instanceof Sigmoid;
  const seen = record.count > 0;
  return {
    name: record.name,
    kind: m.constructor.name,
    forwardCalls: record.forwardCalls,
    mean: seen ? record.mean : null,
    std: seen ? Math.sqrt(record.m2 / record.count) : null,
    deadFraction,
    saturatedFraction: saturates && seen ? record.saturated / record.count : null,
    backwardCalls: record.backwardCalls,
    gradOutputNorm: record.backwardCalls > 0 ? record.gradNormSum / record.backwardCalls : null,
  };
}

/** A parameter's statistics for the epoch, from its record. */
function paramStats(record: ParamRecord): ParamStats {
  return {
    name: record.name,
    backwardCalls: record.backwardCalls,
    gradNorm: record.backwardCalls > 0 ? record.gradNormSum / record.backwardCalls : null,
    updates: record.updates,
    updateRatio: record.updates > 0 ? record.ratioSum / record.updates : null,
  };
}

function copyEpoch(epoch: MonitorEpoch): MonitorEpoch {
  return { epoch: epoch.epoch, layers: epoch.layers.map((l) => ({ ...l })), params: epoch.params.map((p) => ({ ...p })) };
}

/** ‖v‖₂ = √(Σ vᵢ²). */
function norm(values: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] * values[i];
  return Math.sqrt(sum);
}

/**
 * The layers (modules without children) and parameters of `model`, named by where they sit, as
 * the trainer's messages name them: a container by its class and each child by its index after
 * it (`Sequential[2] ReLU`, `Sequential[1] Residual[0] Linear(25→25)`), a parameter by its
 * module's name and its own (`Sequential[0] Linear(2→25) weight`). A shared parameter is listed
 * once, where it is met first.
 */
function namedParts(model: Module): { layers: { name: string; module: Module }[]; params: { name: string; param: Parameter }[] } {
  const layers: { name: string; module: Module }[] = [];
  const params: { name: string; param: Parameter }[] = [];
  const seen = new Set<Parameter>();
  const visit = (module: Module, path: string): void => {
    const children = module.children();
    const inChildren = new Set(children.flatMap((c) => c.params()));
    const name = children.length > 0 ? module.constructor.name : String(module);
    const here = path === '' ? name : `${path} ${name}`;
    if (children.length === 0) layers.push({ name: here, module });
    for (const p of module.params()) {
      if (inChildren.has(p) || seen.has(p)) continue;
      seen.add(p);
      params.push({ name: `${here} ${p.name}`, param: p });
    }
    children.forEach((child, i) => visit(child, `${here}[${i}]`));
  };
  visit(model, '');
  return { layers, params };
}
