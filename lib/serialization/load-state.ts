import { MinidlError, checkArgumentCount, formatShape, sameShape } from '../errors';
import { Module } from '../modules/module';
import { Parameter } from '../modules/parameter';
import { describeValue } from '../options';
import { Tensor } from '../tensor/tensor';
import { decodeConfig, decodeValues, ownBuffers, ownParams, moduleConfig, savedStateOf, savedTypeFor } from './module-tree';
import { isPlainObject } from './json-data';
import { checkSaved } from './saved-model-check';
import { SavedModule, SavedTensor } from './saved-model';

/**
 * Copies saved parameter values and state (running statistics) into `model`, an existing model
 * of the same architecture — PyTorch's `model.load_state_dict(state)` with `strict=True`.
 *
 * "The same architecture" means, module by module: the same class, the same constructor
 * arguments (a LeakyReLU(0.1) does not take the state of a LeakyReLU(0.2)), the same
 * parameters and state tensors by name and shape (a BatchNorm saved before it counted its
 * batches has no `numBatchesTracked`: it loads as 0, see saved-model.ts), and the same weight
 * sharing. Values are copied to the bit (−0 included); gradients, training mode and everything
 * else are left as they are.
 *
 * Everything is checked before the first value is written, so on any error — `saved` not a
 * valid saved model, or any difference of architecture, named by its path — a MinidlError is
 * thrown and the model is exactly as it was. `saved` is what `modelToJSON` returns or what
 * `readModelFile` reads (to load from a file, `loadStateInto(model, readModelFile(file))`).
 */
export function loadStateInto(model: Module, saved: unknown): void {
  const who = 'loadStateInto';
  checkArgumentCount(who, arguments.length, ['model', 'saved']);
  if (!(model instanceof Module)) throw new MinidlError(`${who}: model must be a Module, got ${describeValue(model)}`);
  if (typeof saved === 'string') {
    throw new MinidlError(`${who}: saved must be a saved model (from modelToJSON or readModelFile), got string '${saved}' (to load from a file: loadStateInto(model, readModelFile(file)))`);
  }
  if (!isPlainObject(saved)) {
    throw new MinidlError(`${who}: saved must be a saved model (from modelToJSON or readModelFile), got ${describeValue(saved)}`);
  }
  const checked = checkSaved(who, saved);
  const copies: Array<{ into: Tensor; from: SavedTensor }> = [];
  const paired = new Map<number, Parameter>();
  const pairedBack = new Map<Parameter, number>();
  const differ = (path: string, what: string): never => {
    throw new MinidlError(`${who}: the model does not match the saved one at ${path}: ${what}; nothing was loaded`);
  };
  const visit = (m: Module, node: SavedModule, path: string): void => {
    const type = savedTypeFor(who, m, path);
    if (type !== node.type) differ(path, `the model has ${m} but the saved model has a ${node.type} there`);
    let decoded: Record<string, unknown>;
    try {
      decoded = decodeConfig(node.config, checked.version);
    } catch (err) {
      throw new MinidlError(`${who}: ${path} (${node.type}): ${(err as Error).message}`, { cause: err });
    }
    const differences = configDifferences(moduleConfig(who, `${path} (${m})`, m), decoded);
    if (differences !== '') differ(path, `the model has ${m} but the saved model's ${node.type} has ${differences}`);
    const where = `${path} (${m})`;
    const own = ownParams(who, m, path);
    const names = [...own.keys()].sort().join(', ');
    const savedNames = Object.keys(node.params ?? {}).sort().join(', ');
    if (names !== savedNames) differ(where, `the model has parameters [${names}] but the saved model has [${savedNames}]`);
    for (const [name, p] of own) {
      const id = (node.params as Record<string, number>)[name];
      const source = checked.parameters[id];
      if (!sameShape(p.value.shape, source.shape)) {
        differ(where, `parameter '${name}' has shape ${formatShape(p.value.shape)} in the model but ${formatShape(source.shape)} in the saved one`);
      }
      const before = paired.get(id), back = pairedBack.get(p);
      if ((before !== undefined && before !== p) || (back !== undefined && back !== id)) {
        differ(where, `parameter '${name}' is shared differently in the model and in the saved one (weight sharing)`);
      }
      if (before === undefined) {
        paired.set(id, p);
        pairedBack.set(p, id);
        copies.push({ into: p.value, from: source });
      }
    }
    const buffers = ownBuffers(who, m, path);
    const fileState = savedStateOf(node, buffers); //          a state added later and missing from an older file: its default
    const state = [...buffers.keys()].sort().join(', ');
    const savedState = Object.keys(fileState).sort().join(', ');
    if (state !== savedState) differ(where, `the model has state [${state}] but the saved model has [${savedState}]`);
    for (const [name, t] of buffers) {
      const source = fileState[name];
      if (!sameShape(t.shape, source.shape)) {
        differ(where, `state '${name}' has shape ${formatShape(t.shape)} in the model but ${formatShape(source.shape)} in the saved one`);
      }
      copies.push({ into: t, from: source });
    }
    const children = m.children();
    const savedChildren = node.children ?? [];
    if (children.length !== savedChildren.length) {
      differ(where, `the model has ${children.length} modules inside but the saved model has ${savedChildren.length}`);
    }
    children.forEach((c, i) => visit(c, savedChildren[i], `${path}.children[${i}]`));
  };
  visit(model, checked.architecture, 'model');
  const values = copies.map(({ from }) => decodeValues(from, checked.version));
  copies.forEach(({ into }, i) => into.data.set(values[i]));
}

/** The constructor arguments that differ, as `bias: true (not false)`, −0 told apart from 0; '' when they are the same. */
function configDifferences(own: Record<string, unknown>, saved: Record<string, unknown>): string {
  const spell = (v: unknown): string => {
    if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
    if (Array.isArray(v)) return `[${v.map(spell).join(',')}]`;
    return v === undefined ? 'nothing' : JSON.stringify(v);
  };
  const keys = [...new Set([...Object.keys(own), ...Object.keys(saved)])].sort();
  return keys
    .filter((k) => spell(own[k]) !== spell(saved[k]))
    .map((k) => `${k}: ${spell(saved[k])} (not ${spell(own[k])})`)
    .join(', ');
}
