import { MinidlError, checkArgumentCount, describeValue } from '../errors';
import { Module } from '../modules/module';

/**
 * Which module class each type name of a saved model stands for: the registry `saveModel`,
 * `modelToJSON`, `loadModel`, `modelFromJSON` and `loadStateInto` ask.
 *
 * A saved model stores, for each module, its type name (`"Linear"`), its constructor's arguments
 * (what its `config()` returns, e.g. `{ inFeatures: 2, outFeatures: 25, bias: true }`), and,
 * for a container, the modules inside. To load it, the registry gives the class of that name,
 * whose static `fromConfig` builds the module again; then the saved parameter values and state
 * are copied in. This is Keras' design: `get_config()`, `from_config(config)` and
 * `@register_keras_serializable`, here `config()`, `fromConfig(config)` and `registerModule`.
 *
 * Every module file of minidl registers its own class, in one line next to the class
 * (`registerModule(Linear, 'Linear')`), when the file is loaded; both entry points load them
 * all. A layer of your own is registered the same way, once, before saving or loading it.
 *
 * The name is always spelled out rather than read from the class's `name`: a minifying bundler
 * renames classes (`Linear` may become `t`), and a file saved by one build must load in another.
 */

/**
 * A module class that can be saved and loaded: a subclass of `Module` whose instances give
 * their constructor's arguments with `config()`, and which rebuilds an instance from them with
 * the static `fromConfig`.
 */
export interface SaveableModuleClass {
  /** The class's prototype: a module is saved under its class's name only if this is exactly its prototype. */
  readonly prototype: Module;
  /** The class's own name, used in messages only (the saved name is the one given to `registerModule`). */
  readonly name: string;
  /**
   * Builds a module from what `config()` returned when it was saved (numbers, strings,
   * booleans, null, and lists of them). A container also receives its modules, already rebuilt,
   * in order (`children`), and a layer that shares another's parameters in the file (weight
   * sharing, such as `new Linear(2, 3, { share: first })`) receives that other module, already
   * rebuilt (`shareWith`), else null. The parameter values and state are copied in afterwards,
   * so the values it draws do not matter (nor do they consume the global generator: loading
   * puts it back as it was). A layer of your own usually needs only `config`. An error it
   * throws reaches the caller as a MinidlError naming the module's place in the file. (Keras'
   * `from_config`.)
   */
  fromConfig(config: Record<string, unknown>, children: Module[], shareWith: Module | null): Module;
}

/** The registered classes by saved name, in the order they were registered. */
const classByName = new Map<string, SaveableModuleClass>();
/** The saved name of each registered class, by its prototype (a module's class is found from its prototype). */
const nameByPrototype = new Map<object, string>();

/**
 * Registers `cls` under `name`, so that its instances can be saved (their type written as
 * `name`) and a saved module of type `name` can be loaded (rebuilt by `cls.fromConfig`). Keras
 * calls this `register_keras_serializable`. Call it once, after the class, before saving or
 * loading:
 *
 * ```ts
 * class Scale extends Module {
 *   // … constructor(numFeatures), forward, backward, params, toString …
 *   config() { return { numFeatures: this.numFeatures }; }
 *   static fromConfig(config: Record<string, unknown>): Scale { return new Scale(config.numFeatures as number); }
 * }
 * registerModule(Scale, 'Scale');
 * ```
 *
 * Only exactly this class is saved under `name`: a subclass of it is a class of its own, and
 * needs a registration of its own (so that it is never silently saved, and loaded back, as its
 * parent). The name is spelled out because a minifying bundler renames classes.
 *
 * Registering the same class again under the same name changes nothing. Throws a MinidlError,
 * and registers nothing, when `cls` is not a class, not a subclass of `Module`, has no static
 * `fromConfig` of its own (one inherited from a parent class would rebuild the parent), or no
 * `config()` (it inherits Module's, which refuses); when `name` is not a non-empty string; when
 * `name` is already the name of another class; or when `cls` is already registered under
 * another name.
 */
