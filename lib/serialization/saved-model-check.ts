import { MinidlError, formatShape } from '../errors';
import { describeValue } from '../options';
import { decodeNumber } from './exact-numbers';
import { isPlainObject } from './json-data';
import { moduleClassNamed, registeredNames } from './module-registry';
import {
  MODEL_FORMAT, MODEL_FORMAT_VERSION, OLDEST_MODEL_FORMAT_VERSION, SAVED_MODEL_FIELDS, SAVED_MODULE_FIELDS, SAVED_TENSOR_FIELDS,
  SavedModel, SavedModule,
} from './saved-model';

/**
 * Checks the whole structure of a saved model, as parsed from a file or made by `modelToJSON`,
 * before anything is built from it: that it is an object of the `minidl-model` format, of a
 * version this minidl reads, with no unknown field; that every module has a registered type, a
 * config object, parameter references that exist, state tensors and children lists; that every
 * tensor has a valid shape and exactly as many values, each a finite number (or `"-0"`, from
 * version 2); that every saved parameter is used; that metadata is an object. Returns it typed
 * (the same object). Throws a MinidlError starting with `who` and `not a valid saved model`.
 * Constructor arguments and parameter shapes are checked against the layers when building.
 */
export function checkSaved(who: string, saved: unknown): SavedModel {
  const fail = (what: string): never => {
    throw new MinidlError(`${who}: not a valid saved model: ${what}`);
  };
  if (!isPlainObject(saved)) fail(`expected an object (the contents of a model file), got ${describeValue(saved)}`);
  const s = saved as Partial<SavedModel> & Record<string, unknown>;
  if (!('format' in s)) {
    fail(`it has no "format" field, so it is not a minidl model (a model file starts with {"format":"${MODEL_FORMAT}","version":…}); its fields are ${fieldList(s)}`);
  }
  if (s.format !== MODEL_FORMAT) fail(`format is ${JSON.stringify(s.format)}, expected "${MODEL_FORMAT}"`);
  const version = s.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < OLDEST_MODEL_FORMAT_VERSION) {
    fail(`format version ${JSON.stringify(version)} is not a version of this format (this minidl reads versions ${OLDEST_MODEL_FORMAT_VERSION} to ${MODEL_FORMAT_VERSION})`);
  }
  if ((version as number) > MODEL_FORMAT_VERSION) {
    fail(`format version ${version} is newer than this minidl reads (versions ${OLDEST_MODEL_FORMAT_VERSION} to ${MODEL_FORMAT_VERSION}): it was written by a newer minidl; update minidl to load it`);
  }
  unknownFields(s, SAVED_MODEL_FIELDS, 'the model', fail);
  if (typeof s.summary !== 'string') fail(`"summary" must be a string, got ${describeValue(s.summary)}`);
  if (s.metadata !== undefined && !isPlainObject(s.metadata)) fail(`"metadata" must be an object, got ${describeValue(s.metadata)}`);
  if (!Array.isArray(s.parameters)) fail(`"parameters" must be a list of tensors, got ${describeValue(s.parameters)}`);
  const parameters = s.parameters as unknown[];
  parameters.forEach((t, i) => checkSavedTensor(t, `parameters[${i}]`, version as number, fail));
  const used = new Set<number>();
  const visit = (node: unknown, path: string): void => {
    if (!isPlainObject(node)) fail(`${path} is not an object but ${describeValue(node)}`);
    const n = node as Partial<SavedModule> & Record<string, unknown>;
    if (typeof n.type !== 'string' || moduleClassNamed(n.type) === undefined) {
      const hint = typeof n.type === 'string' && n.type !== ''
        ? `; if it is a layer of your own, register its class before loading: registerModule(${n.type}, ${JSON.stringify(n.type)})`
        : '';
      fail(`${path} has unknown module type ${JSON.stringify(n.type)} (known: ${registeredNames()})${hint}`);
    }
    const where = `${path} (${n.type})`;
    unknownFields(n, SAVED_MODULE_FIELDS, where, fail);
    if (!isPlainObject(n.config)) fail(`${where} has no config object (got ${describeValue(n.config)})`);
    if (n.params !== undefined && !isPlainObject(n.params)) fail(`${where} "params" must be an object, got ${describeValue(n.params)}`);
    for (const [name, id] of Object.entries(n.params ?? {})) {
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= parameters.length) {
        fail(`${where} parameter '${name}' refers to parameters[${JSON.stringify(id)}], which does not exist (there are ${parameters.length})`);
      }
      used.add(id);
    }
    if (n.buffers !== undefined && !isPlainObject(n.buffers)) fail(`${where} "buffers" must be an object, got ${describeValue(n.buffers)}`);
    for (const [name, t] of Object.entries(n.buffers ?? {})) checkSavedTensor(t, `${where} state '${name}'`, version as number, fail);
    if (n.children !== undefined && !Array.isArray(n.children)) fail(`${where} children must be a list, got ${describeValue(n.children)}`);
    (n.children ?? []).forEach((c, i) => visit(c, `${path}.children[${i}]`));
  };
  if (!('architecture' in s)) fail('"architecture" is missing');
  visit(s.architecture, 'architecture');
  if (used.size !== parameters.length) {
    const unused = parameters.map((_, i) => i).filter((i) => !used.has(i));
    fail(`parameters[${unused.join('], parameters[')}] ${unused.length === 1 ? 'is' : 'are'} not used by any module`);
  }
  return s as SavedModel;
}

function checkSavedTensor(t: unknown, where: string, version: number, fail: (what: string) => never): void {
  if (!isPlainObject(t)) fail(`${where} is not a tensor ({ shape, values }) but ${describeValue(t)}`);
  unknownFields(t as Record<string, unknown>, SAVED_TENSOR_FIELDS, where, fail);
  const { shape, values } = t as { shape?: unknown; values?: unknown };
  if (!Array.isArray(shape) || shape.length === 0 || !shape.every((n) => Number.isInteger(n) && n >= 1)) {
    fail(`${where} has an invalid shape ${JSON.stringify(shape)} (expected a list of whole numbers ≥ 1)`);
  }
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  if (!Array.isArray(values)) fail(`${where} has no list of values (got ${describeValue(values)})`);
  const list = values as unknown[];
  if (list.length !== size) {
    fail(`${where} has shape ${formatShape(shape as number[])} (${size} values) but ${list.length} values (truncated file?)`);
  }
  for (let i = 0; i < size; i++) {
    if (decodeNumber(list[i], version) === undefined) {
      const spelled = list[i] === undefined ? 'missing' : typeof list[i] === 'number' ? String(list[i]) : JSON.stringify(list[i]);
      fail(`${where} value ${i} is ${spelled}, not a finite number${version < 2 ? '' : ' (or "-0")'}`);
    }
  }
}

/** Refuses a field the format does not have (a misspelt `buffer` would otherwise be ignored). */
function unknownFields(object: Record<string, unknown>, known: readonly string[], where: string, fail: (what: string) => never): void {
  for (const key of Object.keys(object)) {
    if (!known.includes(key)) fail(`${where} has an unknown field ${JSON.stringify(key)} (known: ${known.join(', ')})`);
  }
}

function fieldList(object: object): string {
  const keys = Object.keys(object);
  return keys.length === 0 ? 'none' : keys.slice(0, 8).map((k) => JSON.stringify(k)).join(', ') + (keys.length > 8 ? ', …' : '');
}
