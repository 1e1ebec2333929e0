import { MinidlError, checkArgumentCount, describeValue, formatShape, sameShape } from '../errors';
import { Rng, defaultRng } from '../random/rng';
import { longLivedIndices, longLivedValues } from '../tensor/memory';
import { Tensor, keptTensor } from '../tensor/tensor';
import { Parameter } from './parameter';

/** A named tensor of non-learnable state (see `Module.buffers`). */
export interface ModuleBuffer {
  /** The name it is saved under, e.g. `runningMean`. */
  name: string;
  /** The tensor itself (updated in place by the module). */
  value: Tensor;
}

/**
 * A forward pre-hook (PyTorch's `register_forward_pre_hook`): called with the module and the
 * input of each `forward`, before the module's own forward runs. It returns nothing.
 */
export type ForwardPreHook<M extends Module = Module> = (module: M, input: Tensor) => void;

/**
 * A forward hook (PyTorch's `register_forward_hook`): called with the module, the input and the
 * output of each `forward`, after the module's own forward returned. It returns nothing.
 */
export type ForwardHook<M extends Module = Module> = (module: M, input: Tensor, output: Tensor) => void;

/**
 * A backward hook (PyTorch's `register_full_backward_hook`): called with the module,
 * gradInput = ∂L/∂input (what the module's own `backward` returned) and gradOutput = ∂L/∂output
 * (what `backward` was given), after the module's own backward returned. It returns nothing.
 * PyTorch passes tuples of tensors; a minidl module has one tensor each way, so these are tensors.
 */
export type FullBackwardHook<M extends Module = Module> = (module: M, gradInput: Tensor, gradOutput: Tensor) => void;

/** What the `register…Hook` methods return (PyTorch's `RemovableHandle`). */
export interface RemovableHandle {
  /** Unregisters the hook: it is not called again. Calling `remove` a second time does nothing. */
  remove(): void;
}

/** One registered hook (an object of its own, so the same function registered twice has two handles). */
interface HookEntry<F> {
  readonly fn: F;
}

/** The hooks registered on one module, each list in the order of registration. */
interface ModuleHooks {
  readonly forwardPre: HookEntry<ForwardPreHook>[];
  readonly forward: HookEntry<ForwardHook>[];
  readonly backward: HookEntry<FullBackwardHook>[];
  /** The instance's own `forward` and `backward` properties before the hooks' were put there (usually none). */
  readonly ownForward: PropertyDescriptor | undefined;
  readonly ownBackward: PropertyDescriptor | undefined;
}

