import { MinidlError, formatShape } from '../errors';
import { Module, describe } from '../modules/module';
import { Parameter } from '../modules/parameter';
import { Tensor } from '../tensor/tensor';
import { moduleCodecs, ModuleCodec } from './codecs';

/** The format name and version written into every saved model. */
export const MODEL_FORMAT = 'minidl-model';
/** The version of the format this minidl writes and reads; a file of another version is refused. */
export const MODEL_FORMAT_VERSION = 1;

/** A tensor in a saved model: its shape and its values in row-major order. */
export interface SavedTensor {
  /** Size along each axis. */
  shape: number[];
  /** The values, row-major, as many as the shape holds. */
  values: number[];
}

/** One module in a saved model's architecture. */
export interface SavedModule {
  /** The class, e.g. `Linear`. */
  type: string;
  /** What its constructor needs, e.g. `{ inFeatures: 2, outFeatures: 25, bias: true }`. */
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
  /** Whatever the caller saved with the model. */
  metadata?: Record<string, unknown>;
}

function saveTensor(t: Tensor): SavedTensor {
  return { shape: t.shape.slice(), values: Array.from(t.data) };
}

/**
 * The model as a plain object (JSON-compatible; numbers are written exactly, so a model
 * round-trips bit for bit). Parameters shared between modules are written once.
 */
export function modelToJSON(model: Module, metadata?: Record<string, unknown>): SavedModel {
  if (!(model instanceof Module)) throw new MinidlError(`modelToJSON: expected a Module, got ${describe(model)}`);
  const parameters: SavedTensor[] = [];
  const ids = new Map<Parameter, number>();
  const visit = (m: Module, path: string): SavedModule => {
    const codec = codecFor(m, path);
    const node: SavedModule = { type: codec.type, config: codec.config(m) };
    const own = ownParams(m, path);
    if (own.size > 0) {
      node.params = {};
      for (const [name, p] of own) {
        if (!ids.has(p)) {
          ids.set(p, parameters.length);
          parameters.push(saveTensor(p.value));
        }
        node.params[name] = ids.get(p) as number;
      }
    }
    const buffers = ownBuffers(m, path);
    if (buffers.size > 0) {
      node.buffers = {};
      for (const [name, t] of buffers) node.buffers[name] = saveTensor(t);
    }
    const children = codec.children ? codec.children(m) : [];
    if (children.length > 0) node.children = children.map((c, i) => visit(c, `${path}.children[${i}]`));
    return node;
  };
  const architecture = visit(model, 'model');
  const saved: SavedModel = { format: MODEL_FORMAT, version: MODEL_FORMAT_VERSION, summary: model.toString(), architecture, parameters };
  if (metadata !== undefined) saved.metadata = metadata;
  return saved;
}

/**
 * Rebuilds a model from `modelToJSON`'s object (or the parsed contents of a saved file).
 * Everything is checked before a module is built: the format and version, every module type
 * and config, every parameter's shape against the layer that uses it, and that all values are
 * finite numbers. The model comes back in training mode, as a newly built one would, with
 * its parameters, its weight sharing and its state as saved; call `eval()` before predicting
 * with a model that has dropout or batch normalisation.
 */
