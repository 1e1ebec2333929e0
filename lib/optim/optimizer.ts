import { MinidlError, checkPositive, describeValue } from '../errors';
import { describe } from '../modules/module';
import { Parameter } from '../modules/parameter';
import { isPlainObject } from '../serialization/json-data';
import { longLivedValues } from '../tensor/memory';
import { Tensor, keptTensor } from '../tensor/tensor';
import {
  HyperParameters, OptimizerState, ParamGroupState, SavedHyperParameter, SavedStateValue, StateKinds,
  readHyperParameter, readStateNumber, readStateTensor, writeHyperParameter, writeStateNumber, writeStateTensor,
} from './optimizer-state';

/**
 * What an optimizer keeps for one parameter between steps (PyTorch's `optimizer.state[p]`):
 * tensors such as a momentum buffer, and numbers such as a step count.
 */
export type ParamState = Record<string, Tensor | number>;

/**
 * The base class of the optimizers: something that, given the parameters' gradients, moves
 * their values (`step`), and clears the gradients for the next batch (`zeroGrad`).
 *
 * A training step is always:
 *   optimizer.zeroGrad();  loss.forward(model.forward(x), y);
 *   model.backward(loss.backward());  optimizer.step();
 */
export abstract class Optimizer {
  /** The parameters this optimizer updates, as passed to the constructor (`model.params()`). */
  readonly params: readonly Parameter[];
  /** The learning rate; may be changed between steps (a learning-rate schedule). */
  lr: number;
  /**
   * Per-parameter state, filled by `step()` (PyTorch's `optimizer.state`): SGD's
   * `momentumBuffer`, Adam's `step`, `expAvg` and `expAvgSq`. Read it; let `step` write it.
   */
  readonly state = new Map<Parameter, ParamState>();

  constructor(who: string, params: Parameter[], lr: number) {
    if (!Array.isArray(params)) {
      throw new MinidlError(`${who}: params must be an array of Parameters (e.g. model.params()), got ${describe(params)}`);
    }
    if (params.length === 0) throw new MinidlError(`${who}: got an empty parameter list`);
    const seen = new Set<Parameter>();
    params.forEach((p, i) => {
      if (!(p instanceof Parameter)) throw new MinidlError(`${who}: params[${i}] is not a Parameter, got ${describe(p)}`);
      if (seen.has(p)) throw new MinidlError(`${who}: params[${i}] (${p}) appears twice; it would be updated twice per step`);
      seen.add(p);
    });
    this.params = params.slice();
    this.lr = lr;
  }

  /** Updates every parameter from its gradient. */
  abstract step(): void;

  /** The state of parameter `p`, an empty record before its first step. */
  protected stateOf(p: Parameter): ParamState {
    let s = this.state.get(p);
    if (s === undefined) {
      s = {};
      this.state.set(p, s);
    }
    return s;
  }

  /**
   * The state tensor `name` of parameter `p` (a momentum buffer, a moment estimate): zeros of
   * p's shape made at its first use, then the same tensor at every step. It outlives steps, so
   * an optimizer of your own can make its state here inside `step()` as PyTorch's do.
   */
  protected stateTensor(p: Parameter, name: string): Tensor {
    const s = this.stateOf(p);
    const existing = s[name];
    if (existing instanceof Tensor) return existing;
    const made = keptTensor(p.shape, longLivedValues(p.value.size));
    s[name] = made;
    return made;
  }

  /** Sets every parameter's gradient to zero. */
  zeroGrad(): void {
    for (const p of this.params) p.zeroGrad();
  }

  /**
   * The hyper-parameters of the one parameter group, as the constructor's options name them
   * (`{ lr, momentum, … }`, Adam's `betas` as a pair): what `stateDict()` writes next to the
   * parameter indices in `paramGroups[0]`. The base class has `lr`; each optimizer adds its own.
   */
  protected hyperParameters(): HyperParameters {
    return { lr: this.lr };
  }

  /**
   * Sets the hyper-parameters `hyperParameters()` names from values already checked to be of
   * the same kinds; the base class sets the fields of the same names (Adam and AdamW turn
   * `betas` into beta1 and beta2). Loading a state sets them as the constructor did, the
   * `readonly` ones included.
   */
  protected setHyperParameters(values: HyperParameters): void {
    Object.assign(this, values);
  }

