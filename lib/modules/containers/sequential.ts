import { MinidlError, checkArgumentCount, describeValue } from '../../errors';
import { Loss } from '../../losses/loss';
import { Rng, defaultRng } from '../../random/rng';
import { registerModule } from '../../serialization/module-registry';
import { Tensor } from '../../tensor/tensor';
import { Linear } from '../linear';
import { Module, ownGenerators, runInChild } from '../module';

/**
 * A chain of modules applied one after the other.
 *
 *   forward:   x → m₀ → m₁ → … → mₖ → y
 *   backward:  ∂L/∂y → mₖ.backward → … → m₀.backward → ∂L/∂x   (the chain rule, in reverse order)
 *
 * An empty chain is the identity (as PyTorch's `nn.Sequential()`).
 *
 * An error thrown inside a module is re-thrown with the module's position in front, e.g.
 * `Sequential[4] Linear(25→25).backward: gradOut has shape [10,24], expected [10,25]`.
 * A forward that fails midway gives back the buffers (BatchNorm's running statistics) and the
 * random generators (Dropout's masks) that the modules before the failing one had changed.
 *
 * **Each module instance appears once in a model.** A module remembers the input of its last
 * forward only, so an instance used twice would compute the backward of its first use from the
 * input of its second use: wrong gradients, silently. `new Sequential(…)` and `append` refuse an
 * instance the chain already holds, anywhere inside it (in a nested Sequential or ColumnSplit
 * too), and a container inside itself; `forward` and `backward` check again, since a container
 * inside this one may have gained a module after it was built. For shared weights, build a second
 * layer on the same Parameters: `new Linear(25, 25, { share: first })` (PyTorch reuses the
 * instance instead; its autograd keeps every input, minidl's modules keep one).
 *
 * ```ts
 * const net = new Sequential(new Linear(2, 25), new ReLU(), new Linear(25, 2));
 * net.append(new Sigmoid());
 * ```
 */
export class Sequential extends Module {
  /** The chain, frozen: a new array on each `append`. */
  private chain: readonly Module[] = Object.freeze([]);

  /**
   * Builds the chain from the modules in order; `new Sequential(a, b)` is
   * `new Sequential().append(a).append(b)`, and refuses what `append` refuses.
   */
  constructor(...modules: Module[]) {
    super();
    modules.forEach((m, i) => checkIsModule('Sequential.append', m, ` (argument ${i} of new Sequential)`));
    checkHeldOnce('Sequential', this, modules);
    this.chain = Object.freeze(modules.slice());
    structureChanged();
  }

  /**
   * The modules, in the order `forward` applies them. The array is frozen (adding to it throws a
   * TypeError): add a module with `append`, which checks it.
   */
  get modules(): Module[] {
    return this.chain as Module[];
  }

  /**
   * Adds one module at the end of the chain and returns this Sequential (PyTorch's `append`).
   * Throws a MinidlError, and adds nothing, for a value that is not a Module, for a module this
   * chain already holds anywhere inside it, for this Sequential itself, or for a second argument
   * (call append once per module).
   */
  append(module: Module): this {
    const who = `${this}.append`;
    checkArgumentCount(who, arguments.length, ['module']);
    checkIsModule(who, module, '');
    checkHeldOnce(who, this, [...this.chain, module]);
    this.chain = Object.freeze([...this.chain, module]);
    structureChanged();
    return this;
  }

  /** How many modules the chain holds. */
  get length(): number {
    return this.chain.length;
  }

  forward(input: Tensor): Tensor {
    if (!(input instanceof Tensor)) this.fail('forward', `input must be a Tensor, got ${describeValue(input)}`);
    checkTree(this, 'forward');
    return keepStateOnFailure(this, () => {
      let x = input;
      // exercise Sequential.forward ▼
      for (let i = 0; i < this.chain.length; i++) x = this.run(i, 'forward', x);
      // exercise ▲
      return this.rememberOutput(x);
    });
  }

  backward(gradOut: Tensor): Tensor {
    this.checkGradOut(gradOut);
    checkTree(this, 'backward');
    let g = gradOut;
    // exercise Sequential.backward ▼
    for (let i = this.chain.length - 1; i >= 0; i--) g = this.run(i, 'backward', g);
    // exercise ▲
    return g;
  }

  override children(): Module[] {
    return this.chain.slice();
  }

  toString(): string {
    return `Sequential(${this.chain.map((m) => m.toString()).join(', ')})`;
  }