export function modelFromJSON(saved: unknown): Module {
  const model = checkSavedModel(saved);
  const built = new Map<number, Parameter>();
  const owners = new Map<number, Module>();
  const build = (node: SavedModule, path: string): Module => {
    const codec = moduleCodecs.get(node.type) as ModuleCodec;
    const children = (node.children ?? []).map((c, i) => build(c, `${path}.children[${i}]`));
    const savedIds = Object.values(node.params ?? {});
    const sharedId = savedIds.find((id) => owners.has(id));
    let module: Module;
    try {
      module = codec.create(node.config, children, sharedId === undefined ? null : (owners.get(sharedId) as Module));
    } catch (err) {
      throw new MinidlError(`modelFromJSON: ${path} (${node.type}): ${(err as Error).message}`, { cause: err });
    }
    const own = ownParams(module, path);
    const expected = [...own.keys()].sort().join(', ');
    const got = Object.keys(node.params ?? {}).sort().join(', ');
    if (expected !== got) {
      throw new MinidlError(`modelFromJSON: ${path} (${module}) has parameters [${expected}] but the file gives [${got}]`);
    }
    for (const [name, p] of own) {
      const id = (node.params as Record<string, number>)[name];
      const source = model.parameters[id];
      if (!p.value.hasShape(source.shape)) {
        throw new MinidlError(`modelFromJSON: ${path} (${module}) parameter '${name}' has shape ${formatShape(p.value.shape)} but the file gives ${formatShape(source.shape)}`);
      }
      if (!built.has(id)) {
        p.value.data.set(source.values);
        built.set(id, p);
        owners.set(id, module);
      } else if (built.get(id) !== p) {
        throw new MinidlError(`modelFromJSON: ${path} (${module}) cannot share parameter '${name}' as the file asks`);
      }
    }
    const buffers = ownBuffers(module, path);
    const savedBuffers = Object.keys(node.buffers ?? {}).sort().join(', ');
    if ([...buffers.keys()].sort().join(', ') !== savedBuffers) {
      throw new MinidlError(`modelFromJSON: ${path} (${module}) has state [${[...buffers.keys()].sort().join(', ')}] but the file gives [${savedBuffers}]`);
    }
    for (const [name, t] of buffers) {
      const source = (node.buffers as Record<string, SavedTensor>)[name];
      if (!t.hasShape(source.shape)) {
        throw new MinidlError(`modelFromJSON: ${path} (${module}) state '${name}' has shape ${formatShape(t.shape)} but the file gives ${formatShape(source.shape)}`);
      }
      t.data.set(source.values);
    }
    return module;
  };
  return build(model.architecture, 'model');
}

/**
 * Copies saved parameter values and state into an existing model of the same architecture.
 * Every shape is checked before anything is written, so on an error the model is unchanged.
 */
export function loadStateInto(model: Module, saved: unknown): void {
  const fresh = modelFromJSON(saved);
  const target = model.params(), source = fresh.params();
  if (fresh.toString() !== model.toString() || target.length !== source.length) {
    throw new MinidlError(`loadStateInto: the saved model is ${fresh} but the model is ${model}`);
  }
  target.forEach((p, i) => {
    if (!p.value.hasShape(source[i].value.shape)) {
      throw new MinidlError(`loadStateInto: parameter ${i} (${p.name}) has shape ${formatShape(p.value.shape)} but the saved one has ${formatShape(source[i].value.shape)}`);
    }
  });
  const targetBuffers = model.buffers(), sourceBuffers = fresh.buffers();
  if (targetBuffers.length !== sourceBuffers.length || targetBuffers.some((b, i) => !b.value.hasShape(sourceBuffers[i].value.shape))) {
    throw new MinidlError('loadStateInto: the saved state (running statistics) does not match the model');
  }
  target.forEach((p, i) => p.value.data.set(source[i].value.data));
  targetBuffers.forEach((b, i) => b.value.data.set(sourceBuffers[i].value.data));
}

function codecFor(m: Module, path: string): ModuleCodec {
  if (!(m instanceof Module)) throw new MinidlError(`modelToJSON: ${path} is not a Module but ${describe(m)}`);
  for (const codec of moduleCodecs.values()) if (codec.matches(m)) return codec;
  throw new MinidlError(
    `modelToJSON: cannot save ${path} ${m} (class ${m.constructor.name}): only minidl's own modules can be saved; known types: ${[...moduleCodecs.keys()].join(', ')}`,
  );
}

/** The parameters a module holds itself (not through its children), by name. */
function ownParams(m: Module, path: string): Map<string, Parameter> {
  const inChildren = new Set(m.children().flatMap((c) => c.params()));
  const own = new Map<string, Parameter>();
  for (const p of m.params()) {
    if (inChildren.has(p)) continue;
    if (own.has(p.name)) throw new MinidlError(`${path} ${m} has two parameters named '${p.name}'; names must be unique to save it`);
    own.set(p.name, p);
  }
  return own;
}

