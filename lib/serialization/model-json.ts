import { MinidlError, checkArgumentCount, formatShape } from '../errors';
import '../modules'; // minidl's own layers: each file registers its class (registerModule) as it loads
import { Module } from '../modules/module';
import { Parameter } from '../modules/parameter';
import { describeValue } from '../options';
import { Tensor } from '../tensor/tensor';
import { defaultRng } from '../random/rng';
import { encodeValues } from './exact-numbers';
import { decodeConfig, decodeValues, encodeConfig, moduleConfig, ownBuffers, ownParams, savedStateOf, savedTypeFor } from './module-tree';
import { copyJsonData } from './json-data';
import { moduleClassNamed } from './module-registry';
import { checkSaved } from './saved-model-check';
import { MODEL_FORMAT, MODEL_FORMAT_VERSION, SavedModel, SavedModule, SavedTensor } from './saved-model';

export { MODEL_FORMAT, MODEL_FORMAT_VERSION } from './saved-model';
export type { SavedModel, SavedModule, SavedTensor } from './saved-model';
export { loadStateInto } from './load-state';

/**
 * The model as a plain object (JSON-compatible), in format version `MODEL_FORMAT_VERSION`.
 * Every value comes back to the bit through `modelFromJSON`, also after `JSON.stringify` and
 * `JSON.parse`: numbers are written with all their digits, and −0 as `"-0"` (which
 * JSON.stringify would write as 0). Parameters shared between modules are written once.
 * `metadata` is copied (it must be plain JSON data: finite numbers, strings, booleans, null,
 * arrays, plain objects; a key whose value is undefined is left out).
 *
 * Each module is written as the name its class was registered under (`registerModule`; a
 * subclass of a registered class is not saved as its parent) and its `config()`.
 *
 * Throws a MinidlError, and returns nothing, when `model` is not a Module, holds a module whose
 * class is not registered or whose `config()` is not plain data, holds a NaN or ±Infinity
 * (named: module path, parameter or state name, flat index, value — such a model could not be
 * loaded back), or when `metadata` is not plain JSON data (a function, a BigInt, a cycle, a
 * Date, NaN, …, named by its place).
 */
export function modelToJSON(model: Module, metadata?: Record<string, unknown>): SavedModel {
  checkArgumentCount('modelToJSON', arguments.length, ['model', 'metadata']);
  return modelToSaved('modelToJSON', model, metadata);
}

/** `modelToJSON`, with messages starting with `who` (saveModel names its file). */
export function modelToSaved(who: string, model: unknown, metadata: unknown): SavedModel {
  if (!(model instanceof Module)) {
    throw new MinidlError(`${who}: model must be a Module (a layer or a container such as Sequential), got ${describeValue(model)}`);
  }
  if (metadata !== undefined && (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata))) {
    throw new MinidlError(`${who}: metadata must be an object of plain JSON data such as { epochs: 3 }, got ${describeValue(metadata)}`);
  }
  const copiedMetadata = metadata === undefined ? undefined : copyJsonData(who, 'metadata', metadata) as Record<string, unknown>;
  const parameters: SavedTensor[] = [];
  const ids = new Map<Parameter, number>();
  const visit = (m: Module, path: string): SavedModule => {
    const type = savedTypeFor(who, m, path);
    const where = `${path} (${m})`;
    const node: SavedModule = { type, config: encodeConfig(moduleConfig(who, where, m)) };
    const own = ownParams(who, m, path);
    if (own.size > 0) {
      node.params = {};
      for (const [name, p] of own) {
        if (!ids.has(p)) {
          ids.set(p, parameters.length);
          parameters.push(saveTensor(who, `${where} parameter '${name}'`, p.value));
        }
        node.params[name] = ids.get(p) as number;
      }
    }
    const buffers = ownBuffers(who, m, path);
    if (buffers.size > 0) {
      node.buffers = {};
      for (const [name, t] of buffers) node.buffers[name] = saveTensor(who, `${where} state '${name}'`, t);
    }
    const children = m.children();
    if (children.length > 0) node.children = children.map((c, i) => visit(c, `${path}.children[${i}]`));
    return node;
  };
  const architecture = visit(model, 'model');
  const saved: SavedModel = { format: MODEL_FORMAT, version: MODEL_FORMAT_VERSION, summary: model.toString(), architecture, parameters };
  if (copiedMetadata !== undefined) saved.metadata = copiedMetadata;
  return saved;
}

/** A tensor's shape and values as written; refuses a NaN or ±Infinity, naming the tensor, the flat index and the value. */
function saveTensor(who: string, what: string, t: Tensor): SavedTensor {
  const bad = t.firstNonFinite();
  if (bad >= 0) {
    throw new MinidlError(
      `${who}: ${what} holds ${t.data[bad]} at flat index ${bad} (shape ${formatShape(t.shape)}); ` +
      'a model with NaN or ±Infinity cannot be saved (JSON has no spelling for them, and such a model could not be loaded back)',
    );
  }
  return { shape: t.shape.slice(), values: encodeValues(t.data) };
}