/**
 * The base class of every layer, activation and container.
 *
 * The contract (the one Torch7's `nn` made famous):
 *
 * - `forward(input)` computes the output and keeps whatever `backward` will need (by reference,
 *   not a copy: do not change an input in place between `forward` and `backward`).
 * - `backward(gradOut)` receives ∂L/∂output for the input of the *last* `forward`,
 *   **adds** (+=, never =) ∂L/∂θ into the `grad` of each parameter θ, and returns ∂L/∂input.
 *   Calling it twice therefore doubles the parameter gradients; `zeroGrad()` clears them.
 * - `params()` lists the module's (value, grad) pairs, an empty list when it has none.
 *
 * The contract is checked, not only written down: `backward` before any `forward`, or with a
 * `gradOut` whose shape is not the shape of the last output, throws an error naming the module.
 * A subclass gets these checks by ending `forward` with `return this.rememberOutput(output)` and
 * starting `backward` with `this.checkGradOut(gradOut)`.
 *
 * **Hooks** (PyTorch's, in camelCase) let code look at what flows through any module of a model
 * without changing it: `registerForwardPreHook(fn(module, input))`,
 * `registerForwardHook(fn(module, input, output))` and
 * `registerFullBackwardHook(fn(module, gradInput, gradOutput))`, each returning a handle whose
 * `remove()` unregisters it. When they fire:
 *
 * - `m.forward(x)` runs m's pre-hooks (given x), in the order they were registered, then m's own
 *   forward (a container's children fire their hooks inside it), then m's forward hooks (given x
 *   and y, the output that forward returned).
 * - `m.backward(g)` runs m's own backward (the children's hooks fire inside it), then m's backward
 *   hooks (given gradInput, what that backward returned, and g).
 *
 * So in a `Sequential(a, b)` the order is: pre-hooks of the Sequential, of a, forward hooks of a,
 * pre-hooks of b, forward hooks of b, forward hooks of the Sequential; then backward hooks of b, of
 * a, of the Sequential. They fire whoever makes the call — a container, `NeuralNet`, or your code
 * calling `model.forward(x)` — and for every module, your own subclasses included: registering the
 * first hook on a module gives that one object its own `forward` and `backward` properties (which
 * come before the class's methods), and these run the hooks around the class's methods; removing
 * the last hook deletes them again. Hooks are not saved with a model. Only `forward` and
 * `backward` fire them: a recurrent layer's `forwardWithState` / `backwardWithState` (state in
 * and out) do not, so a `TrainingMonitor` sees an RNN, LSTM or GRU when it is called through
 * `forward` (inside a Sequential, say), not when your loop passes states by hand. `NeuralNet`'s
 * checks before training (one sample, in evaluation mode) and its validation passes are calls
 * too: forward hooks see them (`module.training` tells them apart).
 *
 * Hooks observe; they do not replace. PyTorch lets a hook return a new input, output or gradInput,
 * and its autograd then differentiates through the change; minidl has no autograd, so a module's
 * `backward` would silently compute the gradient of what it computed, not of the replacement. A
 * hook that returns anything but `undefined` is therefore refused with a MinidlError (write its
 * body in braces: `(m, x, y) => { list.push(y); }`, since `list.push(y)` returns a number). To
 * change what flows, write a module and put it in the model.
 *
 * A hook that throws stops the call with a MinidlError naming the module and the hook
 * (`Linear(2→25).forward: forward hook 0 threw: …`, the original error as its `cause`), and the
 * state is what a failed call of the module leaves: a forward gives back the buffers (BatchNorm's
 * running statistics) and the random generators (Dropout's masks) that it changed, as
 * Sequential's forward does, and `backward` refuses until the next forward succeeds; a backward leaves the parameter gradients it added (as a backward
 * that fails inside a Sequential does; `NeuralNet` puts back the whole step).
 *
 * The tensors a hook is given are the model's own (not copies), and a hook may keep them: a
 * model with a hook registered on any of its modules (checked again whenever a hook was registered
 * or removed, see `hookChanges`, so a hook added in `onEpoch` counts from the next batch) trains and evaluates in `NeuralNet` without temporaries (lib/training/library-code.ts), so nothing it keeps is released. Inside your own
 * `withTemporaryTensors`, the rule of that function applies to them too: keep numbers
 * (`output.toArray()`), not the tensor, or reading it later throws.
 */
export abstract class Module {
  /** True in training mode (the default), false in evaluation mode; see `train()` / `eval()`. */
  training = true;
  /**
   * Whether `backward` must compute ∂L/∂input (default true, the contract). False says that
   * nothing will read it — PyTorch's `needs_input_grad` — as for the model's first module, whose
   * input is the data: `NeuralNet` sets it to false on that module during each of its training
   * steps, and back afterwards. Conv2d and Linear then skip the work and return an
   * `UncomputedGradient` (lib/modules/uncomputed-gradient.ts: the input's shape, values that throw
   * when read); other modules compute ∂L/∂input anyway. Everywhere else (your own loops,
   * `gradcheck`) it stays true and backward keeps the contract.
   */
  inputNeedsGrad = true;
  private lastOutputShape: readonly number[] | null = null;
  /** True after a failed forward (see `forgetLastForward`), until the next one succeeds. */
  private lastForwardFailed = false;
  /** The buffers registered with `registerBuffer`, in order. */
  private readonly ownBuffers: ModuleBuffer[] = [];
  /** The arrays handed out by `workspace` and `indexWorkspace`, by name. */
  private readonly workspaces = new Map<string, Float64Array | Int32Array>();
  /** The hooks registered on this module, or null when there are none (see the class doc). */
  private hooks: ModuleHooks | null = null;

  /** Computes the output for `input`, remembering what `backward` needs. */
  abstract forward(input: Tensor): Tensor;

  /** Given ∂L/∂output, accumulates ∂L/∂params and returns ∂L/∂input. */
  abstract backward(gradOut: Tensor): Tensor;

  /** A short readable description, such as `Linear(2→25)`. */
  abstract toString(): string;

  /** The modules inside this one (empty for a plain layer). */
  children(): Module[] {
    return [];
  }