  /**
   * Throws a MinidlError starting with `who`, before any parameter moves, when a gradient holds
   * NaN or ±Infinity: the update would write it into the parameter and into the optimizer's
   * state (PyTorch's step would, silently). Names the parameter and the flat index.
   */
  protected checkGradients(who: string): void {
    this.params.forEach((p, i) => {
      const bad = p.grad.firstNonFinite();
      if (bad >= 0) {
        throw new MinidlError(`${who}: the gradient of parameter ${i} (${p}) holds ${p.grad.data[bad]} at flat index ${bad}; nothing was updated (find the layer or loss that produced it; a smaller learning rate often prevents it)`);
      }
    });
  }

  /** Throws a MinidlError starting with `who` when a hyper-parameter is out of its range (the base class: lr a finite number ≥ 0). */
  protected checkHyperParameters(who: string): void {
    checkPositive(who, 'lr', this.lr, true);
  }

  /**
   * The state this optimizer keeps per parameter, by name and kind (Adam: `step` a number,
   * `expAvg` a tensor, …), so that a misspelt or foreign name is refused on load; null (the
   * base class, for optimizers of your own) accepts any name.
   */
  protected stateKinds(): StateKinds | null {
    return null;
  }

  /**
   * The optimizer's state as plain JSON, PyTorch's `state_dict()` (see `OptimizerState`):
   * `state` keyed by each parameter's index in `params` (those with no state yet left out),
   * numbers and tensors `{ shape, values }`; and `paramGroups: [{ …hyper-parameters, params:
   * [0, 1, …] }]`. A copy: changing it changes nothing. Every number comes back to the bit
   * through JSON (−0 is written `"-0"`).
   *
   * State kept outside `state` (a field of an optimizer of your own) is not in it.
   * Throws a MinidlError for a NaN or ±Infinity in the state or in a hyper-parameter (named:
   * parameter index, state name, flat index), which JSON cannot hold.
   */
  stateDict(): OptimizerState {
    const who = `${this.constructor.name}.stateDict`;
    const state: Record<string, Record<string, SavedStateValue>> = {};
    this.params.forEach((p, i) => {
      const record = this.state.get(p);
      if (record === undefined || Object.keys(record).length === 0) return;
      const written: Record<string, SavedStateValue> = {};
      for (const [name, value] of Object.entries(record)) {
        const where = `state[${i}].${name} (${p})`;
        written[name] = value instanceof Tensor ? writeStateTensor(who, where, value) : writeStateNumber(who, where, value);
      }
      state[String(i)] = written;
    });
    const hyper: Record<string, SavedHyperParameter> = {};
    for (const [name, value] of Object.entries(this.hyperParameters())) hyper[name] = writeHyperParameter(who, name, value);
    const group: ParamGroupState = { ...hyper, params: this.params.map((_, i) => i) };
    return { state, paramGroups: [group] };
  }

  /**
   * Loads a state that `stateDict()` returned (possibly through JSON, from an optimizer of the
   * same class over parameters of the same shapes): PyTorch's `load_state_dict`. The state of
   * every parameter is replaced (a parameter the state leaves out starts afresh, as before its
   * first step), and so are the hyper-parameters, lr included.
   *
   * Everything is checked before anything changes; on any error a MinidlError starting with
   * `<Class>.loadStateDict` is thrown and the optimizer is as it was: anything but
   * `{ state, paramGroups }`; not exactly one group; hyper-parameter names other than this
   * optimizer's (the known ones are listed) or values of another kind or out of range (the
   * constructor's ranges); `params` other than [0, 1, …, n − 1] for this optimizer's n
   * parameters; a state index that is not one of them; a state name this optimizer does not
   * keep, or of the wrong kind; a tensor whose shape is not its parameter's; a value that is not
   * a finite number (or `"-0"`).
   *
   * @param state What `stateDict()` returned.
   */
  loadStateDict(state: OptimizerState): void {
    this.checkedStateLoad(`${this.constructor.name}.loadStateDict`, state)();
  }