/**
 * Rebuilds a model from `modelToJSON`'s object (or the parsed contents of a saved file, of
 * format version 1 or 2), each module by the static `fromConfig` of the class registered under
 * its type (`registerModule`). Everything is checked before the model is returned: the format
 * and version, every module type (registered) and config (no unknown key, and `fromConfig`
 * returns that class), every parameter's shape against the layer that uses it, every state
 * tensor, and that all values are finite numbers. Values come back to the bit (−0 included).
 * The model comes back in training mode, as a newly built one would, with its parameters, its
 * weight sharing and its state as saved; call `eval()` before predicting with a model that has
 * dropout or batch normalisation. Building leaves the global generator as it was (what the
 * rebuilt layers draw is given back). Throws a MinidlError naming the place in the saved model
 * otherwise.
 */
export function modelFromJSON(saved: unknown): Module {
  checkArgumentCount('modelFromJSON', arguments.length, ['saved']);
  return buildModel('modelFromJSON', checkSaved('modelFromJSON', saved));
}

/** Builds the model of a checked saved model; messages start with `who`. */
export function buildModel(who: string, model: SavedModel): Module {
  // The layers being rebuilt draw initial values (overwritten at once by the saved ones), some
  // from the global generator: it is put back as it was, so loading never changes a seeded run.
  const global = defaultRng();
  const state = global.state();
  try {
    return buildTree(who, model);
  } finally {
    global.setState(state);
  }
}

/** `buildModel`'s work: each module rebuilt by the `fromConfig` of its registered class, then given its saved values. */
function buildTree(who: string, model: SavedModel): Module {
  const built = new Map<number, Parameter>();
  const owners = new Map<number, Module>();
  const build = (node: SavedModule, path: string): Module => {
    const cls = moduleClassNamed(node.type);
    if (cls === undefined) throw new MinidlError(`${who}: ${path} has unknown module type ${JSON.stringify(node.type)}`); // checkSaved refused it already
    const children = (node.children ?? []).map((c, i) => build(c, `${path}.children[${i}]`));
    const savedIds = Object.values(node.params ?? {});
    const sharedId = savedIds.find((id) => owners.has(id));
    let module: Module;
    let config: Record<string, unknown>;
    try {
      config = decodeConfig(node.config, model.version);
      module = cls.fromConfig(config, children, sharedId === undefined ? null : (owners.get(sharedId) as Module));
    } catch (err) {
      if (!(err instanceof Error)) throw err;
      throw new MinidlError(`${who}: ${path} (${node.type}): ${err.message}`, { cause: err });
    }
    if (!(module instanceof Module) || Object.getPrototypeOf(module) !== cls.prototype) {
      throw new MinidlError(`${who}: ${path} (${node.type}): ${cls.name}.fromConfig returned ${describeValue(module)}, not a ${cls.name}`);
    }
    const where = `${path} (${module})`;
    const known = Object.keys(moduleConfig(who, where, module));
    const extra = Object.keys(config).filter((k) => !known.includes(k));
    if (extra.length > 0) {
      throw new MinidlError(`${who}: ${where} config has unknown key${extra.length > 1 ? 's' : ''} ${extra.map((k) => `'${k}'`).join(', ')} (known: ${known.join(', ') || 'none'})`);
    }
    const own = ownParams(who, module, path);
    const expected = [...own.keys()].sort().join(', ');
    const got = Object.keys(node.params ?? {}).sort().join(', ');
    if (expected !== got) {
      throw new MinidlError(`${who}: ${where} has parameters [${expected}] but the file gives [${got}]`);
    }
    for (const [name, p] of own) {
      const id = (node.params as Record<string, number>)[name];
      const source = model.parameters[id];
      if (!p.value.hasShape(source.shape)) {
        throw new MinidlError(`${who}: ${where} parameter '${name}' has shape ${formatShape(p.value.shape)} but the file gives ${formatShape(source.shape)}`);
      }
      if (!built.has(id)) {
        p.value.data.set(decodeValues(source, model.version));
        built.set(id, p);
        owners.set(id, module);
      } else if (built.get(id) !== p) {
        throw new MinidlError(`${who}: ${where} cannot share parameter '${name}' as the file asks`);
      }
    }
    const buffers = ownBuffers(who, module, path);
    const fileState = savedStateOf(node, buffers); //          a state added later and missing from an older file: its default
    const expectedState = [...buffers.keys()].sort().join(', ');
    const savedState = Object.keys(fileState).sort().join(', ');
    if (expectedState !== savedState) {
      throw new MinidlError(`${who}: ${where} has state [${expectedState}] but the file gives [${savedState}]`);
    }
    for (const [name, t] of buffers) {
      const source = fileState[name];
      if (!t.hasShape(source.shape)) {
        throw new MinidlError(`${who}: ${where} state '${name}' has shape ${formatShape(t.shape)} but the file gives ${formatShape(source.shape)}`);
      }
      t.data.set(decodeValues(source, model.version));
    }
    return module;
  };
  return build(model.architecture, 'model');
}

/**
 * Checks the whole structure of a saved model (format, version, fields, types, tensors, values,
 * references) without building it, and returns it typed (the same object). Throws a MinidlError
 * (`checkSavedModel: not a valid saved model: …`) naming what is wrong and where.
 */
export function checkSavedModel(saved: unknown): SavedModel {
  checkArgumentCount('checkSavedModel', arguments.length, ['saved']);
  return checkSaved('checkSavedModel', saved);
}
