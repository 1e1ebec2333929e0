/**
 * The saved-model format: what `modelToJSON` returns and `saveModel` writes as JSON text.
 *
 * Versions:
 * - 1: the first format. JSON.stringify wrote −0 as 0, so a −0 came back as +0.
 * - 2: a −0 (a tensor value or a constructor argument) is written as the string `"-0"`
 *   (lib/serialization/exact-numbers.ts), so every value comes back to the bit.
 *
 * This minidl writes version 2 and reads versions 1 and 2; a file of a newer version is refused
 * (its numbers could mean something this version does not know), as is any other version.
 *
 * State a layer gained later, without a new version (`STATE_ADDED_LATER`): BatchNorm1d and
 * BatchNorm2d count their training batches in the state `numBatchesTracked` (PyTorch's
 * `num_batches_tracked`). A file written before they did has no such state: it loads as 0, as
 * PyTorch loads its own older files. A new file holding it is refused by a minidl from before
 * the count, which names the unknown state (`has state [runningMean, runningVar] but the file
 * gives [numBatchesTracked, runningMean, runningVar]`). The version is kept because the meaning
 * of every number already in a file is unchanged.
 */

/** The format name written into every saved model. */
export const MODEL_FORMAT = 'minidl-model';

/** The version of the format this minidl writes; it reads this one and every earlier one (from 1). */
export const MODEL_FORMAT_VERSION = 2;

/** The oldest version this minidl reads. */
export const OLDEST_MODEL_FORMAT_VERSION = 1;

/** A tensor in a saved model: its shape and its values in row-major order. */
export interface SavedTensor {
  /** Size along each axis. */
  shape: number[];
  /** The values, row-major, as many as the shape holds: finite numbers, and `"-0"` for negative zero (version 2). */
  values: Array<number | '-0'>;
}

/** One module in a saved model's architecture. */
export interface SavedModule {
  /** The name its class is registered under (`registerModule`), e.g. `Linear`. */
  type: string;
  /** What its constructor needs, its `config()`, e.g. `{ inFeatures: 2, outFeatures: 25, bias: true }` (a −0 is written `"-0"`). */
  config: Record<string, unknown>;
  /** Its own parameters by name, each an index into `SavedModel.parameters` (shared ones share an index). */
  params?: Record<string, number>;
  /** Its own non-learnable state by name (e.g. running statistics). */
  buffers?: Record<string, SavedTensor>;
  /** The modules inside it, for containers. */
  children?: SavedModule[];
}

/**
 * A whole model as a plain JSON-compatible object: architecture, parameter values and state,
 * with a format version. `metadata` carries what the caller wants to keep with the model (e.g.
 * the input standardization of the training set).
 */
export interface SavedModel {
  /** Always `minidl-model`. */
  format: typeof MODEL_FORMAT;
  /** The format version (`MODEL_FORMAT_VERSION` when written by this minidl). */
  version: number;
  /** `toString()` of the model, for people reading the file. */
  summary: string;
  /** The module tree: types, constructor configs, references to parameters, state. */
  architecture: SavedModule;
  /** Every parameter once (shared parameters are referenced by several modules). */
  parameters: SavedTensor[];
  /** Whatever the caller saved with the model: plain JSON data. */
  metadata?: Record<string, unknown>;
}

/** The fields a saved model may have, in the order they are written. */
export const SAVED_MODEL_FIELDS: readonly string[] = ['format', 'version', 'summary', 'architecture', 'parameters', 'metadata'];

/** The fields a module of a saved model may have. */
export const SAVED_MODULE_FIELDS: readonly string[] = ['type', 'config', 'params', 'buffers', 'children'];

/** The fields a tensor of a saved model has. */
export const SAVED_TENSOR_FIELDS: readonly string[] = ['shape', 'values'];

/** A state tensor a layer gained after its type was first saved (see the versions above). */
export interface StateAddedLater {
  /** The type the module is saved under (`registerModule`), e.g. `BatchNorm1d`. */
  type: string;
  /** The state's name. */
  name: string;
  /** The value of each of its entries when a file has none. */
  missing: number;
}

/** The state tensors files written before them may lack, and the value they then load as. */
export const STATE_ADDED_LATER: readonly StateAddedLater[] = [
  { type: 'BatchNorm1d', name: 'numBatchesTracked', missing: 0 },
  { type: 'BatchNorm2d', name: 'numBatchesTracked', missing: 0 },
];