  /**
   * `loadStateDict`'s checks, without changing anything: returns the function that then loads
   * the state (and cannot fail). `loadCheckpoint` uses it to check every part of a checkpoint
   * before it changes any. Messages start with `who`.
   */
  checkedStateLoad(who: string, dict: unknown): () => void {
    const n = this.params.length;
    if (!isPlainObject(dict)) {
      throw new MinidlError(`${who}: expected a state object { state, paramGroups } such as optimizer.stateDict() returns, got ${describeValue(dict)}`);
    }
    for (const key of Object.keys(dict)) {
      if (key !== 'state' && key !== 'paramGroups') throw new MinidlError(`${who}: unknown key '${key}'; an optimizer's state has state and paramGroups`);
    }
    const { state, paramGroups } = dict as { state?: unknown; paramGroups?: unknown };
    if (!Array.isArray(paramGroups) || paramGroups.length !== 1 || !isPlainObject(paramGroups[0])) {
      throw new MinidlError(`${who}: paramGroups must be a list of one group { lr, …, params } (minidl's optimizers have one), got ${describeValue(paramGroups)}`);
    }
    // The group: the same hyper-parameter names as this optimizer's, each of the same kind, and params 0 … n − 1.
    const group = paramGroups[0] as Record<string, unknown>;
    const current = this.hyperParameters();
    const names = [...Object.keys(current), 'params'];
    for (const key of Object.keys(group)) {
      if (!names.includes(key)) throw new MinidlError(`${who}: paramGroups[0] has an unknown hyper-parameter '${key}'; ${this.constructor.name}'s are ${names.join(', ')}`);
    }
    for (const key of names) {
      if (!Object.prototype.hasOwnProperty.call(group, key)) throw new MinidlError(`${who}: paramGroups[0].${key} is missing; ${this.constructor.name}'s are ${names.join(', ')}`);
    }
    const ids = group.params;
    if (!Array.isArray(ids) || ids.length !== n || !ids.every((id, i) => id === i)) {
      const count = Array.isArray(ids) ? ` (${ids.length} parameter${ids.length === 1 ? '' : 's'})` : '';
      throw new MinidlError(`${who}: paramGroups[0].params must be [${n <= 3 ? [...Array(n).keys()].join(', ') : '0, 1, …, ' + (n - 1)}] for this optimizer's ${n} parameter${n === 1 ? '' : 's'}, got ${describeValue(ids)}${count}`);
    }
    const hyper: HyperParameters = {};
    for (const [name, value] of Object.entries(current)) hyper[name] = readHyperParameter(who, name, group[name], value);
    // The state: indices of parameters, names this optimizer keeps, tensors of the parameter's shape.
    if (!isPlainObject(state)) throw new MinidlError(`${who}: state must be an object keyed by parameter index ('0', '1', …), got ${describeValue(state)}`);
    const kinds = this.stateKinds();
    const loaded = new Map<Parameter, Record<string, number | Float64Array>>();
    for (const [key, entry] of Object.entries(state)) {
      const i = Number(key);
      if (!Number.isInteger(i) || String(i) !== key || i < 0 || i >= n) {
        throw new MinidlError(`${who}: state has an entry '${key}', which is not the index of a parameter (0 to ${n - 1})`);
      }
      const p = this.params[i];
      if (!isPlainObject(entry)) throw new MinidlError(`${who}: state[${i}] must be an object of the parameter's state by name, got ${describeValue(entry)}`);
      const values: Record<string, number | Float64Array> = {};
      for (const [name, value] of Object.entries(entry)) {
        const where = `state[${i}].${name} (${p})`;
        const kind = kinds === null ? (isPlainObject(value) ? 'tensor' : 'number') : kinds[name];
        if (kind === undefined) throw new MinidlError(`${who}: ${where}: ${this.constructor.name} keeps no state named '${name}' (it keeps ${Object.keys(kinds as StateKinds).join(', ')})`);
        values[name] = kind === 'tensor' ? readStateTensor(who, where, value, p.shape) : readStateNumber(who, where, value);
      }
      loaded.set(p, values);
    }
    // The ranges, by the optimizer's own checks: set, check, and put back if refused.
    const before = this.hyperParameters();
    this.setHyperParameters(hyper);
    try {
      this.checkHyperParameters(who);
    } catch (err) {
      this.setHyperParameters(before);
      throw err;
    }
    this.setHyperParameters(before);
    return () => {
      this.setHyperParameters(hyper);
      this.state.clear();
      for (const p of this.params) {
        const values = loaded.get(p);
        if (values === undefined) continue;
        const record: Record<string, Tensor | number> = {};
        for (const [name, value] of Object.entries(values)) {
          if (typeof value === 'number') {
            record[name] = value;
          } else {
            const t = keptTensor(p.shape, longLivedValues(p.value.size));
            t.data.set(value);
            record[name] = t;
          }
        }
        this.state.set(p, record);
      }
    };
  }

  /** The optimizer and its hyper-parameters, e.g. `SGD(lr=0.1)`. */
  abstract toString(): string;
}