  /**
   * The learnable parameters. The base class collects those of `children()`; a layer with
   * parameters of its own (such as Linear) overrides this method. A parameter shared by
   * several children is listed once, so an optimizer updates it once.
   */
  params(): Parameter[] {
    const seen = new Set<Parameter>();
    for (const child of this.children()) {
      for (const p of child.params()) seen.add(p);
    }
    return [...seen];
  }

  /**
   * State that belongs to the model but is not learned by gradient descent, such as
   * BatchNorm's running mean and variance: it is not in `params()` (no optimizer touches it)
   * but it is saved with the model. Lists the module's own buffers (`registerBuffer`), then
   * those of `children()`.
   */
  buffers(): ModuleBuffer[] {
    return [...this.ownBuffers, ...this.children().flatMap((child) => child.buffers())];
  }

  /** Sets the gradient of every parameter to zero. */
  zeroGrad(): void {
    for (const p of this.params()) p.zeroGrad();
  }

  /** Switches this module and every module inside it to training mode (or evaluation mode with `false`; anything but true or false is refused). */
  train(mode = true): this {
    if (typeof mode !== 'boolean') {
      throw new MinidlError(`${this.toString()}.train: mode must be true (training) or false (evaluation), got ${describeValue(mode)}`);
    }
    this.training = mode;
    for (const child of this.children()) child.train(mode);
    return this;
  }

  /** Switches this module and every module inside it to evaluation mode. */
  eval(): this {
    return this.train(false);
  }

  /** Total number of learnable numbers. */
  numParams(): number {
    return this.params().reduce((total, p) => total + p.value.size, 0);
  }

  /**
   * Registers `hook(module, input)`, called before each `forward` of this module (see the class
   * doc for when and in what order). Returns a handle whose `remove()` unregisters it. Throws a
   * MinidlError, registering nothing, for a hook that is not a function or a second argument.
   */
  registerForwardPreHook(hook: ForwardPreHook<this>): RemovableHandle {
    this.checkHook('registerForwardPreHook', arguments.length, hook, '(module, input) => void');
    return this.addHook('forwardPre', hook as ForwardPreHook);
  }

  /**
   * Registers `hook(module, input, output)`, called after each `forward` of this module with the
   * output it returned (see the class doc). Returns a handle whose `remove()` unregisters it.
   * Throws a MinidlError, registering nothing, for a hook that is not a function or a second argument.
   */
  registerForwardHook(hook: ForwardHook<this>): RemovableHandle {
    this.checkHook('registerForwardHook', arguments.length, hook, '(module, input, output) => void');
    return this.addHook('forward', hook as ForwardHook);
  }

  /**
   * Registers `hook(module, gradInput, gradOutput)`, called after each `backward` of this module:
   * gradOutput = ∂L/∂output is what `backward` was given, gradInput = ∂L/∂input what it returned
   * (single tensors, where PyTorch passes tuples). Returns a handle whose `remove()` unregisters
   * it. Throws a MinidlError, registering nothing, for a hook that is not a function or a second argument.
   */
  registerFullBackwardHook(hook: FullBackwardHook<this>): RemovableHandle {
    this.checkHook('registerFullBackwardHook', arguments.length, hook, '(module, gradInput, gradOutput) => void');
    return this.addHook('backward', hook as FullBackwardHook);
  }

  /** True when a hook is registered on this module itself (not counting the modules inside it). */
  hasHooks(): boolean {
    return this.hooks !== null;
  }

  /** Refuses a hook that is not a function, or a second argument (PyTorch's prepend/with_kwargs are not supported). */
  private checkHook(method: string, count: number, hook: unknown, shape: string): void {
    checkArgumentCount(`${this}.${method}`, count, ['hook']);
    if (typeof hook !== 'function') this.fail(method, `hook must be a function ${shape}, got ${describe(hook)}`);
  }

  /** Adds `fn` to the list `kind`, putting the hooks' forward and backward in place at the first hook. */
  private addHook<K extends 'forwardPre' | 'forward' | 'backward'>(kind: K, fn: ModuleHooks[K][number]['fn']): RemovableHandle {
    const hooks = this.hooks ?? this.startHooks();
    const list = hooks[kind] as HookEntry<typeof fn>[];
    const entry: HookEntry<typeof fn> = { fn };
    list.push(entry);
    hookChangeCount++;
    let removed = false;
    return {
      remove: () => {
        if (removed) return;
        removed = true;
        list.splice(list.indexOf(entry), 1);
        hookChangeCount++;
        if (this.hooks === hooks && hooks.forwardPre.length + hooks.forward.length + hooks.backward.length === 0) this.stopHooks();
      },
    };
  }