export function registerModule(cls: SaveableModuleClass, name: string): void {
  const who = 'registerModule';
  checkArgumentCount(who, arguments.length, ['cls', 'name']);
  const given: unknown = cls; // from JavaScript, anything may come
  if (typeof given !== 'function' || typeof given.prototype !== 'object' || given.prototype === null) {
    const hint = given instanceof Module ? ` (an instance: give the class itself, such as registerModule(${given.constructor.name}, '${given.constructor.name}'))` : '';
    throw new MinidlError(`${who}: cls must be a class (a subclass of Module), got ${describeValue(given)}${hint}`);
  }
  const className = cls.name || 'the class';
  if (!(cls.prototype instanceof Module)) {
    const what = cls.prototype === Module.prototype ? 'Module itself, which is abstract' : `${className}, which does not extend Module`;
    throw new MinidlError(`${who}: cls must be a subclass of Module, got ${what}`);
  }
  if (typeof name !== 'string' || name === '') {
    const got = name === '' ? 'an empty string' : describeValue(name);
    const hint = name === undefined ? ` (spell it out, as registerModule(${className}, '${className}'): a minifying bundler renames classes, so ${className}.name is not reliable)` : '';
    throw new MinidlError(`${who}: name must be the type name written into saved files, a non-empty string such as '${className}', got ${got}${hint}`);
  }
  const rebuilder = classDefining(cls, 'fromConfig');
  if (rebuilder === null || typeof (cls as { fromConfig?: unknown }).fromConfig !== 'function') {
    throw new MinidlError(`${who}: ${className} has no static fromConfig(config), which rebuilds it when a model is loaded; add one, such as static fromConfig(config) { return new ${className}(…config's values…); }`);
  }
  if (rebuilder.prototype !== cls.prototype) {
    throw new MinidlError(`${who}: ${className} has no static fromConfig of its own: the one it inherits from ${rebuilder.name} would build ${article(rebuilder.name)}, not ${article(className)}; add static fromConfig(config) to ${className}`);
  }
  if (typeof cls.prototype.config !== 'function' || cls.prototype.config === Module.prototype.config) {
    throw new MinidlError(`${who}: ${className} has no config() method, which gives its constructor's arguments to save (return {} if it takes none)`);
  }
  const taken = classByName.get(name);
  if (taken !== undefined && taken.prototype !== cls.prototype) {
    throw new MinidlError(`${who}: the name '${name}' is already taken by another class, ${taken.name}; choose another name for ${className}, such as 'my.${name}'`);
  }
  const registeredAs = nameByPrototype.get(cls.prototype);
  if (registeredAs !== undefined && registeredAs !== name) {
    throw new MinidlError(`${who}: ${className} is already registered as '${registeredAs}'; a class is saved under one name only`);
  }
  if (taken !== undefined) return; // the same class under the same name: already done
  classByName.set(name, cls);
  nameByPrototype.set(cls.prototype, name);
}

/**
 * The registered classes, by the name saved files use (a new Map, in the order they were
 * registered): `registeredModules().get('Linear')` is the class a saved `"Linear"` is rebuilt
 * with. minidl's own classes are there from the start. Takes no argument (a MinidlError says
 * so if one comes).
 */
export function registeredModules(): Map<string, SaveableModuleClass> {
  checkArgumentCount('registeredModules', arguments.length, []);
  return new Map(classByName);
}

/** The class registered under `type`, or undefined. */
export function moduleClassNamed(type: string): SaveableModuleClass | undefined {
  return classByName.get(type);
}

/** The name `module` is saved under: that of its class, exactly (not of a parent class); undefined when its class is not registered. */
export function savedTypeOf(module: Module): string | undefined {
  return nameByPrototype.get(Object.getPrototypeOf(module));
}

/** The nearest parent class of `module`'s class that is registered, as `Linear`, or undefined (for messages about subclasses). */
export function registeredParentOf(module: Module): string | undefined {
  for (let p = Object.getPrototypeOf(Object.getPrototypeOf(module)); p !== null; p = Object.getPrototypeOf(p)) {
    if (nameByPrototype.has(p)) return nameByPrototype.get(p);
  }
  return undefined;
}

/** The registered names, sorted, for messages: `AvgPool2d, BatchNorm1d, …`. */
export function registeredNames(): string {
  return [...classByName.keys()].sort().join(', ');
}

/**
 * The class along `cls`'s chain of parents (itself first) that defines the static `member`
 * itself, or null. A class exported through `requireNew` defines none itself but inherits
 * those of the class it stands for, which has the same prototype.
 */
function classDefining(cls: object, member: string): { prototype: unknown; name: string } | null {
  for (let c: object | null = cls; c !== null && c !== Function.prototype; c = Object.getPrototypeOf(c)) {
    if (Object.prototype.hasOwnProperty.call(c, member)) return c as { prototype: unknown; name: string };
  }
  return null;
}

/** `a Linear`, `an ELU`: a class name with its article, for messages. */
function article(name: string): string {
  return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
}
