import { MinidlError, checkArgumentCount, describeValue } from '../errors';
import { Module } from '../modules/module';
import { Optimizer } from '../optim/optimizer';
import { OptimizerState } from '../optim/optimizer-state';
import { LRScheduler, SchedulerState } from '../optim/schedulers/lr-scheduler';
import { OptionSpec, anInteger, instanceOf, readOptions, satisfying } from '../options';
import { Rng, RngState } from '../random/rng';
import { writeFileAtomically } from './atomic-write';
import { copyJsonData, isPlainObject, jsonText } from './json-data';
import { loadStateInto } from './load-state';
import { checkPath, readJsonFile } from './model-file';
import { buildModel, modelToSaved } from './model-json';
import { SavedModel } from './saved-model';
import { checkSaved } from './saved-model-check';

/**
 * Checkpoints: everything a training run needs to go on exactly where it stopped, in one file —
 * the model (as a saved model), the optimizer's state (`optimizer.stateDict()`), the
 * scheduler's (`scheduler.stateDict()`), the random generator's (`rng.state()`) and the epoch.
 * Training 10 epochs gives the same bits as training 5, saving, loading (in another process)
 * and training 5 more: docs/saving-models.md, "Checkpoints: resuming exactly".
 *
 * The file is JSON:
 *
 *   { "format": "minidl-checkpoint", "version": 1, "epoch": 5,
 *     "model": { …a saved model (lib/serialization/saved-model.ts)… },
 *     "optimizer": { "type": "Adam", "state": { "state": {…}, "paramGroups": [{…}] } },
 *     "scheduler": { "type": "StepLR", "state": { "stepSize": 3, … } },
 *     "rng": { "seed": "0", "alea": { "c": …, "s0": …, "s1": …, "s2": … }, "spareNormal": null },
 *     "metadata": { … } }
 *
 * `scheduler`, `rng`, `epoch` and `metadata` are there when they were saved. Every number comes
 * back to the bit (−0 included; NaN and ±Infinity are refused when saving).
 */

/** The format name written into every checkpoint. */
export const CHECKPOINT_FORMAT = 'minidl-checkpoint';

/** The version of the checkpoint format this minidl writes and reads (its model part has its own, see saved-model.ts). */
export const CHECKPOINT_FORMAT_VERSION = 1;

/** The fields a checkpoint may have, in the order they are written. */
const CHECKPOINT_FIELDS: readonly string[] = ['format', 'version', 'epoch', 'model', 'optimizer', 'scheduler', 'rng', 'metadata'];

/** A checkpoint as written (see the file's comment). */
export interface SavedCheckpoint {
  /** Always `minidl-checkpoint`. */
  format: typeof CHECKPOINT_FORMAT;
  /** `CHECKPOINT_FORMAT_VERSION` when written by this minidl. */
  version: number;
  /** The number of epochs done when it was saved, if given. */
  epoch?: number;
  /** The model: architecture, parameters and state (running statistics, batch counts). */
  model: SavedModel;
  /** The optimizer's class name and its `stateDict()`. */
  optimizer: SavedOptimizer;
  /** The scheduler's class name and its `stateDict()`, if one was saved. */
  scheduler?: SavedScheduler;
  /** The generator's `state()`, if one was saved. */
  rng?: RngState;
  /** Whatever the caller saved with it: plain JSON data. */
  metadata?: Record<string, unknown>;
}

/** The optimizer part of a checkpoint. */
export interface SavedOptimizer {
  /** Its class name, e.g. `Adam`: loading refuses an optimizer of another class. */
  type: string;
  /** Its `stateDict()`. */
  state: OptimizerState;
}

/** The scheduler part of a checkpoint. */
export interface SavedScheduler {
  /** Its class name, e.g. `StepLR`: loading refuses a scheduler of another class. */
  type: string;
  /** Its `stateDict()`. */
  state: SchedulerState;
}

/** What `saveCheckpoint` saves. */
export interface CheckpointContents {
  /** The model being trained. */
  model: Module;
  /** Its optimizer (over parameters of `model`). */
  optimizer: Optimizer;
  /** The learning-rate scheduler of `optimizer`, if the run has one. */
  scheduler?: LRScheduler;
  /** The generator the run draws from (shuffling, dropout masks): `defaultRng()` or the Rng given to NeuralNet and Dropout. */
  rng?: Rng;
  /** The number of epochs done (a whole number ≥ 0). */
  epoch?: number;
  /** Plain JSON data to keep with the checkpoint. */
  metadata?: Record<string, unknown>;
}