  /**
   * At the first hook: gives this object its own `forward` and `backward`, which run the hooks
   * around the methods it had (its class's, or functions assigned to it before).
   */
  private startHooks(): ModuleHooks {
    const hooks: ModuleHooks = {
      forwardPre: [], forward: [], backward: [],
      ownForward: Object.getOwnPropertyDescriptor(this, 'forward'),
      ownBackward: Object.getOwnPropertyDescriptor(this, 'backward'),
    };
    const forward = this.forward;
    const backward = this.backward;
    Object.defineProperty(this, 'forward', {
      configurable: true, writable: true,
      value: (input: Tensor, ...rest: unknown[]): Tensor => this.forwardWithHooks(hooks, forward, input, rest),
    });
    Object.defineProperty(this, 'backward', {
      configurable: true, writable: true,
      value: (gradOut: Tensor, ...rest: unknown[]): Tensor => this.backwardWithHooks(hooks, backward, gradOut, rest),
    });
    this.hooks = hooks;
    return hooks;
  }

  /** After the last hook is removed: puts back the `forward` and `backward` this object had before. */
  private stopHooks(): void {
    const hooks = this.hooks as ModuleHooks;
    this.hooks = null;
    for (const [name, own] of [['forward', hooks.ownForward], ['backward', hooks.ownBackward]] as const) {
      if (own === undefined) delete (this as Record<string, unknown>)[name];
      else Object.defineProperty(this, name, own);
    }
  }

  /** `forward` with hooks: pre-hooks, the module's forward, forward hooks (giving back the state if one throws). */
  private forwardWithHooks(hooks: ModuleHooks, forward: Module['forward'], input: Tensor, rest: unknown[]): Tensor {
    const preHooks = hooks.forwardPre.slice(); // a hook added or removed during the call counts from the next call
    const postHooks = hooks.forward.slice();
    preHooks.forEach((h, i) => this.runHook('forward', 'forward pre-hook', i, h.fn, () => h.fn(this, input)));
    const giveBack = postHooks.length > 0 ? stateToGiveBack(this) : null;
    const output = (forward as (...args: unknown[]) => Tensor).call(this, input, ...rest);
    try {
      postHooks.forEach((h, i) => this.runHook('forward', 'forward hook', i, h.fn, () => h.fn(this, input, output)));
    } catch (err) {
      if (giveBack !== null) giveBack();
      this.forgetLastForward(); // the forward ran but its call failed: no backward from it
      throw err;
    }
    return output;
  }

  /** `backward` with hooks: the module's backward, then the backward hooks with what it returned. */
  private backwardWithHooks(hooks: ModuleHooks, backward: Module['backward'], gradOut: Tensor, rest: unknown[]): Tensor {
    const postHooks = hooks.backward.slice();
    const gradInput = (backward as (...args: unknown[]) => Tensor).call(this, gradOut, ...rest);
    postHooks.forEach((h, i) => this.runHook('backward', 'backward hook', i, h.fn, () => h.fn(this, gradInput, gradOut)));
    return gradInput;
  }

  /**
   * Calls one hook; an error it throws, or a value it returns, becomes a MinidlError naming this
   * module, the method and the hook: `ReLU.forward: forward hook 0 (keep) threw: …`.
   */
  private runHook(method: string, kind: string, index: number, fn: { name: string }, call: () => unknown): void {
    const which = `${kind} ${index}${fn.name !== '' ? ` (${fn.name})` : ''}`;
    let returned: unknown;
    try {
      returned = call();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new MinidlError(`${this}.${method}: ${which} threw: ${message}`, { cause: err });
    }
    if (returned !== undefined) {
      this.fail(method, `${which} returned ${describe(returned)}; hooks observe and return nothing (minidl has no autograd to ` +
        'differentiate a replacement). Write the body in braces, (m, x, y) => { list.push(y); }, and put a module in the model to change what flows');
    }
  }

