import { MinidlError } from './errors';

/**
 * A class called without `new`, from JavaScript: `const layer = Linear(2, 25)`.
 *
 * The JavaScript engine refuses that call itself, before any of minidl's code runs, with a
 * TypeError of its own (TypeScript refuses it at compile time). So that this mistake too gets a
 * `MinidlError`, the entry points (lib/index.ts, lib/node.ts) export every class through
 * `requireNew`. What it returns is the class in every way a program can see:
 *
 *   new Linear(2, 25)                 builds a Linear, with the same arguments
 *   layer instanceof Linear           true (the same prototype object)
 *   layer.constructor === Linear      true
 *   class MyLayer extends Module {}   works; MyLayer's instances are Modules
 *   Tensor.zeros([2, 3])              static members are there (inherited)
 *   Linear.name                       'Linear'
 *
 * and called without `new` it throws:
 *
 *   MinidlError: Linear(…) was called without new: Linear is a class, create one with new Linear(…)
 *
 * Inside the library the classes are used directly (same objects, same prototypes).
 *
 * `name` is spelled out rather than read from `cls.name`, which a bundler may change (esbuild
 * renames a class whose name another declaration of the bundle takes: `Linear2`); the name of
 * the class as a program sees it (`Linear.name`, `layer.constructor.name`) is then this one.
 */
export function requireNew<C extends { readonly prototype: object; readonly length: number }>(cls: C, name: string): C {
  type Constructor = new (...args: unknown[]) => unknown;
  const publicClass = function (this: unknown, ...args: unknown[]): unknown {
    if (new.target === undefined) {
      throw new MinidlError(`${name}(…) was called without new: ${name} is a class, create one with new ${name}(…)`);
    }
    // `new Linear(…)` builds the class itself; `super(…)` of a subclass builds the subclass.
    const target = new.target === publicClass ? cls : new.target;
    return Reflect.construct(cls as unknown as Constructor, args, target as unknown as Constructor);
  };
  Object.defineProperty(publicClass, 'name', { value: name });
  Object.defineProperty(publicClass, 'length', { value: cls.length });
  Object.setPrototypeOf(publicClass, cls); // static members
  publicClass.prototype = cls.prototype; // instanceof, extends
  Object.defineProperty(cls.prototype, 'constructor', { value: publicClass, writable: true, enumerable: false, configurable: true });
  return publicClass as unknown as C;
}
