import { Module } from '../modules/module';
import { Parameter } from '../modules/parameter';
import { Optimizer, ParamState } from '../optim/optimizer';
import { copyValues, firstNonFinite } from '../tensor/kernels';
import { longLivedValues } from '../tensor/memory';
import { Tensor } from '../tensor/tensor';

/** A tensor a training step changes, with the name a message gives it. */
interface Watched {
  /** e.g. `Sequential[2] Linear(25→25) weight`, `Sequential[1] BatchNorm1d(8) runningVar`. */
  readonly label: string;
  readonly tensor: Tensor;
}

/** Where a checkpointed tensor holds NaN or ±Infinity. */
export interface NonFiniteEntry {
  /** Its name, e.g. `Sequential[2] Linear(25→25) weight`. */
  readonly label: string;
  /** The flat index of the first bad entry. */
  readonly index: number;
  /** The bad value. */
  readonly value: number;
}

/**
 * What one training step changes, kept so that a step that fails can be undone to the bit:
 *
 *   the parameters the optimizer moves            (optimizer.step)
 *   the model's buffers, e.g. running statistics  (forward, in training mode)
 *   the optimizer's state, `optimizer.state`      (optimizer.step; made at a parameter's first step)
 *
 * `save()` copies their values before the step (the kernels' bulk copy: on the 'wasm' backend a
 * `memory.copy` between blocks of the module's memory), `restore()` copies them back and removes
 * any state the step created, and `firstNonFinite()` names the first of them holding NaN or
 * ±Infinity after a step. Gradients are not kept: every step starts by clearing them. State an
 * optimizer of your own keeps outside `optimizer.state` cannot be seen, so it is not restored.
 */
export class StepCheckpoint {
  private readonly watched: Watched[];
  private readonly optimizer: Optimizer;
  /** The saved values of every watched tensor and state tensor, made at its first save. */
  private readonly copies = new Map<Tensor, Float64Array>();
  /** The optimizer's state as saved: numbers by value, tensors by reference (their values are in `copies`). */
  private savedState = new Map<Parameter, ParamState>();

  /** The tensors of `model`'s parameters updated by `optimizer`, and of its buffers. */
  constructor(model: Module, optimizer: Optimizer) {
    this.optimizer = optimizer;
    const labels = labelled(model);
    this.watched = [...optimizer.params.map((p) => ({ label: labels.params.get(p) ?? String(p), tensor: p.value })), ...labels.buffers];
  }

  /** Copies the values of every parameter, buffer and state tensor (before a step). */
  save(): void {
    for (const { tensor } of this.watched) this.keep(tensor);
    this.savedState = new Map();
    for (const [p, state] of this.optimizer.state) {
      const copy: ParamState = {};
      for (const key of Object.keys(state)) {
        const value = state[key];
        if (value instanceof Tensor) this.keep(value);
        copy[key] = value;
      }
      this.savedState.set(p, copy);
    }
  }

  /** Puts every saved value back, and removes the optimizer state made since `save()`. */
  restore(): void {
    for (const { tensor } of this.watched) this.putBack(tensor);
    for (const [p, state] of [...this.optimizer.state]) {
      const saved = this.savedState.get(p);
      if (saved === undefined) {
        this.optimizer.state.delete(p);
        continue;
      }
      for (const key of Object.keys(state)) if (!(key in saved)) delete state[key];
      for (const key of Object.keys(saved)) {
        const value = saved[key];
        if (value instanceof Tensor) this.putBack(value);
        state[key] = value;
      }
    }
  }

  /** The first parameter, buffer or state tensor holding NaN or ±Infinity, or null. */
  firstNonFinite(): NonFiniteEntry | null {
    for (const { label, tensor } of this.watched) {
      const index = firstNonFinite(tensor.data);
      if (index >= 0) return { label, index, value: tensor.data[index] };
    }
    for (const [p, state] of this.optimizer.state) {
      for (const key of Object.keys(state)) {
        const value = state[key];
        const index = value instanceof Tensor ? firstNonFinite(value.data) : Number.isFinite(value) ? -1 : 0;
        if (index >= 0) {
          return { label: `the ${this.optimizer.constructor.name} state '${key}' of ${p}`, index, value: value instanceof Tensor ? value.data[index] : value };
        }
      }
    }
    return null;
  }

  private keep(tensor: Tensor): void {
    let copy = this.copies.get(tensor);
    if (copy === undefined) {
      copy = longLivedValues(tensor.size);
      this.copies.set(tensor, copy);
    }
    copyValues(tensor.data, copy);
  }

  private putBack(tensor: Tensor): void {
    const copy = this.copies.get(tensor);
    if (copy !== undefined) copyValues(copy, tensor.data);
  }
}

/**
 * Names for the parameters and buffers of a model, by where they sit:
 * `Sequential[2] Linear(25→25) weight`, `Sequential[1] BatchNorm1d(8) runningMean`.
 */
function labelled(model: Module): { params: Map<Parameter, string>; buffers: Watched[] } {
  const params = new Map<Parameter, string>();
  const buffers: Watched[] = [];
  const visit = (module: Module, path: string): void => {
    const children = module.children();
    const inChildren = new Set(children.flatMap((c) => c.params()));
    const childBuffers = new Set(children.flatMap((c) => c.buffers().map((b) => b.value)));
    const name = children.length > 0 ? module.constructor.name : String(module);
    const here = path === '' ? name : `${path} ${name}`;
    for (const p of module.params()) if (!inChildren.has(p) && !params.has(p)) params.set(p, `${here} ${p.name}`);
    for (const b of module.buffers()) if (!childBuffers.has(b.value)) buffers.push({ label: `${here} ${b.name}`, tensor: b.value });
    children.forEach((child, i) => visit(child, `${here}[${i}]`));
  };
  visit(model, '');
  return { params, buffers };
}