  /**
   * The arguments of this module's constructor, as plain JSON values (finite numbers, strings,
   * booleans, null, and lists of them), e.g. `{ inFeatures: 2, outFeatures: 25, bias: true }`
   * for a Linear: what a saved model stores to build the module again, with the static
   * `fromConfig` of its class (Keras' `get_config`). Parameters and state are saved apart, and
   * a container's modules too, so they are not part of it. A module that takes no arguments
   * returns `{}`.
   *
   * Every class that is saved overrides it (see `registerModule` and docs/saving-models.md);
   * this default throws a MinidlError naming the class, since a class without its own
   * `config()` cannot say what its constructor needs.
   */
  config(): Record<string, unknown> {
    const name = this.constructor.name;
    this.fail('config', `${name} has no config() of its own, so it cannot say what its constructor needs; to save a ${name}, give it config() and a static fromConfig, and register it with registerModule(${name}, '${name}')`);
  }

  /**
   * Registers state that outlives every forward pass and is saved with the model (PyTorch's
   * `register_buffer`): returns a tensor holding a copy of `initial`, which the module then
   * updates in place and `buffers()` lists under `name`. Make buffers in the constructor.
   */
  protected registerBuffer(name: string, initial: Tensor): Tensor {
    if (this.ownBuffers.some((b) => b.name === name)) this.fail('registerBuffer', `a buffer named '${name}' is already registered`);
    const value = keptTensor(initial.shape, longLivedValues(initial.size));
    value.data.set(initial.data);
    this.ownBuffers.push({ name, value });
    return value;
  }

  /**
   * Scratch space the module keeps from call to call (Conv2d's one-sample ∂L/∂cols): the first
   * `size` entries of a Float64Array named `name`, made again only when too small, so a
   * smaller batch reuses it. It outlives steps; its values are whatever the last call left.
   */
  protected workspace(name: string, size: number): Float64Array {
    let values = this.workspaces.get(name);
    if (!(values instanceof Float64Array) || values.length < size) {
      values = longLivedValues(size);
      this.workspaces.set(name, values);
    }
    return values.length === size ? values : values.subarray(0, size);
  }

  /**
   * Like `workspace`, for 32-bit integers (MaxPool2d's argmax): an Int32Array of at least
   * `size` entries named `name`, made again only when too small.
   */
  protected indexWorkspace(name: string, size: number): Int32Array {
    let values = this.workspaces.get(name);
    if (!(values instanceof Int32Array) || values.length < size) {
      values = longLivedIndices(size);
      this.workspaces.set(name, values);
    }
    return values;
  }

  /** Call at the end of `forward`: remembers the output's shape so `backward` can check `gradOut`. */
  protected rememberOutput(output: Tensor): Tensor {
    this.lastOutputShape = output.shape;
    this.lastForwardFailed = false;
    return output;
  }

  /**
   * Makes `backward` refuse until the next forward succeeds. A container calls it when its
   * forward fails midway (the children that ran keep the input of a forward that never
   * finished, and a backward would compute their gradients from it), and so does a module
   * whose forward hook threw.
   */
  forgetLastForward(): void {
    this.lastOutputShape = null;
    this.lastForwardFailed = true;
  }

  /**
   * Call at the start of `backward`: refuses a `backward` with no `forward`, a `gradOut` of the
   * wrong shape, or one holding NaN or ±Infinity (as `checkInput` refuses such an input; not
   * scanned again in a container's child, see `childBackwards`); errors name `method` (default
   * `backward`).
   */
  protected checkGradOut(gradOut: Tensor, method = 'backward'): void {
    if (this.lastOutputShape === null) {
      this.fail(method, this.lastForwardFailed
        ? 'the last forward failed, so there is no output to take the gradient of; call forward again'
        : 'called before forward: there is no output to take the gradient of');
    }
    if (!(gradOut instanceof Tensor)) {
      this.fail(method, `gradOut must be a Tensor, got ${describe(gradOut)}${arrayHint(gradOut)}`);
    }
    if (!gradOut.readable) this.fail(method, `gradOut ${gradOut} was a temporary of a step that has ended; its values can no longer be read`);
    if (!sameShape(gradOut.shape, this.lastOutputShape)) {
      this.fail(method, `gradOut has shape ${formatShape(gradOut.shape)}, expected ${formatShape(this.lastOutputShape)} (the shape of the last output)`);
    }
    if (childBackwards > 0) return; //                 a container's child: the container scanned it (see childBackwards)
    const bad = gradOut.firstNonFinite(); //          a NaN or ±Infinity would make every gradient after it NaN, silently
    if (bad >= 0) {
      this.fail(method, `gradOut holds a non-finite value (${gradOut.data[bad]}) at flat index ${bad} of shape ${formatShape(gradOut.shape)}`);
    }
  }