  /** Runs module i's forward or backward; an error gets `Sequential[i] ` in front of its message. */
  private run(i: number, method: 'forward' | 'backward', x: Tensor): Tensor {
    const m = this.chain[i];
    return runInChild(`Sequential[${i}]`, m, method, () => m[method](x));
  }

  /** Nothing: the modules of the chain are saved as its children, apart from the config, which is `{}`. */
  override config(): Record<string, unknown> {
    return {};
  }

  /** A Sequential of the rebuilt `children`, in order (its config is empty). */
  static fromConfig(_config: Record<string, unknown>, children: Module[]): Sequential {
    return new Sequential(...children);
  }
}
registerModule(Sequential, 'Sequential');

// ---------------------------------------------------------------------------------------------
// What Sequential and ColumnSplit share: which values may enter a container, the rule that each
// instance appears once in a tree, and giving back the state a failed forward changed.
// ---------------------------------------------------------------------------------------------

/**
 * Throws a MinidlError unless `value` is a Module: `${who}: expected a Module, got …${where}`,
 * with a hint for a class given instead of an instance, a list given instead of modules, and a loss.
 */
export function checkIsModule(who: string, value: unknown, where: string): asserts value is Module {
  if (value instanceof Module) return;
  let got = describeValue(value);
  if (typeof value === 'function' && (value as { prototype?: unknown }).prototype instanceof Module) {
    got = `the class ${(value as { name: string }).name}, not an instance (did you mean new ${(value as { name: string }).name}(…)?)`;
  } else if (Array.isArray(value)) {
    got = 'an array (give the modules one by one: new Sequential(a, b), or spread a list: new Sequential(...list))';
  } else if (value instanceof Loss) {
    got = `${got} (a loss is not a layer: call it on the model's output, or give it to NeuralNet as its loss)`;
  }
  throw new MinidlError(`${who}: expected a Module, got ${got}${where}`);
}

/** Where an instance appears twice in a tree of modules: paths such as `[2][0]` from the container. */
interface Reuse {
  module: Module;
  /** The path of its first appearance ('' for the container itself). */
  first: string;
  second: string;
}

/**
 * Throws a MinidlError when `modules`, taken as the children of `container`, would hold one
 * instance twice anywhere in the tree they span (nested containers included), or would hold
 * `container` itself. The message gives both places, says why, and points to weight sharing
 * with `{ share: first }`.
 */
export function checkHeldOnce(who: string, container: Module, modules: readonly Module[]): void {
  const seen = new Map<Module, string>([[container, '']]);
  const visit = (m: Module, path: string): Reuse | null => {
    const first = seen.get(m);
    if (first !== undefined) return { module: m, first, second: path };
    seen.set(m, path);
    const kids = m.children();
    for (let i = 0; i < kids.length; i++) {
      if (!(kids[i] instanceof Module)) continue;
      const found = visit(kids[i], `${path}[${i}]`);
      if (found !== null) return found;
    }
    return null;
  };
  for (let i = 0; i < modules.length; i++) {
    const found = visit(modules[i], `[${i}]`);
    if (found !== null) throw new MinidlError(reuseMessage(who, found));
  }
}

function reuseMessage(who: string, r: Reuse): string {
  if (r.first === '') {
    return `${who}: a container cannot hold itself, got ${r.module} at ${r.second} (its forward would call itself forever)`;
  }
  return `${who}: ${r.module} is used twice, at ${r.first} and at ${r.second}: one instance remembers the input of its ` +
    `last forward only, so the backward of its first use would be computed from the input of its second use ` +
    `(wrong gradients). ${reuseHint(r.module)}`;
}

/** How to write what the user meant: a second instance, or a second layer sharing the Parameters. */
function reuseHint(m: Module): string {
  const name = m.constructor.name;
  if (m instanceof Linear) {
    const bias = m.bias === null ? ', bias: false' : '';
    return `To share its weights, use a second layer on the same Parameters: new Linear(${m.inFeatures}, ${m.outFeatures}, { share: first${bias} })`;
  }
  if (m.params().length === 0) {
    return `Use a new ${name} for each place (to share weights between layers, build them with { share: first }, as new Linear(in, out, { share: first }))`;
  }
  return `Build a separate ${name} for each place; to share weights, give the second layer the same Parameters (as new Linear(in, out, { share: first }) does)`;
}

