import { MinidlError, describeValue, formatShape, sameShape } from '../errors';
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
 */
export abstract class Module {
  /** True in training mode (the default), false in evaluation mode; see `train()` / `eval()`. */
  training = true;
  private lastOutputShape: readonly number[] | null = null;
  /** The buffers registered with `registerBuffer`, in order. */
  private readonly ownBuffers: ModuleBuffer[] = [];
  /** The arrays handed out by `workspace` and `indexWorkspace`, by name. */
  private readonly workspaces = new Map<string, Float64Array | Int32Array>();

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
   * Scratch space the module keeps from call to call (Conv2d's unrolled windows): the first
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
    return output;
  }

  /** Call at the start of `backward`: refuses a `backward` with no `forward`, or a `gradOut` of the wrong shape. */
  protected checkGradOut(gradOut: Tensor): void {
    if (this.lastOutputShape === null) {
      this.fail('backward', 'called before forward: there is no output to take the gradient of');
    }
    if (!(gradOut instanceof Tensor)) {
      this.fail('backward', `gradOut must be a Tensor, got ${describe(gradOut)}${arrayHint(gradOut)}`);
    }
    if (!gradOut.readable) this.fail('backward', `gradOut ${gradOut} was a temporary of a step that has ended; its values can no longer be read`);
    if (!sameShape(gradOut.shape, this.lastOutputShape)) {
      this.fail('backward', `gradOut has shape ${formatShape(gradOut.shape)}, expected ${formatShape(this.lastOutputShape)} (the shape of the last output)`);
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
 * For containers: runs `fn`, a call into one of their modules; an error it throws is re-thrown
 * with `label` (such as `Sequential[4]`) in front of its message, so the message names the path
 * to the module that failed.
 */
export function runInChild<T>(label: string, child: Module, method: string, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof Error)) throw err;
    const message = err instanceof MinidlError ? err.message : `${child}.${method}: ${err.message}`;
    throw new MinidlError(`${label} ${message}`, { cause: err });
  }
}