  /** Refuses an input that is not a Tensor, was released with its step, or holds NaN or ±Infinity. */
  protected checkInput(input: Tensor): void {
    if (!(input instanceof Tensor)) this.fail('forward', `input must be a Tensor, got ${describe(input)}${arrayHint(input)}`);
    if (!input.readable) this.fail('forward', `input ${input} was a temporary of a step that has ended; its values can no longer be read`);
    const bad = input.firstNonFinite();
    if (bad >= 0) {
      this.fail('forward', `input holds a non-finite value (${input.data[bad]}) at flat index ${bad} of shape ${formatShape(input.shape)}`);
    }
  }

  /** Throws a MinidlError that names this module and the method: `Linear(2→25).forward: …`. */
  protected fail(method: string, message: string): never {
    throw new MinidlError(`${this.toString()}.${method}: ${message}`);
  }
}

/** How many times a hook was registered or removed, on any module (see `hookChanges`). */
let hookChangeCount = 0;

/**
 * How many times a hook was registered on, or removed from, any module since the program started.
 * What a caller learned about the hooks of a model stays true while this number does not change:
 * `NeuralNet.fit` decides once whether its model runs only minidl's code, and again only when it
 * changed (lib/training/step-decisions.ts), so that a hook added in `onEpoch` counts from the
 * next batch without a walk of the model at every batch.
 */
export function hookChanges(): number {
  return hookChangeCount;
}

/**
 * What a forward of `root` may change besides its output — the buffers of its tree and the random
 * generators (the global one, and every `Rng` held in a field of a module of the tree) — saved
 * now; the function returned puts them back (for a forward whose hook throws).
 */
function stateToGiveBack(root: Module): () => void {
  const buffers = root.buffers().map((b) => b.value);
  const values = buffers.map((t) => t.data.slice());
  const generators = new Set<Rng>([defaultRng()]);
  const visit = (m: Module): void => {
    for (const rng of ownGenerators(m)) generators.add(rng);
    for (const child of m.children()) visit(child);
  };
  visit(root);
  const states = [...generators].map((rng) => [rng, rng.state()] as const);
  return () => {
    buffers.forEach((t, i) => t.data.set(values[i]));
    for (const [rng, state] of states) rng.setState(state);
  };
}

/**
 * The generators `owner` holds in its own fields, in the order of its fields: every value that
 * is an `Rng` (Dropout's `rng` option, an Rng a module of yours draws from). Not the modules
 * inside it, nor the global generator a module without one draws from (`defaultRng()`).
 */
export function ownGenerators(owner: object): Rng[] {
  return Object.values(owner).filter((value): value is Rng => value instanceof Rng);
}

/**
 * What a value is, for error messages: `a Tensor of shape [2,3]`, `number 3`, `string x`,
 * `undefined`, `an array`, `a function`, `a Linear`.
 */
export function describe(value: unknown): string {
  if (value instanceof Tensor) return `a Tensor of shape ${formatShape(value.shape)}`;
  if (typeof value === 'string') return `string ${value}`;
  return describeValue(value);
}

/** For a plain array where a Tensor belongs: how to make one. */
function arrayHint(value: unknown): string {
  return Array.isArray(value) ? ' (make one with Tensor.from, e.g. Tensor.from([[1, 2]]))' : '';
}

/**
 * How many containers are running a child's `backward` now (`runInChild`). The gradOut a
 * container hands a child is the container's own gradOut, which its `checkGradOut` has scanned,
 * or the ∂L/∂input of the child after it, computed by the library: so a child called by a
 * container checks its gradOut's shape but does not scan it again for NaN or ±Infinity (a scan
 * in every layer cost 2.7 % of the course network's training step). A gradient that overflows
 * inside a model is caught where it lands: the optimizer refuses a non-finite gradient, and
 * `NeuralNet` reports the step as diverged.
 */
let childBackwards = 0;

/**
 * For containers: runs `fn`, a call into one of their modules; an error it throws is re-thrown
 * with `label` (such as `Sequential[4]`) in front of its message, so the message names the path
 * to the module that failed.
 */
export function runInChild<T>(label: string, child: Module, method: string, fn: () => T): T {
  const backward = method === 'backward';
  if (backward) childBackwards++;
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    const message = err instanceof MinidlError ? err.message : `${child}.${method}: ${err.message}`;
    throw new MinidlError(`${label} ${message}`, { cause: err });
  } finally {
    if (backward) childBackwards--;
  }
}