/** What `loadCheckpoint` puts the saved state into; each part is optional. */
export interface CheckpointTargets {
  /** A model of the saved architecture, whose parameters and state are overwritten; without it, the model is built from the file. */
  model?: Module;
  /** The optimizer to give the saved state (same class, over the parameters of `model`, in the same order). */
  optimizer?: Optimizer;
  /** The scheduler to give the saved state (same class, of `optimizer`). */
  scheduler?: LRScheduler;
  /** The generator to put back where it was (shuffling, dropout masks). */
  rng?: Rng;
}

/** What `loadCheckpoint` returns. */
export interface LoadedCheckpoint {
  /** The model: the one passed in, loaded, or one built from the file (in training mode). */
  model: Module;
  /** The epoch saved, or null when none was. */
  epoch: number | null;
  /** The metadata saved, or null when none was. */
  metadata: Record<string, unknown> | null;
}

const A_MODULE = instanceOf(Module, 'a Module (the model)');
const AN_OPTIMIZER = instanceOf(Optimizer, 'an Optimizer such as new SGD(model.params(), { lr: 0.1 })');
const A_SCHEDULER = satisfying('a learning-rate scheduler such as new StepLR(optimizer, { stepSize: 30 })', (v) => v instanceof LRScheduler);
const AN_RNG = instanceOf(Rng, 'an Rng such as defaultRng() or new Rng(0)');
const AN_OBJECT = satisfying('an object of plain JSON data', (v) => isPlainObject(v));

const SAVE_SPEC: OptionSpec<CheckpointContents> = {
  model: A_MODULE, optimizer: AN_OPTIMIZER, scheduler: A_SCHEDULER, rng: AN_RNG, epoch: anInteger, metadata: AN_OBJECT,
};
const LOAD_SPEC: OptionSpec<CheckpointTargets> = { model: A_MODULE, optimizer: AN_OPTIMIZER, scheduler: A_SCHEDULER, rng: AN_RNG };

/**
 * Saves a training run at `file`: the model (as `saveModel` writes it), `optimizer.stateDict()`,
 * `scheduler.stateDict()`, `rng.state()`, `epoch` and `metadata`. With `loadCheckpoint`, the
 * run goes on to the bit as if it had never stopped (see docs/saving-models.md).
 *
 * Nothing is written unless all of it can be saved: `contents` must be an object with a
 * `model` and an `optimizer` over the model's parameters; a scheduler must be of that optimizer;
 * epoch a whole number ≥ 0; a NaN or ±Infinity anywhere (parameters, state, optimizer state)
 * is refused with its place, as is metadata that is not plain JSON data. The file is then
 * written safely, as `saveModel` writes (lib/serialization/atomic-write.ts): a crash leaves the
 * previous file intact. Every error is a MinidlError starting with `saveCheckpoint:`; after one,
 * the file, the model, the optimizer, the scheduler and the generators are as they were.
 *
 * ```ts
 * saveCheckpoint('run.ckpt.json', { model, optimizer, scheduler, rng: defaultRng(), epoch: 5 });
 * ```
 */
export function saveCheckpoint(file: string, contents: CheckpointContents): void {
  const who = 'saveCheckpoint';
  checkArgumentCount(who, arguments.length, ['file', 'contents']);
  checkPath(who, file, (file as unknown) instanceof Module ? ' (the call is saveCheckpoint(file, { model, optimizer, … }))' : '');
  const o = readOptions<CheckpointContents>(who, contents, SAVE_SPEC, { argument: 'contents' });
  const here = `${who}: ${file}`;
  if (o.model === undefined || o.optimizer === undefined) {
    throw new MinidlError(`${here}: contents must hold the model and its optimizer: { model, optimizer, scheduler?, rng?, epoch? } (to save a model alone, use saveModel)`);
  }
  checkOptimizerOfModel(here, o.model, o.optimizer);
  if (o.scheduler !== undefined) checkSchedulerOfOptimizer(here, o.scheduler, o.optimizer);
  if (o.epoch !== undefined && o.epoch < 0) throw new MinidlError(`${here}: epoch must be a whole number ≥ 0, got ${o.epoch}`);
  const checkpoint: SavedCheckpoint = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_FORMAT_VERSION,
    ...(o.epoch === undefined ? {} : { epoch: o.epoch }),
    model: modelToSaved(`${here}: model`, o.model, undefined),
    optimizer: { type: o.optimizer.constructor.name, state: prefixed(`${here}: optimizer`, () => o.optimizer!.stateDict()) },
  };
  if (o.scheduler !== undefined) checkpoint.scheduler = { type: o.scheduler.constructor.name, state: o.scheduler.stateDict() };
  if (o.rng !== undefined) checkpoint.rng = o.rng.state();
  if (o.metadata !== undefined) checkpoint.metadata = copyJsonData(here, 'metadata', o.metadata) as Record<string, unknown>;
  writeFileAtomically(who, file, jsonText(checkpoint));
}

