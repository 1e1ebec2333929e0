import { Sequential } from '../modules/containers/sequential';
import { Module } from '../modules/module';
import { isLibraryInstance } from './library-code';

/**
 * The module of `model` that reads the data, when minidl knows it does: the model itself, or
 * through a Sequential (minidl's own, with no hook and no method replaced) its first module, at
 * any depth. Null when that module is not one of minidl's own classes exactly, or has a hook:
 * code of yours may read what its backward returns (a backward hook is given it), so it is not
 * told anything.
 */
export function dataReader(model: Module): Module | null {
  let m = model;
  while (m instanceof Sequential && m.length > 0 && isLibraryInstance(m)) m = m.modules[0]; // (modules: the chain itself, not a copy)
  return isLibraryInstance(m) ? m : null;
}

/**
 * Runs `fn` (a training step) telling `reader`, the module that reads the data (`dataReader(model)`,
 * or null: nobody is told), that its input needs no gradient — `inputNeedsGrad = false` — and
 * puts the flag back afterwards, also when `fn` throws. Nobody reads the gradient of the data:
 * PyTorch does not compute it (`needs_input_grad`), and minidl's Conv2d and Linear then skip it
 * (Module.inputNeedsGrad), which saves a product and a col2im per sample in the first convolution
 * of a CNN. `NeuralNet.fit` finds the reader once per fit, not at every step
 * (lib/training/step-decisions.ts).
 */
export function withoutInputGradient<T>(reader: Module | null, fn: () => T): T {
  if (reader === null) return fn();
  const before = reader.inputNeedsGrad;
  reader.inputNeedsGrad = false;
  try {
    return fn();
  } finally {
    reader.inputNeedsGrad = before;
  }
}