/** The state tensors a module holds itself (not through its children), by name. */
function ownBuffers(m: Module, path: string): Map<string, Tensor> {
  const inChildren = new Set(m.children().flatMap((c) => c.buffers().map((b) => b.value)));
  const own = new Map<string, Tensor>();
  for (const b of m.buffers()) {
    if (inChildren.has(b.value)) continue;
    if (own.has(b.name)) throw new MinidlError(`${path} ${m} has two state tensors named '${b.name}'; names must be unique to save it`);
    own.set(b.name, b.value);
  }
  return own;
}

/** Checks the whole structure of a saved model (format, version, types, tensors, references); returns it typed. */
export function checkSavedModel(saved: unknown): SavedModel {
  const fail = (what: string): never => {
    throw new MinidlError(`modelFromJSON: not a valid saved model: ${what}`);
  };
  if (saved === null || typeof saved !== 'object') fail(`expected an object, got ${describe(saved)}`);
  const s = saved as Partial<SavedModel>;
  if (s.format !== MODEL_FORMAT) fail(`format is ${JSON.stringify(s.format)}, expected "${MODEL_FORMAT}"`);
  if (s.version !== MODEL_FORMAT_VERSION) {
    fail(`format version ${JSON.stringify(s.version)} is not supported (this minidl reads version ${MODEL_FORMAT_VERSION})`);
  }
  if (!Array.isArray(s.parameters)) fail('"parameters" is missing');
  (s.parameters as unknown[]).forEach((t, i) => checkSavedTensor(t, `parameters[${i}]`, fail));
  const used = new Set<number>();
  const visit = (node: unknown, path: string): void => {
    if (node === null || typeof node !== 'object') fail(`${path} is not an object`);
    const n = node as Partial<SavedModule>;
    if (typeof n.type !== 'string' || !moduleCodecs.has(n.type)) {
      fail(`${path} has unknown module type ${JSON.stringify(n.type)} (known: ${[...moduleCodecs.keys()].join(', ')})`);
    }
    if (n.config === null || typeof n.config !== 'object') fail(`${path} (${n.type}) has no config`);
    for (const [name, id] of Object.entries(n.params ?? {})) {
      if (!Number.isInteger(id) || id < 0 || id >= (s.parameters as unknown[]).length) {
        fail(`${path} (${n.type}) parameter '${name}' refers to parameters[${id}], which does not exist`);
      }
      used.add(id);
    }
    for (const [name, t] of Object.entries(n.buffers ?? {})) checkSavedTensor(t, `${path} (${n.type}) state '${name}'`, fail);
    if (n.children !== undefined && !Array.isArray(n.children)) fail(`${path} (${n.type}) children is not a list`);
    (n.children ?? []).forEach((c, i) => visit(c, `${path}.children[${i}]`));
  };
  visit(s.architecture, 'architecture');
  if (used.size !== (s.parameters as unknown[]).length) fail('some saved parameters are not used by any module');
  return s as SavedModel;
}

function checkSavedTensor(t: unknown, where: string, fail: (what: string) => never): void {
  if (t === null || typeof t !== 'object') fail(`${where} is not a tensor`);
  const { shape, values } = t as Partial<SavedTensor>;
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((n) => Number.isInteger(n) && n >= 1)) {
    fail(`${where} has an invalid shape ${JSON.stringify(shape)}`);
  }
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  if (!Array.isArray(values)) fail(`${where} has no values`);
  if ((values as unknown[]).length !== size) {
    fail(`${where} has shape ${formatShape(shape as number[])} (${size} values) but ${(values as unknown[]).length} values (truncated file?)`);
  }
  for (let i = 0; i < size; i++) {
    const v = (values as unknown[])[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${where} value ${i} is ${JSON.stringify(v)}, not a finite number`);
  }
}