/**
 * Loads a checkpoint written by `saveCheckpoint`, putting its state into the objects given in
 * `into`, and returns the model, the epoch and the metadata:
 *
 *   - `model`: its parameters and state are overwritten (`loadStateInto`: the same
 *     architecture is required); without it, the model is built from the file (`loadModel`).
 *   - `optimizer`: `optimizer.loadStateDict` (state and hyper-parameters); it needs `model`,
 *     whose parameters it must update, and the saved optimizer must be of the same class.
 *   - `scheduler`: `scheduler.loadStateDict`; it needs the `optimizer` it belongs to.
 *   - `rng`: `rng.setState`, so the generator continues the saved sequence.
 *
 * Parts of the file not asked for are left unread (a model for inference needs no optimizer);
 * a part asked for that the file does not hold is refused.
 *
 * Everything is checked before anything changes; on any error a MinidlError starting with
 * `loadCheckpoint:` and naming `file` is thrown, and every object passed in is as it was: a
 * path that is not a readable file of JSON (as `loadModel`); a file of another format or of a
 * newer version; an invalid saved model, or one of another architecture; an optimizer, a
 * scheduler or a generator state that the object passed in refuses (see their `loadStateDict`
 * and `setState`), or of another class.
 *
 * ```ts
 * const { epoch } = loadCheckpoint('run.ckpt.json', { model, optimizer, scheduler, rng: defaultRng() });
 * ```
 */
export function loadCheckpoint(file: string, into: CheckpointTargets = {}): LoadedCheckpoint {
  const who = 'loadCheckpoint';
  checkArgumentCount(who, arguments.length, ['file', 'into']);
  checkPath(who, file, '');
  const o = readOptions<CheckpointTargets>(who, into, LOAD_SPEC, { argument: 'into' });
  const here = `${who}: ${file}`;
  if (o.optimizer !== undefined && o.model === undefined) {
    throw new MinidlError(`${here}: an optimizer needs its model: pass { model, optimizer, … }, the optimizer made over model.params() (to build the model from the file, load it first: loadCheckpoint(file).model)`);
  }
  if (o.scheduler !== undefined && o.optimizer === undefined) {
    throw new MinidlError(`${here}: a scheduler needs its optimizer: pass { model, optimizer, scheduler, … }`);
  }
  if (o.model !== undefined && o.optimizer !== undefined) checkOptimizerOfModel(here, o.model, o.optimizer);
  if (o.scheduler !== undefined && o.optimizer !== undefined) checkSchedulerOfOptimizer(here, o.scheduler, o.optimizer);

  // 1. Check everything that can be checked without changing anything.
  const saved = checkCheckpoint(here, readJsonFile(who, file, 'a checkpoint file'));
  let loadOptimizer: (() => void) | null = null;
  if (o.optimizer !== undefined) {
    const type = o.optimizer.constructor.name;
    if (saved.optimizer.type !== type) throw new MinidlError(`${here}: the checkpoint's optimizer is ${saved.optimizer.type}, not ${type} like the one passed in`);
    loadOptimizer = prefixed(`${here}: optimizer`, () => (o.optimizer as Optimizer).checkedStateLoad(`${type}.loadStateDict`, saved.optimizer.state));
  }
  if (o.scheduler !== undefined) {
    const type = o.scheduler.constructor.name;
    if (saved.scheduler === undefined) throw new MinidlError(`${here}: the checkpoint holds no scheduler (it was saved without one)`);
    if (saved.scheduler.type !== type) throw new MinidlError(`${here}: the checkpoint's scheduler is ${saved.scheduler.type}, not ${type} like the one passed in`);
  }
  if (o.rng !== undefined) {
    if (saved.rng === undefined) throw new MinidlError(`${here}: the checkpoint holds no generator state (it was saved without rng)`);
    prefixed(`${here}: rng`, () => new Rng(0).setState(saved.rng as RngState)); // a throwaway generator: checks the state
  }
  // 2. The model (checked whole, then loaded), then the scheduler (the same); a refused
  //    scheduler state puts the model's values back.
  let model: Module;
  let putBack: () => void = () => undefined;
  if (o.model !== undefined) {
    const target = o.model;
    const tensors = [...target.params().map((p) => p.value), ...target.buffers().map((b) => b.value)];
    const before = tensors.map((t) => t.data.slice());
    putBack = () => tensors.forEach((t, i) => t.data.set(before[i]));
    prefixed(`${here}: model`, () => loadStateInto(target, saved.model));
    model = target;
  } else {
    model = buildModel(`${here}: model`, saved.model);
  }
  if (o.scheduler !== undefined) {
    try {
      prefixed(`${here}: scheduler`, () => (o.scheduler as LRScheduler).loadStateDict((saved.scheduler as SavedScheduler).state));
    } catch (err) {
      putBack();
      throw err;
    }
  }
  // 3. What cannot fail: the optimizer (after the scheduler, whose load sets lr: the optimizer's own saved lr is the last word), the generator.
  if (loadOptimizer !== null) loadOptimizer();
  if (o.rng !== undefined) o.rng.setState(saved.rng as RngState);
  return { model, epoch: saved.epoch ?? null, metadata: saved.metadata ?? null };
}

