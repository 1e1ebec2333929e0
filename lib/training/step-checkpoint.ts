import { Module } from '../modules/module';
import { Parameter } from '../modules/parameter';
import { Optimizer, ParamState } from '../optim/optimizer';
import { ValueSnapshot } from '../tensor/snapshot';
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
 * `save()` copies their values before the step (a `ValueSnapshot`: on the 'wasm' backend one bulk
 * `memory.copy` per tensor), `restore()` copies them back and removes any state the step created,
 * and `firstNonFinite()` names the first of them holding NaN or ±Infinity after a step.
 * Gradients are not kept: every step starts by clearing them. State an optimizer of your own
 * keeps outside `optimizer.state` cannot be seen, so it is not restored.
 */
export class StepCheckpoint {
  private readonly optimizer: Optimizer;
  /** The parameters and buffers, then the state tensors, in the snapshot's order. */
  private readonly snapshot = new ValueSnapshot();
  /** Their names, in the same order. */
  private readonly labels: string[];
  /** How many of the snapshot's arrays are parameters and buffers (the state tensors follow). */
  private readonly fixed: number;
  /** The state as last saved: every (parameter, key, value), tensors by reference. */
  private savedState: { p: Parameter; key: string; value: Tensor | number }[] = [];

  /** The tensors of `model`'s parameters updated by `optimizer`, and of its buffers. */
  constructor(model: Module, optimizer: Optimizer) {
    this.optimizer = optimizer;
    const names = labelled(model);
    const watched = [...optimizer.params.map((p) => ({ label: names.params.get(p) ?? String(p), tensor: p.value })), ...names.buffers];
    for (const w of watched) this.snapshot.add(w.tensor.data);
    this.labels = watched.map((w) => w.label);
    this.fixed = watched.length;
  }

  /** Copies the values of every parameter, buffer and state tensor (before a step). */
  save(): void {
    if (!this.refreshSavedState()) { //                    state appeared (a first step): copies for its tensors
      this.savedState = this.stateNow();
      this.snapshot.truncate(this.fixed);
      this.labels.length = this.fixed;
      for (const entry of this.savedState) {
        if (!(entry.value instanceof Tensor)) continue;
        this.snapshot.add(entry.value.data);
        this.labels.push(`the ${this.optimizer.constructor.name} state '${entry.key}' of ${entry.p}`);
      }
    }
    this.snapshot.save();
  }

  /**
   * When the state holds the same parameters, keys and tensors as last saved, takes its numbers
   * (Adam's step count) into the saved list and returns true; else false (nothing allocated on
   * the way: this runs before every step).
   */
  private refreshSavedState(): boolean {
    const saved = this.savedState;
    let i = 0;
    for (const [p, record] of this.optimizer.state) {
      for (const key in record) {
        const entry = saved[i++];
        const value = record[key];
        if (entry === undefined || entry.p !== p || entry.key !== key) return false;
        if (value instanceof Tensor || entry.value instanceof Tensor) {
          if (value !== entry.value) return false;
        } else {
          entry.value = value;
        }
      }
    }
    return i === saved.length;
  }

  /** Puts every saved value back, and removes the optimizer state made since `save()`. */
  restore(): void {
    const kept = new Map<Parameter, Set<string>>();
    for (const { p, key } of this.savedState) {
      let keys = kept.get(p);
      if (keys === undefined) kept.set(p, (keys = new Set()));
      keys.add(key);
    }
    for (const [p, record] of [...this.optimizer.state]) {
      const keys = kept.get(p);
      if (keys === undefined) this.optimizer.state.delete(p);
      else for (const key of Object.keys(record)) if (!keys.has(key)) delete record[key];
    }
    for (const { p, key, value } of this.savedState) (this.optimizer.state.get(p) as ParamState)[key] = value;
    this.snapshot.restore();
  }

  /** The first parameter, buffer or state tensor holding NaN or ±Infinity (or a state number that is not finite), or null. */
  firstNonFinite(): NonFiniteEntry | null {
    const bad = this.snapshot.firstNonFinite();
    if (bad !== null) {
      const [which, index, value] = bad;
      return { label: this.labels[which], index, value };
    }
    for (const [p, record] of this.optimizer.state) {
      for (const key in record) {
        const value = record[key];
        if (typeof value === 'number' && !Number.isFinite(value)) {
          return { label: `the ${this.optimizer.constructor.name} state '${key}' of ${p}`, index: 0, value };
        }
      }
    }
    return null;
  }

  /** Every (parameter, key, value) of the optimizer's state now. */
  private stateNow(): { p: Parameter; key: string; value: Tensor | number }[] {
    const entries: { p: Parameter; key: string; value: Tensor | number }[] = [];
    for (const [p, record] of this.optimizer.state) for (const key in record) entries.push({ p, key, value: record[key] });
    return entries;
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