/** Every module of the tree under `root`, once each, `root` first (safe against cycles). */
export function modulesInTree(root: Module): Module[] {
  const seen = new Set<Module>();
  const visit = (m: Module): void => {
    if (seen.has(m)) return;
    seen.add(m);
    for (const child of m.children()) if (child instanceof Module) visit(child);
  };
  visit(root);
  return [...seen];
}

/**
 * The generators `owners` may draw from: the global one (`manualSeed`, `defaultRng()`), then
 * every `Rng` held in an own field of one of them (Dropout's `rng` option), each once.
 */
export function generatorsOf(owners: readonly object[]): Rng[] {
  const found = new Set<Rng>([defaultRng()]);
  for (const owner of owners) {
    for (const rng of ownGenerators(owner)) found.add(rng);
  }
  return [...found];
}

/**
 * Bumped whenever a container is built or appended to: what `checkTree` and `keepStateOnFailure`
 * learned about a tree stays true until then, so a forward pass does not walk the tree again.
 */
let structureVersion = 0;

/** Call after a container's list of modules changed (constructor, append). */
export function structureChanged(): void {
  structureVersion++;
}

/**
 * How many times a container was built or appended to since the program started: what a caller
 * learned about the tree of a model (which module reads the data, lib/training/step-decisions.ts)
 * stays true while this number does not change.
 */
export function structureChanges(): number {
  return structureVersion;
}

/** What a container's forward needs to know about its tree, and the structure version it was learned at. */
interface TreeFacts {
  version: number;
  /** True once the tree was found to hold each instance once. */
  checked: boolean;
  /** The buffers of the tree (BatchNorm's running statistics). */
  buffers: Tensor[];
  /** The generators held in fields of the tree's modules (the global one is looked up at each call). */
  generators: Rng[];
}

const treeFacts = new WeakMap<Module, TreeFacts>();

function factsOf(container: Module): TreeFacts {
  let facts = treeFacts.get(container);
  if (facts === undefined || facts.version !== structureVersion) {
    const modules = modulesInTree(container);
    facts = {
      version: structureVersion,
      checked: false,
      buffers: container.buffers().map((b) => b.value),
      generators: generatorsOf(modules).filter((rng) => rng !== defaultRng()),
    };
    treeFacts.set(container, facts);
  }
  return facts;
}

/**
 * For `forward` and `backward`: refuses a tree that holds an instance twice (a container inside
 * this one may have gained a module after this one was built). Walks the tree only when some
 * container changed since the last check.
 */
export function checkTree(container: Module, method: 'forward' | 'backward'): void {
  const facts = factsOf(container);
  if (facts.checked) return;
  checkHeldOnce(`${container}.${method}`, container, container.children());
  facts.checked = true;
}

/** How deep the current call is in container forwards: only the outermost saves and gives back. */
let forwardDepth = 0;

/**
 * Runs `fn` with the containers' own give-back turned off, for a caller that keeps and restores
 * what a forward changes itself: the trainer, whose step checkpoint puts back the parameters,
 * buffers and optimizer state of a failing step (lib/training/step-checkpoint.ts). It saves the
 * containers a copy of every buffer and generator state at every forward.
 */
export function withStateKeptByCaller<T>(fn: () => T): T {
  forwardDepth++;
  try {
    return fn();
  } finally {
    forwardDepth--;
  }
}

/**
 * Runs a container's forward pass; if it throws, first puts back the buffers and the generators
 * of the tree under `container` (and the global generator) as they were before, and makes the
 * container's backward refuse until its next forward (`forgetLastForward`), then re-throws.
 * Only the outermost container does this (the inner ones run inside its call). A forward changes
 * no parameter and no gradient, so these are all it may have changed.
 */
export function keepStateOnFailure<T>(container: Module, fn: () => T): T {
  if (forwardDepth > 0) {
    try {
      return fn();
    } catch (err) {
      container.forgetLastForward(); // its backward must not run on the children's half-done forward
      throw err;
    }
  }
  const facts = factsOf(container);
  const buffers = facts.buffers.map((tensor) => tensor.data.slice());
  const global = defaultRng();
  const generators = [global, ...facts.generators];
  const states = generators.map((rng) => rng.state());
  forwardDepth++;
  try {
    return fn();
  } catch (err) {
    facts.buffers.forEach((tensor, i) => tensor.data.set(buffers[i]));
    generators.forEach((rng, i) => rng.setState(states[i]));
    container.forgetLastForward();
    throw err;
  } finally {
    forwardDepth--;
  }
}