/**
 * Checks the structure of a parsed checkpoint (format, version, fields, the saved model) and
 * returns it typed; the optimizer, scheduler and generator states are checked by the objects
 * that load them. Messages start with `who` and `not a valid checkpoint`.
 */
function checkCheckpoint(who: string, parsed: unknown): SavedCheckpoint {
  const fail = (what: string): never => {
    throw new MinidlError(`${who}: not a valid checkpoint: ${what}`);
  };
  if (!isPlainObject(parsed)) fail(`expected an object, got ${describeValue(parsed)}`);
  const c = parsed as Record<string, unknown>;
  if (c.format === 'minidl-model') fail('this is a model file (written by saveModel); read it with loadModel');
  if (c.format !== CHECKPOINT_FORMAT) fail(`format is ${JSON.stringify(c.format)}, expected "${CHECKPOINT_FORMAT}"`);
  if (typeof c.version !== 'number' || !Number.isInteger(c.version) || c.version < 1) {
    fail(`format version ${JSON.stringify(c.version)} is not a version of this format (this minidl reads version ${CHECKPOINT_FORMAT_VERSION})`);
  }
  if ((c.version as number) > CHECKPOINT_FORMAT_VERSION) {
    fail(`format version ${c.version} is newer than this minidl reads (version ${CHECKPOINT_FORMAT_VERSION}): it was written by a newer minidl; update minidl to load it`);
  }
  for (const key of Object.keys(c)) {
    if (!CHECKPOINT_FIELDS.includes(key)) fail(`it has an unknown field ${JSON.stringify(key)} (known: ${CHECKPOINT_FIELDS.join(', ')})`);
  }
  if (c.epoch !== undefined && (typeof c.epoch !== 'number' || !Number.isInteger(c.epoch) || c.epoch < 0)) {
    fail(`"epoch" must be a whole number ≥ 0, got ${typeof c.epoch === 'number' ? c.epoch : describeValue(c.epoch)}`);
  }
  if (!('model' in c)) fail('"model" is missing');
  checkSaved(`${who}: model`, c.model);
  const part = (name: string, required: boolean): void => {
    const value = c[name];
    if (value === undefined && !required) return;
    if (!isPlainObject(value) || typeof value.type !== 'string' || !isPlainObject(value.state) || Object.keys(value).length !== 2) {
      fail(`"${name}" must be { type, state }, got ${describeValue(value)}`);
    }
  };
  part('optimizer', true);
  part('scheduler', false);
  if (c.rng !== undefined && !isPlainObject(c.rng)) fail(`"rng" must be a generator state { seed, alea, spareNormal }, got ${describeValue(c.rng)}`);
  if (c.metadata !== undefined && !isPlainObject(c.metadata)) fail(`"metadata" must be an object, got ${describeValue(c.metadata)}`);
  return c as unknown as SavedCheckpoint;
}

/** Refuses an optimizer that updates a parameter `model` does not have (it was made over another model). */
function checkOptimizerOfModel(who: string, model: Module, optimizer: Optimizer): void {
  const own = new Set(model.params());
  const stray = optimizer.params.findIndex((p) => !own.has(p));
  if (stray >= 0) {
    throw new MinidlError(`${who}: the optimizer ${optimizer} updates a parameter that is not the model's (its params[${stray}], ${optimizer.params[stray]}); make it with model.params() of this model`);
  }
}

/** Refuses a scheduler that sets the lr of another optimizer. */
function checkSchedulerOfOptimizer(who: string, scheduler: LRScheduler, optimizer: Optimizer): void {
  if (scheduler.optimizer !== optimizer) {
    throw new MinidlError(`${who}: the scheduler ${scheduler} sets the lr of another optimizer (${scheduler.optimizer}), not of ${optimizer}`);
  }
}

/** Runs `fn`; a MinidlError it throws is thrown again with `who` in front of its message. */
function prefixed<T>(who: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof MinidlError)) throw err;
    throw new MinidlError(`${who}: ${err.message}`, { cause: err });
  }
}
