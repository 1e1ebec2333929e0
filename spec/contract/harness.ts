import * as fs from 'node:fs';
import { MinidlError } from '../../lib/errors';
import { Module } from '../../lib/modules/module';
import { Optimizer } from '../../lib/optim/optimizer';
import { Rng, defaultRng } from '../../lib/random/rng';
import { Tensor } from '../../lib/tensor/tensor';

/**
 * The contract table: one row per bad input. Each row builds its own objects, makes one call
 * that must throw a MinidlError whose message matches every fragment, and names the state the
 * call must leave exactly as it was — parameters and buffers of modules (to the bit), optimizer
 * state and hyper-parameters, random generators (the global one always), tensors, files (bytes,
 * mode, kind, symlink target). Rows are grouped in tables, one file per area in
 * spec/contract/tables/, each exporting `table`; spec/contract.spec.ts runs every table and
 * checks that docs/promises.md gives their counts.
 *
 *   export const table: ContractTable = {
 *     title: 'optimizers',
 *     rows: [
 *       row('new SGD(params, 0.1): a positional learning rate', () => {
 *         const model = new Linear(2, 2);
 *         return { act: () => new SGD(model.params(), 0.1 as never), keeps: { modules: [model] } };
 *       }, /SGD: expected an options object such as \{ lr: 0.1 \}/),
 *     ],
 *   };
 */

/** What a row's call must leave unchanged. */
export interface Keeps {
  /** Every parameter (value and grad) and buffer, to the bit. */
  modules?: Module[];
  /** false: gradients may change (a failed training step clears them; values and buffers may not). */
  grads?: boolean;
  /** `state` (tensors and numbers), `lr` and every own number or boolean field. */
  optimizers?: Optimizer[];
  /** Generators besides the global one (which is always checked). */
  rngs?: Rng[];
  /** Tensors, to the bit. */
  tensors?: Tensor[];
  /** Paths: existence, kind, mode, bytes, symlink target. */
  files?: string[];
}

/** One row: what it tries, how to set it up, what the message must say. */
export interface ContractRow {
  /** Shown as the test's name, e.g. "new SGD(params, 0.1)". */
  readonly name: string;
  /** Builds the objects and returns the call that must throw and what it must keep. */
  readonly setup: () => { act: () => unknown; keeps?: Keeps };
  /** Fragments the message must contain. */
  readonly message: RegExp[];
}

/** A row of a contract table. */
export function row(name: string, setup: () => { act: () => unknown; keeps?: Keeps }, ...message: RegExp[]): ContractRow {
  if (message.length === 0) throw new Error(`contract row '${name}' names no message fragment`);
  return { name, setup, message };
}

/** A bad value given where a type is expected: `any('3')` passes the type check, as JavaScript code would. */
export const any = (v: unknown): never => v as never;

/**
 * A constructor call given its own generator, part-way through its sequence (`seed` names it),
 * which must not move, nor the global one.
 */
export function constructorRow(seed: string, name: string, make: (rng: Rng) => unknown, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const rng = new Rng(seed);
    rng.uniform(); // mid-sequence
    return { act: () => make(rng), keeps: { rngs: [rng] } };
  }, ...message);
}

/** A call on a fresh module and a fresh input, which must both stay as they were (parameters, gradients, buffers, mode). */
export function moduleCallRow<M extends Module>(name: string, make: () => M, act: (m: M, x: Tensor) => unknown, input: () => Tensor, ...message: RegExp[]): ContractRow {
  return row(name, () => {
    const m = make();
    const x = input();
    return { act: () => act(m, x), keeps: { modules: [m], tensors: [x] } };
  }, ...message);
}

/** A table: the rows of one area (a file of spec/contract/tables exports one as `table`). */
export interface ContractTable {
  /** The area, as docs/promises.md names it: 'optimizers', 'training', 'saving and loading', … */
  readonly title: string;
  /** Its rows. */
  readonly rows: readonly ContractRow[];
}

/** Runs one row: the call throws a MinidlError matching every fragment, and leaves everything as it was. */
export function expectContract(r: ContractRow): MinidlError {
  const { act, keeps = {} } = r.setup();
  const before = snapshot(keeps);
  let caught: unknown = null;
  try {
    act();
  } catch (err) {
    caught = err;
  }
  if (!(caught instanceof MinidlError)) {
    throw new Error(`${r.name}: expected a MinidlError, got ${caught === null ? 'no error at all' : String(caught)}`);
  }
  for (const fragment of r.message) {
    if (!fragment.test(caught.message)) throw new Error(`${r.name}: the message\n  ${caught.message}\ndoes not match ${fragment}`);
  }
  const after = snapshot(keeps);
  for (const key of Object.keys(before)) {
    if (before[key] !== after[key]) throw new Error(`${r.name}: ${key} changed\n  before: ${before[key]}\n  after:  ${after[key]}`);
  }
  return caught;
}

/** A description of everything `keeps` names, one string per item, so a change shows which. */
export function snapshot(keeps: Keeps): Record<string, string> {
  const out: Record<string, string> = {};
  out['the global generator'] = JSON.stringify(defaultRng().state());
  (keeps.rngs ?? []).forEach((rng, i) => { out[`rngs[${i}]`] = JSON.stringify(rng.state()); });
  (keeps.modules ?? []).forEach((module, i) => {
    module.params().forEach((p, j) => {
      out[`modules[${i}] param ${j} (${p.name}) value`] = bitsOf(p.value);
      if (keeps.grads !== false) out[`modules[${i}] param ${j} (${p.name}) grad`] = bitsOf(p.grad);
    });
    module.buffers().forEach((b) => { out[`modules[${i}] buffer ${b.name}`] = bitsOf(b.value); });
    out[`modules[${i}] training mode`] = String(module.training);
  });
  (keeps.optimizers ?? []).forEach((optimizer, i) => {
    const fields = Object.entries(optimizer).filter(([, v]) => typeof v === 'number' || typeof v === 'boolean');
    out[`optimizers[${i}] hyper-parameters`] = JSON.stringify(fields);
    const state = [...optimizer.state.entries()].map(([p, s]) =>
      `${optimizer.params.indexOf(p)}:` + Object.entries(s).map(([k, v]) => `${k}=${v instanceof Tensor ? bitsOf(v) : String(v)}`).join(','));
    out[`optimizers[${i}] state`] = state.join(';');
  });
  (keeps.tensors ?? []).forEach((t, i) => { out[`tensors[${i}]`] = t.readable ? bitsOf(t) : 'released'; });
  (keeps.files ?? []).forEach((file) => { out[`file ${file}`] = describeFile(file); });
  return out;
}

function bitsOf(t: Tensor): string {
  const data = t.data;
  return `${t.shape.join('x')}:` + Array.from(new BigUint64Array(data.buffer, data.byteOffset, data.length), (b) => b.toString(16)).join(',');
}

function describeFile(file: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch {
    return 'absent';
  }
  if (stat.isSymbolicLink()) {
    let target: string;
    try {
      target = describeFile(fs.realpathSync(file));
    } catch {
      target = 'dangling';
    }
    return `symlink → ${fs.readlinkSync(file)} (${target})`;
  }
  const kind = stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : 'other';
  const mode = (stat.mode & 0o7777).toString(8);
  if (!stat.isFile()) return `${kind} mode ${mode}`;
  return `${kind} mode ${mode} bytes ${fs.readFileSync(file).toString('base64')}`;
}
